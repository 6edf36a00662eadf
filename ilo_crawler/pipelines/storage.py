"""Item pipeline: writes articles into the SQLite archive, batched, deduplicated, with history."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from ilo_crawler.archive import Archive, ArchiveError
from ilo_crawler.archive.store import write_error
from ilo_crawler.extensions import stop_crawl
from ilo_crawler.items import Capture, FetchFailure, Sighting

logger = logging.getLogger(__name__)


class ArchiveStoragePipeline:
    """One row per (document id, language): a re-run adds no row, a changed article updates its
    row and keeps the previous state in ``revisions``; every page fetched is kept in ``captures``;
    articles seen again unchanged get an appearance; pages that still failed go to ``failures``.
    Items are written ``ILO_STORAGE_BATCH_SIZE`` at a time, each batch in one transaction, so an
    article never appears without its capture and appearance. When the archive cannot be written
    (a full disk, a file gone read-only), the batch is rolled back, the crawl stops at once with
    one line naming the archive, the cause and the free space, and is counted (``archive/errors``:
    exit status 6); items still arriving are not written; the next run fetches what it lacks."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("ILO_ARCHIVE_PATH")
        self.batch_size = crawler.settings.getint("ILO_STORAGE_BATCH_SIZE")
        self.stats: StatsCollector = crawler.stats
        self.batch: list[Any] = []
        self.archive: Archive | None = None
        self.write_failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveStoragePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = Archive(self.path)

    def process_item(self, item: Any) -> Any:
        self.batch.append(item)
        if len(self.batch) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()
        if self.archive is not None:
            self.archive.close()

    def flush(self) -> None:
        if not self.batch or self.archive is None:
            return
        if self.write_failed:  # the crawl is stopping: said once, counted
            self.stats.inc_value("archive/items_not_stored", len(self.batch))
            self.batch.clear()
            return
        run_id = self.stats.get_value("archive/run_id")
        outcomes: list[str] = []
        try:
            with self.archive.transaction():
                outcomes = [self._store(item, run_id) for item in self.batch]
        except (sqlite3.Error, ArchiveError) as error:
            self.write_failed = True
            self.stats.inc_value("archive/errors")
            self.stats.inc_value("archive/items_not_stored", len(self.batch))
            logger.error(
                "%s; the crawl stops (the next run fetches what is not stored)",
                write_error(self.path, error),
            )
            stop_crawl(self.crawler, "archive_error")
        else:
            for outcome in outcomes:
                if outcome:
                    self.stats.inc_value(f"archive/{outcome}")
            for name in ("joined_across_sites", "identity_conflicts"):
                self.stats.set_value(f"archive/{name}", getattr(self.archive, name))
        finally:
            self.batch.clear()

    def _store(self, item: Any, run_id: int | None) -> str:
        """Write one item; the outcome it counts as (empty: not an article)."""
        assert self.archive is not None
        if isinstance(item, Capture):
            self.archive.add_capture(vars(item), run_id)
            self.archive.resolve_failure(item.url)
            return ""
        if isinstance(item, FetchFailure):
            self.archive.record_failure(item.url, item.kind, item.error, run_id)
            return ""
        if isinstance(item, Sighting):
            return self.archive.store_sighting(vars(item), run_id)
        # A shallow view is enough (the archive only reads it): a deep copy of every item cost
        # a twentieth of the crawl's CPU.
        fields = vars(item)
        if item.capture is not None:
            fields = {**fields, "capture": vars(item.capture)}
        return self.archive.store_article(fields, run_id)
