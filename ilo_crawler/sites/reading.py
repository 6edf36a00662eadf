"""What a page reader process does (``ilo_crawler.sites.readers`` starts them): read each article
page that comes on its stdin with its site's page object, and answer with the page object on its
stdout. It imports the sites and nothing of Scrapy or Twisted, to stay small beside the crawl."""

from __future__ import annotations

import pickle
import struct
import sys
import traceback
from typing import Any, BinaryIO

from ilo_crawler.childprocess import become_helper
from ilo_crawler.sites.pages import ArticlePage
from ilo_crawler.sites.registry import SITES

#: What crosses a pipe, each way: the length of a pickle, then the pickle.
LENGTH = struct.Struct(">Q")
#: The first answer, before any page: the process has imported the sites and reads pages now
#: (pages are numbered from 1).
READY = (0, True, None)


def read_article(site: str, body: bytes, url: str) -> ArticlePage:
    """An article page's page object on ``site`` (its name in ``SITES``)."""
    return SITES[site].parse_article(body, url)


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """A reader process's loop: ``READY``, then each page from ``requests`` (its number, site,
    body and URL) read, in order, its page object (or the traceback of its failure) on
    ``answers``; until ``requests`` ends."""
    answer(answers, READY)
    while header := requests.read(LENGTH.size):
        (length,) = LENGTH.unpack(header)
        number, *page = pickle.loads(requests.read(length))
        try:
            answer(answers, (number, True, read_article(*page)))
        except Exception:
            answer(answers, (number, False, traceback.format_exc()))


def answer(answers: BinaryIO, what: tuple[int, bool, Any]) -> None:
    """One answer on the pipe: a page's number, whether it was read, its page object (or the
    traceback of its failure)."""
    answers.write(frame(what))
    answers.flush()


def frame(what: tuple[Any, ...]) -> bytes:
    """What crosses a pipe for a page or an answer: its pickle's length, then the pickle."""
    payload = pickle.dumps(what, protocol=pickle.HIGHEST_PROTOCOL)
    return LENGTH.pack(len(payload)) + payload


def main(argv: list[str]) -> None:
    (parent,) = argv
    answers = become_helper(int(parent))
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    # Through the module's own name, so that what pickles refers to ``ilo_crawler.sites.reading``.
    from ilo_crawler.sites import reading

    reading.main(sys.argv[1:])
