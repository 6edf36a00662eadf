"""Choosing which web-archive captures of a listing's pages to read for one month.

A capture of listing page ``nextRow--N`` shows the listing as it stood when it was captured, so
one offset shows other items in captures made at other times: items published in between push
everything down. Captures come in sweeps: a crawler fetched the listing's pages seconds to
minutes apart and in no fixed order (``nextRow--30`` stamped a few seconds before
``nextRow--20``), so the order of the timestamps within a sweep says nothing; captures less than
``SWEEP_SECONDS`` apart are taken as one listing state, and the items they hold check it (a page
whose items are newer than those of the page above it shows another state).

``CaptureWalk`` reads the pages in the order of their offsets, from the first capture made after
the month ended (when all its items were listed), taking for each next page its capture in the
sweep of the page above, else its earliest later one: then items can only be seen twice (at the
bottom of one page and the top of the next: merged by document id), never skipped. Where the
next page was captured only in an earlier sweep, the page above is read again as captured then
(if it was): joined to the later capture by an item both show, it joins the next page without a
gap. Where the archive has no such capture, or none at all of a page, the walk goes on with what
there is and names what may be missing. Pure logic: told what each page holds, it answers which
capture to read next, so it is tested without a crawler.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from ilo_crawler.sites.pages import ListingEntry, ListingPage
from ilo_crawler.sites.wcms import urls
from ilo_crawler.spiders.seek import Month, MonthSeek, month_after
from ilo_crawler.webarchive import ORIGINAL_BASE_URL, TIMESTAMP_FORMAT, CdxCapture

#: Captures of a listing's pages less than this apart belong to one sweep: one listing state,
#: whatever the order of their timestamps (a crawler fetches a listing's pages seconds to minutes
#: apart, in no fixed order; items are published hours to days apart).
SWEEP_SECONDS = 3600


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
        self._previous_months: list[Month] = []  #: the months of the page above's items
        self._revisit: Revisit | None = None  #: an earlier capture of a page is being read
        self._anchor: CdxCapture | None = None  #: the latest page read of the sweep followed

    def first(self) -> CdxCapture | None:
        """The capture to read first; None when the window holds no capture of the listing."""
        if not self.pages:
            self._name_missing(0, f"the listing has no capture {self.in_window}")
            return None
        offset = min(self.pages)
        if offset:
            self._uncaptured = (0, offset)
        captures = self.pages[offset]
        chosen = next((c for c in captures if c.timestamp >= self.month_end), captures[-1])
        if chosen.timestamp < self.month_end:
            self._name_missing(
                offset,
                f"captured only before the month ended (last on {_day(chosen)}): items "
                "published later in the month may be missing",
            )
        return chosen

    def observe(self, capture: CdxCapture, page: ListingPage) -> WalkStep:
        """Take in a capture read (its real time: the archive may have led to another than the
        one listed); answer the month's entries on it and the capture to read next (None: the
        month is done)."""
        self.read.append(capture)
        offset = urls.offset_in_url(capture.original) or 0
        if self.page_size is None:
            self.page_size = page.page_size
        if page.last_offset is not None:
            self.last = max(self.last or 0, page.last_offset)
        months = [m for m in map(self.span.month_of, page.entries) if m is not None]
        reaches = not months or max(months) <= self.month  # holds the month's items, or older
        step = WalkStep(entries=self.span.entries_to_follow(page))
        revisit, self._revisit = self._revisit, None
        if revisit is not None:
            # The page above as captured in the next page's (earlier) sweep, read only to join
            # the two: where the walk goes next is the next page, whatever this one holds.
            if reaches and not _shown(page) & revisit.shown:
                self._name_missing(
                    offset,
                    f"its captures of {_day(capture)} and {_day(revisit.above)} share no item: "
                    "items published in between may be missing",
                )
            self._previous, self._previous_months = capture, months
            step.fetch = revisit.then
            return step
        self._check_joins(capture, offset, reaches, months)
        self._previous, self._previous_months = capture, months
        # A page of an earlier sweep than the one followed (its page above was not captured in
        # it): the month's items stood higher then, so what it holds ends nothing; the walk
        # goes back to the sweep it follows for the next page.
        older = self._anchor is not None and _apart(capture, self._anchor) < -SWEEP_SECONDS
        if not older:
            self._anchor = capture
        passed = not older and any(month < self.month for month in months)
        past_the_end = self.last is not None and offset >= self.last
        if not page.entries and not past_the_end:
            # The archive answered something else under this URL (an error page captured as a
            # page, another layout): its items are unknown; the walk goes on past it.
            self._name_missing(offset, "its capture shows no listing item")
        if passed or self.page_size is None or past_the_end:
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
        anchor = self._anchor
        assert anchor is not None
        step.fetch = self._choose(min(later), anchor)
        if not older and min(later) == wanted and _apart(step.fetch, anchor) < -SWEEP_SECONDS:
            # The next page was captured only in an earlier sweep: items published in between
            # would slip past both. Read this page as captured then too (if it was): joined to
            # this capture by an item both show, it joins the next page without a gap.
            following = step.fetch
            then = [c for c in self.pages[offset] if abs(_apart(c, following)) <= SWEEP_SECONDS]
            if then:
                self._revisit = Revisit(capture, _shown(page), following)
                step.fetch = min(then, key=lambda c: abs(_apart(c, following)))
        return step

    def _choose(self, offset: int, above: CdxCapture) -> CdxCapture:
        """The page's capture in the sweep of the capture ``above`` (the nearest to it), else its
        earliest later one, else its latest earlier one."""
        captures = self.pages[offset]
        near = [c for c in captures if abs(_apart(c, above)) <= SWEEP_SECONDS]
        if near:
            return min(near, key=lambda c: (abs(_apart(c, above)), c.timestamp < above.timestamp))
        return next((c for c in captures if c.timestamp > above.timestamp), captures[-1])

    def _check_joins(
        self, capture: CdxCapture, offset: int, reaches: bool, months: list[Month]
    ) -> None:
        """Name what may have been lost between the page before and this one: pages never
        captured, a page captured in a sweep earlier than the one before it (items published in
        between pushed some of the month's items past both), or a page of the same sweep whose
        items are newer than those of the page above it, which reached the month (another
        listing state). The first two do not matter when this page starts with items newer
        than the month: so do the ones above it."""
        uncaptured, self._uncaptured = self._uncaptured, None
        before = self._previous
        apart = _apart(capture, before) if before is not None else 0.0
        above = min(self._previous_months, default=None)
        if (
            before is not None
            and abs(apart) <= SWEEP_SECONDS
            and above is not None
            and above <= self.month
            and max(months, default=above) > above
        ):
            self._name_missing(
                offset,
                f"its capture of {capture.captured_at} shows items newer than the page above it "
                f"({before.captured_at}): another state of the listing, items may be missing",
            )
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
        if before is not None and apart < -SWEEP_SECONDS:
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


def _apart(capture: CdxCapture, other: CdxCapture) -> float:
    """Seconds from ``other``'s capture to ``capture``'s (negative: captured before it)."""
    return (_moment(capture) - _moment(other)).total_seconds()


def _moment(capture: CdxCapture) -> dt.datetime:
    return dt.datetime.strptime(capture.timestamp, TIMESTAMP_FORMAT)
