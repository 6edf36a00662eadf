"""Commands that keep the archive right: checking it, re-extracting it, re-normalising it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click

from ilo_crawler.archive import Archive, ArchiveError
from ilo_crawler.archive.maintenance import backup as backup_archive
from ilo_crawler.archive.maintenance import renormalize as renormalize_archive
from ilo_crawler.archive.maintenance import reparse as reparse_archive
from ilo_crawler.archive.maintenance import schema_version, verify_damaged
from ilo_crawler.archive.maintenance import verify as verify_archive
from ilo_crawler.cli.base import (
    Exit,
    Trouble,
    cli,
    db_option,
    emit,
    json_option,
    open_archive,
    writing,
)
from ilo_crawler.normalize.categories import Taxonomy, TaxonomyError, load_taxonomy

taxonomy_option = click.option(
    "--taxonomy",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Taxonomy file (default: the one shipped with ilo-crawler).",
)


def _taxonomy(path: Path | None) -> Taxonomy | None:
    try:
        return load_taxonomy(path) if path else None
    except TaxonomyError as error:
        raise Trouble(str(error)) from error


@cli.command()
@db_option
@json_option
def verify(db: str, as_json: bool) -> None:
    """Check the archive end to end: SQLite integrity, foreign keys, the full-text index against
    the articles, the schema version, a capture for every copy, every capture's body against
    its SHA-256, no article holding two documents of one site, every article row showing one
    of its copies; then, apart, the joins the evidence left undecided. A file too damaged to
    open as an archive gets SQLite's integrity check. Exit status 1 when any check finds a
    fault (undecided joins are not one)."""
    try:
        checks = verify_archive(Archive(db, create=False, read_only=True))
    except ArchiveError as error:
        unopenable = isinstance(error.__cause__, sqlite3.DatabaseError)  # SQLite's own refusal
        damage = verify_damaged(Path(db)) if unopenable else None
        if damage is None:
            raise Trouble(str(error)) from error
        checks = damage
    rows = [
        {
            "check": c.name,
            "result": ("ok" if c.ok else f"{c.problems} problem(s)")
            if not c.pending
            else f"{c.problems} listed",
            "problems": 0 if c.pending else c.problems,
            "pending": c.problems if c.pending else 0,
            "examples": "; ".join(c.examples) if not c.ok else "",
        }
        for c in checks
    ]
    emit(rows, as_json, ["check", "result", "examples"])
    if not all(c.ok for c in checks if not c.pending):
        raise SystemExit(Exit.NOTHING_FOUND)


@cli.command()
@db_option
@json_option
@taxonomy_option
def reparse(db: str, as_json: bool, taxonomy: Path | None) -> None:
    """Re-run extraction and normalisation over the stored captures, without the network, through
    the same dedup and revision path as a crawl (recorded as a run of spider ``reparse``). Holds
    the archive's lock as a crawl does: exit status 3 while a crawl is writing it."""
    chosen = _taxonomy(taxonomy)
    with writing(db) as archive:
        counts = reparse_archive(archive, chosen)
    if as_json:
        click.echo(json.dumps(counts))
        return
    click.echo(
        f"run {counts['run_id']}: {counts['changed']} changed, {counts['unchanged']} unchanged, "
        f"{counts['without_captures']} without stored captures"
    )


@cli.command()
@db_option
@json_option
@taxonomy_option
def renormalize(db: str, as_json: bool, taxonomy: Path | None) -> None:
    """Re-apply date and category normalisation to every archived article, without crawling
    (after the taxonomy or the date rules changed). Raw fields are untouched; no revision.
    Recorded as a run of spider ``renormalize``. Holds the archive's lock as a crawl does: exit
    status 3 while a crawl is writing it."""
    chosen = _taxonomy(taxonomy)
    with writing(db) as archive:
        counts = renormalize_archive(archive, chosen)
    if as_json:
        click.echo(json.dumps(counts))
        return
    fields = ", ".join(
        f"{name} {n}" for name, n in counts.items() if name not in ("articles", "changed", "run_id")
    )
    click.echo(
        f"run {counts['run_id']}: {counts['changed']} of {counts['articles']} articles changed"
        + (f" ({fields})" if fields else "")
    )


@cli.command()
@db_option
def upgrade(db: str) -> None:
    """Migrate an archive of an older schema to this ilo-crawler's, step by step, each step whole
    or not at all (a crawl does the same when it opens the archive). Reading commands never
    migrate: they ask for this. A current archive is left as it is. Holds the archive's lock as
    a crawl does: exit status 3 while a crawl is writing it."""
    try:
        before = schema_version(Path(db))
    except ArchiveError as error:
        raise Trouble(str(error)) from error
    if before == 0:
        raise Trouble(f"{db} is not an archive yet: nothing to upgrade")
    with writing(db):  # opening it for writing migrates it
        after = schema_version(Path(db))
    change = f"upgraded from schema version {before} to {after}" if before != after else "current"
    click.echo(f"archive {db}: {change} (schema version {after})")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def backup(file: Path, db: str) -> None:
    """Copy the archive to FILE (a new file) safely while crawls may be writing it: SQLite's
    backup API gives a consistent snapshot, checked, written whole or not at all. Needs only
    read access to the archive."""
    archive = open_archive(db)
    try:
        held = backup_archive(archive, file)
    except ArchiveError as error:
        raise Trouble(str(error)) from error
    except (OSError, sqlite3.Error) as error:
        raise Trouble(f"cannot write the backup {file}: {error}") from error
    finally:
        archive.close()
    click.echo(
        f"backed up {db} to {file}: {held['articles']} articles, {held['runs']} runs, "
        f"{held['captures']} captures, {held['bytes']} bytes"
    )
