"""The story list: a virtual list that draws only the rows on screen.

A DataTable builds and measures every cell up front (seconds for 5,000
stories); this list keeps the items and renders a row only when it is
visible, so opening, filtering and moving stay fast on a large archive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from briefing.reading.stories import Item


class StoryList(ScrollView, can_focus=True):
    """Rows drawn by `render_row(item, width)`; one cursor; j/k and arrows move it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"storylist--cursor"}
    DEFAULT_CSS = """
    StoryList { height: 1fr; }
    StoryList > .storylist--cursor { background: $block-cursor-blurred-background; }
    StoryList:focus > .storylist--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "down,j",
            "cursor_down",
            "Down",
            show=False,
            id="briefing.down",
            tooltip="Next story (also ↓)",
        ),
        Binding(
            "up,k",
            "cursor_up",
            "Up",
            show=False,
            id="briefing.up",
            tooltip="Previous story (also ↑)",
        ),
        Binding(
            "pagedown",
            "page_down",
            "Page down",
            show=False,
            id="list.page_down",
            tooltip="One screen down",
        ),
        Binding(
            "pageup", "page_up", "Page up", show=False, id="list.page_up", tooltip="One screen up"
        ),
        Binding("home", "first", "First", show=False, id="list.first", tooltip="The first story"),
        Binding("end", "last", "Last", show=False, id="list.last", tooltip="The last story"),
        Binding(
            "enter",
            "select",
            "Open",
            show=True,  # in the footer: the first thing a new user needs
            id="briefing.open",
            tooltip="Open the story's timeline",
        ),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class Selected(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, render_row: Callable[[Item, int], Text], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.render_row = render_row
        self.items: list[Item] = []
        self._cache: dict[tuple[int, int, bool], Strip] = {}

    # -- data ---------------------------------------------------------------

    def set_items(self, items: list[Item], cursor: int = 0) -> None:
        self.items = items
        self._cache.clear()
        self.virtual_size = Size(self.size.width, len(items))
        self.set_reactive(StoryList.cursor_row, self._clamp(cursor))
        self.refresh()
        self.call_after_refresh(self._scroll_to_cursor)
        self.post_message(self.Highlighted(self.cursor_row))

    def refresh_item(self, index: int) -> None:
        """Redraw one row (its item changed in place)."""
        self._cache = {k: v for k, v in self._cache.items() if k[0] != index}
        self._refresh_index(index)

    def move_cursor(self, row: int, animate: bool = False) -> None:
        del animate
        self.cursor_row = row

    def _clamp(self, index: int) -> int:
        return max(0, min(index, len(self.items) - 1)) if self.items else 0

    def validate_cursor_row(self, value: int) -> int:
        return self._clamp(value)

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_index(old)
        self._refresh_index(new)
        self._scroll_to_cursor()
        if self.items:
            self.post_message(self.Highlighted(new))

    def _refresh_index(self, index: int) -> None:
        y = index - self.scroll_offset.y
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _scroll_to_cursor(self) -> None:
        top = self.scroll_offset.y
        height = max(1, self.scrollable_content_region.height)
        row = self.cursor_row
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    # -- drawing ------------------------------------------------------------

    def on_resize(self) -> None:
        self._cache.clear()
        self.virtual_size = Size(self.size.width, len(self.items))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not 0 <= index < len(self.items):
            return Strip.blank(width, base)
        is_cursor = index == self.cursor_row
        key = (index, width, is_cursor)
        strip = self._cache.get(key)
        if strip is None:
            text = self.render_row(self.items[index], width)
            if is_cursor and text.plain.startswith(" "):
                # the first column is the cursor's gutter (render_row leaves it
                # blank): a mark that shows without colour too
                text = Text.assemble(("▶", "bold"), text[1:])
            text.truncate(width, overflow="ellipsis", pad=True)
            segments = list(text.render(self.app.console))
            style: Style = base
            if is_cursor:
                style = base + self.get_component_rich_style("storylist--cursor")
            strip = Strip(Segment.apply_style(segments, style), width).crop_extend(0, width, style)
            if len(self._cache) > 500:
                self._cache.clear()
            self._cache[key] = strip
        return strip

    # -- actions ------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_page_down(self) -> None:
        self.cursor_row += max(1, self.scrollable_content_region.height - 1)

    def action_page_up(self) -> None:
        self.cursor_row -= max(1, self.scrollable_content_region.height - 1)

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self.items) - 1

    def action_select(self) -> None:
        if self.items:
            self.post_message(self.Selected(self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        index = event.y + self.scroll_offset.y
        if not 0 <= index < len(self.items):
            return
        if index == self.cursor_row and event.chain >= 2:
            self.post_message(self.Selected(index))
        self.cursor_row = index
