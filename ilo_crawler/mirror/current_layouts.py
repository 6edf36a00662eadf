"""The current site's markup: Drupal pages themed with the ILO's design system, and two variants
for drift tests.

``current`` writes what the design system's twig templates render (``packages/twig/src/
components/``: ``card_detail``, ``pagination``, ``hero``/``herocard``, ``richtext``, ``tags``,
``languagetoggle``/``contextmenu``, ``breadcrumb``, ``tooltip``, ``image``) inside the public base
theme's page (``ilo_base_theme``: ``page.html.twig``, ``pager.html.twig``), quirks included: the
pager's "n of total" counts the visible window of pages only, a disabled link is ``href=""``,
the tags list is malformed as its template is. ``current-changed`` renders content with JavaScript
(the pages hold no card and no hero); ``current-no-richtext`` writes article bodies as Drupal's
plain body field instead of the richtext component. ``CurrentSite`` decides what a page shows.
"""

from __future__ import annotations

import abc
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from ilo_crawler.mirror import drupal
from ilo_crawler.mirror.dataset import Node
from ilo_crawler.sites.current.urls import DEFAULT_LISTING, HUB_PATH, language_prefix, listing_path

#: Pager links Drupal shows around the current page (a Views full pager's default quantity).
PAGER_QUANTITY = 9
PREFIX = "ilo"

#: Interface texts by language; a language not listed gets the English ones (Drupal falls back
#: to the source string of an untranslated ``|t``).
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "site": "International Labour Organization",
        "tagline": "Advancing social justice, promoting decent work",
        "home": "Home",
        "newsroom": "Newsroom",
        "hub-intro": "News, press releases, statements and media resources.",
        "more-news": "See all news",
        "all-news": "All news",
        "all-news-intro": "The latest news, press releases, statements and articles from the "
        "International Labour Organization.",
        "first": "Go to first page",
        "prev": "Previous page",
        "next": "Go to next page",
        "last": "Go to last page",
        "menu": "Menu",
        "search": "Search",
        "topics": "Topics",
        "not_found": "Page not found",
        "not_found_text": "The requested page could not be found.",
        "about": "About the ILO",
        "contact": "Contact us",
        "privacy": "Privacy policy",
    },
    "fr": {
        "site": "Organisation internationale du Travail",
        "tagline": "Promouvoir la justice sociale et le travail décent",
        "home": "Accueil",
        "newsroom": "Salle de presse",
        "hub-intro": "Actualités, communiqués de presse, déclarations et ressources pour les médias.",
        "more-news": "Voir toutes les actualités",
        "all-news": "Toutes les actualités",
        "all-news-intro": "Les dernières actualités, communiqués de presse, déclarations et "
        "articles de l’Organisation internationale du Travail.",
        "first": "Aller à la première page",
        "prev": "Page précédente",
        "next": "Aller à la page suivante",
        "last": "Aller à la dernière page",
        "menu": "Menu",
        "search": "Rechercher",
        "topics": "Thèmes",
        "not_found": "Page introuvable",
        "not_found_text": "La page demandée est introuvable.",
        "about": "À propos de l’OIT",
        "contact": "Nous contacter",
        "privacy": "Politique de confidentialité",
    },
    "es": {
        "site": "Organización Internacional del Trabajo",
        "tagline": "Promover la justicia social y el trabajo decente",
        "home": "Inicio",
        "newsroom": "Sala de prensa",
        "hub-intro": "Noticias, comunicados de prensa, declaraciones y recursos para los medios.",
        "more-news": "Ver todas las noticias",
        "all-news": "Todas las noticias",
        "all-news-intro": "Las últimas noticias, comunicados de prensa, declaraciones y artículos "
        "de la Organización Internacional del Trabajo.",
        "first": "Ir a la primera página",
        "prev": "Página anterior",
        "next": "Ir a la página siguiente",
        "last": "Ir a la última página",
        "menu": "Menú",
        "search": "Buscar",
        "topics": "Temas",
        "not_found": "Página no encontrada",
        "not_found_text": "No se ha encontrado la página solicitada.",
        "about": "Acerca de la OIT",
        "contact": "Contacto",
        "privacy": "Política de privacidad",
    },
}


def text(lang: str, key: str) -> str:
    return TEXTS.get(lang, TEXTS["en"]).get(key) or TEXTS["en"][key]


