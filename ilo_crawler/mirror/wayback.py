"""A replica of the Wayback Machine holding captures of the replica site: the CDX API and replay.

The WCMS newsroom left the live web in April 2024; what is left of it is what web.archive.org
captured, when it captured it. A crawler that reads it there meets what this module imitates: a
listing page captured at time T shows the listing as it stood at T (so one ``nextRow--N`` URL shows
different items in captures at different times), some pages were captured several times, some
never, and the archive asks for politeness. ``Wayback.respond`` is the whole archive as a function
of the request path, like ``Site.respond``; ``python -m ilo_crawler.mirror --wayback`` serves it.

Which pages were captured when is a ``Schedule`` (``--captures FILE``, JSON, checked at start);
the default one sweeps every listing a few days after each month and captures every article a
couple of days after its date, so any month can be rebuilt from the archive.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import calendar
import collections
import dataclasses
import datetime as dt
import email.utils
import functools
import hashlib
import json
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ilo_crawler.mirror.dataset import Record
from ilo_crawler.mirror.faults import Answer, FaultOptionError, FaultOptions, FaultySite
from ilo_crawler.mirror.layouts import layout_for
from ilo_crawler.mirror.site import HTML_TYPE, Response, Site
from ilo_crawler.sites.wcms.urls import (
    ArticleKey,
    ListingLocation,
    article_path,
    listing_path,
    parse_article_path,
)
from ilo_crawler.webarchive import TIMESTAMP_FORMAT

#: Scheme and host of the original URLs, as the archive recorded them.
ORIGINAL_BASE = "http://www.ilo.org"
#: The CDX API's fields, in the order it returns them.
CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
#: Statuses a capture can have: the page, or the error the archive recorded instead of it.
CAPTURE_STATUSES = (200, 404, 500, 503)
#: Statuses of an archived redirect (a capture of a page that answered a redirect).
REDIRECT_STATUSES = (301, 302)
#: Default schedule: each listing swept this many days after the end of each month, from this
#: time, its pages stamped seconds apart in no fixed order within this many seconds (as a real
#: crawler fetches a listing's pages: ``nextRow--30`` may be stamped before ``nextRow--20``).
SWEEP_DELAY_DAYS = 5
SWEEP_TIME = dt.time(9, 30)
SWEEP_SPREAD_SECONDS = 180
#: Default schedule: each article captured this many days after its date.
ARTICLE_DELAY_DAYS = 2
ROBOTS_TXT = b"User-agent: *\nDisallow:\n"
#: What web.archive.org answers (403) for a URL its owner's robots.txt excluded from replay.
ROBOTS_BLOCKED = b"RobotAccessControlException: Blocked By Robots\n"

_WEB_RE = re.compile(r"^/web/(?P<timestamp>\d{1,14})(?P<modifier>[a-z]{2}_)?/(?P<url>.+)$", re.S)
_ARTICLE_NAME_RE = re.compile(r"^(?P<doc_id>WCMS_\d+)/(?P<lang>[a-z]{2})$")
_LINK_ATTR_RE = re.compile(r'\b(href|src)="([^"]*)"')
_CDX_PARAMETERS = (
    "url",
    "matchType",
    "from",
    "to",
    "output",
    "fl",
    "filter",
    "collapse",
    "limit",
    "showResumeKey",
    "resumeKey",
)
_REPEATABLE = frozenset({"filter", "collapse"})


# Capture schedule ------------------------------------------------------------------------------


class ScheduleError(ValueError):
    """A capture schedule the archive cannot hold; ``str()`` is the one-line message."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"captures {source}: {message}")


@dataclass(frozen=True)
class ListingCaptures:
    """Pages of one listing captured at one time (one entry of the schedule's ``listing``)."""

    listing: str
    lang: str
    at: str
    offsets: tuple[int, ...] = (0,)
    status: int = 200
    #: The pages are stamped within this many seconds from ``at``, in no fixed order (0: all at
    #: ``at``).
    spread: int = 0

    def timestamp(self, offset: int) -> str:
        """When page ``offset`` was captured."""
        return _spread(self.at, self.spread, f"{self.listing}/{self.lang}/{offset}")


@dataclass(frozen=True)
class ArticleCapture:
    """One extra capture of an article page (an entry of ``articles.extra``)."""

    doc_id: str
    lang: str
    at: str
    status: int = 200
    #: The CDX lists the capture at this other moment (its index and replay out of step): a
    #: replay of it answers 302 to the nearest capture.
    listed_at: str | None = None
    #: The page answered a redirect to this path (status 301 or 302): an archived redirect,
    #: whose target is captured a few seconds later (an article page, or a PDF).
    redirect: str | None = None
    #: The page was the WCMS's stub of a PDF document at this path (a link to it).
    pdf_stub: str | None = None
    #: Scheme, host (and port) the page was captured under (``https://ilo.org``,
    #: ``http://www.ilo.ch``, ``http://www.ilo.org:80``); None: ``ORIGINAL_BASE``.
    host: str | None = None


@dataclass(frozen=True)
class Schedule:
    """Which pages the archive captured when; the defaults make every month rebuildable.

    ``listing`` None sweeps every listing ``SWEEP_DELAY_DAYS`` after the end of each month (all the
    pages that month's items are on then); ``article_delay_days`` None captures no article unless
    ``extra`` names it. A later capture of the same URL at the same second replaces an earlier one.
    """

    listing: tuple[ListingCaptures, ...] | None = None
    article_delay_days: int | None = ARTICLE_DELAY_DAYS
    missing: frozenset[tuple[str, str]] = frozenset()
    extra: tuple[ArticleCapture, ...] = ()
    source: str = "<default>"


