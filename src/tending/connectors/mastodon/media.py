"""Images uploaded to the instance and attached to a status (`POST /api/v2/media`, then `media_ids`).

An instance attaches at most 4 files to a status, and processes larger files after answering (`202` with
`url: null`); a status naming an unprocessed file is refused, so each upload is asked about again
(`GET /api/v1/media/:id`) until it has a URL. Nothing is posted while an image is not ready: the post is
retried later.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from mastodon import Mastodon
from mastodon.errors import MastodonVersionError

from tending.connectors import http as outbound
from tending.connectors.bases import RateLimited, UpstreamError
from tending.connectors.mastodon.client import NETWORK, call
from tending.connectors.media import Media, fetch_media

MAX_ATTACHMENTS = 4
MAX_IMAGE_BYTES = 16 * 1024 * 1024  # Mastodon's default image_size_limit
READY_CHECKS = 10
READY_WAIT_S = 1.0


def _know_version(api: Mastodon) -> None:
    """Mastodon.py picks the media endpoint by the instance's version, and when it cannot read the version
    it asks again endlessly (a RecursionError): read it once here, failing as a connector error."""
    try:
        call(api, partial(api.retrieve_mastodon_version, fail_hard=True), what="instance version")
    except MastodonVersionError:
        raise UpstreamError(
            "instance version: the instance did not say its version", network=NETWORK
        ) from None


def _post(api: Mastodon, media: Media, name: str) -> Any:
    return api.media_post(io.BytesIO(media.data), mime_type=media.mime_type, file_name=name)


def upload_media(
    api: Mastodon,
    urls: list[str],
    *,
    policy: outbound.OutboundPolicy,
    sleep: Callable[[float], Any] = time.sleep,
) -> list[str]:
    """The ids of the uploaded attachments, each processed and ready to attach."""
    ids: list[str] = []
    if urls:
        _know_version(api)
    for url in urls[:MAX_ATTACHMENTS]:
        media = fetch_media(url, policy=policy, max_bytes=MAX_IMAGE_BYTES, network=NETWORK)
        name = url.rsplit("/", 1)[-1].split("?", 1)[0] or "image"
        attachment = call(api, partial(_post, api, media, name), what="upload media")
        for _ in range(READY_CHECKS):
            if attachment.get("url"):
                break
            sleep(READY_WAIT_S)
            attachment = call(api, partial(api.media, attachment["id"]), what="media status")
        else:
            raise RateLimited(
                "the instance is still processing an image; the post is retried in a minute",
                retry_after=60.0,
                network=NETWORK,
            )
        ids.append(str(attachment["id"]))
    return ids
