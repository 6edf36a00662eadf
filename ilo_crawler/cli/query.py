"""Commands that read the archive: what it holds, what is missing, search, one article, export.

The SQL lives in ``ilo_crawler.archive.queries``; these commands parse options, turn its
``QueryError`` (and any SQLite error) into one line, and print tables or JSON.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import io
import json
import os
import sqlite3
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
from tabulate import tabulate

from ilo_crawler.archive import Archive, queries
from ilo_crawler.archive.coverage_page import coverage_page
from ilo_crawler.archive.queries import ArticleFilter, QueryError, QuerySyntaxError
from ilo_crawler.archive.store import PROVENANCE_FIELDS
from ilo_crawler.cli.base import (
    Trouble,
    check_month,
    cli,
    db_option,
    emit,
    json_option,
    lang_option,
    month_option,
    nothing_found,
    open_archive,
)
from ilo_crawler.cli.identity import resolve_identity
from ilo_crawler.normalize.categories import default_taxonomy, fold_label
from ilo_crawler.sites.registry import SITES

since_option = click.option(
    "--since", callback=check_month, help="From this month on (YYYY-MM), included."
)
until_option = click.option(
    "--until", callback=check_month, help="Up to this month (YYYY-MM), included."
)
listing_option = click.option(
    "--listing",
    type=click.Choice([name for site in SITES.values() for name in site.listings]),
    help="Only articles seen in it.",
)
category_option = click.option("--category", help="Only this category (slug or name).")


@contextlib.contextmanager
def reading(db: str) -> Iterator[Archive]:
    """The archive at ``db``, with every failure of a question reported as one line: a question
    asked wrong (exit status 2), one the archive has no answer to (1)."""
    archive = open_archive(db)
    try:
        yield archive
    except QuerySyntaxError as error:
        raise Trouble(str(error)) from error
    except QueryError as error:
        raise click.ClickException(str(error)) from error
    except sqlite3.Error as error:
        raise Trouble(f"archive {db}: {error}") from error
    finally:
        archive.close()


def article_filter(**options: str | None) -> ArticleFilter:
    """The filter the options ask for; contradictory options are a usage error naming them."""
    since, until = options.get("since"), options.get("until")
    if since and until and since > until:
        raise click.UsageError(f"--since {since} is after --until {until}")
    if options.get("month") and (since or until):
        raise click.UsageError("--month excludes --since and --until: give one month or a range")
    return ArticleFilter(**options)


def with_category(archive: Archive, selected: ArticleFilter) -> ArticleFilter:
    """The filter with ``--category`` read as the slug of a category of the archive or of the
    taxonomy, by its slug, its name or any label the taxonomy knows for it (``Actualités``);
    any other value is a usage error listing the archive's categories."""
    given = selected.category
    if given is None:
        return selected
    archived = dict(
        archive.db.execute(
            "SELECT DISTINCT category_slug, category FROM articles WHERE category_slug IS NOT NULL"
        ).fetchall()
    )
    taxonomy = default_taxonomy()
    known = taxonomy.normalize(given)
    named = [slug for slug, name in archived.items() if fold_label(name) == fold_label(given)]
    if given in archived or given in taxonomy.by_slug:
        slug = given
    elif named:
        slug = named[0]
    elif known is not None and known.known:
        slug = known.slug
    else:
        slugs = sorted(archived)
        close = difflib.get_close_matches(given.lower(), slugs, n=1)
        more = f" and {len(slugs) - _SHOWN} more" if len(slugs) > _SHOWN else ""
        raise click.BadParameter(
            f"unknown category {given!r}"
            + (f" (did you mean {close[0]}?)" if close else "")
            + ": give the slug or the name of a category of the archive "
            f"({', '.join(slugs[:_SHOWN])}{more}) or of the taxonomy",
            param_hint="'--category'",
        )
    return dataclasses.replace(selected, category=slug)


#: How many of the archive's categories an unknown --category lists.
_SHOWN = 40


