"""Scenarios that crawl the replica of the web archive (``-a source=wayback``) through the real
``scrapy crawl`` in subprocesses."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

from crawl_scenarios import SEEK_MONTHS
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
    """``-a source=wayback -a month=`` for the month-seek months against a replica of the web
    archive of its own: requests to the archive by kind against their budget, items archived, and
    time (wall, and Scrapy's ``elapsed_time_seconds`` without the process's start-up) against the
    live crawl of the same month, interleaved (wayback, live, ...) so that both see the same noise.
    The crawls run at full speed (``REPLICA_CRAWL_SETTINGS``); the time at the archive's default
    budgets is estimated from the counts (``default_budget_seconds``)."""
    result = ScenarioResult("wayback-month")
    listing = english_listing(ctx.records)
    with running_mirror(None, None, "--wayback") as wayback_url:
        wayback_pid = child_pid("--wayback")
        for month in SEEK_MONTHS:
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


def default_budget_seconds(stats: dict) -> float:
    """The time a run's requests take at the default budgets, from its counts: CDX queries and
    captures each at their endpoint's rate; the two endpoints' slots work side by side, so the
    slower of the two sets the time: a lower bound (answers taken as quicker than the pace)."""
    cdx = stats.get("wayback/cdx_requests", 0) * 60 / project_settings.ILO_WAYBACK_CDX_PER_MINUTE
    captures = stats.get("wayback/listing_captures", 0) + stats.get("newsroom/article_requests", 0)
    return max(cdx, captures * 60 / project_settings.ILO_WAYBACK_CAPTURES_PER_MINUTE)
