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
import threading
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from briefing.errors import BriefingError

T = TypeVar("T")

# Modules the fork server imports once, so every worker starts with them loaded.
PRELOAD = ["briefing.fetch.parse", "briefing.fetch.extract_worker", "briefing.fetch.tasks"]


# Tasks in hand per worker process: the one it runs and the spares queued behind it.
PER_WORKER = 4


class WorkerError(BriefingError):
    """A task that did not finish: time limit, or its worker process died."""


class _PoolBroke(Exception):
    """The pool lost a worker while this task was in it (not necessarily its fault)."""


# How often a worker checks that the process that started it is still there.
PARENT_POLL = 0.5


def _gone(pid: int) -> bool:
    """No such process, or only its zombie (dead, not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, but not ours to signal
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] == "Z"
    return False


def watch_parent(parent: int) -> None:
    """In each worker: exit when `parent` (the briefing process) is gone.

    A SIGKILLed parent runs no clean-up, and a worker blocked on its task
    queue would otherwise wait forever under PID 1. The kernel's parent-death
    signal covers the worker's own parent (the fork server); a thread that
    polls covers the briefing process itself.
    """
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)

    def poll() -> None:
        while True:
            time.sleep(PARENT_POLL)
            if _gone(parent) or os.getppid() == 1:
                os._exit(0)

    threading.Thread(target=poll, name="watch-parent", daemon=True).start()


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
        # the task's own run plus the few queued ahead of it. Spare tasks keep
        # each worker busy while the parent, busy with its own event loop, hands
        # back results: a page takes a worker about a millisecond, and with one
        # spare per worker the pool kept half a core busy, with three 0.7-0.8
        # (`benchmarks/bench_extract.py`, a loaded machine).
        self._slots: asyncio.Semaphore | None = None
        self._finished = 0  # tasks completed by the current pool
        self._starting: asyncio.Future[None] | None = None
        self._failed_starts = 0
        self.problem: str | None = None
        # Tasks in the pool now, and tasks waiting to be retried alone.
        self._idle = asyncio.Condition()
        self._alone = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running = 0
        self._suspects = 0

    def _ensure(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.size,
                mp_context=_context(),
                initializer=watch_parent,
                initargs=(os.getpid(),),
            )
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
        """fn(*args) in a worker; WorkerError when it overran `timeout` or killed its worker.

        A worker that dies takes every task on its pool down with it. Those
        tasks are suspects, not culprits: each is tried again alone on a fresh
        pool (while suspects run, nothing else does), and only a task that
        kills a worker when alone fails. So one poisonous page costs itself,
        never the pages that happened to be in flight beside it.
        """
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            # asyncio's locks belong to one loop; a pool kept across runs gets new ones.
            self._loop = loop
            self._slots = asyncio.Semaphore(self.size * PER_WORKER)
            self._idle = asyncio.Condition()
            self._alone = asyncio.Lock()
            self._running = self._suspects = 0
        async with self._slots:
            suspect = False
            while True:
                if self.problem is not None:
                    return await self._in_thread(fn, args, timeout)
                try:
                    if not suspect:
                        return await self._attempt(fn, args, timeout)
                    async with self._alone:
                        return await self._attempt(fn, args, timeout, alone=True)
                except _PoolBroke as exc:
                    if suspect and self.problem is None:
                        raise WorkerError("the worker process died on this task") from exc
                    if not suspect:
                        suspect = True
                        self._suspects += 1

    async def _attempt(
        self, fn: Callable[..., T], args: tuple[Any, ...], timeout: float, *, alone: bool = False
    ) -> T:
        async with self._idle:
            # A suspect waits for the pool to be empty; others wait while suspects remain.
            await self._idle.wait_for(lambda: self._running == 0 if alone else self._suspects == 0)
            self._running += 1
        try:
            return await self._submit(fn, args, timeout)
        finally:
            async with self._idle:
                self._running -= 1
                if alone:
                    self._suspects -= 1
                self._idle.notify_all()

    async def _submit(self, fn: Callable[..., T], args: tuple[Any, ...], timeout: float) -> T:
        if self._pool is None or self._starting is None:
            await self._start()
        pool = self._ensure()
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(pool, fn, *args)
        except (BrokenExecutor, RuntimeError) as exc:
            self._broken(pool)
            raise _PoolBroke() from exc
        try:
            result = await asyncio.wait_for(future, timeout)
        except TimeoutError as exc:
            self._discard(pool, kill=True)
            raise WorkerError(f"gave up after {timeout:g} s") from exc
        except BrokenExecutor as exc:
            self._broken(pool)
            raise _PoolBroke() from exc
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
