"""A listing page of the current site (the "All news" listing, ``?page=N``) turned into its cards.

Pure: HTML and URL in, data out; unit-tested on saved pages. The known layout's selectors are
tried first (``layouts.LISTING_LAYOUTS``); a field they miss, or a page they do not read, is found
by content (``ilo_crawler.extract.entries``: an article link, a title, a date in the page's
language). Only cards linking to an article path are items (hub pages mix in cards linking off
the site). Every field says how it was found (``found_by``).

The pager counts pages, not items: a page's size is known only where the pager links a next page
(the page is full); the last page is read from the pager's "last page" link, never from its
"n of total" text, which counts only the window of pages it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urljoin

from lxml import etree

from ilo_crawler.extract.document import page_title
from ilo_crawler.extract.entries import entry_lines, find_entries, read_fields
from ilo_crawler.extract.text import base_url, first_text, parse_html
from ilo_crawler.normalize.dates import is_date_line
from ilo_crawler.sites.current import urls
from ilo_crawler.sites.current.layouts import (
    DATE_PLACE_SEPARATOR,
    LISTING_LAYOUTS,
    ListingLayout,
)
from ilo_crawler.sites.pages import (
    BY_CONTENT,
    ENTRY_FIELDS,
    ESSENTIAL_FIELDS,
    ListingEntry,
    ListingPage,
)

#: The fields of an entry besides its URL: the shared ones and the card's machine-readable date.
CARD_FIELDS = (*ENTRY_FIELDS, "date_value")
_TIME_VALUE = etree.XPath("descendant-or-self::time/@datetime")


def parse_listing(html: str | bytes, url: str) -> ListingPage:
    """Read a listing page. A page without recognisable cards yields no entries (the caller
    decides whether an empty page is the end of the listing or a layout change)."""
    root = parse_html(html)
    lang = page_language(root, url)
    links_base = base_url(root, url)
    for layout in LISTING_LAYOUTS:
        entries = tuple(_entries_by_selectors(root, layout, links_base, lang))
        if entries:
            title = first_text(layout.queries["title"](root)) or page_title(root)
            break
    else:
        layout = None
        entries = tuple(_entries_by_content(root, links_base, lang))
        title = page_title(root)
    index = urls.page_in_url(url)
    pager = (url, links_base)
    page_size = len(entries) if entries and _has_next_page(root, pager, index) else None
    last_page = _last_page(root, pager) if page_size else None
    return ListingPage(
        url=url,
        offset=index * page_size if page_size else (0 if index == 0 else None),
        title=title,
        entries=entries,
        page_size=page_size,
        last_offset=last_page * page_size if page_size and last_page is not None else None,
        layout=layout.name if layout else None,
    )


def page_language(root: etree._Element, url: str) -> str:
    """The language of a page: its URL's prefix; for a URL without one, the ``<html lang>`` it
    declares when the site knows that language; else English."""
    prefixed = urls.language_of(url)
    if prefixed != "en":
        return prefixed
    declared = (root.get("lang") or "").strip().lower()
    for candidate in (declared, declared.split("-")[0]):
        if candidate in urls.SITE_LANGUAGES:
            return candidate
    return "en"


def article_url(href: str | None, base_url: str) -> str | None:
    """The absolute URL a link points to when it is an article page of the site, else None."""
    if not href or not href.strip():
        return None
    absolute = urljoin(base_url, href.strip())
    return absolute if urls.parse_article_url(absolute) else None


def date_part(line: str | None, lang: str) -> str | None:
    """The date of a card's date line: a ``<date> | <place>`` line's date, else the line."""
    if line is None:
        return None
    head, separator, _place = line.partition(DATE_PLACE_SEPARATOR)
    return head.strip() if separator and is_date_line(head.strip(), lang) else line


def _entries_by_selectors(
    root: etree._Element, layout: ListingLayout, base_url: str, lang: str
) -> Iterator[ListingEntry]:
    queries = layout.queries
    blocks = queries["block"](root)
    if not blocks:
        return
    read = []
    for card in queries["cards"](blocks[0]):
        link = next(iter(queries["link"](card)), None)
        found_url = article_url(link.get("href") if link is not None else None, base_url)
        how_url = layout.name
        if found_url is None:  # no known link: the card's first link to an article, if any
            link, found_url = _first_article_link(card, base_url)
            how_url = BY_CONTENT
        if found_url is None:
            continue  # a card linking off the site, or nowhere: no item to follow
        found = {
            "credit": first_text(queries["credit"](card)) if "credit" in queries else None,
            "label": first_text(queries["label"](card)),
            "title": _raw_title(link) or first_text(queries["card_title"](card)),
            "date_text": first_text(queries["date"](card))
            or date_part(first_text(queries["date_extra"](card)), lang),
            "summary": first_text(queries["summary"](card)),
            "date_value": _as_written(queries["date_value"](card)),
        }
        read.append((card, link, found_url, how_url, found))
    on_page = {name for *_, found in read for name, value in found.items() if value is not None}
    fillable = set(ESSENTIAL_FIELDS) | (set(CARD_FIELDS) - on_page)
    for position, (card, link, found_url, how_url, found) in enumerate(read, start=1):
        found_by = {name: layout.name for name, value in found.items() if value is not None}
        found_by["url"] = how_url
        if any(found[name] is None for name in fillable):
            by_content = _card_by_content(card, link, lang)
            for name in CARD_FIELDS:
                if name in fillable and found[name] is None and by_content[name] is not None:
                    found[name] = by_content[name]
                    found_by[name] = BY_CONTENT
        yield ListingEntry(
            position=position, heading=None, url=found_url, found_by=found_by, **found
        )


def _card_by_content(
    card: etree._Element, link: etree._Element | None, lang: str
) -> dict[str, str | None]:
    fields = read_fields(entry_lines([card], link), lang)
    return {
        "credit": fields.credit,
        "label": fields.label,
        "title": fields.title,
        "date_text": date_part(fields.date_text, lang),
        "summary": fields.summary,
        "date_value": _as_written(_TIME_VALUE(card)),
    }


def _first_article_link(
    card: etree._Element, base_url: str
) -> tuple[etree._Element | None, str | None]:
    for link in card.iter("a"):
        found = article_url(link.get("href"), base_url)
        if found:
            return link, found
    return None, None


def _raw_title(link: etree._Element | None) -> str | None:
    """The node's title as published: the link's ``title`` attribute, verbatim (a trailing
    space kept), when it has one."""
    title = link.get("title") if link is not None else None
    return title if title and title.strip() else None


def _as_written(values: list) -> str | None:
    """An attribute's value exactly as the page writes it (None when blank or absent), as a
    plain string (lxml's keeps its whole document alive)."""
    return str(values[0]) if values and values[0].strip() else None


def documents_linked(base_url: str) -> Callable[[str], str | None]:
    """What a link on a page at ``base_url`` points to: an article (its language, section and
    slug, which name it on this site), or None."""

    def document_of(href: str) -> str | None:
        location = urls.parse_article_url(urljoin(base_url, href))
        return f"{location.lang}/{location.section}/{location.slug}" if location else None

    return document_of


def _entries_by_content(root: etree._Element, base_url: str, lang: str) -> Iterator[ListingEntry]:
    found_entries = find_entries(root, lang, documents_linked(base_url))
    for position, found in enumerate(found_entries, start=1):
        link = found.link
        href = article_url(link.get("href") if link is not None else None, base_url)
        if href is None:
            continue
        fields = found.fields
        values = {
            "credit": fields.credit,
            "label": fields.label,
            "title": _raw_title(link) or fields.title,
            "date_text": date_part(fields.date_text, lang),
            "summary": fields.summary,
            "date_value": _as_written(
                [v for e in (*found.before, found.element, *found.after) for v in _TIME_VALUE(e)]
            ),
        }
        found_by = {name: BY_CONTENT for name, value in values.items() if value is not None}
        found_by["url"] = BY_CONTENT
        yield ListingEntry(
            position=position, heading=found.heading, url=href, found_by=found_by, **values
        )


# The pager -----------------------------------------------------------------------------------


def _pages_linked(links: list, pager: tuple[str, str]) -> list[int]:
    """The pages of the listing that ``links`` point to (``pager``: the page's URL and what its
    links resolve against; a disabled pager link, ``href=""``, points nowhere; a link to another
    listing or filter is not one of its pages)."""
    page_url, links_base = pager
    pages = []
    for link in links:
        href = (link.get("href") or "").strip()
        if not href:
            continue
        target = urljoin(links_base, href)
        if urls.same_listing(target, page_url):
            pages.append(urls.page_in_url(target))
    return pages


def _has_next_page(root: etree._Element, pager: tuple[str, str], index: int) -> bool:
    """Whether the pager links a page after this one: its next-page link when the page has the
    known pager (whose disabled links keep their element, with ``href=""``), else any link to
    page ``index + 1`` of the listing, whatever markup holds it."""
    for layout in LISTING_LAYOUTS:
        links = layout.queries["next_page"](root)
        if links:
            return any(page > index for page in _pages_linked(links, pager))
    return index + 1 in _pages_linked(root.iter("a"), pager)


def _last_page(root: etree._Element, pager: tuple[str, str]) -> int | None:
    """The listing's last page from the pager's last-page link; None without one (a pager's
    other links name no last page: a mini pager links only the next)."""
    for layout in LISTING_LAYOUTS:
        pages = _pages_linked(layout.queries["last_page"](root), pager)
        if pages:
            return max(pages)
    return None
