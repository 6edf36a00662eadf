"""Extraction without a crawler: saved pages, their URLs, and what must be read from them.

Each ``fixtures/*.expected.json`` names a saved page, its URL and the expected result; every field
is its own test, so a change of the site's markup shows exactly which field broke.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from ilo_crawler.sites.wcms.article import parse_article
from ilo_crawler.sites.wcms.listing import parse_listing

PARSERS = {"listing": parse_listing, "article": parse_article}


def read_case(expected_file: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    case = json.loads(expected_file.read_text("utf-8"))
    html = (FIXTURES / expected_file.name.replace(".expected.json", ".html")).read_bytes()
    parsed = dataclasses.asdict(PARSERS[case["kind"]](html, case["url"]))
    return json.loads(json.dumps(parsed)), case["expected"]


CASES = [
    pytest.param(path, field, id=f"{path.name.removesuffix('.expected.json')}:{field}")
    for path in sorted(FIXTURES.glob("*.expected.json"))
    for field in json.loads(path.read_text("utf-8"))["expected"]
]


@pytest.mark.parametrize(("expected_file", "field"), CASES)
def test_field(expected_file: Path, field: str) -> None:
    """One field of a page; for the entries, every field of every entry the expectation names
    (how a field was found, ``found_by``, only where the expectation says it)."""
    parsed, expected = read_case(expected_file)
    if field != "entries":
        assert parsed[field] == expected[field]
        return
    assert len(parsed[field]) == len(expected[field])
    for got, want in zip(parsed[field], expected[field], strict=True):
        assert {name: got[name] for name in want} == want, want.get("title")


def test_the_seed_page_as_the_replica_renders_it_reads_back_as_the_real_page() -> None:
    seed = json.loads((FIXTURES / "seed-page.json").read_text("utf-8"))["items"]
    page = parse_listing(
        (FIXTURES / "listing-en-seed-page.html").read_bytes(),
        "http://127.0.0.1/global/about-the-ilo/newsroom/all-newsroom/lang--en/nextRow--2520/index.htm",
    )
    assert len(page.entries) == len(seed) == 10
    for entry, item in zip(page.entries, seed, strict=True):
        for field in ("credit", "label", "title", "date_text", "summary"):
            assert getattr(entry, field) == item[field], (item["title"], field)
    assert [e.heading for e in page.entries] == ["November 2021"] * 9 + ["October 2021"]
    assert page.entries[0].url.endswith("/WCMS_826064/lang--en/index.htm")


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
