"""The markdown brief: a Jinja2 template over plain, pre-escaped views.

The template is replaceable (`--template FILE`) and safe by default: every
`{{ value }}` is escaped for markdown unless it already is markdown (anchors,
source lists, `link(...)`, or a value passed through `| raw` on purpose).
That is Jinja's autoescape idea, done with a `finalize` hook because
Jinja's own autoescape speaks HTML, not markdown.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from briefing.brief.errors import ExportError
from briefing.brief.escape import Markdown, Slugger, escape_line, escape_lines, link
from briefing.brief.model import Brief, BriefArticle, BriefEvent, BriefSentence, BriefStory
from briefing.brief.relative_dates import annotate
from briefing.models import to_iso

BUILTIN_TEMPLATE = "brief.md.j2"
# Short by default: each story's latest events in full, the rest one line each.
EVENTS_IN_FULL = 3


@dataclass(frozen=True, slots=True)
class Layout:
    full: bool = False  # every event in full, not only the latest EVENTS_IN_FULL
    oldest_first: bool = False  # timelines in date order (newest first by default)
    since_last: bool = False  # the brief holds what changed since the previous export


@dataclass(frozen=True, slots=True)
class EventView:
    id: str
    date: date
    title: str
    heading: str  # "2024-06-20: title", the text of the event's own heading
    anchor: Markdown  # the heading's anchor; empty when the layout gives it no heading
    summary: list[str]
    articles: list[BriefArticle]
    sources: Markdown  # every source linked: "[A](url), [B](url), +1 more: [C](url)"
    duplicates: int
    # Summary sentences not printed earlier in the document, each "text — [Outlet](url)".
    lines: list[Markdown] = field(default_factory=list)

    @property
    def headline(self) -> Markdown:
        return as_sentence(self.title)


@dataclass(frozen=True, slots=True)
class NewsLine:
    """One "What's new" entry: a story's latest event and what happened."""

    date: date
    story: str
    title: str  # the latest event's headline; empty when it is the story's title
    line: Markdown  # its first summary sentence with its linked source; may be empty

    @property
    def headline(self) -> Markdown:
        return as_sentence(self.title)


@dataclass(frozen=True, slots=True)
class StoryView:
    id: str
    title: str
    anchor: Markdown
    summary: list[str]
    first_seen: date
    last_updated: date
    starred: bool
    dismissed: bool
    tags: list[str]
    note: str
    synthetic: bool
    article_count: int
    events: list[EventView]  # every event of the brief, in the layout's order
    shown: list[EventView] = field(default_factory=list)  # the events printed in full
    earlier: list[EventView] = field(default_factory=list)  # the rest, one line each

    @property
    def period(self) -> str:
        """ "2017-09-13 to 2024-06-20", or one date when the story is one day long."""
        if self.first_seen == self.last_updated:
            return str(self.first_seen)
        return f"{self.first_seen} to {self.last_updated}"

    @property
    def earlier_since(self) -> date | None:
        return min((e.date for e in self.earlier), default=None)

    @property
    def parts(self) -> list[str]:
        """What to print, in order: the events in full ("full") and the one-liners ("earlier").

        Newest first, the one-liners close the story; oldest first, they open it.
        The synthetic bucket lists its events itself, so it has only "earlier".
        """
        parts = [] if self.synthetic or not self.shown else ["full"]
        if self.earlier:
            first = self.events[0].id == self.earlier[0].id
            parts.insert(0 if first else len(parts), "earlier")
        return parts


@dataclass(frozen=True, slots=True)
class BriefView:
    heading: str  # "Brief — 2026-11-22", the day it was written
    generated: str
    start: date | None
    end: date | None
    stories: list[StoryView]
    event_count: int
    article_count: int
    covers: str = ""  # "2017-09-13 to 2024-10-10", "since 2024-06-01", or ""
    whats_new: list[NewsLine] = field(default_factory=list)
    changed_since: str = ""  # `--since last`: the previous export's time, or ""
    since_last: bool = False  # `--since last` was asked for


def as_sentence(title: str) -> Markdown:
    """A headline as a sentence: escaped, with a full stop unless it has its own."""
    if not title:
        return Markdown("")
    stop = "" if title.rstrip().endswith((".", "!", "?", "…")) else "."
    return Markdown(escape_line(title) + stop)


def sources(event: BriefEvent) -> Markdown:
    """Every source as a link; copies follow the originals as "+N more: [..](..)"."""
    originals = event.originals
    text = ", ".join(link(a.source, a.url) for a in originals)
    copies = [a for a in event.articles if a not in originals]
    if copies:
        text += f", +{len(copies)} more: " + ", ".join(link(a.source, a.url) for a in copies)
    return Markdown(text)


def attributed(sentence: BriefSentence) -> Markdown:
    """ "text — [Outlet](url)", relative dates given their day in brackets."""
    text = escape_line(annotate(sentence.text, sentence.published))
    if not sentence.source:
        return text
    return Markdown(f"{text} — {link(sentence.source, sentence.url)}")


