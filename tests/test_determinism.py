"""Generation is deterministic: the same WIT gives byte-identical packages
whatever the hash seed (set and dict iteration orders change with it), as
datamodel-code-generator checks. Each seed runs in its own interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WASI = ROOT.parent / "shared" / "corpus" / "wasi-0.2.12"
SEEDS = ("0", "1", "7", "4242", "271828")

# Prints {case: {path: sha256}} for the fixtures, and for wasi:http/proxy
# (the largest real input) when the corpus is there.
SCRIPT = """
import hashlib, json, sys
from pathlib import Path
from witgen.api import generate, generate_from_resolve, plan
from witgen.loader import load_many

root, wasi = Path(sys.argv[1]), Path(sys.argv[2])
cases = {
    "adder": generate(root / "fixtures/adder.wit", "import").files,
    "interfaced-adder": generate(root / "fixtures/interfaced-adder.wit", "import").files,
    "kv-store": generate(root / "fixtures/kv-store", "import").files,
    "cache-export": generate(root / "fixtures/cache.wit", "export").files,
    "coverage": generate(root / "tests/guests/coverage/wit", "import").files,
    "coverage-export": generate(root / "tests/guests/coverage/wit", "export", world="coverage").files,
}
if wasi.is_dir():
    loaded = load_many(sorted(p for p in wasi.iterdir() if p.is_dir()))
    for world in ("wasi:http/proxy", "wasi:cli/command"):
        for implement_wasi in (False, True):
            built = plan(loaded.resolve, loaded.main, "import", source="wasi", world=world, implement_wasi=implement_wasi)
            cases[f"{world}{' implement-wasi' if implement_wasi else ''}"] = generate_from_resolve(loaded.resolve, built).files
digests = {
    case: {path: hashlib.sha256(text.encode()).hexdigest() for path, text in files.items()}
    for case, files in cases.items()
}
json.dump(digests, sys.stdout, sort_keys=True)
"""


def test_output_does_not_depend_on_the_hash_seed() -> None:
    runs = {}
    processes = {
        seed: subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(ROOT), str(WASI)],
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in SEEDS
    }
    for seed, process in processes.items():
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, f"PYTHONHASHSEED={seed}:\n{err}"
        runs[seed] = json.loads(out)
    first_seed, first = SEEDS[0], runs[SEEDS[0]]
    for seed, digests in runs.items():
        differing = sorted(
            f"{case}/{path}"
            for case in first.keys() | digests.keys()
            for path in first.get(case, {}).keys() | digests.get(case, {}).keys()
            if first.get(case, {}).get(path) != digests.get(case, {}).get(path)
        )
        assert not differing, f"PYTHONHASHSEED={first_seed} and {seed} disagree on {', '.join(differing)}"