def load_schedule(path: str | Path) -> Schedule:
    """The schedule in a JSON file, or ScheduleError naming the value at fault."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not valid UTF-8"
        raise ScheduleError(str(path), f"cannot read ({reason})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScheduleError(
            str(path), f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    return parse_schedule(data, str(path))


def parse_schedule(data: Any, source: str = "<schedule>") -> Schedule:
    """Check a decoded schedule; keys left out keep the default schedule's part."""

    def fail(message: str) -> ScheduleError:
        return ScheduleError(source, message)

    _check_object(data, "the schedule", ("listing", "articles"), fail)
    listing = None
    if "listing" in data:
        entries = data["listing"]
        if not isinstance(entries, list):
            raise fail(f'"listing" must be a list of captures, got {_show(entries)}')
        listing = tuple(
            _listing_entry(entry, f"listing[{i}]", fail) for i, entry in enumerate(entries)
        )
    articles = data.get("articles", {})
    _check_object(articles, '"articles"', ("delay_days", "missing", "extra"), fail)
    delay = articles.get("delay_days", ARTICLE_DELAY_DAYS)
    if delay is not None and (not _is_whole(delay) or delay < 0):
        raise fail(
            f"articles.delay_days must be a whole number of days from 0 or null, got {_show(delay)}"
        )
    missing = articles.get("missing", [])
    if not isinstance(missing, list):
        raise fail(f'articles.missing must be a list of "WCMS_n/lang", got {_show(missing)}')
    extra = articles.get("extra", [])
    if not isinstance(extra, list):
        raise fail(f"articles.extra must be a list of captures, got {_show(extra)}")
    return Schedule(
        listing=listing,
        article_delay_days=delay,
        missing=frozenset(
            _article_name(name, f"articles.missing[{i}]", fail) for i, name in enumerate(missing)
        ),
        extra=tuple(
            _extra_entry(entry, f"articles.extra[{i}]", fail) for i, entry in enumerate(extra)
        ),
        source=source,
    )


def _listing_entry(entry: Any, where: str, fail: Callable[[str], ScheduleError]) -> ListingCaptures:
    _check_object(entry, where, ("listing", "lang", "at", "offsets", "status", "spread"), fail)
    for name in ("listing", "lang", "at"):
        if name not in entry:
            raise fail(f'{where}: missing "{name}"')
    listing, lang = entry["listing"], entry["lang"]
    if not isinstance(listing, str) or not isinstance(lang, str):
        raise fail(
            f'{where}: "listing" and "lang" must be strings, got {_show(listing)}, {_show(lang)}'
        )
    offsets = entry.get("offsets", [0])
    if (
        not isinstance(offsets, list)
        or not offsets
        or not all(_is_whole(offset) and offset >= 0 for offset in offsets)
    ):
        raise fail(
            f"{where}.offsets must be a non-empty list of item offsets from 0 (nextRow--N), "
            f"got {_show(offsets)}"
        )
    spread = entry.get("spread", 0)
    if not _is_whole(spread) or not 0 <= spread <= 86400:
        raise fail(
            f"{where}.spread must be a whole number of seconds from 0 to 86400, got {_show(spread)}"
        )
    return ListingCaptures(
        listing,
        lang,
        _timestamp(entry["at"], f"{where}.at", fail),
        tuple(offsets),
        _capture_status(entry.get("status", 200), f"{where}.status", fail),
        spread,
    )


_EXTRA_KEYS = ("article", "at", "status", "listed_at", "redirect", "pdf_stub", "host")
_HOST_RE = re.compile(r"^https?://[a-z0-9.-]+(:\d+)?$")


def _extra_entry(entry: Any, where: str, fail: Callable[[str], ScheduleError]) -> ArticleCapture:
    _check_object(entry, where, _EXTRA_KEYS, fail)
    for name in ("article", "at"):
        if name not in entry:
            raise fail(f'{where}: missing "{name}"')
    doc_id, lang = _article_name(entry["article"], f"{where}.article", fail)
    redirect = _site_path(entry.get("redirect"), f"{where}.redirect", fail)
    pdf_stub = _site_path(entry.get("pdf_stub"), f"{where}.pdf_stub", fail)
    if redirect and pdf_stub:
        raise fail(f'{where}: "redirect" and "pdf_stub" exclude each other')
    if pdf_stub and not pdf_stub.lower().endswith(".pdf"):
        raise fail(
            f"{where}.pdf_stub must be the path of a PDF (ending .pdf), got {_show(pdf_stub)}"
        )
    status = entry.get("status", 301 if redirect else 200)
    if redirect:
        if status not in REDIRECT_STATUSES:
            raise fail(f"{where}.status of a redirect must be 301 or 302, got {_show(status)}")
    else:
        status = _capture_status(status, f"{where}.status", fail)
    host = entry.get("host")
    if host is not None and not (isinstance(host, str) and _HOST_RE.match(host)):
        raise fail(
            f"{where}.host must be a scheme and host such as https://ilo.org or "
            f"http://www.ilo.org:80, got {_show(host)}"
        )
    listed_at = entry.get("listed_at")
    return ArticleCapture(
        doc_id,
        lang,
        _timestamp(entry["at"], f"{where}.at", fail),
        status,
        _timestamp(listed_at, f"{where}.listed_at", fail) if listed_at is not None else None,
        redirect,
        pdf_stub,
        host,
    )


def _site_path(value: Any, where: str, fail: Callable[[str], ScheduleError]) -> str | None:
    if value is None:
        return None
    if not (isinstance(value, str) and value.startswith("/") and " " not in value):
        raise fail(f"{where} must be a path on the site (starting with /), got {_show(value)}")
    return value


def _check_object(
    value: Any, where: str, known: tuple[str, ...], fail: Callable[[str], ScheduleError]
) -> None:
    if not isinstance(value, dict):
        raise fail(f"{where} must be a JSON object, got {_show(value)}")
    for name in value:
        if name not in known:
            raise fail(f'{where}: unknown key "{name}" (known: {", ".join(known)})')


def _article_name(value: Any, where: str, fail: Callable[[str], ScheduleError]) -> tuple[str, str]:
    match = _ARTICLE_NAME_RE.match(value) if isinstance(value, str) else None
    if match is None:
        raise fail(f'{where} must name an article as "WCMS_<digits>/<lang>", got {_show(value)}')
    return match["doc_id"], match["lang"]


def _timestamp(value: Any, where: str, fail: Callable[[str], ScheduleError]) -> str:
    if not (isinstance(value, str) and len(value) == 14 and _moment(value)):
        raise fail(f"{where} must be a timestamp YYYYMMDDhhmmss (14 digits), got {_show(value)}")
    return value


def _capture_status(value: Any, where: str, fail: Callable[[str], ScheduleError]) -> int:
    if value not in CAPTURE_STATUSES or isinstance(value, bool):
        accepted = ", ".join(map(str, CAPTURE_STATUSES))
        raise fail(f"{where} must be one of {accepted}, got {_show(value)}")
    return value


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)[:60]


# Timestamps and URL keys -----------------------------------------------------------------------


def _moment(timestamp: str) -> dt.datetime | None:
    """The time a 14-digit timestamp names, None if it names none."""
    if not timestamp.isdigit():
        return None
    try:
        return dt.datetime.strptime(timestamp, TIMESTAMP_FORMAT)
    except ValueError:
        return None


