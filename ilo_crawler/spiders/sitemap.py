"""The ``newsroom`` spider's reading of the current site's sitemap, in its incremental runs.

A listing shows what is new, not what changed: an editor's correction to a page leaves its card
as it was, a page outside the listing view is in no listing, a page taken down simply stops
being listed. The sitemap (simple_sitemap: an index of ``?page=N`` files, each URL with its
``<lastmod>``) says all three. Its files are asked for conditionally (the archive keeps the last
copy of each, as it keeps article pages, and reads that copy again on a 304), parsed by Scrapy's
own ``scrapy.utils.sitemap.Sitemap``, and once the listing walk is done (``spider_idle``) each
article URL of the run's language is compared with what the archive holds:

- archived, and its ``<lastmod>`` is later than the archived page's Last-Modified: read again
  (conditionally), a new revision of the same article if the page changed;
- in no listing this run and not archived: archived, found in the sitemap (``SITEMAP_LISTING``);
- archived, but no longer in the sitemap: asked for once; a 404 or 410 marks it gone.

A sitemap that cannot be read (robots.txt's ``Sitemap:`` lines name where it is; the default
URL otherwise) costs the run nothing but one warning: it goes on from the listing, and no page
is checked for being gone from a sitemap read in part.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from ilo_crawler.archive.index import ArchiveIndex, Known, StoredCopy, conditional_headers
from ilo_crawler.items import Capture, capture_of
from ilo_crawler.sites.current import urls
from ilo_crawler.sites.pages import ListingEntry
from ilo_crawler.spiders.arguments import NewsroomArguments

#: The listing an article found only in the sitemap is recorded as seen in (its appearance's
#: and its row's ``listing``).
SITEMAP_LISTING = "sitemap"
#: What the sitemap's files are kept as in the archive's captures.
SITEMAP_KIND = "sitemap"
#: Sitemap files before the listing's pages? After: the walk's first page is what a run needs
#: first; the files are read while it goes on.
SITEMAP_PRIORITY = 5
#: Why a page is asked for because of the sitemap (the article request's ``sitemap`` argument).
CHANGED, UNLISTED, LEFT = "changed", "unlisted", "left"


@dataclass(frozen=True)
class SitemapUrl:
    """An article URL of the sitemap: where it is listed and when the site says it changed."""

    url: str
    lastmod: dt.datetime | None
    sitemap_url: str  #: the sitemap file that lists it
    position: int  #: 1-based, in that file


@dataclass(frozen=True)
class Visit:
    """A page the sitemap sends the run to: why, and what the archive holds of it."""

    reason: str  #: ``CHANGED`` (or reappeared), ``UNLISTED`` or ``LEFT`` (not in the sitemap)
    url: str
    known: Known | None
    listed: SitemapUrl | None  #: None for a page that left the sitemap


@dataclass
class SitemapReading:
    """One run's reading of the sitemap: the files asked for and not yet answered, the article
    URLs of the run's language by path, and why it failed, if it did."""

    lang: str
    copies: dict[str, StoredCopy]  #: the archived copy of each file, by path and query
    pending: set[str] = field(default_factory=set)
    articles: dict[str, SitemapUrl] = field(default_factory=dict)
    failure: str | None = None
    files_read: int = 0
    dispatched: bool = False

    @property
    def done(self) -> bool:
        return not self.pending

    def fail(self, url: str, why: str) -> None:
        """The first failure is the one said (one warning a run)."""
        if self.failure is None:
            self.failure = f"{url}: {why}"

    def add_urls(self, sitemap: Sitemap, sitemap_url: str) -> None:
        for position, entry in enumerate(articles_of(sitemap, self.lang), start=1):
            path = urlsplit(entry["loc"]).path
            self.articles[path] = SitemapUrl(
                entry["loc"], lastmod(entry.get("lastmod")), sitemap_url, position
            )

    def visits(self, index: ArchiveIndex, walked: set[str], base_url: str) -> list[Visit]:
        """The pages to ask for at ``base_url``, once the listing walk is over (``walked``: the
        paths it followed); pages that left the sitemap only when every file of it was read."""
        found = []
        for path, listed in self.articles.items():
            if path in walked:
                continue  # the listing's walk has decided about it this run
            known = index.at_url(path)
            if known is None:
                found.append(Visit(UNLISTED, base_url + path, None, listed))
            elif known.gone or changed_since(listed.lastmod, known):
                found.append(Visit(CHANGED, base_url + path, known, listed))
        if self.failure is not None or not self.files_read:
            return found
        for path, known in index.archived_paths().items():
            if (
                path not in self.articles
                and path not in walked
                and not known.gone
                and urls.is_sitemap_article(path, self.lang)
            ):
                found.append(Visit(LEFT, base_url + path, known, None))
        return found


