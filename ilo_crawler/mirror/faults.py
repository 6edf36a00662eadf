"""The replica misbehaving on demand: transient errors, URLs that keep failing, slow and cut-off
answers, a redesigned markup, and items published while a crawler walks the listings (the WCMS
listings, or the current site's on the retired site: ``Site(retired=True)``, ``--retired``).

A crawler meant to run unattended has to be tested against these, and such tests are only worth
having if they are reproducible: every random decision is a hash of (``--fault-seed``, the request
path, how many times that path was asked for before), kept under one lock, so the same sequence of
requests meets the same faults on every run, whatever the thread timing. All options are off by
default, and then the replica answers exactly as without them.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import itertools
import math
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Protocol, TypeVar

from ilo_crawler.mirror.content import published_rows
from ilo_crawler.mirror.current_content import published_node_rows
from ilo_crawler.mirror.current_layouts import CURRENT_LAYOUTS
from ilo_crawler.mirror.dataset import (
    DatasetError,
    Node,
    Record,
    dataset_from_rows,
    load_site_dataset,
    records_from_rows,
)
from ilo_crawler.mirror.layouts import LAYOUTS
from ilo_crawler.mirror.responses import Response
from ilo_crawler.mirror.site import HTML_TYPE, Headers, Site
from ilo_crawler.sites.current.urls import parse_listing_url
from ilo_crawler.sites.wcms.urls import parse_listing_path

#: Statuses whose answers say when to come back (``Retry-After``), as servers under load do.
RETRY_AFTER_STATUSES = frozenset({429, 503})
#: Every markup ``--layout`` names: the WCMS generations (and "changed"), the current site's.
ALL_LAYOUTS = (*LAYOUTS, *CURRENT_LAYOUTS)

_T = TypeVar("_T")


class FaultOptionError(ValueError):
    """A fault option value the replica does not accept; ``str()`` is the one-line message."""


@dataclass(frozen=True)
class FaultOptions:
    """What the replica gets wrong, and how often; the defaults get nothing wrong."""

    seed: int = 0
    #: Share of requests answered with one of ``fail_statuses`` instead of the page.
    fail_rate: float = 0.0
    fail_statuses: tuple[int, ...] = (503,)
    #: Seconds in the ``Retry-After`` header of 429 and 503 answers.
    retry_after: int = 1
    #: A URL fails (or is slow, or cut off) at most this many times in a row: retries get through.
    max_failures_per_url: int = 2
    #: Requests whose path matches one of these always answer ``fail_path_status``.
    fail_paths: tuple[re.Pattern[str], ...] = ()
    fail_path_status: int = 500
    slow_rate: float = 0.0
    slow_seconds: float = 5.0
    #: Share of 200 answers whose body stops half-way, the connection then closed.
    truncate_rate: float = 0.0
    #: The markup of every page; None: the live site's (the newest), each capture's of its day.
    layout: str | None = None
    #: Publish one new item after every this many listing requests; 0 publishes nothing.
    publish_every: int = 0
    #: JSON Lines file of the items to publish, in order; None generates them.
    publish_from: str | None = None
    #: Stop publishing after this many items; None goes on (until ``publish_from`` runs out).
    publish_max: int | None = None


@dataclass(frozen=True)
class Answer:
    """A response as the HTTP layer must send it: wait ``delay`` seconds first, and when ``cut``
    is set, send only that many bytes of the body (``Content-Length`` still declares all of it)
    and close the connection. ``events`` are the log lines of the faults and publications."""

    status: int
    headers: Headers
    body: bytes
    delay: float = 0.0
    cut: int | None = None
    events: tuple[str, ...] = ()
    #: No answer at all: the connection is closed unanswered (a firewall's block).
    dropped: bool = False


class Answering(Protocol):
    """What ``FaultySite`` wraps besides a ``Site``: anything that answers a path as the site
    does (the web archive of ``mirror.wayback``, which imports this module: named here by what
    it does, not imported back)."""

    def respond(self, path: str, headers: Mapping[str, str] | None = None) -> Response: ...


class FaultySite:
    """``Site.respond`` with the faults of ``options`` applied; thread-safe.

    Pages are rendered under the same lock as the decisions and publications, so the ``k``-th
    listing request always sees exactly the items published before it. A retired site publishes
    current-site nodes at the top of the current listing (counting its listing requests), any
    other WCMS items at the top of the WCMS listings.
    """

    def __init__(self, site: Site | Answering, options: FaultOptions | None = None) -> None:
        self.site = site
        self.options = options or FaultOptions()
        # Publishing is refused for the web archive (``mirror.wayback``): only a Site publishes.
        assert isinstance(site, Site) or not self.options.publish_every
        self._lock = threading.Lock()
        #: Requests so far and failed answers in a row, by request path (query string included).
        self._requests: collections.Counter[str] = collections.Counter()
        self._streaks: collections.Counter[str] = collections.Counter()
        self._listing_requests = 0
        self._published = 0
        self._retired = isinstance(site, Site) and site.retired
        self._publications = self._publication_queue() if self.options.publish_every else None

    def respond(
        self, path: str, headers: Mapping[str, str] | None = None, method: str = "GET"
    ) -> Answer:
        """The answer to ``method path``: the page, or the fault the options and seed decide."""
        options = self.options
        with self._lock:
            status, page_headers, body = self.site.respond(path, headers)
            events = self._count_listing_request(path)
            if any(pattern.search(path) for pattern in options.fail_paths):
                failing, slow, cut = options.fail_path_status, False, False
            else:
                failing, slow, cut = self._decide(path, status == 200 and method != "HEAD")
        if slow:
            events.append(f"FAULT slow {path}")
        if failing:
            events.append(f"FAULT {failing} {path}")
            return Answer(
                failing,
                *_error_page(failing, options.retry_after),
                delay=options.slow_seconds if slow else 0.0,
                events=tuple(events),
            )
        if cut:
            events.append(f"FAULT truncated {path}")
        return Answer(
            status,
            page_headers,
            body,
            delay=options.slow_seconds if slow else 0.0,
            cut=len(body) // 2 if cut else None,
            events=tuple(events),
        )

    def _decide(self, path: str, has_body: bool) -> tuple[int, bool, bool]:
        """(error status or 0, slow, cut) for this request to ``path``; called under the lock."""
        options = self.options
        if path.split("?", 1)[0] == "/robots.txt":
            return 0, False, False
        count = self._requests[path]
        self._requests[path] += 1
        if self._streaks[path] >= options.max_failures_per_url:
            self._streaks[path] = 0
            return 0, False, False

        def chance(kind: str) -> float:
            key = f"{options.seed}\0{kind}\0{path}\0{count}".encode()
            digest = hashlib.blake2b(key, digest_size=8).digest()
            return int.from_bytes(digest, "big") / 2**64

        failing = 0
        if chance("fail") < options.fail_rate:
            statuses = options.fail_statuses
            failing = statuses[int(chance("status") * len(statuses))]
        slow = chance("slow") < options.slow_rate
        cut = not failing and has_body and chance("truncate") < options.truncate_rate
        self._streaks[path] = self._streaks[path] + 1 if failing or slow or cut else 0
        return failing, slow, cut

    def _count_listing_request(self, path: str) -> list[str]:
        """Count a listing request (of the listings items are published to) and publish an item
        after every ``publish_every`` of them."""
        if self._publications is None:
            return []
        listing = parse_listing_url(path) if self._retired else parse_listing_path(path)
        if listing is None:
            return []
        self._listing_requests += 1
        if self._listing_requests % self.options.publish_every:
            return []
        item = next(self._publications, None)
        if item is None:
            return []
        if isinstance(item, Node):
            self.site.publish_node(item)
        else:
            self.site.publish(item)
        self._published += 1
        return [f"PUBLISH {item.id} ({self._published})"]

    def _publication_queue(self) -> Iterator[Record | Node]:
        """The items to publish, in order: from ``publish_from``, or generated; current-site
        nodes on the retired site, WCMS items on any other."""
        options = self.options
        queue: Iterator[Record | Node]
        if options.publish_from is None:
            site = self.site
            queue = (
                _generated_nodes(site, options.seed)
                if self._retired
                else _generated_items(site, options.seed)
            )
        else:
            queue = iter(self._items_from(options.publish_from))
        if options.publish_max is not None:
            return itertools.islice(queue, options.publish_max)
        return queue

    def _items_from(self, path: str) -> list[Record] | list[Node]:
        """The items of a ``--publish-from`` file, refused unless all are new and of the site
        that publishes (nodes on the retired site, WCMS items elsewhere)."""
        dataset = load_site_dataset(path)
        site = self.site
        if self._retired:
            if dataset.records:
                raise DatasetError(
                    path, None, f"{dataset.records[0].id}: the retired site publishes "
                    'current-site nodes only ("id": "node:<nid>")',
                )  # fmt: skip
            for node in dataset.nodes:
                if (node.node_id, node.lang) in site.current.nodes or site.current.taken(
                    node.lang, node.section, node.slug
                ):
                    raise DatasetError(
                        path, None, f'{node.id} in "{node.lang}" ({node.path}) is already '
                        "served; items to publish must be new",
                    )  # fmt: skip
            return list(dataset.nodes)
        if dataset.nodes:
            raise DatasetError(
                path, None, f"{dataset.nodes[0].id}: current-site nodes are published on the "
                "retired site only (--retired)",
            )  # fmt: skip
        for record in dataset.records:
            if (record.id, record.lang) in site.articles:
                raise DatasetError(
                    path,
                    None,
                    f'{record.id} in "{record.lang}" is already served; '
                    "items to publish must be new",
                )
        return list(dataset.records)


def _generated_items(site: Site, seed: int) -> Iterator[Record]:
    """New English items dated the day after the newest served one, ids above the largest."""
    served = site.articles.values()
    day = max(record.date for record in served) + dt.timedelta(days=1)
    first_id = max(int(record.id.removeprefix("WCMS_")) for record in served) + 1
    for line, row in enumerate(published_rows(seed, day, first_id), start=1):
        yield records_from_rows([(line, row)], "<published>")[0]


def _generated_nodes(site: Site, seed: int) -> Iterator[Node]:
    """New English nodes dated the day after the newest served item (node or, on a site with
    none, WCMS article), node ids above the largest, each with a slug no served node has."""
    current = site.current
    dates = [node.date for node in current.nodes.values()] or [
        r.date for r in site.articles.values()
    ]
    day = max(dates) + dt.timedelta(days=1)
    first_nid = max((nid for nid, _ in current.nodes), default=0) + 1
    rows = published_node_rows(seed, day, first_nid, current.taken)
    for line, row in enumerate(rows, start=1):
        yield dataset_from_rows([(line, row)], "<published>").nodes[0]


def _error_page(status: int, retry_after: int) -> tuple[Headers, bytes]:
    """Headers and body of an error answer, with ``Retry-After`` where the status calls for it."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    headers = [("Content-Type", HTML_TYPE)]
    if status in RETRY_AFTER_STATUSES:
        headers.append(("Retry-After", str(retry_after)))
    body = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{status} {phrase}</title>\n</head>\n<body>\n<h1>{phrase}</h1>\n"
        "<p>The server could not answer this request.</p>\n</body>\n</html>\n"
    ).encode()
    return headers, body