def _e(value: str) -> str:
    """Twig's HTML escaping (``htmlspecialchars`` with ENT_QUOTES): ``&<>"'``."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#039;")
    )


# What a page shows -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DrupalPager:
    """Drupal's pager over a listing: ``current`` page (0 first; an out-of-range request is shown
    as the last page, as Views does) of ``total`` pages; ``query``: the request's other
    parameters, kept in every link."""

    current: int
    total: int
    query: tuple[tuple[str, str], ...] = ()

    def window(self) -> list[int]:
        """The pages (0 first) whose links ``template_preprocess_pager`` lists: ``quantity``
        pages around the current one, shifted to stay within the listing."""
        middle = -(-PAGER_QUANTITY // 2)
        shown = self.current + 1
        first, last = shown - middle + 1, shown + PAGER_QUANTITY - middle
        if last > self.total:
            first, last = first + (self.total - last), self.total
        if first <= 0:
            first, last = 1, last + (1 - first)
        return [page - 1 for page in range(first, min(last, self.total) + 1)]

    def href(self, page: int) -> str:
        """A link to ``page`` as Drupal writes it: relative, the query only, ``page`` last."""
        return "?" + urlencode([*self.query, ("page", str(page))])

    def links(self) -> dict[str, str]:
        """The first/prev/next/last hrefs, ``""`` where Drupal leaves the item out."""
        on_first, on_last = self.current == 0, self.current >= self.total - 1
        return {
            "first": "" if on_first else self.href(0),
            "prev": "" if on_first else self.href(self.current - 1),
            "next": "" if on_last else self.href(self.current + 1),
            "last": "" if on_last else self.href(self.total - 1),
        }


@dataclass(frozen=True, slots=True)
class ListingView:
    """A page of a listing: its cards (possibly none), its pager (None: one page or none), the
    languages the listing exists in, and the page's own node id."""

    listing: str
    lang: str
    node_id: int
    base: str
    cards: Sequence[Node]
    pager: DrupalPager | None
    languages: Sequence[str]


@dataclass(frozen=True, slots=True)
class HubView:
    """The newsroom hub: the newest nodes as featured cards, the off-site cards beside them."""

    lang: str
    node_id: int
    base: str
    featured: Sequence[Node]
    languages: Sequence[str]


@dataclass(frozen=True, slots=True)
class ArticleView:
    """An article page: the node, and every language version of it (itself included)."""

    node: Node
    versions: Sequence[Node]
    base: str


# Pieces ----------------------------------------------------------------------------------------


def _home(lang: str) -> str:
    return language_prefix(lang) + "/" if lang != "en" else "/"


def _image_src(node: Node, style: str) -> str:
    token = hashlib.blake2b(f"{node.node_id}{style}".encode(), digest_size=6).hexdigest()[:8]
    return (
        f"/sites/default/files/styles/{style}/public/{node.date:%Y-%m}/"
        f"{node.node_id}-{node.date:%Y%m%d}.jpg?itok={token}"
    )


def _language_toggle(lang: str, links: Sequence[tuple[str, str]]) -> str:
    """``languagetoggle.twig``: the links sit inside a ``<template>`` (parsers see them,
    browsers' DOM queries do not)."""
    if not links:
        return ""
    items = "".join(
        f'\t\t<li class="{PREFIX}--context-menu--item">\n'
        f'\t\t\t<a href="{_e(href)}" class="{PREFIX}--context-menu--link">\n'
        f'\t\t\t\t<span class="{PREFIX}--context-menu--label">{_e(drupal.LANGUAGE_NAMES.get(other, other))}</span>\n'
        "\t\t\t</a>\n\t\t</li>\n"
        for other, href in links
    )
    return (
        f'<div class="{PREFIX}--language-toggle {PREFIX}--language-toggle__theme__dark " '
        f'data-prefix="{PREFIX}" data-loadcomponent="LanguageToggle">\n'
        f'  <button class="{PREFIX}--language-toggle--container" aria-expanded="false" '
        f'aria-controls="{PREFIX}--language-toggle--context-menu">\n'
        f'      <span class="{PREFIX}--language-toggle--icon"></span>\n'
        f'    <span class="{PREFIX}--language-toggle--action">{_e(drupal.LANGUAGE_NAMES.get(lang, lang))}</span>\n'
        f'    <span class="{PREFIX}--language-toggle--arrow"></span>\n  </button>\n'
        f'  <template id="{PREFIX}--language-toggle--context-menu--template">\n'
        f'    <div class="{PREFIX}--language-toggle--context-menu" '
        f'id="{PREFIX}--language-toggle--context-menu" tabindex="0">\n'
        f'<ol role="menu" class="{PREFIX}--context-menu " id="">\n{items}</ol>\n'
        "    </div>\n  </template>\n</div>\n"
    )


def _header(lang: str, switcher: Sequence[tuple[str, str]]) -> str:
    prefix = language_prefix(lang)
    menu = [
        (text(lang, "about"), f"{prefix}/about-ilo"),
        (text(lang, "topics"), f"{prefix}/topics"),
        (text(lang, "newsroom"), f"{prefix}/resource/news"),
    ]
    items = "".join(
        f'<li class="{PREFIX}--nav--menu--item"><a class="{PREFIX}--nav--link" '
        f'href="{_e(href)}">{_e(label)}</a></li>'
        for label, href in menu
    )
    return (
        f'<header class="{PREFIX}--main-nav" data-loadcomponent="Navigation">\n'
        f'<div class="{PREFIX}--nav--logo"><a href="{_home(lang)}" class="{PREFIX}--logo--link">'
        f'<img class="{PREFIX}--logo" src="/themes/custom/ilo/dist/img/logo_en_horizontal_white.svg" '
        f'alt="ILO Logo"></a><p class="{PREFIX}--nav--tagline">{_e(text(lang, "tagline"))}</p></div>\n'
        f'<nav class="{PREFIX}--nav--menu"><ul>{items}</ul></nav>\n'
        f'<form class="{PREFIX}--search" action="{prefix}/search" method="get" role="search">'
        f'<input type="search" name="search_api_fulltext" aria-label="{_e(text(lang, "search"))}">'
        f"</form>\n{_language_toggle(lang, switcher)}</header>\n"
    )


