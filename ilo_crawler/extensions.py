"""Crawl-wide concerns: recording each run in the archive and closing it with a summary line."""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from ilo_crawler.archive import Archive

logger = logging.getLogger(__name__)


class RunRecorder:
    """Writes a ``runs`` row when the spider opens (its id goes to the stats as ``archive/run_id``
    for the storage pipeline) and completes it when the spider closes: outcome, counts, stats."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("ILO_ARCHIVE_PATH")
        self.run_id: int | None = None
        self.started = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        if not crawler.settings.get("ILO_ARCHIVE_PATH"):
            raise NotConfigured("ILO_ARCHIVE_PATH is not set")
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        archive = Archive(self.path)
        try:
            arguments = getattr(spider, "arguments", None)
            self.run_id = archive.start_run(
                spider.name,
                arguments.as_dict() if arguments is not None else {},
                self.crawler.settings.get("ILO_BASE_URL"),
            )
        finally:
            archive.close()
        self.crawler.stats.set_value("archive/run_id", self.run_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:
            return
        stats = self.crawler.stats.get_stats()
        counts = {
            name: int(stats.get(f"archive/{name}", 0)) for name in ("new", "changed", "unchanged")
        }
        failed = int(stats.get("newsroom/article_failures", 0)) + int(
            stats.get("newsroom/listing_failures", 0)
        )
        archive = Archive(self.path)
        try:
            archive.finish_run(
                self.run_id,
                outcome=reason,
                counts=counts,
                requests=stats.get("downloader/request_count"),
                stats=_plain(stats),
            )
        finally:
            archive.close()
        arguments = getattr(spider, "arguments", None)
        described = (
            " ".join(f"{k}={v}" for k, v in arguments.as_dict().items()) if arguments else ""
        )
        logger.info(
            "run %s %s: %d new, %d changed, %d unchanged, %d failed pages, %d date problems, "
            "%d new labels, %d requests, %.1f s (%s) -> %s",
            self.run_id,
            described,
            counts["new"],
            counts["changed"],
            counts["unchanged"],
            failed,
            stats.get("dates/problems", 0),
            stats.get("categories/new_labels", 0),
            stats.get("downloader/request_count", 0),
            time.monotonic() - self.started,
            reason,
            self.path,
        )


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    """Stats as JSON-friendly values (datetimes become ISO strings)."""
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in sorted(stats.items())
    }
