"""``ilo-archive``: the analyst's command line over the archive (tables for people, ``--json`` for
machines, ``--db`` on every command)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from tabulate import tabulate

from ilo_crawler.archive import Archive, ArchiveError
from ilo_crawler.normalize.categories import TaxonomyError, load_taxonomy

DEFAULT_DB = "data/archive.db"


def _open(path: str) -> Archive:
    try:
        return Archive(path, create=False)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from error


def _check_month(_context: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise click.BadParameter(f"{value!r} is not a month: expected YYYY-MM, e.g. 2021-11")
    return value


def _filter(month: str | None, lang: str | None) -> tuple[str, list[str]]:
    """A WHERE clause (possibly empty) selecting articles of one month and/or language."""
    conditions = [
        (sql, value) for sql, value in (("month = ?", month), ("lang = ?", lang)) if value
    ]
    if not conditions:
        return "", []
    return " WHERE " + " AND ".join(sql for sql, _ in conditions), [v for _, v in conditions]


def _emit(rows: Sequence[dict[str, Any]], as_json: bool, headers: Sequence[str]) -> None:
    if as_json:
        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=2))
    elif rows:
        click.echo(tabulate([[row[h] for h in headers] for row in rows], headers=headers))
    else:
        click.echo("(no articles)")


db_option = click.option("--db", default=DEFAULT_DB, show_default=True, help="Archive path.")
json_option = click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
month_option = click.option("--month", callback=_check_month, help="Only this month (YYYY-MM).")
lang_option = click.option("--lang", help="Only this language (en, fr, es, ...).")


@click.group()
def cli() -> None:
    """Query the ILO Newsroom archive."""


@cli.command()
@db_option
@json_option
@month_option
@lang_option
def stats(db: str, as_json: bool, month: str | None, lang: str | None) -> None:
    """Articles per month and language: with a body, a label, a date; and the last run."""
    archive = _open(db)
    where, params = _filter(month, lang)
    rows = list(
        archive.db.query(
            "SELECT month, lang, count(*) AS articles, count(body) AS with_body, "
            "count(label) AS with_label, count(published) AS with_date FROM articles"
            f"{where} GROUP BY month, lang ORDER BY month DESC, lang",
            params,
        )
    )
    _emit(rows, as_json, ["month", "lang", "articles", "with_body", "with_label", "with_date"])
    last = next(archive.db.query("SELECT * FROM runs ORDER BY id DESC LIMIT 1"), None)
    if last and not as_json:
        click.echo(
            f"\nlast run #{last['id']} {last['arguments']}: {last['outcome']}, "
            f"{last['items_new']} new, {last['items_changed']} changed, "
            f"{last['items_unchanged']} unchanged, {last['requests']} requests"
        )


@cli.command(name="list")
@db_option
@json_option
@month_option
@lang_option
def list_articles(db: str, as_json: bool, month: str | None, lang: str | None) -> None:
    """Archived articles, newest first."""
    archive = _open(db)
    where, params = _filter(month, lang)
    rows = list(
        archive.db.query(
            "SELECT doc_id, lang, published, category, category_kind, title, "
            f"length(body) AS body_chars FROM articles{where} ORDER BY published DESC, doc_id",
            params,
        )
    )
    if not as_json:
        for row in rows:
            title = row["title"] or ""
            row["title"] = title if len(title) <= 60 else title[:59] + "…"
    headers = ["doc_id", "lang", "published", "category", "category_kind", "title", "body_chars"]
    _emit(rows, as_json, headers)


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
    counts = _open(db).renormalize(chosen)
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