def pad_timestamp(timestamp: str, latest: bool) -> str | None:
    """A 1-14 digit timestamp made whole, as the archive reads one: the earliest moment it covers
    (``from``) or the latest (``to``, replay requests), out-of-range parts clamped (``2021`` ->
    ``20211231235959``); None if it is not digits."""
    if not (timestamp.isdigit() and 1 <= len(timestamp) <= 14):
        return None
    digits = timestamp + ("9" if latest else "0") * (14 - len(timestamp))
    year = max(int(digits[:4]), 1)
    month = min(max(int(digits[4:6]), 1), 12)
    day = min(max(int(digits[6:8]), 1), calendar.monthrange(year, month)[1])
    hour, minute, second = (int(digits[i : i + 2]) for i in (8, 10, 12))
    return f"{year:04d}{month:02d}{day:02d}{min(hour, 23):02d}{min(minute, 59):02d}{min(second, 59):02d}"


def surt(url: str) -> str:
    """The archive's key of a URL (SURT): no scheme, no ``www.``, host reversed, lowercased, so
    ``http://www.ilo.org/Global/x`` and ``https://ilo.org/global/x`` are the same page."""
    parts = urlsplit(_absolute(url))
    host = (parts.hostname or "").removeprefix("www.")
    key = ",".join(reversed(host.split("."))) + ")" + (parts.path or "/")
    if parts.query:
        key += "?" + "&".join(sorted(parts.query.split("&")))
    return key.lower()


def _absolute(url: str) -> str:
    """An original URL as clients send it (``http:/host`` with a slash lost, or no scheme)."""
    match = re.match(r"^(https?):/+", url, re.I)
    if match:
        return f"{match[1].lower()}://{url[match.end() :]}"
    return "http://" + url


def _spread(timestamp: str, seconds: int, key: str) -> str:
    """``timestamp`` moved on by a share of ``seconds`` fixed by ``key`` (and the timestamp):
    the moments of a sweep's pages, seconds apart in no fixed order."""
    if not seconds:
        return timestamp
    shift = zlib.crc32(f"{key}@{timestamp}".encode()) % seconds
    moment = dt.datetime.strptime(timestamp, TIMESTAMP_FORMAT) + dt.timedelta(seconds=shift)
    return moment.strftime(TIMESTAMP_FORMAT)


def _quirk(capture: Capture, kind: str) -> bool:
    """Whether ``capture``'s index rows show the quirk ``kind`` (1 in ``QUIRK_EVERY[kind]``)."""
    key = f"{kind}|{capture.urlkey}|{capture.timestamp}".encode()
    return zlib.crc32(key) % QUIRK_EVERY[kind] == 0


def _http_date(timestamp: str) -> str:
    moment = dt.datetime.strptime(timestamp, TIMESTAMP_FORMAT).replace(tzinfo=dt.UTC)
    return email.utils.format_datetime(moment, usegmt=True)


# The archive -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Moved:
    """An archived redirect: the page answered with a redirect to ``location`` (an original
    URL) when it was captured."""

    page: ArticleKey
    location: str


@dataclass(frozen=True, slots=True)
class PdfStub:
    """The WCMS's stub page of a document that is a PDF: a link (and a refresh) to ``pdf``."""

    page: ArticleKey
    pdf: str


@dataclass(frozen=True, slots=True)
class Pdf:
    """A PDF document of the site (its original URL)."""

    url: str


#: What a capture holds: a listing page, an article page, or one of the WCMS's other answers.
Page = ListingLocation | ArticleKey | Moved | PdfStub | Pdf


@dataclass(frozen=True, slots=True)
class Capture:
    """One capture: the page (a listing page or an article) at a moment, with its status."""

    urlkey: str
    timestamp: str
    original: str
    status: int
    page: Page
    #: The moment the CDX lists it at, when not ``timestamp`` (a replay of it redirects).
    listed: str | None = None

    @property
    def day(self) -> dt.date:
        """The day whose state of the site the capture shows."""
        return dt.date(int(self.timestamp[:4]), int(self.timestamp[4:6]), int(self.timestamp[6:8]))

    @property
    def mimetype(self) -> str:
        return "application/pdf" if isinstance(self.page, Pdf) else "text/html"


@dataclass(frozen=True, slots=True)
class CdxRow:
    """A row of a CDX answer: a capture as the index lists it (a revisit, a garbled timestamp,
    a row repeated: the real archive's index is not the replay)."""

    capture: Capture
    timestamp: str
    original: str
    mimetype: str
    statuscode: str
    length: str | None = None  #: None: the capture's body's

    @property
    def urlkey(self) -> str:
        return self.capture.urlkey


#: With ``quirks`` (``--strict``), the share of captures (1 in N, fixed by URL and time) whose
#: index rows show each quirk of web.archive.org's CDX answers: the original under another form
#: of the host (``:80``, ``https``, without ``www.``: one URL key), the row repeated back to back,
#: a revisit row a day later (``warc/revisit``, status ``-``), and (listing pages) a copy of the
#: row with day ``00``.
QUIRK_EVERY = {"variant": 5, "repeated": 7, "revisit": 9, "day00": 4}
#: The forms of the host a capture's original URL takes (one URL key: ``surt`` drops the scheme,
#: ``www.`` and the port), as the real archive's rows show them.
HOST_VARIANTS = ("http://www.ilo.org:80", "https://www.ilo.org", "http://ilo.org")
#: Seconds after an archived redirect (or a PDF stub) its target was captured.
TARGET_DELAY_SECONDS = 7


