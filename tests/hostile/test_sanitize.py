"""The sanitizing gate: what a stranger's text can carry, and what is left of it."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing.sanitize import LIMITS, clean, clean_text, safe_url

ESC = "\x1b"
HOSTILE = {
    "clear screen": (f"Breaking{ESC}[2J{ESC}[H news", "Breaking news"),
    "set window title": (f"{ESC}]0;pwned{ESC}\\Title", "Title"),
    "OSC 52 clipboard write": (f"Hi{ESC}]52;c;cm0gLXJmIH4=\x07 there", "Hi there"),
    "OSC 8 fake hyperlink": (
        f"{ESC}]8;;https://evil.example\x07click{ESC}]8;;\x07 me",
        "click me",
    ),
    "8-bit CSI": ("red\x9b31mtext", "redtext"),
    "bell and backspace": ("a\x07b\x08c", "abc"),
    "NUL byte": ("nul\x00byte", "nulbyte"),
    "DEL": ("de\x7fl", "del"),
    "C1 control": ("c1\x85x", "c1x"),
    "bidi override (Trojan Source)": ("admin\u202e\u2066txt.exe", "admintxt.exe"),
    "RTL mark": ("a\u200fb", "ab"),
    "lone surrogate": ("broken\ud800pair", "brokenpair"),
    "tab and newline survive in bodies": ("line one\n\tline two", "line one\n\tline two"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_is_defanged(name: str) -> None:
    raw, expected = HOSTILE[name]
    assert clean(raw) == expected


def test_a_megabyte_title_is_truncated_and_that_is_recorded() -> None:
    result = clean_text("A" * 1_000_000, "title")
    assert result.truncated
    assert len(result.text) == LIMITS["title"]
    assert result.text.endswith("…")


def test_single_line_fields_lose_newlines_and_runs_of_space() -> None:
    assert clean("  Commerce\n bans\t\tKaspersky \u00a0 ", "title", single_line=True) == (
        "Commerce bans Kaspersky"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ok.example/a", "https://ok.example/a"),
        ("HTTP://ok.example/", "HTTP://ok.example/"),
        ("javascript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("file:///etc/passwd", None),
        ("https://ok.example/a b", None),
        (f"https://ok.example/{ESC}[2J", "https://ok.example/"),
        ("", None),
        ("//no-scheme.example/x", None),
    ],
)
def test_only_http_links_survive(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


FORBIDDEN = {chr(c) for c in [*range(0, 9), *range(11, 32), *range(0x7F, 0xA0)]} | set(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
)


@given(st.text())
def test_nothing_unsafe_survives_any_text(text: str) -> None:
    out = clean(text)
    assert not (set(out) & FORBIDDEN)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in out)
    out.encode("utf-8")  # always encodable
    assert unicodedata.is_normalized("NFC", out)


@given(st.text(), st.sampled_from(sorted(LIMITS)))
def test_every_field_respects_its_cap(text: str, field: str) -> None:
    result = clean_text(text, field, single_line=True)
    assert len(result.text) <= LIMITS[field]
    assert "\n" not in result.text


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_ordinary_text_is_kept(text: str) -> None:
    assert clean(text) == unicodedata.normalize("NFC", text)


@given(st.text())
def test_cleaning_is_idempotent(text: str) -> None:
    once = clean(text)
    assert clean(once) == once
