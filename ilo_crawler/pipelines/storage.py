"""Item pipeline: writes articles into the SQLite archive, batched, deduplicated, with history,
through the archive's writer process (``ilo_crawler.archive.writer``)."""

from __future__ import annotations

import logging
from collections import Counter, deque
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads
from twisted.internet.defer import Deferred

from ilo_crawler.archive.store import write_error
from ilo_crawler.archive.writer import COVERAGE_FIELDS, ArchiveWriter, BatchResult, Write
from ilo_crawler.extensions import stop_crawl
from ilo_crawler.items import Capture, FetchFailure, Sighting

logger = logging.getLogger(__name__)


class ArchiveStoragePipeline:
    """One row per (document id, language): a re-run adds no row, a changed article updates its
    row and keeps the previous state in ``revisions``; every page fetched is kept in ``captures``;
    articles seen again unchanged get an appearance; pages that still failed go to ``failures``.

    Items are written ``ILO_STORAGE_BATCH_SIZE`` at a time, each batch in one transaction, so an
    article never appears without its capture and appearance, by the writer process: the reactor
    thread only hands batches over. At most ``ILO_STORAGE_QUEUE_BATCHES`` batches are handed over
    and not yet written; while that many are, each item waits (``process_item`` does not return)
    for the writer to catch up, its response stays in Scrapy's scraper slot, and Scrapy stops
    downloading once the slot is full: a slow archive slows the crawl, memory stays flat, and the
    reactor never blocks. Closing waits for every batch to be written.

    When the archive cannot be written (a full disk, a file gone read-only), the batch is rolled
    back, the crawl stops at once with one line naming the archive, the cause and the free space,
    and is counted (``archive/errors``: exit status 6); items still arriving are not written
    (``archive/items_not_stored``); the next run fetches what it lacks."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("ILO_ARCHIVE_PATH")
        self.batch_size = crawler.settings.getint("ILO_STORAGE_BATCH_SIZE")
        self.queue_batches = crawler.settings.getint("ILO_STORAGE_QUEUE_BATCHES")
        self.stats: StatsCollector = crawler.stats
        self.batch: list[Write] = []
        self.in_writer = 0  # batches handed to the writer and not yet written
        self.waiting: deque[tuple[Any, Deferred[None]]] = deque()
        self.writer: ArchiveWriter | None = None
        self.write_failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveStoragePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        from twisted.internet import reactor  # the one Scrapy installed (never at import time)

        self.reactor: Any = reactor
        self.writer = ArchiveWriter(self.path, self._report_from_writer)
        self.writer.start()

    async def process_item(self, item: Any) -> Any:
        if self.in_writer < self.queue_batches and not self.waiting:
            self._add(item)
            return item
        room: Deferred[None] = Deferred()
        self.waiting.append((item, room))
        self.stats.inc_value("archive/items_waited")
        await maybe_deferred_to_future(room)
        return item

    async def close_spider(self) -> None:
        """Hand over the last batch and wait (without blocking the reactor) until the writer has
        written everything and closed the archive."""
        if self.writer is None:
            return
        self._hand_over()
        self.writer.close()
        await maybe_deferred_to_future(threads.deferToThread(self.writer.join))

    def _add(self, item: Any) -> None:
        self.batch.append(write_of(item))
        if len(self.batch) >= self.batch_size:
            self._hand_over()

    def record_completeness(self, report: dict[str, Any]) -> None:
        """How complete a month read from a web archive is, written after every item handed
        over before it (the writer keeps the order): a run killed later has recorded it."""
        self.batch.append(("completeness", report))
        self._hand_over()

    def _hand_over(self) -> None:
        if not self.batch or self.writer is None:
            return
        if self.write_failed:  # the crawl is stopping: said once, counted
            self.stats.inc_value("archive/items_not_stored", len(self.batch))
        else:
            self.writer.submit(self.batch, self.stats.get_value("archive/run_id"))
            self.in_writer += 1
            self.stats.max_value("archive/queue_peak_batches", self.in_writer)
        self.batch = []

    def _report_from_writer(self, result: BatchResult) -> None:
        """Called in a thread of the writer's: the rest happens in the reactor's."""
        self.reactor.callFromThread(self._written, result)

    def _written(self, result: BatchResult) -> None:
        self.in_writer -= 1
        if result.written:
            for outcome, count in Counter(result.outcomes).items():
                if outcome:
                    self.stats.inc_value(f"archive/{outcome}", count)
            for name in ("groups_joined", "groups_parted", "identity_conflicts"):
                if getattr(result, name):
                    self.stats.inc_value(f"archive/{name}", getattr(result, name))
            if result.fetched:
                self.stats.inc_value("archive/articles_read", result.fetched)
                for name, count in zip(COVERAGE_FIELDS, result.filled, strict=True):
                    self.stats.inc_value(f"archive/filled/{name}", count)
        else:
            self.stats.inc_value("archive/items_not_stored", result.size)
            if result.error is not None:
                self._stop(result)
        while self.waiting and self.in_writer < self.queue_batches:
            item, room = self.waiting.popleft()
            self._add(item)
            room.callback(None)

    def _stop(self, result: BatchResult) -> None:
        """The first failed write: said once, counted, and the crawl stops."""
        self.write_failed = True
        self.stats.inc_value("archive/errors")
        logger.error(
            "%s; the crawl stops (the next run fetches what is not stored)%s",
            write_error(self.path, result.error or "unknown error"),
            f"\n{result.trace}" if result.trace else "",
        )
        stop_crawl(self.crawler, "archive_error")


def write_of(item: Any) -> Write:
    """What the writer writes for an item. Shallow views are enough (the archive only reads
    them): a deep copy of every item cost a twentieth of the crawl's CPU."""
    if isinstance(item, Capture):
        return "capture", vars(item)
    if isinstance(item, FetchFailure):
        return "failure", vars(item)
    if isinstance(item, Sighting):
        return "sighting", vars(item)
    fields = vars(item)
    if item.capture is not None:
        fields = {**fields, "capture": vars(item.capture)}
    return "article", fields
