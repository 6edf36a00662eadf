"""The archive's schema as a list of migrations; its version is kept in ``PRAGMA user_version``.

``MIGRATIONS[i]`` takes an archive from version ``i`` to ``i + 1``; a new archive runs them all.
Never edit a migration that has shipped: add the next one. Column meanings are documented in the
README ("The archive") and in ``ilo_crawler/archive/metadata.yml`` (Datasette); keep them in step.
"""

from __future__ import annotations

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
)

#: Fields the pipelines derive from the content; re-derived on every write, never a revision.
DERIVED_FIELDS: tuple[str, ...] = DATE_FIELDS + CATEGORY_FIELDS

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

MIGRATIONS: tuple[tuple[str, ...], ...] = (_VERSION_1,)

SCHEMA_VERSION = len(MIGRATIONS)
