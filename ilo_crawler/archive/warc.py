"""The archive's captures as a WARC file, so ordinary web-archive tools (pywb, ReplayWeb.page,
warcio, the Internet Archive's tooling) can replay and check them.

The archive keeps what Scrapy hands over, which is not byte for byte what the server sent: the
export rebuilds what replay needs and lists every difference (``NOT_AS_RECEIVED``) in the file's
``warcinfo`` record, so nobody mistakes the file for a raw capture.

A page read from a web archive (the Wayback Machine) is recorded as the capture it is a copy of:
its original URL and the archive's capture time, the archive URL fetched and the fetch time kept
in the extension fields ``WARC-Source-URI`` and ``WARC-Creation-Date`` (warcit's, and what pywb
writes when it records from a remote archive), and the ``warcinfo`` record says so
(``WEB_ARCHIVE_NOTES``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http
import json
import os
import secrets
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.warcwriter import WARCWriter

from ilo_crawler.archive.store import Archive, ArchiveError

#: warcio's default; the version replay tools accept most widely.
WARC_VERSION = RecordBuilder.WARC_1_0
KINDS = ("listing", "article")
#: Prefix of a received header the export had to replace (pywb's convention).
ORIGINAL = "X-Archive-Orig-"

#: What in the file is not as the server sent it; written into the ``warcinfo`` record.
NOT_AS_RECEIVED: tuple[str, ...] = (
    "HTTP status lines are rebuilt as 'HTTP/1.1 <status> <reason>': the received protocol version"
    " and reason phrase were not kept; the reason is Python's http.HTTPStatus phrase",
    "response bodies are as Scrapy handed them over: decoded from the Content-Encoding it"
    " understands (gzip, deflate, br, zstd), whose header it removed, so the original encoding"
    " is unknown; a Content-Encoding still present names one Scrapy could not decode, and the"
    " body is still in it",
    f"Content-Length is the stored body's length; a different received value is kept as"
    f" {ORIGINAL}Content-Length; Transfer-Encoding is renamed {ORIGINAL}Transfer-Encoding"
    " (the body is stored de-chunked)",
    "header names are as Scrapy normalises them (e.g. Etag for ETag) and values were kept as"
    " text; non-ASCII header bytes are %-encoded by warcio",
    "request records hold the headers Scrapy sent; Host and Connection, added by the HTTP"
    " client, were not recorded",
    "WARC-Date is when Scrapy handed over the response, to the second",
    "only the final response of a redirect chain was kept: the 3xx hops are not in the file and"
    " WARC-Target-URI is the URL that answered",
    "no WARC-IP-Address: the server's address was not kept; robots.txt fetches were not kept",
)
#: Extension fields of a web-archive copy's records: the archive URL fetched (the one that
#: answered) and when. WARC 1.1 defines none for this; these are warcit's and pywb's.
SOURCE_URI = "WARC-Source-URI"
CREATION_DATE = "WARC-Creation-Date"
#: How a web archive's copy differs from a page fetched from the site; added to the ``warcinfo``
#: record of a file that holds any.
WEB_ARCHIVE_NOTES: tuple[str, ...] = (
    f"a page read from a web archive (a record with {SOURCE_URI}) is recorded as the capture it"
    " is a copy of: WARC-Target-URI is the page's original URL on the site and WARC-Date the web"
    f" archive's capture time, to the second (not when it was fetched); {SOURCE_URI} is the web"
    f" archive's URL that answered and {CREATION_DATE} when ilo-crawler fetched it",
    "the HTTP status line and headers of a web-archive copy are the web archive's answer (the"
    " site's own headers, as far as it kept them, are its X-Archive-Orig-* headers), and its"
    f" request record holds the request sent to the web archive: its request line is that of the"
    f" {SOURCE_URI}, not of the original URL",
)


@dataclass
class WarcSummary:
    """What an export wrote: records by WARC type and the file's size."""

    path: Path
    records: Counter[str] = field(default_factory=Counter)
    size: int = 0

    def line(self) -> str:
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.records.items())
        return f"{self.path}: {sum(self.records.values())} records ({kinds}), {self.size} bytes"


