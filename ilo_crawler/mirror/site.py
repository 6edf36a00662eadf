"""The replica's pages: listings, articles, robots.txt and 404s, rendered from the dataset.

``Site.respond`` is the whole web site as a function of (path, request headers), so it can be
tested without a socket; the HTTP server only copies its answer onto the wire. Listings are indexed
once, newest first, and pages are rendered on demand and cached.
"""

from __future__ import annotations

import bisect
import datetime as dt
import email.utils
import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from itertools import groupby
from urllib.parse import urlsplit

from ilo_crawler.langs import LANGUAGE_NAMES, format_month_heading
from ilo_crawler.mirror.dataset import Record
from ilo_crawler.urls import (
    LISTING_PATHS,
    article_path,
    listing_path,
    parse_article_path,
    parse_listing_path,
)

Headers = list[tuple[str, str]]
Response = tuple[int, Headers, bytes]

HTML_TYPE = "text/html; charset=utf-8"
ROBOTS_TXT = b"User-agent: *\nDisallow: /global/search/\nDisallow: /global/admin/\n"
NEWSROOM_EMAIL = "newsroom@ilo.org"
#: Pager links shown around the current page.
PAGER_WINDOW = 10
#: Markups the replica can serve: the usual one, and a redesign a crawler keyed to it cannot read.
LAYOUTS = ("normal", "changed")

PAGE_TITLES: dict[str, dict[str, str]] = {
    "all-newsroom": {
        "en": "All ILO Newsroom content",
        "fr": "Tous les contenus de la salle de presse",
        "es": "Todo el contenido de la sala de prensa",
    },
    "news": {"en": "News", "fr": "Actualités", "es": "Noticias"},
    "press-releases": {
        "en": "Press releases",
        "fr": "Communiqués de presse",
        "es": "Comunicados de prensa",
    },
}

#: Interface texts by language; a language not listed gets the English ones.
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "site": "International Labour Organization",
        "home": "Home",
        "about": "About the ILO",
        "newsroom": "Newsroom",
        "media_contact": "Media contact",
        "intro": "News, press releases, statements and features from the International Labour "
        "Organization, newest first.",
        "first": "« first",
        "prev": "‹ previous",
        "next": "next ›",
        "last": "last »",
        "translations": "This article is also available in",
        "contact": "For more information please contact the ILO Department of Communication "
        "and Public Information at",
        "related": "In the newsroom",
        "contact_us": "Contact us",
        "copyright": "Copyright and permissions",
        "privacy": "Privacy policy",
        "search": "Search",
        "not_found": "Page not found",
        "not_found_text": "The page you requested does not exist or has been moved.",
    },
    "fr": {
        "site": "Organisation internationale du Travail",
        "home": "Accueil",
        "about": "À propos de l’OIT",
        "newsroom": "Salle de presse",
        "media_contact": "Contact presse",
        "intro": "Actualités, communiqués de presse, déclarations et reportages de "
        "l’Organisation internationale du Travail, du plus récent au plus ancien.",
        "first": "« premier",
        "prev": "‹ précédent",
        "next": "suivant ›",
        "last": "dernier »",
        "translations": "Cet article est également disponible en",
        "contact": "Pour plus d’informations, veuillez contacter le Département de la "
        "communication et de l’information du public de l’OIT à l’adresse",
        "related": "Dans la salle de presse",
        "contact_us": "Nous contacter",
        "copyright": "Droits d’auteur et autorisations",
        "privacy": "Confidentialité",
        "search": "Rechercher",
    },
    "es": {
        "site": "Organización Internacional del Trabajo",
        "home": "Inicio",
        "about": "Acerca de la OIT",
        "newsroom": "Sala de prensa",
        "media_contact": "Contacto de prensa",
        "intro": "Noticias, comunicados de prensa, declaraciones y reportajes de la "
        "Organización Internacional del Trabajo, de los más recientes a los más "
        "antiguos.",
        "first": "« primero",
        "prev": "‹ anterior",
        "next": "siguiente ›",
        "last": "último »",
        "translations": "Este artículo también está disponible en",
        "contact": "Para más información, póngase en contacto con el Departamento de "
        "Comunicación e Información Pública de la OIT en",
        "related": "En la sala de prensa",
        "contact_us": "Contacto",
        "copyright": "Derechos de autor y permisos",
        "privacy": "Privacidad",
        "search": "Buscar",
    },
}

_LANG_ORDER = ("en", "fr", "es")
_FOOTER_LINKS = (
    ("contact-us", "contact_us"),
    ("copyright", "copyright"),
    ("privacy", "privacy"),
    ("search", "search"),
)


