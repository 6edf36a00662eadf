"""The questions analysts ask of the archive, as plain functions: ``ilo-archive`` is a thin layer
over them, so a notebook gets exactly what the command line prints.

Every function takes an ``Archive`` or its ``sqlite_utils.Database`` and raises ``QueryError``
(a one-line message) for a question it cannot answer: a bad filter, FTS syntax, an unknown
document, an empty archive.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO, TypeVar

import sqlite_utils

from ilo_crawler.archive.store import Archive
from ilo_crawler.spiders.arguments import ArgumentError, NewsroomArguments

Source = Archive | sqlite_utils.Database
T = TypeVar("T")
ExportFormat = Literal["csv", "jsonl", "json"]
EXPORT_FORMATS: tuple[str, ...] = ("csv", "jsonl", "json")

#: Columns that only link rows inside the archive; an export leaves them out.
INTERNAL_COLUMNS = frozenset({"id", "capture_id"})
#: bm25 weights of the FTS columns (title, summary, body): a word in the title counts most.
SEARCH_WEIGHTS = (10.0, 3.0, 1.0)
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
#: SQLite's messages for a MATCH expression it cannot parse (as opposed to a failing database).
_FTS_SYNTAX = re.compile(r"fts5:|unterminated string|no such column|unknown special query")


class QueryError(ValueError):
    """A question the archive cannot answer as asked; the message is one line for a person."""


class QuerySyntaxError(QueryError):
    """A search query that is not one (empty, or not FTS5 syntax): the asker's mistake."""


def database(source: Source) -> sqlite_utils.Database:
    return source.db if isinstance(source, Archive) else source


def is_empty(source: Source) -> bool:
    """No run and no article: nothing was ever crawled into it."""
    return not next(
        database(source).query(
            "SELECT EXISTS (SELECT 1 FROM runs) OR EXISTS (SELECT 1 FROM articles) AS filled"
        )
    )["filled"]


def _require_content(source: Source) -> sqlite_utils.Database:
    db = database(source)
    if is_empty(db):
        raise QueryError(
            "the archive is empty (no runs, no articles): crawl first, "
            "e.g. scrapy crawl newsroom -a month=2021-11"
        )
    return db


def is_month(value: str) -> bool:
    """``YYYY-MM`` with a month from 01 to 12."""
    return _MONTH.fullmatch(value) is not None


def _check_month(name: str, value: str | None) -> None:
    if value is not None and not is_month(value):
        raise QueryError(f"{name} {value!r} is not a month: expected YYYY-MM, e.g. 2021-11")


def check_range(since: str | None, until: str | None) -> None:
    """Refuse a range that ends before it starts, naming both ends."""
    _check_month("since", since)
    _check_month("until", until)
    if since and until and since > until:
        raise QueryError(f"since {since} is after until {until}: give since <= until")


