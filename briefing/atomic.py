"""Writing a file whole or not at all, exactly where the user said."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import threading
from pathlib import Path

from briefing.errors import BriefingError


class WriteError(BriefingError):
    pass


def write_text_atomic(path: Path, text: str, *, force: bool = False) -> Path:
    """Write `text` to `path` through a temporary file and a rename.

    Refuses to overwrite an existing file unless `force`, and never writes
    through a symlink (the link itself would be replaced, which surprises
    more than it helps). A full or read-only disk leaves nothing behind.
    """
    path = Path(path)
    try:
        mode = _checked_mode(path, force)
    except OSError as exc:  # a name too long, a parent that is a file, ...
        raise WriteError(f"cannot write {str(path)[:200]}: {exc.strerror}") from exc
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise WriteError(f"cannot write in {directory}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise WriteError(f"cannot write {path}: {exc.strerror}") from exc
    return path


def _checked_mode(path: Path, force: bool) -> int:
    """The mode to give the file, after refusing what must not be written."""
    if path.is_symlink():
        raise WriteError(f"{path} is a symbolic link; refusing to write through it")
    if path.exists() and not force:
        raise WriteError(f"{path} exists; use --force to overwrite it")
    if path.exists() and not path.is_file():
        raise WriteError(f"{path} is not a regular file")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise WriteError(f"{directory} is not a directory")
    # An overwritten file keeps its mode (a 0600 brief stays private); a new
    # one gets what the umask allows, as any other program's output would.
    return stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~current_umask()


_umask_lock = threading.Lock()


def current_umask() -> int:
    """The process umask (reading it means setting it; the lock keeps that private)."""
    with _umask_lock:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask
