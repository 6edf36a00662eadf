"""The SQLite archive: opening it safely, recording runs, and writing articles with their history.

Every write of a batch happens in one transaction, so a reader (or a crash) never sees half of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import sqlite_utils

from ilo_crawler.archive.schema import (
    CONTENT_FIELDS,
    DERIVED_FIELDS,
    MIGRATIONS,
    SCHEMA_VERSION,
    ReadOnlyOpenError,
    connect_read_only,
    unreadable_reason,
)
from ilo_crawler.normalize.categories import Taxonomy
from ilo_crawler.normalize.fields import category_fields, date_fields, title_key
from ilo_crawler.sites import LISTING_ONLY, identity_site
from ilo_crawler.sites.wcms.urls import offset_in_url

logger = logging.getLogger(__name__)

StoreOutcome = Literal["new", "changed", "unchanged"]


class ArchiveError(Exception):
    """The archive cannot be used; the message is one line meant for the person running the tool."""


def check_writable(path: str | Path) -> None:
    """Refuse, before anything is created, an archive that cannot be created or written there:
    an existing file must be writable, and its directory must exist (a missing one is not made:
    a mistyped path would start a new archive) and be writable (SQLite keeps its ``-wal`` and
    ``-shm`` files, and the crawl its lock, beside the archive)."""
    path = Path(path)
    directory = path.parent
    if path.exists() and not path.is_file():
        raise ArchiveError(f"cannot use {path} as the archive: it is not a file")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise ArchiveError(f"cannot write the archive {path}: permission denied")
    if not directory.is_dir():
        raise ArchiveError(
            f"cannot create the archive {path}: directory {directory} does not exist "
            "(create it first)"
        )
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ArchiveError(
            f"cannot {'write' if path.exists() else 'create'} the archive {path}: directory "
            f"{directory} is not writable (the archive needs its -wal, -shm and .lock files "
            "beside it)"
        )


def write_error(path: str | Path, error: BaseException | str) -> str:
    """One line for a failed write: the archive, the cause and the free space where it lives."""
    try:
        space = shutil.disk_usage(Path(path).resolve().parent).free
    except OSError:
        free = "free space unknown"
    else:
        free = f"{space / 2**20:.1f} MiB free" if space >= 2**20 else f"{space // 1024} KiB free"
    return f"cannot write the archive {path}: {error} ({free} on its filesystem)"


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Archive:
    """One connection to ``data/archive.db`` (or another path), schema checked and created."""

    def __init__(self, path: str | Path, *, create: bool = True, read_only: bool = False) -> None:
        """``read_only``: never write to the file (no migration, no journal change): for readers,
        who may lack write access; an archive of an older schema or an empty file is refused."""
        self.path = Path(path)
        #: Articles joined to their copy on the other site by this connection, and copies left
        #: apart because they matched two or more (the run summary says both).
        self.joined_across_sites = 0
        self.identity_conflicts = 0
        if (read_only or not create) and not self.path.exists():
            raise ArchiveError(f"archive not found: {self.path}")
        if create and not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        empty_file = self.path.exists() and self.path.stat().st_size == 0
        try:
            self.db = sqlite_utils.Database(
                connect_read_only(self.path)
                if read_only
                else sqlite3.connect(self.path, timeout=30)
            )
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            tables = set(self.db.table_names())
        except ReadOnlyOpenError as error:
            raise ArchiveError(str(error)) from error
        except sqlite3.OperationalError as error:  # cannot be opened or read: not its content
            raise ArchiveError(f"cannot open the archive {self.path}: {error}") from error
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"not an SQLite archive: {self.path} ({error})") from error
        if version > SCHEMA_VERSION:
            raise ArchiveError(
                f"archive {self.path} has schema version {version}, newer than this "
                f"ilo-crawler understands ({SCHEMA_VERSION}); upgrade ilo-crawler"
            )
        if version == 0 and tables - {"sqlite_sequence"}:
            raise ArchiveError(f"{self.path} is an SQLite file but not an ilo-crawler archive")
        if read_only:
            problem = unreadable_reason(self.path, version)
            if problem:
                raise ArchiveError(problem)
            return
        if empty_file:
            logger.warning("initialising a new archive in %s (the file was empty)", self.path)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            for step, statements in enumerate(MIGRATIONS[version:], start=version + 1):
                with self.db.atomic():  # each step whole or not at all
                    for statement in statements:
                        self.db.execute(statement)
                    self.db.execute(f"PRAGMA user_version={step}")
        except sqlite3.OperationalError as error:  # read-only file or directory, disk full
            self.db.close()
            raise ArchiveError(write_error(self.path, error)) from error

    def close(self) -> None:
        self.db.close()

    # Runs ------------------------------------------------------------------------------------
    def start_run(self, spider: str, arguments: Mapping[str, Any], base_url: str | None) -> int:
        with self.db.atomic():
            table = self.db.table("runs")
            table.insert(
                {
                    "spider": spider,
                    "arguments": json.dumps(dict(arguments), sort_keys=True),
                    "base_url": base_url,
                    "started_at": utc_now(),
                }
            )
            return int(table.last_pk)

    def finish_run(
        self,
        run_id: int,
        *,
        outcome: str,
        counts: Mapping[str, int],
        requests: int | None,
        stats: Mapping[str, Any],
        exit_status: int | None = None,
        field_coverage: Mapping[str, float] | None = None,
    ) -> None:
        with self.db.atomic():
            self.db.table("runs").update(
                run_id,
                {
                    "finished_at": utc_now(),
                    "outcome": outcome,
                    "exit_status": exit_status,
                    "items_new": counts.get("new", 0),
                    "items_changed": counts.get("changed", 0),
                    "items_unchanged": counts.get("unchanged", 0),
                    "requests": requests,
                    "field_coverage": json.dumps(field_coverage) if field_coverage else None,
                    "stats": json.dumps(stats, sort_keys=True, default=str),
                },
            )

    def runs_left_running(self) -> list[dict[str, Any]]:
        """Crawl runs still marked ``running``: while no process holds the archive's lock, each
        ended abnormally (``kill -9``, a power cut, its final write failed). Offline runs
        (``OFFLINE_RUNS``) take no lock, so one of them may still be at work."""
        marks = ", ".join("?" for _ in OFFLINE_RUNS)
        return list(
            self.db.query(
                f"SELECT id, spider, started_at FROM runs WHERE outcome = 'running'"
                f" AND spider NOT IN ({marks}) ORDER BY id",
                OFFLINE_RUNS,
            )
        )

    def end_abandoned_runs(self) -> list[dict[str, Any]]:
        """Mark every run ``runs_left_running`` as ``ended_abnormally``, with the counts of what
        it committed (its requests are unknown); call only while holding the archive's lock.
        Returns the runs marked."""
        runs = self.runs_left_running()
        with self.db.atomic():
            for run in runs:
                new, changed, seen = self.db.execute(
                    "SELECT (SELECT count(*) FROM articles WHERE first_run = :id),"
                    " (SELECT count(*) FROM revisions WHERE run_id = :id),"
                    " (SELECT count(*) FROM appearances WHERE run_id = :id)",
                    {"id": run["id"]},
                ).fetchone()
                note = (
                    f"found still running at {utc_now()} with no process holding the archive's "
                    "lock; counts are what it had committed"
                )
                self.db.table("runs").update(
                    run["id"],
                    {
                        "outcome": ABANDONED,
                        "items_new": new,
                        "items_changed": changed,
                        "items_unchanged": max(0, seen - new - changed),
                        "stats": json.dumps({"ended_abnormally": note}),
                    },
                )
        return runs

    # Writes ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything written inside is committed together, or not at all. (sqlite-utils commits
        each write made outside such a block at once: every multi-statement write needs one.)"""
        with self.db.atomic():
            yield

    def add_capture(self, capture: Mapping[str, Any], run_id: int | None) -> int:
        """Keep a fetched page as received; identical bodies are stored once (by SHA-256)."""
        body: bytes = capture["body"]
        digest = hashlib.sha256(body).hexdigest()
        self.db.execute(
            "INSERT OR IGNORE INTO capture_bodies (sha256, encoding, body) VALUES (?, 'zlib', ?)",
            (digest, zlib.compress(body, 6)),
        )
        cursor = self.db.execute(
            "INSERT INTO captures (run_id, kind, url, final_url, status, request_headers, headers,"
            " fetched_at, sha256, size, source, doc_id, lang, original_url, captured_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                capture["kind"],
                capture["url"],
                capture["final_url"],
                capture["status"],
                json.dumps(capture["request_headers"]),
                json.dumps(capture["headers"]),
                capture["fetched_at"],
                digest,
                len(body),
                capture.get("source") or "live",
                capture.get("doc_id"),
                capture.get("lang"),
                capture.get("original_url") or capture["url"],
                capture.get("captured_at") or capture["fetched_at"],
            ),
        )
        return int(cursor.lastrowid)

    def capture_body(self, capture_id: int) -> bytes:
        """The body of a capture, as it was received."""
        (sha256,) = self.db.execute(
            "SELECT sha256 FROM captures WHERE id = ?", (capture_id,)
        ).fetchone()
        return self.stored_body(sha256)

    def stored_body(self, sha256: str) -> bytes:
        """A stored body, by its SHA-256, as it was received."""
        encoding, body = self.db.execute(
            "SELECT encoding, body FROM capture_bodies WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return decode_body(encoding, body)

    def store_articles(
        self, records: Iterable[Mapping[str, Any]], run_id: int | None
    ) -> list[StoreOutcome]:
        """Write a batch of articles in one transaction (see ``store_article``)."""
        with self.transaction():
            return [self.store_article(record, run_id) for record in records]

    def store_article(
        self, record: Mapping[str, Any], run_id: int | None, *, sighting: bool = True
    ) -> StoreOutcome:
        """Write one article with its capture and, within a run, its appearance in the listing:
        a new row; an unchanged row touched; a changed row updated with its previous state kept
        in ``revisions``. Call inside ``transaction()`` so the three land together.

        ``sighting=False`` (re-extraction from stored captures) changes the content and derived
        fields only: the article was not seen again, so no appearance and no last-seen update."""
        capture_id = self.add_capture(record["capture"], run_id) if record.get("capture") else None
        now = utc_now()
        row = _row(record)
        identity = row["doc_id"]
        row["doc_id"], copy_hash = self._article_of(row, run_id, now)
        key = (row["doc_id"], row["lang"])
        old = next(self.db.query("SELECT * FROM articles WHERE doc_id = ? AND lang = ?", key), None)
        seen = {name: row[name] for name in ("url", "listing", "listing_heading", "listing_hash")}
        if sighting:
            seen.update(last_run=run_id, last_seen_at=now)
        if capture_id is not None:  # the record now shows this capture: its provenance too
            seen.update(
                capture_id=capture_id,
                gone_at=None,
                **{name: row[name] for name in PROVENANCE_FIELDS},
            )
        error = record.get("fetch_error")
        gone = record.get("fetch_status") in GONE_STATUSES
        if gone:  # the page is gone from the site: keep the article, say since when
            seen["gone_at"] = old["gone_at"] if old is not None and old["gone_at"] else now
        if old is None:
            values = {**row, "last_run": run_id, "last_seen_at": now, **seen}
            self._insert(
                "articles",
                {
                    **values,
                    "revision": 1,
                    "first_run": run_id,
                    "first_seen_at": now,
                    "updated_at": now,
                },
            )
            outcome: StoreOutcome = "new"
        elif error and old["body"] is not None:
            # A failed fetch says nothing about the article: keep what was archived.
            self._update_article(key, seen)
            outcome = "unchanged"
        elif old["content_hash"] == row["content_hash"]:
            self._update_article(key, {**{name: row[name] for name in DERIVED_FIELDS}, **seen})
            outcome = "unchanged"
        elif copy_hash == row["content_hash"] and self._shows_another_copy(old, identity):
            # This site's copy is as it was when last read; the row shows the other site's newer
            # state: kept (reading the two copies in turn must not make a revision each time).
            if sighting:
                self._update_article(key, {"last_run": run_id, "last_seen_at": now})
            outcome = "unchanged"
        else:
            self._keep_revision(old, row, run_id, now)
            self._update_article(
                key, {**row, **seen, "revision": old["revision"] + 1, "updated_at": now}
            )
            outcome = "changed"
        if record.get("url") and error and not gone and row["source"] != "wayback":
            # (A web archive's gaps are reported per month in ``completeness``, not retried.)
            self.record_failure(record["url"], "article", error, run_id, record)
        elif record.get("url") and (capture_id is not None or gone):
            self.resolve_failure(record["url"], key)
        if sighting and run_id is not None and record.get("listing_url"):
            # (An article checked because it left the sitemap was seen in no listing.)
            self._record_appearance(record, row, run_id, capture_id, now)
        self._keep_identity(identity, row, now)
        return outcome

    # Identities ------------------------------------------------------------------------------
    def _article_of(
        self, row: Mapping[str, Any], run_id: int | None, now: str
    ) -> tuple[str, str | None]:
        """The ``doc_id`` of the article a record is of: the one its identity was already
        joined to; else the article of the other site it is a copy of (see ``_copy_of``);
        else a new article under its own identity. With it, the content fingerprint of this
        identity's copy as last read (None for a new identity)."""
        known = self.db.execute(
            "SELECT doc_id, content_hash FROM identities WHERE identity = ? AND lang = ?",
            (row["doc_id"], row["lang"]),
        ).fetchone()
        if known is not None:
            return known[0], known[1]
        return self._copy_of(row, run_id, now) or row["doc_id"], None

    def _copy_of(self, row: Mapping[str, Any], run_id: int | None, now: str) -> str | None:
        """The archived article a record with a new identity is another copy of: the item
        archived from a listing alone at the same URL (its page could not be read then); or
        the one article of the other site with the same language, date and title (after
        ``title_key``) that has no identity on the record's site yet. Two or more such
        articles are a conflict: recorded (``identity_conflicts``), said, and left apart."""
        identity, lang = row["doc_id"], row["lang"]
        site = identity_site(identity)
        if site == LISTING_ONLY:
            return None
        if row["url"]:
            placeholder = self.db.execute(
                "SELECT doc_id FROM identities WHERE url = ? AND lang = ? AND site = ?",
                (row["url"], lang, LISTING_ONLY),
            ).fetchone()
            if placeholder is not None:
                return placeholder[0]
        title = title_key(row["title"])
        if title is None or row["published"] is None:
            return None
        candidates = [
            doc_id
            for doc_id, other in self.db.execute(
                "SELECT a.doc_id, a.title FROM articles a WHERE a.lang = ? AND a.published = ?"
                " AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.doc_id = a.doc_id"
                " AND i.lang = a.lang AND i.site IN (?, ?))",
                (lang, row["published"], site, LISTING_ONLY),
            )
            if title_key(other) == title
        ]
        if len(candidates) == 1:
            self.joined_across_sites += 1
            return candidates[0]
        if candidates:
            self.identity_conflicts += 1
            logger.warning(
                "%s/%s matches %d archived articles of another site (%s): kept apart, not "
                "merged by guess (ilo-archive verify lists it)",
                identity,
                lang,
                len(candidates),
                ", ".join(sorted(candidates)),
            )
            self.db.execute(
                "INSERT OR REPLACE INTO identity_conflicts (identity, lang, candidates, run_id,"
                " seen_at) VALUES (?, ?, ?, ?, ?)",
                (identity, lang, json.dumps(sorted(candidates)), run_id, now),
            )
        return None

    def _shows_another_copy(self, old: Mapping[str, Any], identity: str) -> bool:
        """Does the article's row show what another of its identities read last?"""
        return (
            self.db.execute(
                "SELECT 1 FROM identities WHERE doc_id = ? AND lang = ? AND identity != ?"
                " AND content_hash = ?",
                (old["doc_id"], old["lang"], identity, old["content_hash"]),
            ).fetchone()
            is not None
        )

    def _keep_identity(self, identity: str, row: Mapping[str, Any], now: str) -> None:
        """Record (or touch) the identity a record was read under, with the URL it was read at
        and the fingerprints of what this copy showed."""
        self.db.execute(
            "INSERT INTO identities (identity, lang, doc_id, site, url, content_hash,"
            " listing_hash, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (identity, lang) DO UPDATE SET last_seen_at = excluded.last_seen_at,"
            " url = coalesce(excluded.url, url), content_hash = excluded.content_hash,"
            " listing_hash = excluded.listing_hash",
            (
                identity,
                row["lang"],
                row["doc_id"],
                identity_site(identity),
                row["url"],
                row["content_hash"],
                row["listing_hash"],
                now,
                now,
            ),
        )

    def store_sighting(self, sighting: Mapping[str, Any], run_id: int | None) -> StoreOutcome:
        """An archived article seen again, unchanged, without fetching its page: its last-seen
        data and an appearance (pointing at the capture it was last read from)."""
        joined = self.db.execute(
            "SELECT doc_id FROM identities WHERE identity = ? AND lang = ?",
            (sighting["doc_id"], sighting["lang"]),
        ).fetchone()
        key = (joined[0] if joined else sighting["doc_id"], sighting["lang"])
        old = next(self.db.query("SELECT * FROM articles WHERE doc_id = ? AND lang = ?", key), None)
        if old is None:
            raise ArchiveError(f"sighting of {key[0]}/{key[1]}, which is not archived")
        now = utc_now()
        self._update_article(key, {"last_run": run_id, "last_seen_at": now})
        if run_id is not None:
            row = {**dict(zip(("doc_id", "lang"), key, strict=True)), "month": old["month"]}
            self._record_appearance(
                {**sighting},
                {**row, "listing": sighting["listing"]},
                run_id,
                old["capture_id"],
                now,
            )
        return "unchanged"

    def record_failure(
        self,
        url: str,
        kind: str,
        error: str,
        run_id: int | None,
        record: Mapping[str, Any] | None = None,
    ) -> None:
        """Remember a page that still failed after retries, with what is needed to retry it."""
        now = utc_now()
        entry = None
        if record is not None:
            entry = json.dumps(
                {name: record.get(name) for name in _ENTRY_FIELDS}, ensure_ascii=False
            )
        self.db.execute(
            "INSERT INTO failures (url, kind, doc_id, lang, listing, listing_url, entry, error,"
            " first_failed_at, last_failed_at, last_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET error = excluded.error, attempts = attempts + 1,"
            " last_failed_at = excluded.last_failed_at, last_run = excluded.last_run,"
            " resolved_at = NULL, entry = coalesce(excluded.entry, entry)",
            (
                url,
                kind,
                record.get("doc_id") if record else None,
                record.get("lang") if record else None,
                record.get("listing") if record else None,
                record.get("listing_url") if record else None,
                entry,
                error,
                now,
                now,
                run_id,
            ),
        )

    def record_completeness(self, run_id: int, report: Mapping[str, Any]) -> None:
        """How complete a run found one month of a listing (a ``completeness`` row; ``missing``
        is a list of ``{"kind", "url", "doc_id", "reason"}``)."""
        with self.db.atomic():
            self.db.execute(
                "INSERT OR REPLACE INTO completeness (run_id, source, listing, lang, month,"
                " listing_captures, items_seen, items_with_capture, items_with_body, missing)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    report["source"],
                    report["listing"],
                    report["lang"],
                    report["month"],
                    report["listing_captures"],
                    report["items_seen"],
                    report["items_with_capture"],
                    report["items_with_body"],
                    json.dumps(report["missing"], ensure_ascii=False),
                ),
            )

    def resolve_failure(self, url: str, key: tuple[str, str] | None = None) -> None:
        """A page that failed before has been fetched: by its URL, or for an article by its key
        (the same article fetched through another host resolves it too)."""
        doc_id, lang = key or (None, None)
        self.db.execute(
            "UPDATE failures SET resolved_at = ? WHERE resolved_at IS NULL"
            " AND (url = ? OR (kind = 'article' AND doc_id = ? AND lang = ?))",
            (utc_now(), url, doc_id, lang),
        )

    def _keep_revision(
        self, old: Mapping[str, Any], new: Mapping[str, Any], run_id: int | None, now: str
    ) -> None:
        self._insert(
            "revisions",
            {
                "doc_id": old["doc_id"],
                "lang": old["lang"],
                "revision": old["revision"],
                "run_id": run_id,
                "replaced_at": now,
                "changed_fields": json.dumps([n for n in CONTENT_FIELDS if old[n] != new[n]]),
                "state": json.dumps(
                    {name: old[name] for name in CONTENT_FIELDS + DERIVED_FIELDS},
                    ensure_ascii=False,
                ),
            },
        )

    def _record_appearance(
        self,
        record: Mapping[str, Any],
        row: Mapping[str, Any],
        run_id: int,
        capture_id: int | None,
        now: str,
    ) -> None:
        """Where the run saw the article: listing, month, page and position, and the captures."""
        listing_url = record["listing_url"]
        listing_capture = next(
            self.db.query(
                "SELECT id FROM captures WHERE url = ? AND run_id = ? ORDER BY id DESC LIMIT 1",
                (listing_url, run_id),
            ),
            None,
        )
        self.db.execute(
            "INSERT OR REPLACE INTO appearances (run_id, doc_id, lang, listing, month, page_offset,"
            " position, listing_url, listing_capture_id, article_capture_id, seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                row["doc_id"],
                row["lang"],
                row["listing"],
                row["month"],
                record.get("listing_offset") or offset_in_url(listing_url) or 0,
                record["listing_position"],
                listing_url,
                listing_capture["id"] if listing_capture else None,
                capture_id,
                now,
            ),
        )

    def _insert(self, table: str, values: Mapping[str, Any]) -> None:
        """A plain INSERT: cheaper than sqlite-utils' ``insert()`` on the per-article path."""
        columns = list(values)
        self.db.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [values[name] for name in columns],
        )

    def _update_article(self, key: tuple[str, str], values: Mapping[str, Any]) -> None:
        columns = [name for name in values if name not in ("doc_id", "lang")]
        self.db.execute(
            f"UPDATE articles SET {', '.join(f'{name} = ?' for name in columns)} "
            "WHERE doc_id = ? AND lang = ?",
            [values[name] for name in columns] + list(key),
        )

    def renormalize(self, taxonomy: Taxonomy | None = None) -> dict[str, int]:
        """Re-derive the normalised fields of every article from its raw fields (after the taxonomy
        or the date rules changed), without crawling; one transaction. Returns how many rows were
        examined and changed, and how many changes each field had."""
        counts = {"articles": 0, "changed": 0}
        with self.db.atomic():
            for row in list(self.db.query("SELECT * FROM articles")):
                counts["articles"] += 1
                derived = _derived(row, taxonomy)
                different = {name: value for name, value in derived.items() if row[name] != value}
                if not different:
                    continue
                counts["changed"] += 1
                for name in different:
                    counts[name] = counts.get(name, 0) + 1
                self._update_article((row["doc_id"], row["lang"]), different)
        return counts


