"""Every HTTP route of the app, flattened: included routers are walked down to their endpoints."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Endpoint:
    path: str
    method: str
    in_schema: bool

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/v1/")


def _walk(routes: Iterable[Any]) -> Iterator[Endpoint]:
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if callable(contexts):
            yield from _walk(contexts())
            continue
        nested = getattr(route, "routes", None)
        if nested is not None and not getattr(route, "methods", None):
            prefix = getattr(route, "path", "")
            if prefix == "/static":
                yield Endpoint("/static", "GET", False)
                continue
            for ep in _walk(nested):
                yield Endpoint(prefix + ep.path, ep.method, ep.in_schema)
            continue
        for method in sorted(getattr(route, "methods", None) or []):
            if method == "HEAD":
                continue
            yield Endpoint(route.path, method, bool(getattr(route, "include_in_schema", True)))


def all_endpoints(app: Any) -> list[Endpoint]:
    return sorted(set(_walk(app.routes)), key=lambda e: (e.path, e.method))


def route_objects(routes: Iterable[Any]) -> Iterator[Any]:
    """Every endpoint route object (with `path`, `methods`, `dependant`), included routers walked."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if callable(contexts):
            yield from route_objects(contexts())
        elif getattr(route, "dependant", None) is not None:
            yield route
