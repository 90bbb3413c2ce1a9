"""Import contracts of the reading layer, checked on the source (every import, lazy ones too).

- the reading layer imports no Textual;
- `brief` and `tui` select stories through `briefing.reading`: neither reads the
  story, triage, article or search tables of the store itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import briefing

ROOT = Path(briefing.__file__).parent
# The store modules that hold what the reading layer owns the rules for.
STORY_TABLES = {
    "briefing.store.clusters",
    "briefing.store.triage",
    "briefing.store.articles",
    "briefing.store.search",
}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imports(path: Path, runtime_only: bool = False) -> set[str]:
    """Every module a file imports; `runtime_only` skips `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_the_reading_layer_imports_no_textual() -> None:
    for path in modules("reading"):
        bad = {m for m in imports(path) if m == "textual" or m.startswith(("textual.", "rich"))}
        assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("package", ["brief", "tui"])
def test_front_ends_select_stories_through_the_reading_layer(package: str) -> None:
    users = []
    for path in modules(package):
        found = imports(path)
        bad = found & STORY_TABLES
        assert not bad, f"{package}/{path.name} reads {sorted(bad)} around briefing.reading"
        if any(m.startswith("briefing.reading") for m in found):
            users.append(path.name)
    assert users, f"nothing in {package} reads through briefing.reading"
