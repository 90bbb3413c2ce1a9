"""Writing the brief: whole or not at all, only where asked, never through a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefing import atomic
from briefing.brief.export import ExportError, ExportOptions, OutputExists, export
from briefing.store import Store
from tests.brief.conftest import GENERATED


def test_writes_the_returned_text(corpus: Store, tmp_path: Path) -> None:
    out = tmp_path / "out" / "brief.md"
    out.parent.mkdir()
    text = export(corpus, ExportOptions(), output=out, generated=GENERATED)
    assert out.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in out.parent.iterdir()) == ["brief.md"]


def test_no_overwrite_without_force(corpus: Store, tmp_path: Path) -> None:
    out = tmp_path / "brief.md"
    out.write_text("the analyst's own file\n")
    with pytest.raises(OutputExists, match="exists"):
        export(corpus, ExportOptions(), output=out)
    assert out.read_text() == "the analyst's own file\n"
    export(corpus, ExportOptions(format="json"), output=out, force=True, generated=GENERATED)
    assert out.read_text().startswith('{\n  "generated": "2026-11-22T08:00:00Z"')


@pytest.mark.parametrize("force", [False, True])
def test_refuses_a_symlink(corpus: Store, tmp_path: Path, force: bool) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me\n")
    link = tmp_path / "brief.md"
    link.symlink_to(target)
    with pytest.raises(ExportError, match="symbolic link"):
        export(corpus, ExportOptions(), output=link, force=force)
    assert target.read_text() == "keep me\n"
    assert link.is_symlink()


def test_refuses_a_dangling_symlink(corpus: Store, tmp_path: Path) -> None:
    link = tmp_path / "brief.md"
    link.symlink_to(tmp_path / "not-yet")
    with pytest.raises(ExportError, match="symbolic link"):
        export(corpus, ExportOptions(), output=link, force=True)
    assert not (tmp_path / "not-yet").exists()


def test_missing_directory_is_an_error(corpus: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="not a directory"):
        export(corpus, ExportOptions(), output=tmp_path / "nope" / "brief.md")
    assert not (tmp_path / "nope").exists()


def test_directory_as_output(corpus: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="not a regular file"):
        export(corpus, ExportOptions(), output=tmp_path, force=True)


def test_failed_write_leaves_nothing_behind(
    corpus: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "brief.md").write_text("old brief\n")

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(ExportError, match="No space left"):
        export(corpus, ExportOptions(), output=out_dir / "brief.md", force=True)
    monkeypatch.undo()
    assert sorted(p.name for p in out_dir.iterdir()) == ["brief.md"]
    assert (out_dir / "brief.md").read_text() == "old brief\n"


def test_nothing_written_when_rendering_fails(corpus: Store, tmp_path: Path) -> None:
    out = tmp_path / "brief.md"
    with pytest.raises(ExportError):
        export(corpus, ExportOptions(story_ids=["missing"]), output=out)
    bad = tmp_path / "bad.j2"
    bad.write_text("{{ brief.nope }}\n")
    with pytest.raises(ExportError):
        export(corpus, ExportOptions(template=bad), output=out)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("briefing.db")) == [
        "bad.j2"
    ]


def test_relative_output_is_relative_to_cwd(
    corpus: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    export(corpus, ExportOptions(), output=Path("brief.md"))
    assert (work / "brief.md").is_file()
    assert os.listdir(work) == ["brief.md"]
