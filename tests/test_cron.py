"""Unattended runs, each through the real ``scrapy crawl`` against a replica that misbehaves on
demand: incremental runs, transient and permanent failures, items published mid-crawl, layout
changes, overlapping runs, and runs killed with SIGKILL."""

from __future__ import annotations

import json
import random
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from conftest import MONTH, Crawl, ilo_archive, query, run_crawl, write_dataset

from ilo_crawler.archive.lock import ArchiveLock
from ilo_crawler.exitcodes import ExitStatus
from ilo_crawler.mirror.process import crawl_command, running_mirror


def archived_count(archive: Path) -> int:
    """How many articles a crawl has committed so far (0 before its archive has tables)."""
    try:
        return query(archive, "SELECT count(*) FROM articles")[0][0]
    except sqlite3.OperationalError:
        return 0


def stats_of(crawl: Crawl) -> dict:
    return json.loads(crawl.rows("SELECT stats FROM runs ORDER BY id DESC LIMIT 1")[0][0])


def english(records: list[dict], first: str, last: str) -> list[dict]:
    """The English all-newsroom records dated within [first, last] (ISO dates)."""
    return [
        r
        for r in records
        if r["lang"] == "en" and "all-newsroom" in r["listings"] and first <= r["date"] <= last
    ]


@pytest.fixture(scope="module")
def autumn(default_records: list[dict]) -> list[dict]:
    """October and November 2021: a small listing (about 15 pages) for runs that walk it all."""
    return english(default_records, "2021-10-01", "2021-11-30")


def test_incremental_runs_fetch_only_what_is_new(autumn: list[dict], tmp_path: Path) -> None:
    archive = tmp_path / "archive.db"
    with running_mirror(write_dataset(tmp_path / "a.jsonl", autumn)) as base_url:
        first = run_crawl(base_url, archive)
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.rows("SELECT count(*) FROM articles")[0][0] == len(autumn)

    new = [
        {**autumn[0], "id": f"WCMS_99{n:04d}", "date": f"2021-12-0{n}", "title": f"New item {n}"}
        for n in range(1, 6)
    ]
    for record in new:
        record.pop("date_text", None)
    with running_mirror(write_dataset(tmp_path / "b.jsonl", autumn + new)) as base_url:
        second = run_crawl(base_url, archive)
        assert second.returncode == 0, second.stderr[-3000:]
        stats = stats_of(second)
        assert stats["newsroom/article_requests"] == len(new)
        # Page 0 holds the five new items and five old ones, then two settled pages end the walk.
        assert stats["newsroom/listing_requests"] <= 4
        titles = {row[0] for row in second.rows("SELECT title FROM articles")}
        assert {r["title"] for r in new} <= titles
        third = run_crawl(base_url, archive)
    assert third.returncode == 0, third.stderr[-3000:]
    assert stats_of(third).get("newsroom/article_requests", 0) == 0
    assert stats_of(third)["newsroom/listing_requests"] <= 3


def test_a_month_is_complete_through_transient_failures(replica: str, tmp_path: Path) -> None:
    faults = ("--fail-rate", "0.2", "--fail-status", "503,429,500", "--retry-after", "0")
    faults += ("--truncate-rate", "0.1")  # connections dropped mid-body: retried too
    with running_mirror(None, None, *faults) as base_url:
        crawl = run_crawl(base_url, tmp_path / "archive.db", month=MONTH)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    stats = stats_of(crawl)
    assert stats["retry/count"] > 0
    assert stats.get("retry/retry_after_honoured", 0) > 0
    rows = crawl.rows("SELECT count(*), count(body) FROM articles")[0]
    assert rows[0] == rows[1] == stats["newsroom/article_requests"] > 70


def test_answers_slower_than_the_download_timeout_are_retried(
    default_records: list[dict], tmp_path: Path
) -> None:
    with running_mirror(None, None, "--slow-rate", "0.15", "--slow-seconds", "3") as base_url:
        crawl = run_crawl(
            base_url, tmp_path / "archive.db", settings=("DOWNLOAD_TIMEOUT=1",), month=MONTH
        )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    stats = stats_of(crawl)
    timeouts = [key for key in stats if key.startswith("downloader/exception_type_count/")]
    assert any("TimeoutError" in key for key in timeouts), timeouts
    expected = {r["id"] for r in english(default_records, "2021-11-01", "2021-11-30")}
    rows = crawl.rows("SELECT doc_id FROM articles WHERE body IS NOT NULL")
    assert {row[0] for row in rows} == expected


