"""Scenarios that crawl the replica of the web archive (``-a source=wayback``) through the real
``scrapy crawl`` in subprocesses."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

from harness import (
    PAGE_SIZE,
    Context,
    ScenarioResult,
    check,
    child_pid,
    english_listing,
    last_run_stats,
    measure,
    month_positions,
)

from ilo_crawler import settings as project_settings
from ilo_crawler.mirror.process import crawl_command, running_mirror
from ilo_crawler.sites.wcms.urls import ARTICLE_SECTION_PATHS

#: The months of the web-archive scenario: the WCMS newsroom's last (ILO_WAYBACK_LAST_MONTH; the
#: month-seek's 2024-11 is past it, refused for the web archive), the seed month, one of its first.
WAYBACK_MONTHS = ("2024-04", "2021-11", "2010-02")
#: Requests to the archive by kind, as the spider counts them in its stats.
ARCHIVE_REQUESTS = {
    "cdx queries": "wayback/cdx_requests",
    "listing captures": "wayback/listing_captures",
    "article captures": "newsroom/article_requests",
}


def _archived(archive: Path) -> tuple[int, int]:
    """Articles in a fresh archive, and those of them with a body (read from an article capture)."""
    connection = sqlite3.connect(archive)
    try:
        count, with_body = connection.execute(
            "SELECT COUNT(*), COUNT(body) FROM articles"
        ).fetchone()
    finally:
        connection.close()
    return count, with_body


def wayback_month(ctx: Context) -> ScenarioResult:
    """``-a source=wayback -a month=`` for ``WAYBACK_MONTHS`` against a replica of the web
    archive of its own: requests to the archive by kind against their budget, items archived, and
    time (wall, and Scrapy's ``elapsed_time_seconds`` without the process's start-up) against the
    live crawl of the same month, interleaved (wayback, live, ...) so that both see the same noise.
    The crawls run at full speed (``REPLICA_CRAWL_SETTINGS``); the time at the archive's default
    budgets is estimated from the counts (``default_budget_seconds``)."""
    result = ScenarioResult("wayback-month")
    listing = english_listing(ctx.records)
    with running_mirror(None, None, "--wayback") as wayback_url:
        wayback_pid = child_pid("--wayback")
        for month in WAYBACK_MONTHS:
            items = len(month_positions(listing, month))
            budget = math.ceil(items / PAGE_SIZE) + 2
            for _ in range(ctx.repeat):
                archive = ctx.scratch(f"wayback-{month}.db")
                run = check(
                    measure(
                        crawl_command(wayback_url, archive, source="wayback", month=month),
                        server_pid=wayback_pid,
                    ),
                    f"web-archive crawl of {month}",
                )
                stats = last_run_stats(archive)
                requests = stats["wayback/requests"]
                if requests != sum(stats.get(key, 0) for key in ARCHIVE_REQUESTS.values()):
                    raise RuntimeError(
                        f"{month}: {requests} requests to the archive are not the sum of "
                        f"{ARCHIVE_REQUESTS}: the split no longer covers them all"
                    )
                for kind, key in ARCHIVE_REQUESTS.items():
                    result.add(f"{month} {kind}", stats.get(key, 0))
                result.add(f"{month} archive requests", requests)
                archived, with_body = _archived(archive)
                result.add(f"{month} items archived", archived)
                result.add(f"{month} items with body", with_body)
                result.add(f"{month} wall s", run.wall_s)
                result.add(f"{month} crawl s", stats["elapsed_time_seconds"])
                result.add(f"{month} cpu s", run.cpu_s)
                result.add(f"{month} peak rss MB", run.peak_rss_mb)
                if run.server_cpu_s is not None:
                    result.add(f"{month} archive replica cpu s", run.server_cpu_s)
                result.add(f"{month} at default budgets s", default_budget_seconds(stats))

                live_archive = ctx.scratch(f"live-{month}.db")
                live = check(
                    measure(
                        crawl_command(ctx.base_url, live_archive, month=month),
                        server_pid=ctx.server_pid,
                    ),
                    f"live crawl of {month}",
                )
                result.add(f"{month} live wall s", live.wall_s)
                result.add(
                    f"{month} live crawl s", last_run_stats(live_archive)["elapsed_time_seconds"]
                )
            for timing in ("wall s", "crawl s"):
                result.ratios[f"{month} {timing} wayback/live"] = result.median(
                    f"{month} {timing}"
                ) / result.median(f"{month} live {timing}")
            cdx = result.median(f"{month} cdx queries")
            most = 2 + len(ARTICLE_SECTION_PATHS)
            result.target(f"{month} cdx queries", cdx, f"<= {most} = 2 + sections", cdx <= most)
            seconds = result.median(f"{month} at default budgets s")
            result.target(f"{month} at default budgets s", seconds, "<= 60", seconds <= 60)
            captures = result.median(f"{month} listing captures")
            result.target(
                f"{month} listing captures",
                captures,
                f"<= {budget} = ceil({items}/{PAGE_SIZE}) + 2",
                captures <= budget,
            )
            archived = result.median(f"{month} items archived")
            result.target(f"{month} items archived", archived, f"== {items}", archived == items)
            result.details[month] = {"items_in_month": items, "listing_capture_budget": budget}
    result.details["default budgets"] = (
        f"ILO_WAYBACK_CDX_PER_MINUTE {project_settings.ILO_WAYBACK_CDX_PER_MINUTE}, "
        f"ILO_WAYBACK_CAPTURES_PER_MINUTE {project_settings.ILO_WAYBACK_CAPTURES_PER_MINUTE}: "
        "CDX queries and captures each at their rate, the two slots side by side"
    )
    return result


#: The backfill runs against the strict replica at this share of its minute and hour, the
#: crawler's budgets scaled alike (so the real mechanism runs, fast).
BACKFILL_SCALE = "0.001"
BACKFILL_LANGS = ("en", "fr", "es")
#: The month whose time is also measured at the real budgets, on the strict replica unscaled.
MEASURED_MONTH = "2021-11"


def wayback_backfill(ctx: Context) -> ScenarioResult:
    """``-a source=wayback -a all=1`` (``ILO_WAYBACK_FIRST_MONTH`` to ``ILO_WAYBACK_LAST_MONTH``)
    in English, French and Spanish, each into a fresh archive, against the strict replica
    (``--strict --time-scale 0.001``: its limits, 429s, block and its index's quirks) with the
    crawler's budgets scaled alike: requests by kind, 429s, months read to their end, items
    archived, wall and Scrapy time on the replica (CPU-bound there, not paced), and the time at
    the default budgets from the counts (per language the slower endpoint; the languages one
    after another). Then ``MEASURED_MONTH`` at the real budgets against the strict replica
    unscaled: the time a month takes, measured. The backfill runs once (its counts are exact);
    the measured month ``ctx.repeat`` times."""
    result = ScenarioResult("wayback-backfill")
    first = project_settings.ILO_WAYBACK_FIRST_MONTH
    last = project_settings.ILO_WAYBACK_LAST_MONTH
    months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    strict = ("--wayback", "--strict", "--time-scale", BACKFILL_SCALE)
    total = 0.0
    with running_mirror(None, None, *strict) as wayback_url:
        for lang in BACKFILL_LANGS:
            archive = ctx.scratch(f"backfill-{lang}.db")
            command = crawl_command(wayback_url, archive, source="wayback", all="1", lang=lang)
            command += ["-s", f"ILO_WAYBACK_TIME_SCALE={BACKFILL_SCALE}"]
            run = check(measure(command), f"web-archive backfill in {lang}")
            stats = last_run_stats(archive)
            for kind, key in ARCHIVE_REQUESTS.items():
                result.add(f"{lang} {kind}", stats.get(key, 0))
            result.add(f"{lang} archive requests", stats["wayback/requests"])
            result.add(f"{lang} 429s", stats.get("wayback/429", 0))
            archived, with_body = _archived(archive)
            result.add(f"{lang} items archived", archived)
            result.add(f"{lang} items with body", with_body)
            result.add(f"{lang} months read to their end", _months_read(archive))
            result.add(f"{lang} wall s", run.wall_s)
            result.add(f"{lang} crawl s", stats["elapsed_time_seconds"])
            seconds = default_budget_seconds(stats)
            result.add(f"{lang} at default budgets s", seconds)
            total += seconds
            expected = sum(
                1
                for r in ctx.records
                if r.lang == lang
                and "all-newsroom" in r.listings
                and first <= f"{r.date:%Y-%m}" <= last
            )
            result.target(
                f"{lang} items archived", archived, f"== {expected}", archived == expected
            )
            result.target(
                f"{lang} months read to their end",
                result.median(f"{lang} months read to their end"),
                f"== {months}",
                result.median(f"{lang} months read to their end") == months,
            )
            result.target(
                f"{lang} 429s", result.median(f"{lang} 429s"), "== 0", not stats.get("wayback/429")
            )
    result.add("backfill at default budgets s", total)
    result.target("backfill at default budgets s", total, "<= 3600 (an hour)", total <= 3600)
    with running_mirror(None, None, "--wayback", "--strict") as wayback_url:
        for _ in range(ctx.repeat):
            archive = ctx.scratch(f"measured-{MEASURED_MONTH}.db")
            command = crawl_command(wayback_url, archive, source="wayback", month=MEASURED_MONTH)
            command += ["-s", "ILO_WAYBACK_TIME_SCALE=1", "-s", "ILO_WAYBACK_CAPTURE_CONCURRENCY=4"]
            run = check(measure(command), f"{MEASURED_MONTH} at the real budgets")
            stats = last_run_stats(archive)
            result.add(f"{MEASURED_MONTH} measured at default budgets wall s", run.wall_s)
            result.add(
                f"{MEASURED_MONTH} measured at default budgets crawl s",
                stats["elapsed_time_seconds"],
            )
            result.add(f"{MEASURED_MONTH} measured 429s", stats.get("wayback/429", 0))
            result.add(
                f"{MEASURED_MONTH} computed at default budgets s", default_budget_seconds(stats)
            )
    measured = result.median(f"{MEASURED_MONTH} measured at default budgets crawl s")
    result.target(
        f"{MEASURED_MONTH} measured at default budgets crawl s", measured, "<= 60", measured <= 60
    )
    result.details["replica"] = (
        f"strict, time scale {BACKFILL_SCALE} for the backfill (the crawler's budgets alike), "
        f"unscaled for {MEASURED_MONTH}; months {first} to {last} ({months})"
    )
    return result


def _months_read(archive: Path) -> int:
    """Months whose latest reading was read to its end (no ``month`` entry among what is missing)."""
    connection = sqlite3.connect(archive)
    try:
        rows = connection.execute("SELECT missing FROM completeness").fetchall()
    finally:
        connection.close()
    return sum(1 for (missing,) in rows if '"kind": "month"' not in missing)


def default_budget_seconds(stats: dict) -> float:
    """The time a run's requests take at the default budgets, from its counts: CDX queries and
    captures each at their endpoint's rate; the two endpoints' slots work side by side, so the
    slower of the two sets the time: a lower bound (answers taken as quicker than the pace)."""
    cdx = stats.get("wayback/cdx_requests", 0) * 60 / project_settings.ILO_WAYBACK_CDX_PER_MINUTE
    captures = stats.get("wayback/listing_captures", 0) + stats.get("newsroom/article_requests", 0)
    return max(cdx, captures * 60 / project_settings.ILO_WAYBACK_CAPTURES_PER_MINUTE)
