"""`briefing demo`: the bundled corpus, served on 127.0.0.1, through the real pipeline.

The demo feeds link to `__BASE__/pages/...`; the server fills in its own
address when it serves a feed, so the real fetcher, extractor, clusterer and
summarizer run exactly as they would on the internet, without touching it.
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from briefing.config import Paths, Settings
from briefing.reading import session
from briefing.store import Store
from briefing.store import feeds as feed_store

PLACEHOLDER = b"__BASE__"
# Set in a home the demo filled, so `briefing demo --home DIR` reopens it rather
# than mixing the demo into someone's real feeds.
DEMO_KEY = "demo_home"


def demo_dir() -> Path:
    return Path(str(resources.files("briefing.data").joinpath("demo")))


class _DemoServer(ThreadingHTTPServer):
    base_url = ""


class _DemoHandler(SimpleHTTPRequestHandler):
    server: _DemoServer

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.suffix != ".xml" or not path.is_file():
            return super().send_head()
        body = path.read_bytes().replace(PLACEHOLDER, self.server.base_url.encode())
        self.send_response(200)
        self.send_header("Content-Type", "application/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the demo should not scribble over the terminal


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on an ephemeral 127.0.0.1 port; yields the base URL."""
    handler = partial(_DemoHandler, directory=str(directory))
    server = _DemoServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    server.base_url = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def add_demo_feeds(store: Store, base: str, directory: Path) -> int:
    count = 0
    for path in sorted((directory / "feeds").glob("*.xml")):
        feed_store.add(store, f"{base}/feeds/{path.name}", "", "Demo")
        count += 1
    return count


def prepare_demo(home: Path, base: str, settings: Settings | None = None) -> Store:
    """Add the demo feeds to a fresh home and run the whole pipeline once."""
    from briefing.cli_fetch import run_cli

    paths = Paths.resolve(home).ensure()
    store = Store(paths.database)
    add_demo_feeds(store, base, demo_dir())
    session.mark_first_run_done(store)  # the demo never asks about default feeds
    run_cli(store, settings or Settings())
    return store


def run_demo(home: Path | None = None, keep: bool = False) -> int:
    """Open the app on the demo; with `keep`, the home stays and opens offline next time."""
    from briefing.tui.app import make_app

    if home is not None and _has_feeds(home):
        return _reopen(home)
    home = home or Path(tempfile.mkdtemp(prefix="briefing-demo-"))
    try:
        with serve(demo_dir()) as base:
            print(f"briefing demo: serving the demo feeds on {base}", file=sys.stderr)
            settings = Settings()
            store = prepare_demo(home, base, settings)
            store.set_meta(DEMO_KEY, "1")
            # The app's refresh fetches the same local feeds again (all 304s).
            make_app(store, settings, Paths.resolve(home)).run()
    finally:
        if keep:
            print(f"briefing demo: kept {home}; `briefing --home {home}` opens it", file=sys.stderr)
        else:
            shutil.rmtree(home, ignore_errors=True)
    return 0


def _has_feeds(home: Path) -> bool:
    paths = Paths.resolve(home)
    if not paths.database.exists():
        return False
    store = Store(paths.database)
    try:
        return bool(feed_store.all_feeds(store))
    finally:
        store.close()


def _reopen(home: Path) -> int:
    """A kept demo home opens as it is: the articles' text is stored, no server needed."""
    from briefing.tui.app import make_app

    paths = Paths.resolve(home)
    store = Store(paths.database)
    if not store.get_meta(DEMO_KEY):
        store.close()
        print(
            f"briefing: {home} already has your feeds; the demo needs a new home", file=sys.stderr
        )
        return 1
    make_app(store, Settings.load(paths.settings_file), paths).run()
    return 0
