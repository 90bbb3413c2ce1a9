"""Screen messages: a broadcast copy never climbs back to the app (which would pass it on again)."""

from __future__ import annotations

from briefing.tui import messages


def test_no_broadcast_bubbles_and_each_copies_itself() -> None:
    kinds = [
        v
        for v in vars(messages).values()
        if isinstance(v, type)
        and issubclass(v, messages.Broadcast)
        and not v.__name__.startswith("_")
    ]
    assert len(kinds) >= 7
    for kind in kinds:
        assert kind.bubble is False, kind.__name__
    shown = messages.ArticleShown(7).copy()
    assert isinstance(shown, messages.ArticleShown) and shown.article_id == 7
    wanted = messages.UnreadWanted("s1", -1).copy()
    assert (wanted.story_id, wanted.step) == ("s1", -1)
