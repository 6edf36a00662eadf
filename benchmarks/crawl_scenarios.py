"""Scenarios that crawl the replica through the real ``scrapy crawl`` in subprocesses."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from pathlib import Path

from harness import (
    PAGE_SIZE,
    Context,
    Measured,
    ScenarioResult,
    check,
    english_listing,
    last_run_stats,
    measure,
    month_positions,
)

from ilo_crawler import settings as project_settings
from ilo_crawler.mirror.process import REPLICA_CRAWL_SETTINGS, crawl_command

#: Near the newest end, the seed page's month, near the oldest end of the default dataset.
SEEK_MONTHS = ("2024-11", "2021-11", "2010-02")
RECRAWL_MONTH = "2021-11"
BARE_SPIDER = Path(__file__).resolve().parent / "bare_spider.py"
RSS_LIMIT_MB = 200
#: RSS may grow this much from a quarter of the full crawl to its end and still count as flat.
RSS_FLAT_GROWTH_PERCENT = 10
THROUGHPUT_GOAL = 0.80
#: The project's settings that shape Scrapy's own work rather than the spider's. The baseline gets
#: the same values, so that ours/bare measures what the project's code costs, not a tuning of
#: Scrapy that any spider could have.
ENGINE_SETTINGS = (
    "ROBOTSTXT_OBEY",
    "USER_AGENT",
    "TELNETCONSOLE_ENABLED",
    "CONCURRENT_ITEMS",
    "WARN_ON_GENERATOR_RETURN_VALUE",
)


def month_seek(ctx: Context) -> ScenarioResult:
    """Listing requests to archive a month, against a linear walk from the newest page and against
    the budget ``2·⌈log2 P⌉ + M + 2``."""
    result = ScenarioResult("month-seek")
    listing = english_listing(ctx.records)
    pages = math.ceil(len(listing) / PAGE_SIZE)
    for month in SEEK_MONTHS:
        positions = month_positions(listing, month)
        holding = sorted({i // PAGE_SIZE for i in positions})
        linear = holding[-1] + 1  # pages 0 .. the last page holding the month

        def command(archive: Path, month: str = month) -> list[str]:
            return crawl_command(ctx.base_url, archive, month=month)

        measure_month(ctx, result, month, command, pages, holding, len(positions))
        requests = result.median(f"{month} listing requests")
        result.ratios[f"{month} listing requests / linear walk"] = requests / linear
        result.details[month]["linear_walk_requests"] = linear
    return result


def measure_month(
    ctx: Context,
    result: ScenarioResult,
    month: str,
    command: Callable[[Path], list[str]],
    pages: int,
    holding: list[int],
    items: int,
) -> None:
    """Crawl one month ``ctx.repeat`` times (``command`` for a fresh archive): its listing,
    article and all requests and wall time, held to the seek budget ``2·⌈log2 P⌉ + M + 2`` (P
    listing pages, M of them holding the month) and to one article request an item."""
    budget = 2 * math.ceil(math.log2(pages)) + len(holding) + 2
    for _ in range(ctx.repeat):
        archive = ctx.scratch(f"{result.name}-{month}.db")
        run = check(measure(command(archive), server_pid=ctx.server_pid), f"crawl of {month}")
        stats = last_run_stats(archive)
        result.add(f"{month} listing requests", stats["newsroom/listing_requests"])
        result.add(f"{month} article requests", stats.get("newsroom/article_requests", 0))
        result.add(f"{month} all requests", stats["downloader/request_count"])
        result.add(f"{month} wall s", run.wall_s)
    requests = result.median(f"{month} listing requests")
    result.target(
        f"{month} listing requests",
        requests,
        f"<= {budget} = 2*ceil(log2 {pages}) + {len(holding)} + 2",
        requests <= budget,
    )
    articles = result.median(f"{month} article requests")
    result.target(f"{month} article requests", articles, f"== {items}", articles == items)
    result.details[month] = {
        "listing_pages": pages,
        "pages_holding_month": holding,
        "items_in_month": items,
        "budget": budget,
    }


def _bare_settings() -> dict[str, str]:
    engine = {name: getattr(project_settings, name, None) for name in ENGINE_SETTINGS}
    return {name: str(value) for name, value in engine.items() if value is not None} | dict(
        REPLICA_CRAWL_SETTINGS
    )


def _bare_command(ctx: Context, pages: int, stats_out: Path) -> list[str]:
    settings = _bare_settings()
    command = [sys.executable, "-m", "scrapy", "runspider", str(BARE_SPIDER)]
    arguments = {
        "base_url": ctx.base_url,
        "pages": str(pages),
        "page_size": str(PAGE_SIZE),
        "stats_out": str(stats_out),
    }
    for name, value in arguments.items():
        command += ["-a", f"{name}={value}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def _add_crawl(result: ScenarioResult, who: str, run: Measured, pages: int, items: int) -> None:
    result.add(f"{who} wall s", run.wall_s)
    result.add(f"{who} pages/s", pages / run.wall_s)
    if items:
        result.add(f"{who} items/s", items / run.wall_s)
    result.add(f"{who} cpu s", run.cpu_s)
    result.add(f"{who} cpu ms/page", 1000 * run.cpu_s / pages)
    result.add(f"{who} peak rss MB", run.peak_rss_mb)
    if run.main_thread_cpu_s is not None:
        result.add(f"{who} reactor thread cpu s", run.main_thread_cpu_s)
    if run.descendants_cpu_s is not None:
        result.add(f"{who} helper processes cpu s", run.descendants_cpu_s)
    if run.server_cpu_s is not None:
        result.add(f"{who} replica cpu s", run.server_cpu_s)


def full_crawl(ctx: Context) -> ScenarioResult:
    """``-a all=1`` into a fresh archive, interleaved with the bare Scrapy baseline (ours, bare,
    ours, bare, ...) so that both see the same noise; the throughput ratio is taken per pair."""
    result = ScenarioResult("full-crawl")
    listing = english_listing(ctx.records)
    pages = math.ceil(len(listing) / PAGE_SIZE)
    rss_quarters = []
    for _ in range(ctx.repeat):
        archive = ctx.scratch("full.db")
        ours = check(
            measure(crawl_command(ctx.base_url, archive, all="1"), server_pid=ctx.server_pid),
            "full crawl",
        )
        stats = last_run_stats(archive)
        responses = stats["downloader/response_count"]
        # Articles archived (Scrapy's item count also holds the listing pages' captures).
        items = sum(stats.get(f"archive/{n}", 0) for n in ("new", "changed", "unchanged"))
        _add_crawl(result, "ours", ours, responses, items)
        quarters = [round(ours.rss_at(f), 1) for f in (0.25, 0.5, 0.75, 1.0)]
        rss_quarters.append(quarters)
        result.add("ours rss growth 25%->100% MB", quarters[-1] - quarters[0])
        result.add("ours rss growth 25%->100% %", 100 * (quarters[-1] / quarters[0] - 1))

        stats_out = ctx.scratch("bare-stats.json")
        bare = check(
            measure(
                _bare_command(ctx, pages, stats_out), cwd=ctx.workdir, server_pid=ctx.server_pid
            ),
            "bare Scrapy crawl",
        )
        bare_stats = json.loads(stats_out.read_text())
        _add_crawl(result, "bare", bare, bare_stats["downloader/response_count"], 0)
        result.add(
            "pair ratio pages/s ours/bare",
            result.samples["ours pages/s"][-1] / result.samples["bare pages/s"][-1],
        )
        if bare_stats["downloader/response_count"] != responses:
            raise RuntimeError(
                f"bare crawl fetched {bare_stats['downloader/response_count']} pages, "
                f"ours {responses}: the baseline no longer does the same work"
            )
    ctx.full_archive = archive

    result.details["responses"] = responses
    result.details["items"] = items
    result.details["ours rss MB at 25/50/75/100% of each run"] = rss_quarters
    result.details["ours rss MB every 10% of the last run"] = [
        round(ours.rss_at(tenth / 10), 1) for tenth in range(11)
    ]
    result.details["bare settings"] = _bare_settings()
    ratio = result.median("pair ratio pages/s ours/bare")
    result.ratios["pages/s ours/bare (median of pairs)"] = ratio
    result.ratios["pages/s ours/bare (ratio of medians)"] = result.median(
        "ours pages/s"
    ) / result.median("bare pages/s")
    result.ratios["cpu ms/page ours/bare"] = result.median("ours cpu ms/page") / result.median(
        "bare cpu ms/page"
    )
    result.target(
        "throughput ours/bare", ratio, f">= {THROUGHPUT_GOAL:.0%}", ratio >= THROUGHPUT_GOAL
    )
    peak = result.median("ours peak rss MB")
    result.target("ours peak rss MB", peak, f"<= {RSS_LIMIT_MB}", peak <= RSS_LIMIT_MB)
    growth = result.median("ours rss growth 25%->100% %")
    result.target(
        "ours rss growth 25%->100% %",
        growth,
        f"<= {RSS_FLAT_GROWTH_PERCENT} (flat)",
        growth <= RSS_FLAT_GROWTH_PERCENT,
    )
    return result


def re_crawl(ctx: Context) -> ScenarioResult:
    """The same month crawled three times into one archive: first, again (what a second run
    downloads anew), and again with ``-a refresh=1`` (every article asked for, conditionally)."""
    result = ScenarioResult("re-crawl")
    runs = {"first": {}, "second": {}, "refresh": {"refresh": "1"}}
    for _ in range(ctx.repeat):
        archive = ctx.scratch("recrawl.db")
        for run_name, extra in runs.items():
            run = check(
                measure(
                    crawl_command(ctx.base_url, archive, month=RECRAWL_MONTH, **extra),
                    server_pid=ctx.server_pid,
                ),
                f"{run_name} crawl of {RECRAWL_MONTH}",
            )
            stats = last_run_stats(archive)
            # Pages that came with a body: every 200 but the listing pages and robots.txt.
            downloaded = (
                stats.get("downloader/response_status_count/200", 0)
                - stats["newsroom/listing_requests"]
                - stats.get("robotstxt/response_count", 0)
            )
            result.add(f"{run_name} article requests", stats.get("newsroom/article_requests", 0))
            result.add(f"{run_name} article downloads", downloaded)
            result.add(f"{run_name} response bytes", stats["downloader/response_bytes"])
            result.add(
                f"{run_name} 304 responses", stats.get("downloader/response_status_count/304", 0)
            )
            result.add(f"{run_name} wall s", run.wall_s)
    first_bytes = result.median("first response bytes")
    for run_name in ("second", "refresh"):
        result.ratios[f"response bytes {run_name}/first"] = (
            result.median(f"{run_name} response bytes") / first_bytes
        )
        downloads = result.median(f"{run_name} article downloads")
        result.target(f"{run_name} run article downloads", downloads, "== 0", downloads == 0)
    return result
