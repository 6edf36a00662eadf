"""``scrapy crawl`` for cron: arguments checked before Scrapy starts, one writer per archive, and
an exit status that says how the run went (``ilo_crawler.exitcodes``).

Scrapy's own ``crawl`` reports a bad spider argument as a traceback after start-up and exits 0
whatever happened to the requests. This one asks the spider class (its ``check_arguments``) while
the command line is read, answering a bad value with one line naming it and what is accepted;
refuses to start while another crawl writes the same archive; and exits with the status the
run's recorder computed.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from ilo_crawler.archive import Archive, ArchiveError
from ilo_crawler.archive.lock import ArchiveLock, ArchiveLocked
from ilo_crawler.exitcodes import ExitStatus
from ilo_crawler.spiders.arguments import ArgumentError


def _refuse(message: str, status: ExitStatus) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(status)


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
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
        except ArgumentError as error:
            _refuse(str(error), ExitStatus.BAD_ARGUMENTS)
        path = self.settings.get("ILO_ARCHIVE_PATH")
        try:
            self.lock = ArchiveLock(path).acquire()  # held until run() ends, or the process does
        except ArchiveLocked as error:
            _refuse(str(error), ExitStatus.LOCKED)
        try:
            Archive(path).close()
        except ArchiveError as error:
            _refuse(str(error), ExitStatus.ARCHIVE_ERROR)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. scrapy crawl newsroom")
        assert self.crawler_process is not None
        lock = getattr(self, "lock", None)
        try:
            crawler = self._create_crawler(args[0])
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            if lock is not None:
                lock.release()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = ExitStatus.ERROR
        else:
            self.exitcode = int(crawler.stats.get_value("ilo/exit_status", ExitStatus.ERROR))