def _text(lang: str, key: str) -> str:
    return TEXTS.get(lang, TEXTS["en"]).get(key) or TEXTS["en"][key]


def _page_title(listing: str, lang: str) -> str:
    titles = PAGE_TITLES[listing]
    return titles.get(lang, titles["en"])


def _lang_key(lang: str) -> tuple[int, str]:
    return (_LANG_ORDER.index(lang) if lang in _LANG_ORDER else len(_LANG_ORDER), lang)


def _http_date(day: dt.date) -> str:
    """Last-Modified of a page: noon UTC of its newest item's day, the same on every run."""
    moment = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    return email.utils.format_datetime(moment, usegmt=True)


def _lang_switcher(links: Iterable[tuple[str, str]]) -> str:
    items = "".join(
        f'<li><a hreflang="{lang}" lang="{lang}" href="{escape(href)}">'
        f"{escape(LANGUAGE_NAMES.get(lang, lang))}</a></li>"
        for lang, href in links
    )
    return f'<ul class="lang-switcher">{items}</ul>'


def _layout(
    lang: str,
    title: str,
    crumbs: Sequence[tuple[str, str | None]],
    main: str,
    switcher: Iterable[tuple[str, str]],
) -> str:
    """The CMS page around ``main``: head, header, breadcrumbs, sidebar and footer."""
    t = functools.partial(_text, lang)
    nav = "".join(
        f'<li><a href="{listing_path(listing, lang)}">{escape(_page_title(listing, lang))}</a></li>'
        for listing in LISTING_PATHS
    )
    crumb_items = "".join(
        f'<li><a href="{escape(href)}">{escape(label)}</a></li>'
        if href
        else f'<li class="active">{escape(label)}</li>'
        for label, href in crumbs
    )
    sidebar_links = "".join(
        f'<li><a href="{listing_path(listing, lang)}">{escape(_page_title(listing, lang))}</a></li>'
        for listing in LISTING_PATHS
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} | {escape(t('site'))}</title>\n"
        f'<link rel="stylesheet" href="/static/css/ilo.css">\n</head>\n<body>\n'
        f'<div id="header">\n<a class="site-logo" href="/global/lang--{lang}/index.htm">'
        f'<img src="/static/img/ilo-logo.svg" alt="{escape(t("site"))}"></a>\n'
        f'<ul class="nav-main"><li><a href="/global/about-the-ilo/lang--{lang}/index.htm">'
        f"{escape(t('about'))}</a></li>{nav}</ul>\n"
        f"{_lang_switcher(switcher)}\n</div>\n"
        f'<ol class="breadcrumb">{crumb_items}</ol>\n'
        f'<div id="content">\n<div class="content-main">\n{main}</div>\n'
        f'<div class="sidebar"><h2>{escape(t("related"))}</h2><ul>{sidebar_links}</ul></div>\n'
        f"</div>\n"
        f'<div id="footer"><ul>'
        + "".join(
            f'<li><a href="/global/{page}/lang--{lang}/index.htm">{escape(t(key))}</a></li>'
            for page, key in _FOOTER_LINKS
        )
        + f"</ul><p>© {escape(t('site'))}</p></div>\n</body>\n</html>\n"
    )


def _crumbs(lang: str, last: str) -> list[tuple[str, str | None]]:
    return [
        (_text(lang, "home"), f"/global/lang--{lang}/index.htm"),
        (_text(lang, "about"), f"/global/about-the-ilo/lang--{lang}/index.htm"),
        (_text(lang, "newsroom"), listing_path("all-newsroom", lang)),
        (last, None),
    ]


def _item_html(record: Record) -> str:
    parts = ['<li class="item">']
    if record.credit:
        parts.append(
            f'<div class="item-image"><img src="/static/img/{record.id}.jpg" alt="">'
            f'<span class="credit">{_text_html(record.credit)}</span></div>'
        )
    if record.label:
        parts.append(f'<p class="item-label">{_text_html(record.label)}</p>')
    href = article_path(record.section, record.id, record.lang)
    parts.append(f'<h3 class="item-title"><a href="{href}">{_text_html(record.title)}</a></h3>')
    if record.date_text is not None:
        parts.append(f'<p class="item-date">{_text_html(record.date_text)}</p>')
    if record.summary:
        parts.append(f'<p class="item-summary">{_text_html(record.summary)}</p>')
    parts.append("</li>")
    return "\n".join(parts)


