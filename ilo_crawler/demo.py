"""``make demo``: start the replica, archive November 2021 from it into ``data/archive.db``,
print what the archive now holds for that month, stop the replica."""

from __future__ import annotations

import subprocess
import sys

from ilo_crawler.mirror.process import crawl_command, running_mirror

MONTH = "2021-11"
ARCHIVE = "data/archive.db"


def main() -> int:
    with running_mirror() as base_url:
        print(f"replica of the ILO site serving on {base_url}", flush=True)
        command = crawl_command(base_url, ARCHIVE, month=MONTH)
        print("$ scrapy crawl newsroom -a month=2021-11 (against the replica)", flush=True)
        crawl = subprocess.run(command, capture_output=True, text=True)
        summary = [line for line in crawl.stderr.splitlines() if "[ilo_crawler.extensions]" in line]
        print("\n".join(summary) or crawl.stderr[-3000:], flush=True)
        if crawl.returncode != 0:
            print(f"crawl failed with exit status {crawl.returncode}", file=sys.stderr)
            return crawl.returncode
    for verb in ("stats", "list"):
        print(f"\n$ ilo-archive {verb} --month {MONTH}", flush=True)
        command = [sys.executable, "-m", "ilo_crawler", verb, "--db", ARCHIVE, "--month", MONTH]
        if subprocess.run(command).returncode != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
