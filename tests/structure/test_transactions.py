"""Who commits (docs/architecture.md): services flush; the request, the task and the CLI command commit;
a few named runners commit after each durable step. A `commit()` anywhere else fails here, so a service
cannot quietly end its caller's transaction."""

from __future__ import annotations

import ast
from pathlib import Path

from tending.discovery import PACKAGE_DIR

# Boundaries: modules whose functions own the transaction they run in.
BOUNDARY_FILES = {"commands.py", "tasks.py", "views.py", "pages.py", "deps.py"}
BOUNDARY_MODULES = {"database/core.py", "database/migrations/env.py"}
# Runners: each step must be durable on its own so a crash resumes exactly where it stopped.
RUNNERS = {
    # a token the network rotated is stored at once: the old one no longer works anywhere
    "channel/renewal.py": {"credentials_sink.save"},
    "demo/service.py": {"build_demo"},  # each seeded step before the next polls the demo network
    "demo/listening_world.py": {"listen_in_demo"},  # the query exists before its search runs
    "ingest/fileimport.py": {"import_file", "import_file.flush"},  # each batch with its file position
    # each page with its cursor; the pause (error, reconnect needed) survives the error being raised
    "ingest/poll.py": {"poll_channel", "_mark_error", "_reconnect_needed"},
    # each page of results with its cursor; quota spent on a failed call stays counted
    "listening/service.py": {"run_query", "_run_network"},
    # "sending" before the network is called and "published" after, so a post is never sent twice
    "publishing/service.py": {
        "claim",
        "record_published",
        "_retry_later",
        "_fail",
        "_needs_check",
        "sweep_stale_claims",
    },
    "webhooks/service.py": {"deliver_meta"},  # each channel's notifications stored before the next
}


def _commits(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted name of the enclosing function) of each `x.commit()` call."""
    found: list[tuple[int, str]] = []

    def walk(node: ast.AST, scope: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                walk(child, [*scope, child.name])
                continue
            call = child
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "commit"
            ):
                found.append((call.lineno, ".".join(scope)))
            walk(child, scope)

    walk(tree, [])
    return found


def _stray_commits(package: Path) -> list[str]:
    stray = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if path.name in BOUNDARY_FILES or relative in BOUNDARY_MODULES:
            continue
        allowed = RUNNERS.get(relative, set())
        for line, scope in _commits(ast.parse(path.read_text(encoding="utf-8"))):
            if scope not in allowed:
                stray.append(f"{relative}:{line} in {scope or 'module'}")
    return stray


def test_only_boundaries_and_named_runners_commit() -> None:
    assert _stray_commits(PACKAGE_DIR) == []


def test_the_check_finds_a_commit_in_a_service(tmp_path: Path) -> None:
    (tmp_path / "billing").mkdir()
    (tmp_path / "billing" / "service.py").write_text(
        "def charge(session):\n    session.add(1)\n    session.commit()\n", encoding="utf-8"
    )
    (tmp_path / "billing" / "views.py").write_text("def route(db):\n    db.commit()\n", encoding="utf-8")
    assert _stray_commits(tmp_path) == ["billing/service.py:3 in charge"]


def test_every_named_runner_still_exists() -> None:
    """A renamed runner must leave the list, or the list would let a new function of its name commit."""
    for relative, names in RUNNERS.items():
        scopes = {scope for _line, scope in _commits(ast.parse((PACKAGE_DIR / relative).read_text("utf-8")))}
        assert names <= scopes, relative
