"""The built-in dataset's current-site part: what www.ilo.org has published since May 2024, and
the copies of part of the old newsroom that were migrated to it.

New content runs from May 2024 to November 2026, 30 to 60 English nodes a month (news, press
releases, articles, statements, ...), some translated into French and Spanish (the same node id;
the English slug or one of their own). About a third of the WCMS articles of 2017 to 2022 are also
nodes: the same language, title and date, a node id and slug of their own, the title sometimes
edited slightly on the way (a trailing space, quotes, a dash, spacing, the case of a word). The
generator has its own seed and reads the WCMS rows without touching them, so the WCMS part of the
dataset is the same with or without it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ilo_crawler.mirror import drupal
from ilo_crawler.mirror.content import (
    CITIES,
    DATELINE,
    FIRST_NAMES,
    LABEL_TRANSLATIONS,
    LANGS,
    PARTNERS,
    PLACES,
    SENTENCES,
    SUMMARIES,
    SURNAMES,
    TITLES,
    TOPICS,
    Tri,
    _cap,
    _topic_label,
    body_paragraphs,
    template_values,
)

SEED = 20240418  # the day the old newsroom announced the new site
#: The months of new content, both included (the WCMS newsroom's last item is of April 2024).
FIRST_MONTH, LAST_MONTH = (2024, 5), (2026, 11)
NEW_PER_MONTH = (30, 60)
#: WCMS articles of these years may have a migrated copy, each with this chance.
MIGRATED_YEARS = (2017, 2022)
MIGRATED_SHARE = 0.33
#: A migrated article's French or Spanish version is migrated too with this chance.
MIGRATED_TRANSLATION_SHARE = 0.7
#: Node ids: migrated nodes were created first (before the launch), new ones after, in date order.
MIGRATED_FIRST_NID, NEW_FIRST_NID = 21_000, 96_400
#: A translation keeps its node's English alias with this chance (else it gets its own).
KEEP_ENGLISH_SLUG = 0.45

#: The type labels (eyebrows) of new content: (label, section, weight); None: no eyebrow.
KINDS: tuple[tuple[str | None, str, int], ...] = (
    ("News", "news", 38),
    ("Press release", "news", 16),
    ("Article", "article", 17),
    ("Statement", "statement", 9),
    ("Comment and analysis", "article", 3),
    ("Interview", "article", 2),
    ("Media advisory", "news", 3),
    ("Video", "other", 3),
    ("Podcast", "other", 2),
    ("Impact story", "article", 3),
    (None, "news", 4),
)
_KIND_CHOICES = [(label, section) for label, section, _ in KINDS]
_KIND_WEIGHTS = [weight for *_, weight in KINDS]
#: Eyebrows in French and Spanish (LABEL_TRANSLATIONS has the rest).
_EYEBROWS: dict[str, tuple[str, str]] = {
    **LABEL_TRANSLATIONS,
    "Podcast": ("Podcast", "Pódcast"),
    "Impact story": ("Récit d’impact", "Historia de impacto"),
}
#: The WCMS article page's type -> (eyebrow, section) of its migrated copy.
_MIGRATED_KINDS: dict[str, tuple[str, str]] = {
    "Article": ("Article", "article"),
    "Feature": ("Article", "article"),
    "Comment and analysis": ("Comment and analysis", "article"),
    "Interview": ("Interview", "article"),
    "Statement": ("Statement", "statement"),
    "Video": ("Video", "other"),
}

#: Titles of the new site's years, beside the WCMS templates (with dashes and curly quotes).
NEW_TITLES: tuple[Tri, ...] = (
    (
        "One in {n} jobs at risk of being transformed by GenAI, new ILO index shows",
        "Un emploi sur {n} susceptible d’être transformé par l’IA générative, selon un nouvel "
        "indice de l’OIT",
        "Uno de cada {n} empleos podría transformarse con la IA generativa, según un nuevo índice "
        "de la OIT",
    ),
    (
        "ILO–{partner} partnership to advance {topic} {place}",
        "Partenariat OIT–{partner} pour faire progresser {topic} {place}",
        "Alianza OIT–{partner} para avanzar en {topic} {place}",
    ),
    (
        "Heat stress puts {n} million workers at risk {place}",
        "Le stress thermique menace {n} millions de travailleurs {place}",
        "El estrés térmico pone en riesgo a {n} millones de trabajadores {place}",
    ),
    (
        "Investing in the care economy could create {n} million jobs, says ILO",
        "Investir dans l’économie des soins pourrait créer {n} millions d’emplois, selon l’OIT",
        "Invertir en la economía del cuidado podría crear {n} millones de empleos, según la OIT",
    ),
    (
        "“Decent work is the surest path out of poverty” — ILO Director-General on {topic}",
        "« Le travail décent est le chemin le plus sûr pour sortir de la pauvreté » — le "
        "Directeur général de l’OIT sur {topic}",
        "“El trabajo decente es el camino más seguro para salir de la pobreza” — el Director "
        "General de la OIT sobre {topic}",
    ),
    (
        "Platform work: ILO constituents move towards a standard on {topic}",
        "Travail via des plateformes : les mandants de l’OIT avancent vers une norme sur {topic}",
        "Trabajo en plataformas: los mandantes de la OIT avanzan hacia una norma sobre {topic}",
    ),
    (
        "AI and digitalization: what they mean for {topic} {place}",
        "L’IA et la numérisation : ce qu’elles signifient pour {topic} {place}",
        "La IA y la digitalización: lo que significan para {topic} {place}",
    ),
)
#: Statements of the Director-General on the same day every year: their titles repeat, so their
#: slugs take pathauto's ``-0``, ``-1`` suffixes.
RECURRING: tuple[tuple[int, int, Tri], ...] = (
    (
        3,
        8,
        (
            "Statement by the ILO Director-General on International Women’s Day",
            "Déclaration du Directeur général de l’OIT à l’occasion de la Journée internationale "
            "des femmes",
            "Declaración del Director General de la OIT con motivo del Día Internacional de la "
            "Mujer",
        ),
    ),
    (
        4,
        28,
        (
            "Statement by the ILO Director-General on the World Day for Safety and Health at Work",
            "Déclaration du Directeur général de l’OIT pour la Journée mondiale de la sécurité et "
            "de la santé au travail",
            "Declaración del Director General de la OIT en el Día Mundial de la Seguridad y la "
            "Salud en el Trabajo",
        ),
    ),
    (
        6,
        12,
        (
            "Statement by the ILO Director-General on the World Day Against Child Labour",
            "Déclaration du Directeur général de l’OIT pour la Journée mondiale contre le travail "
            "des enfants",
            "Declaración del Director General de la OIT en el Día Mundial contra el Trabajo "
            "Infantil",
        ),
    ),
    (
        10,
        7,
        (
            "Statement by the ILO Director-General on the World Day for Decent Work",
            "Déclaration du Directeur général de l’OIT pour la Journée mondiale pour le travail "
            "décent",
            "Declaración del Director General de la OIT en la Jornada Mundial por el Trabajo "
            "Decente",
        ),
    ),
)
#: Places of cards that show ``date | place``.
CARD_PLACES = (
    "Geneva, Switzerland",
    "Kuala Lumpur, Malaysia",
    "New York, United States",
    "Bangkok, Thailand",
    "Abidjan, Côte d’Ivoire",
    "Lima, Peru",
    "Beirut, Lebanon",
    "Brussels, Belgium",
    "New Delhi, India",
    "Addis Ababa, Ethiopia",
)
#: Photo agencies and ILO offices of image credits (``© ILO/Minh Quang``, ``© Marcel Crozet/ILO``).
CREDIT_SOURCES = ("ILO", "ILO", "ILO", "UN Photo", "UNICEF", "World Bank", "FAO")

_QUOTED_RE = re.compile(r'"([^"]+)"')
#: Whether (lang, section, slug) is a served node's path.
Served = Callable[[str, str, str], bool]


def _months() -> Iterator[tuple[int, int]]:
    year, month = FIRST_MONTH
    while (year, month) <= LAST_MONTH:
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def edit_title(title: str, rng: random.Random) -> str:
    """A title as an editor may have retouched it on migration: a trailing space, straight or
    curly quotes, a dash, doubled spacing or the case of one word; never other words."""
    candidates = [title + " "]
    if "'" in title:
        candidates.append(title.replace("'", "’"))
    if "’" in title:
        candidates.append(title.replace("’", "'"))
    if '"' in title:
        candidates.append(_QUOTED_RE.sub(r"“\1”", title))
    if " - " in title or " – " in title:
        candidates.append(
            title.replace(" - ", " – ") if " - " in title else title.replace(" – ", " - ")
        )
    if ": " in title:
        candidates.append(title.replace(": ", " – ", 1))
    words = title.split(" ")
    if len(words) > 2:
        at = rng.randrange(1, len(words))
        word = words[at]
        if word[:1].isalpha():
            changed = word.lower() if word[:1].isupper() else _cap(word)
            if changed != word:
                candidates.append(" ".join([*words[:at], changed, *words[at + 1 :]]))
        candidates.append(" ".join([*words[:at], "", *words[at:]]))  # a doubled space
    return rng.choice(candidates)


class _CurrentGenerator:
    """One run of the current part's generator: its random stream, and the path aliases taken
    (nodes are made in creation order, so that pathauto's ``-0``, ``-1`` go to the later ones)."""

    def __init__(self, seed: int = SEED, served: Served | None = None) -> None:
        self.rng = random.Random(seed)
        self.title_weights = [weight for weight, _ in TITLES]
        self.taken: set[tuple[str, str, str]] = set()
        #: Whether a path is a node's of a site already serving (for nodes published later).
        self.served = served

    def is_taken(self, lang: str, section: str, slug: str) -> bool:
        return (lang, section, slug) in self.taken or bool(
            self.served and self.served(lang, section, slug)
        )

    def slug(self, row: dict[str, Any], english: dict[str, Any] | None) -> str:
        """A row's alias: a translation keeps the English one sometimes, else pathauto makes one
        from the title (a translation's folded to ASCII)."""
        lang, section = row["lang"], row["section"]
        slug = english["slug"] if english and self.rng.random() < KEEP_ENGLISH_SLUG else None
        if slug is None or self.is_taken(lang, section, slug):
            slug = drupal.unique_slug(
                row["title"], lambda s: self.is_taken(lang, section, s), fold=lang != "en"
            )
        self.taken.add((lang, section, slug))
        return slug

    def credit(self) -> str:
        rng = self.rng
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        source = rng.choice(CREDIT_SOURCES)
        if rng.random() < 0.15:
            return f"© {source}"
        return f"© {source}/{name}" if rng.random() < 0.7 else f"© {name}/{source}"

    def title_template(self) -> Tri:
        rng = self.rng
        if rng.random() < 0.3:
            return rng.choice(NEW_TITLES)
        return rng.choices(TITLES, self.title_weights)[0][1]

    def new_node(
        self, nid: int, day: dt.date, kind: tuple[str | None, str], template: Tri | None = None
    ) -> list[dict[str, Any]]:
        """The English row of one new node and, for some, its French and Spanish rows."""
        rng = self.rng
        label, section = kind
        topic, place, partner = rng.choice(TOPICS), rng.choice(PLACES), rng.choice(PARTNERS)
        numbers = {"n": rng.randint(2, 90)}
        title = template or self.title_template()
        trailing = " " if rng.random() < 0.06 else ""
        summary = None if rng.random() < 0.12 else rng.choice(SUMMARIES)
        card_place = rng.choice(CARD_PLACES) if rng.random() < 0.08 else None
        image = rng.random() < 0.88
        credit = self.credit() if image and rng.random() < 0.65 else None
        city = rng.choice(CITIES)
        dateline = label in ("News", "Press release", "Media advisory", None)
        paragraphs = [rng.sample(SENTENCES, rng.randint(1, 3)) for _ in range(rng.randint(3, 9))]
        topics = [topic] + ([rng.choice(TOPICS)] if rng.random() < 0.4 else [])
        translated = rng.random()
        langs = ["en"] + (["fr"] if translated < 0.22 else [])
        langs += ["es"] if 0.12 <= translated < 0.28 else []
        rows: list[dict[str, Any]] = []
        for lang in langs:
            i = LANGS.index(lang)
            values = template_values(i, topic, place, partner, numbers)
            body = body_paragraphs(i, paragraphs, values)
            if dateline:
                body[0] = DATELINE[i].format(city=city[i]) + body[0]
            row: dict[str, Any] = {
                "id": f"node:{nid}",
                "lang": lang,
                "listings": ["all-news"],
                "date": day.isoformat(),
                "title": title[i].format(**values) + (trailing if lang == "en" else ""),
                "section": section,
            }
            row["slug"] = self.slug(row, rows[0] if rows else None)
            row.update(
                {
                    "label": _translated(label, i),
                    "summary": summary[i].format(**values) if summary else None,
                    "place": card_place,
                    "credit": credit,
                    "image": image,
                    "body": body,
                    "tags": sorted(dict.fromkeys(_topic_label(t)[i] for t in topics)),
                }
            )
            rows.append(row)
        return rows

    def new_rows(self) -> list[list[dict[str, Any]]]:
        """The new content, oldest first: each node as its language rows, English first."""
        rng = self.rng
        dated: list[tuple[dt.date, tuple[str | None, str], Tri | None]] = []
        for year, month in _months():
            last = calendar.monthrange(year, month)[1]
            for _ in range(rng.randint(*NEW_PER_MONTH)):
                day = dt.date(year, month, rng.randint(1, last))
                dated.append((day, rng.choices(_KIND_CHOICES, _KIND_WEIGHTS)[0], None))
            for r_month, r_day, template in RECURRING:
                if r_month == month:
                    day = dt.date(year, month, r_day)
                    dated.append((day, ("Statement", "statement"), template))
        dated.sort(key=lambda entry: entry[0])
        nid = NEW_FIRST_NID
        nodes = []
        for day, kind, template in dated:
            nid += rng.randint(2, 40)
            nodes.append(self.new_node(nid, day, kind, template))
        return nodes

    def migrated_rows(self, wcms_rows: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        """Migrated copies of part of the WCMS articles of ``MIGRATED_YEARS``, oldest first."""
        rng = self.rng
        first, last = (str(year) for year in MIGRATED_YEARS)
        versions: dict[str, list[dict[str, Any]]] = {}
        for row in wcms_rows:
            if first <= row["date"][:4] <= last:
                versions.setdefault(row["id"], []).append(row)
        chosen = [
            rows
            for rows in versions.values()
            if rows[0]["lang"] == "en" and rng.random() < MIGRATED_SHARE
        ]
        chosen.reverse()  # the WCMS rows are newest first; ties keep their order reversed
        chosen.sort(key=lambda rows: rows[0]["date"])
        nid = MIGRATED_FIRST_NID
        nodes = []
        for rows in chosen:
            nid += rng.randint(1, 6)
            node = [self.migrated(nid, rows[0], None)]
            for row in rows[1:]:
                if row["lang"] in LANGS and rng.random() < MIGRATED_TRANSLATION_SHARE:
                    node.append(self.migrated(nid, row, node[0]))
            nodes.append(node)
        return nodes

    def migrated(
        self, nid: int, row: dict[str, Any], english: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The node row of one migrated WCMS row (``english``: the node's English row)."""
        rng = self.rng
        if "press-releases" in row["listings"]:
            label, section = "Press release", "news"
        else:
            label, section = _MIGRATED_KINDS.get(_english_type(row), ("News", "news"))
        title = row["title"].replace("\n", " ")
        if rng.random() < (0.25 if english is None else 0.15):
            title = edit_title(title, rng)
        topic = row.get("label")
        migrated: dict[str, Any] = {
            "id": f"node:{nid}",
            "lang": row["lang"],
            "listings": ["all-news"],
            "date": row["date"],
            "title": title,
            "section": section,
        }
        migrated["slug"] = self.slug(migrated, english)
        migrated.update(
            {
                "label": _translated(label, LANGS.index(row["lang"])),
                "summary": row.get("summary"),
                "credit": row.get("credit"),
                "image": row.get("credit") is not None or rng.random() < 0.3,
                "body": row.get("body") or [],
                "tags": [topic] if topic and topic not in _EYEBROWS else [],
                "migrated_from": row["id"],
            }
        )
        return migrated


def _english_type(row: dict[str, Any]) -> str:
    """The English name of a WCMS row's article type (translations carry translated names)."""
    kind = row.get("type") or "News"
    for english, (fr, es) in LABEL_TRANSLATIONS.items():
        if kind in (fr, es):
            return english
    return kind


def _translated(label: str | None, index: int) -> str | None:
    if label is None or index == 0:
        return label
    return _EYEBROWS.get(label, (label, label))[index - 1]


def current_rows(wcms_rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The current-site rows of the default dataset, given the WCMS rows it copies from: new
    content, newest first, then the migrated copies, newest first (each node's English row
    first). Migrated nodes are made first: they were created before the launch."""
    generator = _CurrentGenerator()
    migrated = generator.migrated_rows(wcms_rows)
    new = generator.new_rows()
    return [row for node in [*reversed(new), *reversed(migrated)] for row in node]


def published_node_rows(
    seed: int, day: dt.date, first_nid: int, served: Served
) -> Iterator[dict[str, Any]]:
    """Endless English rows of nodes published on ``day`` while the replica serves, node ids from
    ``first_nid`` up, each with a slug ``served`` does not know (it is asked again for every
    row, so nodes published meanwhile count); ``seed`` makes them the same on every run
    (``--publish-every`` on the retired site)."""
    generator = _CurrentGenerator(seed, served)
    nid = first_nid
    while True:
        kind = generator.rng.choices(_KIND_CHOICES, _KIND_WEIGHTS)[0]
        yield generator.new_node(nid, day, kind)[0]
        nid += generator.rng.randint(2, 40)
