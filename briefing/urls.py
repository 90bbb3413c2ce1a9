"""The one URL module: feed URLs we accept, the canonical article URL, a page's identity key.

Fetch stores `canonical_url`; cluster compares pages by `page_key`; both drop
the same tracking parameters, so they never disagree about what is tracking.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from briefing.errors import BriefingError
from briefing.sanitize import strip_controls

# Dropping these makes the same article reached from a newsletter and from a
# feed one URL.
TRACKING_PARAMS = frozenset(
    [
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref",
        "ref_src",
        "cmpid",
        "ncid",
        "sr_share",
        "spm",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wt.mc_id",
        "at_medium",
        "at_campaign",
    ]
)


def is_tracking(name: str) -> bool:
    """True for a query parameter that only tracks the reader (`utm_*` and the list above)."""
    name = name.lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def without_tracking(query: str) -> list[tuple[str, str]]:
    """The query's parameters, in order, minus the tracking ones (blank values kept)."""
    return [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not is_tracking(k)]


def strip_tracking(query: str) -> str:
    """The query as published, minus its tracking parameters; the rest kept byte for byte.

    Parsing and re-encoding would rewrite what the publisher wrote (`?12345`
    into `?12345=`, `a=1;b=2` into `a=1%3Bb%3D2`) and so point elsewhere.
    """
    parts = query.split("&")
    return "&".join(p for p in parts if not is_tracking(unquote_plus(p.split("=", 1)[0])))


class FeedUrlError(BriefingError, ValueError):
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
    """The URL an article is stored under: lower-case scheme and host, no fragment, no
    tracking parameters, no default port."""
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


def page_key(url: str) -> str:
    """One spelling per page: no tracking parameters, fragment, `www.` or trailing slash.

    An identity key for spotting the same page, not a URL to visit: it forces
    https and sorts the query, which `canonical_url` (the stored URL) must not do.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return url.strip()
    host = parts.netloc.lower().removeprefix("www.")
    query = urlencode(sorted(without_tracking(parts.query)))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))