def articles_of(sitemap: Iterable[dict[str, Any]], lang: str) -> Iterator[dict[str, Any]]:
    """``SitemapSpider.sitemap_filter``'s idea: the entries worth following, here the article
    pages in the run's language (the sitemap lists every language and the listings too)."""
    for entry in sitemap:
        if urls.is_sitemap_article(entry.get("loc", ""), lang):
            yield entry


def read_sitemap(body: bytes) -> Sitemap | None:
    """The sitemap file a body holds, by Scrapy's parser; None for a body that is no sitemap or
    is cut off (the parser recovers what it can of a broken file: a file not closed by its root
    element's end tag would pass for a shorter one)."""
    try:
        sitemap = Sitemap(body)
    except Exception:  # lxml refuses some bodies outright (empty, not XML at all)
        return None
    if sitemap.type not in ("sitemapindex", "urlset"):
        return None
    closing = re.compile(rb"</(?:[\w.-]+:)?" + sitemap.type.encode() + rb">\s*$")
    return sitemap if closing.search(body[-200:]) else None


def lastmod(text: str | None) -> dt.datetime | None:
    """A ``<lastmod>`` (W3C datetime: a date, or a date and time with an offset), in UTC; None
    when absent or unreadable (such a URL is never taken for changed)."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def changed_since(modified: dt.datetime | None, known: Known) -> bool:
    """Whether a page changed after the archived copy: its ``<lastmod>`` is later than the
    copy's Last-Modified (the site's own clock), or than when it was fetched when the site sent
    none. A page archived without a page read (from its card alone) has no copy to be newer
    than."""
    if modified is None or known.capture_id is None:
        return False
    read: dt.datetime | None = None
    if known.last_modified:
        try:
            read = email.utils.parsedate_to_datetime(known.last_modified)
        except (TypeError, ValueError):
            read = None
    if read is None and known.read_at:
        read = dt.datetime.fromisoformat(known.read_at)
    if read is None:
        return True
    return modified > (read if read.tzinfo else read.replace(tzinfo=dt.UTC))


class SitemapNavigation:
    """The sitemap half of ``NewsroomSpider``'s incremental runs on the current site (a mixin,
    as ``WaybackNavigation``: its callbacks are spider methods)."""

    # The spider's, used here.
    crawler: Crawler
    logger: logging.LoggerAdapter[logging.Logger]
    arguments: NewsroomArguments
    index: ArchiveIndex
    base_url: str
    sitemap: SitemapReading | None = None  #: None until the run starts reading it, if it does
    walked: set[str]
    sitemap_visit: Callable[[Visit], scrapy.Request]

    def sitemap_start(self) -> Iterator[scrapy.Request]:
        """robots.txt first: its ``Sitemap:`` lines say where the sitemap is."""
        self.sitemap = SitemapReading(self.arguments.lang, self.index.stored_copies(SITEMAP_KIND))
        robots = self.base_url + "/robots.txt"
        self.sitemap.pending.add(robots)
        yield self._sitemap_request(robots, self.parse_sitemap_robots)

    def _sitemap_request(
        self, url: str, callback: Callable[..., Any], copy: StoredCopy | None = None
    ) -> scrapy.Request:
        self.crawler.stats.inc_value("sitemap/requests")
        headers = conditional_headers(copy.etag, copy.last_modified) if copy is not None else {}
        return scrapy.Request(
            url,
            headers=headers,
            callback=callback,
            errback=self.sitemap_failed,
            meta={"handle_httpstatus_list": [304]},
            priority=SITEMAP_PRIORITY,
            dont_filter=True,  # the crawl's robots.txt middleware asks for it too
        )

    def parse_sitemap_robots(self, response: Response) -> Iterator[scrapy.Request]:
        reading = self.sitemap
        assert reading is not None
        reading.pending.discard(response.request.url)
        named = [
            url
            for url in sitemap_urls_from_robots(response.body, base_url=response.url)
            if urlsplit(url).netloc == urlsplit(self.base_url).netloc
        ]
        for url in named or [urls.sitemap_url(self.base_url)]:
            yield from self._sitemap_file(url)

    def _sitemap_file(self, url: str) -> Iterator[scrapy.Request]:
        """A file of the sitemap, asked for once, at the run's host (a stored index names the
        host it was read from)."""
        parts = urlsplit(url)
        key = parts._replace(scheme="", netloc="").geturl()
        here = self.base_url + key
        reading = self.sitemap
        assert reading is not None
        if here in reading.pending:
            return
        reading.pending.add(here)
        yield self._sitemap_request(here, self.parse_sitemap, reading.copies.get(key))

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request | Capture]:
        reading = self.sitemap
        assert reading is not None
        url = response.request.url
        reading.pending.discard(url)
        if response.status == 304:
            self.crawler.stats.inc_value("sitemap/not_modified")
            key = urlsplit(url)._replace(scheme="", netloc="").geturl()
            body = self.index.stored_body(reading.copies[key].capture_id)
        else:
            body = response.body
            yield capture_of(response, SITEMAP_KIND, source=self.arguments.source)
        sitemap = read_sitemap(body)
        if sitemap is None:
            reading.fail(url, "not a sitemap, or cut off (malformed XML)")
            return
        reading.files_read += 1
        if sitemap.type == "sitemapindex":
            for entry in sitemap:
                yield from self._sitemap_file(entry["loc"])
        else:
            reading.add_urls(sitemap, url)

    def sitemap_failed(self, failure: Failure) -> None:
        reading = self.sitemap
        assert reading is not None
        url = failure.request.url
        reading.pending.discard(url)
        if url.endswith("/robots.txt"):  # no robots.txt: the sitemap is at its default URL
            for request in self._sitemap_file(urls.sitemap_url(self.base_url)):
                self.crawler.engine.crawl(request)
            return
        status = failure.value.response.status if failure.check(HttpError) else None
        reading.fail(url, f"it answers {status}" if status else failure.getErrorMessage())

    def sitemap_idle(self) -> None:
        """When the listing walk (and every page it asked for) is done: the pages the sitemap
        says to read, asked for now, once."""
        reading = self.sitemap
        if reading is None or reading.dispatched:
            return
        reading.dispatched = True
        for url in sorted(reading.pending):  # dropped on the way (an offsite or robots rule)
            reading.fail(url, "not answered")
        stats = self.crawler.stats
        if reading.failure is not None:
            stats.set_value("sitemap/failed", reading.failure)
            self.logger.warning(
                "sitemap not read (%s): this run reads the listing only%s",
                reading.failure,
                "" if not reading.articles else ", and what the sitemap's other files list",
            )
        visits = reading.visits(self.index, self.walked, self.base_url)
        stats.set_value("sitemap/articles", len(reading.articles))
        for visit in visits:
            stats.inc_value(f"sitemap/{visit.reason}_requests")
            self.crawler.engine.crawl(self.sitemap_visit(visit))
        if visits:
            raise DontCloseSpider


def sitemap_entry(visit: Visit, listed: dict[str, Any] | None) -> ListingEntry:
    """The listing entry a page the sitemap sends the run to is archived with: what the archive
    holds of its card (``listed``: ``ArchiveIndex.listed_fields``), or nothing but its URL for a
    page never archived (its page gives the rest)."""
    position = visit.listed.position if visit.listed else 0
    listed = listed or {}
    return ListingEntry(
        position=position,
        heading=listed.get("listing_heading"),
        credit=listed.get("credit"),
        label=listed.get("label"),
        title=listed.get("title"),
        url=visit.url,
        date_text=listed.get("date_text"),
        summary=listed.get("summary"),
        date_value=listed.get("date_value"),
    )
