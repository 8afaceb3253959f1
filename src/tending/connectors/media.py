"""Reading a post's images from their URLs so a network that wants the bytes (Bluesky, Mastodon, X,
LinkedIn) can have them uploaded.

The URLs are written by members, so the request goes through the outbound guard like every connector
call (no private, loopback or metadata address unless allowed), and the body is capped: a file over the
network's limit is refused with its size before anything is posted.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tending.connectors import http as outbound
from tending.connectors.bases import ConnectorError, UpstreamError


@dataclass(frozen=True, slots=True)
class Media:
    url: str
    data: bytes
    mime_type: str


def fetch_media(
    url: str,
    *,
    policy: outbound.OutboundPolicy,
    max_bytes: int,
    network: str,
    http: httpx.Client | None = None,
) -> Media:
    """The image at `url`; ConnectorError when it cannot be read, is not an image or is too large."""
    problem = outbound.url_problem(url, policy)
    if problem:
        raise ConnectorError(f"media {url[:120]}: {problem}", network=network)
    owned = http is None
    client = http or outbound.client(policy, timeout=30.0, follow_redirects=True)
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                retry = UpstreamError if response.status_code >= 500 else ConnectorError
                raise retry(f"media {url[:120]}: HTTP {response.status_code}", network=network)
            mime = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if not mime.startswith(("image/", "video/")):
                raise ConnectorError(
                    f"media {url[:120]}: not an image ({mime or 'no type'})", network=network
                )
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    raise ConnectorError(
                        f"media {url[:120]}: larger than the {max_bytes:,} bytes {network} accepts",
                        network=network,
                    )
    except httpx.HTTPError as exc:
        raise UpstreamError(f"media {url[:120]}: {type(exc).__name__}", network=network) from None
    finally:
        if owned:
            client.close()
    return Media(url=url, data=bytes(data), mime_type=mime)
