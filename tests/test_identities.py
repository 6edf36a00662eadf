"""One record per article across sites, whatever the order: each site's copy keeps its own record
and history, and copies are joined into one article only by evidence (the same document, or
title, date and text agreeing, uniquely both ways). A real SQLite archive, written through
``Archive.store_articles`` as the storage pipeline writes it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilo_crawler.archive import Archive
from ilo_crawler.archive.identity import (
    MIN_TEXT_SIMILARITY,
    CopyText,
    match_copies,
    text_similarity,
)
from ilo_crawler.archive.maintenance import verify
from ilo_crawler.normalize.fields import title_key

DELHI = [
    "NEW DELHI (ILO News) - India launched a national plan against child labour in the brick "
    "kilns of Uttar Pradesh.",
    "The plan brings together labour inspectors, employers and unions to free children from "
    "bonded work.",
]
BRUSSELS = [
    "BRUSSELS (ILO News) - Europe's social partners met to discuss the future of work in the "
    "region.",
    "The meeting agreed a joint programme on skills, wages and social protection for platform "
    "workers.",
]
LIMA = [
    "LIMA (ILO News) - Peru's domestic workers gained the right to a written contract and a "
    "minimum wage.",
    "The new law follows ten years of campaigning by the domestic workers' union of Peru.",
]


def wcms(doc_id: str, title: str, body: list[str] = DELHI, **fields: Any) -> dict:
    published = fields.pop("published", "2021-11-15")
    return {
        "listing_url": "x",
        "listing_position": 1,
        "doc_id": doc_id,
        "lang": "en",
        "listing": "all-newsroom",
        "url": f"https://www.ilo.org/global/about-the-ilo/newsroom/news/{doc_id}/lang--en/index.htm",
        "title": title,
        "body": body,
        "published": published,
        "month": published[:7],
        **fields,
    }


def node(nid: str, title: str, body: list[str] = DELHI, **fields: Any) -> dict:
    return {
        **wcms(f"node:{nid}", title, body, **fields),
        "listing": "all-news",
        "url": f"https://www.ilo.org/resource/news/story-{nid}",
        "source": "current",
        **fields,
    }


def rows(path: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def grouping(path: Path) -> set[tuple[str, str, str]]:
    return set(rows(path, "SELECT identity, lang, doc_id FROM copies"))


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
def test_a_migrated_copy_joins_its_wcms_article_and_keeps_its_own_record(
    archive: Archive, edited: str
) -> None:
    archive.store_articles([wcms("WCMS_1", "Ending child labour in cobalt mines")], None)
    assert archive.store_articles([node("77", edited)], None) == ["new"]
    path = archive.path
    assert rows(path, "SELECT doc_id, copy, shown_because FROM articles") == [
        ("WCMS_1", "node:77", "current site")
    ]
    assert rows(path, "SELECT identity, doc_id, site, title FROM copies ORDER BY site") == [
        ("node:77", "WCMS_1", "current", edited),
        ("WCMS_1", "WCMS_1", "wcms", "Ending child labour in cobalt mines"),
    ]
    assert rows(path, "SELECT identity, other, kind, score FROM identity_links") == [
        ("WCMS_1", "node:77", "copy", 1.0)
    ]
    # Two copies are never each other's revisions.
    assert rows(path, "SELECT count(*) FROM revisions") == [(0,)]


def test_quotes_and_dashes_of_an_edit_still_match() -> None:
    assert title_key("ILO\u2019s \u201cglobal\u201d report \u2013 2021") == title_key(
        'ILO\'s "Global" report - 2021'
    )
    assert title_key("   ") is None


def test_the_twin_with_the_same_title_and_date_is_not_joined(archive: Archive) -> None:
    """Two WCMS articles share title, language and date; the node is the copy of the second.
    Whichever is archived first, the node joins the one whose text it has."""
    title = "ILO welcomes new commitment on decent work"
    archive.store_articles([wcms("WCMS_676892", title, BRUSSELS)], None)
    archive.store_articles([node("23121", title + " ")], None)  # the copy of WCMS_676958
    assert rows(archive.path, "SELECT doc_id FROM copies WHERE identity = 'node:23121'") == [
        ("node:23121",)
    ]
    archive.store_articles([wcms("WCMS_676958", title, DELHI)], None)
    assert rows(archive.path, "SELECT doc_id FROM copies WHERE identity = 'node:23121'") == [
        ("WCMS_676958",)
    ]
    bodies = dict(rows(archive.path, "SELECT doc_id, substr(body, 1, 9) FROM articles"))
    assert bodies == {"WCMS_676892": "BRUSSELS ", "WCMS_676958": "NEW DELHI"}


@pytest.mark.parametrize(
    "other",
    [
        node("77", "Wages in Asia", published="2021-11-16"),  # another day
        node("77", "Wages in Africa"),  # another title
        node("77", "Wages in Asia", lang="fr"),  # another language
        node("77", "Wages in Asia", LIMA),  # another text
    ],
)
def test_another_date_title_language_or_text_is_another_article(
    archive: Archive, other: dict
) -> None:
    archive.store_articles([wcms("WCMS_1", "Wages in Asia")], None)
    archive.store_articles([other], None)
    assert rows(archive.path, "SELECT count(*) FROM articles") == [(2,)]


def test_two_articles_of_one_site_are_never_joined(archive: Archive) -> None:
    archive.store_articles([wcms("WCMS_1", "Wages in Asia")], None)
    archive.store_articles([wcms("WCMS_2", "Wages in Asia")], None)
    assert rows(archive.path, "SELECT count(*) FROM articles") == [(2,)]
    assert rows(archive.path, "SELECT count(*) FROM identity_conflicts") == [(0,)]


def test_two_candidates_as_alike_are_recorded_with_their_scores_and_left_apart(
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
    assert rows(
        archive.path, "SELECT identity, reason, candidates FROM identity_conflicts"
    ) == [
        (
            "node:77",
            "ambiguous",
            '[{"identity": "WCMS_1", "score": 1.0}, {"identity": "WCMS_2", "score": 1.0}]',
        )
    ]
    assert "node:77/en: two or more copies on the other site as alike" in caplog.text
    # verify lists it apart from the faults: an archive with only an ambiguity is sound.
    reader = Archive(archive.path, create=False, read_only=True)
    checks = {check.name: check for check in verify(reader)}
    reader.close()
    pending = [check for check in checks.values() if check.pending]
    assert [check.problems for check in pending] == [1]
    assert checks["no article holds two documents of one site and language"].ok
    assert checks["every article row shows one of its copies"].ok
    # A later crawl that resolves it: the duplicate's text is corrected.
    archive.store_articles([wcms("WCMS_2", "Wages in Asia ", LIMA)], None)
    assert rows(archive.path, "SELECT doc_id FROM copies WHERE identity = 'node:77'") == [
        ("WCMS_1",)
    ]
    assert rows(archive.path, "SELECT count(*) FROM identity_conflicts") == [(0,)]


def test_the_bridge_joins_a_french_wcms_page_to_an_english_node(archive: Archive) -> None:
    """English read from the current site and French from the WCMS are two articles until the
    English WCMS copy proves the node is that document; then one, under the WCMS id."""
    archive.store_articles([node("77", "Wages in Asia")], None)
    archive.store_articles([wcms("WCMS_1", "Les salaires en Asie", lang="fr")], None)
    assert rows(archive.path, "SELECT count(DISTINCT doc_id) FROM copies") == [(2,)]
    archive.store_articles([wcms("WCMS_1", "Wages in Asia")], None)
    assert grouping(archive.path) == {
        ("node:77", "en", "WCMS_1"),
        ("WCMS_1", "en", "WCMS_1"),
        ("WCMS_1", "fr", "WCMS_1"),
    }
    assert archive.groups_joined == 1


def test_an_item_archived_from_its_listing_alone_is_taken_over_by_its_page(
    archive: Archive,
) -> None:
    url = "https://www.ilo.org/resource/news/story-77"
    placeholder = {**node("77", "Wages in Asia", body=[]), "doc_id": "LISTING_0123456789abcdef"}
    archive.store_articles([{**placeholder, "fetch_error": "HTTP 503"}], None)
    archive.store_articles([node("77", "Wages in Asia")], None)
    assert rows(archive.path, "SELECT doc_id, copy, url, body IS NOT NULL FROM articles") == [
        ("node:77", "node:77", url, 1)
    ]
    assert rows(archive.path, "SELECT identity, revision FROM copies") == [("node:77", 2)]


def test_reading_both_copies_in_turn_makes_no_revision(archive: Archive) -> None:
    old = wcms("WCMS_1", "Wages in Asia", label="Wages")
    new = node("77", "Wages in Asia ", label="News")
    assert archive.store_articles([old], None) == ["new"]
    assert archive.store_articles([new], None) == ["new"]
    for _ in range(2):
        assert archive.store_articles([old], None) == ["unchanged"]
        assert archive.store_articles([new], None) == ["unchanged"]
    assert rows(archive.path, "SELECT label, copy FROM articles") == [("News", "node:77")]
    # A copy that changes is a revision of that copy only.
    assert archive.store_articles([{**old, "label": "Wages and incomes"}], None) == ["changed"]
    assert rows(archive.path, "SELECT identity, revision FROM revisions") == [("WCMS_1", 1)]
    assert rows(archive.path, "SELECT identity, revision FROM copies ORDER BY site") == [
        ("node:77", 1),
        ("WCMS_1", 2),
    ]


def test_a_copy_gone_from_the_site_gives_way_to_the_copy_still_served(archive: Archive) -> None:
    archive.store_articles([wcms("WCMS_1", "Wages in Asia"), node("77", "Wages in Asia")], None)
    archive.store_articles([{**node("77", "Wages in Asia"), "fetch_status": 404}], None)
    assert rows(archive.path, "SELECT copy, shown_because FROM articles") == [
        ("WCMS_1", "still served")
    ]


def test_the_similarity_tells_a_migrated_copy_from_a_twin() -> None:
    text = "\n\n".join(DELHI)
    mine = CopyText.of({"identity": "WCMS_1", "title": "T", "summary": None, "body": text})
    trimmed = CopyText.of(  # one site's reader kept a few words less
        {"identity": "node:1", "title": "T", "summary": None, "body": text[:-20]}
    )
    twin = CopyText.of(
        {"identity": "node:2", "title": "T", "summary": None, "body": "\n\n".join(BRUSSELS)}
    )
    assert text_similarity(mine, trimmed) >= MIN_TEXT_SIMILARITY
    assert text_similarity(mine, twin) < 0.1
    links, ambiguities = match_copies("en", [mine, trimmed, twin])
    assert [(link.identity, link.other) for link in links] == [("WCMS_1", "node:1")]
    assert ambiguities == []


# Order independence ------------------------------------------------------------------------

TITLE = "ILO welcomes new commitment on decent work"
#: A small newsroom with every kind of case: twins (WCMS_10/11) with one migrated, a migrated
#: article read in two languages on each site, a bridge (node 30 in English, WCMS_20 in French),
#: an ambiguity (WCMS_40/41 identical), new content, and an edited title.
RECORDS = (
    wcms("WCMS_10", TITLE, BRUSSELS),
    wcms("WCMS_11", TITLE, DELHI),
    node("21", TITLE + " ", DELHI),
    wcms("WCMS_20", "Wages in Asia", LIMA),
    wcms("WCMS_20", "Les salaires en Asie", LIMA, lang="fr"),
    node("30", "Wages in Asia", LIMA),
    node("30", "Les salaires en Asie", LIMA, lang="fr"),
    wcms("WCMS_40", "Domestic workers", DELHI, published="2021-11-20"),
    wcms("WCMS_41", "Domestic workers", DELHI, published="2021-11-20"),
    node("50", "Domestic workers", DELHI, published="2021-11-20"),
    node("60", "A new article", BRUSSELS, published="2024-06-01"),
    wcms("WCMS_70", "ILO's \"global\" report: 2021", BRUSSELS, published="2021-11-03"),
    node("71", "ILO\u2019s \u201cglobal\u201d report \u2013 2021", BRUSSELS, published="2021-11-03"),
)

EXPECTED = {
    ("WCMS_10", "en", "WCMS_10"),
    ("WCMS_11", "en", "WCMS_11"),
    ("node:21", "en", "WCMS_11"),
    ("WCMS_20", "en", "WCMS_20"),
    ("WCMS_20", "fr", "WCMS_20"),
    ("node:30", "en", "WCMS_20"),
    ("node:30", "fr", "WCMS_20"),
    ("WCMS_40", "en", "WCMS_40"),
    ("WCMS_41", "en", "WCMS_41"),
    ("node:50", "en", "node:50"),
    ("node:60", "en", "node:60"),
    ("WCMS_70", "en", "WCMS_70"),
    ("node:71", "en", "WCMS_70"),
}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.permutations(range(len(RECORDS))),
    cuts=st.lists(st.integers(1, len(RECORDS) - 1), max_size=4),
    again=st.lists(st.integers(0, len(RECORDS) - 1), max_size=3),
)
def test_any_order_of_crawls_gives_the_same_archive(
    tmp_path_factory: pytest.TempPathFactory, order: list[int], cuts: list[int], again: list[int]
) -> None:
    """Every order, cut into batches anyhow, some records read twice: the same grouping, the
    same ``doc_id``s, the same article rows, no revision, the ambiguity recorded."""
    path = tmp_path_factory.mktemp("orders") / "archive.db"
    store = Archive(path)
    try:
        sequence = [RECORDS[i] for i in order] + [RECORDS[i] for i in again]
        bounds = [0, *sorted(set(cuts)), len(sequence)]
        for start, end in zip(bounds, bounds[1:], strict=False):
            if start < end:
                store.store_articles(sequence[start:end], None)
    finally:
        store.close()
    assert grouping(path) == EXPECTED
    assert rows(path, "SELECT count(*) FROM revisions") == [(0,)]
    assert sorted(rows(path, "SELECT doc_id, lang, copy FROM articles")) == sorted(
        rows(path, "SELECT doc_id, lang, max(identity) FROM copies GROUP BY doc_id, lang")
    )
    assert rows(path, "SELECT identity, reason FROM identity_conflicts") == [
        ("node:50", "ambiguous")
    ]


# Archives made by the previous version -----------------------------------------------------


def test_a_wrong_join_of_schema_5_is_undone_by_the_upgrade(tmp_path: Path) -> None:
    """``archives/v5-wrong-join.db`` was written by ilo-crawler at schema 5: the node copy of
    WCMS_676958 arrived while only its twin WCMS_676892 was archived, was joined to the twin by
    title and date, and its text (NEW DELHI) became the twin's state, the twin's own text
    (BRUSSELS) a revision. The upgrade gives each copy its own record again and joins by
    evidence."""
    path = shutil.copy(FIXTURES / "archives" / "v5-wrong-join.db", tmp_path / "archive.db")
    assert rows(path, "SELECT doc_id, substr(body, 1, 9) FROM articles WHERE lang = 'en'") == [
        ("WCMS_676892", "NEW DELHI"),
        ("WCMS_676958", "NEW DELHI"),
    ]
    store = Archive(path)
    try:
        assert store.repaired["shared_rows"] == 1
        checks = {check.name: check for check in verify(store)}
        assert checks["no article holds two documents of one site and language"].ok
        assert checks["every article row shows one of its copies"].ok
    finally:
        store.close()
    assert grouping(path) == {
        ("WCMS_676892", "en", "WCMS_676892"),
        ("WCMS_676958", "en", "WCMS_676958"),
        ("WCMS_676958", "fr", "WCMS_676958"),
        ("node:23121", "en", "WCMS_676958"),
    }
    bodies = rows(path, "SELECT identity, substr(body, 1, 9) FROM copies ORDER BY identity")
    assert bodies == [
        ("WCMS_676892", "BRUSSELS "),
        ("WCMS_676958", "NEW DELHI"),
        ("WCMS_676958", "NEW DELHI"),
        ("node:23121", "NEW DELHI"),
    ]
    # The twin's "revision" was its own text, replaced by the other article's: not a revision.
    assert rows(path, "SELECT count(*) FROM revisions") == [(0,)]