class Wayback:
    """The web archive of the replica site ``Site(records, page_size, layout=layout)``.

    Captures are indexed once (by URL key, then time); pages are rendered when asked for, as the
    site showed them on the capture's day, and cached. They are rendered by the site's own
    renderers, so a capture is byte for byte what the site served with the items of that day,
    each as it stood then (``Record.as_of``: a title not yet corrected shows uncorrected), in the
    layout generation of that day (``layouts.layout_for``) unless ``layout`` forces one.
    """

    def __init__(
        self,
        records: Iterable[Record],
        page_size: int = 10,
        schedule: Schedule | None = None,
        layout: str | None = None,
        cache_size: int = 4096,
        quirks: bool = False,
    ) -> None:
        schedule = schedule or Schedule()
        #: The CDX answers carry web.archive.org's quirks (``QUIRK_EVERY``).
        self.quirks = quirks
        self.site = Site(records, page_size=page_size, layout=layout)
        #: The layout of every capture; None renders each in the layout of its day.
        self.layout = layout
        #: (listing, lang) -> sort keys of its records, newest first, to find a day's state.
        self._order = {
            key: [-record.date.toordinal() for record in records_]
            for key, records_ in self.site.listings.items()
        }
        captures: dict[tuple[str, str], Capture] = {}
        for capture in self._listing_captures(schedule):
            captures[capture.urlkey, capture.timestamp] = self._varied(capture)
        for capture in self._article_captures(schedule):
            captures[capture.urlkey, capture.timestamp] = self._varied(capture)
        #: URL key -> its captures, oldest first; and the URL keys in order, for prefix queries.
        self.captures: dict[str, list[Capture]] = {}
        for key in sorted(captures):
            self.captures.setdefault(key[0], []).append(captures[key])
        self._urlkeys = list(self.captures)
        #: URL key -> its rows in the CDX index, by time as listed.
        self._rows = {key: self._index_rows(found) for key, found in self.captures.items()}
        self._render = functools.lru_cache(maxsize=cache_size)(self._render_capture)
        self._digests: dict[tuple[Page, dt.date, int], tuple[str, int]] = {}
        #: Requests (CDX queries and replays) whose path matches answer 403 "Blocked By Robots".
        self.robots_blocked: re.Pattern[str] | None = None

    # Captures ----------------------------------------------------------------------------------

    def _listing_captures(self, schedule: Schedule) -> Iterator[Capture]:
        if schedule.listing is None:
            yield from self._sweeps()
            return
        for entry in schedule.listing:
            if (entry.listing, entry.lang) not in self.site.listings:
                served = ", ".join(f"{name}/{lang}" for name, lang in sorted(self.site.listings))
                raise ScheduleError(
                    schedule.source,
                    f"listing {entry.listing}/{entry.lang} is not in the dataset (it has {served})",
                )
            for offset in entry.offsets:
                yield self._listing_capture(
                    entry.listing, entry.lang, offset, entry.timestamp(offset), entry.status
                )

    def _sweeps(self) -> Iterator[Capture]:
        """The default listing captures: every page a month's items are on, a few days after it,
        and the page after them (where the month is seen to end when its last item ends a
        page)."""
        size = self.site.page_size
        for (listing, lang), records in self.site.listings.items():
            order = self._order[listing, lang]
            index = 0
            while index < len(records):
                first = records[index].date.replace(day=1)
                # Items dated in the month or after it: the month's items end just before ``after``.
                after = bisect.bisect_left(order, -first.toordinal() + 1)
                end = first.replace(day=calendar.monthrange(first.year, first.month)[1])
                day = end + dt.timedelta(days=SWEEP_DELAY_DAYS)
                sweep = ListingCaptures(
                    listing,
                    lang,
                    dt.datetime.combine(day, SWEEP_TIME).strftime(TIMESTAMP_FORMAT),
                    spread=SWEEP_SPREAD_SECONDS,
                )
                start = bisect.bisect_left(order, -day.toordinal())
                last = (len(records) - start - 1) // size * size  # the listing's last page then
                month_end = (after - 1 - start) // size * size
                for offset in range(0, min(month_end + size, last) + 1, size):
                    yield self._listing_capture(listing, lang, offset, sweep.timestamp(offset), 200)
                index = after

    def _listing_capture(
        self, listing: str, lang: str, offset: int, timestamp: str, status: int
    ) -> Capture:
        original = ORIGINAL_BASE + listing_path(listing, lang, offset)
        page = ListingLocation(listing, lang, offset)
        capture = Capture(surt(original), timestamp, original, status, page)
        if status == 200 and not self._listing_at(listing, lang, capture.day):
            # The listing had no item yet: the site answered "not found".
            capture = Capture(capture.urlkey, timestamp, original, 404, page)
        return capture

    def _article_captures(self, schedule: Schedule) -> Iterator[Capture]:
        articles = self.site.articles
        for doc_id, lang in sorted(schedule.missing):
            if (doc_id, lang) not in articles:
                raise ScheduleError(
                    schedule.source, f"articles.missing names {doc_id}/{lang}, not in the dataset"
                )
        delay = schedule.article_delay_days
        if delay is not None:
            for record in articles.values():
                if (record.id, record.lang) in schedule.missing:
                    continue
                seconds = zlib.crc32(f"{record.id}/{record.lang}".encode()) % 86400
                moment = dt.datetime.combine(record.date, dt.time()) + dt.timedelta(
                    days=delay, seconds=seconds
                )
                yield self._article_capture(record, moment.strftime(TIMESTAMP_FORMAT), 200)
        for entry in schedule.extra:
            record = articles.get((entry.doc_id, entry.lang))
            if record is None:
                raise ScheduleError(
                    schedule.source,
                    f"articles.extra names {entry.doc_id}/{entry.lang}, not in the dataset",
                )
            if entry.status == 200 and entry.at < record.date.strftime(TIMESTAMP_FORMAT):
                raise ScheduleError(
                    schedule.source,
                    f"articles.extra captures {entry.doc_id}/{entry.lang} at {entry.at}, before "
                    f"its date {record.date.isoformat()} (a 200 capture must be on or after it)",
                )
            yield from self._extra_captures(record, entry, schedule.source)

    def _extra_captures(
        self, record: Record, entry: ArticleCapture, source: str
    ) -> Iterator[Capture]:
        """An extra capture of an article page, and the target of a redirect or stub in it."""
        key = ArticleKey(record.id, record.lang)
        original = (entry.host or ORIGINAL_BASE) + article_path(
            record.section, record.id, record.lang
        )
        target = (entry.host or ORIGINAL_BASE) + (entry.redirect or entry.pdf_stub or "")
        page: Page = key
        if entry.redirect:
            page = Moved(key, target)
        elif entry.pdf_stub:
            page = PdfStub(key, target)
        yield Capture(surt(original), entry.at, original, entry.status, page, entry.listed_at)
        if page is key:
            return
        later = dt.datetime.strptime(entry.at, TIMESTAMP_FORMAT) + dt.timedelta(
            seconds=TARGET_DELAY_SECONDS
        )
        shown: Page = Pdf(target)
        if not target.lower().endswith(".pdf"):
            moved_to = parse_article_path(target)
            if moved_to is None or (moved_to.doc_id, moved_to.lang) not in self.site.articles:
                raise ScheduleError(
                    source,
                    f"articles.extra redirects {key.doc_id}/{key.lang} to {entry.redirect}: "
                    "neither a PDF nor the page of an article in the dataset",
                )
            shown = moved_to
        yield Capture(surt(target), later.strftime(TIMESTAMP_FORMAT), target, 200, shown)

    @staticmethod
    def _article_capture(record: Record, timestamp: str, status: int) -> Capture:
        original = ORIGINAL_BASE + article_path(record.section, record.id, record.lang)
        page = ArticleKey(record.id, record.lang)
        return Capture(surt(original), timestamp, original, status, page)

    def _varied(self, capture: Capture) -> Capture:
        """With quirks, some captures under another form of the host (the same URL key)."""
        if not self.quirks or capture.listed or not _quirk(capture, "variant"):
            return capture
        path = urlsplit(capture.original).path
        variant = HOST_VARIANTS[zlib.crc32(capture.original.encode()) % len(HOST_VARIANTS)]
        return dataclasses.replace(capture, original=variant + path)

    def _index_rows(self, captures: list[Capture]) -> list[CdxRow]:
        """The CDX rows of one URL's captures, by time as listed; with quirks, the real
        index's repeated rows, revisits and (listing pages) day-00 copies among them."""
        rows = []
        for capture in captures:
            row = CdxRow(
                capture,
                capture.listed or capture.timestamp,
                capture.original,
                capture.mimetype,
                str(capture.status),
            )
            rows.append(row)
            if not self.quirks:
                continue
            if _quirk(capture, "repeated"):
                rows.append(row)
            if _quirk(capture, "revisit"):
                later = dt.datetime.strptime(row.timestamp, TIMESTAMP_FORMAT) + dt.timedelta(days=1)
                revisit = later.strftime(TIMESTAMP_FORMAT)
                rows.append(CdxRow(capture, revisit, row.original, "warc/revisit", "-", "-"))
            if isinstance(capture.page, ListingLocation) and _quirk(capture, "day00"):
                garbled = row.timestamp[:6] + "00" + row.timestamp[8:]
                rows.append(dataclasses.replace(row, timestamp=garbled))
        return sorted(rows, key=lambda row: row.timestamp)

    def _listing_at(self, listing: str, lang: str, day: dt.date) -> list[Record]:
        """The listing as it stood on ``day``: its items dated on or before it, newest first."""
        start = bisect.bisect_left(self._order[listing, lang], -day.toordinal())
        return self.site.listings[listing, lang][start:]

    # Pages -------------------------------------------------------------------------------------

    def page(self, capture: Capture) -> Response:
        """Status, headers and body the site answered when ``capture`` was taken."""
        return self._render(capture.page, capture.day, capture.status)

    def _render_capture(self, page: Page, day: dt.date, status: int) -> Response:
        site = self.site
        if status == 404:
            return site._not_found
        if isinstance(page, Moved):
            headers = [("Content-Type", HTML_TYPE), ("Location", page.location)]
            return status, headers, _moved_body(page.location)
        if status != 200:
            return status, [("Content-Type", HTML_TYPE)], _error_body(status)
        if isinstance(page, Pdf):
            return 200, [("Content-Type", "application/pdf")], _pdf_body(page.url)
        if isinstance(page, PdfStub):
            return site._page(_pdf_stub_html(page.pdf), day)
        layout = self.layout or layout_for(day)
        if isinstance(page, ArticleKey):
            record = site.articles[page.doc_id, page.lang].as_of(day)
            return site._page(site._article_html(record, layout), record.date)
        records = self._listing_at(page.listing, page.lang, day)  # a copy: changed only here
        shown = slice(page.offset, page.offset + site.page_size)
        records[shown] = [record.as_of(day) for record in records[shown]]  # order is by date only
        html, newest = site._listing_html(page.listing, page.lang, page.offset, records, layout)
        return site._page(html, newest)

    def _digest(self, capture: Capture) -> tuple[str, int]:
        """Base32 SHA-1 and length of a capture's body (kept: CDX queries ask for them again)."""
        key = (capture.page, capture.day, capture.status)
        if key not in self._digests:
            body = self.page(capture)[2]
            sha1 = hashlib.sha1(body, usedforsecurity=False).digest()
            self._digests[key] = (base64.b32encode(sha1).decode(), len(body))
        return self._digests[key]

    # Requests ----------------------------------------------------------------------------------

    def respond(self, path: str, headers: Mapping[str, str] | None = None) -> Response:
        """Status, headers and body of a GET of ``path``: robots.txt, the CDX API
        (``/cdx/search/cdx?...``) or a replay (``/web/<timestamp>[id_]/<original URL>``).
        Request headers change nothing (archived pages are never 304); the parameter is there
        so that ``FaultySite`` can wrap the archive as it wraps the site."""
        if path == "/robots.txt":
            return 200, [("Content-Type", "text/plain; charset=utf-8")], ROBOTS_TXT
        if self.robots_blocked is not None and self.robots_blocked.search(path):
            return 403, [("Content-Type", "text/plain; charset=utf-8")], ROBOTS_BLOCKED
        parts = urlsplit(path)
        if parts.path == "/cdx/search/cdx":
            return self._cdx(parts.query)
        match = _WEB_RE.match(path)
        if match is None:
            return _not_archived()
        return self._replay(match["timestamp"], match["modifier"], match["url"])

    def _replay(self, requested: str, modifier: str | None, url: str) -> Response:
        if modifier not in (None, "id_"):
            return _bad_request(f"unsupported replay modifier {modifier!r} (accepted: id_ or none)")
        wanted = pad_timestamp(requested, latest=True)
        if wanted is None:
            return _bad_request(f"bad timestamp {requested!r}: expected YYYYMMDDhhmmss or a prefix")
        captures = self.captures.get(surt(url))
        if not captures:
            return _not_archived()
        capture = _nearest(captures, wanted)
        prefix = f"/web/{capture.timestamp}{modifier or ''}/"
        if len(requested) != 14 or capture.timestamp != requested:
            # Not a capture's moment: to the nearest one, saying so (no Memento-Datetime).
            reason = ("X-Archive-Redirect-Reason", f"found capture at {capture.timestamp}")
            return 302, [("Location", prefix + capture.original), reason], b""
        status, page_headers, body = self.page(capture)
        given = dict(page_headers)
        headers = [
            ("Content-Type", given.get("Content-Type", HTML_TYPE)),
            ("Memento-Datetime", _http_date(capture.timestamp)),
            (
                "Link",
                f'<{capture.original}>; rel="original", <{prefix}{capture.original}>; '
                f'rel="memento"; datetime="{_http_date(capture.timestamp)}"',
            ),
            ("X-Archive-Src", f"ilo-replica-{capture.timestamp[:8]}.warc.gz"),
        ]
        headers += [
            (f"X-Archive-Orig-{name}", value)
            for name, value in page_headers
            if name != "Content-Type"
        ]
        if "Location" in given:  # an archived redirect: on inside the archive, at its moment
            headers.append(("Location", prefix + given["Location"]))
        if (
            modifier is None
            and status == 200
            and isinstance(capture.page, ListingLocation | ArticleKey)
        ):
            body = _replay_page(body.decode("utf-8"), capture).encode("utf-8")
        return status, headers, body

    def _cdx(self, query: str) -> Response:
        try:
            request = CdxQuery.parse(query)
        except ValueError as exc:
            return 400, [("Content-Type", "text/plain; charset=utf-8")], f"{exc}\n".encode()
        selected, more = request.select(self._matching(request), self._field)
        rows = [[self._field(row, name) for name in request.fields] for row in selected]
        resume = (
            f"{selected[-1].urlkey} {selected[-1].timestamp}"
            if more and selected and request.show_resume_key
            else None
        )
        if request.json:
            body = json.dumps(
                ([list(request.fields), *rows] if rows else []) + ([[], [resume]] if resume else [])
            ).encode()
            return 200, [("Content-Type", "application/json")], body
        text = "".join(" ".join(row) + "\n" for row in rows) + (f"\n{resume}\n" if resume else "")
        return 200, [("Content-Type", "text/plain; charset=utf-8")], text.encode()

    def _matching(self, request: CdxQuery) -> Iterator[CdxRow]:
        """Index rows of the URL (or under the prefix) within from/to, by URL key then time."""
        if request.prefix:
            start = bisect.bisect_left(self._urlkeys, request.urlkey)
            keys = _with_prefix(self._urlkeys, start, request.urlkey)
        else:
            keys = [request.urlkey] if request.urlkey in self.captures else []
        for key in keys:
            for row in self._rows[key]:
                after = request.resume_after
                if after is not None and (row.urlkey, row.timestamp) <= after:
                    continue
                if request.start <= row.timestamp <= request.end:
                    yield row

    def _field(self, row: CdxRow, name: str) -> str:
        if name == "urlkey":
            return row.urlkey
        if name in ("timestamp", "original", "mimetype", "statuscode"):
            return str(getattr(row, name))
        digest, length = self._digest(row.capture)
        return digest if name == "digest" else row.length or str(length)


