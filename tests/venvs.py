"""Fresh virtual environments for tests that install wheels: made without
pip (this environment's pip installs into them), given exactly the
packages of this environment a test names, never all of it by accident."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from importlib import metadata
from pathlib import Path


def fresh_venv(where: Path) -> Path:
    """An empty venv at `where`; its python."""
    venv.EnvBuilder(with_pip=False).create(where)
    return where / "bin" / "python"


def site_packages(python: Path) -> Path:
    (found,) = (python.parent.parent / "lib").glob("python*/site-packages")
    return found


def install_wheels(python: Path, *wheels: Path) -> None:
    """`wheels` into `python`'s venv, without their dependencies."""
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet",
                    *map(str, wheels)], check=True)


def see_this_environment(python: Path) -> None:
    """Append this environment's site-packages to `python`'s path. A .pth
    line only adds a folder, without running the .pth files in it, so an
    editable install here (witgen's own) stays out."""
    ours = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    (site_packages(python) / "test-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")


def see_only_wasmtime(python: Path, folder: Path) -> None:
    """Give `python`'s venv wasmtime (and its metadata, which the runtime
    reads) from this environment, and nothing else of it: linked from
    `folder`, which this makes."""
    folder.mkdir()
    dist = metadata.distribution("wasmtime")
    site = Path(str(dist.locate_file("")))
    info = {f.parts[0] for f in dist.files or () if f.parts[0].endswith(".dist-info")}
    for name in ("wasmtime", *info):
        (folder / name).symlink_to(site / name)
    (site_packages(python) / "wasmtime-only.pth").write_text(f"{folder}\n")
