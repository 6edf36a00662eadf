"""``python -m ilo_crawler.mirror``: serve the replica over HTTP/1.1 until killed.

The first line on stdout is the base URL, so a test or benchmark can start it on port 0 and read
where it landed. It serves both sites of the host: the WCMS newsroom and the current site
(``site.py``, ``current.py``); ``--retired``, the host as it is now (the WCMS gone). A dataset
that breaks the format, a bad option (``faults.py``), or an address it cannot listen on (already
in use) stops it before it serves anything, in one line (status 2). ``--wayback`` serves the web
archive of the WCMS site instead (``wayback.py``), with the same faults on demand.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType

from ilo_crawler.mirror.current import CURRENT_PAGE_SIZE
from ilo_crawler.mirror.current_layouts import CURRENT_LAYOUTS
from ilo_crawler.mirror.dataset import DatasetError, default_site_dataset, load_site_dataset
from ilo_crawler.mirror.drupal import EditorsDay
from ilo_crawler.mirror.faults import (
    FaultOptionError,
    FaultySite,
    add_arguments,
    options_from_arguments,
)
from ilo_crawler.mirror.site import Site
from ilo_crawler.mirror.wayback import ScheduleError, StrictArchive
from ilo_crawler.mirror.wayback import add_arguments as add_archive_arguments
from ilo_crawler.mirror.wayback import options_from_arguments as archive_options
from ilo_crawler.mirror.wayback import serve as serve_archive


class MirrorHandler(BaseHTTPRequestHandler):
    """Copies ``FaultySite.respond`` (or ``StrictArchive.respond``) onto the wire; keep-alive works
    because every answer has a length (a cut-off answer closes the connection, as a dropped one
    would)."""

    protocol_version = "HTTP/1.1"
    server_version = "ilo-mirror/1.0"
    #: Seconds an idle keep-alive connection is kept before its thread gives up.
    timeout = 60
    # Headers and body leave in one write, without Nagle: on a kept-alive connection separate
    # small writes otherwise wait for the client's delayed ACK (~40 ms a request).
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    site: FaultySite | StrictArchive
    log_requests = False

    def do_GET(self) -> None:  # noqa: N802 (the name http.server looks for)
        self._answer(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        answer = self.site.respond(self.path, dict(self.headers.items()), self.command)
        for event in answer.events:
            self.log_message("%s", event)
        if answer.dropped:
            self.close_connection = True
            return
        if answer.delay:
            time.sleep(answer.delay)
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        if answer.status != 304:
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if send_body and answer.status != 304:
            if answer.cut is None:
                self.wfile.write(answer.body)
            else:
                self.wfile.write(answer.body[: answer.cut])
                self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (base signature)
        if self.log_requests:
            super().log_message(format, *args)


class MirrorServer(ThreadingHTTPServer):
    """A thread per connection, and room for a crawler's burst of connections: the default
    backlog of 5 made the kernel drop connections from 16 at once, which Scrapy retried after
    a second (about 0.9 s of every crawl of the replica, in the benchmarks)."""

    daemon_threads = True
    request_queue_size = 128


def make_server(
    site: Site | FaultySite | StrictArchive,
    host: str = "127.0.0.1",
    port: int = 0,
    log_requests: bool = False,
) -> MirrorServer:
    """A bound (not yet serving) server for ``site``; port 0 picks a free port."""
    if isinstance(site, Site):
        site = FaultySite(site)
    handler = type(
        "BoundMirrorHandler", (MirrorHandler,), {"site": site, "log_requests": log_requests}
    )
    return MirrorServer((host, port), handler)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m ilo_crawler.mirror", description="Serve the replica of the ILO Newsroom."
    )
    parser.add_argument("--dataset", help="JSON Lines dataset (default: the built-in one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--page-size", type=int, default=10, help="items a WCMS listing page")
    parser.add_argument(
        "--current-page-size",
        metavar="N",
        help=f"cards a current-site listing page ({CURRENT_PAGE_SIZE})",
    )
    parser.add_argument(
        "--retired",
        action="store_true",
        help="the host as it is now: the WCMS URLs moved or gone, the current site only",
    )
    parser.add_argument(
        "--log-requests", action="store_true", help="log every request, fault and publication"
    )
    parser.add_argument(
        "--days",
        metavar="N",
        help="serve the current site N editors' days after the dataset's newest node (0)",
    )
    parser.add_argument(
        "--editors",
        metavar="P,C,U,T",
        help="each day: nodes published, pages corrected, nodes published outside the listing, "
        "nodes taken down (3,2,1,1)",
    )
    parser.add_argument(
        "--broken-sitemap", action="store_true", help="serve the sitemap's files cut off"
    )
    add_arguments(parser)
    add_archive_arguments(parser)
    args = parser.parse_args(argv)
    if args.page_size < 1:
        parser.error("--page-size must be at least 1")
    return args


def _current_page_size(text: str | None) -> int:
    """``--current-page-size``, checked in one line (argparse would print its usage too)."""
    if text is None:
        return CURRENT_PAGE_SIZE
    if not (text.isdigit() and int(text) >= 1):
        raise FaultOptionError(
            f"invalid --current-page-size {text!r}: expected a whole number from 1, "
            f"e.g. {CURRENT_PAGE_SIZE}"
        )
    return int(text)


def _editors(days_text: str | None, plan_text: str | None) -> tuple[int, EditorsDay]:
    """``--days`` and ``--editors``, checked in one line each."""
    days = 0
    if days_text is not None:
        if not days_text.isdigit():
            raise FaultOptionError(
                f"invalid --days {days_text!r}: expected a whole number from 0, e.g. 2"
            )
        days = int(days_text)
    if plan_text is None:
        return days, EditorsDay()
    parts = plan_text.split(",")
    if len(parts) != 4 or not all(part.strip().isdigit() for part in parts):
        raise FaultOptionError(
            f"invalid --editors {plan_text!r}: expected four whole numbers (published, "
            "corrected, unlisted, taken down a day), e.g. 3,2,1,1"
        )
    if days_text is None:
        raise FaultOptionError("--editors needs --days N")
    return days, EditorsDay(*(int(part) for part in parts))


def main(argv: list[str] | None = None) -> int:
    """Load, bind, print the base URL, serve until SIGTERM/SIGINT; 2 on a bad dataset, option or
    capture schedule, or an address it cannot listen on."""
    args = _arguments(argv)
    try:
        if args.retired and args.wayback:
            raise FaultOptionError(
                "--retired does not apply to --wayback (the archive keeps the old site)"
            )
        options = options_from_arguments(args)
        current_page_size = _current_page_size(args.current_page_size)
        days, plan = _editors(args.days, args.editors)
        if (days or args.broken_sitemap) and args.wayback:
            raise FaultOptionError("--days and --broken-sitemap do not apply to --wayback")
        archive = archive_options(args, options)
        dataset = load_site_dataset(args.dataset) if args.dataset else default_site_dataset()
        if archive is None:
            current = options.layout in CURRENT_LAYOUTS
            host = Site(
                dataset.records,
                page_size=args.page_size,
                layout=None if current else options.layout,
                nodes=dataset.nodes,
                current_page_size=current_page_size,
                current_layout=options.layout if current else None,
                retired=args.retired,
            )
            host.current.live_days(days, plan, options.seed)
            host.current.broken_sitemap = args.broken_sitemap
            site: FaultySite | StrictArchive = FaultySite(host, options)
        else:
            site = serve_archive(archive, dataset.records, args.page_size, options)
    except (DatasetError, FaultOptionError, ScheduleError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        server = make_server(site, args.host, args.port, args.log_requests)
    except OSError as exc:  # the port is taken, or the host is not an address of this machine
        reason = (exc.strerror or str(exc)).lower()
        print(f"error: cannot serve on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 2

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever() to return, so it must not run on its thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
