"""Listing dates and month headings: the site's forms, real listings, and what must stay None."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ilo_crawler.langs import MONTH_NAMES, format_date, format_month_heading
from ilo_crawler.normalize.categories import strip_accents
from ilo_crawler.normalize.dates import (
    date_problem,
    dateparser_calls,
    parse_date_text,
    parse_month_heading,
)

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "real-listings-sample.json"
LANGS = [*MONTH_NAMES, "ja", "zh"]
ARCHIVE_DATES = st.dates(dt.date(1919, 1, 1), dt.date(2030, 12, 31))


def _sample_pages() -> list[dict]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def _sample_items() -> list[tuple[str, str | None, str | None]]:
    """Distinct (language, date_text, date_iso) of the real sample."""
    found = {
        (page["language"], item["date_text"], item["date_iso"])
        for page in _sample_pages()
        for month in page["months"]
        for item in month["items"]
    }
    return sorted(found, key=str)


def _item_dates(month: dict) -> list[str]:
    return [item["date_iso"] for item in month["items"] if item["date_iso"]]


def _sample_months() -> list[tuple[str, str | None, list[str]]]:
    """(language, heading, dates of the items under it) of every month group of the sample."""
    return [
        (page["language"], month["heading"], _item_dates(month))
        for page in _sample_pages()
        for month in page["months"]
    ]


@pytest.mark.parametrize(("lang", "text", "iso"), _sample_items())
def test_real_date_lines_parse_to_their_date(lang: str, text: str | None, iso: str | None) -> None:
    expected = dt.date.fromisoformat(iso) if iso else None
    assert parse_date_text(text, lang) == expected


@pytest.mark.parametrize(("lang", "heading", "dates"), _sample_months())
def test_real_headings_give_the_month_of_their_items(
    lang: str, heading: str | None, dates: list[str]
) -> None:
    parsed = parse_month_heading(heading, lang)
    if heading is None or re.fullmatch(r"\d{4}", heading):
        assert parsed is None
    else:
        assert parsed is not None
        assert {parsed} == {(int(iso[:4]), int(iso[5:7])) for iso in dates}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_of_every_language_round_trips(lang: str, month: int) -> None:
    day = dt.date(2020, month, 28)
    assert parse_date_text(format_date(day, lang), lang) == day
    assert parse_month_heading(format_month_heading(2020, month, lang), lang) == (2020, month)


@settings(max_examples=300, deadline=None)
@given(day=ARCHIVE_DATES, lang=st.sampled_from(LANGS), tail=st.sampled_from(["", ",", ", Geneva"]))
def test_written_dates_read_back_without_dateparser(day: dt.date, lang: str, tail: str) -> None:
    line = format_date(day, lang)
    calls = dateparser_calls()
    for variant in (line, line.upper(), line.lower(), strip_accents(line), f"  {line}{tail}  "):
        assert parse_date_text(variant, lang) == day
    assert dateparser_calls() == calls


@settings(max_examples=100, deadline=None)
@given(day=ARCHIVE_DATES, lang=st.sampled_from(LANGS))
def test_every_written_heading_reads_back(day: dt.date, lang: str) -> None:
    heading = format_month_heading(day.year, day.month, lang)
    for variant in (heading, heading.upper(), heading.lower(), strip_accents(heading)):
        assert parse_month_heading(variant, lang) == (day.year, day.month)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("1er mai 2021", "fr", dt.date(2021, 5, 1)),
        ("1º de mayo de 2021", "es", dt.date(2021, 5, 1)),
        ("4 MAI 2021", "fr", dt.date(2021, 5, 4)),
        ("10 aout 2012", "fr", dt.date(2012, 8, 10)),
        ("2021-11-15T10:00:00Z", "en", dt.date(2021, 11, 15)),
        ("2020年6月30日", "ja", dt.date(2020, 6, 30)),
        ("09 June 2016", "it", dt.date(2016, 6, 9)),  # English on an Italian page
        # not the site's forms: dateparser, in the page's language first
        ("Dec 15, 2017, Karachi, Pakistan", "en", dt.date(2017, 12, 15)),
        ("Monday, 9 June 2016", "en", dt.date(2016, 6, 9)),
        ("14 sept. 2011", "fr", dt.date(2011, 9, 14)),
        ("03/04/2021", "fr", dt.date(2021, 4, 3)),
        ("31 June 2016", "en", None),
    ],
)
def test_other_forms(text: str, lang: str, expected: dt.date | None) -> None:
    assert parse_date_text(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("yesterday", "en"),
        ("today", "en"),
        ("2 days ago", "en"),
        ("last week", "en"),
        ("tomorrow", "en"),
        ("hier", "fr"),
        ("aujourd'hui", "fr"),
        ("il y a 3 jours", "fr"),
        ("ayer", "es"),
        ("hoy", "es"),
        ("hace 2 días", "es"),
        ("June 2016", "en"),
        ("2016", "en"),
        ("15 November", "en"),
    ],
)
def test_relative_or_partial_dates_are_none(text: str, lang: str) -> None:
    assert parse_date_text(text, lang) is None


@pytest.mark.parametrize(
    "text", [None, "", "   ", "garbage", "\x00\ufffd", "99/99/9999", "0000-01-01", "x" * 100_000]
)
def test_garbage_is_none(text: str | None) -> None:
    assert parse_date_text(text, "en") is None
    assert parse_month_heading(text, "en") is None


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=60), lang=st.sampled_from([*LANGS, "ru", "xx", ""]))
def test_never_raises(text: str, lang: str) -> None:
    parsed = parse_date_text(text, lang)
    assert parsed is None or isinstance(parsed, dt.date)
    heading = parse_month_heading(text, lang)
    assert heading is None or 1 <= heading[1] <= 12


def test_dateparser_runs_once_per_distinct_line() -> None:
    line = "Sept. 14, 2011, cache test"
    before = dateparser_calls()
    assert parse_date_text(line, "en") == dt.date(2011, 9, 14)
    after_first = dateparser_calls()
    assert after_first > before
    assert parse_date_text(line, "en") == dt.date(2011, 9, 14)
    assert dateparser_calls() == after_first


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("November 2021", (2021, 11)),
        ("Novembre 2021", (2021, 11)),
        ("Septembre 2023", (2023, 9)),
        ("Febrero 2002", (2002, 2)),
        ("junho 2019", (2019, 6)),
        ("Juni 2020", (2020, 6)),
        ("6月 2020", (2020, 6)),
        ("2020年6月", (2020, 6)),
        ("2021", None),
        ("", None),
        ("   ", None),
        (None, None),
        ("13月 2020", None),
        ("Media contact", None),
    ],
)
def test_month_headings(heading: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_month_heading(heading, "en") == expected


CRAWL = dt.date(2024, 1, 10)


@pytest.mark.parametrize(
    ("published", "raw", "heading", "expected"),
    [
        (dt.date(2021, 11, 15), "15 November 2021", (2021, 11), None),
        (dt.date(2021, 11, 15), "15 November 2021", None, None),
        (None, "15 Nowember 2021", (2021, 11), "unparseable"),
        (None, None, (2021, 11), "missing"),
        (None, "  ", None, "missing"),
        (dt.date(2024, 1, 11), "11 January 2024", (2024, 1), "future"),
        (dt.date(1918, 12, 31), "31 December 1918", None, "before-1919"),
        (dt.date(1919, 1, 1), "01 January 1919", None, None),
        (dt.date(2021, 10, 31), "31 October 2021", (2021, 11), "outside-heading"),
        (dt.date(2020, 11, 1), "01 November 2020", (2021, 11), "outside-heading"),
        (CRAWL, "10 January 2024", (2024, 1), None),
    ],
)
def test_date_problem(
    published: dt.date | None,
    raw: str | None,
    heading: tuple[int, int] | None,
    expected: str | None,
) -> None:
    assert date_problem(published, raw, crawl_date=CRAWL, heading=heading) == expected