def _with_prefix(keys: list[str], start: int, prefix: str) -> Iterator[str]:
    """The sorted ``keys`` from ``start`` on, while they begin with ``prefix``."""
    for key in keys[start:]:
        if not key.startswith(prefix):
            return
        yield key


def _nearest(captures: list[Capture], timestamp: str) -> Capture:
    """The capture closest in time to ``timestamp`` (the earlier one on a tie)."""
    index = bisect.bisect_left(captures, timestamp, key=lambda capture: capture.timestamp)
    candidates = captures[max(0, index - 1) : index + 1]
    wanted = dt.datetime.strptime(timestamp, TIMESTAMP_FORMAT)
    return min(
        candidates,
        key=lambda capture: abs(dt.datetime.strptime(capture.timestamp, TIMESTAMP_FORMAT) - wanted),
    )


def _replay_page(html: str, capture: Capture) -> str:
    """A capture as a browser sees it: links pointing back into the archive, under a banner."""
    timestamp = capture.timestamp

    def rewrite(match: re.Match[str]) -> str:
        attribute, value = match.groups()
        if value.startswith("//"):
            target = "http:" + value
        elif value.startswith("/"):
            target = ORIGINAL_BASE + value
        elif value.startswith(("http://", "https://")):
            target = value
        else:
            return match[0]
        modifier = "im_" if attribute == "src" else ""
        return f'{attribute}="/web/{timestamp}{modifier}/{target}"'

    banner = (
        '<div id="wm-ipp-base"><div id="wm-ipp"><div id="wm-ipp-inside">'
        '<a class="wm-logo" href="/web/">The Wayback Machine</a> '
        f'<a class="wm-original" href="/web/{timestamp}/{escape(capture.original)}">'
        f"{escape(capture.original)}</a> "
        f'<span class="wm-capture-date">{_http_date(timestamp)}</span>'
        "</div></div></div>\n"
    )
    rewritten = _LINK_ATTR_RE.sub(rewrite, html)
    return rewritten.replace("<body>\n", "<body>\n" + banner, 1)


