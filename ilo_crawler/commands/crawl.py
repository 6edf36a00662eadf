"""``scrapy crawl``, checking the spider's arguments before Scrapy starts.

Scrapy's own ``crawl`` reports a bad spider argument as a traceback from inside the engine, after
start-up. This one asks the spider class (its ``check_arguments``) while the command line is read,
and answers a bad value with one line naming it and what is accepted, and exit status 2, before
the crawler is built or any request is made.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.spiderloader import get_spider_loader

from ilo_crawler.spiders.arguments import ArgumentError

EXIT_BAD_ARGUMENTS = 2


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
            print(f"error: {error}", file=sys.stderr)
            sys.exit(EXIT_BAD_ARGUMENTS)
