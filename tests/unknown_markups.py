"""Two markups the extraction has no selectors for, written for the tests only.

Unlike each other and unlike every known layout generation (``ilo_crawler.mirror.layouts``,
``ilo_crawler.sites.wcms.layouts``): other elements, other class names, other field order in the
DOM. ``Digest`` is a table whose rows lead with the date and put the credit after the title, behind
a decoy numbered list of article links ("Most read"); ``Cards`` is HTML5 sections of unordered
lists of ``article`` cards whose credit is a ``figcaption`` after the title. A crawl of either must
find every item by content alone.
"""

from __future__ import annotations

import re
from html import escape

from ilo_crawler.mirror.layouts import (
    ArticlePage,
    Layout,
    ListingPage,
    Pager,
    Wcms2019,
    interface_text,
)
from ilo_crawler.sites.wcms.urls import article_path


def text_html(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def item_path(record) -> str:
    return article_path(record.section, record.id, record.lang)


def page(lang: str, title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)} - ILO</title></head><body>{body}</body></html>"
    )


def pager_links(pager: Pager, separator: str) -> str:
    """Every page of the pager window as a link with its page number, nothing else."""
    return separator.join(
        f'<a href="{pager.href(number)}">{number + 1}</a>'
        for role, number in pager.links()
        if role in ("page", "current")
    )


def versions(languages) -> str:
    return " · ".join(f'<a href="{escape(href)}">{escape(lang)}</a>' for lang, href in languages)


class Digest(Layout):
    """Tables, date first; a decoy numbered list of article links before the items."""

    def listing(self, listing: ListingPage) -> str:
        rows = []
        for heading, records in listing.groups:
            rows.append(f'<tbody><tr class="sep"><th colspan="3">{escape(heading)}</th></tr>')
            for record in records:
                what = []
                if record.label:
                    what.append(f"<em>{text_html(record.label)}</em><br>")
                what.append(
                    f'<a href="{item_path(record)}"><strong>{text_html(record.title)}</strong></a>'
                )
                if record.credit:
                    what.append(f"<br><small>{text_html(record.credit)}</small>")
                when = text_html(record.date_text) if record.date_text is not None else ""
                rows.append(
                    f'<tr><td class="c1">{when}</td><td class="c2">{"".join(what)}</td>'
                    f'<td class="c3">{text_html(record.summary) if record.summary else ""}</td></tr>'
                )
            rows.append("</tbody>")
        popular = "".join(
            f'<li><a href="{item_path(record)}">{text_html(record.title)}</a></li>'
            for _heading, records in listing.groups[:1]
            for record in records[:3]
        )
        body = (
            f'<div id="wrap"><p class="site">{escape(interface_text(listing.lang, "site"))}</p>'
            f"<div class='popular'><b>Most read</b><ol>{popular}</ol></div>"
            f'<div class="cols"><div class="c-main"><div class="ttl">{escape(listing.title)}</div>'
            f'<table class="digest" border="0">{"".join(rows)}</table>'
            f'<div class="pg">{pager_links(listing.pager, " ")}</div></div></div>'
            f'<div class="bottom">© {escape(interface_text(listing.lang, "site"))}</div></div>'
        )
        return page(listing.lang, listing.title, body)

    def article(self, article: ArticlePage) -> str:
        record = article.record
        parts = [f'<div id="doc"><h1>{text_html(record.title)}</h1>']
        if record.summary:
            parts.append(f"<blockquote>{text_html(record.summary)}</blockquote>")
        parts.append(
            f'<div class="i">{text_html(record.type)} | {text_html(record.article_date)}</div>'
        )
        if record.credit:
            parts.append(
                f'<div class="pic"><img src="/i.jpg" alt=""><br><small>{text_html(record.credit)}</small></div>'
            )
        parts.append(
            "<section>" + "".join(f"<p>{text_html(p)}</p>" for p in record.body) + "</section>"
        )
        parts.append(f'<div class="v">{versions(article.languages)}</div></div>')
        return page(record.lang, record.title, "".join(parts))


class Cards(Layout):
    """HTML5 sections of unordered lists of cards; the credit after the title."""

    def listing(self, listing: ListingPage) -> str:
        sections = []
        for heading, records in listing.groups:
            cards = []
            for record in records:
                card = ['<li><article class="tile"><header>']
                if record.label:
                    card.append(f'<span class="kicker">{text_html(record.label)}</span>')
                card.append(
                    f'<h4><a href="{item_path(record)}">{text_html(record.title)}</a></h4></header>'
                )
                if record.credit:
                    card.append(
                        f'<figure><img src="/i.jpg" alt=""><figcaption>{text_html(record.credit)}</figcaption></figure>'
                    )
                if record.date_text is not None:
                    card.append(f"<time>{text_html(record.date_text)}</time>")
                if record.summary:
                    card.append(f"<p>{text_html(record.summary)}</p>")
                card.append("</article></li>")
                cards.append("".join(card))
            sections.append(
                f'<section><h2>{escape(heading)}</h2><ul class="tiles">{"".join(cards)}</ul></section>'
            )
        body = (
            f'<header class="top"><nav><a href="/">Home</a></nav></header>'
            f"<main><h1>{escape(listing.title)}</h1>{''.join(sections)}"
            f'<p class="more">{pager_links(listing.pager, " | ")}</p></main>'
            f"<footer>© ILO</footer>"
        )
        return page(listing.lang, listing.title, body)

    def article(self, article: ArticlePage) -> str:
        record = article.record
        head = [f"<header><h1>{text_html(record.title)}</h1>"]
        if record.summary:
            head.append(f'<p class="standfirst">{text_html(record.summary)}</p>')
        head.append(
            f"<p><span>{text_html(record.type)}</span> | <time>{text_html(record.article_date)}</time></p></header>"
        )
        figure = (
            f'<figure><img src="/i.jpg" alt=""><figcaption>{text_html(record.credit)}</figcaption></figure>'
            if record.credit
            else ""
        )
        prose = "".join(f"<p>{text_html(p)}</p>" for p in record.body)
        body = (
            f'<main><article>{"".join(head)}{figure}<div class="prose">{prose}</div></article>'
            f"<aside><ul>{versions(article.languages)}</ul></aside></main><footer>© ILO</footer>"
        )
        return page(record.lang, record.title, body)


UNKNOWN_MARKUPS: dict[str, Layout] = {"digest": Digest(), "cards": Cards()}


class ScriptedPager(Wcms2019):
    """The 2019 generation whose pager a script drives: its entries are buttons naming their
    page in a data attribute, no link a reader can follow."""

    def listing(self, page: ListingPage) -> str:
        html = super().listing(page)
        return re.sub(
            r'<ul class="pagination">.*?</ul>',
            lambda match: match[0].replace("<a href=", "<button data-href="),
            html,
            flags=re.S,
        )
