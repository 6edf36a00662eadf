"""The current site's pages (www.ilo.org since 2024): the "All news" listing in every language it
has nodes in, an article page per node and language, the sitemap, Drupal's 404 page, and the
answers the retired WCMS URLs get.

``CurrentSite.render`` is the site as a function of (path, query, base URL), like ``Site.respond``
for the WCMS; ``Site`` serves both on one host. Absolute URLs (card links, canonical, hreflang,
sitemap) start with the base URL the request came to (its ``Host``), as Drupal's do.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from urllib.parse import parse_qsl, unquote

from ilo_crawler.mirror import drupal
from ilo_crawler.mirror.current_content import published_node_rows
from ilo_crawler.mirror.current_layouts import (
    CURRENT_LAYOUTS,
    DEFAULT_CURRENT_LAYOUT,
    ArticleView,
    CurrentLayout,
    DrupalPager,
    HubView,
    ListingView,
)
from ilo_crawler.mirror.dataset import Node, dataset_from_rows
from ilo_crawler.mirror.responses import HTML_TYPE, Response, moved, page
from ilo_crawler.sites.current import urls
from ilo_crawler.sites.wcms.urls import ListingLocation as WcmsListing

#: Cards on a listing page (Drupal's; unknown on the real site, the feed had 10): not the WCMS's
#: 10, so that nothing may assume one from the other.
CURRENT_PAGE_SIZE = 12
LISTING_NODE_IDS, HUB_NODE_ID, NOT_FOUND_NODE_ID = (
    drupal.LISTING_NODE_IDS,
    drupal.HUB_NODE_ID,
    drupal.NOT_FOUND_NODE_ID,
)
#: Featured cards on the newsroom hub: the newest nodes.
HUB_FEATURED = 3
#: URLs a sitemap page holds (simple_sitemap's default "max links").
SITEMAP_PAGE_SIZE = 2000
#: The order of language versions: English, French, Spanish, then the site's order.
_LANG_ORDER = (
    "en",
    "fr",
    "es",
    *(lang for lang in urls.SITE_LANGUAGES if lang not in ("en", "fr", "es")),
)
XML_TYPE = "application/xml; charset=utf-8"
DRUPAL_GENERATOR = ("X-Generator", "Drupal 10 (https://www.drupal.org)")
_NODE_PATH_RE = re.compile(r"^(?:/(?P<lang>[a-z]{2}(?:-[a-z]+)?))?/node/(?P<nid>[1-9]\d*)$")
#: The day the old newsroom announced the new site: Last-Modified of pages that list nothing.
LAUNCH_DAY = dt.date(2024, 4, 18)


@dataclass
class EditorsWork:
    """What the editors did on one simulated day (``CurrentSite.live_days``), for the tests
    that check the archive against it."""

    day: dt.date
    published: list[Node] = field(default_factory=list)
    #: (the node as its card still shows it, the corrected page's node, "title" or "body")
    corrected: list[tuple[Node, Node, str]] = field(default_factory=list)
    unlisted: list[Node] = field(default_factory=list)
    #: (a language version taken down, the status its page now answers)
    taken_down: list[tuple[Node, int]] = field(default_factory=list)


def newest_first(node: Node) -> tuple[int, int]:
    """The listing's sort key: newest date first, then the newest node (highest id) first."""
    return (-node.date.toordinal(), -node.node_id)


def _lang_key(node: Node) -> int:
    return _LANG_ORDER.index(node.lang)


def listing_order(
    nodes: Iterable[Node], lang: str, listing: str = urls.DEFAULT_LISTING
) -> list[Node]:
    """The nodes a listing shows in ``lang``, in the order it shows them: page ``p`` holds items
    ``p * page_size`` to ``(p + 1) * page_size - 1``."""
    return sorted(
        (node for node in nodes if node.lang == lang and listing in node.listings), key=newest_first
    )


