"""The core runs without Textual: `briefing fetch` and `export` are headless."""

from __future__ import annotations

import subprocess
import sys

import pytest


def printed(code: str) -> str:
    """What `code` prints in a fresh interpreter: no module loaded before it."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


HEADLESS = [
    "briefing.cli",
    "briefing.config",
    "briefing.models",
    "briefing.store",
    "briefing.store.clusters",
    "briefing.store.triage",
    "briefing.fetch.opml",
    "briefing.demo",
    "briefing.pipeline",
    "briefing.cli_fetch",
    "briefing.fetch.feed",
    "briefing.cluster.stage",
    "briefing.summarize.stage",
    "briefing.brief.export",
    "briefing.entities",
    "briefing.entity_stage",
    "briefing.watching",
]


def test_headless_modules_do_not_import_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {HEADLESS!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    assert printed(code) == ""


def test_store_imports_only_models() -> None:
    code = (
        "import sys, tempfile, pathlib\n"
        "import briefing.store, briefing.store.clusters, briefing.store.triage\n"
        # an upgrade also reads the page-clutter rules, a leaf that imports nothing of ours
        "briefing.store.Store(pathlib.Path(tempfile.mkdtemp()) / 'db.sqlite3').close()\n"
        "import briefing.store.articles, briefing.store.feeds, briefing.store.search\n"
        "bad = sorted(m for m in sys.modules if m.startswith('briefing.')\n"
        "             and not m.startswith(('briefing.store', 'briefing.models',\n"
        "                                   'briefing.errors', 'briefing.boilerplate')))\n"
        "print(','.join(bad))\n"
    )
    assert printed(code) == ""


# What the stages may share; each stage's own package is allowed too.
SHARED = (
    "briefing.store",
    "briefing.models",
    "briefing.sanitize",
    # the clutter of news pages: dropped from page text, kept out of summaries
    "briefing.boilerplate",
    "briefing.config",
    "briefing.atomic",
    "briefing.urls",
    # one entity extractor, and watch/mute matching, for every stage and front end
    "briefing.entities",
    "briefing.watching",
    "briefing.errors",
)


# Besides the shared core: the brief reads stories through the reading layer.
EXTRA = {"brief": ("briefing.reading",)}


@pytest.mark.parametrize("stage", ["fetch", "cluster", "summarize", "brief", "reading"])
def test_stages_use_the_shared_core_never_each_other(stage: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"package = importlib.import_module('briefing.{stage}')\n"
        "for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        f"allowed = {(*SHARED, *EXTRA.get(stage, ()), f'briefing.{stage}')!r}\n"
        "bad = sorted(m for m in sys.modules if m.startswith('briefing.')\n"
        "             and not any(m == a or m.startswith(a + '.') for a in allowed))\n"
        "print(','.join(bad))\n"
    )
    assert printed(code) == ""


def test_the_clustering_stage_loads_neither_scikit_learn_nor_datasketch() -> None:
    # each costs tens of MB and most of a second per run; the stage needs only
    # numpy and scipy.sparse (datasketch's LSH is imported for huge windows only)
    code = (
        "import sys\n"
        "import briefing.cluster.stage, briefing.cluster.core\n"
        "heavy = ('sklearn', 'datasketch', 'scipy.integrate')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy)\n"
        "print(','.join(bad))\n"
    )
    assert printed(code) == ""
