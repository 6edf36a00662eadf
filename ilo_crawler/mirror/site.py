"""The replica's pages: listings, articles, robots.txt and 404s, rendered from the dataset.

``Site.respond`` is the whole web site as a function of (path, request headers), so it can be
tested without a socket; the HTTP server only copies its answer onto the wire. Listings are indexed
once, newest first, and pages are rendered on demand (by a layout of ``layouts``) and cached.
"""

from __future__ import annotations

import bisect
import datetime as dt
import email.utils
import functools
import hashlib
from collections.abc import Iterable, Mapping
from itertools import groupby
from urllib.parse import urlsplit

from ilo_crawler.langs import format_month_heading
from ilo_crawler.mirror.dataset import Record
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
from ilo_crawler.sites.wcms.urls import (
    article_path,
    listing_path,
    parse_article_path,
    parse_listing_path,
)

Headers = list[tuple[str, str]]
Response = tuple[int, Headers, bytes]

HTML_TYPE = "text/html; charset=utf-8"
ROBOTS_TXT = b"User-agent: *\nDisallow: /global/search/\nDisallow: /global/admin/\n"
#: Language versions in switcher order: English, French, Spanish, then the others by code.
_LANG_ORDER = ("en", "fr", "es")


def _lang_key(lang: str) -> tuple[int, str]:
    return (_LANG_ORDER.index(lang) if lang in _LANG_ORDER else len(_LANG_ORDER), lang)


def _http_date(day: dt.date) -> str:
    """Last-Modified of a page: noon UTC of its newest item's day, the same on every run."""
    moment = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    return email.utils.format_datetime(moment, usegmt=True)


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
    """The replica web site over a dataset, with ``page_size`` items a listing page.

    Pages are in the newest layout generation (the live site's), or in ``layout`` when given
    (a name in ``layouts.LAYOUTS``: an older generation, or the unreadable redesign "changed"; or
    a ``Layout`` of the caller's, as the tests' markups that no extraction knows).
    """

    def __init__(
        self,
        records: Iterable[Record],
        page_size: int = 10,
        cache_size: int = 4096,
        layout: str | Layout | None = None,
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

    def respond(self, path: str, headers: Mapping[str, str] | None = None) -> Response:
        """Status, headers and body of a GET of ``path`` (with its query string, if any).

        A query string (topic filters on the real site) is ignored. Conditional requests get 304
        when ``If-None-Match`` names the page's ETag or, without it, when ``If-Modified-Since`` is
        not older than the page's Last-Modified.
        """
        status, page_headers, body = self._render(urlsplit(path).path)
        if status != 200 or not headers:
            return status, list(page_headers), body
        request = {name.lower(): value for name, value in headers.items()}
        validators = dict(page_headers)
        if _not_modified(request, validators.get("ETag"), validators.get("Last-Modified")):
            kept = [
                (name, value) for name, value in page_headers if name in ("ETag", "Last-Modified")
            ]
            return 304, kept, b""
        return status, list(page_headers), body

    def _render_page(self, path: str) -> Response:
        if path == "/robots.txt":
            return 200, [("Content-Type", "text/plain; charset=utf-8")], ROBOTS_TXT
        location = parse_listing_path(path)
        if location is not None:
            records = self.listings.get((location.listing, location.lang))
            if not records:
                return self._not_found
            html, newest = self._listing_html(
                location.listing, location.lang, location.offset, records
            )
            return self._page(html, newest)
        key = parse_article_path(path)
        if key is not None:
            record = self.articles.get((key.doc_id, key.lang))
            if record is None or path != article_path(record.section, record.id, record.lang):
                return self._not_found
            return self._page(self._article_html(record), record.date)
        return self._not_found

    @staticmethod
    def _page(html: str, modified: dt.date) -> Response:
        body = html.encode("utf-8")
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20] + '"'
        return (
            200,
            [("Content-Type", HTML_TYPE), ("ETag", etag), ("Last-Modified", _http_date(modified))],
            body,
        )

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


def _not_modified(request: Mapping[str, str], etag: str | None, modified: str | None) -> bool:
    """Whether the client's copy is current (If-None-Match overrides If-Modified-Since)."""
    if "if-none-match" in request:
        tags = {tag.strip().removeprefix("W/") for tag in request["if-none-match"].split(",")}
        return "*" in tags or etag in tags
    if "if-modified-since" in request and modified:
        try:
            since = email.utils.parsedate_to_datetime(request["if-modified-since"])
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        return since >= email.utils.parsedate_to_datetime(modified)
    return False