class CurrentSite:
    """The current site over ``nodes``, ``page_size`` cards a listing page, in ``layout`` (a
    name of ``CURRENT_LAYOUTS`` or a ``CurrentLayout`` of the caller's)."""

    def __init__(
        self,
        nodes: Iterable[Node],
        page_size: int = CURRENT_PAGE_SIZE,
        layout: str | CurrentLayout | None = None,
    ) -> None:
        if page_size < 1:
            raise ValueError(f"page size must be at least 1, got {page_size}")
        if isinstance(layout, str) and layout not in CURRENT_LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(CURRENT_LAYOUTS)}, got {layout!r}")
        chosen = layout or DEFAULT_CURRENT_LAYOUT
        self.layout = CURRENT_LAYOUTS[chosen] if isinstance(chosen, str) else chosen
        self.page_size = page_size
        #: (node id, lang) -> node; node id -> its language versions; path -> node.
        self.nodes: dict[tuple[int, str], Node] = {}
        self.versions: dict[int, list[Node]] = {}
        self.paths: dict[tuple[str, str, str], Node] = {}
        #: (WCMS id, lang) -> the node migrated from that WCMS article.
        self.migrated: dict[tuple[str, str], Node] = {}
        #: (listing, lang) -> its nodes, newest first.
        self.listings: dict[tuple[str, str], list[Node]] = {}
        #: (node id, lang) -> the node as its page shows it after an editor's correction (its
        #: card keeps the node as published), and the day of its last change.
        self.corrected: dict[tuple[int, str], Node] = {}
        self.changed: dict[tuple[int, str], dt.date] = {}
        #: path -> what the page of a node taken down answers (404 or 410).
        self.taken_down: dict[tuple[str, str, str], int] = {}
        #: Serve the sitemap's files cut off mid-element (a fault: malformed XML).
        self.broken_sitemap = False
        for node in nodes:
            self._add(node)
        for listed in self.listings.values():
            listed.sort(key=newest_first)

    def _add(self, node: Node, in_order: bool = False) -> None:
        """Index a node; ``in_order``: put it at its place in its listings (else appended, for
        the constructor to sort once)."""
        self.nodes[node.node_id, node.lang] = node
        versions = self.versions.setdefault(node.node_id, [])
        versions.append(node)
        versions.sort(key=_lang_key)
        self.paths[_path_key(node.lang, node.section, node.slug)] = node
        if node.migrated_from:
            self.migrated[node.migrated_from, node.lang] = node
        for listing in node.listings:
            listed = self.listings.setdefault((listing, node.lang), [])
            if in_order:
                listed.insert(
                    bisect.bisect_left(listed, newest_first(node), key=newest_first), node
                )
            else:
                listed.append(node)

    def publish(self, node: Node) -> None:
        """Add a node while serving: it takes its place in its listings (at the top for the
        newest), so every later page shifts. The caller serialises it with ``render``."""
        if (node.node_id, node.lang) in self.nodes:
            raise ValueError(f"{node.id} in {node.lang!r} is already served")
        if self.taken(node.lang, node.section, node.slug):
            raise ValueError(f"{node.path} is already served")
        self._add(node, in_order=True)

    def taken(self, lang: str, section: str, slug: str) -> bool:
        """Whether the path ``/resource/<section>/<slug>`` in ``lang`` is a node's already (or
        was, before it was taken down: pathauto does not give an alias twice)."""
        key = _path_key(lang, section, slug)
        return key in self.paths or key in self.taken_down

    def modified(self, node: Node) -> dt.date:
        """The node's last change: its sitemap ``<lastmod>`` and its page's Last-Modified."""
        return self.changed.get((node.node_id, node.lang), node.date)

    def correct(self, node: Node, what: str, day: dt.date) -> Node:
        """An editor's correction of the page of ``node`` on ``day``: its ``title`` or its
        ``body``; the listing's card is left as published (``drupal`` says why)."""
        key = (node.node_id, node.lang)
        page = self.corrected.get(key, node)
        if what == "title":
            page = dataclasses.replace(page, title=drupal.corrected_title(page.title))
        else:
            page = dataclasses.replace(
                page, body=(*page.body, drupal.correction_note(day, node.lang))
            )
        self.corrected[key] = page
        self.changed[key] = day
        return page

    def take_down(self, node_id: int, status: int) -> list[Node]:
        """Take a node down, every language version: out of its listings and the sitemap, its
        pages answering ``status`` (404 or 410). Returns the versions taken down."""
        versions = self.versions.pop(node_id)
        for node in versions:
            del self.nodes[node.node_id, node.lang]
            key = _path_key(node.lang, node.section, node.slug)
            del self.paths[key]
            self.taken_down[key] = status
            if node.migrated_from:
                self.migrated.pop((node.migrated_from, node.lang), None)
            for listing in node.listings:
                self.listings[listing, node.lang].remove(node)
        return versions

    def live_days(
        self, days: int, plan: drupal.EditorsDay | None = None, seed: int = 0
    ) -> list[EditorsWork]:
        """Play ``days`` days of the editors' work (``plan`` each day) after the newest node's
        day, the same on every run for a seed: day ``k`` is the newest day plus ``k``."""
        plan = plan or drupal.EditorsDay()
        last = max((node.date for node in self.nodes.values()), default=LAUNCH_DAY)
        return [
            self._editors_day(last + dt.timedelta(days=k), k, plan, seed)
            for k in range(1, days + 1)
        ]

    def _editors_day(
        self, day: dt.date, number: int, plan: drupal.EditorsDay, seed: int
    ) -> EditorsWork:
        rng = random.Random(f"{seed}:{number}")
        work = EditorsWork(day)
        english = sorted(
            (node for node in self.nodes.values() if node.lang == "en"),
            key=lambda node: node.node_id,
        )
        untouched = [node for node in english if (node.node_id, "en") not in self.changed]
        chosen = rng.sample(untouched, min(len(untouched), plan.corrected + plan.taken_down))
        for index, node in enumerate(chosen[: plan.corrected]):
            what = ("body", "title")[index % 2]
            work.corrected.append((node, self.correct(node, what, day), what))
        for index, node in enumerate(chosen[plan.corrected :]):
            status = drupal.TAKEDOWN_STATUSES[(number + index) % len(drupal.TAKEDOWN_STATUSES)]
            versions = self.take_down(node.node_id, status)
            work.taken_down += [(version, status) for version in versions]
        first_nid = max((nid for nid, _ in self.nodes), default=0) + 1
        rows = published_node_rows(seed * 1000 + number, day, first_nid, self.taken)
        for count, row in enumerate(rows):
            if count == plan.published + plan.unlisted:
                break
            if count >= plan.published:
                row = {**row, "listings": []}
            node = dataset_from_rows([(count + 1, row)], f"<day {number}>").nodes[0]
            self.publish(node)
            (work.published if count < plan.published else work.unlisted).append(node)
        return work

    def languages(self, listing: str) -> list[str]:
        """The languages a listing is served in: English always (the site's own language, an
        empty listing if need be), and every language a node of it is in."""
        langs = {"en"} | {lang for name, lang in self.listings if name == listing}
        return sorted(langs, key=_LANG_ORDER.index)

    # Pages -------------------------------------------------------------------------------------

    def render(self, path: str, query: str, base: str) -> Response | None:
        """The answer to ``path?query`` requested at ``base``; None for a path the site has no
        page for (the host answers 404)."""
        if path == "/sitemap.xml":
            return self._sitemap(query, base)
        lang = urls.language_of(path)
        if path == urls.language_prefix(lang) + urls.HUB_PATH:
            return self._hub(lang, base) if lang in self.languages(urls.DEFAULT_LISTING) else None
        location = urls.parse_listing_url(path)
        if location is not None:
            if path != urls.listing_path(location.listing, location.lang):
                return None
            if location.lang not in self.languages(location.listing):
                return None
            return self._listing(location.listing, location.lang, query, base)
        shortlink = _NODE_PATH_RE.match(path)
        if shortlink is not None:
            return self._shortlink(int(shortlink["nid"]), shortlink["lang"] or "en", base)
        article = urls.parse_article_url(path)
        if article is not None:
            key = _path_key(article.lang, article.section, article.slug)
            node = self.paths.get(key)
            if node is None:
                return self._gone(key, path)
            shown = self.corrected.get((node.node_id, node.lang), node)
            view = ArticleView(shown, self.versions[node.node_id], base)
            return self._page(self.layout.article(view), self.modified(node), node.lang)
        return None

    def _hub(self, lang: str, base: str) -> Response:
        listed = self.listings.get((urls.DEFAULT_LISTING, lang), [])
        featured = listed[:HUB_FEATURED]
        view = HubView(lang, HUB_NODE_ID, base, featured, self.languages(urls.DEFAULT_LISTING))
        return self._page(self.layout.hub(view), featured[0].date if featured else LAUNCH_DAY, lang)

    def _shortlink(self, nid: int, lang: str, base: str) -> Response | None:
        """``/node/<nid>`` (the pages' shortlink): the redirect module's 301 to the alias."""
        node = self.nodes.get((nid, lang))
        return moved(node.url(base)) if node else None

    def _gone(self, key: tuple[str, str, str], path: str) -> Response | None:
        """The page of a node taken down (Drupal's 404 page, with 404 or 410); None for a path
        that was never a node's."""
        status = self.taken_down.get(key)
        if status is None:
            return None
        return (status, *self.not_found(path)[1:])

    def not_found(self, path: str) -> Response:
        """Drupal's 404 page, in the language of the path's prefix when the site has texts."""
        lang = urls.language_of(path)
        return (
            404,
            [("Content-Type", HTML_TYPE)],
            self.layout.not_found(lang, NOT_FOUND_NODE_ID).encode("utf-8"),
        )

    def _listing(self, listing: str, lang: str, query: str, base: str) -> Response:
        params = parse_qsl(query, keep_blank_values=True)
        requested = _page_parameter(dict(params).get("page", "0"))
        listed = self.listings.get((listing, lang), [])
        size = self.page_size
        cards = listed[requested * size : (requested + 1) * size]
        total = -(-len(listed) // size)
        pager = None
        if total > 1:
            others = tuple((name, value) for name, value in params if name != "page")
            pager = DrupalPager(min(requested, total - 1), total, others)
        view = ListingView(
            listing, lang, LISTING_NODE_IDS[listing], base, cards, pager, self.languages(listing)
        )
        newest = (cards or listed)[0].date if listed else LAUNCH_DAY
        return self._page(self.layout.listing(view), newest, lang)

    @staticmethod
    def _page(html: str, modified: dt.date, lang: str) -> Response:
        """A page with Drupal's headers beside the validators."""
        return page(html, modified, extra=[("Content-Language", lang), DRUPAL_GENERATOR])

    def _sitemap(self, query: str, base: str) -> Response | None:
        """The sitemap file asked for (see ``_sitemap_file``), cut off when ``broken_sitemap``."""
        answer = self._sitemap_file(query, base)
        if answer is None or not self.broken_sitemap:
            return answer
        status, headers, body = answer
        return status, headers, body[: len(body) // 2]

    def _sitemap_file(self, query: str, base: str) -> Response | None:
        """simple_sitemap's: an index of ``?page=N`` children (from 1) when the links do not fit
        one page, else the one page; every translation its own ``<url>`` with alternates."""
        entries = self._sitemap_entries(base)
        chunks = [
            entries[start : start + SITEMAP_PAGE_SIZE]
            for start in range(0, len(entries), SITEMAP_PAGE_SIZE)
        ] or [[]]
        requested = dict(parse_qsl(query)).get("page")
        if requested is None:
            if len(chunks) == 1:
                return _sitemap_page(chunks[0])
            sitemaps = "".join(
                f"<sitemap><loc>{escape(base)}/sitemap.xml?page={index}</loc>"
                f"<lastmod>{drupal.iso_moment(max(day for _, day in chunk))}</lastmod></sitemap>"
                for index, chunk in enumerate(chunks, start=1)
            )
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet type="text/xsl" '
                'href="/sitemap_generator/default/sitemap.xsl"?>\n<sitemapindex '
                f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{sitemaps}</sitemapindex>\n'
            )
            return page(xml, max(day for _, day in entries), XML_TYPE)
        if not (requested.isdigit() and 1 <= int(requested) <= len(chunks) and len(chunks) > 1):
            return None
        return _sitemap_page(chunks[int(requested) - 1])

    def _sitemap_entries(self, base: str) -> list[tuple[str, dt.date]]:
        """Each page of the site as a ``<url>`` (listing nodes first, then articles by node id),
        with its day of last change."""
        entries = []
        for listing in LISTING_NODE_IDS:
            langs = self.languages(listing)
            listed = [n for lang in langs for n in self.listings.get((listing, lang), [])]
            newest = max((n.date for n in listed), default=LAUNCH_DAY)
            for lang in langs:
                versions = [(other, urls.listing_path(listing, other)) for other in langs]
                entries.append(
                    (_url_entry(base, urls.listing_path(listing, lang), versions, newest), newest)
                )
        for node_id in sorted(self.versions):
            versions = self.versions[node_id]
            alternates = [(v.lang, v.path) for v in versions]
            for node in versions:
                day = self.modified(node)
                entries.append((_url_entry(base, node.path, alternates, day), day))
        return entries

    # The retired WCMS --------------------------------------------------------------------------

    def moved_listing(self, location: WcmsListing, base: str) -> str:
        """Where a retired WCMS listing URL now points: the "All news" listing in its language
        (in English where the site has none)."""
        langs = self.languages(urls.DEFAULT_LISTING)
        lang = location.lang if location.lang in langs else "en"
        return base + urls.listing_path(urls.DEFAULT_LISTING, lang)

    def moved_article(self, doc_id: str, lang: str, base: str) -> str | None:
        """Where a retired WCMS article URL now points: its migrated node in that language, or
        the node's English version; None for an article never migrated (404)."""
        node = self.migrated.get((doc_id, lang)) or self.migrated.get((doc_id, "en"))
        return node.url(base) if node else None


def _path_key(lang: str, section: str, slug: str) -> tuple[str, str, str]:
    """Paths are looked up decoded: ``%E2%80%99`` and ``%e2%80%99`` (and ``’``) are one page."""
    return (lang, section, unquote(slug))


def _page_parameter(value: str) -> int:
    """Drupal's reading of ``?page=``: the first of comma-separated pager elements, a whole
    number from 0; anything else is the first page."""
    first = value.split(",", 1)[0].strip()
    return int(first) if first.isdigit() else 0


def _url_entry(base: str, path: str, versions: list[tuple[str, str]], day: dt.date) -> str:
    links = "".join(
        f'<xhtml:link rel="alternate" hreflang="{lang}" href="{escape(base + other)}"/>'
        for lang, other in versions
    )
    return (
        f"<url><loc>{escape(base + path)}</loc>{links}"
        f"<lastmod>{drupal.iso_moment(day)}</lastmod><changefreq>weekly</changefreq>"
        "<priority>0.5</priority></url>"
    )


def _sitemap_page(entries: list[tuple[str, dt.date]]) -> Response:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet type="text/xsl" '
        'href="/sitemap_generator/default/sitemap.xsl"?>\n<urlset '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">'
        + "".join(entry for entry, _ in entries)
        + "</urlset>\n"
    )
    newest = max((day for _, day in entries), default=LAUNCH_DAY)
    return page(xml, newest, XML_TYPE)