def check_http_url(
    _context: click.Context, _param: click.Parameter, value: str | None
) -> str | None:
    if value is not None:
        parts = urllib.parse.urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise click.BadParameter(
                f"{value!r} is not an http(s) URL: give Datasette's address, "
                "e.g. http://127.0.0.1:8001"
            )
    return value


def shorten(text: str | None, width: int) -> str:
    text = text or ""
    return text if len(text) <= width else text[: width - 1] + "…"


@cli.command()
@db_option
@json_option
@month_option
@lang_option
@listing_option
def stats(db: str, as_json: bool, month: str | None, lang: str | None, listing: str | None) -> None:
    """Articles per month and language: with a body, a label, a date; and the last run. A
    report: exit status 0 even when it counts no articles."""
    with reading(db) as archive:
        where, params = ArticleFilter(month=month, lang=lang, listing=listing).where()
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
    if not rows and not as_json:
        click.echo("(no articles)")
    if last and not as_json:
        described = queries.run_description(last["spider"], last["arguments"])
        click.echo(
            f"\nlast run #{last['id']} {described}: {last['outcome']}, "
            f"{last['items_new']} new, {last['items_changed']} changed, "
            f"{last['items_unchanged']} unchanged, "
            + (
                "requests not recorded"
                if last["requests"] is None
                else f"{last['requests']} requests"
            )
        )


@cli.command(name="list")
@db_option
@json_option
@month_option
@lang_option
@listing_option
def list_articles(
    db: str, as_json: bool, month: str | None, lang: str | None, listing: str | None
) -> None:
    """Archived articles, newest first."""
    with reading(db) as archive:
        where, params = ArticleFilter(month=month, lang=lang, listing=listing).where()
        rows = list(
            archive.db.query(
                "SELECT doc_id, lang, published, category, category_kind, title, "
                f"length(body) AS body_chars FROM articles{where} ORDER BY published DESC, doc_id",
                params,
            )
        )
    if not as_json:
        for row in rows:
            row["title"] = shorten(row["title"], 60)
    headers = ["doc_id", "lang", "published", "category", "category_kind", "title", "body_chars"]
    emit(rows, as_json, headers)
    if not rows:
        nothing_found(_NO_ARTICLES)


#: What a command whose selection matched nothing says on standard error (exit status 1).
_NO_ARTICLES = "no articles match the selection"


