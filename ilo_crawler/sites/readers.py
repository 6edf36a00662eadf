"""The sites' article page objects in processes of their own (``ILO_PAGE_READERS``), so that the
crawl's reactor thread, which also answers the network, only hands an article page over and takes
its page object back, while the page is read on another core.

Processes, not threads: lxml lets go of the GIL while it parses, but a page object's selectors and
Python code hold it, and a thread would take it from the reactor thread as often as it ran. The
page objects are pure (a page's bytes and URL in, an ``ArticlePage`` out), so what crosses is one
pickle each way, framed by its length: the page, then its page object. The reactor's side never
blocks: it writes and reads the pipes as the reactor finds them ready.

Listing pages are read in the crawl's process: the next listing request waits for each, and a
reader (lower with the scheduler, behind the article pages it holds) made that wait longer than
the reading saved: measured on a full crawl, the reactor thread idled about a second more.

A reader process that ends before answering (killed, crashed) costs nothing but speed: the pages
it held, and every page after, are read in the crawl's own process, and the run says so once. A
page object that fails in a reader fails the callback as it would in the crawl's process, its
traceback in the error.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import abstract, fdesc, process
from twisted.internet.defer import Deferred, DeferredList
from twisted.internet.main import CONNECTION_DONE, CONNECTION_LOST
from twisted.python.failure import Failure

from ilo_crawler.childprocess import start_helper
from ilo_crawler.sites.pages import ArticlePage
from ilo_crawler.sites.reading import LENGTH, READY, frame, read_article
from ilo_crawler.sites.scheme import SiteScheme

logger = logging.getLogger(__name__)

#: Bytes read from a reader's answers at a time (Twisted's own pipe reader takes 8 KiB).
_READ_SIZE = 1 << 18


class PageReadError(Exception):
    """A page object failed in a reader process; the message is its traceback there."""


class PageReaders:
    """The crawl's side of the reader processes."""

    def __init__(self, reactor: Any, processes: int, crawler: Crawler) -> None:
        self.reactor = reactor
        self.wanted = processes
        self.crawler = crawler
        self.readers: list[_Reader] = []

    def start(self) -> None:
        self.readers = [_Reader(self) for _ in range(self.wanted)]

    async def read(self, site: SiteScheme, body: bytes, url: str) -> ArticlePage:
        """The article page object of a page of ``site``, by the reader with the fewest pages
        in hand; in this process while none is ready."""
        readers = [reader for reader in self.readers if reader.ready and reader.running]
        if not readers:
            if not any(reader.running for reader in self.readers):  # none, or all ended
                self.read_here()
            return read_article(site.name, body, url)
        reader = min(readers, key=lambda reader: len(reader.pending))
        article: ArticlePage = await maybe_deferred_to_future(reader.read((site.name, body, url)))
        return article

    async def close(self) -> None:
        """No more pages: each reader ends once its stdin is closed (none has a page in hand:
        Scrapy closes the spider once every callback has returned); returns once all have."""
        ended = [reader.close() for reader in self.readers]
        await maybe_deferred_to_future(DeferredList(ended))

    def read_here(self) -> None:
        """Count a page read in the crawl's process for want of a reader (not while readers
        start: the first pages are read here rather than wait for them)."""
        if self.readers:
            self.crawler.stats.inc_value("readers/pages_read_in_crawl_process")

    def reader_ended(self, reader: _Reader, status: int | None) -> None:
        self.crawler.stats.inc_value("readers/ended_early")
        running = sum(other.running for other in self.readers)
        logger.warning(
            "a page reader process ended (exit status %s) with %d pages in hand; %s",
            status,
            len(reader.pending),
            f"{running} still read pages"
            if running
            else "pages are read in the crawl's process from now on (the crawl is slower)",
        )


Task = tuple[str, bytes, str]  #: a page's site, body and URL


