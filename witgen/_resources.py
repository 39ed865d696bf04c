"""Where the grammar and templates are: inside the installed package (the
wheel puts them there), or beside it in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _folder(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"witgen is installed without its {name}/ folder")


def grammar_path(name: str) -> Path:
    return _folder("grammar") / name


def templates_dir() -> Path:
    return _folder("templates")