def _derived(row: Mapping[str, Any], taxonomy: Taxonomy | None) -> dict[str, Any]:
    """The normalised fields of an archived row, as a crawl on the day it was last seen would
    have derived them."""
    dates = date_fields(
        lang=row["lang"],
        date_text=row["date_text"],
        article_date_text=row["article_date_text"],
        heading=row["listing_heading"],
        crawl_date=dt.date.fromisoformat(row["last_seen_at"][:10]),
        date_value=row["date_value"],
    )
    categories = category_fields(row["label"], taxonomy)
    return {name: {**dates, **categories}[name] for name in DERIVED_FIELDS}


def decode_body(encoding: str, body: bytes) -> bytes:
    """A stored body as received (the reverse of ``add_capture``'s compression)."""
    if encoding == "zlib":
        return zlib.decompress(body)
    raise ArchiveError(f"a stored body has an unknown encoding {encoding!r}")


#: The outcome of a run found ``running`` after its process died (``end_abandoned_runs``).
ABANDONED = "ended_abnormally"
#: Runs made without crawling (``ilo-archive reparse``, ``renormalize``): they take no lock.
OFFLINE_RUNS = ("reparse", "renormalize")

#: What a page answers once the site no longer serves it: the article is kept, marked gone.
GONE_STATUSES = (404, 410)

