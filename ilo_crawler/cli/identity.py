"""Which article the text a person typed names: any of its identities, in any case
(``wcms_676958``, ``Node:23121``), or the URL of one of its copies (on either site, or a web
archive's replay of one)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import click
import sqlite_utils

from ilo_crawler.sites import LISTING_ONLY, LISTING_ONLY_PREFIX, identity_site
from ilo_crawler.sites.current.urls import node_doc_id
from ilo_crawler.sites.wcms.urls import parse_article_path
from ilo_crawler.webarchive import original_of

_WCMS = re.compile(r"wcms_(\d+)", re.IGNORECASE)
_NODE = re.compile(r"node:(\d+)", re.IGNORECASE)
_LISTING = re.compile(f"{LISTING_ONLY_PREFIX}([0-9a-f]+)", re.IGNORECASE)


def resolve_identity(db: sqlite_utils.Database, text: str) -> tuple[str, str]:
    """``(site, identity)`` of the article ``text`` names, the identity written as the archive
    writes it (``WCMS_<n>``, ``node:<nid>``, ``LISTING_<hex>``). A URL is read for the document
    it names (a WCMS URL holds its ``WCMS_<n>``), else looked up among the URLs the archive
    read copies at. Text naming no article is a usage error; a URL no copy was read at is a
    ``click.ClickException`` (exit status 1: nothing found)."""
    given = text.strip()
    if match := _WCMS.fullmatch(given):
        return "wcms", f"WCMS_{match[1]}"
    if match := _NODE.fullmatch(given):
        return "current", node_doc_id(match[1])
    if match := _LISTING.fullmatch(given):
        return LISTING_ONLY, LISTING_ONLY_PREFIX + match[1].lower()
    parts = urlsplit(given)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(
            f"{text!r} names no article: give an identity (WCMS_676958, node:23121) or the "
            "article's URL",
            param_hint="'ARTICLE'",
        )
    original = original_of(given) or given
    if key := parse_article_path(original):
        return "wcms", key.doc_id
    identity = _identity_at(db, original)
    if identity is None:
        raise click.ClickException(f"no article read at {given} in the archive")
    return identity_site(identity), identity


def _identity_at(db: sqlite_utils.Database, url: str) -> str | None:
    """The identity whose copy was last read at ``url``'s path, on whichever host the archive
    read it (the replica's, the site's, http or https)."""
    path = urlsplit(url).path.rstrip("/")
    if not path:
        return None
    for identity, read_at in db.execute(
        "SELECT identity, url FROM identities WHERE url LIKE ? ORDER BY last_seen_at DESC",
        [f"%{path}%"],
    ):
        if urlsplit(read_at).path.rstrip("/") == path:
            return identity
    return None
