"""Scenarios without a crawler: the normalisers and the archive's writes, and analyst queries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import normalize_timing
from harness import Context, ScenarioResult, check, measure, spider_items

import ilo_crawler.normalize.fields
from ilo_crawler.archive import Archive
from ilo_crawler.mirror.process import crawl_command
from ilo_crawler.normalize.fields import CATEGORY_FIELDS, category_fields, date_fields

NORMALIZE_GOAL_US = 50.0
STORAGE_GOAL = 5000.0
BATCH_SIZE = 100  #: the default ILO_STORAGE_BATCH_SIZE
#: In-process query timings are short; a few more runs than the crawl scenarios' repeats.
QUERY_RUNS = 7


def _normalized(item: Any, crawl_date: dt.date) -> dict[str, Any]:
    """An item as the storage pipeline receives it: the date and category pipelines applied."""
    record = dataclasses.asdict(item)
    record.update(
        date_fields(
            lang=item.lang,
            date_text=item.date_text,
            article_date_text=item.article_date_text,
            heading=item.listing_heading,
            crawl_date=crawl_date,
        )
    )
    categories = category_fields(item.label)
    record.update({name: categories[name] for name in CATEGORY_FIELDS})
    return record


def _store(path: Path, records: Sequence[dict[str, Any]]) -> tuple[float, list[str]]:
    """Items per second through ``Archive.store_articles`` in batches of ``BATCH_SIZE``."""
    archive = Archive(path)
    outcomes: list[str] = []
    try:
        started = time.perf_counter()
        for start in range(0, len(records), BATCH_SIZE):
            outcomes += archive.store_articles(records[start : start + BATCH_SIZE], run_id=None)
        elapsed = time.perf_counter() - started
    finally:
        archive.close()
    return len(records) / elapsed, outcomes


def pipelines(ctx: Context) -> ScenarioResult:
    """The normalisers per item (warm, and cold in a fresh process), dateparser calls per distinct
    date string, and the archive's write rate for new and for unchanged items."""
    result = ScenarioResult("pipelines")
    items = spider_items(ctx.records)
    crawl_date = dt.datetime.now(dt.UTC).date()
    fields = ilo_crawler.normalize.fields
    normalize_timing.timed_pass(fields, items, crawl_date)  # warm-up
    for _ in range(ctx.repeat):
        for metric, value in normalize_timing.timed_pass(fields, items, crawl_date).items():
            result.add(f"warm {metric}", value)
        result.add(
            "warm both us/item",
            result.samples["warm date_fields us/item"][-1]
            + result.samples["warm category_fields us/item"][-1],
        )
    worker = Path(normalize_timing.__file__)
    for _ in range(ctx.repeat):
        run = check(
            measure([sys.executable, str(worker), str(ctx.dataset)], cwd=worker.parent),
            "cold normalisation",
        )
        cold = json.loads(run.stdout)
        for metric in ("date_fields us/item", "category_fields us/item", "import s"):
            result.add(f"cold {metric}", cold[metric])
        result.add(
            "cold both us/item", cold["date_fields us/item"] + cold["category_fields us/item"]
        )
        result.add(
            "dateparser calls / distinct date string",
            cold["dateparser calls"] / cold["distinct date strings"],
        )
        result.details["dateparser"] = {
            name: cold[name]
            for name in (
                "dateparser calls",
                "dateparser calls second pass",
                "distinct date strings",
            )
        }

    records = [_normalized(item, crawl_date) for item in items]
    for _ in range(ctx.repeat):
        path = ctx.scratch("store.db")
        new_rate, outcomes = _store(path, records)
        if set(outcomes) != {"new"}:
            raise RuntimeError(f"first store was not all new: {sorted(set(outcomes))}")
        again_rate, outcomes = _store(path, records)
        if set(outcomes) != {"unchanged"}:
            raise RuntimeError(f"second store was not all unchanged: {sorted(set(outcomes))}")
        result.add("store new items/s", new_rate)
        result.add("store unchanged items/s", again_rate)
    result.details["items"] = len(items)

    warm = result.median("warm both us/item")
    cold_both = result.median("cold both us/item")
    result.ratios["cold/warm normalisation"] = cold_both / warm
    result.ratios["store unchanged/new"] = result.median("store unchanged items/s") / result.median(
        "store new items/s"
    )
    goal = f"<= {NORMALIZE_GOAL_US:.0f}"
    result.target("warm date+category us/item", warm, goal, warm <= NORMALIZE_GOAL_US)
    result.target("cold date+category us/item", cold_both, goal, cold_both <= NORMALIZE_GOAL_US)
    per_string = result.median("dateparser calls / distinct date string")
    result.target("dateparser calls / distinct date string", per_string, "<= 1", per_string <= 1)
    for kind in ("new", "unchanged"):
        rate = result.median(f"store {kind} items/s")
        result.target(f"store {kind} items/s", rate, f">= {STORAGE_GOAL:.0f}", rate >= STORAGE_GOAL)
    return result


