"""One refresh: fetch due feeds (and their pages) → cluster → summarize.

The CLI (`briefing fetch`, see `cli_fetch`) and the app's refresh worker both
call `run`. It is a coroutine: the CLI runs it with `asyncio.run`; the app
calls `asyncio.run(run(...))` in a thread worker. Progress is reported through
a callback that receives the small event objects below:

    StageStarted(FETCH, total=<feeds due>)
    FeedDone(...)                    once per due feed, as each finishes
    StageStarted(EXTRACT)            with the first article page, when full text is on
    ExtractProgress(done, total)     once per page; `total` grows as feeds arrive
    StageDone(FETCH, seconds)        pages keep being extracted after this
    StageStarted(EARLY) / StageDone(EARLY, ...)
                                     with `early_stories`, while pages are still coming:
                                     new articles grouped on titles and feed summaries
    StageDone(EXTRACT, seconds)
    StageDone(ENTITIES, seconds)
    StageStarted(CLUSTER) / StageDone(CLUSTER, ...)
    StageStarted(SUMMARIZE) / StageDone(SUMMARIZE, ...)
    StageFailed(stage, error)        instead of StageDone when a stage crashed

Pages are fetched and extracted as soon as their feed is stored, so extraction
overlaps the fetching of the other feeds. Clustering and summaries run only
when the store holds work for them (new, changed or unclustered articles,
missing summaries, a changed summarizer): a refresh where every feed answered
304 never even imports them.

The callback is called on the thread running the event loop; a Textual thread
worker should forward events with `app.call_from_thread`. Events are frozen
dataclasses and safe to keep. Per-feed failures never stop a run
(`briefing.fetch.feed` records them on the feed) and are listed in
`RunReport.errors`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from briefing.config import Settings
from briefing.fetch.extract import MAX_ATTEMPTS, PageExtractor
from briefing.fetch.feed import (
    FeedStatus,
    interleave_hosts,
    not_due_reason,
    refresh_feed,
    retry_after,
)
from briefing.fetch.http import HttpClient
from briefing.fetch.workers import Workers
from briefing.models import Feed, utcnow
from briefing.store import Store
from briefing.store import articles as article_store
from briefing.store import early as early_store
from briefing.store import feeds as feed_store

if TYPE_CHECKING:
    from concurrent.futures import Future

    import httpx

    from briefing.cluster.stage import ClusterReport
    from briefing.models import Sentence
    from briefing.summarize.candidates import Source
    from briefing.summarize.stage import Submit as SummarySubmit
    from briefing.summarize.stage import SummaryReport

__all__ = [
    "ExtractProgress",
    "FeedDone",
    "FeedError",
    "FeedStatus",
    "Progress",
    "ProgressEvent",
    "RunReport",
    "Stage",
    "StageDone",
    "StageFailed",
    "StageStarted",
    "interleave_hosts",
    "not_due_reason",
    "retry_after",
    "run",
]

T = TypeVar("T")
# Not a cap: pages left over by earlier runs (a crash, a failure worth another
# try) are all taken; the per-feed cap bounds how many a run can add.
LEFTOVER_PAGES = 1_000_000
# A batch of article summaries (200, a fraction of a second) that takes the
# helper process this long is stuck: the stage then makes that batch itself.
SUMMARY_BATCH_TIMEOUT = 300.0


class Stage(StrEnum):
    """The stages of a refresh, in order. Values are the names shown to the user."""

    FETCH = "fetch"
    # the app's first look at new stories: titles and feed summaries, grouped while
    # the pages are still being extracted (placed again on their text by CLUSTER)
    EARLY = "early"
    EXTRACT = "extract"
    ENTITIES = "entities"  # quick, so it shows no progress; its failure is reported
    CLUSTER = "cluster"
    SUMMARIZE = "summarize"


# -- progress events ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageStarted:
    """A stage began. `total` when known."""

    name: Stage
    total: int = 0


@dataclass(frozen=True, slots=True)
class FeedDone:
    """One feed finished.

    `status` says how; on an error `error` says why (`feed.dead` /
    `feed.retry_after` tell whether the feed is now dead or asked us to wait).
    `capped` entries were left for the next run (the per-feed safety cap).
    `done`/`total` count the feeds of this run.
    """

    feed: Feed
    new: int
    updated: int
    error: str | None
    status: FeedStatus = FeedStatus.OK
    done: int = 0
    total: int = 0
    capped: int = 0


@dataclass(frozen=True, slots=True)
class ExtractProgress:
    """Full-text extraction: `done` pages of `total` handled (ok, failed or skipped)."""

    done: int
    total: int


@dataclass(frozen=True, slots=True)
class StageDone:
    name: Stage
    seconds: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class StageFailed:
    """A whole stage (cluster, summarize) raised; the run stops there."""

    name: Stage
    error: str


ProgressEvent = StageStarted | FeedDone | ExtractProgress | StageDone | StageFailed
Progress = Callable[[ProgressEvent], None]


# -- the report ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedError:
    feed_id: int
    url: str
    name: str
    message: str


@dataclass(slots=True)
class RunReport:
    """What a run did. `feeds_total` counts every feed followed; `feeds_skipped` were not due."""

    feeds_total: int = 0
    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    feeds_skipped: int = 0
    errors: list[FeedError] = field(default_factory=list)
    articles_new: int = 0
    articles_updated: int = 0
    # entries left for the next run by the per-feed cap, by feed URL
    capped: dict[str, int] = field(default_factory=dict)
    new_article_ids: list[int] = field(default_factory=list)
    extracted: int = 0
    extract_failed: int = 0
    extract_skipped: int = 0
    # CPU seconds spent in feed parsing (in the worker processes)
    parse_cpu: float = 0.0
    cluster: ClusterReport | None = None
    summary: SummaryReport | None = None
    stage_seconds: dict[Stage, float] = field(default_factory=dict)
    stage_errors: dict[Stage, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def feeds_due(self) -> int:
        return self.feeds_ok + self.feeds_not_modified + self.feeds_failed

    @property
    def completed(self) -> bool:
        """Every stage ran (some feeds may still have failed)."""
        return not self.stage_errors

    @property
    def changed(self) -> bool:
        """The run stored or extracted something."""
        return bool(
            self.articles_new or self.articles_updated or self.extracted or self.extract_failed
        )


# -- the run -----------------------------------------------------------------------------


class _Run:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        http: HttpClient,
        workers: Workers,
        progress: Progress | None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.http = http
        self.workers = workers
        self.progress = progress
        self.report = RunReport()
        self.done = 0
        self.total = 0
        self.pages: PageExtractor | None = None
        self.pages_started = 0.0

    def emit(self, event: ProgressEvent) -> None:
        if self.progress is not None:
            self.progress(event)

    def finished(self, stage: Stage, started: float, detail: str = "") -> None:
        seconds = time.perf_counter() - started
        self.report.stage_seconds[stage] = seconds
        self.emit(StageDone(stage, seconds, detail))

    async def fetch_all(self, feeds: list[Feed]) -> None:
        self.total = len(feeds)
        self.emit(StageStarted(Stage.FETCH, len(feeds)))
        start = time.perf_counter()
        if self.settings.extract_full_text:
            self._start_pages(feed_store.all_feeds(self.store))
            self._leftover_pages()
        # Feeds in hand at once (downloading, or waiting to be parsed): a bound
        # on memory when downloads outrun the parsers. Hosts are interleaved so
        # that feeds waiting for their host's slot do not fill it.
        in_hand = asyncio.Semaphore(max(1, self.settings.max_connections) * 2)

        async def bounded(feed: Feed) -> None:
            async with in_hand:
                await self.fetch_one(feed)

        await asyncio.gather(*(bounded(feed) for feed in interleave_hosts(feeds)))
        self.finished(Stage.FETCH, start)

    async def fetch_one(self, feed: Feed) -> None:
        outcome = await refresh_feed(
            self.store, self.settings, self.http, self.workers, feed, utcnow()
        )
        report = self.report
        report.parse_cpu += outcome.parse_cpu
        if outcome.status is FeedStatus.OK:
            report.feeds_ok += 1
        elif outcome.status is FeedStatus.NOT_MODIFIED:
            report.feeds_not_modified += 1
        else:
            report.feeds_failed += 1
            assert feed.id is not None and outcome.error is not None
            report.errors.append(FeedError(feed.id, feed.url, feed.name, outcome.error))
        new, updated = len(outcome.new_ids), len(outcome.updated_ids)
        report.new_article_ids.extend(outcome.new_ids)
        report.articles_new += new
        report.articles_updated += updated
        if outcome.capped:
            report.capped[feed.url] = outcome.capped
        if self.pages is not None and (outcome.new_ids or outcome.updated_ids):
            # New pages, and corrected ones (upsert marks a changed page pending).
            fresh = article_store.by_ids(self.store, outcome.new_ids + outcome.updated_ids)
            new_ids = set(outcome.new_ids)
            self.pages.submit(
                [a for a in fresh if a.id in new_ids or a.extract_status == "pending"]
            )
        self.done += 1
        self.emit(
            FeedDone(
                feed,
                new,
                updated,
                outcome.error,
                outcome.status,
                self.done,
                self.total,
                outcome.capped,
            )
        )

    def _start_pages(self, feeds: list[Feed]) -> None:
        def progress(done: int, total: int) -> None:
            if done == 1:
                self.emit(StageStarted(Stage.EXTRACT))
            self.emit(ExtractProgress(done, total))

        self.pages = PageExtractor(
            self.store,
            self.http,
            self.workers,
            {f.id: f for f in feeds if f.id is not None},
            page_timeout=max(5.0, self.settings.request_deadline),
            on_progress=progress,
        )
        self.pages_started = time.perf_counter()

    def _leftover_pages(self) -> None:
        """Pages that earlier runs did not finish (a crash, a failure worth retrying)."""
        assert self.pages is not None
        pending = article_store.needing_extraction(
            self.store, max_attempts=MAX_ATTEMPTS, limit=LEFTOVER_PAGES
        )
        self.pages.submit(pending)

    async def finish_pages(self) -> None:
        if self.pages is None:
            return
        counts = await self.pages.finish()
        self.report.extracted = counts.ok
        self.report.extract_failed = counts.failed
        self.report.extract_skipped = counts.skipped
        if self.pages.total:
            detail = f"{counts.ok} extracted, {counts.failed} failed, {counts.skipped} skipped"
            self.finished(Stage.EXTRACT, self.pages_started, detail)

    async def early_stories(self) -> None:
        """Stories from titles and feed summaries, for the app to list while pages come in.

        The articles placed now without their page are placed again on their
        text by the cluster stage (`briefing.cluster.early`).
        """
        if not article_store.unclustered_exist(self.store):
            return

        def first_look() -> ClusterReport:
            # imported here, off the event loop: the pages keep coming meanwhile
            from briefing import entity_stage
            from briefing.cluster import early
            from briefing.store.watches import all_mutes

            if any(m.kind == "entity" for m in all_mutes(self.store)):
                entity_stage.run(self.store)  # those mutes hide stories by their names
            return early.first_pass(self.store)

        self.emit(StageStarted(Stage.EARLY))
        start = time.perf_counter()
        try:
            done = await _in_daemon_thread(first_look)
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            self.report.stage_errors[Stage.EARLY] = message
            self.emit(StageFailed(Stage.EARLY, message))
            return
        detail = f"{done.articles} articles, from titles and feed summaries"
        self.finished(Stage.EARLY, start, detail)

    async def later_stages(self) -> None:
        """Named entities, clustering, then summaries of what the clustering changed."""
        from briefing import entity_stage
        from briefing.cluster import early

        start = time.perf_counter()
        try:
            # names first: watches and mutes read them (the cluster stage may too)
            await _in_daemon_thread(lambda: entity_stage.run(self.store))
            self.finished(Stage.ENTITIES, start)
        except Exception as exc:
            self.report.stage_errors[Stage.ENTITIES] = f"{type(exc).__name__}: {exc}"

        # placed again: what `early_stories` placed on feed summaries and has its text now
        self.report.cluster = await self._stage(
            Stage.CLUSTER, lambda: early.run(self.store), _placed
        )
        if Stage.CLUSTER in self.report.stage_errors:
            return
        from briefing.summarize import stage as summary_stage

        helper = Workers(size=1)
        submit = self._summaries_in(helper, asyncio.get_running_loop())
        try:
            self.report.summary = await self._stage(
                Stage.SUMMARIZE, lambda: summary_stage.run(self.store, self.settings, submit)
            )
        finally:
            helper.close()

    @staticmethod
    def _summaries_in(helper: Workers, loop: asyncio.AbstractEventLoop) -> SummarySubmit:
        """Article summaries in a helper process, asked from the stage's thread.

        A core is idle after extraction: the helper and the stage's thread
        share a first refresh's thousands of article summaries. One process,
        started only if the stage has that many (from the fork server the
        extraction used), keeps the added memory small.
        """
        from briefing.summarize.core import summarize_articles

        def submit(sources: Sequence[Source], algorithm: str) -> Future[list[list[Sentence]]]:
            call = helper.run(summarize_articles, sources, algorithm, timeout=SUMMARY_BATCH_TIMEOUT)
            return asyncio.run_coroutine_threadsafe(call, loop)

        return submit

    async def _stage(
        self, stage: Stage, call: Callable[[], T], describe: Callable[[T], str] | None = None
    ) -> T | None:
        self.emit(StageStarted(stage))
        start = time.perf_counter()
        try:
            # In a thread: these stages are CPU-bound and the app must stay responsive.
            result = await _in_daemon_thread(call)
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            self.report.stage_errors[stage] = message
            self.emit(StageFailed(stage, message))
            return None
        self.finished(stage, start, describe(result) if describe is not None else "")
        return result


def _placed(report: ClusterReport | None) -> str:
    """The cluster stage's line: what it placed (nothing when it had nothing new)."""
    from briefing.cluster.stage import ClusterReport

    if not isinstance(report, ClusterReport) or not report.articles:
        return ""
    return (
        f"{report.articles} articles placed: {report.new_events} new events, "
        f"{report.new_stories} new stories"
    )


