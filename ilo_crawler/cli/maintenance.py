"""Commands that keep the archive right: re-deriving normalised fields."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ilo_crawler.cli.base import cli, db_option, json_option, open_archive
from ilo_crawler.normalize.categories import TaxonomyError, load_taxonomy


@cli.command()
@db_option
@json_option
@click.option(
    "--taxonomy",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Taxonomy file (default: the one shipped with ilo-crawler).",
)
def renormalize(db: str, as_json: bool, taxonomy: Path | None) -> None:
    """Re-apply date and category normalisation to every archived article, without crawling
    (after the taxonomy or the date rules changed). Raw fields are untouched; no revision."""
    try:
        chosen = load_taxonomy(taxonomy) if taxonomy else None
    except TaxonomyError as error:
        raise click.ClickException(str(error)) from error
    counts = open_archive(db).renormalize(chosen)
    if as_json:
        click.echo(json.dumps(counts))
        return
    fields = ", ".join(
        f"{name} {n}" for name, n in counts.items() if name not in ("articles", "changed")
    )
    click.echo(
        f"{counts['changed']} of {counts['articles']} articles changed"
        + (f" ({fields})" if fields else "")
    )