@dataclass(frozen=True)
class AnalystQuery:
    """An analyst's question: the ``ilo-archive`` command that answers it (None: no command) and
    SQL close to what it runs, timed in-process to separate the query from the command's start-up
    and output. A new command is one more entry here."""

    name: str
    cli: tuple[str, ...] | None
    sql: str
    params: tuple[str, ...] = ()


ANALYST_QUERIES = (
    AnalystQuery(
        "stats",
        ("stats",),
        "SELECT month, lang, count(*) AS articles, count(body) AS with_body, "
        "count(label) AS with_label, count(published) AS with_date FROM articles "
        "GROUP BY month, lang ORDER BY month DESC, lang",
    ),
    AnalystQuery(
        "list 2021-11 json",
        ("list", "--month", "2021-11", "--json"),
        "SELECT doc_id, lang, published, category, category_kind, title, "
        "length(body) AS body_chars FROM articles WHERE month = ? "
        "ORDER BY published DESC, doc_id",
        ("2021-11",),
    ),
    AnalystQuery(
        "search child labour",
        ("search", '"child labour"', "--json"),
        "SELECT a.doc_id, a.title, snippet(articles_fts, -1, '[', ']', '…', 16) "
        "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        "WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts), a.published DESC LIMIT 20",
        ('"child labour"',),
    ),
    AnalystQuery(
        "LIKE child labour",
        None,
        "SELECT doc_id, lang, title FROM articles "
        "WHERE title LIKE '%child labour%' OR body LIKE '%child labour%'",
    ),
    AnalystQuery("export jsonl", ("export", "--format", "jsonl"), "SELECT * FROM articles"),
)


def _query_ms(archive: Path, query: AnalystQuery) -> tuple[list[float], int]:
    """Milliseconds of ``QUERY_RUNS`` runs of the query, each on a fresh connection, and how many
    rows it gives."""
    timings = []
    for _ in range(QUERY_RUNS):
        connection = sqlite3.connect(archive)
        try:
            started = time.perf_counter()
            rows = connection.execute(query.sql, query.params).fetchall()
            timings.append(1000 * (time.perf_counter() - started))
        finally:
            connection.close()
    return timings, len(rows)


def analyst(ctx: Context) -> ScenarioResult:
    """``ilo-archive`` commands on the full crawl's archive (wall ms of the command, against
    ``--help`` as the start-up baseline) and their queries in-process."""
    result = ScenarioResult("analyst")
    if ctx.full_archive is None:  # run alone: make the archive the full crawl would have left
        ctx.full_archive = ctx.scratch("full.db")
        check(
            measure(crawl_command(ctx.base_url, ctx.full_archive, all="1")),
            "full crawl for the analyst scenario",
        )
    archive = ctx.full_archive
    cli = [sys.executable, "-m", "ilo_crawler"]
    commands = {"--help (start-up)": ["--help"]}
    commands.update({q.name: [*q.cli, "--db", str(archive)] for q in ANALYST_QUERIES if q.cli})
    for _ in range(ctx.repeat):
        for name, arguments in commands.items():
            run = check(measure([*cli, *arguments]), f"ilo-archive {name}")
            result.add(f"cli {name} ms", 1000 * run.wall_s)
    for query in ANALYST_QUERIES:
        timings, rows = _query_ms(archive, query)
        result.samples[f"sql {query.name} ms"] = timings
        result.details[f"{query.name} rows"] = rows
    start_up = result.median("cli --help (start-up) ms")
    for query in ANALYST_QUERIES:
        if query.cli:
            result.ratios[f"cli {query.name} / --help"] = (
                result.median(f"cli {query.name} ms") / start_up
            )
    result.ratios["sql full-text search / LIKE"] = result.median(
        "sql search child labour ms"
    ) / result.median("sql LIKE child labour ms")
    connection = sqlite3.connect(archive)
    try:
        result.details["articles"] = connection.execute("SELECT count(*) FROM articles").fetchone()[
            0
        ]
    finally:
        connection.close()
    return result
