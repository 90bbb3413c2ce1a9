"""What runs inside a worker process to turn one article page into text.

Kept apart from `extract.py` (the async side) so the worker imports only what
it needs. The page is decoded here, control characters are removed (one ESC in
a page makes trafilatura drop all of it), and trafilatura extracts the main
text and the page's metadata.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

import trafilatura

from briefing.sanitize import strip_controls

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)


def _codec(name: str | bytes | None) -> str | None:
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str = "") -> str:
    """Bytes to text: the HTTP charset, else a <meta> charset, else UTF-8, else cp1252."""
    match = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:4096])
    for candidate in (match.group(1) if match else None, meta.group(1) if meta else None):
        codec = _codec(candidate)
        if codec:
            return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def extract_page(body: bytes, url: str, content_type: str = "") -> dict[str, str]:
    """Main text and metadata of one page; empty text when nothing article-like was found."""
    html = strip_controls(decode_html(body, content_type))
    raw = trafilatura.extract(
        html,
        url=url,
        output_format="json",
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
    )
    data: dict[str, Any] = json.loads(raw) if raw else {}
    return {
        "text": str(data.get("text") or ""),
        "author": str(data.get("author") or ""),
        "date": str(data.get("date") or ""),
        "sitename": str(data.get("sitename") or data.get("source-hostname") or ""),
        "language": str(data.get("language") or ""),
    }
