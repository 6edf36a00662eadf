"""What every ``ilo-archive`` command shares: the group, ``--db``/``--json``/filter options, opening
the archive with a one-line error, and printing tables for people or JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click
from tabulate import tabulate

from ilo_crawler.archive import Archive, ArchiveError
from ilo_crawler.archive.queries import is_month
from ilo_crawler.sites import CRAWL_LANGUAGES

DEFAULT_DB = "data/archive.db"


def open_archive(path: str, *, read_only: bool = True) -> Archive:
    """The archive at ``path``, read-only unless the command writes to it: reading commands work
    for users who cannot write the archive, and never change the file."""
    try:
        return Archive(path, create=False, read_only=read_only)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from error


def check_month(_context: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not is_month(value):
        raise click.BadParameter(f"{value!r} is not a month: expected YYYY-MM, e.g. 2021-11")
    return value


def emit(rows: Sequence[dict[str, Any]], as_json: bool, headers: Sequence[str]) -> None:
    if as_json:
        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=2))
    elif rows:
        click.echo(tabulate([[row[h] for h in headers] for row in rows], headers=headers))
    else:
        click.echo("(no articles)")


db_option = click.option("--db", default=DEFAULT_DB, show_default=True, help="Archive path.")
json_option = click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
month_option = click.option("--month", callback=check_month, help="Only this month (YYYY-MM).")
lang_option = click.option("--lang", type=click.Choice(CRAWL_LANGUAGES), help="Only this language.")


@click.group()
@click.version_option(package_name="ilo-crawler", prog_name="ilo-archive")
def cli() -> None:
    """Query the ILO Newsroom archive."""
