"""The current site (www.ilo.org since 2024) through the real ``scrapy crawl``, against the
replica serving it: a month in three languages exactly as served, the seek budget, re-runs that
download nothing, incremental runs while items are published, the source chosen by the months,
one record per article across both sites, and layout drift."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import (
    MONTH,
    ROOT,
    Crawl,
    copy_archive,
    ilo_archive,
    row,
    run_crawl,
    write_dataset,
)
from test_cron import free_port

from ilo_crawler.exitcodes import ExitStatus
from ilo_crawler.mirror import Node, default_nodes, default_site_dataset
from ilo_crawler.mirror.current import CURRENT_PAGE_SIZE, listing_order
from ilo_crawler.mirror.process import crawl_command, running_mirror

MARCH = "2025-03"
LANGS = ("en", "fr", "es")


def node_row(nid: int, date: str, lang: str = "en", **fields: object) -> dict:
    """A current-site dataset line: ``node:<nid>`` in the All news listing."""
    return {"id": f"node:{nid}", "lang": lang, "date": date, "title": f"Node {nid}", **fields}


def stats(crawl: Crawl) -> dict:
    """The stats of the run this crawl made (its summary line names it)."""
    run_id = int(re.search(r"INFO: run (\d+) ", crawl.stderr)[1])
    return json.loads(crawl.rows("SELECT stats FROM runs WHERE id = ?", (run_id,))[0][0])


def in_month(node: Node, month: str) -> bool:
    return node.date.isoformat().startswith(month)


@pytest.fixture(scope="module")
def nodes() -> list[Node]:
    return default_nodes()


@pytest.fixture(scope="session")
def current_site() -> Iterator[str]:
    """The replica as the host is now: the WCMS listings gone, the current site served."""
    with running_mirror(None, None, "--retired") as base_url:
        yield base_url


@pytest.fixture(scope="module")
def march(current_site: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Crawl]:
    """March 2025 of the current site in English, French and Spanish, into one archive."""
    archive = tmp_path_factory.mktemp("march") / "archive.db"
    crawls = {}
    for lang in LANGS:
        crawl = run_crawl(current_site, archive, source="current", month=MARCH, lang=lang)
        assert crawl.returncode == 0, crawl.stderr[-3000:]
        crawls[lang] = crawl
    return crawls


@pytest.mark.parametrize("lang", LANGS)
def test_a_month_archives_every_item_as_published(
    march: dict[str, Crawl], nodes: list[Node], current_site: str, lang: str
) -> None:
    expected = {n.id: n for n in nodes if n.lang == lang and in_month(n, MARCH)}
    assert len(expected) >= (30 if lang == "en" else 3)
    archived = {
        r["doc_id"]: r
        for r in march[lang].rows(
            "SELECT * FROM articles WHERE lang = ? AND month = ?", (lang, MARCH)
        )
    }
    assert set(archived) == set(expected)
    for doc_id, node in expected.items():
        record = archived[doc_id]
        assert record["title"] == node.title  # raw, a trailing space kept
        assert record["label"] == node.label
        assert record["published"] == node.date.isoformat()
        assert record["date_text"] == node.date_text
        assert record["date_value"] == (None if node.place else str(node.timestamp))
        assert record["date_problem"] is None
        assert record["summary"] == node.summary
        assert record["credit"] == node.credit
        assert record["body"] == "\n\n".join(node.body)
        assert record["url"] == node.url(current_site)
        assert record["source"] == "current"
    translated = [n for n in expected.values() if n.lang != "en"]
    for node in translated:  # a translation is the same document as its English node
        assert archived[node.id]["doc_id"] == f"node:{node.node_id}"


def test_the_month_is_found_within_the_seek_budget(
    march: dict[str, Crawl], nodes: list[Node]
) -> None:
    listing = listing_order(nodes, "en")
    pages = math.ceil(len(listing) / CURRENT_PAGE_SIZE)
    holding = {i // CURRENT_PAGE_SIZE for i, n in enumerate(listing) if in_month(n, MARCH)}
    requests = stats(march["en"])["newsroom/listing_requests"]
    assert requests <= 2 * math.ceil(math.log2(pages)) + len(holding) + 2, requests


def test_a_rerun_adds_no_row_and_downloads_no_article(
    march: dict[str, Crawl], current_site: str, tmp_path: Path
) -> None:
    archive = copy_archive(march["en"].archive, tmp_path / "archive.db")
    before = march["en"].rows("SELECT count(*) FROM articles")[0][0]
    again = run_crawl(current_site, archive, source="current", month=MARCH)
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.rows("SELECT count(*) FROM articles")[0][0] == before
    assert stats(again).get("newsroom/article_requests", 0) == 0
    assert ": 0 new, 0 changed," in again.stderr
    # Downloaded anyway, every request is conditional: the site answers 304 Not Modified.
    refreshed = run_crawl(current_site, archive, source="current", month=MARCH, refresh="1")
    assert refreshed.returncode == 0, refreshed.stderr[-3000:]
    items = stats(refreshed)["newsroom/article_requests"]
    assert f"0 article downloads, {items} not modified (304)" in refreshed.stderr


# Incremental runs --------------------------------------------------------------------------------


def day(n: int) -> str:
    """Every ten days back from 20 November 2026: about seven months of items."""
    return (dt.date(2026, 11, 20) - dt.timedelta(days=10 * n)).isoformat()


def small_site(tmp_path: Path) -> Path:
    """Twenty nodes, three a page: seven listing pages."""
    return write_dataset(
        tmp_path / "nodes.jsonl",
        [node_row(700 + n, day(n), body=[f"Body {n}."]) for n in range(20)],
    )


def test_incremental_runs_while_items_are_published_miss_none(tmp_path: Path) -> None:
    published = [
        node_row(800 + n, "2026-11-28", title=f"Published {n}", body=["New."]) for n in range(8)
    ]
    new = write_dataset(tmp_path / "new.jsonl", published)
    archive = tmp_path / "archive.db"
    options = ("--retired", "--current-page-size", "3", "--publish-every", "2")
    with running_mirror(small_site(tmp_path), None, *options, "--publish-from", str(new)) as url:
        first = run_crawl(url, archive, source="current")
        second = run_crawl(url, archive, source="current")
    assert first.returncode == second.returncode == 0, second.stderr[-3000:]
    listing_requests = sum(stats(c)["newsroom/listing_requests"] for c in (first, second))
    served = 20 + min(len(published), listing_requests // 2)
    archived = {r[0] for r in second.rows("SELECT doc_id FROM articles")}
    # Items published after the second run's last listing request are for the next run.
    late = {f"node:{800 + n}" for n in range(len(published))} - archived
    assert (
        len(archived) + len(late) >= served and {f"node:{700 + n}" for n in range(20)} <= archived
    )
    assert len(archived) == second.rows("SELECT count(DISTINCT doc_id) FROM articles")[0][0]
    assert sorted(late) == sorted(f"node:{800 + n}" for n in range(len(published)))[-len(late) :]
    assert second.rows("SELECT count(*) FROM articles")[0][0] >= 22  # some were published


def test_a_second_run_of_an_unchanged_site_makes_only_listing_requests(tmp_path: Path) -> None:
    archive = tmp_path / "archive.db"
    with running_mirror(small_site(tmp_path), None, "--retired", "--current-page-size", "3") as url:
        first = run_crawl(url, archive, source="current")
        second = run_crawl(url, archive, source="current")
    assert first.returncode == second.returncode == 0, second.stderr[-3000:]
    assert stats(first)["newsroom/article_requests"] == 20
    assert stats(second).get("newsroom/article_requests", 0) == 0
    # Down to two settled pages (all older than last run's month less the margin), not all 7.
    assert stats(second)["newsroom/listing_requests"] < 7
    assert second.rows("SELECT count(*) FROM articles")[0][0] == 20


# The source without -a source ------------------------------------------------------------------


@pytest.fixture(scope="module")
def both_replicas(current_site: str, wayback: str) -> tuple[str, str]:
    return current_site, wayback


def chosen_source(crawl: Crawl) -> str:
    arguments = json.loads(crawl.rows("SELECT arguments FROM runs ORDER BY id DESC")[0][0])
    return arguments["source"]


@pytest.mark.parametrize(
    ("arguments", "source"),
    [({"month": MONTH}, "wayback"), ({"month": MARCH}, "current"), ({}, "current")],
)
def test_without_a_source_the_months_choose_it(
    both_replicas: tuple[str, str], tmp_path: Path, arguments: dict, source: str
) -> None:
    site, archive_url = both_replicas
    command = crawl_command(site, tmp_path / "archive.db", wayback_url=archive_url, **arguments)
    if not arguments:  # the bare cron command: its first run walks the whole listing
        command += ["-s", "CLOSESPIDER_ITEMCOUNT=40"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    crawl = Crawl(result.returncode, result.stdout, result.stderr, tmp_path / "archive.db")
    assert crawl.returncode == 0 or not arguments, crawl.stderr[-3000:]
    assert chosen_source(crawl) == source
    sources = {r[0] for r in crawl.rows("SELECT DISTINCT source FROM articles")}
    assert sources == {source}


def test_a_span_across_both_sites_is_refused_before_any_request(
    both_replicas: tuple[str, str], tmp_path: Path
) -> None:
    site, archive_url = both_replicas
    command = crawl_command(
        site, tmp_path / "archive.db", wayback_url=archive_url, since="2024-01", until="2024-08"
    )
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: the span reaches from the WCMS newsroom (to 2024-04, read from the web archive) "
        "into the current site (from 2024-05, ILO_CURRENT_FIRST_MONTH): give two runs, "
        "-a since=2024-01 -a until=2024-04, and -a since=2024-05 -a until=2024-08 (or choose one "
        "with -a source=live|wayback|current)"
    ]
    assert not (tmp_path / "archive.db").exists()


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"listing": "press-releases"}, "invalid listing 'press-releases' for source current"),
        ({"lang": "xx"}, "invalid lang 'xx': accepted languages are en, fr, es"),
    ],
)
def test_bad_arguments_for_the_current_site_end_before_any_request(
    current_site: str, tmp_path: Path, arguments: dict, named: str
) -> None:
    crawl = run_crawl(current_site, tmp_path / "archive.db", source="current", **arguments)
    assert crawl.returncode == 2
    lines = crawl.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], crawl.stderr
    assert not crawl.archive.exists()


# One record per article across sites -----------------------------------------------------------


def test_a_month_from_both_sites_is_one_record_per_migrated_article(
    wayback_november: Crawl, wayback: str, current_site: str, nodes: list[Node], tmp_path: Path
) -> None:
    archive = copy_archive(wayback_november.archive, tmp_path / "archive.db")
    before = {r[0] for r in wayback_november.rows("SELECT doc_id FROM articles")}
    crawl = run_crawl(current_site, archive, source="current", month=MONTH)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    migrated = [n for n in nodes if n.lang == "en" and in_month(n, MONTH)]
    assert migrated and all(n.migrated_from for n in migrated)
    assert {r[0] for r in crawl.rows("SELECT doc_id FROM articles")} == before
    joined = dict(
        crawl.rows("SELECT identity, doc_id FROM identities WHERE site = 'current' AND lang = 'en'")
    )
    assert joined == {n.id: n.migrated_from for n in migrated}
    assert stats(crawl)["archive/groups_joined"] == len(migrated)
    assert f"; {len(migrated)} joined to their copy on the other site" in crawl.stderr
    node = migrated[0]
    shown = json.loads(ilo_archive("show", node.id, "--db", str(archive), "--json").stdout)
    assert [a["doc_id"] for a in shown] == [node.migrated_from]
    assert {i["identity"] for i in shown[0]["identities"]} == {node.id, node.migrated_from}
    assert {i["url"].split("/")[3] for i in shown[0]["identities"]} == {"resource", "global"}
    # Each site read again: nothing new, no revision made by the copies' differences.
    for source, url in (("wayback", wayback), ("current", current_site)):
        again = run_crawl(url, archive, source=source, month=MONTH)
        assert again.returncode == 0, again.stderr[-3000:]
        assert ": 0 new, 0 changed," in again.stderr


def test_twins_are_told_apart_by_their_text_and_alike_candidates_are_never_merged(
    tmp_path: Path,
) -> None:
    """WCMS_10 and WCMS_11 share title and date; node 500 has WCMS_11's text: it joins WCMS_11.
    WCMS_12 and WCMS_13 are alike in everything: node 502 is left apart, listed by verify."""
    title, other = "ILO welcomes new Convention", "ILO and Peru sign a new programme"
    dataset = write_dataset(
        tmp_path / "twins.jsonl",
        [
            row(10, "2021-06-01", title=title, body=["Social partners in Brussels agree."]),
            row(11, "2021-06-01", title=title, body=["India launches a plan on child labour."]),
            row(12, "2021-06-03", title=other, body=["Domestic workers gain a contract."]),
            row(13, "2021-06-03", title=other, body=["Domestic workers gain a contract."]),
            node_row(500, "2021-06-01", title=title + " ", body=[
                "India launches a plan on child labour."
            ]),
            node_row(501, "2021-06-02", title="Another story", body=["Three."]),
            node_row(502, "2021-06-03", title=other, body=["Domestic workers gain a contract."]),
        ],
    )
    archive = tmp_path / "archive.db"
    with running_mirror(dataset) as url:  # both sites served, as before the WCMS retired
        wcms = run_crawl(url, archive, source="live", month="2021-06")
        current = run_crawl(url, archive, source="current", month="2021-06")
    assert wcms.returncode == current.returncode == 0, current.stderr[-3000:]
    assert dict(current.rows("SELECT identity, doc_id FROM copies WHERE site = 'current'")) == {
        "node:500": "WCMS_11",
        "node:501": "node:501",
        "node:502": "node:502",
    }
    assert "; 1 joined to their copy on the other site" in current.stderr
    assert "1 joins left undecided" in current.stderr
    verify = ilo_archive("verify", "--db", str(archive), "--json")
    assert verify.returncode == 0, verify.stdout
    listed = {c["check"]: c for c in json.loads(verify.stdout) if c["pending"]}
    (check,) = listed.values()
    assert check["examples"] == "node:502/en ambiguous: WCMS_12 1.0, WCMS_13 1.0"


# Layout drift ------------------------------------------------------------------------------------


def test_cards_the_crawler_cannot_know_are_layout_drift_naming_the_url(tmp_path: Path) -> None:
    with running_mirror(None, None, "--retired", "--layout", "current-changed") as url:
        crawl = run_crawl(url, tmp_path / "archive.db", source="current", month=MARCH)
    assert crawl.returncode == ExitStatus.LAYOUT_DRIFT, crawl.stderr[-3000:]
    assert "layout drift: " in crawl.stderr
    assert "/resource/news/all-news-recent: listing page holds no items" in crawl.stderr


def test_an_article_page_without_a_body_is_layout_drift(tmp_path: Path) -> None:
    nodes = [node_row(700, "2026-11-02", body=["A body."]), node_row(701, "2026-11-01", body=[])]
    with running_mirror(write_dataset(tmp_path / "n.jsonl", nodes), None, "--retired") as url:
        crawl = run_crawl(url, tmp_path / "archive.db", source="current", month="2026-11")
    assert crawl.returncode == ExitStatus.LAYOUT_DRIFT, crawl.stderr[-3000:]
    assert "/resource/news/node-701: article page without a body" in crawl.stderr
    assert crawl.rows("SELECT count(*) FROM articles")[0][0] == 2  # what was valid is kept


def test_a_body_outside_the_known_richtext_is_read_by_content_and_said(tmp_path: Path) -> None:
    with running_mirror(None, None, "--retired", "--layout", "current-no-richtext") as url:
        crawl = run_crawl(url, tmp_path / "archive.db", source="current", month=MARCH)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert crawl.rows("SELECT count(*) FROM articles WHERE body IS NULL")[0][0] == 0
    read = stats(crawl)
    assert read["extraction/article/field/body/content"] == read["archive/new"] > 30
    assert "body found by content (the current2024 selectors missed them)" in crawl.stderr


def test_the_default_dataset_has_migrated_copies_of_the_seed_month() -> None:
    dataset = default_site_dataset()
    wcms = {r.id for r in dataset.records if r.lang == "en"}
    migrated = [n for n in dataset.nodes if n.migrated_from and in_month(n, MONTH)]
    assert migrated and all(n.migrated_from in wcms for n in migrated if n.lang == "en")


def test_an_article_that_failed_is_archived_from_its_card_then_completed_in_place(
    tmp_path: Path,
) -> None:
    nodes = [node_row(700 + n, f"2026-11-{n + 1:02d}", body=[f"Body {n}."]) for n in range(4)]
    dataset = write_dataset(tmp_path / "n.jsonl", nodes)
    archive, port = tmp_path / "archive.db", free_port()  # a failure is retried on its site
    failing = ("--retired", "--fail-path", "node-702$", "--port", port)
    with running_mirror(dataset, None, *failing) as url:
        failed = run_crawl(url, archive, source="current", month="2026-11")
    assert failed.returncode == ExitStatus.FETCH_FAILURES, failed.stderr[-3000:]
    (kept,) = failed.rows("SELECT doc_id, title, body FROM articles WHERE title = 'Node 702'")
    assert kept["doc_id"].startswith("LISTING_") and kept["body"] is None
    with running_mirror(dataset, None, "--retired", "--port", port) as url:
        mended = run_crawl(url, archive, source="current", month="2026-11")
    assert mended.returncode == 0, mended.stderr[-3000:]
    assert stats(mended)["newsroom/failures_retried"] == 1
    rows = mended.rows("SELECT doc_id, body FROM articles ORDER BY doc_id")
    assert len(rows) == 4 and all(r["body"] for r in rows)
    # The listing-only copy became the node's copy: one page, one copy, its history kept.
    (copy,) = mended.rows("SELECT doc_id, revision FROM copies WHERE identity = 'node:702'")
    assert tuple(copy) == ("node:702", 2)
    assert mended.rows("SELECT count(*) FROM copies WHERE identity = ?", (kept["doc_id"],))[0][0] == 0
    assert mended.rows("SELECT count(*) FROM failures WHERE resolved_at IS NULL")[0][0] == 0
