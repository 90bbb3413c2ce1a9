"""Run every benchmark and evaluation script, one after another, and print what each says.

    .venv/bin/python benchmarks/run_all.py            # everything
    .venv/bin/python benchmarks/run_all.py fetch tui  # only names containing these words

Each script is run in its own process (so peak memory is its own); its output is
also kept in benchmarks/results/<name>.txt.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(words: list[str]) -> list[Path]:
    found = sorted([*HERE.glob("bench_*.py"), *HERE.glob("eval_*.py")])
    return [p for p in found if not words or any(w in p.stem for w in words)]


def main(words: list[str]) -> int:
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    failed = 0
    for script in scripts(words):
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            cwd=HERE.parent,
            check=False,
        )
        output = proc.stdout + (proc.stderr if proc.returncode else "")
        (results / f"{script.stem}.txt").write_text(output)
        print(output.rstrip())
        print(f"-- {script.name}: exit {proc.returncode}, {time.perf_counter() - started:.1f} s\n")
        failed += proc.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
