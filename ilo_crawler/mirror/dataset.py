"""The replica's content: one article in one language a JSON line, checked before serving.

A line is a WCMS article (``"id": "WCMS_<n>"``, a ``Record``) or a node of the current site
(``"id": "node:<nid>"``, a ``Node``); one file holds both, as one host served both. A dataset that
breaks the format is refused whole, with the file and line of the first fault, so that a test or
benchmark never crawls a site that silently differs from the one it meant to build.
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
from urllib.parse import unquote

from ilo_crawler.langs import format_date
from ilo_crawler.mirror import drupal
from ilo_crawler.mirror.content import generate_rows
from ilo_crawler.mirror.current_content import current_rows
from ilo_crawler.sites import DEFAULT_BASE_URL
from ilo_crawler.sites.current import urls as current_urls
from ilo_crawler.sites.wcms.urls import LISTING_PATHS

_ID_RE = re.compile(r"^WCMS_\d+$")
_NODE_ID_RE = re.compile(r"^node:[1-9]\d*$")
#: A path alias as the site writes it: lower-case ASCII, digits, ``-``, percent-encoded UTF-8.
_SLUG_RE = re.compile(r"^(?:[a-z0-9_.~-]|%[0-9A-F]{2})+(?:/(?:[a-z0-9_.~-]|%[0-9A-F]{2})+)*$")
_LANG_RE = re.compile(r"^[a-z]{2}$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_REQUIRED = ("id", "lang", "listings", "date", "title")
_OPTIONAL_TEXT = ("date_text", "label", "summary", "credit", "type")
_KNOWN_FIELDS = frozenset((*_REQUIRED, *_OPTIONAL_TEXT, "body", "earlier"))
#: Fields an ``earlier`` state may give: what pages show of an item, which editors correct.
_EARLIER_FIELDS = ("title", "summary", "label", "credit", "date_text", "body")
_NODE_REQUIRED = ("id", "lang", "date", "title")
_NODE_TEXT = ("label", "summary", "place", "credit")
_NODE_FIELDS = frozenset(
    (*_NODE_REQUIRED, *_NODE_TEXT, "listings", "section", "slug", "image", "body", "tags",
     "migrated_from")
)  # fmt: skip

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


@dataclass(frozen=True, slots=True)
class Node:
    """One node of the current site in one language, as the site serves it (defaults applied):
    its card on the listings, its article page at ``path``. Translations share ``node_id``."""

    node_id: int
    lang: str
    date: dt.date
    #: The raw node title, as published: the card link's ``title`` attribute shows it verbatim
    #: (a trailing space included).
    title: str
    #: The path prefix's section: ``news`` (news and press releases), ``article``, ...
    section: str
    #: The path alias after ``/resource/<section>/``, percent-encoded as in the URLs.
    slug: str
    listings: tuple[str, ...] = (current_urls.DEFAULT_LISTING,)
    #: The type label over the title (card eyebrow, hero eyebrow): "News", "Press release", ...
    label: str | None = None
    #: The intro of the card, the hero's lead and the page's meta description.
    summary: str | None = None
    #: Where, for cards that show ``date | place`` (``p.ilo--card--date-extra``).
    place: str | None = None
    #: The image credit (hero tooltip), for a node with an image.
    credit: str | None = None
    image: bool = False
    body: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    #: The WCMS document this node was migrated from (``WCMS_<n>``), None for new content.
    migrated_from: str | None = None

    @property
    def id(self) -> str:
        """The archive's document id of the node (``node:<nid>``, ``urls.node_doc_id``)."""
        return current_urls.node_doc_id(str(self.node_id))

    @property
    def path(self) -> str:
        return current_urls.article_path(self.section, self.slug, self.lang)

    def url(self, base_url: str = DEFAULT_BASE_URL) -> str:
        return base_url.rstrip("/") + self.path

    @property
    def date_text(self) -> str:
        """The date as the card's ``<time>`` and the hero's datecopy write it."""
        return drupal.date_text(self.date, self.lang)

    @property
    def date_line(self) -> str:
        """The card's whole date text: ``20 September 2025 | Kuala Lumpur, Malaysia`` with a
        place (``p.ilo--card--date-extra``), else the date alone."""
        return f"{self.date_text} | {self.place}" if self.place else self.date_text

    @property
    def timestamp(self) -> int:
        """The card's ``time[datetime]``: Unix time of midnight in Geneva on ``date``."""
        return drupal.timestamp(self.date)


