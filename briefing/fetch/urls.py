"""URL rules: which feed URLs are accepted, and canonical article URLs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from briefing.sanitize import strip_controls
from briefing.urls import strip_tracking


class FeedUrlError(ValueError):
    pass


def check_feed_url(url: str) -> str:
    """Accept http(s) URLs and local files (as file:// URLs); refuse the rest clearly."""
    url = strip_controls(url).strip()
    if not url:
        raise FeedUrlError("empty feed URL")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"http", "https"}:
        if not parts.hostname:
            raise FeedUrlError(f"{url!r}: no host name")
        return urlunsplit((scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))
    if scheme == "file":
        return url
    if not scheme or (len(scheme) == 1 and url[1:3] in {":\\", ":/"}):
        path = Path(url).expanduser()
        if path.is_file():
            return path.resolve().as_uri()
        raise FeedUrlError(f"{url!r}: not an http(s) URL, and no such local file")
    raise FeedUrlError(f"{url!r}: only http(s) URLs and local files can be feeds, not {scheme}:")


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, no default port."""
    url = strip_controls(url).strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        return url
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    port = parts.port  # ValueError for a port that is not a number in range
    if port and not (
        (parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)
    ):
        host = f"{host}:{port}"
    query = strip_tracking(parts.query)
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))