def _footer(lang: str) -> str:
    prefix = language_prefix(lang)
    links = "".join(
        f'<li class="secondarylinks--list--item"><a href="{prefix}/{path}" '
        f'class="secondarylinks--list--link">{_e(text(lang, key))}</a></li>'
        for path, key in (("contact-us", "contact"), ("privacy-policy", "privacy"))
    )
    return (
        f'<footer class="{PREFIX}--footer">\n<div class="{PREFIX}--footer--main {PREFIX}--container">'
        f'<div class="site--info"><h3 class="{PREFIX}--footer--headline">{_e(text(lang, "site"))}</h3>'
        f'</div></div>\n<div class="{PREFIX}--footer--secondary"><div class="{PREFIX}--container">'
        f'<nav class="secondarylinks"><ul class="secondarylinks--list">{links}</ul></nav>'
        "</div></div>\n</footer>\n"
    )


def _breadcrumb(links: Sequence[tuple[str, str]]) -> str:
    """``breadcrumb.twig``: the first link an icon with no text, the middle ones in a context
    area, the last one (the page) a link too."""
    (first_label, first_url), *rest = links
    middle, last = rest[:-1], rest[-1]
    context = ""
    if middle:
        context = (
            f'<li class="{PREFIX}--breadcrumb--context"><ol class="{PREFIX}--breadcrumb--items">'
            + "".join(
                f'<li class="{PREFIX}--breadcrumb--item"><a href="{_e(url)}" '
                f'class="{PREFIX}--breadcrumb--link"><span class="{PREFIX}--breadcrumb--link--label">'
                f"{_e(label)}</span></a></li>"
                for label, url in middle
            )
            + f'</ol><button aria-label="More links" aria-expanded="false" '
            f'aria-controls="{PREFIX}--breadcrumb--menu" class="{PREFIX}--breadcrumb--context--button">'
            "</button></li>"
        )
    return (
        f'<nav class="{PREFIX}--breadcrumb  {PREFIX}--breadcrumb__theme__light" data-prefix="{PREFIX}" '
        f'data-loadcomponent="Breadcrumb">\n<div class="{PREFIX}--breadcrumb--inner">'
        f'<ol class="{PREFIX}--breadcrumb--items" id="{PREFIX}--breadcrumb--container">'
        f'<li class="{PREFIX}--breadcrumb--item {PREFIX}--breadcrumb--item__first">'
        f'<a aria-label="{_e(first_label)}" class="{PREFIX}--breadcrumb--link" href="{_e(first_url)}"></a></li>'
        f"{context}"
        f'<li class="{PREFIX}--breadcrumb--item"><a class="{PREFIX}--breadcrumb--link" '
        f'href="{_e(last[1])}"><span class="{PREFIX}--breadcrumb--link--label">{_e(last[0])}</span>'
        "</a></li></ol></div>\n</nav>\n"
    )


def _crumbs(lang: str, last: tuple[str, str]) -> list[tuple[str, str]]:
    prefix = language_prefix(lang)
    return [
        (text(lang, "home"), _home(lang)),
        (text(lang, "newsroom"), f"{prefix}/resource/news"),
        last,
    ]


def _document(
    lang: str,
    title: str,
    node_id: int,
    head: Sequence[str],
    switcher: Sequence[tuple[str, str]],
    main: str,
    body_class: str,
) -> str:
    """The whole page: Drupal's ``html.html.twig`` head, the base theme's ``page.html.twig``."""
    head_html = "".join(f"{line}\n" for line in head)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="ltr" prefix="og: https://ogp.me/ns#">\n'
        f'<head>\n<meta charset="utf-8" />\n{head_html}'
        f'<meta name="node_id" content="{node_id}" />\n'
        '<meta name="Generator" content="Drupal 10 (https://www.drupal.org)" />\n'
        '<meta name="MobileOptimized" content="width" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0" />\n'
        f"<title>{_e(title)} | {_e(text(lang, 'site'))}</title>\n"
        '<link rel="stylesheet" media="all" href="/themes/custom/ilo/dist/css/styles.css" />\n'
        f'</head>\n<body class="{body_class}">\n'
        '<a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>\n'
        f"{_header(lang, switcher)}"
        f'<div class="{PREFIX}--container">\n  <main role="main">\n'
        '    <a id="main-content" tabindex="-1"></a>\n    <div>\n'
        f"{main}    </div>\n  </main>\n</div>\n{_footer(lang)}"
        '<script src="/themes/custom/ilo/dist/js/main.js"></script>\n</body>\n</html>\n'
    )


def _alternates(base: str, versions: Sequence[tuple[str, str]]) -> list[str]:
    """hreflang alternates, one per translation, the page's own included (Drupal core)."""
    return [
        f'<link rel="alternate" hreflang="{lang}" href="{_e(base + path)}" />'
        for lang, path in versions
    ]


