"""The current site's known layout: the ILO design system's markup (www.ilo.org since 2024).

Every selector the crawler applies to the current site's pages is here. They follow the design
system's twig templates (``international-labour-organization/designsystem``,
``packages/twig/src/components/``: ``card_*``, ``pagination``, ``hero``/``herocard``,
``richtext``, ``image``, ``tooltip``, ``languagetoggle``/``contextmenu``) and the public base
theme's ``pager.html.twig``, with the one selector seen on the live site, the cards' overlay link
(``../shared/site/current-site.md``). What the templates leave open (the card type, the title's
level, Views wrappers around the cards) the selectors do not assume: any card type, any title
element, wherever the cards stand in the content. A page no table reads is read by content
(``ilo_crawler.extract``), so meeting real markup that differs is a corrected or new table here,
and never a lost page.

Selectors are CSS unless they start with ``xpath:``; card fields are relative to the card,
hero fields to the hero, body parts to each richtext block, the rest to the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from ilo_crawler.extract.selectors import compile_layout

#: What separates a card's date from its place (``20 September 2025 | Kuala Lumpur, Malaysia``).
DATE_PLACE_SEPARATOR = " | "


@dataclass(frozen=True)
class ListingLayout:
    """Where a listing page keeps its title, its cards and its pager."""

    name: str
    title: str  #: the page's title
    block: str  #: the element holding the cards (the page's content, not its header or footer)
    cards: str  #: the cards inside the block, in page order
    link: str  #: the card's link to its article: the overlay link, else the title's link
    card_title: str  #: the card's visible title (its text, where the link has no title attribute)
    label: str
    summary: str
    date: str  #: the date element: its text is the date as the card shows it
    date_value: str  #: the date element's machine-readable value (a Unix timestamp)
    date_extra: str  #: the date line of cards that show a place: ``<date> | <place>``
    next_page: str  #: the pager's link to the next page (``href=""`` on the last page)
    last_page: str  #: the pager's link to the last page (``href=""`` on the last page)
    credit: str | None = None  #: no card template shows an image credit
    queries: dict[str, etree.XPath] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compile_layout(self)


@dataclass(frozen=True)
class ArticleLayout:
    """Where an article page keeps its fields: the hero (type, title, lead, date, image credit),
    the richtext blocks (the body) and the language switcher (the translations)."""

    name: str
    hero: str
    title: str
    teaser: str
    type: str
    date: str
    credit: str  #: the hero image's caption: its ``©`` part is the credit
    body: str  #: the editor's text blocks, in page order
    body_parts: str  #: inside a block: what is one part of the body (a paragraph, heading, item)
    body_skip: str  #: inside a block: what is no part of the body (inline images, their credits)
    switcher: str  #: the language switcher's links (inside a ``<template>``: lxml sees them)
    alternates: str  #: the ``hreflang`` alternates the head declares
    tags: str  #: the article's topic tags (each one's text is its label)
    queries: dict[str, etree.XPath] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compile_layout(self)


LISTING_LAYOUTS: tuple[ListingLayout, ...] = (
    ListingLayout(
        name="current2024",
        title="h1.page-title",
        block="main",
        # Any card type (detail, feature, text, promo, ...): all start with the overlay link.
        cards="div.ilo--card",
        link="a.ilo--card--link[href], .ilo--card--title a[href]",
        card_title=".ilo--card--title",
        label=".ilo--card--eyebrow",
        summary=".ilo--card--intro",
        date="time.ilo--card--date",
        date_value="time.ilo--card--date::attr(datetime)",
        date_extra=".ilo--card--date-extra",
        next_page="a.ilo--pagination--next-page",
        last_page="a.ilo--pagination--last-page",
    ),
)

ARTICLE_LAYOUTS: tuple[ArticleLayout, ...] = (
    ArticleLayout(
        name="current2024",
        hero="div.hero",
        title="h1.ilo--hero-card--title",
        teaser=".ilo--hero-card--intro",
        type=".ilo--hero-card--eyebrow",
        date=".ilo--hero-card--datecopy",
        credit=".hero--caption .ilo--tooltip",
        body="main .ilo--richtext",
        body_parts="p, h2, h3, h4, h5, h6, li",
        body_skip="figure, .ilo--image--credit",
        switcher=".ilo--language-toggle a.ilo--context-menu--link[href]",
        alternates="link[rel=alternate][hreflang][href]",
        tags="ul.ilo--tags a.ilo--tag",
    ),
)
