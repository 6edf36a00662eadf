"""The product's main job, end to end: a real ``scrapy crawl newsroom -a month=2021-11`` against
the replica on 127.0.0.1, into a real SQLite archive."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import FIXTURES, MONTH, Crawl, copy_archive, run_crawl


def english_listing(records: list[dict]) -> list[dict]:
    """The English all-newsroom listing as the replica orders it: newest first, stable."""
    listed = [r for r in records if r["lang"] == "en" and "all-newsroom" in r["listings"]]
    return sorted(listed, key=lambda r: r["date"], reverse=True)


def test_seed_items_are_archived_exactly(november: Crawl) -> None:
    seed = json.loads((FIXTURES / "seed-page.json").read_text("utf-8"))["items"]
    in_november = [item for item in seed if item["published"].startswith(MONTH)]
    assert len(in_november) == 9
    for item in in_november:
        rows = november.rows(
            "SELECT * FROM articles WHERE title = ? AND lang = 'en'", (item["title"],)
        )
        assert len(rows) == 1, item["title"]
        row = rows[0]
        for field in ("title", "summary", "credit", "label", "date_text", "published"):
            assert row[field] == item[field], (item["title"], field)
        assert row["body"] and len(row["body"]) > 100
        assert row["doc_id"].startswith("WCMS_") and row["month"] == MONTH


def test_the_whole_month_is_archived_with_bodies(
    november: Crawl, default_records: list[dict]
) -> None:
    expected = {r["id"]: r for r in english_listing(default_records) if r["date"].startswith(MONTH)}
    rows = {row["doc_id"]: row for row in november.rows("SELECT * FROM articles")}
    assert set(rows) == set(expected)
    for doc_id, record in expected.items():
        row = rows[doc_id]
        assert row["title"] == record["title"]
        assert row["published"] == record["date"]
        assert row["body"] == "\n\n".join(record["body"])
        assert row["label"] == record.get("label")
        if row["label"]:
            assert row["category"] and row["category_slug"] and row["category_kind"]


def test_requests_stay_within_the_seek_budget(november: Crawl, default_records: list[dict]) -> None:
    listing = english_listing(default_records)
    page_size = 10
    pages = math.ceil(len(listing) / page_size)
    holding = {i // page_size for i, r in enumerate(listing) if r["date"].startswith(MONTH)}
    in_month = sum(1 for r in listing if r["date"].startswith(MONTH))
    run = november.rows("SELECT * FROM runs ORDER BY id LIMIT 1")[0]  # the first crawl
    stats = json.loads(run["stats"])
    assert stats["newsroom/listing_requests"] <= 2 * math.ceil(math.log2(pages)) + len(holding) + 2
    assert stats["newsroom/article_requests"] == in_month
    # Everything fetched was a listing page, an article page, or robots.txt.
    assert run["requests"] == stats["newsroom/listing_requests"] + in_month + 1
    assert run["outcome"] == "finished" and run["items_new"] == in_month


def test_a_second_run_adds_no_row(november: Crawl, replica: str, tmp_path: Path) -> None:
    archive = copy_archive(november.archive, tmp_path / "archive.db")
    before = november.rows("SELECT doc_id, lang, content_hash FROM articles ORDER BY doc_id")
    again = run_crawl(replica, archive, month=MONTH)
    assert again.returncode == 0, again.stderr[-3000:]
    after = again.rows("SELECT doc_id, lang, content_hash FROM articles ORDER BY doc_id")
    assert [tuple(r) for r in after] == [tuple(r) for r in before]
    assert again.rows("SELECT count(*) FROM revisions")[0][0] == 0
    last = again.rows("SELECT * FROM runs ORDER BY id DESC LIMIT 1")[0]
    assert (last["items_new"], last["items_changed"], last["items_unchanged"]) == (
        0,
        0,
        len(before),
    )


def test_a_span_of_months(replica: str, default_records: list[dict], tmp_path: Path) -> None:
    crawl = run_crawl(replica, tmp_path / "archive.db", since="2021-09", until="2021-11")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    span = ("2021-09", "2021-10", "2021-11")
    listing = english_listing(default_records)
    expected = {r["id"] for r in listing if r["date"][:7] in span}
    archived = crawl.rows("SELECT doc_id, month FROM articles")
    assert {row["doc_id"] for row in archived} == expected
    assert {row["month"] for row in archived} == set(span)
    pages = math.ceil(len(listing) / 10)
    holding = {i // 10 for i, r in enumerate(listing) if r["date"][:7] in span}
    stats = json.loads(crawl.rows("SELECT stats FROM runs")[0][0])
    assert stats["newsroom/listing_requests"] <= 2 * math.ceil(math.log2(pages)) + len(holding) + 2


def test_a_month_without_items_is_a_clean_empty_run(replica: str, tmp_path: Path) -> None:
    crawl = run_crawl(
        replica, tmp_path / "archive.db", month="2025-06"
    )  # after the dataset, before now
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert crawl.rows("SELECT count(*) FROM articles")[0][0] == 0
    assert crawl.rows("SELECT outcome FROM runs")[0][0] == "finished"


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"month": "2021-13"}, "'2021-13'"),
        ({"month": "2099-01"}, "'2099-01': it is after the current month"),
        ({"since": "2021-01", "until": "2099-01"}, "'2099-01': it is after the current month"),
        ({"month": "November"}, "'November'"),
        ({"month": "2021-11", "lang": "xx"}, "'xx'"),
        ({"month": "2021-11", "listing": "blog"}, "'blog'"),
        ({"month": "2021-11", "colour": "red"}, "'colour'"),
        ({"month": "2021-11", "refresh": "yes"}, "'yes'"),
        ({"month": "2021-11", "all": "1"}, "month and all"),
        ({"until": "2021-11"}, "until needs since"),
        ({"since": "2021-12", "until": "2021-11"}, "'2021-12' is after until '2021-11'"),
        ({"since": "2021-1"}, "'2021-1'"),
        ({"all": "everything"}, "'everything'"),
        ({"month": "2021-11", "source": "archive"}, "'archive'"),
        ({"source": "wayback"}, "source wayback needs the months"),
    ],
)
def test_bad_arguments_end_before_any_request(
    arguments: dict, named: str, replica: str, tmp_path: Path
) -> None:
    crawl = run_crawl(replica, tmp_path / "archive.db", **arguments)
    assert crawl.returncode == 2
    lines = [line for line in crawl.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], crawl.stderr
    assert "accepted" in lines[0] or "expected" in lines[0] or "give" in lines[0]
    assert not crawl.archive.exists()
