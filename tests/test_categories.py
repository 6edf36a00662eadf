"""Item labels to categories: every real label, the taxonomy file, and the folding properties."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ilo_crawler.normalize.categories import (
    Category,
    Taxonomy,
    TaxonomyError,
    default_taxonomy,
    fold_label,
    load_taxonomy,
    normalize_label,
)

LABELS = Path(__file__).resolve().parent / "fixtures" / "labels.txt"
CT, TOPIC = "content_type", "topic"

#: Every label of the real sample → (name, slug, kind). Written out so a taxonomy change shows here.
REAL_LABELS = [
    ("Press release", "Press release", "press-release", CT),
    ("Article", "Article", "article", CT),
    ("Video", "Video", "video", CT),
    ("Statement", "Statement", "statement", CT),
    ("Publication", "Publication", "publication", CT),
    (
        "COVID-19: Protecting workers in the workplace",
        "COVID-19: Protecting workers in the workplace",
        "covid-19-protecting-workers-in-the-workplace",
        TOPIC,
    ),
    ("Comunicado de prensa", "Press release", "press-release", CT),
    ("Communiqué de presse", "Press release", "press-release", CT),
    ("Event", "Event", "event", CT),
    ("G20 Leaders’ Summit", "G20 Leaders' Summit", "g20-leaders-summit", TOPIC),
    (
        "ILO Statement to the Second Committee of the 65th General Assembly",
        "Statement",
        "statement",
        CT,
    ),
    ("Media advisory", "Media advisory", "media-advisory", CT),
    ("News", "News", "news", CT),
    ("Our impact, their voices", "Impact story", "impact-story", CT),
    (
        "105th International Labour Conference",
        "International Labour Conference",
        "international-labour-conference",
        TOPIC,
    ),
    (
        "105th Session of the International Labour Conference",
        "International Labour Conference",
        "international-labour-conference",
        TOPIC,
    ),
    (
        "108th International Labour Conference",
        "International Labour Conference",
        "international-labour-conference",
        TOPIC,
    ),
    (
        "18th ILO Regional Seminar for Labour-Based Practitioners",
        "ILO Regional Seminar for Labour-Based Practitioners",
        "ilo-regional-seminar-for-labour-based-practitioners",
        TOPIC,
    ),
    (
        "Annual meetings of the IMF and the World Bank Group",
        "Annual Meetings of the IMF and the World Bank Group",
        "annual-meetings-of-the-imf-and-the-world-bank-group",
        TOPIC,
    ),
    ("Beijing meeting", "Beijing meeting", "beijing-meeting", TOPIC),
    ("Blog", "Comment and analysis", "comment-and-analysis", CT),
    ("Business and development", "Business and development", "business-and-development", TOPIC),
    ("COP 21", "UN Climate Change Conference (COP)", "un-climate-change-conference", TOPIC),
    ("COP27", "UN Climate Change Conference (COP)", "un-climate-change-conference", TOPIC),
    (
        "COVID-19 and the World of Work",
        "COVID-19 and the world of work",
        "covid-19-and-the-world-of-work",
        TOPIC,
    ),
    (
        "COVID-19: Protéger les travailleurs sur le lieu de travail",
        "COVID-19: Protecting workers in the workplace",
        "covid-19-protecting-workers-in-the-workplace",
        TOPIC,
    ),
    (
        "COVID-19: Relying on social dialogue for solutions",
        "COVID-19: Relying on social dialogue for solutions",
        "covid-19-relying-on-social-dialogue-for-solutions",
        TOPIC,
    ),
    (
        "COVID-19: Stimulating the economy and employment",
        "COVID-19: Stimulating the economy and employment",
        "covid-19-stimulating-the-economy-and-employment",
        TOPIC,
    ),
    (
        "COVID-19: Stimulating the economy and labour demand",
        "COVID-19: Stimulating the economy and employment",
        "covid-19-stimulating-the-economy-and-employment",
        TOPIC,
    ),
    (
        "COVID-19: Stimuler l'économie et la demande de main-d’oeuvre",
        "COVID-19: Stimulating the economy and employment",
        "covid-19-stimulating-the-economy-and-employment",
        TOPIC,
    ),
    (
        "COVID-19: Supporting employment and incomes",
        "COVID-19: Supporting enterprises, jobs and incomes",
        "covid-19-supporting-enterprises-jobs-and-incomes",
        TOPIC,
    ),
    (
        "COVID-19: Supporting enterprises, jobs and incomes",
        "COVID-19: Supporting enterprises, jobs and incomes",
        "covid-19-supporting-enterprises-jobs-and-incomes",
        TOPIC,
    ),
    ("Child Labour", "Child labour", "child-labour", TOPIC),
    (
        "Climate and decent work solutions",
        "Climate and decent work solutions",
        "climate-and-decent-work-solutions",
        TOPIC,
    ),
    ("Climate change", "Climate change", "climate-change", TOPIC),
    (
        "Commemoration of the World Day Against Child Labour",
        "World Day Against Child Labour",
        "world-day-against-child-labour",
        TOPIC,
    ),
    ("DBEI ILO NUI Conference", "DBEI ILO NUI Conference", "dbei-ilo-nui-conference", TOPIC),
    (
        "Day 1: 108th International Labour Conference",
        "International Labour Conference",
        "international-labour-conference",
        TOPIC,
    ),
    (
        "Day 2: 108th International Labour Conference",
        "International Labour Conference",
        "international-labour-conference",
        TOPIC,
    ),
    (
        "Decent Work in Nature-based Solutions",
        "Decent work in nature-based solutions",
        "decent-work-in-nature-based-solutions",
        TOPIC,
    ),
    (
        "Economic and social development in LDCs",
        "Economic and social development in LDCs",
        "economic-and-social-development-in-ldcs",
        TOPIC,
    ),
    ("Equal pay", "Equal pay", "equal-pay", TOPIC),
    (
        "Equality of opportunity and treatment",
        "Equality of opportunity and treatment",
        "equality-of-opportunity-and-treatment",
        TOPIC,
    ),
    ("Fighting forced labour", "Forced labour", "forced-labour", TOPIC),
    (
        "First International Equal Pay Day",
        "International Equal Pay Day",
        "international-equal-pay-day",
        TOPIC,
    ),
    ("Forced labour", "Forced labour", "forced-labour", TOPIC),
    (
        "G20 Labour Ministers meeting",
        "G20 Labour Ministers meeting",
        "g20-labour-ministers-meeting",
        TOPIC,
    ),
    ("G20 Summit", "G20 Leaders' Summit", "g20-leaders-summit", TOPIC),
    ("GB roundup", "Governing Body", "governing-body", TOPIC),
    ("Gender equality", "Gender equality", "gender-equality", TOPIC),
    ("ILO 100", "ILO 100", "ilo-100", TOPIC),
    (
        "ILO Forced Labour Convention",
        "ILO Forced Labour Convention",
        "ilo-forced-labour-convention",
        TOPIC,
    ),
    (
        "ILO Monitor on the World of Work",
        "ILO Monitor on the world of work",
        "ilo-monitor-on-the-world-of-work",
        TOPIC,
    ),
    (
        "ILO Statement to the 43rd Commission on Population and Development",
        "Statement",
        "statement",
        CT,
    ),
    ("ILO World of Work Summit", "ILO World of Work Summit", "ilo-world-of-work-summit", TOPIC),
    ("ILO in Action", "ILO in action", "ilo-in-action", CT),
    ("ILO in action", "ILO in action", "ilo-in-action", CT),
    ("ILO technical assistance", "ILO technical assistance", "ilo-technical-assistance", TOPIC),
    (
        "ILO-UNDP joint event at the World Reconstruction Conference 5",
        "World Reconstruction Conference",
        "world-reconstruction-conference",
        TOPIC,
    ),
    ("ILO/IMF High-Level Event", "ILO/IMF high-level event", "ilo-imf-high-level-event", TOPIC),
    (
        "International Day Against Homophobia, Transphobia and Biphobia",
        "International Day Against Homophobia, Transphobia and Biphobia",
        "international-day-against-homophobia-transphobia-and-biphobia",
        TOPIC,
    ),
    (
        "International Day of Education",
        "International Day of Education",
        "international-day-of-education",
        TOPIC,
    ),
    (
        "International Labour Conference - ASPAG meeting",
        "International Labour Conference",
        "international-labour-conference",
        TOPIC,
    ),
    (
        "International Labour Review, Centenary Collection (2021), No. 1",
        "International Labour Review",
        "international-labour-review",
        TOPIC,
    ),
    (
        "International Migrants Day",
        "International Migrants Day",
        "international-migrants-day",
        TOPIC,
    ),
    (
        "International Mother Earth Day 2022",
        "International Mother Earth Day",
        "international-mother-earth-day",
        TOPIC,
    ),
    (
        "International coordination",
        "International coordination",
        "international-coordination",
        TOPIC,
    ),
    (
        "International labour standards",
        "International labour standards",
        "international-labour-standards",
        TOPIC,
    ),
    (
        "Key Indicators of the Labour Market 2015",
        "Key Indicators of the Labour Market",
        "key-indicators-of-the-labour-market",
        TOPIC,
    ),
    (
        "Labour Overview in Latin America and the Caribbean",
        "Labour Overview of Latin America and the Caribbean",
        "labour-overview-of-latin-america-and-the-caribbean",
        TOPIC,
    ),
    ("Labour Standards", "International labour standards", "international-labour-standards", TOPIC),
    ("Labour migration", "Labour migration", "labour-migration", TOPIC),
    ("Labour standards", "International labour standards", "international-labour-standards", TOPIC),
    (
        "Le G20 et la pandémie du COVID-19",
        "The G20 and the COVID-19 pandemic",
        "g20-and-the-covid-19-pandemic",
        TOPIC,
    ),
    (
        "Maritime Labour Convention, 2006, as amended (MLC, 2006)",
        "Maritime Labour Convention, 2006",
        "maritime-labour-convention-2006",
        TOPIC,
    ),
    (
        "Measurement of women and men’s work",
        "Measurement of women and men's work",
        "measurement-of-women-and-mens-work",
        TOPIC,
    ),
    (
        "Occupational safety and health",
        "Occupational safety and health",
        "occupational-safety-and-health",
        TOPIC,
    ),
    ("Oil and gas industry", "Oil and gas industry", "oil-and-gas-industry", TOPIC),
    ("Our impact, Their voices", "Impact story", "impact-story", CT),
    (
        "Pandémie de COVID-19",
        "COVID-19 and the world of work",
        "covid-19-and-the-world-of-work",
        TOPIC,
    ),
    (
        "Peace agreement in Colombia",
        "Peace agreement in Colombia",
        "peace-agreement-in-colombia",
        TOPIC,
    ),
    ("Podcast series: Global challenges – Global solutions", "Podcast", "podcast", CT),
    (
        "Ratification of ILO Conventions",
        "Ratification of ILO Conventions",
        "ratification-of-ilo-conventions",
        TOPIC,
    ),
    ("Remarks by ILO Director-General", "Speech", "speech", CT),
    ("Rural development", "Rural development", "rural-development", TOPIC),
    ("Skills", "Skills", "skills", TOPIC),
    ("Slideshow", "Photo story", "photo-story", CT),
    ("Social protection", "Social protection", "social-protection", TOPIC),
    ("Sustainable Development", "Sustainable development", "sustainable-development", TOPIC),
    ("Sustaining livelihoods", "Sustaining livelihoods", "sustaining-livelihoods", TOPIC),
    ("The Future of Work Podcast", "Podcast", "podcast", CT),
    (
        "The G20 and the COVID-19 pandemic",
        "The G20 and the COVID-19 pandemic",
        "g20-and-the-covid-19-pandemic",
        TOPIC,
    ),
    ("The tourism sector", "Tourism sector", "tourism-sector", TOPIC),
    (
        "Trade Unions in Transition",
        "Trade unions in transition",
        "trade-unions-in-transition",
        TOPIC,
    ),
    (
        "WESO Trends 2022",
        "World Employment and Social Outlook",
        "world-employment-and-social-outlook",
        TOPIC,
    ),
    ("Workplace discrimination", "Workplace discrimination", "workplace-discrimination", TOPIC),
    (
        "World Day against Child Labour 2016",
        "World Day Against Child Labour",
        "world-day-against-child-labour",
        TOPIC,
    ),
    (
        "World Day of Social Justice",
        "World Day of Social Justice",
        "world-day-of-social-justice",
        TOPIC,
    ),
    ("World Environment Day", "World Environment Day", "world-environment-day", TOPIC),
    ("World Environment Day 2016", "World Environment Day", "world-environment-day", TOPIC),
    ("World Mental Health Day", "World Mental Health Day", "world-mental-health-day", TOPIC),
    ("World Oceans Day", "World Oceans Day", "world-oceans-day", TOPIC),
    ("World Tourism Day", "World Tourism Day", "world-tourism-day", TOPIC),
    ("Youth Employment", "Youth employment", "youth-employment", TOPIC),
]

#: Labels of the seed page that are not in the sample.
SEED_LABELS = [
    ("Social dialogue", "Social dialogue", "social-dialogue", TOPIC),
    ("Greening the ILO", "Greening the ILO", "greening-the-ilo", TOPIC),
    ("G20 Leaders' Summit", "G20 Leaders' Summit", "g20-leaders-summit", TOPIC),
]

#: The closed list of content types.
CONTENT_TYPES = [
    "news",
    "press-release",
    "media-advisory",
    "statement",
    "article",
    "comment-and-analysis",
    "interview",
    "video",
    "podcast",
    "photo-story",
    "impact-story",
    "ilo-in-action",
    "speech",
    "publication",
    "event",
]


def test_the_table_holds_every_real_label() -> None:
    lines = LABELS.read_text(encoding="utf-8").splitlines()
    real = [line.split("\t", 1)[1] for line in lines if line and not line.startswith("#")]
    assert sorted(label for label, *_ in REAL_LABELS) == sorted(real)


@pytest.mark.parametrize(("label", "name", "slug", "kind"), REAL_LABELS + SEED_LABELS)
def test_known_label(label: str, name: str, slug: str, kind: str) -> None:
    assert normalize_label(label) == Category(name=name, slug=slug, kind=kind, known=True)


def test_content_types_are_a_closed_list() -> None:
    slugs = [c.slug for c in default_taxonomy().categories if c.kind == CT]
    assert slugs == CONTENT_TYPES


def test_every_name_and_variant_gives_its_category() -> None:
    taxonomy = default_taxonomy()
    for category in taxonomy.categories:
        assert normalize_label(category.name) == category
    for key, category in taxonomy.by_key.items():
        assert normalize_label(key) == category


@pytest.mark.parametrize(
    ("label", "slug"),
    [
        ("Communique de presse", "press-release"),  # accent missing
        ("COMMUNIQUÉ DE PRESSE.", "press-release"),
        ("Pandemie de COVID-19", "covid-19-and-the-world-of-work"),
        ("  press\u00a0release: ", "press-release"),
        ("G20 Leaders\u2019 Summit", "g20-leaders-summit"),
        ("Podcast series: Global challenges - Global solutions", "podcast"),
        ("Podcast series: Global challenges \u2014 Global solutions", "podcast"),
    ],
)
def test_variants_beyond_the_file(label: str, slug: str) -> None:
    category = normalize_label(label)
    assert category is not None and category.known
    assert category.slug == slug


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("  Press\u00a0Release:  ", "press release"),
        ("G20 Leaders\u2019 Summit", "g20 leaders' summit"),
        ("Global challenges \u2014 Global solutions", "global challenges - global solutions"),
        ("Communiqué de presse.", "communiqué de presse"),  # accents kept
        ("Press\u200b release", "press release"),  # zero-width space dropped
        ("\uff36\uff29\uff24\uff25\uff2f", "video"),  # full-width letters
        ("\u00ab Travail d\u00e9cent \u00bb", '" travail décent "'),
    ],
)
def test_fold_label(raw: str, key: str) -> None:
    assert fold_label(raw) == key


def test_unknown_label_is_kept_as_a_new_topic() -> None:
    expected = Category(
        name="Platform economy: what's next",
        slug="platform-economy-what-s-next",
        kind=TOPIC,
        known=False,
    )
    for label in (
        "Platform Economy: What’s Next",
        "platform economy:  what's next.",
        "PLATFORM ECONOMY: WHAT‘S NEXT:",
    ):
        assert normalize_label(label) == expected


def test_unknown_slugs_never_pass_for_a_known_category_nor_are_empty() -> None:
    clash = normalize_label("Press-release!")
    assert clash is not None and not clash.known
    assert clash.slug.startswith("press-release-") and clash.slug != "press-release"
    script = normalize_label("プレスリリース")
    assert script is not None and script.name == "プレスリリース"
    assert script.slug.startswith("label-") and len(script.slug) == len("label-") + 8


@pytest.mark.parametrize("raw", [None, "", "   ", "\u200b", "...", " : "])
def test_no_label(raw: str | None) -> None:
    assert normalize_label(raw) is None


# ── Properties ──────────────────────────────────────────────────────────────────────────────────

KNOWN_TEXT = st.sampled_from(
    [label for label, *_ in REAL_LABELS] + [c.name for c in default_taxonomy().categories]
)
# Latin-1 letters keep upper()/lower() reversible under casefold (unlike "ı", "İ" or "ǅ").
LATIN_TEXT = st.text(
    alphabet=st.characters(codec="latin-1", exclude_characters="\u00ad") | st.sampled_from("’‘–—"),
    max_size=40,
)
LABEL_TEXT = KNOWN_TEXT | LATIN_TEXT


@st.composite
def spelling_variant(draw: st.DrawFn, label: str) -> str:
    """The same label as another editor might type it: case, spaces, quotes, dashes, a colon."""
    case = draw(st.sampled_from([str, str.upper, str.lower, str.title, str.swapcase]))
    text = case(label)
    text = text.replace("'", draw(st.sampled_from(["'", "’", "‘"])))
    text = text.replace("-", draw(st.sampled_from(["-", "–", "—", "\u2011"])))
    text = text.replace(" ", draw(st.sampled_from([" ", "  ", "\u00a0", " \t"])))
    before = draw(st.sampled_from(["", " ", "\n"]))
    return before + text + draw(st.sampled_from(["", ":", ".", " "]))


@settings(max_examples=400, deadline=None)
@given(data=st.data(), label=LABEL_TEXT)
def test_spelling_variants_give_the_same_category(data: st.DataObject, label: str) -> None:
    variant = data.draw(spelling_variant(label))
    assert normalize_label(variant) == normalize_label(label)


@settings(max_examples=400, deadline=None)
@given(raw=LABEL_TEXT | st.text(max_size=40))
def test_idempotent(raw: str) -> None:
    key = fold_label(raw)
    assert fold_label(key) == key
    category = normalize_label(raw)
    if category is not None:
        assert normalize_label(category.name) == category
        assert category.slug == category.slug.strip("-") and category.slug.isascii()


DETERMINISM_LABELS = [
    "Press Release",
    "Communique de presse",
    "Platform Economy: What’s Next",
    "プレスリリース",
    "Press-release!",
    "Ωμέγα",
    "İstanbul",
    "Straße",
]


def test_deterministic_across_processes() -> None:
    """Same labels, other hash seeds: same categories (no set order, no salted hash)."""
    here = [list(map(str, [normalize_label(label)])) for label in DETERMINISM_LABELS]
    code = (
        "import json, sys\n"
        "from ilo_crawler.normalize import normalize_label\n"
        "print(json.dumps([[str(normalize_label(l))] for l in json.load(sys.stdin)]))\n"
    )
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(DETERMINISM_LABELS),
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert json.loads(result.stdout) == here


# ── The taxonomy file ───────────────────────────────────────────────────────────────────────────


def test_packaged_taxonomy_validates() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.categories == default_taxonomy().categories
    assert len({c.slug for c in taxonomy.categories}) == len(taxonomy.categories)


GOOD_ENTRY = '[[category]]\nname = "Video"\nslug = "video"\nkind = "content_type"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD_ENTRY + '[[category]]\nname = "Clip"\nslug = "clip"\nkind = "content_type"\n'
            'variants = ["VIDEO"]\n',
            'category #2 "Clip": variant "VIDEO" already belongs to "Video"',
        ),
        (
            GOOD_ENTRY + '[[category]]\nname = "Vidéo"\nslug = "video"\nkind = "content_type"\n',
            'category #2 "Vidéo": slug "video" is already used by "Video"',
        ),
        (
            '[[category]]\nname = "Blog"\nslug = "blog"\nkind = "format"\n',
            "category #1 \"Blog\": kind 'format' is not one of ['content_type', 'topic']",
        ),
        (
            '[[category]]\nname = "Blog"\nslug = "Blog post"\nkind = "topic"\n',
            "category #1 \"Blog\": slug 'Blog post' must be lowercase ASCII",
        ),
        ('[[category]]\nslug = "blog"\nkind = "topic"\n', "category #1: missing or blank 'name'"),
        (
            '[[category]]\nname = "Blog"\nslug = "blog"\nkind = "topic"\nvariant = ["Blogs"]\n',
            "category #1: unknown field(s) ['variant']",
        ),
        (
            '[[category]]\nname = "Blog"\nslug = "blog"\nkind = "topic"\nvariants = "Blogs"\n',
            'category #1 "Blog": variants must be a list of strings',
        ),
        (
            '[[category]]\nname = "Blog"\nslug = "blog"\nkind = "topic"\nvariants = [" . "]\n',
            "category #1 \"Blog\": blank variant ' . '",
        ),
        ('[[categories]]\nname = "Blog"\n', "expected only [[category]] entries"),
        ('[[category]\nname = "Blog"\n', "not valid TOML"),
    ],
)
def test_a_bad_taxonomy_is_refused_naming_the_entry(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "taxonomy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TaxonomyError, match="^" + re.escape(f"{path}: ")) as error:
        load_taxonomy(path)
    assert message in str(error.value)
    with pytest.raises(TaxonomyError, match=re.escape(message)):
        Taxonomy.from_toml(text)


def test_a_missing_accent_that_fits_two_categories_matches_neither() -> None:
    text = (
        '[[category]]\nname = "Résumé"\nslug = "resume-fr"\nkind = "topic"\n'
        '[[category]]\nname = "Resumé"\nslug = "resume-es"\nkind = "topic"\n'
    )
    taxonomy = Taxonomy.from_toml(text)
    assert taxonomy.normalize("Résumé") == Category("Résumé", "resume-fr", TOPIC, True)
    assert taxonomy.normalize("Resumé") == Category("Resumé", "resume-es", TOPIC, True)
    assert taxonomy.normalize("Resume") == Category("Resume", "resume", TOPIC, False)