class _Reader:
    """One reader process: pages go out on its stdin, page objects come back on its stdout, each
    answer matched to its page by number."""

    def __init__(self, readers: PageReaders) -> None:
        self.readers = readers
        self.popen: subprocess.Popen[bytes] = start_helper("ilo_crawler.sites.reading")
        assert self.popen.stdin is not None and self.popen.stdout is not None
        reactor = readers.reactor
        self.requests = process.ProcessWriter(reactor, self, "stdin", self.popen.stdin.fileno())
        self.answers = _AnswerPipe(reactor, self, self.popen.stdout.fileno())
        self.pending: dict[int, tuple[Deferred[Any], Task]] = {}
        self.numbered = 0
        self.received = bytearray()
        self.ready = False  # until its first answer, READY
        self.running = True
        self.closing = False
        self.ended: Deferred[None] = Deferred()

    def read(self, task: Task) -> Deferred[Any]:
        self.numbered += 1
        answer: Deferred[Any] = Deferred()
        self.pending[self.numbered] = (answer, task)
        self.requests.write(frame((self.numbered, *task)))
        return answer

    def close(self) -> Deferred[None]:
        """Close its stdin; the Deferred fires once the process has ended."""
        self.closing = True
        if self.running:
            self.running = False
            self.requests.loseConnection()
        return self.ended

    def data_received(self, data: bytes) -> None:
        self.received += data
        start, size = 0, len(self.received)
        while size - start >= LENGTH.size:
            (length,) = LENGTH.unpack_from(self.received, start)
            end = start + LENGTH.size + length
            if end > size:
                break
            with memoryview(self.received) as view:
                number, ok, value = pickle.loads(view[start + LENGTH.size : end])
            start = end
            if (number, ok, value) == READY:
                self.ready = True
                continue
            answer, _ = self.pending.pop(number)
            if ok:
                answer.callback(value)
            else:
                answer.errback(Failure(PageReadError(value)))
        del self.received[:start]

    def childConnectionLost(self, name: str, reason: Failure) -> None:  # noqa: N802 (Twisted's)
        """A pipe closed. Its stdin: no page goes out any more. Its stdout: the process has
        ended (at the end of the run, or before): a page it did not answer is read here."""
        self.running = False
        assert self.popen.stdin is not None and self.popen.stdout is not None
        if name == "stdin":
            self.popen.stdin.close()  # Twisted leaves the descriptor open: its end is the EOF
            return
        self.popen.stdout.close()
        status = self._reap()
        if not self.closing:
            self.readers.reader_ended(self, status)
        pending, self.pending = self.pending, {}
        for answer, task in pending.values():
            self.readers.read_here()
            try:
                page = read_article(*task)
            except Exception:
                answer.errback()
            else:
                answer.callback(page)
        self.ended.callback(None)

    def _reap(self) -> int | None:
        """The exit status of a process whose stdout has closed (it is ending: a moment)."""
        try:
            return self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            return self.popen.wait()


class _AnswerPipe(abstract.FileDescriptor):
    """A reader's stdout in the reactor, read in large pieces as it becomes readable."""

    connected = True

    def __init__(self, reactor: Any, reader: _Reader, fileno: int) -> None:
        super().__init__(reactor)
        self.reader = reader
        self.fd = fileno
        fdesc.setNonBlocking(fileno)
        self.startReading()

    def fileno(self) -> int:
        return self.fd

    def doRead(self) -> Any:  # noqa: N802 (Twisted's)
        try:
            data = os.read(self.fd, _READ_SIZE)
        except BlockingIOError:
            return None
        except OSError:
            return CONNECTION_LOST
        if not data:
            return CONNECTION_DONE
        self.reader.data_received(data)
        return None

    def writeSomeData(self, data: bytes) -> Any:  # noqa: N802 (Twisted's; never written)
        return CONNECTION_LOST

    def connectionLost(self, reason: Failure) -> None:  # noqa: N802 (Twisted's)
        super().connectionLost(reason)
        self.reader.childConnectionLost("stdout", reason)
