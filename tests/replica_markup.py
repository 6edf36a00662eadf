"""The replica's pages read back with each layout generation's own selectors (the markup that
``ilo_crawler/mirror/layouts.py`` writes), independently of the crawler's extraction, so that
tests of the replica check the markup itself."""

from __future__ import annotations

from typing import Any

from parsel import Selector

#: The readable layout generations, oldest first ("changed" is read only where a test says so).
GENERATIONS = ("wcms2010", "wcms2014", "wcms2019")

_LISTING_TITLE = {
    "wcms2010": "td#mainContent > span.title1",
    "wcms2014": "div#contentArea > h1.pageTitle",
    "wcms2019": "div.main-content > div.page-header > h1",
    "changed": "main#main > h1.page-title",
}
#: The month headings' cells or elements, and the item elements.
_HEADINGS = {
    "wcms2010": "table.newsroomListing > tr > td.monthTitle",
    "wcms2014": "div.newsList > h2.monthHeader",
    "wcms2019": "div.items-list > h3.list-heading",
}
_ITEMS = {
    "wcms2010": "table.newsroomListing > tr.newsRow",
    "wcms2014": "div.newsList > ul.newsItems > li.newsItem",
    "wcms2019": "div.items-list > ol.item-list > li",
}
_ITEM_FIELDS = {
    "wcms2014": {
        "credit": "div.thumb > p.photoCredit",
        "label": "div.details > span.itemType",
        "title": "div.details > h4.newsTitle > a",
        "date": "div.details > span.newsDate",
        "summary": "div.details > div.abstract",
    },
    "wcms2019": {
        "credit": "span.caption",
        "label": "p.item-prehead",
        "title": "h5.item-title > a",
        "date": "p.item-date",
        "summary": "div.item-text > p",
    },
}
_HEADING_SELECTORS = {"wcms2010": "b", "wcms2014": "*", "wcms2019": "*"}
_ARTICLE_FIELDS = {
    "wcms2010": {
        "title": "td#mainContent > span.title1",
        "teaser": "td#mainContent > i.teaser",
        "meta": "td#mainContent > p.docType",
        "credit": "table.articleImage td.copyright",
        "body": "div#articleBody > p",
        "contact": "td#mainContent > div.pressContact",
        "translations": "p.otherLang > a",
    },
    "wcms2014": {
        "title": "div.newsArticle > h1.pageTitle",
        "teaser": "div.newsArticle > div.standFirst",
        "meta": "div.newsArticle > div.docInfo",
        "credit": "div.imgBox > p.photoCredit",
        "body": "div.bodyText > p",
        "contact": "div.newsArticle > div.box.pressContact",
        "translations": "div.box.langVersions > ul > li > a",
    },
    "wcms2019": {
        "title": "div.document > h1.long-title > h1",
        "teaser": "div.document > p.lead",
        "meta": "div.document > p.document-type-date",
        "credit": "figure.main-image > figcaption > span.caption",
        "body": "div.article-text > p",
        "contact": "div.document > div.contact",
        "translations": "div.other-languages > ul > li > a",
    },
}
_ARTICLE_CONTAINERS = {
    "wcms2010": "td#mainContent",
    "wcms2014": "div#contentArea > div.newsArticle",
    "wcms2019": "div.main-content > div.document",
}


def text(node: Selector) -> str:
    """An element's text as the record held it: ``<br>`` read back as a line break."""
    return _joined(node.xpath(".//text() | .//br"))


def _joined(nodes: Any) -> str:
    return "".join("\n" if getattr(n.root, "tag", None) == "br" else n.get() for n in nodes)


def _first_text(node: Selector, css: str) -> str | None:
    found = node.css(css)
    return text(found[0]) if found else None


def _selector(html: str | bytes) -> Selector:
    return Selector(text=html.decode("utf-8") if isinstance(html, bytes) else html)


def listing_title(html: str | bytes, layout: str) -> str | None:
    return _first_text(_selector(html), _LISTING_TITLE[layout])