def _listing_head(view: ListingView) -> list[str]:
    path = listing_path(view.listing, view.lang)
    title = text(view.lang, view.listing)
    description = text(view.lang, "all-news-intro")
    alternates = [(lang, listing_path(view.listing, lang)) for lang in view.languages]
    return [
        f'<meta name="description" content="{_e(description)}" />',
        f'<link rel="canonical" href="{_e(view.base + path)}" />',
        f'<meta property="og:site_name" content="{_e(text(view.lang, "site"))}" />',
        f'<meta property="og:url" content="{_e(view.base + path)}" />',
        f'<meta property="og:title" content="{_e(title)}" />',
        *_alternates(view.base, alternates),
    ]


def _listing_switcher(view: ListingView) -> list[tuple[str, str]]:
    return [
        (lang, listing_path(view.listing, lang)) for lang in view.languages if lang != view.lang
    ]


def _description(node: Node) -> str:
    """The meta description: the lead, else the body's start (Drupal's summary, 300 chars)."""
    if node.summary:
        return node.summary
    start = " ".join(node.body)
    return start if len(start) <= 300 else start[:297].rsplit(" ", 1)[0] + "..."


def _article_head(view: ArticleView) -> list[str]:
    node, base = view.node, view.base
    lines = [
        f'<meta name="description" content="{_e(_description(node))}" />',
        f'<link rel="canonical" href="{_e(node.url(base))}" />',
        f'<link rel="shortlink" href="{_e(base + language_prefix(node.lang))}/node/{node.node_id}" />',
        f'<meta property="og:site_name" content="{_e(text(node.lang, "site"))}" />',
        '<meta property="og:type" content="article" />',
        f'<meta property="og:url" content="{_e(node.url(base))}" />',
        f'<meta property="og:title" content="{_e(node.title)}" />',
        f'<meta property="og:description" content="{_e(_description(node))}" />',
    ]
    if node.image:
        lines.append(
            f'<meta property="og:image" content="{_e(base + _image_src(node, "og_image"))}" />'
        )
    return lines + _alternates(base, [(v.lang, v.path) for v in view.versions])


def _article_switcher(view: ArticleView) -> list[tuple[str, str]]:
    return [(v.lang, v.path) for v in view.versions if v.lang != view.node.lang]


def _bundle_class(node: Node) -> str:
    return f"path-node page-node-type-{node.section}"


def _pagination(pager: DrupalPager | None, lang: str) -> str:
    """``pager.html.twig`` of the base theme through ``pagination.twig``: totalPages is the
    length of the window of page links, so the "n of total" is wrong on long lists and the
    next/last links are disabled by class wherever n equals it; hrefs are right."""
    if pager is None or pager.total <= 1:
        return ""
    window = pager.window()
    current_index = pager.current + 1
    total_pages = len(window)
    links = pager.links()

    def link(role: str, css: str, disabled: bool) -> str:
        title = _e(text(lang, role))
        off = f"{PREFIX}--pagination--disable" if disabled else ""
        return (
            f'    <a\n      class="{PREFIX}--pagination--{css} {PREFIX}--pagination--link {off}"\n'
            f'      href="{_e(links[role])}"\n      title="{title}"\n    >\n      {title}\n    </a>\n'
        )

    return (
        f'<div class="{PREFIX}--pagination icon icon-- {PREFIX}--pagination__theme__light">\n'
        f'  <div class="{PREFIX}--pagination--previous-set">\n'
        f"{link('first', 'first-page', pager.current == 0)}\n"
        f"{link('prev', 'prev-page', pager.current == 0)}  </div>\n\n"
        f'  <p class="{PREFIX}--pagination--page">\n    \n    \n\n'
        f"    <span>{current_index}</span>\n    <span>of</span>\n    <span>{total_pages}</span>\n"
        f"  </p>\n\n"
        f'  <div class="{PREFIX}--next-set">\n'
        f"{link('next', 'next-page', current_index == total_pages)}\n"
        f"{link('last', 'last-page', current_index == total_pages)}  </div>\n</div>\n"
    )


def _view(listing: str, rows: Sequence[str], pager: str) -> str:
    """The Views wrapper of a listing: each card in a ``views-row`` (the one place that decides
    it; a scraper of the real page was configured with ``.views-row a[href]``); no
    ``view-content`` when the page has no rows, the pager either way."""
    content = ""
    if rows:
        content = (
            '<div class="view-content">\n'
            + "".join(f'<div class="views-row">{row}</div>\n' for row in rows)
            + "</div>\n"
        )
    name = listing.replace("-", "_")
    return (
        f'<div class="views-element-container"><div class="view view-news view-id-news '
        f'view-display-id-{name}_recent js-view-dom-id-{hashlib.blake2b(name.encode(), digest_size=8).hexdigest()}">\n'
        f'{content}<nav class="pager" role="navigation">\n{pager}</nav>\n</div></div>\n'
    )


#: The hub's cards that link off-site (as on the live hub): (title, URL).
OFF_SITE_CARDS = (
    ("Video download platform", "https://videodownload.ilo.org"),
    ("Photos", "https://www.flickr.com/photos/ilopictures/"),
    ("Newsletter", "https://adestra.ilo.org/k/Ilo/news_updates"),
)


