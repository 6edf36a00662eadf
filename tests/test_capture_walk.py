"""CaptureWalk without a crawler: which web-archive captures of a listing's pages are read for a
month, and what is named missing, for captures made at different times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ilo_crawler.sites.pages import ListingEntry, ListingPage
from ilo_crawler.sites.wcms.urls import listing_path, offset_in_url
from ilo_crawler.spiders.capture_walk import CaptureWalk
from ilo_crawler.webarchive import ORIGINAL_BASE_URL, CdxCapture

MONTH = (2020, 1)
WINDOW = (dt.date(2020, 1, 1), dt.date(2020, 3, 2))
SIZE = 3


def month_of(entry: ListingEntry) -> tuple[int, int] | None:
    return (int(entry.date_text[:4]), int(entry.date_text[5:7])) if entry.date_text else None


def original(offset: int) -> str:
    return ORIGINAL_BASE_URL + listing_path("all-newsroom", "en", offset)


def capture(offset: int, timestamp: str) -> CdxCapture:
    return CdxCapture(timestamp, original(offset), "200")


def listing_at(day: str) -> list[str]:
    """Dates of the listing as it stood on ``day``: 12 January items, 6 February ones published
    on 1-6 February, 3 December ones; newest first."""
    dates = [f"2020-02-{d:02d}" for d in range(6, 0, -1)]
    dates += [f"2020-01-{d:02d}" for d in range(12, 0, -1)]
    dates += ["2019-12-31", "2019-12-30", "2019-12-29"]
    return [date for date in dates if date <= day]


def page(offset: int, timestamp: str) -> ListingPage:
    """Page ``offset`` as captured at ``timestamp``."""
    day = f"{timestamp[:4]}-{timestamp[4:6]}-{timestamp[6:8]}"
    dates = listing_at(day)
    shown = dates[offset : offset + SIZE]
    entries = tuple(
        ListingEntry(i + 1, None, None, None, f"Item of {date}", None, date, None)
        for i, date in enumerate(shown)
    )
    last = (len(dates) - 1) // SIZE * SIZE
    return ListingPage(original(offset), offset, "All", entries, SIZE, last)


def walk_through(
    captures: list[CdxCapture], read: Callable[[int, str], ListingPage] = page
) -> tuple[CaptureWalk, list[str]]:
    """Run a walk over the captures to its end, ``read(offset, timestamp)`` giving each page;
    the dates of the month's entries it gave."""
    pages: dict[int, list[CdxCapture]] = {}
    for found in sorted(captures):
        pages.setdefault(offset_in_url(found.original) or 0, []).append(found)
    walk = CaptureWalk(MONTH, pages, month_of, listing="all-newsroom", lang="en", window=WINDOW)
    seen: list[str] = []
    step_capture = walk.first()
    while step_capture is not None:
        offset = offset_in_url(step_capture.original) or 0
        step = walk.observe(step_capture, read(offset, step_capture.timestamp))
        seen += [entry.date_text for entry in step.entries]
        step_capture = step.fetch
    return walk, seen


JANUARY = {f"2020-01-{d:02d}" for d in range(1, 13)}


def test_one_sweep_is_read_from_the_top_to_past_the_month() -> None:
    sweep = [capture(offset, "20200206093000") for offset in range(0, 21, SIZE)]
    walk, seen = walk_through(sweep)
    assert set(seen) == JANUARY and len(seen) == len(JANUARY)
    assert [c.original for c in walk.read] == [original(o) for o in range(0, 21, SIZE)]
    assert walk.missing == []


def test_pages_captured_later_and_later_see_items_twice_never_skip_them() -> None:
    shifted = [
        capture(offset, f"202002{offset // SIZE + 1:02d}120000") for offset in range(0, 21, SIZE)
    ]
    walk, seen = walk_through(shifted)
    assert set(seen) == JANUARY and len(seen) > len(JANUARY)  # some seen twice
    assert walk.missing == []


def test_the_first_capture_after_the_month_ended_is_preferred() -> None:
    captures = [
        capture(0, "20200115000000"),
        capture(0, "20200201000000"),
        capture(0, "20200301000000"),
    ]
    captures += [capture(offset, "20200201000000") for offset in range(SIZE, 21, SIZE)]
    walk, seen = walk_through(captures)
    assert walk.read[0].timestamp == "20200201000000"
    assert set(seen) == JANUARY and walk.missing == []


def test_a_page_never_captured_is_named_and_the_walk_goes_on() -> None:
    sweep = [capture(offset, "20200206093000") for offset in range(0, 21, SIZE) if offset != 6]
    walk, seen = walk_through(sweep)
    assert set(seen) == JANUARY - {"2020-01-12", "2020-01-11", "2020-01-10"}
    assert [(m.kind, m.url) for m in walk.missing] == [("listing", original(6))]
    assert (
        "nextRow--6 has no capture in the window (2020-01-01 to 2020-03-02)"
        in walk.missing[0].reason
    )


def test_uncaptured_pages_above_the_month_are_not_named() -> None:
    # The first page is missing, but the next one still shows February: so did the first.
    sweep = [capture(offset, "20200206093000") for offset in range(0, 21, SIZE) if offset != 0]
    walk, seen = walk_through(sweep)
    assert set(seen) == JANUARY and walk.missing == []
    assert walk.read[0].original == original(SIZE)


def test_a_page_captured_before_the_one_above_it_names_the_possible_gap() -> None:
    captures = [capture(0, "20200206000000"), capture(SIZE, "20200206000000")]
    captures += [capture(6, "20200203000000")]  # three items published since: they slipped past
    captures += [capture(offset, "20200206000000") for offset in range(9, 21, SIZE)]
    walk, _ = walk_through(captures)
    assert [m.url for m in walk.missing] == [original(6)]
    assert "before the page above it" in walk.missing[0].reason