def listing_items(html: str | bytes, layout: str) -> list[dict[str, Any]]:
    """The items of a listing page, each with the month heading it sits under."""
    items: list[dict[str, Any]] = []
    heading = None
    item_tag = {"wcms2010": "tr", "wcms2014": "li", "wcms2019": "li"}[layout]
    for part in _selector(html).css(f"{_HEADINGS[layout]}, {_ITEMS[layout]}"):  # in page order
        if part.root.tag != item_tag:
            heading = _first_text(part, _HEADING_SELECTORS[layout])
            continue
        item = _row_fields(part) if layout == "wcms2010" else _item_fields(part, layout)
        items.append({"heading": heading} | item)
    return items


def _item_fields(item: Selector, layout: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        name: _first_text(item, css) for name, css in _ITEM_FIELDS[layout].items()
    }
    title = item.css(_ITEM_FIELDS[layout]["title"])
    fields["href"] = title.attrib.get("href") if title else None
    if layout == "wcms2019" and fields["title"] is not None:
        # The title is followed by ``&nbsp;`` and an empty icon span, as on the real site.
        fields["title"] = fields["title"].removesuffix("\xa0")
    return fields


def _row_fields(row: Selector) -> dict[str, Any]:
    """An item row of the 2010 table: the summary is the cell's bare text after its last line."""
    cell = row.css("td.newsText")
    headline = cell.css("a.newsHeadline")
    last = cell.css("span.dateline") or headline
    summary = _joined(last.xpath("following-sibling::node()")[1:])  # after the line's <br>
    return {
        "credit": _first_text(row, "td.newsImage > font.copyright"),
        "label": _first_text(cell, "font.category"),
        "title": _first_text(headline, "b"),
        "href": headline.attrib.get("href"),
        "date": _first_text(cell, "span.dateline"),
        "summary": summary or None,
    }


def headings(html: str | bytes, layout: str) -> list[str]:
    parts = _selector(html).css(_HEADINGS[layout])
    return [_first_text(part, _HEADING_SELECTORS[layout]) or "" for part in parts]


_ROLES = ("first", "prev", "page", "next", "last")


def pager(html: str | bytes, layout: str) -> dict[str, list[str]]:
    """The pager's links by role (first, prev, page, next, last) and the current page's number."""
    sel = _selector(html)
    if layout == "wcms2010":
        nav = sel.css("p.resultsNav")
        links = nav.css("a")
        roles = {"&lt;&lt; ": "first", "&lt; ": "prev", " &gt;&gt;": "last", " &gt;": "next"}

        def role(link: Selector) -> str:
            inner = link.get().split(">", 1)[1].rsplit("<", 1)[0]
            return next((name for mark, name in roles.items() if mark in inner), "page")

        found = {name: [a.attrib["href"] for a in links if role(a) == name] for name in _ROLES}
        return found | {"current": nav.css("b::text").getall()}
    if layout == "wcms2014":
        bar = sel.css("div.pagingBar")
        found = {name: bar.css(f"a.pg-{name}::attr(href)").getall() for name in _ROLES}
        found["page"] = bar.css("a:not([class])::attr(href)").getall()
        return found | {"current": bar.css("b::text").getall()}
    bar = sel.css("ul.pagination")
    found = {name: bar.css(f"li.{name} > a::attr(href)").getall() for name in _ROLES}
    found["page"] = bar.css("li:not([class]) > a::attr(href)").getall()
    return found | {"current": bar.css("li.active > span::text").getall()}


def article_fields(html: str | bytes, layout: str) -> dict[str, Any]:
    """Title, teaser, type, date, credit, body paragraphs, contact block and translations."""
    sel = _selector(html)
    container = sel.css(_ARTICLE_CONTAINERS[layout])
    fields = _ARTICLE_FIELDS[layout]
    if layout == "wcms2019":
        kind = _first_text(container, "p.document-type-date > span.type")
        date = _first_text(container, "p.document-type-date > span.date")
    else:
        meta = _first_text(container, fields["meta"])
        kind, date = meta.split(" | ", 1) if meta else (None, None)
    return {
        "title": _first_text(container, fields["title"]),
        "teaser": _first_text(container, fields["teaser"]),
        "type": kind,
        "date": date,
        "credit": _first_text(container, fields["credit"]),
        "body": [text(p) for p in container.css(fields["body"])],
        "contact": bool(container.css(fields["contact"] + " a[href^='mailto:']")),
        "translations": [
            (a.attrib["hreflang"], a.attrib["href"], text(a))
            for a in container.css(fields["translations"])
        ],
    }