def _feature_card(title: str, link: str, node: Node | None = None) -> str:
    """``card_feature.twig`` (narrow): eyebrow, title and date, no intro."""
    parts = [
        f'<div class="{PREFIX}--card {PREFIX}--card__type__feature {PREFIX}--card__theme__light '
        f'{PREFIX}--card__size__narrow  ">\n'
        f'\t<a class="{PREFIX}--card--link" href="{_e(link)}" title="{_e(title)}">\n'
        f'\t\t<span class="{PREFIX}--card--link--text">{_e(title)}</span>\n\t</a>\n'
        f'\t<div class="{PREFIX}--card--wrap">\n\t\t<div class="{PREFIX}--card--content">\n'
    ]
    if node is not None and node.label:
        parts.append(f'\t\t\t\t<p class="{PREFIX}--card--eyebrow">{_e(node.label)}</p>\n')
    parts.append(f'\t\t\t\t<p class="{PREFIX}--card--title">{_e(title)}</p>\n')
    if node is not None:
        parts.append(
            f'\t\t\t\t<time class="{PREFIX}--card--date" datetime="{node.timestamp}">'
            f"{_e(node.date_text)}</time>\n"
        )
    parts.append("\t\t</div>\n\t</div>\n</div>")
    return "".join(parts)


def _cardgroup(cards: Sequence[str]) -> str:
    """``cardgroup.twig``, three a row."""
    inner = "".join(
        f'\t\t\t<div class="{PREFIX}--cardgroup--card">\n{card}\n\t\t\t</div>\n' for card in cards
    )
    return (
        f'<div class="{PREFIX}--cardgroup {PREFIX}--cardgroup__count__three ">\n'
        f'\t<div class="{PREFIX}--cardgroup--inner">\n{inner}\t</div>\n</div>\n'
    )


class CurrentLayout(abc.ABC):
    """A markup of the current site: renders whole listing, article and not-found pages."""

    @abc.abstractmethod
    def listing(self, view: ListingView) -> str: ...

    def hub(self, view: HubView) -> str:
        """The newsroom hub (the same in every markup): featured cards, off-site cards, a
        button to the listing."""
        lang = view.lang
        title = text(lang, "newsroom")
        prefix = language_prefix(lang)
        featured = [_feature_card(node.title, node.url(view.base), node) for node in view.featured]
        off_site = [_feature_card(label, url) for label, url in OFF_SITE_CARDS]
        main = (
            f'<h1 class="{PREFIX}--h1 page-title">{_e(title)}</h1>\n'
            f'<div class="{PREFIX}--richtext {PREFIX}--richtext__theme__light"><p>'
            f"{_e(text(lang, 'hub-intro'))}</p></div>\n"
            f"{_cardgroup(featured)}"
            f'<a class="{PREFIX}--button {PREFIX}--button__size__medium {PREFIX}--button__type__secondary" '
            f'href="{listing_path(DEFAULT_LISTING, lang)}">{_e(text(lang, "more-news"))}</a>\n'
            f"{_cardgroup(off_site)}"
        )
        switcher = [
            (other, language_prefix(other) + HUB_PATH) for other in view.languages if other != lang
        ]
        head = [
            f'<meta name="description" content="{_e(text(lang, "hub-intro"))}" />',
            f'<link rel="canonical" href="{_e(view.base + prefix + HUB_PATH)}" />',
            *_alternates(
                view.base, [(other, language_prefix(other) + HUB_PATH) for other in view.languages]
            ),
        ]
        return _document(
            lang, title, view.node_id, head, switcher, main, "path-node page-node-type-landing-page"
        )

    @abc.abstractmethod
    def article(self, view: ArticleView) -> str: ...

    def not_found(self, lang: str, node_id: int) -> str:
        """Drupal's 404 page (a node of its own: it carries ``meta[name=node_id]``)."""
        main = (
            f'<h1 class="{PREFIX}--h1 page-title">{_e(text(lang, "not_found"))}</h1>\n'
            f'<div class="{PREFIX}--richtext {PREFIX}--richtext__theme__light">\n'
            f"  <p>{_e(text(lang, 'not_found_text'))}</p>\n</div>\n"
        )
        head = ['<meta name="robots" content="noindex" />']
        return _document(
            lang, text(lang, "not_found"), node_id, head, [], main, "path-node page-node-type-page"
        )


# current: the design system --------------------------------------------------------------------


