"""Getting the news in: HTTP, feed parsing and normalization, full text, OPML."""

import sys
import types


def _without_httpx_command_line() -> None:
    """Keep httpx from importing its command-line client along with the library.

    `import httpx` also imports `httpx._main` (rich, click and pygments, when
    installed, as they are beside Textual): about a third of the start-up of
    a refresh where every feed answers 304, for a command briefing never runs.
    """
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    stub = types.ModuleType("httpx._main", "httpx's command line: not loaded inside briefing")

    def main() -> None:
        raise SystemExit("httpx's command line is not available inside briefing")

    stub.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stub


_without_httpx_command_line()
