"""CPU work off the event loop: a lazy process pool with a time limit per task.

Feed parsing and full-text extraction run in worker processes so that the
event loop keeps fetching while they work, two cores parse at once, and a
document built to stall a parser can be stopped: when a task overruns its time
limit the pool's processes are killed and a fresh pool serves the next task
(tasks that were running on the old pool fail with `WorkerError` and are
retried by the next run).

The pool is created on first use, never at import, and `close()` ends it.
Processes come from a `forkserver` (where available): forking the app itself,
which has threads (SQLite, asyncio's resolver, Textual), is not safe.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# Modules the fork server imports once, so every worker starts with them loaded.
PRELOAD = ["briefing.fetch.parse", "briefing.fetch.extract_worker"]


class WorkerError(Exception):
    """A task that did not finish: time limit, or its worker process died."""


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


class Workers:
    """`await workers.run(fn, *args, timeout=s)`: fn runs in a worker process."""

    def __init__(self, size: int | None = None) -> None:
        self.size = max(1, size or os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None
        # Tasks wait here, not in the pool's queue, so the time limit counts
        # only the time a task actually runs.
        self._slots: asyncio.Semaphore | None = None

    def _ensure(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.size, mp_context=_context())
        return self._pool

    async def run(self, fn: Callable[..., T], *args: Any, timeout: float) -> T:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size)
        async with self._slots:
            pool = self._ensure()
            loop = asyncio.get_running_loop()
            try:
                future = loop.run_in_executor(pool, fn, *args)
            except (BrokenExecutor, RuntimeError):
                self._discard(pool)
                pool = self._ensure()
                future = loop.run_in_executor(pool, fn, *args)
            try:
                return await asyncio.wait_for(future, timeout)
            except TimeoutError as exc:
                self._discard(pool, kill=True)
                raise WorkerError(f"gave up after {timeout:g} s") from exc
            except BrokenExecutor as exc:
                self._discard(pool)
                raise WorkerError("the worker process stopped unexpectedly") from exc

    def _discard(self, pool: ProcessPoolExecutor, *, kill: bool = False) -> None:
        """Stop a pool that is stuck or broken; the next task starts a new one."""
        if self._pool is pool:
            self._pool = None
        if kill:
            # ProcessPoolExecutor cannot cancel a running task; killing its
            # processes is the only way to stop a parser that does not return.
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