class DesignSystem(CurrentLayout):
    """The live markup: detail cards in Views rows, the Drupal pager, the hero, the richtext."""

    def listing(self, view: ListingView) -> str:
        lang = view.lang
        title = text(lang, view.listing)
        path = listing_path(view.listing, lang)
        main = (
            _breadcrumb(_crumbs(lang, (title, path)))
            + f'<h1 class="{PREFIX}--h1 page-title">{_e(title)}</h1>\n'
            + _view(
                view.listing,
                [self.card(node, view.base) for node in view.cards],
                _pagination(view.pager, lang),
            )
        )
        return _document(
            lang, title, view.node_id, _listing_head(view), _listing_switcher(view), main,
            "path-node page-node-type-landing-page",
        )  # fmt: skip

    @staticmethod
    def card(node: Node, base: str) -> str:
        """``card_detail.twig``, size wide (a list), as the live listing's cards."""
        video = f" {PREFIX}--card__isvideo " if node.label in ("Video",) else " "
        parts = [
            f'<div class="{PREFIX}--card {PREFIX}--card__type__detail {PREFIX}--card__size__wide '
            f'{video}{PREFIX}--card__theme__light">\n'
            f'\t<a class="{PREFIX}--card--link" href="{_e(node.url(base))}" title="{_e(node.title)}">\n'
            f'\t\t<span class="{PREFIX}--card--link--text">{_e(node.title)}</span>\n\t</a>\n'
            f'\t<div class="{PREFIX}--card--wrap">\n'
        ]
        if node.image:
            credit = f' title="{_e(node.credit)}"' if node.credit else ""
            parts.append(
                f'\t\t\t<div class="{PREFIX}--card--image--wrapper">\n'
                f"\t\t\t\t<picture{credit}>\n"
                f'\t\t\t\t\t<source srcset="{_image_src(node, "card_wide")}" media="(min-width: 800px)">\n'
                f'\t\t\t\t\t<img class="{PREFIX}--card--picture" src="{_image_src(node, "card_narrow")}" '
                f'alt="" loading="lazy">\n\t\t\t\t</picture>\n\t\t\t</div>\n'
            )
        parts.append(f'\t\t<div class="{PREFIX}--card--content">\n')
        if node.label:
            parts.append(f'\t\t\t\t<p class="{PREFIX}--card--eyebrow">{_e(node.label)}</p>\n')
        parts.append(f'\t\t\t\t<p class="{PREFIX}--card--title">{_e(node.title)}</p>\n')
        if node.summary:
            parts.append(f'\t\t\t\t<p class="{PREFIX}--card--intro">{_e(node.summary)}</p>\n')
        if node.place:
            parts.append(
                f'\t\t\t\t<p class="{PREFIX}--card--date-extra">\n'
                f'\t\t\t\t\t<svg class="{PREFIX}--icon {PREFIX}--card--icon-right" data-name="triangle_right" '
                'data-size="20" data-color="var(--ilo-color-gray-charcoal)" data-loadcomponent="Icon" '
                'aria-hidden="true"></svg>\n'
                f'\t\t\t\t\t<svg class="{PREFIX}--icon {PREFIX}--card--icon-left" data-name="triangle_left" '
                'data-size="20" data-color="var(--ilo-color-gray-charcoal)" data-loadcomponent="Icon" '
                'aria-hidden="true"></svg>\n'
                f"\t\t\t\t\t{_e(node.date_line)}\n\t\t\t\t</p>\n"
            )
        else:
            parts.append(
                f'\t\t\t\t<time class="{PREFIX}--card--date" datetime="{node.timestamp}">'
                f"{_e(node.date_text)}</time>\n"
            )
        parts.append("\t\t</div>\n\t</div>\n</div>")
        return "".join(parts)

    def article(self, view: ArticleView) -> str:
        node = view.node
        main = (
            f'<article class="node node--type-{node.section} node--view-mode-full">\n'
            f"{self.hero(view)}{self.body(node)}{self.tags(node)}</article>\n"
        )
        return _document(
            node.lang, node.title, node.node_id, _article_head(view), _article_switcher(view),
            main, _bundle_class(node),
        )  # fmt: skip

    @staticmethod
    def hero(view: ArticleView) -> str:
        """``hero.twig`` with its ``herocard.twig``: eyebrow, title, intro, datecopy; the image
        credit in the caption's tooltip."""
        node = view.node
        lang = node.lang
        image = ""
        if node.image:
            image = (
                '\t\t\t\t<picture class="hero--image">\n'
                f'\t\t\t\t\t\t\t\t\t\t\t\t<source srcset="{_image_src(node, "hero_large")}" media="(min-width: 1024px)">\n'
                f'\t\t\t\t\t<img class="{PREFIX}--card--image" src="{_image_src(node, "hero_small")}" alt="" >\n'
                "\t\t\t\t</picture>\n"
            )
        card = [
            f'<div class="{PREFIX}--hero-card {PREFIX}--hero-card__theme__dark '
            f'{PREFIX}--hero-card__background__solid  {PREFIX}--hero-card__cornercut ">\n'
        ]
        if node.label:
            card.append(f'    <p class="{PREFIX}--hero-card--eyebrow">{_e(node.label)}</p>\n')
        card.append(f'     <h1 class="{PREFIX}--hero-card--title">{_e(node.title)}</h1>\n')
        if node.summary:
            card.append(f'    <p class="{PREFIX}--hero-card--intro">{_e(node.summary)}</p>\n')
        card.append(
            f'    <p class="{PREFIX}--hero-card--datecopy">{_e(node.date_text)}</p>\n</div>\n'
        )
        caption = ""
        if node.image and node.credit:
            caption = (
                '\t\t\t\t<div class="hero--caption--wrapper">\n'
                f'\t<div class="{PREFIX}--tooltip--wrapper  {PREFIX}--tooltip--wrapper__icon '
                f'{PREFIX}--tooltip--wrapper__icon__theme__dark " role="status" aria-live="polite" '
                f'aria-relevant="additions" data-loadcomponent="Tooltip" data-prefix="{PREFIX}">\n'
                f'\t<span data-id= id="tooltip" role="tooltip" class="{PREFIX}--tooltip '
                f'{PREFIX}--tooltip--dark" data-alignment="left" >\n'
                f'\t\t<span data-popper-arrow class="{PREFIX}--tooltip--arrow '
                f'{PREFIX}--tooltip--arrow--placement-negative" data-placement="negative" '
                'role="presentation"></span>\n'
                f"\t\t{_e(node.credit)}\n\t</span>\n</div>\n\t\t\t\t</div>\n"
            )
        crumbs = _crumbs(lang, (node.title, node.path))
        return (
            '<div class="hero  hero__card-justify__start hero__poster-size__big '
            "hero__card-size__wide hero__card-align__bottom hero__card-theme__dark "
            'hero__card-background__solid">\n'
            f'\t<figure class="hero--background">\n{image}\t</figure>\n'
            '\t\t<div class="hero--breadcrumbs">\n\t\t\t<div class="hero--breadcrumbs--wrapper">\n'
            f"{_breadcrumb(crumbs)}\t\t\t</div>\n\t\t</div>\n"
            '\t<div class="hero--card-offset"></div>\n\t<div class="hero--card">\n'
            f"{''.join(card)}\t</div>\n"
            f'\t<div class="hero--caption">\n{caption}\t</div>\n</div>\n'
        )

    @staticmethod
    def paragraphs(node: Node) -> str:
        """The editor's HTML: the paragraphs, with an inline image (``image.twig``, its credit
        under it) after the first when the node has a credit and a long body."""
        paragraphs = [f"<p>{_e(paragraph)}</p>\n" for paragraph in node.body]
        if node.credit and len(paragraphs) >= 3:
            figure = (
                f'<figure class="{PREFIX}--image {PREFIX}--image__theme__light" data-prefix="{PREFIX}">\n'
                f'  <div class="image {PREFIX}--image--wrapper">\n    <picture >\n'
                f'      <img src="{_image_src(node, "inline")}" alt="" loading="lazy">\n    </picture>\n'
                f'      <div class="{PREFIX}--image--credit">\n'
                f'        <div class="{PREFIX}--image--label">\n          {_e(node.credit)}\n'
                "        </div>\n      </div>\n  </div>\n</figure>\n"
            )
            paragraphs.insert(1, figure)
        return "".join(paragraphs)

    def body(self, node: Node) -> str:
        """``richtext.twig`` around the editor's HTML."""
        return (
            f'<div class="{PREFIX}--richtext {PREFIX}--richtext__theme__light">\n'
            f"  {self.paragraphs(node)}</div>\n"
        )

    @staticmethod
    def tags(node: Node) -> str:
        """``tags.twig`` with anchor tags, as its template writes it: a stray quote in the list's
        class attribute, and only the last ``li`` closed (the others close implicitly)."""
        if not node.tags:
            return ""
        prefix = language_prefix(node.lang)
        items = "".join(
            f'  <li class="{PREFIX}--tag--item">\n'
            f'    <a class="{PREFIX}--tag {PREFIX}--tag__enabled {PREFIX}--tag__type__anchor" id="" '
            f'href="{prefix}/topics/{drupal.encode_slug(drupal.clean_title(tag, fold=True))}" >\n'
            f"    {_e(tag)}\n    \n  </a>\n"
            for tag in node.tags
        )
        return f'<ul class="{PREFIX}--tags"">\n{items}  </li>\n</ul>\n'


