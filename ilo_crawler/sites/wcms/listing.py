"""A WCMS listing page ("All ILO Newsroom content" and its kin) turned into its items.

Pure: HTML and URL in, data out; unit-tested on saved pages. Each known layout generation's
selectors are tried in turn (``layouts.LISTING_LAYOUTS``); a field they miss, or a page none of
them reads, is found by content (``ilo_crawler.extract.entries``). Every field says how it was
found (``found_by``), so a change of the site's markup shows before it becomes a loss.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lxml import etree

from ilo_crawler.extract.document import page_title
from ilo_crawler.extract.entries import EntryFields, entry_lines, find_entries, read_fields
from ilo_crawler.extract.text import base_url, element_text, first_text, parse_html
from ilo_crawler.sites.pages import (
    BY_CONTENT,
    ENTRY_FIELDS,
    ESSENTIAL_FIELDS,
    ListingEntry,
    ListingPage,
)
from ilo_crawler.sites.wcms import urls
from ilo_crawler.sites.wcms.layouts import LISTING_LAYOUTS, ListingLayout


def parse_listing(html: str | bytes, url: str) -> ListingPage:
    """Read a listing page. A page without recognisable items yields no entries (the caller
    decides whether an empty page is the end of the listing or a layout change)."""
    root = parse_html(html)
    lang = _page_lang(root, url)
    offset = urls.offset_in_url(url) or 0
    links_base = base_url(root, url)
    for layout in LISTING_LAYOUTS:
        entries = tuple(_entries_by_selectors(root, layout, links_base, lang))
        if entries:
            title = first_text(layout.queries["title"](root))
            break
    else:
        layout = None
        entries = tuple(_entries_by_content(root, links_base, lang))
        title = page_title(root)
    return ListingPage(
        url=url,
        offset=offset,
        title=title,
        entries=entries,
        layout=layout.name if layout else None,
        **_pager(root, url, links_base, offset),
    )


def _page_lang(root: etree._Element, url: str) -> str:
    return urls.language_in_url(url) or root.get("lang") or "en"


def _entries_by_selectors(
    root: etree._Element, layout: ListingLayout, base_url: str, lang: str
) -> Iterator[ListingEntry]:
    queries = layout.queries
    blocks = queries["block"](root)
    if not blocks:
        return
    headings = set(queries["headings"](blocks[0]))
    heading: str | None = None
    read = []
    for part in queries["parts"](blocks[0]):
        if part in headings:
            heading = element_text(part)
            continue
        link = next(iter(queries["link"](part)), None)
        found: dict[str, str | None] = {
            "credit": first_text(queries["credit"](part)),
            "label": first_text(queries["label"](part)),
            "title": element_text(link) if link is not None else None,
            "date_text": first_text(queries["date"](part)),
            "summary": first_text(queries["summary"](part)),
        }
        read.append((part, link, heading, found))
    on_page = {name for *_, found in read for name, value in found.items() if value is not None}
    fillable = set(ESSENTIAL_FIELDS) | (set(ENTRY_FIELDS) - on_page)
    for position, (part, link, item_heading, found) in enumerate(read, start=1):
        found_by = {name: layout.name for name, value in found.items() if value is not None}
        if any(found[name] is None for name in fillable):
            by_content = read_fields(entry_lines([part], link), lang)
            for name in ENTRY_FIELDS:
                if name in fillable and found[name] is None and getattr(by_content, name):
                    found[name] = getattr(by_content, name)
                    found_by[name] = BY_CONTENT
        yield _entry(position, item_heading, found, _href(link, base_url), found_by)


def documents_linked(base_url: str) -> Callable[[str], str | None]:
    """What a link on a page at ``base_url`` points to: a WCMS document id, or None."""

    def document_of(href: str) -> str | None:
        if "WCMS_" not in href:
            return None
        key = urls.parse_article_path(urls.join_url(base_url, href))
        return key.doc_id if key else None

    return document_of


def _entries_by_content(root: etree._Element, base_url: str, lang: str) -> Iterator[ListingEntry]:
    found_entries = find_entries(root, lang, documents_linked(base_url))
    for position, found in enumerate(found_entries, start=1):
        fields: EntryFields = found.fields
        values = {name: getattr(fields, name) for name in ENTRY_FIELDS}
        found_by = {name: BY_CONTENT for name, value in values.items() if value is not None}
        url = _href(found.link, base_url) if found.link is not None else None
        yield _entry(position, found.heading, values, url, found_by)


def _entry(
    position: int,
    heading: str | None,
    values: dict[str, str | None],
    url: str | None,
    found_by: dict[str, str],
) -> ListingEntry:
    return ListingEntry(position=position, heading=heading, url=url, found_by=found_by, **values)


def _href(link: etree._Element | None, base_url: str) -> str | None:
    href = link.get("href") if link is not None else None
    return urls.join_url(base_url, href.strip()) if href and href.strip() else None


#: Links that may be to pages of a listing: not to documents, nor to other schemes.
_LISTING_LINKS = etree.XPath(
    "//a/@href[not(contains(., 'WCMS_')) and not(starts-with(normalize-space(.), 'mailto:'))]"
)


def _pager(
    root: etree._Element, page_url: str, links_base: str, offset: int
) -> dict[str, int | None]:
    """Page size and last page from the offsets of every link to another page of the same
    listing (``nextRow--N``), whatever markup holds them and however it writes them (absolute,
    from the root, or relative to the page: resolved as a browser resolves them); never
    assumed."""
    series = urls.listing_series(page_url)
    offsets = {offset}
    for href in _LISTING_LINKS(root):
        linked = urls.join_url(links_base, href.strip())
        if series is None or urls.listing_series(linked) == series:
            found = urls.offset_in_url(linked)
            if found is not None:
                offsets.add(found)
    ordered = sorted(offsets)
    steps = [later - earlier for earlier, later in zip(ordered, ordered[1:], strict=False)]
    return {
        "page_size": min(steps) if steps else None,
        "last_offset": ordered[-1] if steps else None,
    }
