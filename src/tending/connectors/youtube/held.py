"""Comments YouTube withholds from the public until the channel owner decides: `heldForReview` (the
channel's moderation settings held them) and `likelySpam` (YouTube's spam filter).

They are listed with `commentThreads.list(moderationStatus=…)`, which only the owner's authorised
requests may use, and decided with `comments.setModerationStatus` (`published` or `rejected`). The
lists are short (they hold only undecided comments), so each poll reads up to `max_pages` pages of each
and leaves duplicates to ingestion.
"""

from __future__ import annotations

from typing import Any

from tending.connectors.bases import MalformedResponse, ReviewDecision
from tending.connectors.youtube.client import NETWORK, call

# YouTube's moderation status → tending's `NetworkReview` value.
HELD_STATUSES = {"heldForReview": "held_for_review", "likelySpam": "likely_spam"}
_DECISION = {ReviewDecision.approve: "published", ReviewDecision.reject: "rejected"}


def read_held(
    service: Any, *, channel_id: str, page_size: int, max_pages: int
) -> list[tuple[dict[str, Any], str, str]]:
    """(top-level comment, video id, review) of every withheld thread, oldest pages last."""
    found: list[tuple[dict[str, Any], str, str]] = []
    for status, review in HELD_STATUSES.items():
        token: str | None = None
        for _ in range(max_pages):
            page = call(
                service.commentThreads()
                .list(
                    part="snippet",
                    allThreadsRelatedToChannelId=channel_id,
                    moderationStatus=status,
                    maxResults=page_size,
                    textFormat="plainText",
                    pageToken=token,
                )
                .execute,
                what=f"{status} comments",
            )
            threads = page.get("items")
            if not isinstance(threads, list):
                raise MalformedResponse(f"{status} comments: no `items` list", network=NETWORK)
            for thread in threads:
                snippet = thread.get("snippet") if isinstance(thread, dict) else None
                top = snippet.get("topLevelComment") if isinstance(snippet, dict) else None
                if not isinstance(snippet, dict) or not isinstance(top, dict) or not top.get("id"):
                    raise MalformedResponse(f"{status} comments: a thread has no comment", network=NETWORK)
                video = str(snippet.get("videoId") or (top.get("snippet") or {}).get("videoId") or "")
                found.append((top, video, review))
            token = page.get("nextPageToken")
            if not token:
                break
    return found


def set_moderation_status(service: Any, *, comment_id: str, decision: ReviewDecision) -> None:
    """Publish or reject one withheld comment (YouTube answers 204 with no body)."""
    request = service.comments().setModerationStatus(id=comment_id, moderationStatus=_DECISION[decision])
    call(lambda: request.execute() or {}, what="moderation decision")  # 204: an empty body