# current-no-richtext: Drupal's plain body field ------------------------------------------------


class PlainBody(DesignSystem):
    """Articles whose body is Drupal's plain ``field--name-body`` (a theme that stopped wrapping
    it in the richtext component): no ``div.ilo--richtext``; listings as the live site."""

    def body(self, node: Node) -> str:
        paragraphs = "".join(f"<p>{_e(paragraph)}</p>" for paragraph in node.body)
        return (
            '<div class="clearfix text-formatted field field--name-body '
            'field--type-text-with-summary field--label-hidden field__item">'
            f"{paragraphs}</div>\n"
        )


# current-plain-heading, current-details: article pages without the hero ---------------------


def _heroless_article(view: ArticleView, layout: DesignSystem, header: str) -> str:
    """An article page whose ``header`` (title, type, date, lead, picture) replaces the hero,
    then ``layout``'s body and the tags."""
    node = view.node
    main = (
        f'<article class="node node--type-{node.section} node--view-mode-full">\n'
        f"{header}{layout.body(node)}{layout.tags(node)}</article>\n"
    )
    return _document(
        node.lang, node.title, node.node_id, _article_head(view), _article_switcher(view),
        main, _bundle_class(node),
    )  # fmt: skip


class PlainHeading(DesignSystem):
    """Articles without the hero: the page's own heading, the type and the date as two small
    elements side by side (no space between them), the lead, the picture as a ``figure``
    before the body with its credit in the caption. Listings as the live site."""

    def article(self, view: ArticleView) -> str:
        node = view.node
        parts = [
            '<div class="page-heading">\n'
            f'<h1 class="page-title"><span class="field field--name-title">{_e(node.title)}'
            "</span></h1>\n"
        ]
        meta = [f'<span class="meta-type">{_e(node.label)}</span>'] if node.label else []
        meta.append(f'<time datetime="{node.date.isoformat()}">{_e(node.date_text)}</time>')
        parts.append(f'<div class="meta">{"".join(meta)}</div>\n</div>\n')
        if node.summary:
            parts.append(f'<p class="standfirst">{_e(node.summary)}</p>\n')
        if node.image:
            caption = f"<figcaption>{_e(node.credit)}</figcaption>" if node.credit else ""
            parts.append(
                f'<figure class="media media--lead"><img src="{_image_src(node, "hero_large")}" '
                f'alt="">{caption}</figure>\n'
            )
        return _heroless_article(view, self, "".join(parts))


