"""URL rules: which feed URLs are accepted, and canonical article URLs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from briefing.sanitize import strip_controls

# Query parameters that only track the reader; dropping them makes the same
# article reached from a newsletter and from a feed one URL.
TRACKING_PARAMS = {
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
}


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
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", urlencode(query), ""))
