"""The examples of the documentation (README.md and docs/*.md), read out of their fenced blocks
for the tests that run them: ``tests/test_docs.py`` (commands, SQL, Python) and
``tests/test_recipes.py`` (the cron line, the systemd units)."""

from __future__ import annotations

import re
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


def blocks(language: str, files: tuple[Path, ...] = DOC_FILES) -> list[tuple[str, str]]:
    """(page, text) of every fenced block of that language (``""``: unmarked)."""
    return [
        (page_name(path), text)
        for path in files
        for kind, text in _FENCE.findall(path.read_text("utf-8"))
        if kind == language
    ]


def console_examples(files: tuple[Path, ...] = DOC_FILES) -> list[Example]:
    """Every ``$ command`` of the console blocks and of the plain blocks, in page order."""
    examples: list[Example] = []
    for language in ("console", ""):
        for page, text in blocks(language, files):
            command: str | None = None
            shown: list[str] = []
            for line in text.splitlines():
                if line.startswith("$ "):
                    if command is not None:
                        examples.append(Example(page, command, tuple(shown)))
                    command, shown = line[2:], []
                elif command is not None:
                    shown.append(line)
            if command is not None:
                examples.append(Example(page, command, tuple(shown)))
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
