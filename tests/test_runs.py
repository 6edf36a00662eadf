"""Every run says what it was (a crawl's mode and source; reparse; renormalize) in the runs
table, ``ilo-archive stats`` and Datasette; and every finished crawl counts in ``coverage``,
incremental (cron) runs included. Real crawls of a small replica, the real CLI and Datasette."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, Crawl, ilo_archive, query, row, run_crawl, write_dataset

from ilo_crawler.mirror.process import running_mirror

#: Three items a month from September to November 2021, then four published in December.
EARLIER = [
    row(1000 + n, f"2021-{9 + n // 3:02d}-{10 + n % 3:02d}", body=["A paragraph."])
    for n in range(9)
]
DECEMBER = [row(2000 + n, f"2021-12-{10 + n:02d}", body=["A paragraph."]) for n in range(4)]


def _coverage(archive: Path) -> dict[str, dict]:
    result = ilo_archive("coverage", "--db", archive, "--json")
    assert result.returncode == 0, result.stderr
    return {entry["month"]: entry for entry in json.loads(result.stdout)}


def _crawl(base_url: str, archive: Path, **arguments: str) -> Crawl:
    crawl = run_crawl(base_url, archive, **arguments)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    return crawl


def _last_run_line(archive: Path) -> str:
    result = ilo_archive("stats", "--db", archive)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_an_incremental_run_counts_in_coverage(tmp_path: Path) -> None:
    archive = tmp_path / "archive.db"
    with running_mirror(write_dataset(tmp_path / "a.jsonl", EARLIER), 3) as base_url:
        _crawl(base_url, archive, month="2021-11")
    assert _coverage(archive)["2021-11"]["status"] == "ok"
    with running_mirror(write_dataset(tmp_path / "b.jsonl", DECEMBER + EARLIER), 3) as base_url:
        _crawl(base_url, archive)  # the cron run: what is new since the last one
    december = _coverage(archive)["2021-12"]
    assert (december["archived"], december["runs"], december["status"]) == (4, 1, "ok")


def test_runs_say_what_they_were(tmp_path: Path) -> None:
    archive = tmp_path / "archive.db"  # Datasette's metadata names the database "archive"
    with running_mirror(write_dataset(tmp_path / "a.jsonl", DECEMBER + EARLIER), 3) as base_url:
        _crawl(base_url, archive)
        assert _last_run_line(archive).startswith(
            "last run #1 crawl (incremental) lang=en listing=all-newsroom source=live: finished"
        )
        _crawl(base_url, archive, month="2021-11")
        _crawl(base_url, archive, since="2021-09", until="2021-10")
        _crawl(base_url, archive, all="1")
    for command, described in (("reparse", "reparse"), ("renormalize", "renormalize")):
        result = ilo_archive(command, "--db", archive)
        assert result.returncode == 0, result.stderr
        assert _last_run_line(archive).startswith("last run #") and (
            f" {described}: finished, " in _last_run_line(archive)
        )
    runs = [
        (spider, json.loads(arguments).get("mode"), json.loads(arguments).get("source"), bool(url))
        for spider, arguments, url in query(archive, "SELECT spider, arguments, base_url FROM runs")
    ]
    assert runs == [
        ("newsroom", "incremental", "live", True),
        ("newsroom", "month", "live", True),
        ("newsroom", "span", "live", True),
        ("newsroom", "all", "live", True),
        ("reparse", "reparse", None, False),
        ("renormalize", "renormalize", None, False),
    ]
    served = subprocess.run(
        [
            Path(sys.executable).parent / "datasette",
            archive,
            "-m",
            "ilo_crawler/archive/metadata.yml",
        ]
        + ["--get", "/archive/runs_with_outcome.json?_shape=array"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert served.returncode == 0, served.stderr
    shown = [(r["spider"], r["mode"], r["source"]) for r in json.loads(served.stdout)]
    assert shown == [(spider, mode, source) for spider, mode, source, _ in reversed(runs)]


def test_a_web_archive_run_records_its_source(wayback_november: Crawl) -> None:
    (arguments,) = wayback_november.rows("SELECT arguments FROM runs")
    recorded = json.loads(arguments[0])
    assert (recorded["mode"], recorded["source"]) == ("month", "wayback")
