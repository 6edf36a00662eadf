"""The cron run reads the current site's sitemap: several simulated days of the replica's editors
(``--days``: new items, corrections that leave the card as it was, pages outside the listing,
takedowns) through the real ``scrapy crawl``, the archive checked after each day against what
the replica did; a sitemap that fails (404, malformed XML: one warning, exit 0); and the sitemap reader's own rules."""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, Crawl, run_crawl, write_dataset
from conftest import query as query_rows
from test_cron import free_port

from ilo_crawler.archive.index import Known
from ilo_crawler.mirror.current import CurrentSite, EditorsWork
from ilo_crawler.mirror.dataset import load_site_dataset
from ilo_crawler.mirror.drupal import correction_note
from ilo_crawler.mirror.process import running_mirror
from ilo_crawler.spiders.arguments import ArgumentError, NewsroomArguments
from ilo_crawler.spiders.sitemap import SITEMAP_LISTING, changed_since, lastmod, read_sitemap

DAYS = 3
#: Requests a day beyond the listing's pages, the sitemap's and one a page the editors touched:
#: robots.txt as the crawl's middleware reads it.
CONSTANT = 2


def stats_of(crawl: Crawl) -> dict:
    return json.loads(crawl.rows("SELECT stats FROM runs ORDER BY id DESC LIMIT 1")[0][0])


