"""Weak checks made strict: the upload limit holds while the body streams (before it is spooled
anywhere), and an e-mail alert destination is one plain address (no list, display name or line break
that would add headers to the alert mail)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from tests.conftest import login

from tending.app import create_app
from tending.config import Settings

CHUNK = 64 * 1024
BOUNDARY = b"limit-test"


def _post_streamed(app: Any, path: str, *, chunks: int, declared: int | None = None) -> tuple[int, int]:
    """POST a multipart body of `chunks` 64 KiB pieces straight to the ASGI app; returns the status and
    how many pieces the app took in before answering."""
    head = (
        b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\n'
        b"Content-Type: application/x-ndjson\r\n\r\n"
    )
    pieces = [head] + [b"x" * CHUNK] * chunks + [b"\r\n--" + BOUNDARY + b"--\r\n"]
    taken = 0
    status: list[int] = []
    headers = [(b"content-type", b"multipart/form-data; boundary=" + BOUNDARY), (b"host", b"testserver")]
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))

    async def receive() -> dict[str, Any]:
        nonlocal taken
        if taken < len(pieces):
            taken += 1
            return {"type": "http.request", "body": pieces[taken - 1], "more_body": taken < len(pieces)}
        await asyncio.sleep(0)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    _run_apart(app(scope, receive, send))
    return status[0], taken


def _run_apart(coroutine: Any) -> None:
    """Run on a thread of its own: a browser test's event loop may still be running on this one."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # handed to the test's thread
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def test_an_oversized_upload_is_refused_while_it_streams(settings: Settings, engine: Any, world: Any) -> None:
    app = create_app(settings.model_copy(update={"max_upload_bytes": 100_000}))
    path = f"/api/v1/workspaces/{world.workspace.id}/channels/{world.channel.id}/import"
    status, taken = _post_streamed(app, path, chunks=200)  # 12.5 MiB, no Content-Length
    assert status == 413
    assert taken <= 5, f"the app read {taken} of 202 pieces before refusing"
    status, taken = _post_streamed(app, path, chunks=200, declared=200 * CHUNK)
    assert (status, taken) == (413, 0)
    status, taken = _post_streamed(app, path, chunks=1)  # within the limit: read in full, reaches the route
    assert status != 413 and taken == 3


REFUSED = [
    "a@b",
    "team@example.com\r\nBcc: everyone@evil.example",
    "team@example.com, boss@evil.example",
    "Team <team@example.com>",
    "team@@example.com",
    "team example@example.com",
    "https://team@example.com",
    "x" * 250 + "@example.com",
]


def test_email_alert_targets_must_be_one_plain_address(client: Any, world: Any) -> None:
    login(client, world.admin.email)
    base = f"/api/v1/workspaces/{world.workspace.id}/alert-destinations"
    for target in REFUSED:
        r = client.post(base, json={"kind": "email", "target": target})
        assert r.status_code == 422, (target, r.text)
    for target in ("ops@acme.test", "first.last+alerts@mail.example.co.uk", "o'brien@xn--bcher-kva.example"):
        assert client.post(base, json={"kind": "email", "target": target}).status_code == 201, target