#: Where and when the content of a record was captured; they follow the capture it shows.
PROVENANCE_FIELDS = ("source", "captured_at", "archive_url", "fetched_at")

#: What a failure keeps of its listing entry, to rebuild the item when the page is retried.
_ENTRY_FIELDS = (
    "listing_position",
    "listing_heading",
    "title",
    "summary",
    "credit",
    "label",
    "date_text",
    "url",
)


def _row(record: Mapping[str, Any]) -> dict[str, Any]:
    """An item's fields as the ``articles`` columns hold them."""
    body = record.get("body") or []
    row = {name: record.get(name) for name in CONTENT_FIELDS + DERIVED_FIELDS}
    row.update(
        doc_id=record["doc_id"],
        lang=record["lang"],
        body="\n\n".join(body) if body else None,
        translations=json.dumps(sorted(record.get("translations") or [])),
        url=record.get("url"),
        listing=record.get("listing"),
        listing_heading=record.get("listing_heading"),
        listing_hash=record.get("listing_hash"),
        date_value=record.get("date_value"),
        source=record.get("source") or "live",
        fetched_at=record.get("fetched_at"),
        captured_at=record.get("captured_at"),
        archive_url=record.get("archive_url"),
    )
    content = json.dumps([row[name] for name in CONTENT_FIELDS], ensure_ascii=False)
    row["content_hash"] = hashlib.sha256(content.encode("utf-8")).hexdigest()
    return row
