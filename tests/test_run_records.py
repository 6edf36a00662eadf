"""What the ``runs`` table and the summary line say about a run, as a new user met them: a run
killed with ``kill -9``, ``refresh=1`` answered with 304s, the order and mode of arguments."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from conftest import MONTH, Crawl, copy_archive, ilo_archive, query, run_crawl

from ilo_crawler.mirror.process import crawl_command, running_mirror


def summary_line(crawl: Crawl) -> str:
    (line,) = [line for line in crawl.stderr.splitlines() if "[ilo_crawler.extensions]" in line]
    return line.split(" INFO: ", 1)[1]


def test_a_run_killed_with_sigkill_is_marked_ended_abnormally(replica: str, tmp_path: Path) -> None:
    archive = tmp_path / "archive.db"
    with running_mirror(None, None, "--slow-rate", "1", "--slow-seconds", "0.2") as base_url:
        crawl = subprocess.Popen(
            crawl_command(base_url, archive, month=MONTH),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not (archive.exists() and query(archive, "SELECT count(*) FROM runs")[0][0]):
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
