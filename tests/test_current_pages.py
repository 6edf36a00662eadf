"""The current site's page objects without a crawler: saved pages (written from the design
system's twig templates), their URLs, and what must be read from them.

Each ``fixtures/current/*.expected.json`` names a saved page, its URL and the expected result;
every field is its own test, so a change of the site's markup shows exactly which field broke.
The other tests change one thing in a page, or give a small page of a shape the templates do not
have, and say what must still be read, and how.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from conftest import FIXTURES, check_expected_field, expectation_cases

from ilo_crawler.normalize.dates import parse_date_text
from ilo_crawler.sites.current.article import parse_article
from ilo_crawler.sites.current.listing import parse_listing
from ilo_crawler.spiders.seek import MonthSeek

CURRENT = FIXTURES / "current"
PARSERS = {"listing": parse_listing, "article": parse_article}
SITE = "https://www.ilo.org"
LISTING = f"{SITE}/resource/news/all-news-recent"


@pytest.mark.parametrize(("expected_file", "field"), expectation_cases(CURRENT))
def test_field(expected_file: Path, field: str) -> None:
    check_expected_field(expected_file, field, PARSERS)


def fixture(name: str) -> str:
    return (CURRENT / f"{name}.html").read_text("utf-8")


def listing(html: str, url: str = LISTING):
    return parse_listing(html, url)


# Listings ------------------------------------------------------------------------------------


def test_every_listing_page_in_the_design_systems_markup_is_read_by_its_selectors() -> None:
    for name in sorted(path.stem for path in CURRENT.glob("listing-*-page.html")):
        case = json.loads((CURRENT / f"{name}.expected.json").read_text("utf-8"))
        page = parse_listing(fixture(name), case["url"])
        if page.entries:
            assert (page.layout, page.content_fields) == ("current2024", ()), name


LISTING_PAGES = sorted(path.stem for path in CURRENT.glob("listing-*.html"))


@pytest.mark.parametrize("name", LISTING_PAGES)
def test_the_design_systems_cards_read_by_content_alone_give_the_same_items(name: str) -> None:
    """Without the ``main`` the selectors look in, no table reads the page: the content layer
    finds the same cards with the same fields (the overlay link repeated by the card's title,
    the intro before the date), and the same pager."""
    case = json.loads((CURRENT / f"{name}.expected.json").read_text("utf-8"))
    html = fixture(name).replace('<main role="main">', "<div>").replace("</main>", "</div>")
    assert html != fixture(name) or "unknown" in name
    page = parse_listing(html, case["url"])
    assert page.layout is None
    expected = case["expected"]
    assert (page.offset, page.page_size, page.last_offset, page.title) == (
        expected["offset"],
        expected["page_size"],
        expected["last_offset"],
        expected["title"],
    )
    got = [dataclasses.asdict(entry) for entry in page.entries]
    for entry in got:
        assert set(entry.pop("found_by").values()) == {"content"}
    assert got == [{k: v for k, v in e.items() if k != "found_by"} for e in expected["entries"]]


def test_the_title_is_the_overlay_links_title_attribute_verbatim() -> None:
    """The live site's attribute keeps the node title's trailing space; the card's visible title
    (an ``h3`` here) does not, and is used only where the link has no title attribute."""
    page = listing(fixture("listing-en-first-page"))
    assert page.entries[0].title.endswith("Ukraine ")
    without = fixture("listing-en-first-page").replace(
        'title="ILO steps up support for decent work and recovery priorities in Ukraine "', ""
    )
    entry = listing(without).entries[0]
    assert entry.title == "ILO steps up support for decent work and recovery priorities in Ukraine"
    assert entry.found_by["title"] == "current2024"


def test_cards_linking_off_the_site_are_no_items() -> None:
    """The "Stay informed" cards of the first page link to video, photo and newsletter sites."""
    html = fixture("listing-en-first-page")
    assert "https://www.flickr.com/photos/ilopictures/" in html
    page = listing(html)
    assert len(page.entries) == 12
    assert all(entry.url.startswith(f"{SITE}/resource/") for entry in page.entries)


def test_the_last_page_comes_from_the_last_page_link_not_the_window_count() -> None:
    """Page 207 of 413 says "207 of 9" (the pager's window); its last-page link says 412."""
    html = fixture("listing-en-middle-page")
    assert "<span>207</span>\n    <span>of</span>\n    <span>9</span>" in html
    page = listing(html, f"{LISTING}?page=206")
    assert (page.offset, page.page_size, page.last_offset) == (206 * 12, 12, 412 * 12)


def test_a_next_link_counts_by_its_href_not_its_disable_class() -> None:
    """The template disables next and last where the page's number equals the window's length:
    on page 9 of 240 (its links are live), and not on the last page (whose links are empty)."""
    middle = fixture("listing-es-middle-page")
    assert 'ilo--pagination--next-page ilo--pagination--link ilo--pagination--disable"' in middle
    page = listing(middle, f"{SITE}/es/resource/news/all-news-recent?page=8")
    assert (page.page_size, page.last_offset) == (12, 239 * 12)
    last = fixture("listing-en-last-page")
    assert 'ilo--pagination--next-page ilo--pagination--link "\n      href=""' in last
    page = listing(last, f"{LISTING}?page=412")
    assert (page.offset, page.page_size, page.last_offset) == (None, None, None)


def test_a_field_the_selectors_miss_is_found_by_content_and_said_so() -> None:
    """Dates in an element of another class: the cards are still read by the selectors, the
    date (and its machine-readable value) by content."""
    html = fixture("listing-en-first-page").replace('class="ilo--card--date"', 'class="ilo--date"')
    page = listing(html)
    assert page.layout == "current2024"
    assert page.content_fields == ("date_text",)
    first = page.entries[0]
    assert (first.date_text, first.date_value) == ("14 October 2026", "1791968400")
    assert first.found_by["date_text"] == first.found_by["date_value"] == "content"
    assert first.found_by["title"] == "current2024"


def test_a_card_without_overlay_or_title_link_is_read_from_its_article_link() -> None:
    card = (
        '<main><h1 class="page-title">All news</h1><div class="ilo--card">'
        '<div class="ilo--card--image--wrapper"><a href="/resource/news/one"><img src="x.jpg"></a>'
        '</div><div class="ilo--card--content"><p class="ilo--card--eyebrow">News</p>'
        '<p class="ilo--card--title">Title one</p>'
        '<time class="ilo--card--date" datetime="1791968400">14 October 2026</time></div></div>'
        "</main>"
    )
    (entry,) = listing(f"<html><body>{card}</body></html>").entries
    assert (entry.url, entry.title, entry.label) == (
        f"{SITE}/resource/news/one",
        "Title one",
        "News",
    )
    assert entry.found_by["url"] == "content"


def test_cards_of_unknown_classes_are_read_by_content_in_french_and_spanish() -> None:
    """No known class at all: an article link, a title, a date in the page's language."""
    teaser = (
        '<div class="t"><span class="k">{label}</span><h5><a href="{href}">{title}</a></h5>'
        '<p class="l">Un résumé assez long pour être un résumé.</p><span class="d">{date}</span></div>'
    )
    for lang, date in (("fr", "20 septembre 2022"), ("es", "20 de septiembre de 2022")):
        cards = "".join(
            teaser.format(
                label="Actualité",
                href=f"/{lang}/resource/news/titre-{n}",
                title=f"Titre {n}",
                date=date,
            )
            for n in (1, 2)
        )
        html = f'<html lang="{lang}"><body><div class="main">{cards}</div></body></html>'
        page = parse_listing(html, f"{SITE}/{lang}/resource/news/all-news-recent")
        assert page.layout is None
        got = [(e.label, e.title, e.date_text, e.summary, e.url) for e in page.entries]
        assert got == [
            (
                "Actualité",
                f"Titre {n}",
                date,
                "Un résumé assez long pour être un résumé.",
                f"{SITE}/{lang}/resource/news/titre-{n}",
            )
            for n in (1, 2)
        ]


def test_the_date_line_of_a_card_with_a_place_gives_its_date_part() -> None:
    page = listing(fixture("listing-en-first-page"))
    assert page.entries[4].date_text == "12 October 2026"
    assert page.entries[4].date_value is None  # the date-extra form has no <time>


def test_an_unknown_pager_gives_the_next_page_by_its_links_and_no_last_page() -> None:
    """Drupal core's own pager: page 2 is linked, so this page is full; which linked page is
    the last one no known class says (a mini pager's highest link is only the next page)."""
    page = listing(fixture("listing-en-unknown-markup"))
    assert (page.offset, page.page_size, page.last_offset) == (0, 8, None)
    mini = fixture("listing-en-unknown-markup").replace('href="?page=1"', 'href="?page=7"')
    assert listing(mini).page_size is None  # no link to page 1: not known to be full


def test_a_link_to_the_same_listing_under_another_filter_is_not_its_next_page() -> None:
    html = fixture("listing-en-unknown-markup").replace('href="?page=1"', 'href="?type=42&page=1"')
    assert listing(html).page_size is None


def test_the_pages_fields_carry_the_month_seek() -> None:
    """What the spider's seek reads: the page size from page 0, the last page from its
    last-page link; a last page (its size unknown) changes neither; a single page ends it."""

    def month_of(entry):
        day = parse_date_text(entry.date_text, "en")
        return (day.year, day.month) if day else None

    seek = MonthSeek((2017, 1), (2017, 1), month_of)
    assert seek.observe(0, listing(fixture("listing-en-first-page"))).fetch == 1
    assert (seek.page_size, seek.last) == (12, 412)
    step = seek.observe(412, listing(fixture("listing-en-last-page"), f"{LISTING}?page=412"))
    assert (seek.page_size, seek.last, step.fetch) == (12, 412, 206)  # it reaches 2017-01
    single = parse_listing(
        fixture("listing-fr-single-page"), f"{SITE}/fr/resource/news/all-news-recent"
    )
    alone = MonthSeek((2017, 1), (2017, 1), month_of)
    assert alone.observe(0, single).fetch is None


# Articles ------------------------------------------------------------------------------------


def article(html: str, url: str = f"{SITE}/resource/news/one"):
    return parse_article(html, url)


def test_each_article_kind_is_read_by_the_known_selectors() -> None:
    for name in ("article-en-news", "article-fr-press-release", "article-es-statement"):
        case = json.loads((CURRENT / f"{name}.expected.json").read_text("utf-8"))
        page = parse_article(fixture(name), case["url"])
        expected_content = ("teaser",) if name == "article-es-statement" else ()
        assert (page.layout, page.content_fields) == ("current2024", expected_content), name


def test_the_body_leaves_out_inline_image_credits_and_the_hero_credit_is_the_captions_credit() -> (
    None
):
    page = article(fixture("article-en-news"))
    assert page.credit == "© ILO/Minh Quang"
    assert not any("©" in part for part in page.body)
    assert "© ILO/Oleksandr Ratushniak" in fixture("article-en-news")


def test_an_article_whose_hero_is_unknown_is_read_by_content_and_its_richtext_by_selectors() -> (
    None
):
    html = fixture("article-en-news").replace('<div class="hero ', '<div class="page-top ')
    page = article(html)
    assert (page.layout, page.content_fields) == (
        "current2024",
        ("title", "teaser", "type", "date_text", "credit"),
    )
    expected = article(fixture("article-en-news"))
    assert (page.title, page.teaser, page.type, page.date_text, page.credit, page.body) == (
        expected.title,
        expected.teaser,
        expected.type,
        expected.date_text,
        "© ILO/Minh Quang",  # the caption's trailing credit, the first on the page
        expected.body,
    )


def test_a_body_cut_into_blocks_by_an_image_is_read_whole_by_content() -> None:
    blocks = (
        '<div class="txt"><p>First paragraph of the body, long enough.</p><p>Second.</p></div>'
        '<figure><img src="x.jpg"><figcaption>© ILO/A. B.</figcaption></figure>'
        '<div class="txt"><p>Third paragraph, after the image.</p></div>'
    )
    page = article(
        "<html><body><div><h1>Title one</h1><p>14 October 2026</p></div>"
        f"<div class='story'>{blocks}</div><div class='x'><p>Elsewhere.</p></div></body></html>"
    )
    assert page.layout is None
    assert page.body == (
        "First paragraph of the body, long enough.",
        "Second.",
        "Third paragraph, after the image.",
    )


def test_an_article_without_a_hero_image_has_no_credit_from_its_inline_images() -> None:
    html = fixture("article-es-statement")
    assert "© OIT/Crozet M." in html
    assert article(html).credit is None


def test_the_language_switcher_inside_its_template_gives_the_translations() -> None:
    """Without hreflang alternates (the es statement); the switcher's link to the page itself
    is no translation."""
    page = article(fixture("article-es-statement"), f"{SITE}/es/resource/statement/x")
    assert sorted(page.translations) == ["en", "fr"]


def test_declared_alternates_win_over_the_switcher() -> None:
    """Drupal declares existing translations only; a switcher may link every language."""
    html = fixture("article-en-news").replace(
        '<link rel="alternate" hreflang="es"', '<link rel="nothing" hreflang="es"'
    )
    page = article(html)
    assert sorted(page.translations) == ["fr"]


def test_the_title_falls_back_to_open_graph_then_the_title_element() -> None:
    body = "<body><div><p>News</p><p>14 October 2026</p><p>{text}</p></div></body>".format(
        text="A paragraph of the body, long enough to be one. " * 3
    )
    og = '<meta property="og:title" content="Title from Open Graph">'
    page = article(
        f"<html><head>{og}<title>X | International Labour Organization</title></head>{body}</html>"
    )
    assert (page.has_article, page.title) == (True, "Title from Open Graph")
    page = article(
        f"<html><head><title>Title one | International Labour Organization</title></head>{body}</html>"
    )
    assert (page.title, page.date_text) == ("Title one", "14 October 2026")


def test_a_page_without_node_id_has_no_document_id_and_its_language_comes_from_its_prefix() -> None:
    html = fixture("article-fr-press-release").replace(
        '<meta name="node_id" content="139002" />', ""
    )
    page = article(html, f"{SITE}/fr/resource/news/x")
    assert (page.has_article, page.doc_id, page.node_id, page.lang) == (True, None, None, "fr")


def test_the_language_of_a_page_without_prefix_is_its_html_lang() -> None:
    html = fixture("article-fr-press-release").replace(
        '<meta name="node_id" content="139002" />', ""
    )
    assert article(html, "http://127.0.0.1:8000/somewhere").lang == "fr"


def test_a_hero_title_without_a_date_anywhere_is_no_article() -> None:
    """The site's "page not found" has a hero and a node id, but no date: no article."""
    page = article(fixture("article-en-not-found"))
    assert (page.has_article, page.node_id, page.title, page.body) == (False, "1361", None, ())


def test_a_pictures_credit_before_the_body_is_the_credit_where_the_heros_tooltip_has_none() -> None:
    """The hero read by its selectors, its caption without a tooltip; the picture's credit stands
    in a figure before the body: it is the credit (an inline image's in the body never is)."""
    case = json.loads((CURRENT / "article-current-en.expected.json").read_text("utf-8"))
    html = fixture("article-current-en")
    credit = case["expected"]["credit"]
    assert html.count(credit) == 2  # the hero's tooltip, the inline image's label
    html = html.replace(credit, "", 1).replace(
        '<div class="ilo--richtext',
        '<figure><img src="/p.jpg" alt=""><figcaption>A farm. © ILO/A. Lead</figcaption></figure>'
        '<div class="ilo--richtext',
        1,
    )
    page = parse_article(html, case["url"])
    assert (page.layout, page.title) == ("current2024", case["expected"]["title"])
    assert (page.credit, page.found_by["credit"]) == ("© ILO/A. Lead", "content")
    without = parse_article(html.replace("A farm. © ILO/A. Lead", "A farm."), case["url"])
    assert without.credit is None
