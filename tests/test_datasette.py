"""The Datasette metadata: it describes exactly the archive's schema, and a real ``datasette``
serving a crawled archive with it answers the canned queries as SQL does."""

from __future__ import annotations

import json
import queue
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import MONTH, ROOT, Crawl, copy_archive, query
from parsel import Selector
from test_cli_query import CHROMIUM, chromium

from ilo_crawler.archive import Archive
from ilo_crawler.sites.registry import SITES

METADATA = ROOT / "ilo_crawler" / "archive" / "metadata.yml"
FTS_SHADOWS = {"articles_fts", *(f"articles_fts_{s}" for s in ("config", "data", "docsize", "idx"))}


def described_tables() -> dict:
    return yaml.safe_load(METADATA.read_text("utf-8"))["databases"]["archive"]["tables"]


def test_every_table_view_and_column_is_described_and_none_is_unknown(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive.db")  # a new archive has every migration's schema
    names = set(archive.db.table_names()) | set(archive.db.view_names())
    tables = described_tables()
    assert set(tables) == names
    for name in names - FTS_SHADOWS:
        columns = [c.name for c in archive.db[name].columns]
        assert tables[name].get("description"), name
        assert list(tables[name].get("columns", {})) == columns, name
        assert all(text.endswith(".") for text in tables[name]["columns"].values()), name
    assert all(tables[name]["hidden"] for name in FTS_SHADOWS | {"capture_bodies"})
    assert (tables["articles"]["fts_table"], tables["articles"]["fts_pk"]) == ("articles_fts", "id")


@dataclass
class Served:
    url: str  #: datasette's base URL
    archive: Path  #: the archive it serves

    def get(self, path: str, **params: str) -> list[dict]:
        """A JSON page's rows, as an array of objects."""
        url = f"{self.url}{path}?{urllib.parse.urlencode({**params, '_shape': 'array'})}"
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)

    def rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        return query(self.archive, sql, params)


