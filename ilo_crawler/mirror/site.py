"""The replica's host: the WCMS newsroom's listings and articles, the current site's pages
(``current.py``), robots.txt and 404s, rendered from the dataset.

``Site.respond`` is the whole web site as a function of (path, request headers), so it can be
tested without a socket; the HTTP server only copies its answer onto the wire. Both sites are on
one host, as on www.ilo.org: the WCMS until it is ``retired`` (then its URLs answer as the live
site answers them since 2024), the current site always. Listings are indexed once, newest first,
and pages are rendered on demand (by a layout of ``layouts`` or ``current_layouts``) and cached.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from itertools import groupby
from urllib.parse import urlsplit

from ilo_crawler.langs import format_month_heading
from ilo_crawler.mirror.current import CURRENT_PAGE_SIZE, CurrentSite
from ilo_crawler.mirror.current_layouts import CurrentLayout
from ilo_crawler.mirror.dataset import Node, Record
from ilo_crawler.mirror.layouts import (
    LAYOUTS,
    NEWEST_LAYOUT,
    ArticlePage,
    Layout,
    ListingPage,
    Pager,
    interface_text,
    page_title,
)
from ilo_crawler.mirror.responses import HTML_TYPE, Headers, Response, conditional, moved, page
from ilo_crawler.sites import DEFAULT_BASE_URL
from ilo_crawler.sites.wcms.urls import (
    ArticleKey,
    ListingLocation,
    article_path,
    listing_path,
    parse_article_path,
    parse_listing_path,
)

__all__ = ["HTML_TYPE", "Headers", "Response", "Site"]

#: Drupal 10's default robots.txt, the current site's.
DRUPAL_ROBOTS_TXT = """#
# robots.txt
#
# This file is to prevent the crawling and indexing of certain parts
# of your site by web crawlers and spiders run by sites like Yahoo!
# and Google. By telling these "robots" where not to go on your site,
# you save bandwidth and server resources.
#
# This file will be ignored unless it is at the root of your host:
# Used:    http://example.com/robots.txt
# Ignored: http://example.com/site/robots.txt
#
# For more information about the robots.txt standard, see:
# http://www.robotstxt.org/robotstxt.html

