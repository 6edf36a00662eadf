"""One record per article across sites: a WCMS article and its copy migrated to the current site
are joined by language, date and title; two candidates are a conflict, left apart (a real SQLite
archive, written through ``Archive.store_articles`` as the storage pipeline writes it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ilo_crawler.archive import Archive
from ilo_crawler.normalize.fields import title_key

SHOWN = {"listing_url": "x", "listing_position": 1, "body": ["A paragraph."]}


def wcms(doc_id: str, title: str, published: str = "2021-11-15", **fields: Any) -> dict:
    return {
        **SHOWN,
        "doc_id": doc_id,
        "lang": "en",
        "listing": "all-newsroom",
        "url": f"https://www.ilo.org/global/about-the-ilo/newsroom/news/{doc_id}/lang--en/index.htm",
        "title": title,
        "published": published,
        "month": published[:7],
        **fields,
    }


def node(nid: str, title: str, published: str = "2021-11-15", **fields: Any) -> dict:
    return {
        **SHOWN,
        "doc_id": f"node:{nid}",
        "lang": "en",
        "listing": "all-news",
        "url": f"https://www.ilo.org/resource/news/story-{nid}",
        "title": title,
        "published": published,
        "month": published[:7],
        "source": "current",
        **fields,
    }


def rows(path: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    store = Archive(tmp_path / "archive.db")
    yield store
    store.close()


@pytest.mark.parametrize(
    "edited",
    [
        "Ending child labour in cobalt mines ",  # a trailing space
        "Ending  child labour in cobalt mines",  # whitespace
        "ending child labour in Cobalt mines",  # case
        "Ending child labour in cobalt mines",  # as it was
    ],
)
def test_a_migrated_copy_joins_its_wcms_article_with_both_identities(
    archive: Archive, edited: str
) -> None:
    archive.store_articles([wcms("WCMS_1", "Ending child labour in cobalt mines")], None)
    outcome = archive.store_articles([node("77", edited)], None)
    assert outcome == [
        "unchanged" if edited == "Ending child labour in cobalt mines" else "changed"
    ]
    path = archive.path
    assert rows(path, "SELECT doc_id FROM articles") == [("WCMS_1",)]
    identities = rows(path, "SELECT identity, doc_id, site, url FROM identities ORDER BY site")
    assert [(i, d, s) for i, d, s, _ in identities] == [
        ("node:77", "WCMS_1", "current"),
        ("WCMS_1", "WCMS_1", "wcms"),
    ]
    assert identities[0][3].endswith("/resource/news/story-77")
    if edited != "Ending child labour in cobalt mines":
        assert rows(path, "SELECT changed_fields FROM revisions") == [('["title"]',)]


def test_quotes_and_dashes_of_an_edit_still_match() -> None:
    assert title_key("ILO\u2019s \u201cglobal\u201d report \u2013 2021") == title_key(
        'ILO\'s "Global" report - 2021'
    )
    assert title_key("   ") is None


def test_the_wcms_article_read_after_its_copy_joins_it_too(archive: Archive) -> None:
    archive.store_articles([node("77", "Wages in Asia")], None)
    archive.store_articles([wcms("WCMS_1", "Wages in Asia")], None)
    assert rows(archive.path, "SELECT doc_id FROM articles") == [("node:77",)]
    assert rows(archive.path, "SELECT identity FROM identities ORDER BY identity") == [
        ("WCMS_1",),
        ("node:77",),
    ]
    # Read again, each identity goes to the one row: no second row, ever.
    archive.store_articles([wcms("WCMS_1", "Wages in Asia"), node("77", "Wages in Asia")], None)
    assert rows(archive.path, "SELECT count(*) FROM articles") == [(1,)]


@pytest.mark.parametrize(
    "other",
    [
        node("77", "Wages in Asia", published="2021-11-16"),  # another day
        node("77", "Wages in Africa"),  # another title
        node("77", "Wages in Asia", lang="fr"),  # another language
    ],
)
def test_another_date_title_or_language_is_another_article(archive: Archive, other: dict) -> None:
    archive.store_articles([wcms("WCMS_1", "Wages in Asia")], None)
    archive.store_articles([other], None)
    assert rows(archive.path, "SELECT count(*) FROM articles") == [(2,)]


def test_two_articles_of_one_site_are_never_joined(archive: Archive) -> None:
    archive.store_articles([wcms("WCMS_1", "Wages in Asia")], None)
    archive.store_articles([wcms("WCMS_2", "Wages in Asia")], None)
    assert rows(archive.path, "SELECT count(*) FROM articles") == [(2,)]
    assert rows(archive.path, "SELECT count(*) FROM identity_conflicts") == [(0,)]


def test_two_candidates_are_reported_and_left_apart(
    archive: Archive, caplog: pytest.LogCaptureFixture
) -> None:
    archive.store_articles(
        [wcms("WCMS_1", "Wages in Asia"), wcms("WCMS_2", "Wages in Asia ")], None
    )
    archive.store_articles([node("77", "Wages in Asia")], None)
    assert rows(archive.path, "SELECT doc_id FROM articles ORDER BY doc_id") == [
        ("WCMS_1",),
        ("WCMS_2",),
        ("node:77",),
    ]
    assert rows(archive.path, "SELECT identity, candidates FROM identity_conflicts") == [
        ("node:77", '["WCMS_1", "WCMS_2"]')
    ]
    assert "node:77/en matches 2 archived articles of another site (WCMS_1, WCMS_2)" in caplog.text


def test_an_item_archived_from_its_listing_alone_is_taken_over_by_its_page(
    archive: Archive,
) -> None:
    url = "https://www.ilo.org/resource/news/story-77"
    placeholder = node("77", "Wages in Asia", body=[], doc_id="LISTING_0123456789abcdef")
    archive.store_articles([{**placeholder, "fetch_error": "HTTP 503"}], None)
    archive.store_articles([node("77", "Wages in Asia")], None)
    assert rows(archive.path, "SELECT doc_id, url, body IS NOT NULL FROM articles") == [
        ("LISTING_0123456789abcdef", url, 1)
    ]


def test_reading_both_copies_in_turn_makes_no_revision_each_time(archive: Archive) -> None:
    old = wcms("WCMS_1", "Wages in Asia", label="Wages")
    new = node("77", "Wages in Asia ", label="News")
    assert archive.store_articles([old], None) == ["new"]
    assert archive.store_articles([new], None) == ["changed"]  # joined: its differences kept
    for _ in range(2):
        assert archive.store_articles([old], None) == ["unchanged"]
        assert archive.store_articles([new], None) == ["unchanged"]
    assert rows(archive.path, "SELECT label, revision FROM articles") == [("News", 2)]
    # A copy that did change is the article's newest state, whichever site it is on.
    assert archive.store_articles([{**old, "label": "Wages and incomes"}], None) == ["changed"]
    assert rows(archive.path, "SELECT label, revision FROM articles") == [("Wages and incomes", 3)]
