"""What a crawl prints, as a person sees it: in a terminal (a real pseudo-terminal), a progress
line and the run's summary last; the full log on demand (LOG_LEVEL, LOG_FILE); and, for cron (not
a terminal), the log as it always was."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from conftest import MONTH, ROOT, run_crawl

from ilo_crawler.extensions import fields_not_found
from ilo_crawler.mirror.process import crawl_command, running_mirror

#: The replica answers slowly enough for the progress line to be redrawn during the crawl.
SLOW = ("--slow-rate", "1", "--slow-seconds", "0.05")


def in_a_terminal(command: list[str]) -> tuple[int, str]:
    """Run ``command`` with a pseudo-terminal as its stdin, stdout and stderr; its exit status and
    everything it wrote there."""
    controller, terminal = os.openpty()
    process = subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=terminal, cwd=ROOT)
    os.close(terminal)
    written = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal's other side is closed: the crawl has ended
            break
        if not chunk:
            break
        written += chunk
    os.close(controller)
    return process.wait(timeout=120), written.decode("utf-8", "replace")


def as_a_person_types_it(base_url: str, archive: Path, *settings: str) -> list[str]:
    """The crawl command without the replica's ``LOG_LEVEL`` (nobody types it), plus settings."""
    command = crawl_command(base_url, archive, month=MONTH)
    at = command.index("LOG_LEVEL=INFO")
    del command[at - 1 : at + 1]
    for setting in settings:
        command += ["-s", setting]
    return command


def screen_lines(written: str) -> list[str]:
    """What stays on the screen: each line as its last redraw left it."""
    plain = re.sub(r"\x1b\[K", "", written).replace("\r\n", "\n")
    return [line.rsplit("\r", 1)[-1] for line in plain.split("\n") if line.rsplit("\r", 1)[-1]]


def test_in_a_terminal_a_progress_line_then_the_summary_last(tmp_path: Path) -> None:
    with running_mirror(None, None, *SLOW) as base_url:
        command = as_a_person_types_it(
            base_url, tmp_path / "archive.db", "ILO_PROGRESS_INTERVAL=0.1"
        )
        status, written = in_a_terminal(command)
    assert status == 0, written[-3000:]
    progress = [part for part in written.split("\r") if part.startswith("\x1b[Karchiving")]
    assert any(
        re.search(r"archiving 2021-11, en all-newsroom \(live\): [1-9]\d* items, \d+ requests", p)
        for p in progress
    ), progress
    lines = screen_lines(written)
    assert lines[-1].startswith(
        "run 1 month=2021-11 source=live lang=en listing=all-newsroom: 78 new"
    ), lines
    assert lines[-1].endswith(f"(finished, exit 0) -> {tmp_path / 'archive.db'}")
    assert len(lines) == 1, lines  # no banner, no settings, no stats dump


def test_in_a_terminal_the_full_log_goes_to_log_file(tmp_path: Path) -> None:
    log = tmp_path / "crawl.log"
    with running_mirror() as base_url:
        status, written = in_a_terminal(
            as_a_person_types_it(base_url, tmp_path / "archive.db", f"LOG_FILE={log}")
        )
    assert status == 0, written[-3000:]
    assert screen_lines(written)[-1].startswith("run 1 month=2021-11 ")
    logged = log.read_text("utf-8")
    assert "[scrapy.statscollectors] INFO: Dumping Scrapy stats" in logged
    assert "[ilo_crawler.extensions] INFO: run 1 month=2021-11 " in logged


def test_in_a_terminal_log_level_brings_the_whole_log_back(tmp_path: Path) -> None:
    with running_mirror() as base_url:
        status, written = in_a_terminal(
            as_a_person_types_it(base_url, tmp_path / "archive.db", "LOG_LEVEL=INFO")
        )
    assert status == 0, written[-3000:]
    assert "[scrapy.statscollectors] INFO: Dumping Scrapy stats" in written
    assert "\x1b[Karchiving" not in written


def test_not_in_a_terminal_the_log_is_as_it_was(tmp_path: Path) -> None:
    with running_mirror() as base_url:
        crawl = subprocess.run(
            as_a_person_types_it(base_url, tmp_path / "archive.db"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert "[ilo_crawler.extensions] INFO: run 1 month=2021-11 " in crawl.stderr
    assert "Dumping Scrapy stats" in crawl.stderr and "\x1b[K" not in crawl.stderr


def test_at_debug_each_item_is_one_line_naming_it_never_its_body(
    replica: str, tmp_path: Path
) -> None:
    """Scrapy's own line for an item prints all of it (an article's body, its capture's bytes);
    the crawler's names it. Above DEBUG no such line is made at all."""
    crawl = run_crawl(replica, tmp_path / "debug.db", settings=("LOG_LEVEL=DEBUG",), month=MONTH)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    scraped = [line for line in crawl.stderr.splitlines() if "Scraped from <200 " in line]
    articles = [line for line in scraped if re.search(r": article WCMS_\d+ \(en\) http", line)]
    assert len(articles) == 78, scraped[:3]
    assert any(": capture of the listing page http" in line for line in scraped)
    assert "body=" not in crawl.stderr and "Capture(" not in crawl.stderr
    quiet = run_crawl(replica, tmp_path / "info.db", month=MONTH)
    assert quiet.returncode == 0 and "Scraped from" not in quiet.stderr


def test_the_summary_names_each_article_field_no_reader_found() -> None:
    stats = {"drift/article_field/title": 2, "drift/article_field/date_text": 1, "drift/x": 3}
    assert fields_not_found(stats) == "; fields no reader found: date_text 1, title 2"
    assert fields_not_found({"drift/problems": 4}) == ""