def _moved_body(location: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>301 Moved Permanently</title>\n</head>\n<body>\n"
        f'<p>The document has moved <a href="{escape(location)}">here</a>.</p>\n</body>\n</html>\n'
    ).encode()


def _pdf_stub_html(pdf: str) -> str:
    """The WCMS's page for a document that is a PDF: a refresh to it, and a link."""
    path = escape(urlsplit(pdf).path)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="refresh" content="0; url={path}">\n'
        "<title>ILO</title>\n</head>\n<body>\n"
        "<p>If you have not been redirected, please click on the link below.</p>\n"
        f'<p><a href="{path}">{escape(path.rsplit("/", 1)[-1])}</a></p>\n</body>\n</html>\n'
    )


def _pdf_body(url: str) -> bytes:
    """A small, valid PDF standing for a document of the site."""
    text = f"{urlsplit(url).path}".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return body


def _error_body(status: int) -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Error {status}</title>\n</head>\n<body>\n<h1>Error {status}</h1>\n"
        "<p>The server could not answer this request.</p>\n</body>\n</html>\n"
    ).encode()


def _not_archived() -> Response:
    body = (
        b'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        b"<title>Wayback Machine</title>\n</head>\n<body>\n"
        b"<p>The Wayback Machine has not archived that URL.</p>\n</body>\n</html>\n"
    )
    return 404, [("Content-Type", HTML_TYPE)], body


def _bad_request(message: str) -> Response:
    return 400, [("Content-Type", "text/plain; charset=utf-8")], f"{message}\n".encode()


