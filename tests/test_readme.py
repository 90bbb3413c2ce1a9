"""The README's promises: the quick start and the key table stay true."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import briefing.tui

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _binding_ids() -> set[str]:
    ids: set[str] = set()
    for info in pkgutil.walk_packages(briefing.tui.__path__, "briefing.tui."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            for binding in getattr(value, "BINDINGS", []) or []:
                if getattr(binding, "id", None) and str(binding.id).startswith("briefing."):
                    ids.add(binding.id)
    return ids


def test_every_rebindable_action_is_in_the_readme_key_table() -> None:
    ids = _binding_ids()
    assert len(ids) >= 25
    missing = sorted(i for i in ids if f"`{i}`" not in README)
    assert missing == []


def test_the_quick_start_is_two_commands_and_ci_runs_the_same_tests() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(?:#[^\n]*\n)?([^\n]+)\n```", quick)
    assert len(commands) == 2
    assert commands[0].endswith("briefing demo")
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
