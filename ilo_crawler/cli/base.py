"""What every ``ilo-archive`` command shares: the group, ``--db``/``--json``/filter options, opening
the archive with a one-line error, the exit statuses, and printing tables for people or JSON for
machines."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any

import click
from tabulate import tabulate

from ilo_crawler.archive import Archive, ArchiveError
from ilo_crawler.archive.lock import ArchiveLock, ArchiveLocked
from ilo_crawler.archive.queries import is_month
from ilo_crawler.exitcodes import ExitStatus
from ilo_crawler.sites import CRAWL_LANGUAGES

DEFAULT_DB = "data/archive.db"


class Exit(IntEnum):
    """``ilo-archive``'s exit statuses: grep's (0 found, 1 nothing found, 2 trouble), and the
    crawl's own status for an archive another run is writing."""

    OK = 0  #: the command did what was asked, and found what it looked for
    NOTHING_FOUND = 1  #: no row matched, no such article, or ``verify`` found a problem
    TROUBLE = 2  #: a usage error, an archive that cannot be used, a file that cannot be written
    LOCKED = int(ExitStatus.LOCKED)  #: a writing command met a crawl (or another writer) at work


class Trouble(click.ClickException):
    """The command could not do what was asked: one ``Error:`` line, exit status 2."""

    exit_code = Exit.TROUBLE


class Locked(click.ClickException):
    """Another run holds the archive's lock: one ``Error:`` line, the crawl's exit status 3."""

    exit_code = Exit.LOCKED


def nothing_found(message: str) -> None:
    """End a command whose selection matched nothing: its (empty, well-formed) output is written;
    one line on standard error says so; exit status 1, as grep's."""
    click.echo(message, err=True)
    raise SystemExit(Exit.NOTHING_FOUND)


def check_db(_context: click.Context, _param: click.Parameter, value: str) -> str:
    """``--db`` names an existing file (every command reads or writes an archive that is there:
    none creates one), checked once for every command before it opens anything."""
    path = Path(value)
    if not path.exists():
        raise Trouble(f"archive not found: {value}")
    if path.is_dir():
        raise Trouble(
            f"--db {value} is a directory: give the archive file, "
            f"e.g. --db {path / Path(DEFAULT_DB).name}"
        )
    if not path.is_file():
        raise Trouble(f"--db {value} is not a file: give the archive file, e.g. --db {DEFAULT_DB}")
    return value


def open_archive(path: str, *, read_only: bool = True) -> Archive:
    """The archive at ``path``, read-only unless the command writes to it: reading commands work
    for users who cannot write the archive, and never change the file."""
    try:
        return Archive(path, create=False, read_only=read_only)
    except ArchiveError as error:
        raise Trouble(str(error)) from error


@contextlib.contextmanager
def writing(path: str) -> Iterator[Archive]:
    """The archive at ``path`` opened for writing under its lock, as a crawl holds it: a command
    that meets a crawl at work says so in one line with the crawl's exit status 3, instead of
    waiting for SQLite's own lock and failing halfway."""
    lock = ArchiveLock(path)
    try:
        lock.acquire()
    except ArchiveLocked as error:
        raise Locked(str(error)) from error
    except ArchiveError as error:
        raise Trouble(str(error)) from error
    try:
        archive = open_archive(path, read_only=False)
        try:
            yield archive
        finally:
            archive.close()
    finally:
        lock.release()


def check_month(_context: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not is_month(value):
        raise click.BadParameter(f"{value!r} is not a month: expected YYYY-MM, e.g. 2021-11")
    return value


def emit(rows: Sequence[dict[str, Any]], as_json: bool, headers: Sequence[str]) -> None:
    if as_json:
        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=2))
    elif rows:
        click.echo(tabulate([[row[h] for h in headers] for row in rows], headers=headers))


db_option = click.option(
    "--db", default=DEFAULT_DB, show_default=True, callback=check_db, help="Archive path."
)
json_option = click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
month_option = click.option("--month", callback=check_month, help="Only this month (YYYY-MM).")
lang_option = click.option("--lang", type=click.Choice(CRAWL_LANGUAGES), help="Only this language.")


@click.group(
    epilog="Exit status: 0 done; 1 list, search or export matched nothing (the output is "
    "empty but well-formed, and one line on standard error says so), show found no such "
    "article, or verify found a problem (stats and coverage are reports: 0 even when they "
    "count nothing); 2 a usage error, an archive that cannot be used, or a file that cannot "
    "be written; 3 another run is writing the archive (reparse, renormalize, upgrade: try "
    "again when it ends)."
)
@click.version_option(package_name="ilo-crawler", prog_name="ilo-archive")
def cli() -> None:
    """Query the ILO Newsroom archive."""
