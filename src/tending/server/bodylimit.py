"""A request body over the upload limit is refused while it streams, before it is stored anywhere.

Uploads are parsed (and spooled to disk) before any route or dependency runs, so a check in the route
comes after the whole body was taken in. This middleware refuses a declared `Content-Length` over the
limit at once, and counts the bytes of a body sent without one, answering 413 as soon as it passes.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Room for the multipart envelope (boundaries, part headers, small form fields) around the file itself.
ENVELOPE_BYTES = 64 * 1024
TOO_LARGE = "request body larger than allowed (setting max_upload_bytes)"


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.limit = max_bytes + ENVELOPE_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await JSONResponse({"detail": TOO_LARGE}, status_code=413)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # Raised inside the body parser: FastAPI passes HTTPException through as the answer.
                    raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
