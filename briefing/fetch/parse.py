"""Feed bytes in, normalized articles out: RSS 2.0, RSS 1.0, Atom (feedparser), JSON Feed.

feedparser only ever sees bytes we fetched (never a URL, so it cannot fetch
anything itself), after two defences it lacks:

- a feed declaring XML entities is refused and DOCTYPE declarations are
  removed: feedparser's loose parser expands "simple" entities, so
  50 KB of nested entities would become hundreds of megabytes;
- character references to lone surrogates (`&#xD800;`) become U+FFFD, because
  feedparser crashes on them with a UnicodeEncodeError.

Anything else feedparser throws is caught and becomes a per-feed `ParseError`.
The time limit is applied by the caller, which runs `parse_feed` in a worker
process (see `briefing.fetch.workers`).

Every entry becomes a `models.Article` with plain-text title and summary
(HTML removed, entities decoded, then `sanitize.clean_text`), a canonical URL
resolved against the feed URL, a stable guid, UTC dates clamped to now.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from briefing.errors import BriefingError
from briefing.models import Article, utcnow
from briefing.sanitize import LIMITS, Cleaned, clean_text, safe_url, strip_controls
from briefing.urls import canonical_url

# Entries dated before this are implausible (web feeds began in the late 1990s).
OLDEST_DATE = datetime(1995, 1, 1, tzinfo=UTC)


class ParseError(BriefingError):
    """The body is not a feed we can read; the message says why."""


@dataclass(slots=True)
class ParsedFeed:
    """One parsed feed. `provisional` holds the guids whose `published` is a stand-in.

    A stand-in date is "now" for an entry without any date, or "now" for an
    entry dated in the future or before `OLDEST_DATE`; the pipeline keeps the
    first stand-in it stored so that re-fetching does not move the article in time.
    """

    title: str
    site_url: str
    language: str
    format: str
    articles: list[Article] = field(default_factory=list)
    provisional: set[str] = field(default_factory=set)
    # (guid, link) and (guid, title) pairs seen: an entry repeating either is a
    # copy; one that shares only the guid is another item (a reused GUID).
    seen: set[tuple[str, str, str]] = field(default_factory=set, repr=False)


# -- hostile XML -----------------------------------------------------------------

_DOCTYPE = re.compile(rb"<!DOCTYPE\b(?:[^\[>]*)(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_CHAR_REF = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
_XML_ENCODING = re.compile(rb"""^(<\?xml[^>]*?encoding\s*=\s*["'])([^"']+)(["'])""")


def defuse_xml(body: bytes) -> bytes:
    """Remove DOCTYPEs, refuse entity declarations, neutralize surrogate references."""
    body = _to_utf8_if_wide(body)
    if _ENTITY.search(body):
        # Refused rather than stripped: stripping leaves `&name;` litter in titles,
        # and no honest feed needs its own entities.
        raise ParseError("the feed declares XML entities (refused: entity expansion risk)")
    body = _DOCTYPE.sub(b"", body)
    return _CHAR_REF.sub(_no_surrogate, body)


_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_UTF8_NAMES = {"utf-8", "utf8"}


def _cp1252_byte(error: UnicodeError) -> tuple[str, int]:
    """Decode error handler: the first bad byte as windows-1252 (U+FFFD where undefined)."""
    assert isinstance(error, UnicodeDecodeError)
    byte = error.object[error.start : error.start + 1]
    return byte.decode("cp1252", errors="replace"), error.start + 1


codecs.register_error("briefing-cp1252", _cp1252_byte)


def repair_utf8(body: bytes, content_type: str = "") -> bytes:
    """A UTF-8 feed with a few bad bytes, with only those bytes repaired.

    Given invalid UTF-8, feedparser decodes the whole document as
    windows-1252, so one stray byte turns every "Café 日本" into mojibake.
    Here the valid UTF-8 stays as it is and each bad byte is read as
    windows-1252 (a stray 0x93 is a curly quote pasted from a word
    processor), or U+FFFD where that has no character. A feed that declares
    another encoding is left to feedparser.
    """
    try:
        body.decode("utf-8")
        return body
    except UnicodeDecodeError:
        pass
    declared = _XML_ENCODING.match(body[:200])
    xml_encoding = declared.group(2).decode("ascii", "replace").lower() if declared else ""
    header = _CHARSET.search(content_type)
    header_encoding = header.group(1).lower() if header else ""
    if {xml_encoding, header_encoding} - {"", *_UTF8_NAMES}:
        return body
    return body.decode("utf-8", errors="briefing-cp1252").encode("utf-8")


def _no_surrogate(match: re.Match[bytes]) -> bytes:
    raw = match.group(1)
    value = int(raw[1:], 16) if raw[:1] in b"xX" else int(raw)
    # Lone surrogates and code points past Unicode crash feedparser's encoder.
    if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
        return b"&#xFFFD;"
    return match.group(0)


def _to_utf8_if_wide(body: bytes) -> bytes:
    """UTF-16/32 feeds are re-encoded to UTF-8 so the byte-level checks above see them."""
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    codec = next((name for bom, name in boms if body.startswith(bom)), "")
    if not codec:
        head = body[:4]
        if head == b"<\x00?\x00":
            codec = "utf-16-le"
        elif head == b"\x00<\x00?":
            codec = "utf-16-be"
        else:
            return body
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        raise ParseError(f"not valid {codec.upper()}: {exc.reason}") from exc
    data = text.lstrip("\ufeff").encode("utf-8", "surrogatepass")
    return _XML_ENCODING.sub(rb"\1utf-8\3", data, count=1)


# -- HTML to text ----------------------------------------------------------------

_BLOCK = {
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "section",
    "article",
    "table",
    "hr",
}
_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "svg", "head"}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment: tags dropped, entities decoded, blocks on lines."""
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        text = markup
    else:
        collector = _TextCollector()
        try:
            collector.feed(markup)
            collector.close()
        except Exception:  # HTMLParser is lenient; never let a fragment kill its feed
            pass
        text = "".join(collector.parts)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# -- dates, languages, identity ------------------------------------------------------


