"""Full-text extraction: CPU per page, what it keeps, and what the fetching process pays.

    .venv/bin/python benchmarks/bench_extract.py [--pages 3000]

1. CPU ms per page of `extract_worker.extract_page` in this process, on the
   benchmark server's pages (`loopback.page_body`) and on the bundled demo
   pages (the clutter of real news sites: navigation, captions, bylines,
   newsletter boxes), next to the call briefing made before (trafilatura's
   full metadata and its fallback extractors), as a reference.
2. What the extraction keeps on the demo pages, scored against the labeled
   corpus they were generated from: the share of the article's paragraphs
   found in the text, and the extracted lines that are not the article's
   (clutter let through); plus how many pages' text differs from the reference.
3. The hand-off: `--pages` bench pages extracted through `Workers`, as the
   refresh does. CPU of this (the fetching) process per page, which is what
   handing work to the pool and taking the results back costs the event loop,
   and the CPU of the worker processes over the wall time (cores used).

CPU time, not wall time, so the figures hold up on a busy machine better than
timings would; the 1-minute load average is printed anyway.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura

from benchmarks.corpus import CorpusArticle, all_articles, load_corpus
from benchmarks.loopback import page_body
from briefing.fetch import extract_worker
from briefing.fetch.workers import Workers
from briefing.sanitize import strip_controls

DEMO_PAGES = Path(__file__).resolve().parent.parent / "briefing" / "data" / "demo" / "pages"
CONTENT_TYPE = "text/html; charset=utf-8"
URL = "http://bench.test/article"


def reference(body: bytes, url: str, content_type: str = "", want_date: bool = True) -> str:
    """The call briefing made before: full metadata, fallback extractors on."""
    html = strip_controls(extract_worker.decode_html(body, content_type))
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
    )
    return "" if document is None or isinstance(document, dict) else str(document.text or "")


def current(body: bytes, url: str, content_type: str = "", want_date: bool = True) -> str:
    return extract_worker.extract_page(body, url, content_type, want_date)["text"]


def cpu_ms(extract: Callable[..., str], pages: list[bytes], want_date: bool) -> float:
    extract(pages[0], URL, CONTENT_TYPE, want_date)  # first-call set-up is not per page
    start = time.process_time()
    for body in pages:
        extract(body, URL, CONTENT_TYPE, want_date)
    return (time.process_time() - start) / len(pages) * 1000


def _words(value: str) -> str:
    return " ".join(re.findall(r"\w+", value.lower()))


def quality(
    extract: Callable[..., str], demo: list[tuple[bytes, CorpusArticle]]
) -> tuple[float, int, int, list[str]]:
    """Paragraph recall, clutter lines let through, lines in all, and the texts."""
    found = paragraphs = leaked = lines_total = 0
    texts = []
    for body, article in demo:
        text = extract(body, URL, CONTENT_TYPE, True)
        texts.append(text)
        lines = [_words(line) for line in text.splitlines() if line.strip()]
        gold = [_words(p) for p in article.paragraphs]
        joined = "\n".join(lines)
        found += sum(1 for g in gold if g in joined)
        paragraphs += len(gold)
        own = "\n".join([*gold, _words(article.title)])
        leaked += sum(1 for line in lines if line not in own)
        lines_total += len(lines)
    return found / max(1, paragraphs), leaked, lines_total, texts


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a live process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def hand_off(count: int) -> dict[str, float]:
    from briefing.fetch.tasks import extract_page

    workers = Workers()
    await workers.run(int, timeout=60)  # the pool's start is not per page
    pool = workers._pool
    assert pool is not None
    pids = list(pool._processes)  # type: ignore[attr-defined]
    before = {pid: _cpu_of(pid) for pid in pids}
    pages = [page_body(n % 300, n // 300 % 20) for n in range(count)]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    await asyncio.gather(
        *(workers.run(extract_page, body, URL, CONTENT_TYPE, False, timeout=60) for body in pages)
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    workers_cpu = sum(_cpu_of(pid) - before[pid] for pid in pids)
    workers.close()
    main_cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    return {
        "main_ms": main_cpu / count * 1000,
        "worker_ms": workers_cpu / count * 1000,
        "cores": workers_cpu / wall,
        "wall": wall,
        "workers": len(pids),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=3000, help="pages for the hand-off part")
    args = parser.parse_args()

    articles = {a.id: a for a in all_articles(load_corpus())}
    demo = [(p.read_bytes(), articles[p.stem]) for p in sorted(DEMO_PAGES.glob("*/*.html"))]
    bench = [page_body(n, i) for n in range(30) for i in range(20)]
    demo_pages = [body for body, _ in demo]

    print(f"CPU ms per page in one process; load {os.getloadavg()[0]:.1f}")
    print(f"{'extraction':<34}{'bench pages':>12}{'demo pages':>12}{'demo, with date':>17}")
    for name, extract in (("before (full metadata, fallback)", reference), ("now", current)):
        print(
            f"{name:<34}{cpu_ms(extract, bench, False):>12.2f}"
            f"{cpu_ms(extract, demo_pages, False):>12.2f}{cpu_ms(extract, demo_pages, True):>17.2f}"
        )

    print(f"\nwhat is kept of {len(demo)} demo pages (scored against the labeled corpus)")
    print(f"{'extraction':<34}{'paragraphs found':>18}{'clutter lines':>15}{'text differs':>14}")
    _, _, _, before_texts = quality(reference, demo)
    for name, extract in (("before (full metadata, fallback)", reference), ("now", current)):
        recall, leaked, lines, texts = quality(extract, demo)
        differs = sum(1 for a, b in zip(before_texts, texts, strict=True) if a != b)
        print(f"{name:<34}{recall:>18.3f}{f'{leaked}/{lines}':>15}{differs:>14}")

    r = asyncio.run(hand_off(args.pages))
    print(
        f"\nhand-off: {args.pages} bench pages through Workers ({r['workers']:.0f} processes) in "
        f"{r['wall']:.1f} s; load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  fetching process: {r['main_ms']:.3f} ms CPU per page (target <= 0.5)\n"
        f"  worker processes: {r['worker_ms']:.2f} ms CPU per page, "
        f"{r['cores']:.2f} cores busy of {os.cpu_count()}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
