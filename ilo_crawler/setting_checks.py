"""Every ``ILO_*`` setting, and every setting of Scrapy's own that the crawl depends on, checked
before a crawl makes its first request, against tables of what each accepts (``ACCEPTED``,
``SCRAPY_ACCEPTED``): a bad value is one line naming the setting, the value and what is accepted
(exit status 2), never a traceback from deep inside the crawl, a crawl that never starts, or an
empty archive left behind."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from ilo_crawler.normalize.categories import TaxonomyError, load_taxonomy
from ilo_crawler.spiders.arguments import ArgumentError, check_base_url


class _Unusable(ValueError):
    """A value of the right form that still cannot be used; the message says why."""


def _whole(
    minimum: int, what: str = "a whole number", zero: str = ""
) -> tuple[str, Callable[[Any], None]]:
    """``zero``: what 0 means, where it means something other than none."""

    def check(value: Any) -> None:
        if isinstance(value, bool) or int(str(value)) < minimum:
            raise ValueError

    return f"{what} from {minimum}" + (f" (0: {zero})" if zero else ""), check


def _not_negative(value: Any) -> None:
    if isinstance(value, bool) or not float(value) >= 0:  # NaN fails too
        raise ValueError


def _site(example: str) -> tuple[str, Callable[[Any], None]]:
    def check(value: Any) -> None:
        try:
            check_base_url(str(value or ""))
        except ArgumentError:
            raise ValueError from None

    return f"an http(s) URL of a site root, e.g. {example}", check


def _one_of(*accepted: str) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if value not in accepted:
            raise ValueError

    return check


def _url(value: Any) -> None:
    if not re.match(r"^https?://[^/\s]+\S*$", str(value or "")):
        raise ValueError


def _archive_path(value: Any) -> None:
    if not str(value or "").strip():
        raise ValueError


def _taxonomy(value: Any) -> None:
    """None (the shipped taxonomy) or a file that loads as one; its problem is named."""
    if value is None:
        return
    try:
        load_taxonomy(Path(value))
    except OSError as error:
        raise _Unusable(error.strerror or str(error)) from error
    except TaxonomyError as error:
        raise _Unusable(str(error)) from error


def _positive(value: Any) -> None:
    if isinstance(value, bool) or not float(value) > 0:
        raise ValueError


def _share(value: Any) -> None:
    if isinstance(value, bool) or not 0 < float(value) <= 1:
        raise ValueError


def _boolean(value: Any) -> None:
    """What Scrapy's ``getbool`` takes, and nothing it would refuse later."""
    BaseSettings({"value": value}).getbool("value")


def _log_level(value: Any) -> None:
    if value not in logging.getLevelNamesMapping() and not isinstance(value, int):
        raise ValueError


def _status_codes(value: Any) -> None:
    """What Scrapy's retry middleware takes: a list, or a comma-separated string, of codes."""
    for code in BaseSettings({"value": value}).getlist("value"):
        if isinstance(code, bool) or not 100 <= int(str(code).strip()) <= 599:
            raise ValueError


def _month(value: Any) -> None:
    match = re.fullmatch(r"(\d{4})-(\d{2})", str(value or ""))
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError


def _boolean(value: Any) -> None:
    """What Scrapy's ``getbool`` reads: True, False, 1, 0 (or their text)."""
    if str(value).lower() not in ("true", "false", "1", "0"):
        raise ValueError


_SECONDS = ("a number of seconds from 0, e.g. 2.5", _not_negative)
_RATE = ("a number of requests a minute above 0, e.g. 24", _positive)
_MONTH = ("a month YYYY-MM, e.g. 2024-04", _month)

#: Each ``ILO_*`` setting: what it accepts (said in the error) and the check of a value.
ACCEPTED: dict[str, tuple[str, Callable[[Any], None]]] = {
    "ILO_BASE_URL": _site("https://www.ilo.org"),
    "ILO_CONTACT_URL": ("an http(s) URL", _url),
    "ILO_ARCHIVE_PATH": ("a file path, e.g. data/archive.db", _archive_path),
    "ILO_STORAGE_BATCH_SIZE": _whole(1),
    "ILO_STORAGE_QUEUE_BATCHES": _whole(1),
    "ILO_PAGE_READERS": _whole(0),
    "ILO_TAXONOMY_PATH": ("a readable taxonomy TOML file (unset: the shipped one)", _taxonomy),
    "ILO_INCREMENTAL_MARGIN_DAYS": _whole(0),
    "ILO_SITEMAP": ("True or False", _boolean),
    "ILO_RETRY_BACKOFF_BASE": _SECONDS,
    "ILO_RETRY_BACKOFF_MAX": _SECONDS,
    "ILO_RETRY_AFTER_MAX": _SECONDS,
    "ILO_RETRY_JITTER": ("a share from 0, e.g. 0.5", _not_negative),
    "ILO_WAYBACK_URL": _site("https://web.archive.org"),
    "ILO_WAYBACK_LISTING_WINDOW_DAYS": _whole(0),
    "ILO_WAYBACK_CDX_PER_MINUTE": _RATE,
    "ILO_WAYBACK_CAPTURES_PER_MINUTE": _RATE,
    "ILO_WAYBACK_CAPTURE_CONCURRENCY": _whole(1),
    "ILO_WAYBACK_429_PAUSE": _SECONDS,
    "ILO_WAYBACK_SLOWDOWN": ("a share above 0 and at most 1, e.g. 0.5", _share),
    "ILO_WAYBACK_BLOCK_HOURS": ("a number of hours from 0, e.g. 1", _not_negative),
    "ILO_WAYBACK_TIME_SCALE": ("a factor from 0, e.g. 1 (0.001 for the replica)", _not_negative),
    "ILO_WAYBACK_LAST_MONTH": _MONTH,
    "ILO_WAYBACK_FIRST_MONTH": _MONTH,
    "ILO_CURRENT_FIRST_MONTH": _MONTH,
    "ILO_WAYBACK_MONTHS_AT_ONCE": _whole(1),
    "ILO_WAYBACK_CDX_PAGE_ROWS": _whole(1),
    "ILO_WAYBACK_RETRY_TIMES": _whole(0),
    "ILO_CONSOLE": ("one of auto, terminal, log", _one_of("auto", "terminal", "log")),
    "ILO_PROGRESS_INTERVAL": _SECONDS,
}


