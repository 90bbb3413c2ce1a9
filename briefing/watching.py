"""What the analyst's watches matched, and telling someone about it.

Textual-free and store-only, so the CLI, the brief and the app's reading
layer share one notion of "this story matches that watch" and of "muted".

- `story_matches`: which stories each watch matches in the whole archive
  (muted articles never count);
- `new_hits`: what the articles of one fetch added to each watch, grouped by
  event and story; this is what `briefing fetch` prints and what the
  `on_watch_hit` command receives as JSON on standard input.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import sqlite3
import subprocess
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from briefing.models import to_iso, utcnow
from briefing.sanitize import clean
from briefing.store import Store
from briefing.store import query as syntax
from briefing.store import watches as watch_store
from briefing.store.watches import Watch


@dataclass(slots=True)
class HitEvent:
    id: str
    title: str
    date: str
    story_id: str | None
    story_title: str
    new: bool  # the event itself appeared in this run (not only a new article in it)
    articles: list[dict[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class WatchHits:
    watch: Watch
    events: list[HitEvent]

    @property
    def stories(self) -> set[str]:
        return {e.story_id or e.id for e in self.events}

    def line(self) -> str:
        """`watch kaspersky: 2 new events in 1 story` (plus updated events, if any)."""
        new = sum(e.new for e in self.events)
        updated = len(self.events) - new
        n = len(self.stories)
        text = f"watch {clean(self.watch.name, 'title', single_line=True)}: "
        text += f"{new} new event{'s' * (new != 1)} in {n} stor{'ies' if n != 1 else 'y'}"
        if updated:
            text += f", {updated} updated"
        return text


def article_matches(
    store: Store,
    watches: Sequence[Watch],
    among: Sequence[int] | None = None,
    hidden: Collection[int] = (),
) -> dict[int, list[int]]:
    """Watch id -> the (unmuted) article ids it matches; `among` limits the candidates."""
    queries = [w.parsed for w in watches]
    if among is None:
        found = [syntax.matching_articles(store, q) for q in queries]
    else:
        found = syntax.match_among(store, queries, among)
    return {
        w.id: [i for i in ids if i not in hidden] for w, ids in zip(watches, found, strict=True)
    }


def story_matches(
    store: Store, watches: Sequence[Watch] | None = None, hidden: Collection[int] | None = None
) -> dict[int, set[str]]:
    """Watch id -> the ids of the stories it matches in the whole archive."""
    watches = watch_store.all_watches(store) if watches is None else watches
    hidden = watch_store.muted_ids(store) if hidden is None else hidden
    return {w.id: syntax.matching_stories(store, w.parsed, hidden) for w in watches}


# Above this many candidate articles, one archive query per watch beats matching in memory.
IN_MEMORY_LIMIT = 5000


def story_watches(
    store: Store,
    story_ids: Collection[str],
    watches: Sequence[Watch] | None = None,
    hidden: Collection[int] = (),
) -> dict[str, tuple[str, ...]]:
    """Story id -> the names of the watches that match it, for these stories only.

    The app asks this for the stories that gained events since the last
    session (to mark them), and for the story under the cursor.
    """
    watches = watch_store.all_watches(store) if watches is None else watches
    if not watches or not story_ids:
        return {}
    rows = store.query(
        """SELECT a.id, ev.story_id FROM articles a JOIN events ev ON ev.id = a.event_id
           WHERE ev.story_id IN (SELECT value FROM json_each(?))""",
        (json.dumps(sorted(story_ids)),),
    )
    story_of = {int(r[0]): str(r[1]) for r in rows if r[0] not in hidden}
    if len(story_of) > IN_MEMORY_LIMIT:
        matched = story_matches(store, watches, hidden)
        per_watch = [matched[w.id] & set(story_ids) for w in watches]
    else:
        found = syntax.match_among(store, [w.parsed for w in watches], list(story_of))
        per_watch = [{story_of[i] for i in ids} for ids in found]
    out: dict[str, list[str]] = {}
    for watch, stories in zip(watches, per_watch, strict=True):
        for story_id in stories:
            out.setdefault(story_id, []).append(watch.name)
    return {k: tuple(v) for k, v in out.items()}


def new_hits(
    store: Store, new_article_ids: Sequence[int], run_started: datetime
) -> list[WatchHits]:
    """What this run's new articles added to each watch; watches with nothing are left out."""
    watches = watch_store.all_watches(store)
    if not watches or not new_article_ids:
        return []
    # watches and mutes in one pass over the new articles (one in-memory index)
    mutes = watch_store.all_mutes(store)
    mute_queries = [
        watch_store.mute_query(m) for m in mutes if m.kind not in watch_store.SOURCE_KINDS
    ]
    found = syntax.match_among(store, [w.parsed for w in watches] + mute_queries, new_article_ids)
    hidden = watch_store.muted_by_source(store, mutes, new_article_ids).union(
        *found[len(watches) :]
    )
    matched = {
        w.id: [i for i in ids if i not in hidden] for w, ids in zip(watches, found, strict=False)
    }
    rows = _rows_of(store, sorted({i for ids in matched.values() for i in ids}))
    started = to_iso(run_started) or ""
    out = []
    for watch in watches:
        if events := _events_of([rows[i] for i in matched[watch.id] if i in rows], started):
            out.append(WatchHits(watch, events))
    return out


