"""The brief for a fixed corpus, byte for byte.

Regenerate after an intended change with
`BRIEFING_UPDATE_GOLDEN=1 .venv/bin/pytest tests/brief/test_golden.py`
and read the diff before committing it.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from briefing.brief.export import ExportOptions, export
from briefing.store import Store
from tests.brief.conftest import GENERATED, build_corpus

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("BRIEFING_UPDATE_GOLDEN") == "1"

CASES = {
    "all.md": ExportOptions(format="markdown"),
    "all.json": ExportOptions(format="json"),
    "june-2024.md": ExportOptions(
        format="markdown", since=date(2024, 6, 1), until=date(2024, 6, 30)
    ),
    "starred.json": ExportOptions(format="json", starred=True),
    "all-full-oldest-first.md": ExportOptions(format="markdown", full=True, oldest_first=True),
    "starred.html": ExportOptions(format="html", starred=True),
}


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {name}; run with BRIEFING_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_brief_matches_golden(corpus: Store, name: str) -> None:
    check_golden(name, export(corpus, CASES[name], generated=GENERATED))


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_input_same_output(tmp_path: Path, name: str) -> None:
    """Two stores built the same way give the same brief (no clock, no row-order luck)."""
    first = export(build_corpus(tmp_path / "a.db"), CASES[name], generated=GENERATED)
    second = export(build_corpus(tmp_path / "b.db"), CASES[name], generated=GENERATED)
    assert first == second


def test_only_the_title_and_generated_line_change_with_the_clock(corpus: Store) -> None:
    from datetime import UTC, datetime

    later = datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
    for fmt in ("markdown", "json"):
        options = ExportOptions(format=fmt)
        a = export(corpus, options, generated=GENERATED).splitlines()
        b = export(corpus, options, generated=later).splitlines()
        changed = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        if fmt == "markdown":
            assert changed[0] == ("# Brief — 2026-11-22", "# Brief — 2027-01-02")
            changed = changed[1:]
        assert len(changed) == 1
        assert "2026-11-22T08:00:00Z" in changed[0][0]
        assert "2027-01-02T03:04:05Z" in changed[0][1]


def test_json_has_the_design_shape(corpus: Store) -> None:
    """DESIGN.md's shape: the keys, in that order, and their types."""
    doc = json.loads(export(corpus, ExportOptions(format="json"), generated=GENERATED))
    assert list(doc) == ["generated", "stories"]
    for story in doc["stories"]:
        assert list(story) == [
            "id", "title", "summary", "first_seen", "last_updated",
            "starred", "tags", "note", "events", "entities",
        ]  # fmt: skip
        assert all(list(e) == ["name", "type"] for e in story["entities"])
        assert all(isinstance(s, str) for s in story["summary"])
        assert isinstance(story["starred"], bool)
        dates = [e["date"] for e in story["events"]]
        assert dates == sorted(dates)
        for event in story["events"]:
            assert list(event) == ["id", "date", "title", "summary", "articles", "entities"]
            for article in event["articles"]:
                assert list(article) == [
                    "id", "url", "title", "source", "published", "duplicate_of",
                ]  # fmt: skip
                assert isinstance(article["id"], str)
                assert article["duplicate_of"] is None or isinstance(article["duplicate_of"], str)
