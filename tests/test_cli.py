"""``ilo-archive`` run for real, in a subprocess, on an archive filled by a real crawl."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import MONTH, Crawl, copy_archive, ilo_archive

from ilo_crawler.cli import cli


def test_stats_counts_the_archived_month(november: Crawl) -> None:
    result = ilo_archive("stats", "--db", str(november.archive), "--json")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    count = november.rows("SELECT count(*) FROM articles")[0][0]
    assert (row["month"], row["lang"], row["articles"], row["with_body"]) == (
        MONTH,
        "en",
        count,
        count,
    )
    table = ilo_archive("stats", "--db", str(november.archive))
    assert "last run #" in table.stdout and MONTH in table.stdout


def test_list_shows_the_month_newest_first(november: Crawl) -> None:
    result = ilo_archive("list", "--db", str(november.archive), "--month", MONTH, "--json")
    rows = json.loads(result.stdout)
    assert [r["published"] for r in rows] == sorted((r["published"] for r in rows), reverse=True)
    assert "ILO launches new tool on social dialogue" in {r["title"] for r in rows}
    empty = ilo_archive("list", "--db", str(november.archive), "--month", "2020-01")
    assert (empty.returncode, empty.stdout, empty.stderr) == (
        1,
        "",
        "no articles match the selection\n",
    )
    as_json = ilo_archive("list", "--db", str(november.archive), "--month", "2020-01", "--json")
    assert (as_json.returncode, json.loads(as_json.stdout)) == (1, [])
    report = ilo_archive("stats", "--db", str(november.archive), "--month", "2020-01")
    assert report.returncode == 0 and report.stdout.startswith("(no articles)\n\nlast run #")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("stats", "--db", "{missing}"), "archive not found"),
        (("stats", "--db", "{directory}"), "is a directory: give the archive file"),
        (("stats", "--db", "{garbage}"), "not an SQLite archive"),
        (("list", "--db", "{archive}", "--month", "2021-13"), "'2021-13' is not a month"),
        (("stats", "--db", "{archive}", "--lang", "xx"), "'xx' is not one of 'en', 'fr'"),
        (("stats", "--db", "{archive}", "--listing", "foo"), "'foo' is not one of"),
    ],
)
def test_errors_are_one_line_and_exit_non_zero(
    args: tuple[str, ...], message: str, november: Crawl, tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_text("not a database")
    paths = {
        "missing": tmp_path / "none.db",
        "garbage": garbage,
        "archive": november.archive,
        "directory": f"{tmp_path}/",
    }
    result = ilo_archive(*(a.format(**paths) for a in args))
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_version_names_the_installed_package() -> None:
    result = ilo_archive("--version")
    assert (result.returncode, result.stdout.strip()) == (
        0,
        f"ilo-archive, version {importlib.metadata.version('ilo-crawler')}",
    )


#: What each verb needs besides ``--db`` to get as far as opening the archive.
VERB_ARGUMENTS = {
    "backup": ("{tmp}/backup.db",),
    "coverage": (),
    "export": ("-o", "{tmp}/out.csv"),
    "list": (),
    "renormalize": (),
    "reparse": (),
    "search": ("labour",),
    "show": ("WCMS_825658",),
    "stats": (),
    "upgrade": (),
    "verify": (),
    "warc": ("{tmp}/out.warc",),
}


def test_every_verb_refuses_a_directory_or_a_missing_file_as_db(tmp_path: Path) -> None:
    """One check of ``--db`` for all: every verb (a new one must be listed here) says in one line
    what is wrong, exits 2, and makes nothing: no file, no lock, no journal."""
    assert sorted(cli.commands) == sorted(VERB_ARGUMENTS)
    directory = tmp_path / "data"
    directory.mkdir()
    cases = [
        (verb, db, message)
        for verb in VERB_ARGUMENTS
        for db, message in (
            (
                f"{directory}/",
                f"--db {directory}/ is a directory: give the archive file, "
                f"e.g. --db {directory}/archive.db",
            ),
            (str(tmp_path / "none.db"), f"archive not found: {tmp_path / 'none.db'}"),
        )
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(
                lambda case: ilo_archive(
                    case[0],
                    *(a.format(tmp=tmp_path) for a in VERB_ARGUMENTS[case[0]]),
                    "--db",
                    case[1],
                ),
                cases,
            )
        )
    for (verb, _db, message), result in zip(cases, results, strict=True):
        assert (result.returncode, result.stdout, result.stderr) == (
            2,
            "",
            f"Error: {message}\n",
        ), verb
    assert [p.name for p in tmp_path.iterdir()] == ["data"] and not any(directory.iterdir())


#: Holds the archive's lock, as a crawl does for its whole run, and a write transaction, as a
#: crawl does while it stores a batch; says so, then waits for its standard input to close.
HOLDER = """
import sqlite3, sys
from ilo_crawler.archive.lock import ArchiveLock
lock = ArchiveLock(sys.argv[1]).acquire()
connection = sqlite3.connect(sys.argv[1])
connection.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
sys.stdin.read()
"""


def test_writing_verbs_meeting_a_crawl_say_so_with_the_lock_status(
    november: Crawl, tmp_path: Path
) -> None:
    archive = copy_archive(november.archive, tmp_path / "archive.db")
    runs = november.rows("SELECT count(*) FROM runs")[0][0]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(archive)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "holding\n"
        results = {
            verb: ilo_archive(verb, "--db", archive)
            for verb in ("reparse", "renormalize", "upgrade")
        }
        reading = ilo_archive("stats", "--db", archive, "--json")
    finally:
        holder.communicate("")
    for verb, result in results.items():
        assert result.returncode == 3, (verb, result.stderr)
        assert result.stderr.startswith(
            f"Error: another crawl is writing {archive} (pid {holder.pid} since "
        ), verb
        assert (
            result.stderr.endswith("); try again when it ends\n") and result.stderr.count("\n") == 1
        )
    assert reading.returncode == 0, reading.stderr  # readers are not held up
    after = ilo_archive("renormalize", "--db", archive, "--json")
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout)["run_id"] == runs + 1  # the refused ones recorded no run
