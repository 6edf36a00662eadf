"""The current site's URL scheme: the one place that knows how www.ilo.org names its pages since
2024 (``../shared/site/current-site.md``). The crawler builds and reads URLs with it, the replica
serves them, so a change of the real scheme is a change here only.

Languages are a path prefix (none for English), listings are paged with Drupal's ``?page=N`` from
0, articles live under type-prefixed paths with pathauto slugs. A slug is not an identity (a
translation may keep the English slug or get its own); the node id every page declares is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from ilo_crawler.sites import NODE_PREFIX

#: Listing slug (the spider's ``-a listing=`` value) -> path of the listing, without language.
LISTING_PATHS: dict[str, str] = {
    "all-news": "/resource/news/all-news-recent",
}
DEFAULT_LISTING = "all-news"
#: The newsroom hub: featured cards only (some linking off-site), no pager; not a listing.
HUB_PATH = "/resource/news"

#: The sections articles are published under (``/resource/<section>/<slug>``, slugs may nest).
ARTICLE_SECTIONS: tuple[str, ...] = ("news", "article", "statement", "other")

#: The languages the site's theme knows, English first (it has no path prefix).
SITE_LANGUAGES: tuple[str, ...] = (
    "en", "ar", "de", "es", "fr", "it", "ja", "nl", "pt", "ru", "tr", "uk", "vi", "zh-hans",
)  # fmt: skip

#: The first month whose items the current site publishes (the WCMS newsroom's last item is of
#: 16 April 2024); the default of ``ILO_CURRENT_FIRST_MONTH``.
FIRST_MONTH = "2024-05"

_PREFIX_RE = re.compile(r"^/(?P<lang>[a-z]{2}(?:-[a-z]+)?)(?=/)")
_ARTICLE_RE = re.compile(
    r"^/resource/(?P<section>" + "|".join(ARTICLE_SECTIONS) + r")/(?P<slug>[^?#]+?)/?$"
)


@dataclass(frozen=True)
class ListingLocation:
    """Where a listing page sits: which listing, which language, which page (0 first)."""

    listing: str
    lang: str
    page: int


@dataclass(frozen=True)
class ArticleLocation:
    """Where an article page sits: its section, its slug and the language of its prefix."""

    section: str
    slug: str
    lang: str


def node_doc_id(node_id: str) -> str:
    """The archive's document id of a Drupal node (``node:<nid>``; WCMS documents are
    ``WCMS_<n>``): translations of one node are one document in several languages."""
    return f"{NODE_PREFIX}{node_id}"


def _split_language(path: str) -> tuple[str, str]:
    """The language a path's prefix names (English without one) and the path without it."""
    match = _PREFIX_RE.match(path)
    if match and match["lang"] in SITE_LANGUAGES and match["lang"] != "en":
        return match["lang"], path[match.end() :]
    return "en", path


def language_prefix(lang: str) -> str:
    return "" if lang == "en" else f"/{lang}"


def listing_path(listing: str, lang: str, page: int = 0) -> str:
    """Path (with query) of a listing's page ``page``, 0 the first, which has no query."""
    path = language_prefix(lang) + LISTING_PATHS[listing]
    return f"{path}?page={page}" if page else path


def listing_url(base_url: str, listing: str, lang: str, page: int = 0) -> str:
    return base_url.rstrip("/") + listing_path(listing, lang, page)


def parse_listing_url(url: str) -> ListingLocation | None:
    """Listing, language and page of a listing URL; None if it is not a known listing."""
    parts = urlsplit(url)
    lang, path = _split_language(parts.path)
    for slug, listing_prefix in LISTING_PATHS.items():
        if path.rstrip("/") == listing_prefix:
            page = dict(parse_qsl(parts.query)).get("page", "0")
            return ListingLocation(slug, lang, int(page) if page.isdigit() else 0)
    return None


def page_in_url(url: str) -> int:
    """The ``?page=N`` of a URL (0 without one)."""
    page = dict(parse_qsl(urlsplit(url).query)).get("page", "0")
    return int(page) if page.isdigit() else 0


def same_listing(url: str, other: str) -> bool:
    """Whether two URLs are pages of one listing: the same path and the same query but for
    ``page`` (another filter is another listing)."""

    def key(address: str) -> tuple[str, list[tuple[str, str]]]:
        parts = urlsplit(address)
        query = sorted((k, v) for k, v in parse_qsl(parts.query) if k != "page")
        return parts.path.rstrip("/") or "/", query

    return key(url) == key(other)


def with_page(url: str, page: int) -> str:
    """The URL of page ``page`` of the listing ``url`` is a page of (other parameters kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page"]
    if page:
        query.append(("page", str(page)))
    return parts._replace(query=urlencode(query)).geturl()


def article_path(section: str, slug: str, lang: str) -> str:
    return f"{language_prefix(lang)}/resource/{section}/{slug}"


def parse_article_url(url: str) -> ArticleLocation | None:
    """Section, slug and language of an article URL; None if the URL is no article page (a
    listing, the news hub, another site)."""
    lang, path = _split_language(urlsplit(url).path)
    if any(path.rstrip("/") == listing for listing in LISTING_PATHS.values()):
        return None
    match = _ARTICLE_RE.match(path)
    return ArticleLocation(match["section"], match["slug"], lang) if match else None


def language_of(url: str) -> str:
    """The language a current-site URL's path prefix names (English without one)."""
    return _split_language(urlsplit(url).path)[0]


#: Where simple_sitemap serves the site's sitemap when robots.txt names none (an index of
#: ``?page=N`` children, each ``<url>`` with its ``<lastmod>`` and its translations).
SITEMAP_PATH = "/sitemap.xml"


def sitemap_url(base_url: str) -> str:
    return base_url.rstrip("/") + SITEMAP_PATH


def is_sitemap_article(url: str, lang: str) -> bool:
    """Whether a sitemap ``<loc>`` is an article page in ``lang`` (the sitemap also lists the
    listings, the hub and every other language's pages)."""
    return parse_article_url(url) is not None and language_of(url) == lang
