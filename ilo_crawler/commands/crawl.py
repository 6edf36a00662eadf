"""``scrapy crawl``, checking the spider's arguments before the crawl starts.

Scrapy's own ``crawl`` reports a bad spider argument as a traceback from inside the engine, after
start-up. This one asks the spider class (``check_arguments``) first and answers a bad value with
one line naming it and what is accepted, and exit status 2, before any request is made.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from ilo_crawler.archive import ArchiveError
from ilo_crawler.spiders.arguments import ArgumentError

EXIT_BAD_ARGUMENTS = 2


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. scrapy crawl newsroom")
        assert self.crawler_process is not None
        spider_class = self.crawler_process.spider_loader.load(args[0])
        check = getattr(spider_class, "check_arguments", None)
        if check is not None:
            try:
                check(opts.spargs, self.settings)
            except (ArgumentError, ArchiveError) as error:
                print(f"error: {error}", file=sys.stderr)
                self.exitcode = EXIT_BAD_ARGUMENTS
                return
        super().run(args, opts)
