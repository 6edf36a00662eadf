"""What the archive already holds, read once when a crawl starts, so the spider can decide what
not to fetch again: articles unchanged in the listing, conditional requests, failures to retry.

Read-only, on a connection of its own (the archive is in WAL mode: this never blocks the writer).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ilo_crawler.archive.store import Archive


@dataclass(frozen=True)
class Known:
    """An archived copy (an identity's page in one language), as far as deciding whether to
    fetch it again goes."""

    identity: str  #: its identity (``WCMS_<n>``, ``node:<nid>``, ``LISTING_<hash>``)
    listing_hash: str | None
    has_body: bool
    capture_id: int | None
    etag: str | None
    last_modified: str | None
    #: when the page was last read (the capture's fetch, UTC ISO 8601), for a site that gives
    #: no Last-Modified; and whether the site was last found not to serve it (``gone_at``)
    read_at: str | None = None
    gone: bool = False


@dataclass(frozen=True)
class StoredCopy:
    """The latest capture of a page the crawl reads again only when it changed (a sitemap file):
    its validators for a conditional request, and the capture to read on a 304."""

    capture_id: int
    etag: str | None
    last_modified: str | None


def _validators(headers: str | None) -> tuple[str | None, str | None]:
    """ETag and Last-Modified of a capture's received headers (as stored, JSON)."""
    received = {k.lower(): v for k, v in json.loads(headers or "{}").items()}
    return (received.get("etag") or [None])[0], (received.get("last-modified") or [None])[0]


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The headers that ask for a page only if it changed since the copy these validators are
    of (the server answers 304 Not Modified otherwise)."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


class ArchiveIndex:
    def __init__(self, known: dict[str, Known], path: Path, by_path: dict[str, Known]) -> None:
        self.known = known
        self.path = path
        self.by_path = by_path

    @classmethod
    def load(cls, path: str | Path, lang: str) -> ArchiveIndex:
        """The archived copies of one language, by their identities (``WCMS_<n>``,
        ``node:<nid>``) and by the path of the URL each was read at; empty when there is no
        archive yet."""
        path = Path(path)
        if not path.exists():
            return cls({}, path, {})
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = connection.execute(
                "SELECT k.identity, k.url, k.listing_hash, k.body IS NOT NULL,"
                " k.capture_id, c.headers, c.fetched_at, k.gone_at IS NOT NULL FROM copies k"
                " LEFT JOIN captures c ON c.id = k.capture_id WHERE k.lang = ?",
                (lang,),
            ).fetchall()
        finally:
            connection.close()
        known: dict[str, Known] = {}
        by_path: dict[str, Known] = {}
        for (
            identity, url, listing_hash, has_body, capture_id, headers, read_at, gone
        ) in rows:  # fmt: skip
            known[identity] = Known(
                identity,
                listing_hash,
                bool(has_body),
                capture_id,
                *_validators(headers),
                read_at,
                bool(gone),
            )
            if url:
                by_path[urlsplit(url).path] = known[identity]
        return cls(known, path, by_path)

    def get(self, identity: str) -> Known | None:
        return self.known.get(identity)

    def at_url(self, url: str) -> Known | None:
        """The article archived from a page at this URL's path (on any host: the host of a
        run may differ), for a site whose URLs do not name the document."""
        return self.by_path.get(urlsplit(url).path)

    def archived_paths(self) -> dict[str, Known]:
        """Every path an archived article of the index's language was read at."""
        return self.by_path

    def stored_copies(self, kind: str) -> dict[str, StoredCopy]:
        """The latest capture answered 200 of each page of ``kind`` (``sitemap``), by path (the
        host of a run may differ)."""
        if not self.path.exists():
            return {}
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            rows = connection.execute(
                "SELECT url, id, headers FROM captures WHERE id IN (SELECT max(id) FROM captures"
                " WHERE kind = ? AND status = 200 GROUP BY url) ORDER BY id",
                (kind,),
            ).fetchall()
        finally:
            connection.close()
        return {
            urlsplit(url)._replace(scheme="", netloc="").geturl(): StoredCopy(
                capture_id, *_validators(headers)
            )
            for url, capture_id, headers in rows
        }

    def listed_fields(self, identity: str, lang: str) -> dict[str, Any] | None:
        """What the archive holds of a copy's listing entry (title, summary, credit, label,
        dates, heading, listing and its fingerprint), to archive its page again without its
        card."""
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        connection.row_factory = sqlite3.Row
        try:
            row = connection.execute(
                "SELECT title, summary, credit, label, date_text, date_value, listing,"
                " listing_heading, listing_hash FROM copies WHERE identity = ? AND lang = ?",
                (identity, lang),
            ).fetchone()
        finally:
            connection.close()
        return dict(row) if row else None

    def stored_body(self, capture_id: int) -> bytes:
        """The body of a capture, for a page the server answered 304 Not Modified."""
        archive = Archive(self.path, create=False)
        try:
            return archive.capture_body(capture_id)
        finally:
            archive.close()

    def incremental_cutoff(
        self, lang: str, listing: str, margin_days: int
    ) -> tuple[int, int] | None:
        """The month below which an incremental run may stop: that of the start of the last run
        of this listing and language that ended cleanly, less ``margin_days``; None when there
        was none (the walk then covers the whole listing)."""
        if not self.path.exists():
            return None
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            runs = connection.execute(
                "SELECT started_at, arguments FROM runs WHERE spider = 'newsroom'"
                " AND exit_status = 0 ORDER BY id DESC"
            ).fetchall()
        finally:
            connection.close()
        for started_at, arguments in runs:
            given = json.loads(arguments)
            if given.get("lang", "en") == lang and given.get("listing", "all-newsroom") == listing:
                day = dt.date.fromisoformat(started_at[:10]) - dt.timedelta(days=margin_days)
                return (day.year, day.month)
        return None

    def wayback_blocks(self) -> list[str]:
        """When the web archive blocked the latest runs (``wayback/blocked_at``, UTC ISO), newest
        first, back to the last run that read the archive without being blocked; runs that sent
        nothing to it (live runs, runs refused for a block) do not break the series."""
        if not self.path.exists():
            return []
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            runs = connection.execute(
                "SELECT json_extract(stats, '$.\"wayback/blocked_at\"'),"
                " json_extract(stats, '$.\"wayback/requests\"') FROM runs"
                " WHERE spider = 'newsroom' AND stats IS NOT NULL ORDER BY id DESC"
            ).fetchall()
        finally:
            connection.close()
        blocks = []
        for blocked_at, requests in runs:
            if blocked_at:
                blocks.append(blocked_at)
            elif requests:
                break
        return blocks

    def finished_wayback_months(self, lang: str, listing: str) -> set[str]:
        """Months (``YYYY-MM``) of the listing and language whose latest reading from the web
        archive was read to its end (its ``completeness`` row names no ``month`` entry)."""
        if not self.path.exists():
            return set()
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            rows = connection.execute(
                "SELECT c.month, c.missing FROM completeness c WHERE c.lang = ? AND c.listing = ?"
                " AND c.run_id = (SELECT max(run_id) FROM completeness l WHERE l.month = c.month"
                " AND l.lang = c.lang AND l.listing = c.listing)",
                (lang, listing),
            ).fetchall()
        finally:
            connection.close()
        return {
            month
            for month, missing in rows
            if all(entry["kind"] != "month" for entry in json.loads(missing))
        }

    def open_failures(self, lang: str, listing: str, base_url: str) -> list[dict[str, Any]]:
        """Article pages that failed in earlier runs on the site at ``base_url`` and are not
        resolved, oldest first. (A failure belongs to the site it was seen on: a run of the
        replica does not retry what failed on ilo.org, nor the reverse.)"""
        if not self.path.exists():
            return []
        site = base_url.rstrip("/") + "/"
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        connection.row_factory = sqlite3.Row
        try:
            rows = connection.execute(
                "SELECT * FROM failures WHERE resolved_at IS NULL AND kind = 'article'"
                " AND lang = ? AND listing = ? AND substr(url, 1, ?) = ? ORDER BY first_failed_at",
                (lang, listing, len(site), site),
            ).fetchall()
        finally:
            connection.close()
        return [dict(row) for row in rows]
