"""Shared helpers for the Graph API connector tests: a respx router behind an injected httpx client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import respx

from tending.config import Settings

GRAPH = f"https://graph.facebook.com/{Settings().graph_api_version}"
FIXTURES = Path(__file__).parent / "fixtures"


def load(network: str, name: str) -> Any:
    return json.loads((FIXTURES / network / name).read_text())


def router() -> respx.Router:
    return respx.Router(base_url=GRAPH, assert_all_called=True)


def client_for(mock: respx.Router) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(mock.handler))


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def query(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params)
