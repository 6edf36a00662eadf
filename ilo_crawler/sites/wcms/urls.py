"""The WCMS newsroom's URL scheme: the one place that knows how that site named its pages.

Both the crawler (to build and read URLs) and the replica in ``ilo_crawler.mirror`` (to serve them)
use this module, so a change of URL scheme on the real site is a change here only.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

#: Listing slug (the spider's ``-a listing=`` value) -> path of the listing, without ``/lang--xx/``.
LISTING_PATHS: dict[str, str] = {
    "all-newsroom": "/global/about-the-ilo/newsroom/all-newsroom",
    "news": "/global/about-the-ilo/newsroom/news",
    "press-releases": "/global/about-the-ilo/newsroom/media-centre/press-releases",
}

#: Article section slug -> path prefix of the article pages that live in it. (Articles are
#: recognised by their ``/WCMS_<n>/lang--xx/`` tail in any section; these are where the replica
#: puts them.)
ARTICLE_SECTION_PATHS: dict[str, str] = {
    "news": "/global/about-the-ilo/newsroom/news",
    "press-releases": "/global/about-the-ilo/newsroom/media-centre/press-releases",
}

_LISTING_RE = re.compile(
    r"^(?P<path>/.+?)/lang--(?P<lang>[a-z]{2})(?:/nextRow--(?P<offset>\d+))?/index\.htm$"
)
_LANG_RE = re.compile(r"/lang--(?P<lang>[a-z]{2})/")
#: A link to a path of the same site that ``urljoin`` gives back as it is after the origin: no
#: white space or control characters, no parameters, no empty query or fragment (and, checked
#: apart, no dot or empty path segments).
_PLAIN_PATH = re.compile(r"/[^\s\x00-\x1f?#;]*(?:\?[^\s\x00-\x1f#]+)?(?:#[^\s\x00-\x1f]+)?")
_ARTICLE_RE = re.compile(r"/(?P<doc_id>WCMS_\d+)/lang--(?P<lang>[a-z]{2})/index\.htm$")


@dataclass(frozen=True)
class ListingLocation:
    """Where a listing page sits: which listing, which language, at which item offset."""

    listing: str
    lang: str
    offset: int


@dataclass(frozen=True)
class ArticleKey:
    """The archive's key of an article: the CMS document id and the language of the page."""

    doc_id: str
    lang: str


def listing_path(listing: str, lang: str, offset: int = 0) -> str:
    """Path of the listing page that starts at item ``offset`` (0 is the first page)."""
    base = f"{LISTING_PATHS[listing]}/lang--{lang}"
    if offset:
        return f"{base}/nextRow--{offset}/index.htm"
    return f"{base}/index.htm"


def listing_url(base_url: str, listing: str, lang: str, offset: int = 0) -> str:
    return base_url.rstrip("/") + listing_path(listing, lang, offset)


def parse_listing_path(url_or_path: str) -> ListingLocation | None:
    """Read listing, language and offset from a listing URL; None if it is not a known listing."""
    path = urlsplit(url_or_path).path
    match = _LISTING_RE.match(path)
    if not match:
        return None
    for slug, listing_prefix in LISTING_PATHS.items():
        if match["path"] == listing_prefix:
            return ListingLocation(slug, match["lang"], int(match["offset"] or 0))
    return None


def join_url(base_url: str, href: str) -> str:
    """``urljoin(base_url, href)``, at a fraction of its cost for the commonest link on the
    site's pages: a path of the same site (every listing item, pager and translation link)."""
    if _PLAIN_PATH.fullmatch(href) and "/." not in href and "//" not in href:
        scheme, netloc = urlsplit(base_url)[:2]
        if scheme and netloc:
            return f"{scheme}://{netloc}{href}"
    return urljoin(base_url, href)


def offset_in_url(url: str) -> int | None:
    """The ``nextRow--N`` offset of any listing-like URL (0 for a first page), None if not one."""
    match = _LISTING_RE.match(urlsplit(url).path)
    return int(match["offset"] or 0) if match else None


def listing_series(url: str) -> tuple[str, str] | None:
    """The listing (its path) and language a listing-like URL belongs to, whatever its offset:
    two pages of one listing have the same series."""
    match = _LISTING_RE.match(urlsplit(url).path)
    return (match["path"], match["lang"]) if match else None


def language_in_url(url: str) -> str | None:
    """The ``lang--xx`` language a WCMS URL names, None if it names none."""
    match = _LANG_RE.search(urlsplit(url).path)
    return match["lang"] if match else None


def article_path(section: str, doc_id: str, lang: str) -> str:
    return f"{ARTICLE_SECTION_PATHS[section]}/{doc_id}/lang--{lang}/index.htm"


@functools.lru_cache(maxsize=1024)  # an item's URL is read several times as its page is read
def parse_article_path(url_or_path: str) -> ArticleKey | None:
    """The document id and language of an article URL, None if the URL names no document."""
    match = _ARTICLE_RE.search(urlsplit(url_or_path).path)
    if not match:
        return None
    return ArticleKey(match["doc_id"], match["lang"])
