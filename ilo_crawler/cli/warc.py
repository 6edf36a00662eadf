"""``ilo-archive warc``: the archive's captures as a WARC file, for ordinary web-archive tools."""

from __future__ import annotations

from pathlib import Path

import click

from ilo_crawler.archive import ArchiveError
from ilo_crawler.archive.warc import KINDS, write_warc
from ilo_crawler.cli.base import Trouble, cli, db_option, open_archive


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option(
    "--since", metavar="YYYY-MM", help="Only pages captured in or after this month (UTC)."
)
@click.option(
    "--until", metavar="YYYY-MM", help="Only pages captured in or before this month (UTC)."
)
@click.option("--kind", type=click.Choice(KINDS), help="Only listing pages, or only articles.")
@click.option(
    "--gzip/--no-gzip",
    default=None,
    help="Compress each record (.warc.gz). Default: when FILE ends in .gz.",
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists (refused without).")
def warc(
    file: Path,
    db: str,
    since: str | None,
    until: str | None,
    kind: str | None,
    gzip: bool | None,
    force: bool,
) -> None:
    """Write the archived captures (pages as fetched) to FILE as WARC 1.0, in fetch order, so
    pywb, ReplayWeb.page or warcio can replay them. A page read from a web archive keeps its
    original URL and capture time (the archive URL fetched is in WARC-Source-URI).

    --since and --until select by when a page's content was captured, as its WARC-Date says: the
    fetch for a page read live, the web archive's capture for a copy read there (a crawl of
    November 2021 from the web archive run today is selected by --since 2021-11). Months are
    UTC, inclusive. The file's warcinfo record says what is not as received. Refuses an empty
    selection, and an existing FILE unless --force (the file is written whole or not at
    all)."""
    try:
        summary = write_warc(
            open_archive(db),
            file,
            since=since,
            until=until,
            kind=kind,
            gzip=gzip,
            overwrite=force,
        )
    except ArchiveError as error:
        raise Trouble(str(error)) from error
    click.echo(f"wrote {summary.line()}", err=True)
