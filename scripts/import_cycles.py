r"""Import cycles between the domain folders of `tending`, read from the source (nothing is imported).

A domain is a folder under `src/tending` (`inbox`, `campaign`, ...); a module at the top of the package
(`config.py`, `errors.py`) is its own domain. Domain A depends on B when a module of A imports one of B.
Two graphs are read: module-level imports (those that run when a module loads: a cycle there can break
start-up) and every import, function-level ones included (the design's true dependencies, which an
import moved into a function only hides). For each it prints the pairs of domains that import each
other, the strongly connected groups, and the count of elementary cycles.

    python scripts/import_cycles.py [--src src/tending] [--list]
"""

from __future__ import annotations

import argparse
import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

Graph = dict[str, set[str]]
# The web and CLI adapters and the app's assembly: they sit above every domain and may import any.
ADAPTERS = {
    "views",
    "pages",
    "commands",
    "deps",
    "app",
    "server",
    "cli",
    "templating",
    "error_pages",
    "navigation",
}


def _domain(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "tending" or len(parts) < 2:
        return None
    return parts[1]


def _imports(tree: ast.Module, *, top_level_only: bool) -> Iterator[str]:
    # At module level, an `if TYPE_CHECKING:` block loads nothing and is not read.
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def domain_graph(src: Path, *, top_level_only: bool, core: bool = False) -> Graph:
    """Domain → the domains it imports; with `core`, only models, services and tasks count (an import
    by or of an adapter is left out)."""
    graph: Graph = defaultdict(set)
    for path in src.rglob("*.py"):
        relative = path.relative_to(src.parent).with_suffix("")
        here = _domain(".".join(relative.parts))
        if here is None or "migrations" in relative.parts or (core and relative.name in ADAPTERS):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target in _imports(tree, top_level_only=top_level_only):
            if core and set(target.split(".")) & ADAPTERS:
                continue
            there = _domain(target)
            if there and there != here and ((src / there).is_dir() or (src / f"{there}.py").exists()):
                graph[here].add(there)
    return graph


def strongly_connected(graph: Graph) -> list[list[str]]:
    """Tarjan's algorithm; groups of two or more domains that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(set(graph) | {n for targets in graph.values() for n in targets}):
        if node not in index:
            visit(node)
    return groups


def elementary_cycles(graph: Graph, limit: int = 100_000) -> int:
    """Simple cycles, each counted once from its smallest domain (stops counting at `limit`)."""

    def from_node(start: str, node: str, seen: set[str], found: int) -> int:
        for nxt in graph.get(node, ()):
            if found >= limit:
                break
            if nxt == start:
                found += 1
            elif nxt > start and nxt not in seen:
                found = from_node(start, nxt, seen | {nxt}, found)
        return found

    count = 0
    for start in sorted(graph):
        count = from_node(start, start, {start}, count)
    return count


def mutual_pairs(graph: Graph) -> list[tuple[str, str]]:
    return sorted((a, b) for a, targets in graph.items() for b in targets if a < b and a in graph.get(b, ()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", type=Path, default=Path(__file__).resolve().parents[1] / "src" / "tending")
    ap.add_argument("--list", action="store_true", help="name the pairs and groups")
    args = ap.parse_args()
    for label, top, core in (
        ("module-level imports", True, False),
        ("all imports, in functions too", False, False),
        ("models, services and tasks, module level", True, True),
        ("models, services and tasks, all imports", False, True),
    ):
        graph = domain_graph(args.src, top_level_only=top, core=core)
        pairs, groups = mutual_pairs(graph), strongly_connected(graph)
        print(
            f"{label}: {len(pairs)} pairs of domains import each other; "
            f"{len(groups)} circular groups ({', '.join(str(len(g)) for g in groups) or 'none'} domains); "
            f"{elementary_cycles(graph)} elementary cycles"
        )
        if args.list:
            for a, b in pairs:
                print(f"  {a} <-> {b}")
            for group in groups:
                print(f"  group: {' '.join(group)}")


if __name__ == "__main__":
    main()
