"""Real crawls through every markup: the WCMS site's three layout generations and two markups the
extraction has no selectors for (``unknown_markups.py``), with the real items of 40 real listing
pages and the real seed page; live, and from the web-archive replica.

The known generations are served by the replica (``--layout``); the unknown markups by the same
``Site`` in this process (``make_server``), since they exist only in the tests.
"""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, MONTH, Crawl, run_crawl, write_dataset
from test_other_datasets import real_records
from unknown_markups import UNKNOWN_MARKUPS, ScriptedPager

from ilo_crawler.exitcodes import ExitStatus
from ilo_crawler.mirror.dataset import Record, load_dataset
from ilo_crawler.mirror.process import running_mirror
from ilo_crawler.mirror.server import make_server
from ilo_crawler.mirror.site import Site

GENERATIONS = ("wcms2010", "wcms2014", "wcms2019")
FIELDS = ("title", "label", "credit", "summary", "date_text")


@contextlib.contextmanager
def serving(markup: str, dataset: Path, page_size: int = 10) -> Iterator[str]:
    """A replica of ``dataset`` in ``markup``: a known generation as ``python -m
    ilo_crawler.mirror --layout``, an unknown markup in a thread of this process."""
    if markup in GENERATIONS:
        with running_mirror(dataset, page_size, "--layout", markup) as base_url:
            yield base_url
        return
    layout = ScriptedPager() if markup == "scripted-pager" else UNKNOWN_MARKUPS[markup]
    site = Site(load_dataset(dataset), page_size=page_size, layout=layout)
    server = make_server(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def real_dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    records = real_records()
    return write_dataset(tmp_path_factory.mktemp("real") / "real.jsonl", records), records


@pytest.mark.parametrize("markup", [*GENERATIONS, *UNKNOWN_MARKUPS])
def test_every_real_item_comes_back_exactly_through_every_markup(
    markup: str, real_dataset: tuple[Path, list[dict]], tmp_path: Path
) -> None:
    dataset, records = real_dataset
    archive = tmp_path / "archive.db"
    listings = sorted({(r["lang"], listing) for r in records for listing in r["listings"]})
    with serving(markup, dataset, page_size=7) as base_url:
        crawls = [
            run_crawl(base_url, archive, lang=lang, listing=listing, all="1")
            for lang, listing in listings
        ]
    for crawl in crawls:
        assert crawl.returncode == 0, crawl.stderr[-3000:]
    rows = {(row["doc_id"], row["lang"]): row for row in crawls[0].rows("SELECT * FROM articles")}
    assert len(rows) == len(records)
    for record in records:
        row = rows[record["id"], record["lang"]]
        for field in FIELDS:
            assert row[field] == record[field], (markup, record["title"], field)
        assert row["published"] == record["date"], (markup, record["title"])
        assert row["body"] == "\n\n".join(record["body"]), (markup, record["title"])
    if markup in UNKNOWN_MARKUPS:
        # Read by content: archived, and said so in a warning per page and in the summary.
        assert "content extraction: " in crawls[0].stderr
        assert "pages read partly or wholly by content" in crawls[0].stderr
        stats = json.loads(crawls[0].rows("SELECT stats FROM runs ORDER BY id LIMIT 1")[0][0])
        assert stats["extraction/listing/content"] > 0 and stats["extraction/article/content"] > 0
    else:
        assert "content extraction: " not in "".join(crawl.stderr for crawl in crawls)


def seed_items() -> list[dict]:
    seed = json.loads((FIXTURES / "seed-page.json").read_text("utf-8"))["items"]
    return [item for item in seed if item["published"].startswith(MONTH)]


def assert_seed_archived(crawl: Crawl, source: str) -> None:
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    for item in seed_items():
        rows = crawl.rows(
            "SELECT * FROM articles WHERE title = ? AND lang = 'en'", (item["title"],)
        )
        assert len(rows) == 1, item["title"]
        for field in (*FIELDS, "published"):
            assert rows[0][field] == item[field], (item["title"], field)
        assert rows[0]["body"] and rows[0]["source"] == source


@pytest.fixture(scope="module")
def autumn_2021(default_records: list[dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default dataset's October to December 2021 (the seed's month and its neighbours)."""
    records = [r for r in default_records if "2021-10-01" <= r["date"] <= "2021-12-31"]
    return write_dataset(tmp_path_factory.mktemp("autumn") / "autumn.jsonl", records)


@pytest.mark.parametrize("markup", [*GENERATIONS, *UNKNOWN_MARKUPS])
def test_the_seed_items_come_back_exactly_through_every_markup_live(
    markup: str, autumn_2021: Path, tmp_path: Path
) -> None:
    with serving(markup, autumn_2021) as base_url:
        crawl = run_crawl(base_url, tmp_path / "archive.db", month=MONTH)
    assert_seed_archived(crawl, "live")


@pytest.mark.parametrize("layout", [None, *GENERATIONS])
def test_the_seed_items_come_back_exactly_from_the_web_archive_in_every_generation(
    layout: str | None, autumn_2021: Path, tmp_path: Path
) -> None:
    """``None``: each capture in the layout of its capture year (2021: wcms2019)."""
    forced = ("--layout", layout) if layout else ()
    with running_mirror(autumn_2021, None, "--wayback", *forced) as base_url:
        crawl = run_crawl(base_url, tmp_path / "archive.db", source="wayback", month=MONTH)
    assert_seed_archived(crawl, "wayback")


def test_a_web_archive_span_across_redesigns_reads_every_generation(
    default_records: list[dict], tmp_path: Path
) -> None:
    """Captures of 2011, 2016 and 2021 come in three markups; every month is read by its
    generation's selectors, none by content."""
    months = ("2011-03", "2016-06", "2021-11")
    records = [r for r in default_records if r["date"][:7] in months and r["lang"] == "en"]
    dataset = write_dataset(tmp_path / "years.jsonl", records)
    archive = tmp_path / "archive.db"
    with running_mirror(dataset, None, "--wayback") as base_url:
        crawls = [run_crawl(base_url, archive, source="wayback", month=month) for month in months]
    for month, crawl in zip(months, crawls, strict=True):
        assert crawl.returncode == 0, crawl.stderr[-3000:]
        assert "content extraction: " not in crawl.stderr, month
    layouts = {
        key.removeprefix("extraction/listing/")
        for (stats,) in crawls[0].rows("SELECT stats FROM runs")
        for key in json.loads(stats)
        if key.startswith("extraction/listing/") and "/field/" not in key
    }
    assert layouts == set(GENERATIONS)
    expected = [r for r in records if "all-newsroom" in r["listings"]]
    assert len(crawls[0].rows("SELECT doc_id FROM articles WHERE body IS NOT NULL")) == len(
        expected
    )


def month_records(dataset: Path, month: str) -> list[Record]:
    """The items a month's crawl of the English "all newsroom" listing must archive."""
    return [
        r
        for r in load_dataset(dataset)
        if f"{r.date:%Y-%m}" == month and r.lang == "en" and "all-newsroom" in r.listings
    ]


@pytest.mark.parametrize("markup", ["wcms2012", "wcms-varied"])
def test_a_month_whose_pager_links_are_relative_comes_back_whole(
    markup: str, autumn_2021: Path, tmp_path: Path
) -> None:
    """``nextRow--7/index.htm`` from a first page, ``../nextRow--14/index.htm`` from the next:
    the seek resolves them as a browser does and reads every item of the month, with its
    body (``wcms-varied``: each page in one of the generations, relative links among them)."""
    with running_mirror(autumn_2021, 7, "--layout", markup) as base_url:
        first = urllib.request.urlopen(
            base_url + "/global/about-the-ilo/newsroom/all-newsroom/lang--en/index.htm"
        ).read()
        crawl = run_crawl(base_url, tmp_path / "archive.db", month=MONTH)
    if markup == "wcms2012":
        assert b'href="nextRow--7/index.htm"' in first
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    expected = month_records(autumn_2021, MONTH)
    rows = {row["doc_id"]: row for row in crawl.rows("SELECT * FROM articles")}
    assert len(expected) > 14  # more than two pages of the month
    assert set(rows) == {r.id for r in expected}
    for record in expected:
        row = rows[record.id]
        assert row["body"] == "\n\n".join(record.body), record.title
        for field in FIELDS:
            assert row[field] == getattr(record, field), (record.title, field)
    assert "not complete" not in crawl.stderr


def test_a_month_beyond_a_pager_the_reader_cannot_find_is_reported_not_complete(
    autumn_2021: Path, tmp_path: Path
) -> None:
    """A pager of buttons: the first page (November) is all the run can read, and October lies
    beyond it. The run says so in one line, records the month as not complete and exits with
    drift's status, never "finished, exit 0" with nothing."""
    with serving("scripted-pager", autumn_2021) as base_url:
        crawl = run_crawl(base_url, tmp_path / "archive.db", month="2021-10")
    assert crawl.returncode == ExitStatus.LAYOUT_DRIFT, crawl.stderr[-3000:]
    said = [line for line in crawl.stderr.splitlines() if "not read as far as 2021-10" in line]
    assert len(said) == 1 and "the month is not complete" in said[0]
    assert crawl.rows("SELECT count(*) FROM articles")[0][0] == 0
    (row,) = crawl.rows("SELECT source, month, missing FROM completeness")
    assert (row["source"], row["month"]) == ("live", "2021-10")
    assert [entry["kind"] for entry in json.loads(row["missing"])] == ["month"]
