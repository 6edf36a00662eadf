"""The current site's month beside the WCMS's: requests and time to archive one month of the
"All news" listing (``-a source=current``), against the seek budget ``2·⌈log2 P⌉ + M + 2``."""

from __future__ import annotations

import math
from pathlib import Path

from crawl_scenarios import measure_month
from harness import Context, ScenarioResult

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

        def command(archive: Path, month: str = month) -> list[str]:
            return crawl_command(ctx.base_url, archive, source="current", month=month)

        measure_month(ctx, result, month, command, pages, holding, len(positions))
    return result
