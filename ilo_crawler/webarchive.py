"""The Wayback Machine's interface as the crawler uses it: the one place that knows its URLs.

Two endpoints serve a crawl of the retired newsroom: the CDX API, which lists the captures of a
URL (or of every URL under a prefix) in a time window, and replay in the ``id_`` form
(``/web/<timestamp>id_/<original URL>``), which answers the page exactly as it was captured,
without the archive's banner or rewritten links. The replica in ``ilo_crawler.mirror.wayback``
serves both the same way.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from ilo_crawler.sites import DEFAULT_BASE_URL
from ilo_crawler.sites.wcms import urls

#: The site as the web archive recorded it: original URLs are looked up under this host.
ORIGINAL_BASE_URL = DEFAULT_BASE_URL
#: The other hosts the WCMS site answered under, each a URL key of its own (``www.`` and the
#: scheme are not part of a key): their captures are asked for only where the site's own
#: host's answers leave an article without a capture.
OTHER_HOSTS = ("www.ilo.ch", "www.oit.org")
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"
#: The CDX fields the crawler asks for, in this order.
CDX_FIELDS = ("timestamp", "original", "statuscode")
#: A prefix query asks for the URL key too: its resume key is made of it (and breaks without it).
PREFIX_FIELDS = ("urlkey", *CDX_FIELDS)
#: Which captures of an article page are wanted: the page, or an archived redirect (followed
#: inside the archive: a page moved, or a document that is a PDF).
ARTICLE_STATUSES = "statuscode:200|301|302"
_REPLAY_RE = re.compile(r"/web/(?P<timestamp>\d{14})id_/(?P<original>.+)$")


class CdxError(ValueError):
    """A CDX answer that is not what the API returns; the message says what was wrong."""


@dataclass(frozen=True, order=True)
class CdxCapture:
    """One capture the CDX API listed: when, of which original URL, with which status."""

    timestamp: str
    original: str
    status: str

    @property
    def captured_at(self) -> str:
        """The capture time as the archive stores times (UTC, ISO 8601)."""
        return timestamp_iso(self.timestamp)


def article_query_url(archive_url: str, original: str, since: dt.date) -> str:
    """A CDX query for the first capture of an article page (the page, or an archived redirect)
    from the start of ``since`` on."""
    parameters = [
        ("url", _without_scheme(original)),
        ("from", since.strftime("%Y%m%d")),
        ("output", "json"),
        ("fl", ",".join(CDX_FIELDS)),
        ("filter", ARTICLE_STATUSES),
        ("limit", "1"),
    ]
    return f"{archive_url.rstrip('/')}/cdx/search/cdx?{urlencode(parameters)}"


def listing_query_url(
    archive_url: str,
    listing: str,
    lang: str,
    since: dt.date,
    until: dt.date,
    page_rows: int,
    resume: str | None,
) -> str:
    """One page (``page_rows`` rows at most, with a resume key when more follow) of a prefix
    query for the successful captures of every page of a listing (``index.htm`` and
    ``nextRow--N``) from the start of ``since`` to the end of ``until``: one answer for the
    windows of several months."""
    parameters = [
        ("url", _without_scheme(original_listing_url(listing, lang))),
        ("matchType", "prefix"),
        ("from", since.strftime("%Y%m%d")),
        ("to", until.strftime("%Y%m%d")),
        ("output", "json"),
        ("fl", ",".join(PREFIX_FIELDS)),
        ("filter", "statuscode:200"),
        ("limit", str(page_rows)),
        ("showResumeKey", "true"),
    ]
    if resume is not None:
        parameters.append(("resumeKey", resume))
    return f"{archive_url.rstrip('/')}/cdx/search/cdx?{urlencode(parameters)}"


def section_query_url(
    archive_url: str,
    section_path: str,
    lang: str,
    since: dt.date,
    page_rows: int,
    resume: str | None,
    host: str | None = None,
) -> str:
    """One page (``page_rows`` rows at most, with a resume key when more follow) of a prefix
    query for the first capture (the page, or an archived redirect) from ``since`` on of every
    page of an article section in ``lang`` (``collapse=urlkey``: one row per URL, its earliest),
    under the site's host or another (``host``, one of ``OTHER_HOSTS``)."""
    base = f"https://{host}" if host else ORIGINAL_BASE_URL
    parameters = [
        ("url", _without_scheme(base + section_path + "/")),
        ("matchType", "prefix"),
        ("from", since.strftime("%Y%m%d")),
        ("output", "json"),
        ("fl", ",".join(PREFIX_FIELDS)),
        ("filter", ARTICLE_STATUSES),
        ("filter", f"original:.*/lang--{lang}/.*"),
        ("collapse", "urlkey"),
        ("limit", str(page_rows)),
        ("showResumeKey", "true"),
    ]
    if resume is not None:
        parameters.append(("resumeKey", resume))
    return f"{archive_url.rstrip('/')}/cdx/search/cdx?{urlencode(parameters)}"


