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
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from briefing.brief.errors import ExportError
from briefing.brief.escape import Markdown, Slugger, escape_line, escape_lines, link
from briefing.brief.model import Brief, BriefArticle, BriefEvent, BriefStory
from briefing.models import to_iso

BUILTIN_TEMPLATE = "brief.md.j2"


@dataclass(frozen=True, slots=True)
class EventView:
    id: str
    date: date
    title: str
    heading: str  # "2024-06-20: title", the text of the event's own heading
    anchor: Markdown  # the heading's anchor; empty when the layout gives it no heading
    summary: list[str]
    articles: list[BriefArticle]
    sources: Markdown  # "[Outlet](url), [Outlet](url) +N more"
    duplicates: int


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
    events: list[EventView]

    @property
    def period(self) -> str:
        """ "2017-09-13 to 2024-06-20", or one date when the story is one day long."""
        if self.first_seen == self.last_updated:
            return str(self.first_seen)
        return f"{self.first_seen} to {self.last_updated}"


@dataclass(frozen=True, slots=True)
class BriefView:
    heading: str  # "Brief: 2024-06-01 to 2024-06-30"
    generated: str
    start: date | None
    end: date | None
    stories: list[StoryView]
    event_count: int
    article_count: int


def sources(event: BriefEvent) -> Markdown:
    """The event's sources as links, its duplicates counted as "+N more"."""
    parts = [link(a.source, a.url) for a in event.originals]
    text = ", ".join(parts)
    if event.duplicates:
        text += f" +{event.duplicates} more"
    return Markdown(text)


def build_view(brief: Brief) -> BriefView:
    """Views in document order, so anchors number like the viewer will number them."""
    heading = "Brief"
    if brief.start and brief.end:
        span = str(brief.start) if brief.start == brief.end else f"{brief.start} to {brief.end}"
        heading = f"Brief: {span}"
    elif brief.start:
        heading = f"Brief: since {brief.start}"
    elif brief.end:
        heading = f"Brief: until {brief.end}"
    slugger = Slugger()
    slugger.slug(heading)
    if brief.stories:
        slugger.slug("Contents")
    stories = [_story_view(s, slugger) for s in brief.stories]
    return BriefView(
        heading=heading,
        generated=to_iso(brief.generated) or "",
        start=brief.start,
        end=brief.end,
        stories=stories,
        event_count=brief.event_count,
        article_count=brief.article_count,
    )


def _story_view(story: BriefStory, slugger: Slugger) -> StoryView:
    anchor = Markdown(slugger.slug(story.title))
    events = []
    for event in story.events:
        heading = f"{event.date}: {event.title}"
        # The built-in layout gives the synthetic bucket's events no heading of their own.
        event_anchor = Markdown("" if story.synthetic else slugger.slug(heading))
        events.append(
            EventView(
                id=event.id,
                date=event.date,
                title=event.title,
                heading=heading,
                anchor=event_anchor,
                summary=event.summary,
                articles=event.articles,
                sources=sources(event),
                duplicates=event.duplicates,
            )
        )
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


def render_markdown(brief: Brief, template: Path | None = None) -> str:
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
        text = _environment(source, name).render(brief=build_view(brief))
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
