"""Rich text built from fetched text: the search snippet keeps its words apart."""

from __future__ import annotations

from briefing.tui.text import snippet_text

START, END = "\ue000", "\ue001"


def test_a_snippet_keeps_the_spaces_around_its_marked_terms() -> None:
    text = snippet_text(
        f"…the FCC added {START}Kaspersky{END} Lab to {START}its{END} {START}list{END}…",
        START,
        END,
        "bold",
    )
    assert text.plain == "…the FCC added Kaspersky Lab to its list…"
    marked = [text.plain[span.start : span.end] for span in text.spans if span.style == "bold"]
    assert marked == ["Kaspersky", "its", "list"]


def test_a_snippet_still_cleans_control_characters() -> None:
    text = snippet_text(f"a\x1b[31m {START}red{END}\x07 b", START, END, "bold")
    assert "\x1b" not in text.plain and "\x07" not in text.plain
    assert "red" in text.plain
