"""The ``newsroom`` spider's arguments (``-a name=value``), checked before any request is made."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ilo_crawler import urls

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class ArgumentError(ValueError):
    """A spider argument that cannot be used; the message names the value and what is accepted."""


@dataclass(frozen=True)
class NewsroomArguments:
    year: int
    month: int
    lang: str
    listing: str

    ACCEPTED = ("month", "lang", "listing")

    @property
    def month_key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def as_dict(self) -> dict[str, str]:
        return {"month": self.month_key, "lang": self.lang, "listing": self.listing}

    @classmethod
    def parse(cls, arguments: Mapping[str, str]) -> NewsroomArguments:
        unknown = sorted(set(arguments) - set(cls.ACCEPTED))
        if unknown:
            raise ArgumentError(
                f"unknown argument {unknown[0]!r}: accepted arguments are "
                + ", ".join(f"-a {name}=..." for name in cls.ACCEPTED)
            )
        month = arguments.get("month")
        if month is None:
            raise ArgumentError(
                "missing argument month: give -a month=YYYY-MM, e.g. -a month=2021-11"
            )
        match = _MONTH.match(month)
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1919:
            raise ArgumentError(
                f"invalid month {month!r}: expected YYYY-MM with a year from 1919 and a month "
                "01-12, e.g. 2021-11"
            )
        lang = arguments.get("lang", "en")
        if lang not in urls.CRAWL_LANGUAGES:
            raise ArgumentError(
                f"invalid lang {lang!r}: accepted languages are {', '.join(urls.CRAWL_LANGUAGES)}"
            )
        listing = arguments.get("listing", "all-newsroom")
        if listing not in urls.LISTING_PATHS:
            raise ArgumentError(
                f"invalid listing {listing!r}: accepted listings are "
                + ", ".join(urls.LISTING_PATHS)
            )
        return cls(year=int(match[1]), month=int(match[2]), lang=lang, listing=listing)


def check_base_url(base_url: str) -> str:
    """The site's base URL, refused unless it is an http(s) URL with a host."""
    if not re.match(r"^https?://[^/\s]+/?$", base_url or ""):
        raise ArgumentError(
            f"invalid ILO_BASE_URL {base_url!r}: expected an http(s) URL of a site root, "
            "e.g. https://www.ilo.org"
        )
    return base_url.rstrip("/")
