"""The ``newsroom`` spider's navigation of the Wayback Machine (``-a source=wayback``).

For each month: one CDX query lists the captures of the listing's pages in the month's window;
``CaptureWalk`` picks which to read; the month's entries are merged by document id across the
captures read (each distinct state of an entry becomes a state of the record, oldest first, so
the newest capture wins and the differences are kept as revisions); then each article gets one
CDX query for its first capture from its date on, and that capture is read. What the archive
lacks is named in the month's completeness report (``spider.completeness_reports``, written to
the archive by ``RunRecorder``), not counted as a failure of the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from ilo_crawler import urls, webarchive
from ilo_crawler.items import (
    ArchivedCopy,
    ArticleItem,
    capture_of,
    listing_hash,
    listing_only_id,
)
from ilo_crawler.sites.wcms.listing import ListingEntry
from ilo_crawler.spiders.arguments import check_base_url
from ilo_crawler.spiders.capture_walk import CaptureWalk, Missing
from ilo_crawler.spiders.seek import Month, month_after
from ilo_crawler.webarchive import CdxCapture, CdxError

if TYPE_CHECKING:
    from ilo_crawler.spiders.newsroom import NewsroomSpider

#: The download slot every request to the web archive goes through (see ``update_settings``).
WAYBACK_SLOT = "web-archive"
#: Navigation first, as on the live site.
LISTING_PRIORITY = 10


@dataclass
class Sighted:
    """An entry as one listing capture showed it."""

    entry: ListingEntry
    listing_url: str  #: the archive URL of the listing capture
    copy: ArchivedCopy


@dataclass(frozen=True)
class ArticleLookup:
    """An article being read from the web archive: its month, document, the states its entry
    was seen in (oldest first), and the day from which its first capture is taken."""

    month: Month
    doc_id: str
    states: list[Sighted]
    since: dt.date

    @property
    def newest(self) -> Sighted:
        return self.states[-1]


@dataclass
class MonthReading:
    """What a run has read of one month from the web archive so far."""

    month: Month
    walk: CaptureWalk | None = None
    #: document id -> the entry as each capture read showed it, in the order read
    seen: dict[str, list[Sighted]] = field(default_factory=dict)
    with_capture: int = 0
    with_body: int = 0
    missing: list[Missing] = field(default_factory=list)

    def report(self, listing: str, lang: str) -> dict[str, Any]:
        """The month's row of the archive's ``completeness`` table."""
        walk_missing = self.walk.missing if self.walk else []
        return {
            "source": "wayback",
            "listing": listing,
            "lang": lang,
            "month": f"{self.month[0]:04d}-{self.month[1]:02d}",
            "listing_captures": len(self.walk.read) if self.walk else 0,
            "items_seen": len(self.seen),
            "items_with_capture": self.with_capture,
            "items_with_body": self.with_body,
            "missing": [missing.as_dict() for missing in walk_missing + self.missing],
        }


class WaybackNavigation:
    """The web-archive half of ``NewsroomSpider`` (a mixin: its callbacks must be spider
    methods so that requests survive a JOBDIR resume)."""

    readings: dict[Month, MonthReading]

    @classmethod
    def wayback_slot(cls, settings: Any) -> dict[str, Any]:
        """The archive's download slot: its own concurrency and delay."""
        return {
            "concurrency": settings.getint("ILO_WAYBACK_CONCURRENCY"),
            "delay": settings.getfloat("ILO_WAYBACK_DELAY"),
        }

    @property
    def wayback_url(self: NewsroomSpider) -> str:
        return check_base_url(
            self.settings.get("ILO_WAYBACK_URL"), "ILO_WAYBACK_URL", "https://web.archive.org"
        )

    @property
    def completeness_reports(self: NewsroomSpider) -> list[dict[str, Any]]:
        """One report per month read from the web archive (none for a live crawl)."""
        lang, listing = self.arguments.lang, self.arguments.listing
        return [reading.report(listing, lang) for reading in getattr(self, "readings", {}).values()]

    def wayback_start(self: NewsroomSpider) -> Iterator[scrapy.Request]:
        self.readings = {}
        for month in self.arguments.months():
            self.readings[month] = MonthReading(month)
            yield self._cdx_listing_request(month)

    def _archive_request(
        self: NewsroomSpider,
        url: str,
        callback: Any,
        errback: Any,
        priority: int = 0,
        **kwargs: Any,
    ) -> scrapy.Request:
        """A request to the web archive: through its own slot, at its own pace; asked again by a
        resumed process (not filtered as seen), which navigates afresh."""
        self.crawler.stats.inc_value("wayback/requests")
        return scrapy.Request(
            url,
            callback=callback,
            errback=errback,
            cb_kwargs={**kwargs, "seek": self.seek_token},
            priority=priority,
            dont_filter=True,
            meta={
                "download_slot": WAYBACK_SLOT,
                "autothrottle_dont_adjust_delay": True,
                "max_retry_times": self.settings.getint("ILO_WAYBACK_RETRY_TIMES"),
            },
        )

    # Listing captures ----------------------------------------------------------------------
    def _window(self: NewsroomSpider, month: Month) -> tuple[dt.date, dt.date]:
        """The days whose listing captures are searched: the month, and some days after it."""
        first = dt.date(*month, 1)
        following = dt.date(*month_after(month), 1)
        days = self.settings.getint("ILO_WAYBACK_LISTING_WINDOW_DAYS")
        return first, following + dt.timedelta(days=days - 1)

    def _cdx_listing_request(self: NewsroomSpider, month: Month) -> scrapy.Request:
        self.crawler.stats.inc_value("wayback/cdx_requests")
        first, last = self._window(month)
        original = webarchive.original_listing_url(self.arguments.listing, self.arguments.lang)
        url = webarchive.cdx_url(self.wayback_url, original, prefix=True, since=first, until=last)
        return self._archive_request(
            url,
            self.parse_listing_captures,
            self.listing_failed_here,
            LISTING_PRIORITY,
            month=month,
        )

    def parse_listing_captures(
        self: NewsroomSpider, response: Response, month: Month, seek: str
    ) -> Iterator[Any]:
        if not self.of_this_process(seek):
            return
        reading = self.readings[month]
        try:
            found = webarchive.parse_cdx(response.body)
        except CdxError as error:
            yield from self._listing_unreadable(reading, response.url, str(error))
            return
        pages = webarchive.listing_offsets(found, self.arguments.listing, self.arguments.lang)
        reading.walk = CaptureWalk(
            month,
            pages,
            self.month_of,
            listing=self.arguments.listing,
            lang=self.arguments.lang,
            window=self._window(month),
        )
        first = reading.walk.first()
        if first is None:
            self.logger.warning("no capture of the listing for %04d-%02d", *month)
            return
        yield self._capture_request(first, month)

    def _capture_request(self: NewsroomSpider, capture: CdxCapture, month: Month) -> scrapy.Request:
        self.crawler.stats.inc_value("wayback/listing_captures")
        url = webarchive.capture_url(self.wayback_url, capture.timestamp, capture.original)
        return self._archive_request(
            url,
            self.parse_listing_capture,
            self.listing_failed_here,
            LISTING_PRIORITY,
            month=month,
            capture=capture,
        )

    def parse_listing_capture(
        self: NewsroomSpider, response: Response, month: Month, capture: CdxCapture, seek: str
    ) -> Iterator[Any]:
        copy = ArchivedCopy(capture.original, capture.captured_at)
        yield capture_of(response, "listing", copy=copy)
        if not self.of_this_process(seek):
            return
        page = self.read_listing(response.body, capture.original)
        self._check_entries(page)
        reading = self.readings[month]
        assert reading.walk is not None
        step = reading.walk.observe(capture, page)
        for entry in step.entries:
            key = urls.parse_article_path(entry.url) if entry.url else None
            doc_id = key.doc_id if key else listing_only_id(entry)
            reading.seen.setdefault(doc_id, []).append(Sighted(entry, response.url, copy))
        if step.fetch is not None:
            yield self._capture_request(step.fetch, month)
        else:
            yield from self._follow_month(reading)

    def listing_failed_here(self: NewsroomSpider, failure: Failure) -> Iterator[Any]:
        """The CDX query of the month's listing captures, or a listing capture, failed."""
        given = failure.request.cb_kwargs
        if self.of_this_process(given["seek"]):
            yield from self._listing_unreadable(
                self.readings[given["month"]], failure.request.url, failure.getErrorMessage()
            )

    def _listing_unreadable(
        self: NewsroomSpider, reading: MonthReading, url: str, error: str
    ) -> Iterator[Any]:
        """A listing capture (or the CDX query) that could not be read: a failure of the run
        (exit status 4); the month is archived from what was read before it."""
        self.crawler.stats.inc_value("newsroom/listing_failures")
        self.logger.error(
            "web archive: listing not read, the month is not complete: %s (%s)", url, error
        )
        reading.missing.append(Missing("listing", url, None, f"could not be read: {error}"))
        yield from self._follow_month(reading)

    # Articles ------------------------------------------------------------------------------
    def _follow_month(self: NewsroomSpider, reading: MonthReading) -> Iterator[Any]:
        """Every entry the month's captures showed: archived unchanged, or its article looked up."""
        self.logger.info(  # progress: at the archive's pace a month takes minutes
            "web archive %04d-%02d: listing read from %d captures, %d items; reading their articles",
            *reading.month,
            len(reading.walk.read) if reading.walk else 0,
            len(reading.seen),
        )
        for doc_id, sightings in reading.seen.items():
            states = _distinct_states(sightings)
            newest = states[-1]
            key = urls.parse_article_path(newest.entry.url) if newest.entry.url else None
            if key is None:
                self.crawler.stats.inc_value("newsroom/entries_without_article")
                yield from self._archived_items(states, doc_id, fetch_error="no article link")
            elif self._unchanged(newest.entry) and not self.arguments.refresh:
                self.crawler.stats.inc_value("newsroom/articles_unchanged_not_fetched")
                reading.with_capture += 1
                reading.with_body += 1
                yield self._sighting(doc_id, self._context(newest))
            else:
                yield self._article_lookup(reading, doc_id, states)

    def _article_lookup(
        self: NewsroomSpider, reading: MonthReading, doc_id: str, states: list[Sighted]
    ) -> scrapy.Request:
        """A CDX query for the first capture of the article from its date on."""
        self.crawler.stats.inc_value("wayback/cdx_requests")
        entry = states[-1].entry
        assert entry.url is not None
        published = self.listing_dates(entry)["published"]
        since = dt.date.fromisoformat(published) if published else dt.date(*reading.month, 1)
        lookup = ArticleLookup(reading.month, doc_id, states, since)
        url = webarchive.cdx_url(self.wayback_url, entry.url, since=since, limit=1)
        return self._archive_request(
            url, self.parse_article_captures, self.article_failed_here, lookup=lookup
        )

    def parse_article_captures(
        self: NewsroomSpider, response: Response, lookup: ArticleLookup, seek: str
    ) -> Iterator[Any]:
        if not self.of_this_process(seek):
            return
        reading = self.readings[lookup.month]
        try:
            found = webarchive.parse_cdx(response.body)
        except CdxError as error:
            yield from self._article_unreadable(lookup, response.url, str(error))
            return
        if not found:
            self.crawler.stats.inc_value("wayback/articles_without_capture")
            reason = f"the article page has no capture from {lookup.since.isoformat()} on"
            reading.missing.append(
                Missing("article", lookup.newest.entry.url, lookup.doc_id, reason)
            )
            yield from self._archived_items(lookup.states, lookup.doc_id, fetch_error=reason)
            return
        reading.with_capture += 1
        capture = found[0]
        self.crawler.stats.inc_value("newsroom/article_requests")
        url = webarchive.capture_url(self.wayback_url, capture.timestamp, capture.original)
        yield self._archive_request(
            url,
            self.parse_article_capture,
            self.article_failed_here,
            lookup=lookup,
            capture=capture,
        )

    def parse_article_capture(
        self: NewsroomSpider,
        response: Response,
        lookup: ArticleLookup,
        capture: CdxCapture,
        seek: str,
    ) -> Iterator[ArticleItem]:
        if not self.of_this_process(seek):
            return
        reading = self.readings[lookup.month]
        copy = ArchivedCopy(capture.original, capture.captured_at)
        article = self.read_article(response.body, capture.original)
        if not self._belongs(lookup.newest.entry, article):
            return
        if not article.has_article or not article.body:
            self._drift(response.url, "article page without a body")
        else:
            reading.with_body += 1
        doc_id = lookup.doc_id
        received = capture_of(response, "article", doc_id, self.arguments.lang, copy=copy)
        for state in lookup.states[:-1]:
            yield self._item(self._context(state), doc_id=doc_id, article=article)
        yield self._item(
            self._context(lookup.newest), doc_id=doc_id, article=article, capture=received
        )

    def article_failed_here(self: NewsroomSpider, failure: Failure) -> Iterator[Any]:
        """The CDX query of an article's captures, or the article capture, failed."""
        given = failure.request.cb_kwargs
        if self.of_this_process(given["seek"]):
            yield from self._article_unreadable(
                given["lookup"], failure.request.url, failure.getErrorMessage()
            )

    def _article_unreadable(
        self: NewsroomSpider, lookup: ArticleLookup, url: str, error: str
    ) -> Iterator[ArticleItem]:
        """An article capture (or its CDX query) that could not be read after retries: a
        failure of the run (exit status 4); the item is archived from the listing."""
        self.crawler.stats.inc_value("newsroom/article_failures")
        self.logger.error(
            "web archive: article not read, archived from the listing: %s (%s)", url, error
        )
        missing = Missing("article", url, lookup.doc_id, f"could not be read: {error}")
        self.readings[lookup.month].missing.append(missing)
        yield from self._archived_items(lookup.states, lookup.doc_id, fetch_error=error)

    def _archived_items(
        self: NewsroomSpider, states: list[Sighted], doc_id: str, fetch_error: str
    ) -> Iterator[ArticleItem]:
        """The entry's states as the listing captures showed them, without an article page."""
        for state in states:
            yield self._item(
                self._context(state),
                doc_id=doc_id,
                article=None,
                fetch_error=fetch_error,
                listing_copy=state.copy,
            )

    @staticmethod
    def _context(sighted: Sighted) -> dict[str, Any]:
        return {"entry": sighted.entry, "listing_url": sighted.listing_url}


def _distinct_states(sightings: list[Sighted]) -> list[Sighted]:
    """The entry as the captures showed it, oldest capture first, each state once (the last
    sighting of a state stands for it; the newest state comes last)."""
    ordered = sorted(sightings, key=lambda sighted: sighted.copy.captured_at)
    states: list[Sighted] = []
    for sighted in ordered:
        if states and listing_hash(states[-1].entry) == listing_hash(sighted.entry):
            states[-1] = sighted
        else:
            states.append(sighted)
    return states
