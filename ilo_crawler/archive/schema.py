"""The archive's schema as a list of migrations; its version is kept in ``PRAGMA user_version``.

``MIGRATIONS[i]`` takes an archive from version ``i`` to ``i + 1``; a new archive runs them all.
Never edit a migration that has shipped: add the next one. Column meanings are documented in the
README ("The archive") and in ``ilo_crawler/archive/metadata.yml`` (Datasette); keep them in step.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ilo_crawler.normalize.fields import CATEGORY_FIELDS, DATE_FIELDS

#: Fields that say what an article is: a change to any of them is a new revision. (The URL is
#: not one: the same article fetched through another host, or a web archive, is the same state.)
CONTENT_FIELDS: tuple[str, ...] = (
    "title",
    "summary",
    "credit",
    "label",
    "date_text",
    "article_type",
    "article_date_text",
    "body",
    "translations",
    "tags",
)

#: Fields the pipelines derive from the content; re-derived on every write, never a revision.
DERIVED_FIELDS: tuple[str, ...] = DATE_FIELDS + CATEGORY_FIELDS + ("topics",)

_VERSION_1 = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        spider TEXT NOT NULL,
        arguments TEXT NOT NULL,
        base_url TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT NOT NULL DEFAULT 'running',
        items_new INTEGER NOT NULL DEFAULT 0,
        items_changed INTEGER NOT NULL DEFAULT 0,
        items_unchanged INTEGER NOT NULL DEFAULT 0,
        requests INTEGER,
        stats TEXT
    )
    """,
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL,
        lang TEXT NOT NULL,
        url TEXT,
        title TEXT,
        summary TEXT,
        credit TEXT,
        label TEXT,
        category TEXT,
        category_slug TEXT,
        category_kind TEXT,
        published TEXT,
        date_text TEXT,
        date_problem TEXT,
        article_type TEXT,
        article_date_text TEXT,
        article_published TEXT,
        body TEXT,
        translations TEXT,
        listing TEXT,
        listing_heading TEXT,
        month TEXT,
        source TEXT NOT NULL DEFAULT 'live',
        fetched_at TEXT,
        content_hash TEXT NOT NULL,
        revision INTEGER NOT NULL DEFAULT 1,
        first_run INTEGER REFERENCES runs(id),
        last_run INTEGER REFERENCES runs(id),
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (doc_id, lang)
    )
    """,
    """
    CREATE TABLE revisions (
        id INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL,
        lang TEXT NOT NULL,
        revision INTEGER NOT NULL,
        run_id INTEGER REFERENCES runs(id),
        replaced_at TEXT NOT NULL,
        changed_fields TEXT NOT NULL,
        state TEXT NOT NULL,
        FOREIGN KEY (doc_id, lang) REFERENCES articles(doc_id, lang)
    )
    """,
    "CREATE INDEX articles_month ON articles(month, lang)",
    "CREATE INDEX articles_published ON articles(published)",
    "CREATE INDEX revisions_article ON revisions(doc_id, lang)",
)

_FTS_COLUMNS = "title, summary, body"

_VERSION_2 = (
    # Every fetched page, as received, so records can be re-extracted without crawling.
    """
    CREATE TABLE capture_bodies (
        sha256 TEXT PRIMARY KEY,
        encoding TEXT NOT NULL,
        body BLOB NOT NULL
    )
    """,
    """
    CREATE TABLE captures (
        id INTEGER PRIMARY KEY,
        run_id INTEGER REFERENCES runs(id),
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        final_url TEXT NOT NULL,
        status INTEGER NOT NULL,
        request_headers TEXT NOT NULL,
        headers TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES capture_bodies(sha256),
        size INTEGER NOT NULL,
        source TEXT NOT NULL DEFAULT 'live',
        doc_id TEXT,
        lang TEXT
    )
    """,
    "CREATE INDEX captures_url ON captures(url, run_id)",
    "CREATE INDEX captures_article ON captures(doc_id, lang)",
    """
    CREATE TABLE appearances (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        doc_id TEXT NOT NULL,
        lang TEXT NOT NULL,
        listing TEXT NOT NULL,
        month TEXT,
        page_offset INTEGER NOT NULL,
        position INTEGER NOT NULL,
        listing_url TEXT NOT NULL,
        listing_capture_id INTEGER REFERENCES captures(id),
        article_capture_id INTEGER REFERENCES captures(id),
        seen_at TEXT NOT NULL,
        PRIMARY KEY (run_id, doc_id, lang, listing)
    )
    """,
    "CREATE INDEX appearances_article ON appearances(doc_id, lang)",
    "CREATE INDEX appearances_month ON appearances(month, lang, listing)",
    "ALTER TABLE articles ADD COLUMN capture_id INTEGER REFERENCES captures(id)",
    # Full-text search over title, summary and body, kept in step by triggers on every write.
    f"""
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        {_FTS_COLUMNS}, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, {_FTS_COLUMNS})
        VALUES (new.id, new.title, new.summary, new.body);
    END
    """,
    f"""
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.summary, old.body);
    END
    """,
    f"""
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF {_FTS_COLUMNS} ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.summary, old.body);
        INSERT INTO articles_fts(rowid, {_FTS_COLUMNS})
        VALUES (new.id, new.title, new.summary, new.body);
    END
    """,
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    # Views for the questions analysts ask first.
    """
    CREATE VIEW month_categories AS
    SELECT month, lang, category_kind, category, count(*) AS articles
    FROM articles GROUP BY month, lang, category_kind, category
    """,
    "CREATE VIEW latest_run AS SELECT * FROM runs ORDER BY id DESC LIMIT 1",
    """
    CREATE VIEW articles_without_body AS
    SELECT doc_id, lang, url, title, published, month, last_seen_at
    FROM articles WHERE body IS NULL
    """,
)

_VERSION_3 = (
    # How each run ended for cron, and how complete its items were (the drift guard compares).
    "ALTER TABLE runs ADD COLUMN exit_status INTEGER",
    "ALTER TABLE runs ADD COLUMN field_coverage TEXT",
    # An archived article whose page now answers 404: kept, marked.
    "ALTER TABLE articles ADD COLUMN gone_at TEXT",
    # What the listing showed of it, fingerprinted: unchanged means no need to fetch the page.
    "ALTER TABLE articles ADD COLUMN listing_hash TEXT",
    # Pages that still failed after retries: recorded, and retried first by the next run.
    """
    CREATE TABLE failures (
        url TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        doc_id TEXT,
        lang TEXT,
        listing TEXT,
        listing_url TEXT,
        entry TEXT,
        error TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 1,
        first_failed_at TEXT NOT NULL,
        last_failed_at TEXT NOT NULL,
        last_run INTEGER REFERENCES runs(id),
        resolved_at TEXT
    )
    """,
    "CREATE INDEX failures_open ON failures(resolved_at, kind)",
)

_VERSION_4 = (
    # Provenance: where and when a page's content was captured. For a live fetch the original URL
    # is the URL fetched and the capture time the fetch time; for a web-archive copy they are the
    # page's URL on the site and the archive's capture timestamp (``url`` is the archive URL).
    "ALTER TABLE captures ADD COLUMN original_url TEXT",
    "ALTER TABLE captures ADD COLUMN captured_at TEXT",
    "UPDATE captures SET original_url = url, captured_at = fetched_at",
    "ALTER TABLE articles ADD COLUMN captured_at TEXT",
    "ALTER TABLE articles ADD COLUMN archive_url TEXT",
    "UPDATE articles SET captured_at = fetched_at",
    # How complete each month read from the web archive is, and what is missing from it.
    """
    CREATE TABLE completeness (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        source TEXT NOT NULL,
        listing TEXT NOT NULL,
        lang TEXT NOT NULL,
        month TEXT NOT NULL,
        listing_captures INTEGER NOT NULL,
        items_seen INTEGER NOT NULL,
        items_with_capture INTEGER NOT NULL,
        items_with_body INTEGER NOT NULL,
        missing TEXT NOT NULL,
        PRIMARY KEY (run_id, listing, lang, month)
    )
    """,
    "CREATE INDEX completeness_month ON completeness(month, lang, listing)",
)

_VERSION_5 = (
    # The machine-readable date a listing gives beside its date line, as written (the current
    # site's Unix ``datetime``): checked against the date line, kept to show a disagreement.
    "ALTER TABLE articles ADD COLUMN date_value TEXT",
    # Every identity an article is known by on any site: its WCMS document (``WCMS_<n>``), its
    # current-site node (``node:<nid>``), each with the URL it was read at and the content and
    # listing fingerprints of that copy as last read. An article migrated from the WCMS to the
    # current site is one row of ``articles`` with two identities.
    """
    CREATE TABLE identities (
        identity TEXT NOT NULL,
        lang TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        site TEXT NOT NULL,
        url TEXT,
        content_hash TEXT,
        listing_hash TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        PRIMARY KEY (identity, lang),
        FOREIGN KEY (doc_id, lang) REFERENCES articles(doc_id, lang)
    )
    """,
    "CREATE INDEX identities_article ON identities(doc_id, lang)",
    "CREATE INDEX identities_url ON identities(url, lang)",
    """
    INSERT INTO identities (identity, lang, doc_id, site, url, content_hash, listing_hash,
                            first_seen_at, last_seen_at)
    SELECT doc_id, lang, doc_id, CASE WHEN doc_id LIKE 'LISTING!_%' ESCAPE '!' THEN 'listing'
           ELSE 'wcms' END, url, content_hash, listing_hash, first_seen_at, last_seen_at
    FROM articles
    """,
    # A document that is a PDF has no body to read: it is not an article whose page failed.
    "DROP VIEW articles_without_body",
    """
    CREATE VIEW articles_without_body AS
    SELECT doc_id, lang, url, title, published, month, last_seen_at
    FROM articles WHERE body IS NULL AND article_type IS NOT 'PDF document'
    """,
    # An identity that matched more than one article of the other site: left apart, reported.
    """
    CREATE TABLE identity_conflicts (
        identity TEXT NOT NULL,
        lang TEXT NOT NULL,
        candidates TEXT NOT NULL,
        run_id INTEGER REFERENCES runs(id),
        seen_at TEXT NOT NULL,
        PRIMARY KEY (identity, lang)
    )
    """,
)

#: The columns a copy and an article's row share (``articles`` shows one of its copies).
_SHOWN_COLUMNS = (
    "url, title, summary, credit, label, category, category_slug, category_kind, published,"
    " date_text, date_problem, article_type, article_date_text, article_published, body,"
    " translations, listing, listing_heading, month, source, fetched_at, content_hash, revision,"
    " first_run, last_run, first_seen_at, last_seen_at, updated_at, capture_id, gone_at,"
    " listing_hash, captured_at, archive_url, date_value"
)

_VERSION_6 = (
    # Each site's copy of an article keeps its own record and history: one row per identity and
    # language. ``doc_id`` is the article it belongs to, recomputed from the evidence
    # (``ilo_crawler.archive.identity``); ``articles`` is derived from the copies.
    """
    CREATE TABLE copies (
        id INTEGER PRIMARY KEY,
        identity TEXT NOT NULL,
        lang TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        site TEXT NOT NULL,
        url TEXT,
        title TEXT,
        summary TEXT,
        credit TEXT,
        label TEXT,
        category TEXT,
        category_slug TEXT,
        category_kind TEXT,
        published TEXT,
        date_text TEXT,
        date_problem TEXT,
        article_type TEXT,
        article_date_text TEXT,
        article_published TEXT,
        body TEXT,
        translations TEXT,
        listing TEXT,
        listing_heading TEXT,
        month TEXT,
        source TEXT NOT NULL DEFAULT 'live',
        fetched_at TEXT,
        content_hash TEXT NOT NULL,
        revision INTEGER NOT NULL DEFAULT 1,
        first_run INTEGER REFERENCES runs(id),
        last_run INTEGER REFERENCES runs(id),
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        capture_id INTEGER REFERENCES captures(id),
        gone_at TEXT,
        listing_hash TEXT,
        captured_at TEXT,
        archive_url TEXT,
        date_value TEXT,
        UNIQUE (identity, lang)
    )
    """,
    f"""
    INSERT INTO copies (identity, lang, doc_id, site, {_SHOWN_COLUMNS})
    SELECT i.identity, i.lang, i.doc_id, i.site,
           {", ".join(f"a.{c.strip()}" for c in _SHOWN_COLUMNS.split(","))}
    FROM identities i JOIN articles a ON a.doc_id = i.doc_id AND a.lang = i.lang
    """,
    # The identity's own fingerprints and URL, as last read (the article's row may show another
    # copy; the upgrade's repair rebuilds such a copy's state from the row's history).
    """
    UPDATE copies SET
        url = coalesce((SELECT i.url FROM identities i
                        WHERE i.identity = copies.identity AND i.lang = copies.lang), url),
        content_hash = coalesce((SELECT i.content_hash FROM identities i
                        WHERE i.identity = copies.identity AND i.lang = copies.lang), content_hash),
        listing_hash = (SELECT i.listing_hash FROM identities i
                        WHERE i.identity = copies.identity AND i.lang = copies.lang),
        first_seen_at = (SELECT i.first_seen_at FROM identities i
                        WHERE i.identity = copies.identity AND i.lang = copies.lang),
        last_seen_at = (SELECT i.last_seen_at FROM identities i
                        WHERE i.identity = copies.identity AND i.lang = copies.lang)
    """,
    "CREATE INDEX copies_article ON copies(doc_id, lang)",
    "CREATE INDEX copies_bucket ON copies(lang, published)",
    "CREATE INDEX copies_url ON copies(url, lang)",
    # A revision is an earlier state of one copy (never of another copy or another article).
    "ALTER TABLE revisions RENAME TO revisions_v5",
    """
    CREATE TABLE revisions (
        id INTEGER PRIMARY KEY,
        identity TEXT NOT NULL,
        lang TEXT NOT NULL,
        revision INTEGER NOT NULL,
        run_id INTEGER REFERENCES runs(id),
        replaced_at TEXT NOT NULL,
        changed_fields TEXT NOT NULL,
        state TEXT NOT NULL,
        FOREIGN KEY (identity, lang) REFERENCES copies(identity, lang)
    )
    """,
    """
    INSERT INTO revisions (id, identity, lang, revision, run_id, replaced_at, changed_fields,
                           state)
    SELECT id, doc_id, lang, revision, run_id, replaced_at, changed_fields, state
    FROM revisions_v5
    """,
    "DROP TABLE revisions_v5",
    "DROP INDEX IF EXISTS revisions_article",
    "CREATE INDEX revisions_copy ON revisions(identity, lang)",
    # The identities are the copies' (a view: ``show``, Datasette and old queries still work).
    "DROP TABLE identities",
    """
    CREATE VIEW identities AS
    SELECT identity, lang, doc_id, site, url, content_hash, listing_hash, first_seen_at,
           last_seen_at
    FROM copies
    """,
    # The evidence that joins two identities into one article (recomputed as copies change).
    """
    CREATE TABLE identity_links (
        identity TEXT NOT NULL,
        other TEXT NOT NULL,
        lang TEXT NOT NULL,
        kind TEXT NOT NULL,
        score REAL,
        found_at TEXT NOT NULL,
        PRIMARY KEY (identity, other, lang)
    )
    """,
    "CREATE INDEX identity_links_other ON identity_links(other)",
    # Joins the evidence could not decide, left apart for a later crawl or a person: a copy
    # with two or more candidates too alike to choose from (``ambiguous``), or links that would
    # put two documents of one site in one article (``same-site``); with the candidates' scores.
    "DROP TABLE identity_conflicts",
    """
    CREATE TABLE identity_conflicts (
        identity TEXT NOT NULL,
        lang TEXT NOT NULL,
        reason TEXT NOT NULL,
        candidates TEXT NOT NULL,
        run_id INTEGER REFERENCES runs(id),
        seen_at TEXT NOT NULL,
        PRIMARY KEY (identity, lang, reason)
    )
    """,
    # Which copy an article's row shows in that language, and why.
    "ALTER TABLE articles ADD COLUMN copy TEXT",
    "ALTER TABLE articles ADD COLUMN shown_because TEXT",
    "UPDATE articles SET copy = doc_id, shown_because = 'only copy'",
    # The capture-body check of ``verify`` looks captures up by hash.
    "CREATE INDEX captures_sha256 ON captures(sha256)",
    # An article's revisions, under the article they are of now.
    """
    CREATE VIEW article_revisions AS
    SELECT c.doc_id, r.lang, r.identity, r.revision, r.run_id, r.replaced_at, r.changed_fields,
           r.state
    FROM revisions r JOIN copies c ON c.identity = r.identity AND c.lang = r.lang
    """,
)

_VERSION_7 = (
    # The topics an article page lists as tags, as written (JSON list; the current site's), and
    # the article's normalised topics (JSON list): its tags' through the taxonomy, else its
    # label's category where that is a topic, so that both sites' articles count alike.
    "ALTER TABLE articles ADD COLUMN tags TEXT",
    "ALTER TABLE articles ADD COLUMN topics TEXT",
    "UPDATE articles SET tags = '[]'",
    "UPDATE articles SET topics = CASE WHEN category_kind = 'topic' THEN json_array(category)"
    " ELSE '[]' END",
    "ALTER TABLE copies ADD COLUMN tags TEXT",
    "ALTER TABLE copies ADD COLUMN topics TEXT",
    "UPDATE copies SET tags = '[]'",
    "UPDATE copies SET topics = CASE WHEN category_kind = 'topic' THEN json_array(category)"
    " ELSE '[]' END",
    """
    CREATE VIEW article_topics AS
    SELECT a.doc_id, a.lang, a.published, a.month, t.value AS topic
    FROM articles a, json_each(a.topics) t
    """,
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    _VERSION_1,
    _VERSION_2,
    _VERSION_3,
    _VERSION_4,
    _VERSION_5,
    _VERSION_6,
    _VERSION_7,
)

SCHEMA_VERSION = len(MIGRATIONS)
#: The version from which each site's copy keeps its own record (``copies``); an archive
#: upgraded to it is repaired (``Archive._repair_merged_copies``).
COPIES_VERSION = MIGRATIONS.index(_VERSION_6) + 1


def unreadable_reason(path: Path, version: int) -> str | None:
    """Why a reader who must not write cannot use the archive, if it is what only a write would
    make readable: an empty file (a crawl initialises it) or an archive of an older schema (an
    upgrade migrates it)."""
    if version == 0:
        return (
            f"{path} is empty, not an archive yet: a crawl into it initialises it "
            f"(scrapy crawl newsroom -s ILO_ARCHIVE_PATH={path})"
        )
    if version < SCHEMA_VERSION:
        return (
            f"archive {path} has schema version {version}, older than this ilo-crawler's "
            f"({SCHEMA_VERSION}): upgrade it first with ilo-archive upgrade --db {path}"
        )
    return None


class ReadOnlyOpenError(Exception):
    """The archive cannot be opened for reading by this user; the message says what is needed."""


#: SQLite's answers to a read-only open of a WAL archive whose index (``-shm``) the reader can
#: neither use nor create.
_NO_WAL_INDEX = ("attempt to write a readonly database", "unable to open database file")


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to the archive (``mode=ro``), for readers who may lack
    write access. WAL reading needs the ``-shm`` index beside the file: SQLite uses it when it
    exists and is readable (while a crawl has the archive open), or creates it where the
    directory is writable. An archive at rest (no ``-wal`` file: everything is in the main file)
    in a directory the reader cannot write is read ``immutable=1``, without the index."""
    try:
        path.open("rb").close()
    except PermissionError as error:
        raise ReadOnlyOpenError(
            f"cannot read archive {path}: permission denied (a reader needs read permission on "
            "it and search permission on its directories)"
        ) from error
    uri = path.resolve().as_uri()
    connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30)
    try:
        connection.execute("PRAGMA user_version").fetchone()  # reading page 1 needs the index
        return connection
    except sqlite3.OperationalError as error:
        connection.close()
        if str(error) not in _NO_WAL_INDEX:
            raise
        wal = Path(f"{path}-wal")
        if wal.exists():
            raise ReadOnlyOpenError(
                f"cannot read archive {path} while it is being written ({wal.name} exists) "
                f"without its index: a reader needs read permission on {wal.name} and "
                f"{path.name}-shm, or write permission on {path.parent} (SQLite: {error})"
            ) from error
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=30)
