"""What a crawl refuses before its first request, as a new user meets it: bad settings, archives
that cannot be created or written, repeated arguments. Each is one line and a documented exit
status, and nothing is left behind."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MONTH, ROOT, nobody_reader_for, run_crawl
from scrapy.settings import Settings

from ilo_crawler import settings as project_settings
from ilo_crawler.exitcodes import ExitStatus
from ilo_crawler.mirror.process import crawl_command
from ilo_crawler.setting_checks import ACCEPTED, SCRAPY_ACCEPTED, check_settings
from ilo_crawler.spiders.arguments import ArgumentError


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("ILO_STORAGE_BATCH_SIZE=abc", "ILO_STORAGE_BATCH_SIZE 'abc': expected a whole number"),
        ("ILO_STORAGE_BATCH_SIZE=0", "ILO_STORAGE_BATCH_SIZE '0': expected a whole number from 1"),
        ("ILO_PAGE_READERS=-1", "ILO_PAGE_READERS '-1': expected a whole number from 0"),
        ("ILO_TAXONOMY_PATH=/nonexistent.toml", "'/nonexistent.toml' (No such file or directory)"),
        ("ILO_TAXONOMY_PATH=/etc/hostname", "not valid TOML"),
        ("ILO_INCREMENTAL_MARGIN_DAYS=-3", "ILO_INCREMENTAL_MARGIN_DAYS '-3'"),
        ("ILO_RETRY_BACKOFF_BASE=soon", "ILO_RETRY_BACKOFF_BASE 'soon': expected a number of"),
        ("ILO_RETRY_JITTER=nan", "ILO_RETRY_JITTER 'nan'"),
        ("ILO_WAYBACK_CAPTURE_CONCURRENCY=0", "ILO_WAYBACK_CAPTURE_CONCURRENCY '0'"),
        ("ILO_WAYBACK_URL=ftp://x", "ILO_WAYBACK_URL 'ftp://x': expected an http(s) URL"),
        ("ILO_CONTACT_URL=me", "ILO_CONTACT_URL 'me': expected an http(s) URL"),
        ("ILO_ARCHIVE_PATH=", "ILO_ARCHIVE_PATH '': expected a file path"),
        ("ILO_BATCH_SIZE=10", "unknown setting ILO_BATCH_SIZE: the ilo-crawler settings are"),
        # Scrapy's own: a traceback and an empty archive, a traceback, a crawl waiting forever
        ("CONCURRENT_REQUESTS=abc", "CONCURRENT_REQUESTS 'abc': expected a whole number from 1"),
        ("LOG_LEVEL=LOUD", "LOG_LEVEL 'LOUD': expected one of DEBUG, INFO, WARNING, ERROR"),
        (
            "CONCURRENT_REQUESTS_PER_DOMAIN=0",
            "CONCURRENT_REQUESTS_PER_DOMAIN '0': expected a whole",
        ),
        ("DOWNLOAD_TIMEOUT=0", "DOWNLOAD_TIMEOUT '0': expected a number of seconds above 0"),
        ("RETRY_HTTP_CODES=500,oops", "RETRY_HTTP_CODES '500,oops': expected HTTP status codes"),
        ("ROBOTSTXT_OBEY=yes", "ROBOTSTXT_OBEY 'yes': expected 0 or 1"),
    ],
)
def test_a_bad_setting_ends_before_any_request(
    setting: str, named: str, replica: str, tmp_path: Path
) -> None:
    crawl = run_crawl(replica, tmp_path / "archive.db", settings=(setting,), month=MONTH)
    assert crawl.returncode == ExitStatus.BAD_ARGUMENTS
    assert named in one_error_line(crawl.stderr)
    assert list(tmp_path.iterdir()) == []


def test_every_project_setting_is_checked_and_its_default_accepted() -> None:
    names = {name for name in vars(project_settings) if name.startswith("ILO_")}
    assert names == set(ACCEPTED)
    settings = Settings()
    settings.setmodule(project_settings)
    check_settings(settings)  # raises for a default it would refuse


@pytest.mark.parametrize("name", SCRAPY_ACCEPTED)
def test_each_scrapy_setting_the_crawl_depends_on_is_checked(name: str) -> None:
    """Each is one of Scrapy's (a name Scrapy no longer has would be checked for nothing), its
    default is accepted (the project's test above), and a value of no kind it takes is refused
    in one line that names it and says what it accepts."""
    assert Settings().get(name) is not None, f"{name} is not a Scrapy setting"
    settings = Settings()
    settings.setmodule(project_settings)
    settings.set(name, "abc", priority="cmdline")
    with pytest.raises(ArgumentError, match=rf"^invalid setting {name} 'abc': expected \w"):
        check_settings(settings)


def test_an_archive_where_nothing_can_be_created_is_one_line_exit_6(replica: str) -> None:
    crawl = run_crawl(replica, Path("/proc/a.db"), month=MONTH)
    assert crawl.returncode == ExitStatus.ARCHIVE_ERROR
    line = one_error_line(crawl.stderr)
    assert "/proc/a.db" in line and "cannot create" in line, line
    assert not Path("/proc/a.db.lock").exists()


def test_a_missing_directory_is_refused_not_created(replica: str, tmp_path: Path) -> None:
    crawl = run_crawl(replica, tmp_path / "typo" / "archive.db", month=MONTH)
    assert crawl.returncode == ExitStatus.ARCHIVE_ERROR
    line = one_error_line(crawl.stderr)
    assert f"directory {tmp_path / 'typo'} does not exist" in line, line
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory another user can reach (pytest's own are private to the user running it)."""
    path = Path(tempfile.mkdtemp(prefix="ilo-readonly-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def crawl_as_another_user(base_url: str, archive: Path) -> subprocess.CompletedProcess[str]:
    """The crawl run by a user who does not own ``archive``'s directory: when the tests run as
    root, whom permissions never stop, ``nobody`` allowed to read (the checkout and its Python,
    wherever they are) but not to write."""
    command = crawl_command(base_url, archive, month=MONTH)
    if os.geteuid() == 0:
        command = [*nobody_reader_for(archive.parent), *command]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_a_read_only_directory_is_one_line_exit_6(replica: str, shared_dir: Path) -> None:
    read_only = shared_dir / "ro"
    read_only.mkdir(mode=0o555)
    crawl = crawl_as_another_user(replica, read_only / "archive.db")
    assert crawl.returncode == ExitStatus.ARCHIVE_ERROR, crawl.stderr[-2000:]
    line = one_error_line(crawl.stderr)
    assert f"cannot create the archive {read_only / 'archive.db'}" in line, line
    assert f"directory {read_only} is not writable" in line
    assert list(read_only.iterdir()) == []


def test_a_read_only_archive_is_one_line_exit_6(
    replica: str, shared_dir: Path, tmp_path: Path
) -> None:
    made = run_crawl(replica, tmp_path / "archive.db", month="2025-06")  # an empty month
    assert made.returncode == 0, made.stderr[-2000:]
    archive = shared_dir / "archive.db"
    shutil.copy(made.archive, archive)
    archive.chmod(0o444)
    crawl = crawl_as_another_user(replica, archive)
    assert crawl.returncode == ExitStatus.ARCHIVE_ERROR, crawl.stderr[-2000:]
    line = one_error_line(crawl.stderr)
    assert f"cannot write the archive {archive}: permission denied" in line, line
    assert "not an SQLite archive" not in line
    assert sorted(p.name for p in shared_dir.iterdir()) == ["archive.db"]


def test_a_repeated_argument_is_refused(replica: str, tmp_path: Path) -> None:
    command = crawl_command(replica, tmp_path / "archive.db", month="2021-10")
    command += ["-a", f"month={MONTH}"]
    crawl = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert crawl.returncode == ExitStatus.BAD_ARGUMENTS
    line = one_error_line(crawl.stderr)
    assert "argument month given twice (-a month=2021-10, -a month=2021-11)" in line, line
    assert list(tmp_path.iterdir()) == []


def test_a_site_whose_name_does_not_resolve_is_one_line_exit_10(tmp_path: Path) -> None:
    crawl = run_crawl("http://nonexistent.invalid", tmp_path / "archive.db", month=MONTH)
    assert crawl.returncode == ExitStatus.UNREACHABLE, crawl.stderr[-3000:]
    problems = [
        line
        for line in crawl.stderr.splitlines()
        if " ERROR: " in line or " WARNING: " in line or "Traceback" in line
    ]
    assert len(problems) == 1, problems
    assert problems[0].endswith("ERROR: cannot reach nonexistent.invalid: name not resolved")
    (run,) = crawl.rows("SELECT outcome, exit_status, stats FROM runs")
    assert run["outcome"] == "site_unreachable" and run["exit_status"] == ExitStatus.UNREACHABLE
    assert "retry/count" not in json.loads(run["stats"])  # a name that does not resolve: no retry
    assert crawl.rows("SELECT count(*) FROM failures")[0][0] == 0


@pytest.mark.parametrize("source", ["live", "current"])
def test_a_site_that_refuses_every_connection_is_one_line_exit_10(
    source: str, tmp_path: Path
) -> None:
    """As the web archive's: three connections refused in a row by a site that never answered,
    retried without pauses (the real backoff is set: it would wait 2, then 4 seconds), and the
    run stops, saying so in one line."""
    with socket.socket() as bound:  # bound, never listening: every connection is refused
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        crawl = run_crawl(
            f"http://127.0.0.1:{port}",
            tmp_path / "archive.db",
            settings=("ILO_RETRY_BACKOFF_BASE=2",),
            source=source,
            month=MONTH if source == "live" else "2025-06",
        )
    assert crawl.returncode == ExitStatus.UNREACHABLE, crawl.stderr[-3000:]
    problems = [
        line for line in crawl.stderr.splitlines() if " ERROR: " in line or " WARNING: " in line
    ]
    assert len(problems) == 1, problems
    assert problems[0].endswith(
        "ERROR: cannot reach 127.0.0.1: connection refused, 3 times in a row, never answered"
    )
    (run,) = crawl.rows("SELECT outcome, exit_status, stats FROM runs")
    assert run["outcome"] == "site_unreachable" and run["exit_status"] == ExitStatus.UNREACHABLE
    assert "retry/pause_seconds" not in json.loads(run["stats"])
    assert crawl.rows("SELECT count(*) FROM failures")[0][0] == 0


def test_a_language_the_current_site_does_not_serve_the_listing_in_is_one_line_exit_2(
    replica: str, tmp_path: Path
) -> None:
    """The current site's theme knows German, but its listing is not served in it (the replica's
    has no German item, so no German listing): the lang argument is named, not a source file."""
    crawl = run_crawl(replica, tmp_path / "archive.db", source="current", lang="de")
    assert crawl.returncode == ExitStatus.BAD_ARGUMENTS, crawl.stderr[-3000:]
    problems = [line for line in crawl.stderr.splitlines() if " ERROR: " in line]
    assert len(problems) == 1, problems
    assert (
        "ERROR: invalid lang 'de' for source current: the current site does not serve the "
        "all-news listing in it" in problems[0]
    )
    assert "give -a lang=en" in problems[0] and ".py" not in problems[0]
    assert crawl.rows("SELECT count(*) FROM articles")[0][0] == 0


def test_a_replica_on_a_port_in_use_is_one_line_exit_2(replica: str) -> None:
    port = replica.rsplit(":", 1)[1]
    second = subprocess.run(
        [sys.executable, "-m", "ilo_crawler.mirror", "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 2
    line = one_error_line(second.stderr)
    assert line == f"error: cannot serve on 127.0.0.1:{port}: address already in use", line
