"""Images on LinkedIn posts through the Images API: each image is registered
(`POST /rest/images?action=initializeUpload` with the organisation as owner), its bytes are PUT to the
upload URL LinkedIn returns, and the post names the image URNs (`content.media` for one image,
`content.multiImage` for 2 to 20)."""

from __future__ import annotations

from typing import Any

from tending.connectors import http as outbound
from tending.connectors.bases import MalformedResponse
from tending.connectors.linkedin.client import NETWORK, LinkedInClient
from tending.connectors.media import fetch_media

MAX_IMAGES = 20
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # a cap of tending's, well above an image made for the web


def upload_images(
    api: LinkedInClient, urls: list[str], *, owner: str, policy: outbound.OutboundPolicy
) -> list[str]:
    """The image URNs, in order, once every image's bytes are uploaded."""
    urns: list[str] = []
    for url in urls[:MAX_IMAGES]:
        media = fetch_media(url, policy=policy, max_bytes=MAX_IMAGE_BYTES, network=NETWORK)
        answer = api.post(
            "images?action=initializeUpload",
            body={"initializeUploadRequest": {"owner": owner}},
            what="register image",
        )
        value = answer.body.get("value")
        if not isinstance(value, dict) or not value.get("uploadUrl") or not value.get("image"):
            raise MalformedResponse("register image: no uploadUrl or image URN", network=NETWORK)
        api.upload(str(value["uploadUrl"]), data=media.data, what="upload image")
        urns.append(str(value["image"]))
    return urns


def media_content(urns: list[str]) -> dict[str, Any] | None:
    """The post's `content`: one image, several, or none."""
    if not urns:
        return None
    if len(urns) == 1:
        return {"media": {"id": urns[0], "altText": ""}}
    return {"multiImage": {"images": [{"id": urn, "altText": ""} for urn in urns]}}
