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
import contextlib
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
    """`await workers.run(fn, *args, timeout=s)`: fn runs in a worker process.

    Worker processes re-import the caller's `__main__` module, as with any
    multiprocessing start method but fork: a script that runs the pipeline
    needs an `if __name__ == "__main__":` guard. Without one, the workers die at
    start; after two pools that die before finishing a single task, tasks run
    in a thread of this process instead (no hard time limit then) and
    `problem` says why, so a mistake costs speed, never a flood of processes.
    """

    MAX_FAILED_STARTS = 2

    def __init__(self, size: int | None = None) -> None:
        self.size = max(1, size or os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None
        # Tasks wait here, not in the pool's queue, so the time limit counts
        # the task's own run plus at most one queued task ahead of it. One
        # spare task per worker keeps each worker busy while the parent hands
        # back the previous result (which needs the GIL of a busy process).
        self._slots: asyncio.Semaphore | None = None
        self._finished = 0  # tasks completed by the current pool
        self._starting: asyncio.Future[None] | None = None
        self._failed_starts = 0
        self.problem: str | None = None

    def _ensure(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.size, mp_context=_context())
            self._finished = 0
        return self._pool

    async def _start(self) -> None:
        """Start the worker processes from a thread, so the event loop keeps going.

        Starting the fork server (a fresh interpreter importing feedparser and
        trafilatura) takes half a second, or seconds on a busy machine; done on
        the event loop it would stall every download in flight meanwhile.
        Concurrent first tasks share one start.
        """
        if self._starting is None:
            pool = self._ensure()

            def warm_up() -> None:
                for future in [pool.submit(int) for _ in range(self.size)]:
                    future.result()

            self._starting = asyncio.ensure_future(asyncio.to_thread(warm_up))
        with contextlib.suppress(Exception):
            # a failure here is met (and reported) again by the task itself
            await asyncio.shield(self._starting)

    async def run(self, fn: Callable[..., T], *args: Any, timeout: float) -> T:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size * 2)
        async with self._slots:
            if self.problem is not None:
                return await self._in_thread(fn, args, timeout)
            if self._pool is None or self._starting is None:
                await self._start()
            pool = self._ensure()
            loop = asyncio.get_running_loop()
            try:
                future = loop.run_in_executor(pool, fn, *args)
            except (BrokenExecutor, RuntimeError) as exc:
                self._broken(pool)
                raise WorkerError("the worker processes stopped unexpectedly") from exc
            try:
                result = await asyncio.wait_for(future, timeout)
            except TimeoutError as exc:
                self._discard(pool, kill=True)
                raise WorkerError(f"gave up after {timeout:g} s") from exc
            except BrokenExecutor as exc:
                self._broken(pool)
                raise WorkerError("the worker process stopped unexpectedly") from exc
            if self._pool is pool:
                self._finished += 1
            return result

    async def _in_thread(self, fn: Callable[..., T], args: tuple[Any, ...], timeout: float) -> T:
        try:
            return await asyncio.wait_for(asyncio.to_thread(fn, *args), timeout)
        except TimeoutError as exc:
            raise WorkerError(f"gave up after {timeout:g} s") from exc

    def _broken(self, pool: ProcessPoolExecutor) -> None:
        if self._pool is pool and self._finished == 0:
            self._failed_starts += 1
            if self._failed_starts >= self.MAX_FAILED_STARTS:
                self.problem = (
                    "worker processes die at start (does the calling script lack an "
                    '`if __name__ == "__main__":` guard?); working in-process instead'
                )
        self._discard(pool)

    def _discard(self, pool: ProcessPoolExecutor, *, kill: bool = False) -> None:
        """Stop a pool that is stuck or broken; the next task starts a new one."""
        if self._pool is pool:
            self._pool = None
            self._starting = None
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
