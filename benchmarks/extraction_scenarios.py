"""Extraction without a crawler: ms per listing page and per article page, by each layout
generation's selectors and by content (the layer that reads a page no selectors know).

Pages are rendered by the replica from the default dataset in each generation. The selector path
is ``parse_listing`` / ``parse_article`` as the spider calls them; the content path is the same
page read by content alone (``find_entries`` and ``read_document``, HTML parsing included), which
is what an unknown markup costs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from harness import Context, ScenarioResult

from ilo_crawler.extract.document import read_document
from ilo_crawler.extract.entries import find_entries
from ilo_crawler.extract.text import parse_html
from ilo_crawler.mirror.site import Site
from ilo_crawler.sites.wcms import urls
from ilo_crawler.sites.wcms.article import parse_article
from ilo_crawler.sites.wcms.listing import documents_linked, parse_listing

GENERATIONS = ("wcms2010", "wcms2014", "wcms2019")
BASE = "http://127.0.0.1"
#: Pages of each kind read per generation and run (every 7th listing page: all months and years).
LISTING_PAGES = 150
ARTICLE_PAGES = 300
LISTING_GOAL_MS = 3.0
ARTICLE_GOAL_MS = 5.0


def _listing_by_content(html: bytes, url: str) -> int:
    return len(find_entries(parse_html(html), "en", documents_linked(url)))


def _article_by_content(html: bytes, url: str) -> int:
    return len(read_document(parse_html(html), "en").body)


def _ms_per_page(read: Callable[[bytes, str], object], pages: Sequence[tuple[bytes, str]]) -> float:
    started = time.perf_counter()
    for html, url in pages:
        read(html, url)
    return 1000 * (time.perf_counter() - started) / len(pages)


def extraction(ctx: Context) -> ScenarioResult:
    result = ScenarioResult("extraction")
    english = [record for record in ctx.records if record.lang == "en"]
    for generation in GENERATIONS:
        site = Site(english, layout=generation)
        listed = site.listings["all-newsroom", "en"]
        listings = [
            (site.respond(path)[2], BASE + path)
            for offset in range(0, len(listed), 70)[:LISTING_PAGES]
            for path in [urls.listing_path("all-newsroom", "en", offset)]
        ]
        articles = [
            (site.respond(path)[2], BASE + path)
            for record in english[:: max(1, len(english) // ARTICLE_PAGES)][:ARTICLE_PAGES]
            for path in [urls.article_path(record.section, record.id, record.lang)]
        ]
        for _ in range(ctx.repeat):
            result.add(
                f"{generation} listing selectors ms/page", _ms_per_page(parse_listing, listings)
            )
            result.add(
                f"{generation} listing content ms/page", _ms_per_page(_listing_by_content, listings)
            )
            result.add(
                f"{generation} article selectors ms/page", _ms_per_page(parse_article, articles)
            )
            result.add(
                f"{generation} article content ms/page", _ms_per_page(_article_by_content, articles)
            )
        result.details[f"{generation} pages"] = {"listing": len(listings), "article": len(articles)}
    worst_listing = max(result.median(f"{g} listing content ms/page") for g in GENERATIONS)
    worst_article = max(result.median(f"{g} article content ms/page") for g in GENERATIONS)
    result.target(
        "content path, listing page (ms, slowest generation)",
        worst_listing,
        f"≤ {LISTING_GOAL_MS}",
        worst_listing <= LISTING_GOAL_MS,
    )
    result.target(
        "content path, article page (ms, slowest generation)",
        worst_article,
        f"≤ {ARTICLE_GOAL_MS}",
        worst_article <= ARTICLE_GOAL_MS,
    )
    return result
