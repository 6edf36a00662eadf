"""Extraction without a crawler: saved pages, their URLs, and what must be read from them.

Each ``fixtures/*.expected.json`` names a saved page, its URL and the expected result; every field
is its own test, so a change of the site's markup shows exactly which field broke.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import FIXTURES, check_expected_field, expectation_cases
from hypothesis import given, settings
from hypothesis import strategies as st

from ilo_crawler.sites.wcms.article import parse_article
from ilo_crawler.sites.wcms.listing import parse_listing
from ilo_crawler.sites.wcms.urls import join_url

PARSERS = {"listing": parse_listing, "article": parse_article}


@pytest.mark.parametrize(("expected_file", "field"), expectation_cases(FIXTURES))
def test_field(expected_file: Path, field: str) -> None:
    check_expected_field(expected_file, field, PARSERS)


SEED_PAGES = sorted(path.name for path in FIXTURES.glob("listing-*seed-page.html"))


@pytest.mark.parametrize("fixture", SEED_PAGES)
def test_the_seed_page_in_every_markup_reads_back_as_the_real_page(fixture: str) -> None:
    """The real page's ten items, exactly, from the replica's rendering in each layout
    generation, in the tests' unknown markups and in the replica's markup of before."""
    seed = json.loads((FIXTURES / "seed-page.json").read_text("utf-8"))["items"]
    page = parse_listing(
        (FIXTURES / fixture).read_bytes(),
        "http://127.0.0.1/global/about-the-ilo/newsroom/all-newsroom/lang--en/nextRow--2520/index.htm",
    )
    assert len(page.entries) == len(seed) == 10
    for entry, item in zip(page.entries, seed, strict=True):
        for field in ("credit", "label", "title", "date_text", "summary"):
            assert getattr(entry, field) == item[field], (item["title"], field)
    assert [e.heading for e in page.entries] == ["November 2021"] * 9 + ["October 2021"]
    assert page.entries[0].url.endswith("/WCMS_826064/lang--en/index.htm")


def test_a_decoy_numbered_list_of_articles_before_the_items_is_not_read_as_items() -> None:
    """The ``digest`` markup opens with a "Most read" numbered list linking three of the page's
    own articles, before the item table."""
    html = (FIXTURES / "listing-digest-seed-page.html").read_bytes()
    assert b"Most read</b><ol><li><a href=" in html
    page = parse_listing(html, "https://www.ilo.org/x")
    assert [entry.position for entry in page.entries] == list(range(1, 11))
    assert all(entry.date_text for entry in page.entries)
    assert len({entry.url for entry in page.entries}) == 10


def test_each_generation_is_read_by_its_own_selectors_and_an_unknown_markup_by_content() -> None:
    for generation in ("wcms2010", "wcms2014", "wcms2019"):
        html = (FIXTURES / f"listing-{generation}-seed-page.html").read_bytes()
        page = parse_listing(html, "https://www.ilo.org/x")
        assert (page.layout, page.content_fields) == (generation, ())
        article = parse_article(
            (FIXTURES / f"article-{generation}-en-WCMS_826064.html").read_bytes(),
            "https://www.ilo.org/global/about-the-ilo/newsroom/news/WCMS_826064/lang--en/index.htm",
        )
        assert (article.layout, article.content_fields) == (generation, ())
    page = parse_listing((FIXTURES / "listing-cards-seed-page.html").read_bytes(), "https://x/")
    assert page.layout is None
    assert page.content_fields == ("credit", "label", "title", "date_text", "summary")


def test_a_field_the_selectors_miss_is_found_by_content_and_said_so() -> None:
    """A wcms2019 page whose date lines moved to another element (as real markup may have it):
    the items are still read by the wcms2019 selectors, the date by content."""
    html = (FIXTURES / "listing-wcms2019-seed-page.html").read_text("utf-8")
    moved = html.replace('<p class="item-date">', '<p class="item-info">')
    assert moved != html
    page = parse_listing(moved, "https://www.ilo.org/x")
    assert page.layout == "wcms2019" and page.content_fields == ("date_text",)
    assert page.entries[0].date_text == "15 November 2021"
    assert page.entries[0].found_by["date_text"] == "content"
    assert page.entries[0].found_by["title"] == "wcms2019"


def test_numbered_lists_outside_the_listing_are_not_items() -> None:
    page = parse_listing((FIXTURES / "listing-variety.html").read_bytes(), "https://www.ilo.org/x")
    assert "newsroom@ilo.org" not in {e.title for e in page.entries}
    assert len(page.entries) == 4


def test_a_page_without_a_listing_has_no_entries_and_no_pager() -> None:
    page = parse_listing(
        (FIXTURES / "article-no-content.html").read_bytes(), "https://www.ilo.org/x"
    )
    assert page.is_empty and page.page_size is None and page.last_offset is None


def test_page_size_is_read_from_the_pager_not_assumed() -> None:
    page = parse_listing(
        (FIXTURES / "listing-variety.html").read_bytes(),
        "https://www.ilo.org/global/topics/green-jobs/news/lang--en/nextRow--60/index.htm",
    )
    assert (page.offset, page.page_size, page.last_offset) == (60, 15, 420)


@settings(max_examples=3000)
@given(
    st.sampled_from(
        [
            "https://www.ilo.org/global/about-the-ilo/newsroom/all-newsroom/lang--en/index.htm",
            "http://127.0.0.1:8080/a/b/?q=1#f",
            "https://www.ilo.org",
            "https://user@www.ilo.org:443/p;x?y#z",
        ]
    ),
    st.text(alphabet="/.?#;a1 \t\n%:@=&\x00\x1fé", max_size=14).map(lambda s: "/" + s),
)
def test_links_are_joined_as_urljoin_joins_them(base_url: str, href: str) -> None:
    """The page objects' fast join of a path of the same site gives ``urljoin``'s answer."""
    assert join_url(base_url, href) == urljoin(base_url, href)
