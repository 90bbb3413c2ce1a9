"""The worker pool: time limits, recovery, and no process flood from an unguarded script."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.fetch.workers import WorkerError, Workers


async def test_a_task_over_its_time_limit_is_stopped_and_the_pool_recovers() -> None:
    workers = Workers(size=1)
    try:
        start = time.perf_counter()
        with pytest.raises(WorkerError, match=r"gave up after 0\.5 s"):
            await workers.run(time.sleep, 30, timeout=0.5)
        assert time.perf_counter() - start < 5
        assert await workers.run(sum, [1, 2, 3], timeout=10) == 6
        assert workers.problem is None
    finally:
        workers.close()


UNGUARDED = """
import asyncio, sys
from briefing.fetch.workers import WorkerError, Workers
print("top-level ran", flush=True)

async def main():
    workers = Workers(size=2)
    results = []
    for n in range(6):
        try:
            results.append(await workers.run(abs, -n, timeout=20))
        except WorkerError:
            results.append("failed")
    workers.close()
    print("results", results, workers.problem is not None, flush=True)

asyncio.run(main())
"""


def test_a_script_without_a_main_guard_cannot_multiply_processes(tmp_path: Path) -> None:
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED)
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    lines = proc.stdout.splitlines()
    # Each worker re-runs the unguarded script once (that is multiprocessing);
    # the workers' own nested pools cannot start and fall back to threads
    # instead of spawning processes of their own.
    assert 1 <= sum(line == "top-level ran" for line in lines) <= 3, proc.stdout
    results = [line for line in lines if line.startswith("results")]
    assert all(line.endswith("True") for line in results[:-1])
    assert results[-1] == "results [0, 1, 2, 3, 4, 5] False"  # the script's own run
