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

from ilo_crawler.archive.identity import (
    CopyText,
    Link,
    group_identities,
    match_copies,
    shown_copy,
    text_similarity,
)
from ilo_crawler.archive.schema import (
    CONTENT_FIELDS,
    COPIES_VERSION,
    DERIVED_FIELDS,
    MIGRATIONS,
    SCHEMA_VERSION,
    ReadOnlyOpenError,
    connect_read_only,
    unreadable_reason,
)
from ilo_crawler.normalize.categories import Taxonomy
from ilo_crawler.normalize.fields import category_fields, date_fields, title_key, topic_names
from ilo_crawler.sites import LISTING_ONLY, identity_site
from ilo_crawler.sites.registry import site_of_url
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
        #: Articles this connection joined into one or parted by the evidence, and joins it left
        #: undecided (the run summary says them).
        self.groups_joined = 0
        self.groups_parted = 0
        self.identity_conflicts = 0
        #: What this transaction wrote, for ``_settle``: copies, (language, date)s, identities.
        self._touched: set[tuple[str, str]] = set()
        self._buckets: dict[tuple[str, str], set[str]] = {}
        self._regroup_needed: set[str] = set()
        self._run_id: int | None = None
        #: What the upgrade to separate copies changed (``_repair_merged_copies``), if it ran.
        self.repaired: dict[str, int] = {}
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
            self._shown_columns: tuple[str, ...] = ()
            for step, statements in enumerate(MIGRATIONS[version:], start=version + 1):
                with self.transaction():  # each step whole or not at all
                    for statement in statements:
                        self.db.execute(statement)
                    if step == COPIES_VERSION and version:
                        self._shown_columns = self._columns_shown()
                        self.repaired = self._repair_merged_copies()
                    self.db.execute(f"PRAGMA user_version={step}")
        except sqlite3.OperationalError as error:  # read-only file or directory, disk full
            self.db.close()
            raise ArchiveError(write_error(self.path, error)) from error
        self._shown_columns = self._columns_shown()

    def _columns_shown(self) -> tuple[str, ...]:
        """The columns an article's row takes from the copy it shows."""
        own = {"id", "doc_id", "lang", "copy", "shown_because"}
        copy_columns = set(self.db.table("copies").columns_dict)
        return tuple(
            name for name in self.db.table("articles").columns_dict
            if name in copy_columns and name not in own
        )

    def _repair_merged_copies(self) -> dict[str, int]:
        """Upgrading an archive of schema 5, where two sites' copies of an article shared one
        row (and a wrong join could merge two articles): each copy gets back the state it
        showed when last read (found among the row's states by its fingerprint), each earlier
        state of the row goes to the copy it is a state of (by title and text) and is dropped
        where it is that copy's own last state (it was never a revision of it), each appearance
        goes to the copy of its listing's site; then every join is weighed again from the
        evidence. Returns what it changed (said in the log and the docs)."""
        counts = {"shared_rows": 0, "revisions_moved": 0, "revisions_dropped": 0}
        shared = list(self.db.execute(
            "SELECT doc_id, lang FROM copies GROUP BY doc_id, lang HAVING count(*) > 1"
        ))
        for doc_id, lang in shared:
            counts["shared_rows"] += 1
            self._split_shared_row(doc_id, lang, counts)
        for doc_id, lang in shared:
            for appearance in list(self.db.query(
                "SELECT rowid, listing_url FROM appearances WHERE doc_id = ? AND lang = ?",
                (doc_id, lang),
            )):
                site = site_of_url(appearance["listing_url"]).name
                copy = self.db.execute(
                    "SELECT identity FROM copies WHERE doc_id = ? AND lang = ? AND site = ?",
                    (doc_id, lang, site),
                ).fetchone()
                if copy is not None:
                    self.db.execute(
                        "UPDATE OR IGNORE appearances SET doc_id = ? WHERE rowid = ?",
                        (copy[0], appearance["rowid"]),
                    )
        self.db.execute("UPDATE copies SET doc_id = identity")
        for identity, lang, published in self.db.execute(
            "SELECT identity, lang, published FROM copies"
        ).fetchall():
            self._touch((identity, lang), None, published, None)
            self._regroup_needed.add(identity)
        self._settle()
        self.db.execute("DELETE FROM articles WHERE (doc_id, lang) NOT IN"
                        " (SELECT doc_id, lang FROM copies)")
        counts.update(joined=self.groups_joined, parted=self.groups_parted)
        if counts["shared_rows"]:
            logger.warning(
                "upgrade of %s: %d article rows held two copies; each copy has its own record "
                "again (%d earlier states moved to the copy they were of, %d that were a "
                "copy's own last state dropped); joins weighed again from the evidence",
                self.path, counts["shared_rows"], counts["revisions_moved"],
                counts["revisions_dropped"],
            )
        return counts

    def _split_shared_row(self, doc_id: str, lang: str, counts: dict[str, int]) -> None:
        """One schema-5 row that held several copies, parted into their own records."""
        # (the fields of the schema it is upgraded to, not of later ones)
        fields = [f for f in CONTENT_FIELDS + DERIVED_FIELDS if f in self.db["copies"].columns_dict]
        article = next(self.db.query(
            "SELECT * FROM articles WHERE doc_id = ? AND lang = ?", (doc_id, lang)
        ))
        states = [{name: article[name] for name in fields}]
        revisions = list(self.db.query(
            "SELECT * FROM revisions WHERE identity = ? AND lang = ? ORDER BY revision",
            (doc_id, lang),
        ))
        states += [
            {name: state.get(name) for name in fields}
            for state in (json.loads(revision["state"]) for revision in revisions)
        ]
        copies = list(self.db.query(
            "SELECT identity, content_hash FROM copies WHERE doc_id = ? AND lang = ?",
            (doc_id, lang),
        ))
        final: dict[str, dict[str, Any]] = {}
        for copy in copies:
            own = next((s for s in states if _content_hash(s) == copy["content_hash"]), None)
            if own is not None:
                final[copy["identity"]] = own
                self._update_copy((copy["identity"], lang), own)
        texts = {
            identity: CopyText.of({"identity": identity, **state})
            for identity, state in final.items()
        }
        numbering: dict[str, int] = {}
        for revision in revisions:
            state = json.loads(revision["state"])
            owner = _closest(CopyText.of({"identity": "", **state}), texts) or doc_id
            if owner in final and _content_hash(state) == _content_hash(final[owner]):
                self.db.execute("DELETE FROM revisions WHERE id = ?", (revision["id"],))
                counts["revisions_dropped"] += 1
                continue
            numbering[owner] = numbering.get(owner, 0) + 1
            counts["revisions_moved"] += owner != doc_id
            self.db.execute(
                "UPDATE revisions SET identity = ?, revision = ? WHERE id = ?",
                (owner, numbering[owner], revision["id"]),
            )
        for copy in copies:
            self._update_copy(
                (copy["identity"], lang), {"revision": numbering.get(copy["identity"], 0) + 1}
            )

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
        """Everything written inside is committed together, or not at all, the articles settled
        from the copies written (``_settle``) before the commit. (sqlite-utils commits each write
        made outside such a block at once: every multi-statement write needs one.)"""
        try:
            with self.db.atomic():
                yield
                self._settle()
        finally:
            self._forget_written()

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
        """Write one copy of an article (the page of one identity in one language) with its
        capture and, within a run, its appearance in the listing: a new copy; an unchanged copy
        touched; a changed copy updated with its previous state kept in ``revisions``. Which
        article the copy is of is settled at the end of the transaction (``_settle``). Call
        inside ``transaction()`` so that all of it lands together.

        ``sighting=False`` (re-extraction from stored captures) changes the content and derived
        fields only: the article was not seen again, so no appearance and no last-seen update."""
        capture_id = self.add_capture(record["capture"], run_id) if record.get("capture") else None
        now = utc_now()
        row = _row(record)
        identity, lang = row.pop("doc_id"), row["lang"]
        key = (identity, lang)
        self._take_over_placeholder(identity, lang, row["url"])
        old = next(self.db.query(_COPY, key), None)
        seen = {name: row[name] for name in ("url", "listing", "listing_heading", "listing_hash")}
        if sighting:
            seen.update(last_run=run_id, last_seen_at=now)
        if capture_id is not None:  # the copy now shows this capture: its provenance too
            seen.update(
                capture_id=capture_id,
                gone_at=None,
                **{name: row[name] for name in PROVENANCE_FIELDS},
            )
        error = record.get("fetch_error")
        gone = record.get("fetch_status") in GONE_STATUSES
        if gone:  # the page is gone from the site: keep the copy, say since when
            seen["gone_at"] = old["gone_at"] if old is not None and old["gone_at"] else now
        if old is None:
            self._insert(
                "copies",
                {
                    **row,
                    **seen,
                    "identity": identity,
                    "doc_id": self._article_of_identity(identity),
                    "site": identity_site(identity),
                    "last_run": run_id,
                    "last_seen_at": now,
                    "revision": 1,
                    "first_run": run_id,
                    "first_seen_at": now,
                    "updated_at": now,
                },
            )
            outcome: StoreOutcome = "new"
        elif error and old["body"] is not None:
            # A failed fetch says nothing about the copy: keep what was archived.
            self._update_copy(key, seen)
            outcome = "unchanged"
        elif old["content_hash"] == row["content_hash"]:
            self._update_copy(key, {**{name: row[name] for name in DERIVED_FIELDS}, **seen})
            outcome = "unchanged"
        else:
            self._keep_revision(old, row, run_id, now)
            self._update_copy(
                key, {**row, **seen, "revision": old["revision"] + 1, "updated_at": now}
            )
            outcome = "changed"
        if record.get("url") and error and not gone and row["source"] != "wayback":
            # (A web archive's gaps are reported per month in ``completeness``, not retried.)
            self.record_failure(record["url"], "article", error, run_id, record)
        elif record.get("url") and (capture_id is not None or gone):
            self.resolve_failure(record["url"], key)
        if sighting and run_id is not None and record.get("listing_url"):
            # (A copy checked because it left the sitemap was seen in no listing.)
            self._record_appearance(record, {**row, "doc_id": identity}, run_id, capture_id, now)
        self._touch(key, old["published"] if old is not None else None, row["published"], run_id)
        return outcome

    # Identities ------------------------------------------------------------------------------
    def _article_of_identity(self, identity: str) -> str:
        """The article a new copy is of until the evidence is weighed again: that of the
        identity's copies in other languages (one document), else the identity itself."""
        known = self.db.execute(
            "SELECT doc_id FROM copies WHERE identity = ? LIMIT 1", (identity,)
        ).fetchone()
        return known[0] if known else identity

    def _take_over_placeholder(self, identity: str, lang: str, url: str | None) -> None:
        """A copy archived from a listing alone (its page could not be read: no identity but a
        ``LISTING_`` one) becomes the copy of the identity its page now shows at the same URL:
        one page, one copy, its history kept."""
        if not url or identity_site(identity) == LISTING_ONLY:
            return
        placeholder = self.db.execute(
            "SELECT identity FROM copies WHERE url = ? AND lang = ? AND site = ?"
            " AND NOT EXISTS (SELECT 1 FROM copies WHERE identity = ? AND lang = ?)",
            (url, lang, LISTING_ONLY, identity, lang),
        ).fetchone()
        if placeholder is None:
            return
        renamed = (identity, placeholder[0], lang)
        self.db.execute(
            "UPDATE copies SET identity = ?, site = ? WHERE identity = ? AND lang = ?",
            (identity, identity_site(identity), placeholder[0], lang),
        )
        self.db.execute(
            "UPDATE revisions SET identity = ? WHERE identity = ? AND lang = ?", renamed
        )
        for table in ("appearances", "captures", "failures"):
            self.db.execute(
                f"UPDATE OR IGNORE {table} SET doc_id = ? WHERE doc_id = ? AND lang = ?", renamed
            )
        self._regroup_needed.add(identity)

    def _touch(
        self, key: tuple[str, str], was: str | None, now: str | None, run_id: int | None
    ) -> None:
        """Remember a copy written in this transaction: its article row is refreshed, and the
        evidence of the dates it was and is under weighed again, when the transaction ends."""
        self._touched.add(key)
        self._run_id = run_id
        for published in {was, now} - {None}:
            self._buckets.setdefault((key[1], published), set()).add(key[0])

    def _settle(self) -> None:
        """Weigh the evidence again where this transaction's copies changed it, regroup the
        identities it connects, and refresh the articles' rows (see ``identity``)."""
        if not self._touched:
            return
        now = utc_now()
        relinked = self._relink(now) | self._regroup_needed
        keys = set()
        if relinked:
            keys |= self._regroup(relinked, now)
        keys |= {
            (doc_id, lang)
            for identity, lang in self._touched
            for (doc_id,) in self.db.execute(
                "SELECT doc_id FROM copies WHERE identity = ? AND lang = ?", (identity, lang)
            )
        }
        for doc_id, lang in keys:
            self._refresh_article(doc_id, lang)
        self._forget_written()

    def _forget_written(self) -> None:
        """Settled, or rolled back: nothing left for ``_settle``."""
        self._touched.clear()
        self._buckets.clear()
        self._regroup_needed.clear()

    def _relink(self, now: str) -> set[str]:
        """Recompute the copy links of every (language, date) whose copies changed; returns the
        identities whose links changed. All dates are weighed before any link is written, so
        a copy that moved from one date to another loses its old links and keeps its new ones
        whichever date is weighed first."""
        around: dict[str, set[str]] = {}
        new: dict[tuple[str, str, str], Link] = {}
        ambiguous: dict[str, list[tuple[str, list[dict[str, Any]]]]] = {}
        for (lang, published), written in self._buckets.items():
            members, texts = self._bucket(lang, published)
            links, ambiguities = match_copies(lang, texts)
            # (a copy written under another date is no longer here: its links here go)
            around.setdefault(lang, set()).update(written | members)
            new.update({(link.identity, link.other, lang): link for link in links})
            ambiguous.setdefault(lang, []).extend(
                (a.identity, [{"identity": i, "score": round(s, 4)} for i, s in a.candidates])
                for a in ambiguities
            )
        old = {
            (identity, other, lang)
            for lang, identities in around.items()
            for identity, other in self._links_of(identities, lang)
        }
        changed: set[str] = set()
        for identity, other, lang in old - set(new):
            self.db.execute(
                "DELETE FROM identity_links WHERE identity = ? AND other = ? AND lang = ?",
                (identity, other, lang),
            )
            changed.update((identity, other))
        for (identity, other, lang), link in new.items():
            if (identity, other, lang) not in old:
                changed.update((identity, other))
            self.db.execute(
                "INSERT OR REPLACE INTO identity_links (identity, other, lang, kind, score,"
                " found_at) VALUES (?, ?, ?, ?, ?, coalesce((SELECT found_at FROM"
                " identity_links WHERE identity = ? AND other = ? AND lang = ?), ?))",
                (identity, other, lang, link.kind, round(link.score, 4), identity, other, lang,
                 now),
            )
        for lang, identities in around.items():
            self._record_conflicts(identities, lang, AMBIGUOUS, ambiguous[lang], now)
        return changed

    def _bucket(self, lang: str, published: str) -> tuple[set[str], list[CopyText]]:
        """The copies of both sites under one language and date, and the texts of those whose
        title a copy of the other site shares (the only ones that can be joined: the text of
        the others is not read)."""
        titles: dict[str, list[tuple[str, str]]] = {}
        for identity, site, title in self.db.execute(
            "SELECT identity, site, title FROM copies WHERE lang = ? AND published = ?"
            " AND site IN ('wcms', 'current')",
            (lang, published),
        ):
            titles.setdefault(title_key(title) or "", []).append((identity, site))
        members = {identity for copies in titles.values() for identity, _ in copies}
        comparable = [
            identity
            for title, copies in titles.items()
            if title and len({site for _, site in copies}) == 2
            for identity, _ in copies
        ]
        if not comparable:
            return members, []
        texts = [
            CopyText.of(row)
            for row in self.db.query(
                "SELECT identity, title, summary, body FROM copies WHERE lang = ?"
                f" AND identity IN ({', '.join('?' for _ in comparable)})",
                [lang, *comparable],
            )
        ]
        return members, texts

    def _links_of(self, identities: set[str], lang: str) -> set[tuple[str, str]]:
        if not identities:
            return set()
        marks = ", ".join("?" for _ in identities)
        return {
            (identity, other)
            for identity, other in self.db.execute(
                f"SELECT identity, other FROM identity_links WHERE lang = ? AND kind = 'copy'"
                f" AND (identity IN ({marks}) OR other IN ({marks}))",
                [lang, *identities, *identities],
            )
        }

    def _record_conflicts(
        self,
        identities: set[str],
        lang: str | None,
        reason: str,
        found: list[tuple[str, list[dict[str, Any]]]],
        now: str,
    ) -> None:
        """Replace the recorded conflicts of one reason for these identities (in one language,
        or in all) with ``found``: (identity, candidates with their scores)."""
        marks = ", ".join("?" for _ in identities)
        where = f"reason = ? AND identity IN ({marks})" + (" AND lang = ?" if lang else "")
        params = [reason, *identities, *([lang] if lang else [])]
        known = {
            (identity, candidates)
            for identity, candidates in self.db.execute(
                f"SELECT identity, candidates FROM identity_conflicts WHERE {where}", params
            )
        }
        self.db.execute(f"DELETE FROM identity_conflicts WHERE {where}", params)
        for identity, candidates in found:
            if (identity, json.dumps(candidates)) not in known:  # said once, when it arises
                self.identity_conflicts += 1
                logger.warning(
                    "%s/%s: %s (%s): kept apart, not merged by guess (ilo-archive verify lists "
                    "it)",
                    identity,
                    lang or "*",
                    _CONFLICT_WORDS[reason],
                    ", ".join(f"{c['identity']} {c.get('score', '')}".strip() for c in candidates),
                )
            self.db.execute(
                "INSERT OR REPLACE INTO identity_conflicts (identity, lang, reason, candidates,"
                " run_id, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                (identity, lang or "*", reason, json.dumps(candidates), self._run_id, now),
            )

    def _regroup(self, start: set[str], now: str) -> set[tuple[str, str]]:
        """Regroup the identities connected to ``start`` (by links, or by being of one article
        before) from the links; returns the (doc_id, lang) of every article row to refresh."""
        component: set[str] = set()
        queue = list(start)
        while queue:
            identity = queue.pop()
            if identity in component:
                continue
            component.add(identity)
            queue.extend(
                other
                for (other,) in self.db.execute(
                    "SELECT other FROM identity_links WHERE identity = :i UNION"
                    " SELECT identity FROM identity_links WHERE other = :i UNION"
                    " SELECT identity FROM copies WHERE doc_id IN"
                    " (SELECT doc_id FROM copies WHERE identity = :i)",
                    {"i": identity},
                )
                if other not in component
            )
        marks = ", ".join("?" for _ in component)
        links = [
            Link(identity, other, lang, kind, score)
            for identity, other, lang, kind, score in self.db.execute(
                "SELECT identity, other, lang, kind, score FROM identity_links"
                f" WHERE identity IN ({marks})",
                list(component),
            )
        ]
        article, refused = group_identities(component, links)
        before = {
            identity: doc_id
            for identity, doc_id in self.db.execute(
                f"SELECT DISTINCT identity, doc_id FROM copies WHERE identity IN ({marks})",
                list(component),
            )
        }
        self._record_conflicts(component, None, SAME_SITE, [
            (identity, [{"identity": other} for other in group if other != identity])
            for group in refused
            for identity in group
        ], now)
        old_groups: dict[str, set[str]] = {}
        new_groups: dict[str, set[str]] = {}
        for identity, doc_id in before.items():
            old_groups.setdefault(doc_id, set()).add(identity)
            new_groups.setdefault(article[identity], set()).add(identity)
        self.groups_joined += sum(
            len({before[i] for i in members}) > 1 for members in new_groups.values()
        )
        self.groups_parted += sum(
            len({article[i] for i in members}) > 1 for members in old_groups.values()
        )
        keys = set()
        for identity, doc_id in before.items():
            langs = [lang for (lang,) in self.db.execute(
                "SELECT lang FROM copies WHERE identity = ?", (identity,)
            )]
            keys |= {(doc_id, lang) for lang in langs} | {(article[identity], lang) for lang in langs}
            if article[identity] != doc_id:
                self.db.execute(
                    "UPDATE copies SET doc_id = ? WHERE identity = ?", (article[identity], identity)
                )
        return keys

    def _refresh_article(self, doc_id: str, lang: str) -> None:
        """The article's row in one language: the copy it shows (``identity.shown_copy``), with
        the first and last sightings of all its copies; removed when no copy is left under it."""
        copies = list(self.db.query(_ARTICLE_COPIES, (doc_id, lang)))
        if not copies:
            self.db.execute("DELETE FROM articles WHERE doc_id = ? AND lang = ?", (doc_id, lang))
            return
        shown, because = shown_copy(copies)
        values = {name: shown[name] for name in self._shown_columns}
        values.update(
            doc_id=doc_id,
            lang=lang,
            copy=shown["identity"],
            shown_because=because,
            first_seen_at=min(copy["first_seen_at"] for copy in copies),
            last_seen_at=max(copy["last_seen_at"] for copy in copies),
            first_run=min((c["first_run"] for c in copies if c["first_run"]), default=None),
            last_run=max((c["last_run"] for c in copies if c["last_run"]), default=None),
        )
        columns = list(values)
        self.db.execute(
            f"INSERT INTO articles ({', '.join(columns)}) VALUES"
            f" ({', '.join('?' for _ in columns)}) ON CONFLICT (doc_id, lang) DO UPDATE SET "
            + ", ".join(f"{name} = excluded.{name}" for name in columns if name != "doc_id"),
            [values[name] for name in columns],
        )

    def store_sighting(self, sighting: Mapping[str, Any], run_id: int | None) -> StoreOutcome:
        """An archived copy seen again, unchanged, without fetching its page: its last-seen
        data and an appearance (pointing at the capture it was last read from)."""
        key = (sighting["doc_id"], sighting["lang"])
        old = next(self.db.query(_COPY, key), None)
        if old is None:
            raise ArchiveError(f"sighting of {key[0]}/{key[1]}, which is not archived")
        now = utc_now()
        self._update_copy(key, {"last_run": run_id, "last_seen_at": now})
        if run_id is not None:
            row = {"doc_id": key[0], "lang": key[1], "month": old["month"]}
            self._record_appearance(
                {**sighting},
                {**row, "listing": sighting["listing"]},
                run_id,
                old["capture_id"],
                now,
            )
        self._touched.add(key)
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
                "identity": old["identity"],
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

    def _update_copy(self, key: tuple[str, str], values: Mapping[str, Any]) -> None:
        columns = [name for name in values if name not in ("identity", "lang")]
        self.db.execute(
            f"UPDATE copies SET {', '.join(f'{name} = ?' for name in columns)} "
            "WHERE identity = ? AND lang = ?",
            [values[name] for name in columns] + list(key),
        )

    def renormalize(self, taxonomy: Taxonomy | None = None) -> dict[str, int]:
        """Re-derive the normalised fields of every copy from its raw fields (after the taxonomy
        or the date rules changed), without crawling; one transaction. Returns how many copies
        were examined and changed, and how many changes each field had."""
        counts = {"articles": 0, "changed": 0}
        with self.transaction():
            for row in list(self.db.query("SELECT * FROM copies")):
                counts["articles"] += 1
                derived = _derived(row, taxonomy)
                different = {name: value for name, value in derived.items() if row[name] != value}
                if not different:
                    continue
                counts["changed"] += 1
                for name in different:
                    counts[name] = counts.get(name, 0) + 1
                key = (row["identity"], row["lang"])
                self._update_copy(key, different)
                self._touch(key, row["published"], different.get("published"), None)
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
    topics = topic_names(json.loads(row["tags"] or "[]"), categories, taxonomy)
    categories["topics"] = json.dumps(topics, ensure_ascii=False)
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

