"""Keeping an archive trustworthy: checking it end to end, and re-extracting it from its captures.

Both work on the archive alone, without the network: what was fetched is in ``captures``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import sqlite3
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ilo_crawler.archive.lock import ArchiveLock
from ilo_crawler.archive.schema import SCHEMA_VERSION, ReadOnlyOpenError, connect_read_only
from ilo_crawler.archive.store import Archive, ArchiveError, StoreOutcome, decode_body
from ilo_crawler.items import article_item
from ilo_crawler.normalize.categories import Taxonomy
from ilo_crawler.normalize.fields import category_fields, date_fields
from ilo_crawler.sites.pages import ArticlePage, ListingEntry
from ilo_crawler.sites.registry import site_of_url
from ilo_crawler.sites.wcms.documents import PDF_DOCUMENT, pdf_document


@dataclass(frozen=True)
class Check:
    """One verification: its name, how many problems it found, and a few examples."""

    name: str
    problems: int
    examples: tuple[str, ...] = ()
    #: what it lists is not a fault but a question left open (a join the evidence could not
    #: decide): listed apart, and no reason for a non-zero exit status
    pending: bool = False

    @property
    def ok(self) -> bool:
        return self.problems == 0


def verify(archive: Archive) -> list[Check]:
    """Every check, each run whatever the others found; a check that SQLite cannot complete (a
    damaged page) is a problem named by SQLite's error, not a crash."""
    connection = archive.db.conn
    checks = [_guarded(name, check, connection) for name, check in _CHECKS]
    pending = _guarded(_UNDECIDED, _undecided_joins, connection)
    return [*checks, _runs_left_running(archive), replace(pending, pending=True)]


def verify_damaged(path: Path) -> list[Check] | None:
    """What SQLite's own integrity check finds in a file too damaged to open as an archive (its
    schema unreadable); None when the file is not an SQLite database at all."""
    with path.open("rb") as file:
        if file.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            return None
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [_guarded(_INTEGRITY, _integrity, connection)]
    finally:
        connection.close()


_SQLITE_HEADER = b"SQLite format 3\x00"
_INTEGRITY = "sqlite integrity_check"


#: What a check found: how many problems, and up to five examples.
Found = tuple[int, tuple[str, ...]]


def _guarded(
    name: str, check: Callable[[sqlite3.Connection], Found], connection: sqlite3.Connection
) -> Check:
    try:
        return Check(name, *check(connection))
    except sqlite3.DatabaseError as error:
        return Check(name, 1, (f"could not complete: {error}",))


def _schema_version(connection: sqlite3.Connection) -> Found:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    return int(version != SCHEMA_VERSION), (f"version {version}",)


def _captures_explained(connection: sqlite3.Connection) -> Found:
    found = connection.execute(_UNEXPLAINED_WITHOUT_CAPTURE).fetchall()
    return len(found), tuple(f"{doc_id}/{lang}" for doc_id, lang in found[:5])


def schema_version(path: Path) -> int:
    """The schema version of the archive at ``path``, read without writing to it."""
    if not path.is_file():
        raise ArchiveError(f"archive not found: {path}")
    try:
        connection = connect_read_only(path)
    except (sqlite3.DatabaseError, ReadOnlyOpenError) as error:
        raise ArchiveError(f"cannot read archive {path}: {error}") from error
    try:
        return connection.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise ArchiveError(f"not an SQLite archive: {path} ({error})") from error
    finally:
        connection.close()


def _runs_left_running(archive: Archive) -> Check:
    """Runs still marked ``running`` while no crawl holds the lock: their process died (the next
    crawl marks them ``ended_abnormally``; what they committed is sound)."""
    name = "no run left marked running by a process that died"
    if ArchiveLock.is_held(archive.path):
        return Check(name, 0)
    runs = archive.runs_left_running()
    return Check(
        name,
        len(runs),
        tuple(
            f"run {run['id']} (started {run['started_at']}) ended abnormally; the next crawl "
            "marks it so"
            for run in runs[:5]
        ),
    )


#: Articles without an article-page capture whose gap nothing explains: not an item without an
#: article page (``LISTING_`` keys), nor a failure still open (retried by the next live run), nor
#: named missing from a month read from a web archive.
_UNEXPLAINED_WITHOUT_CAPTURE = """
    SELECT a.identity, a.lang FROM copies a
    WHERE a.capture_id IS NULL AND a.site != 'listing'
      AND NOT EXISTS (SELECT 1 FROM failures f WHERE f.resolved_at IS NULL
                      AND f.doc_id = a.identity AND f.lang = a.lang)
      AND NOT EXISTS (SELECT 1 FROM completeness c, json_each(c.missing) m
                      WHERE c.lang = a.lang AND json_extract(m.value, '$.doc_id') = a.identity)
    ORDER BY a.identity, a.lang
"""


