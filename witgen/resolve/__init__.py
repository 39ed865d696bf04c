"""AST -> resolved model, with wit-parser's semantics.

One stage per module:

- `package`: the files of one package -> `UnresolvedPackage` (local names);
- `link`: append unresolved packages to a `Resolve`, dependencies first,
  connecting foreign references and applying feature gates;
- `elaborate`: `include`s and world elaboration.

`resolve_groups` is the entry point used by `witgen.loader`.
"""

from __future__ import annotations

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
) -> list[list[int]]:
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
                    None,
                    f"package `{pkg.name}` is defined in two different locations:\n  * {here}\n  * {there}",
                )
            by_name[pkg.name] = (pkg, index)

    order: list[m.PackageName] = []
    placed: set[m.PackageName] = set()
    for name in sorted(by_name, key=m.PackageName.sort_key):
        _visit(by_name[name][0], by_name, order, placed, set())

    ids: dict[m.PackageName, int] = {}
    for name in order:
        ids[name] = Remap(resolve, features).append(by_name[name][0])
    return [[ids[pkg.name] for pkg in group] for group in groups]


def _visit(
    pkg: UnresolvedPackage,
    by_name: dict[m.PackageName, tuple[UnresolvedPackage, int]],
    order: list[m.PackageName],
    placed: set[m.PackageName],
    visiting: set[m.PackageName],
) -> None:
    # Iterative would be safer, but package graphs are shallow.
    if pkg.name in placed:
        return
    for i, dep in enumerate(pkg.foreign_deps):
        if dep in visiting:
            raise WitError.at(pkg.foreign_dep_spans[i], f"package `{dep}` creates a dependency cycle")
        visiting.add(dep)
        found = by_name.get(dep)  # exact, as `Remap._package` looks it up
        if found is not None:
            _visit(found[0], by_name, order, placed, visiting)
        visiting.discard(dep)
    placed.add(pkg.name)
    order.append(pkg.name)
