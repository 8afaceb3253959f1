"""What Bluesky needs beside a post's text: facets, languages and images.

Bluesky shows a link, a mention or a hashtag as such only when the record carries a facet for it: a
`byteStart`/`byteEnd` range over the text's UTF-8 bytes (not characters) and a feature (`#link` with the
URI, `#mention` with the person's DID, `#tag` without the `#`). A mention whose handle does not resolve
stays plain text. `langs` is the post's language as detected from its text (the SDK would otherwise
write English). Images are uploaded as blobs (`com.atproto.repo.uploadBlob`, at most 4 per post and
about 1 MB each) and embedded with `app.bsky.embed.images`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from atproto import models

_URL = re.compile(r"https?://[^\s<>\"]+")
# A handle is a domain name: labels of letters, digits and hyphens, at least two of them.
_MENTION = re.compile(
    r"(?<![\w@/.])@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)"
)
_TAG = re.compile(r"(?<![\w#&/])[#＃](\w+)")
_TRAILING = ".,;:!?)]}'\""
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # character offsets in the text
    end: int
    kind: str  # link | mention | tag
    value: str


def spans(text: str) -> list[Span]:
    """Links, @handles and #tags found in the text, in order, never overlapping a link."""
    found: list[Span] = []
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(_TRAILING)
        found.append(Span(m.start(), m.start() + len(url), "link", url))
    taken = [(s.start, s.end) for s in found]

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for m in _MENTION.finditer(text):
        handle = m.group(1).rstrip(_TRAILING)
        end = m.start() + 1 + len(handle)
        if free(m.start(), end):
            found.append(Span(m.start(), end, "mention", handle.lower()))
    for m in _TAG.finditer(text):
        tag = m.group(1).rstrip(_TRAILING)
        end = m.start() + 1 + len(tag)
        if tag and not tag.isdigit() and len(tag) <= 64 and free(m.start(), end):
            found.append(Span(m.start(), end, "tag", tag))
    return sorted(found, key=lambda s: s.start)


def facets(text: str, resolve_handle: Callable[[str], str | None]) -> list[models.AppBskyRichtextFacet.Main]:
    """The record's facets, with byte offsets; mentions resolved to DIDs (unresolved ones are dropped)."""
    out: list[models.AppBskyRichtextFacet.Main] = []
    for span in spans(text):
        feature: (
            models.AppBskyRichtextFacet.Link
            | models.AppBskyRichtextFacet.Mention
            | models.AppBskyRichtextFacet.Tag
        )
        if span.kind == "link":
            feature = models.AppBskyRichtextFacet.Link(uri=span.value)
        elif span.kind == "mention":
            did = resolve_handle(span.value)
            if not did:
                continue
            feature = models.AppBskyRichtextFacet.Mention(did=did)
        else:
            feature = models.AppBskyRichtextFacet.Tag(tag=span.value)
        index = models.AppBskyRichtextFacet.ByteSlice(
            byte_start=len(text[: span.start].encode()), byte_end=len(text[: span.end].encode())
        )
        out.append(models.AppBskyRichtextFacet.Main(index=index, features=[feature]))
    return out


def languages(text: str, configured: str | None) -> list[str] | None:
    """The channel's configured language, else the one detected in the text (None: undetermined, and
    the record then says nothing rather than a wrong language)."""
    if configured:
        return [configured]
    from tending.triage.language import detect

    found = detect(text)
    return None if found == "und" else [found]


def image_embed(blobs: list[tuple[models.BlobRef, str]]) -> models.AppBskyEmbedImages.Main | None:
    """`app.bsky.embed.images` for uploaded blobs with their alt text."""
    if not blobs:
        return None
    return models.AppBskyEmbedImages.Main(
        images=[models.AppBskyEmbedImages.Image(image=blob, alt=alt) for blob, alt in blobs]
    )