def _rows_of(store: Store, article_ids: list[int]) -> dict[int, sqlite3.Row]:
    """The matched articles with their event and story, in one query."""
    if not article_ids:
        return {}
    rows = store.query(
        """SELECT a.id AS aid, a.title AS atitle, a.url, a.outlet, ev.id, ev.title, ev.date,
                  ev.created_at, ev.story_id, COALESCE(s.title, '') AS stitle
           FROM articles a JOIN events ev ON ev.id = a.event_id
           LEFT JOIN stories s ON s.id = ev.story_id
           WHERE a.id IN (SELECT value FROM json_each(?))""",
        (json.dumps(article_ids),),
    )
    return {r["aid"]: r for r in rows}


def _events_of(rows: list[sqlite3.Row], started: str) -> list[HitEvent]:
    events: dict[str, HitEvent] = {}
    for r in sorted(rows, key=lambda r: (r["date"], r["id"], r["aid"])):
        event = events.get(r["id"])
        if event is None:
            event = events[r["id"]] = HitEvent(
                r["id"],
                r["title"],
                r["date"][:10],
                r["story_id"],
                r["stitle"],
                new=(r["created_at"] or "") >= started,
            )
        event.articles.append(
            {"id": str(r["aid"]), "title": r["atitle"], "url": r["url"], "source": r["outlet"]}
        )
    return list(events.values())


def after_run(
    store: Store,
    new_article_ids: Sequence[int],
    run_started: datetime,
    command: str,
    timeout: float,
) -> tuple[list[str], str | None]:
    """After a fetch: one line per watch that gained events, and the `on_watch_hit` outcome.

    The command (if set) runs once, only when some watch gained events; the
    second value is why it failed, or None. The CLI prints both, the app shows them.
    """
    hits = new_hits(store, new_article_ids, run_started)
    problem = None
    if hits and command:
        problem = run_hook(command, hits_json(hits, utcnow()), timeout)
    return [h.line() for h in hits], problem


def hits_json(hits: list[WatchHits], generated: datetime) -> str:
    """The document `on_watch_hit` reads on standard input."""
    document = {
        "generated": to_iso(generated),
        "watches": [
            {
                "name": h.watch.name,
                "query": h.watch.query,
                "summary": h.line(),
                "events": [
                    {
                        "id": e.id,
                        "title": e.title,
                        "date": e.date,
                        "new": e.new,
                        "story": {"id": e.story_id, "title": e.story_title},
                        "articles": e.articles,
                    }
                    for e in h.events
                ],
            }
            for h in hits
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def run_hook(command: str, payload: str, timeout: float) -> str | None:
    """Run the user's `on_watch_hit` command with `payload` on stdin.

    The command line is the user's own setting, split like a shell would but
    run without one; nothing from a feed is ever placed on it. Returns None on
    success, else a one-line reason (the caller reports it; the run still counts).
    """
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return f"on_watch_hit is not a valid command line: {exc}"
    if not argv:
        return None
    try:
        # its own process group, so a timeout stops whatever the command started too
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        return f"on_watch_hit could not start: {exc.strerror or exc}"
    with proc:  # closes its pipes whatever happens
        try:
            _, err = proc.communicate(payload.encode("utf-8"), timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return f"on_watch_hit did not finish within {timeout:g} s and was stopped"
    if proc.returncode != 0:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        reason = clean(last[0], "error", single_line=True)[:200]
        return f"on_watch_hit exited with status {proc.returncode} {reason}".rstrip()
    return None
