"""The item the crawl produces: one article in one language, as the archive stores it.

Field names are the archive's column names (see ``ilo_crawler.archive.schema``). The spider fills
what the pages say; the pipelines fill the normalised fields.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ilo_crawler.sites import LISTING_ONLY_PREFIX
from ilo_crawler.sites.pages import ArticlePage, ListingEntry

if TYPE_CHECKING:  # the archive's tools use these items without loading Scrapy
    from scrapy.http import Headers, Response


@dataclass
class Capture:
    """A fetched page as received: what the archive keeps to re-extract or replay it later.

    ``body`` is the body as Scrapy hands it over: already decoded from any Content-Encoding."""

    kind: str  #: ``listing`` or ``article``
    url: str  #: the URL first requested (before redirects)
    final_url: str  #: the URL that answered
    status: int
    request_headers: dict[str, list[str]]
    headers: dict[str, list[str]]
    body: bytes
    fetched_at: str  #: UTC, ISO 8601
    #: ``live`` (the WCMS site), ``current`` (the current site) or ``wayback`` (a web archive's)
    source: str = "live"
    doc_id: str | None = None
    lang: str | None = None
    #: The page's URL on the site (for a web-archive copy: the URL the archive captured).
    original_url: str | None = None
    #: When the content was captured (UTC, ISO 8601): the fetch, or the archive's capture.
    captured_at: str | None = None


@dataclass(frozen=True)
class ArchivedCopy:
    """Where a response came from when it is a web archive's copy of a page of the site."""

    original_url: str
    captured_at: str  #: the archive's capture timestamp, UTC, ISO 8601


def capture_of(
    response: Response,
    kind: str,
    doc_id: str | None = None,
    lang: str | None = None,
    copy: ArchivedCopy | None = None,
    source: str = "live",
) -> Capture:
    """The capture of a response, with the headers sent and received as text, and its
    provenance: a site fetched live (``source``: ``live`` for the WCMS, ``current``), or the web
    archive's ``copy`` of a page."""
    redirects = response.request.meta.get("redirect_urls") if response.request else None
    url = redirects[0] if redirects else response.url
    fetched_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return Capture(
        kind=kind,
        url=url,
        final_url=response.url,
        status=response.status,
        request_headers=_headers(response.request.headers) if response.request else {},
        headers=_headers(response.headers),
        body=response.body,
        fetched_at=fetched_at,
        source="wayback" if copy else source,
        doc_id=doc_id,
        lang=lang,
        original_url=copy.original_url if copy else url,
        captured_at=copy.captured_at if copy else fetched_at,
    )


def _headers(headers: Headers) -> dict[str, list[str]]:
    # Headers is a dict of normalised names to lists of values: read as one, without the
    # per-name lookups of Headers.items() (1% of a full crawl's reactor thread, measured).
    return {
        name.decode("latin-1"): [value.decode("latin-1") for value in values]
        for name, values in dict.items(headers)
    }


@dataclass
class ArticleItem:
    doc_id: str
    lang: str
    url: str | None
    listing: str  #: listing slug the item was found in (``all-newsroom``, ``news``, ...)
    listing_url: str  #: the listing page it stood on
    listing_position: int
    #: the index in the whole listing of that page's first item (None: read it from the URL)
    listing_offset: int | None
    listing_heading: str | None
    # As the listing shows them (the article page's own value where the listing has none).
    title: str | None
    summary: str | None
    credit: str | None
    label: str | None
    date_text: str | None
    # As the article page shows them.
    article_type: str | None = None
    article_date_text: str | None = None
    body: list[str] = field(default_factory=list)
    translations: list[str] = field(default_factory=list)  #: languages of the other versions
    fetched_at: str | None = None  #: when the article page was fetched (UTC, ISO 8601)
    fetch_error: str | None = None  #: why the article page could not be read, if it could not
    fetch_status: int | None = None  #: the HTTP status of that failure, when there was one
    capture: Capture | None = None  #: the article page as received
    listing_hash: str | None = None  #: fingerprint of what the listing showed (see listing_hash)
    date_value: str | None = None  #: the listing's machine-readable date beside its date line
    source: str = "live"  #: where the content was read: ``live`` or ``wayback``
    captured_at: str | None = None  #: when that content was captured (UTC, ISO 8601)
    archive_url: str | None = None  #: the web-archive URL the article page was read from
    # Filled by the pipelines.
    published: str | None = None  #: ISO date
    article_published: str | None = None
    date_problem: str | None = None
    month: str | None = None  #: YYYY-MM the item belongs to
    category: str | None = None
    category_slug: str | None = None
    category_kind: str | None = None
    #: the topics the article page lists as tags, as written (the current site's)
    tags: list[str] = field(default_factory=list)
    #: the article's normalised topics: its tags', else its label's where that is a topic
    topics: list[str] = field(default_factory=list)


