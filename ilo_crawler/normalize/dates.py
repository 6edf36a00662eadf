"""Listing dates and month headings, read back into dates an archive can trust.

The fast path reads exactly the forms the site writes (``langs.format_date`` and
``langs.format_month_heading``), tolerating case and missing accents. Anything else goes to
dateparser, restricted to absolute dates so that a record never depends on the day it was crawled.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import dateparser
from dateparser.data.languages_info import language_order

from ilo_crawler.langs import MONTH_NAMES
from ilo_crawler.normalize.categories import strip_accents

#: The ILO was founded in 1919: an earlier listing date is a misreading or a data error.
ILO_FOUNDED = dt.date(1919, 1, 1)

# The date is at the start of its line; what follows (a place, a comma) is never needed to read it,
# and a bound keeps a garbage "date line" from costing more than a real one.
_HEAD_CHARS = 80

# Absolute dates only: "yesterday", "2 days ago", a bare month or year have no date of their own.
_DATEPARSER_SETTINGS = {
    "PARSERS": ["absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "STRICT_PARSING": True,
}
_DATEPARSER_LANGUAGES = frozenset(language_order)


def _fold(text: str) -> str:
    """Casefolded, accents dropped: ``Août`` and ``aout`` read the same."""
    return strip_accents(text).casefold()


# One table for every language: editors and some listings (ja, it press releases) use English
# on foreign-language pages, and no folded month name means two different months.
_MONTHS: dict[str, int] = {
    _fold(name): number
    for names in MONTH_NAMES.values()
    for number, name in enumerate(names, start=1)
}
_MONTH_ALT = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))

# 09 june 2016 · 4 mai 2021 · 1er mai 2021 · 14 de febrero de 2002 · 12. juni 2018 (text folded)
_DAY_MONTH_YEAR = re.compile(
    rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th|er|re|o|°)?\.?\s*(?:de\s+)?"
    rf"(?P<month>{_MONTH_ALT})\b\.?,?\s*(?:de\s+)?(?P<year>\d{{4}})(?!\d)"
)
# 2021-11-15 · 2020/06/30 · 2020年6月30日
_YEAR_MONTH_DAY = re.compile(
    r"(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})(?!\d)"
)
# november 2021 · junho 2019 · febrero de 2002
_NAMED_HEADING = re.compile(rf"(?P<month>{_MONTH_ALT})\.?,?\s*(?:de\s+)?(?P<year>\d{{4}})")
# 6月 2020 · 2020年6月
_CJK_HEADING = re.compile(
    r"(?P<month>\d{1,2})\s*月\s*(?P<year>\d{4})|(?P<year2>\d{4})\s*年\s*(?P<month2>\d{1,2})\s*月"
)

#: Every date form the site writes has a four-digit year.
_DIGITS = re.compile(r"\d{4}")
_YEAR_ONLY = re.compile(r"(?:19|20)\d{2}")

_dateparser_calls = 0


def dateparser_calls() -> int:
    """How many times this process has called dateparser (the slow path): for benchmarks, tests."""
    return _dateparser_calls


def parse_date_text(text: str | None, lang: str) -> dt.date | None:
    """The date at the start of a listing's date line (``15 December 2017, Karachi``), or None.

    Never raises: a line that cannot be read is a fact to record, not a crash.
    """
    if not text:
        return None
    head = text.strip()[:_HEAD_CHARS]
    return _fast_path(head) or _slow_path(head, lang)


#: Longest line taken for a date line when date lines are found by content: a date, a place.
DATE_LINE_MAX_CHARS = 64


def is_date_line(text: str, lang: str) -> bool:
    """Whether a line of a page is a date line (``15 December 2017, Karachi``): short, and read
    as a date at its start. The site's own forms decide; dateparser is asked only for languages
    whose forms are not known here, so finding dates by content costs no dateparser call."""
    if len(text) > DATE_LINE_MAX_CHARS or not _DIGITS.search(text):
        return False
    head = text.strip()
    if lang in MONTH_NAMES or lang in ("ja", "zh"):
        return _fast_path(head) is not None
    return parse_date_text(head, lang) is not None


def is_month_heading(text: str | None) -> bool:
    """Whether a line reads as a month heading (``November 2021``, ``6月 2020``) or a year-only
    one (``2021``), as real listings have both."""
    if not text:
        return False
    stripped = text.strip()
    return bool(_YEAR_ONLY.fullmatch(stripped)) or parse_month_heading(stripped, "") is not None


def _fast_path(head: str) -> dt.date | None:
    """The site's own forms, read with regexes built from ``langs.MONTH_NAMES``."""
    folded = _fold(head)
    if match := _DAY_MONTH_YEAR.match(folded):
        month = _MONTHS[match["month"]]
    elif match := _YEAR_MONTH_DAY.match(folded):
        month = int(match["month"])
    else:
        return None
    try:
        return dt.date(int(match["year"]), month, int(match["day"]))
    except ValueError:  # 31 June, month 13, year 0: the form matched, the date does not exist
        return None


@functools.lru_cache(maxsize=65536)
def _slow_path(head: str, lang: str) -> dt.date | None:
    """dateparser, once per distinct line: the page's language first (its numeric date order),
    then English; the whole line first, then what precedes each comma (``Dec 15, 2017, Karachi``).
    """
    global _dateparser_calls
    languages = [lang] if lang != "en" and lang in _DATEPARSER_LANGUAGES else []
    parts = head.split(",")
    candidates = [",".join(parts[:n]).strip() for n in range(len(parts), 0, -1)]
    for candidate in filter(None, candidates[:4]):
        for language in [*languages, "en"]:
            _dateparser_calls += 1
            parsed = dateparser.parse(
                candidate, languages=[language], settings=_DATEPARSER_SETTINGS
            )
            if parsed is not None:
                return parsed.date()
    return None


def parse_month_heading(text: str | None, lang: str) -> tuple[int, int] | None:
    """The (year, month) of a listing's month heading; None for a year-only, blank or odd one.

    ``lang`` is accepted for symmetry with ``parse_date_text``; headings are read with the month
    names of every language, since pages mix them.
    """
    if not text:
        return None
    folded = _fold(text.strip()[:_HEAD_CHARS])
    if match := _NAMED_HEADING.fullmatch(folded):
        return int(match["year"]), _MONTHS[match["month"]]
    if match := _CJK_HEADING.fullmatch(folded):
        year, month = int(match["year"] or match["year2"]), int(match["month"] or match["month2"])
        return (year, month) if 1 <= month <= 12 else None
    return None


def date_problem(
    published: dt.date | None,
    raw: str | None,
    *,
    crawl_date: dt.date,
    heading: tuple[int, int] | None,
) -> str | None:
    """Why a listing date cannot be trusted, as a short stable code; None when nothing is wrong.

    Codes: ``missing`` (no date text), ``unparseable`` (text but no date), ``future`` (after the
    crawl), ``before-1919`` (before the ILO existed), ``outside-heading`` (not in the month of the
    heading it is listed under).
    """
    if published is None:
        return "unparseable" if raw and raw.strip() else "missing"
    if published > crawl_date:
        return "future"
    if published < ILO_FOUNDED:
        return "before-1919"
    if heading is not None and heading != (published.year, published.month):
        return "outside-heading"
    return None
