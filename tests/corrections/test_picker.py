"""The picker on its own, under Pilot: narrowing, order, enter, escape."""

from __future__ import annotations

from textual.app import App

from briefing.tui.screens.picker import Choice, PickerModal

CHOICES = [
    Choice("aaaa11112222", "Ransomware hits a children's hospital", "0.61"),
    Choice("bbbb11112222", "Hospital diverts ambulances after attack", "0.44"),
    Choice("cccc11112222", "Commerce bans Kaspersky software", "0.02"),
]


class Host(App[None]):
    CSS_PATH = "../../briefing/tui/app.tcss"

    def __init__(self) -> None:
        super().__init__()
        self.picked: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(PickerModal("Merge into…", CHOICES), self.picked.append)


async def test_typing_narrows_and_enter_takes_the_first_left() -> None:
    app = Host()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PickerModal)
        assert [c.id for c in screen.shown] == [c.id for c in CHOICES]  # caller's order kept
        await pilot.press(*"hospital")
        assert [c.id for c in screen.shown] == ["aaaa11112222", "bbbb11112222"]
        await pilot.press("down", "enter")
    assert app.picked == ["bbbb11112222"]


async def test_ids_match_too_and_escape_picks_nothing() -> None:
    app = Host()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press(*"cccc")
        assert [c.id for c in app.screen.shown] == ["cccc11112222"]  # type: ignore[attr-defined]
        await pilot.press("escape")
    assert app.picked == [None]


async def test_enter_with_nothing_left_keeps_the_picker_open() -> None:
    app = Host()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press(*"zzzz", "enter")
        assert isinstance(app.screen, PickerModal)
        await pilot.press("escape")
    assert app.picked == [None]
