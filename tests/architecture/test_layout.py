"""The layout docs/architecture.md describes, kept true: which package may import which, and no
import cycle anywhere (type-only imports included, since they are cycles a reader must untangle)."""

from __future__ import annotations

import pytest

from tests.architecture.imports import ROOT, imports_of, modules

SERVICES = ("booking", "notify", "ebox_bridge", "reporting")

# (importer prefix, forbidden prefix, why)
RULES = [
    *[(f"services.{a}", f"services.{b}", "services talk over the bus only")
      for a in SERVICES for b in SERVICES if a != b],
    ("services", "loket.devstack", "a service never depends on how it is started"),
    ("services", "loket.bench", "a service never depends on its benchmarks"),
    ("services", "loket.cli", "a service never depends on the command line"),
    ("services", "loket.simulators", "a service never depends on a simulator"),
    ("loket.devstack", "loket.cli", "imports never run back up"),
    ("loket.bench", "loket.cli", "imports never run back up"),
    ("loket.infra", "services", "the platform knows no service"),
    ("loket.infra", "loket.devstack", "the platform knows not how it is started"),
    ("loket.contracts", "services", "contracts depend on nothing but themselves"),
    ("loket.contracts", "loket.infra", "contracts depend on nothing but themselves"),
    ("loket.simulators", "services", "a simulator stands for the outside world"),
]


def test_services_holds_exactly_the_four_services() -> None:
    packages = sorted(p.name for p in (ROOT / "services").iterdir()
                      if p.is_dir() and (p / "__init__.py").exists())
    assert packages == sorted(SERVICES)
    assert sorted(p.name for p in (ROOT / "services").glob("*.py")) == ["__init__.py"]


@pytest.mark.parametrize(("importer", "forbidden", "why"), RULES)
def test_no_forbidden_import(importer: str, forbidden: str, why: str) -> None:
    offenders = sorted(
        f"{module} imports {target}"
        for module in modules() if _within(module, importer)
        for target in imports_of(module) if _within(target, forbidden)
    )
    assert not offenders, f"{why}: " + "; ".join(offenders)


def test_no_import_cycles() -> None:
    cycles = _cycles()
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert [sorted(c[:-1]) for c in _cycles(graph)] == [["a", "b", "c"]]


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _cycles(graph: dict[str, set[str]] | None = None) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each shown as a path.
    A package importing its own submodules is not a cycle a reader has to untangle, so edges from
    a package to modules inside it are left out."""
    if graph is None:
        graph = {m: {t for t in imports_of(m) if not _within(t, m)} for m in modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = iter(range(10**9))

    def visit(node: str) -> None:
        index[node] = low[node] = next(counter)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append([*sorted(component), sorted(component)[0]])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found
