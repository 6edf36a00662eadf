"""The same crawls in any order give the same archive: a month of the replica's two sites (its WCMS
articles in English and French, their copies migrated to the current site), with deliberate
twins (different articles with the same title and date: both migrated, only the first, only the
second), crawled in three orders through real ``scrapy crawl`` runs."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from conftest import Crawl, query, run_crawl, write_dataset

from ilo_crawler.archive.identity import CopyText, text_similarity
from ilo_crawler.mirror.dataset import default_rows
from ilo_crawler.mirror.process import running_mirror

MONTH = "2019-06"
#: The four crawls (source, language) and three orders of them: the WCMS first, the current
#: site first, and the languages interleaved across the sites.
CRAWLS = {
    "wcms-en": ("live", "en"),
    "wcms-fr": ("live", "fr"),
    "current-en": ("current", "en"),
    "current-fr": ("current", "fr"),
}
ORDERS = {
    "wcms first": ("wcms-en", "wcms-fr", "current-en", "current-fr"),
    "current site first": ("current-en", "current-fr", "wcms-en", "wcms-fr"),
    "languages interleaved": ("current-en", "wcms-fr", "wcms-en", "current-fr"),
}


def _body(row: dict[str, Any]) -> CopyText:
    return CopyText.of(
        {"identity": row["id"], "title": "", "summary": row.get("summary"),
         "body": "\n\n".join(row.get("body") or [])}
    )


def month_with_twins() -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The month's rows of the default replica, and three deliberate twins: for three migrated
    English articles, a WCMS article of the same title and date with another article's text
    (the least alike), migrated too (the first), not (the second), or instead of the original
    (the third). Returns the rows and each node's WCMS original."""
    rows = [copy.deepcopy(r) for r in default_rows() if r["date"].startswith(MONTH)]
    wcms = {(r["id"], r["lang"]): r for r in rows if r["id"].startswith("WCMS_")}
    nodes = [r for r in rows if r["id"].startswith("node:")]
    english = [n for n in nodes if n["lang"] == "en" and wcms[n["migrated_from"], "en"].get("body")]
    donors = [r for r in wcms.values() if r["lang"] == "en" and r.get("body")]
    next_id = max(int(i[5:]) for i, _ in wcms) + 1
    next_nid = max(int(n["id"][5:]) for n in nodes) + 1
    for case, node in zip(("both", "original only", "twin only"), english[:3], strict=True):
        original = wcms[node["migrated_from"], "en"]
        donor = min(
            (d for d in donors if d is not original),
            key=lambda d: text_similarity(_body(d), _body(original)) or 0.0,
        )
        twin = {**original, "id": f"WCMS_{next_id}", "summary": donor.get("summary"),
                "body": donor["body"]}
        rows.append(twin)
        next_id += 1
        if case == "both":
            rows.append({**node, "id": f"node:{next_nid}", "slug": f"{node['slug']}-twin",
                         "migrated_from": twin["id"], "summary": twin["summary"],
                         "body": twin["body"]})
            next_nid += 1
        elif case == "twin only":
            node.update(migrated_from=twin["id"], summary=twin["summary"], body=twin["body"])
    truth = {r["id"]: r["migrated_from"] for r in rows if r["id"].startswith("node:")}
    return rows, truth


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    rows, truth = month_with_twins()
    return write_dataset(tmp_path_factory.mktemp("twins") / "month.jsonl", rows), truth


@pytest.fixture(scope="module")
def archives(
    dataset: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """One archive per order, each made by the four crawls in that order."""
    made = {}
    with running_mirror(dataset[0]) as url:  # both sites served, as before the WCMS retired
        for name, order in ORDERS.items():
            archive = tmp_path_factory.mktemp("order") / "archive.db"
            for crawl in order:
                source, lang = CRAWLS[crawl]
                done: Crawl = run_crawl(url, archive, source=source, month=MONTH, lang=lang)
                assert done.returncode == 0, (name, crawl, done.stderr[-3000:])
            made[name] = archive
    return made


def grouping(archive: Path) -> set[tuple[str, str, str]]:
    return {tuple(r) for r in query(archive, "SELECT identity, lang, doc_id FROM copies")}


def test_every_order_gives_the_same_grouping_and_the_same_articles(
    archives: dict[str, Path],
) -> None:
    groupings = {name: grouping(archive) for name, archive in archives.items()}
    first = next(iter(groupings.values()))
    assert all(found == first for found in groupings.values()), {
        name: sorted(found ^ first)[:10] for name, found in groupings.items()
    }
    shown = {
        name: {tuple(r) for r in query(archive, "SELECT doc_id, lang, copy FROM articles")}
        for name, archive in archives.items()
    }
    assert len({frozenset(rows) for rows in shown.values()}) == 1


def test_every_migrated_copy_is_joined_to_its_original_in_every_language(
    archives: dict[str, Path], dataset: tuple[Path, dict[str, str]]
) -> None:
    truth = dataset[1]
    for name, archive in archives.items():
        joined = {
            (identity, lang): doc_id
            for identity, lang, doc_id in grouping(archive)
            if identity.startswith("node:")
        }
        assert joined, name
        assert joined == {(node, lang): truth[node] for node, lang in joined}, name


def test_no_article_holds_two_documents_of_one_site_twins_included(
    archives: dict[str, Path],
) -> None:
    for name, archive in archives.items():
        assert query(
            archive,
            "SELECT doc_id, lang, site FROM copies GROUP BY doc_id, lang, site"
            " HAVING count(*) > 1",
        ) == [], name
        assert query(archive, "SELECT count(*) FROM revisions")[0][0] == 0, name
