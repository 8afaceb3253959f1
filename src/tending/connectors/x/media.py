"""Images on X posts through the v2 media upload (`POST /2/media/upload`, multipart `media` with
`media_category=tweet_image`), then `media.media_ids` on the post.

tweepy's Client has no v2 upload, so the request goes through the client's own session with the same
credentials tweepy signs with (OAuth 1.0a user context, or the OAuth 2.0 user token), and its answer is
read with tweepy's error classes so that the errors map as every other X call's do.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import tweepy

from tending.connectors import http as outbound
from tending.connectors.bases import MalformedResponse
from tending.connectors.media import Media, fetch_media
from tending.connectors.x.client import NETWORK, call

UPLOAD_URL = "https://api.x.com/2/media/upload"
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # X's limit for images
_ERRORS: dict[int, type[tweepy.HTTPException]] = {
    400: tweepy.BadRequest,
    401: tweepy.Unauthorized,
    403: tweepy.Forbidden,
    404: tweepy.NotFound,
}


def _upload_one(client: tweepy.Client, media: Media, *, user_auth: bool) -> dict[str, Any]:
    headers = {"User-Agent": client.user_agent}
    auth = None
    if user_auth:
        auth = tweepy.OAuth1UserHandler(
            client.consumer_key, client.consumer_secret, client.access_token, client.access_token_secret
        ).apply_auth()
    else:
        headers["Authorization"] = f"Bearer {client.bearer_token}"
    name = media.url.rsplit("/", 1)[-1].split("?", 1)[0] or "image"
    with client.session.post(
        UPLOAD_URL,
        headers=headers,
        auth=auth,
        data={"media_category": "tweet_image", "media_type": media.mime_type},
        files={"media": (name, media.data, media.mime_type)},
    ) as response:
        status = response.status_code
        if status == 429:
            raise tweepy.TooManyRequests(response)
        if status >= 500:
            raise tweepy.TwitterServerError(response)
        if status in _ERRORS:
            raise _ERRORS[status](response)
        if not 200 <= status < 300:
            raise tweepy.HTTPException(response)
        answer: dict[str, Any] = response.json()
        return answer


def upload_images(
    client: tweepy.Client, urls: list[str], *, user_auth: bool, policy: outbound.OutboundPolicy
) -> list[str]:
    """The media ids of up to 4 uploaded images, in order."""
    ids: list[str] = []
    for url in urls[:MAX_IMAGES]:
        media = fetch_media(url, policy=policy, max_bytes=MAX_IMAGE_BYTES, network=NETWORK)
        answer = call(partial(_upload_one, client, media, user_auth=user_auth), what="upload media")
        data = answer.get("data")
        if not isinstance(data, dict) or not data.get("id"):
            raise MalformedResponse("upload media: no media id in the answer", network=NETWORK)
        ids.append(str(data["id"]))
    return ids