def months_between(since: str, until: str) -> list[str]:
    """Every ``YYYY-MM`` from ``since`` to ``until``, both included."""
    year, month = int(since[:4]), int(since[5:])
    months = []
    while (current := f"{year:04d}-{month:02d}") <= until:
        months.append(current)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles a question is about; every field optional. ``listing`` selects articles
    seen in that listing by any run (or last stored from it), not only the last one."""

    month: str | None = None
    since: str | None = None
    until: str | None = None
    lang: str | None = None
    category: str | None = None
    listing: str | None = None

    def __post_init__(self) -> None:
        _check_month("month", self.month)
        check_range(self.since, self.until)
        if self.month and (self.since or self.until):
            raise QueryError("month excludes since and until: give one month or a range")

    def where(self, table: str = "articles", joiner: str = "WHERE") -> tuple[str, list[str]]:
        """The SQL selecting these articles of ``table`` (an alias), starting with ``joiner``,
        or an empty string when nothing is filtered."""
        conditions: list[str] = []
        params: list[str] = []
        for column, operator, value in (
            ("month", "=", self.month),
            ("month", ">=", self.since),
            ("month", "<=", self.until),
            ("lang", "=", self.lang),
        ):
            if value:
                conditions.append(f"{table}.{column} {operator} ?")
                params.append(value)
        if self.category:
            conditions.append(f"({table}.category_slug = ? OR lower({table}.category) = lower(?))")
            params += [self.category, self.category]
        if self.listing:
            conditions.append(
                f"({table}.listing = ? OR EXISTS (SELECT 1 FROM appearances ap WHERE "
                f"ap.doc_id = {table}.doc_id AND ap.lang = {table}.lang AND ap.listing = ?))"
            )
            params += [self.listing, self.listing]
        if not conditions:
            return "", []
        return f" {joiner} " + " AND ".join(conditions), params


# Coverage ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunSpan:
    """The months, language and listing one finished run archived."""

    oldest: str
    newest: str
    lang: str
    listing: str


def finished_run_spans(source: Source) -> list[RunSpan]:
    """What each finished crawl covered, read from its arguments by the spider's own parser (so
    ``since`` without ``until`` runs to the month the run started, as it did). An incremental
    run read the listing from its newest page down to where it stopped: it covers the months
    from the oldest it saw an item of to the month it started. Runs that did not finish are
    left out."""
    db = database(source)
    spans = []
    for run in db.query(
        "SELECT id, arguments, started_at FROM runs"
        " WHERE spider = 'newsroom' AND outcome = 'finished'"
    ):
        started = dt.date.fromisoformat(run["started_at"][:10])
        try:
            arguments = {k: v for k, v in json.loads(run["arguments"]).items() if k != "mode"}
            given = NewsroomArguments.parse(arguments, today=started)
        except (json.JSONDecodeError, ArgumentError):
            continue
        if given.incremental:
            (oldest,) = db.execute(
                "SELECT min(month) FROM appearances WHERE run_id = ?", [run["id"]]
            ).fetchone()
            if oldest is None:
                continue
            newest = started.isoformat()[:7]
        else:
            oldest, newest = (f"{y:04d}-{m:02d}" for y, m in (given.oldest, given.newest))
        spans.append(RunSpan(oldest, newest, given.lang, given.listing))
    return spans


def run_description(spider: str, arguments: str | None) -> str:
    """What a run was, for people: ``crawl (month) lang=en listing=all-newsroom month=2021-11
    source=live``, ``crawl (incremental) ...``, ``reparse``, ``renormalize``. (Runs recorded
    before runs said their mode show their arguments only.)"""
    given = json.loads(arguments or "{}")
    mode = given.pop("mode", None)
    if spider != "newsroom":
        return spider
    described = " ".join(f"{name}={value}" for name, value in sorted(given.items()))
    return " ".join(filter(None, ("crawl", f"({mode})" if mode else "", described)))


def coverage(
    source: Source,
    *,
    since: str | None = None,
    until: str | None = None,
    lang: str | None = None,
    listing: str | None = None,
    examples: int = 5,
) -> list[dict[str, Any]]:
    """Per month and language of the range: how many finished runs covered it, the articles the
    listings showed (``seen``), those archived and with a body, and the ``gaps`` (seen but not
    archived with a body, up to ``examples`` doc_ids of them). For a month read from a web
    archive, ``web_archive`` holds the latest ``completeness`` row of each listing (what its
    run could read there, and what it names as ``missing``) and ``missing`` counts those entries.
    ``status`` is ``not finished`` (the latest web-archive reading of the month stopped before its
    end), ``never crawled``, ``incomplete`` (something is missing from the web archive),
    ``gaps`` or ``ok``. The range defaults to the oldest to newest archived or read month."""
    db = _require_content(source)
    check_range(since, until)
    since, until = _default_range(db, since, until, lang)
    by_lang = ArticleFilter(since=since, until=until, lang=lang)
    articles = ArticleFilter(since=since, until=until, lang=lang, listing=listing)
    seen_where, seen_params = _span_filter("ap", since, until, lang, listing)

    seen = {
        (row["month"], row["lang"]): row
        for row in db.query(
            "SELECT ap.month AS month, ap.lang AS lang,"
            " count(DISTINCT coalesce(k.doc_id, ap.doc_id)) AS seen,"
            " group_concat(DISTINCT ap.listing) AS listings FROM appearances ap"
            " LEFT JOIN copies k ON k.identity = ap.doc_id AND k.lang = ap.lang"
            f"{seen_where} GROUP BY ap.month, ap.lang",
            seen_params,
        )
    }
    where, params = articles.where()
    archived = {
        (row["month"], row["lang"]): row
        for row in db.query(
            "SELECT month, lang, count(*) AS archived, count(body) AS with_body FROM articles"
            f"{where} GROUP BY month, lang",
            params,
        )
    }
    gaps: dict[tuple[str, str], list[str]] = {}
    # (A document that is a PDF has no body to archive: it is archived as what it is.)
    for row in db.query(
        "SELECT DISTINCT ap.month, ap.lang, ap.doc_id FROM appearances ap LEFT JOIN copies a "
        "ON a.identity = ap.doc_id AND a.lang = ap.lang"
        f"{seen_where} AND (a.id IS NULL OR (a.body IS NULL AND "
        "coalesce(a.article_type, '') != 'PDF document')) ORDER BY ap.doc_id",
        seen_params,
    ):
        gaps.setdefault((row["month"], row["lang"]), []).append(row["doc_id"])
    reports = _web_archive_reports(db, since, until, lang, listing)

    spans = [
        span
        for span in finished_run_spans(db)
        if (lang is None or span.lang == lang) and (listing is None or span.listing == listing)
    ]
    langs = [lang] if lang else _languages(db, by_lang, spans)
    rows = []
    for month in months_between(since, until):
        for language in langs:
            key = (month, language)
            runs = sum(1 for s in spans if s.lang == language and s.oldest <= month <= s.newest)
            unarchived = gaps.get(key, [])
            listed = seen.get(key)
            stored = archived.get(key)
            read = reports.get(key, [])
            missing = sum(len(report["missing"]) for report in read)
            rows.append(
                {
                    "month": month,
                    "lang": language,
                    "listings": (listed["listings"].split(",") if listed else []),
                    "runs": runs,
                    "seen": listed["seen"] if listed else 0,
                    "archived": stored["archived"] if stored else 0,
                    "with_body": stored["with_body"] if stored else 0,
                    "gaps": len(unarchived),
                    "gap_doc_ids": unarchived[:examples],
                    "missing": missing,
                    "web_archive": read,
                    "status": _status(runs, missing, len(unarchived), read),
                }
            )
    return rows


def _status(runs: int, missing: int, gaps: int, reports: list[dict[str, Any]]) -> str:
    """``not finished`` first (the latest reading of the month from a web archive stopped before
    its end: run it again); ``incomplete`` before ``gaps``: the month's gaps are then (at least
    partly) what the web archive lacks, which crawling it again will not fill. A month whose
    latest web-archive reading got to its end is crawled even if its run did not finish (an
    interrupted backfill wrote each month's completeness as it read it)."""
    if any(entry["kind"] == "month" for report in reports for entry in report["missing"]):
        return "not finished"
    if not runs and not reports:
        return "never crawled"
    return "incomplete" if missing else "gaps" if gaps else "ok"


def _web_archive_reports(
    db: sqlite_utils.Database, since: str, until: str, lang: str | None, listing: str | None
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Per month and language, the latest ``completeness`` row of each listing (an earlier run's
    report is superseded by a later reading of the same month), ``missing`` parsed."""
    where, params = _span_filter("c", since, until, lang, listing)
    reports: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in db.query(
        "SELECT * FROM completeness c"
        f"{where} AND c.run_id = (SELECT max(run_id) FROM completeness l WHERE l.month = c.month"
        " AND l.lang = c.lang AND l.listing = c.listing) ORDER BY c.listing",
        params,
    ):
        key = (row.pop("month"), row.pop("lang"))
        reports.setdefault(key, []).append({**row, "missing": json.loads(row["missing"])})
    return reports


def _default_range(
    db: sqlite_utils.Database, since: str | None, until: str | None, lang: str | None
) -> tuple[str, str]:
    """The range asked for, its open ends taken from the oldest and newest month archived (or
    read from a web archive, where nothing of a month may have been archived)."""
    if since and until:
        return since, until
    where, params = ArticleFilter(lang=lang).where("months", joiner="AND")
    bounds = next(
        db.query(
            "SELECT min(month) AS oldest, max(month) AS newest FROM (SELECT month, lang FROM "
            "articles UNION ALL SELECT month, lang FROM completeness) AS months "
            f"WHERE month IS NOT NULL{where}",
            params,
        )
    )
    if bounds["oldest"] is None:
        raise QueryError(
            "no archived articles"
            + (f" in {lang}" if lang else "")
            + " to take the months from: give since and until"
        )
    since = since or min(bounds["oldest"], until or bounds["oldest"])
    return since, until or max(bounds["newest"], since)


def _span_filter(
    table: str, since: str, until: str, lang: str | None, listing: str | None
) -> tuple[str, list[str]]:
    """The WHERE clause selecting the rows of ``table`` (an alias of a table with month, lang and
    listing columns: appearances, completeness) in the range, language and listing."""
    sql = f" WHERE {table}.month BETWEEN ? AND ?"
    params = [since, until]
    for column, value in (("lang", lang), ("listing", listing)):
        if value:
            sql += f" AND {table}.{column} = ?"
            params.append(value)
    return sql, params


def _languages(
    db: sqlite_utils.Database, articles: ArticleFilter, spans: list[RunSpan]
) -> list[str]:
    """Languages the range concerns: archived in it, seen in it, or crawled by some run."""
    where, params = articles.where()
    found = {row["lang"] for row in db.query(f"SELECT DISTINCT lang FROM articles{where}", params)}
    found |= {
        row["lang"]
        for row in db.query(
            "SELECT DISTINCT lang FROM appearances WHERE month BETWEEN ? AND ?",
            [articles.since, articles.until],
        )
    }
    found |= {
        row["lang"]
        for row in db.query(
            "SELECT DISTINCT lang FROM completeness WHERE month BETWEEN ? AND ?",
            [articles.since, articles.until],
        )
    }
    return sorted(found | {span.lang for span in spans})


# Search --------------------------------------------------------------------------------------
def search(
    source: Source, query: str, where: ArticleFilter | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Articles matching an FTS5 query over title, summary and body, best first (bm25, a title
    match weighing most), each with a snippet marking the matches in ``[`` ``]``."""
    db = _require_content(source)
    if not query.strip():
        raise QuerySyntaxError("empty search query: give a word, a phrase in quotes, or an expression")
    condition, params = (where or ArticleFilter()).where("a", joiner="AND")
    weights = ", ".join(str(weight) for weight in SEARCH_WEIGHTS)
    sql = (
        "SELECT a.doc_id, a.lang, a.published, a.category, a.title, "
        "snippet(articles_fts, -1, '[', ']', '…', 16) AS snippet, "
        f"bm25(articles_fts, {weights}) AS score "
        "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE articles_fts MATCH ?{condition} ORDER BY score, a.published DESC LIMIT ?"
    )
    try:
        rows = list(db.query(sql, [query, *params, limit]))
    except sqlite3.OperationalError as error:
        if not _FTS_SYNTAX.search(str(error)):
            raise
        raise QuerySyntaxError(
            f'invalid search query {query!r} ({error}): use words, "quoted phrases", '
            "AND/OR/NOT, prefix*; quote anything with punctuation"
        ) from error
    for row in rows:
        row["snippet"] = " ".join((row["snippet"] or "").split())
    return rows


# Show ----------------------------------------------------------------------------------------
def show(source: Source, doc_id: str, lang: str | None = None) -> list[dict[str, Any]]:
    """Everything the archive knows of one document, per language: its fields (the provenance
    ones, ``source``, ``captured_at`` and ``archive_url``, those of the capture it shows), the
    other languages archived, earlier states (the old values of what changed), where runs saw it,
    and the pages fetched for it, each with its original URL and capture time. ``doc_id`` may be
    any identity of the article (``WCMS_<n>``, ``node:<nid>``): each is listed with its URL."""
    db = _require_content(source)
    doc_id = _article_known_as(db, doc_id)
    languages = [row["lang"] for row in db.query(_LANGS, [doc_id])]
    if not languages:
        raise QueryError(f"no article {doc_id!r} in the archive")
    if lang and lang not in languages:
        raise QueryError(
            f"article {doc_id} has no {lang!r} version (archived: {', '.join(languages)})"
        )
    articles = []
    for row in db.query(
        "SELECT * FROM articles WHERE doc_id = ? AND (? IS NULL OR lang = ?) ORDER BY lang",
        [doc_id, lang, lang],
    ):
        key = [doc_id, row["lang"]]
        row["translations"] = json.loads(row["translations"] or "[]")
        row["other_languages"] = list(
            db.query(
                "SELECT lang, title FROM articles WHERE doc_id = ? AND lang != ? ORDER BY lang",
                key,
            )
        )
        row["revisions"] = [_revision(revision) for revision in db.query(_REVISIONS, key)]
        row["appearances"] = list(db.query(_APPEARANCES, [*key, key[1]]))
        row["captures"] = list(db.query(_CAPTURES, [*key, key[1]]))
        row["identities"] = list(db.query(_IDENTITIES, key))
        articles.append(row)
    return articles


def _article_known_as(db: sqlite_utils.Database, identity: str) -> str:
    """The ``doc_id`` of the article an identity belongs to (itself if none is recorded: an
    archive of an identity's first site, or no such article)."""
    row = next(db.query("SELECT doc_id FROM copies WHERE identity = ? LIMIT 1", [identity]), None)
    return row["doc_id"] if row else identity


_LANGS = "SELECT lang FROM articles WHERE doc_id = ? ORDER BY lang"
#: The article's copies in one language: each identity with its URL, history and state.
_IDENTITIES = (
    "SELECT identity, site, url, revision, first_seen_at, last_seen_at, gone_at FROM copies "
    "WHERE doc_id = ? AND lang = ? ORDER BY first_seen_at, identity"
)
_COPIES_OF = "(SELECT identity FROM copies WHERE doc_id = ? AND lang = ?)"
#: Each copy's earlier states (a revision is of one copy, never of another).
_REVISIONS = (
    "SELECT r.identity, r.revision, r.run_id, r.replaced_at, r.changed_fields, r.state"
    " FROM revisions r JOIN copies c ON c.identity = r.identity AND c.lang = r.lang"
    " WHERE c.doc_id = ? AND c.lang = ? ORDER BY r.identity, r.revision"
)
_APPEARANCES = (
    "SELECT run_id, doc_id AS identity, listing, month, page_offset, position, seen_at"
    f" FROM appearances WHERE doc_id IN {_COPIES_OF} AND lang = ? ORDER BY run_id, listing"
)
_CAPTURES = (
    "SELECT id, run_id, doc_id AS identity, kind, status, fetched_at, size,"
    " substr(sha256, 1, 12) AS sha256, source, captured_at, original_url FROM captures"
    f" WHERE doc_id IN {_COPIES_OF} AND lang = ? ORDER BY id"
)


def _revision(row: dict[str, Any]) -> dict[str, Any]:
    """A revisions row with the old values of the fields that changed, not the whole state."""
    changed = json.loads(row["changed_fields"])
    state = json.loads(row.pop("state"))
    return {**row, "changed_fields": changed, "old": {name: state.get(name) for name in changed}}


# Export --------------------------------------------------------------------------------------
def export_columns(source: Source) -> list[str]:
    """The articles columns an export holds: all but the archive's internal links."""
    return [
        column.name
        for column in database(source).table("articles").columns
        if column.name not in INTERNAL_COLUMNS
    ]


def export_rows(source: Source, where: ArticleFilter | None = None) -> Iterator[dict[str, Any]]:
    """The selected articles, oldest month first, read from the database one at a time. Checks
    (an empty archive) happen now, not at the first row."""
    db = _require_content(source)
    condition, params = (where or ArticleFilter()).where()
    columns = ", ".join(f"articles.{name}" for name in export_columns(db))
    return db.query(
        f"SELECT {columns} FROM articles{condition} ORDER BY month, published, doc_id, lang",
        params,
    )


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell a spreadsheet would read as a formula (text starting with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return: OWASP's CSV injection rule) with a leading ``'``, which
    makes it text; anything else as it is. Titles and summaries come from a third-party site."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


#: What starts a cell a spreadsheet runs as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_rows(
    rows: Iterable[dict[str, Any]],
    stream: TextIO,
    fmt: ExportFormat,
    columns: list[str],
    raw: bool = False,
) -> int:
    """Write rows to a text stream as CSV (translations as JSON text; cells a spreadsheet would
    run as formulas neutralised unless ``raw``), JSON Lines or a JSON array (always as stored),
    one row at a time; returns how many."""
    if fmt not in EXPORT_FORMATS:
        raise QueryError(f"unknown export format {fmt!r}: choose from {', '.join(EXPORT_FORMATS)}")
    count = 0
    if fmt == "csv":
        writer = csv.writer(stream)
        writer.writerow(columns)
        cell = (lambda value: value) if raw else spreadsheet_safe
        for row in rows:
            writer.writerow(["" if row[name] is None else cell(row[name]) for name in columns])
            count += 1
        return count
    stream.write("[" if fmt == "json" else "")
    for row in rows:
        count += 1
        if row.get("translations") is not None:
            row["translations"] = json.loads(row["translations"])
        text = json.dumps(row, ensure_ascii=False)
        if fmt == "json":
            stream.write(("\n" if count == 1 else ",\n") + text)
        else:
            stream.write(text + "\n")
    stream.write(("\n]\n" if count else "]\n") if fmt == "json" else "")
    return count


def export(
    source: Source,
    output: Path | TextIO,
    fmt: ExportFormat = "csv",
    where: ArticleFilter | None = None,
    raw: bool = False,
) -> int:
    """Export the selected articles to a stream, or atomically to a file: written beside it
    under a temporary name and renamed over it when complete, so a failure leaves no partial
    file. ``raw``: CSV cells as stored, formulas included. Returns how many rows were written."""
    rows = export_rows(source, where)
    columns = export_columns(source)
    if not isinstance(output, Path):
        return write_rows(rows, output, fmt, columns, raw)
    return write_atomically(output, lambda stream: write_rows(rows, stream, fmt, columns, raw))


def write_atomically(path: Path, write: Callable[[TextIO], T]) -> T:
    """Run ``write`` on a UTF-8 text file beside ``path`` under a temporary name, made durable
    and renamed over ``path`` when complete, so a failure leaves no partial file."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    # os.open with mode 0o666 lets the umask decide the permissions, as for any new file.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(descriptor, "w", encoding="utf-8", newline="") as stream:
            result = write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return result