class _Printed:
    """Which sentences the document already holds, so none is printed twice."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def fresh(self, sentences: list[BriefSentence]) -> list[Markdown]:
        lines = []
        for sentence in sentences:
            key = " ".join(sentence.text.casefold().split())
            if key not in self._seen:
                self._seen.add(key)
                lines.append(attributed(sentence))
        return lines


def build_view(brief: Brief, layout: Layout | None = None, today: date | None = None) -> BriefView:
    """Views in document order: "What's new" first, so its sentences are not repeated below."""
    layout = layout or Layout()
    day = today or brief.generated.date()
    heading = f"Brief — {day}"
    slugger = Slugger()
    slugger.slug(heading)
    printed = _Printed()
    whats_new = [_news(s, printed) for s in brief.stories if not s.synthetic and s.events]
    if whats_new:
        slugger.slug("What's new")
    stories = [_story_view(s, slugger, printed, layout) for s in brief.stories]
    return BriefView(
        heading=heading,
        generated=to_iso(brief.generated) or "",
        start=brief.start,
        end=brief.end,
        stories=stories,
        event_count=brief.event_count,
        article_count=brief.article_count,
        covers=_covers(brief),
        whats_new=whats_new,
        changed_since=_minute(brief.changed_since),
        since_last=layout.since_last,
    )


def _covers(brief: Brief) -> str:
    if brief.start and brief.end:
        return str(brief.start) if brief.start == brief.end else f"{brief.start} to {brief.end}"
    if brief.start:
        return f"since {brief.start}"
    if brief.end:
        return f"until {brief.end}"
    return ""


def _minute(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC") if when else ""


def _news(story: BriefStory, printed: _Printed) -> NewsLine:
    latest = max(story.events, key=lambda e: (e.date, e.id))
    # The event's own lead, else the story summary's sentence about that event.
    ids = {a.id for a in latest.articles}
    lead = latest.sentences or [s for s in story.sentences if s.article_id in ids]
    lines = printed.fresh(lead[:1])
    title = "" if latest.title.casefold() == story.title.casefold() else latest.title
    return NewsLine(
        date=latest.date, story=story.title, title=title, line=Markdown(" ".join(lines))
    )


def _story_view(
    story: BriefStory, slugger: Slugger, printed: _Printed, layout: Layout
) -> StoryView:
    anchor = Markdown(slugger.slug(story.title))
    newest = sorted(story.events, key=lambda e: (e.date, e.id), reverse=True)
    keep = len(newest) if layout.full else EVENTS_IN_FULL
    in_full = {e.id for e in newest[:keep]}
    ordered = list(reversed(newest)) if layout.oldest_first else newest
    events = [_event_view(e, story, slugger, printed, e.id in in_full) for e in ordered]
    return StoryView(
        id=story.id,
        title=story.title,
        anchor=anchor,
        summary=story.summary,
        first_seen=story.first_seen,
        last_updated=story.last_updated,
        starred=story.starred,
        dismissed=story.dismissed,
        tags=story.tags,
        note=story.note,
        synthetic=story.synthetic,
        article_count=story.article_count,
        events=events,
        shown=[e for e in events if e.id in in_full],
        earlier=[e for e in events if e.id not in in_full],
    )


def _event_view(
    event: BriefEvent, story: BriefStory, slugger: Slugger, printed: _Printed, in_full: bool
) -> EventView:
    heading = f"{event.date}: {event.title}"
    # Only events printed in full under a story get a heading of their own.
    has_heading = in_full and not story.synthetic
    if in_full:
        lines = printed.fresh(event.sentences)
    else:
        # A collapsed event keeps the sentence the story summary took from it, if any.
        ids = {a.id for a in event.articles}
        lines = printed.fresh([s for s in story.sentences if s.article_id in ids][:1])
    return EventView(
        id=event.id,
        date=event.date,
        title=event.title,
        heading=heading,
        anchor=Markdown(slugger.slug(heading) if has_heading else ""),
        summary=event.summary,
        articles=event.articles,
        sources=sources(event),
        duplicates=event.duplicates,
        lines=lines,
    )


# -- the template ------------------------------------------------------------


def _finalize(value: object) -> str:
    if value is None:
        return ""
    return escape_line(value)


def _lines(value: object, prefix: str = "") -> Markdown:
    return escape_lines(value, prefix=prefix)


def _mdjoin(values: Iterable[object], separator: str = ", ") -> Markdown:
    return Markdown(separator.join(escape_line(v) for v in values))


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {words or word + 's'}"


def _raw(value: object) -> Markdown:
    return Markdown("" if value is None else str(value))


def _environment(source: str, name: str) -> jinja2.Template:
    env = SandboxedEnvironment(
        # One template and no other (an include is "not found"); its filename lets
        # Jinja's traceback rewriting report template line numbers.
        loader=jinja2.FunctionLoader(lambda n: (source, name, lambda: True) if n == name else None),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=escape_line, lines=_lines, mdjoin=_mdjoin, raw=_raw)
    env.globals.update(link=link, plural=_plural)
    return env.get_template(name)


def builtin_template() -> str:
    return (
        resources.files("briefing.brief")
        .joinpath("templates", BUILTIN_TEMPLATE)
        .read_text(encoding="utf-8")
    )


def render_markdown(
    brief: Brief, template: Path | None = None, layout: Layout | None = None
) -> str:
    """Render the brief with the built-in template, or the user's template file."""
    if template is None:
        source, name = builtin_template(), BUILTIN_TEMPLATE
    else:
        name = str(template)
        try:
            source = Path(template).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ExportError(f"cannot read template {template}: {reason}") from exc
    try:
        text = _environment(source, name).render(brief=build_view(brief, layout))
    except jinja2.TemplateSyntaxError as exc:
        raise ExportError(f"template {name}, line {exc.lineno}: {exc.message}") from exc
    except Exception as exc:
        if template is None:
            raise
        raise ExportError(
            f"template {name}{_template_line(exc, name)}: {type(exc).__name__}: {exc}"
        ) from exc
    return text.rstrip("\n") + "\n"


def _template_line(exc: BaseException, name: str) -> str:
    """Jinja rewrites tracebacks so template frames carry the template's line numbers."""
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == name]
    return f", line {lines[-1]}" if lines else ""
