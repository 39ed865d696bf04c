"""AST -> resolved model, with wit-parser's semantics.

One stage per module:

- `package`: the files of one package -> `UnresolvedPackage` (local names);
- `link`: append unresolved packages to a `Resolve`, dependencies first,
  connecting foreign references and applying feature gates;
- `elaborate`: `include`s and world elaboration.

`resolve_groups` is the entry point used by `witgen.loader`.
"""

from __future__ import annotations

from typing import Optional

from .. import model as m
from ..diagnostics import WitError
from .link import Features, Remap
from .package import PackageResolver, PackageSource, UnresolvedPackage

__all__ = [
    "Features",
    "PackageSource",
    "UnresolvedPackage",
    "resolve_package",
    "resolve_groups",
]


def resolve_package(source: PackageSource) -> UnresolvedPackage:
    """Resolve the names inside one package (raises `WitError`)."""
    return PackageResolver(source).resolve()


def resolve_groups(
    resolve: m.Resolve,
    groups: list[list[UnresolvedPackage]],
    features: Features,
) -> list[list[m.PackageId]]:
    """Append every package of `groups` to `resolve`, dependencies first.

    Returns, per group, the ids of its packages in the group's order.
    Like wit-parser, packages are visited by name and each after the
    packages it uses; a package two groups define is an error.
    """
    by_name: dict[m.PackageName, tuple[UnresolvedPackage, int]] = {}
    for index, group in enumerate(groups):
        for pkg in group:
            prev = by_name.get(pkg.name)
            if prev is not None:
                here = pkg.name_span.location() if pkg.name_span else "?"
                there = prev[0].name_span.location() if prev[0].name_span else "?"
                raise WitError.at(
                    pkg.name_span,
                    f"package `{pkg.name}` is defined in two different locations:\n  * {here}\n  * {there}",
                )
            by_name[pkg.name] = (pkg, index)

    order: list[m.PackageName] = []
    placed: set[m.PackageName] = set()
    for name in sorted(by_name, key=m.PackageName.sort_key):
        _visit(by_name[name][0], by_name, order, placed)

    ids: dict[m.PackageName, m.PackageId] = {}
    aliases: dict[m.TypeId, m.Type] = {}  # shared by every Remap: see `Remap.aliases`
    for name in order:
        ids[name] = Remap(resolve, features, aliases=aliases).append(by_name[name][0])
    return [[ids[pkg.name] for pkg in group] for group in groups]


# A package being placed, its dependencies, the next of them to look at,
# and the dependency name that led to it (None for the root).
_Frame = tuple[UnresolvedPackage, list[m.PackageName], int, Optional[m.PackageName]]


def _visit(
    pkg: UnresolvedPackage,
    by_name: dict[m.PackageName, tuple[UnresolvedPackage, int]],
    order: list[m.PackageName],
    placed: set[m.PackageName],
) -> None:
    """Place `pkg` after the packages it uses (depth first, in the order it
    names them). Iterative: a chain of packages in `deps/` can be long."""
    if pkg.name in placed:
        return
    stack: list[_Frame] = [(pkg, list(pkg.foreign_deps), 0, None)]
    visiting: set[m.PackageName] = set()
    while stack:
        current, deps, i, via = stack[-1]
        if i == len(deps):
            stack.pop()
            if via is not None:
                visiting.discard(via)
            if current.name not in placed:
                placed.add(current.name)
                order.append(current.name)
            continue
        stack[-1] = (current, deps, i + 1, via)
        if current.name in placed:
            continue
        dep = deps[i]
        if dep in visiting:
            raise WitError.at(current.foreign_dep_spans[i], f"package `{dep}` creates a dependency cycle")
        found = by_name.get(dep)  # exact, as `Remap._package` looks it up
        if found is not None and found[0].name not in placed:
            visiting.add(dep)
            stack.append((found[0], list(found[0].foreign_deps), 0, dep))
