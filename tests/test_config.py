from __future__ import annotations

from pathlib import Path

import pytest

from briefing.config import ConfigError, Paths, Settings


def test_home_argument_beats_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "env"))
    assert (
        Paths.resolve(tmp_path / "arg").database == tmp_path / "arg" / "data" / "briefing.sqlite3"
    )
    assert Paths.resolve().config_dir == tmp_path / "env" / "config"


def test_settings_from_file_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('theme = "textual-light"\nmax_per_host = 2\n[keymap]\n"briefing.star" = "S"\n')
    settings = Settings.load(path, environ={"BRIEFING_READ_TIMEOUT": "3.5"})
    assert settings.theme == "textual-light"
    assert settings.max_per_host == 2
    assert settings.read_timeout == 3.5
    assert settings.keymap == {"briefing.star": "S"}


def test_missing_settings_file_gives_defaults(tmp_path: Path) -> None:
    assert Settings.load(tmp_path / "none.toml", environ={}) == Settings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("theme = \n", "line 1"),
        ("sort = 'recent'\nmax_connections = 'many'\n", "max_connections should be int"),
        ("colour = 'red'\n", "unknown setting 'colour'"),
        ("extract_full_text = 1\n", "extract_full_text should be bool"),
        ("[keymap]\n'briefing.star' = 5\n", "keymap should be dict"),
        ("summarizer = 'gpt'\n", "summarizer should be one of"),
        ("sort = 'random'\n", "sort should be one of"),
    ],
)
def test_malformed_settings_are_errors_not_resets(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        Settings.load(path, environ={})


def test_bad_environment_value_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="BRIEFING_MAX_PER_HOST"):
        Settings.load(tmp_path / "none.toml", environ={"BRIEFING_MAX_PER_HOST": "lots"})


def test_settings_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"theme = '\xff\xfe'\n")
    with pytest.raises(ConfigError, match="UTF-8"):
        Settings.load(path, environ={})


def test_summarizer_choices_are_the_summarize_package_algorithms() -> None:
    from briefing.config import CHOICES
    from briefing.summarize.rank import ALGORITHMS

    assert set(CHOICES["summarizer"]) == {"", *ALGORITHMS}
