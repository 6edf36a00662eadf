"""The replica's content: one article in one language a JSON line, checked before serving.

A dataset that breaks the format is refused whole, with the file and line of the first fault, so
that a test or benchmark never crawls a site that silently differs from the one it meant to build.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from ilo_crawler.langs import format_date
from ilo_crawler.mirror.content import generate_rows
from ilo_crawler.sites.wcms.urls import LISTING_PATHS

_ID_RE = re.compile(r"^WCMS_\d+$")
_LANG_RE = re.compile(r"^[a-z]{2}$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_REQUIRED = ("id", "lang", "listings", "date", "title")
_OPTIONAL_TEXT = ("date_text", "label", "summary", "credit", "type")
_KNOWN_FIELDS = frozenset((*_REQUIRED, *_OPTIONAL_TEXT, "body", "earlier"))
#: Fields an ``earlier`` state may give: what pages show of an item, which editors correct.
_EARLIER_FIELDS = ("title", "summary", "label", "credit", "date_text", "body")

#: An earlier state: the day it ended, and the fields that differed as (name, value) pairs
#: (pairs, not a dict, so that a record stays hashable).
EarlierState = tuple[dt.date, tuple[tuple[str, Any], ...]]

#: The article page's type line when the record names none: (press release, anything else).
DEFAULT_TYPES: dict[str, tuple[str, str]] = {
    "en": ("Press release", "News"),
    "fr": ("Communiqué de presse", "Actualités"),
    "es": ("Comunicado de prensa", "Noticias"),
}


class DatasetError(ValueError):
    """A dataset line that breaks the format; ``str()`` names the file and line."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = f"dataset {source}" + (f" line {line}" if line is not None else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Record:
    """One article in one language, with the defaults of the format already applied."""

    id: str
    lang: str
    listings: tuple[str, ...]
    date: dt.date
    #: The date line on listing pages; None when the listing shows no date line (events).
    date_text: str | None
    #: The ``<type>`` of the article page's ``<type> | <date>`` line.
    type: str
    title: str
    label: str | None = None
    summary: str | None = None
    credit: str | None = None
    body: tuple[str, ...] = ()
    #: What the item showed before corrections, oldest first: a web archive shows it so.
    earlier: tuple[EarlierState, ...] = ()

    @property
    def section(self) -> str:
        """The article section the page lives in (a key of ``urls.ARTICLE_SECTION_PATHS``)."""
        return "press-releases" if "press-releases" in self.listings else "news"

    @property
    def article_date(self) -> str:
        """The article page always shows a date, even when the listings show none."""
        return self.date_text or format_date(self.date, self.lang)

    def as_of(self, day: dt.date) -> Record:
        """The record as it stood on ``day``, for captures taken then: the first earlier state
        that had not yet ended that day (fields it leaves out as they are now), else as it is."""
        for until, fields in self.earlier:
            if day < until:
                return dataclasses.replace(self, earlier=(), **dict(fields))
        return self


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _iso_date(value: Any) -> dt.date | None:
    """The day an ISO date string names, None if it names none."""
    if not (isinstance(value, str) and _ISO_DATE_RE.match(value)):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _check_shown(name: str, value: Any, where: str, fail: Callable[[str], NoReturn]) -> None:
    """Check one field of what pages show (``where`` names it in the message)."""
    if name == "title":
        if not isinstance(value, str) or not value.strip():
            fail(f'"{where}" must be a non-empty string, got {_show(value)}')
    elif name == "body":
        if value is not None and not (
            isinstance(value, list) and all(isinstance(p, str) for p in value)
        ):
            fail(f'"{where}" must be a list of strings or null, got {_show(value)[:60]}')
    elif value is not None and not isinstance(value, str):
        fail(f'"{where}" must be a string or null, got {_show(value)}')


