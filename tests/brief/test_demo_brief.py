"""The brief of the demo corpus, as a new user makes it, byte for byte.

The demo runs through the whole pipeline (feeds served on 127.0.0.1), then
its three most recent stories are starred, as in `benchmarks/eval_brief_length.py`.
The server's port is replaced by `__BASE__` so the files do not depend on it.
When the summarizer or the grouping changes on purpose, regenerate with
`BRIEFING_UPDATE_GOLDEN=1 .venv/bin/pytest tests/brief/test_demo_brief.py`
and read the diff.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from benchmarks.eval_brief_length import star_recent
from benchmarks.eval_pipeline import run_pipeline
from briefing.brief.export import LAST_EXPORT_KEY, ExportOptions, render
from briefing.store import Store
from tests.brief.conftest import GENERATED
from tests.brief.helpers import check_brief
from tests.brief.test_golden import check_golden

# The previous export, and a late report that arrived after it on an older event.
LAST_EXPORT = "2025-07-01T00:00:00Z"
LATE_PAGE = "breachdaily-2025-01-15-ransom-ban-uk-will-it-work"

CASES = {
    "demo-default.md": ExportOptions(starred=True),
    "demo-full.md": ExportOptions(starred=True, full=True),
    "demo-since-last.md": ExportOptions(starred=True, since_last=True),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store, _ = run_pipeline(tmp_path_factory.mktemp("demo-brief"))
    star_recent(store)
    with store.write() as conn:
        # Fetched before the previous export, except for one late report.
        conn.execute("UPDATE articles SET first_seen = '2025-06-01T00:00:00Z'")
        conn.execute(
            "UPDATE articles SET first_seen = '2025-08-01T00:00:00Z' WHERE url LIKE ?",
            (f"%{LATE_PAGE}%",),
        )
    store.set_meta(LAST_EXPORT_KEY, LAST_EXPORT)
    yield store
    store.close()


def brief(store: Store, options: ExportOptions, *, as_served: bool = False) -> str:
    text = render(store, options, GENERATED)
    return text if as_served else re.sub(r"http://127\.0\.0\.1:\d+", "__BASE__", text)


def starred(store: Store) -> list[dict]:
    doc = json.loads(render(store, ExportOptions(format="json", starred=True), GENERATED))
    return list(doc["stories"])


def sentences(store: Store) -> set[str]:
    found = set()
    for story in starred(store):
        found.update(story["summary"])
        for event in story["events"]:
            found.update(event["summary"])
    return found


@pytest.mark.parametrize("name", sorted(CASES))
def test_demo_brief(demo: Store, name: str) -> None:
    check_golden(name, brief(demo, CASES[name]))
    check_brief(brief(demo, CASES[name], as_served=True), sentences(demo))


def test_default_is_short(demo: Store) -> None:
    default = brief(demo, CASES["demo-default.md"])
    full = brief(demo, CASES["demo-full.md"])
    events = [len(story["events"]) for story in starred(demo)]
    assert len(events) == 3 and max(events) > 3  # the cut shows
    assert default.count("\n### ") == sum(min(n, 3) for n in events)
    assert default.count("\nEarlier: ") == sum(n > 3 for n in events)
    assert len(default.split()) < len(full.split())


def test_since_last_has_what_changed(demo: Store) -> None:
    text = brief(demo, CASES["demo-since-last.md"])
    assert "Changes since the last export (2025-07-01 00:00 UTC)" in text
    dates = sorted(re.findall(r"^### (\d{4}-\d{2}-\d{2})", text, flags=re.M))
    # Dated after the previous export, plus the event the late report belongs to.
    late = [
        event["date"]
        for story in starred(demo)
        for event in story["events"]
        if any(LATE_PAGE in article["url"] for article in event["articles"])
    ]
    assert late and late[0] < "2025-07-01"
    assert dates[0] == late[0]
    assert all(d >= "2025-07-01" for d in dates[1:])