def article_item(
    *,
    doc_id: str,
    lang: str,
    listing: str,
    listing_url: str,
    entry: ListingEntry,
    article: ArticlePage | None,
    capture: Capture | None = None,
    fetch_error: str | None = None,
    fetch_status: int | None = None,
    listing_copy: ArchivedCopy | None = None,
    listing_offset: int | None = None,
    source: str = "live",
) -> ArticleItem:
    """Join what the listing and the article page say about one article into one item. Its
    provenance is the article page's capture; without one, the web archive's ``listing_copy``
    the item was read from (if it came from the web archive), else the ``source`` it was
    listed on."""
    page = article or ArticlePage(url=entry.url or "", doc_id=doc_id, lang=lang, has_article=False)
    return ArticleItem(
        doc_id=doc_id,
        lang=lang,
        url=entry.url,
        listing=listing,
        listing_url=listing_url,
        listing_position=entry.position,
        listing_offset=listing_offset,
        listing_heading=entry.heading,
        title=entry.title or page.title,
        summary=entry.summary or page.teaser,
        credit=entry.credit or page.credit,
        label=entry.label,
        date_text=entry.date_text,
        article_type=page.type,
        article_date_text=page.date_text,
        body=list(page.body),
        translations=sorted(page.translations),
        tags=list(page.tags),
        fetched_at=capture.fetched_at if capture else None,
        fetch_error=fetch_error,
        fetch_status=fetch_status,
        capture=capture,
        listing_hash=listing_hash(entry),
        date_value=entry.date_value,
        source=capture.source if capture else "wayback" if listing_copy else source,
        captured_at=capture.captured_at if capture else listing_copy and listing_copy.captured_at,
        archive_url=capture.url if capture and capture.source == "wayback" else None,
    )


def listing_hash(entry: ListingEntry) -> str:
    """A fingerprint of an item's listing fields: when it is unchanged since the last run, the
    article page need not be fetched again."""
    path = urlsplit(entry.url).path if entry.url else None  # the host may differ between runs
    shown = [entry.title, entry.summary, entry.credit, entry.label, entry.date_text, path]
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode("utf-8")).hexdigest()


def listing_only_id(entry: ListingEntry) -> str:
    """A stable key for an item with no document id: a hash of what the listing shows of it."""
    shown = "\x1f".join(str(v) for v in (entry.title, entry.date_text, entry.summary, entry.url))
    return LISTING_ONLY_PREFIX + hashlib.sha256(shown.encode("utf-8")).hexdigest()[:16]


@dataclass
class Sighting:
    """An archived article seen again in a listing, unchanged: recorded, not re-downloaded."""

    doc_id: str
    lang: str
    listing: str
    listing_url: str
    listing_position: int
    listing_offset: int | None = None  #: as ``ArticleItem.listing_offset``


@dataclass
class FetchFailure:
    """A page that still failed after retries, to record (and retry first next run)."""

    url: str
    kind: str  #: ``listing`` or ``article``
    error: str