@cli.command()
@db_option
@json_option
@since_option
@until_option
@lang_option
@listing_option
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report as one self-contained HTML page: a months × languages grid.",
)
@click.option(
    "--datasette",
    callback=check_http_url,
    help="With --html: link each cell to this Datasette's articles (e.g. http://127.0.0.1:8001).",
)
def coverage(
    db: str,
    as_json: bool,
    since: str | None,
    until: str | None,
    lang: str | None,
    listing: str | None,
    html_file: Path | None,
    datasette: str | None,
) -> None:
    """What the archive holds against what the listings showed, per month and language: items
    seen, archived, with a body, gaps, and months no finished run ever crawled; for months read
    from a web archive, what the latest run of each listing could read there, and what is missing
    from it (status incomplete). A report: exit status 0 even with gaps. The range defaults to the
    oldest to newest archived month. --html FILE: the same as a page, each cell linking to its
    rows."""
    article_filter(since=since, until=until)  # the range's ends, checked as a usage error
    if datasette and not html_file:
        raise click.UsageError("--datasette needs --html FILE: it sets where the page's cells link")
    with reading(db) as archive:
        rows = queries.coverage(archive, since=since, until=until, lang=lang, listing=listing)
        if html_file:
            page = coverage_page(
                archive, rows, archive_name=db, listing=listing, datasette=datasette
            )
    if html_file:
        try:
            queries.write_atomically(html_file, lambda stream: stream.write(page))
        except OSError as error:
            raise Trouble(f"cannot write {html_file}: {error.strerror}") from error
        click.echo(f"wrote the coverage of {len(rows)} month-languages to {html_file}", err=True)
        return
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    headers = ["month", "lang", "listings", "runs", "seen", "archived", "with_body", "gaps"]
    headers.append("status")
    click.echo(
        tabulate(
            [[",".join(row[h]) if h == "listings" else row[h] for h in headers] for row in rows],
            headers,
        )
    )
    reports = [(row, report) for row in rows for report in row["web_archive"]]
    if reports:
        table = [{**row, **report, "missing": len(report["missing"])} for row, report in reports]
        click.echo("\nread from a web archive (the latest run of each month, language, listing):")
        columns = _REPORT_COLUMNS.values()
        click.echo(tabulate([[r[c] for c in columns] for r in table], list(_REPORT_COLUMNS)))
    statuses = [row["status"] for row in rows]
    gaps = [row for row in rows if row["gaps"]]
    click.echo(
        f"\n{len(rows)} month-languages: {statuses.count('ok')} ok, {len(gaps)} with gaps, "
        f"{statuses.count('never crawled')} never crawled by a finished run"
        + (f", {statuses.count('incomplete')} incomplete in the web archive" if reports else "")
        + (f", {statuses.count('not finished')} not finished" if "not finished" in statuses else "")
    )
    for row in gaps:
        more = row["gaps"] - len(row["gap_doc_ids"])
        click.echo(
            f"gaps {row['month']} {row['lang']}: {', '.join(row['gap_doc_ids'])}"
            + (f" and {more} more" if more else "")
        )
    for row, report in reports:
        for entry in report["missing"]:
            named = " ".join(filter(None, (entry.get("doc_id"), entry.get("url"))))
            click.echo(
                f"missing {row['month']} {row['lang']} {report['listing']}: "
                f"{entry['kind']} {named}: {entry['reason']}"
            )


#: The table of a month's web-archive reports in ``coverage``: heading, key (``completeness``
#: columns; missing is how many entries).
_REPORT_COLUMNS = {
    "month": "month",
    "lang": "lang",
    "listing": "listing",
    "run": "run_id",
    "source": "source",
    "listing_captures": "listing_captures",
    "seen": "items_seen",
    "with_capture": "items_with_capture",
    "with_body": "items_with_body",
    "missing": "missing",
}


def check_query(_context: click.Context, _param: click.Parameter, value: str) -> str:
    if not value.strip():
        raise click.BadParameter(
            "empty search query: give a word, a phrase in quotes, or an expression"
        )
    return value


@cli.command()
@db_option
@json_option
@click.argument("query", callback=check_query)
@month_option
@since_option
@until_option
@lang_option
@category_option
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Most hits shown."
)
def search(
    db: str,
    as_json: bool,
    query: str,
    month: str | None,
    since: str | None,
    until: str | None,
    lang: str | None,
    category: str | None,
    limit: int,
) -> None:
    """Full-text search of titles, summaries and bodies, best match first. QUERY is FTS5
    syntax: words, "a phrase", AND/OR/NOT, prefix*, title:word."""
    where = article_filter(month=month, since=since, until=until, lang=lang, category=category)
    with reading(db) as archive:
        rows = queries.search(archive, query, with_category(archive, where), limit)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            row["title"] = shorten(row["title"], 50)
            row["snippet"] = shorten(row["snippet"], 90)
        emit(rows, False, ["doc_id", "lang", "published", "category", "title", "snippet"])
    if not rows:
        nothing_found(f"no article matches {query!r}")


@cli.command()
@db_option
@json_option
@click.argument("article")
@lang_option
def show(db: str, as_json: bool, article: str, lang: str | None) -> None:
    """One article in every archived language (or one). ARTICLE is any of its identities, in any
    case (WCMS_676958, node:23121), or the URL of any copy of it (on either site, or a web
    archive's replay of one). Shows its fields, every identity with its URL, where and when its
    content was captured (live or a web archive), its other languages, its revisions with the
    old values, where runs saw it, and the pages fetched for it."""
    with reading(db) as archive:
        _site, identity = resolve_identity(archive.db, article)
        articles = queries.show(archive, identity, lang)
    if as_json:
        click.echo(json.dumps(articles, ensure_ascii=False, indent=2))
        return
    for number, shown in enumerate(articles):
        click.echo(("\n" if number else "") + _article_text(shown))


