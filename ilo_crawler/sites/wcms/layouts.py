"""The WCMS site's known layout generations: one selector table per generation, newest first.

Every selector the crawler applies to WCMS pages is here. ``wcms2019`` follows the markup public
code shows of the live site (``../shared/site/wcms-markup.md``: ``ol.item-list > li``,
``span.caption``, ``p.item-prehead``, ``h5.item-title > a``, ``div.items-list``,
``h1.long-title``, ``aside.meta-data``); where that evidence stops (date line, summary, month
heading, pager, article body) and for the two older generations, the selectors match the
replica's plausible markup. A page no table reads is read by content (``ilo_crawler.extract``),
so meeting real markup that differs is a new or corrected table here, and never a lost page.

Selectors are CSS unless they start with ``xpath:``; item fields are relative to the item.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from ilo_crawler.extract.selectors import compile_layout


@dataclass(frozen=True)
class ListingLayout:
    """Where one generation's listing page keeps its title, month headings and items."""

    name: str
    title: str  #: the page's title
    block: str  #: the element holding the month headings and the items
    headings: str  #: month headings inside the block
    items: str  #: items inside the block
    credit: str
    label: str
    link: str  #: the title link (its text is the title, its href the article)
    date: str
    summary: str
    queries: dict[str, etree.XPath] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        queries = compile_layout(self)
        queries["parts"] = etree.XPath(f"{queries['headings'].path} | {queries['items'].path}")


@dataclass(frozen=True)
class ArticleLayout:
    """Where one generation's article page keeps its fields. ``type_date`` is the
    ``<type> | <date>`` line where type and date have no element of their own."""

    name: str
    container: str
    title: str
    teaser: str
    credit: str
    paragraphs: str
    type: str | None = None
    date: str | None = None
    type_date: str | None = None
    queries: dict[str, etree.XPath] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compile_layout(self)


LISTING_LAYOUTS: tuple[ListingLayout, ...] = (
    ListingLayout(
        name="wcms2019",
        title="div.page-header h1",
        block="div.items-list",
        headings="h3.list-heading",
        items="ol.item-list > li",
        credit="span.caption",
        label="p.item-prehead",
        link="h5.item-title > a",
        date="p.item-date",
        summary="div.item-text",
    ),
    ListingLayout(
        name="wcms2014",
        title="h1.pageTitle",
        block="div.newsList",
        headings="h2.monthHeader",
        items="ul.newsItems > li",
        credit=".thumb .photoCredit",
        label=".details .itemType",
        link=".details .newsTitle a",
        date=".details .newsDate",
        summary=".details .abstract",
    ),
    ListingLayout(
        name="wcms2010",
        title="span.title1",
        block="table.newsroomListing",
        headings="td.monthTitle",
        items="tr.newsRow",
        credit="td.newsImage .copyright",
        label="td.newsText font.category",
        link="td.newsText a.newsHeadline",
        date="td.newsText span.dateline",
        # The summary is the cell's own text after the last line break.
        summary="xpath:td[contains(concat(' ', normalize-space(@class), ' '), ' newsText ')]"
        "/text()[normalize-space()]",
    ),
)

ARTICLE_LAYOUTS: tuple[ArticleLayout, ...] = (
    ArticleLayout(
        name="wcms2019",
        container="div.document",
        # The evidence: ``h1.long-title`` holds an inner ``h1``.
        title="h1.long-title h1",
        teaser="p.lead",
        type=".document-type-date .type",
        date=".document-type-date .date",
        credit="figure.main-image .caption",
        paragraphs="div.article-text p",
    ),
    ArticleLayout(
        name="wcms2014",
        container="div.newsArticle",
        title="h1.pageTitle",
        teaser="div.standFirst",
        type_date="div.docInfo",
        credit=".imgBox .photoCredit",
        paragraphs="div.bodyText p",
    ),
    ArticleLayout(
        name="wcms2010",
        container="td#mainContent",
        title="span.title1",
        teaser="i.teaser",
        type_date="p.docType",
        credit="table.articleImage td.copyright",
        paragraphs="div#articleBody p",
    ),
)
