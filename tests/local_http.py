"""A tiny HTTP server on a loopback address for outbound-request tests: it serves a feed, redirects where
told, accepts webhook POSTs, and records every request it got (so a test can prove nothing arrived)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Internal</title><link>http://internal/</link>
<item><title>secret post</title><guid>internal-1</guid><link>http://internal/1</link>
<description>only for the intranet</description><pubDate>Mon, 02 Mar 2026 09:00:00 GMT</pubDate></item>
</channel></rss>"""


@dataclass
class LocalServer:
    host: str
    port: int
    paths: list[str] = field(default_factory=list)

    def url(self, path: str = "/feed", *, host: str | None = None) -> str:
        name = host or (f"[{self.host}]" if ":" in self.host else self.host)
        return f"http://{name}:{self.port}{path}"


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on (bound then released)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(host: str = "127.0.0.1", port: int = 0) -> Iterator[LocalServer]:
    record: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            record.append(f"{self.command} {self.path}")
            parts = urlsplit(self.path)
            if parts.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", parse_qs(parts.query)["to"][0])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = FEED if self.command == "GET" else b"{}"
            self.send_response(200)
            self.send_header(
                "Content-Type", "application/rss+xml" if self.command == "GET" else "application/json"
            )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer()

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = Server((host, port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalServer(host=host, port=int(server.server_address[1]), paths=record)
    finally:
        server.shutdown()
        server.server_close()
