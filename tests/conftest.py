"""Shared fixtures: one replica of the site per test session, and real crawls of it."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ilo_crawler.mirror.process import crawl_command, running_mirror

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: The month the seed page shows, archived once per session by the ``november`` fixture.
MONTH = "2021-11"

#: A user without write permission who can still read every file: ``nobody``, keeping only the
#: capability to read and search any file. Without it ``nobody`` could not run this checkout where
#: a user clones it (a home directory of mode 0700, a Python under /root).
NOBODY_READER = (
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "--inh-caps=+dac_read_search",
    "--ambient-caps=+dac_read_search",
)


def nobody_reader_for(directory: Path) -> tuple[str, ...]:
    """The command prefix running as ``NOBODY_READER``, who may read ``directory`` but not write
    in it; the test is skipped, saying why, where no such user can be made (not root, no
    ``setpriv``, no ambient capabilities)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run a command as a user without write permission")
    probe = subprocess.run(
        [*NOBODY_READER, "sh", "-c", f"test -r '{directory}' && ! touch '{directory}/probe'"],
        capture_output=True,
    )
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot drop to a reader here: {probe.stderr.decode()[-200:]}")
    return NOBODY_READER


@dataclass
class Crawl:
    """A finished ``scrapy crawl`` subprocess and the archive it wrote."""

    returncode: int
    stdout: str
    stderr: str
    archive: Path

    def rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        return query(self.archive, sql, params)


def copy_archive(source: Path, target: Path) -> Path:
    """A consistent copy of an archive (WAL included), to change without touching the source."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


def query(archive: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    """Rows of a query on an archive, through a connection of its own."""
    connection = sqlite3.connect(archive)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def run_crawl(
    base_url: str, archive: Path, *, settings: tuple[str, ...] = (), **arguments: str
) -> Crawl:
    """Run the real ``scrapy crawl newsroom`` in a subprocess, from the project root, with extra
    ``settings`` (``NAME=value``) after the replica's fast ones."""
    command = crawl_command(base_url, archive, **arguments)
    for setting in settings:
        command += ["-s", setting]
    result = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return Crawl(result.returncode, result.stdout, result.stderr, archive)


@pytest.fixture(scope="session")
def replica() -> Iterator[str]:
    """The replica with the default dataset, shared by every test of the session."""
    with running_mirror() as base_url:
        yield base_url


@pytest.fixture(scope="session")
def november(replica: str, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """November 2021 crawled from the default replica into a fresh archive, shared: tests that
    write must work on a copy."""
    crawl = run_crawl(replica, tmp_path_factory.mktemp("nov") / "archive.db", month=MONTH)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    return crawl


@pytest.fixture(scope="session")
def wayback() -> Iterator[str]:
    """The web archive of the default dataset, with its default capture schedule, shared."""
    with running_mirror(None, None, "--wayback") as base_url:
        yield base_url


@pytest.fixture(scope="session")
def wayback_november(wayback: str, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """November 2021 crawled from the web archive into a fresh archive, shared (copy to write)."""
    crawl = run_crawl(
        wayback, tmp_path_factory.mktemp("wb") / "archive.db", source="wayback", month=MONTH
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    return crawl


@pytest.fixture(scope="session")
def default_records(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """The replica's default dataset, as ``python -m ilo_crawler.mirror.generate`` writes it."""
    path = tmp_path_factory.mktemp("dataset") / "default.jsonl"
    subprocess.run(
        [sys.executable, "-m", "ilo_crawler.mirror.generate", "--out", str(path)], check=True
    )
    return read_dataset(path)


def read_dataset(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def write_dataset(path: Path, records: list[dict]) -> Path:
    path.write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), "utf-8"
    )
    return path


def ilo_archive(
    *args: str | Path, runner: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """The real ``ilo-archive`` command (``python -m ilo_crawler``), run to its end; ``runner``
    is a command line it runs under (another user's, say)."""
    return subprocess.run(
        [*runner, sys.executable, "-m", "ilo_crawler", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def fetch(
    url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a request to a replica; an HTTP error is an answer too."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def row(doc_id: int, date: str, lang: str = "en", **fields: Any) -> dict[str, Any]:
    """A dataset line for the replica: ``WCMS_<doc_id>`` in all-newsroom, with other fields."""
    return {
        "id": f"WCMS_{doc_id}",
        "lang": lang,
        "listings": ["all-newsroom"],
        "date": date,
        "title": f"Title {doc_id}",
        **fields,
    }


def expectation_cases(directory: Path) -> list[Any]:
    """One test case per field of every ``*.expected.json`` in ``directory`` (a saved page, its
    URL, its kind and what must be read from it), named ``<page>:<field>``."""
    return [
        pytest.param(path, field, id=f"{path.name.removesuffix('.expected.json')}:{field}")
        for path in sorted(directory.glob("*.expected.json"))
        for field in json.loads(path.read_text("utf-8"))["expected"]
    ]


def check_expected_field(
    expected_file: Path, field: str, parsers: dict[str, Callable[[bytes, str], Any]]
) -> None:
    """One field of a saved page, read by its kind's page object in ``parsers``; for the
    entries, every field of every entry the expectation names (``found_by`` included where it
    names it: how each field must be found)."""
    case = json.loads(expected_file.read_text("utf-8"))
    html = expected_file.with_name(expected_file.name.replace(".expected.json", ".html"))
    page = dataclasses.asdict(parsers[case["kind"]](html.read_bytes(), case["url"]))
    parsed, expected = json.loads(json.dumps(page)), case["expected"]
    if field != "entries":
        assert parsed[field] == expected[field]
        return
    assert len(parsed[field]) == len(expected[field])
    for got, want in zip(parsed[field], expected[field], strict=True):
        assert {name: got[name] for name in want} == want, want.get("title")
