"""One fetch per home at a time: a second `briefing fetch` waits for the first.

Two concurrent fetches did all the page work twice, and the second copy's
parse limit could fail (and back off) a feed the first had read fine. The
lock is an advisory `flock` on a file next to the database: the kernel
drops it when its holder exits, however it exits, so a killed fetch never
leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from briefing.store import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, as before
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "fetch.lock"


@contextlib.contextmanager
def fetch_lock(directory: Path, on_wait: Callable[[str], None]) -> Iterator[bool]:
    """Hold the home's fetch lock; yields True when another fetch held it first.

    `on_wait` gets the holder's pid (as text, "" if unknown) before waiting.
    """
    if fcntl is None:
        yield False
        return
    try:
        fh = open(directory / LOCK_NAME, "a+", encoding="ascii")  # noqa: SIM115 (closed below)
    except OSError as exc:  # a read-only home: a fetch could not store anything anyway
        raise StoreError(f"{directory}: cannot write: {exc.strerror}") from exc
    with fh:
        waited = False
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            on_wait(fh.read(20).strip())
            fcntl.flock(fh, fcntl.LOCK_EX)
            waited = True
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield waited
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)
