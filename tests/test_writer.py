"""The archive's writer process: batches written in order, each whole or not at all, what a failed
batch or a dead process does to the batches after it; and a real crawl whose writer is held up by
a test holding the archive's write lock: the crawl stops fetching (the queue stays within its
bound) instead of filling memory, and completes once the lock is released."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from conftest import ROOT, ilo_archive, query

from ilo_crawler.archive import Archive
from ilo_crawler.archive.writer import ArchiveWriter, BatchResult, Write
from ilo_crawler.mirror.process import crawl_command


class Results:
    """What the writer reported, in order, and a way to wait for a number of reports."""

    def __init__(self) -> None:
        self.reports: list[BatchResult] = []
        self.arrived = threading.Condition()

    def __call__(self, result: BatchResult) -> None:
        with self.arrived:
            self.reports.append(result)
            self.arrived.notify_all()

    def wait_for(self, count: int) -> list[BatchResult]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.reports) >= count, timeout=60)
            return list(self.reports)


def capture(n: int) -> Write:
    return (
        "capture",
        {
            "kind": "listing",
            "url": f"http://127.0.0.1/listing/{n}",
            "final_url": f"http://127.0.0.1/listing/{n}",
            "status": 200,
            "request_headers": {},
            "headers": {},
            "fetched_at": "2026-12-01T00:00:00+00:00",
            "body": b"<html>%d</html>" % n,
        },
    )


def unarchived_sighting() -> Write:
    """A write the archive refuses (``ArchiveError``): a sighting of an article it lacks."""
    fields = {"doc_id": "WCMS_1", "lang": "en", "listing": "all-newsroom", "listing_url": "x"}
    return "sighting", {**fields, "listing_position": 1}


@pytest.fixture()
def archive_path(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    Archive(path).close()
    return path


def captures_in(path: Path) -> list[str]:
    return [row[0] for row in query(path, "SELECT url FROM captures ORDER BY id")]


def test_batches_are_written_in_order_each_in_one_transaction(archive_path: Path) -> None:
    results = Results()
    writer = ArchiveWriter(archive_path, results)
    writer.start()
    writer.submit([capture(1), capture(2)], None)
    writer.submit([capture(3), unarchived_sighting(), capture(4)], None)  # refused: rolled back
    writer.submit([capture(5)], None)  # after a failure: not attempted
    writer.close()
    writer.join()
    first, failed, after = results.wait_for(3)
    assert first == BatchResult(2, ("", ""))
    assert (
        failed.size == 3
        and not failed.written
        and "WCMS_1/en, which is not archived" in (failed.error or "")
    )
    assert after == BatchResult(1, skipped=True)
    assert captures_in(archive_path) == ["http://127.0.0.1/listing/1", "http://127.0.0.1/listing/2"]


def test_batches_a_dead_writer_never_answered_are_reported_failed(archive_path: Path) -> None:
    results = Results()
    writer = ArchiveWriter(archive_path, results)
    writer.start()
    writer.submit([capture(1)], None)
    assert results.wait_for(1)[0].written
    assert writer._process is not None
    os.kill(writer._process.pid, signal.SIGKILL)
    writer.submit([capture(2)], None)
    writer.submit([capture(3)], None)
    writer.close()
    writer.join()
    _, lost, also_lost = results.wait_for(3)
    assert "writer process ended before writing a batch (exit status -9)" in (lost.error or "")
    assert also_lost == BatchResult(1, skipped=True)
    writer.submit([capture(4)], None)  # after the end: answered at once, never left waiting
    assert results.wait_for(4)[-1] == BatchResult(1, skipped=True)
    assert captures_in(archive_path) == ["http://127.0.0.1/listing/1"]


def test_the_writer_process_dies_with_the_crawl(archive_path: Path, tmp_path: Path) -> None:
    """A process that starts a writer and is killed with SIGKILL takes its writer with it (and
    the writer holds no descriptor of the crawl's lock)."""
    script = (
        "import sys, time\n"
        "from ilo_crawler.archive.writer import ArchiveWriter\n"
        "writer = ArchiveWriter(sys.argv[1], print)\n"
        "writer.start()\n"
        "print(writer._process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    owner = subprocess.Popen(
        [sys.executable, "-c", script, str(archive_path)], cwd=ROOT, stdout=subprocess.PIPE
    )
    assert owner.stdout is not None
    writer_pid = int(owner.stdout.readline())
    owner.kill()
    owner.wait()
    deadline = time.monotonic() + 30
    while Path(f"/proc/{writer_pid}").exists() and _state(writer_pid) != "Z":
        assert time.monotonic() < deadline, "the writer outlived the crawl"
        time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


# A crawl whose writer falls behind --------------------------------------------------------------

#: A year of the default dataset: 700-odd articles, 800-odd requests.
SPAN = {"since": "2021-01", "until": "2021-12"}
BATCH, QUEUE = 10, 2
#: Scrapy's own bound on responses waiting for their items to be processed (5 MB by default,
#: about a thousand of the replica's pages): kept small so that a year's crawl shows the stop.
SLOT_BYTES = 500_000


@pytest.fixture()
def logged_replica(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A replica of its own that logs every request it answers, one line each, to a file."""
    log = tmp_path / "requests.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "ilo_crawler.mirror", "--port", "0", "--log-requests"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=sink,
            text=True,
        )
        try:
            assert server.stdout is not None
            base_url = server.stdout.readline().strip()
            assert base_url.startswith("http"), base_url
            yield base_url, log
        finally:
            server.terminate()
            server.wait(timeout=10)


def requests_answered(log: Path) -> int:
    return log.read_text().count('"GET ')


def test_a_writer_held_up_slows_the_crawl_instead_of_filling_memory(
    logged_replica: tuple[str, Path], default_records: list[dict], tmp_path: Path
) -> None:
    base_url, log = logged_replica
    archive = tmp_path / "archive.db"
    command = [
        *crawl_command(base_url, archive, **SPAN),
        *("-s", f"ILO_STORAGE_BATCH_SIZE={BATCH}", "-s", f"ILO_STORAGE_QUEUE_BATCHES={QUEUE}"),
        *("-s", f"SCRAPER_SLOT_MAX_ACTIVE_SIZE={SLOT_BYTES}"),
    ]
    crawl = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    expected = {
        r["id"]
        for r in default_records
        if r["lang"] == "en" and "all-newsroom" in r["listings"] and r["date"][:4] == "2021"
    }
    try:
        deadline = time.monotonic() + 120
        while not _archived(archive):
            assert crawl.poll() is None and time.monotonic() < deadline, "nothing was archived"
            time.sleep(0.02)
        with closing(sqlite3.connect(archive, isolation_level=None)) as holder:
            holder.execute("BEGIN IMMEDIATE")  # the write lock: the writer now waits for it
            held_at = requests_answered(log)
            stalled_at, rss = _wait_for_stall(log, crawl, quiet=2.0, limit=20.0)
            holder.execute("ROLLBACK")
        _, stderr = crawl.communicate(timeout=300)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert crawl.returncode == 0, stderr[-3000:]
    total = requests_answered(log)
    # The crawl stopped fetching while the writer could not write: it fetched a bounded number
    # of pages more (Scrapy's slot, the queue), far from the rest of the year.
    assert stalled_at is not None, "the crawl never stopped fetching while the writer was held"
    assert stalled_at - held_at < total / 2, (held_at, stalled_at, total)
    assert max(rss) - min(rss) < 50, rss  # MB: memory stays flat while it waits
    stats = query(archive, "SELECT stats FROM runs")[0][0]
    peak = int(_stat(stats, "archive/queue_peak_batches"))
    assert peak == QUEUE, stats  # up to its bound, never above
    assert int(_stat(stats, "archive/items_waited")) > 0
    doc_ids = [row[0] for row in query(archive, "SELECT doc_id FROM articles")]
    assert set(doc_ids) == expected and len(doc_ids) == len(expected)
    assert ilo_archive("verify", "--db", archive).returncode == 0


def _archived(archive: Path) -> int:
    try:
        return query(archive, "SELECT count(*) FROM articles")[0][0]
    except sqlite3.OperationalError:
        return 0


def _wait_for_stall(
    log: Path, crawl: subprocess.Popen, quiet: float, limit: float
) -> tuple[int | None, list[float]]:
    """Requests answered once none came for ``quiet`` seconds (None if the crawl never went
    quiet within ``limit``), and the crawl's RSS (MB) sampled meanwhile."""
    rss: list[float] = []
    started = last_change = time.monotonic()
    answered = requests_answered(log)
    while time.monotonic() - started < limit and crawl.poll() is None:
        time.sleep(0.1)
        rss.append(_rss_mb(crawl.pid))
        now_answered = requests_answered(log)
        if now_answered != answered:
            answered, last_change = now_answered, time.monotonic()
        elif time.monotonic() - last_change >= quiet:
            return answered, rss
    return None, rss


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _stat(stats_json: str, name: str) -> float:
    return json.loads(stats_json).get(name, 0)
