"""What runs inside a worker process to turn one article page into text.

Kept apart from `extract.py` (the async side) so the worker imports only what
it needs. The page is decoded here, control characters are removed (one ESC in
a page makes trafilatura drop all of it), and trafilatura extracts the main
text and the page's metadata.
"""

from __future__ import annotations

import codecs
import re

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
    """Main text and metadata of one page; empty text when nothing article-like was found.

    `bare_extraction` hands back the document itself: `extract` with JSON
    output would also compute a content fingerprint and serialize it all,
    which briefing never reads (a fifth of the extraction time).
    """
    html = strip_controls(decode_html(body, content_type))
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
    )
    if document is None or isinstance(document, dict):
        return {"text": "", "author": "", "date": "", "sitename": "", "language": ""}
    return {
        "text": str(document.text or ""),
        "author": str(document.author or ""),
        "date": str(document.date or ""),
        "sitename": str(document.sitename or document.hostname or ""),
        "language": str(document.language or ""),
    }
