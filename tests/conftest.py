"""Shared fixtures: one replica of the site per test session, and real crawls of it."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ilo_crawler.mirror.process import crawl_command, running_mirror

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Crawl:
    """A finished ``scrapy crawl`` subprocess and the archive it wrote."""

    returncode: int
    stdout: str
    stderr: str
    archive: Path

    def rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        connection = sqlite3.connect(self.archive)
        connection.row_factory = sqlite3.Row
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()


def run_crawl(base_url: str, archive: Path, **arguments: str) -> Crawl:
    """Run the real ``scrapy crawl newsroom`` in a subprocess, from the project root."""
    result = subprocess.run(
        crawl_command(base_url, archive, **arguments),
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
