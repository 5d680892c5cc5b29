"""The import graph has no cycles: not between tourism's folders and top-level modules, not
between files; `geo`, `qr` and `seeds` sit where README's layout says. Read with `ast`, so it
sees every import, at the top of a file or inside a function."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tourism", "geo", "qr", "seeds")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _imports(module: str) -> Iterator[str]:
    """The project modules `module` imports (`from a import b` counts b when it is a module)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        yield from (name for name in names if name in MODULES and name != module)


def _unit(module: str) -> str:
    """tourism.eateries.service -> tourism.eateries; tourism.hours -> tourism.hours."""
    return ".".join(module.split(".")[:2])


def _graph(key) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module in MODULES:
        targets = {key(t) for t in _imports(module)} - {key(module)}
        graph.setdefault(key(module), set()).update(targets)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_the_project():
    assert len(MODULES) > 80
    assert "tourism.views.eateries" in _graph(lambda m: m)
    assert "tourism.reviews.service" in set(_imports("tourism.views.eateries"))


def test_no_cycle_between_folders_or_top_level_modules():
    assert _cycles(_graph(_unit)) == []


def test_no_cycle_between_files():
    assert _cycles(_graph(lambda m: m)) == []


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# What assembles the application: above the composition layer.
TOP = {"tourism.views", "tourism.main", "tourism.cli", "tourism.maintenance", "tourism.models"}


def test_building_blocks_and_domains_import_only_downwards():
    for module in MODULES:
        imported = set(_imports(module))
        if module.startswith(("geo", "qr")):
            assert not {t for t in imported if t.startswith(("tourism", "seeds"))}, module
        if module.startswith("tourism.") and _unit(module) not in TOP:
            # the composition layer is above every domain: none imports it
            assert not {t for t in imported if t.startswith("tourism.views")}, module
    core = (
        "tourism.config",
        "tourism.hours",
        "tourism.exceptions",
        "tourism.schemas",
        "tourism.languages",
    )
    for module in core:
        assert all(not t.startswith("tourism.") or t in core for t in _imports(module)), module
