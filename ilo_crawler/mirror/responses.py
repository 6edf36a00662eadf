"""What every page of the replica's host answers with: an HTML page with its validators (ETag,
Last-Modified) and the 304 rule for conditional requests, the same for both sites' pages."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
from collections.abc import Mapping
from html import escape

Headers = list[tuple[str, str]]
Response = tuple[int, Headers, bytes]

HTML_TYPE = "text/html; charset=utf-8"


def http_date(day: dt.date) -> str:
    """Last-Modified of a page: noon UTC of its newest item's day, the same on every run."""
    moment = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    return email.utils.format_datetime(moment, usegmt=True)


def page(
    html: str, modified: dt.date, content_type: str = HTML_TYPE, extra: Headers = ()
) -> Response:
    """A 200 answer with an ETag (a hash of the body) and Last-Modified (``modified``)."""
    body = html.encode("utf-8")
    etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20] + '"'
    headers = [
        ("Content-Type", content_type),
        ("ETag", etag),
        ("Last-Modified", http_date(modified)),
    ]
    return 200, [*headers, *extra], body


def moved(location: str) -> Response:
    """A 301 as Drupal's redirects send it (Symfony's RedirectResponse body)."""
    url = escape(location)
    body = (
        '<!DOCTYPE html>\n<html>\n    <head>\n        <meta charset="UTF-8" />\n'
        f'        <meta http-equiv="refresh" content="0;url=\'{url}\'" />\n\n'
        f"        <title>Redirecting to {url}</title>\n    </head>\n    <body>\n"
        f'        Redirecting to <a href="{url}">{url}</a>.\n    </body>\n</html>'
    )
    return 301, [("Content-Type", HTML_TYPE), ("Location", location)], body.encode()


def conditional(answer: Response, request: Mapping[str, str]) -> Response:
    """``answer`` as sent to a request with these (lower-cased) headers: 304 with the validators
    only when the client's copy is current."""
    status, headers, body = answer
    if status != 200:
        return answer
    validators = dict(headers)
    if _not_modified(request, validators.get("ETag"), validators.get("Last-Modified")):
        return 304, [(n, v) for n, v in headers if n in ("ETag", "Last-Modified")], b""
    return answer


def _not_modified(request: Mapping[str, str], etag: str | None, modified: str | None) -> bool:
    """Whether the client's copy is current (If-None-Match overrides If-Modified-Since)."""
    if "if-none-match" in request:
        tags = {tag.strip().removeprefix("W/") for tag in request["if-none-match"].split(",")}
        return "*" in tags or etag in tags
    if "if-modified-since" in request and modified:
        try:
            since = email.utils.parsedate_to_datetime(request["if-modified-since"])
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        return since >= email.utils.parsedate_to_datetime(modified)
    return False