def free_port() -> str:
    """A port free now, for replicas that must answer at the same base URL one after another."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def test_a_permanent_failure_exits_4_and_the_next_run_archives_it(tmp_path: Path) -> None:
    archive, port = tmp_path / "archive.db", free_port()
    with running_mirror(None, None, "--fail-path", "/WCMS_826064/", "--port", port) as base_url:
        broken = run_crawl(base_url, archive, month=MONTH)
    assert broken.returncode == ExitStatus.FETCH_FAILURES, broken.stderr[-3000:]
    assert "WCMS_826064" in broken.stderr
    (failure,) = broken.rows("SELECT * FROM failures")
    assert failure["doc_id"] == "WCMS_826064" and failure["resolved_at"] is None
    (kept,) = broken.rows("SELECT title, body FROM articles WHERE doc_id = 'WCMS_826064'")
    assert kept["title"] == "ILO launches new tool on social dialogue" and kept["body"] is None

    with running_mirror() as elsewhere:  # another site (base URL): not its failure to retry
        other = run_crawl(elsewhere, archive, month="2021-10")
    assert other.returncode == 0 and "newsroom/failures_retried" not in stats_of(other)
    assert other.rows("SELECT resolved_at FROM failures")[0][0] is None

    with running_mirror(None, None, "--port", port) as base_url:
        mended = run_crawl(base_url, archive, month="2021-10")  # another month, even
    assert mended.returncode == 0, mended.stderr[-3000:]
    assert stats_of(mended)["newsroom/failures_retried"] == 1
    (row,) = mended.rows("SELECT body FROM articles WHERE doc_id = 'WCMS_826064'")
    assert row["body"]
    assert mended.rows("SELECT resolved_at FROM failures")[0][0] is not None


def test_items_published_while_the_month_is_walked_are_not_missed(
    default_records: list[dict], tmp_path: Path
) -> None:
    expected = {r["id"] for r in english(default_records, "2021-11-01", "2021-11-30")}
    with running_mirror(None, None, "--publish-every", "2") as base_url:
        crawl = run_crawl(base_url, tmp_path / "archive.db", month=MONTH)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    archived = [
        row[0] for row in crawl.rows("SELECT doc_id FROM articles WHERE month = ?", (MONTH,))
    ]
    assert set(archived) == expected and len(archived) == len(expected)


def test_a_changed_layout_fails_the_run_naming_the_url(tmp_path: Path) -> None:
    with running_mirror(None, None, "--layout", "changed") as base_url:
        crawl = run_crawl(base_url, tmp_path / "archive.db", month=MONTH)
    assert crawl.returncode == ExitStatus.LAYOUT_DRIFT
    assert "layout drift: " in crawl.stderr
    assert "all-newsroom/lang--en/index.htm: listing page holds no items" in crawl.stderr


def test_a_second_crawl_on_the_same_archive_exits_at_once(replica: str, tmp_path: Path) -> None:
    archive = tmp_path / "archive.db"
    with running_mirror(None, None, "--slow-rate", "1", "--slow-seconds", "0.2") as base_url:
        first = subprocess.Popen(
            crawl_command(base_url, archive, month=MONTH),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        lock = Path(f"{archive}.lock")
        deadline = time.monotonic() + 30
        while not (lock.exists() and lock.read_text().startswith("pid")):
            assert time.monotonic() < deadline, "the first crawl never took the lock"
            time.sleep(0.05)
        started = time.monotonic()
        second = run_crawl(base_url, archive, month=MONTH)
        assert time.monotonic() - started < 15
        first.terminate()
        first.communicate(timeout=60)
    assert second.returncode == ExitStatus.LOCKED
    assert second.stderr.strip().startswith("error: another crawl is writing")
    # Once the first is gone, the lock is free again: a crashed holder never blocks the next run.
    ArchiveLock(archive).acquire().release()


def test_crawls_killed_at_random_moments_leave_a_sound_archive(
    replica: str, default_records: list[dict], tmp_path: Path
) -> None:
    archive = tmp_path / "archive.db"
    span = {"since": "2021-06", "until": "2021-11"}
    chance = random.Random(2021)
    for _ in range(3):
        crawl = subprocess.Popen(
            crawl_command(replica, archive, **span),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(chance.uniform(1.0, 3.0))
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
        connection = sqlite3.connect(archive)
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        connection.close()
    final = run_crawl(replica, archive, **span)
    assert final.returncode == 0, final.stderr[-3000:]
    expected = {r["id"] for r in english(default_records, "2021-06-01", "2021-11-30")}
    doc_ids = [row[0] for row in query(archive, "SELECT doc_id FROM articles")]
    assert set(doc_ids) == expected and len(doc_ids) == len(expected)
    assert query(archive, "SELECT count(*) FROM articles WHERE body IS NULL")[0][0] == 0
    verify = ilo_archive("verify", "--db", archive)
    assert verify.returncode == 0, verify.stdout


@pytest.mark.parametrize("source", ["live", "wayback"])
def test_a_crawl_stopped_with_jobdir_resumes_and_completes(
    source: str, default_records: list[dict], tmp_path: Path
) -> None:
    archive, jobdir = tmp_path / "archive.db", tmp_path / "job"
    span = {"since": "2021-06", "until": "2021-11", "source": source}
    slow = ("--slow-rate", "1", "--slow-seconds", "0.1")
    options = (*slow, "--wayback") if source == "wayback" else slow
    with running_mirror(None, None, *options) as base_url:
        command = [
            *crawl_command(base_url, archive, **span),
            *("-s", f"JOBDIR={jobdir}", "-s", "ILO_STORAGE_BATCH_SIZE=10"),
        ]
        first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while not archived_count(archive):
            assert first.poll() is None and time.monotonic() < deadline, "nothing was archived"
            time.sleep(0.05)
        first.send_signal(signal.SIGINT)  # Scrapy stops gracefully and keeps its queue in JOBDIR
        first.communicate(timeout=120)
        partial = query(archive, "SELECT count(*) FROM articles")[0][0]
        resumed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert first.returncode == ExitStatus.INTERRUPTED
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    expected = {r["id"] for r in english(default_records, "2021-06-01", "2021-11-30")}
    assert 0 < partial < len(expected)
    doc_ids = [row[0] for row in query(archive, "SELECT doc_id FROM articles")]
    assert set(doc_ids) == expected and len(doc_ids) == len(expected)
