"""The page reader processes (``ILO_PAGE_READERS``): a real reader process answers every saved
article page with the page object the crawl's process would have read; a crawl with readers archives what
one without them does; a reader killed in the middle of a crawl costs nothing but speed."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from conftest import FIXTURES, MONTH, ROOT, Crawl, query, run_crawl

from ilo_crawler.childprocess import start_helper
from ilo_crawler.mirror.process import crawl_command
from ilo_crawler.sites.reading import LENGTH, READY, frame, read_article
from ilo_crawler.sites.registry import site_of_url

#: Every saved article page of both sites, with the URL it was saved from.
PAGES = [
    (case["url"], path.with_name(path.name.replace(".expected.json", ".html")))
    for path in sorted(FIXTURES.rglob("*.expected.json"))
    if (case := json.loads(path.read_text("utf-8")))["kind"] == "article"
]
#: What an archived article is, whoever read its page (no times, no run numbers).
ARTICLE_COLUMNS = (
    "doc_id, lang, url, title, summary, credit, label, date_text, published, article_type, "
    "article_date_text, body, translations, category, listing_hash, content_hash"
)


def ask(reader: subprocess.Popen[bytes], number: int, task: tuple[Any, ...]) -> None:
    assert reader.stdin is not None
    reader.stdin.write(frame((number, *task)))
    reader.stdin.flush()


def answer(reader: subprocess.Popen[bytes]) -> tuple[int, bool, Any]:
    assert reader.stdout is not None
    (length,) = LENGTH.unpack(reader.stdout.read(LENGTH.size))
    number, ok, value = pickle.loads(reader.stdout.read(length))
    return number, ok, value


def test_a_reader_process_answers_each_page_with_the_page_object_read_here() -> None:
    assert len(PAGES) > 15
    reader = start_helper("ilo_crawler.sites.reading")
    try:
        assert answer(reader) == READY  # its sites imported, before any page is asked for
        for number, (url, html) in enumerate(PAGES, start=1):
            page = (site_of_url(url).name, html.read_bytes(), url)
            ask(reader, number, page)
            assert answer(reader) == (number, True, read_article(*page)), html.name
        # A page object that fails: its traceback comes back, and the reader goes on.
        ask(reader, 1000, ("no-such-site", b"<html/>", "https://example.org/"))
        number, ok, trace = answer(reader)
        assert (number, ok) == (1000, False) and "KeyError: 'no-such-site'" in trace
        url, html = PAGES[0]
        page = (site_of_url(url).name, html.read_bytes(), url)
        ask(reader, 1001, page)
        assert answer(reader) == (1001, True, read_article(*page))
    finally:
        assert reader.stdin is not None
        reader.stdin.close()  # the end of its stdin ends it
        assert reader.wait(timeout=30) == 0


def articles(archive: Path) -> list[tuple[Any, ...]]:
    rows = query(archive, f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY doc_id, lang")
    return [tuple(row) for row in rows]


def test_a_crawl_reading_its_pages_in_its_own_process_archives_the_same(
    november: Crawl, replica: str, tmp_path: Path
) -> None:
    """``november`` read its pages in a reader process (the default); this crawl in its own."""
    here = run_crawl(
        replica, tmp_path / "archive.db", settings=("ILO_PAGE_READERS=0",), month=MONTH
    )
    assert here.returncode == 0, here.stderr[-3000:]
    assert articles(here.archive) == articles(november.archive)
    assert len(articles(here.archive)) == 78


def reader_of(crawl_pid: int) -> int | None:
    """The pid of a crawl's page reader process, once it runs."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = next(line for line in status.splitlines() if line.startswith("PPid:"))
        if int(parent.split()[1]) == crawl_pid and b"ilo_crawler.sites.reading" in command:
            return int(entry.name)
    return None


def test_a_reader_killed_in_the_middle_of_a_crawl_costs_nothing_but_speed(
    november: Crawl, replica: str, tmp_path: Path
) -> None:
    archive = tmp_path / "archive.db"
    # One request every 50 ms: the month's 100-odd requests take seconds, time to kill the reader.
    command = [*crawl_command(replica, archive, month=MONTH), "-s", "DOWNLOAD_DELAY=0.05"]
    crawl = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while (reader := reader_of(crawl.pid)) is None:
            assert crawl.poll() is None and time.monotonic() < deadline, "no reader process seen"
            time.sleep(0.05)
        time.sleep(1.5)  # pages have gone through it
        assert crawl.poll() is None, "the crawl ended before its reader could be killed"
        os.kill(reader, signal.SIGKILL)
        _, stderr = crawl.communicate(timeout=300)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert crawl.returncode == 0, stderr[-3000:]
    assert "a page reader process ended (exit status -9)" in stderr
    assert "pages are read in the crawl's process from now on" in stderr
    assert articles(archive) == articles(november.archive)
    (stats,) = query(archive, "SELECT stats FROM runs")
    counted = json.loads(stats["stats"])
    assert counted["readers/ended_early"] == 1
    assert 0 < counted["readers/pages_read_in_crawl_process"] < 100
