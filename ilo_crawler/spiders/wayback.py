"""The ``newsroom`` spider's navigation of the Wayback Machine (``-a source=wayback``).

Once for the run's span: one prefix query per article section (from the span's first day,
``collapse=urlkey``, read on with resume keys) lists the first capture of every article page
(the sections under the site's other hosts are asked too, once, the first time an article is not
in those answers). For each twelve months: one prefix query lists the captures of the listing's
pages in their windows. For each month (a few at a time): ``CaptureWalk`` picks which listing
captures to read; the month's entries are merged by document id across the captures read (each
distinct state of an entry becomes a state of the record, oldest first, so the newest capture
wins and the differences are kept as revisions); then each article's capture is the first of its
page from its date on in the section answers (an article they do not cover gets a CDX query of
its own), and that capture is read: where the archive led (a 302 to the nearest capture, an
archived redirect followed) is what is recorded, and a document that is a PDF is archived as one.
What the archive lacks is named in the month's completeness report (``spider.completeness_reports``,
written to the archive by ``RunRecorder``, and as soon as the month is read and its items stored,
so that a killed run is resumed), not counted as a failure of the run; a month not read to its
end says so.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from ilo_crawler import webarchive
from ilo_crawler.archive.index import ArchiveIndex
from ilo_crawler.items import (
    ArchivedCopy,
    ArticleItem,
    Capture,
    Sighting,
    capture_of,
    listing_hash,
    listing_only_id,
)
from ilo_crawler.middlewares import WAYBACK_CAPTURE_SLOT, WAYBACK_CDX_SLOT, WaybackStopped
from ilo_crawler.pipelines.storage import ArchiveStoragePipeline
from ilo_crawler.sites.pages import ArticlePage, ListingEntry, ListingPage
from ilo_crawler.sites.wcms import urls
from ilo_crawler.sites.wcms.documents import PDF_DOCUMENT, pdf_document
from ilo_crawler.spiders.arguments import NewsroomArguments, check_base_url
from ilo_crawler.spiders.capture_walk import CaptureWalk, Missing
from ilo_crawler.spiders.seek import Month, month_after
from ilo_crawler.webarchive import CdxCapture, CdxError

#: Navigation first, as on the live site.
LISTING_PRIORITY = 10
#: A span's listing captures are asked with one prefix query for this many months' windows
#: (read on with resume keys), not one query a month: a year of a listing's captures is a page
#: or two of an answer, and a backfill 15 queries a language instead of 172.
LISTING_QUERY_MONTHS = 12


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
    #: document id -> its states, for entries whose article capture is being looked for
    wanted: dict[str, list[Sighted]] = field(default_factory=dict)
    pending: int = 0  #: requests of the month (or answers it waits for) not yet answered
    followed: bool = False  #: the listing was read to its end (its articles are being read)
    failed: int = 0  #: requests that failed after their retries
    requests: int = 0  #: requests sent for the month
    announced: bool = False  #: its progress line was written
    #: items yielded for the month, and of them those past the pipelines (stored or dropped)
    expected: int = 0
    done: int = 0
    recorded: bool = False  #: its completeness row is in the archive (so a re-run skips it)

    @property
    def finished(self) -> bool:
        """Read to its end: the listing walked, every request answered, none failed."""
        return self.followed and not self.pending and not self.failed

    def report(self, listing: str, lang: str, stopped: str) -> dict[str, Any]:
        """The month's row of the archive's ``completeness`` table; a month not finished says so
        (``stopped``: why the run stopped, for a month it did not read to its end)."""
        walk_missing = self.walk.missing if self.walk else []
        if not self.finished:
            reason = (
                f"not finished: {self.failed} request{'s' * (self.failed != 1)} failed after "
                "their retries"
                if self.followed and not self.pending
                else f"not finished: {stopped} before the month was read to its end"
            )
            url = webarchive.original_listing_url(listing, lang)
            walk_missing = [Missing("month", url, None, reason), *walk_missing]
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


@dataclass
class ListingAnswer:
    """The prefix query of a listing's captures over the windows of several months (up to
    ``LISTING_QUERY_MONTHS``): asked when the first of them starts, its rows kept until each has
    taken those of its window."""

    months: list[Month]
    since: dt.date
    until: dt.date
    found: list[CdxCapture] = field(default_factory=list)
    sent: bool = False
    read: bool = False
    error: str | None = None  #: why it could not be read (after its retries), if it could not
    refused: bool = False  #: the error is the archive's refusal (not a failure of the run)
    url: str = ""  #: the query that could not be read
    #: months started, waiting for the answer
    waiting: list[MonthReading] = field(default_factory=list)
    walked: int = 0  #: months that took their rows


@dataclass
class SectionAnswers:
    """The article sections' prefix queries, made once for the run's whole span: the first
    capture of each article page from the span's first day on, by document id."""

    left: int  #: sections (of a host) whose answer (all its pages) is not yet read
    since: dt.date  #: the span's first day
    #: document id -> the first capture of each of its pages' URL keys (host, section)
    found: dict[str, list[CdxCapture]] = field(default_factory=dict)
    #: months whose listing is read, their articles waiting for the answers
    waiting: list[MonthReading] = field(default_factory=list)
    #: the other hosts' answers (``webarchive.OTHER_HOSTS``): ``not asked``, ``asked``, ``read``
    other_hosts: str = "not asked"

    def first_from(self, doc_id: str, day: dt.date) -> CdxCapture | None:
        """The article's first capture from ``day`` on that the answers hold, whatever the
        host, scheme or section it was captured under."""
        since = day.strftime("%Y%m%d")
        after = [capture for capture in self.found.get(doc_id, []) if capture.timestamp >= since]
        return min(after, default=None)


