"""The ``newsroom`` spider: archives a month (or a span of months, or all) of an ILO Newsroom
listing.

It only navigates: ``MonthSeek`` decides which listing pages to fetch, the page objects in
``ilo_crawler.pages`` read them, and the item pipelines normalise and store what they read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from ilo_crawler import urls
from ilo_crawler.items import ArticleItem, Capture, article_item, capture_of
from ilo_crawler.normalize.dates import parse_date_text
from ilo_crawler.normalize.fields import date_fields
from ilo_crawler.pages.article import ArticlePage, parse_article
from ilo_crawler.pages.listing import ListingEntry, parse_listing
from ilo_crawler.spiders.arguments import NewsroomArguments, check_base_url
from ilo_crawler.spiders.seek import Month, MonthSeek

LISTING_PRIORITY = 10  # navigation first, so the seek is never queued behind article pages


class NewsroomSpider(scrapy.Spider):
    name = "newsroom"

    @classmethod
    def check_arguments(cls, arguments: dict[str, str], settings: Any) -> None:
        """Refuse bad arguments and settings before the crawl starts (raises ArgumentError)."""
        NewsroomArguments.parse(arguments)
        check_base_url(settings.get("ILO_BASE_URL"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arguments = NewsroomArguments.parse(kwargs)
        self.crawl_date = dt.datetime.now(dt.UTC).date()
        self.seek = MonthSeek(self.arguments.oldest, self.arguments.newest, self.month_of)

    @property
    def base_url(self) -> str:
        return check_base_url(self.settings.get("ILO_BASE_URL"))

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.allowed_domains = [urls.host_of(self.base_url)]
        yield self._listing_request(0)

    # Listing pages -----------------------------------------------------------------------------
    def _listing_request(self, index: int) -> scrapy.Request:
        self.crawler.stats.inc_value("newsroom/listing_requests")
        url = urls.listing_url(
            self.base_url, self.arguments.listing, self.arguments.lang, self.seek.offset(index)
        )
        return scrapy.Request(
            url,
            callback=self.parse_listing_page,
            errback=self.listing_failed,
            cb_kwargs={"index": index},
            priority=LISTING_PRIORITY,
        )

    def parse_listing_page(self, response: Response, index: int) -> Iterator[Any]:
        yield capture_of(response, "listing")
        page = parse_listing(response.body, response.url)
        if index == 0 and page.is_empty:
            self.logger.warning("listing %s shows no items at all", response.url)
        step = self.seek.observe(index, page)
        for harvested in step.harvest:
            harvested_page = self.seek.pages[harvested]
            for entry in self.seek.entries_to_follow(harvested_page):
                yield from self._follow(entry, harvested_page.url)
        if step.fetch is not None:
            yield self._listing_request(step.fetch)

    def listing_failed(self, failure: Failure) -> None:
        self.crawler.stats.inc_value("newsroom/listing_failures")
        self.logger.error(
            "listing page failed, month not complete: %s (%s)",
            failure.request.url,
            failure.getErrorMessage(),
        )

    def month_of(self, entry: ListingEntry) -> Month | None:
        """An item's month is its date's month (headings are missing or blank on some listings);
        the heading serves where the date is missing or cannot be trusted, exactly as the date
        pipeline will decide it."""
        month = date_fields(
            lang=self.arguments.lang,
            date_text=entry.date_text,
            article_date_text=None,
            heading=entry.heading,
            crawl_date=self.crawl_date,
        )["month"]
        return (int(month[:4]), int(month[5:])) if month else None

    # Article pages -----------------------------------------------------------------------------
    def _follow(self, entry: ListingEntry, listing_url: str) -> Iterator[Any]:
        key = urls.parse_article_path(entry.url) if entry.url else None
        context = {"entry": entry, "listing_url": listing_url}
        if key is None:
            # No article page to read (no link, or a link to no document): archive what the
            # listing shows, under a key derived from it, rather than lose the item.
            self.crawler.stats.inc_value("newsroom/entries_without_article")
            yield self._item(
                context, doc_id=_listing_only_id(entry), article=None, fetch_error="no article link"
            )
            return
        self.crawler.stats.inc_value("newsroom/article_requests")
        yield scrapy.Request(
            entry.url,
            callback=self.parse_article_page,
            errback=self.article_failed,
            cb_kwargs=context,
        )

    def parse_article_page(
        self, response: Response, entry: ListingEntry, listing_url: str
    ) -> Iterator[ArticleItem]:
        article = parse_article(response.body, response.url)
        if not article.has_article:
            self.crawler.stats.inc_value("newsroom/articles_without_content")
            self.logger.error("article page has no article block: %s", response.url)
        if self.month_of(entry) is None:
            day = parse_date_text(article.date_text, self.arguments.lang)
            if day is not None and not self.seek.in_span((day.year, day.month)):
                self.crawler.stats.inc_value("newsroom/undated_entries_outside_span")
                return
        key = urls.parse_article_path(entry.url or response.url)
        yield self._item(
            {"entry": entry, "listing_url": listing_url},
            doc_id=key.doc_id,
            article=article,
            capture=capture_of(response, "article", key.doc_id, self.arguments.lang),
        )

    def article_failed(self, failure: Failure) -> Iterator[ArticleItem]:
        request = failure.request
        self.crawler.stats.inc_value("newsroom/article_failures")
        self.logger.error(
            "article page failed, archived from the listing only: %s (%s)",
            request.url,
            failure.getErrorMessage(),
        )
        key = urls.parse_article_path(request.url)
        yield self._item(
            request.cb_kwargs,
            doc_id=key.doc_id,
            article=None,
            fetch_error=failure.getErrorMessage(),
        )

    def _item(
        self,
        context: dict[str, Any],
        *,
        doc_id: str,
        article: ArticlePage | None,
        capture: Capture | None = None,
        fetch_error: str | None = None,
    ) -> ArticleItem:
        return article_item(
            doc_id=doc_id,
            lang=self.arguments.lang,
            listing=self.arguments.listing,
            listing_url=context["listing_url"],
            entry=context["entry"],
            article=article,
            capture=capture,
            fetch_error=fetch_error,
        )


def _listing_only_id(entry: ListingEntry) -> str:
    """A stable key for an item with no document id: a hash of what the listing shows of it."""
    shown = "\x1f".join(str(v) for v in (entry.title, entry.date_text, entry.summary, entry.url))
    return "LISTING_" + hashlib.sha256(shown.encode("utf-8")).hexdigest()[:16]
