"""The sites the crawler reads, by name, and which one a URL belongs to."""

from __future__ import annotations

from ilo_crawler.sites.current.site import SITE as CURRENT
from ilo_crawler.sites.scheme import SiteScheme
from ilo_crawler.sites.wcms.site import SITE as WCMS

SITES: dict[str, SiteScheme] = {WCMS.name: WCMS, CURRENT.name: CURRENT}
#: How people call each site in messages.
SITE_NAMES = {"wcms": "the WCMS newsroom", "current": "the current site"}


def site_of_url(url: str) -> SiteScheme:
    """The site whose article or listing pages ``url`` is of (the WCMS where none claims it)."""
    for site in SITES.values():
        if site.is_article_url(url) or site.listing_of(url) is not None:
            return site
    return WCMS
