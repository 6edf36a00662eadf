"""Each site's knowledge in one place: its URL scheme, its known layouts' selectors and its page
objects. ``wcms``: the ILO's document CMS, the newsroom until April 2024; ``current``: the Drupal
site on the ILO's design system, since 2024. Both were served on one host, ``DEFAULT_BASE_URL``."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_BASE_URL = "https://www.ilo.org"

#: Languages the crawler archives: English, French and Spanish first (the taxonomy knows their
#: labels), and the other languages whose date forms are known (``ilo_crawler.langs``).
CRAWL_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "pt", "de", "it", "ja")


def host_of(base_url: str) -> str:
    """The host name a base URL points at (what the crawl is confined to)."""
    return urlsplit(base_url).hostname or ""


#: The "site" of an item archived from a listing alone (no document id), and its ids' prefix.
LISTING_ONLY = "listing"
LISTING_ONLY_PREFIX = "LISTING_"
#: The prefix of the current site's document ids (``node:<nid>``).
NODE_PREFIX = "node:"


def identity_site(identity: str) -> str:
    """Which site an article identity is of, by its form: ``current`` (``node:<nid>``),
    ``listing`` (an id derived from a listing item), else ``wcms`` (``WCMS_<n>``)."""
    if identity.startswith(NODE_PREFIX):
        return "current"
    if identity.startswith(LISTING_ONLY_PREFIX):
        return LISTING_ONLY
    return "wcms"
