"""The replica's markup in the WCMS site's layout generations, and a redesign nobody can read.

``Site`` decides what a page shows (its title, items in month groups, pager state, language
versions, breadcrumbs); a layout here turns that into the whole page, chrome included. The
generations (see README, "Layout generations"): ``wcms2019`` is modelled on the evidence of the real
markup (``../shared/site/wcms-markup.md``), ``wcms2014`` and ``wcms2010`` are plausible earlier
designs, and ``changed`` renders content with JavaScript, so that layout drift can be tested.
Every layout shows the same texts in the same order; only the elements around them differ.
"""

from __future__ import annotations

import abc
import datetime as dt
import json
import posixpath
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from ilo_crawler.langs import LANGUAGE_NAMES
from ilo_crawler.mirror.dataset import Record
from ilo_crawler.sites.wcms.urls import LISTING_PATHS, article_path, listing_path

NEWSROOM_EMAIL = "newsroom@ilo.org"
#: Pager links shown around the current page.
PAGER_WINDOW = 10
IMAGE_DIR = "/wcmsp5/groups/public/---dgreports/---dcomm/documents/image"
#: The live site's layout, served when none is forced.
NEWEST_LAYOUT = "wcms2019"

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
        "pg_first": "First",
        "pg_prev": "Previous",
        "pg_next": "Next",
        "pg_last": "Last",
        "page_of": "Page {page} of {pages}",
        "results": "Results {first}–{last} of {total}",
        "tags": "Tags:",
        "date_issued": "Date issued",
        "doc_type": "Type",
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
        "pg_first": "Premier",
        "pg_prev": "Précédent",
        "pg_next": "Suivant",
        "pg_last": "Dernier",
        "page_of": "Page {page} sur {pages}",
        "results": "Résultats {first}–{last} sur {total}",
        "tags": "Thèmes :",
        "date_issued": "Date de publication",
        "doc_type": "Type de document",
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
        "pg_first": "Primero",
        "pg_prev": "Anterior",
        "pg_next": "Siguiente",
        "pg_last": "Último",
        "page_of": "Página {page} de {pages}",
        "results": "Resultados {first}–{last} de {total}",
        "tags": "Temas:",
        "date_issued": "Fecha de publicación",
        "doc_type": "Tipo de documento",
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

_FOOTER_LINKS = (
    ("contact-us", "contact_us"),
    ("copyright", "copyright"),
    ("privacy", "privacy"),
    ("search", "search"),
)

#: (language, path) of the other language versions of a page, in switcher order.
LanguageLinks = Sequence[tuple[str, str]]
#: (text, path) of each breadcrumb; the last (the page itself) has no path.
Crumbs = Sequence[tuple[str, str | None]]


def interface_text(lang: str, key: str) -> str:
    """An interface text in ``lang``, in English when the language or the text is missing."""
    return TEXTS.get(lang, TEXTS["en"]).get(key) or TEXTS["en"][key]


def page_title(listing: str, lang: str) -> str:
    titles = PAGE_TITLES[listing]
    return titles.get(lang, titles["en"])


def layout_for(day: dt.date) -> str:
    """The layout generation the site had on ``day`` (the web archive renders captures in it)."""
    if day < dt.date(2014, 1, 1):
        return "wcms2010"
    if day < dt.date(2019, 1, 1):
        return "wcms2014"
    return "wcms2019"


