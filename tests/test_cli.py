"""``ilo-archive`` run for real, in a subprocess, on an archive filled by a real crawl."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest
from conftest import MONTH, Crawl, ilo_archive


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
    assert empty.returncode == 0 and "(no articles)" in empty.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("stats", "--db", "{missing}"), "archive not found"),
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
    paths = {"missing": tmp_path / "none.db", "garbage": garbage, "archive": november.archive}
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
