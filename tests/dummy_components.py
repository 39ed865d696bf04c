"""Components made from WIT alone (`wasm-tools component embed --dummy`):
every function a core function that traps, so only their types are real.
For tests of `witgen verify` and of the check generated `instantiate` runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

WASM_TOOLS = shutil.which("wasm-tools") or str(Path(sys.executable).parent / "wasm-tools")

# The world the tests check against, and components of other WIT.
ECHO = """package demo:echo;

interface store {
  resource blob {
    constructor(data: list<u8>);
    read: func() -> list<u8>;
  }
  record request { id: u32, body: list<u8> }
  put: func(req: request) -> result<own<blob>, string>;
}

world echo {
  import log: func(msg: string);
  import store;
  export store;
  export echo: func(data: list<u8>) -> list<u8>;
  export count: func() -> u32;
}
"""

# The same package's other version: `body` and `echo`'s `data` are
# strings, an extra import, no `count`.
OTHER = """package demo:echo;

interface store {
  resource blob {
    constructor(data: list<u8>);
    read: func() -> list<u8>;
  }
  record request { id: u32, body: string }
  put: func(req: request) -> result<own<blob>, string>;
}

interface extra { ping: func(); }

world echo {
  import extra;
  import store;
  export store;
  export echo: func(data: string) -> list<u8>;
}
"""

OTHER_DIFFERENCES = [
    "extra import `demo:echo/extra`: the world does not import it",
    "import `demo:echo/store#put`: param req → field body: list<u8> vs string",
    "missing export `count`: the component does not export it",
    "export `demo:echo/store#put`: param req → field body: list<u8> vs string",
    "export `echo`: param data: list<u8> vs string",
]


def dummy_component(folder: Path, wit: str, world: str, *, all_features: bool = False) -> Path:
    """`folder/<world>.wasm`, a component of `world` in `wit` (`all_features`:
    with every `@unstable` feature and gated type, `map` say)."""
    folder.mkdir(parents=True, exist_ok=True)
    source, core, out = folder / f"{world}.wit", folder / f"{world}.core.wasm", folder / f"{world}.wasm"
    source.write_text(wit)
    features = ["--all-features"] if all_features else []
    for args in (["component", "embed", *features, "--dummy", str(source), "-w", world, "-o", str(core)],
                 ["component", "new", str(core), "-o", str(out)]):
        done = subprocess.run([WASM_TOOLS, *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    return out
