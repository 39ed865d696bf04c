"""Legacy WIT (2022) -> `witgen.frontend.ast`, and `witgen migrate`.

Before packages, interfaces and worlds, a WIT document was one file whose
items made up one interface: the dialect of wit-bindgen's `WIT.md` and
`crates/parser` from the rename to `*.wit` (Dec 2021) until `world` and
`interface` arrived (#413, Nov 2022). Read from that history (commits
8f5fffd9 Jan, f8d4e9c6 June, 65197620 Sep 2022 and the ones named here):

- items one after another, without `;`: `use`, `type`, `record`,
  `flags`, `variant`, `enum`, `union`, `resource`, `name: function(...)`;
- `use * from other` and `use { a, b as c } from other`, `other` being
  `other.wit` (else `other.wit.md`) in the same directory;
- `function` until #232 (June 2022), `func` after; `async` before either;
- one result type, or a list of results, named or not: `-> (u32, u32)`,
  `-> a: u32`, `-> (a: u32, b: string)` (until April, again from Sep);
- `expected<T, E>` until #318 (Sep 2022), with `_` for "no type" until
  #215 (May) and `unit` from #204 (April); then `result<T, E>`,
  `result<_, E>`, `result<T>` and `result`;
- `f32` / `f64`, then `float32` / `float64` from #198 (April);
- `handle r` (until #343, Oct 2022), resources with functions inside,
  `static`, and `resource a implements b` (#280, July);
- `tuple<...>`, `option<T>`, `list<T>`, `stream<T, E>` (#228),
  `future<T>` (#269), and early in the year `push-buffer<T>`;
- names: kebab-case, `%name` from #123 (March), `"name"` before it;
- `///` and `/** */` comments are docs, other comments are not;
- `.wit.md` files: markdown whose ```wit blocks hold the WIT.

Words that were keywords for only part of 2022 (`func`, `result`,
`stream`, `future`, `unit`, `expected`, the float names, `handle`,
`implements`) are read by position, so files of any month parse.

How each becomes modern WIT:

- A file becomes one interface named after its stem in kebab-case
  (`cache.wit` -> `interface cache`). Its package is the `package`
  argument (`ns:name` or `ns:name@1.2.3`: the CLI's `--legacy-package`), else
  `legacy:<name>` with `<name>` the kebab-case stem of the file given, or
  the name of the directory given. Files loaded together share it.
- `use { a, b as c } from other` -> `use other.{a, b as c};`;
  `use * from other` -> `use other.{...}` listing what `other` defines or
  itself `use`s, in its order (the names 2022 brought in).
- `function` -> `func`; `expected` -> `result`, where `_` and `unit` are
  "no type"; `unit` as a result or a case payload -> none; a list of
  results -> `tuple<...>` (the same ABI; names have no modern place);
  `float32` -> `f32`; `handle r` -> `r`, an owned handle;
  `stream<T, unit>` -> `stream<T>`.
- `union u { s32, list<u8> }` -> `variant u { s32(s32), list-u8(list<u8>) }`:
  cases are named after their types, `-2`, `-3` for repeats.
- Resources keep their functions; `static` ones stay `static`.

What has no modern form is a diagnostic with a span, all of a file's
reported together: globals (`name: type`), nested `interface` blocks,
`unit` elsewhere, a stream's end type, `push-buffer` / `pull-buffer`,
`implements`, and a function named like a type (2022 kept the two apart).

The stages, one module each: `detect` (is this text 2022 WIT?), `parser`
(text -> `legacy.ast`, the document as written), `migration` (one
document -> today's AST, with the diagnostics above), `files` (files,
siblings and `use *` -> one package of today's AST). The loader uses
`looks_legacy` and `parse_legacy_files`; `witgen migrate` uses `migrate`.
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic, WitError, read_source
from ..frontend.ast import File
from ..frontend.parser import parse_source
from ..frontend.printer import print_file
from .detect import looks_legacy
from .files import DEFAULT_NAMESPACE, Siblings, parse_legacy, parse_legacy_files

__all__ = ["DEFAULT_NAMESPACE", "Siblings", "looks_legacy", "migrate", "parse_legacy", "parse_legacy_files"]


def migrate(path: Path, package: str | None = None) -> str:
    """`witgen migrate`: the legacy file (with the siblings it uses) or
    directory as one modern WIT file."""
    path = Path(path)
    if path.is_file():
        source = read_source(path)
        if not looks_legacy(source.text):
            try:
                parse_source(source)
            except WitError:
                pass  # not modern either: the legacy parser says why
            else:
                raise WitError([Diagnostic(f"{path} is modern WIT already: nothing to migrate")])
    files = parse_legacy_files(path, package)
    first = files[0]
    items = tuple(item for file in files for item in file.items)
    return print_file(File(first.source, first.package, items, ()))
