"""Crawl-wide concerns: recording each run in the archive, watching its field coverage, closing
it with a summary line and an exit status for cron, and (in a terminal) a progress line."""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import time
from collections import deque
from collections.abc import Mapping
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from ilo_crawler.archive import Archive, ArchiveError
from ilo_crawler.archive.store import write_error
from ilo_crawler.archive.writer import COVERAGE_FIELDS
from ilo_crawler.exitcodes import ExitStatus, exit_status
from ilo_crawler.items import ArticleItem, Sighting
from ilo_crawler.spiders.arguments import NewsroomArguments

logger = logging.getLogger(__name__)

#: How many earlier runs the coverage is compared with, and how few items make no comparison.
COVERAGE_HISTORY = 5
COVERAGE_MIN_ITEMS = 20
#: A drop is reported when a share falls below this fraction of its median over earlier runs.
COVERAGE_DROP = 0.5


def stop_crawl(crawler: Crawler, reason: str) -> None:
    """Close the spider now: nothing more is scheduled or downloaded (requests already on the
    wire end first); ``reason`` becomes the run's outcome."""
    assert crawler.engine is not None
    deferred_from_coro(crawler.engine.close_spider_async(reason=reason))


class RunRecorder:
    """Writes a ``runs`` row when the spider opens (its id goes to the stats as ``archive/run_id``
    for the storage pipeline) and completes it when the spider closes: outcome, exit status,
    counts, field coverage, stats, and the ``completeness`` of months read from the web archive
    (the spider's ``completeness_reports``); then logs a line per such month and the run's
    summary line."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("ILO_ARCHIVE_PATH")
        self.run_id: int | None = None
        self.started = 0.0
        self.items = 0  #: articles whose page was read (counted by the archive's writer)

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
        arguments = getattr(spider, "arguments", None)
        try:
            archive = Archive(self.path)
            try:
                self.run_id = archive.start_run(
                    spider.name,
                    recorded_arguments(arguments) if arguments is not None else {},
                    getattr(spider, "source_url", self.crawler.settings.get("ILO_BASE_URL")),
                )
            finally:
                archive.close()
        except (sqlite3.Error, ArchiveError) as error:
            self.crawler.stats.inc_value("archive/errors")
            self.crawler.stats.set_value("ilo/exit_status", int(ExitStatus.ARCHIVE_ERROR))
            logger.error("%s; the crawl stops", _one_line(self.path, error))
            stop_crawl(self.crawler, "archive_error")
            return
        self.crawler.stats.set_value("archive/run_id", self.run_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:
            return
        stats = self.crawler.stats
        self.items = int(stats.get_value("archive/articles_read", 0))
        coverage = {
            name: round(int(stats.get_value(f"archive/filled/{name}", 0)) / self.items, 3)
            for name in COVERAGE_FIELDS
            if self.items
        }
        reports = getattr(spider, "completeness_reports", [])
        counts = {
            n: int(stats.get_value(f"archive/{n}", 0)) for n in ("new", "changed", "unchanged")
        }
        drops: list[str] = []
        status = exit_status(stats.get_stats(), reason)
        stats.set_value("ilo/exit_status", int(status))
        try:
            archive = Archive(self.path)
            try:
                for report in reports:
                    archive.record_completeness(self.run_id, report)
                drops = self._coverage_drops(archive, spider.name, coverage)
                if drops:
                    stats.set_value("coverage/drops", drops)
                archive.finish_run(
                    self.run_id,
                    outcome=reason,
                    counts=counts,
                    requests=stats.get_value("downloader/request_count"),
                    stats=_plain(stats.get_stats()),
                    exit_status=int(status),
                    field_coverage=coverage,
                )
            finally:
                archive.close()
        except (sqlite3.Error, ArchiveError) as error:
            stats.inc_value("archive/errors")
            logger.error(
                "%s; the run's end is not recorded (the next run marks it ended_abnormally)",
                _one_line(self.path, error),
            )
            status = exit_status(stats.get_stats(), reason)
            stats.set_value("ilo/exit_status", int(status))
        counted = stats.get_stats()
        lines = [_completeness_line(report) for report in reports]
        lines.append(self._summary(spider, counts, counted, drops, status, reason))
        for line in lines:
            logger.info("%s", line)
        stats.set_value(SUMMARY_STAT, "\n".join(lines))  # for the crawl command to print last

    def _coverage_drops(
        self, archive: Archive, spider: str, coverage: dict[str, float]
    ) -> list[str]:
        """Fields whose share fell sharply against the median of the last clean runs."""
        if self.items < COVERAGE_MIN_ITEMS:
            return []
        history = [
            json.loads(row["field_coverage"])
            for row in archive.db.query(
                "SELECT field_coverage FROM runs WHERE spider = ? AND exit_status = 0"
                " AND field_coverage IS NOT NULL AND items_new + items_changed >= ?"
                " AND id != ? ORDER BY id DESC LIMIT ?",
                (spider, COVERAGE_MIN_ITEMS, self.run_id, COVERAGE_HISTORY),
            )
        ]
        drops = []
        for name, share in coverage.items():
            earlier = sorted(h[name] for h in history if name in h)
            if not earlier:
                continue
            median = earlier[len(earlier) // 2]
            if share < median * COVERAGE_DROP:
                drops.append(f"{name} {median:.0%}→{share:.0%}")
        return drops

    def _summary(
        self,
        spider: Spider,
        counts: dict[str, int],
        stats: dict[str, Any],
        drops: list[str],
        status: int,
        reason: str,
    ) -> str:
        arguments = getattr(spider, "arguments", None)
        described = (
            " ".join(f"{k}={v}" for k, v in arguments.as_dict().items()) if arguments else ""
        )
        if arguments is not None and arguments.incremental:
            described = f"incremental {described}"
        failed = int(stats.get("newsroom/article_failures", 0)) + int(
            stats.get("newsroom/listing_failures", 0)
        )
        not_modified = int(stats.get("newsroom/articles_not_modified", 0))
        # Article requests that brought a page: not a 304, not failed after retries, not gone.
        downloads = (
            int(stats.get("newsroom/article_requests", 0))
            - not_modified
            - sum(
                int(stats.get(f"newsroom/{name}", 0))
                for name in ("article_failures", "articles_gone")
            )
        )
        line = (
            f"run {self.run_id} {described}: {counts['new']} new, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged, {failed} failed pages, "
            f"{stats.get('drift/problems', 0)} layout problems, "
            f"{stats.get('dates/problems', 0)} date problems, "
            f"{stats.get('categories/labels_not_in_taxonomy', 0)} labels not in the taxonomy, "
            f"{downloads} article downloads, {not_modified} not modified (304), "
            f"{stats.get('downloader/request_count', 0)} requests, "
            f"{time.monotonic() - self.started:.1f} s ({reason}, exit {status}) -> {self.path}"
        )
        if drops:
            line += "; field coverage dropped: " + ", ".join(drops)
        joined = stats.get("archive/groups_joined", 0)
        if joined:
            line += f"; {joined} joined to their copy on the other site (title, date and text agree)"
        parted = stats.get("archive/groups_parted", 0)
        if parted:
            line += f"; {parted} parted (the evidence no longer joins their copies)"
        conflicts = stats.get("archive/identity_conflicts", 0)
        if conflicts:
            line += (
                f"; {conflicts} joins left undecided (candidates too alike): kept apart "
                "(ilo-archive verify lists them)"
            )
        if stats.get("sitemap/requests"):
            line += "; sitemap: " + ", ".join(
                f"{stats.get(f'sitemap/{name}', 0)} {name}"
                for name in ("changed", "unlisted", "gone")
            )
            if stats.get("sitemap/reappeared"):
                line += f", {stats['sitemap/reappeared']} back after gone"
            if stats.get("sitemap/failed"):
                line += f" (failed: {stats['sitemap/failed']}; the listing was read)"
        line += fields_not_found(stats)
        by_content = stats.get("extraction/pages_by_content", 0)
        if by_content:
            line += f"; {by_content} pages read partly or wholly by content (see the warnings)"
        return line


#: The stats counting article pages whose field neither the selectors nor the content found.
_FIELD_DRIFT = "drift/article_field/"


def fields_not_found(stats: Mapping[str, Any]) -> str:
    """The summary's words for the article fields no reader found, named with their counts
    (drift stays loud, field by field); empty when every field was found."""
    missed = [
        f"{name.removeprefix(_FIELD_DRIFT)} {count}"
        for name, count in sorted(stats.items())
        if name.startswith(_FIELD_DRIFT)
    ]
    return "; fields no reader found: " + ", ".join(missed) if missed else ""


def recorded_arguments(arguments: NewsroomArguments) -> dict[str, str]:
    """The spider's arguments as given, with what the run was: its ``mode`` (``incremental``,
    ``month``, ``span`` or ``all``) and ``source``, so the runs table says it as it is."""
    given = arguments.as_dict()
    mode = next((m for m in ("all", "month") if m in given), "span")
    return {
        **given,
        "mode": "incremental" if arguments.incremental else mode,
        "source": arguments.source,
    }


#: The stat holding the run's closing lines, its summary last (not in ``runs.stats``: it is set
#: after them).
SUMMARY_STAT = "ilo/summary"
#: ANSI: back to the start of the line and erase it (the progress line is redrawn in place).
CLEAR_LINE = "\r\x1b[K"
#: Seconds of responses the progress line's pace (and so its time left) is measured over.
PACE_WINDOW = 10.0


class ConsoleProgress:
    """In a terminal (``ILO_CONSOLE`` resolved to ``terminal`` by the crawl command), one line
    redrawn every ``ILO_PROGRESS_INTERVAL`` seconds: what the run archives, items so far,
    requests, and how long the requests already queued take at the current pace. A warning or
    error logged meanwhile first clears it, so log lines never run into it."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.items = 0
        self.what = ""
        self.pace: deque[tuple[float, int]] = deque()
        self.loop = task.LoopingCall(self.draw)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConsoleProgress:
        interval = crawler.settings.getfloat("ILO_PROGRESS_INTERVAL")
        if crawler.settings.get("ILO_CONSOLE") != "terminal" or interval <= 0:
            raise NotConfigured  # no message: Scrapy would warn about it, and this is no fault
        progress = cls(crawler, interval)
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def spider_opened(self, spider: Spider) -> None:
        self.what = _what_is_archived(spider)
        for handler in logging.root.handlers:
            handler.addFilter(self._clear)
        self.loop.start(self.interval, now=True)

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, ArticleItem | Sighting):
            self.items += 1

    def spider_closed(self, spider: Spider) -> None:
        if self.loop.running:
            self.loop.stop()
        for handler in logging.root.handlers:
            handler.removeFilter(self._clear)
        self._clear(None)

    def draw(self) -> None:
        sys.stderr.write(CLEAR_LINE + self.line())
        sys.stderr.flush()

    def line(self) -> str:
        stats = self.crawler.stats
        now = time.monotonic()
        responses = int(stats.get_value("downloader/response_count", 0))
        self.pace.append((now, responses))
        while now - self.pace[0][0] > PACE_WINDOW:
            self.pace.popleft()
        queued = int(stats.get_value("scheduler/enqueued", 0)) - int(
            stats.get_value("scheduler/dequeued", 0)
        )
        assert self.crawler.engine is not None
        queued += len(self.crawler.engine.downloader.active)
        line = (
            f"{self.what}: {self.items} items, "
            f"{int(stats.get_value('downloader/request_count', 0))} requests, "
            f"{_duration(now - self.started)}"
        )
        since, answered = self.pace[0]
        elapsed = now - since
        if queued > 0 and elapsed > 0 and responses > answered:
            left = queued / ((responses - answered) / elapsed)
            line += f"; {queued} queued, about {_duration(left)} at this pace"
        return line

    @staticmethod
    def _clear(_record: logging.LogRecord | None) -> bool:
        sys.stderr.write(CLEAR_LINE)
        return True


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "<1 s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def _what_is_archived(spider: Spider) -> str:
    """The run in a few words: its months (or incremental), language, listing and source."""
    arguments = getattr(spider, "arguments", None)
    if arguments is None:
        return spider.name
    if arguments.incremental:
        months = "new items since the last run"
    elif arguments.oldest == arguments.newest:
        months = f"{arguments.oldest[0]:04d}-{arguments.oldest[1]:02d}"
    elif "all" in arguments.as_dict():
        months = "every month"
    else:
        (y1, m1), (y2, m2) = arguments.oldest, arguments.newest
        months = f"{y1:04d}-{m1:02d} to {y2:04d}-{m2:02d}"
    return f"archiving {months}, {arguments.lang} {arguments.listing} ({arguments.source})"


def _one_line(path: str, error: sqlite3.Error | ArchiveError) -> str:
    """An archive error as said to the person running the crawl (ArchiveError says it already)."""
    return str(error) if isinstance(error, ArchiveError) else write_error(path, error)


def _completeness_line(report: dict[str, Any]) -> str:
    """A month read from the web archive, in one line: how complete it is, what is missing."""
    line = (
        f"web archive {report['month']} {report['lang']}: {report['items_seen']} items seen on "
        f"{report['listing_captures']} listing captures, {report['items_with_capture']} with an "
        f"article capture, {report['items_with_body']} archived with body"
    )
    missing = report["missing"]
    if missing:
        named = "; ".join(
            f"{entry['doc_id'] or entry['url']}: {entry['reason']}" for entry in missing[:5]
        )
        more = f"; and {len(missing) - 5} more" if len(missing) > 5 else ""
        line += f"; missing {len(missing)}: {named}{more}"
    return line


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    """Stats as JSON-friendly values (datetimes become ISO strings)."""
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in sorted(stats.items())
    }
