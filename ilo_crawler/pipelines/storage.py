"""Item pipeline: writes articles into the SQLite archive, batched, deduplicated, with history."""

from __future__ import annotations

import dataclasses
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from ilo_crawler.archive import Archive
from ilo_crawler.items import Capture


class ArchiveStoragePipeline:
    """One row per (document id, language): a re-run adds no row, a changed article updates its
    row and keeps the previous state in ``revisions``; every page fetched is kept in ``captures``.
    Items are written ``ILO_STORAGE_BATCH_SIZE`` at a time, each batch in one transaction, so an
    article never appears without its capture and appearance."""

    def __init__(self, path: str, batch_size: int, stats: StatsCollector) -> None:
        self.path = path
        self.batch_size = max(1, batch_size)
        self.stats = stats
        self.batch: list[dict[str, Any]] = []
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveStoragePipeline:
        settings = crawler.settings
        return cls(
            settings.get("ILO_ARCHIVE_PATH"),
            settings.getint("ILO_STORAGE_BATCH_SIZE"),
            crawler.stats,
        )

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
        run_id = self.stats.get_value("archive/run_id")
        with self.archive.transaction():
            for item in self.batch:
                if isinstance(item, Capture):
                    self.archive.add_capture(dataclasses.asdict(item), run_id)
                    self.stats.inc_value("archive/captures")
                else:
                    outcome = self.archive.store_article(ItemAdapter(item).asdict(), run_id)
                    self.stats.inc_value(f"archive/{outcome}")
        self.batch.clear()
