"""What runs inside a worker process to turn one article page into text.

Kept apart from `extract.py` (the async side) so the worker imports only what
it needs. The page is decoded here, control characters are removed (one ESC in
a page makes trafilatura drop all of it), and trafilatura extracts the main
text and the little metadata briefing reads: author, site name, and the date
only for an article whose feed gave none.

Measured with `benchmarks/bench_extract.py`, most of an extraction used to be
metadata briefing never read (title, categories, tags, licence, a domain
lookup, a date search for articles the feed had dated) and the fallback
extractors, which change nothing on the demo pages or the labeled corpus's
cluttered pages: trafilatura runs with `fast=True` (no fallback) and
`favor_precision=True`, and the metadata comes from its own meta-tag, JSON-LD
and byline readers, called here one by one. Lines of page furniture that
trafilatura keeps ("Read more: <another headline>") are dropped here, so that
neither search nor grouping finds the page by another article's words.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from datetime import date
from urllib.parse import urlsplit

import trafilatura
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import examine_meta, extract_author, extract_meta_json, extract_sitename

from briefing.boilerplate import without_page_clutter
from briefing.sanitize import strip_controls

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
_NOTHING = {"text": "", "author": "", "date": "", "sitename": ""}


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


def extract_page(
    body: bytes, url: str, content_type: str = "", want_date: bool = True
) -> dict[str, str]:
    """Main text and metadata of one page; empty text when nothing article-like was found.

    `want_date`: look for the page's publication date (the caller asks only
    when the feed gave the article none).
    """
    tree = trafilatura.load_html(strip_controls(decode_html(body, content_type)))
    if tree is None:
        return dict(_NOTHING)
    author, sitename = byline(tree)
    found = page_date(tree, url) if want_date else ""
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=True,
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
    )
    if document is None or isinstance(document, dict):
        return dict(_NOTHING)
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return {
        "text": without_page_clutter(str(document.text or "")),
        "author": author,
        "date": found,
        "sitename": sitename or host,
    }


def byline(tree: HtmlElement) -> tuple[str, str]:
    """Author and site name, by the rules of trafilatura's `extract_metadata`.

    The same readers in the same order (meta tags and OpenGraph, then JSON-LD,
    then the page's byline), without the rest of that function's work.
    """
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # trafilatura's rule: one word is a handle, not a byline
    # trafilatura guards its JSON-LD reader the same way: a broken script costs the metadata only
    with contextlib.suppress(Exception):
        meta = extract_meta_json(tree, meta)
    if not meta.author:
        meta.author = extract_author(tree)
    sitename = (meta.sitename or extract_sitename(tree) or "").lstrip("@")
    if sitename and "." not in sitename and not sitename[0].isupper():
        sitename = sitename.title()
    meta.sitename = sitename
    meta.clean_and_trim()
    return str(meta.author or ""), str(meta.sitename or "")


def page_date(tree: HtmlElement, url: str) -> str:
    """The page's publication date as `YYYY-MM-DD` (htmldate, as trafilatura calls it), or ""."""
    found = find_date(
        tree,
        url=url,
        original_date=True,
        extensive_search=True,
        max_date=date.today().isoformat(),
    )
    return str(found or "")