@pytest.fixture(scope="module")
def autumn_nodes(default_records: list[dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The current site's nodes of October and November 2026 (about 80 English pages)."""
    rows = [r for r in default_records if r["id"].startswith("node:") and r["date"] >= "2026-10"]
    return write_dataset(tmp_path_factory.mktemp("autumn") / "autumn.jsonl", rows)


def editors_days(dataset: Path) -> list[EditorsWork]:
    """What the replica's editors do on each day, as the replica plays them."""
    return CurrentSite(load_site_dataset(dataset).nodes).live_days(DAYS)


def day_run(dataset: Path, archive: Path, port: str, day: int, **arguments: str) -> Crawl:
    with running_mirror(dataset, None, "--retired", "--days", str(day), "--port", port) as url:
        crawl = run_crawl(url, archive, source="current", **arguments)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    return crawl


def test_each_days_corrections_unlisted_pages_and_takedowns_reach_the_archive(
    autumn_nodes: Path, tmp_path: Path
) -> None:
    archive, port = tmp_path / "archive.db", free_port()
    first = day_run(autumn_nodes, archive, port, 0)
    assert stats_of(first)["sitemap/requests"] >= 2  # robots.txt, then the sitemap
    for number, work in enumerate(editors_days(autumn_nodes), start=1):
        crawl = day_run(autumn_nodes, archive, port, number)
        stats = stats_of(crawl)
        rows = {
            row["doc_id"]: row for row in crawl.rows("SELECT * FROM articles WHERE lang = 'en'")
        }
        run_id = crawl.rows("SELECT max(id) FROM runs")[0][0]
        for node in work.published:
            assert rows[node.id]["title"] == node.title and rows[node.id]["listing"] == "all-news"
        for before, after, what in work.corrected:
            row = rows[before.id]
            (revision,) = crawl.rows(
                "SELECT changed_fields FROM article_revisions WHERE doc_id = ? AND run_id = ?",
                (before.id, run_id),
            )
            assert json.loads(revision[0]) == [what]
            if what == "title":
                assert row["title"] == after.title != before.title
            else:
                assert row["body"].endswith(correction_note(work.day, "en"))
                assert row["title"] == before.title  # as its card shows it
        for node in work.unlisted:
            assert rows[node.id]["title"] == node.title.rstrip()
            assert rows[node.id]["body"] and rows[node.id]["listing"] == SITEMAP_LISTING
            (appearance,) = crawl.rows(
                "SELECT listing FROM appearances WHERE doc_id = ? AND run_id = ?",
                (node.id, run_id),
            )
            assert appearance[0] == SITEMAP_LISTING
        for node, _status in work.taken_down:
            if node.lang == "en":
                assert rows[node.id]["gone_at"] and rows[node.id]["body"]
        gone = [node.id for node, _ in work.taken_down if node.lang == "en"]
        assert crawl.rows("SELECT count(*) FROM articles WHERE gone_at IS NOT NULL")[0][0] == sum(
            1
            for done in editors_days(autumn_nodes)[:number]
            for n, _ in done.taken_down
            if n.lang == "en"
        )
        assert stats["sitemap/changed"] == len(work.corrected)
        assert stats["sitemap/unlisted"] == len(work.unlisted)
        assert stats["sitemap/gone"] == len(gone)
        touched = len(work.published) + len(work.corrected) + len(work.unlisted) + len(gone)
        bound = stats["newsroom/listing_requests"] + stats["sitemap/requests"] + touched + CONSTANT
        assert stats["downloader/request_count"] <= bound
        assert f"sitemap: {len(work.corrected)} changed, {len(work.unlisted)} unlisted" in (
            crawl.stderr
        )

    quiet = day_run(autumn_nodes, archive, port, DAYS)  # the same day again: nothing changed
    stats = stats_of(quiet)
    assert stats.get("newsroom/article_requests", 0) == 0
    assert stats["sitemap/not_modified"] == stats["sitemap/requests"] - 1  # all but robots.txt
    assert stats["downloader/request_count"] <= (
        stats["newsroom/listing_requests"] + stats["sitemap/requests"] + CONSTANT
    )
    assert quiet.rows("SELECT count(*) FROM revisions")[0][0] == DAYS * 2
    # The docs' queries, on this archive: the corrections, the gone, the unlisted.
    answers = [quiet.rows(sql) for sql in doc_blocks("sql")]
    assert [len(rows) for rows in answers] == [DAYS * 2, DAYS, DAYS]


DOCS = ROOT / "docs" / "daily-runs.md"


def doc_blocks(kind: str) -> list[str]:
    """The fenced blocks of ``kind`` in docs/daily-runs.md."""
    return re.findall(rf"^```{kind}\n(.*?)^```", DOCS.read_text("utf-8"), re.S | re.M)


def test_the_docs_commands_answer_as_shown(tmp_path: Path) -> None:
    (block,) = doc_blocks("console")
    command, shown = block.splitlines()[0].removeprefix("$ "), block.splitlines()[1:]
    result = subprocess.run(
        [sys.executable, "-m", *shlex.split(command), "-s", f"ILO_ARCHIVE_PATH={tmp_path / 'a.db'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and result.stderr.strip().splitlines() == shown


def test_without_the_sitemap_a_correction_is_not_seen(autumn_nodes: Path, tmp_path: Path) -> None:
    archive, port = tmp_path / "archive.db", free_port()
    day_run(autumn_nodes, archive, port, 0)
    crawl = day_run(autumn_nodes, archive, port, 1, sitemap="0")
    assert "sitemap/requests" not in stats_of(crawl)
    assert crawl.rows("SELECT count(*) FROM revisions")[0][0] == 0


def test_an_article_back_after_it_was_gone_is_no_longer_marked_gone(
    autumn_nodes: Path, tmp_path: Path
) -> None:
    archive, port = tmp_path / "archive.db", free_port()
    day_run(autumn_nodes, archive, port, 0)
    (work,) = editors_days(autumn_nodes)[:1]
    taken = [node.id for node, _ in work.taken_down if node.lang == "en"]
    day_run(autumn_nodes, archive, port, 1)
    query = "SELECT doc_id FROM articles WHERE gone_at IS NOT NULL ORDER BY doc_id"
    assert [row[0] for row in query_rows(archive, query)] == sorted(taken)
    back = day_run(autumn_nodes, archive, port, 0)  # the site as it was: the page is back
    gone_now = [row[0] for row in back.rows(query)]
    assert not set(taken) & set(gone_now)
    assert f"{len(taken)} back after gone" in back.stderr
    assert "article back on the site, no longer marked gone" in back.stderr
    # The day's new pages are gone in turn: out of the sitemap, and answering 404.
    assert set(gone_now) == {node.id for node in work.published + work.unlisted}


# A sitemap that cannot serve costs the run one warning --------------------------------------


@pytest.mark.parametrize(
    ("options", "why"),
    [
        (("--fail-path", r"^/sitemap\.xml", "--fail-path-status", "404"), "it answers 404"),
        (("--broken-sitemap",), "malformed XML"),
    ],
    ids=["404", "broken-xml"],
)
def test_a_failing_sitemap_leaves_a_listing_run_and_one_warning(
    autumn_nodes: Path, tmp_path: Path, options: tuple[str, ...], why: str
) -> None:
    archive, port = tmp_path / "archive.db", free_port()
    day_run(autumn_nodes, archive, port, 0)
    with running_mirror(
        autumn_nodes, None, "--retired", "--days", "1", "--port", port, *options
    ) as url:
        crawl = run_crawl(url, archive, source="current")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    warnings = [line for line in crawl.stderr.splitlines() if "sitemap not read" in line]
    assert len(warnings) == 1 and why in warnings[0]
    stats = stats_of(crawl)
    assert why in stats["sitemap/failed"]
    assert "newsroom/articles_gone" not in stats  # nothing is taken for gone from a failed read
    assert crawl.rows("SELECT count(*) FROM revisions")[0][0] == 0
    new = crawl.rows("SELECT count(*) FROM articles WHERE first_run = (SELECT max(id) FROM runs)")
    assert new[0][0] == 3  # the day's items in the listing (EditorsDay's default)
    assert "(failed: " in crawl.stderr and "the listing was read)" in crawl.stderr


# The reader's rules ------------------------------------------------------------------------------

URLSET = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
    b'sitemap/0.9"><url><loc>https://www.ilo.org/resource/news/a</loc>'
    b"<lastmod>2026-12-01T00:00:00+01:00</lastmod></url></urlset>\n"
)


def test_a_sitemap_cut_off_or_not_xml_is_no_sitemap() -> None:
    assert read_sitemap(URLSET).type == "urlset"
    assert read_sitemap(URLSET[: len(URLSET) // 2]) is None
    assert read_sitemap(URLSET[: URLSET.index(b"</urlset>")]) is None
    assert read_sitemap(b"<html><body>Not found</body></html>") is None
    assert read_sitemap(b"") is None


def known(last_modified: str | None, read_at: str | None = None) -> Known:
    return Known("node:1", None, True, 7, None, last_modified, read_at)


def test_a_page_changed_when_its_lastmod_is_later_than_the_archived_copy() -> None:
    copy = known("Tue, 01 Dec 2026 12:00:00 GMT")
    assert lastmod("2026-12-01T00:00:00+01:00") == dt.datetime(2026, 11, 30, 23, tzinfo=dt.UTC)
    assert lastmod("2026-12-02") == dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    assert lastmod("yesterday") is None and lastmod(None) is None
    assert not changed_since(lastmod("2026-12-01T00:00:00+01:00"), copy)
    assert changed_since(lastmod("2026-12-02T00:00:00+01:00"), copy)
    assert not changed_since(None, copy)  # no lastmod: never taken for changed
    # No Last-Modified: when the copy was fetched.
    assert changed_since(lastmod("2026-12-02"), known(None, "2026-12-01T08:00:00+00:00"))
    assert not changed_since(lastmod("2026-12-01"), known(None, "2026-12-01T08:00:00+00:00"))
    # Archived from its card alone: no copy to compare with (failures are retried otherwise).
    assert not changed_since(lastmod("2026-12-02"), Known("node:1", None, False, None, None, None))


def test_the_sitemap_argument_is_0_or_1_and_for_incremental_current_runs_only() -> None:
    assert NewsroomArguments.parse({"sitemap": "0"}).sitemap is False
    assert NewsroomArguments.parse({"sitemap": "1"}).sitemap is True
    assert NewsroomArguments.parse({}).sitemap is None  # ILO_SITEMAP decides
    assert NewsroomArguments.parse({"month": "2026-11", "sitemap": "0"}).sitemap is False
    with pytest.raises(ArgumentError, match="invalid sitemap '2': accepted values are 0 and 1"):
        NewsroomArguments.parse({"sitemap": "2"})
    with pytest.raises(ArgumentError, match="incremental runs of the current site only"):
        NewsroomArguments.parse({"sitemap": "1", "source": "live"})