def write_warc(
    archive: Archive,
    path: str | Path,
    *,
    since: str | None = None,
    until: str | None = None,
    kind: str | None = None,
    gzip: bool | None = None,
    overwrite: bool = False,
) -> WarcSummary:
    """Write the captures made in months ``since``..``until`` (``YYYY-MM``, inclusive; UTC: by
    ``captured_at``, the record's ``WARC-Date``) of one ``kind`` (or all) to ``path`` as WARC, in
    fetch order, atomically: the file appears
    whole or not at all. ``gzip`` None: gzip when the name ends in ``.gz``. An existing file is
    replaced only when ``overwrite`` (a WARC may be the only copy of what it holds).

    Raises ``ArchiveError`` (one line) for a bad month or kind, an empty selection (a WARC holding
    nothing but its ``warcinfo`` is far more likely a mistaken month than a wish), an existing
    file not to overwrite, or an unwritable path."""
    path = Path(path)
    selection = _Selection.of(since, until, kind)
    if path.exists() and path.resolve() == archive.path.resolve():
        raise ArchiveError(f"refusing to overwrite the archive itself with a WARC: {path}")
    if path.exists() and not overwrite:
        raise ArchiveError(f"{path} exists: give a new file name, or --force to replace it")
    with _snapshot(archive):
        overview = _overview(archive, selection)
        if not overview.captures:
            raise ArchiveError(f"no captures{selection.words} in {archive.path}")
        summary = WarcSummary(path)
        _write(archive, path, selection, overview, summary, gzip)
    return summary


