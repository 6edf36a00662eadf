"""``ilo-archive warc``: the archive's captures as a WARC file, for ordinary web-archive tools."""

from __future__ import annotations

from pathlib import Path

import click

from ilo_crawler.archive import ArchiveError
from ilo_crawler.archive.warc import KINDS, write_warc
from ilo_crawler.cli.base import cli, db_option, open_archive


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option("--since", metavar="YYYY-MM", help="Only captures made in or after this month.")
@click.option("--until", metavar="YYYY-MM", help="Only captures made in or before this month.")
@click.option("--kind", type=click.Choice(KINDS), help="Only listing pages, or only articles.")
@click.option(
    "--gzip/--no-gzip",
    default=None,
    help="Compress each record (.warc.gz). Default: when FILE ends in .gz.",
)
def warc(
    file: Path,
    db: str,
    since: str | None,
    until: str | None,
    kind: str | None,
    gzip: bool | None,
) -> None:
    """Write the archived captures (pages as fetched) to FILE as WARC 1.0, in fetch order, so
    pywb, ReplayWeb.page or warcio can replay them. A page read from a web archive keeps its
    original URL and capture time (the archive URL fetched is in WARC-Source-URI). Months are UTC
    fetch months, inclusive. The file's warcinfo record says what is not as received. Refuses an
    empty selection."""
    try:
        summary = write_warc(open_archive(db), file, since=since, until=until, kind=kind, gzip=gzip)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"wrote {summary.line()}", err=True)
