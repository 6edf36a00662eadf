"""Archiving past months from the web archive: a real ``scrapy crawl newsroom -a source=wayback``
against the replica of the Wayback Machine (``python -m ilo_crawler.mirror --wayback``), into a
real SQLite archive; and the live site that no longer serves the old listing."""

from __future__ import annotations

import datetime as dt
import json
import math
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import (
    FIXTURES,
    MONTH,
    ROOT,
    Crawl,
    copy_archive,
    ilo_archive,
    query,
    row,
    run_crawl,
    write_dataset,
)

from ilo_crawler.exitcodes import ExitStatus
from ilo_crawler.mirror.process import crawl_command, running_mirror
from ilo_crawler.sites.wcms.urls import ARTICLE_SECTION_PATHS, listing_path

WEB_ARCHIVE = "http://www.ilo.org"


def run_stats(crawl: Crawl) -> dict:
    return json.loads(crawl.rows("SELECT stats FROM runs ORDER BY id DESC LIMIT 1")[0][0])


def completeness(crawl: Crawl) -> dict:
    found = crawl.rows("SELECT * FROM completeness ORDER BY run_id DESC LIMIT 1")[0]
    return {**dict(found), "missing": json.loads(found["missing"])}


# A month from the default web archive ----------------------------------------------------------


def test_the_seed_items_come_back_exactly_from_the_web_archive(wayback_november: Crawl) -> None:
    seed = json.loads((FIXTURES / "seed-page.json").read_text("utf-8"))["items"]
    in_november = [item for item in seed if item["published"].startswith(MONTH)]
    assert len(in_november) == 9
    for item in in_november:
        rows = wayback_november.rows("SELECT * FROM articles WHERE title = ?", (item["title"],))
        assert len(rows) == 1, item["title"]
        record = rows[0]
        for field in ("title", "summary", "credit", "label", "date_text", "published"):
            assert record[field] == item[field], (item["title"], field)
        assert record["body"] and len(record["body"]) > 100
        # Provenance: the web archive's capture, fetched in its id_ form, of the page on ilo.org.
        assert record["source"] == "wayback"
        assert record["url"].startswith(WEB_ARCHIVE + "/global/")
        timestamp = record["archive_url"].split("/web/")[1].split("id_/")[0]
        assert len(timestamp) == 14 and timestamp[:8] >= item["published"].replace("-", "")
        assert record["archive_url"].endswith(f"{timestamp}id_/{record['url']}")
        assert record["captured_at"] == (
            f"{timestamp[:4]}-{timestamp[4:6]}-{timestamp[6:8]}T"
            f"{timestamp[8:10]}:{timestamp[10:12]}:{timestamp[12:]}+00:00"
        )
        capture = wayback_november.rows(
            "SELECT * FROM captures WHERE id = ?", (record["capture_id"],)
        )[0]
        assert (capture["source"], capture["kind"]) == ("wayback", "article")
        assert capture["url"] == record["archive_url"]
        assert capture["original_url"] == record["url"]
        assert capture["captured_at"] == record["captured_at"]


def test_the_web_archive_gives_the_month_the_live_site_gave(
    wayback_november: Crawl, november: Crawl
) -> None:
    fields = "doc_id, lang, title, summary, credit, label, date_text, published, category, body"
    query = f"SELECT {fields} FROM articles ORDER BY doc_id"
    assert [tuple(r) for r in wayback_november.rows(query)] == [
        tuple(r) for r in november.rows(query)
    ]
    listing_captures = wayback_november.rows("SELECT * FROM captures WHERE kind = 'listing'")
    assert listing_captures and all(c["source"] == "wayback" for c in listing_captures)
    assert all("/web/20211205093" in c["url"] for c in listing_captures)  # one sweep


def test_the_completeness_report_of_a_whole_month(wayback_november: Crawl) -> None:
    report = completeness(wayback_november)
    archived = wayback_november.rows("SELECT count(*), count(body) FROM articles")[0]
    assert report["month"] == MONTH and report["source"] == "wayback"
    assert report["items_seen"] == report["items_with_capture"] == report["items_with_body"]
    assert report["items_seen"] == archived[0] == archived[1]
    assert report["missing"] == []
    assert f"web archive {MONTH} en: {archived[0]} items seen" in wayback_november.stderr
    progress = f"web archive {MONTH}: listing read from {report['listing_captures']} captures"
    assert f"{progress}, {archived[0]} items; reading their articles" in wayback_november.stderr


@pytest.mark.parametrize("month", [MONTH, "2011-03"])
def test_requests_follow_the_pages_of_the_month_not_the_listing(
    month: str, wayback: str, tmp_path: Path, default_records: list[dict]
) -> None:
    crawl = run_crawl(wayback, tmp_path / "archive.db", source="wayback", month=month)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    stats = run_stats(crawl)
    items = sum(
        1
        for r in default_records
        if r["lang"] == "en" and "all-newsroom" in r["listings"] and r["date"].startswith(month)
    )
    assert items > 20
    assert crawl.rows("SELECT count(*) FROM articles")[0][0] == items
    # One CDX query for the month's listing captures and one per article section (one page
    # each: no article needs a query of its own) ...
    assert stats["wayback/cdx_requests"] == 1 + len(ARTICLE_SECTION_PATHS)
    assert "wayback/article_cdx_requests" not in stats
    assert stats["wayback/articles_found_by_section"] == items
    assert stats["newsroom/article_requests"] == items
    # ... and the listing pages that hold the month (a few days of newer items above it).
    pages = math.ceil(items / 10)
    assert stats["wayback/listing_captures"] <= pages + 2
    requests = stats["wayback/requests"]
    assert requests == stats["wayback/cdx_requests"] + stats["wayback/listing_captures"] + items
    assert requests - stats["wayback/cdx_requests"] <= items + pages + 2
    assert stats["downloader/request_count"] == requests + 1  # and robots.txt


