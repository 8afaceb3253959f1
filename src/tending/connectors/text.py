"""Plain text out of the HTML that feeds and ActivityPub servers send, keeping paragraph breaks (shared
by the connectors that read HTML: a connector never imports another connector's modules)."""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Text a person would read: tags dropped, entities decoded, runs of blank lines folded."""
    if "<" not in markup:
        return html.unescape(markup).strip()
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    lines = [" ".join(line.split()) for line in "".join(collector.parts).splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


_URL = re.compile(r"https?://\S+", re.IGNORECASE)


def post_fingerprint(text: str) -> str:
    """What stays of a post's text whatever the network did to it: links dropped (X shortens them,
    Mastodon wraps them in markup), Unicode normalised, whitespace folded, case ignored. Two posts with
    the same fingerprint are taken for the same post when looking for one whose outcome is unknown."""
    plain = html_to_text(text) if "<" in text and ">" in text else text
    plain = _URL.sub(" ", unicodedata.normalize("NFKC", plain))
    return " ".join(plain.split()).casefold()


def same_post(ours: str, theirs: str) -> bool:
    """True when a post read back from the network is the text we sent (see `post_fingerprint`)."""
    return post_fingerprint(ours) == post_fingerprint(theirs)
