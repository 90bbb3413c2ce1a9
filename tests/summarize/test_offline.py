"""Summaries work with no network and no NLTK data on the machine.

sumy's default tokenizer needs NLTK's punkt model, a download at run time.
This runs the whole summarizer (all algorithms, and the stage on a real
store) in a fresh interpreter whose NLTK_DATA is an empty directory, whose
NLTK data loader raises, and whose sockets cannot be opened.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, socket, sys

    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")

    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            refuse()

    socket.socket = NoSocket
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    import nltk.data

    def no_data(*args, **kwargs):
        raise LookupError(f"NLTK data requested: {args!r}")

    nltk.data.find = no_data
    nltk.data.load = no_data

    from datetime import date
    from briefing.config import Settings
    from briefing.store import Store
    from briefing.summarize import core, rank, stage
    from tests.factories import ArticleSpec, EventSpec, StorySpec, populate
    from tests.summarize.pages import kaspersky_sources

    out = {}
    for algorithm in rank.ALGORITHMS:
        out[algorithm] = len(core.summarize_event(kaspersky_sources(), algorithm))
    store = Store(sys.argv[1])
    sources = kaspersky_sources()
    populate(store, [StorySpec("k", "Kaspersky", [EventSpec("ban", date(2024, 6, 20), [
        ArticleSpec(s.title, s.outlet, s.published, text=s.text) for s in sources])])])
    report = stage.run(store, Settings())
    out["stage"] = [report.articles, report.events, report.stories]
    print(json.dumps(out))
    """
)


def test_summarize_without_network_or_nltk_data(tmp_path):
    empty = tmp_path / "nltk_data"
    empty.mkdir()
    env = {
        **os.environ,
        "NLTK_DATA": str(empty),
        "HOME": str(tmp_path),  # no ~/nltk_data either
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "db.sqlite3")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for algorithm in ("lexrank", "textrank", "lsa", "luhn", "lead"):
        assert 3 <= result[algorithm] <= 5
    assert result["stage"] == [3, 1, 1]
