"""The WCMS newsroom as the spider navigates it: ``nextRow--N`` listing offsets, ``WCMS_<n>``
document URLs, the page objects of ``listing`` and ``article``."""

from __future__ import annotations

from ilo_crawler.sites import CRAWL_LANGUAGES
from ilo_crawler.sites.scheme import SiteScheme
from ilo_crawler.sites.wcms import urls
from ilo_crawler.sites.wcms.article import parse_article
from ilo_crawler.sites.wcms.listing import parse_listing


def _listing_url(base_url: str, listing: str, lang: str, index: int, page_size: int | None) -> str:
    return urls.listing_url(base_url, listing, lang, index * (page_size or 0))


def _listing_of(url: str) -> str | None:
    location = urls.parse_listing_path(url)
    return location.listing if location else None


def _identity_in_url(url: str) -> str | None:
    key = urls.parse_article_path(url)
    return key.doc_id if key else None


SITE = SiteScheme(
    name="wcms",
    listings=urls.LISTING_PATHS,
    default_listing="all-newsroom",
    languages=CRAWL_LANGUAGES,
    listing_url=_listing_url,
    listing_of=_listing_of,
    parse_listing=parse_listing,
    parse_article=parse_article,
    identity_in_url=_identity_in_url,
    is_article_url=lambda url: urls.parse_article_path(url) is not None,
    not_served_hint=(
        "the newsroom before April 2024 is in web archives: archive its months with "
        "-a source=wayback -a month=YYYY-MM"
    ),
)