def test_a_span_reads_the_listing_and_each_section_once_for_all_its_months(
    wayback: str, tmp_path: Path
) -> None:
    crawl = run_crawl(
        wayback, tmp_path / "archive.db", source="wayback", since="2021-09", until="2021-11"
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    stats = run_stats(crawl)
    # One listing query for the windows of the three months, a section query for the span.
    assert stats["wayback/cdx_requests"] == 1 + len(ARTICLE_SECTION_PATHS)
    assert "wayback/article_cdx_requests" not in stats
    reports = crawl.rows("SELECT month, missing, items_seen, items_with_body FROM completeness")
    assert [r["month"] for r in reports] == ["2021-09", "2021-10", "2021-11"]
    for report in reports:  # every month read to its end, every item with its article
        assert "month" not in {entry["kind"] for entry in json.loads(report["missing"])}
        assert report["items_seen"] == report["items_with_body"] > 70


def test_long_section_answers_are_read_on_with_resume_keys(wayback: str, tmp_path: Path) -> None:
    crawl = run_crawl(
        wayback,
        tmp_path / "archive.db",
        settings=("ILO_WAYBACK_CDX_PAGE_ROWS=100",),
        source="wayback",
        month=MONTH,
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    stats = run_stats(crawl)
    assert stats["wayback/cdx_requests"] > 1 + len(ARTICLE_SECTION_PATHS)  # pages of them
    assert "wayback/article_cdx_requests" not in stats
    assert completeness(crawl)["missing"] == []
    assert (
        crawl.rows("SELECT count(body) FROM articles")[0][0] == stats["newsroom/article_requests"]
    )


def test_a_second_run_and_the_same_month_from_both_sources_make_one_record_each(
    wayback_november: Crawl, wayback: str, replica: str, tmp_path: Path
) -> None:
    archive = copy_archive(wayback_november.archive, tmp_path / "archive.db")
    again = run_crawl(wayback, archive, source="wayback", month=MONTH)
    assert again.returncode == 0, again.stderr[-3000:]
    live = run_crawl(replica, archive, month=MONTH)
    assert live.returncode == 0, live.stderr[-3000:]
    count = wayback_november.rows("SELECT count(*) FROM articles")[0][0]
    runs = live.rows("SELECT items_new, items_changed, items_unchanged FROM runs ORDER BY id")
    assert [tuple(r) for r in runs] == [(count, 0, 0), (0, 0, count), (0, 0, count)]
    assert live.rows("SELECT count(*) FROM articles")[0][0] == count
    assert live.rows("SELECT count(*) FROM revisions")[0][0] == 0
    # Archived with body and listed as before: not fetched again, from either source.
    assert "newsroom/article_requests" not in run_stats(again)
    assert "newsroom/article_requests" not in run_stats(live)


# Sparse and uneven archives --------------------------------------------------------------------


def item(doc_id: int, date: str) -> dict:
    return row(doc_id, date, body=[f"The text of item {doc_id}."])


#: January 2020: twelve items, with six February items published above them and three December
#: items below; the listing shows three items a page.
JANUARY = [item(n, f"2020-01-{n:02d}") for n in range(12, 0, -1)]
ROWS = (
    [item(100 + n, f"2020-02-{n:02d}") for n in range(6, 0, -1)]
    + JANUARY
    + [item(200 + n, f"2019-12-{n:02d}") for n in (31, 30, 29)]
)


def sweep(at: str, offsets: list[int]) -> dict:
    return {"listing": "all-newsroom", "lang": "en", "at": at, "offsets": offsets}


def crawl_archive(
    tmp_path: Path,
    schedule: dict,
    *settings: str,
    rows: list[dict] = ROWS,
    replica_options: tuple[str, ...] = (),
) -> Crawl:
    """January 2020 crawled from a web archive of ``rows`` captured as ``schedule`` says, with
    extra crawl ``settings`` (``NAME=value``)."""
    dataset = write_dataset(tmp_path / "dataset.jsonl", rows)
    captures = tmp_path / "captures.json"
    captures.write_text(json.dumps(schedule), "utf-8")
    options = ("--wayback", "--captures", str(captures), *replica_options)
    with running_mirror(dataset, 3, *options) as base_url:
        return run_crawl(
            base_url, tmp_path / "archive.db", settings=settings, source="wayback", month="2020-01"
        )


def test_a_sparse_archive_gives_what_it_has_and_names_what_is_missing(tmp_path: Path) -> None:
    schedule = {
        # Page nextRow--6 (three of January's items, on 6 February) was never captured.
        "listing": [sweep("20200206093000", [0, 3, 9, 12, 15, 18])],
        "articles": {"missing": ["WCMS_5/en"]},
    }
    crawl = crawl_archive(tmp_path, schedule)
    assert crawl.returncode == 0, crawl.stderr[-3000:]  # gaps of the archive are not failures
    archived = {r["doc_id"]: r for r in crawl.rows("SELECT * FROM articles")}
    assert set(archived) == {f"WCMS_{n}" for n in range(1, 10)}  # 10-12 stood on nextRow--6
    assert archived["WCMS_5"]["body"] is None  # from the listing only: no capture of its page
    assert archived["WCMS_5"]["source"] == "wayback"
    assert archived["WCMS_5"]["captured_at"] == "2020-02-06T09:30:00+00:00"  # the listing's
    assert all(archived[f"WCMS_{n}"]["body"] for n in range(1, 10) if n != 5)
    report = completeness(crawl)
    assert (report["items_seen"], report["items_with_capture"], report["items_with_body"]) == (
        9,
        8,
        8,
    )
    assert report["listing_captures"] == 6
    named = {(m["kind"], m["url"], m["doc_id"]) for m in report["missing"]}
    assert named == {
        ("listing", "https://www.ilo.org" + listing_path("all-newsroom", "en", 6), None),
        ("article", archived["WCMS_5"]["url"], "WCMS_5"),
    }
    assert "missing 2: " in crawl.stderr and "nextRow--6 has no capture" in crawl.stderr
    assert crawl.rows("SELECT count(*) FROM failures")[0][0] == 0  # nothing to retry live
    verify = ilo_archive("verify", "--db", str(crawl.archive))
    assert verify.returncode == 0, verify.stdout  # the article without capture is a known gap
    report_lines = ilo_archive("coverage", "--db", str(crawl.archive)).stdout.splitlines()
    assert "incomplete" in report_lines[2]
    named = [line for line in report_lines if line.startswith("missing 2020-01 en all-newsroom:")]
    assert len(named) == 2
    assert "listing page nextRow--6 has no capture in the window" in named[0]
    assert named[1].startswith("missing 2020-01 en all-newsroom: article WCMS_5 ")


def test_offsets_shifted_between_captures_archive_each_item_once(tmp_path: Path) -> None:
    # Each page captured a day after the one above it, while an item a day was published: every
    # page shows the last item of the page above it again.
    schedule = {
        "listing": [
            sweep(f"202002{offset // 3 + 1:02d}120000", [offset]) for offset in range(0, 21, 3)
        ]
    }
    crawl = crawl_archive(tmp_path, schedule)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    doc_ids = [r[0] for r in crawl.rows("SELECT doc_id FROM articles")]
    assert sorted(doc_ids) == sorted(r["id"] for r in JANUARY)
    stats = run_stats(crawl)
    assert stats["newsroom/article_requests"] == len(JANUARY)  # each article fetched once
    appearances = crawl.rows("SELECT doc_id, count(*) FROM appearances GROUP BY doc_id")
    assert all(count == 1 for _, count in appearances)
    assert completeness(crawl)["missing"] == []
    assert completeness(crawl)["listing_captures"] == 7


# The archive's quirks, through real crawls ------------------------------------------------------

NEWS = "/global/about-the-ilo/newsroom/news"
PRESS = "/global/about-the-ilo/newsroom/media-centre/press-releases"
PDFS = "/wcmsp5/groups/public/---dgreports/---dcomm/documents/publication"


def article_original(doc_id: int, section: str = NEWS, host: str = WEB_ARCHIVE) -> str:
    return f"{host}{section}/WCMS_{doc_id}/lang--en/index.htm"


def test_unordered_sweeps_are_read_as_one_listing_state(tmp_path: Path) -> None:
    # Two sweeps in the window, their pages stamped within two minutes in no fixed order.
    schedule = {
        "listing": [
            {**sweep("20200206093000", list(range(0, 21, 3))), "spread": 120},
            {**sweep("20200108093000", [0, 3, 6, 9]), "spread": 120},
        ]
    }
    crawl = crawl_archive(tmp_path, schedule)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert sorted(r[0] for r in crawl.rows("SELECT doc_id FROM articles")) == sorted(
        r["id"] for r in JANUARY
    )
    report = completeness(crawl)
    assert report["missing"] == [] and report["listing_captures"] == 7
    stamps = [r[0] for r in crawl.rows("SELECT captured_at FROM captures WHERE kind = 'listing'")]
    assert {s[:10] for s in stamps} == {"2020-02-06"} and stamps != sorted(stamps)


def test_a_capture_listed_at_another_moment_is_recorded_at_the_moment_replay_holds(
    tmp_path: Path,
) -> None:
    # The CDX lists WCMS_5's capture three seconds before the moment replay holds it at: the
    # archive answers 302 to it, and that moment is the record's.
    schedule = {
        "listing": [sweep("20200206093000", list(range(0, 21, 3)))],
        "articles": {
            "missing": ["WCMS_5/en"],
            "extra": [
                {"article": "WCMS_5/en", "at": "20200108120000", "listed_at": "20200108115957"}
            ],
        },
    }
    crawl = crawl_archive(tmp_path, schedule)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    record = crawl.rows("SELECT * FROM articles WHERE doc_id = 'WCMS_5'")[0]
    capture = crawl.rows("SELECT * FROM captures WHERE id = ?", (record["capture_id"],))[0]
    assert record["captured_at"] == capture["captured_at"] == "2020-01-08T12:00:00+00:00"
    assert "/web/20200108115957id_/" in capture["url"]  # as asked
    assert "/web/20200108120000id_/" in capture["final_url"]  # where it led
    assert record["body"] and completeness(crawl)["missing"] == []
    assert run_stats(crawl)["wayback/redirects_followed"] == 1


def test_an_archived_redirect_is_followed_inside_the_archive_keeping_both_urls(
    tmp_path: Path,
) -> None:
    # WCMS_4's page was captured answering 301 to its new place among the press releases.
    moved = article_original(4, PRESS)
    schedule = {
        "listing": [sweep("20200206093000", list(range(0, 21, 3)))],
        "articles": {
            "missing": ["WCMS_4/en"],
            "extra": [
                {
                    "article": "WCMS_4/en",
                    "at": "20200107120000",
                    "redirect": moved.removeprefix(WEB_ARCHIVE),
                }
            ],
        },
    }
    crawl = crawl_archive(tmp_path, schedule)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    record = crawl.rows("SELECT * FROM articles WHERE doc_id = 'WCMS_4'")[0]
    assert record["body"] == "The text of item 4." and record["url"] == moved
    capture = crawl.rows("SELECT * FROM captures WHERE id = ?", (record["capture_id"],))[0]
    assert capture["url"].endswith(f"/web/20200107120000id_/{article_original(4)}")
    assert capture["final_url"].endswith(f"/web/20200107120007id_/{moved}")
    assert (capture["original_url"], capture["captured_at"]) == (moved, "2020-01-07T12:00:07+00:00")
    assert record["archive_url"] == capture["url"]
    listed = crawl.rows("SELECT listing_url FROM appearances WHERE doc_id = 'WCMS_4'")
    assert listed and completeness(crawl)["missing"] == []
    assert run_stats(crawl)["wayback/archived_redirects"] == 1


def test_documents_that_are_pdfs_are_archived_as_pdf_documents_not_as_drift(
    tmp_path: Path,
) -> None:
    # WCMS_6 redirects to a PDF, WCMS_7 is the WCMS's stub page of one, WCMS_8 redirects to a
    # PDF the archive never captured (it answers 404 for it), WCMS_9 to a page never captured.
    schedule = {
        "listing": [sweep("20200206093000", list(range(0, 21, 3)))],
        "articles": {
            "missing": ["WCMS_6/en", "WCMS_7/en", "WCMS_8/en", "WCMS_9/en"],
            "extra": [
                {"article": "WCMS_6/en", "at": "20200108120000", "redirect": f"{PDFS}/wcms_6.pdf"},
                {"article": "WCMS_7/en", "at": "20200109120000", "pdf_stub": f"{PDFS}/wcms_7.pdf"},
                {"article": "WCMS_8/en", "at": "20200110120000", "redirect": f"{PDFS}/wcms_8.pdf"},
                {
                    "article": "WCMS_9/en",
                    "at": "20200111120000",
                    "redirect": f"{PRESS}/WCMS_9/lang--en/index.htm",
                },
            ],
        },
    }
    never = ("--fail-path", "wcms_8.pdf|press-releases/WCMS_9", "--fail-path-status", "404")
    crawl = crawl_archive(tmp_path, schedule, replica_options=never)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    archived = {r["doc_id"]: r for r in crawl.rows("SELECT * FROM articles")}
    for n in (6, 7, 8):
        record = archived[f"WCMS_{n}"]
        assert record["article_type"] == "PDF document", n
        assert record["url"] == f"{WEB_ARCHIVE}{PDFS}/wcms_{n}.pdf" and record["body"] is None
        assert record["title"] == f"Title {n}"  # as the listing shows it
    stats = run_stats(crawl)
    assert stats["wayback/pdf_documents"] == 3 and "drift/problems" not in stats
    assert "layout drift" not in crawl.stderr
    pdf = crawl.rows(
        "SELECT c.* FROM captures c JOIN articles a ON a.capture_id = c.id WHERE a.doc_id = 'WCMS_6'"
    )[0]
    assert json.loads(pdf["headers"])["Content-Type"] == ["application/pdf"]
    report = completeness(crawl)
    assert report["items_seen"] == report["items_with_capture"] == len(JANUARY)
    assert report["items_with_body"] == len(JANUARY) - 4
    assert [(m["kind"], m["doc_id"]) for m in report["missing"]] == [("article", "WCMS_9")]
    assert "which the web archive never captured" in report["missing"][0]["reason"]
    assert archived["WCMS_9"]["body"] is None and archived["WCMS_9"]["article_type"] is None
    # Coverage: the PDF documents are no gaps; the page never captured is one.
    coverage = ilo_archive("coverage", "--db", str(crawl.archive)).stdout
    assert "gaps 2020-01 en: WCMS_9" in coverage, coverage
    # Re-extracted from their captures, they stay what they are.
    reparsed = ilo_archive("reparse", "--db", str(crawl.archive), "--json")
    assert reparsed.returncode == 0 and json.loads(reparsed.stdout)["changed"] == 0, reparsed
    kept = crawl.rows("SELECT url, article_type FROM articles WHERE doc_id IN ('WCMS_6', 'WCMS_7')")
    assert all(r["article_type"] == "PDF document" and r["url"].endswith(".pdf") for r in kept)


def test_host_variants_are_one_page_and_the_first_capture_from_the_date_wins(
    tmp_path: Path,
) -> None:
    # WCMS_3 was also captured under https://ilo.org hours after its date (before its default
    # capture, two days later): that capture wins. WCMS_8 was captured under www.ilo.ch only:
    # the other hosts are asked once, and it is found there without a query of its own.
    schedule = {
        "listing": [sweep("20200206093000", list(range(0, 21, 3)))],
        "articles": {
            "missing": ["WCMS_8/en"],
            "extra": [
                {"article": "WCMS_3/en", "at": "20200103060000", "host": "https://ilo.org"},
                {"article": "WCMS_8/en", "at": "20200110120000", "host": "http://www.ilo.ch"},
            ],
        },
    }
    crawl = crawl_archive(tmp_path, schedule)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    archived = {r["doc_id"]: r for r in crawl.rows("SELECT * FROM articles")}
    assert archived["WCMS_3"]["captured_at"] == "2020-01-03T06:00:00+00:00"
    assert archived["WCMS_3"]["url"] == article_original(3, host="https://ilo.org")
    assert archived["WCMS_8"]["url"] == article_original(8, host="http://www.ilo.ch")
    assert all(r["body"] for r in archived.values())
    stats = run_stats(crawl)
    hosts = 2  # www.ilo.ch and www.oit.org, each section once
    assert stats["wayback/cdx_requests"] == 1 + len(ARTICLE_SECTION_PATHS) * (1 + hosts)
    assert "wayback/article_cdx_requests" not in stats
    assert "1 articles not captured under https://www.ilo.org: asking www.ilo.ch" in crawl.stderr
    assert completeness(crawl)["missing"] == []


def strict_crawl(
    tmp_path: Path, scale: str, *settings: str, archive: Path | None = None, **arguments: str
) -> Crawl:
    """A crawl of the default dataset's web archive served as strictly as web.archive.org, its
    minute and hour (and the crawler's pauses and rates) multiplied by ``scale``."""
    with running_mirror(None, None, "--wayback", "--strict", "--time-scale", scale) as base_url:
        return strict_run(
            base_url, archive or tmp_path / "archive.db", scale, *settings, **arguments
        )


def strict_run(base_url: str, archive: Path, scale: str, *settings: str, **arguments: str) -> Crawl:
    return run_crawl(
        base_url,
        archive,
        settings=(f"ILO_WAYBACK_TIME_SCALE={scale}", *settings),
        source="wayback",
        **{"month": MONTH, **arguments},
    )


def test_a_month_at_the_default_budgets_meets_no_429_from_the_strict_archive(
    tmp_path: Path,
) -> None:
    # Scaled to a hundredth: 30 CDX queries in any 0.6 s at most, the crawler asks 24.
    crawl = strict_crawl(tmp_path, "0.01")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    stats = run_stats(crawl)
    assert "downloader/response_status_count/429" not in stats
    assert "wayback/429" not in stats
    report = completeness(crawl)
    assert report["missing"] == [] and report["items_seen"] == report["items_with_body"] > 70
    # Within the budgets: CDX queries <= 2 + the article sections, captures <= N + P + 2.
    items, pages = report["items_seen"], math.ceil(report["items_seen"] / 10)
    assert stats["wayback/cdx_requests"] <= 2 + len(ARTICLE_SECTION_PATHS)
    assert stats["wayback/requests"] - stats["wayback/cdx_requests"] <= items + pages + 2
    # Through the strict index's quirks: repeated rows, revisits, day-00 rows and other forms of
    # the host left out or joined, no ':80' kept in a record's URL.
    originals = {r[0] for r in crawl.rows("SELECT original_url FROM captures")}
    assert {urlsplit(o).netloc for o in originals} > {"www.ilo.org"}
    assert not any(":80/" in o for o in originals)
    assert not crawl.rows("SELECT url FROM articles WHERE url LIKE '%:80/%'")


def test_three_times_the_budget_meets_429s_pauses_slows_down_and_completes(
    tmp_path: Path,
) -> None:
    # A tenth: 30 CDX queries in any 6 s; the crawler asks 72 a (scaled) minute, and reads the
    # section answers 50 rows a page, some fifty CDX queries.
    crawl = strict_crawl(
        tmp_path,
        "0.1",
        "ILO_WAYBACK_CDX_PER_MINUTE=72",
        "ILO_WAYBACK_CAPTURES_PER_MINUTE=1440",
        "ILO_WAYBACK_CDX_PAGE_ROWS=50",
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    stats = run_stats(crawl)
    assert stats["wayback/429"] > 0 and stats["wayback/slowdowns"] >= 1
    assert "wayback/blocked_at" not in stats
    assert "429 on web-archive-cdx: pausing it 6.0 s" in crawl.stderr
    report = completeness(crawl)
    assert report["missing"] == [] and report["items_seen"] == report["items_with_body"] > 70


def test_a_client_going_on_through_429s_is_blocked_stops_and_a_rerun_waits_the_block_out(
    tmp_path: Path,
) -> None:
    # A hundredth: a minute is 0.6 s, long beside any pause of a loaded machine between two
    # 429s, so the run of them is unbroken; the archive takes five CDX queries a minute, and its
    # block (and the crawler's idea of it) is a tenth of an hour, 3.6 s. The first client
    # ignores 429s; the later ones ask four CDX queries a minute.
    scale = "0.01"
    ignoring = (
        "ILO_WAYBACK_CDX_PER_MINUTE=60000",
        "ILO_WAYBACK_429_PAUSE=0",
        "ILO_WAYBACK_SLOWDOWN=1",
        "ILO_WAYBACK_RETRY_TIMES=100000",
        "ILO_WAYBACK_CDX_PAGE_ROWS=50",  # some fifty CDX queries
    )
    archive = tmp_path / "archive.db"
    polite = ("ILO_WAYBACK_BLOCK_HOURS=0.1", "ILO_WAYBACK_CDX_PER_MINUTE=4")
    options = ("--wayback", "--strict", "--time-scale", scale, "--cdx-per-minute", "5")
    with running_mirror(None, None, *options, "--block-hours", "0.1") as base_url:
        blocked = strict_run(base_url, archive, scale, polite[0], *ignoring)
        assert blocked.returncode == ExitStatus.BLOCKED, blocked.stderr[-3000:]
        said = [line for line in blocked.stderr.splitlines() if "web archive: blocked" in line]
        assert len(said) == 1 and "retry after" in said[0], said
        run = blocked.rows("SELECT * FROM runs")[0]
        stats = json.loads(run["stats"])
        blocked_at = dt.datetime.fromisoformat(stats["wayback/blocked_at"])
        finished = dt.datetime.fromisoformat(run["finished_at"])
        assert (finished - blocked_at).total_seconds() < 10
        assert run["exit_status"] == ExitStatus.BLOCKED
        report = completeness(blocked)
        assert report["missing"][0]["kind"] == "month"
        assert report["missing"][0]["reason"] == (
            "not finished: the web archive blocked the run before the month was read to its end"
        )
        # At once again: refused without a request, saying until when.
        refused = strict_run(base_url, archive, scale, *polite)
        assert refused.returncode == ExitStatus.BLOCKED, refused.stderr[-3000:]
        assert "an earlier run was blocked by it" in refused.stderr
        assert "wayback/requests" not in run_stats(refused)
        assert completeness(refused)["missing"][0]["kind"] == "month"
        # Once the block's (scaled) hour is over, a polite run finishes the month.
        over = blocked_at + dt.timedelta(hours=0.1 * float(scale)) - dt.datetime.now(dt.UTC)
        time.sleep(max(0.0, over.total_seconds()) + 0.5)
        again = strict_run(base_url, archive, scale, *polite)
    assert again.returncode == 0, again.stderr[-3000:]
    assert completeness(again)["missing"] == []
    coverage = ilo_archive("coverage", "--db", str(archive), "--since", MONTH, "--until", MONTH)
    assert "not finished" not in coverage.stdout


# The live site without the old newsroom ---------------------------------------------------------


@pytest.mark.parametrize(
    ("replica_options", "how"),
    [
        (("--retired",), "redirected to"),
        (("--fail-path", "all-newsroom", "--fail-path-status", "404"), "it answers 404"),
    ],
)
def test_a_live_site_without_the_old_listing_fails_naming_the_web_archive(
    replica_options: tuple[str, ...], how: str, tmp_path: Path
) -> None:
    with running_mirror(None, None, *replica_options) as base_url:
        crawl = run_crawl(base_url, tmp_path / "archive.db", month=MONTH)
    assert crawl.returncode == ExitStatus.LISTING_NOT_SERVED, crawl.stderr[-3000:]
    errors = [line for line in crawl.stderr.splitlines() if "ERROR" in line]
    assert any(
        "does not serve the listing" in line and how in line and "-a source=wayback" in line
        for line in errors
    ), errors
    assert crawl.rows("SELECT count(*) FROM articles")[0][0] == 0
    assert crawl.rows("SELECT exit_status FROM runs")[0][0] == ExitStatus.LISTING_NOT_SERVED


def test_an_item_corrected_between_captures_is_one_record_with_its_earlier_state_kept(
    tmp_path: Path,
) -> None:
    # WCMS_11 stands at the bottom of nextRow--0 captured on 1 February and at the top of
    # nextRow--3 captured on the 2nd, when its title had been corrected.
    corrected = [
        {**r, "earlier": [{"until": "2020-02-02", "title": "Title 11 (first version)"}]}
        if r["id"] == "WCMS_11"
        else r
        for r in ROWS
    ]
    schedule = {
        "listing": [
            sweep(f"202002{offset // 3 + 1:02d}120000", [offset]) for offset in range(0, 21, 3)
        ]
    }
    crawl = crawl_archive(tmp_path, schedule, rows=corrected)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    records = crawl.rows("SELECT * FROM articles WHERE doc_id = 'WCMS_11'")
    assert len(records) == 1
    assert (records[0]["title"], records[0]["revision"]) == ("Title 11", 2)
    earlier = crawl.rows("SELECT * FROM article_revisions WHERE doc_id = 'WCMS_11'")
    assert len(earlier) == 1 and json.loads(earlier[0]["changed_fields"]) == ["title"]
    assert json.loads(earlier[0]["state"])["title"] == "Title 11 (first version)"
    assert crawl.rows("SELECT count(*) FROM revisions")[0][0] == 1
    assert run_stats(crawl)["newsroom/article_requests"] == len(JANUARY)


def test_an_article_the_archive_fails_to_give_is_a_failure_named_in_the_report(
    tmp_path: Path,
) -> None:
    # Every request naming WCMS_5 (its CDX query) answers 500, through every retry.
    crawl = crawl_archive(
        tmp_path,
        {"listing": [sweep("20200206093000", list(range(0, 21, 3)))]},
        replica_options=("--fail-path", "WCMS_5", "--fail-path-status", "500"),
    )
    assert crawl.returncode == ExitStatus.FETCH_FAILURES, crawl.stderr[-3000:]
    archived = {r["doc_id"]: r for r in crawl.rows("SELECT * FROM articles")}
    assert set(archived) == {r["id"] for r in JANUARY}
    assert archived["WCMS_5"]["body"] is None and archived["WCMS_5"]["source"] == "wayback"
    missing = completeness(crawl)["missing"]
    assert [(m["kind"], m["doc_id"]) for m in missing] == [("month", None), ("article", "WCMS_5")]
    assert missing[0]["reason"] == "not finished: 1 request failed after their retries"
    assert missing[1]["reason"].startswith("could not be read: ")
    assert crawl.rows("SELECT count(*) FROM failures WHERE kind = 'article'")[0][0] == 0


def test_a_page_the_archive_refuses_by_robots_is_named_missing_not_retried(tmp_path: Path) -> None:
    crawl = crawl_archive(
        tmp_path,
        {"listing": [sweep("20200206093000", list(range(0, 21, 3)))]},
        replica_options=("--robots-blocked", "WCMS_5/"),
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]  # what the archive will not give
    stats = run_stats(crawl)
    assert stats["downloader/response_status_count/403"] == 1  # asked once
    assert stats["wayback/refused_by_the_archive"] == 1
    missing = completeness(crawl)["missing"]
    assert [(m["kind"], m["doc_id"]) for m in missing] == [("article", "WCMS_5")]
    assert missing[0]["reason"] == (
        "the web archive refuses to give it (RobotAccessControlException: Blocked By Robots)"
    )
    archived = {r["doc_id"]: r for r in crawl.rows("SELECT * FROM articles")}
    assert archived["WCMS_5"]["body"] is None and len(archived) == len(JANUARY)


def test_a_month_whose_captures_cannot_be_listed_fails_and_says_so(tmp_path: Path) -> None:
    crawl = crawl_archive(
        tmp_path,
        {"listing": [sweep("20200206093000", [0])]},
        replica_options=("--fail-path", "^/cdx/", "--fail-path-status", "503"),
    )
    assert crawl.returncode == ExitStatus.FETCH_FAILURES, crawl.stderr[-3000:]
    assert "web archive: listing not read, the month is not complete" in crawl.stderr
    report = completeness(crawl)
    assert (report["listing_captures"], report["items_seen"]) == (0, 0)
    assert [m["kind"] for m in report["missing"]] == ["month", "listing"]
    assert report["missing"][0]["reason"].startswith("not finished: 1 request failed")
    assert "could not be read" in report["missing"][1]["reason"]
    assert crawl.rows("SELECT count(*) FROM articles")[0][0] == 0


# Spans of the retired newsroom ----------------------------------------------------------------


def test_since_without_until_ends_at_the_wcms_s_last_month(wayback: str, tmp_path: Path) -> None:
    crawl = run_crawl(wayback, tmp_path / "archive.db", source="wayback", since="2024-04")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    months = [r[0] for r in crawl.rows("SELECT month FROM completeness")]
    assert months == ["2024-04"]  # not on to this month
    assert crawl.rows("SELECT count(*) FROM articles")[0][0] > 0


@pytest.mark.parametrize(
    "arguments",
    [{"month": "2024-05"}, {"since": "2024-01", "until": "2024-06"}, {"since": "2025-01"}],
)
def test_a_web_archive_span_past_the_wcms_s_last_month_is_refused(
    arguments: dict, wayback: str, tmp_path: Path
) -> None:
    crawl = run_crawl(wayback, tmp_path / "archive.db", source="wayback", **arguments)
    assert crawl.returncode == ExitStatus.BAD_ARGUMENTS
    lines = [line for line in crawl.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "2024-04" in lines[0], lines
    assert not crawl.archive.exists()


def test_an_interrupted_span_records_its_unread_months_as_not_finished(
    wayback: str, tmp_path: Path
) -> None:
    archive = tmp_path / "archive.db"
    command = crawl_command(wayback, archive, source="wayback", since="2021-09", until="2021-11")
    command += ["-s", "ILO_WAYBACK_TIME_SCALE=0.05"]  # a CDX query every 0.125 s: half a minute
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    for line in process.stderr:
        if "listing read from" in line:  # the first month's articles are being read
            break
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=120)
    assert process.returncode == ExitStatus.INTERRUPTED
    reports = {
        r["month"]: json.loads(r["missing"])
        for r in query(archive, "SELECT month, missing FROM completeness")
    }
    assert set(reports) == {"2021-09", "2021-10", "2021-11"}
    unfinished = [
        month for month, missing in reports.items() if missing[:1] and missing[0]["kind"] == "month"
    ]
    assert unfinished
    for month in unfinished:
        assert reports[month][0]["reason"] == (
            "not finished: the run was interrupted before the month was read to its end"
        )
    coverage = ilo_archive(
        "coverage", "--db", str(archive), "--since", "2021-09", "--until", "2021-11"
    )
    assert coverage.stdout.count("not finished: the run was interrupted") == len(unfinished)


def test_a_backfill_resumes_without_reading_complete_months_again(
    wayback: str, tmp_path: Path
) -> None:
    # The retired newsroom from 2023-11 (ILO_WAYBACK_FIRST_MONTH) to 2024-04, in French: six
    # months; the first run is stopped (SIGTERM) after its first month is read.
    archive = tmp_path / "archive.db"
    command = crawl_command(wayback, archive, source="wayback", all="1", lang="fr")
    command += ["-s", "ILO_WAYBACK_FIRST_MONTH=2023-11", "-s", "ILO_WAYBACK_TIME_SCALE=0.05"]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    progress = []
    for line in process.stderr:
        if " read: " in line and "months," in line:
            progress.append(line)
            break
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=120)
    assert process.returncode == ExitStatus.INTERRUPTED
    said = progress[0].split("web archive ")[1]
    first_read, counted = said.split(" read: ")
    assert counted.startswith("1/6 months") and "left" in counted
    first = {
        r["month"]: json.loads(r["missing"])
        for r in query(archive, "SELECT month, missing FROM completeness")
    }
    done = {
        month for month, missing in first.items() if not missing or missing[0]["kind"] != "month"
    }
    assert first_read in done and len(done) < 6
    again = run_crawl(
        wayback,
        archive,
        settings=("ILO_WAYBACK_FIRST_MONTH=2023-11",),
        source="wayback",
        all="1",
        lang="fr",
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert (
        f"web archive: {len(done)} of 6 months already read to their end, skipped" in again.stderr
    )
    run_id = again.rows("SELECT max(id) FROM runs")[0][0]
    read_again = {
        r[0] for r in again.rows("SELECT month FROM completeness WHERE run_id = ?", (run_id,))
    }
    assert read_again == {"2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04"} - done
    lines = [line for line in again.stderr.splitlines() if " read: " in line and "months," in line]
    assert len(lines) == len(read_again)
    assert f"{len(read_again)}/{len(read_again)} months" in lines[-1]


def test_a_backfill_killed_mid_run_resumes_from_the_months_it_had_read(
    wayback: str, tmp_path: Path, default_records: list[dict]
) -> None:
    # The retired newsroom in French from 2021-01 (ILO_WAYBACK_FIRST_MONTH) to 2024-04: 40
    # months, killed (SIGKILL: nothing closes) once five of them are read to their end.
    archive = tmp_path / "archive.db"
    first = ("-s", "ILO_WAYBACK_FIRST_MONTH=2021-01")
    command = crawl_command(wayback, archive, source="wayback", all="1", lang="fr")
    command += [*first, "-s", "ILO_WAYBACK_TIME_SCALE=0.05"]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    progress = 0
    for line in process.stderr:
        progress += " read: " in line and "/40 months," in line
        if progress == 5:
            break
    process.kill()
    process.wait(timeout=60)
    assert progress == 5
    # The months read to their end were recorded as they were read, each with all its items
    # (the one just announced perhaps not yet: its last items were still on their way).
    done = {
        r["month"]: r["items_seen"]
        for r in query(archive, "SELECT month, items_seen, missing FROM completeness")
        if "month" not in {entry["kind"] for entry in json.loads(r["missing"])}
    }
    assert len(done) >= progress - 1
    for month, seen in done.items():
        stored = query(
            archive, "SELECT count(*) FROM appearances WHERE month = ? AND lang = 'fr'", (month,)
        )
        assert stored[0][0] == seen, month
    again = run_crawl(
        wayback,
        archive,
        settings=(first[1], "ILO_WAYBACK_TIME_SCALE=0.01"),
        source="wayback",
        all="1",
        lang="fr",
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"web archive: {len(done)} of 40 months already read to their end, skipped" in (
        again.stderr
    )
    lines = [line for line in again.stderr.splitlines() if " read: " in line and "months," in line]
    assert len(lines) == 40 - len(done) and f"{40 - len(done)}/{40 - len(done)} months" in lines[-1]
    # A listing query for the windows of twelve months at a time, a query per article section.
    listing_queries = math.ceil((40 - len(done)) / 12)
    cdx = run_stats(again)["wayback/cdx_requests"]
    assert cdx == listing_queries + len(ARTICLE_SECTION_PATHS)
    # Every item of the span once, every month read to its end.
    expected = {
        r["id"]
        for r in default_records
        if r["lang"] == "fr"
        and "all-newsroom" in r["listings"]
        and "2021-01" <= r["date"][:7] <= "2024-04"
    }
    archived = [r[0] for r in again.rows("SELECT doc_id FROM articles WHERE lang = 'fr'")]
    assert sorted(archived) == sorted(expected)
    months = {
        r[0]
        for r in again.rows(
            "SELECT month FROM completeness c WHERE run_id = (SELECT max(run_id) FROM completeness"
            ' WHERE month = c.month) AND missing NOT LIKE \'%"kind": "month"%\''
        )
    }
    assert len(months) == 40


def test_an_archive_that_cannot_be_reached_ends_the_run_within_seconds(tmp_path: Path) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    crawl = run_crawl(
        f"http://127.0.0.1:{port}",
        tmp_path / "archive.db",
        settings=("ILO_RETRY_BACKOFF_BASE=2",),  # the real backoff: 62 s of retries otherwise
        source="wayback",
        month=MONTH,
    )
    assert crawl.returncode == ExitStatus.FETCH_FAILURES, crawl.stderr[-3000:]
    said = [line for line in crawl.stderr.splitlines() if "web archive: cannot be reached" in line]
    assert len(said) == 1, crawl.stderr[-3000:]
    run = crawl.rows("SELECT * FROM runs")[0]
    took = dt.datetime.fromisoformat(run["finished_at"]) - dt.datetime.fromisoformat(
        run["started_at"]
    )
    assert took.total_seconds() < 60
    assert completeness(crawl)["missing"][0]["reason"] == (
        "not finished: the web archive could not be reached before the month was read to its end"
    )


def test_coverage_counts_the_months_a_backfill_read_to_their_end_before_a_sigint(
    wayback: str, tmp_path: Path
) -> None:
    """The months an interrupted ``all=1`` run read to their end are crawled (their completeness
    was written as each was read), not "never crawled"; the others are "not finished"."""
    archive = tmp_path / "archive.db"
    command = crawl_command(wayback, archive, source="wayback", all="1", lang="fr")
    command += ["-s", "ILO_WAYBACK_FIRST_MONTH=2023-11", "-s", "ILO_WAYBACK_TIME_SCALE=0.05"]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    for line in process.stderr:
        if " read: " in line and "months," in line:  # a first month is read to its end
            break
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=120)
    assert process.returncode == ExitStatus.INTERRUPTED
    shown = ilo_archive("coverage", "--db", archive, "--lang", "fr", "--json")
    assert shown.returncode == 0, shown.stderr
    status = {row["month"]: row["status"] for row in json.loads(shown.stdout)}
    read = {
        r["month"]
        for r in query(archive, "SELECT month, missing FROM completeness")
        if not json.loads(r["missing"])[:1] or json.loads(r["missing"])[0]["kind"] != "month"
    }
    assert read, status
    for month, state in status.items():
        assert state != "never crawled", status
        assert (state == "not finished") == (month not in read), status
