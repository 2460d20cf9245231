"""The house rules of docs/ARCHITECTURE.md, checked on the source itself.

The package's imports are read with :mod:`ast` (top-level and inside functions alike, since a
function-level import is still a dependency; imports under ``if TYPE_CHECKING:`` are left out,
they never run). From them:

* no import cycle between modules;
* no import from a lower layer into a higher one: ``db``, ``workflow`` and ``documents`` never
  import ``services``; nothing imports ``ui`` but ``ui`` itself and the CLI's app entry;
* no module over 600 lines without a one-line reason (``# size: ...``) in its first lines;
* no merge leftovers (``.orig``, ``.rej``, editor backups) tracked by git.
"""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "desktop_perizinan"
MAX_LINES = 600

#: Modules outside ``ui/`` that may import ``ui``: the entry points that start the app or
#: render its screens.
UI_ENTRIES = {f"{PACKAGE}.cli", f"{PACKAGE}.cli.screenshots", f"{PACKAGE}.__main__"}
#: Lower layers and what they must never import.
FORBIDDEN = {
    f"{PACKAGE}.db": (f"{PACKAGE}.services", f"{PACKAGE}.ui", f"{PACKAGE}.cli"),
    f"{PACKAGE}.workflow": (f"{PACKAGE}.services", f"{PACKAGE}.ui", f"{PACKAGE}.cli"),
    f"{PACKAGE}.documents": (f"{PACKAGE}.services", f"{PACKAGE}.ui", f"{PACKAGE}.cli"),
    f"{PACKAGE}.services": (f"{PACKAGE}.ui", f"{PACKAGE}.cli"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in (ROOT / PACKAGE).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    }


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """(imported name, line) for every import that can run, resolving relative ones."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            for alias in node.names:
                yield f"{prefix}.{alias.name}", node.lineno
                yield prefix, node.lineno


def _graph() -> dict[str, dict[str, int]]:
    modules = _modules()
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # ast.walk queues a node's children before yielding it, so TYPE_CHECKING bodies are
        # blanked in a pass of their own before the imports are read.
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and _is_type_checking(node.test):
                node.body = []
        edges: dict[str, int] = {}
        for target, line in _imports(tree, name, path.name == "__init__.py"):
            if target in modules and target != name:
                edges.setdefault(target, line)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
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
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _package_parents(graph: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Drop the edge ``a -> pkg`` when ``pkg`` is a package ``__init__`` that ``a`` only passed
    through on its way to ``pkg.sub`` (``from pkg import sub``): importing a submodule does run
    ``pkg/__init__``, but an ``__init__`` that imports nothing of ``a`` cannot close a cycle,
    and one that does shows up through its own edges."""
    trimmed: dict[str, dict[str, int]] = {}
    for module, edges in graph.items():
        trimmed[module] = {
            target: line
            for target, line in edges.items()
            if not any(other.startswith(target + ".") for other in edges)
            or module.startswith(target + ".")
        }
    return trimmed


def test_no_import_cycles() -> None:
    graph = _package_parents(_graph())
    cycles = _cycles(graph)
    described = []
    for component in cycles:
        members = set(component)
        lines = [
            f"    {source} -> {target} (line {line})"
            for source in component
            for target, line in graph[source].items()
            if target in members
        ]
        described.append("  cycle of " + ", ".join(component) + ":\n" + "\n".join(lines))
    assert not cycles, "import cycles:\n" + "\n".join(described)


def test_layers_import_only_downwards() -> None:
    graph = _graph()
    wrong = []
    for source, edges in sorted(graph.items()):
        for target, line in edges.items():
            for layer, forbidden in FORBIDDEN.items():
                if (source == layer or source.startswith(layer + ".")) and any(
                    target == f or target.startswith(f + ".") for f in forbidden
                ):
                    wrong.append(f"{source} -> {target} (line {line})")
            ui = f"{PACKAGE}.ui"
            if (
                (target == ui or target.startswith(ui + "."))
                and not source.startswith(ui)
                and source not in UI_ENTRIES
            ):
                wrong.append(f"{source} -> {target} (line {line}): only ui/ and the CLI entry")
    assert not wrong, "imports against the layers:\n  " + "\n  ".join(sorted(set(wrong)))


def test_no_oversized_module_without_a_reason() -> None:
    oversized = []
    for path in sorted(_modules().values()):
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > MAX_LINES and not any(line.startswith("# size:") for line in lines[:15]):
            oversized.append(f"{path.relative_to(ROOT)}: {len(lines)} lines")
    assert not oversized, (
        f"modules over {MAX_LINES} lines without a '# size: <reason>' line at the top:\n  "
        + "\n  ".join(oversized)
    )


def test_no_merge_leftovers_tracked() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    leftovers = [
        path
        for path in tracked
        if path.endswith((".orig", ".rej", ".bak", ".swp", "~")) or "/.#" in f"/{path}"
    ]
    assert not leftovers, "merge or editor leftovers tracked by git: " + ", ".join(leftovers)
