"""The ``newsroom`` spider: archives a month, a span of months, all, or (without arguments) what
is new since the last run, of an ILO Newsroom listing: of the current site (``-a
source=current``), of the WCMS site itself (``live``), or of the Wayback Machine's captures of the
WCMS (``wayback``); without ``source`` the months choose (``arguments.choose_source``).

It only navigates: ``MonthSeek``/``IncrementalWalk`` (a site's own listing, through its
``SiteScheme``) and ``CaptureWalk`` (web archive, ``ilo_crawler.spiders.wayback``) decide which
listing pages to fetch, the site's page objects (``ilo_crawler.sites``) read them,
``ArchiveIndex`` says what need not be fetched again, and the item pipelines normalise and store
what was read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from ilo_crawler import sites
from ilo_crawler.archive.index import ArchiveIndex, Known, conditional_headers
from ilo_crawler.archive.store import GONE_STATUSES
from ilo_crawler.items import (
    ArchivedCopy,
    ArticleItem,
    Capture,
    FetchFailure,
    Sighting,
    article_item,
    capture_of,
    listing_hash,
    listing_only_id,
)
from ilo_crawler.middlewares import SiteUnreachable, wayback_slots
from ilo_crawler.normalize.dates import parse_date_text
from ilo_crawler.normalize.fields import date_fields
from ilo_crawler.pipelines.storage import ArchiveStoragePipeline
from ilo_crawler.sites.pages import BY_CONTENT, ArticlePage, ListingEntry, ListingPage
from ilo_crawler.sites.readers import PageReaders
from ilo_crawler.spiders.arguments import (
    NewsroomArguments,
    check_base_url,
    current_first_month,
    wayback_span,
)
from ilo_crawler.spiders.seek import IncrementalWalk, Month, MonthSeek
from ilo_crawler.spiders.sitemap import (
    LEFT,
    SITEMAP_LISTING,
    SitemapNavigation,
    SitemapReading,
    Visit,
    sitemap_entry,
)
from ilo_crawler.spiders.wayback import WaybackNavigation

LISTING_PRIORITY = 10  # navigation first, so the seek is never queued behind article pages
RETRY_FIRST_PRIORITY = 20  # pages that failed in earlier runs go before anything else
#: A page this full whose items all lack titles, or all lack dates, is a layout change (a few
#: undated events in a row are not: real listings have them).
DRIFT_PAGE_MIN_ITEMS = 5


class NewsroomSpider(SitemapNavigation, WaybackNavigation, scrapy.Spider):
    name = "newsroom"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """The web archive's download slots (one per endpoint), from the ``ILO_WAYBACK_*``
        settings."""
        super().update_settings(settings)
        slots = {**wayback_slots(settings), **settings.getdict("DOWNLOAD_SLOTS")}
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")

    @classmethod
    def check_arguments(cls, arguments: dict[str, str], settings: Any) -> None:
        """Refuse bad arguments and settings before the crawl starts (raises ArgumentError)."""
        span = wayback_span(settings)
        first = current_first_month(settings)
        chosen = NewsroomArguments.parse(arguments, wayback_span=span, current_first=first)
        if chosen.source == "wayback":
            check_base_url(
                settings.get("ILO_WAYBACK_URL"), "ILO_WAYBACK_URL", "https://web.archive.org"
            )
        else:
            check_base_url(settings.get("ILO_BASE_URL"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crawl_date = dt.datetime.now(dt.UTC).date()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsroomSpider:
        """The spider, its arguments read with the settings (the web archive's months, the
        current site's first month: checked before the crawl by ``check_arguments``) and the
        site they navigate."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.arguments = NewsroomArguments.parse(
            kwargs,
            wayback_span=wayback_span(crawler.settings),
            current_first=current_first_month(crawler.settings),
        )
        spider.site = spider.arguments.site
        from twisted.internet import reactor  # the one Scrapy installed (never at import time)

        spider.pages = PageReaders(reactor, crawler.settings.getint("ILO_PAGE_READERS"), crawler)
        if spider.arguments.source != "wayback":  # the web archive's walk reads its captures here
            crawler.signals.connect(spider.pages.start, signal=signals.spider_opened)
        crawler.signals.connect(spider.pages.close, signal=signals.spider_closed)
        crawler.signals.connect(spider.sitemap_idle, signal=signals.spider_idle)
        return spider

    @property
    def base_url(self) -> str:
        return check_base_url(self.settings.get("ILO_BASE_URL"))

    @property
    def reads_sitemap(self) -> bool:
        """An incremental run of the current site reads its sitemap, unless ``-a sitemap=0`` or
        ``ILO_SITEMAP`` says not to."""
        chosen = self.arguments.sitemap
        if chosen is None:
            chosen = self.settings.getbool("ILO_SITEMAP")
        return chosen and self.arguments.incremental and self.arguments.source == "current"

    @property
    def source_url(self) -> str:
        """Where this run reads pages: the site, or the web archive."""
        return self.wayback_url if self.arguments.source == "wayback" else self.base_url

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.allowed_domains = [sites.host_of(self.source_url)]
        lang, listing = self.arguments.lang, self.arguments.listing
        self.index = ArchiveIndex.load(self.settings.get("ILO_ARCHIVE_PATH"), lang)
        # Responses of an earlier process (a crawl resumed from JOBDIR) belong to navigation this
        # process never made: listing pages among them are archived, not navigated.
        self.seek_token = uuid.uuid4().hex
        self.month_entries: Counter[Month | None] = Counter()  #: entries followed, by month
        #: The article pages the listing walk asked for: the sitemap leaves them to it (not
        #: those it saw unchanged on their card: a correction leaves the card as it was).
        self.walked: set[str] = set()
        self.sitemap: SitemapReading | None = None
        if self.arguments.source == "wayback":
            for request in self.wayback_start():
                yield request
            return
        if self.arguments.incremental:
            cutoff = self.index.incremental_cutoff(
                lang, listing, self.settings.getint("ILO_INCREMENTAL_MARGIN_DAYS")
            )
            self.seek: MonthSeek = IncrementalWalk(self.month_of, self._unchanged, cutoff)
        else:
            self.seek = MonthSeek(self.arguments.oldest, self.arguments.newest, self.month_of)
        for failure in self.index.open_failures(lang, listing, self.base_url):
            request = self._retry_request(failure)
            if request is not None:
                yield request
        yield self._listing_request(0)
        if self.reads_sitemap:
            for request in self.sitemap_start():
                yield request

    # Listing pages -----------------------------------------------------------------------------
    def _listing_request(self, index: int) -> scrapy.Request:
        self.crawler.stats.inc_value("newsroom/listing_requests")
        url = self.site.listing_url(
            self.base_url, self.arguments.listing, self.arguments.lang, index, self.seek.page_size
        )
        return scrapy.Request(
            url,
            callback=self.parse_listing_page,
            errback=self.listing_failed,
            cb_kwargs={"index": index, "seek": self.seek_token},
            priority=LISTING_PRIORITY,
            dont_filter=True,  # the seek asks for a page again only when it must read it again
        )

    def parse_listing_page(self, response: Response, index: int, seek: str) -> Iterator[Any]:
        yield capture_of(response, "listing", source=self.arguments.source)
        if not self.of_this_process(seek):
            return
        page = self.read_listing(response.body, response.url)
        redirects = response.meta.get("redirect_urls")
        if (
            index == 0
            and redirects
            and self.site.listing_of(response.url) != self.arguments.listing
        ):
            self._listing_not_served(redirects[0], f"redirected to {response.url}")
        self._check_listing(page, index)
        step = self.seek.observe(index, page)
        if step.fetch is None and not self.arguments.incremental:
            stop = step.harvest[-1] if step.harvest else index
            self._month_reached(self.seek.pages.get(stop, page), stop)
        for harvested in step.harvest:
            harvested_page = self.seek.pages.pop(harvested)  # never needed again: let it go
            for entry in self.seek.entries_to_follow(harvested_page):
                self.month_entries[self.month_of(entry)] += 1
                yield from self._follow(entry, harvested_page)
        if step.fetch is not None:
            yield self._listing_request(step.fetch)

    # Extraction --------------------------------------------------------------------------------
    # The live walk's article pages are read by the page reader processes (ILO_PAGE_READERS);
    # listing pages here (the next listing request waits for each), and the web archive's
    # captures too: that walk is paced by the archive's budgets, not by the CPU.
    def read_listing(self, body: bytes, url: str) -> ListingPage:
        """The listing page object of a response, its extraction counted (``url``: the page's
        URL on the site)."""
        page = self.site.parse_listing(body, url)
        if page.entries:
            self._count_extraction("listing", url, page.layout, page.content_fields)
        return page

    def read_article(self, body: bytes, url: str) -> ArticlePage:
        """The article page object of a response, its extraction counted."""
        return self._article_read(self.site.parse_article(body, url), url)

    async def read_article_elsewhere(self, body: bytes, url: str) -> ArticlePage:
        """As ``read_article``, by a page reader process."""
        return self._article_read(await self.pages.read(self.site, body, url), url)

    def _article_read(self, article: ArticlePage, url: str) -> ArticlePage:
        if article.has_article:
            self._count_extraction("article", url, article.layout, article.content_fields)
        return article

    def _count_extraction(
        self, kind: str, url: str, layout: str | None, by_content: tuple[str, ...]
    ) -> None:
        """Pages by the layout that read them (``extraction/<kind>/<layout>`` or ``.../content``)
        and, where the content layer had to take over, one warning naming the page and the
        fields: a site change shows here before it becomes a loss."""
        stats = self.crawler.stats
        stats.inc_value(f"extraction/{kind}/{layout or BY_CONTENT}")
        if not by_content:
            return
        stats.inc_value("extraction/pages_by_content")
        for name in by_content:
            stats.inc_value(f"extraction/{kind}/field/{name}/{BY_CONTENT}")
        self.logger.warning(
            "content extraction: %s: %s found by content (%s)",
            url,
            ", ".join(by_content),
            f"the {layout} selectors missed them" if layout else "no known layout matched",
        )

    def _check_listing(self, page: ListingPage, index: int) -> None:
        """Layout drift: a page that should hold items but holds none (the first page: or the
        site no longer serves the listing), or items that lack what every real item has."""
        if page.is_empty:
            if index == 0:
                self._drift(
                    page.url,
                    "listing page holds no items: the site's layout changed, or it no longer "
                    f"serves this listing ({self.site.not_served_hint})",
                )
            elif self.seek.last is not None and index <= self.seek.last:
                self._drift(page.url, "listing page holds no items")
            return
        self._check_entries(page)

    def _check_entries(self, page: ListingPage) -> None:
        """Items that lack what every real item has: a title or a date (one of them may be
        missing, never both; and not on a whole page of ``DRIFT_PAGE_MIN_ITEMS`` or more), or
        a link (an event may have none, not a whole page of items)."""
        if any(entry.title is None and entry.date_text is None for entry in page.entries):
            self._drift(page.url, "listing item with neither title nor date")
        elif len(page.entries) < DRIFT_PAGE_MIN_ITEMS:
            return
        elif all(entry.title is None for entry in page.entries):
            self._drift(page.url, "no listing item has a title")
        elif all(entry.date_text is None for entry in page.entries):
            self._drift(page.url, "no listing item has a date")
        elif all(entry.url is None for entry in page.entries):
            self._drift(page.url, "no listing item links to an article page")

    def _month_reached(self, page: ListingPage, index: int) -> None:
        """A run whose listing stopped before its months (a pager not read, a last page read
        newer than the span) says so in one line, records each such month as not complete,
        and ends with drift's status: never green with nothing."""
        unreached = self.seek.unreached(index, page)
        if not unreached:
            return
        months = [f"{year:04d}-{number:02d}" for year, number in unreached]
        self.crawler.stats.set_value("newsroom/months_not_reached", months)
        self._drift(
            page.url,
            f"the listing was not read as far as {', '.join(months)}: page {index + 1}, newer, "
            "has no pager to go on; the month is not complete",
        )
        storage = self.crawler.get_item_pipeline(ArchiveStoragePipeline)
        if storage is None:
            return
        for month in months:
            reason = f"listing not read as far as the month (stopped at {page.url})"
            storage.record_completeness(
                {
                    "source": self.arguments.source,
                    "listing": self.arguments.listing,
                    "lang": self.arguments.lang,
                    "month": month,
                    "listing_captures": len(self.seek.seen_at),
                    "items_seen": self.month_entries[(int(month[:4]), int(month[5:]))],
                    "items_with_capture": 0,
                    "items_with_body": 0,
                    "missing": [
                        {"kind": "month", "url": page.url, "doc_id": None, "reason": reason}
                    ],
                }
            )

    def _check_article_fields(self, url: str, article: ArticlePage) -> None:
        """An article archived with its body whose title or date neither the selectors nor the
        content layer found (the listing's stand in): a layout problem, counted per field."""
        for name, value in (("title", article.title), ("date_text", article.date_text)):
            if not value:
                self.crawler.stats.inc_value(f"drift/article_field/{name}")
                self._drift(url, f"article page without a {name}: archived with its body")

    def _drift(self, url: str, what: str) -> None:
        self.crawler.stats.inc_value("drift/problems")
        self.logger.error("layout drift: %s: %s", url, what)

    def _listing_not_served(self, url: str, how: str) -> None:
        """The site does not serve the listing: nothing of it can be read here."""
        self.crawler.stats.set_value("newsroom/listing_not_served", 1)
        self.logger.error(
            "the live site does not serve the listing %s (%s): %s",
            url,
            how,
            self.site.not_served_hint,
        )
        raise CloseSpider("listing_not_served")

    def _lang_not_served(self, url: str, status: int) -> bool:
        """The current site's listing in a language other than its own (English, unprefixed,
        always served) that answers 404: the site publishes it in fewer languages than its theme
        knows. That is the ``lang`` argument's fault, not the URL scheme's: said in one line with
        what is accepted, exit status 2. False for anything else."""
        lang = self.arguments.lang
        if self.site.name != "current" or lang == "en":
            return False
        self.crawler.stats.set_value("newsroom/lang_not_served", lang)
        self.logger.error(
            "invalid lang %r for source current: the current site does not serve the %s listing "
            "in it (%s answers %d): give -a lang=en, or another language it publishes the "
            "listing in",
            lang,
            self.arguments.listing,
            url,
            status,
        )
        raise CloseSpider("lang_not_served")

    def listing_failed(self, failure: Failure) -> Iterator[FetchFailure]:
        request = failure.request
        if failure.check(SiteUnreachable):
            return  # said once by the middleware; the page was never asked of the site
        if request.cb_kwargs.get("index") == 0:
            status = failure.value.response.status if failure.check(HttpError) else None
            redirects = request.meta.get("redirect_urls")
            if status in (404, 410) and self._lang_not_served(request.url, status):
                return
            if status in (404, 410):
                self._listing_not_served(request.url, f"it answers {status}")
            elif redirects and failure.check(IgnoreRequest):
                self._listing_not_served(redirects[0], f"redirected to {request.url}")
        self.crawler.stats.inc_value("newsroom/listing_failures")
        self.logger.error(
            "listing page failed, the span is not complete: %s (%s)",
            failure.request.url,
            failure.getErrorMessage(),
        )
        yield FetchFailure(failure.request.url, "listing", failure.getErrorMessage())

    def listing_dates(self, entry: ListingEntry) -> dict[str, Any]:
        """The date fields of an entry as its listing shows it, exactly as the date pipeline
        will decide them (before its article page says more)."""
        return date_fields(
            lang=self.arguments.lang,
            date_text=entry.date_text,
            article_date_text=None,
            heading=entry.heading,
            crawl_date=self.crawl_date,
        )

    def month_of(self, entry: ListingEntry) -> Month | None:
        """An item's month is its date's month (headings are missing or blank on some listings);
        the heading serves where the date is missing or cannot be trusted."""
        month = self.listing_dates(entry)["month"]
        return (int(month[:4]), int(month[5:])) if month else None

    def _known(self, url: str | None) -> Known | None:
        """What the archive holds of the article at ``url``: by the identity the URL names, or
        (on a site whose URLs name none, the current site's slugs) by the URL itself."""
        if not url:
            return None
        identity = self.site.identity_in_url(url)
        return self.index.get(identity) if identity else self.index.at_url(url)

    def _unchanged(self, entry: ListingEntry, known: Known | None = None) -> bool:
        """Archived with its body (``known``: what the archive holds of it, if already looked
        up), and the listing shows it exactly as when it was archived."""
        known = known or self._known(entry.url)
        return bool(known and known.has_body and known.listing_hash == listing_hash(entry))

    # Article pages -----------------------------------------------------------------------------
    def _follow(self, entry: ListingEntry, page: ListingPage) -> Iterator[Any]:
        context = {"entry": entry, "listing_url": page.url, "listing_offset": page.offset}
        if not entry.url or not self.site.is_article_url(entry.url):
            # No article page to read (no link, or a link to no document): archive what the
            # listing shows, under a key derived from it, rather than lose the item.
            self.crawler.stats.inc_value("newsroom/entries_without_article")
            yield self._item(
                context, doc_id=listing_only_id(entry), article=None, fetch_error="no article link"
            )
            return
        known = self._known(entry.url)
        if known is not None and self._unchanged(entry, known) and not self.arguments.refresh:
            self.crawler.stats.inc_value("newsroom/articles_unchanged_not_fetched")
            yield self._sighting(known.identity, context)
            return
        self.walked.add(urlsplit(entry.url).path)
        yield self._article_request(entry.url, context, known)

    def _article_request(
        self, url: str, context: dict[str, Any], known: Known | None, priority: int = 0
    ) -> scrapy.Request:
        """The article page, conditional (ETag / Last-Modified) when a copy is archived
        (``known``: what the archive holds of it)."""
        self.crawler.stats.inc_value("newsroom/article_requests")
        headers = (
            conditional_headers(known.etag, known.last_modified)
            if known is not None and known.has_body
            else {}
        )
        return scrapy.Request(
            url,
            headers=headers,
            callback=self.parse_article_page,
            errback=self.article_failed,
            cb_kwargs=context,
            meta={"handle_httpstatus_list": [304]},
            priority=priority,
            dont_filter=priority == RETRY_FIRST_PRIORITY,
        )

    def _retry_request(self, failure: dict[str, Any]) -> scrapy.Request | None:
        """An article page that failed in an earlier run, asked for again on this site."""
        entry_fields = json.loads(failure["entry"] or "null")
        if not entry_fields:
            return None
        here = self.base_url + urlsplit(failure["url"]).path
        if not self.site.is_article_url(here):
            return None  # a page of the other site, failed in a run of it
        entry = ListingEntry(
            position=entry_fields["listing_position"],
            heading=entry_fields["listing_heading"],
            credit=entry_fields["credit"],
            label=entry_fields["label"],
            title=entry_fields["title"],
            url=here,
            date_text=entry_fields["date_text"],
            summary=entry_fields["summary"],
        )
        self.crawler.stats.inc_value("newsroom/failures_retried")
        self.walked.add(urlsplit(here).path)
        context = {"entry": entry, "listing_url": failure["listing_url"], "listing_offset": None}
        return self._article_request(here, context, self._known(here), RETRY_FIRST_PRIORITY)

    async def parse_article_page(
        self,
        response: Response,
        entry: ListingEntry,
        listing_url: str,
        listing_offset: int | None = None,
        sitemap: str | None = None,
        listing: str | None = None,
    ) -> AsyncIterator[ArticleItem | Sighting]:
        context = {"entry": entry, "listing_url": listing_url, "listing_offset": listing_offset}
        if sitemap is not None:
            context.update(sitemap=sitemap, listing=listing)
            async for item in self._sitemap_page(response, context):
                yield item
            return
        url = entry.url or response.url
        known = self._known(url)
        capture: Capture | None = None
        if response.status == 304 and known is not None:
            # Not modified since the archived capture: read that one again.
            self.crawler.stats.inc_value("newsroom/articles_not_modified")
            if listing_hash(entry) == known.listing_hash:
                yield self._sighting(known.identity, context)
                return
            stored = self.index.stored_body(known.capture_id)
            article = await self.read_article_elsewhere(stored, response.url)
            doc_id = self._identity(url, article, entry, known)
        else:
            article = await self.read_article_elsewhere(response.body, response.url)
            if not article.has_article or not article.body:
                self._drift(response.url, "article page without a body")
            else:
                self._check_article_fields(response.url, article)
            doc_id = self._identity(url, article, entry, known)
            capture = capture_of(
                response, "article", doc_id, self.arguments.lang, source=self.arguments.source
            )
        if self._belongs(entry, article):
            yield self._item(context, doc_id=doc_id, article=article, capture=capture)

    # Pages the sitemap sends the run to ---------------------------------------------------------
    def sitemap_visit(self, visit: Visit) -> scrapy.Request:
        """The request of a page the sitemap says to read: conditional where a copy is
        archived, its entry what the archive holds of its card (a page never archived: its
        URL; its page says the rest)."""
        known = visit.known
        listed = self.index.listed_fields(known.identity, self.arguments.lang) if known else None
        context = {
            "entry": sitemap_entry(visit, listed),
            "listing_url": visit.listed.sitemap_url if visit.listed else None,
            "listing_offset": 0,
            "sitemap": visit.reason,
            # A page read because it left the sitemap keeps the listing it was archived from.
            "listing": (listed or {}).get("listing") if visit.reason == LEFT else SITEMAP_LISTING,
        }
        # A page back after it was gone is asked for whole: a 304 would not say it is back.
        return self._article_request(visit.url, context, None if known and known.gone else known)

    async def _sitemap_page(
        self, response: Response, context: dict[str, Any]
    ) -> AsyncIterator[ArticleItem]:
        """A page the sitemap sent the run to: a new revision of the archived article when it
        changed (the fields its card gave taken from the page only where the page changed
        them: a page and its card may differ, as in a title's trailing space), or a new
        article archived from its page alone."""
        stats, entry, reason = self.crawler.stats, context["entry"], context["sitemap"]
        url = entry.url or response.url
        known = self._known(url)
        if response.status == 304:  # the <lastmod> moved, the page did not
            stats.inc_value("newsroom/articles_not_modified")
            stats.inc_value(f"sitemap/{reason}_not_modified")
            return
        article = await self.read_article_elsewhere(response.body, response.url)
        if not article.has_article or not article.body:
            self._drift(response.url, "article page without a body")
        if known is None:
            stats.inc_value("sitemap/unlisted")
            shown = {
                "title": article.title,
                "summary": article.teaser,
                "credit": article.credit,
                "label": article.type,
                "date_text": article.date_text,
            }
        else:
            stats.inc_value("sitemap/still_served" if reason == LEFT else "sitemap/changed")
            if known.gone:
                stats.inc_value("sitemap/reappeared")
                self.logger.info("article back on the site, no longer marked gone: %s", url)
            before = (
                await self.read_article_elsewhere(
                    self.index.stored_body(known.capture_id), response.url
                )
                if known.capture_id is not None
                else None
            )
            shown = {
                name: getattr(article, field)
                for name, field in (("title", "title"), ("summary", "teaser"), ("credit", "credit"))
                if before is None or getattr(before, field) != getattr(article, field)
            }
        entry = dataclasses.replace(entry, **shown)
        doc_id = self._identity(url, article, entry, known)
        capture = capture_of(
            response, "article", doc_id, self.arguments.lang, source=self.arguments.source
        )
        item = self._item(
            {**context, "entry": entry}, doc_id=doc_id, article=article, capture=capture
        )
        if known is not None:  # its card, if listed, is as it was: the walk need not fetch it
            item.listing_hash = known.listing_hash
        yield item

    def _identity(
        self, url: str, article: ArticlePage | None, entry: ListingEntry, known: Known | None
    ) -> str:
        """The identity an article is archived under: the document its URL names (WCMS), else
        the one its page declares (the current site's node); a page that declares none is
        layout drift, and the item (or one whose page could not be read: ``article`` None) is
        kept under what the archive knows of the URL, or a key derived from the listing."""
        identity = self.site.identity_in_url(url) or (article.doc_id if article else None)
        if identity:
            return identity
        if article is not None and article.has_article:
            self._drift(url, "article page without a document id (no node_id)")
        return known.identity if known else listing_only_id(entry)

    def of_this_process(self, seek: str) -> bool:
        """Did this process make the request (``seek``: its token)? Else it is counted."""
        if seek == self.seek_token:
            return True
        self.crawler.stats.inc_value("newsroom/responses_of_an_earlier_process")
        return False

    def _belongs(self, entry: ListingEntry, article: ArticlePage) -> bool:
        """An entry followed for lack of a date belongs to the run's span if its article's date
        does (or if that has none either)."""
        if self.month_of(entry) is not None:
            return True
        day = parse_date_text(article.date_text, self.arguments.lang)
        month = (day.year, day.month) if day else None
        if month is not None and not self.arguments.oldest <= month <= self.arguments.newest:
            self.crawler.stats.inc_value("newsroom/undated_entries_outside_span")
            return False
        return True

    def article_failed(self, failure: Failure) -> Iterator[ArticleItem | FetchFailure]:
        request = failure.request
        if failure.check(SiteUnreachable):
            return
        status = failure.value.response.status if failure.check(HttpError) else None
        reason = request.cb_kwargs.get("sitemap")
        known = self._known(request.url)
        if reason is not None and not (status in GONE_STATUSES and known is not None):
            # A page the sitemap sent the run to: nothing is archived of it from a card; the
            # sitemap sends the next run to it again.
            if status in GONE_STATUSES:
                self.crawler.stats.inc_value("sitemap/unlisted_not_served")
                self.logger.warning(
                    "the sitemap lists a page the site does not serve (%s): %s", status, request.url
                )
                return
            self.crawler.stats.inc_value("newsroom/article_failures")
            self.logger.error(
                "article page failed, the next run asks again: %s (%s)",
                request.url,
                failure.getErrorMessage(),
            )
            yield FetchFailure(request.url, "article", failure.getErrorMessage())
            return
        if status in GONE_STATUSES:
            self.crawler.stats.inc_value("newsroom/articles_gone")
            if reason is not None:
                self.crawler.stats.inc_value("sitemap/gone")
            self.logger.warning(
                "article page gone (%s), kept in the archive: %s", status, request.url
            )
        else:
            self.crawler.stats.inc_value("newsroom/article_failures")
            self.logger.error(
                "article page failed, archived from the listing only: %s (%s)",
                request.url,
                failure.getErrorMessage(),
            )
        entry = request.cb_kwargs["entry"]
        item = self._item(
            request.cb_kwargs,
            doc_id=self._identity(request.url, None, entry, known),
            article=None,
            fetch_error=failure.getErrorMessage(),
            fetch_status=status,
        )
        if reason is not None and known is not None:
            item.listing_hash = known.listing_hash
        yield item

    def _sighting(self, doc_id: str, context: dict[str, Any]) -> Sighting:
        return Sighting(
            doc_id=doc_id,
            lang=self.arguments.lang,
            listing=self.arguments.listing,
            listing_url=context["listing_url"],
            listing_position=context["entry"].position,
            listing_offset=context.get("listing_offset"),
        )

    def _item(
        self,
        context: dict[str, Any],
        *,
        doc_id: str,
        article: ArticlePage | None,
        capture: Capture | None = None,
        fetch_error: str | None = None,
        fetch_status: int | None = None,
        listing_copy: ArchivedCopy | None = None,
    ) -> ArticleItem:
        return article_item(
            doc_id=doc_id,
            lang=self.arguments.lang,
            listing=context.get("listing") or self.arguments.listing,
            listing_url=context["listing_url"],
            entry=context["entry"],
            article=article,
            capture=capture,
            fetch_error=fetch_error,
            fetch_status=fetch_status,
            listing_copy=listing_copy,
            listing_offset=context.get("listing_offset"),
            source=self.arguments.source,
        )