# The CDX API -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CdxQuery:
    """A CDX API request, checked: which captures, which fields, how filtered and collapsed."""

    urlkey: str
    prefix: bool
    start: str
    end: str
    json: bool
    fields: tuple[str, ...] = CDX_FIELDS
    #: (negated, field, pattern): keep rows whose field matches the pattern whole (or does not).
    filters: tuple[tuple[bool, str, re.Pattern[str]], ...] = ()
    #: (field, characters compared or None for all): drop rows equal to the row before.
    collapses: tuple[tuple[str, int | None], ...] = ()
    #: Rows at most; a negative limit keeps the last rows.
    limit: int | None = None
    #: Append a resume key (the last row's URL key and timestamp) when the limit cut the answer.
    show_resume_key: bool = False
    #: Start after this (URL key, timestamp): the resume key of an earlier answer.
    resume_after: tuple[str, str] | None = None

    @classmethod
    def parse(cls, query: str) -> CdxQuery:
        """The request of a query string; ValueError with a short message if it is not one."""
        given: dict[str, list[str]] = collections.defaultdict(list)
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name not in _CDX_PARAMETERS:
                raise ValueError(
                    f"unknown parameter {name!r} (accepted: {', '.join(_CDX_PARAMETERS)})"
                )
            if given[name] and name not in _REPEATABLE:
                raise ValueError(f"parameter {name!r} given twice")
            given[name].append(value)
        one = {name: values[0] for name, values in given.items() if name not in _REPEATABLE}
        url = one.get("url", "")
        if not url:
            raise ValueError("missing parameter 'url' (an original URL, or a prefix ending in *)")
        match_type = one.get("matchType")
        if match_type not in (None, "exact", "prefix"):
            raise ValueError(f"bad matchType {match_type!r} (accepted: exact, prefix)")
        prefix = match_type == "prefix" or url.endswith("*")
        if url.endswith("*") and match_type == "exact":
            raise ValueError("url ends with * but matchType is exact")
        urlkey = surt(url.rstrip("*"))
        start = _cdx_time(one, "from", latest=False)
        end = _cdx_time(one, "to", latest=True)
        output = one.get("output")
        if output not in (None, "json"):
            raise ValueError(f"bad output {output!r} (accepted: json, or none for text lines)")
        fields = CDX_FIELDS
        if "fl" in one:
            fields = tuple(one["fl"].split(","))
            for name in fields:
                _cdx_field(name, "fl")
        limit = None
        if "limit" in one:
            try:
                limit = int(one["limit"])
            except ValueError:
                raise ValueError(f"bad limit {one['limit']!r} (a whole number)") from None
        show = one.get("showResumeKey", "false")
        if show not in ("true", "false"):
            raise ValueError(f"bad showResumeKey {show!r} (accepted: true, false)")
        resume_after = None
        if "resumeKey" in one:
            key, _, timestamp = one["resumeKey"].rpartition(" ")
            if not key or pad_timestamp(timestamp, latest=False) != timestamp:
                raise ValueError(
                    f"bad resumeKey {one['resumeKey']!r} (the last line of an earlier answer)"
                )
            resume_after = (key, timestamp)
        return cls(
            urlkey=urlkey,
            prefix=prefix,
            start=start,
            end=end,
            json=output == "json",
            fields=fields,
            filters=tuple(map(_cdx_filter, given["filter"])),
            collapses=tuple(map(_cdx_collapse, given["collapse"])),
            limit=limit,
            show_resume_key=show == "true",
            resume_after=resume_after,
        )

    def select(
        self, captures: Iterable[CdxRow], value: Callable[[CdxRow, str], str]
    ) -> tuple[list[CdxRow], bool]:
        """The captures that pass the filters, collapsed, then limited; ``value`` reads fields;
        and whether the limit left rows out."""
        kept: list[CdxRow] = []
        previous: dict[str, str] = {}
        for capture in captures:
            if any(
                bool(pattern.fullmatch(value(capture, name))) == negated
                for negated, name, pattern in self.filters
            ):
                continue
            keys = {name: value(capture, name)[:width] for name, width in self.collapses}
            if kept and keys and all(previous[name] == keys[name] for name in keys):
                continue
            previous = keys
            kept.append(capture)
        if self.limit is None:
            return kept, False
        more = len(kept) > abs(self.limit)
        return (kept[self.limit :] if self.limit < 0 else kept[: self.limit]), more


def _cdx_time(given: dict[str, str], name: str, latest: bool) -> str:
    if name not in given:
        return "99999999999999" if latest else "00000000000000"
    whole = pad_timestamp(given[name], latest)
    if whole is None:
        raise ValueError(f"bad {name} {given[name]!r} (expected YYYYMMDD[hhmmss] or a prefix)")
    return whole


def _cdx_field(name: str, parameter: str) -> str:
    if name not in CDX_FIELDS:
        raise ValueError(
            f"bad {parameter}: unknown field {name!r} (fields: {', '.join(CDX_FIELDS)})"
        )
    return name


def _cdx_filter(text: str) -> tuple[bool, str, re.Pattern[str]]:
    negated = text.startswith("!")
    name, _, pattern = text.removeprefix("!").partition(":")
    _cdx_field(name, "filter")
    try:
        return negated, name, re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad filter {text!r}: {exc}") from None


def _cdx_collapse(text: str) -> tuple[str, int | None]:
    name, _, width = text.partition(":")
    _cdx_field(name, "collapse")
    if not width:
        return name, None
    if not width.isdigit() or int(width) < 1:
        raise ValueError(f"bad collapse {text!r} (expected field or field:N, N from 1)")
    return name, int(width)


# Politeness ------------------------------------------------------------------------------------

#: web.archive.org's hard limits per client and minute, by endpoint (the CDX API, shared with
#: ``/web/timemap``; captures): beyond them, 429 without ``Retry-After``.
STRICT_LIMITS = {"cdx": 30, "captures": 600}
#: A client that goes on receiving 429s for longer than a minute is blocked at the firewall for
#: an hour, doubling with each block (IA staff, edgi-govdata-archiving/wayback #137).
LIMIT_WINDOW_SECONDS = 60.0
BLOCK_SECONDS = 3600.0


def endpoint_of(path: str) -> str | None:
    """Which limited endpoint a request path is for: ``cdx``, ``captures``, or None."""
    if path.startswith(("/cdx/", "/web/timemap")):
        return "cdx"
    if path.startswith("/web/"):
        return "captures"
    return None


