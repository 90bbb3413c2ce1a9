"""The effective keymap: every screen's keys after settings.toml's [keymap], and its problems.

Textual applies a keymap silently: a key given to one binding is taken from
whichever binding had it, and an id that matches nothing is ignored. This
module replays the same `apply_keymap` on each screen's binding chain (the
app, the screen, the widget that has focus there) so the app can warn at start
and `briefing keys` can print what is really bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode


@dataclass(frozen=True, slots=True)
class Chain:
    name: str
    nodes: tuple[type[DOMNode], ...]  # the app first, the focused widget last


def chains() -> list[Chain]:
    from briefing.tui.app import BriefingApp
    from briefing.tui.screens.briefing import BriefingScreen
    from briefing.tui.screens.feeds import FeedsScreen, FeedTable
    from briefing.tui.screens.reader import ReaderScreen
    from briefing.tui.screens.story import KeyList, StoryScreen
    from briefing.tui.storylist import StoryList

    return [
        Chain("briefing", (BriefingApp, BriefingScreen, StoryList)),
        Chain("story", (BriefingApp, StoryScreen, KeyList)),
        Chain("reader", (BriefingApp, ReaderScreen)),
        Chain("feeds", (BriefingApp, FeedsScreen, FeedTable)),
    ]


def _normalized(keymap: dict[str, str]) -> dict[str, str]:
    return dict(App._normalize_keymap(keymap))


def _applied(node: type[DOMNode], keymap: dict[str, str]) -> tuple[BindingsMap, list[Binding]]:
    """The node's bindings after the keymap, and the bindings that lost every key to it.

    Textual's own clash report misses a key taken from a binding the keymap does
    not mention, so the loss is read off the result instead.
    """
    before = list(node._merge_bindings())
    bindings = node._merge_bindings()
    bindings.apply_keymap(keymap)
    after = {b.id for _k, b in bindings}
    lost: dict[str, Binding] = {}
    for _key, binding in before:
        if binding.id and binding.id not in after and binding.id not in keymap:
            lost.setdefault(binding.id, binding)
    return bindings, list(lost.values())


def _modals() -> tuple[type[DOMNode], ...]:
    from briefing.tui.screens.export import ExportModal
    from briefing.tui.screens.help import HelpScreen
    from briefing.tui.screens.modals import ConfirmModal, FilterModal, InputModal, NoteModal

    return (ExportModal, HelpScreen, ConfirmModal, FilterModal, InputModal, NoteModal)


def _known_ids() -> set[str]:
    ids: set[str] = set()
    nodes = [node for chain in chains() for node in chain.nodes] + list(_modals())
    for node in nodes:
        ids.update(b.id for _k, b in node._merge_bindings() if b.id)
    return ids


def check_keymap(keymap: dict[str, str]) -> list[str]:
    """Warnings, one line each: ids that match no binding, keys taken from another binding."""
    if not keymap:
        return []
    normal = _normalized(keymap)
    known = _known_ids()
    out = [
        f'keymap: "{bid}" is not a binding id (`briefing keys` lists them)'
        for bid in keymap
        if bid not in known
    ]
    seen: set[str] = set()
    for chain in chains():
        keys: dict[str, list[Binding]] = {}
        for node in chain.nodes:
            bindings, clashed = _applied(node, normal)
            for lost in clashed:
                out.append(_taken(chain.name, lost, normal, seen))
            for key, found in bindings.key_to_bindings.items():
                keys.setdefault(key, []).extend(b for b in found if b.id)
        for key, found in keys.items():
            ids = {b.id for b in found}
            rebound = [b for b in found if b.id in normal]
            if len(ids) > 1 and rebound:
                # the focused widget is asked first: the earlier binding never fires
                winner = found[-1]
                for loser in found[:-1]:
                    if loser.id != winner.id:
                        out.append(_shadowed(chain.name, key, loser, winner, seen))
    return [line for line in out if line]


def _taken(screen: str, lost: Binding, keymap: dict[str, str], seen: set[str]) -> str:
    takers = [bid for bid, keys in keymap.items() if lost.key in keys.split(",")]
    line = (
        f'keymap: "{takers[0] if takers else "?"}" = "{lost.key}" takes {lost.key} from '
        f'"{lost.id}" ({lost.description}) on the {screen} screen'
    )
    if line in seen:
        return ""
    seen.add(line)
    return line


def _shadowed(screen: str, key: str, loser: Binding, winner: Binding, seen: set[str]) -> str:
    line = (
        f'keymap: {key} on the {screen} screen does "{winner.id}" ({winner.description}), '
        f'so "{loser.id}" ({loser.description}) never gets it'
    )
    if line in seen:
        return ""
    seen.add(line)
    return line


def effective_keys(keymap: dict[str, str]) -> dict[str, list[tuple[str, str, str]]]:
    """Per screen: (keys, binding id, description) after the keymap, in binding order."""
    normal = _normalized(keymap)
    out: dict[str, list[tuple[str, str, str]]] = {}
    for chain in chains():
        rows: dict[str, tuple[list[str], str]] = {}
        for node in reversed(chain.nodes):
            bindings, _clashed = _applied(node, normal)
            for key, binding in bindings:
                if binding.id is None or binding.system or not binding.description:
                    continue
                keys, _d = rows.setdefault(binding.id, ([], binding.description))
                if key not in keys:
                    keys.append(key)
        out[chain.name] = [(",".join(k), bid, d) for bid, (k, d) in rows.items()]
    return out
