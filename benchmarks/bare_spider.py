"""The least any crawler of the listing must do, as the baseline for the full crawl's throughput.

It walks the same listing pages in the same order as ``newsroom -a all=1`` (page ``i + 1`` is asked
for once page ``i`` has answered, at the same priority over article pages), takes the article links
with one ``response.css`` call, fetches every article page and does nothing with it. No parsing,
no items, no pipelines, no archive. Run with ``scrapy runspider`` outside the project directory, so
that only Scrapy's defaults and the settings given on the command line apply.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response

from ilo_crawler.sites.wcms import urls

LISTING_PRIORITY = 10  # as the newsroom spider: navigation before article pages


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, base_url: str, pages: str, page_size: str, stats_out: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.base_url = base_url
        self.pages = int(pages)
        self.page_size = int(page_size)
        self.stats_out = Path(stats_out)

    async def start(self) -> Any:
        yield self._listing(0)

    def _listing(self, index: int) -> scrapy.Request:
        url = urls.listing_url(self.base_url, "all-newsroom", "en", index * self.page_size)
        return scrapy.Request(
            url, callback=self.parse, cb_kwargs={"index": index}, priority=LISTING_PRIORITY
        )

    def parse(self, response: Response, index: int = 0) -> Iterator[scrapy.Request]:
        for href in response.css(".item-title a::attr(href)").getall():
            yield response.follow(href, callback=self.ignore)
        if index + 1 < self.pages:
            yield self._listing(index + 1)

    def ignore(self, response: Response) -> None:
        """An article page: fetched, and that is all."""

    def closed(self, reason: str) -> None:
        """Hand the stats to the benchmark (``runspider`` has no archive to keep them in)."""
        stats = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        self.stats_out.write_text(json.dumps(stats, default=str))
