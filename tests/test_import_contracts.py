"""Import contracts of the reading layer, checked on the source (every import, lazy ones too).

- the reading layer imports no Textual;
- `brief` and `tui` select stories through `briefing.reading`: neither reads the
  story, triage, article or search tables of the store itself;
- no screen imports the app module or another screen at run time (they talk
  through messages, tui/messages.py); the shared dialogs (modals, picker, mutes) and the
  triage and correction keys (triage, correct) are parts, not screens;
- no import cycles between the CLI and the demo, or between the app and its screens.
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
    assert modules("reading")
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


# Parts the screens share: dialogs, and the triage and correction keys (mixins).
SHARED_PARTS = {
    "briefing.tui.screens.modals",
    "briefing.tui.screens.picker",
    "briefing.tui.screens.mutes",
    "briefing.tui.screens.triage",
    "briefing.tui.screens.correct",
}


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT.parent).with_suffix("")
    return ".".join(relative.parts).removesuffix(".__init__")


def test_screens_do_not_import_the_app_or_each_other() -> None:
    screens = [p for p in modules("tui/screens") if p.name != "__init__.py"]
    names = {module_name(p) for p in screens} - SHARED_PARTS
    for path in screens:
        found = imports(path, runtime_only=True)
        assert "briefing.tui.app" not in found, f"{path.name} imports the app"
        others = {m for m in found if m in names} - {module_name(path)}
        assert not others, f"{path.name} imports the screens {sorted(others)}"


@pytest.mark.parametrize(
    ("first", "second"),
    [("cli", "demo"), *[("tui/app", f"tui/screens/{p.stem}") for p in modules("tui/screens")]],
)
def test_no_import_cycle(first: str, second: str) -> None:
    a, b = ROOT / f"{first}.py", ROOT / f"{second}.py"
    a_uses_b = module_name(b) in imports(a, runtime_only=True)
    b_uses_a = module_name(a) in imports(b, runtime_only=True)
    assert not (a_uses_b and b_uses_a), f"{first} and {second} import each other"


def test_every_error_has_the_one_base_class() -> None:
    import importlib
    import pkgutil

    from briefing.errors import BriefingError

    found = []
    for info in pkgutil.walk_packages(briefing.__path__, "briefing."):
        if info.name.startswith(("briefing.tui", "briefing.__main__")):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Exception)
                and value.__module__ == module.__name__
                and not value.__name__.startswith("_")
            ):
                found.append(value)
                assert issubclass(value, BriefingError), f"{value.__module__}.{value.__name__}"
    assert len(found) >= 10
