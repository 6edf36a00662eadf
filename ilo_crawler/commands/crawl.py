"""``scrapy crawl`` for cron: arguments checked before Scrapy starts, one writer per archive, and
an exit status that says how the run went (``ilo_crawler.exitcodes``).

Scrapy's own ``crawl`` reports a bad spider argument as a traceback after start-up and exits 0
whatever happened to the requests. This one asks the spider class (its ``check_arguments``) while
the command line is read, answering a bad value with one line naming it and what is accepted;
refuses to start while another crawl writes the same archive; and exits with the status the
run's recorder computed. Feeds (``-o``, ``FEEDS``) get the articles only, as any Scrapy
project's would get its items.
"""

from __future__ import annotations

import argparse
import gc
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES, Settings
from scrapy.spiderloader import get_spider_loader

from ilo_crawler.archive import Archive, ArchiveError
from ilo_crawler.archive.lock import ArchiveLock, ArchiveLocked
from ilo_crawler.archive.store import check_writable
from ilo_crawler.exitcodes import ExitStatus
from ilo_crawler.extensions import SUMMARY_STAT
from ilo_crawler.items import ArticleItem
from ilo_crawler.setting_checks import check_settings
from ilo_crawler.spiders.arguments import ArgumentError


def _refuse(message: str, status: ExitStatus) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(status)


def _refuse_repeated(spider_arguments: list[str]) -> None:
    """A spider argument given twice is refused (Scrapy would keep the last one silently)."""
    given: dict[str, str] = {}
    for argument in spider_arguments:
        name = argument.split("=", 1)[0]
        if name in given:
            _refuse(
                f"argument {name} given twice (-a {given[name]}, -a {argument}): give each "
                "argument once",
                ExitStatus.BAD_ARGUMENTS,
            )
        given[name] = argument


def _articles_only(settings: Settings) -> None:
    """Each feed without ``item_classes`` of its own gets the articles only: the spider also
    yields what the archive keeps beside them (page captures, failures, sightings), which are no
    one's idea of the crawl's items (and carry the pages' bytes, which no feed format takes)."""
    feeds = settings.getdict("FEEDS")
    if not feeds:
        return
    articles = {uri: {"item_classes": [ArticleItem], **options} for uri, options in feeds.items()}
    settings.set("FEEDS", articles, priority=settings.getpriority("FEEDS") or "project")


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        _refuse_repeated(opts.spargs)  # still as given: Scrapy folds them into a dict
        super().process_options(args, opts)
        _articles_only(self.settings)
        if len(args) != 1:
            return  # Scrapy's own usage error follows in run()
        try:
            spider_class = get_spider_loader(self.settings).load(args[0])
        except KeyError:
            return  # Scrapy's own "Spider not found" follows
        check = getattr(spider_class, "check_arguments", None)
        if check is None:
            return
        try:
            check(opts.spargs, self.settings)
            check_settings(self.settings)
        except ArgumentError as error:
            _refuse(str(error), ExitStatus.BAD_ARGUMENTS)
        self._choose_console()
        path = self.settings.get("ILO_ARCHIVE_PATH")
        try:
            check_writable(path)  # before the lock file: nothing is made where it cannot be
            self.lock = ArchiveLock(path).acquire()  # held until run() ends, or the process does
            archive = Archive(path)
        except ArchiveLocked as error:
            _refuse(str(error), ExitStatus.LOCKED)
        except ArchiveError as error:
            _refuse(str(error), ExitStatus.ARCHIVE_ERROR)
        try:
            for run in archive.end_abandoned_runs():  # the lock is ours: their process is gone
                print(
                    f"warning: run {run['id']} (started {run['started_at']}) never finished "
                    "(killed, or its last write failed): marked ended_abnormally",
                    file=sys.stderr,
                )
        finally:
            archive.close()

    def _choose_console(self) -> None:
        """Resolve ``ILO_CONSOLE``; in a terminal keep Scrapy's console log to warnings and errors
        (a log file, if given, still gets everything at LOG_LEVEL)."""
        console = self.settings.get("ILO_CONSOLE")
        if console == "auto":
            given = self.settings.getpriority("LOG_LEVEL") or 0
            terminal = sys.stderr.isatty() and given < SETTINGS_PRIORITIES["cmdline"]
            console = "terminal" if terminal else "log"
        self.settings.set("ILO_CONSOLE", console, priority="cmdline")
        if console == "terminal" and not self.settings.get("LOG_FILE"):
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. scrapy crawl newsroom")
        assert self.crawler_process is not None
        lock = getattr(self, "lock", None)
        try:
            crawler = self._create_crawler(args[0])
            self.crawler_process.crawl(crawler, **opts.spargs)
            # What start-up made (Scrapy, the date tables, the archive's index) lives as long as
            # the crawl: out of the collector's way, full collections no longer walk it.
            gc.freeze()
            self.crawler_process.start()
        finally:
            if lock is not None:
                lock.release()
        summary = crawler.stats.get_value(SUMMARY_STAT) if crawler.stats else None
        if self.settings.get("ILO_CONSOLE") == "terminal" and summary:
            print(summary, file=sys.stderr)  # last, after whatever Scrapy logged at its close
        if self.crawler_process.bootstrap_failed:
            self.exitcode = ExitStatus.ERROR
        else:
            self.exitcode = int(crawler.stats.get_value("ilo/exit_status", ExitStatus.ERROR))
