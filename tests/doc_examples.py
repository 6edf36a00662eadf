"""The examples of the documentation (README.md and docs/*.md), read out of their fenced blocks
for the tests that run them: ``tests/test_docs.py`` (commands, SQL, Python) and
``tests/test_recipes.py`` (the cron line, the systemd units)."""

from __future__ import annotations

import re
import shlex
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from conftest import ROOT

#: Every page whose examples must run.
DOC_FILES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class Example:
    """One ``$ command`` of a console block (or of a plain block showing a session), with the
    lines the page shows it printing."""

    page: str
    #: The fenced block it stands in: its language ("" unmarked) and its place on the page.
    language: str
    block: int
    command: str
    shown: tuple[str, ...] = field(default=())

    @property
    def program(self) -> str:
        return self.command.split()[0]

    @property
    def errors(self) -> list[str]:
        """The error lines shown (``Error:`` of ilo-archive, ``error:`` of the crawl)."""
        return [line for line in self.shown if line.lower().startswith("error:")]


def page_name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _fenced(files: tuple[Path, ...]) -> list[tuple[str, int, str, str]]:
    """(page, place on the page, language, text) of every fenced block."""
    return [
        (page_name(path), place, kind, text)
        for path in files
        for place, (kind, text) in enumerate(_FENCE.findall(path.read_text("utf-8")))
    ]


def blocks(language: str, files: tuple[Path, ...] = DOC_FILES) -> list[tuple[str, str]]:
    """(page, text) of every fenced block of that language (``""``: unmarked)."""
    return [(page, text) for page, _, kind, text in _fenced(files) if kind == language]


def _complete(command: str) -> bool:
    """Whether a command line is whole: its quotes closed (else the next lines continue it)."""
    try:
        shlex.split(command)
    except ValueError:
        return False
    return True


def console_examples(files: tuple[Path, ...] = DOC_FILES) -> list[Example]:
    """Every ``$ command`` of the console blocks and of the plain blocks, in page order; a
    command whose quotes the line leaves open goes on over the next lines."""
    examples: list[Example] = []
    for page, place, language, text in _fenced(files):
        if language not in ("console", ""):
            continue
        command: str | None = None
        shown: list[str] = []
        for line in text.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    examples.append(Example(page, language, place, command, tuple(shown)))
                command, shown = line[2:], []
            elif command is not None and not shown and not _complete(command):
                command += "\n" + line
            elif command is not None:
                shown.append(line)
        if command is not None:
            examples.append(Example(page, language, place, command, tuple(shown)))
    return examples


def sql_examples(files: tuple[Path, ...] = DOC_FILES) -> list[tuple[str, str]]:
    """(page, statement) for every statement of the ``sql`` blocks and every inline ``SELECT``
    of the text."""
    statements = []
    for page, text in blocks("sql", files):
        pending = ""
        for line in text.splitlines(keepends=True):
            pending += line
            if sqlite3.complete_statement(pending):
                statements.append((page, pending.strip()))
                pending = ""
        assert not pending.strip(), f"{page}: an unfinished SQL statement: {pending}"
    for path in files:
        outside = _FENCE.sub("", path.read_text("utf-8"))
        statements += [(page_name(path), s) for s in re.findall(r"`(SELECT [^`]+)`", outside)]
    return statements


def shown_line_matches(shown: str, printed: list[str]) -> bool:
    """Whether a line the page shows is among the lines printed; ``...`` in it stands for
    anything (what depends on the day, or what the page leaves out)."""
    pattern = ".*".join(re.escape(part) for part in shown.strip().split("..."))
    return any(re.fullmatch(pattern, line.strip()) for line in printed)
