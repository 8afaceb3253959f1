"""Text normalisation shared by training and inference, so both see messages the same way."""

from __future__ import annotations

import re

_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def normalise(text: str) -> str:
    """Mentions become @user and links become http (as in TweetEval); escaped unicode is decoded."""
    if "\\u" in text:
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = _URL.sub("http", text)
    return _MENTION.sub("@user", text)