async def _in_daemon_thread(call: Callable[[], T]) -> T:
    """`call()` in a daemon thread: an interrupted run exits at once, not after the stage.

    (`asyncio.to_thread` threads are joined at exit, so Ctrl-C or SIGTERM
    during clustering would wait for it to finish. The stages write in
    transactions, so stopping one midway loses only its own unfinished work.)
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def target() -> None:
        try:
            result, error = call(), None
        except BaseException as exc:
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=target, name="briefing-stage", daemon=True).start()
    return await future


def later_work_pending(store: Store, settings: Settings) -> bool:
    """Whether clustering or summaries have anything to do, asked of the store alone.

    Cheap SQL instead of importing scikit-learn and sumy to find out: articles
    not yet in an event, or anything whose summary was cleared or never made,
    or summaries made by another summarizer than the one set now, or articles
    whose entities are missing or came from other gazetteers.
    """
    from briefing.entities import gazetteer
    from briefing.summarize.config import summaries_current

    found = store.query(
        """SELECT EXISTS(SELECT 1 FROM articles WHERE event_id IS NULL OR summary_key IS NULL)
               OR EXISTS(SELECT 1 FROM events WHERE summary_key IS NULL)
               OR EXISTS(SELECT 1 FROM stories WHERE summary_key IS NULL)
               OR EXISTS(SELECT 1 FROM articles
                         WHERE entities_version IS NULL OR entities_version != ?)""",
        (gazetteer().version,),
    )
    return bool(found[0][0]) or early_store.pending(store) or not summaries_current(store, settings)


async def run(
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    *,
    client: HttpClient | httpx.AsyncClient | None = None,
    later_stages: bool = True,
    force: bool = False,
    early_stories: bool = False,
) -> RunReport:
    """Fetch every due feed and extract new pages, then cluster and summarize if needed.

    `client`: an `HttpClient`, or an `httpx.AsyncClient` to wrap (redirects
    are followed by briefing, so it need not follow them); by default one is
    created for the run and closed after it. `later_stages=False` stops after
    extraction (the fetch tests use it; the app and CLI never do).
    `force=True` fetches every feed now, whatever its back-off, wait or 410 says.
    `early_stories=True` (the app) groups new articles on their titles and feed
    summaries as soon as the feeds are in, while their pages are still being
    extracted, so a list can show them (the `EARLY` stage); the CLI, which
    shows no list, goes straight to the final grouping.
    """
    start = time.perf_counter()
    now = utcnow()
    feeds = feed_store.all_feeds(store)
    due = feeds if force else [f for f in feeds if not_due_reason(f, now) is None]
    http = client if isinstance(client, HttpClient) else HttpClient(settings, client)
    workers = Workers()
    job = _Run(store, settings, http, workers, progress)
    job.report.feeds_total = len(feeds)
    job.report.feeds_skipped = len(feeds) - len(due)
    try:
        await job.fetch_all(due)
        if (
            early_stories
            and later_stages
            and job.pages is not None
            and job.pages.done < job.pages.total
        ):
            await job.early_stories()
        await job.finish_pages()
    finally:
        # The pages are in: the workers' memory goes back before clustering.
        workers.close()
        if http is not client:
            await http.aclose()
    if later_stages and (job.report.changed or later_work_pending(store, settings)):
        await job.later_stages()
    job.report.seconds = time.perf_counter() - start
    return job.report