_BOOLEAN = ("0 or 1 (or True/False, true/false)", _boolean)
_TIMEOUT = ("a number of seconds above 0, e.g. 60", _positive)

#: Scrapy's own settings that the crawl depends on (how many requests at once, how fast, how long
#: and how often it waits, what it logs), each as ``ACCEPTED``. Scrapy reads them only once the
#: crawl has started: a value it cannot use is a traceback there, and a concurrency of 0 a crawl
#: that never makes a request and waits forever.
SCRAPY_ACCEPTED: dict[str, tuple[str, Callable[[Any], None]]] = {
    "CONCURRENT_REQUESTS": _whole(1),
    "CONCURRENT_REQUESTS_PER_DOMAIN": _whole(1),
    "CONCURRENT_ITEMS": _whole(1),
    "DOWNLOAD_DELAY": _SECONDS,
    "RANDOMIZE_DOWNLOAD_DELAY": _BOOLEAN,
    "DOWNLOAD_TIMEOUT": _TIMEOUT,
    "DNS_TIMEOUT": _TIMEOUT,
    "DOWNLOAD_MAXSIZE": _whole(0, "a number of bytes", zero="no limit"),
    "DOWNLOAD_WARNSIZE": _whole(0, "a number of bytes", zero="no warning"),
    "DOWNLOAD_FAIL_ON_DATALOSS": _BOOLEAN,
    "RETRY_ENABLED": _BOOLEAN,
    "RETRY_TIMES": _whole(0),
    "RETRY_HTTP_CODES": ("HTTP status codes separated by commas, e.g. 500,503", _status_codes),
    "AUTOTHROTTLE_ENABLED": _BOOLEAN,
    "AUTOTHROTTLE_START_DELAY": _SECONDS,
    "AUTOTHROTTLE_MAX_DELAY": _SECONDS,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": ("a number above 0, e.g. 1.0", _positive),
    "AUTOTHROTTLE_DEBUG": _BOOLEAN,
    "ROBOTSTXT_OBEY": _BOOLEAN,
    "METAREFRESH_ENABLED": _BOOLEAN,
    "CLOSESPIDER_TIMEOUT": ("a number of seconds from 0 (0: no limit)", _not_negative),
    "CLOSESPIDER_ITEMCOUNT": _whole(0, zero="no limit"),
    "CLOSESPIDER_PAGECOUNT": _whole(0, zero="no limit"),
    "CLOSESPIDER_ERRORCOUNT": _whole(0, zero="no limit"),
    "DEPTH_LIMIT": _whole(0, zero="no limit"),
    "LOG_ENABLED": _BOOLEAN,
    "LOG_LEVEL": ("one of DEBUG, INFO, WARNING, ERROR, CRITICAL", _log_level),
    "LOG_STDOUT": _BOOLEAN,
}


def _refused(name: str, value: Any, accepted: str, check: Callable[[Any], None]) -> None:
    """Raise ArgumentError naming the setting, its value and what is accepted if it is refused."""
    try:
        check(value)
    except (ValueError, TypeError) as error:
        cause = f" ({error})" if isinstance(error, _Unusable) else ""
        raise ArgumentError(
            f"invalid setting {name} {value!r}{cause}: expected {accepted}"
        ) from None


def check_settings(settings: BaseSettings) -> None:
    """Raise ArgumentError for the first setting whose value is refused (an ``ILO_*`` one, or one
    of Scrapy's in ``SCRAPY_ACCEPTED``), or an ``ILO_*`` setting given on the command line that
    does not exist (a typo would otherwise be ignored silently)."""
    for name, value in settings.items():
        if not name.startswith("ILO_"):
            continue
        if name not in ACCEPTED:
            if (settings.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:
                continue  # a project setting: tests/test_crawl_setup.py holds the table to them
            raise ArgumentError(
                f"unknown setting {name}: the ilo-crawler settings are " + ", ".join(ACCEPTED)
            )
        _refused(name, value, *ACCEPTED[name])
    for name, (accepted, check) in SCRAPY_ACCEPTED.items():
        _refused(name, settings.get(name), accepted, check)
