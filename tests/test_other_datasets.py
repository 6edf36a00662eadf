"""Replicas started on other datasets: a changed article, and the real items of 40 real listing
pages (``fixtures/real-listings-sample.json``) served at several page sizes."""

from __future__ import annotations

import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import FIXTURES, Crawl, run_crawl, write_dataset

from ilo_crawler.mirror.process import running_mirror

PAGE_SIZES = (1, 3, 7, 10)


def test_a_changed_title_updates_its_row_and_adds_exactly_one_revision(
    default_records: list[dict], tmp_path: Path
) -> None:
    records = [r for r in default_records if "2021-10-01" <= r["date"] <= "2021-12-31"]
    archive = tmp_path / "archive.db"
    with running_mirror(write_dataset(tmp_path / "before.jsonl", records)) as base_url:
        first = run_crawl(base_url, archive, month="2021-11")
    assert first.returncode == 0, first.stderr[-3000:]
    before = {row["doc_id"]: dict(row) for row in first.rows("SELECT * FROM articles")}

    target = next(r for r in records if r["id"] == "WCMS_826064" and r["lang"] == "en")
    changed = [{**r, "title": r["title"] + " (updated)"} if r is target else r for r in records]
    with running_mirror(write_dataset(tmp_path / "after.jsonl", changed)) as base_url:
        second = run_crawl(base_url, archive, month="2021-11")
    assert second.returncode == 0, second.stderr[-3000:]

    after = {row["doc_id"]: dict(row) for row in second.rows("SELECT * FROM articles")}
    assert set(after) == set(before)
    assert after["WCMS_826064"]["title"] == "ILO launches new tool on social dialogue (updated)"
    assert after["WCMS_826064"]["revision"] == 2
    for doc_id in set(before) - {"WCMS_826064"}:
        assert after[doc_id]["content_hash"] == before[doc_id]["content_hash"]
    (revision,) = second.rows("SELECT * FROM article_revisions")
    assert (revision["doc_id"], revision["lang"], revision["revision"]) == ("WCMS_826064", "en", 1)
    assert json.loads(revision["changed_fields"]) == ["title"]
    assert json.loads(revision["state"])["title"] == "ILO launches new tool on social dialogue"
    run = second.rows("SELECT * FROM runs ORDER BY id DESC LIMIT 1")[0]
    assert (run["items_new"], run["items_changed"]) == (0, 1)
    assert run["items_unchanged"] == len(before) - 1


def listing_of(url: str) -> str:
    """Which of the replica's listings a real listing page stands for."""
    if "all-newsroom" in url:
        return "all-newsroom"
    if any(part in url for part in ("press-releases", "comunicati-stampa", "presseinformationen")):
        return "press-releases"
    return "news"


def real_records() -> list[dict]:
    """Every real item that has a title, with its exact texts, as a dataset line. An item without
    a date line keeps none (``date_text`` null) and takes its neighbour's date for its place in
    the listing; its article page shows that date."""
    records: dict[tuple, dict] = {}
    for page in json.loads((FIXTURES / "real-listings-sample.json").read_text("utf-8")):
        items = [item for month in page["months"] for item in month["items"]]
        for i, item in enumerate(items):
            if item["title"] is None:
                continue  # the dataset format needs a title; such items have no article link
            date = item["date_iso"] or next(
                other["date_iso"]
                for other in [*reversed(items[:i]), *items[i + 1 :]]
                if other["date_iso"]
            )
            key = (page["language"], item["title"], date)
            if key in records:
                listings = records[key]["listings"]
                if listing_of(page["url"]) not in listings:
                    listings.append(listing_of(page["url"]))
                continue
            records[key] = {
                "id": f"WCMS_{900001 + len(records)}",
                "lang": page["language"],
                "listings": [listing_of(page["url"])],
                "date": date,
                "date_text": item["date_text"],
                "label": item["label"],
                "title": item["title"],
                "summary": item["summary"],
                "credit": item["credit"],
                "body": [f"Body of {item['title']}.", "Second paragraph."],
            }
    return list(records.values())


def test_real_items_come_back_intact_at_every_page_size(tmp_path: Path) -> None:
    records = real_records()
    assert len(records) > 180
    crawls = sorted(
        {(r["lang"], listing, r["date"][:7]) for r in records for listing in r["listings"]}
    )
    # Each (language, listing, month) is crawled once, the page sizes taking turns.
    by_size: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for i, crawl in enumerate(crawls):
        by_size[PAGE_SIZES[i % len(PAGE_SIZES)]].append(crawl)
    dataset = write_dataset(tmp_path / "real.jsonl", records)

    def crawl_at(size: int) -> list[Crawl]:
        archive = tmp_path / f"archive-{size}.db"
        with running_mirror(dataset, size) as base_url:
            return [
                run_crawl(base_url, archive, lang=lang, listing=listing, month=month)
                for lang, listing, month in by_size[size]
            ]

    with ThreadPoolExecutor(max_workers=len(PAGE_SIZES)) as pool:
        results = dict(zip(PAGE_SIZES, pool.map(crawl_at, PAGE_SIZES), strict=True))

    for size, done in results.items():
        for crawl in done:
            assert crawl.returncode == 0, crawl.stderr[-3000:]
        rows = (
            {(row["doc_id"], row["lang"]): row for row in done[0].rows("SELECT * FROM articles")}
            if done
            else {}
        )
        expected = [
            r
            for r in records
            if any(
                (r["lang"], listing, r["date"][:7]) in by_size[size] for listing in r["listings"]
            )
        ]
        assert len(rows) == len(expected), size
        for record in expected:
            row = rows[(record["id"], record["lang"])]
            for field in ("title", "summary", "credit", "label", "date_text"):
                assert row[field] == record[field], (size, record["title"], field)
            assert row["published"] == record["date"], (size, record["title"])
            assert row["body"] == "\n\n".join(record["body"])
