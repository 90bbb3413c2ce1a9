"""Where briefing keeps its files, and the user's settings.

One module owns the paths: `--home DIR` (or `BRIEFING_HOME`) puts config,
database and cache under DIR; otherwise the platformdirs locations are used.
Settings are read from `settings.toml` in the config directory; environment
variables `BRIEFING_<FIELD>` override them; a malformed file is an error that
names the line, never a silent reset.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from briefing.errors import BriefingError

APP_NAME = "briefing"


# Settings that take one of a few words. The summarizer names are checked
# against the summarize package's own list by a test.
CHOICES: dict[str, tuple[str, ...]] = {
    "summarizer": ("", "lexrank", "textrank", "lsa", "luhn", "lead"),
    "sort": ("recent", "coverage", "category"),
}


# The largest value each limit accepts: beyond these a limit is as good as
# switched off (a 1e300 s deadline lets a server drip forever, a 10^20-byte
# cap lets one fill the disk), which is what refusing inf and nan is for.
MAXIMA: dict[str, float] = {
    "connect_timeout": 300,
    "read_timeout": 600,
    "request_deadline": 3_600,
    "max_connections": 512,
    "max_per_host": 64,
    "max_response_bytes": 1_000_000_000,
}


class ConfigError(BriefingError):
    """The settings file or the environment is not what briefing can use."""


@dataclass(frozen=True, slots=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> Paths:
        home = home or os.environ.get("BRIEFING_HOME") or None
        if home:
            base = Path(home).expanduser().resolve()
            return cls(base / "config", base / "data", base / "cache")
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME)),
            Path(platformdirs.user_data_dir(APP_NAME)),
            Path(platformdirs.user_cache_dir(APP_NAME)),
        )

    @property
    def database(self) -> Path:
        return self.data_dir / "briefing.sqlite3"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    def ensure(self) -> Paths:
        for path in (self.config_dir, self.data_dir, self.cache_dir):
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                # BRIEFING_HOME=/dev/null, a file in the way, a read-only parent.
                raise ConfigError(f"cannot use {path} as a directory: {exc.strerror}") from exc
        return self


@dataclass(frozen=True, slots=True)
class Settings:
    """Every field can be set in settings.toml or as BRIEFING_<NAME> in the environment."""

    # Seconds to wait to connect to a feed's host.
    connect_timeout: float = 10.0
    # Seconds without a byte before a read gives up.
    read_timeout: float = 20.0
    # Hard deadline for one request, from first byte sent to last byte read.
    request_deadline: float = 45.0
    # Requests in flight at once, across all hosts and per host. A morning of
    # 6,000 article pages at ~125 ms a response is bound by the global limit
    # (32 in flight: 250 pages a second, 24 s at best); at 96 the fetching
    # process's CPU binds first. Each host still gets at most `max_per_host`.
    max_connections: int = 96
    max_per_host: int = 4
    # Largest response body accepted (after decompression), in bytes.
    max_response_bytes: int = 10_000_000
    # Fetch the article pages and extract their full text.
    extract_full_text: bool = True
    # Summarizer: lexrank | textrank | lsa | luhn | lead (empty: the measured best).
    summarizer: str = ""
    # Light or dark Textual theme name.
    theme: str = "textual-dark"
    # Sort the briefing by "recent" activity, by "coverage" (outlets now, then in
    # all), or by feed "category" (grouped, newest first in each).
    sort: str = "recent"
    # Key rebindings: binding id -> keys, e.g. {"briefing.star" = "S"}.
    keymap: dict[str, str] = field(default_factory=dict)
    # A command run once per `briefing fetch` when watches gained events; it reads
    # the hits as JSON on standard input (nothing from a feed is on its command line).
    on_watch_hit: str = ""
    # Seconds the on_watch_hit command may run before it is stopped.
    on_watch_hit_timeout: float = 30.0

    @classmethod
    def load(cls, path: Path, environ: dict[str, str] | None = None) -> Settings:
        values: dict[str, Any] = {}
        if path.exists():
            values = _read_toml(path)
        environ = dict(os.environ if environ is None else environ)
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ConfigError(f"{path}: unknown setting {unknown[0]!r}")
        for name, spec in known.items():
            env = environ.get(f"BRIEFING_{name.upper()}")
            if env is not None and name != "keymap":
                values[name] = _coerce(name, env, spec.default)
        settings = cls()
        for name, value in values.items():
            _check_type(path, name, value, getattr(settings, name))
        return replace(settings, **values)


def save_setting(path: Path, name: str, value: str) -> None:
    """Set one top-level setting in settings.toml, keeping the user's comments and layout."""
    import tomlkit

    from briefing.atomic import write_text_atomic

    if name not in {f.name for f in fields(Settings)}:
        raise ConfigError(f"unknown setting {name!r}")
    _read_toml(path) if path.exists() else None  # a malformed file is an error, never reset
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    if name in doc:
        doc[name] = value
    else:
        # top-level keys must come before the first [table]
        body = doc.body
        doc = tomlkit.document()
        doc.add(name, value)
        for key, item in body:
            if key is None:
                doc.add(item)  # type: ignore[arg-type]
            else:
                doc.add(key, item)
    write_text_atomic(path, tomlkit.dumps(doc), force=True)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:  # a directory, unreadable, ...
        raise ConfigError(f"{path}: cannot read the settings: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        # tomllib puts "(at line N, column M)" in its message; keep it.
        match = re.search(r"line (\d+)", str(exc))
        where = f" line {match.group(1)}" if match else ""
        raise ConfigError(f"{path}:{where}: {exc}") from exc


def _coerce(name: str, raw: str, default: object) -> object:
    try:
        if isinstance(default, bool):
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError as exc:
        raise ConfigError(f"BRIEFING_{name.upper()}: cannot read {raw!r}") from exc
    return raw


def _check_type(path: Path, name: str, value: object, default: object) -> None:
    expected: tuple[type, ...] = (type(default),)
    if isinstance(default, float):
        expected = (int, float)
    ok = isinstance(value, expected) and not (isinstance(value, bool) and type(default) is not bool)
    # Every number here is a timeout, a size or a count: zero, negative, inf or
    # nan would disable a limit (an infinite deadline lets a server drip forever).
    number = ok and isinstance(value, int | float) and not isinstance(value, bool)
    if number and not (math.isfinite(value) and value > 0):  # type: ignore[arg-type, operator]
        raise ConfigError(f"{path}: {name} should be a positive number, got {value!r}")
    if number and name in MAXIMA and value > MAXIMA[name]:  # type: ignore[operator]
        raise ConfigError(f"{path}: {name} should be at most {MAXIMA[name]:,g}, got {value!r}")
    if isinstance(default, dict) and ok:
        # Key names are shown in the footer and help: no escape sequences in them.
        ok = all(
            isinstance(k, str) and isinstance(v, str) and k.isprintable() and v.isprintable()
            for k, v in value.items()  # type: ignore[attr-defined]
        )
    if not ok:
        raise ConfigError(f"{path}: {name} should be {type(default).__name__}, got {value!r}")
    if name in CHOICES and value not in CHOICES[name]:
        words = ", ".join(repr(c) for c in CHOICES[name])
        raise ConfigError(f"{path}: {name} should be one of {words}, got {value!r}")
