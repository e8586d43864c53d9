"""What a file is, judged from its first bytes: a client's Content-Type is only a claim."""

from __future__ import annotations

import re
import unicodedata

import filetype

SNIFF_BYTES = 8192
TEXT = "text/plain"
BINARY = "application/octet-stream"


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return True
    if b"\x00" in head:
        return False
    # The sample may end inside a multi-byte character: drop up to 3 trailing bytes and retry.
    for cut in range(4):
        try:
            (head[: len(head) - cut] if cut else head).decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    try:
        decoded = head.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover (latin-1 decodes every byte)
        return False
    controls = sum(1 for ch in decoded if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls == 0


def content_type_of(head: bytes) -> str:
    """A MIME type from magic numbers; plain text when it reads as text; otherwise octet-stream."""
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    return TEXT if _looks_like_text(head) else BINARY


_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"\\/]")


def clean_filename(raw: str | None) -> str:
    """The name to show and offer for download: no path, no control characters, at most 255."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub("_", name).strip(" .")
    return name[:255] or "file"
