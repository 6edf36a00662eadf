"""The normalised fields of an archived article, derived from its raw fields.

One function per normaliser, used both by the crawl's item pipelines and by ``ilo-archive
renormalize`` (which re-derives them for archived rows after the taxonomy or the date rules
change), so both paths always give the same result.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import Any

from ilo_crawler.normalize.categories import Taxonomy, default_taxonomy
from ilo_crawler.normalize.dates import date_problem, parse_date_text, parse_month_heading

DATE_FIELDS = ("published", "article_published", "date_problem", "month")
CATEGORY_FIELDS = ("category", "category_slug", "category_kind")


def date_fields(
    *,
    lang: str,
    date_text: str | None,
    article_date_text: str | None,
    heading: str | None,
    crawl_date: dt.date,
    date_value: str | None = None,
) -> dict[str, Any]:
    """``published`` from the listing's date line; where that one cannot be trusted the article
    page's own date if sound (held to the same checks), else None, and ``date_problem`` says why.
    ``month`` is the published date's month, else the heading's: a date that contradicts the
    heading it stands under does not move the item out of that month. ``article_published`` is
    set only when the article page's date differs from ``published`` (the flag analysts query).
    A machine-readable ``date_value`` beside the date line is checked, never preferred: beyond a
    time zone's shift from the line's date it is the problem ``datetime-disagrees``."""
    return dict(_date_fields(lang, date_text, article_date_text, heading, crawl_date, date_value))


#: A crawl asks for an entry's dates several times (its month while the listing is sought, then
#: the date pipeline): each distinct question is answered once (the dict is only ever copied).
@functools.lru_cache(maxsize=1024)  # the questions about one listing page and its neighbours
def _date_fields(
    lang: str,
    date_text: str | None,
    article_date_text: str | None,
    heading: str | None,
    crawl_date: dt.date,
    date_value: str | None,
) -> dict[str, Any]:
    heading_month = parse_month_heading(heading, lang)
    listed = parse_date_text(date_text, lang)
    problem = date_problem(listed, date_text, crawl_date=crawl_date, heading=heading_month)
    on_article = parse_date_text(article_date_text, lang)
    if on_article is not None and date_problem(
        on_article, article_date_text, crawl_date=crawl_date, heading=heading_month
    ):
        on_article = None
    published = listed if problem is None else on_article
    if problem is None and listed is not None and _disagrees(listed, date_value):
        problem = "datetime-disagrees"
    if published is not None:
        month = f"{published.year:04d}-{published.month:02d}"
    elif heading_month is not None:
        month = f"{heading_month[0]:04d}-{heading_month[1]:02d}"
    else:
        month = None
    differs = on_article is not None and on_article != published
    return {
        "published": published.isoformat() if published else None,
        "article_published": on_article.isoformat() if differs else None,
        "date_problem": problem,
        "month": month,
    }


#: How far a machine date may lie from the date line's day: a time zone's shift (UTC-12 to +14).
DATE_VALUE_SLACK = dt.timedelta(days=1)


def _disagrees(listed: dt.date, date_value: str | None) -> bool:
    """Does the machine date (Unix seconds, or ISO 8601) name another day than the date line,
    beyond a time zone's shift? One that reads as no date at all disagrees too."""
    if date_value is None or not date_value.strip():
        return False
    text = date_value.strip()
    try:
        if text.lstrip("-").isdigit():
            day = dt.datetime.fromtimestamp(int(text), dt.UTC).date()
        else:
            day = dt.datetime.fromisoformat(text).date()
    except (ValueError, OverflowError, OSError):
        return True
    return abs(day - listed) > DATE_VALUE_SLACK


def topic_names(
    tags: list[str] | None, category: dict[str, Any], taxonomy: Taxonomy | None = None
) -> list[str]:
    """An article's normalised topics, the same for both sites: its tags through the taxonomy
    (the current site's articles list their topics as tags), else its label's category where
    that is a topic (the WCMS's labels often were one); in order, once each."""
    if tags:
        chosen = taxonomy or default_taxonomy()
        found = (chosen.normalize(tag) for tag in tags)
        return list(dict.fromkeys(c.name for c in found if c is not None and c.kind == "topic"))
    return [category["category"]] if category["category_kind"] == "topic" else []


def category_fields(label: str | None, taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """The label's canonical category, slug and kind (all None without a label); ``known`` says
    whether the taxonomy has it (an unknown label is still categorised, as a topic)."""
    category = (taxonomy or default_taxonomy()).normalize(label)
    if category is None:
        return {"category": None, "category_slug": None, "category_kind": None, "known": True}
    return {
        "category": category.name,
        "category_slug": category.slug,
        "category_kind": category.kind,
        "known": category.known,
    }


#: A word of a title: letters and digits (what an edit of its punctuation leaves alone).
_TITLE_WORD = re.compile(r"[^\W_]+")


def title_key(title: str | None) -> str | None:
    """A title as two sites' copies of one article share it: its words, Unicode-normalised and
    case-folded, without the punctuation and spacing between them (a migration to the current
    site retouched titles: whitespace, quotes, dashes for colons, case). None for a title
    without words: it matches nothing."""
    if not title:
        return None
    words = _TITLE_WORD.findall(unicodedata.normalize("NFKC", title).casefold())
    return " ".join(words) or None
