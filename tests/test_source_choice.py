"""Which source a run reads when ``-a source`` is not given: the months decide (pure: the
arguments' own parser, no crawler). The crawls that prove each choice reads the right replica
are in ``test_crawl_current.py``."""

from __future__ import annotations

import datetime as dt

import pytest

from ilo_crawler.spiders.arguments import ArgumentError, NewsroomArguments

TODAY = dt.date(2026, 12, 2)
WAYBACK = ((2010, 1), (2024, 4))


def parse(**arguments: str) -> NewsroomArguments:
    return NewsroomArguments.parse(arguments, TODAY, WAYBACK, (2024, 5))


@pytest.mark.parametrize(
    ("arguments", "source", "listing"),
    [
        ({}, "current", "all-news"),  # the cron run: what is new today
        ({"month": "2025-03"}, "current", "all-news"),
        ({"month": "2024-05"}, "current", "all-news"),
        ({"since": "2025-01"}, "current", "all-news"),
        ({"month": "2024-04"}, "wayback", "all-newsroom"),
        ({"month": "2021-11", "lang": "fr"}, "wayback", "all-newsroom"),
        ({"since": "2019-01", "until": "2020-12"}, "wayback", "all-newsroom"),
        ({"month": "2021-11", "source": "live"}, "live", "all-newsroom"),
        ({"month": "2021-11", "source": "current"}, "current", "all-news"),
        ({"month": "2025-03", "source": "wayback"}, None, None),
    ],
)
def test_the_months_choose_the_source(arguments: dict, source: str | None, listing: str) -> None:
    if source is None:
        with pytest.raises(ArgumentError, match="after the WCMS newsroom's last month"):
            parse(**arguments)
        return
    chosen = parse(**arguments)
    assert (chosen.source, chosen.listing, chosen.site.name) == (
        source,
        listing,
        "current" if source == "current" else "wcms",
    )
    assert chosen.as_dict()["source"] == source


@pytest.mark.parametrize(
    ("arguments", "runs"),
    [
        (
            {"since": "2023-06", "until": "2025-03"},
            "-a since=2023-06 -a until=2024-04, and -a since=2024-05 -a until=2025-03",
        ),
        ({"since": "2023-06"}, "-a since=2023-06 -a until=2024-04, and -a since=2024-05"),
        ({"all": "1"}, "-a source=wayback -a all=1, and -a source=current -a all=1"),
    ],
)
def test_a_span_across_both_sites_is_refused_naming_the_two_runs(
    arguments: dict, runs: str
) -> None:
    with pytest.raises(ArgumentError) as refused:
        parse(**arguments)
    assert runs in str(refused.value)
    assert "ILO_CURRENT_FIRST_MONTH" in str(refused.value)


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (
            {"source": "current", "listing": "press-releases"},
            "invalid listing 'press-releases' for source current (the current site): "
            "accepted listings are all-news",
        ),
        (
            {"month": "2021-11", "listing": "all-news"},
            "invalid listing 'all-news' for source wayback (the WCMS newsroom)",
        ),
        ({"source": "current", "lang": "xx"}, "invalid lang 'xx': accepted languages are en"),
        ({"source": "elsewhere"}, "invalid source 'elsewhere': accepted sources are live"),
    ],
)
def test_a_listing_or_language_the_site_lacks_is_refused(arguments: dict, named: str) -> None:
    with pytest.raises(ArgumentError, match=named.replace("(", r"\(").replace(")", r"\)")):
        parse(**arguments)
