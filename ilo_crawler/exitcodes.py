"""Exit statuses of ``scrapy crawl newsroom``, for cron: 0 only when the run finished cleanly.

Scrapy's own ``crawl`` exits 0 even when every request failed; this table is what ours returns
instead (documented in the README, "Exit status").
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import Any


class ExitStatus(IntEnum):
    OK = 0  #: the run finished and everything it found is archived
    ERROR = 1  #: an unexpected error (see the log)
    #: a spider argument or setting was refused (before any request, or, for a language the
    #: current site does not serve the listing in, at its first answer); nothing was archived
    BAD_ARGUMENTS = 2
    LOCKED = 3  #: another crawl is writing the same archive; nothing was fetched
    FETCH_FAILURES = 4  #: pages still failed after retries; recorded, retried first next run
    LAYOUT_DRIFT = 5  #: pages answered but lacked what the site's layout should give
    ARCHIVE_ERROR = 6  #: the archive could not be opened or written
    INTERRUPTED = 7  #: the run was stopped (signal) before it finished
    LISTING_NOT_SERVED = 8  #: the live site no longer serves the listing: use -a source=wayback
    BLOCKED = 9  #: the web archive blocked this run, or an earlier one less than its block ago
    #: the site cannot be reached: its name does not resolve (no network?), or it refused every
    #: connection and never answered; nothing was fetched
    UNREACHABLE = 10


def exit_status(stats: Mapping[str, Any], finish_reason: str | None) -> ExitStatus:
    """The status a finished (or stopped) crawl deserves, from its stats; the worst one wins."""
    if stats.get("archive/errors"):
        return ExitStatus.ARCHIVE_ERROR
    if stats.get("network/unreachable"):
        return ExitStatus.UNREACHABLE
    if stats.get("wayback/blocked_at") or stats.get("wayback/refused_blocked"):
        return ExitStatus.BLOCKED
    if finish_reason == "shutdown":
        return ExitStatus.INTERRUPTED
    if stats.get("newsroom/lang_not_served"):
        return ExitStatus.BAD_ARGUMENTS
    if stats.get("newsroom/listing_not_served"):
        return ExitStatus.LISTING_NOT_SERVED
    if stats.get("wayback/unreachable"):
        return ExitStatus.FETCH_FAILURES
    if finish_reason != "finished" or any(key.startswith("spider_exceptions/") for key in stats):
        return ExitStatus.ERROR
    if stats.get("drift/problems"):
        return ExitStatus.LAYOUT_DRIFT
    if stats.get("newsroom/listing_failures") or stats.get("newsroom/article_failures"):
        return ExitStatus.FETCH_FAILURES
    return ExitStatus.OK