#: The labels of the details list (``current-details``).
_DETAIL_LABELS = {
    "en": ("Type", "Date"),
    "fr": ("Type", "Date"),
    "es": ("Tipo", "Fecha"),
}


class Details(PlainBody):
    """Articles without the hero: the title in a block of its own (a nested heading), the lead,
    then the type and date as a definition list of details, the picture in a plain block with
    its credit in a paragraph under it; Drupal's plain body field."""

    def article(self, view: ArticleView) -> str:
        node = view.node
        type_label, date_label = _DETAIL_LABELS.get(node.lang, _DETAIL_LABELS["en"])
        parts = [f'<div class="block-title"><h1><span>{_e(node.title)}</span></h1></div>\n']
        if node.summary:
            parts.append(f'<div class="lede"><p>{_e(node.summary)}</p></div>\n')
        details = [f"<dt>{type_label}</dt><dd>{_e(node.label)}</dd>"] if node.label else []
        details.append(f"<dt>{date_label}</dt><dd>{_e(node.date_text)}</dd>")
        parts.append(f'<dl class="details">{"".join(details)}</dl>\n')
        if node.image:
            credit = f'<p class="picture-credit">{_e(node.credit)}</p>' if node.credit else ""
            parts.append(
                f'<div class="picture"><picture><img src="{_image_src(node, "hero_large")}" '
                f'alt=""></picture>{credit}</div>\n'
            )
        return _heroless_article(view, self, "".join(parts))


class Varied(CurrentLayout):
    """Article pages in several renderings at once, each node's in one of ``names`` (chosen by
    its node id, so its translations share it); listings as the live site."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)

    def listing(self, view: ListingView) -> str:
        return CURRENT_LAYOUTS[self.names[0]].listing(view)

    def article(self, view: ArticleView) -> str:
        chosen = self.names[view.node.node_id % len(self.names)]
        return CURRENT_LAYOUTS[chosen].article(view)


# current-changed: content rendered by JavaScript ----------------------------------------------


def _script_json(element_id: str, value: object) -> str:
    """Data for the page's JavaScript; ``<`` escaped so that no text can close the script."""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/json" id="{element_id}">{data}</script>\n'


class Scripted(CurrentLayout):
    """A redesign whose content a script renders from JSON: listing pages hold no card (the pager
    is kept, so pages can still be counted), article pages no hero and no body; the head is
    Drupal's as ever (node id, og:title, description)."""

    def listing(self, view: ListingView) -> str:
        lang = view.lang
        title = text(lang, view.listing)
        items = [
            {
                "title": node.title,
                "url": node.url(view.base),
                "date": node.timestamp,
                "dateText": node.date_line,
                "eyebrow": node.label,
                "intro": node.summary,
            }
            for node in view.cards
        ]
        main = (
            f'<h1 class="{PREFIX}--h1 page-title">{_e(title)}</h1>\n'
            '<div id="news-app" data-loadcomponent="NewsList"></div>\n'
            f"{_script_json('news-data', items)}{_pagination(view.pager, lang)}"
        )
        return _document(
            lang, title, view.node_id, _listing_head(view), _listing_switcher(view), main,
            "path-node page-node-type-landing-page",
        )  # fmt: skip

    def article(self, view: ArticleView) -> str:
        node = view.node
        data = {
            "eyebrow": node.label,
            "title": node.title,
            "intro": node.summary,
            "date": node.date_text,
            "credit": node.credit,
            "body": list(node.body),
        }
        main = f'<div id="article-app" data-loadcomponent="Article"></div>\n{_script_json("article-data", data)}'
        return _document(
            node.lang, node.title, node.node_id, _article_head(view), _article_switcher(view),
            main, _bundle_class(node),
        )  # fmt: skip


#: The current site's markups, by name (``--layout``).
CURRENT_LAYOUTS: dict[str, CurrentLayout] = {
    "current": DesignSystem(),
    "current-changed": Scripted(),
    "current-no-richtext": PlainBody(),
    "current-plain-heading": PlainHeading(),
    "current-details": Details(),
}
#: Every readable article rendering at once, node by node.
CURRENT_LAYOUTS["current-varied"] = Varied(
    ("current", "current-plain-heading", "current-details", "current-no-richtext")
)
DEFAULT_CURRENT_LAYOUT = "current"
