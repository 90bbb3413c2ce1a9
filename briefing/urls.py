"""Query parameters that only track the reader, shared by fetch and cluster.

Fetch drops them from the URL it stores; cluster drops them again when it
keys articles by URL (rows stored before this rule, or URLs reached another
way). One list, so the two never disagree about what is tracking.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote_plus

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
