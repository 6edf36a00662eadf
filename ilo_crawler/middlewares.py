"""Downloader middleware: retries that wait, as a polite client of a busy server should; a site
whose name does not resolve, or that refuses every connection before it ever answered, stops the
crawl within seconds, in one line; and the web archive's endpoints paced as it asks, its 429s and
blocks heeded."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import random
import time
from collections import Counter
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep
from scrapy.utils.defer import _schedule_coro
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.internet.error import ConnectError, ConnectionLost, DNSLookupError
from twisted.internet.error import TimeoutError as ConnectionTimeout
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from ilo_crawler.extensions import stop_crawl

logger = logging.getLogger(__name__)


class SiteUnreachable(IgnoreRequest):
    """A request to a site that cannot be reached (its name does not resolve, or it refused
    ``UNREACHABLE_AFTER`` connections in a row and never answered): not retried, not recorded as
    a failure of the page (the run's exit status, 10, says why nothing was fetched)."""


#: Connection errors: refused, timed out or dropped without an answer (a firewall's block looks
#: like these too).
CONNECTION_ERRORS = (
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    DownloadFailedError,
    ConnectError,
    ConnectionTimeout,
    ConnectionLost,
    ResponseNeverReceived,
    ResponseFailed,
)
#: Connection errors in a row, before a server ever answered, that make it unreachable.
UNREACHABLE_AFTER = 3


class Reachability:
    """Whether each server (a site's host, the web archive) ever answered, and the connection
    errors it met before: a server that never answered and met ``UNREACHABLE_AFTER`` of them
    cannot be reached, and the run says so within seconds instead of after every request's
    retries. Until it answers, its connection errors are retried at once: there is nothing
    there to be polite to."""

    def __init__(self) -> None:
        self.answered: set[str] = set()
        self.unanswered: Counter[str] = Counter()

    def answer(self, server: str) -> None:
        self.answered.add(server)

    def never_answered(self, server: str) -> bool:
        return server not in self.answered

    def unreachable(self, server: str, exception: Exception) -> bool:
        """Count a connection error of a server that never answered; True from the
        ``UNREACHABLE_AFTER``-th on."""
        if server in self.answered or not isinstance(exception, CONNECTION_ERRORS):
            return False
        self.unanswered[server] += 1
        return self.unanswered[server] >= UNREACHABLE_AFTER

    def described(self, server: str, exception: Exception) -> str:
        """What the errors were, for the one line that says the server cannot be reached."""
        return f"{_described(exception)}, {self.unanswered[server]} times in a row, never answered"


def _described(exception: Exception) -> str:
    """A connection error as a person would say it."""
    if isinstance(exception, DownloadConnectionRefusedError | ConnectionRefusedError):
        return "connection refused"
    if isinstance(exception, DownloadTimeoutError | ConnectionTimeout):
        return "timed out"
    return type(exception).__name__


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (``RETRY_TIMES``, ``RETRY_HTTP_CODES``, network errors), each after a pause:
    the server's ``Retry-After`` when it sends one (seconds or an HTTP date), capped at
    ``ILO_RETRY_AFTER_MAX``; otherwise ``ILO_RETRY_BACKOFF_BASE`` doubled at every attempt, capped
    at ``ILO_RETRY_BACKOFF_MAX``; then lengthened by a random share up to ``ILO_RETRY_JITTER``, so
    that requests refused together do not all come back at the same moment. The pause holds back
    only the request being retried."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("ILO_RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("ILO_RETRY_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("ILO_RETRY_AFTER_MAX")
        self.jitter = settings.getfloat("ILO_RETRY_JITTER")
        self.reachability = Reachability()
        #: The web archive's server, whose reachability is the WaybackPacer's to judge.
        self.web_archive = urlsplit(settings.get("ILO_WAYBACK_URL")).netloc

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        self.reachability.answer(_server(request))
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._pause(request, self._retry_after(response))
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if isinstance(exception, CannotResolveHostError | DNSLookupError):
            self._unreachable(request, "name not resolved")
        server = _server(request)
        if server != self.web_archive and self.reachability.unreachable(server, exception):
            self._unreachable(request, self.reachability.described(server, exception))
        if request.meta.get("dont_retry", False) or not isinstance(
            exception, self.exceptions_to_retry
        ):
            return None
        retry = self._retry(request, exception)
        if retry is not None and not self.reachability.never_answered(server):
            await self._pause(request, None)
        return retry

    def _unreachable(self, request: Request, why: str) -> None:
        """Say once that the site cannot be reached, stop the crawl, drop the request. (A name
        that does not resolve will not resolve a few seconds later, and a site that refused every
        connection is not there: every request's retries took the crawl half a minute to say
        nothing.)"""
        host = urlsplit(request.url).hostname
        if not self.crawler.stats.get_value("network/unreachable"):
            self.crawler.stats.set_value("network/unreachable", host)
            logger.error("cannot reach %s: %s", host, why)
            stop_crawl(self.crawler, "site_unreachable")
        raise SiteUnreachable(f"cannot reach {host}: {why}")

    async def _pause(self, request: Request, retry_after: float | None) -> None:
        attempt = request.meta.get("retry_times", 0)
        if retry_after is not None:
            delay = min(retry_after, self.retry_after_max)
            self.crawler.stats.inc_value("retry/retry_after_honoured")
        else:
            delay = min(self.backoff_base * 2**attempt, self.backoff_max)
        delay *= 1 + random.uniform(0, self.jitter)
        self.crawler.stats.inc_value("retry/pause_seconds", delay)
        if delay > 0:
            await sleep(delay)

    @staticmethod
    def _retry_after(response: Response) -> float | None:
        value = response.headers.get(b"Retry-After")
        if not value:
            return None
        text = value.decode("latin-1").strip()
        if text.isdigit():
            return float(text)
        when = email.utils.parsedate_to_datetime(text) if text else None
        return max(0.0, when.timestamp() - time.time()) if when else None


#: The web archive's two endpoints: the download slot of each (``Request.meta["download_slot"]``).
WAYBACK_CDX_SLOT = "web-archive-cdx"
WAYBACK_CAPTURE_SLOT = "web-archive-captures"
#: The web archive as one server (``Reachability``): both endpoints answer or neither does.
WEB_ARCHIVE = "web archive"


def wayback_slots(settings: BaseSettings) -> dict[str, dict[str, float]]:
    """The download slots of the archive's endpoints: each paced as a rate (a start at most every
    60 / N seconds, time-scaled, without jitter)."""
    scale = settings.getfloat("ILO_WAYBACK_TIME_SCALE")
    return {
        WAYBACK_CDX_SLOT: {
            "concurrency": 1,
            "delay": 60.0 / settings.getfloat("ILO_WAYBACK_CDX_PER_MINUTE") * scale,
            "jitter": 0,
        },
        WAYBACK_CAPTURE_SLOT: {
            "concurrency": settings.getint("ILO_WAYBACK_CAPTURE_CONCURRENCY"),
            "delay": 60.0 / settings.getfloat("ILO_WAYBACK_CAPTURES_PER_MINUTE") * scale,
            "jitter": 0,
        },
    }


class WaybackStopped(IgnoreRequest):
    """The archive blocked this client (it stopped answering after 429s), or cannot be reached
    at all: the run stops; the request is not a failure of its month, which is not finished."""


class WaybackPacer:
    """The web archive's endpoints as it wants them used. A 429 pauses its endpoint (every
    request of its slot) for its ``Retry-After``, else ``ILO_WAYBACK_429_PAUSE`` seconds, and
    multiplies the endpoint's rate by ``ILO_WAYBACK_SLOWDOWN`` (once per pause); the refused
    request is asked again after the pause, up to ``ILO_WAYBACK_RETRY_TIMES`` times. A connection
    refused, timed out or dropped after a 429 is the archive's firewall: the run stops at once
    (stats ``wayback/blocked_at``, exit status 9) instead of hammering it. An archive that never
    answered and refuses ``UNREACHABLE_AFTER`` connections in a row cannot be reached: the run
    stops too (stats ``wayback/unreachable``, exit status 4), within seconds, not after every
    request's retries."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.scale = settings.getfloat("ILO_WAYBACK_TIME_SCALE")
        self.pause = settings.getfloat("ILO_WAYBACK_429_PAUSE")
        self.slowdown = settings.getfloat("ILO_WAYBACK_SLOWDOWN")
        self.max_429s = settings.getint("ILO_WAYBACK_RETRY_TIMES")
        self.paused_until: dict[str, float] = {}
        self.limited = False  #: a 429 was met: a refused connection from now on is a block
        self.reachability = Reachability()  #: of the archive, both endpoints as one server

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WaybackPacer:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        slot_key = request.meta.get("download_slot")
        if slot_key not in (WAYBACK_CDX_SLOT, WAYBACK_CAPTURE_SLOT):
            return response
        self.reachability.answer(WEB_ARCHIVE)
        if response.status != 429:
            return response
        self.limited = True
        stats = self.crawler.stats
        stats.inc_value("wayback/429")
        retry_after = BackoffRetryMiddleware._retry_after(response)
        self._pause(slot_key, self.pause if retry_after is None else retry_after)
        refused = request.meta.get("wayback_429s", 0) + 1
        if refused > self.max_429s:
            return response
        again = request.replace(dont_filter=True)
        again.meta["wayback_429s"] = refused
        return again

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A block (after 429s) or an unreachable archive stops the run (WaybackStopped)."""
        if not _to_web_archive(request) or not isinstance(exception, CONNECTION_ERRORS):
            return None
        if not self.limited:
            return self._unreachable(exception)
        stats = self.crawler.stats
        if not stats.get_value("wayback/blocked_at"):
            now = dt.datetime.now(dt.UTC)
            hours = self.crawler.settings.getfloat("ILO_WAYBACK_BLOCK_HOURS")
            retry = now + dt.timedelta(hours=hours * self.scale)
            stats.set_value("wayback/blocked_at", now.isoformat())
            logger.error(
                "web archive: blocked (%s after 429s): the run stops; the archive blocks for an "
                "hour or more, retry after %s",
                type(exception).__name__,
                retry.strftime("%Y-%m-%d %H:%M:%S UTC"),
            )
            self._stop("wayback_blocked")
        raise WaybackStopped(f"blocked by the web archive ({type(exception).__name__})")

    def _unreachable(self, exception: Exception) -> None:
        """None (the retries go on) until the archive cannot be reached (``Reachability``);
        then the run stops."""
        if not self.reachability.unreachable(WEB_ARCHIVE, exception):
            return None
        stats = self.crawler.stats
        if not stats.get_value("wayback/unreachable"):
            stats.set_value("wayback/unreachable", 1)
            logger.error(
                "web archive: cannot be reached (%s): the run stops; check ILO_WAYBACK_URL %s and "
                "the network",
                self.reachability.described(WEB_ARCHIVE, exception),
                self.crawler.settings.get("ILO_WAYBACK_URL"),
            )
            self._stop("wayback_unreachable")
        raise WaybackStopped(f"the web archive cannot be reached ({type(exception).__name__})")

    def _stop(self, reason: str) -> None:
        assert self.crawler.engine is not None
        _schedule_coro(self.crawler.engine.close_spider_async(reason=reason))

    def _pause(self, slot_key: str, seconds: float) -> None:
        """Hold every request of the endpoint's slot for ``seconds`` (time-scaled) from now; on the
        first 429 of a pause, lower the endpoint's rate."""
        now = time.monotonic()
        until = now + seconds * self.scale
        assert self.crawler.engine is not None
        slot = self.crawler.engine.downloader.slots.get(slot_key)
        if slot is None:
            return
        if now >= self.paused_until.get(slot_key, 0.0):
            slot.delay /= self.slowdown
            self.crawler.stats.inc_value("wayback/slowdowns")
            logger.warning(
                "web archive: 429 on %s: pausing it %.1f s, then one request every %.3f s",
                slot_key,
                seconds * self.scale,
                slot.delay,
            )
        self.paused_until[slot_key] = max(self.paused_until.get(slot_key, 0.0), until)
        # The slot starts its next request once ``delay`` has passed since ``lastseen``.
        slot.lastseen = max(slot.lastseen, self.paused_until[slot_key] - slot.delay)


def _to_web_archive(request: Request) -> bool:
    return request.meta.get("download_slot") in (WAYBACK_CDX_SLOT, WAYBACK_CAPTURE_SLOT)


def _server(request: Request) -> str:
    """The server a request goes to, as Reachability counts it: its host and port."""
    return urlparse_cached(request).netloc
