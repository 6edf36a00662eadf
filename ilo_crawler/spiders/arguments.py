"""The ``newsroom`` spider's arguments (``-a name=value``), checked before any request is made."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ilo_crawler.sites.current.urls import FIRST_MONTH
from ilo_crawler.sites.registry import SITE_NAMES, SITES
from ilo_crawler.sites.scheme import SiteScheme
from ilo_crawler.spiders.seek import Month, month_after, month_before

#: The current site's first month, as the default of ``ILO_CURRENT_FIRST_MONTH`` gives it.
CURRENT_FIRST_MONTH: Month = (int(FIRST_MONTH[:4]), int(FIRST_MONTH[5:]))

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
#: The span ``all=1`` stands for: every month the listing can hold.
EVERY_MONTH: tuple[Month, Month] = ((1919, 1), (9999, 12))
#: Where pages are read: the WCMS site itself, the Wayback Machine's copies of it, or the
#: current site. Without ``source`` the months choose (``choose_source``).
SOURCES = ("live", "wayback", "current")
#: The site each source reads.
SITE_OF_SOURCE = {"live": "wcms", "wayback": "wcms", "current": "current"}


class ArgumentError(ValueError):
    """A spider argument that cannot be used; the message names the value and what is accepted."""


@dataclass(frozen=True)
class NewsroomArguments:
    """What a run archives: a span of months (one month, a range, or all) of one listing."""

    oldest: Month
    newest: Month
    lang: str
    listing: str
    #: the arguments in the order given, then the defaults of lang and listing (runs, summary)
    given: tuple[tuple[str, str], ...]
    incremental: bool = False  #: no span given: from the newest page down to what is archived
    refresh: bool = False  #: fetch article pages again even when their listing entry is unchanged
    #: ``live`` (the WCMS site), ``wayback`` (the web archive's captures of it) or ``current``
    source: str = "live"
    #: read the current site's sitemap in an incremental run (None: ``ILO_SITEMAP`` decides)
    sitemap: bool | None = None

    @property
    def site(self) -> SiteScheme:
        """The site this run navigates."""
        return site_of(self.source)

    ACCEPTED = (
        "month", "since", "until", "all", "lang", "listing", "refresh", "source", "sitemap"
    )  # fmt: skip

    def as_dict(self) -> dict[str, str]:
        return dict(self.given)

    @classmethod
    def parse(
        cls,
        arguments: Mapping[str, str],
        today: dt.date | None = None,
        wayback_span: tuple[Month, Month] | None = None,
        current_first: Month = CURRENT_FIRST_MONTH,
    ) -> NewsroomArguments:
        """The checked arguments; ``wayback_span`` (``ILO_WAYBACK_FIRST_MONTH``,
        ``ILO_WAYBACK_LAST_MONTH``): the months ``all=1`` stands for with ``source=wayback``; a
        web-archive span may reach its last month, where ``since`` without ``until`` ends.
        ``current_first`` (``ILO_CURRENT_FIRST_MONTH``): where the current site's months begin,
        for choosing the source when none is given."""
        unknown = sorted(set(arguments) - set(cls.ACCEPTED))
        if unknown:
            raise ArgumentError(
                f"unknown argument {unknown[0]!r}: accepted arguments are "
                + ", ".join(f"-a {name}=..." for name in cls.ACCEPTED)
            )
        incremental = not any(name in arguments for name in ("month", "since", "until", "all"))
        today = today or dt.datetime.now(dt.UTC).date()
        source = arguments.get("source")
        if source is not None and source not in SOURCES:
            raise ArgumentError(
                f"invalid source {source!r}: accepted sources are {', '.join(SOURCES)}"
            )
        if source is None:
            source = choose_source(arguments, today, current_first)
        backfill = source == "wayback" and wayback_span is not None
        # ``since`` without ``until`` ends at the WCMS newsroom's last month for the web archive
        last = min((today.year, today.month), wayback_span[1]) if backfill else None
        if incremental:
            oldest, newest = EVERY_MONTH
        else:
            oldest, newest = _span(arguments, today, last)
            if backfill and "all" in arguments:
                oldest, newest = wayback_span
        refresh = _flag("refresh", arguments.get("refresh", "0"))
        site = site_of(source)
        lang = arguments.get("lang", "en")
        if lang not in site.languages:
            raise ArgumentError(
                f"invalid lang {lang!r}: accepted languages are {', '.join(site.languages)}"
            )
        listing = arguments.get("listing", site.default_listing)
        if listing not in site.listings:
            raise ArgumentError(
                f"invalid listing {listing!r} for source {source} ({SITE_NAMES[site.name]}): "
                f"accepted listings are {', '.join(site.listings)}"
            )
        if source == "wayback" and incremental:
            raise ArgumentError(
                "source wayback needs the months to read: give -a month=YYYY-MM, or "
                "-a since=YYYY-MM [-a until=YYYY-MM], or -a all=1"
            )
        wayback_last = wayback_span[1] if wayback_span else None
        if source == "wayback" and wayback_last is not None and newest > wayback_last:
            raise ArgumentError(
                f"invalid span for source wayback: it reaches {newest[0]:04d}-{newest[1]:02d}, "
                f"after the WCMS newsroom's last month {wayback_last[0]:04d}-"
                f"{wayback_last[1]:02d} (ILO_WAYBACK_LAST_MONTH): expected months up to it"
            )
        sitemap = _flag("sitemap", arguments["sitemap"]) if "sitemap" in arguments else None
        if sitemap and not (incremental and source == "current"):
            raise ArgumentError(
                "-a sitemap=1 applies to incremental runs of the current site only (no month, "
                "since, until or all; source current): month and span runs read the listing"
            )
        given = {**arguments, "lang": lang, "listing": listing, "source": source}
        return cls(
            oldest,
            newest,
            lang,
            listing,
            tuple(given.items()),
            incremental,
            refresh,
            source,
            sitemap,
        )

    def months(self) -> list[Month]:
        """Every month of the span, oldest first (for a span of given months, not ``all``)."""
        month, found = self.oldest, []
        while month <= self.newest:
            found.append(month)
            month = month_after(month)
        return found


def site_of(source: str) -> SiteScheme:
    """The site a source reads (``live`` and ``wayback``: the WCMS)."""
    return SITES[SITE_OF_SOURCE[source]]


def choose_source(arguments: Mapping[str, str], today: dt.date, current_first: Month) -> str:
    """The source of a run given none: the current site for incremental runs and months from
    ``current_first`` on; the web archive for earlier months (the WCMS site is gone). A span
    across both is refused, naming the two runs that archive it."""
    if not any(name in arguments for name in ("month", "since", "until", "all")):
        return "current"
    oldest, newest = _span(arguments, today)
    if oldest >= current_first:
        return "current"
    if newest < current_first:
        return "wayback"
    first = f"{current_first[0]:04d}-{current_first[1]:02d}"
    last = f"{month_before(current_first)[0]:04d}-{month_before(current_first)[1]:02d}"
    if "all" in arguments:
        runs = "-a source=wayback -a all=1, and -a source=current -a all=1"
    else:
        until = arguments.get("until", f"{today:%Y-%m}")
        runs = (
            f"-a since={arguments['since']} -a until={last}, and -a since={first} -a until={until}"
        )
    raise ArgumentError(
        f"the span reaches from the WCMS newsroom (to {last}, read from the web archive) into "
        f"the current site (from {first}, ILO_CURRENT_FIRST_MONTH): give two runs, {runs} "
        "(or choose one with -a source=live|wayback|current)"
    )


def _flag(name: str, value: str) -> bool:
    if value not in ("0", "1"):
        raise ArgumentError(f"invalid {name} {value!r}: accepted values are 0 and 1")
    return value == "1"


def _span(
    arguments: Mapping[str, str], today: dt.date, last: Month | None = None
) -> tuple[Month, Month]:
    """The months to archive: ``month``; or ``since`` [to ``until``, default ``last``, else this
    month]; or all. (Called only when at least one of them is given.)"""
    chosen = [name for name in ("month", "since", "all") if name in arguments]
    if len(chosen) > 1:
        raise ArgumentError(
            f"arguments {' and '.join(chosen)} exclude each other: give -a month=YYYY-MM, "
            "or -a since=YYYY-MM [-a until=YYYY-MM], or -a all=1"
        )
    if "until" in arguments and "since" not in arguments:
        raise ArgumentError("argument until needs since: give -a since=YYYY-MM -a until=YYYY-MM")
    if "month" in arguments:
        month = _month("month", arguments["month"], today)
        return month, month
    if "all" in arguments:
        if arguments["all"] != "1":
            raise ArgumentError(f"invalid all {arguments['all']!r}: accepted value is 1")
        return EVERY_MONTH
    since = _month("since", arguments["since"], today)
    until = (
        _month("until", arguments["until"], today)
        if "until" in arguments
        else last or (today.year, today.month)
    )
    if since > until:
        raise ArgumentError(
            f"invalid range: since {arguments['since']!r} is after until "
            f"{arguments.get('until', f'{until[0]:04d}-{until[1]:02d}')!r}: expected since to be "
            "the same month as until or earlier"
        )
    return since, until


def _month(name: str, value: str, today: dt.date) -> Month:
    """A month from 1919 to the current one (a later month holds nothing yet)."""
    match = _MONTH.match(value)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1919:
        raise ArgumentError(
            f"invalid {name} {value!r}: expected YYYY-MM with a year from 1919 and a month "
            "01-12, e.g. 2021-11"
        )
    month = int(match[1]), int(match[2])
    if month > (today.year, today.month):
        raise ArgumentError(
            f"invalid {name} {value!r}: it is after the current month ({today:%Y-%m}); expected "
            f"a month from 1919-01 to {today:%Y-%m}"
        )
    return month


def current_first_month(settings: Any) -> Month:
    """``ILO_CURRENT_FIRST_MONTH``, refused (ArgumentError naming the setting) unless YYYY-MM."""
    return _month(
        "ILO_CURRENT_FIRST_MONTH",
        str(settings.get("ILO_CURRENT_FIRST_MONTH")),
        dt.datetime.now(dt.UTC).date(),
    )


def wayback_span(settings: Any) -> tuple[Month, Month]:
    """The retired newsroom's months in the web archive (``ILO_WAYBACK_FIRST_MONTH`` to
    ``ILO_WAYBACK_LAST_MONTH``), refused (ArgumentError naming the setting) unless YYYY-MM."""
    today = dt.datetime.now(dt.UTC).date()
    first, last = (
        _month(name, str(settings.get(name)), today)
        for name in ("ILO_WAYBACK_FIRST_MONTH", "ILO_WAYBACK_LAST_MONTH")
    )
    return first, last


def check_base_url(
    base_url: str, name: str = "ILO_BASE_URL", example: str = "https://www.ilo.org"
) -> str:
    """A site's base URL (setting ``name``), refused unless it is an http(s) URL with a host."""
    if not re.match(r"^https?://[^/\s]+/?$", base_url or ""):
        raise ArgumentError(
            f"invalid {name} {base_url!r}: expected an http(s) URL of a site root, e.g. {example}"
        )
    return base_url.rstrip("/")