def _changed_item_html(record: Record) -> str:
    """A listing item as the redesign shows it: the same facts under other elements and classes."""
    parts = ['<div class="news-item">']
    if record.credit:
        parts.append(
            f'<figure class="news-item__media"><img src="/static/img/{record.id}.jpg" alt="">'
            f"<figcaption>{_text_html(record.credit)}</figcaption></figure>"
        )
    if record.label:
        parts.append(f'<span class="news-item__tag">{_text_html(record.label)}</span>')
    href = article_path(record.section, record.id, record.lang)
    parts.append(
        f'<h3 class="news-item__headline"><a href="{href}">{_text_html(record.title)}</a></h3>'
    )
    if record.date_text is not None:
        parts.append(
            f'<time class="news-item__date" datetime="{record.date.isoformat()}">'
            f"{_text_html(record.date_text)}</time>"
        )
    if record.summary:
        parts.append(f'<p class="news-item__teaser">{_text_html(record.summary)}</p>')
    parts.append("</div>")
    return "\n".join(parts)


def _text_html(text: str) -> str:
    """A record's text as HTML: escaped, its line breaks as ``<br>`` (real titles have some)."""
    return escape(text).replace("\n", "<br>")


def _not_found_body() -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_text('en', 'not_found')}</title>\n</head>\n<body>\n"
        f"<h1>{_text('en', 'not_found')}</h1>\n<p>{_text('en', 'not_found_text')}</p>\n"
        "</body>\n</html>\n"
    ).encode()