@dataclass(frozen=True)
class _Selection:
    """Which captures to export, as words and as a WHERE clause (possibly empty)."""

    words: str  #: after a space (`` of kind article made 2021-11..now``), or ""
    where: str
    params: tuple[str, ...]

    @classmethod
    def of(cls, since: str | None, until: str | None, kind: str | None) -> _Selection:
        """Captures made in months ``since``..``until`` (inclusive, UTC) of one ``kind``: by
        when their content was captured (the fetch, or the web archive's capture)."""
        conditions, params, words = [], [], []
        if kind is not None:
            if kind not in KINDS:
                raise ArchiveError(f"invalid kind {kind!r}: expected one of {', '.join(KINDS)}")
            conditions.append("kind = ?")
            params.append(kind)
            words.append(f"of kind {kind}")
        if since is not None:
            conditions.append("captured_at >= ?")
            params.append(_month_start(since, "since").isoformat())
            words.append(f"made {since}..{until or 'now'}")
        if until is not None:
            start = _month_start(until, "until")
            conditions.append("captured_at < ?")
            params.append(
                dt.date(start.year + start.month // 12, start.month % 12 + 1, 1).isoformat()
            )
            if since is None:
                words.append(f"made until {until}")
        if since is not None and until is not None and since > until:
            raise ArchiveError(f"--since {since} is after --until {until}")
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        return cls("".join(f" {word}" for word in words), where, tuple(params))


def _month_start(month: str, name: str) -> dt.date:
    try:
        if len(month) != 7:
            raise ValueError
        return dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ArchiveError(
            f"invalid --{name} {month!r}: expected a month as YYYY-MM, e.g. 2021-11"
        ) from None


@contextlib.contextmanager
def _snapshot(archive: Archive) -> Iterator[None]:
    """One read transaction, so a crawl writing meanwhile cannot make the file disagree with its
    warcinfo record."""
    archive.db.execute("BEGIN")
    try:
        yield
    finally:
        archive.db.execute("ROLLBACK")


def _write(
    archive: Archive,
    path: Path,
    selection: _Selection,
    overview: _Overview,
    summary: WarcSummary,
    gzip: bool | None,
) -> None:
    """Write to a new file beside ``path`` and rename it over ``path`` once complete."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:  # created as a plain open() would, umask applied; never over another file
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise _cannot_write(path, error) from error
    try:
        with os.fdopen(descriptor, "wb") as out:
            writer = WARCWriter(out, gzip=path.name.endswith(".gz") if gzip is None else gzip)
            writer.write_record(_warcinfo(writer, archive, path, selection, overview))
            summary.records["warcinfo"] += 1
            for record in _capture_records(writer, archive, selection):
                writer.write_record(record)
                summary.records[record.rec_type] += 1
            out.flush()
            os.fsync(out.fileno())
            summary.size = out.tell()
        os.replace(temporary, path)
    except OSError as error:
        raise _cannot_write(path, error) from error
    finally:
        temporary.unlink(missing_ok=True)


def _cannot_write(path: Path, error: OSError) -> ArchiveError:
    return ArchiveError(f"cannot write {path}: {error.strerror or error}")


@dataclass
class _Overview:
    captures: int
    copies: int  #: of them, pages read from a web archive
    agents: list[str]
    runs: list[tuple[int, int | None]]  #: run id, robots.txt requests it made


def _overview(archive: Archive, selection: _Selection) -> _Overview:
    """How many captures the selection holds (how many read from a web archive), from which
    runs, sent with which User-Agent, and whether those runs fetched robots.txt (Scrapy does only
    when it obeys it)."""
    selected = f"SELECT * FROM captures{selection.where}"
    params = selection.params
    count, copies = archive.db.execute(
        f"SELECT count(*), count(*) FILTER (WHERE source = 'wayback') FROM ({selected})", params
    ).fetchone()
    agents = [
        row[0]
        for row in archive.db.execute(
            "SELECT DISTINCT json_extract(request_headers, '$.\"User-Agent\"[0]') AS agent"
            f" FROM ({selected}) WHERE agent IS NOT NULL ORDER BY agent",
            params,
        )
    ]
    runs = archive.db.execute(
        "SELECT id, json_extract(stats, '$.\"robotstxt/request_count\"') FROM runs"
        f" WHERE id IN (SELECT run_id FROM ({selected})) ORDER BY id",
        params,
    ).fetchall()
    return _Overview(count, copies, agents, [(run_id, fetched) for run_id, fetched in runs])


def _warcinfo(
    writer: WARCWriter,
    archive: Archive,
    path: Path,
    selection: _Selection,
    overview: _Overview,
) -> ArcWarcRecord:
    """The file's first record: what made it, from what, under which policy, and how it differs
    from what was received. Built by hand because ``note`` repeats."""
    run_ids = ", ".join(str(run_id) for run_id, _ in overview.runs) or "none recorded"
    if overview.runs and all(fetched for _, fetched in overview.runs):
        robots = f"obey (robots.txt was fetched by every run: {run_ids})"
    else:
        robots = f"unknown (robots.txt fetches are not recorded for every run of {run_ids})"
    copies = (
        f"; {overview.copies} of them are copies a web archive captured, read from it"
        if overview.copies
        else ""
    )
    fields = [
        ("software", f"ilo-crawler/{version('ilo-crawler')} (warcio/{version('warcio')})"),
        ("format", f"WARC File Format {WARC_VERSION.removeprefix('WARC/')}"),
        ("isPartOf", f"ilo-crawler archive {archive.path.resolve()}"),
        (
            "description",
            f"ILO Newsroom pages captured by ilo-crawler (Scrapy) and exported from its SQLite"
            f" archive: {overview.captures} captures{selection.words}, runs"
            f" {run_ids}{copies}",
        ),
        ("robots", robots),
        *(("http-header-user-agent", agent) for agent in overview.agents),
        *(("note", f"not as received: {note}") for note in NOT_AS_RECEIVED),
        *(("note", f"web archive: {note}") for note in WEB_ARCHIVE_NOTES if overview.copies),
    ]
    data = "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")
    return writer.create_warc_record(
        "",
        "warcinfo",
        payload=BytesIO(data),
        length=len(data),
        warc_headers_dict={"WARC-Filename": path.name},
    )


def _capture_records(
    writer: WARCWriter, archive: Archive, selection: _Selection
) -> Iterator[ArcWarcRecord]:
    """A request record and a response (or revisit) record per capture, in fetch order; one
    capture's body in memory at a time. A body identical to an earlier capture of the same URL
    in the file becomes a revisit (identical-payload-digest) referring to that capture. A web
    archive's copy is recorded under its original URL and capture time (see the module)."""
    first: dict[tuple[str, str], tuple[str, str, str]] = {}  # (URL, sha256): id, date, digest
    captures = archive.db.execute(
        "SELECT final_url, status, request_headers, headers, fetched_at, sha256, source,"
        f" original_url, captured_at FROM captures{selection.where} ORDER BY fetched_at, id",
        selection.params,
    )
    for answered, status, request_headers, headers, fetched_at, sha256, *provenance in captures:
        url, date, source_fields = _target(answered, fetched_at, *provenance)
        request_id, response_id = (StatusAndHeadersParser.make_warc_id() for _ in range(2))
        request = writer.create_warc_record(
            url,
            "request",
            http_headers=StatusAndHeaders(
                f"GET {_request_target(answered)} HTTP/1.1",
                _pairs(json.loads(request_headers)),
                is_http_request=True,
            ),
            warc_headers_dict={
                "WARC-Record-ID": request_id,
                "WARC-Date": date,
                "WARC-Concurrent-To": response_id,
                **source_fields,
            },
        )
        body = archive.stored_body(sha256)
        http_headers = StatusAndHeaders(
            _status_line(status), _response_headers(json.loads(headers), len(body)), "HTTP/1.1"
        )
        linked = {
            "WARC-Record-ID": response_id,
            "WARC-Date": date,
            "WARC-Concurrent-To": request_id,
            **source_fields,
        }
        earlier = first.get((url, sha256))
        if earlier:
            earlier_id, earlier_date, digest = earlier
            response = writer.create_revisit_record(
                url,
                digest,
                url,
                earlier_date,
                http_headers=http_headers,
                warc_headers_dict={**linked, "WARC-Refers-To": earlier_id},
            )
        else:
            response = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(body),
                length=len(body),
                http_headers=http_headers,
                warc_headers_dict=linked,
            )
            digest = response.rec_headers.get_header("WARC-Payload-Digest")
            first[(url, sha256)] = (response_id, date, digest)
        yield request
        yield response


