"""The small interface through which the spider navigates any site: a newest-first paginated
listing whose pages it can address and whose entries carry a date, and article pages. Each site
fills one ``SiteScheme`` (``sites/wcms/site.py``, ``sites/current/site.py``); the month seek, the
span walk and the incremental walk (``spiders/seek.py``) are written once against it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ilo_crawler.sites.pages import ArticlePage, ListingPage


@dataclass(frozen=True)
class SiteScheme:
    """What the spider needs to know of a site, and nothing more."""

    name: str  #: ``wcms`` or ``current``
    #: listing slug (``-a listing=``) -> its path
    listings: Mapping[str, str]
    default_listing: str
    #: the languages whose listings the crawler reads on this site
    languages: tuple[str, ...]
    #: (base URL, listing, language, page index, page size or None) -> the page's URL
    listing_url: Callable[[str, str, str, int, int | None], str]
    #: the listing slug a URL is a page of, None if it is none of this site's listings
    listing_of: Callable[[str], str | None]
    parse_listing: Callable[[bytes, str], ListingPage]
    parse_article: Callable[[bytes, str], ArticlePage]
    #: the document identity an article URL names (WCMS: ``WCMS_<n>``); None where the URL
    #: names none (the current site's slugs: its identity is in the page)
    identity_in_url: Callable[[str], str | None]
    #: is this URL one of the site's article pages?
    is_article_url: Callable[[str], bool]
    #: what to do when the site turns out not to serve the listing (said with the error)
    not_served_hint: str
