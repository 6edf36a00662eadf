"""What is one article: identities observed on pages are evidence, an article is the group the
evidence connects (the way archives that keep one record per thing resolve entities).

Each site's copy of an article keeps its own record (``copies``: one row per identity and
language, with its own revisions). Which copies are one article is decided here, from evidence
the pages give, never from the order the crawls ran in:

- the same identity: a WCMS document number (``WCMS_<n>``) or a Drupal node id (``node:<nid>``)
  is shared by the document's languages, so its languages are one article;
- a copy on the other site: a WCMS copy and a node copy in the same language whose title (after
  ``title_key``), ``published`` date and text agree, the match unique in both directions (each is
  the other's only best candidate: see ``match_copies``).

The articles are the connected groups of identities under these links (``group_identities``),
recomputed whenever a copy changes; the group's ``doc_id`` is picked by a rule (``article_id``)
so that the same copies give the same archive whatever the order of the crawls. Everything in
this module is pure: the store feeds it rows and writes back what it returns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ilo_crawler.normalize.fields import title_key
from ilo_crawler.sites import LISTING_ONLY, NODE_PREFIX, identity_site

#: Two copies' texts agree when this share of their word trigrams is common to both (Jaccard).
#: Measured on the replica (docs/identities.md): a migrated copy scores 1.0 (a migration keeps
#: the text); random pairs of different articles a median of 0.26 and 0.51 at the 99th
#: percentile, and the title and date must agree as well.
MIN_TEXT_SIMILARITY = 0.6
#: A best candidate is unique only if the next one scores at least this much less: two
#: candidates as alike as that are an ambiguity, left apart and recorded.
MIN_MARGIN = 0.15
#: Trigrams: short enough that an edited sentence keeps most of its neighbours', long enough
#: that two texts built from one vocabulary do not look alike.
_SHINGLE = 3
_WORD = re.compile(r"[^\W_]+")

#: The sites whose copies can be another site's copy of one article.
_CROSS_SITES = ("wcms", "current")


@dataclass(frozen=True)
class CopyText:
    """What a copy's page proves about it, for matching: its identity and the fields compared."""

    identity: str
    title: str | None  #: after ``title_key``
    lead: frozenset[tuple[str, ...]]
    body: frozenset[tuple[str, ...]]

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> CopyText:
        """From a ``copies`` row (``identity``, ``title``, ``summary``, ``body``)."""
        return cls(
            row["identity"], title_key(row["title"]), shingles(row["summary"]), shingles(row["body"])
        )


@dataclass(frozen=True)
class Link:
    """A join the evidence supports: ``identity`` and ``other`` are one article."""

    identity: str
    other: str
    lang: str
    kind: str  #: ``copy`` (title, date and text agree)
    score: float


@dataclass(frozen=True)
class Ambiguity:
    """A copy with two or more candidates too alike to choose from: left apart, recorded."""

    identity: str
    lang: str
    candidates: tuple[tuple[str, float], ...]  #: (identity, score), best first


def shingles(text: str | None) -> frozenset[tuple[str, ...]]:
    """The word trigrams of a text (Unicode-normalised, case-folded), as a set."""
    if not text:
        return frozenset()
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) < _SHINGLE:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(tuple(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1))


def text_similarity(a: CopyText, b: CopyText) -> float | None:
    """How alike two copies' texts are (0 – 1): their bodies when both have one, else their
    leads when both have one; None when they share no kind of text (nothing to compare)."""
    for mine, theirs in ((a.body, b.body), (a.lead, b.lead)):
        if mine and theirs:
            return len(mine & theirs) / len(mine | theirs)
    return None


