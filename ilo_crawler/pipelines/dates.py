"""Item pipeline: the listing's date line becomes the ISO date ``published``, or a problem."""

from __future__ import annotations

import datetime as dt
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from ilo_crawler.items import ArticleItem
from ilo_crawler.normalize.fields import date_fields


class DateNormalizationPipeline:
    """Fills ``published``, ``article_published``, ``date_problem`` and ``month``.

    A listing date that cannot be trusted is never dropped and never guessed: the item is kept,
    the problem recorded on it and counted in the stats (``dates/problem/<code>``).
    """

    def __init__(self, stats: StatsCollector, crawl_date: dt.date) -> None:
        self.stats = stats
        self.crawl_date = crawl_date

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DateNormalizationPipeline:
        return cls(crawler.stats, dt.datetime.now(dt.UTC).date())

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):  # page captures carry no article fields
            return item
        fields = ItemAdapter(item)
        derived = date_fields(
            lang=fields["lang"],
            date_text=fields.get("date_text"),
            article_date_text=fields.get("article_date_text"),
            heading=fields.get("listing_heading"),
            crawl_date=self.crawl_date,
            date_value=fields.get("date_value"),
        )
        fields.update(derived)
        if derived["date_problem"]:
            self.stats.inc_value("dates/problems")
            self.stats.inc_value(f"dates/problem/{derived['date_problem']}")
        if derived["article_published"]:
            self.stats.inc_value("dates/article_date_differs")
        return item
