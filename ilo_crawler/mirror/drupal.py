"""What the current site's Drupal derives from a node, in one place: its path alias (pathauto), the
date text and the Unix ``datetime`` its cards and hero show, and the names of its languages.

These are the replica's models of the real site's conventions (``../shared/site/current-site.md``):
the slug rules are read off real aliases, the ``datetime`` convention is a plausible choice (the
real value was seen, its time of day not explained). A crawler must not rely on them beyond what
the pages show; tests of the replica check them here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from ilo_crawler.langs import MONTH_NAMES, format_date

#: pathauto's default "ignore words" (one list for every language, as pathauto has).
IGNORE_WORDS = (
    "a", "an", "as", "at", "before", "but", "by", "for", "from", "is", "in", "into", "like", "of",
    "off", "on", "onto", "per", "since", "than", "the", "this", "that", "to", "up", "via", "with",
)  # fmt: skip
#: Aliases are cut at a word boundary to at most this many characters (before percent-encoding):
#: the longest real slugs seen are 74 characters, one cut where a 76th would have come.
SLUG_MAX_LENGTH = 75
SEPARATOR = "-"

# pathauto's punctuation settings (defaults): the hyphen becomes the separator, every other ASCII
# punctuation mark is removed; anything else (curly quotes, dashes, letters) is kept.
_PUNCTUATION = str.maketrans(
    {mark: ("-" if mark == "-" else "") for mark in "\"'`,.-_:;|{}[]+=*&%^$#@!~()?<>/\\"}
)
# PCRE without the u flag, as pathauto runs it: \b is an ASCII word boundary.
_IGNORE_RE = re.compile(r"\b(?:" + "|".join(IGNORE_WORDS) + r")\b", re.IGNORECASE | re.ASCII)
_SEPARATORS_RE = re.compile(r"-{2,}")
#: What a translation's own alias folds that the English one keeps (the one real French alias
#: seen, ``lia-et-la-numerisation-...``, has neither accent nor apostrophe).
_FOLDED = str.maketrans(
    {"’": "", "‘": "", "“": "", "”": "", "«": "", "»": "", "–": " ", "—": " ", "…": " ",
     "œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "ß": "ss"}
)  # fmt: skip

#: The node ids of the site's own pages: the "All news" listing (a landing page holding the
#: view), the newsroom hub, the 404 page (which the real site serves with its node id). No
#: dataset node may have one.
LISTING_NODE_IDS: dict[str, int] = {"all-news": 1016}
HUB_NODE_ID = 1015
NOT_FOUND_NODE_ID = 9
OWN_PAGES: dict[int, str] = {
    **{nid: f"the {name} listing" for name, nid in LISTING_NODE_IDS.items()},
    HUB_NODE_ID: "the newsroom hub",
    NOT_FOUND_NODE_ID: "the 404 page",
}

#: Drupal's native names of the site's languages, as its language switcher shows them.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "fr": "français",
    "es": "español",
    "ar": "العربية",
    "de": "Deutsch",
    "it": "italiano",
    "ja": "日本語",
    "nl": "Nederlands",
    "pt": "português",
    "ru": "русский",
    "tr": "Türkçe",
    "uk": "українська",
    "vi": "Tiếng Việt",
    "zh-hans": "简体中文",
}


def _truncate(text: str, length: int) -> str:
    """Drupal's word-safe truncation: the longest prefix of at most ``length`` characters that
    ends before a separator (the whole text when it is short enough)."""
    if len(text) <= length:
        return text
    cut = text.rfind(SEPARATOR, 1, length + 1)
    return (text[:cut] if cut > 0 else text[:length]).rstrip(SEPARATOR)


def clean_title(title: str, fold: bool = False) -> str:
    """A title made an alias component as pathauto makes it (not yet percent-encoded).

    ``fold``: a translation's own alias, accents and curly punctuation folded away (see
    ``_FOLDED``); the English aliases keep them (``indonesia’s``, ``ilo–nask``, ``—``).
    """
    text = title
    if fold:
        text = unicodedata.normalize("NFKD", text.translate(_FOLDED))
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_PUNCTUATION)
    removed = _IGNORE_RE.sub("", text)
    if removed.strip():
        text = removed
    text = re.sub(r"\s+", SEPARATOR, text)
    text = _SEPARATORS_RE.sub(SEPARATOR, text).strip(SEPARATOR).lower()
    return _truncate(text, SLUG_MAX_LENGTH) or "node"


def encode_slug(component: str) -> str:
    """An alias as the site writes it in URLs: UTF-8 percent-encoded, upper-case hex."""
    return quote(component, safe="/-_.~")


def unique_slug(title: str, taken: Callable[[str], bool], fold: bool = False) -> str:
    """The encoded alias of a new node titled ``title``; pathauto's ``-0``, ``-1``, ... suffix
    when ``taken(slug)`` says the plain one is another node's."""
    base = clean_title(title, fold)
    slug = encode_slug(base)
    index = 0
    while taken(slug):
        suffix = f"{SEPARATOR}{index}"
        slug = encode_slug(_truncate(base, SLUG_MAX_LENGTH - len(suffix)) + suffix)
        index += 1
    return slug