@pytest.fixture(scope="module")
def datasette(november: Crawl, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``datasette`` serving a copy of the November archive (named archive.db, as the metadata
    expects) on a free port; yields its base URL; fails if it logs a warning or an error."""
    copy = copy_archive(november.archive, tmp_path_factory.mktemp("datasette") / "archive.db")
    command = [sys.executable, "-m", "datasette", "serve", str(copy), "-m", str(METADATA)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []

    def read() -> None:
        for line in process.stderr or ():
            log.append(line)
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"datasette did not start within 20 s: {''.join(log)}")
            if "running on http://" in line:
                yield Served(line.split("running on ", 1)[1].split()[0], copy)
                break
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert not [line for line in log if "warn" in line.lower() or "error" in line.lower()], log


def test_articles_per_month_counts_as_sql(datasette: Served) -> None:
    rows = datasette.get("/archive/articles_per_month.json", month=MONTH)
    expected = datasette.rows(
        "SELECT lang, category, count(*) AS n FROM articles WHERE month = ? GROUP BY 1, 2", (MONTH,)
    )
    assert {(r["lang"], r["category"], r["articles"]) for r in rows} == {
        (lang, category or "(no label)", n) for lang, category, n in expected
    }
    assert sum(r["articles"] for r in rows) == datasette.rows("SELECT count(*) FROM articles")[0][0]
    assert datasette.get("/archive/articles_per_month.json", month="1990-01") == []


def test_search_finds_the_articles_holding_the_words(datasette: Served) -> None:
    rows = datasette.get("/archive/search_articles.json", q="child labour")
    expected = datasette.rows(
        "SELECT a.doc_id, lower(a.title || ' ' || coalesce(a.summary, '') || ' ' || a.body)"
        " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
        " WHERE articles_fts MATCH 'child labour'"
    )
    assert {r["doc_id"] for r in rows} == {doc_id for doc_id, _ in expected} != set()
    assert all("child" in text and "labour" in text for _, text in expected)
    assert all("[" in r["excerpt"] for r in rows)
    table = datasette.get("/archive/articles.json", _search="child labour", _col="doc_id")
    assert {r["doc_id"] for r in table} == {r["doc_id"] for r in rows}


def test_runs_and_the_problem_queries_agree_with_sql(datasette: Served) -> None:
    runs = datasette.get("/archive/runs_with_outcome.json")
    expected = datasette.rows("SELECT * FROM runs ORDER BY id DESC")
    assert [(r["id"], r["outcome"], r["items_new"], r["requests"]) for r in runs] == [
        (e["id"], e["outcome"], e["items_new"], e["requests"]) for e in expected
    ]
    first = runs[-1]
    assert (first["items_new"], first["failed_pages"], first["date_problems"]) == (
        datasette.rows("SELECT count(*) FROM articles")[0][0],
        0,
        0,
    )
    for name, sql in [
        ("untrusted_dates", "SELECT doc_id FROM articles WHERE date_problem IS NOT NULL"),
        ("articles_without_body", "SELECT doc_id FROM articles WHERE body IS NULL"),
        ("recent_changes", "SELECT doc_id FROM article_revisions"),
    ]:
        rows = datasette.get(f"/archive/{name}.json")
        assert sorted(r["doc_id"] for r in rows) == sorted(
            doc_id for (doc_id,) in datasette.rows(sql)
        )


def test_column_descriptions_are_served(datasette: Served) -> None:
    with urllib.request.urlopen(f"{datasette.url}/-/metadata.json", timeout=10) as response:
        served = json.load(response)["databases"]["archive"]["tables"]
    assert served["articles"]["columns"] == described_tables()["articles"]["columns"]
    with urllib.request.urlopen(f"{datasette.url}/archive/captures", timeout=10) as response:
        page = response.read().decode("utf-8")
    assert "The URL first requested (before any redirect)." in page


def test_web_archive_missing_names_what_the_latest_reading_lacks(
    datasette: Served, tmp_path: Path
) -> None:
    assert datasette.get("/archive/web_archive_missing.json") == []  # nothing read from one
    archive = Archive(tmp_path / "archive.db")
    article = {"kind": "article", "url": "http://www.ilo.org/a", "doc_id": "WCMS_1", "reason": "r"}
    listing = {"kind": "listing", "url": "http://www.ilo.org/l", "doc_id": None, "reason": "s"}
    runs = []
    for missing in ([listing, article], [article]):  # the later reading found the listing page
        runs.append(archive.start_run("newsroom", {"month": MONTH}, "http://archive"))
        archive.record_completeness(
            runs[-1],
            {
                "source": "wayback",
                "listing": "all-newsroom",
                "lang": "en",
                "month": MONTH,
                "listing_captures": 1,
                "items_seen": 2,
                "items_with_capture": 1,
                "items_with_body": 1,
                "missing": missing,
            },
        )
    archive.close()
    canned = yaml.safe_load(METADATA.read_text("utf-8"))["databases"]["archive"]["queries"]
    rows = query(archive.path, canned["web_archive_missing"]["sql"])
    assert [dict(row) for row in rows] == [
        {"month": MONTH, "lang": "en", "listing": "all-newsroom", "run_id": runs[1], **article}
    ]


def test_every_listing_is_named_where_the_metadata_lists_them() -> None:
    listings = [name for site in SITES.values() for name in site.listings]
    tables = described_tables()
    for table in ("articles", "appearances", "completeness"):
        described = tables[table]["columns"]["listing"]
        assert [name for name in listings if name not in described] == [], table


#: Run in the page once laid out: where the search box, the rows and the column descriptions
#: are, and how tall the first body cell is; written into the DOM for ``--dump-dom`` to show.
LAYOUT_SCRIPT = """<script>
const at = (selector) => document.querySelector(selector).getBoundingClientRect().top;
const cell = document.querySelector("td.col-body");
document.body.dataset.layout = JSON.stringify({
  search: at("#_search"), rows: at("table.rows-and-columns"),
  descriptions: at("dl.column-descriptions"),
  described: document.querySelectorAll("dl.column-descriptions dt").length,
  bodyHeight: cell.getBoundingClientRect().height, bodyChars: cell.textContent.length,
  titleHeight: document.querySelector("td.col-title").getBoundingClientRect().height});
</script>"""


@pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium: make install-chromium (as root)"
)
def test_the_articles_page_shows_the_search_box_first_and_bodies_on_one_line(
    datasette: Served, tmp_path: Path
) -> None:
    """The articles table as a browser lays it out on a first screen (1280 x 800): the search
    box on it, above the rows; the column descriptions after the rows, all still there; a body
    one line high however long it is."""
    with urllib.request.urlopen(f"{datasette.url}/archive/articles", timeout=10) as response:
        html = response.read().decode("utf-8")
    page = tmp_path / "articles.html"
    page.write_text(
        html.replace("<head>", f'<head><base href="{datasette.url}/">', 1).replace(
            "</body>", LAYOUT_SCRIPT + "</body>", 1
        ),
        "utf-8",
    )
    dom = Selector(
        text=chromium(page, tmp_path / "profile", "--window-size=1280,800", "--dump-dom")
    )
    layout = json.loads(dom.css("body::attr(data-layout)").get())
    assert layout["search"] < 800 and layout["search"] < layout["rows"] < layout["descriptions"]
    assert layout["described"] == len(described_tables()["articles"]["columns"])
    assert layout["bodyChars"] > 500 and layout["bodyHeight"] <= layout["titleHeight"] + 1