def test_an_earlier_capture_of_the_page_above_closes_the_gap() -> None:
    captures = [capture(0, "20200205000000"), capture(SIZE, "20200205000000")]
    captures += [capture(SIZE, "20200204000000"), capture(6, "20200204000000")]
    captures += [capture(offset, "20200206000000") for offset in range(9, 21, SIZE)]
    walk, seen = walk_through(captures)
    # nextRow--3 of 5 February ends with 12 January; nextRow--6 of the 4th starts with the 10th:
    # nextRow--3 of the 4th shows the 11th between them.
    assert set(seen) == JANUARY and walk.missing == []
    assert [(offset_in_url(c.original), c.timestamp[6:8]) for c in walk.read[:4]] == [
        (0, "05"),
        (3, "05"),
        (3, "04"),
        (6, "04"),
    ]


def test_a_listing_captured_only_during_the_month_says_later_items_may_be_missing() -> None:
    captures = [capture(offset, "20200110000000") for offset in range(0, 12, SIZE)]
    walk, seen = walk_through(captures)
    assert set(seen) == {f"2020-01-{d:02d}" for d in range(1, 11)}
    assert any("only before the month ended" in m.reason for m in walk.missing)


def test_a_capture_without_listing_items_is_named_and_the_walk_goes_on() -> None:
    def error_page_at_9(offset: int, timestamp: str) -> ListingPage:
        """The archive kept an error page under nextRow--9."""
        shown = page(offset, timestamp)
        return ListingPage(shown.url, offset, None, (), None, None) if offset == 9 else shown

    sweep = [capture(offset, "20200206093000") for offset in range(0, 21, SIZE)]
    walk, seen = walk_through(sweep, error_page_at_9)
    assert set(seen) == JANUARY - {"2020-01-09", "2020-01-08", "2020-01-07"}
    assert [(m.url, m.reason) for m in walk.missing] == [
        (original(9), "its capture shows no listing item")
    ]


def test_no_capture_at_all_is_named() -> None:
    walk, seen = walk_through([])
    assert seen == [] and walk.read == []
    assert walk.missing[0].url == original(0)
    assert "no capture in the window" in walk.missing[0].reason


def test_the_walk_ends_where_captures_end_and_says_so() -> None:
    captures = [capture(offset, "20200206093000") for offset in range(0, 12, SIZE)]
    walk, seen = walk_through(captures)
    assert set(seen) == {f"2020-01-{d:02d}" for d in range(7, 13)}
    assert [m.url for m in walk.missing] == [original(12)]
    assert "older items may be missing" in walk.missing[0].reason


def shuffled_sweep(day: str, offsets: range) -> list[CdxCapture]:
    """A sweep of ``day`` whose pages were stamped seconds apart in no fixed order."""
    seconds = [41, 7, 53, 12, 30, 2, 58, 19]
    return [capture(o, f"{day}0930{seconds[i % len(seconds)]:02d}") for i, o in enumerate(offsets)]


def test_a_sweep_stamped_seconds_apart_in_no_order_is_one_listing_state() -> None:
    # nextRow--6 is stamped 41 s before nextRow--3, --15 28 s before --12 ...; the sweep of the
    # month before (6 January, in the window too) shows another state of the listing.
    captures = shuffled_sweep("20200206", range(0, 21, SIZE))
    captures += shuffled_sweep("20200106", range(0, 21, SIZE))
    walk, seen = walk_through(captures)
    assert set(seen) == JANUARY and len(seen) == len(JANUARY)
    assert [c.timestamp[:8] for c in walk.read] == ["20200206"] * 7  # one sweep, one state
    assert walk.missing == []


def test_a_page_captured_only_in_an_earlier_sweep_ends_nothing() -> None:
    # nextRow--9 was captured only on 8 January, when nextRow--6 showed 2 and 1 January and 31
    # December: read to join, that page and nextRow--9 of the 8th (December) do not end the
    # walk, which goes on in the sweep of 6 February; only 9 to 7 January are lost.
    captures = [
        c for c in shuffled_sweep("20200206", range(0, 21, SIZE)) if c.original != original(9)
    ]
    captures += shuffled_sweep("20200108", range(0, 10, SIZE))
    walk, seen = walk_through(captures)
    assert set(seen) == JANUARY - {"2020-01-09", "2020-01-08", "2020-01-07"}
    assert [(offset_in_url(c.original), c.timestamp[:8]) for c in walk.read] == [
        (0, "20200206"),
        (3, "20200206"),
        (6, "20200206"),
        (6, "20200108"),
        (9, "20200108"),
        (12, "20200206"),
        (15, "20200206"),
        (18, "20200206"),
    ]
    assert [m.url for m in walk.missing] == [original(6)]
    assert "share no item" in walk.missing[0].reason


def test_a_page_of_the_sweep_showing_newer_items_is_another_state_and_named() -> None:
    def newer_at_9(offset: int, timestamp: str) -> ListingPage:
        """nextRow--9 of the sweep shows the top of the listing (another state, or another
        arrangement of it)."""
        return page(0, timestamp) if offset == 9 else page(offset, timestamp)

    walk, seen = walk_through(shuffled_sweep("20200206", range(0, 21, SIZE)), newer_at_9)
    assert [m.url for m in walk.missing] == [original(9)]
    assert "shows items newer than the page above it" in walk.missing[0].reason
    assert set(seen) == JANUARY - {"2020-01-09", "2020-01-08", "2020-01-07"}
