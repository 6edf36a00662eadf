"""``make demo``: start the replicas (the web archive of the retired WCMS newsroom, and the host as
it is now: the current site, publishing a few items while it is crawled), archive into
``data/archive.db`` the seed month from the web archive, then run the cron command twice (the
first archives the current site's whole listing, joining the seed month's migrated copies to
their WCMS records; the second only what was published since), print each run's summary and what
the archive holds, stop the replicas. Both replicas' URLs are set, so every command chooses its
source as in production."""

from __future__ import annotations

import subprocess
import sys
from contextlib import ExitStack

from ilo_crawler.mirror.process import crawl_command, running_mirror

ARCHIVE = "data/archive.db"
#: (what the command line is, its arguments): the seed month, then the cron command twice.
RUNS: tuple[tuple[str, dict[str, str]], ...] = (
    ("scrapy crawl newsroom -a month=2021-11", {"month": "2021-11"}),
    ("scrapy crawl newsroom", {}),
    ("scrapy crawl newsroom", {}),
)
MONTHS = ("2021-11", "2026-11")


def main() -> int:
    with ExitStack() as replicas:
        wayback = replicas.enter_context(running_mirror(None, None, "--wayback"))
        site = replicas.enter_context(
            running_mirror(None, None, "--retired", "--publish-every", "20", "--publish-max", "3")
        )
        print(f"replica of the Wayback Machine on {wayback}", flush=True)
        print(f"replica of www.ilo.org as it is now on {site} (publishing while crawled)")
        for shown, arguments in RUNS:
            print(f"\n$ {shown}", flush=True)
            command = crawl_command(site, ARCHIVE, wayback_url=wayback, **arguments)
            crawl = subprocess.run(command, capture_output=True, text=True)
            summary = [line for line in crawl.stderr.splitlines() if "extensions] INFO" in line]
            print("\n".join(summary) or crawl.stderr[-3000:], flush=True)
            if crawl.returncode != 0:
                print(f"crawl failed with exit status {crawl.returncode}", file=sys.stderr)
                return crawl.returncode
    for month in MONTHS:
        print(f"\n$ ilo-archive stats --month {month}", flush=True)
        command = [sys.executable, "-m", "ilo_crawler", "stats", "--db", ARCHIVE, "--month", month]
        if subprocess.run(command).returncode != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