def _integrity(connection: sqlite3.Connection) -> Found:
    found = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    bad = [message for message in found if message != "ok"]
    return len(bad), tuple(bad[:5])


def _foreign_keys(connection: sqlite3.Connection) -> Found:
    rows = connection.execute("PRAGMA foreign_key_check").fetchall()
    return len(rows), tuple(f"{r[0]} row {r[1]} -> {r[2]}" for r in rows[:5])


def _fts_in_sync(connection: sqlite3.Connection) -> Found:
    """FTS5's own integrity check against its content table (rank 1: compare with the content).
    The check is an INSERT command, refused on a read-only connection: there it runs on a
    private copy of the archive in a temporary directory."""
    try:
        return _fts_integrity_check(connection)
    except sqlite3.OperationalError as error:
        if str(error) != _READ_ONLY:
            raise
    with tempfile.TemporaryDirectory(prefix="ilo-verify-") as directory:
        copy = sqlite3.connect(Path(directory) / "copy.db")
        try:
            connection.backup(copy)
            return _fts_integrity_check(copy)
        finally:
            copy.close()


def _fts_integrity_check(connection: sqlite3.Connection) -> Found:
    try:
        connection.execute(
            "INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)"
        )
    except sqlite3.DatabaseError as error:
        if str(error) == _READ_ONLY:
            raise
        return 1, (str(error),)
    return 0, ()


_READ_ONLY = "attempt to write a readonly database"


def _capture_hashes(connection: sqlite3.Connection) -> Found:
    """Every stored body hashes to its key, and every capture's size matches its body: one pass
    over the bodies (their sizes kept by hash), then one over the captures, so the check grows
    with the archive, not with its square (captures are not indexed by hash)."""
    bad = []
    sizes: dict[str, int | None] = {}  #: None: a body that cannot be read or is not its hash's
    for sha256, encoding, body in connection.execute(
        "SELECT sha256, encoding, body FROM capture_bodies"
    ):
        sizes[sha256] = None
        try:
            data = decode_body(encoding, body)
        except (zlib.error, ArchiveError) as error:
            bad.append(f"{sha256[:12]}: {error}")
            continue
        if hashlib.sha256(data).hexdigest() != sha256:
            bad.append(f"{sha256[:12]}: body does not hash to its key")
            continue
        sizes[sha256] = len(data)
    orphans = 0
    for capture_id, sha256, size in connection.execute("SELECT id, sha256, size FROM captures"):
        if sha256 not in sizes:
            orphans += 1
        elif sizes[sha256] not in (None, size):
            bad.append(f"capture {capture_id}: size differs from its body")
    if orphans:
        bad.append(f"{orphans} captures without a stored body")
    return len(bad), tuple(bad[:5])


def _one_document_per_site(connection: sqlite3.Connection) -> Found:
    """No article holds two documents of one site in one language: two WCMS documents (or two
    nodes) are two articles, whatever their titles say."""
    rows = connection.execute(
        "SELECT doc_id, lang, site, group_concat(identity, ', ') FROM copies"
        " WHERE site != 'listing' GROUP BY doc_id, lang, site HAVING count(*) > 1"
        " ORDER BY doc_id, lang"
    ).fetchall()
    return len(rows), tuple(
        f"{doc_id}/{lang} holds {identities} ({site})" for doc_id, lang, site, identities in rows
    )


def _article_rows_from_copies(connection: sqlite3.Connection) -> Found:
    """Every article row shows one of its copies, and every copy's article has its row."""
    rows = connection.execute(
        "SELECT a.doc_id, a.lang FROM articles a WHERE NOT EXISTS (SELECT 1 FROM copies c"
        " WHERE c.identity = a.copy AND c.lang = a.lang AND c.doc_id = a.doc_id)"
        " UNION SELECT c.doc_id, c.lang FROM copies c WHERE NOT EXISTS (SELECT 1 FROM articles a"
        " WHERE a.doc_id = c.doc_id AND a.lang = c.lang) ORDER BY 1, 2"
    ).fetchall()
    return len(rows), tuple(f"{doc_id}/{lang}" for doc_id, lang in rows[:5])