def _from_struct(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime(*tuple(value)[:6]).replace(tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _from_rfc3339(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(microsecond=0)


def language_code(value: Any) -> str:
    """`en-US`, `en_gb`, `EN` -> `en`; anything unrecognizable -> ``."""
    if not isinstance(value, str):
        return ""
    primary = value.strip().lower().replace("_", "-").split("-")[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else ""


def _http_url(value: Any, base: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > LIMITS["url"]:
        return ""  # a link longer than any real one is dropped, not cut to a wrong one
    try:
        resolved = urljoin(base, strip_controls(value).strip())
        return canonical_url(resolved) if safe_url(resolved) else ""
    except ValueError:  # a port like ":99999" or an unclosed "[": not a usable link
        return ""


def _guid(raw: Any, url: str, title: str, summary: str) -> str:
    guid = strip_controls(raw).strip() if isinstance(raw, str) else ""
    if len(guid) > 1000:
        guid = "sha1:" + hashlib.sha1(guid.encode("utf-8", "replace")).hexdigest()
    if guid:
        return guid
    if url:
        return url
    digest = hashlib.sha1(f"{title}\x00{summary}".encode("utf-8", "replace")).hexdigest()
    return f"sha1:{digest}"


# -- entry point -----------------------------------------------------------------------


def looks_like_json(body: bytes, content_type: str = "") -> bool:
    return "json" in content_type.lower() or body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def parse_feed(
    body: bytes,
    *,
    feed_url: str,
    feed_id: int,
    content_type: str = "",
    outlet: str = "",
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse one feed body. Raises ParseError with a message fit for the feed list."""
    now = now or utcnow()
    if not body.strip():
        raise ParseError("empty response (no feed in the body)")
    if looks_like_json(body, content_type):
        return _parse_json_feed(body, feed_url=feed_url, feed_id=feed_id, outlet=outlet, now=now)
    if _HTML_START.match(body[:4096]):
        raise ParseError("the server sent an HTML page, not a feed (is this the site's address?)")
    return _parse_xml_feed(
        defuse_xml(body),
        feed_url=feed_url,
        feed_id=feed_id,
        content_type=content_type,
        outlet=outlet,
        now=now,
    )


def _parse_xml_feed(
    body: bytes, *, feed_url: str, feed_id: int, content_type: str, outlet: str, now: datetime
) -> ParsedFeed:
    import feedparser  # imported here so `briefing.fetch.parse` stays cheap to import

    # No content-location: given a base URI, feedparser joins it with every
    # element it sees (a sixth of its time). Relative links are resolved here,
    # against the URL the feed came from, and xml:base still works.
    headers: dict[str, str] = {}
    if content_type:
        headers["content-type"] = content_type
    body = repair_utf8(body, content_type)
    try:
        # sanitize_html off: we reduce everything to plain text ourselves, and
        # feedparser's sanitizer is a third of its run time.
        parsed = feedparser.parse(
            body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as exc:  # feedparser has crashed on hostile input before
        raise ParseError(f"the feed parser failed: {type(exc).__name__}: {exc}"[:300]) from exc
    version = parsed.get("version", "")
    entries = parsed.get("entries", [])
    if not version and not entries:
        reason = parsed.get("bozo_exception")
        if _HTML_START.match(body[:4096]) or b"<html" in body[:1024].lower():
            raise ParseError("the server sent an HTML page, not a feed")
        raise ParseError(f"not an RSS or Atom feed{f' ({reason})' if reason else ''}"[:300])
    meta = parsed.get("feed", {})
    feed_title = html_to_text(meta.get("title", ""))
    result = ParsedFeed(
        title=clean_text(feed_title, "outlet", single_line=True).text,
        site_url=_http_url(meta.get("link"), feed_url),
        language=language_code(meta.get("language")),
        format=version or "unknown",
    )
    name = result.title or outlet or (urlsplit(feed_url).hostname or "")
    for entry in entries:
        link = entry.get("link") or next(
            (x.get("href") for x in entry.get("links", []) if x.get("href")), ""
        )
        summary_html = entry.get("summary", "")
        summary_type = (entry.get("summary_detail") or {}).get("type", "")
        if not summary_html and entry.get("content"):
            summary_html = entry["content"][0].get("value", "")
            summary_type = entry["content"][0].get("type", "")
        # feedparser says "text/plain" only for text that is known not to be
        # HTML (Atom type="text"); "a<b" there must not lose "<b".
        if summary_type == "text/plain":
            summary_html = _escape_text(summary_html)
        title_html = entry.get("title", "")
        if (entry.get("title_detail") or {}).get("type", "") == "text/plain":
            title_html = _escape_text(title_html)
        language = ""
        for detail in ("title_detail", "summary_detail"):
            language = language or language_code((entry.get(detail) or {}).get("language"))
        published = _from_struct(entry.get("published_parsed")) or _from_struct(
            entry.get("updated_parsed")
        )
        _add_entry(
            result,
            feed_id=feed_id,
            base=feed_url,
            raw_id=entry.get("id"),
            link=link,
            title_html=title_html,
            summary_html=summary_html,
            author=entry.get("author", ""),
            published=published,
            language=language or result.language,
            outlet=name,
            now=now,
        )
    return result


def _parse_json_feed(
    body: bytes, *, feed_url: str, feed_id: int, outlet: str, now: datetime
) -> ParsedFeed:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ParseError(f"not valid JSON: {exc}"[:300]) from exc
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise ParseError("JSON, but not a JSON Feed (no jsonfeed.org version)")
    items = data.get("items")
    if not isinstance(items, list):
        raise ParseError("JSON Feed without an items list")
    title = html_to_text(str(data.get("title", "")))
    result = ParsedFeed(
        title=clean_text(title, "outlet", single_line=True).text,
        site_url=_http_url(data.get("home_page_url"), feed_url),
        language=language_code(data.get("language")),
        format="json" + str(data["version"]).rsplit("/", 1)[-1],
    )
    name = result.title or outlet or (urlsplit(feed_url).hostname or "")
    for item in items:
        if not isinstance(item, dict):
            continue
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        if not isinstance(authors, list):
            authors = []  # a number or a string where a list belongs: one field, not the feed
        author = ", ".join(
            str(a.get("name", "")) for a in authors if isinstance(a, dict) and a.get("name")
        )
        # JSON Feed: title, summary and content_text are plain text; content_html is HTML.
        summary = _escape_text(item.get("summary"))
        if not summary:
            summary = item.get("content_html") or _escape_text(item.get("content_text"))
        _add_entry(
            result,
            feed_id=feed_id,
            base=feed_url,
            raw_id=None if item.get("id") is None else str(item.get("id")),
            link=item.get("url") or item.get("external_url") or "",
            title_html=_escape_text(item.get("title")),
            summary_html=str(summary or ""),
            author=author,
            published=_from_rfc3339(item.get("date_published"))
            or _from_rfc3339(item.get("date_modified")),
            language=language_code(item.get("language")) or result.language,
            outlet=name,
            now=now,
        )
    return result


def _escape_text(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return value.replace("&", "&amp;").replace("<", "&lt;")


def _add_entry(
    result: ParsedFeed,
    *,
    feed_id: int,
    base: str,
    raw_id: Any,
    link: Any,
    title_html: str,
    summary_html: str,
    author: str,
    published: datetime | None,
    language: str,
    outlet: str,
    now: datetime,
) -> None:
    url = _http_url(link, base)
    title: Cleaned = clean_text(html_to_text(title_html), "title", single_line=True)
    summary: Cleaned = clean_text(html_to_text(summary_html), "summary")
    if not (title.text or summary.text or url):
        return  # nothing an analyst could read
    guid = _guid(raw_id, url, title.text, summary.text)
    title_text = title.text or _first_words(summary.text)
    if ("url", guid, url) in result.seen or ("title", guid, title_text) in result.seen:
        return  # a feed listing one entry twice: the first (usually newest) wins
    # A date before feeds existed (year 1, 1400, the 1970 epoch: a zero or a
    # broken template) is treated like one in the future: as no date at all.
    provisional = published is None or published > now or published < OLDEST_DATE
    article = Article(
        feed_id=feed_id,
        guid=guid,
        url=url,
        title=title_text,
        outlet=outlet,
        published=now if provisional else published,
        summary=summary.text,
        author=clean_text(html_to_text(author), "author", single_line=True).text,
        language=language,
        first_seen=now,
        truncated=title.truncated or summary.truncated,
    )
    result.articles.append(article)
    result.seen.update({("url", guid, url), ("title", guid, title_text)})
    if provisional:
        result.provisional.add(guid)


def _first_words(text: str, count: int = 12) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def parse_timed(
    body: bytes, feed_url: str, feed_id: int, content_type: str, outlet: str, now: datetime
) -> tuple[ParsedFeed, float]:
    """`parse_feed` plus the CPU seconds it took, for running in a worker process."""
    start = time.process_time()
    parsed = parse_feed(
        body,
        feed_url=feed_url,
        feed_id=feed_id,
        content_type=content_type,
        outlet=outlet,
        now=now,
    )
    return parsed, time.process_time() - start