def match_copies(
    lang: str, copies: Iterable[CopyText]
) -> tuple[list[Link], list[Ambiguity]]:
    """The copy links among copies of one language and one ``published`` date: a WCMS copy and
    a node copy join when their titles agree and their texts score at least
    ``MIN_TEXT_SIMILARITY``, each is the other's best candidate, and each best beats its next
    by ``MIN_MARGIN``. A copy whose best candidates are too close is an ``Ambiguity``. The
    result depends on the set of copies only, not on their order."""
    by_site: dict[str, list[CopyText]] = {site: [] for site in _CROSS_SITES}
    for copy in copies:
        site = identity_site(copy.identity)
        if site in by_site and copy.title:
            by_site[site].append(copy)
    scores: dict[str, dict[str, float]] = {}
    for wcms in by_site["wcms"]:
        for node in by_site["current"]:
            if wcms.title != node.title:
                continue
            score = text_similarity(wcms, node)
            if score is not None and score >= MIN_TEXT_SIMILARITY:
                scores.setdefault(wcms.identity, {})[node.identity] = score
                scores.setdefault(node.identity, {})[wcms.identity] = score
    best: dict[str, str] = {}
    ambiguities = []
    for identity in sorted(scores):
        ranked = sorted(scores[identity].items(), key=lambda item: (-item[1], item[0]))
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < MIN_MARGIN:
            ambiguities.append(Ambiguity(identity, lang, tuple(ranked)))
        else:
            best[identity] = ranked[0][0]
    links = [
        Link(identity, other, lang, "copy", scores[identity][other])
        for identity, other in sorted(best.items())
        if identity_site(identity) == "wcms" and best.get(other) == identity
    ]
    return links, ambiguities


def article_id(identities: Iterable[str]) -> str:
    """The ``doc_id`` of the article a group of identities is: its WCMS document (the lowest
    number: the original, and the id the old newsroom's readers know), else its node (the
    lowest id), else its listing-only id. A rule of the group alone, so that every order of
    crawls gives the same ``doc_id``."""
    return min(identities, key=_id_rank)


def _id_rank(identity: str) -> tuple[int, int, str]:
    site = identity_site(identity)
    digits = re.sub(r"\D", "", identity.removeprefix(NODE_PREFIX))
    number = int(digits) if digits and site != LISTING_ONLY else 0
    return ({"wcms": 0, "current": 1}.get(site, 2), number, identity)


def group_identities(
    identities: Iterable[str], links: Iterable[Link]
) -> tuple[dict[str, str], list[tuple[str, ...]]]:
    """Each identity's article (``doc_id``), the connected groups under ``links`` (union-find).
    A group that would hold two identities of one site (two different documents, one joined to
    each other's copy in two languages) is not made: its identities stay apart and the group is
    returned among the refused, for the store to record as an ambiguity."""
    parent: dict[str, str] = {identity: identity for identity in identities}

    def find(identity: str) -> str:
        while parent[identity] != identity:
            parent[identity] = parent[parent[identity]]
            identity = parent[identity]
        return identity

    for link in links:
        if link.identity in parent and link.other in parent:
            a, b = find(link.identity), find(link.other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[str, list[str]] = {}
    for identity in parent:
        members.setdefault(find(identity), []).append(identity)
    article: dict[str, str] = {}
    refused = []
    for group in members.values():
        sites = [identity_site(identity) for identity in group]
        if len(set(sites)) < len(sites):
            refused.append(tuple(sorted(group)))
            article.update({identity: identity for identity in group})
            continue
        doc_id = article_id(group)
        article.update({identity: doc_id for identity in group})
    return article, refused


#: Which copy an article's row shows, best first, and why (``articles.shown_because``).
def shown_copy(copies: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], str]:
    """The copy an article's row shows in one language, and why: one still served (not gone),
    with a body, the current site's before the WCMS's (it is where the ILO publishes and
    corrects now), then the lower identity (``article_id``'s rule)."""
    ranked = sorted(
        copies,
        key=lambda row: (
            row["gone_at"] is not None,
            row["body"] is None,
            identity_site(row["identity"]) != "current",
            _id_rank(row["identity"]),
        ),
    )
    shown = ranked[0]
    if len(ranked) == 1:
        return shown, "only copy"
    other = ranked[1]
    if (shown["gone_at"] is None) != (other["gone_at"] is None):
        return shown, "still served"
    if (shown["body"] is None) != (other["body"] is None):
        return shown, "has a body"
    if identity_site(shown["identity"]) != identity_site(other["identity"]):
        return shown, "current site"
    return shown, "lowest identity"
