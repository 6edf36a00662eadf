"""The current site's month beside the WCMS's: requests and time to archive one month of the
"All news" listing (``-a source=current``), against the seek budget ``2·⌈log2 P⌉ + M + 2``."""

from __future__ import annotations

import math

from harness import Context, ScenarioResult, check, last_run_stats, measure

from ilo_crawler.mirror.current import CURRENT_PAGE_SIZE, listing_order
from ilo_crawler.mirror.dataset import load_site_dataset
from ilo_crawler.mirror.process import crawl_command

#: A month of new content, and the seed month (the WCMS articles migrated to the current site).
CURRENT_MONTHS = ("2025-03", "2021-11")


def current_month(ctx: Context) -> ScenarioResult:
    """Each month crawled from the current site of the benchmark's replica (which serves both
    sites): listing, article and all requests, wall time, and the budget it must keep."""
    result = ScenarioResult("current-month")
    listing = listing_order(load_site_dataset(ctx.dataset).nodes, "en")
    pages = math.ceil(len(listing) / CURRENT_PAGE_SIZE)
    for month in CURRENT_MONTHS:
        positions = [i for i, node in enumerate(listing) if node.date.isoformat()[:7] == month]
        holding = sorted({i // CURRENT_PAGE_SIZE for i in positions})
        budget = 2 * math.ceil(math.log2(pages)) + len(holding) + 2
        for _ in range(ctx.repeat):
            archive = ctx.scratch(f"current-{month}.db")
            command = crawl_command(ctx.base_url, archive, source="current", month=month)
            run = check(measure(command, server_pid=ctx.server_pid), f"crawl of {month}")
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
        result.target(
            f"{month} article requests",
            articles,
            f"== {len(positions)}",
            articles == len(positions),
        )
        result.details[month] = {
            "listing_pages": pages,
            "pages_holding_month": holding,
            "items_in_month": len(positions),
            "budget": budget,
        }
    return result
