"""The current site as the spider navigates it: the "All news" listing paged with ``?page=N``,
articles under ``/resource/<section>/<slug>`` whose identity (the node) is in the page, the page
objects of ``listing`` and ``article``."""

from __future__ import annotations

from ilo_crawler.sites import CRAWL_LANGUAGES
from ilo_crawler.sites.current import urls
from ilo_crawler.sites.current.article import parse_article
from ilo_crawler.sites.current.listing import parse_listing
from ilo_crawler.sites.scheme import SiteScheme


def _listing_url(base_url: str, listing: str, lang: str, index: int, page_size: int | None) -> str:
    return urls.listing_url(base_url, listing, lang, index)


def _listing_of(url: str) -> str | None:
    location = urls.parse_listing_url(url)
    return location.listing if location else None


SITE = SiteScheme(
    name="current",
    listings=urls.LISTING_PATHS,
    default_listing=urls.DEFAULT_LISTING,
    languages=tuple(lang for lang in CRAWL_LANGUAGES if lang in urls.SITE_LANGUAGES),
    listing_url=_listing_url,
    listing_of=_listing_of,
    parse_listing=parse_listing,
    parse_article=parse_article,
    identity_in_url=lambda url: None,
    is_article_url=lambda url: urls.parse_article_url(url) is not None,
    not_served_hint=(
        "the current site's listing moved or changed: its URL scheme is in "
        "ilo_crawler/sites/current/urls.py"
    ),
)
