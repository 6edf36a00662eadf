"""The README's examples run as written: every ``ilo-archive``, ``sqlite3`` and ``sqlite-utils``
command of its console blocks in a shell, from a directory holding a crawled archive as
``data/archive.db``, and every SQL statement (its ``sql`` blocks and inline ``SELECT``s) against
that archive. An example shown answering ``Error:`` must fail with that line; any other must
succeed. (Crawls, the replica, Datasette's server and ``make`` are run by their own tests.)"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from conftest import MONTH, ROOT, Crawl, copy_archive, run_crawl

README = (ROOT / "README.md").read_text("utf-8")
#: The programs whose examples are run here: the analyst's.
PROGRAMS = ("ilo-archive", "sqlite3", "sqlite-utils")
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def console_examples() -> list[tuple[str, list[str]]]:
    """Each ``$ command`` of the console blocks (and of the plain blocks showing a session, as
    ``make demo``'s) run by one of ``PROGRAMS``, with the lines the README shows it printing."""
    examples: list[tuple[str, list[str]]] = []
    for kind, block in _FENCE.findall(README):
        if kind not in ("console", ""):
            continue
        shown: list[str] | None = None
        for line in block.splitlines():
            if line.startswith("$ "):
                command = line[2:]
                shown = [] if command.split()[0] in PROGRAMS else None
                if shown is not None:
                    examples.append((command, shown))
            elif shown is not None:
                shown.append(line)
    return examples


def sql_examples() -> list[str]:
    """Every statement of the ``sql`` blocks, and every inline ``SELECT`` of the text."""
    statements = []
    for kind, block in _FENCE.findall(README):
        if kind == "sql":
            pending = ""
            for line in block.splitlines(keepends=True):
                pending += line
                if sqlite3.complete_statement(pending):
                    statements.append(pending.strip())
                    pending = ""
            assert not pending.strip(), f"an unfinished SQL statement: {pending}"
    outside = _FENCE.sub("", README)
    statements += re.findall(r"`(SELECT [^`]+)`", outside)
    return statements


@pytest.fixture(scope="module")
def readme_archive(november: Crawl, replica: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the examples are about: November 2021 in English and in French."""
    path = copy_archive(november.archive, tmp_path_factory.mktemp("readme") / "archive.db")
    crawl = run_crawl(replica, path, month=MONTH, lang="fr")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    return path


def test_the_readme_has_the_examples_it_should() -> None:
    """The extraction finds what it must (a change of the README's form would silently run
    nothing): the commands named below and the full-text example."""
    commands = [command for command, _ in console_examples()]
    for start in ("ilo-archive stats", "ilo-archive search", "ilo-archive backup", "sqlite3"):
        assert any(command.startswith(start) for command in commands), start
    assert any("articles_fts MATCH 'cobalt'" in statement for statement in sql_examples())


@pytest.mark.parametrize(
    ("command", "shown"),
    [pytest.param(command, shown, id=command[:70]) for command, shown in console_examples()],
)
def test_a_console_example_runs_as_written(
    command: str, shown: list[str], readme_archive: Path, tmp_path: Path
) -> None:
    if shutil.which(command.split()[0]) is None and command.startswith("sqlite3"):
        pytest.skip("needs the sqlite3 command-line program")
    (tmp_path / "data").mkdir()
    copy_archive(readme_archive, tmp_path / "data" / "archive.db")
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # ilo-archive
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=tmp_path,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=120,
    )
    errors = [line for line in shown if line.startswith("Error:")]
    if errors:
        assert result.returncode != 0 and errors[0] in result.stderr.splitlines(), result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("statement", sql_examples(), ids=lambda x: x[:60])
def test_an_sql_example_runs_as_written(statement: str, readme_archive: Path) -> None:
    uri = f"{readme_archive.as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        connection.execute(statement).fetchall()