_UNDECIDED = "joins left undecided (listed, not faults)"


def _undecided_joins(connection: sqlite3.Connection) -> Found:
    """Copies with candidates on the other site too alike to choose from, or whose links would
    join two documents of one site: left apart (the archive never merges by guess)."""
    rows = connection.execute(
        "SELECT identity, lang, reason, candidates FROM identity_conflicts"
        " ORDER BY identity, lang, reason"
    ).fetchall()
    return len(rows), tuple(
        f"{identity}/{lang} {reason}: "
        + ", ".join(
            f"{c['identity']} {c['score']}" if "score" in c else c["identity"]
            for c in json.loads(candidates)
        )
        for identity, lang, reason, candidates in rows[:5]
    )


#: The checks ``verify`` runs, in order: a heading and the function finding its problems.
_CHECKS: tuple[tuple[str, Callable[[sqlite3.Connection], Found]], ...] = (
    (_INTEGRITY, _integrity),
    ("foreign keys", _foreign_keys),
    ("full-text index in step with articles", _fts_in_sync),
    ("schema is current", _schema_version),
    ("every copy has a capture (or a known gap)", _captures_explained),
    ("capture bodies match their hashes", _capture_hashes),
    ("no article holds two documents of one site and language", _one_document_per_site),
    ("every article row shows one of its copies", _article_rows_from_copies),
)


#: A backup's outcome for the runs still at work when it was taken (not ended abnormally: the
#: copy only holds what they had committed by then).
RUNNING_AT_BACKUP = "running at backup"


