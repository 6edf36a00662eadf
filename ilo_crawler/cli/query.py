"""Commands that read the archive: what it holds, per month and language."""

from __future__ import annotations

import click

from ilo_crawler.cli.base import (
    article_filter,
    cli,
    db_option,
    emit,
    json_option,
    lang_option,
    month_option,
    open_archive,
)


@cli.command()
@db_option
@json_option
@month_option
@lang_option
def stats(db: str, as_json: bool, month: str | None, lang: str | None) -> None:
    """Articles per month and language: with a body, a label, a date; and the last run."""
    archive = open_archive(db)
    where, params = article_filter(month, lang)
    rows = list(
        archive.db.query(
            "SELECT month, lang, count(*) AS articles, count(body) AS with_body, "
            "count(label) AS with_label, count(published) AS with_date FROM articles"
            f"{where} GROUP BY month, lang ORDER BY month DESC, lang",
            params,
        )
    )
    emit(rows, as_json, ["month", "lang", "articles", "with_body", "with_label", "with_date"])
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
    archive = open_archive(db)
    where, params = article_filter(month, lang)
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
    emit(rows, as_json, headers)