class StrictArchive:
    """The archive's limits as web.archive.org enforces them, every time span multiplied by
    ``time_scale``: per endpoint, at most ``limits[endpoint]`` answers in any window of
    ``LIMIT_WINDOW_SECONDS``, beyond them 429 without ``Retry-After`` (refused requests do not
    count); 429s going on for longer than a window (none a window apart) block the client: for
    ``block_hours`` (``BLOCK_SECONDS``; doubling with each block) every request is dropped without an answer, on
    every endpoint. Thread-safe."""

    def __init__(
        self,
        inner: FaultySite,
        time_scale: float = 1.0,
        limits: Mapping[str, int] = STRICT_LIMITS,
        clock: Callable[[], float] = time.monotonic,
        block_hours: float = BLOCK_SECONDS / 3600,
    ) -> None:
        self.inner = inner
        self.limits = dict(limits)
        self.window = LIMIT_WINDOW_SECONDS * time_scale
        self.block_seconds = block_hours * 3600 * time_scale
        self._clock = clock
        self._lock = threading.Lock()
        self._answered: dict[str, collections.deque[float]] = {
            endpoint: collections.deque() for endpoint in self.limits
        }
        #: endpoint -> (first, latest) 429 of its current run of 429s
        self._refusing: dict[str, tuple[float, float]] = {}
        self.blocked_until = float("-inf")
        self.blocks = 0

    def respond(
        self, path: str, headers: Mapping[str, str] | None = None, method: str = "GET"
    ) -> Answer:
        """The inner answer; 429 beyond the endpoint's limit; nothing (dropped) while blocked."""
        endpoint = endpoint_of(path)
        now = self._clock()
        with self._lock:
            if now < self.blocked_until:
                return Answer(0, [], b"", dropped=True, events=(f"BLOCKED {path}",))
            if endpoint is not None and self._over_limit(endpoint, now):
                return self._refuse(endpoint, path, now)
        return self.inner.respond(path, headers, method)

    def _over_limit(self, endpoint: str, now: float) -> bool:
        answered = self._answered[endpoint]
        while answered and now - answered[0] >= self.window:
            answered.popleft()
        if len(answered) >= self.limits[endpoint]:
            return True
        answered.append(now)
        return False

    def _refuse(self, endpoint: str, path: str, now: float) -> Answer:
        first, latest = self._refusing.get(endpoint, (now, now))
        if now - latest >= self.window:
            first = now  # a window without 429s: this is a new run of them
        self._refusing[endpoint] = (first, now)
        if now - first > self.window:
            self.blocked_until = now + self.block_seconds * 2**self.blocks
            self.blocks += 1
            self._refusing.clear()
            return Answer(0, [], b"", dropped=True, events=(f"BLOCKING {path}",))
        body = (
            b'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            b"<title>429 Too Many Requests</title>\n</head>\n<body>\n"
            b"<h1>Too Many Requests</h1>\n</body>\n</html>\n"
        )
        return Answer(429, [("Content-Type", HTML_TYPE)], body, events=(f"RATE-LIMITED {path}",))


# Command line ----------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The web-archive options, taken as text so that a bad value is refused in one line."""
    group = parser.add_argument_group("web archive", "serve a Wayback Machine of the site instead")
    group.add_argument("--wayback", action="store_true", help="serve the web archive of the site")
    group.add_argument("--captures", metavar="FILE", help="JSON capture schedule (built-in)")
    group.add_argument(
        "--strict",
        action="store_true",
        help="web.archive.org's limits: 30 CDX queries and 600 captures a minute, 429 without "
        "Retry-After, a block (requests dropped) for a client going on through 429s",
    )
    group.add_argument(
        "--robots-blocked",
        metavar="REGEX",
        help="answer 403 RobotAccessControlException: Blocked By Robots to matching requests",
    )
    group.add_argument(
        "--time-scale", metavar="F", help="multiply the strict minute and hour by F (e.g. 0.01)"
    )
    for endpoint, limit in STRICT_LIMITS.items():
        group.add_argument(
            f"--{endpoint}-per-minute",
            metavar="N",
            help=f"the strict limit ({limit}) of {endpoint}",
        )
    group.add_argument(
        "--block-hours",
        metavar="H",
        help="how long the strict block of a client lasts (1 hour, doubling with each block)",
    )


@dataclass(frozen=True)
class ArchiveOptions:
    """The checked web-archive options of a command line."""

    schedule: Schedule
    strict: bool = False
    time_scale: float = 1.0
    limits: Mapping[str, int] = dataclasses.field(default_factory=lambda: dict(STRICT_LIMITS))
    robots_blocked: re.Pattern[str] | None = None
    block_hours: float = BLOCK_SECONDS / 3600


def options_from_arguments(args: argparse.Namespace, faults: FaultOptions) -> ArchiveOptions | None:
    """The web-archive options, None without ``--wayback``; FaultOptionError or ScheduleError
    names a bad value (the schedule is checked against the dataset later, in ``serve``)."""
    if not args.wayback:
        for name in (
            "captures",
            "strict",
            "time-scale",
            "cdx-per-minute",
            "captures-per-minute",
            "block-hours",
            "robots-blocked",
        ):
            if getattr(args, name.replace("-", "_")) not in (None, False):
                raise FaultOptionError(f"--{name} needs --wayback")
        return None
    if faults.publish_every:
        raise FaultOptionError("--publish-every does not apply to --wayback (the archive is fixed)")
    strict_options = ("time-scale", "cdx-per-minute", "captures-per-minute", "block-hours")
    for name in strict_options:
        if getattr(args, name.replace("-", "_")) is not None and not args.strict:
            raise FaultOptionError(f"--{name} needs --strict (it sets the strict limits)")
    limits = dict(STRICT_LIMITS)
    for endpoint in STRICT_LIMITS:
        text = getattr(args, f"{endpoint}_per_minute")
        if text is None:
            continue
        if not (text.isdigit() and int(text) >= 1):
            raise FaultOptionError(
                f"invalid --{endpoint}-per-minute {text!r}: expected a whole number of requests "
                "a minute from 1, e.g. 30"
            )
        limits[endpoint] = int(text)
    time_scale = _positive_number("time-scale", args.time_scale, 1.0, "0.01")
    block_hours = _positive_number("block-hours", args.block_hours, BLOCK_SECONDS / 3600, "0.5")
    schedule = load_schedule(args.captures) if args.captures else Schedule()
    robots_blocked = None
    if args.robots_blocked is not None:
        try:
            robots_blocked = re.compile(args.robots_blocked)
        except re.error as exc:
            raise FaultOptionError(
                f"invalid --robots-blocked {args.robots_blocked!r}: not a regular expression "
                f"({exc})"
            ) from None
    return ArchiveOptions(schedule, args.strict, time_scale, limits, robots_blocked, block_hours)


def _positive_number(name: str, text: str | None, default: float, example: str) -> float:
    """The number of option ``--name``, ``default`` when not given; FaultOptionError otherwise."""
    if text is None:
        return default
    try:
        number = float(text)
    except ValueError:
        number = 0.0
    if not 0 < number < float("inf"):
        raise FaultOptionError(
            f"invalid --{name} {text!r}: expected a number above 0, e.g. {example}"
        )
    return number


def serve(
    options: ArchiveOptions, records: Iterable[Record], page_size: int, faults: FaultOptions
) -> FaultySite | StrictArchive:
    """The archive as the server answers it: faults applied, then the strict limits."""
    archive = Wayback(
        records, page_size, options.schedule, layout=faults.layout, quirks=options.strict
    )
    archive.robots_blocked = options.robots_blocked
    site = FaultySite(
        archive, faults
    )  # publishing, the one use of Site's other methods, is refused
    if not options.strict:
        return site
    return StrictArchive(site, options.time_scale, options.limits, block_hours=options.block_hours)