def _earlier_from_row(
    value: Any, day: dt.date, fail: Callable[[str], NoReturn]
) -> tuple[EarlierState, ...]:
    """Check ``earlier`` (null or a list of states, by increasing ``until``, all after ``day``)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        fail(f'"earlier" must be a list of earlier states or null, got {_show(value)[:60]}')
    states: list[EarlierState] = []
    after, after_name = day, '"date"'
    for index, entry in enumerate(value):
        where = f"earlier[{index}]"
        if not isinstance(entry, dict):
            fail(f'"{where}" must be a JSON object, got {_show(entry)[:60]}')
        for name in entry:
            if name != "until" and name not in _EARLIER_FIELDS:
                fail(
                    f'"{where}": unknown field "{name}" '
                    f"(known: until, {', '.join(_EARLIER_FIELDS)})"
                )
        if "until" not in entry:
            fail(f'"{where}": missing required field "until"')
        until = _iso_date(entry["until"])
        if until is None:
            fail(f'"{where}.until" must be an ISO date (YYYY-MM-DD), got {_show(entry["until"])}')
        if until <= after:
            fail(
                f'"{where}.until" must be after {after_name} {after.isoformat()}, got {_show(entry["until"])}'
            )
        fields = {name: entry[name] for name in _EARLIER_FIELDS if name in entry}
        if not fields:
            fail(f'"{where}" changes no field (give one of {", ".join(_EARLIER_FIELDS)})')
        for name, shown in fields.items():
            _check_shown(name, shown, f"{where}.{name}", fail)
        if "body" in fields:
            fields["body"] = tuple(fields["body"] or ())
        states.append((until, tuple(fields.items())))
        after, after_name = until, f'"{where}.until"'
    return tuple(states)


def _record_from_row(row: Any, fail: Callable[[str], NoReturn]) -> Record:
    """Check one decoded line and build its record; ``fail(message)`` raises the error."""
    if not isinstance(row, dict):
        fail(f"expected a JSON object, got {_show(row)[:60]}")
    for name in _REQUIRED:
        if name not in row:
            fail(f'missing required field "{name}"')
    for name in row:
        if name not in _KNOWN_FIELDS:
            fail(f'unknown field "{name}" (known: {", ".join(sorted(_KNOWN_FIELDS))})')
    doc_id, lang, listings, date, title = (row[name] for name in _REQUIRED)
    if not isinstance(doc_id, str) or not _ID_RE.match(doc_id):
        fail(f'"id" must be "WCMS_" followed by digits, got {_show(doc_id)}')
    if not isinstance(lang, str) or not _LANG_RE.match(lang):
        fail(f'"lang" must be two lowercase letters, got {_show(lang)}')
    if not isinstance(listings, list) or not listings:
        fail(f'"listings" must be a non-empty list of listing names, got {_show(listings)}')
    for listing in listings:
        if listing not in LISTING_PATHS:
            fail(
                f'"listings" names an unknown listing {_show(listing)} '
                f"(known: {', '.join(LISTING_PATHS)})"
            )
    day = _iso_date(date)
    if day is None:
        fail(f'"date" must be an ISO date (YYYY-MM-DD), got {_show(date)}')
    for name in ("title", *_OPTIONAL_TEXT, "body"):
        _check_shown(name, row.get(name), name, fail)
    body = row.get("body")
    earlier = _earlier_from_row(row.get("earlier"), day, fail)

    date_text = row["date_text"] if "date_text" in row else format_date(day, lang)
    type_ = row.get("type")
    if type_ is None:
        press, other = DEFAULT_TYPES.get(lang, DEFAULT_TYPES["en"])
        type_ = press if "press-releases" in listings else other
    return Record(
        id=doc_id,
        lang=lang,
        listings=tuple(dict.fromkeys(listings)),
        date=day,
        date_text=date_text,
        type=type_,
        title=title,
        label=row.get("label"),
        summary=row.get("summary"),
        credit=row.get("credit"),
        body=tuple(body or ()),
        earlier=earlier,
    )


def records_from_rows(rows: Iterable[tuple[int, Any]], source: str) -> list[Record]:
    """Check ``(line number, decoded JSON)`` pairs and build records; the first fault raises."""
    records: list[Record] = []
    first_line: dict[tuple[str, str], int] = {}
    for line_no, row in rows:

        def fail(message: str, line_no: int = line_no) -> NoReturn:
            raise DatasetError(source, line_no, message)

        record = _record_from_row(row, fail)
        key = (record.id, record.lang)
        if key in first_line:
            fail(
                f'duplicate article {record.id} in "{record.lang}" '
                f"(first on line {first_line[key]})"
            )
        first_line[key] = line_no
        records.append(record)
    if not records:
        raise DatasetError(source, None, "no articles")
    return records


def parse_dataset(text: str, source: str = "<text>") -> list[Record]:
    """Records of a JSON Lines text; blank lines are allowed."""

    def rows() -> Iterable[tuple[int, Any]]:
        for line_no, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield line_no, json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(
                    source, line_no, f"not valid JSON ({exc.msg} at column {exc.colno})"
                ) from None

    return records_from_rows(rows(), source)


def load_dataset(path: str | Path) -> list[Record]:
    """Records of a JSON Lines file, or DatasetError naming the file and line of the first fault."""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as exc:
        raise DatasetError(str(path), None, f"cannot read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        line_no = Path(path).read_bytes()[: exc.start].count(b"\n") + 1
        raise DatasetError(str(path), line_no, "not valid UTF-8") from None
    return parse_dataset(text, str(path))


@functools.cache
def _default_records() -> tuple[Record, ...]:
    return tuple(records_from_rows(enumerate(generate_rows(), start=1), "<default>"))


def default_dataset() -> list[Record]:
    """The replica's built-in content: the seed page's items plus 15 years of generated ones."""
    return list(_default_records())