# What a page shows -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a listing page stands: ``shown`` items from ``offset`` of ``total``, ``size`` a page."""

    listing: str
    lang: str
    size: int
    offset: int
    total: int
    shown: int

    @property
    def pages(self) -> int:
        return -(-self.total // self.size)

    @property
    def current(self) -> int:
        """The page number (from 0) the offset falls on."""
        return self.offset // self.size

    def href(self, page: int) -> str:
        return listing_path(self.listing, self.lang, page * self.size)

    def links(self) -> list[tuple[str, int]]:
        """(role, page from 0) of the pager's entries: first and prev when not on the first page,
        a window of numbered pages ("page", the current one "current"), next and last when not on
        the last; none for a one-page listing."""
        pages, current = self.pages, self.current
        if pages <= 1:
            return []
        links = []
        if current > 0:
            links += [("first", 0), ("prev", min(current - 1, pages - 1))]
        start = max(0, min(current - PAGER_WINDOW // 2 + 1, pages - PAGER_WINDOW))
        for page in range(start, min(pages, start + PAGER_WINDOW)):
            links.append(("current" if page == current else "page", page))
        if current < pages - 1:
            links += [("next", current + 1), ("last", pages - 1)]
        return links


@dataclass(frozen=True, slots=True)
class ListingPage:
    """A listing page's content: its items under their month headings, newest first."""

    listing: str
    lang: str
    title: str
    crumbs: Crumbs
    groups: Sequence[tuple[str, Sequence[Record]]]
    pager: Pager
    languages: LanguageLinks


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """An article page's content: the record (as it stood when shown) and its language versions."""

    record: Record
    crumbs: Crumbs
    languages: LanguageLinks


# Pieces every layout shares --------------------------------------------------------------------


def _text_html(text: str) -> str:
    """A record's text as HTML: escaped, its line breaks as ``<br>`` (real titles have some)."""
    return escape(text).replace("\n", "<br>")


def _language_name(lang: str) -> str:
    return escape(LANGUAGE_NAMES.get(lang, lang))


def _image_src(record: Record) -> str:
    return f"{IMAGE_DIR}/wcms_{record.id.removeprefix('WCMS_')}.jpg"


def _item_path(record: Record) -> str:
    return article_path(record.section, record.id, record.lang)


def _home_path(lang: str) -> str:
    return f"/global/lang--{lang}/index.htm"


def _about_link(lang: str) -> str:
    return (
        f'<a href="/global/about-the-ilo/lang--{lang}/index.htm">'
        f"{escape(interface_text(lang, 'about'))}</a>"
    )


def _listing_link(listing: str, lang: str) -> str:
    return f'<a href="{listing_path(listing, lang)}">{escape(page_title(listing, lang))}</a>'


def _listing_items(lang: str) -> str:
    """One ``li`` linking each listing, for menus and sidebars."""
    return "".join(f"<li>{_listing_link(listing, lang)}</li>" for listing in LISTING_PATHS)


def _footer_links(lang: str) -> list[str]:
    return [
        f'<a href="/global/{page}/lang--{lang}/index.htm">{escape(interface_text(lang, key))}</a>'
        for page, key in _FOOTER_LINKS
    ]


def _footer_list(lang: str) -> str:
    items = "".join(f"<li>{link}</li>" for link in _footer_links(lang))
    return f"<ul>{items}</ul><p>© {escape(interface_text(lang, 'site'))}</p>"


def _crumb_items(crumbs: Crumbs) -> str:
    return "".join(
        f'<li><a href="{escape(href)}">{escape(label)}</a></li>'
        if href
        else f'<li class="active">{_text_html(label)}</li>'
        for label, href in crumbs
    )


def _switcher_items(languages: LanguageLinks) -> str:
    return "".join(
        f'<li><a hreflang="{lang}" lang="{lang}" href="{escape(href)}">'
        f"{_language_name(lang)}</a></li>"
        for lang, href in languages
    )


def _version_items(languages: LanguageLinks) -> str:
    """The list items linking an article's other language versions."""
    return "".join(
        f'<li><a hreflang="{lang}" href="{escape(href)}">{_language_name(lang)}</a></li>'
        for lang, href in languages
    )


def _mailto() -> str:
    return f'<a href="mailto:{NEWSROOM_EMAIL}">{NEWSROOM_EMAIL}</a>'


def _contact_html(lang: str) -> str:
    """A press release's media contact block (the same in every layout)."""
    return (
        f"<h2>{escape(interface_text(lang, 'media_contact'))}</h2>"
        f"<p>{escape(interface_text(lang, 'contact'))} {_mailto()}, +41 22 799 7912.</p>"
    )


def _paragraphs(record: Record) -> str:
    return "".join(f"<p>{_text_html(paragraph)}</p>" for paragraph in record.body)


def _is_press_release(record: Record) -> bool:
    return record.section == "press-releases"


def _head(lang: str, title: str, extra: str = "") -> str:
    """``<head>`` of an HTML5 page (the 2014 and later designs)."""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n{extra}'
        f"<title>{escape(title)} | {escape(interface_text(lang, 'site'))}</title>\n</head>\n"
    )


class Layout(abc.ABC):
    """A layout generation: renders whole listing and article pages."""

    @abc.abstractmethod
    def listing(self, page: ListingPage) -> str: ...

    @abc.abstractmethod
    def article(self, page: ArticlePage) -> str: ...


# wcms2019: the evidence ------------------------------------------------------------------------


def _pagination(pager: Pager) -> str:
    """The 2019 pager (``ul.pagination``), also kept by the JavaScript redesign."""
    lang = pager.lang
    entries = []
    for role, page in pager.links():
        if role == "current":
            entries.append(f'<li class="active"><span>{page + 1}</span></li>')
        elif role == "page":
            entries.append(f'<li><a href="{pager.href(page)}">{page + 1}</a></li>')
        else:
            text = escape(interface_text(lang, role))
            entries.append(f'<li class="{role}"><a href="{pager.href(page)}">{text}</a></li>')
    return f'<ul class="pagination">{"".join(entries)}</ul>\n' if entries else ""


class Wcms2019(Layout):
    """The newest generation (the live site until 2024), on the evidence of public code: Bootstrap
    chrome, ``div.items-list > ol.item-list > li``, ``h5.item-title``, ``h1.long-title``."""

    def listing(self, page: ListingPage) -> str:
        lang = page.lang
        first = True
        groups = []
        for heading, records in page.groups:
            items = []
            for record in records:
                items.append(self._item(record, first))
                first = False
            groups.append(
                f'<h3 class="list-heading">{escape(heading)}</h3>\n'
                f'<ol class="item-list">\n{"".join(items)}</ol>\n'
            )
        main = (
            f'<div class="page-header"><h1>{escape(page.title)}</h1></div>\n'
            f'<div class="media-contact"><h3>{escape(interface_text(lang, "media_contact"))}</h3>'
            f"<ol><li>{_mailto()}</li></ol></div>\n"
            f'<p class="tagline">{escape(interface_text(lang, "intro"))}</p>\n'
            f'<div class="furniture feature-multiple items-list">\n{"".join(groups)}</div>\n'
            f"{_pagination(page.pager)}"
        )
        return self._page(lang, page.title, page.listing, page.crumbs, page.languages, main)

    @staticmethod
    def _item(record: Record, first: bool) -> str:
        href = _item_path(record)
        lines = ['<li class="highlight">' if first else "<li>"]
        if record.credit:
            lines.append(
                f'<a class="item-image" href="{href}"><img src="{_image_src(record)}" alt=""></a>'
            )
            lines.append(f'<span class="caption">{_text_html(record.credit)}</span>')
        if record.label:
            lines.append(f'<p class="item-prehead">{_text_html(record.label)}</p>')
        lines.append(
            f'<h5 class="item-title"><a href="{href}">{_text_html(record.title)}&nbsp;'
            '<span class="linked fa fa-angle-right"></span></a></h5>'
        )
        if record.date_text is not None:
            lines.append(f'<p class="item-date">{_text_html(record.date_text)}</p>')
        if record.summary:
            lines.append(f'<div class="item-text"><p>{_text_html(record.summary)}</p></div>')
        lines.append("</li>\n")
        return "\n".join(lines)

    def article(self, page: ArticlePage) -> str:
        record, lang = page.record, page.record.lang
        parts = [
            '<div class="document">',
            f'<h1 class="long-title"><h1>{_text_html(record.title)}</h1></h1>',
        ]
        if record.summary:
            parts.append(f'<p class="lead">{_text_html(record.summary)}</p>')
        parts.append(
            f'<p class="document-type-date"><span class="type">{_text_html(record.type)}</span>'
            f' | <span class="date">{_text_html(record.article_date)}</span></p>'
        )
        if record.credit:
            parts.append(
                f'<figure class="main-image"><img src="{_image_src(record)}" alt="">'
                f'<figcaption><span class="caption">{_text_html(record.credit)}</span>'
                "</figcaption></figure>"
            )
        parts.append(f'<div class="article-text">{_paragraphs(record)}</div>')
        if _is_press_release(record):
            parts.append(f'<div class="contact">{_contact_html(lang)}</div>')
        tag = record.label or record.type
        parts.append(
            f'<aside class="meta-data"><strong>{escape(interface_text(lang, "tags"))}</strong> '
            f'<a class="tag-link" href="{_topic_path(tag, lang)}">{_text_html(tag)}</a>\n'
            f"<table><tr><th>{escape(interface_text(lang, 'date_issued'))}</th>"
            f"<td>{_text_html(record.article_date)}</td></tr></table></aside>"
        )
        parts.append(
            '<div class="share-bar"><a href="https://twitter.com/share">Twitter</a> '
            '<a href="https://www.facebook.com/sharer">Facebook</a></div>'
        )
        if page.languages:
            parts.append(
                f'<div class="other-languages"><h3>{escape(interface_text(lang, "translations"))}'
                f"</h3><ul>{_version_items(page.languages)}</ul></div>"
            )
        parts.append("</div>\n")
        return self._page(
            lang, record.title, record.section, page.crumbs, page.languages, "\n".join(parts)
        )

    @staticmethod
    def _page(
        lang: str, title: str, here: str, crumbs: Crumbs, languages: LanguageLinks, main: str
    ) -> str:
        """The page around ``main``; ``here`` is the listing the menu marks as the current one."""
        site = escape(interface_text(lang, "site"))
        menu = "".join(
            f'<li class="here">{_listing_link(listing, lang)}</li>'
            if listing == here
            else f"<li>{_listing_link(listing, lang)}</li>"
            for listing in LISTING_PATHS
        )
        switcher = (
            f'<ol class="language-links">{_switcher_items(languages)}</ol>\n' if languages else ""
        )
        meta = (
            f'<meta name="DC.language" content="{lang}">\n'
            f'<meta name="DC.title" content="{escape(title)}">\n'
            '<meta name="DC.rights" content="© International Labour Organization">\n'
        )
        return (
            f"{_head(lang, title, meta)}<body>\n"
            f'<header id="banner"><div id="primary-banner"><a id="logo" href="{_home_path(lang)}">'
            f'<img src="/static/img/ilo-logo.svg" alt="{site}"></a></div>\n'
            f'<ul id="menu" class="nav navbar-nav"><li>{_about_link(lang)}</li>{menu}</ul>\n'
            '<form class="search" action="/Search4/search.do" method="get">'
            '<input type="text" name="searchWhat"></form>\n'
            f"{switcher}</header>\n"
            f'<ol class="breadcrumb">{_crumb_items(crumbs)}</ol>\n'
            '<div id="content" class="container"><div class="row">'
            f'<div class="col-md-9 main-content">\n{main}</div>\n'
            f'<aside class="col-md-3 sidebar"><h3>{escape(interface_text(lang, "related"))}</h3>'
            f"<ul>{_listing_items(lang)}</ul></aside></div></div>\n"
            f'<footer id="footer">{_footer_list(lang)}</footer>\n</body>\n</html>\n'
        )


def _topic_path(tag: str, lang: str) -> str:
    """The topic page a tag links to: its words, lowercased, joined by hyphens."""
    slug = re.sub(r"\W+", "-", tag.casefold()).strip("-") or "topic"
    return f"/global/topics/{quote(slug)}/lang--{lang}/index.htm"


# wcms2014: an earlier redesign (a choice) ------------------------------------------------------


class Wcms2014(Layout):
    """Captures 2014–2018: a plausible mid-2010s design, unordered lists and camelCase classes."""

    def listing(self, page: ListingPage) -> str:
        lang = page.lang
        groups = "".join(
            f'<h2 class="monthHeader">{escape(heading)}</h2>\n<ul class="newsItems">\n'
            + "".join(map(self._item, records))
            + "</ul>\n"
            for heading, records in page.groups
        )
        main = (
            f'<h1 class="pageTitle">{escape(page.title)}</h1>\n'
            f'<div class="box mediaContact"><h2>{escape(interface_text(lang, "media_contact"))}'
            f"</h2><ol><li>{_mailto()}</li></ol></div>\n"
            f'<p class="intro">{escape(interface_text(lang, "intro"))}</p>\n'
            f'<div class="newsList">\n{groups}</div>\n{self._pager(page.pager)}'
        )
        return self._page(lang, page.title, page.crumbs, page.languages, main)

    @staticmethod
    def _item(record: Record) -> str:
        href = _item_path(record)
        lines = ['<li class="newsItem">']
        if record.credit:
            lines.append(
                f'<div class="thumb"><a href="{href}"><img src="{_image_src(record)}" alt=""></a>'
                f'<p class="photoCredit">{_text_html(record.credit)}</p></div>'
            )
        lines.append('<div class="details">')
        if record.label:
            lines.append(f'<span class="itemType">{_text_html(record.label)}</span>')
        lines.append(f'<h4 class="newsTitle"><a href="{href}">{_text_html(record.title)}</a></h4>')
        if record.date_text is not None:
            lines.append(f'<span class="newsDate">{_text_html(record.date_text)}</span>')
        if record.summary:
            lines.append(f'<div class="abstract">{_text_html(record.summary)}</div>')
        lines.append("</div></li>\n")
        return "\n".join(lines)

    @staticmethod
    def _pager(pager: Pager) -> str:
        lang = pager.lang
        entries = []
        for role, page in pager.links():
            if role == "current":
                entries.append(f"<b>{page + 1}</b>")
            elif role == "page":
                entries.append(f'<a href="{pager.href(page)}">{page + 1}</a>')
            else:
                text = escape(interface_text(lang, f"pg_{role}"))
                entries.append(f'<a class="pg-{role}" href="{pager.href(page)}">{text}</a>')
        if not entries:
            return ""
        info = interface_text(lang, "page_of").format(page=pager.current + 1, pages=pager.pages)
        return (
            f'<div class="pagingBar"><span class="pageInfo">{escape(info)}</span> '
            f"{' '.join(entries)}</div>\n"
        )

    def article(self, page: ArticlePage) -> str:
        record, lang = page.record, page.record.lang
        parts = [
            '<div class="newsArticle">',
            f'<h1 class="pageTitle">{_text_html(record.title)}</h1>',
        ]
        if record.summary:
            parts.append(f'<div class="standFirst">{_text_html(record.summary)}</div>')
        parts.append(
            f'<div class="docInfo">{_text_html(record.type)} | '
            f"{_text_html(record.article_date)}</div>"
        )
        if record.credit:
            parts.append(
                f'<div class="imgBox"><img src="{_image_src(record)}" alt="">'
                f'<p class="photoCredit">{_text_html(record.credit)}</p></div>'
            )
        parts.append(f'<div class="bodyText">{_paragraphs(record)}</div>')
        if _is_press_release(record):
            parts.append(f'<div class="box pressContact">{_contact_html(lang)}</div>')
        if page.languages:
            parts.append(
                f'<div class="box langVersions"><h2>{escape(interface_text(lang, "translations"))}'
                f"</h2><ul>{_version_items(page.languages)}</ul></div>"
            )
        parts.append("</div>\n")
        return self._page(lang, record.title, page.crumbs, page.languages, "\n".join(parts))

    @staticmethod
    def _page(lang: str, title: str, crumbs: Crumbs, languages: LanguageLinks, main: str) -> str:
        site = escape(interface_text(lang, "site"))
        viewport = '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        switcher = (
            f'<ul class="lang-switcher">{_switcher_items(languages)}</ul>\n' if languages else ""
        )
        return (
            f"{_head(lang, title, viewport)}<body>\n"
            f'<div id="header">\n<a class="site-logo" href="{_home_path(lang)}">'
            f'<img src="/static/img/ilo-logo.png" alt="{site}"></a>\n'
            f'<ul class="nav-main"><li>{_about_link(lang)}</li>{_listing_items(lang)}</ul>\n'
            f"{switcher}</div>\n"
            f'<ol class="breadcrumb">{_crumb_items(crumbs)}</ol>\n'
            f'<div id="contentArea">\n{main}</div>\n'
            f'<div id="rightCol"><h2>{escape(interface_text(lang, "related"))}</h2>'
            f"<ul>{_listing_items(lang)}</ul></div>\n"
            f'<div id="footer">{_footer_list(lang)}</div>\n</body>\n</html>\n'
        )


# wcms2010: the old table-based CMS (a choice) --------------------------------------------------


class Wcms2010(Layout):
    """Captures before 2014: a table layout of the late 2000s, ``font`` tags, no lists for items."""

    def listing(self, page: ListingPage) -> str:
        lang = page.lang
        rows = "".join(
            f'<tr><td colspan="2" class="monthTitle"><b>{escape(heading)}</b></td></tr>\n'
            + "".join(map(self._row, records))
            for heading, records in page.groups
        )
        main = (
            f'<span class="title1">{escape(page.title)}</span>\n'
            f'<table class="mediaContact"><tr><td><b>{escape(interface_text(lang, "media_contact"))}'
            f"</b><br>{_mailto()}</td></tr></table>\n"
            f'<table class="newsroomListing" width="100%" cellpadding="4">\n{rows}</table>\n'
            f"{self._pager(page.pager)}"
        )
        return self._page(lang, page.title, page.crumbs, page.languages, main)

    @staticmethod
    def _row(record: Record) -> str:
        href = _item_path(record)
        image = (
            f'<td class="newsImage" valign="top" width="90"><a href="{href}">'
            f'<img src="{_image_src(record)}" alt="" width="80"></a><br>'
            f'<font size="1" class="copyright">{_text_html(record.credit)}</font></td>'
            if record.credit
            else '<td class="newsImage"></td>'
        )
        text = ['<td class="newsText" valign="top">']
        if record.label:
            text.append(f'<font class="category">{_text_html(record.label)}</font><br>')
        text.append(
            f'<a class="newsHeadline" href="{href}"><b>{_text_html(record.title)}</b></a><br>'
        )
        if record.date_text is not None:
            text.append(f'<span class="dateline">{_text_html(record.date_text)}</span><br>')
        if record.summary:
            text.append(_text_html(record.summary))
        return f'<tr class="newsRow">{image}\n{"".join(text)}</td></tr>\n'

    @staticmethod
    def _pager(pager: Pager) -> str:
        lang = pager.lang
        words = {
            "first": "&lt;&lt; " + escape(interface_text(lang, "pg_first")),
            "prev": "&lt; " + escape(interface_text(lang, "pg_prev")),
            "next": escape(interface_text(lang, "pg_next")) + " &gt;",
            "last": escape(interface_text(lang, "pg_last")) + " &gt;&gt;",
        }
        entries = []
        for role, page in pager.links():
            if role == "current":
                entries.append(f"<b>{page + 1}</b>")
            else:
                text = words.get(role, str(page + 1))
                entries.append(f'<a href="{pager.href(page)}">{text}</a>')
        if not entries:
            return ""
        results = interface_text(lang, "results").format(
            first=pager.offset + 1, last=pager.offset + pager.shown, total=pager.total
        )
        return f'<p class="resultsNav">{escape(results)} &nbsp; {" | ".join(entries)}</p>\n'

    def article(self, page: ArticlePage) -> str:
        record, lang = page.record, page.record.lang
        parts = [f'<span class="title1">{_text_html(record.title)}</span>']
        if record.summary:
            parts.append(f'<br><i class="teaser">{_text_html(record.summary)}</i>')
        parts.append(
            f'\n<p class="docType">{_text_html(record.type)} | '
            f"{_text_html(record.article_date)}</p>\n"
        )
        if record.credit:
            parts.append(
                f'<table class="articleImage"><tr><td><img src="{_image_src(record)}" alt="">'
                f'</td></tr><tr><td class="copyright">{_text_html(record.credit)}</td></tr>'
                "</table>\n"
            )
        parts.append(f'<div id="articleBody">{_paragraphs(record)}</div>\n')
        if _is_press_release(record):
            parts.append(f'<div class="pressContact">{_contact_html(lang)}</div>\n')
        if page.languages:
            parts.append(
                f'<p class="otherLang">{escape(interface_text(lang, "translations"))}: '
                f"{_separated_links(page.languages)}</p>\n"
            )
        return self._page(lang, record.title, page.crumbs, page.languages, "".join(parts))

    @staticmethod
    def _page(lang: str, title: str, crumbs: Crumbs, languages: LanguageLinks, main: str) -> str:
        site = escape(interface_text(lang, "site"))
        switcher = (
            f'\n<span class="langLinks">{_separated_links(languages)}</span>' if languages else ""
        )
        nav = "<br>".join(
            [_about_link(lang)] + [_listing_link(listing, lang) for listing in LISTING_PATHS]
        )
        trail = " &gt; ".join(
            f'<a href="{escape(href)}">{escape(label)}</a>' if href else _text_html(label)
            for label, href in crumbs
        )
        footer = " | ".join([*_footer_links(lang), f"© {site}"])
        return (
            '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" '
            '"http://www.w3.org/TR/html4/loose.dtd">\n'
            f'<html lang="{lang}">\n<head>\n'
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            f"<title>{escape(title)} | {site}</title>\n</head>\n"
            '<body><table id="pageTable" width="100%">\n'
            f'<tr><td colspan="2" id="topBanner"><a href="{_home_path(lang)}">'
            f'<img src="/static/img/ilo-logo.gif" alt="{site}"></a>{switcher}</td></tr>\n'
            f'<tr><td id="leftNav" valign="top">{nav}</td>\n'
            f'<td id="mainContent" valign="top"><div class="crumbs">{trail}</div>\n'
            f"{main}</td></tr>\n"
            f'<tr><td colspan="2" id="footer">{footer}</td></tr></table></body>\n</html>\n'
        )


def _separated_links(languages: LanguageLinks) -> str:
    """Links to other language versions separated by ``|``, as the 2010 pages show them."""
    return " | ".join(
        f'<a hreflang="{other}" href="{escape(href)}">{_language_name(other)}</a>'
        for other, href in languages
    )


# changed: a redesign no extraction can read ----------------------------------------------------


def _script_json(element_id: str, value: object) -> str:
    """Data for the page's JavaScript; ``<`` escaped so that no text can close the script."""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/json" id="{element_id}">{data}</script>\n'


class Changed(Layout):
    """A redesign whose content is rendered by JavaScript from JSON: the pages hold no item or
    article markup at all, only the 2019 pager (so offsets can still be read)."""

    def listing(self, page: ListingPage) -> str:
        items = [
            {
                "title": record.title,
                "url": _item_path(record),
                "date": record.date.isoformat(),
                "dateText": record.date_text,
                "label": record.label,
                "credit": record.credit,
                "summary": record.summary,
            }
            for _, records in page.groups
            for record in records
        ]
        main = (
            f'<h1 class="page-title">{escape(page.title)}</h1>\n'
            f'<div id="news-app" data-page="{page.pager.current + 1}"></div>\n'
            f"{_script_json('news-data', items)}{_pagination(page.pager)}"
        )
        return self._page(page.lang, page.title, page.languages, main)

    def article(self, page: ArticlePage) -> str:
        record = page.record
        data = {
            "title": record.title,
            "type": record.type,
            "date": record.article_date,
            "teaser": record.summary,
            "credit": record.credit,
            "body": list(record.body),
            "translations": [{"lang": lang, "url": href} for lang, href in page.languages],
        }
        main = f'<div id="article-app"></div>\n{_script_json("article-data", data)}'
        return self._page(record.lang, record.title, page.languages, main)

    @staticmethod
    def _page(lang: str, title: str, languages: LanguageLinks, main: str) -> str:
        links = " ".join(
            [_about_link(lang)] + [_listing_link(listing, lang) for listing in LISTING_PATHS]
        )
        switcher = " ".join(
            f'<a hreflang="{other}" lang="{other}" href="{escape(href)}">{_language_name(other)}</a>'
            for other, href in languages
        )
        return (
            f"{_head(lang, title)}<body>\n"
            f'<header class="site-header"><a class="brand" href="{_home_path(lang)}">'
            f"{escape(interface_text(lang, 'site'))}</a>\n"
            f'<nav class="site-nav">{links}</nav>\n<nav class="site-languages">{switcher}</nav>'
            f'</header>\n<main id="main">\n{main}</main>\n'
            f'<footer class="site-footer">{" ".join(_footer_links(lang))}</footer>\n'
            '<script src="/static/js/newsroom.js"></script>\n</body>\n</html>\n'
        )


# wcms2012: relative links and a metadata table (a choice) ---------------------------------------


def _relative(target: str, here: str) -> str:
    """``target`` (a path of the site) as a link relative to the page at path ``here``, as a CMS
    that writes relative links writes it (``nextRow--10/index.htm``, ``../lang--fr/index.htm``)."""
    return posixpath.relpath(target, posixpath.dirname(here))


class Wcms2012(Layout):
    """A plausible generation between the table design and the 2014 one, for what other
    generations never show: every link relative to the page (pager, items, language versions),
    the title a nested second-level heading, the article's type and date in a small table, the
    picture's credit in a plain paragraph, the site's copyright in an unnamed bottom table."""

    def listing(self, page: ListingPage) -> str:
        lang, pager = page.lang, page.pager
        here = pager.href(pager.current)
        parts = []
        for heading, records in page.groups:
            parts.append(f'<h2 class="sub">{escape(heading)}</h2>\n')
            parts.extend(self._entry(record, here) for record in records)
        links = []
        for role, number in pager.links():
            if role == "current":
                links.append(f"<strong>{number + 1}</strong>")
            elif role in ("page", "next", "prev"):
                text = escape(interface_text(lang, role)) if role != "page" else str(number + 1)
                links.append(f'<a href="{_relative(pager.href(number), here)}">{text}</a>')
        pages = f'<div class="pages">{" ".join(links)}</div>\n' if links else ""
        main = (
            f'<div class="hd"><div class="t"><h2><span>{escape(page.title)}</span></h2></div></div>'
            f'\n<div class="results">\n{"".join(parts)}</div>\n{pages}'
        )
        return self._page(lang, page.title, here, page.languages, main)

    @staticmethod
    def _entry(record: Record, here: str) -> str:
        href = _relative(_item_path(record), here)
        parts = ['<div class="entry">']
        if record.credit:
            parts.append(
                f'<div class="pic"><a href="{href}"><img src="{_image_src(record)}" alt=""></a>'
                f"<small>{_text_html(record.credit)}</small></div>"
            )
        parts.append('<div class="txt">')
        if record.label:
            parts.append(f'<span class="k">{_text_html(record.label)}</span>')
        parts.append(f'<h3><a href="{href}">{_text_html(record.title)}</a></h3>')
        if record.date_text is not None:
            parts.append(f'<span class="d">{_text_html(record.date_text)}</span>')
        if record.summary:
            parts.append(f"<p>{_text_html(record.summary)}</p>")
        parts.append("</div></div>\n")
        return "".join(parts)

    def article(self, page: ArticlePage) -> str:
        record, lang = page.record, page.record.lang
        here = _item_path(record)
        parts = [
            f'<div class="hd"><div class="t"><h2><span>{_text_html(record.title)}</span></h2>'
            "</div></div>"
        ]
        if record.summary:
            parts.append(f'<p class="intro"><em>{_text_html(record.summary)}</em></p>')
        parts.append(
            f'<table class="docmeta"><tr><th>{escape(interface_text(lang, "doc_type"))}:</th>'
            f"<td>{_text_html(record.type)}</td></tr>"
            f"<tr><th>{escape(interface_text(lang, 'date_issued'))}:</th>"
            f"<td>{_text_html(record.article_date)}</td></tr></table>"
        )
        if record.credit:
            parts.append(
                f'<div class="pic"><img src="{_image_src(record)}" alt="">'
                f"<p>{_text_html(record.credit)}</p></div>"
            )
        parts.append(f'<div class="text">{_paragraphs(record)}</div>')
        if _is_press_release(record):
            parts.append(f'<div class="box">{_contact_html(lang)}</div>')
        languages = [(other, _relative(href, here)) for other, href in page.languages]
        if languages:
            parts.append(
                f'<p class="also">{escape(interface_text(lang, "translations"))}: '
                f"{_separated_links(languages)}</p>"
            )
        return self._page(lang, record.title, here, languages, "\n".join(parts))

    @staticmethod
    def _page(lang: str, title: str, here: str, languages: LanguageLinks, main: str) -> str:
        site = escape(interface_text(lang, "site"))
        nav = " ".join(
            f'<a href="{_relative(listing_path(listing, lang), here)}">'
            f"{escape(page_title(listing, lang))}</a>"
            for listing in LISTING_PATHS
        )
        versions = f'<div class="lng">{_separated_links(languages)}</div>' if languages else ""
        links = " | ".join(_footer_links(lang))
        return (
            f"{_head(lang, f'{site} - {title}')}<body>\n"
            f'<div id="top"><a href="{_relative(_home_path(lang), here)}">'
            f'<img src="/static/img/ilo-logo-2012.png" alt="{site}"></a>{versions}</div>\n'
            f'<div id="left">{nav}</div>\n<div id="middle">\n{main}</div>\n'
            f'<table id="bottom"><tr><td>© 1996-2012 {site} (ILO)</td></tr>'
            f"<tr><td>{links}</td></tr></table>\n</body>\n</html>\n"
        )


class Varied(Layout):
    """Pages in several generations at once, each page in one of ``names`` chosen by what it
    shows (a listing page by its place, an article by its document): a crawl meets them all."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)

    def _chosen(self, key: str) -> Layout:
        return LAYOUTS[self.names[zlib.crc32(key.encode()) % len(self.names)]]

    def listing(self, page: ListingPage) -> str:
        return self._chosen(f"{page.pager.current}").listing(page)

    def article(self, page: ArticlePage) -> str:
        return self._chosen(page.record.id).article(page)


#: The markups the replica can serve, by name.
LAYOUTS: dict[str, Layout] = {
    "wcms2010": Wcms2010(),
    "wcms2012": Wcms2012(),
    "wcms2014": Wcms2014(),
    "wcms2019": Wcms2019(),
    "changed": Changed(),
}
#: Every readable generation at once, page by page.
LAYOUTS["wcms-varied"] = Varied(("wcms2010", "wcms2012", "wcms2014", "wcms2019"))