@dataclass(frozen=True)
class Dataset:
    """A dataset's two sites: the WCMS articles and the current site's nodes, in file order."""

    records: tuple[Record, ...]
    nodes: tuple[Node, ...] = ()


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


def _strings(name: str, value: Any, fail: Callable[[str], NoReturn]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
        fail(f'"{name}" must be a list of strings or null, got {_show(value)[:60]}')
    return tuple(value)


def _node_fields(row: dict[str, Any], fail: Callable[[str], NoReturn]) -> dict[str, Any]:
    """Check a current-site line; its fields as ``Node`` takes them, ``slug`` None when the
    line leaves it to pathauto (it depends on the lines before)."""
    for name in _NODE_REQUIRED:
        if name not in row:
            fail(f'missing required field "{name}"')
    for name in row:
        if name not in _NODE_FIELDS:
            fail(f'unknown field "{name}" for a node (known: {", ".join(sorted(_NODE_FIELDS))})')
    if not _NODE_ID_RE.match(row["id"]):
        fail(f'"id" of a node must be "node:" followed by its node id, got {_show(row["id"])}')
    nid = int(row["id"].removeprefix("node:"))
    if nid in drupal.OWN_PAGES:
        fail(f"node id {nid} is the site's own page's ({drupal.OWN_PAGES[nid]}): choose another")
    lang = row["lang"]
    if lang not in current_urls.SITE_LANGUAGES:
        fail(
            f'"lang" must be one of the site\'s languages '
            f"({', '.join(current_urls.SITE_LANGUAGES)}), got {_show(lang)}"
        )
    day = _iso_date(row["date"])
    if day is None:
        fail(f'"date" must be an ISO date (YYYY-MM-DD), got {_show(row["date"])}')
    _check_shown("title", row["title"], "title", fail)
    for name in _NODE_TEXT:
        _check_shown(name, row.get(name), name, fail)
    listings = row.get("listings", [current_urls.DEFAULT_LISTING])
    if not isinstance(listings, list) or any(
        listing not in current_urls.LISTING_PATHS for listing in listings
    ):
        fail(
            f'"listings" of a node must be a list of the current site\'s listings '
            f"({', '.join(current_urls.LISTING_PATHS)}), got {_show(listings)}"
        )
    section = row.get("section", "news")
    if section not in current_urls.ARTICLE_SECTIONS:
        fail(
            f'"section" must be one of {", ".join(current_urls.ARTICLE_SECTIONS)}, '
            f"got {_show(section)}"
        )
    slug = row.get("slug")
    if slug is not None and not (isinstance(slug, str) and _SLUG_RE.match(slug)):
        fail(
            '"slug" must be a path alias (lower-case letters, digits, "-", percent-encoded '
            f"UTF-8 such as %E2%80%99, segments joined by /), got {_show(slug)}"
        )
    image = row.get("image", row.get("credit") is not None)
    if not isinstance(image, bool):
        fail(f'"image" must be true or false, got {_show(image)}')
    migrated = row.get("migrated_from")
    if migrated is not None and not (isinstance(migrated, str) and _ID_RE.match(migrated)):
        fail(
            f'"migrated_from" must be a WCMS document id ("WCMS_<n>") or null, got {_show(migrated)}'
        )
    return {
        "node_id": nid,
        "lang": lang,
        "date": day,
        "title": row["title"],
        "section": section,
        "slug": slug,
        "listings": tuple(dict.fromkeys(listings)),
        **{name: row.get(name) for name in _NODE_TEXT},
        "image": image,
        "body": _strings("body", row.get("body"), fail),
        "tags": _strings("tags", row.get("tags"), fail),
        "migrated_from": migrated,
    }


class _NodeChecks:
    """What makes a node line wrong given the lines before it: a node or path served twice, a
    translation in another section, two nodes migrated from one WCMS article in one language."""

    def __init__(self) -> None:
        self.first_line: dict[tuple[int, str], int] = {}
        self.sections: dict[int, tuple[str, int]] = {}
        self.paths: dict[tuple[str, str, str], str] = {}
        self.migrated: dict[tuple[str, str], str] = {}

    def node(self, fields: dict[str, Any], line_no: int, fail: Callable[[str], NoReturn]) -> Node:
        nid, lang, section = fields["node_id"], fields["lang"], fields["section"]
        name = f"node:{nid}"
        if (nid, lang) in self.first_line:
            fail(f'duplicate node {name} in "{lang}" (first on line {self.first_line[nid, lang]})')
        known_section, known_line = self.sections.setdefault(nid, (section, line_no))
        if known_section != section:
            fail(
                f'{name} is in section "{section}" but in "{known_section}" on line {known_line}: '
                "translations of a node share its section"
            )
        if fields["slug"] is None:
            fields["slug"] = drupal.unique_slug(
                fields["title"],
                lambda slug: (lang, section, unquote(slug)) in self.paths,
                fold=lang != "en",
            )
        path_key = (lang, section, unquote(fields["slug"]))
        if path_key in self.paths:
            path = current_urls.article_path(section, fields["slug"], lang)
            fail(f"path {path} is {self.paths[path_key]}'s already (give another slug)")
        migrated = fields["migrated_from"]
        if migrated is not None:
            other = self.migrated.setdefault((migrated, lang), name)
            if other != name:
                fail(f'{other} is already the migrated copy of {migrated} in "{lang}"')
        self.first_line[nid, lang] = line_no
        self.paths[path_key] = name
        return Node(**fields)


def dataset_from_rows(rows: Iterable[tuple[int, Any]], source: str) -> Dataset:
    """Check ``(line number, decoded JSON)`` pairs and build both sites' content; the first
    fault raises."""
    records: list[Record] = []
    nodes: list[Node] = []
    first_line: dict[tuple[str, str], int] = {}
    node_checks = _NodeChecks()
    for line_no, row in rows:

        def fail(message: str, line_no: int = line_no) -> NoReturn:
            raise DatasetError(source, line_no, message)

        if isinstance(row, dict) and str(row.get("id", "")).startswith("node:"):
            nodes.append(node_checks.node(_node_fields(row, fail), line_no, fail))
            continue
        record = _record_from_row(row, fail)
        key = (record.id, record.lang)
        if key in first_line:
            fail(
                f'duplicate article {record.id} in "{record.lang}" '
                f"(first on line {first_line[key]})"
            )
        first_line[key] = line_no
        records.append(record)
    if not records and not nodes:
        raise DatasetError(source, None, "no articles")
    return Dataset(tuple(records), tuple(nodes))


def records_from_rows(rows: Iterable[tuple[int, Any]], source: str) -> list[Record]:
    """The WCMS articles of checked lines (current-site lines are checked, then left out)."""
    return list(dataset_from_rows(rows, source).records)


def parse_site_dataset(text: str, source: str = "<text>") -> Dataset:
    """Both sites' content of a JSON Lines text; blank lines are allowed."""

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

    return dataset_from_rows(rows(), source)


def parse_dataset(text: str, source: str = "<text>") -> list[Record]:
    """The WCMS articles of a JSON Lines text (``parse_site_dataset`` gives the nodes too)."""
    return list(parse_site_dataset(text, source).records)


def load_site_dataset(path: str | Path) -> Dataset:
    """Both sites' content of a JSON Lines file, or DatasetError naming the file and line of the
    first fault."""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as exc:
        raise DatasetError(str(path), None, f"cannot read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        line_no = Path(path).read_bytes()[: exc.start].count(b"\n") + 1
        raise DatasetError(str(path), line_no, "not valid UTF-8") from None
    return parse_site_dataset(text, str(path))


def load_dataset(path: str | Path) -> list[Record]:
    """The WCMS articles of a JSON Lines file (``load_site_dataset`` gives the nodes too)."""
    return list(load_site_dataset(path).records)


def default_rows() -> list[dict[str, Any]]:
    """The built-in dataset as decoded JSON lines (a fresh list on every call): the WCMS part
    (the seed page's items and 15 years of generated ones), then the current site's nodes (new
    content from May 2024, the migrated copies of part of 2017 to 2022)."""
    wcms = generate_rows()
    return [*wcms, *current_rows(wcms)]


def dataset_jsonl() -> str:
    """The built-in dataset as JSON Lines text, byte-for-byte the same on every run."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in default_rows())


@functools.cache
def default_site_dataset() -> Dataset:
    """The replica's built-in content, both sites (built once per process)."""
    return dataset_from_rows(enumerate(default_rows(), start=1), "<default>")


def default_dataset() -> list[Record]:
    """The built-in WCMS articles: the seed page's items plus 15 years of generated ones."""
    return list(default_site_dataset().records)


def default_nodes() -> list[Node]:
    """The built-in current-site nodes, every language, in dataset order."""
    return list(default_site_dataset().nodes)
