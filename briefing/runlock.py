"""One fetch per home at a time: a second run (`briefing fetch` or the app's
refresh) waits for the first.

Two concurrent fetches did all the page work twice, and the second copy's
parse limit could fail (and back off) a feed the first had read fine. The
lock is an advisory `flock` on a file next to the database: the kernel
drops it when its holder exits, however it exits, so a killed fetch never
leaves a stale lock behind. The CLI and the app take it through `fetch_lock`
alone, so either one waits for the other.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from briefing.errors import BriefingError
from briefing.store import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, as before
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "fetch.lock"
# How often a waiter that can be called off looks again (seconds).
POLL = 0.1


class WaitAbandoned(BriefingError):
    """The waiter was called off before the other run finished."""


@contextlib.contextmanager
def fetch_lock(
    directory: Path,
    on_wait: Callable[[str], object],
    stop: Callable[[], bool] | None = None,
) -> Iterator[bool]:
    """Hold the home's fetch lock; yields True when another fetch held it first.

    `on_wait` gets the holder's pid (as text, "" if unknown) before waiting.
    With `stop`, the wait polls and raises `WaitAbandoned` once `stop()` is
    true: a thread blocked in `flock` could not be called off, and would
    keep the app from quitting until the other run ends.
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
            _wait(fh, stop)
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


def _wait(fh: IO[str], stop: Callable[[], bool] | None) -> None:
    if stop is None:
        fcntl.flock(fh, fcntl.LOCK_EX)
        return
    while not stop():
        time.sleep(POLL)
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue
        if not stop():
            return
        break  # called off as the lock came free: closing the file lets go of it
    raise WaitAbandoned
