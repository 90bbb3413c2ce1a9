"""`briefing export` and the app's export action: choose, render, write.

    text = export(store, ExportOptions(format="markdown", starred=True), output=path)

Rendering happens before anything touches the disk, so a bad template or an
unknown story id never leaves a file behind; the file is then written whole
or not at all (`briefing.atomic`), only where the caller said.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from briefing.atomic import WriteError, write_text_atomic
from briefing.brief.errors import ExportError, OutputExists
from briefing.brief.jsonfmt import render_json
from briefing.brief.markdown import render_markdown
from briefing.brief.model import Brief, build_brief
from briefing.models import utcnow
from briefing.store import Store

__all__ = ["ExportError", "ExportOptions", "OutputExists", "export", "render"]

FORMATS = ("markdown", "json")


@dataclass(frozen=True, slots=True)
class ExportOptions:
    format: str = "markdown"  # one of FORMATS
    since: date | None = None  # events on or after this day
    until: date | None = None  # events on or before this day
    starred: bool = False  # only starred stories
    story_ids: list[str] = field(default_factory=list)  # only these stories
    template: Path | None = None  # a Jinja2 file replacing the built-in markdown layout


def render(store: Store, options: ExportOptions, generated: datetime | None = None) -> str:
    """The brief as text, without writing anything (the app's preview uses this)."""
    if options.format not in FORMATS:
        raise ExportError(f"unknown format {options.format!r}; use markdown or json")
    if options.template is not None and options.format != "markdown":
        raise ExportError("--template applies to the markdown brief only")
    brief: Brief = build_brief(
        store,
        generated=generated or utcnow(),
        since=options.since,
        until=options.until,
        starred=options.starred,
        story_ids=options.story_ids,
    )
    if options.format == "json":
        return render_json(brief)
    return render_markdown(brief, options.template)


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
    return text