# Command line ----------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The fault options, taken as text so that ``options_from_arguments`` can refuse a bad value
    in one line (argparse would print its usage too)."""
    group = parser.add_argument_group(
        "faults", "all off by default; the same --fault-seed gives the same faults"
    )
    group.add_argument("--fault-seed", metavar="N", help="seed of every fault decision (0)")
    group.add_argument("--fail-rate", metavar="R", help="share of requests failed (0..1)")
    group.add_argument("--fail-status", metavar="S[,S...]", help="statuses of failures (503)")
    group.add_argument("--retry-after", metavar="N", help="Retry-After of 429/503 answers (1)")
    group.add_argument(
        "--max-failures-per-url", metavar="K", help="faulty answers in a row per URL at most (2)"
    )
    group.add_argument(
        "--fail-path",
        metavar="REGEX",
        action="append",
        help="paths that always fail (repeatable)",
    )
    group.add_argument("--fail-path-status", metavar="S", help="status of --fail-path (500)")
    group.add_argument("--slow-rate", metavar="R", help="share of requests delayed (0..1)")
    group.add_argument("--slow-seconds", metavar="S", help="delay of slow requests (5)")
    group.add_argument("--truncate-rate", metavar="R", help="share of 200 bodies cut off (0..1)")
    group.add_argument(
        "--layout",
        metavar="L",
        help=f"markup: {', '.join(ALL_LAYOUTS)} (by default the newest WCMS generation live, a "
        "capture's of its day, and the current site's design system)",
    )
    group.add_argument(
        "--publish-every", metavar="N", help="publish an item every N listing requests"
    )
    group.add_argument("--publish-from", metavar="FILE", help="JSON Lines items to publish")
    group.add_argument("--publish-max", metavar="M", help="publish at most M items")


def options_from_arguments(args: argparse.Namespace) -> FaultOptions:
    """Check the fault options of a parsed command line; FaultOptionError names a bad value."""
    defaults = FaultOptions()

    def given(name: str, check: Callable[[str, str], _T], default: _T) -> _T:
        text = getattr(args, name.replace("-", "_"))
        return default if text is None else check(f"--{name}", text)

    publish_every = given("publish-every", _whole(1), 0)
    if not publish_every:
        for name in ("publish-from", "publish-max"):
            if getattr(args, name.replace("-", "_")) is not None:
                raise FaultOptionError(f"--{name} needs --publish-every N")
    layout = given("layout", _layout, defaults.layout)
    if layout in CURRENT_LAYOUTS and getattr(args, "wayback", False):  # an option of wayback.py
        raise FaultOptionError(
            f"--layout {layout} does not apply to --wayback (the archive holds the WCMS site)"
        )
    return FaultOptions(
        seed=given("fault-seed", _whole(None), defaults.seed),
        fail_rate=given("fail-rate", _rate, defaults.fail_rate),
        fail_statuses=given("fail-status", _statuses, defaults.fail_statuses),
        retry_after=given("retry-after", _whole(0), defaults.retry_after),
        max_failures_per_url=given(
            "max-failures-per-url", _whole(1), defaults.max_failures_per_url
        ),
        fail_paths=tuple(_pattern("--fail-path", text) for text in args.fail_path or ()),
        fail_path_status=given("fail-path-status", _status, defaults.fail_path_status),
        slow_rate=given("slow-rate", _rate, defaults.slow_rate),
        slow_seconds=given("slow-seconds", _seconds, defaults.slow_seconds),
        truncate_rate=given("truncate-rate", _rate, defaults.truncate_rate),
        layout=layout,
        publish_every=publish_every,
        publish_from=args.publish_from,
        publish_max=given("publish-max", _whole(1), None),
    )


def _invalid(option: str, text: str, accepted: str) -> FaultOptionError:
    return FaultOptionError(f"invalid {option} {text!r}: {accepted}")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _rate(option: str, text: str) -> float:
    value = _number(text)
    if value is None or not 0 <= value <= 1:
        raise _invalid(option, text, "expected a share from 0 to 1, e.g. 0.2")
    return value


def _seconds(option: str, text: str) -> float:
    value = _number(text)
    if value is None or value < 0:
        raise _invalid(option, text, "expected a number of seconds from 0, e.g. 0.5")
    return value


def _whole(minimum: int | None) -> Callable[[str, str], int]:
    """The check of a whole-number option, from ``minimum`` up (None: any)."""

    def check(option: str, text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or (minimum is not None and value < minimum):
            lowest = "" if minimum is None else f" from {minimum}"
            raise _invalid(option, text, f"expected a whole number{lowest}, e.g. {minimum or 0}")
        return value

    return check


def _is_error_status(text: str) -> bool:
    text = text.strip()
    return text.isdigit() and 400 <= int(text) <= 599


def _status(option: str, text: str) -> int:
    if not _is_error_status(text):
        raise _invalid(option, text, "expected an HTTP error status from 400 to 599, e.g. 500")
    return int(text)


def _statuses(option: str, text: str) -> tuple[int, ...]:
    parts = text.split(",")
    if not all(map(_is_error_status, parts)):
        raise _invalid(
            option,
            text,
            "expected HTTP error statuses from 400 to 599, comma-separated, e.g. 503,429",
        )
    return tuple(int(part) for part in parts)


def _pattern(option: str, text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise _invalid(option, text, f"expected a regular expression ({exc})") from None


def _layout(option: str, text: str) -> str:
    if text not in ALL_LAYOUTS:
        raise _invalid(option, text, f"accepted layouts are {', '.join(ALL_LAYOUTS)}")
    return text