class WaybackNavigation:
    """The web-archive half of ``NewsroomSpider`` (a mixin: its callbacks must be spider
    methods so that requests survive a JOBDIR resume). What it uses of the spider is declared
    below, by type only, so that this module need not import the spider's."""

    readings: dict[Month, MonthReading]
    # The spider's (scrapy.Spider's and NewsroomSpider's), used here.
    crawler: Crawler
    settings: BaseSettings
    logger: logging.LoggerAdapter[logging.Logger]
    arguments: NewsroomArguments
    index: ArchiveIndex
    seek_token: str
    of_this_process: Callable[[str], bool]
    read_listing: Callable[[bytes, str], ListingPage]
    read_article: Callable[[bytes, str], ArticlePage]
    month_of: Callable[[ListingEntry], Month | None]
    listing_dates: Callable[[ListingEntry], dict[str, Any]]
    _unchanged: Callable[[ListingEntry], bool]
    _belongs: Callable[[ListingEntry, ArticlePage], bool]
    _check_entries: Callable[[ListingPage], None]
    _drift: Callable[[str, str], None]
    _sighting: Callable[[str, dict[str, Any]], Sighting]
    _item: Callable[..., ArticleItem]

    @property
    def wayback_url(self) -> str:
        return check_base_url(
            self.settings.get("ILO_WAYBACK_URL"), "ILO_WAYBACK_URL", "https://web.archive.org"
        )

    @property
    def completeness_reports(self) -> list[dict[str, Any]]:
        """One report per month read from the web archive (none for a live crawl)."""
        lang, listing = self.arguments.lang, self.arguments.listing
        stopped = self._why_stopped()
        return [
            reading.report(listing, lang, stopped)
            for reading in getattr(self, "readings", {}).values()
        ]

    def _why_stopped(self) -> str:
        stats = self.crawler.stats
        if stats.get_value("wayback/refused_blocked"):
            return "not read (the web archive had blocked an earlier run)"
        if stats.get_value("wayback/blocked_at"):
            return "the web archive blocked the run"
        if stats.get_value("wayback/unreachable"):
            return "the web archive could not be reached"
        reason = stats.get_value("finish_reason")
        if reason == "shutdown":
            return "the run was interrupted"
        return f"the run stopped ({reason or 'before its end'})"

    def wayback_start(self) -> Iterator[scrapy.Request]:
        """The article sections' queries for the span, and the first months' listing queries;
        each further month is started when one is read (a few months at a time: the CDX
        queries of a whole backfill queued at once would hold every download slot)."""
        months = self.arguments.months()
        if len(months) > 1 and not self.arguments.refresh:  # -a month= always reads its month
            lang, listing = self.arguments.lang, self.arguments.listing
            finished = self.index.finished_wayback_months(lang, listing)
            skipped = [m for m in months if "{:04d}-{:02d}".format(*m) in finished]
            if skipped:
                self.logger.info(
                    "web archive: %d of %d months already read to their end, skipped "
                    "(-a refresh=1 reads them again)",
                    len(skipped),
                    len(months),
                )
                months = [month for month in months if month not in skipped]
        self.readings = {month: MonthReading(month) for month in months}
        # Told when each item yielded for a month has passed the pipelines: a month is recorded
        # complete only once its items are stored. (A live run needs no such word per item.)
        self.items_of: dict[int, MonthReading] = {}  # id of an item -> its month's reading
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            self.crawler.signals.connect(self.item_done, signal=signal)
        self.listing_answers: dict[Month, ListingAnswer] = {}
        for start in range(0, len(months), LISTING_QUERY_MONTHS):
            group = months[start : start + LISTING_QUERY_MONTHS]
            answer = ListingAnswer(group, self._window(group[0])[0], self._window(group[-1])[1])
            self.listing_answers.update(dict.fromkeys(group, answer))
        self.months_done = 0
        self.reading_since = time.monotonic()
        since = dt.date(*months[0], 1) if months else dt.date.today()
        self.sections = SectionAnswers(len(urls.ARTICLE_SECTION_PATHS), since)
        self.months_to_start = iter(self.readings)
        if not months or self._blocked_earlier():
            return
        for section in urls.ARTICLE_SECTION_PATHS:
            yield self._section_request(section, None, None)
        ahead = self.settings.getint("ILO_WAYBACK_MONTHS_AT_ONCE")
        for month in itertools.islice(self.months_to_start, ahead):
            yield from self._start_month(month)

    def _blocked_earlier(self) -> bool:
        """A run blocked by the archive less than its block ago (an hour, doubling with each
        block in a row; ``ILO_WAYBACK_BLOCK_HOURS``, time-scaled): this run is refused."""
        blocks = self.index.wayback_blocks()
        if not blocks:
            return False
        hours = self.settings.getfloat("ILO_WAYBACK_BLOCK_HOURS") * 2 ** (len(blocks) - 1)
        scale = self.settings.getfloat("ILO_WAYBACK_TIME_SCALE")
        until = dt.datetime.fromisoformat(blocks[0]) + dt.timedelta(hours=hours * scale)
        if dt.datetime.now(dt.UTC) >= until:
            return False
        self.crawler.stats.set_value("wayback/refused_blocked", 1)
        self.logger.error(
            "web archive: an earlier run was blocked by it at %s; not sending anything until %s "
            "(its blocks last an hour, doubling each time): run again then",
            blocks[0],
            until.strftime("%Y-%m-%d %H:%M:%S UTC"),
        )
        return True

    def _archive_request(
        self,
        url: str,
        slot: str,
        reading: MonthReading | None,
        callback: Any,
        errback: Any,
        priority: int = 0,
        **kwargs: Any,
    ) -> scrapy.Request:
        """A request to the web archive (for a month, or for the whole span without ``reading``):
        through its endpoint's slot, at its pace; asked again by a resumed process (not filtered
        as seen), which navigates afresh."""
        self.crawler.stats.inc_value("wayback/requests")
        if reading is not None:
            reading.pending += 1
            reading.requests += 1
        return scrapy.Request(
            url,
            callback=callback,
            errback=errback,
            cb_kwargs={**kwargs, "seek": self.seek_token},
            priority=priority,
            dont_filter=True,
            meta={
                "download_slot": slot,
                "autothrottle_dont_adjust_delay": True,
                "max_retry_times": self.settings.getint("ILO_WAYBACK_RETRY_TIMES"),
            },
        )

    # Listing captures ----------------------------------------------------------------------
    def _window(self, month: Month) -> tuple[dt.date, dt.date]:
        """The days whose listing captures are searched: the month, and some days after it."""
        first = dt.date(*month, 1)
        following = dt.date(*month_after(month), 1)
        days = self.settings.getint("ILO_WAYBACK_LISTING_WINDOW_DAYS")
        return first, following + dt.timedelta(days=days - 1)

    def _start_month(self, month: Month) -> list[scrapy.Request]:
        """The month's walk, once the listing answer for its window is read (asked now, if it
        is the first of its months to start)."""
        reading, answer = self.readings[month], self.listing_answers[month]
        if answer.read:
            return self._walk_month(reading, answer)
        reading.pending += 1  # the listing answer, until it is read
        answer.waiting.append(reading)
        if answer.sent:
            return []
        answer.sent = True
        return [self._listing_query(answer, None)]

    def _listing_query(self, answer: ListingAnswer, resume: str | None) -> scrapy.Request:
        self.crawler.stats.inc_value("wayback/cdx_requests")
        url = webarchive.listing_query_url(
            self.wayback_url,
            self.arguments.listing,
            self.arguments.lang,
            answer.since,
            answer.until,
            self.settings.getint("ILO_WAYBACK_CDX_PAGE_ROWS"),
            resume,
        )
        return self._archive_request(
            url,
            WAYBACK_CDX_SLOT,
            None,
            self.parse_listing_captures,
            self.listing_query_failed_here,
            LISTING_PRIORITY,
            first=answer.months[0],
        )

    def parse_listing_captures(self, response: Response, first: Month, seek: str) -> Iterator[Any]:
        if not self.of_this_process(seek):
            return
        answer = self.listing_answers[first]
        try:
            found, resume = webarchive.parse_cdx_page(response.body)
        except CdxError as error:
            yield from self._listing_answered(answer, response.url, str(error))
            return
        answer.found += found
        if resume is not None:
            yield self._listing_query(answer, resume)
        else:
            yield from self._listing_answered(answer, response.url, None)

    def listing_query_failed_here(self, failure: Failure) -> Iterator[Any]:
        """The listing query failed after its retries (or the archive refuses it): its months
        are archived from nothing; a block leaves them waiting, not finished."""
        if not self.of_this_process(failure.request.cb_kwargs["seek"]) or failure.check(
            WaybackStopped
        ):
            return
        answer = self.listing_answers[failure.request.cb_kwargs["first"]]
        refused = _refused_by_the_archive(failure)
        error = refused or failure.getErrorMessage()
        yield from self._listing_answered(answer, failure.request.url, error, refused=bool(refused))

    def _listing_answered(
        self,
        answer: ListingAnswer,
        url: str,
        error: str | None,
        refused: bool = False,
    ) -> Iterator[Any]:
        """The listing answer is read (or could not be): the months waiting for it walk."""
        answer.read, answer.error, answer.refused, answer.url = True, error, refused, url
        waiting, answer.waiting = answer.waiting, []
        for reading in waiting:
            reading.pending -= 1
            yield from self._walk_month(reading, answer)

    def _walk_month(self, reading: MonthReading, answer: ListingAnswer) -> list[Any]:
        """The first capture of the month's walk over the listing captures of its window."""
        answer.walked += 1
        found = answer.found
        if answer.walked == len(answer.months):
            answer.found = []  # every month took its rows
        if answer.refused:
            reading.missing.append(Missing("listing", answer.url, None, str(answer.error)))
            return list(self._follow_month(reading))
        if answer.error is not None:
            return list(self._listing_unreadable(reading, answer.url, answer.error))
        month = reading.month
        window = self._window(month)
        first, last = (day.strftime("%Y%m%d") for day in window)
        in_window = [c for c in found if first <= c.timestamp[:8] <= last]
        pages = webarchive.listing_offsets(in_window, self.arguments.listing, self.arguments.lang)
        lang, listing = self.arguments.lang, self.arguments.listing
        reading.walk = CaptureWalk(
            month, pages, self.month_of, listing=listing, lang=lang, window=window
        )
        capture = reading.walk.first()
        if capture is None:
            self.logger.warning("no capture of the listing for %04d-%02d", *month)
            return list(self._follow_month(reading))
        return [self._capture_request(capture, month)]

    def _capture_request(self, capture: CdxCapture, month: Month) -> scrapy.Request:
        self.crawler.stats.inc_value("wayback/listing_captures")
        url = webarchive.capture_url(self.wayback_url, capture.timestamp, capture.original)
        return self._archive_request(
            url,
            WAYBACK_CAPTURE_SLOT,
            self.readings[month],
            self.parse_listing_capture,
            self.listing_failed_here,
            LISTING_PRIORITY,
            month=month,
            capture=capture,
        )

    def parse_listing_capture(
        self, response: Response, month: Month, capture: CdxCapture, seek: str
    ) -> Iterator[Any]:
        real = self._replayed(response)
        if real is not None:
            capture = real  # where the archive led: the walk and the record take its time
        original = webarchive.page_url(capture.original)
        copy = ArchivedCopy(original, capture.captured_at)
        yield capture_of(response, "listing", copy=copy)
        reading = self._answered(month, seek)
        if reading is None:
            return
        if real is None:  # the archive's own page: no listing item can be read from it
            page = ListingPage(original, 0, None, (), None, None)
        else:
            page = self.read_listing(response.body, original)
            self._check_entries(page)
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

    def listing_failed_here(self, failure: Failure) -> Iterator[Any]:
        """A listing capture failed."""
        given = failure.request.cb_kwargs
        reading = self._failed(failure, given["month"])
        refused = _refused_by_the_archive(failure)
        if reading is not None and refused is not None:
            reading.missing.append(Missing("listing", given["capture"].original, None, refused))
            yield from self._follow_month(reading)  # what was read before it, as ever
        elif reading is not None:
            yield from self._listing_unreadable(
                reading, failure.request.url, failure.getErrorMessage()
            )

    def _failed(self, failure: Failure, month: Month) -> MonthReading | None:
        """The reading of the month a request failed for, as ``_answered``; None also when the
        archive blocked the run: the request stays pending, the month not finished."""
        if failure.check(WaybackStopped):
            return None
        return self._answered(month, failure.request.cb_kwargs["seek"])

    def _answered(self, month: Month, seek: str, announce: bool = True) -> MonthReading | None:
        """The reading of the month a request of this process was answered for (one request
        fewer pending); None for an earlier process's request (a resumed crawl)."""
        if not self.of_this_process(seek):
            return None
        self._record_read_months()  # months read before this answer: all their items counted
        reading = self.readings[month]
        reading.pending -= 1
        if announce:
            self._announce_if_read(reading)
        return reading

    def _announce_if_read(self, reading: MonthReading) -> None:
        """The progress line of a month read to its end (or as far as it could be): months done
        of the run's, its items and requests, the time left at the pace so far."""
        if reading.announced or not reading.followed or reading.pending:
            return
        reading.announced = True
        self.months_done += 1
        left = len(self.readings) - self.months_done
        seconds = (time.monotonic() - self.reading_since) / self.months_done * left
        self.logger.info(
            "web archive %04d-%02d %s: %d/%d months, %d items, %d requests; about %s left",
            *reading.month,
            "read" if reading.finished else "not finished",
            self.months_done,
            len(self.readings),
            len(reading.seen),
            reading.requests,
            dt.timedelta(seconds=round(seconds)),
        )

    def _listing_unreadable(self, reading: MonthReading, url: str, error: str) -> Iterator[Any]:
        """A listing capture (or the CDX query) that could not be read: a failure of the run
        (exit status 4); the month is archived from what was read before it."""
        self.crawler.stats.inc_value("newsroom/listing_failures")
        reading.failed += 1
        self.logger.error(
            "web archive: listing not read, the month is not complete: %s (%s)", url, error
        )
        reading.missing.append(Missing("listing", url, None, f"could not be read: {error}"))
        yield from self._follow_month(reading)

    # Articles ------------------------------------------------------------------------------
    def _follow_month(self, reading: MonthReading) -> Iterator[Any]:
        """Every entry the month's captures showed: archived unchanged, or its article looked up.
        (Everything is made before anything is yielded: the month is read to its end only once
        every item and request of it is counted.)"""
        self.logger.info(  # progress: at the archive's pace a month takes minutes
            "web archive %04d-%02d: listing read from %d captures, %d items; reading their articles",
            *reading.month,
            len(reading.walk.read) if reading.walk else 0,
            len(reading.seen),
        )
        made: list[Any] = []
        for doc_id, sightings in reading.seen.items():
            states = _distinct_states(sightings)
            newest = states[-1]
            key = urls.parse_article_path(newest.entry.url) if newest.entry.url else None
            if key is None:
                self.crawler.stats.inc_value("newsroom/entries_without_article")
                made += self._archived_items(reading, states, doc_id, "no article link")
            elif self._unchanged(newest.entry) and not self.arguments.refresh:
                self.crawler.stats.inc_value("newsroom/articles_unchanged_not_fetched")
                reading.with_capture += 1
                reading.with_body += 1
                made += self._counted(reading, [self._sighting(doc_id, self._context(newest))])
            else:
                reading.wanted[doc_id] = states
        reading.followed = True
        if self.sections.left:
            reading.pending += 1  # the section answers, until they are read
            self.sections.waiting.append(reading)
        else:
            made += self._read_articles(reading)
            self._announce_if_read(reading)
        following = next(self.months_to_start, None)
        if following is not None:
            made += self._start_month(following)
        yield from made

    def _section_request(
        self, section: str, resume: str | None, host: str | None
    ) -> scrapy.Request:
        """A page of the prefix query for the first capture of every page of an article section
        from the span's first day on (under the site's host, or another ``host``): one query
        covers the articles of every month of the span."""
        self.crawler.stats.inc_value("wayback/cdx_requests")
        url = webarchive.section_query_url(
            self.wayback_url,
            urls.ARTICLE_SECTION_PATHS[section],
            self.arguments.lang,
            self.sections.since,
            self.settings.getint("ILO_WAYBACK_CDX_PAGE_ROWS"),
            resume,
            host,
        )
        return self._archive_request(
            url,
            WAYBACK_CDX_SLOT,
            None,
            self.parse_section_captures,
            self.section_failed_here,
            LISTING_PRIORITY,
            section=section,
            host=host,
        )

    def parse_section_captures(
        self, response: Response, section: str, host: str | None, seek: str
    ) -> Iterator[Any]:
        if not self.of_this_process(seek):
            return
        try:
            found, resume = webarchive.parse_cdx_page(response.body)
        except CdxError as error:
            self.logger.warning(
                "web archive: section query not read, its articles are looked up one by one: "
                "%s (%s)",
                response.url,
                error,
            )
            found, resume = [], None
        for capture in found:
            key = urls.parse_article_path(capture.original)
            if key is not None and key.lang == self.arguments.lang:
                self.sections.found.setdefault(key.doc_id, []).append(capture)
        if resume is not None:
            yield self._section_request(section, resume, host)
        else:
            yield from self._section_done()

    def section_failed_here(self, failure: Failure) -> Iterator[Any]:
        """A section query failed after its retries: its articles are looked up one by one."""
        if self.of_this_process(failure.request.cb_kwargs["seek"]) and not failure.check(
            WaybackStopped
        ):
            self.logger.warning(
                "web archive: section query failed, its articles are looked up one by one: %s (%s)",
                failure.request.url,
                failure.getErrorMessage(),
            )
            yield from self._section_done()

    def _section_done(self) -> Iterator[scrapy.Request]:
        """Once every section (of the hosts asked) is read, the articles of the months waiting
        for them."""
        sections = self.sections
        sections.left -= 1
        if sections.left:
            return
        if sections.other_hosts == "asked":
            sections.other_hosts = "read"
        waiting, sections.waiting = sections.waiting, []
        for reading in waiting:
            reading.pending -= 1
            yield from self._read_articles(reading)
            self._announce_if_read(reading)

    def _read_articles(self, reading: MonthReading) -> Iterator[scrapy.Request]:
        """Each wanted article's capture: the first of its page from its date on that the
        section answers hold, else (once the other hosts' answers are read too: they are asked
        for the first time an article needs them) found with a query of its own."""
        sections = self.sections
        for doc_id, states in list(reading.wanted.items()):
            since = self._article_since(reading.month, states)
            capture = sections.first_from(doc_id, since)
            if capture is None and sections.other_hosts != "read":
                continue  # the other hosts' answers may hold it
            del reading.wanted[doc_id]
            lookup = ArticleLookup(reading.month, doc_id, states, since)
            if capture is None:
                yield self._article_lookup(reading, lookup)
            else:
                self.crawler.stats.inc_value("wayback/articles_found_by_section")
                yield self._article_capture_request(reading, lookup, capture)
        if not reading.wanted:
            return
        if sections.other_hosts == "not asked":
            self.logger.info(
                "web archive %04d-%02d: %d articles not captured under %s: asking %s",
                *reading.month,
                len(reading.wanted),
                webarchive.ORIGINAL_BASE_URL,
                ", ".join(webarchive.OTHER_HOSTS),
            )
            sections.other_hosts = "asked"
            sections.left += len(urls.ARTICLE_SECTION_PATHS) * len(webarchive.OTHER_HOSTS)
            for host in webarchive.OTHER_HOSTS:
                for section in urls.ARTICLE_SECTION_PATHS:
                    yield self._section_request(section, None, host)
        reading.pending += 1  # the other hosts' answers, until they are read
        sections.waiting.append(reading)

    def _article_since(self, month: Month, states: list[Sighted]) -> dt.date:
        """The day from which the article's capture is taken: its date, else the month's first."""
        published = self.listing_dates(states[-1].entry)["published"]
        return dt.date.fromisoformat(published) if published else dt.date(*month, 1)

    def _article_lookup(self, reading: MonthReading, lookup: ArticleLookup) -> scrapy.Request:
        """A CDX query for the first capture of the article from its date on."""
        self.crawler.stats.inc_value("wayback/cdx_requests")
        self.crawler.stats.inc_value("wayback/article_cdx_requests")
        entry = lookup.newest.entry
        assert entry.url is not None
        url = webarchive.article_query_url(self.wayback_url, entry.url, lookup.since)
        return self._archive_request(
            url,
            WAYBACK_CDX_SLOT,
            reading,
            self.parse_article_captures,
            self.article_failed_here,
            lookup=lookup,
        )

    def parse_article_captures(
        self, response: Response, lookup: ArticleLookup, seek: str
    ) -> Iterator[Any]:
        reading = self._answered(lookup.month, seek, announce=False)
        if reading is None:
            return
        try:
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
                yield from self._archived_items(reading, lookup.states, lookup.doc_id, reason)
                return
            yield self._article_capture_request(reading, lookup, found[0])
        finally:  # the capture request (if any) is sent: the month may be read now
            self._announce_if_read(reading)

    def _article_capture_request(
        self, reading: MonthReading, lookup: ArticleLookup, capture: CdxCapture
    ) -> scrapy.Request:
        reading.with_capture += 1
        self.crawler.stats.inc_value("newsroom/article_requests")
        url = webarchive.capture_url(self.wayback_url, capture.timestamp, capture.original)
        return self._archive_request(
            url,
            WAYBACK_CAPTURE_SLOT,
            reading,
            self.parse_article_capture,
            self.article_failed_here,
            lookup=lookup,
            capture=capture,
        )

    def parse_article_capture(
        self,
        response: Response,
        lookup: ArticleLookup,
        capture: CdxCapture,
        seek: str,
    ) -> Iterator[ArticleItem]:
        reading = self._answered(lookup.month, seek)
        if reading is None:
            return
        real = self._replayed(response)
        if real is None:
            reason = "the web archive answered a page of its own (no Memento-Datetime), no capture"
            reading.missing.append(
                Missing("article", lookup.newest.entry.url, lookup.doc_id, reason)
            )
            yield from self._archived_items(reading, lookup.states, lookup.doc_id, reason)
            return
        original = webarchive.page_url(real.original)
        lang, doc_id = self.arguments.lang, lookup.doc_id
        received = capture_of(
            response, "article", doc_id, lang, copy=ArchivedCopy(original, real.captured_at)
        )
        pdf = pdf_document(original, response.headers.get("Content-Type"), response.body)
        if pdf is not None:
            # A document that is a PDF (the page redirected to it, or was a stub linking to it):
            # archived as what it is, not as a page that lost its body.
            self.crawler.stats.inc_value("wayback/pdf_documents")
            article = ArticlePage(pdf, doc_id, lang, has_article=False, type=PDF_DOCUMENT)
        else:
            article = self.read_article(response.body, original)
            if not self._belongs(lookup.newest.entry, article):
                return
            if not article.has_article or not article.body:
                self._drift(response.url, "article page without a body")
            else:
                reading.with_body += 1
        yield from self._article_items(lookup, article, pdf or original, received)

    def _article_items(
        self,
        lookup: ArticleLookup,
        article: ArticlePage | None,
        url: str,
        received: Capture | None,
    ) -> list[ArticleItem]:
        """The entry's states with its article page, the newest with the page's capture; the
        record's URL is where the page was read (an archived redirect's target, the PDF)."""
        if urlsplit(url).path != urlsplit(lookup.newest.entry.url or "").path:
            self.crawler.stats.inc_value("wayback/archived_redirects")
        items = []
        for state in lookup.states:
            newest = state is lookup.newest
            item = self._item(
                self._context(state),
                doc_id=lookup.doc_id,
                article=article,
                capture=received if newest else None,
                listing_copy=None if newest and received else state.copy,
            )
            item.url = url
            items.append(item)
        return self._counted(self.readings[lookup.month], items)

    def _replayed(self, response: Response) -> CdxCapture | None:
        """The capture a replay answered with (``webarchive.replayed``), the redirects that led
        to it counted."""
        if response.meta.get("redirect_urls"):
            self.crawler.stats.inc_value("wayback/redirects_followed")
        return webarchive.replayed(
            response.url, response.headers.get("Memento-Datetime"), response.status
        )

    def article_failed_here(self, failure: Failure) -> Iterator[Any]:
        """The CDX query of an article's captures, or the article capture, failed."""
        given = failure.request.cb_kwargs
        reading = self._failed(failure, given["lookup"].month)
        refused = _refused_by_the_archive(failure)
        lookup = given["lookup"]
        target = _redirect_never_captured(failure)
        if reading is not None and target is not None:
            # An archived redirect to a page the archive never captured: what it lacks, named;
            # a PDF is known for what it is by its URL.
            if urlsplit(target).path.lower().endswith(".pdf"):
                self.crawler.stats.inc_value("wayback/pdf_documents")
                pdf = ArticlePage(
                    target, lookup.doc_id, self.arguments.lang, False, type=PDF_DOCUMENT
                )
                yield from self._article_items(lookup, pdf, target, None)
                return
            reason = f"its capture redirects to {target}, which the web archive never captured"
            reading.missing.append(
                Missing("article", lookup.newest.entry.url, lookup.doc_id, reason)
            )
            yield from self._archived_items(reading, lookup.states, lookup.doc_id, reason)
        elif reading is not None and refused is not None:
            self.crawler.stats.inc_value("wayback/refused_by_the_archive")
            reading.missing.append(
                Missing("article", lookup.newest.entry.url, lookup.doc_id, refused)
            )
            yield from self._archived_items(reading, lookup.states, lookup.doc_id, refused)
        elif reading is not None:
            yield from self._article_unreadable(
                lookup, failure.request.url, failure.getErrorMessage()
            )

    def _article_unreadable(
        self, lookup: ArticleLookup, url: str, error: str
    ) -> Iterator[ArticleItem]:
        """An article capture (or its CDX query) that could not be read after retries: a
        failure of the run (exit status 4); the item is archived from the listing."""
        self.crawler.stats.inc_value("newsroom/article_failures")
        self.logger.error(
            "web archive: article not read, archived from the listing: %s (%s)", url, error
        )
        reading = self.readings[lookup.month]
        reading.failed += 1
        reading.missing.append(
            Missing("article", url, lookup.doc_id, f"could not be read: {error}")
        )
        yield from self._archived_items(reading, lookup.states, lookup.doc_id, error)

    def _archived_items(
        self,
        reading: MonthReading,
        states: list[Sighted],
        doc_id: str,
        fetch_error: str,
    ) -> list[ArticleItem]:
        """The entry's states as the listing captures showed them, without an article page."""
        items = [
            self._item(
                self._context(state),
                doc_id=doc_id,
                article=None,
                fetch_error=fetch_error,
                listing_copy=state.copy,
            )
            for state in states
        ]
        return self._counted(reading, items)

    def _counted(self, reading: MonthReading, items: list[Any]) -> list[Any]:
        """Items of the month, counted before they are yielded: the month is in the archive
        once as many have passed the pipelines (``item_done``)."""
        reading.expected += len(items)
        for item in items:
            self.items_of[id(item)] = reading
        return items

    def item_done(self, item: Any, **_: Any) -> None:
        """An item passed the pipelines (stored, dropped or failed): one more of its month's."""
        reading = self.items_of.pop(id(item), None)
        if reading is not None:
            reading.done += 1
            self._record_read_months()

    def _record_read_months(self) -> None:
        """Write the completeness row of each month read to its end whose items have all passed
        the pipelines, their batch written first: a run killed later (SIGKILL) has recorded
        them, and a re-run skips them. (Other months' rows are written when the run closes.)"""
        ready = [
            reading
            for reading in self.readings.values()
            if reading.finished and not reading.recorded and reading.done >= reading.expected
        ]
        storage = self.crawler.get_item_pipeline(ArchiveStoragePipeline) if ready else None
        if storage is None or storage.write_failed:
            return
        lang, listing = self.arguments.lang, self.arguments.listing
        for reading in ready:
            reading.recorded = True
            storage.record_completeness(reading.report(listing, lang, ""))

    @staticmethod
    def _context(sighted: Sighted) -> dict[str, Any]:
        return {"entry": sighted.entry, "listing_url": sighted.listing_url}


#: What the archive answers (403) for what it will not give: the site's robots.txt excluded it,
#: or its administrators did. Named missing, never retried: asking again changes nothing.
REFUSAL_MARKERS = (b"RobotAccessControlException", b"AdministrativeAccessControlException")


def _refused_by_the_archive(failure: Failure) -> str | None:
    """The archive's refusal (its body's first line) when the failure is one, else None."""
    if not failure.check(HttpError):
        return None
    body = failure.value.response.body
    if not any(marker in body for marker in REFUSAL_MARKERS):
        return None
    line = body.decode("utf-8", "replace").strip().splitlines()[0][:120]
    return f"the web archive refuses to give it ({line})"


def _redirect_never_captured(failure: Failure) -> str | None:
    """The original URL an archived redirect led to, when the archive has no capture of it
    (the capture request answered 404 after redirects), else None."""
    if not failure.check(HttpError) or not failure.request.meta.get("redirect_urls"):
        return None
    response = failure.value.response
    if response.status != 404:
        return None
    return webarchive.original_of(response.url)


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
