"""The archive's integrity: migrations, refusal of newer schemas, readers during a crawl,
``ilo-archive verify`` and ``ilo-archive reparse``."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import subprocess
import time
import zlib
from pathlib import Path

import pytest
from conftest import Crawl, copy_archive, ilo_archive, query

from ilo_crawler.archive import Archive, ArchiveError
from ilo_crawler.archive.maintenance import reparse
from ilo_crawler.archive.schema import MIGRATIONS, SCHEMA_VERSION
from ilo_crawler.mirror.process import crawl_command
from ilo_crawler.sites.wcms import article


@pytest.fixture
def archive_copy(november: Crawl, tmp_path: Path) -> Path:
    """A private copy of the November archive, free to damage."""
    return copy_archive(november.archive, tmp_path / "archive.db")


def test_an_archive_of_an_earlier_schema_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    connection = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        connection.execute(statement)
    connection.execute("PRAGMA user_version=1")
    connection.execute(
        "INSERT INTO runs (spider, arguments, started_at) VALUES ('newsroom', '{}', '2025-01-01')"
    )
    connection.execute(
        "INSERT INTO articles (doc_id, lang, title, body, content_hash, first_run, last_run,"
        " first_seen_at, last_seen_at, updated_at) VALUES ('WCMS_1', 'en', 'Cobalt mines',"
        " 'Children in cobalt mines.', 'h', 1, 1, '2025-01-01', '2025-01-01', '2025-01-01')"
    )
    connection.commit()
    connection.close()

    Archive(path).close()

    assert query(path, "PRAGMA user_version")[0][0] == SCHEMA_VERSION  # every step since 1
    assert [tuple(r) for r in query(path, "SELECT doc_id, title FROM articles")] == [
        ("WCMS_1", "Cobalt mines")
    ]
    found = query(path, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'cobalt'")
    assert len(found) == 1  # the migration indexed the rows it found
    assert query(path, "SELECT count(*) FROM captures")[0][0] == 0


def test_an_archive_of_a_newer_schema_is_refused(archive_copy: Path) -> None:
    connection = sqlite3.connect(archive_copy)
    connection.execute("PRAGMA user_version=99")
    connection.close()
    with pytest.raises(ArchiveError, match="schema version 99, newer than"):
        Archive(archive_copy)
    result = ilo_archive("stats", "--db", str(archive_copy))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "newer than" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_readers_never_see_an_article_without_its_capture_and_appearance(
    replica: str, tmp_path: Path
) -> None:
    archive = tmp_path / "archive.db"
    Archive(archive).close()  # the reader opens it before the crawl writes anything
    command = crawl_command(replica, archive, since="2021-01", until="2021-12")
    crawl = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    reader = sqlite3.connect(archive, timeout=1)
    snapshots = []
    try:
        while crawl.poll() is None:
            with reader:  # one read transaction: one consistent snapshot
                articles = reader.execute("SELECT count(*) FROM articles").fetchone()[0]
                orphans = reader.execute(
                    "SELECT count(*) FROM articles a WHERE a.capture_id IS NULL"
                    " OR NOT EXISTS (SELECT 1 FROM captures c WHERE c.id = a.capture_id)"
                    " OR NOT EXISTS (SELECT 1 FROM appearances p"
                    "                WHERE p.doc_id = a.doc_id AND p.lang = a.lang)"
                ).fetchone()[0]
            snapshots.append((articles, orphans))
            time.sleep(0.05)
    finally:
        reader.close()
        stderr = crawl.communicate()[1]
    assert crawl.returncode == 0, stderr[-3000:]
    assert all(orphans == 0 for _, orphans in snapshots)
    seen_growing = {articles for articles, _ in snapshots}
    assert len(seen_growing) > 2, "the reader should have watched the archive grow"


def test_verify_passes_on_a_crawled_archive(archive_copy: Path) -> None:
    result = ilo_archive("verify", "--db", str(archive_copy), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(check["problems"] == 0 for check in json.loads(result.stdout))


@pytest.mark.parametrize(
    ("damage", "check"),
    [
        (
            "UPDATE capture_bodies SET body = ? WHERE rowid = (SELECT min(rowid) FROM capture_bodies)",
            "capture bodies match their hashes",
        ),
        (
            "INSERT INTO articles_fts(articles_fts, rowid, title, summary, body)"
            " SELECT 'delete', id, title, summary, body FROM articles LIMIT 1",
            "full-text index in step with articles",
        ),
        (
            "UPDATE copies SET capture_id = NULL WHERE id = (SELECT min(id) FROM copies)",
            "every copy has a capture (or a known gap)",
        ),
    ],
)
def test_verify_finds_damage_and_exits_non_zero(
    archive_copy: Path, damage: str, check: str
) -> None:
    connection = sqlite3.connect(archive_copy)
    with connection:
        connection.execute(damage, (zlib.compress(b"tampered"),) if "?" in damage else ())
    connection.close()
    result = ilo_archive("verify", "--db", str(archive_copy), "--json")
    assert result.returncode == 1
    failed = {c["check"] for c in json.loads(result.stdout) if c["problems"]}
    assert failed == {check}


def test_verify_accepts_items_without_an_article_page_and_refuses_unexplained_gaps(
    archive_copy: Path,
) -> None:
    archive = Archive(archive_copy)
    shown = {"lang": "en", "listing": "all-newsroom", "listing_url": "x", "listing_position": 1}
    archive.store_articles(
        [
            {**shown, "doc_id": "LISTING_0123456789abcdef", "title": "An item without a link"},
            {
                **shown,
                "doc_id": "WCMS_1",
                "title": "Archived without its page, for no known reason",
            },
        ],
        run_id=None,
    )
    archive.close()
    result = ilo_archive("verify", "--db", str(archive_copy), "--json")
    assert result.returncode == 1
    failed = {c["check"]: c["examples"] for c in json.loads(result.stdout) if c["problems"]}
    assert failed == {"every copy has a capture (or a known gap)": "WCMS_1/en"}


def test_reparse_without_a_change_changes_nothing(archive_copy: Path) -> None:
    result = ilo_archive("reparse", "--db", str(archive_copy), "--json")
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    articles = query(archive_copy, "SELECT count(*) FROM articles")[0][0]
    assert (counts["changed"], counts["unchanged"], counts["without_captures"]) == (0, articles, 0)
    run = query(archive_copy, "SELECT spider, outcome FROM runs ORDER BY id DESC LIMIT 1")[0]
    assert tuple(run) == ("reparse", "finished")


def test_verify_and_reparse_keep_records_read_from_the_web_archive(
    wayback_november: Crawl, tmp_path: Path
) -> None:
    archive = copy_archive(wayback_november.archive, tmp_path / "archive.db")
    provenance = "SELECT doc_id, url, source, captured_at, archive_url, body FROM articles"
    before = [tuple(row) for row in query(archive, provenance + " ORDER BY doc_id")]
    assert ilo_archive("verify", "--db", str(archive)).returncode == 0
    result = ilo_archive("reparse", "--db", str(archive), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["changed"] == 0
    assert [tuple(row) for row in query(archive, provenance + " ORDER BY doc_id")] == before


def test_reparse_after_an_extraction_change_updates_exactly_the_affected_records(
    archive_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The extraction change: only an article's first three paragraphs are read as its body."""
    before = {
        row["doc_id"]: row["body"]
        for row in query(archive_copy, "SELECT doc_id, body FROM articles")
    }
    affected = {doc_id for doc_id, body in before.items() if body.count("\n\n") >= 3}
    assert affected and len(affected) < len(before)
    newest, *older = article.ARTICLE_LAYOUTS
    three = dataclasses.replace(newest, paragraphs=f"{newest.paragraphs}:nth-child(-n+3)")
    monkeypatch.setattr(article, "ARTICLE_LAYOUTS", (three, *older))
    archive = Archive(archive_copy)
    counts = reparse(archive)
    archive.close()
    assert (counts["changed"], counts["unchanged"]) == (len(affected), len(before) - len(affected))
    revisions = query(archive_copy, "SELECT doc_id, changed_fields, state FROM article_revisions")
    assert {row["doc_id"] for row in revisions} == affected
    for row in revisions:
        assert json.loads(row["changed_fields"]) == ["body"]
        assert json.loads(row["state"])["body"] == before[row["doc_id"]]
    after = dict(tuple(r) for r in query(archive_copy, "SELECT doc_id, body FROM articles"))
    for doc_id in affected:
        assert after[doc_id] == "\n\n".join(before[doc_id].split("\n\n")[:3])


def test_reparse_brings_records_of_an_older_extraction_up_to_date(archive_copy: Path) -> None:
    """Records an older extraction read poorly (a credit, label and body it missed) are read again
    from their stored captures with today's code, without a network."""
    fields = "doc_id, credit, label, body"
    before = {
        row["doc_id"]: tuple(row) for row in query(archive_copy, f"SELECT {fields} FROM articles")
    }
    missed = sorted(before)[:5]
    connection = sqlite3.connect(archive_copy)
    with connection:
        connection.executemany(
            # as an older extraction stored them: its fields, and the hash of its content
            "UPDATE copies SET credit = NULL, label = NULL, body = NULL,"
            " content_hash = 'of the older extraction' WHERE identity = ?",
            [(doc_id,) for doc_id in missed],
        )
    connection.close()
    result = ilo_archive("reparse", "--db", str(archive_copy), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["changed"] == len(missed)
    after = {
        row["doc_id"]: tuple(row) for row in query(archive_copy, f"SELECT {fields} FROM articles")
    }
    assert after == before