#: A copy by its identity and language.
_COPY = "SELECT * FROM copies WHERE identity = ? AND lang = ?"
#: An article's copies in one language.
_ARTICLE_COPIES = "SELECT * FROM copies WHERE doc_id = ? AND lang = ?"
#: Why a join was left undecided (``identity_conflicts.reason``), and in words.
AMBIGUOUS, SAME_SITE = "ambiguous", "same-site"
_CONFLICT_WORDS = {
    AMBIGUOUS: "two or more copies on the other site as alike",
    SAME_SITE: "the evidence would join two documents of one site",
}
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


def _content_hash(state: Mapping[str, Any]) -> str:
    """The fingerprint of a state's content fields (a copy's ``content_hash``). No tags hash as
    before the field came: archives of before it keep their content hashes."""
    shown = [
        state.get(name)
        for name in CONTENT_FIELDS
        if name != "tags" or state.get(name) not in (None, "[]")
    ]
    content = json.dumps(shown, ensure_ascii=False)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _closest(state: CopyText, copies: Mapping[str, CopyText]) -> str | None:
    """The copy a state is most like: the same title first, then the most alike text."""
    ranked = sorted(
        copies.items(),
        key=lambda item: (
            item[1].title != state.title,
            -(text_similarity(item[1], state) or 0.0),
            item[0],
        ),
    )
    return ranked[0][0] if ranked else None


def _row(record: Mapping[str, Any]) -> dict[str, Any]:
    """An item's fields as the ``articles`` columns hold them."""
    body = record.get("body") or []
    row = {name: record.get(name) for name in CONTENT_FIELDS + DERIVED_FIELDS}
    row.update(
        doc_id=record["doc_id"],
        lang=record["lang"],
        body="\n\n".join(body) if body else None,
        translations=json.dumps(sorted(record.get("translations") or [])),
        tags=json.dumps(record.get("tags") or [], ensure_ascii=False),
        topics=json.dumps(record.get("topics") or [], ensure_ascii=False),
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
    row["content_hash"] = _content_hash(row)
    return row
