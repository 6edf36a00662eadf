"""How Scrapy's per-item log lines name the crawler's items (``LOG_FORMATTER``).

Scrapy's own lines print the whole item: for an article, its body and the capture's bytes, a
page of log per item. Here an item is named in one line (what it is, its document and language,
its URL). And at a log level above DEBUG, where the line would be made only to be thrown away,
no line is made for an item scraped (``None``: Scrapy logs nothing), which a full crawl's
12,000 items would otherwise pay for."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spiders import Spider
from twisted.python.failure import Failure

from ilo_crawler.items import ArticleItem, Capture, FetchFailure, Sighting


def describe(item: Any) -> str:
    """One line naming an item of the crawler's (any other item: its type)."""
    if isinstance(item, ArticleItem):
        return f"article {item.doc_id} ({item.lang}) {item.url or item.listing_url}"
    if isinstance(item, Sighting):
        return f"sighting of {item.doc_id} ({item.lang}) on {item.listing_url}"
    if isinstance(item, Capture):
        return f"capture of the {item.kind} page {item.final_url} ({item.status})"
    if isinstance(item, FetchFailure):
        return f"failure of the {item.kind} page {item.url}"
    return type(item).__name__


class ItemLogFormatter(logformatter.LogFormatter):
    """Scrapy's log formatter, with each item named by ``describe``."""

    def __init__(self, debug: bool) -> None:
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ItemLogFormatter:
        level = logging.getLevelName(str(crawler.settings.get("LOG_LEVEL")).upper())
        return cls(debug=isinstance(level, int) and level <= logging.DEBUG)

    def scraped(
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> logformatter.LogFormatterResult | None:
        if not self.debug:
            return None
        result = super().scraped(describe(item), response, spider)
        result["msg"] = "Scraped from %(src)s: %(item)s"
        return result

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> logformatter.LogFormatterResult:
        result = super().dropped(describe(item), exception, response, spider)
        result["msg"] = "Dropped: %(exception)s: %(item)s"
        return result

    def item_error(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> logformatter.LogFormatterResult:
        return super().item_error(describe(item), exception, response, spider)
