"""The one gate that untrusted text passes before it is stored or shown.

Feeds and pages are written by strangers: they may carry terminal escape
sequences, bidi overrides that reorder what the analyst reads, lone surrogates
that break encoders, or a megabyte-long title. Everything that comes from the
network goes through `clean_text` on its way into the store, and the TUI runs
it again on its way to the screen (old rows predate the gate).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# C0 controls except tab and newline, DEL, C1 controls.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Bidi embeddings, overrides and isolates (the "Trojan Source" set) and the
# invisible formatting marks that can hide text.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"
# An ANSI/VT escape sequence as a whole (CSI, OSC, DCS and friends), so that
# after removing ESC no "[2J" or "]52;c;..." garbage is left on screen.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, DCS, SOS, PM, APC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)?"  # 8-bit OSC
    r"|\x1b[@-Z\\-_]"  # two-character escapes
)
_UNWANTED = re.compile(f"[{_CONTROL}{_BIDI}{_SURROGATES}]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")

# Field caps, in characters. Generous for real text, fatal for a flood.
LIMITS = {
    "title": 1_000,
    "outlet": 200,
    "author": 200,
    "summary": 20_000,
    "text": 500_000,
    "url": 4_000,
    "note": 100_000,
    "tag": 100,
}


@dataclass(frozen=True, slots=True)
class Cleaned:
    text: str
    truncated: bool


def strip_controls(text: str) -> str:
    """Remove escape sequences, control characters, bidi marks and surrogates."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _UNWANTED.sub("", text)


def clean_text(text: str | None, field: str = "text", *, single_line: bool = False) -> Cleaned:
    """Sanitize one field: normalize, strip what is unsafe, cap its length."""
    if not text:
        return Cleaned("", False)
    text = unicodedata.normalize("NFC", strip_controls(text))
    if single_line:
        text = _SPACES.sub(" ", text.replace("\n", " ").replace("\t", " ")).strip()
    limit = LIMITS.get(field)
    if limit is not None and len(text) > limit:
        return Cleaned(text[: limit - 1].rstrip() + "…", True)
    return Cleaned(text, False)


def clean(text: str | None, field: str = "text", *, single_line: bool = False) -> str:
    """`clean_text` for callers that do not record truncation."""
    return clean_text(text, field, single_line=single_line).text


def safe_url(url: str | None) -> str | None:
    """Only http(s) links leave the store as links."""
    if not url:
        return None
    url = strip_controls(url).strip()
    if re.match(r"^https?://[^\s/]", url, re.IGNORECASE) and not any(c.isspace() for c in url):
        return url
    return None
