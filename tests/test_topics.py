"""Topics across both eras: the WCMS's labels and the current site's tags, normalised through the
one label taxonomy into ``articles.topics``, counted by the query ``docs/fidelity.md`` shows."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from conftest import MONTH, ROOT, Crawl, copy_archive, query, run_crawl

from ilo_crawler.archive.schema import CONTENT_FIELDS, SCHEMA_VERSION
from ilo_crawler.mirror.dataset import default_nodes
from ilo_crawler.mirror.process import running_mirror
from ilo_crawler.normalize.categories import default_taxonomy

#: A month of the current site's replica (its articles list topics as tags).
CURRENT_MONTH = "2025-03"


def docs_query(heading: str) -> str:
    """The first SQL block under ``heading`` in docs/fidelity.md."""
    text = (ROOT / "docs" / "fidelity.md").read_text("utf-8")
    section = text[text.index(heading) :]
    return re.search(r"```sql\n(.*?)```", section, re.S)[1]


@pytest.fixture(scope="module")
def both_sites(november: Crawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """November 2021 of the WCMS and March 2025 of the current site (its article pages in every
    rendering of the replica, hero or not) in one archive."""
    archive = copy_archive(november.archive, tmp_path_factory.mktemp("topics") / "archive.db")
    with running_mirror(None, None, "--retired", "--layout", "current-varied") as url:
        crawl = run_crawl(url, archive, source="current", month=CURRENT_MONTH)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    return archive


def test_the_docs_query_counts_articles_by_topic_over_both_sites(both_sites: Path) -> None:
    rows = query(both_sites, docs_query("## Counting articles by topic"))
    counted = {(row["year"], row["topic"]): row["articles"] for row in rows}
    expected: Counter = Counter()
    for month, topics in query(both_sites, "SELECT month, topics FROM articles"):
        if "2017-01" <= month <= "2026-12":
            for topic in json.loads(topics):
                expected[month[:4], topic] += 1
    assert counted == dict(expected)
    years = {year for year, _ in counted}
    assert {MONTH[:4], CURRENT_MONTH[:4]} <= years  # both eras counted


def test_the_current_sites_tags_become_its_topics_through_the_taxonomy(both_sites: Path) -> None:
    taxonomy = default_taxonomy()
    nodes = [
        node
        for node in default_nodes()
        if f"{node.date:%Y-%m}" == CURRENT_MONTH and node.lang == "en"
    ]
    rows = {
        row["doc_id"]: row
        for row in query(both_sites, "SELECT doc_id, tags, topics FROM articles WHERE lang = 'en'")
    }
    assert nodes and any(node.tags for node in nodes)
    for node in nodes:
        row = rows[node.id]
        assert json.loads(row["tags"]) == list(node.tags), node.id
        names = [taxonomy.normalize(tag) for tag in node.tags]
        wanted = list(dict.fromkeys(c.name for c in names if c and c.kind == "topic"))
        assert json.loads(row["topics"]) == wanted, node.id


def test_a_wcms_articles_topic_is_its_labels_category_where_that_is_a_topic(
    both_sites: Path,
) -> None:
    rows = query(
        both_sites,
        "SELECT category, category_kind, topics FROM articles WHERE doc_id LIKE 'WCMS!_%' "
        "ESCAPE '!'",
    )
    assert any(row["category_kind"] == "topic" for row in rows)
    for row in rows:
        wanted = [row["category"]] if row["category_kind"] == "topic" else []
        assert json.loads(row["topics"]) == wanted


def test_every_current_rendering_gives_back_each_articles_fields(both_sites: Path) -> None:
    """The month was crawled in ``current-varied``: each node's article page in one of the four
    readable renderings (the hero's, and three without it); every field comes back exact."""
    nodes = [
        node
        for node in default_nodes()
        if f"{node.date:%Y-%m}" == CURRENT_MONTH and node.lang == "en" and node.listings
    ]
    rows = {
        (row["doc_id"], row["lang"]): row
        for row in query(both_sites, "SELECT * FROM articles WHERE doc_id LIKE 'node:%'")
    }
    assert len(rows) == len(nodes) > 20
    for node in nodes:
        row = rows[node.id, node.lang]
        credit = node.credit[node.credit.index("©") :] if node.credit and node.image else None
        assert row["body"] == "\n\n".join(node.body), node.id
        assert (row["article_type"], row["article_date_text"]) == (node.label, node.date_text)
        assert row["credit"] == credit, node.id
        assert row["summary"] == node.summary, node.id


def test_an_archive_of_before_topics_is_upgraded_without_a_false_revision(
    november: Crawl, replica: str, tmp_path: Path
) -> None:
    """An archive written before tags and topics existed: upgraded in place (topics from the
    labels' categories), and its articles read again are unchanged (no tags: their content
    fingerprints are as before)."""
    archive = copy_archive(november.archive, tmp_path / "before.db")
    connection = sqlite3.connect(archive)
    connection.execute("DROP VIEW article_topics")
    for table in ("articles", "copies"):
        connection.execute(f"ALTER TABLE {table} DROP COLUMN tags")
        connection.execute(f"ALTER TABLE {table} DROP COLUMN topics")
    connection.execute(f"PRAGMA user_version={SCHEMA_VERSION - 1}")
    connection.execute("UPDATE captures SET headers = '{}'")  # no 304: every page read again
    before = [name for name in CONTENT_FIELDS if name != "tags"]  # the fingerprint of before
    connection.row_factory = sqlite3.Row
    for table in ("articles", "copies"):
        for row in connection.execute(f"SELECT * FROM {table}").fetchall():
            shown = json.dumps([row[name] for name in before], ensure_ascii=False)
            connection.execute(
                f"UPDATE {table} SET content_hash = ? WHERE id = ?",
                (hashlib.sha256(shown.encode("utf-8")).hexdigest(), row["id"]),
            )
    connection.commit()
    connection.close()
    crawl = run_crawl(replica, archive, month=MONTH, refresh="1")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert " 0 new, 0 changed, " in crawl.stderr and " 0 not modified (304)" in crawl.stderr
    topics = query(archive, "SELECT category, category_kind, topics FROM articles")
    assert any(row["category_kind"] == "topic" for row in topics)
    for row in topics:
        assert json.loads(row["topics"]) == (
            [row["category"]] if row["category_kind"] == "topic" else []
        )
    assert query(archive, "SELECT count(*) FROM revisions")[0][0] == 0
