"""Finding the pages of a newest-first listing that hold a span of months, without walking the
whole listing.

The listing is ordered by date, so "does this page reach back to the span yet?" is false for the
first pages and true for all later ones. ``MonthSeek`` gallops (pages 1, 2, 4, 8, ...) until a page
reaches the span's newest month, binary-searches the gap for the first such page, then walks
forward page by page until it passes the span's oldest month. Pure logic: it is told what each page holds and answers which page
to fetch next, so it is tested without a crawler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ilo_crawler.sites.pages import ListingEntry, ListingPage

Month = tuple[int, int]


def month_after(month: Month) -> Month:
    """The month following ``month`` (December is followed by January of the next year)."""
    year, number = month
    return (year + number // 12, number % 12 + 1)


def month_before(month: Month) -> Month:
    """The month preceding ``month`` (January is preceded by December of the year before)."""
    year, number = month
    return (year - 1, 12) if number == 1 else (year, number - 1)


@dataclass
class Step:
    """What to do after a page was seen: which pages' entries to harvest, which page to fetch."""

    harvest: list[int] = field(default_factory=list)
    fetch: int | None = None


class MonthSeek:
    def __init__(
        self, oldest: Month, newest: Month, month_of: Callable[[ListingEntry], Month | None]
    ) -> None:
        self.oldest = oldest
        self.newest = newest
        self.month_of = month_of
        self.pages: dict[int, ListingPage] = {}
        #: when each page was last seen (an ever-growing count): new items push everything down
        #: while the walk goes on, so a page seen before the one above it may have lost items to it
        self.seen_at: dict[int, int] = {}
        self._clock = 0
        self.page_size: int | None = None
        self.last: int | None = None  #: index of the last page, as far as pagers have shown it
        self.newer = -1  #: highest page index known to hold only items newer than the span
        self.reaching: int | None = None  #: lowest page index known to reach the span
        self.walking = False

    def observe(self, index: int, page: ListingPage) -> Step:
        """Take in page ``index``; answer what to harvest and fetch next (``fetch`` None: done)."""
        self._take_in(index, page)
        if self.walking:
            return self._walk(index)
        if self._reaches(page):
            self.reaching = index if self.reaching is None else min(self.reaching, index)
        else:
            self.newer = max(self.newer, index)
        if self.reaching is None:
            return self._gallop(index)
        if self.reaching - self.newer > 1:
            return Step(fetch=(self.newer + self.reaching) // 2)
        self.walking = True
        if not self._fresh(self.reaching, after=self.newer):
            return Step(fetch=self.reaching)  # seen before the page above it: read it again
        return self._walk(self.reaching)

    def _take_in(self, index: int, page: ListingPage) -> None:
        """Keep the page, when it was seen, and what its pager says of the listing."""
        self.pages[index] = page
        self._clock += 1
        self.seen_at[index] = self._clock
        if index == 0:
            self.page_size = page.page_size
        if page.last_offset is not None and self.page_size:
            self.last = max(self.last or 0, page.last_offset // self.page_size)

    def _at_end(self, index: int, page: ListingPage) -> bool:
        """Nothing lies beyond this page: it is empty, the only one, or the last."""
        return (
            not page.entries
            or self.page_size is None
            or (self.last is not None and index >= self.last)
        )

    def _fresh(self, index: int, *, after: int) -> bool:
        """Was page ``index`` seen after page ``after``? (Then no item can have slipped from
        ``after`` to ``index`` unseen.)"""
        return after not in self.seen_at or self.seen_at[index] > self.seen_at[after]

    def offset(self, index: int) -> int:
        return index * (self.page_size or 0)

    def in_span(self, month: Month | None) -> bool:
        return month is not None and self.oldest <= month <= self.newest

    def entries_to_follow(self, page: ListingPage) -> list[ListingEntry]:
        """The page's entries of the span, and undated ones standing next to one of them (their
        article page will tell their date)."""
        months = [self.month_of(entry) for entry in page.entries]
        chosen = []
        for i, (entry, month) in enumerate(zip(page.entries, months, strict=True)):
            if self.in_span(month):
                chosen.append(entry)
            elif month is None:
                before = next((m for m in reversed(months[:i]) if m is not None), None)
                after = next((m for m in months[i + 1 :] if m is not None), None)
                if self.in_span(before) or self.in_span(after):
                    chosen.append(entry)
        return chosen

    def _known_months(self, page: ListingPage) -> list[Month]:
        return [m for m in map(self.month_of, page.entries) if m is not None]

    def _reaches(self, page: ListingPage) -> bool:
        """True when the page holds the month or anything older, or nothing to judge by (past the
        end, or no dates): judging such a page as reaching can only make the walk start earlier."""
        months = self._known_months(page)
        return not months or min(months) <= self.newest

    def _gallop(self, index: int) -> Step:
        if self.page_size is None:  # a listing of a single page, and it is all newer
            return Step()
        probe = 1 if index == 0 else index * 2
        if self.last is not None and probe > self.last:
            if index >= self.last:  # the whole listing is newer than the span
                return Step()
            probe = self.last
        return Step(fetch=probe)

    def unreached(self, index: int, page: ListingPage) -> list[Month]:
        """After the seek stopped at page ``index``: the span's months, when the pages read did
        not reach them (the last page read is newer than the span: its pager could not be
        read to go on) and nothing shows the listing ends there (an empty page, the page its
        pager names the last). Empty: the span was reached."""
        months = self._known_months(page)
        if not months or min(months) <= self.newest:
            return []  # the pages reached the span (a page without a pager is then the last)
        if not page.entries or (self.last is not None and index >= self.last):
            return []
        found, month = [], self.oldest
        while month <= self.newest:
            found.append(month)
            month = month_after(month)
        return found

    def _walk(self, index: int) -> Step:
        page = self.pages[index]
        months = self._known_months(page)
        passed = any(month < self.oldest for month in months)
        at_end = (
            not page.entries
            or self.page_size is None
            or (self.last is not None and index >= self.last)
        )
        following = None if passed or at_end else index + 1
        if following in self.pages and self._fresh(following, after=index):
            step = self._walk(following)
            return Step(harvest=[index, *step.harvest], fetch=step.fetch)
        return Step(harvest=[index], fetch=following)


class IncrementalWalk(MonthSeek):
    """Walking a listing from its newest page down to what the archive already holds.

    The stopping rule: stop after a page once it and the page before it are *settled*: every item
    on them is archived with the same listing fields, and their items are all older than
    ``cutoff`` (the month of the last finished run's start, less a margin). Items are published at
    the top of the listing, so anything new since the last run stands above such pages; new items
    appearing during the walk only push pages down, which makes the walk see items twice, never
    skip them. The margin and the second settled page cover items published with a back-date.
    """

    def __init__(
        self,
        month_of: Callable[[ListingEntry], Month | None],
        unchanged: Callable[[ListingEntry], bool],
        cutoff: Month | None,
    ) -> None:
        super().__init__((0, 0), (9999, 12), month_of)
        self.unchanged = unchanged
        self.cutoff = cutoff
        self.settled_pages: set[int] = set()

    def observe(self, index: int, page: ListingPage) -> Step:
        self._take_in(index, page)
        if self._settled(page):
            self.settled_pages.add(index)
        done = self._at_end(index, page) or {index, index - 1} <= self.settled_pages
        return Step(harvest=[index], fetch=None if done else index + 1)

    def _settled(self, page: ListingPage) -> bool:
        if self.cutoff is None or not page.entries:
            return False
        months = self._known_months(page)
        return all(map(self.unchanged, page.entries)) and bool(months) and max(months) < self.cutoff
