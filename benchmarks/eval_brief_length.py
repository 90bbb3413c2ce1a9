"""How long the brief is on the demo corpus, in words.

    .venv/bin/python benchmarks/eval_brief_length.py [--keep DIR] [--show N]

Builds the demo home through the real pipeline (feeds served on 127.0.0.1),
stars its three most recent stories (by latest event) as a new user would,
and prints the word count (`wc -w` style: whitespace-separated tokens) of:

- the default brief of the starred stories (`briefing export --starred`);
- the export of everything (`briefing export`), and with `--full` when the
  code has that option.

It reads only public options, so the same script measures older code too:
`git archive <commit> | tar -x -C /tmp/old`, copy this file into
/tmp/old/benchmarks/ and run it from there (it imports the code beside it).
`--show N` prints the first N lines of the default brief.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.eval_pipeline import run_pipeline
from briefing.brief.export import ExportOptions, render
from briefing.models import TriageState
from briefing.store import Store, triage
from briefing.store.clusters import story_rows

GENERATED = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def star_recent(store: Store, count: int = 3) -> list[str]:
    """Star the `count` stories whose latest event is newest (ties by id)."""
    rows = sorted(story_rows(store), key=lambda r: (r.story.last_date, r.story.id), reverse=True)
    chosen = [r.story.id for r in rows[:count]]
    for story_id in chosen:
        triage.put(store, TriageState(story_id=story_id, starred=True))
    return chosen


def words(text: str) -> int:
    return len(text.split())


def options(**kwargs: object) -> ExportOptions:
    known = {f.name for f in dataclasses.fields(ExportOptions)}
    return ExportOptions(**{k: v for k, v in kwargs.items() if k in known})  # type: ignore[arg-type]


def measure(store: Store, show: int) -> None:
    default = render(store, options(starred=True), GENERATED)
    print(
        f"default brief, 3 starred stories: {words(default):>6} words, "
        f"{len(default.splitlines())} lines"
    )
    has_full = "full" in {f.name for f in dataclasses.fields(ExportOptions)}
    if has_full:
        starred_full = render(store, options(starred=True, full=True), GENERATED)
        print(f"the same with --full:             {words(starred_full):>6} words")
    everything = render(store, options(), GENERATED)
    print(f"export of everything (default):   {words(everything):>6} words")
    if has_full:
        full = render(store, options(full=True), GENERATED)
        print(f"export of everything, --full:     {words(full):>6} words")
    if show:
        print(f"\nfirst {show} lines of the default brief:\n")
        print("\n".join(default.splitlines()[:show]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the demo home here and keep it")
    parser.add_argument("--show", type=int, default=15, help="print this many lines")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefing-length-") as tmp:
        home = args.keep or Path(tmp)
        store, _ = run_pipeline(home)
        print(f"starred: {', '.join(star_recent(store))}")
        measure(store, args.show)
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
