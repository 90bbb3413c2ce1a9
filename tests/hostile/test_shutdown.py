"""Stopping a fetch from outside, and workers that die: nothing left behind, nothing innocent lost.

`briefing fetch` runs as a real subprocess against the test server, with
article pages that take a while to arrive so that the worker pool is alive
when the signal lands. The process tree (fork server, resource tracker,
workers) is read from /proc before the signal; afterwards every one of those
processes must be gone within seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.config import Paths
from briefing.fetch.workers import WorkerError, Workers
from briefing.store import Store

from .conftest import HostileServer, Reply, Seen, rss

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                children = {int(c) for c in (task / "children").read_text().split()}
            except OSError:
                continue
            todo.extend(children - found)
            found |= children
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper that never comes counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def slow_pages(server: HostileServer, count: int) -> str:
    """A feed whose `count` article pages each take two seconds to arrive."""

    def page(seen: Seen) -> Reply:
        time.sleep(2)
        body = f"<html><body><article><p>Page {seen.path} says enough.</p></article>"
        return Reply(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"})

    entries = []
    for n in range(count):
        server.routes[f"/page/{n}"] = page
        entries.append({"title": f"Entry {n}", "link": server.url(f"/page/{n}"), "guid": f"e{n}"})
    server.feed("/slow.xml", rss(entries))
    return server.url("/slow.xml")


def start_fetch(server: HostileServer, home: Path, **popen: object) -> subprocess.Popen[str]:
    """`briefing fetch` in a subprocess, returned once it is fetching the slow pages."""
    assert main(["--home", str(home), "feeds", "add", slow_pages(server, 12)]) == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", "--home", str(home), "fetch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        **popen,  # type: ignore[call-overload]
    )
    deadline = time.monotonic() + 60
    while not any(s.path.startswith("/page/") for s in server.requests):
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            _, err = proc.communicate()
            pytest.fail(f"the fetch never reached the article pages: {err}")
        time.sleep(0.05)
    return proc


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_a_fetch_stopped_by_a_signal_leaves_no_process_behind(
    server: HostileServer, tmp_path: Path, signum: signal.Signals
) -> None:
    home = tmp_path / "home"
    proc = start_fetch(server, home)
    try:
        tree = descendants(proc.pid)
        assert tree, "the worker pool should be running by now"
        os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if signum != signal.SIGKILL:
        # the same clean stop as Ctrl-C
        assert proc.returncode == 130, err
        assert "interrupted" in err
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in tree) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = sorted(pid for pid in tree if alive(pid))
    for pid in left:  # do not leave them to the next test either
        os.kill(pid, signal.SIGKILL)
    assert left == [], "processes left running after the fetch was stopped"
    with Store(Paths.resolve(str(home)).database) as db:
        assert db.query("PRAGMA integrity_check")[0][0] == "ok"


def _as_a_background_job_under_nohup() -> None:
    # what `nohup briefing fetch &` in a script hands the process
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_a_background_fetch_under_nohup_ignores_hangups_and_stops_on_sigterm(
    server: HostileServer, tmp_path: Path
) -> None:
    proc = start_fetch(server, tmp_path / "home", preexec_fn=_as_a_background_job_under_nohup)
    try:
        os.kill(proc.pid, signal.SIGHUP)
        time.sleep(0.5)
        assert proc.poll() is None, "a hangup stopped a fetch started under nohup"
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # SIGTERM still stops it cleanly, though the shell started it with SIGINT ignored
    assert proc.returncode == 130, err
    assert "interrupted" in err


async def test_a_task_that_kills_its_worker_fails_alone() -> None:
    workers = Workers(size=2)
    try:

        async def killer() -> object:
            await asyncio.sleep(0.3)  # the innocent tasks are in the pool by now
            return await workers.run(os._exit, 3, timeout=30)

        innocent = [workers.run(time.sleep, 1.0, timeout=30) for _ in range(3)]
        results = await asyncio.gather(killer(), *innocent, return_exceptions=True)
        assert isinstance(results[0], WorkerError)
        assert "died on this task" in str(results[0])
        assert results[1:] == [None, None, None]  # retried on a fresh pool, no error
        assert await workers.run(sum, [1, 2], timeout=30) == 3
    finally:
        workers.close()


async def test_a_worker_killed_from_outside_costs_no_task() -> None:
    workers = Workers(size=2)
    try:
        assert await workers.run(sum, [1], timeout=30) == 1  # the pool is up
        tasks = [asyncio.ensure_future(workers.run(time.sleep, 1.0, timeout=30)) for _ in range(2)]
        await asyncio.sleep(0.4)
        pool = workers._pool
        assert pool is not None
        victim = next(iter(pool._processes.values()))  # type: ignore[attr-defined]
        victim.kill()
        assert await asyncio.gather(*tasks, return_exceptions=True) == [None, None]
    finally:
        workers.close()
