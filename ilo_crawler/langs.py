"""How the site writes dates and month headings in each language it publishes in.

One table serves both sides: the replica writes dates with it, and the date normaliser's fast path
reads them back with it. Forms are the ones seen on the real site (``../shared/site/README.md``).
"""

from __future__ import annotations

import datetime as dt

#: Month names by language, January first, in the case the site uses inside a date line.
MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    "pt": (
        "Janeiro",
        "Fevereiro",
        "Março",
        "Abril",
        "Maio",
        "Junho",
        "Julho",
        "Agosto",
        "Setembro",
        "Outubro",
        "Novembro",
        "Dezembro",
    ),
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    "it": (
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ),
}

#: Human names of the languages, as the site's language switcher shows them.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
    "de": "Deutsch",
    "it": "Italiano",
    "ja": "日本語",
    "zh": "中文",
    "ru": "Русский",
    "ar": "العربية",
}


def format_date(day: dt.date, lang: str) -> str:
    """The date line as that language's listing pages write it (ISO for a language not known)."""
    if lang == "en":
        return f"{day.day:02d} {MONTH_NAMES['en'][day.month - 1]} {day.year}"
    if lang in ("fr", "it"):
        return f"{day.day} {MONTH_NAMES[lang][day.month - 1]} {day.year}"
    if lang in ("es", "pt"):
        return f"{day.day} de {MONTH_NAMES[lang][day.month - 1]} de {day.year}"
    if lang == "de":
        return f"{day.day}. {MONTH_NAMES['de'][day.month - 1]} {day.year}"
    if lang in ("ja", "zh"):
        return f"{day.year}/{day.month:02d}/{day.day:02d}"
    return day.isoformat()


def format_month_heading(year: int, month: int, lang: str) -> str:
    """The heading over a month's items: ``November 2021``, ``Novembre 2021``, ``6月 2020``."""
    if lang in ("ja", "zh"):
        return f"{month}月 {year}"
    if lang == "pt":
        return f"{MONTH_NAMES['pt'][month - 1].lower()} {year}"
    names = MONTH_NAMES.get(lang, MONTH_NAMES["en"])
    return f"{names[month - 1][:1].upper()}{names[month - 1][1:]} {year}"