User-agent: *
# CSS, JS, Images
Allow: /core/*.css$
Allow: /core/*.css?
Allow: /core/*.js$
Allow: /core/*.js?
Allow: /core/*.gif
Allow: /core/*.jpg
Allow: /core/*.jpeg
Allow: /core/*.png
Allow: /core/*.svg
Allow: /profiles/*.css$
Allow: /profiles/*.css?
Allow: /profiles/*.js$
Allow: /profiles/*.js?
Allow: /profiles/*.gif
Allow: /profiles/*.jpg
Allow: /profiles/*.jpeg
Allow: /profiles/*.png
Allow: /profiles/*.svg
# Directories
Disallow: /core/
Disallow: /profiles/
# Files
Disallow: /README.md
Disallow: /composer/Metapackage/README.txt
Disallow: /composer/Plugin/ProjectMessage/README.md
Disallow: /composer/Plugin/Scaffold/README.md
Disallow: /composer/Plugin/VendorHardening/README.txt
Disallow: /composer/Template/README.txt
Disallow: /modules/README.txt
Disallow: /sites/README.txt
Disallow: /themes/README.txt
Disallow: /web.config
# Paths (clean URLs)
Disallow: /admin/
Disallow: /comment/reply/
Disallow: /filter/tips
Disallow: /node/add/
Disallow: /search/
Disallow: /user/register
Disallow: /user/password
Disallow: /user/login
Disallow: /user/logout
Disallow: /media/oembed
Disallow: /*/media/oembed
# Paths (no clean URLs)
Disallow: /index.php/admin/
Disallow: /index.php/comment/reply/
Disallow: /index.php/filter/tips
Disallow: /index.php/node/add/
Disallow: /index.php/search/
Disallow: /index.php/user/password
Disallow: /index.php/user/register
Disallow: /index.php/user/login
Disallow: /index.php/user/logout
Disallow: /index.php/media/oembed
Disallow: /index.php/*/media/oembed
"""
#: The WCMS's own lines, in the same group, while the WCMS is served.
WCMS_ROBOTS_LINES = "# WCMS\nDisallow: /global/search/\nDisallow: /global/admin/\n"
TEXT_TYPE = "text/plain; charset=utf-8"
#: Language versions in switcher order: English, French, Spanish, then the others by code.
_LANG_ORDER = ("en", "fr", "es")


def _lang_key(lang: str) -> tuple[int, str]:
    return (_LANG_ORDER.index(lang) if lang in _LANG_ORDER else len(_LANG_ORDER), lang)


def _base_url(host: str | None) -> str:
    """The root absolute URLs start with: the one the request came to (its ``Host``), as
    Drupal writes them; the real site's without one (a page rendered without a socket)."""
    return f"http://{host}" if host else DEFAULT_BASE_URL


def _crumbs(lang: str, last: str) -> list[tuple[str, str | None]]:
    return [
        (interface_text(lang, "home"), f"/global/lang--{lang}/index.htm"),
        (interface_text(lang, "about"), f"/global/about-the-ilo/lang--{lang}/index.htm"),
        (interface_text(lang, "newsroom"), listing_path("all-newsroom", lang)),
        (last, None),
    ]


def _not_found_body() -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{interface_text('en', 'not_found')}</title>\n</head>\n<body>\n"
        f"<h1>{interface_text('en', 'not_found')}</h1>\n<p>{interface_text('en', 'not_found_text')}</p>\n"
        "</body>\n</html>\n"
    ).encode()


class Site:
    """The replica web site over a dataset, with ``page_size`` items a WCMS listing page.

    WCMS pages are in the newest layout generation (the live site's), or in ``layout`` when given
    (a name in ``layouts.LAYOUTS``: an older generation, or the unreadable redesign "changed"; or
    a ``Layout`` of the caller's, as the tests' markups that no extraction knows). The current
    site serves ``nodes``, ``current_page_size`` cards a listing page, in ``current_layout``
    (``current_layouts``). ``retired``: the WCMS as the live site answers its URLs since 2024
    (listings moved to the current one, migrated articles to their nodes, the rest gone).
    """

    def __init__(
        self,
        records: Iterable[Record],
        page_size: int = 10,
        cache_size: int = 4096,
        layout: str | Layout | None = None,
        *,
        nodes: Iterable[Node] = (),
        current_page_size: int = CURRENT_PAGE_SIZE,
        current_layout: str | CurrentLayout | None = None,
        retired: bool = False,
    ) -> None:
        if page_size < 1:
            raise ValueError(f"page size must be at least 1, got {page_size}")
        if isinstance(layout, str) and layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
        self.page_size = page_size
        self.layout = layout or NEWEST_LAYOUT
        #: (listing, lang) -> its records, newest first: item ``i`` is at offset ``i``.
        self.listings: dict[tuple[str, str], list[Record]] = {}
        #: (id, lang) -> record, and id -> its language versions (en, fr, es, then others).
        self.articles: dict[tuple[str, str], Record] = {}
        self.languages: dict[str, list[Record]] = {}
        for record in records:
            self.articles[record.id, record.lang] = record
            self.languages.setdefault(record.id, []).append(record)
            for listing in record.listings:
                self.listings.setdefault((listing, record.lang), []).append(record)
        for records_ in self.listings.values():
            records_.sort(key=lambda record: record.date, reverse=True)  # stable: ties keep order
        for versions in self.languages.values():
            versions.sort(key=lambda record: _lang_key(record.lang))
        self.current = CurrentSite(nodes, current_page_size, current_layout)
        self.retired = retired
        self._robots = (DRUPAL_ROBOTS_TXT + ("" if retired else WCMS_ROBOTS_LINES)).encode()
        self._render = functools.lru_cache(maxsize=cache_size)(self._render_page)
        self._not_found: Response = (404, [("Content-Type", HTML_TYPE)], _not_found_body())

    def publish(self, record: Record) -> None:
        """Add an article while serving, as the real site does while a crawler walks it.

        It goes where its date puts it in each of its listings, ahead of items of the same date
        (at the top for an item dated on or after the newest), so every later offset shifts by
        one. Not thread-safe: the caller serialises it with ``respond``.
        """
        key = (record.id, record.lang)
        if key in self.articles:
            raise ValueError(f"{record.id} in {record.lang!r} is already served")
        self.articles[key] = record
        versions = self.languages.setdefault(record.id, [])
        versions.append(record)
        versions.sort(key=lambda version: _lang_key(version.lang))
        for listing in record.listings:
            records = self.listings.setdefault((listing, record.lang), [])
            newer = bisect.bisect_left(records, -record.date.toordinal(), key=_newest_first)
            records.insert(newer, record)
        self._render.cache_clear()

    def publish_node(self, node: Node) -> None:
        """Add a node of the current site while serving (``CurrentSite.publish``)."""
        self.current.publish(node)
        self._render.cache_clear()

    def respond(self, path: str, headers: Mapping[str, str] | None = None) -> Response:
        """Status, headers and body of a GET of ``path`` (with its query string, if any).

        A query string (topic filters on the real site) is ignored on WCMS pages; the current
        listing reads its ``page``. Conditional requests get 304 when ``If-None-Match`` names the
        page's ETag or, without it, when ``If-Modified-Since`` is not older than the page's
        Last-Modified.
        """
        request = {name.lower(): value for name, value in (headers or {}).items()}
        parts = urlsplit(path)
        status, page_headers, body = self._render(
            parts.path, parts.query, _base_url(request.get("host"))
        )
        return conditional((status, list(page_headers), body), request)

    def _render_page(self, path: str, query: str, base: str) -> Response:
        if path == "/robots.txt":
            return 200, [("Content-Type", TEXT_TYPE)], self._robots
        location = parse_listing_path(path)
        key = parse_article_path(path) if location is None else None
        if self.retired and (location or key):
            return self._retired(location, key, path, base)
        if location is not None:
            records = self.listings.get((location.listing, location.lang))
            if not records:
                return self._not_found
            html, newest = self._listing_html(
                location.listing, location.lang, location.offset, records
            )
            return self._page(html, newest)
        if key is not None:
            record = self.articles.get((key.doc_id, key.lang))
            if record is None or path != article_path(record.section, record.id, record.lang):
                return self._not_found
            return self._page(self._article_html(record), record.date)
        answer = self.current.render(path, query, base)
        if answer is not None:
            return answer
        if path.startswith("/global/") and not self.retired:
            return self._not_found
        return self.current.not_found(path)

    def _retired(
        self, location: ListingLocation | None, key: ArticleKey | None, path: str, base: str
    ) -> Response:
        """A WCMS URL on the retired site: a listing moves to the current listing, a migrated
        article to its node, an article never migrated is gone (Drupal's 404)."""
        if location is not None:
            return moved(self.current.moved_listing(location, base))
        assert key is not None
        node_url = self.current.moved_article(key.doc_id, key.lang, base)
        return moved(node_url) if node_url else self.current.not_found(path)

    @staticmethod
    def _page(html: str, modified: dt.date) -> Response:
        return page(html, modified)

    def _listing_html(
        self, listing: str, lang: str, offset: int, records: list[Record], layout: str | None = None
    ) -> tuple[str, dt.date]:
        """The listing page at ``offset`` of ``records``, in ``layout`` (None: the site's own),
        and the date of its newest item (its Last-Modified)."""
        shown = records[offset : offset + self.page_size]
        title = page_title(listing, lang)
        groups = [
            (format_month_heading(year, month, lang), list(items))
            for (year, month), items in groupby(shown, key=lambda r: (r.date.year, r.date.month))
        ]
        languages = [
            (other, listing_path(listing, other))
            for other in sorted(
                (o for (name, o) in self.listings if name == listing and o != lang), key=_lang_key
            )
        ]
        pager = Pager(listing, lang, self.page_size, offset, len(records), len(shown))
        page = ListingPage(listing, lang, title, _crumbs(lang, title), groups, pager, languages)
        return self._layout(layout).listing(page), (shown or records)[0].date

    def _article_html(self, record: Record, layout: str | None = None) -> str:
        """The article page of ``record``, in ``layout`` (None: the site's own)."""
        languages = [
            (other.lang, article_path(other.section, other.id, other.lang))
            for other in self.languages[record.id]
            if other.lang != record.lang
        ]
        page = ArticlePage(record, _crumbs(record.lang, record.title), languages)
        return self._layout(layout).article(page)

    def _layout(self, name: str | None) -> Layout:
        chosen = name or self.layout
        return LAYOUTS[chosen] if isinstance(chosen, str) else chosen


def _newest_first(record: Record) -> int:
    """Sort key of a listing (newest first), for ``bisect``."""
    return -record.date.toordinal()