def date_text(day: dt.date, lang: str) -> str:
    """A date as cards and heroes write it: ``20 September 2022`` (no leading zero, unlike the
    WCMS listings), ``20 septembre 2022``, ``20 de septiembre de 2022``."""
    if lang == "en":
        return f"{day.day} {MONTH_NAMES['en'][day.month - 1]} {day.year}"
    return format_date(day, lang)


def _last_sunday(year: int, month: int) -> dt.date:
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


def geneva_offset(day: dt.date) -> int:
    """Hours Geneva is ahead of UTC at midnight of ``day`` (EU summer time: from the last Sunday
    of March to the last Sunday of October; the change comes after midnight on both days)."""
    return 2 if _last_sunday(day.year, 3) < day <= _last_sunday(day.year, 10) else 1


def timestamp(day: dt.date) -> int:
    """The ``datetime`` of a card's ``<time>``: the Unix time of midnight in Geneva (the site's
    time zone) on the node's date, so its UTC date is the day before; the one convention the
    replica writes (a crawler checks it against the text allowing for a time-zone shift)."""
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return int(midnight.timestamp()) - geneva_offset(day) * 3600


def iso_moment(day: dt.date) -> str:
    """Midnight of ``day`` in Geneva, ISO 8601 with its offset (sitemaps' ``<lastmod>``)."""
    return f"{day.isoformat()}T00:00:00+{geneva_offset(day):02d}:00"


# Editors' days ----------------------------------------------------------------------------------
# What the site's editors do after the dataset's last day, one simulated day at a time
# (``CurrentSite.live_days``, ``--days``): the cron crawl must bring each day's work into the
# archive. The real site's behaviour is modelled on Drupal's: a node saved again gets a new
# ``changed`` time, which is its sitemap ``<lastmod>`` and its page's ``Last-Modified``; the "All
# news" view's cards are the render cache's (the replica keeps the card as first published, so
# that only the page and the sitemap show a correction); a page outside the view (a statement
# linked from elsewhere) is in the sitemap only; an unpublished node answers 404, a deleted one
# 410 where the redirect module records it gone.


@dataclass(frozen=True)
class EditorsDay:
    """What the editors do on each simulated day: nodes published in the listing, corrections to
    older English pages (body or title, in turn), nodes published outside the listing, and nodes
    taken down (every language version)."""

    published: int = 3
    corrected: int = 2
    unlisted: int = 1
    taken_down: int = 1


#: What a takedown answers, in turn: 410 Gone, then 404 Not Found.
TAKEDOWN_STATUSES = (410, 404)


def corrected_title(title: str) -> str:
    """A title as an editor corrects it after publication: a word added, the rest kept."""
    return f"{title.rstrip()} (updated)"


def correction_note(day: dt.date, lang: str) -> str:
    """The paragraph an editor adds to a corrected body, dated."""
    return f"Correction: this article was updated on {date_text(day, lang)} to correct a figure."
