"""`briefing export` and the app's export action: choose, render, write.

    text = export(store, ExportOptions(format="markdown", starred=True), output=path)

Rendering happens before anything touches the disk, so a bad template or an
unknown story id never leaves a file behind; the file is then written whole
or not at all (`briefing.atomic`), only where the caller said. Every export
(not a preview) remembers its time, for the next `--since last`.
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from briefing.atomic import WriteError, write_text_atomic
from briefing.brief import narrow
from briefing.brief.errors import ExportError, OutputExists
from briefing.brief.escape import escape_line
from briefing.brief.html import render_html
from briefing.brief.jsonfmt import render_json
from briefing.brief.markdown import Layout, render_markdown
from briefing.brief.model import Brief, build_brief
from briefing.models import from_iso, to_iso, utcnow
from briefing.store import Store, StoreError

__all__ = [
    "BriefPreview",
    "ExportError",
    "ExportOptions",
    "OutputExists",
    "export",
    "last_export",
    "preview",
    "render",
]

FORMATS = ("markdown", "html", "json")
# The meta key holding the time of the latest export, for `--since last`.
LAST_EXPORT_KEY = "last_export"


@dataclass(frozen=True, slots=True)
class ExportOptions:
    format: str = "markdown"  # one of FORMATS
    since: date | None = None  # events on or after this day
    until: date | None = None  # events on or before this day
    starred: bool = False  # only starred stories
    story_ids: list[str] = field(default_factory=list)  # only these stories
    template: Path | None = None  # a Jinja2 file replacing the built-in markdown layout
    watch: str | None = None  # only the stories this watch matches
    by_watch: bool = False  # one section per watch
    since_last: bool = False  # only what changed since the previous export
    max_stories: int | None = None  # at most this many stories (by recency, then coverage)
    full: bool = False  # markdown/html: every event in full, not only the latest three
    oldest_first: bool = False  # markdown/html: timelines in date order


def last_export(store: Store) -> datetime | None:
    """When the previous export was written, or None before the first one."""
    try:
        return from_iso(store.get_meta(LAST_EXPORT_KEY))
    except ValueError:
        return None  # a hand-edited value: treat as never exported


def render(store: Store, options: ExportOptions, generated: datetime | None = None) -> str:
    """The brief as text, without writing anything."""
    _check(options)
    if options.by_watch:
        return _by_watch(store, options, generated or utcnow())
    return _format(_select(store, options, generated or utcnow()), options)


@dataclass(frozen=True, slots=True)
class BriefPreview:
    """The start of a brief, as the file would begin, and what the file holds beyond it."""

    text: str
    more_stories: int
    more_events: int


def preview(
    store: Store, options: ExportOptions, stories: int, generated: datetime | None = None
) -> BriefPreview:
    """The brief of its first `stories` stories only, so a large archive renders little."""
    _check(options)
    if options.by_watch:  # a section per watch: not cut, the app never asks for it
        return BriefPreview(render(store, options, generated), 0, 0)
    brief = _select(store, options, generated or utcnow())
    rest = brief.stories[stories:]
    head = replace(brief, stories=brief.stories[:stories])
    return BriefPreview(_format(head, options), len(rest), sum(len(s.events) for s in rest))


def _check(options: ExportOptions) -> None:
    if options.format not in FORMATS:
        raise ExportError(f"unknown format {options.format!r}; use markdown, html or json")
    if options.template is not None and options.format == "json":
        raise ExportError("--template applies to the markdown and html briefs only")
    if options.max_stories is not None and options.max_stories < 1:
        raise ExportError("--max-stories needs a number of at least 1")


def _format(brief: Brief, options: ExportOptions) -> str:
    if options.format == "json":
        return render_json(brief)
    layout = Layout(
        full=options.full, oldest_first=options.oldest_first, since_last=options.since_last
    )
    text = render_markdown(brief, options.template, layout)
    if options.format == "html":
        return render_html(text, title=_title(text))
    return text


def _select(store: Store, options: ExportOptions, generated: datetime) -> Brief:
    brief: Brief = build_brief(
        store,
        generated=generated,
        since=options.since,
        until=options.until,
        starred=options.starred,
        story_ids=options.story_ids,
        watch=options.watch,
    )
    if options.since_last:
        previous = last_export(store)
        if previous is not None:  # none yet: everything is new, and the brief says so
            brief = narrow.changed_since(brief, previous)
    if options.max_stories is not None:
        brief = narrow.cap(brief, options.max_stories)
    return brief


def _title(markdown: str) -> str:
    first = markdown.split("\n", 1)[0]
    return first.lstrip("#").strip() or "Brief"


def export(
    store: Store,
    options: ExportOptions,
    output: Path | None = None,
    force: bool = False,
    *,
    generated: datetime | None = None,
) -> str:
    """Render the brief; with `output`, also write it there atomically.

    Raises OutputExists when `output` exists and `force` is false, and
    ExportError for everything else the user can fix (unknown story, bad
    template, a symlink or a missing directory in the way, a full disk).
    """
    generated = generated or utcnow()
    text = render(store, options, generated)
    if output is not None:
        output = Path(output)
        try:
            if output.is_symlink():
                raise ExportError(f"{output} is a symbolic link; refusing to write through it")
            if output.exists() and not force:
                raise OutputExists(f"{output} exists; use --force to overwrite it")
            write_text_atomic(output, text, force=force)
        except WriteError as exc:
            raise ExportError(str(exc)) from exc
        except OSError as exc:  # a name too long to even look up
            raise ExportError(f"cannot write {str(output)[:200]}: {exc.strerror}") from exc
    _remember(store, generated)
    return text


def _remember(store: Store, generated: datetime) -> None:
    """Keep the export's time for the next `--since last`, when the home can be written.

    A read-only home still exports; its next `--since last` then counts from
    the last export that could be recorded.
    """
    with suppress(StoreError):
        store.set_meta(LAST_EXPORT_KEY, to_iso(generated) or "")


def _by_watch(store: Store, options: ExportOptions, generated: datetime) -> str:
    """One brief per watch: markdown sections under "# Watch: NAME", or a json list."""
    from briefing.store import watches as watch_store

    watches = watch_store.all_watches(store)
    if not watches:
        raise ExportError("no watches yet; add one with `briefing watch add NAME QUERY`")
    if options.watch:
        raise ExportError("--by-watch and --watch do not combine; use one")
    # html: the markdown sections first, made into one page at the end
    each = "markdown" if options.format == "html" else options.format
    parts = []
    for watch in watches:
        one = replace(options, by_watch=False, watch=watch.name, format=each)
        parts.append((watch, render(store, one, generated)))
    if options.format == "json":
        document = {
            "generated": to_iso(generated),
            "watches": [
                {"name": w.name, "query": w.query, "stories": json.loads(text)["stories"]}
                for w, text in parts
            ],
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    sections = [f"# Watch: {escape_line(w.name)}\n\n{text}" for w, text in parts]
    text = "\n".join(sections)
    return render_html(text, title="Brief by watch") if options.format == "html" else text