def _target(
    answered: str, fetched_at: str, source: str, original_url: str, captured_at: str
) -> tuple[str, str, dict[str, str]]:
    """A capture's WARC-Target-URI, WARC-Date and extension fields: for a page fetched from the
    site, the URL that answered and the fetch time; for a web archive's copy, the original URL and
    the capture time, with the archive URL that answered and the fetch time kept aside."""
    if source != "wayback":  # fetched from a site itself (the WCMS, or the current site)
        return answered, _warc_date(fetched_at), {}
    fetched = {SOURCE_URI: answered, CREATION_DATE: _warc_date(fetched_at)}
    return original_url, _warc_date(captured_at), fetched


def _warc_date(stored: str) -> str:
    """``2021-11-15T10:00:00+00:00`` (a time as the archive stores it) as WARC 1.0 wants it:
    ``2021-11-15T10:00:00Z``."""
    moment = dt.datetime.fromisoformat(stored).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _status_line(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} "


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _pairs(headers: Mapping[str, list[str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, values in headers.items() for value in values]


def _response_headers(headers: Mapping[str, list[str]], length: int) -> list[tuple[str, str]]:
    """The recorded headers made true of the stored body: its length, no transfer coding. The
    replaced values are kept under ``X-Archive-Orig-``. Content-Encoding stays: Scrapy removes
    the ones it decodes, so one still recorded is one the stored body is still in."""
    pairs: list[tuple[str, str]] = []
    for name, value in _pairs(headers):
        lowered = name.lower()
        if lowered == "transfer-encoding" or (lowered == "content-length" and value != str(length)):
            pairs.append((ORIGINAL + name, value))
        elif lowered != "content-length":
            pairs.append((name, value))
    return [*pairs, ("Content-Length", str(length))]