_SECTIONS = ("identities", "other_languages", "revisions", "appearances", "captures")


def _article_text(article: dict[str, Any]) -> str:
    """One article for people: fields one a line, their provenance, the body, then a small table
    per section."""
    fields = {k: v for k, v in article.items() if k not in ("body", *_SECTIONS)}
    width = max(len(name) for name in fields)
    lines = [f"== {article['doc_id']} {article['lang']}: {article['title']}"]
    lines += [
        f"{name:<{width}}  {_value(value)}"
        for name, value in fields.items()
        if name not in PROVENANCE_FIELDS
    ]
    lines += ["", "provenance:"]
    lines += [f"{name:<{width}}  {_value(article[name])}" for name in PROVENANCE_FIELDS]
    lines += ["", "body:", article["body"] or "(none: the article page could not be read)"]
    for section in _SECTIONS:
        rows = article[section]
        if section == "revisions":
            rows = [
                {**row, "changed_fields": ", ".join(row["changed_fields"]), "old": _old(row)}
                for row in rows
            ]
        lines += ["", f"{section.replace('_', ' ')}:"]
        lines.append(tabulate(rows, headers="keys") if rows else "(none)")
    return "\n".join(lines)


def _value(value: Any) -> str:
    if value is None:
        return ""
    return ", ".join(value) if isinstance(value, list) else str(value)


def _old(revision: dict[str, Any]) -> str:
    return "; ".join(
        f"{name}={shorten(json.dumps(value, ensure_ascii=False), 60)}"
        for name, value in revision["old"].items()
    )


@cli.command()
@db_option
@click.option(
    "--format", "fmt", type=click.Choice(queries.EXPORT_FORMATS), default="csv", show_default=True
)
@click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write (atomically), or - for standard output.",
)
@click.option(
    "--raw",
    is_flag=True,
    help="CSV cells as stored, even those a spreadsheet would run as formulas (=, +, -, @).",
)
@month_option
@since_option
@until_option
@lang_option
@category_option
@listing_option
def export(
    db: str,
    fmt: queries.ExportFormat,
    output: str,
    raw: bool,
    month: str | None,
    since: str | None,
    until: str | None,
    lang: str | None,
    category: str | None,
    listing: str | None,
) -> None:
    """Export articles (every column but internal ids, body included) as CSV, JSON Lines or
    JSON, UTF-8, one row at a time. A file is written whole or not at all. A CSV cell that a
    spreadsheet would run as a formula gets a leading ' (unless --raw); JSON is as stored. When
    no article matches, the output is still written (a CSV header, an empty JSON array) and the
    exit status is 1."""
    where = article_filter(
        month=month, since=since, until=until, lang=lang, category=category, listing=listing
    )
    with reading(db) as archive:
        where = with_category(archive, where)
        if output == "-":
            count = _to_stdout(lambda stream: queries.export(archive, stream, fmt, where, raw))
        else:
            try:
                count = queries.export(archive, Path(output), fmt, where, raw)
            except OSError as error:
                raise Trouble(f"cannot write {output}: {error.strerror}") from error
            click.echo(f"wrote {count} articles to {output} ({fmt})", err=True)
    if not count:
        nothing_found(_NO_ARTICLES)


def _to_stdout(write: Callable[[io.TextIOWrapper], int]) -> int:
    """Run ``write`` on a UTF-8 standard output and return what it returns; a reader that stops
    early (``| head``) ends the command quietly, as for any Unix filter."""
    stream = io.TextIOWrapper(click.get_binary_stream("stdout"), encoding="utf-8", newline="")
    try:
        count = write(stream)
        stream.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    finally:
        stream.detach()
    return count
