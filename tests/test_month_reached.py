"""``MonthSeek.unreached``: after the seek stops, the span's months the pages read did not reach,
where nothing shows the listing ends there (pure logic, no crawler)."""

from __future__ import annotations

import datetime as dt

from ilo_crawler.sites.pages import ListingEntry, ListingPage
from ilo_crawler.spiders.seek import Month, MonthSeek


def month_of(entry: ListingEntry) -> Month | None:
    day = dt.date.fromisoformat(entry.date_text) if entry.date_text else None
    return (day.year, day.month) if day else None


def page(days: list[str], page_size: int | None, last_offset: int | None) -> ListingPage:
    entries = tuple(
        ListingEntry(i + 1, None, None, None, f"t{i}", f"/a/{i}", day, None)
        for i, day in enumerate(days)
    )
    return ListingPage("/l", 0, None, entries, page_size, last_offset)


NOVEMBER = ["2021-11-30", "2021-11-20", "2021-11-10"]


def seek_stopped_on(listing_page: ListingPage) -> MonthSeek:
    seek = MonthSeek((2021, 10), (2021, 10), month_of)
    assert seek.observe(0, listing_page).fetch is None
    return seek


def test_a_first_page_newer_than_the_month_without_a_pager_leaves_the_month_unreached() -> None:
    first = page(NOVEMBER, page_size=None, last_offset=None)
    assert seek_stopped_on(first).unreached(0, first) == [(2021, 10)]


def test_a_listing_whose_pager_names_this_page_the_last_has_nothing_more() -> None:
    seek = MonthSeek((2021, 10), (2021, 10), month_of)
    seek.observe(0, page(NOVEMBER, page_size=3, last_offset=3))
    last = page(["2021-11-05", "2021-11-02"], page_size=None, last_offset=None)
    assert seek.observe(1, last).fetch is None
    assert seek.unreached(1, last) == []


def test_a_page_that_reaches_the_month_or_passes_it_leaves_nothing_unreached() -> None:
    for days in (["2021-11-30", "2021-10-20"], ["2021-10-20", "2021-09-01"]):
        reached = page(days, page_size=None, last_offset=None)
        assert seek_stopped_on(reached).unreached(0, reached) == []


def test_every_month_of_a_span_beyond_the_pages_is_named() -> None:
    seek = MonthSeek((2021, 8), (2021, 10), month_of)
    first = page(NOVEMBER, page_size=None, last_offset=None)
    assert seek.observe(0, first).fetch is None
    assert seek.unreached(0, first) == [(2021, 8), (2021, 9), (2021, 10)]
