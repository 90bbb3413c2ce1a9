"""`briefing --home DIR export ...` end to end, through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.cli import EXIT_ERROR, EXIT_OK, main
from briefing.config import Paths
from briefing.store import Store
from tests.brief.conftest import build_corpus


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    paths = Paths.resolve(str(home)).ensure()
    build_corpus(paths.database).close()
    return home


def run(home: Path, *args: str) -> int:
    return main(["--home", str(home), "export", *args])


def test_markdown_to_stdout(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("# Brief — ")
    assert "\nCovers 2017-09-13 to 2024-10-10 · 5 stories" in out
    assert "## US actions against Kaspersky" in out


def test_json_with_filters(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        home, "--format", "json", "--since", "2024-06-01", "--until", "2024-06-30", "--starred"
    )
    assert code == EXIT_OK
    doc = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in doc["stories"]] == ["us-kaspersky"]
    assert [e["date"] for e in doc["stories"][0]["events"]] == ["2024-06-20"]


def test_story_options(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        home, "--format", "json", "--story", "hospital-ransomware", "--story", "vendor-webinar"
    )
    assert code == EXIT_OK
    doc = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in doc["stories"]] == ["vendor-webinar", "hospital-ransomware"]


def test_unknown_story_exits_with_error(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "--story", "nope") == EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "briefing: no story with id nope" in captured.err


def test_output_file_and_force(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "brief.md"
    assert run(home, "-o", str(out)) == EXIT_OK
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"wrote {out}" in captured.err
    first = out.read_text(encoding="utf-8")
    assert first.startswith("# Brief")

    assert run(home, "--format", "json", "-o", str(out)) == EXIT_ERROR
    assert "exists; use --force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == first

    assert run(home, "--format", "json", "-o", str(out), "--force") == EXIT_OK
    assert json.loads(out.read_text(encoding="utf-8"))["stories"]


def test_symlink_output_refused(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "target.md"
    target.write_text("mine\n")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    assert run(home, "-o", str(link), "--force") == EXIT_ERROR
    assert "symbolic link" in capsys.readouterr().err
    assert target.read_text() == "mine\n"


def test_template_option(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "t.md.j2"
    template.write_text("{% for s in brief.stories %}{{ s.id }}\n{% endfor %}")
    assert run(home, "--starred", "--template", str(template)) == EXIT_OK
    assert capsys.readouterr().out == "us-kaspersky\n"
    template.write_text("{% if %}")
    assert run(home, "--template", str(template)) == EXIT_ERROR
    assert f"template {template}, line 1" in capsys.readouterr().err


def test_bad_date_is_a_usage_error(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run(home, "--since", "last tuesday")
    assert exc.value.code == 2
    assert "--since" in capsys.readouterr().err


def test_store_untouched_by_export(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = Paths.resolve(str(home))
    store = Store(paths.database)
    before = store.query("SELECT COUNT(*) FROM articles")[0][0]
    store.close()
    assert run(home, "--format", "json") == EXIT_OK
    doc = json.loads(capsys.readouterr().out)
    count = sum(len(e["articles"]) for s in doc["stories"] for e in s["events"])
    assert count == before
