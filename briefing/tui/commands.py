"""The command palette offers every key of the current screen as a command."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenActions(Provider):
    """The active screen's bindings (the same list the help screen shows)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        screen = self.screen
        seen: set[str] = set()
        out: list[tuple[str, str, Callable[[], Any]]] = []
        for active in screen.active_bindings.values():
            binding = active.binding
            name = binding.id or binding.action
            if binding.system or not binding.description or name in seen:
                continue
            seen.add(name)
            key = binding.key_display or self.app.get_key_display(binding)
            run = partial(self.app.run_action, binding.action, active.node)
            out.append((binding.description, f"{binding.tooltip} ({key})", run))
        return out

    async def discover(self) -> Hits:
        for name, help_text, run in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
