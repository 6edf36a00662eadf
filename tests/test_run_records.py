"""What the ``runs`` table and the summary line say about a run, as a new user met them: a run
killed with ``kill -9``, ``refresh=1`` answered with 304s, the order and mode of arguments, an
archive that can no longer be written (a full disk)."""

from __future__ import annotations

import resource
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import (
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


def summary_line(crawl: Crawl) -> str:
    (line,) = [line for line in crawl.stderr.splitlines() if "[ilo_crawler.extensions]" in line]
    return line.split(" INFO: ", 1)[1]


def runs_recorded(archive: Path) -> int:
    """How many runs a crawl has recorded so far (0 before its archive has tables)."""
    try:
        return query(archive, "SELECT count(*) FROM runs")[0][0]
    except sqlite3.OperationalError:
        return 0


def test_a_run_killed_with_sigkill_is_marked_ended_abnormally(replica: str, tmp_path: Path) -> None:
    archive = tmp_path / "archive.db"
    with running_mirror(None, None, "--slow-rate", "1", "--slow-seconds", "0.2") as base_url:
        crawl = subprocess.Popen(
            crawl_command(base_url, archive, month=MONTH),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not runs_recorded(archive):
            assert crawl.poll() is None and time.monotonic() < deadline, "no run was recorded"
            time.sleep(0.05)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
    assert query(archive, "SELECT outcome FROM runs")[0][0] == "running"

    verify = ilo_archive("verify", "--db", archive)
    assert verify.returncode == 1, verify.stdout
    assert "run 1 (started" in verify.stdout and "ended abnormally" in verify.stdout

    # ``ilo-archive stats`` on the run as it was left prints no None for a number.
    left = ilo_archive("stats", "--db", copy_archive(archive, tmp_path / "left.db"))
    assert left.returncode == 0 and "None" not in left.stdout, left.stdout

    after = run_crawl(replica, archive, month="2025-06")  # an empty month: a quick clean run
    assert after.returncode == 0, after.stderr[-3000:]
    assert "warning: run 1 (started" in after.stderr and "marked ended_abnormally" in after.stderr
    killed, clean = after.rows("SELECT * FROM runs ORDER BY id")
    assert killed["outcome"] == "ended_abnormally" and killed["requests"] is None
    archived = after.rows("SELECT count(*) FROM articles WHERE first_run = 1")[0][0]
    assert killed["items_new"] == archived
    assert clean["outcome"] == "finished"
    assert ilo_archive("verify", "--db", archive).returncode == 0


def test_refresh_tells_downloads_from_not_modified_answers(november: Crawl, tmp_path: Path) -> None:
    archive = copy_archive(november.archive, tmp_path / "archive.db")
    with running_mirror() as base_url:
        refreshed = run_crawl(base_url, archive, refresh="1", month=MONTH)
    assert refreshed.returncode == 0, refreshed.stderr[-3000:]
    line = summary_line(refreshed)
    assert "78 unchanged" in line and "0 article downloads, 78 not modified (304)" in line, line
    assert summary_line(november).count("78 article downloads, 0 not modified (304)") == 1


def test_the_summary_says_the_mode_and_the_arguments_in_the_order_given(
    tmp_path: Path,
) -> None:
    records = [row(900000 + n, f"2021-11-{n + 1:02d}", body=["Body."]) for n in range(12)]
    archive = tmp_path / "archive.db"
    with running_mirror(write_dataset(tmp_path / "small.jsonl", records)) as base_url:
        incremental = run_crawl(base_url, archive)
        month = run_crawl(base_url, archive, listing="all-newsroom", month=MONTH)
    assert incremental.returncode == 0 and month.returncode == 0, month.stderr[-3000:]
    assert summary_line(incremental).startswith(
        "run 1 incremental source=live lang=en listing=all-newsroom: 12 new"
    )
    assert summary_line(month).startswith(
        "run 2 listing=all-newsroom month=2021-11 source=live lang=en: "
    )


def crawl_that_cannot_write(
    base_url: str, archive: Path, limit: Callable[[], None] | None = None
) -> Crawl:
    """A crawl of the whole listing (12,902 requests when nothing stops it)."""
    result = subprocess.run(
        crawl_command(base_url, archive, all="1"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=limit,
    )
    return Crawl(result.returncode, result.stdout, result.stderr, archive)


def assert_stopped_at_once_and_sound(crawl: Crawl, cause: str) -> None:
    """One line naming the archive, the cause and the free space; exit 6; few requests after it;
    an archive that passes integrity_check, whose run is recorded or marked at the next start."""
    assert crawl.returncode == ExitStatus.ARCHIVE_ERROR, crawl.stderr[-3000:]
    errors = [line for line in crawl.stderr.splitlines() if " ERROR: " in line]
    assert "Traceback" not in crawl.stderr
    assert len(errors) in (1, 2), errors  # the second: the run's own end could not be written
    assert f"ERROR: cannot write the archive {crawl.archive}: {cause} (" in errors[0], errors
    assert " free on its filesystem); the crawl stops" in errors[0]
    requests = int(summary_line(crawl).split(" requests, ")[0].rsplit(" ", 1)[1])
    assert requests < 1000, summary_line(crawl)
    assert summary_line(crawl).endswith(f"(archive_error, exit 6) -> {crawl.archive}")
    assert query(crawl.archive, "PRAGMA integrity_check")[0][0] == "ok"


def test_a_full_disk_stops_the_crawl_at_once(replica: str, tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(small)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"no small filesystem can be mounted here: {mounted.stderr!r}")
    try:
        crawl = crawl_that_cannot_write(replica, small / "archive.db")
        assert_stopped_at_once_and_sound(crawl, "database or disk is full")
        (run,) = crawl.rows("SELECT outcome, exit_status FROM runs")
        assert tuple(run) == ("archive_error", ExitStatus.ARCHIVE_ERROR)
    finally:
        subprocess.run(["umount", str(small)], check=True)


def test_any_archive_write_error_stops_the_crawl_and_the_next_run_records_it(
    replica: str, tmp_path: Path
) -> None:
    def limit_file_size() -> None:  # a write past 700 KB fails (Python ignores SIGXFSZ)
        resource.setrlimit(resource.RLIMIT_FSIZE, (700_000, 700_000))

    crawl = crawl_that_cannot_write(replica, tmp_path / "archive.db", limit_file_size)
    assert_stopped_at_once_and_sound(crawl, "disk I/O error")
    after = run_crawl(replica, crawl.archive, month="2025-06")
    assert after.returncode == 0, after.stderr[-3000:]
    first, _ = after.rows("SELECT outcome FROM runs ORDER BY id")
    assert first["outcome"] in ("archive_error", "ended_abnormally")
