"""The package's import graph, read with ``ast`` (nothing is imported), and the walls it must keep.

Used by tests/test_architecture.py on the real package and on small fake packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

# (importer's stage, stage it must never import, why) -- the walls of docs/architecture.md.
WALLS = [
    ("render", "sources", "rendering never talks to the network"),
    ("render", "store", "renderers take a view model, never the database"),
    ("store", "render", "the store knows no output format"),
    ("store", "publish", "the store knows no output format"),
    ("model", "*", "model.py imports nothing of ours"),
    ("query", "sources", "topic matching is local"),
    ("deliver", "sources", "delivery never harvests"),
    ("enrich", "render", "enrichment writes facts, not pages"),
    ("sources", "store", "sources return papers and know neither the store nor the outputs"),
    ("sources", "render", "sources return papers and know neither the store nor the outputs"),
    ("rank", "render", "ranking writes scores to the store, never pages"),
    ("rank", "publish", "ranking writes scores to the store, never pages"),
    ("summarize", "render", "summaries are written to the store, never pages"),
    ("summarize", "publish", "summaries are written to the store, never pages"),
    ("serve", "sources", "the reading room reads the store; it never harvests"),
    ("serve", "harvest", "the reading room reads the store; it never harvests"),
]


def modules(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every .py under the package folder ``root``."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join([package, *parts])] = path
    return found


def _resolve(current: str, is_package: bool, level: int, target: str | None) -> str:
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imports(root: Path, package: str) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (at any depth: lazy imports inside functions count)."""
    mods = modules(root, package)
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        is_package = path.name == "__init__.py"
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node.level, node.module) if node.level else (node.module or "")
                # `from pkg import sub` imports the submodule when there is one, else pkg itself.
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in mods:  # `import a.b.c` where c is a name
                    target = target.rpartition(".")[0]
                if target and target != name:
                    deps.add(target)
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for dep in sorted(graph.get(node, ())):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
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


def stage(module: str, package: str) -> str:
    """The stage a module belongs to: its folder, or the module's own name at the root."""
    rest = module[len(package) + 1:] if module != package else ""
    return rest.split(".", 1)[0]


def broken_walls(graph: dict[str, set[str]], package: str) -> list[str]:
    problems = []
    for module, deps in sorted(graph.items()):
        for dep in sorted(deps):
            here, there = stage(module, package), stage(dep, package)
            if here == there or not there:
                continue
            for src, dst, why in WALLS:
                if here == src and (dst == "*" or there == dst):
                    problems.append(f"{module} imports {dep}: {why}")
    return problems
