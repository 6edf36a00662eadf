"""``ilo-archive coverage --html``: the coverage report as one self-contained HTML page, a grid of
months × languages an analyst takes in at a glance.

Each cell shows how many items are archived and how many of them came from each source, is
coloured by its status (``ok``, ``gaps``, ``incomplete``, ``never crawled``) and links to its
rows: a section of the page listing the month's articles in that language, its gaps and what the
web archive lacks (or, given a Datasette URL, Datasette's articles table filtered to the cell).
No script, no stylesheet or image from elsewhere: the file opens offline.
"""

from __future__ import annotations

import datetime as dt
import html
import urllib.parse
from collections.abc import Iterable
from typing import Any

from ilo_crawler.archive.queries import ArticleFilter, Source, database

#: The statuses, in the legend's order, with their colours and what they mean.
STATUSES = {
    "ok": ("#cfe8cf", "every item the listings showed is archived with its body"),
    "gaps": ("#f6dc9a", "items seen but not archived with a body"),
    "incomplete": ("#f3b7a8", "the web archive lacks something of the month"),
    "never crawled": ("#e4e4e4", "no finished run covered the month"),
}

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table.grid { border-collapse: collapse; }
table.grid th, table.grid td { border: 1px solid #fff; padding: 2px 8px; text-align: right; }
table.grid thead th { background: #444; color: #fff; }
table.grid tbody th { text-align: left; font-weight: normal; }
td a { color: inherit; text-decoration: none; display: block; }
td small { color: #555; margin-left: 0.4em; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 0.5em; }
section { margin-top: 2em; } section table { border-collapse: collapse; }
section td, section th { padding: 1px 8px; text-align: left; border-bottom: 1px solid #ddd; }
"""


def cell_id(month: str, lang: str) -> str:
    """The anchor of a month's section in one language."""
    return f"cell-{month}-{lang}"


def coverage_page(
    source: Source,
    rows: list[dict[str, Any]],
    *,
    archive_name: str,
    listing: str | None = None,
    datasette: str | None = None,
) -> str:
    """The page for ``rows`` (``queries.coverage``'s, in its order): the grid, then one section
    per cell holding anything. ``datasette``: the base URL of a Datasette serving the archive
    (``http://127.0.0.1:8001``); cells then link to its articles table instead of the sections."""
    months = list(dict.fromkeys(row["month"] for row in rows))
    langs = list(dict.fromkeys(row["lang"] for row in rows))
    by_cell = {(row["month"], row["lang"]): row for row in rows}
    articles = _articles(source, months, langs, listing)
    statuses = [row["status"] for row in rows]
    summary = ", ".join(f"{statuses.count(name)} {name}" for name in STATUSES)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Coverage of {_text(archive_name)}</title>",
        f"<style>{_STYLE}{_status_style()}</style></head><body>",
        f"<h1>Coverage of {_text(archive_name)}</h1>",
        f'<p id="summary">{len(rows)} month-languages from {months[0]} to {months[-1]}'
        f"{' in listing ' + _text(listing) if listing else ''}: {summary}. "
        f"Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.</p>",
        '<p class="legend">'
        + "".join(
            f'<span class="{_css(name)}" title="{_text(meaning)}">{name}</span>'
            for name, (_colour, meaning) in STATUSES.items()
        )
        + "Each cell: items archived (from each source); click for its rows.</p>",
        '<table class="grid"><thead><tr><th>month</th>'
        + "".join(f"<th>{_text(lang)}</th>" for lang in langs)
        + "</tr></thead><tbody>",
    ]
    for month in months:
        cells = "".join(
            _cell(by_cell[(month, lang)], articles.get((month, lang), []), datasette)
            for lang in langs
        )
        parts.append(f"<tr><th>{month}</th>{cells}</tr>")
    parts.append("</tbody></table>")
    for row in rows:
        cell_articles = articles.get((row["month"], row["lang"]), [])
        if _has_rows(row, cell_articles):
            parts.append(_section(row, cell_articles))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _articles(
    source: Source, months: list[str], langs: list[str], listing: str | None
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The archived articles of the page's months, by month and language, newest first."""
    where, params = ArticleFilter(since=months[0], until=months[-1], listing=listing).where()
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in database(source).query(
        "SELECT month, lang, doc_id, published, source, title, body IS NOT NULL AS with_body "
        f"FROM articles{where} ORDER BY month, lang, published DESC, doc_id",
        params,
    ):
        if row["lang"] in langs:
            found.setdefault((row["month"], row["lang"]), []).append(row)
    return found


def _cell(row: dict[str, Any], articles: list[dict[str, Any]], datasette: str | None) -> str:
    status = row["status"]
    sources = _sources(articles)
    mark = {"gaps": f" ⚠ {row['gaps']}", "incomplete": " ✗", "never crawled": " –"}.get(status, "")
    title = (
        f"{row['month']} {row['lang']}: {status}; seen {row['seen']}, archived {row['archived']},"
        f" with body {row['with_body']}, gaps {row['gaps']}, missing {row['missing']},"
        f" finished runs {row['runs']}"
    )
    shown = f"{row['archived']}{mark}" + (f"<small>{_text(sources)}</small>" if sources else "")
    if datasette:
        query = urllib.parse.urlencode({"month": row["month"], "lang": row["lang"]})
        shown = f'<a href="{_text(datasette.rstrip("/"))}/archive/articles?{query}">{shown}</a>'
    elif _has_rows(row, articles):
        shown = f'<a href="#{cell_id(row["month"], row["lang"])}">{shown}</a>'
    return (
        f'<td class="{_css(status)}" data-status="{_text(status)}" title="{_text(title)}">'
        f"{shown}</td>"
    )


def _has_rows(row: dict[str, Any], articles: list[dict[str, Any]]) -> bool:
    """Whether a cell has rows to link to: articles, gaps, or what the web archive lacks."""
    return bool(articles or row["gaps"] or row["web_archive"])


def _sources(articles: Iterable[dict[str, Any]]) -> str:
    """``live 70 · wayback 8``: how many of a cell's articles each source gave."""
    counts: dict[str, int] = {}
    for article in articles:
        counts[article["source"]] = counts.get(article["source"], 0) + 1
    return " · ".join(f"{name} {n}" for name, n in sorted(counts.items()))


def _section(row: dict[str, Any], articles: list[dict[str, Any]]) -> str:
    """A cell's rows: its numbers, its gaps, what the web archive lacks, its articles."""
    heading = f"{row['month']} {row['lang']}: {row['status']}"
    lines = [
        f'<section id="{cell_id(row["month"], row["lang"])}"><h2>{_text(heading)}</h2>',
        f"<p>{row['seen']} seen in the listings ({_text(', '.join(row['listings']) or 'none')}),"
        f" {row['archived']} archived, {row['with_body']} with a body, {row['gaps']} gaps;"
        f" {row['runs']} finished runs covered the month.</p>",
    ]
    if row["gap_doc_ids"]:
        more = row["gaps"] - len(row["gap_doc_ids"])
        lines.append(
            f'<p class="gap-list">gaps: {_text(", ".join(row["gap_doc_ids"]))}'
            + (f" and {more} more" if more else "")
            + "</p>"
        )
    for report in row["web_archive"]:
        for entry in report["missing"]:
            named = " ".join(filter(None, (entry.get("doc_id"), entry.get("url"))))
            lines.append(
                f'<p class="missing-list">missing from the web archive ({_text(report["listing"])}):'
                f" {_text(entry['kind'])} {_text(named)}: {_text(entry['reason'])}</p>"
            )
    if articles:
        lines.append(
            "<table><tr><th>doc_id</th><th>published</th><th>source</th><th>body</th>"
            "<th>title</th></tr>"
        )
        lines += [
            f"<tr><td>{_text(a['doc_id'])}</td><td>{_text(a['published'] or '')}</td>"
            f"<td>{_text(a['source'])}</td><td>{'yes' if a['with_body'] else 'no'}</td>"
            f"<td>{_text(a['title'] or '')}</td></tr>"
            for a in articles
        ]
        lines.append("</table>")
    lines.append("</section>")
    return "\n".join(lines)


def _status_style() -> str:
    """Each status's colour, for its cells and its entry in the legend."""
    return "".join(
        f".{_css(name)} {{ background: {colour}; }}\n" for name, (colour, _) in STATUSES.items()
    )


def _css(status: str) -> str:
    return status.replace(" ", "-")


def _text(value: str) -> str:
    return html.escape(value, quote=True)
