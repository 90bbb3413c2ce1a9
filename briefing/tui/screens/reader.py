"""The reader: one article's full text, wrapped, with the summary's sentences highlighted."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from briefing.models import Article, Story, TriageState
from briefing.reading import stories as reading
from briefing.tui.messages import (
    ArticleRead,
    ArticleShown,
    GroupingChanged,
    StoryShown,
    UnreadWanted,
)
from briefing.tui.screens.correct import READER_BINDINGS, CorrectionActions
from briefing.tui.screens.triage import TRIAGE_BINDINGS, TriageActions, bind
from briefing.tui.text import count, highlight_sentences, line, link, plain, stamp
from briefing.tui.widgets import KeyFooter, StatusBar

if TYPE_CHECKING:
    from briefing.tui.app import BriefingApp

HIGHLIGHT = "bold reverse"
_PARAGRAPHS = re.compile(r"\n\s*\n|\n")
_END = re.compile(r"[.!?:;…\"'”’)\]]$")


def is_heading(paragraph: str, position: int, total: int) -> bool:
    """Extracted text has no markup; a short line without final punctuation reads as a heading."""
    return position < total - 1 and len(paragraph) <= 80 and not _END.search(paragraph)


def paragraphs(article: Article) -> list[str]:
    """The body's paragraphs without page clutter ("Read more: ...") or a repeat of the title."""
    from briefing.boilerplate import is_page_clutter, repeats_headline
    from briefing.sanitize import clean

    found = [p.strip() for p in _PARAGRAPHS.split(clean(article.body, "text")) if p.strip()]
    if found and repeats_headline(found[0], article.title):
        found = found[1:]
    return [p for p in found if not is_page_clutter(p)]


def body_text(article: Article) -> Text:
    """Paragraphs separated by blank lines, headings in bold; untrusted text stays text."""
    cleaned = Text()
    if not article.body:
        return Text("No text was extracted for this article.", style="italic dim")
    shown = paragraphs(article)
    for n, paragraph in enumerate(shown):
        if n:
            cleaned.append("\n\n")
        style = "bold underline" if is_heading(paragraph, n, len(shown)) else ""
        cleaned.append(" ".join(paragraph.split()), style=style)
    return cleaned


class ReaderScreen(TriageActions, CorrectionActions, Screen[None]):
    app: BriefingApp

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("escape,q", "back", "Back", "Back to the story", show=True),
        Binding("j", "scroll('down')", "Down", show=False, id="reader.down", tooltip="Scroll down"),
        Binding("k", "scroll('up')", "Up", show=False, id="reader.up", tooltip="Scroll up"),
        Binding(
            "space", "scroll('page')", "Page", show=False, id="reader.page", tooltip="Page down"
        ),
        bind(
            "n",
            "next_article",
            "Next",
            "The story's next article; after its last, the next unread story",
            show=True,
        ),
        bind(
            "p",
            "previous_article",
            "Prev",
            "The story's previous article; before its first, the previous unread story",
        ),
        *TRIAGE_BINDINGS,
        *READER_BINDINGS,
    ]

    def __init__(self, article_id: int, story_id: str, order: list[int] | None = None) -> None:
        super().__init__(id="reader")
        self.article_id = article_id
        self.story_id = story_id
        self.order = order or [article_id]
        self.article: Article | None = None
        self._moving: int | None = None  # asked for the next (1) or previous (-1) story

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="reader-scroll"):
            yield Static(id="reader-header", markup=False)
            yield Static(id="reader-body", markup=False)
        yield StatusBar()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show(self.article_id)
        self.query_one("#reader-scroll").focus()

    def show(self, article_id: int) -> None:
        store = self.app.store
        article = reading.article(store, article_id)
        self.article_id = article_id
        self.article = article
        header = self.query_one("#reader-header", Static)
        body = self.query_one("#reader-body", Static)
        if article is None:
            header.update(Text("This article is gone."))
            body.update("")
            return
        text = Text()
        text.append_text(line(article.title, style="bold"))
        text.append("\n")
        text.append_text(line(article.outlet or "unknown outlet", "outlet", style="bold cyan"))
        text.append(f" · {stamp(article.published)}", style="dim")
        if article.author:
            text.append(" · ")
            text.append_text(line(article.author, "author", style="dim"))
        url = link(article.url)
        text.append("\n")
        text.append(url or "(no web link)", style="dim underline" if url else "dim")
        if article.duplicate_of is not None:
            text.append("\n(a copy of another outlet's report)", style="dim italic")
        header.update(text)
        content = body_text(article)
        found = highlight_sentences(content, reading.article_summary(store, article), HIGHLIGHT)
        body.update(content)
        if not article.read:
            reading.mark_article_read(store, article_id)
            article.read = True
            self.app.post_message(ArticleRead(article_id))
        # the story screen below follows n/p, so back lands where reading stopped
        self.app.post_message(ArticleShown(article_id))
        position = self.order.index(article_id) + 1 if article_id in self.order else 0
        status = Text(f"article {position} of {len(self.order)}", style="bold")
        if found:
            status.append(f" · {count(found, 'summary sentence')} highlighted", style="dim")
        self.query_one(StatusBar).set_text(status)
        self.query_one("#reader-scroll", VerticalScroll).scroll_home(animate=False)

    def action_scroll(self, where: str) -> None:
        scroll = self.query_one("#reader-scroll", VerticalScroll)
        if where == "down":
            scroll.scroll_down(animate=False)
        elif where == "up":
            scroll.scroll_up(animate=False)
        else:
            scroll.scroll_page_down(animate=False)

    def _step(self, step: int) -> None:
        if self.article_id not in self.order:
            return
        index = self.order.index(self.article_id) + step
        if 0 <= index < len(self.order):
            self.show(self.order[index])
            return
        # past the story's end, like newsboat: on to the next (or previous) unread story;
        # the list answers through the story screen below (StoryShown)
        self._moving = step
        self.app.post_message(UnreadWanted(self.story_id, step))

    @on(StoryShown)
    def _story_shown(self, message: StoryShown) -> None:
        step, self._moving = self._moving, None
        if step is None or message.story_id == self.story_id:
            return
        self.story_id, self.order = message.story_id, message.order
        if self.order:
            self.show(self.order[0] if step > 0 else self.order[-1])
            story = reading.story(self.app.store, self.story_id)
            title = plain(story.title) if story else ""
            self.app.notify(f"Next story: {title}", markup=False, timeout=3)

    def action_next_article(self) -> None:
        self._step(1)

    def action_previous_article(self) -> None:
        self._step(-1)

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- triage on the article's story -------------------------------------

    # -- corrections ------------------------------------------------------------

    def correction_story(self) -> Story | None:
        return reading.story(self.app.store, self.story_id)

    def correction_article(self) -> Article | None:
        return reading.article(self.app.store, self.article_id)

    @on(GroupingChanged)
    def _grouping_changed(self) -> None:
        """The article may have moved to another story: triage keys follow it there."""
        article = reading.article(self.app.store, self.article_id)
        event = (
            reading.event(self.app.store, article.event_id)
            if article and article.event_id
            else None
        )
        if event is not None and event.story_id:
            self.story_id = event.story_id

    def triage_target(self) -> tuple[Story, TriageState] | None:
        story = reading.story(self.app.store, self.story_id)
        return (story, self.app.triage.get(self.story_id)) if story else None

    def action_open_link(self) -> None:
        self.app.open_link(self.article.url if self.article else None)

    def action_copy_link(self) -> None:
        self.app.copy_link(self.article.url if self.article else None)

    def action_export(self) -> None:
        self.app.start_export(self.story_id, [self.story_id])
