"""A cron run of the current site on the full replica, after a first run archived all of it: a
day with no change, and a day with ten editors' corrections (``--days 1 --editors 0,10,0,0``).
Requests and wall time of each, held to what a day may cost: the listing's pages, the sitemap's
files, one request a corrected page, and robots.txt (docs/daily-runs.md)."""

from __future__ import annotations

import socket
import sqlite3
from contextlib import closing
from pathlib import Path

from harness import Context, ScenarioResult, check, last_run_stats, measure

from ilo_crawler.mirror.process import crawl_command, running_mirror

CORRECTIONS = 10
#: Requests a day beyond the listing's pages, the sitemap's and the corrected pages: robots.txt
#: as the crawl's middleware reads it.
CONSTANT = 2
DAYS = {"no change": ("--days", "0"), f"{CORRECTIONS} corrections": ("--days", "1", "--editors", f"0,{CORRECTIONS},0,0")}  # fmt: skip


def _free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def _copy(source: Path, target: Path) -> Path:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


def daily_runs(ctx: Context) -> ScenarioResult:
    """The first run once (the whole listing), then each day ``ctx.repeat`` times on a copy of
    its archive, the replica at one port (the sitemap's ETags name its host)."""
    result = ScenarioResult("daily-runs")
    port, base = _free_port(), ctx.scratch("daily-base.db")
    for day, options in DAYS.items():
        with running_mirror(ctx.dataset, None, "--retired", "--port", port, *options) as url:
            if not base.exists():
                first = measure(crawl_command(url, base, source="current"))
                check(first, "first run")
                result.details["first run"] = {
                    "requests": last_run_stats(base)["downloader/request_count"],
                    "wall_s": round(first.wall_s, 1),
                }
            for _ in range(ctx.repeat):
                archive = _copy(base, ctx.scratch("daily-day.db"))
                run = check(measure(crawl_command(url, archive, source="current")), day)
                stats = last_run_stats(archive)
                result.add(f"{day} requests", stats["downloader/request_count"])
                result.add(f"{day} listing requests", stats["newsroom/listing_requests"])
                result.add(f"{day} sitemap requests", stats.get("sitemap/requests", 0))
                result.add(f"{day} sitemap 304", stats.get("sitemap/not_modified", 0))
                result.add(f"{day} changed", stats.get("sitemap/changed", 0))
                result.add(f"{day} wall s", run.wall_s)
        changed = CORRECTIONS if day != "no change" else 0
        bound = (
            result.median(f"{day} listing requests")
            + result.median(f"{day} sitemap requests")
            + changed
            + CONSTANT
        )
        requests = result.median(f"{day} requests")
        result.target(
            f"{day} requests", requests, f"<= {bound:g} = listing + sitemap + {changed} + 2",
            requests <= bound,
        )  # fmt: skip
        result.target(
            f"{day} changed", result.median(f"{day} changed"), f"== {changed}",
            result.median(f"{day} changed") == changed,
        )  # fmt: skip
    return result
