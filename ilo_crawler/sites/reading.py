"""What a page reader process does (``ilo_crawler.sites.readers`` starts them): read each page
that comes on its stdin with its site's page object, and answer with the page object on its
stdout. It imports the sites and nothing of Scrapy or Twisted, to stay small beside the crawl."""

from __future__ import annotations

import os
import pickle
import select
import struct
import sys
import traceback
from collections import deque
from typing import Any, BinaryIO, Literal

from ilo_crawler.childprocess import become_helper
from ilo_crawler.sites.pages import ArticlePage, ListingPage
from ilo_crawler.sites.registry import SITES

PageKind = Literal["listing", "article"]
#: What crosses a pipe, each way: the length of a pickle, then the pickle.
LENGTH = struct.Struct(">Q")
#: The first answer, before any page: the process has imported the sites and reads pages now
#: (pages are numbered from 1).
READY = (0, True, None)
#: Bytes read from a pipe at a time.
_READ_SIZE = 1 << 20


def read_page(kind: PageKind, site: str, body: bytes, url: str) -> ListingPage | ArticlePage:
    """A page's page object: the listing or article page of ``site`` (its name in ``SITES``)."""
    scheme = SITES[site]
    if kind == "listing":
        return scheme.parse_listing(body, url)
    return scheme.parse_article(body, url)


def serve(requests: int, answers: BinaryIO) -> None:
    """A reader process's loop: each page that comes on the file descriptor ``requests`` read,
    its page object (or the traceback of its failure) on ``answers``; until ``requests`` ends.

    Its first answer is ``READY``. Listing pages go first: the crawl's next listing request waits for a listing page's object,
    while article pages only feed the archive. So whatever has arrived is taken in before each
    page is read, and a listing page waiting is read before any article page."""
    answer(answers, READY)
    waiting: dict[str, deque[tuple[Any, ...]]] = {"listing": deque(), "article": deque()}
    received = bytearray()
    ended = False
    while not ended or waiting["listing"] or waiting["article"]:
        idle = not (waiting["listing"] or waiting["article"])
        while not ended and (idle or select.select([requests], [], [], 0)[0]):
            data = os.read(requests, _READ_SIZE)
            ended = not data
            received += data
            start = 0
            while len(received) - start >= LENGTH.size:
                (length,) = LENGTH.unpack_from(received, start)
                end = start + LENGTH.size + length
                if end > len(received):
                    break
                number, *task = pickle.loads(received[start + LENGTH.size : end])
                waiting[task[0]].append((number, *task))
                start = end
            del received[:start]
            idle = idle and not (waiting["listing"] or waiting["article"]) and not ended
        queue = waiting["listing"] or waiting["article"]
        if not queue:
            continue
        number, *task = queue.popleft()
        try:
            answer(answers, (number, True, read_page(*task)))
        except Exception:
            answer(answers, (number, False, traceback.format_exc()))


def answer(answers: BinaryIO, what: tuple[int, bool, Any]) -> None:
    """One answer on the pipe: a page's number, whether it was read, its page object (or the
    traceback of its failure)."""
    payload = pickle.dumps(what, protocol=pickle.HIGHEST_PROTOCOL)
    answers.write(LENGTH.pack(len(payload)))
    answers.write(payload)
    answers.flush()


def main(argv: list[str]) -> None:
    (parent,) = argv
    answers = become_helper(int(parent))
    serve(sys.stdin.fileno(), answers)


if __name__ == "__main__":
    # Through the module's own name, so that what pickles refers to ``ilo_crawler.sites.reading``.
    from ilo_crawler.sites import reading

    reading.main(sys.argv[1:])
