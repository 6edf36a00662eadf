"""Downloader middleware: retries that wait, as a polite client of a busy server should; and a
site whose name does not resolve stops the crawl at once, in one line."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message
from twisted.internet.error import DNSLookupError

from ilo_crawler.extensions import stop_crawl

logger = logging.getLogger(__name__)


class SiteUnreachable(IgnoreRequest):
    """A request to a host whose name does not resolve: not retried, not recorded as a failure
    of the page (the run's exit status, 10, says why nothing was fetched)."""


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

    async def process_response(self, request: Request, response: Response) -> Request | Response:
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
        if request.meta.get("dont_retry", False) or not isinstance(
            exception, self.exceptions_to_retry
        ):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._pause(request, None)
        return retry

    def _unreachable(self, request: Request, why: str) -> None:
        """Say once that the host cannot be reached, stop the crawl, drop the request. (A name
        that does not resolve will not resolve a few seconds later: no retries, which took the
        crawl half a minute to say nothing.)"""
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