def parse_cdx(body: bytes) -> list[CdxCapture]:
    """The captures of a JSON CDX answer (a header row of field names, then one row per
    capture; an empty answer is no capture), or CdxError."""
    return parse_cdx_page(body)[0]


def parse_cdx_page(body: bytes) -> tuple[list[CdxCapture], str | None]:
    """The captures of a JSON CDX answer and its resume key (after an empty row, when the answer
    was cut at its ``limit``; else None), or CdxError. The archive's quirks are left out: rows
    repeated back to back, revisit records (status ``-``), and timestamps with a day or month
    ``00`` (no moment to ask the capture of: the page's other captures stand for it)."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return [], None
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as error:
        raise CdxError(f"CDX answer is not JSON ({error.msg}): {text[:80]!r}") from None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise CdxError(f"CDX answer is not a list of rows: {text[:80]!r}")
    if not rows:
        return [], None
    resume = None
    if len(rows) >= 3 and rows[-2] == [] and len(rows[-1]) == 1:
        resume = str(rows[-1][0])
        rows = rows[:-2]
    header = rows[0]
    missing = [name for name in CDX_FIELDS if name not in header]
    if missing:
        raise CdxError(f"CDX answer lacks the fields {', '.join(missing)}: header {header!r}")
    where = [header.index(name) for name in CDX_FIELDS]
    if any(len(row) != len(header) for row in rows[1:]):
        raise CdxError(f"CDX answer has rows of another length than its header {header!r}")
    captures: list[CdxCapture] = []
    for row in rows[1:]:
        capture = CdxCapture(*(str(row[i]) for i in where))
        if captures and capture == captures[-1]:
            continue  # a row repeated back to back (simultaneous captures): one capture
        if capture.status == "-" or not _is_moment(capture.timestamp):
            continue  # a revisit record, or a timestamp naming no moment (day or month 00)
        captures.append(capture)
    return captures, resume


def _is_moment(timestamp: str) -> bool:
    try:
        dt.datetime.strptime(timestamp, TIMESTAMP_FORMAT)
    except ValueError:
        return False
    return len(timestamp) == 14


def replayed(url: str, memento_datetime: bytes | None, status: int) -> CdxCapture | None:
    """The capture a replay answered with, from where the archive led (its URL: a capture
    listed at one moment may be replayed from another, nearest one, and an archived redirect
    leads to its target); None when the answer is not a capture (no ``Memento-Datetime``: a
    page of the archive's own)."""
    match = _REPLAY_RE.search(urlsplit(url).path + _query(url))
    if not memento_datetime or match is None:
        return None
    timestamp = match["timestamp"]
    moment = email.utils.parsedate_to_datetime(memento_datetime.decode("latin-1"))
    if moment.strftime(TIMESTAMP_FORMAT) != timestamp:  # the header says when, if they differ
        timestamp = moment.strftime(TIMESTAMP_FORMAT)
    return CdxCapture(timestamp, match["original"], str(status))


def original_of(url: str) -> str | None:
    """The original URL an ``id_`` replay URL names, None if it is not one."""
    match = _REPLAY_RE.search(urlsplit(url).path + _query(url))
    return match["original"] if match else None


def _query(url: str) -> str:
    query = urlsplit(url).query
    return f"?{query}" if query else ""


def page_url(original: str) -> str:
    """An original URL as the record keeps it: the form the archive captured (scheme, host),
    without a default port (``http://www.ilo.org:80/x`` -> ``http://www.ilo.org/x``)."""
    parts = urlsplit(original)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port is None or parts.port != default:
        return original
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit(":", 1)[0]))


def capture_url(archive_url: str, timestamp: str, original: str) -> str:
    """The URL of a capture as it was received (the ``id_`` form: no banner, links untouched)."""
    return f"{archive_url.rstrip('/')}/web/{timestamp}id_/{original}"


def timestamp_iso(timestamp: str) -> str:
    """A 14-digit archive timestamp as UTC ISO 8601 (``20211205093000`` ->
    ``2021-12-05T09:30:00+00:00``)."""
    moment = dt.datetime.strptime(timestamp, TIMESTAMP_FORMAT).replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="seconds")


def original_listing_url(listing: str, lang: str) -> str:
    """The original URL under which every page of a listing (``nextRow--N`` too) is archived."""
    return ORIGINAL_BASE_URL + urls.listing_path(listing, lang).removesuffix("index.htm")


def listing_offsets(
    captures: Iterable[CdxCapture], listing: str, lang: str
) -> dict[int, list[CdxCapture]]:
    """The captures of a listing's pages by item offset (0: the first page), oldest first;
    captures of other URLs under the prefix are left out."""
    pages: dict[int, list[CdxCapture]] = {}
    for capture in captures:
        location = urls.parse_listing_path(capture.original)
        if location is not None and (location.listing, location.lang) == (listing, lang):
            pages.setdefault(location.offset, []).append(capture)
    for found in pages.values():
        found.sort()
    return pages


def _without_scheme(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc + parts.path if parts.netloc else url
