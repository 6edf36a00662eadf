"""MonthSeek on synthetic listings: it finds every item of the month within the request budget."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from ilo_crawler.sites.pages import ListingEntry, ListingPage
from ilo_crawler.spiders.seek import MonthSeek


def make_listing(dates: list[dt.date], page_size: int) -> list[ListingPage]:
    """Pages of a newest-first listing, each with a pager that shows the last page."""
    ordered = sorted(dates, reverse=True)
    last_offset = max(0, (len(ordered) - 1) // page_size * page_size)
    pages = []
    for offset in range(0, max(len(ordered), 1), page_size):
        entries = tuple(
            ListingEntry(
                position=i + 1,
                heading=None,
                credit=None,
                label=None,
                title=f"t{offset + i}",
                url=f"/a/{offset + i}",
                date_text=day.isoformat(),
                summary=None,
            )
            for i, day in enumerate(ordered[offset : offset + page_size])
        )
        multi = len(ordered) > page_size
        pages.append(
            ListingPage(
                url=f"/l/{offset}",
                offset=offset,
                title=None,
                entries=entries,
                page_size=page_size if multi else None,
                last_offset=last_offset if multi else None,
            )
        )
    return pages


def month_of(entry: ListingEntry) -> tuple[int, int] | None:
    if entry.date_text is None:
        return None
    day = dt.date.fromisoformat(entry.date_text)
    return (day.year, day.month)


def run_seek(
    pages: list[ListingPage], target: tuple[int, int], newest: tuple[int, int] | None = None
) -> tuple[list[ListingEntry], int]:
    """Drive the seek as the spider does (for the month ``target``, or the span from ``target`` to
    ``newest``); return the entries it follows and the pages fetched."""
    seek = MonthSeek(target, newest or target, month_of)
    empty = ListingPage(
        url="/l/end", offset=0, title=None, entries=(), page_size=None, last_offset=None
    )
    fetches, followed, index = 0, [], 0
    while index is not None:
        fetches += 1
        step = seek.observe(index, pages[index] if index < len(pages) else empty)
        for harvested in step.harvest:
            followed += seek.entries_to_follow(seek.pages[harvested])
        index = step.fetch
    return followed, fetches


def budget(
    pages: list[ListingPage],
    target: tuple[int, int],
    page_size: int,
    newest: tuple[int, int] | None = None,
) -> int:
    span = (target, newest or target)
    holding = sum(
        1 for page in pages if any(span[0] <= month_of(e) <= span[1] for e in page.entries)
    )
    return 2 * math.ceil(math.log2(max(len(pages), 2))) + holding + 2


def monthly_dates(start: dt.date, months: int, per_month: int) -> list[dt.date]:
    dates = []
    for m in range(months):
        year, month = start.year + (start.month - 1 + m) // 12, (start.month - 1 + m) % 12 + 1
        dates += [dt.date(year, month, 1 + (i * 27) // per_month) for i in range(per_month)]
    return dates


def test_finds_a_month_deep_in_a_large_listing_within_budget() -> None:
    dates = monthly_dates(dt.date(2010, 1, 1), 180, 65)
    pages = make_listing(dates, 10)
    followed, fetches = run_seek(pages, (2021, 11))
    assert len(followed) == 65
    assert {month_of(e) for e in followed} == {(2021, 11)}
    assert fetches <= budget(pages, (2021, 11), 10)


def test_month_on_the_first_page_and_the_last_page() -> None:
    pages = make_listing(monthly_dates(dt.date(2020, 1, 1), 24, 7), 10)
    newest, fetches = run_seek(pages, (2021, 12))
    assert len(newest) == 7 and fetches <= budget(pages, (2021, 12), 10)
    oldest, fetches = run_seek(pages, (2020, 1))
    assert len(oldest) == 7 and fetches <= budget(pages, (2020, 1), 10)


def test_month_missing_from_the_listing_is_empty_not_an_error() -> None:
    dates = [d for d in monthly_dates(dt.date(2020, 1, 1), 24, 7) if (d.year, d.month) != (2020, 6)]
    pages = make_listing(dates, 10)
    assert run_seek(pages, (2020, 6))[0] == []
    assert run_seek(pages, (2030, 1))[0] == []
    assert run_seek(pages, (2001, 1))[0] == []


def test_single_page_listing() -> None:
    pages = make_listing([dt.date(2021, 11, d) for d in (20, 10, 1)] + [dt.date(2021, 10, 5)], 10)
    followed, fetches = run_seek(pages, (2021, 11))
    assert len(followed) == 3 and fetches == 1


def test_undated_item_next_to_the_month_is_followed() -> None:
    pages = make_listing(monthly_dates(dt.date(2021, 1, 1), 12, 6), 10)
    page = pages[1]
    undated = ListingEntry(
        position=99,
        heading=None,
        credit=None,
        label=None,
        title="event",
        url="/a/event",
        date_text=None,
        summary=None,
    )
    pages[1] = ListingPage(
        url=page.url,
        offset=page.offset,
        title=None,
        entries=(page.entries[0], undated, *page.entries[1:]),
        page_size=page.page_size,
        last_offset=page.last_offset,
    )
    target = month_of(page.entries[0])
    assert undated in run_seek(pages, target)[0]


@settings(max_examples=60, deadline=None)
@given(
    per_month=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=60),
    page_size=st.integers(min_value=1, max_value=25),
    pick=st.integers(min_value=0, max_value=10_000),
)
def test_any_listing_any_month(per_month: list[int], page_size: int, pick: int) -> None:
    dates = []
    for m, count in enumerate(per_month):
        year, month = 2000 + m // 12, m % 12 + 1
        dates += [dt.date(year, month, 1 + (i * 27) // max(count, 1)) for i in range(count)]
    pages = make_listing(dates, page_size)
    m = pick % len(per_month)
    target = (2000 + m // 12, m % 12 + 1)
    followed, fetches = run_seek(pages, target)
    assert len(followed) == per_month[m]
    assert all(month_of(e) == target for e in followed)
    assert fetches <= budget(pages, target, page_size)


@settings(max_examples=40, deadline=None)
@given(
    per_month=st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=48),
    page_size=st.integers(min_value=1, max_value=15),
    picks=st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)),
)
def test_any_span_of_months(per_month: list[int], page_size: int, picks: tuple[int, int]) -> None:
    dates = []
    for m, count in enumerate(per_month):
        year, month = 2000 + m // 12, m % 12 + 1
        dates += [dt.date(year, month, 1 + (i * 27) // max(count, 1)) for i in range(count)]
    pages = make_listing(dates, page_size)
    first, last = sorted(p % len(per_month) for p in picks)
    oldest, newest = (2000 + first // 12, first % 12 + 1), (2000 + last // 12, last % 12 + 1)
    followed, fetches = run_seek(pages, oldest, newest)
    assert len(followed) == sum(per_month[first : last + 1])
    assert fetches <= budget(pages, oldest, page_size, newest)


def test_the_whole_listing() -> None:
    pages = make_listing(monthly_dates(dt.date(2020, 1, 1), 24, 7), 10)
    followed, fetches = run_seek(pages, (1919, 1), (9999, 12))
    assert len(followed) == 24 * 7 and fetches == len(pages)