def backup(archive: Archive, target: Path) -> dict[str, int]:
    """A consistent copy of the archive while crawls may be writing it, by SQLite's backup API
    (a file copy of a WAL archive can miss or tear the transactions still in its ``-wal``):
    written beside ``target`` under a temporary name, checked (``quick_check``), made durable
    and renamed into place, so a failure leaves no partial file. An existing ``target`` is
    refused: a backup never overwrites. Runs still at work are marked ``running at backup`` in
    the copy. Returns what the copy holds."""
    if target.exists():
        raise ArchiveError(f"backup target {target} exists: give a new file name")
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        copy = sqlite3.connect(partial)
        try:
            archive.db.conn.backup(copy)
            with copy:  # in the copy, a run still at work is one whose end it does not hold
                copy.execute(
                    "UPDATE runs SET outcome = ? WHERE outcome = 'running'", (RUNNING_AT_BACKUP,)
                )
            (check,) = copy.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise ArchiveError(f"the backup of {archive.path} fails SQLite's check: {check}")
            held = {
                table: copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("articles", "runs", "captures")
            }
        finally:
            copy.close()
        with partial.open("rb") as file:
            os.fsync(file.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return {**held, "bytes": target.stat().st_size}


def reparse(archive: Archive, taxonomy: Taxonomy | None = None) -> dict[str, int]:
    """Re-run extraction and normalisation over the stored captures of every copy, and write
    the results through the crawl's own dedup and revision path (the joins weighed again from
    what the copies now say), as a run of its own (spider ``reparse``). Copies with no stored
    listing or article capture are counted and left as they are."""
    counts: dict[str, int] = {"new": 0, "changed": 0, "unchanged": 0, "without_captures": 0}
    with recorded_run(archive, "reparse", counts) as run_id, archive.transaction():
        for record in _records_from_captures(archive, taxonomy):
            if record is None:
                counts["without_captures"] += 1
                continue
            outcome: StoreOutcome = archive.store_article(record, run_id, sighting=False)
            counts[outcome] += 1
    return {**counts, "run_id": run_id}


def renormalize(archive: Archive, taxonomy: Taxonomy | None = None) -> dict[str, int]:
    """``Archive.renormalize`` recorded as a run of its own (spider ``renormalize``): its changed
    articles count as changed, the others as unchanged."""
    counts: dict[str, int] = {}
    with recorded_run(archive, "renormalize", counts) as run_id:
        found = archive.renormalize(taxonomy)
        counts.update(found, unchanged=found["articles"] - found["changed"])
    return {**found, "run_id": run_id}


@contextlib.contextmanager
def recorded_run(archive: Archive, mode: str, counts: dict[str, int]) -> Iterator[int]:
    """A run of the archive's own (``mode`` is its spider name and its recorded mode; no base
    URL): finished with ``counts`` as they stand at the end, or failed (exit status 1) if the
    work raised."""
    run_id = archive.start_run(mode, {"mode": mode}, None)
    try:
        yield run_id
    except BaseException:
        archive.finish_run(
            run_id, outcome="failed", counts=counts, requests=0, stats=counts, exit_status=1
        )
        raise
    archive.finish_run(
        run_id, outcome="finished", counts=counts, requests=0, stats=counts, exit_status=0
    )


def _records_from_captures(
    archive: Archive, taxonomy: Taxonomy | None
) -> Iterator[dict[str, Any] | None]:
    """One record per archived copy (an identity in one language), rebuilt from its last
    appearance's listing capture and its article capture exactly as the spider and pipelines
    would build it; None where the captures are missing."""
    sources = archive.db.query(
        f"""
        SELECT a.identity AS doc_id, a.lang, a.capture_id, p.listing, p.listing_url, p.position,
               p.listing_capture_id, c.fetched_at, c.source, c.captured_at, c.url AS capture_url,
               c.original_url, c.headers AS capture_headers,
               {_PAGE_URL} AS page_url
        FROM copies a
        LEFT JOIN appearances p ON p.rowid = (
            SELECT rowid FROM appearances WHERE doc_id = a.identity AND lang = a.lang
            ORDER BY run_id DESC LIMIT 1)
        LEFT JOIN captures c ON c.id = a.capture_id
        ORDER BY a.identity, a.lang
        """
    )
    listings: dict[int, Any] = {}
    for source in list(sources):
        if source["capture_id"] is None or source["listing_capture_id"] is None:
            yield None
            continue
        listing_capture = source["listing_capture_id"]
        if listing_capture not in listings:
            url = archive.db.execute(
                f"SELECT {_PAGE_URL} FROM captures c WHERE id = ?", (listing_capture,)
            ).fetchone()[0]
            listings[listing_capture] = site_of_url(url).parse_listing(
                archive.capture_body(listing_capture), url
            )
        entry = _entry_at(
            listings[listing_capture].entries,
            source["position"],
            source["doc_id"],
            source["original_url"],
        )
        if entry is None:
            yield None
            continue
        page_url = source["page_url"]
        body = archive.capture_body(source["capture_id"])
        pdf = pdf_document(page_url, _content_type(source["capture_headers"]), body)
        if pdf is not None:  # a document that is a PDF, as the crawl archived it
            page = ArticlePage(pdf, source["doc_id"], source["lang"], False, type=PDF_DOCUMENT)
        else:
            page = site_of_url(page_url).parse_article(body, page_url)
        item = asdict(
            article_item(
                doc_id=source["doc_id"],
                lang=source["lang"],
                listing=source["listing"],
                listing_url=source["listing_url"],
                entry=entry,
                article=page,
            )
        )
        if pdf is not None:
            item["url"] = pdf
        item["fetched_at"] = source["fetched_at"]
        item.update(  # the provenance of the capture it was read from, as the crawl gave it
            source=source["source"],
            captured_at=source["captured_at"],
            archive_url=source["capture_url"] if source["source"] == "wayback" else None,
        )
        item.update(
            date_fields(
                lang=item["lang"],
                date_text=item["date_text"],
                article_date_text=item["article_date_text"],
                heading=item["listing_heading"],
                crawl_date=dt.date.fromisoformat(source["fetched_at"][:10]),
                date_value=item.get("date_value"),
            )
        )
        item.update(category_fields(item["label"], taxonomy))
        yield item


def _content_type(headers: str | None) -> bytes | None:
    """The ``Content-Type`` a capture was received with (its headers as stored: JSON)."""
    received = {name.lower(): values for name, values in json.loads(headers or "{}").items()}
    values = received.get("content-type")
    return values[0].encode("latin-1") if values else None


#: The URL a capture's page is read against: the page's URL on the site (after redirects for a
#: live fetch; a web archive's copy is read as the page it copies, as the crawl read it).
_PAGE_URL = "CASE c.source WHEN 'wayback' THEN c.original_url ELSE c.final_url END"


def _entry_at(
    entries: tuple[ListingEntry, ...], position: int, doc_id: str, page_url: str | None
) -> ListingEntry | None:
    """The listing entry the article was seen as: at its recorded position if that entry links to
    the article page (the document its URL names, or the page's own URL), else wherever on the
    page one does."""
    path = urlsplit(page_url).path if page_url else None
    linking = [
        entry
        for entry in entries
        if entry.url and (f"/{doc_id}/" in entry.url or urlsplit(entry.url).path == path)
    ]
    at_position = [entry for entry in linking if entry.position == position]
    return (at_position or linking or [None])[0]