class Site:
    """The replica web site over a dataset, with ``page_size`` items a listing page.

    ``layout="changed"`` serves the same pages in another markup (see ``LAYOUTS``), as after a
    redesign of the real site, so that layout-drift detection can be tested.
    """

    def __init__(
        self,
        records: Iterable[Record],
        page_size: int = 10,
        cache_size: int = 4096,
        layout: str = "normal",
    ) -> None:
        if page_size < 1:
            raise ValueError(f"page size must be at least 1, got {page_size}")
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
        self.page_size = page_size
        self.layout = layout
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
        self, listing: str, lang: str, offset: int, records: list[Record]
    ) -> tuple[str, dt.date]:
        shown = records[offset : offset + self.page_size]
        title = _page_title(listing, lang)
        groups = []
        for (year, month), items in groupby(shown, key=lambda r: (r.date.year, r.date.month)):
            heading = escape(format_month_heading(year, month, lang))
            if self.layout == "changed":
                groups.append(
                    f'<h2 class="results__month">{heading}</h2>\n'
                    + "\n".join(map(_changed_item_html, items))
                    + "\n"
                )
                continue
            groups.append(
                f'<h2 class="month-heading">{heading}</h2>'
                f'\n<ol class="item-list">\n' + "\n".join(map(_item_html, items)) + "\n</ol>\n"
            )
        block = (
            f'<section class="results">\n{"".join(groups)}</section>\n'
            if self.layout == "changed"
            else f'<div class="listing">\n{"".join(groups)}</div>\n'
        )
        main = (
            f'<h1 class="page-title">{escape(title)}</h1>\n'
            f'<div class="media-contact"><h2>{escape(_text(lang, "media_contact"))}</h2><ol><li>'
            f'<a href="mailto:{NEWSROOM_EMAIL}">{NEWSROOM_EMAIL}</a></li></ol></div>\n'
            f'<p class="intro">{escape(_text(lang, "intro"))}</p>\n'
            f"{block}{self._pager(listing, lang, offset, len(records))}"
        )
        switcher = [
            (other, listing_path(listing, other))
            for other in sorted(
                (o for (name, o) in self.listings if name == listing and o != lang), key=_lang_key
            )
        ]
        html = _layout(lang, title, _crumbs(lang, title), main, switcher)
        newest = (shown or records)[0].date
        return html, newest

    def _pager(self, listing: str, lang: str, offset: int, total: int) -> str:
        """First/previous, a window of numbered pages, next/last; none for a one-page listing."""
        size = self.page_size
        pages = -(-total // size)
        if pages <= 1:
            return ""
        current = offset // size

        def link(css: str, page: int, text: str) -> str:
            return (
                f'<a class="{css}" href="{listing_path(listing, lang, page * size)}">'
                f"{escape(text)}</a>"
            )

        parts = []
        if current > 0:
            parts.append(link("pager-first", 0, _text(lang, "first")))
            parts.append(link("pager-prev", min(current - 1, pages - 1), _text(lang, "prev")))
        start = max(0, min(current - PAGER_WINDOW // 2 + 1, pages - PAGER_WINDOW))
        for page in range(start, min(pages, start + PAGER_WINDOW)):
            if page == current:
                parts.append(f'<strong class="pager-current">{page + 1}</strong>')
            else:
                parts.append(link("pager-page", page, str(page + 1)))
        if current < pages - 1:
            parts.append(link("pager-next", current + 1, _text(lang, "next")))
            parts.append(link("pager-last", pages - 1, _text(lang, "last")))
        return '<div class="pager">\n' + "\n".join(parts) + "\n</div>\n"

    def _article_html(self, record: Record) -> str:
        lang = record.lang
        others = [
            (other.lang, article_path(other.section, other.id, other.lang))
            for other in self.languages[record.id]
            if other.lang != lang
        ]
        if self.layout == "changed":
            main = _story_html(record, others)
            return _layout(lang, record.title, _crumbs(lang, record.title), main, others)
        parts = [
            '<div class="article">',
            f'<h1 class="article-title">{_text_html(record.title)}</h1>',
        ]
        if record.summary:
            parts.append(f'<p class="article-teaser">{_text_html(record.summary)}</p>')
        parts.append(
            f'<p class="article-meta"><span class="article-type">{_text_html(record.type)}'
            f'</span> | <span class="article-date">{_text_html(record.article_date)}'
            "</span></p>"
        )
        if record.credit:
            parts.append(
                f'<div class="article-image"><img src="/static/img/{record.id}.jpg" '
                f'alt=""><span class="credit">{_text_html(record.credit)}</span></div>'
            )
        paragraphs = "".join(f"<p>{_text_html(paragraph)}</p>" for paragraph in record.body)
        parts.append(f'<div class="article-body">{paragraphs}</div>')
        if record.section == "press-releases":
            parts.append(f'<div class="article-contact">{_contact_html(lang)}</div>')
        if others:
            parts.append(
                f'<div class="article-translations"><h2>'
                f"{escape(_text(lang, 'translations'))}</h2><ul>{_links_html(others)}</ul></div>"
            )
        parts.append("</div>\n")
        return _layout(lang, record.title, _crumbs(lang, record.title), "\n".join(parts), others)


def _newest_first(record: Record) -> int:
    """Sort key of a listing (newest first), for ``bisect``."""
    return -record.date.toordinal()


def _story_html(record: Record, others: Sequence[tuple[str, str]]) -> str:
    """An article page's content as the redesign shows it: no ``div.article``, other classes."""
    lang = record.lang
    parts = [
        '<main class="story">',
        f'<h1 class="story__title">{_text_html(record.title)}</h1>',
    ]
    if record.summary:
        parts.append(f'<p class="story__standfirst">{_text_html(record.summary)}</p>')
    parts.append(
        f'<p class="story__meta"><span class="story__type">{_text_html(record.type)}</span> | '
        f'<time class="story__date" datetime="{record.date.isoformat()}">'
        f"{_text_html(record.article_date)}</time></p>"
    )
    if record.credit:
        parts.append(
            f'<figure class="story__media"><img src="/static/img/{record.id}.jpg" alt="">'
            f"<figcaption>{_text_html(record.credit)}</figcaption></figure>"
        )
    paragraphs = "".join(f"<p>{_text_html(paragraph)}</p>" for paragraph in record.body)
    parts.append(f'<section class="story__body">{paragraphs}</section>')
    if record.section == "press-releases":
        parts.append(f'<aside class="story__contact">{_contact_html(lang)}</aside>')
    if others:
        parts.append(
            f'<nav class="story__languages"><h2>{escape(_text(lang, "translations"))}</h2>'
            f"<ul>{_links_html(others)}</ul></nav>"
        )
    parts.append("</main>\n")
    return "\n".join(parts)


def _contact_html(lang: str) -> str:
    """A press release's media contact block (the same in both layouts)."""
    return (
        f"<h2>{escape(_text(lang, 'media_contact'))}</h2><p>{escape(_text(lang, 'contact'))} "
        f'<a href="mailto:{NEWSROOM_EMAIL}">{NEWSROOM_EMAIL}</a>, +41 22 799 7912.</p>'
    )


def _links_html(others: Sequence[tuple[str, str]]) -> str:
    """The list items linking an article's other language versions."""
    return "".join(
        f'<li><a hreflang="{other}" href="{href}">'
        f"{escape(LANGUAGE_NAMES.get(other, other))}</a></li>"
        for other, href in others
    )


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
