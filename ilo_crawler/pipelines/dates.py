"""Item pipeline: the listing's date line becomes the ISO date ``published``, or a problem."""

from __future__ import annotations

import datetime as dt
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from ilo_crawler.normalize.dates import date_problem, parse_date_text, parse_month_heading


class DateNormalizationPipeline:
    """Fills ``published``, ``article_published``, ``date_problem`` and ``month``.

    A listing date that cannot be trusted is never dropped and never guessed: ``published`` then
    takes the article page's own date if that one is sound, else stays NULL, and the problem is
    kept on the item and counted in the stats (``dates/problem/<code>``).
    """

    def __init__(self, stats: StatsCollector, crawl_date: dt.date) -> None:
        self.stats = stats
        self.crawl_date = crawl_date

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DateNormalizationPipeline:
        return cls(crawler.stats, dt.datetime.now(dt.UTC).date())

    def process_item(self, item: Any) -> Any:
        fields = ItemAdapter(item)
        lang = fields["lang"]
        heading = parse_month_heading(fields.get("listing_heading"), lang)
        listed = parse_date_text(fields.get("date_text"), lang)
        problem = date_problem(
            listed, fields.get("date_text"), crawl_date=self.crawl_date, heading=heading
        )
        on_article = parse_date_text(fields.get("article_date_text"), lang)
        if on_article is not None and date_problem(
            on_article, fields.get("article_date_text"), crawl_date=self.crawl_date, heading=None
        ):
            on_article = None
        published = listed if problem is None else on_article
        fields["published"] = published.isoformat() if published else None
        fields["article_published"] = on_article.isoformat() if on_article else None
        fields["date_problem"] = problem
        if published is not None:
            fields["month"] = f"{published.year:04d}-{published.month:02d}"
        elif heading is not None:
            fields["month"] = f"{heading[0]:04d}-{heading[1]:02d}"
        if problem:
            self.stats.inc_value(f"dates/problem/{problem}")
        if listed and on_article and listed != on_article:
            self.stats.inc_value("dates/article_date_differs")
        return item
