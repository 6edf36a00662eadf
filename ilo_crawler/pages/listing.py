"""A listing page ("All ILO Newsroom content" and its kin) turned into its headings and items.

Pure: HTML and URL in, data out. No crawler, no network; unit-tested on saved pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from parsel import Selector

from ilo_crawler import urls
from ilo_crawler.pages import selectors as css
from ilo_crawler.pages.text import text_of, visible_text


@dataclass(frozen=True)
class ListingEntry:
    """One item as a listing page shows it; every field but ``position`` may be missing."""

    position: int  #: 1-based place on the page, counted over all its lists
    heading: str | None  #: the month heading the item stands under, as written
    credit: str | None
    label: str | None
    title: str | None
    url: str | None  #: absolute URL of the article page
    date_text: str | None
    summary: str | None


@dataclass(frozen=True)
class ListingPage:
    """A page of a paginated listing: its items and what its pager says about the listing."""

    url: str
    offset: int  #: index of the page's first item in the whole listing
    title: str | None
    entries: tuple[ListingEntry, ...]
    page_size: int | None  #: items a page, read from the pager (None: no pager to read)
    last_offset: int | None  #: offset of the listing's last page, when the pager shows it

    @property
    def is_empty(self) -> bool:
        return not self.entries


def parse_listing(html: str | bytes, url: str) -> ListingPage:
    """Read a listing page. A page without a listing block yields no entries (the caller decides
    whether an empty page is the end of the listing or a layout change)."""
    page = Selector(text=html.decode("utf-8") if isinstance(html, bytes) else html)
    offset = urls.offset_in_url(url) or 0
    return ListingPage(
        url=url,
        offset=offset,
        title=text_of(page, css.LISTING_TITLE),
        entries=tuple(_entries(page, url)),
        **_pager(page, url, offset),
    )


def _entries(page: Selector, base_url: str):
    block = page.css(css.LISTING_BLOCK)
    if not block:
        return
    heading: str | None = None
    position = 0
    for part in block[0].xpath(css.LISTING_PARTS):
        if part.root.tag == css.MONTH_HEADING_TAG:
            heading = visible_text(part)
            continue
        for item in part.xpath(css.LISTING_ITEM):
            position += 1
            href = item.css(css.ITEM_LINK).get()
            yield ListingEntry(
                position=position,
                heading=heading,
                credit=text_of(item, css.ITEM_CREDIT),
                label=text_of(item, css.ITEM_LABEL),
                title=text_of(item, css.ITEM_TITLE),
                url=urljoin(base_url, href.strip()) if href else None,
                date_text=text_of(item, css.ITEM_DATE),
                summary=text_of(item, css.ITEM_SUMMARY),
            )


def _pager(page: Selector, base_url: str, offset: int) -> dict[str, int | None]:
    """Page size and last page from the offsets the pager links to; never assumed."""
    offsets = {offset}
    for href in page.css(css.PAGER_LINKS).getall():
        linked = urls.offset_in_url(urljoin(base_url, href))
        if linked is not None:
            offsets.add(linked)
    ordered = sorted(offsets)
    steps = [later - earlier for earlier, later in zip(ordered, ordered[1:], strict=False)]
    return {
        "page_size": min(steps) if steps else None,
        "last_offset": ordered[-1] if steps else None,
    }
