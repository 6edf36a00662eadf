"""Choosing which web-archive captures of a listing's pages to read for one month.

A capture of listing page ``nextRow--N`` shows the listing as it stood when it was captured, so
one offset shows other items in captures made at other times: items published in between push
everything down. ``CaptureWalk`` reads the pages in the order of their offsets, from the first
capture made after the month ended (when all its items were listed), taking for each next page
the earliest capture not older than the page before it: then items can only be seen twice (at
the bottom of one page and the top of the next: merged by document id), never skipped. Where
the next page was captured only earlier, the page is read again as captured by then (if it was),
which joins the two without a gap. Where the archive has no such capture, or none at all of a
page, the walk goes on with what there is and names what may be missing. Pure logic: told what each page holds, it answers which capture
to read next, so it is tested without a crawler.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from ilo_crawler.sites.pages import ListingEntry, ListingPage
from ilo_crawler.sites.wcms import urls
from ilo_crawler.spiders.seek import Month, MonthSeek, month_after
from ilo_crawler.webarchive import ORIGINAL_BASE_URL, CdxCapture


@dataclass(frozen=True)
class Missing:
    """Something of a month the web archive could not give: a listing page or an article."""

    kind: str  #: ``listing``, ``article``, or ``month`` (the month was not read to its end)
    url: str | None  #: the page's original URL
    doc_id: str | None
    reason: str

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


@dataclass(frozen=True)
class Revisit:
    """An earlier capture of the page ``above`` being read, to join it to ``then`` (the next
    page, captured only earlier than ``above``); ``shown``: the items ``above`` showed."""

    above: CdxCapture
    shown: frozenset[str]
    then: CdxCapture


@dataclass
class WalkStep:
    """What a page read gives: the month's entries on it, and the capture to read next."""

    entries: list[ListingEntry] = field(default_factory=list)
    fetch: CdxCapture | None = None


class CaptureWalk:
    def __init__(
        self,
        month: Month,
        pages: dict[int, list[CdxCapture]],
        month_of: Callable[[ListingEntry], Month | None],
        *,
        listing: str,
        lang: str,
        window: tuple[dt.date, dt.date],
    ) -> None:
        self.month = month
        self.span = MonthSeek(month, month, month_of)
        self.pages = pages  #: offset -> its captures in the window, oldest first
        self.listing = listing
        self.lang = lang
        #: the search window, as the reasons of what is missing name it
        self.in_window = f"in the window ({window[0].isoformat()} to {window[1].isoformat()})"
        #: the first moment after the month: captures from then on list all of its items
        self.month_end = "{:04d}{:02d}01000000".format(*month_after(month))
        self.page_size: int | None = None
        self.last: int | None = None  #: offset of the last page, as far as pagers have shown
        self.read: list[CdxCapture] = []
        self.missing: list[Missing] = []
        self._uncaptured: tuple[int, int] | None = None  #: offsets [start, end) never captured
        self._previous: CdxCapture | None = None
        self._revisit: Revisit | None = None  #: an earlier capture of a page is being read

    def first(self) -> CdxCapture | None:
        """The capture to read first; None when the window holds no capture of the listing."""
        if not self.pages:
            self._name_missing(0, f"the listing has no capture {self.in_window}")
            return None
        offset = min(self.pages)
        if offset:
            self._uncaptured = (0, offset)
        chosen = self._choose(offset, self.month_end)
        if chosen.timestamp < self.month_end:
            self._name_missing(
                offset,
                f"captured only before the month ended (last on {_day(chosen)}): items "
                "published later in the month may be missing",
            )
        return chosen

    def observe(self, capture: CdxCapture, page: ListingPage) -> WalkStep:
        """Take in a capture read; answer the month's entries on it and the capture to read
        next (None: the month is done)."""
        self.read.append(capture)
        offset = urls.offset_in_url(capture.original) or 0
        if self.page_size is None:
            self.page_size = page.page_size
        if page.last_offset is not None:
            self.last = max(self.last or 0, page.last_offset)
        months = [m for m in map(self.span.month_of, page.entries) if m is not None]
        reaches = not months or max(months) <= self.month  # holds the month's items, or older
        revisit, self._revisit = self._revisit, None
        if revisit is None:
            self._check_joins(capture, offset, reaches)
        elif reaches and not _shown(page) & revisit.shown:
            self._name_missing(
                offset,
                f"its captures of {_day(capture)} and {_day(revisit.above)} share no item: "
                "items published in between may be missing",
            )
        self._previous = capture
        step = WalkStep(entries=self.span.entries_to_follow(page))
        passed = any(month < self.month for month in months)
        past_the_end = self.last is not None and offset >= self.last
        if not page.entries and not past_the_end:
            # The archive answered something else under this URL (an error page captured as a
            # page, another layout): its items are unknown; the walk goes on past it.
            self._name_missing(offset, "its capture shows no listing item")
        at_end = self.page_size is None or past_the_end
        if passed or at_end:
            return step
        if revisit is not None:
            step.fetch = revisit.then
            return step
        wanted = offset + self.page_size
        later = [captured for captured in self.pages if captured >= wanted]
        if not later:
            self._name_missing(
                wanted, f"not captured {self.in_window}: the month's older items may be missing"
            )
            return step
        if min(later) > wanted:
            self._uncaptured = (wanted, min(later))
        step.fetch = self._choose(min(later), capture.timestamp)
        if min(later) == wanted and step.fetch.timestamp < capture.timestamp:
            # The next page was captured only earlier: items published in between would slip
            # past both. Read this page as captured by then too (if it was): joined to this
            # capture by an item both show, it joins the next page without a gap.
            older = [c for c in self.pages[offset] if c.timestamp <= step.fetch.timestamp]
            if older:
                self._revisit = Revisit(capture, _shown(page), step.fetch)
                step.fetch = older[-1]
        return step

    def _choose(self, offset: int, not_before: str) -> CdxCapture:
        """The earliest capture of the page from ``not_before`` on, else the latest before it."""
        captures = self.pages[offset]
        return next((c for c in captures if c.timestamp >= not_before), captures[-1])

    def _check_joins(self, capture: CdxCapture, offset: int, reaches: bool) -> None:
        """Name what may have been lost between the page before and this one: pages never
        captured, or a page captured earlier than the one before it (items published in between
        pushed some of the month's items past both). Neither matters when this page starts
        with items newer than the month: so do the ones above it."""
        uncaptured, self._uncaptured = self._uncaptured, None
        if not reaches:
            return
        if uncaptured is not None:
            start, end = uncaptured
            size = self.page_size or end - start
            pages = (
                f"nextRow--{start}"
                if end - start <= size
                else f"nextRow--{start} to --{end - size}"
            )
            self._name_missing(start, f"listing page {pages} has no capture {self.in_window}")
        before = self._previous
        if before is not None and capture.timestamp < before.timestamp:
            self._name_missing(
                offset,
                f"captured on {_day(capture)}, before the page above it ({_day(before)}): "
                "items published in between may be missing",
            )

    def _name_missing(self, offset: int, reason: str) -> None:
        url = urls.listing_url(ORIGINAL_BASE_URL, self.listing, self.lang, offset)
        self.missing.append(Missing("listing", url, None, reason))


def _shown(page: ListingPage) -> frozenset[str]:
    """What identifies the page's items, to find items two captures both show."""
    return frozenset(entry.url or f"{entry.title}|{entry.date_text}" for entry in page.entries)


def _day(capture: CdxCapture) -> str:
    return capture.captured_at[:10]
