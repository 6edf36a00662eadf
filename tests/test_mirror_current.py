"""The replica's current site (www.ilo.org since 2024): the All news listing of design-system
cards and its pager, articles, node ids, slugs, the sitemap, robots.txt, conditional requests,
``--retired``, publishing on the current listing, the drift layouts, the dataset's current part.

Pages are read back with selectors written here from the design system's templates, not with the
crawler's page objects, so that these tests check the markup itself.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import http.client
import json
import re
import subprocess
import sys
import zoneinfo
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest
from conftest import fetch, row
from parsel import Selector

from ilo_crawler.mirror import (
    DatasetError,
    Node,
    Site,
    default_dataset,
    default_nodes,
    default_site_dataset,
    drupal,
    parse_site_dataset,
)
from ilo_crawler.mirror.content import generate_rows
from ilo_crawler.mirror.current import (
    CURRENT_PAGE_SIZE,
    LISTING_NODE_IDS,
    NOT_FOUND_NODE_ID,
    SITEMAP_PAGE_SIZE,
    listing_order,
)
from ilo_crawler.mirror.current_layouts import PAGER_QUANTITY
from ilo_crawler.mirror.dataset import load_site_dataset
from ilo_crawler.mirror.drupal import EditorsDay, correction_note
from ilo_crawler.mirror.process import running_mirror
from ilo_crawler.sites.current.urls import article_path, listing_path, parse_article_url
from ilo_crawler.sites.wcms import urls as wcms_urls

ALL_NEWS = listing_path("all-news", "en")
WCMS_ALL_EN = wcms_urls.listing_path("all-newsroom", "en")
#: The sha256 of the default dataset's WCMS part as it was before the current site joined it.
WCMS_PART_SHA256 = "4b0684f748e9bd4fdfab5fe4d8d7ae32b3a678b6c78a86c76d4cc0a7ac182298"


# Reading the markup ----------------------------------------------------------------------------


def cards(html: bytes | str) -> list[dict[str, Any]]:
    """Each card of a listing page (``card_detail.twig``), in page order."""
    page = Selector(text=html.decode() if isinstance(html, bytes) else html)
    found = []
    for card in page.css("div.view-content > div.views-row > div.ilo--card__type__detail"):
        link = card.css(":scope > a.ilo--card--link")
        content = card.css("div.ilo--card--wrap > div.ilo--card--content")
        time = content.css("time.ilo--card--date")
        extra = content.css("p.ilo--card--date-extra")
        found.append(
            {
                "href": link.attrib["href"],
                "title_attr": link.attrib["title"],
                "link_text": link.css("span.ilo--card--link--text::text").get(),
                "eyebrow": content.css("p.ilo--card--eyebrow::text").get(),
                "title": content.css("p.ilo--card--title::text").get(),
                "intro": content.css("p.ilo--card--intro::text").get(),
                "datetime": time.attrib.get("datetime") if time else None,
                "date": time.css("::text").get() if time else None,
                "date_extra": "".join(extra.css("::text").getall()).strip() if extra else None,
                "image": bool(card.css("div.ilo--card--image--wrapper picture img")),
                "credit": card.css("div.ilo--card--image--wrapper picture::attr(title)").get(),
            }
        )
    return found


def pager(html: bytes) -> dict[str, Any] | None:
    """The design system's pagination: "n of total" and each link's href and disabled state."""
    page = Selector(text=html.decode())
    block = page.css("div.ilo--pagination")
    if not block:
        return None
    links = {}
    for role, css in (
        ("first", "div.ilo--pagination--previous-set > a.ilo--pagination--first-page"),
        ("prev", "div.ilo--pagination--previous-set > a.ilo--pagination--prev-page"),
        ("next", "div.ilo--next-set > a.ilo--pagination--next-page"),
        ("last", "div.ilo--next-set > a.ilo--pagination--last-page"),
    ):
        link = block.css(css)
        links[role] = (link.attrib["href"], "ilo--pagination--disable" in link.attrib["class"])
    numbers = [int(n) for n in block.css("p.ilo--pagination--page > span::text").getall()[::2]]
    preposition = block.css("p.ilo--pagination--page > span::text").getall()[1]
    return {"n": numbers[0], "of": preposition, "total": numbers[1], **links}


def article(html: bytes) -> dict[str, Any]:
    """An article page's hero, richtext body, tags, head and language switcher."""
    page = Selector(text=html.decode())
    hero = page.css("div.hero > div.hero--card > div.ilo--hero-card")
    return {
        "eyebrow": hero.css("p.ilo--hero-card--eyebrow::text").get(),
        "title": hero.css("h1.ilo--hero-card--title::text").get(),
        "intro": hero.css("p.ilo--hero-card--intro::text").get(),
        "datecopy": hero.css("p.ilo--hero-card--datecopy::text").get(),
        "credit": (page.css("div.hero--caption span.ilo--tooltip::text").getall() or [""])[
            -1
        ].strip()
        or None,
        "body": page.css("div.ilo--richtext > p::text").getall(),
        "figure_credit": (
            page.css("div.ilo--richtext figure.ilo--image div.ilo--image--label::text").get("")
        ).strip()
        or None,
        "tags": [
            t.strip() for t in page.css("ul.ilo--tags li.ilo--tag--item a.ilo--tag::text").getall()
        ],
        **head(page),
        "switcher": switcher(page),
    }


def head(page: Selector) -> dict[str, Any]:
    return {
        "node_id": page.css('meta[name="node_id"]::attr(content)').get(),
        "og_title": page.css('meta[property="og:title"]::attr(content)').get(),
        "description": page.css('meta[name="description"]::attr(content)').get(),
        "canonical": page.css('link[rel="canonical"]::attr(href)').get(),
        "hreflang": {
            link.attrib["hreflang"]: link.attrib["href"]
            for link in page.css('link[rel="alternate"][hreflang]')
        },
        "lang": page.css("html::attr(lang)").get(),
    }


def switcher(page: Selector) -> dict[str, str]:
    """The language toggle's links: inside its ``<template>``, where lxml sees them."""
    toggle = page.css("div.ilo--language-toggle > template")
    return {
        link.css("span.ilo--context-menu--label::text").get(): link.attrib["href"]
        for link in toggle.css("ol.ilo--context-menu > li > a.ilo--context-menu--link")
    }


def node_id_of(html: bytes) -> str | None:
    return Selector(text=html.decode()).css('meta[name="node_id"]::attr(content)').get()


def raw(base: str, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """A request that does not follow redirects (its body read)."""
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def expected_card(node: Node, base: str) -> dict[str, Any]:
    return {
        "href": node.url(base),
        "title_attr": node.title,
        "link_text": node.title,
        "eyebrow": node.label,
        "title": node.title,
        "intro": node.summary,
        "datetime": None if node.place else str(node.timestamp),
        "date": None if node.place else node.date_text,
        "date_extra": f"{node.date_text} | {node.place}" if node.place else None,
        "image": node.image,
        "credit": node.credit if node.image else None,
    }


def jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text(jsonl(rows), encoding="utf-8")
    return path


def node_row(nid: int, date: str, lang: str = "en", **fields: Any) -> dict[str, Any]:
    """A current-site dataset line: ``node:<nid>`` in the All news listing, with other fields."""
    return {"id": f"node:{nid}", "lang": lang, "date": date, "title": f"Node {nid}", **fields}


# Fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nodes() -> list[Node]:
    return default_nodes()


@pytest.fixture(scope="module")
def site() -> Site:
    """The default replica rendered without a socket (absolute URLs on https://www.ilo.org)."""
    dataset = default_site_dataset()
    return Site(dataset.records, nodes=dataset.nodes)


@pytest.fixture(scope="module")
def english(nodes: list[Node]) -> list[Node]:
    return listing_order(nodes, "en")


def get(site: Site, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    status, response_headers, body = site.respond(path, headers)
    return status, dict(response_headers), body


# The listing -----------------------------------------------------------------------------------


def test_first_page_shows_the_newest_cards_as_card_detail_renders_them(
    replica: str, english: list[Node]
) -> None:
    status, headers, body = fetch(replica + ALL_NEWS)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    shown = cards(body)
    assert shown == [expected_card(node, replica) for node in english[:CURRENT_PAGE_SIZE]]
    page = Selector(text=body.decode())
    assert node_id_of(body) == str(LISTING_NODE_IDS["all-news"])
    assert page.css("h1.ilo--h1.page-title::text").get() == "All news"
    assert page.css("title::text").get() == "All news | International Labour Organization"
    assert page.css("html").attrib == {
        "lang": "en",
        "dir": "ltr",
        "prefix": "og: https://ogp.me/ns#",
    }
    assert page.css("div.ilo--container > main[role=main]")
    assert page.css("nav.ilo--breadcrumb li.ilo--breadcrumb--item__first > a::text").get() is None
    assert (fetch(replica + ALL_NEWS + "?page=0")[2]) == body  # the pager's first-page link


def test_every_listing_page_in_turn_holds_the_listing_in_order(
    site: Site, english: list[Node]
) -> None:
    """Walking the pager's next links from page 0 shows every node once, newest first."""
    shown, path, pages = [], ALL_NEWS, 0
    while True:
        status, _, body = get(site, path)
        assert status == 200
        shown += [card["href"] for card in cards(body)]
        pages += 1
        next_href = pager(body)["next"][0]
        if not next_href:
            break
        path = ALL_NEWS + next_href
    assert shown == [node.url("https://www.ilo.org") for node in english]
    assert pages == -(-len(english) // CURRENT_PAGE_SIZE)
    dates = [node.date for node in english]
    assert dates == sorted(dates, reverse=True) and dates[-1] < dt.date(2018, 1, 1)


def test_pager_counts_only_its_window_and_disables_by_that_count(
    site: Site, english: list[Node]
) -> None:
    last = -(-len(english) // CURRENT_PAGE_SIZE) - 1
    assert last > 2 * PAGER_QUANTITY
    first = pager(get(site, ALL_NEWS)[2])
    assert first == {
        "n": 1, "of": "of", "total": PAGER_QUANTITY,
        "first": ("", True), "prev": ("", True),
        "next": ("?page=1", False), "last": (f"?page={last}", False),
    }  # fmt: skip
    ninth = pager(get(site, ALL_NEWS + "?page=8")[2])
    # "9 of 9": the template disables next and last by class, their hrefs are right.
    assert (ninth["n"], ninth["total"]) == (9, 9)
    assert ninth["next"] == ("?page=9", True) and ninth["last"] == (f"?page={last}", True)
    middle = pager(get(site, ALL_NEWS + "?page=100")[2])
    assert (middle["n"], middle["total"], middle["first"]) == (101, 9, ("?page=0", False))
    end = pager(get(site, ALL_NEWS + f"?page={last}")[2])
    assert (end["n"], end["total"]) == (last + 1, 9)
    assert end["next"] == ("", False) and end["last"] == ("", False)  # href="", no class
    assert end["prev"] == (f"?page={last - 1}", False)


def test_out_of_range_and_odd_page_parameters(site: Site, english: list[Node]) -> None:
    last = -(-len(english) // CURRENT_PAGE_SIZE) - 1
    status, _, body = get(site, ALL_NEWS + f"?page={last + 50}")
    assert status == 200 and cards(body) == []
    assert not Selector(text=body.decode()).css("div.view-content")
    assert pager(body)["n"] == last + 1  # shown as the last page, as Views does
    first = get(site, ALL_NEWS)[2]
    for odd in ("?page=abc", "?page=-3", "?page="):
        assert cards(get(site, ALL_NEWS + odd)[2]) == cards(first)
    second = get(site, ALL_NEWS + "?page=1,4")[2]
    assert cards(second) == cards(get(site, ALL_NEWS + "?page=1")[2])
    kept = pager(get(site, ALL_NEWS + "?type=news&page=2")[2])
    assert kept["next"][0] == "?type=news&page=3" and kept["first"][0] == "?type=news&page=0"
    assert get(site, ALL_NEWS + "/")[0] == 404


def test_a_short_listing_has_a_right_pager_and_a_single_page_none(tmp_path: Path) -> None:
    rows = [node_row(100 + i, f"2025-03-{10 + i:02d}") for i in range(5)]
    small = Site([], nodes=parse_site_dataset(jsonl(rows)).nodes, current_page_size=2)
    last = pager(get(small, ALL_NEWS + "?page=2")[2])
    assert (last["n"], last["total"]) == (3, 3)
    assert last["next"] == ("", True) and last["last"] == ("", True)
    assert [c["title"] for c in cards(get(small, ALL_NEWS + "?page=2")[2])] == ["Node 100"]
    single = Site([], nodes=parse_site_dataset(jsonl(rows)).nodes)
    body = get(single, ALL_NEWS)[2]
    assert len(cards(body)) == 5 and pager(body) is None
    empty = Site(parse_site_dataset(json.dumps(row(1, "2021-01-01"))).records)
    status, _, body = get(empty, ALL_NEWS)
    assert status == 200 and cards(body) == [] and node_id_of(body) == "1016"


def test_french_and_spanish_listings(replica: str, nodes: list[Node]) -> None:
    for lang, date_re in (
        ("fr", r"^\d{1,2} [a-zéû]+ \d{4}$"),
        ("es", r"^\d{1,2} de [a-z]+ de \d{4}$"),
    ):
        listed = listing_order(nodes, lang)
        assert 0 < len(listed) < len(listing_order(nodes, "en")) / 3
        body = fetch(replica + listing_path("all-news", lang, 2))[2]
        shown = cards(body)
        assert shown == [expected_card(n, replica) for n in listed[24:36]]
        assert all(re.match(date_re, c["date"] or c["date_extra"].split(" | ")[0]) for c in shown)
        page = Selector(text=body.decode())
        assert head(page)["lang"] == lang
        assert head(page)["hreflang"] == {
            other: replica + listing_path("all-news", other) for other in ("en", "fr", "es")
        }
        assert set(switcher(page).values()) == {
            listing_path("all-news", other) for other in ("en", "fr", "es") if other != lang
        }
        assert pager(body)["next"][1] is False  # page 3 of a long listing
    assert fetch(replica + listing_path("all-news", "de"))[0] == 404


# Articles --------------------------------------------------------------------------------------


def sample(nodes: list[Node]) -> dict[str, Node]:
    """Nodes of each kind the tests want to see served."""
    by_id = collections.defaultdict(dict)
    for node in nodes:
        by_id[node.node_id][node.lang] = node
    return {
        "news with place and credit": next(
            n for n in nodes if n.place and n.credit and n.summary and len(n.body) >= 3
        ),
        "trailing space": next(n for n in nodes if n.title.endswith(" ")),
        "statement": next(n for n in nodes if n.section == "statement"),
        "article": next(n for n in nodes if n.section == "article" and not n.image),
        "other": next(n for n in nodes if n.section == "other"),
        "no summary": next(n for n in nodes if not n.summary),
        "fr own slug": next(
            n for n in nodes if n.lang == "fr" and "en" in by_id[n.node_id]
            and by_id[n.node_id]["en"].slug != n.slug
        ),
        "fr english slug": next(
            n for n in nodes if n.lang == "fr" and "en" in by_id[n.node_id]
            and by_id[n.node_id]["en"].slug == n.slug
        ),
        "es": next(n for n in nodes if n.lang == "es"),
        "migrated": next(n for n in nodes if n.migrated_from and n.lang == "en"),
        "curly slug": next(n for n in nodes if "%E2%80%99" in n.slug),
    }  # fmt: skip


def test_article_pages_show_hero_richtext_tags_and_head(replica: str, nodes: list[Node]) -> None:
    versions = collections.defaultdict(list)
    for node in nodes:
        versions[node.node_id].append(node)
    for kind, node in sample(nodes).items():
        status, headers, body = fetch(replica + node.path)
        assert status == 200, kind
        assert headers["Content-Language"] == node.lang
        page = article(body)
        assert page["eyebrow"] == node.label, kind
        assert page["title"] == node.title, kind  # raw: a trailing space kept
        assert page["intro"] == node.summary, kind
        assert page["datecopy"] == node.date_text, kind
        assert page["credit"] == (node.credit if node.image else None), kind
        assert page["body"] == list(node.body), kind  # the inline figure's credit is not a <p>
        assert page["figure_credit"] == (
            node.credit if node.credit and len(node.body) >= 3 else None
        )
        assert page["tags"] == list(node.tags), kind
        assert page["node_id"] == str(node.node_id) and page["og_title"] == node.title, kind
        assert page["description"] == (node.summary or page["description"])
        assert page["description"][:60] == (node.summary or node.body[0])[:60], kind
        assert page["canonical"] == node.url(replica) and page["lang"] == node.lang
        others = [v for v in versions[node.node_id]]
        assert page["hreflang"] == {v.lang: v.url(replica) for v in others}, kind
        assert set(page["switcher"].values()) == {v.path for v in others if v is not node}, kind
        if node.place:
            assert node.place not in body.decode().split("hero--card")[1]  # the card shows it only


def test_translations_share_the_node_id_and_own_or_english_slug(
    replica: str, nodes: list[Node]
) -> None:
    chosen = sample(nodes)
    for kind in ("fr own slug", "fr english slug"):
        french = chosen[kind]
        english_node = next(n for n in nodes if n.node_id == french.node_id and n.lang == "en")
        en_page, fr_page = (article(fetch(replica + n.path)[2]) for n in (english_node, french))
        assert en_page["node_id"] == fr_page["node_id"] == str(french.node_id)
        assert fr_page["switcher"]["English"] == english_node.path
        assert en_page["switcher"]["français"] == french.path
        assert french.path.startswith("/fr/resource/")
    own = chosen["fr own slug"]
    folded = drupal.clean_title(own.title, fold=True)
    assert re.fullmatch(re.escape(folded) + r"(-\d+)?", own.slug)  # pathauto's, maybe suffixed
    assert own.slug.isascii() and "%" not in own.slug  # a translation's own slug is folded
    # the other language's path of a slug is not served: slugs are per language
    assert fetch(replica + article_path(own.section, own.slug, "en"))[0] == 404


def test_slug_paths_are_served_encoded_either_case_and_decoded(
    site: Site, nodes: list[Node]
) -> None:
    node = sample(nodes)["curly slug"]
    assert get(site, node.path)[0] == 200
    assert get(site, node.path.replace("%E2%80%99", "%e2%80%99"))[0] == 200
    assert get(site, quote(unquote(node.path)))[0] == 200
    assert (
        get(
            site, article_path("article" if node.section != "article" else "news", node.slug, "en")
        )[0]
        == 404
    )


def test_node_shortlinks_and_the_hub(site: Site, english: list[Node]) -> None:
    node = english[0]
    status, headers, _ = get(site, f"/node/{node.node_id}")
    assert (status, headers["Location"]) == (301, node.url())
    assert get(site, "/node/1")[0] == 404
    status, _, body = get(site, "/resource/news")
    hub = Selector(text=body.decode())
    links = [a.attrib["href"] for a in hub.css("a.ilo--card--link")]
    assert links[:3] == [n.url() for n in english[:3]]
    assert [urlsplit(link).hostname for link in links[3:]] == [
        "videodownload.ilo.org", "www.flickr.com", "adestra.ilo.org",
    ]  # fmt: skip
    assert hub.css("a.ilo--button::attr(href)").get() == ALL_NEWS
    assert node_id_of(body) == "1015" and not hub.css("div.ilo--pagination")


def test_every_page_carries_a_node_id(site: Site, english: list[Node]) -> None:
    for path, expected in (
        (ALL_NEWS, "1016"),
        ("/fr/resource/news/all-news-recent?page=3", "1016"),
        ("/resource/news", "1015"),
        (english[5].path, str(english[5].node_id)),
        ("/resource/news/no-such-page", str(NOT_FOUND_NODE_ID)),
        ("/", str(NOT_FOUND_NODE_ID)),
    ):
        status, _, body = get(site, path)
        assert node_id_of(body) == expected, path
        assert status == (404 if expected == str(NOT_FOUND_NODE_ID) else 200)
    status, _, body = get(site, "/fr/resource/news/no-such-page")
    assert b"Page introuvable" in body and status == 404


def test_datetime_is_midnight_in_geneva_and_the_text_has_no_leading_zero(
    english: list[Node],
) -> None:
    geneva = zoneinfo.ZoneInfo("Europe/Zurich")
    for node in english[:: max(1, len(english) // 400)]:
        midnight = dt.datetime.combine(node.date, dt.time(), tzinfo=geneva)
        assert node.timestamp == int(midnight.timestamp())
        assert dt.datetime.fromtimestamp(node.timestamp, dt.UTC).date() == node.date - dt.timedelta(
            days=1
        )
        assert node.date_text == f"{node.date.day} {node.date:%B} {node.date.year}"
    assert drupal.date_text(dt.date(2022, 9, 5), "en") == "5 September 2022"
    assert drupal.date_text(dt.date(2022, 9, 5), "fr") == "5 septembre 2022"
    assert drupal.date_text(dt.date(2022, 9, 5), "es") == "5 de septiembre de 2022"


# Slugs -----------------------------------------------------------------------------------------

#: Real titles and the aliases the live site gave them (../shared/site/current-site.md, and a
#: page saved from the live site on 2026-10-10).
REAL_SLUGS = [
    ("ILO steps up support for decent work and recovery priorities in Ukraine ",
     "ilo-steps-support-decent-work-and-recovery-priorities-ukraine"),
    ("ILO meeting agrees on action to strengthen safety and health in retail",
     "ilo-meeting-agrees-action-strengthen-safety-and-health-retail"),
    ("AI training helps turn technical skills into enterprise opportunities",
     "ai-training-helps-turn-technical-skills-enterprise-opportunities"),
    ("Safer work takes root on Indonesia’s coffee farms in Lampung, Indonesia",
     "safer-work-takes-root-indonesia%E2%80%99s-coffee-farms-lampung-indonesia"),
    ("From training to transformation: Skills driving growth in Malawi's horticulture and dairy "
     "sectors", "training-transformation-skills-driving-growth-malawis-horticulture-and"),
    ("Equal Pay for work of equal value: A driver of economic growth and social justice",
     "equal-pay-work-equal-value-driver-economic-growth-and-social-justice"),
    ("Equal Pay for work of equal value — For everyone, everywhere",
     "equal-pay-work-equal-value-%E2%80%94-everyone-everywhere"),
    ("One in four jobs at risk of being transformed by GenAI, new ILO–NASK Global Index shows",
     "one-four-jobs-risk-being-transformed-genai-new-ilo%E2%80%93nask-global-index-shows"),
]  # fmt: skip


@pytest.mark.parametrize(("title", "slug"), REAL_SLUGS, ids=[s[:30] for _, s in REAL_SLUGS])
def test_pathauto_gives_the_real_sites_aliases(title: str, slug: str) -> None:
    assert drupal.encode_slug(drupal.clean_title(title)) == slug
    assert len(unquote(slug)) <= drupal.SLUG_MAX_LENGTH


def test_repeated_titles_take_pathauto_suffixes_and_translations_fold(nodes: list[Node]) -> None:
    assert drupal.clean_title("L’IA et la numérisation transforment le travail", fold=True) == (
        "lia-et-la-numerisation-transforment-le-travail"
    )
    taken = {"jobs-now", "jobs-now-0"}
    assert drupal.unique_slug("Jobs, now", taken.__contains__) == "jobs-now-1"
    statements = [
        n for n in nodes
        if n.lang == "en" and n.title == "Statement by the ILO Director-General on International Women’s Day"
    ]  # fmt: skip
    slugs = sorted(n.slug for n in statements)
    base = "statement-ilo-director-general-international-women%E2%80%99s-day"
    assert slugs[0] == base and slugs[1:] == sorted(f"{base}-{i}" for i in range(len(slugs) - 1))
    paths = [(n.lang, unquote(n.path)) for n in nodes]
    assert len(paths) == len(set(paths))


# Sitemap, robots.txt, conditional requests -----------------------------------------------------


def test_sitemap_index_and_its_pages_list_every_page_once(replica: str, nodes: list[Node]) -> None:
    status, headers, body = fetch(replica + "/sitemap.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    index = Selector(text=body.decode(), type="xml")
    index.register_namespace("s", "http://www.sitemaps.org/schemas/sitemap/0.9")
    index.register_namespace("x", "http://www.w3.org/1999/xhtml")
    children = index.xpath("/s:sitemapindex/s:sitemap")
    pages = len(nodes) // SITEMAP_PAGE_SIZE + 1
    assert [c.xpath("s:loc/text()").get() for c in children] == [
        f"{replica}/sitemap.xml?page={i}" for i in range(1, pages + 1)
    ]
    assert all(
        re.match(r"^\d{4}-\d{2}-\d{2}T00:00:00\+0[12]:00$", c.xpath("s:lastmod/text()").get())
        for c in children
    )
    listed = []
    for child in children:
        page = Selector(text=fetch(child.xpath("s:loc/text()").get())[2].decode(), type="xml")
        page.register_namespace("s", "http://www.sitemaps.org/schemas/sitemap/0.9")
        page.register_namespace("x", "http://www.w3.org/1999/xhtml")
        urls = page.xpath("/s:urlset/s:url")
        assert 0 < len(urls) <= SITEMAP_PAGE_SIZE
        listed += [u.xpath("s:loc/text()").get() for u in urls]
        first = urls[-1]
        assert first.xpath("x:link[@rel='alternate']/@hreflang").getall()
    expected = {n.url(replica) for n in nodes} | {
        replica + listing_path("all-news", lang) for lang in ("en", "fr", "es")
    }
    assert len(listed) == len(set(listed)) and set(listed) == expected
    assert fetch(replica + f"/sitemap.xml?page={pages + 1}")[0] == 404
    assert fetch(replica + "/sitemap.xml?page=0")[0] == 404


def test_robots_txt_is_drupals_with_the_wcms_lines_while_it_serves(replica: str) -> None:
    lines = fetch(replica + "/robots.txt")[2].decode().splitlines()
    assert lines.count("User-agent: *") == 1
    for line in ("Disallow: /core/", "Disallow: /admin/", "Disallow: /search/",
                 "Allow: /core/*.css$", "Disallow: /global/search/", "Disallow: /global/admin/"):  # fmt: skip
        assert line in lines
    assert not any(line.startswith(("Disallow: /resource", "Disallow: /sitemap")) for line in lines)


def test_conditional_requests_on_current_pages(replica: str, english: list[Node]) -> None:
    for path in (ALL_NEWS + "?page=4", english[3].path, "/sitemap.xml?page=1"):
        status, headers, body = fetch(replica + path)
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert fetch(replica + path)[1]["ETag"] == etag
        status, headers304, body304 = fetch(replica + path, {"If-None-Match": etag})
        assert (status, body304, headers304["ETag"]) == (304, b"", etag)
        assert fetch(replica + path, {"If-Modified-Since": modified})[0] == 304
        assert (
            fetch(replica + path, {"If-None-Match": '"x"', "If-Modified-Since": modified})[0] == 200
        )
    assert fetch(replica + english[3].path)[1]["Last-Modified"].startswith(
        english[3].date.strftime("%a, %d %b %Y")
    )


def test_both_sites_serve_on_one_host_without_retired(replica: str) -> None:
    assert fetch(replica + WCMS_ALL_EN)[0] == 200
    assert fetch(replica + ALL_NEWS)[0] == 200
    status, _, body = fetch(
        replica + "/global/about-the-ilo/newsroom/news/WCMS_1/lang--en/index.htm"
    )
    assert status == 404 and node_id_of(body) is None  # the WCMS's own 404 page


# The dataset's current part --------------------------------------------------------------------


def test_new_content_volume_and_languages(nodes: list[Node]) -> None:
    new = [n for n in nodes if not n.migrated_from]
    months = collections.Counter((n.date.year, n.date.month) for n in new if n.lang == "en")
    expected = {(y, m) for y in (2024, 2025, 2026) for m in range(1, 13)}
    expected = {key for key in expected if (2024, 5) <= key <= (2026, 11)}
    assert set(months) == expected
    assert all(30 <= count <= 64 for count in months.values())  # 30-60, plus recurring statements
    langs = collections.Counter(n.lang for n in new)
    assert langs["en"] * 0.1 < langs["es"] < langs["fr"] < langs["en"] * 0.35
    labels = collections.Counter(n.label for n in new if n.lang == "en")
    assert {"News", "Press release", "Article", "Statement"} <= set(labels)
    assert labels["News"] > labels["Statement"] > 0 and None in labels
    assert {n.section for n in new} == {"news", "article", "statement", "other"}
    assert 0.03 < sum(n.title.endswith(" ") for n in new) / len(new) < 0.1
    assert 0.03 < sum(bool(n.place) for n in new) / len(new) < 0.15
    with_image = [n for n in new if n.image]
    assert 0 < sum(not n.credit for n in with_image) < sum(bool(n.credit) for n in with_image)


def test_migrated_copies_keep_language_title_and_date_with_their_own_node_and_slug(
    nodes: list[Node],
) -> None:
    wcms = {(r.id, r.lang): r for r in default_dataset()}
    migrated = [n for n in nodes if n.migrated_from]
    english_wcms = [r for r in wcms.values() if r.lang == "en" and 2017 <= r.date.year <= 2022]
    share = sum(n.lang == "en" for n in migrated) / len(english_wcms)
    assert 0.2 < share < 0.45
    assert {n.date.year for n in migrated} == set(range(2017, 2023))

    def loose(title: str) -> str:
        title = title.translate(str.maketrans("’“”–", '\'""-'))
        return " ".join(title.replace(" - ", " : ").replace(":", " : ").split()).lower()

    edited = 0
    for node in migrated:
        record = wcms[node.migrated_from, node.lang]
        assert node.date == record.date
        assert loose(node.title) == loose(record.title.replace("\n", " ")), node.title
        edited += node.title != record.title
        assert node.body == record.body and node.credit == record.credit
        assert node.summary == record.summary
    assert 0.1 < edited / len(migrated) < 0.35
    assert len({n.node_id for n in migrated}) < len(migrated)  # translations share node ids
    assert max(n.node_id for n in migrated) < min(n.node_id for n in nodes if not n.migrated_from)
    pairs = collections.Counter((n.migrated_from, n.lang) for n in migrated)
    assert max(pairs.values()) == 1


def test_the_wcms_part_of_the_default_dataset_is_unchanged() -> None:
    wcms = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in generate_rows())
    assert hashlib.sha256(wcms.encode()).hexdigest() == WCMS_PART_SHA256
    result = subprocess.run(
        [sys.executable, "-m", "ilo_crawler.mirror.generate"], capture_output=True, check=True
    )
    assert result.stdout.startswith(wcms.encode())
    dataset = parse_site_dataset(result.stdout.decode())
    assert len(dataset.nodes) == len(default_nodes()) and dataset == default_site_dataset()


# The dataset format ----------------------------------------------------------------------------

#: Two WCMS items with the same title and date, one of them migrated: an ambiguous case.
AMBIGUOUS = [
    row(10, "2021-06-01", title="ILO welcomes new Convention", body=["One."]),
    row(11, "2021-06-01", title="ILO welcomes new Convention", body=["Two."]),
    row(11, "2021-06-01", lang="fr", title="L’OIT salue la nouvelle convention"),
    node_row(500, "2021-06-01", title="ILO welcomes new Convention ", migrated_from="WCMS_11",
             label="News", body=["Two."]),
    node_row(500, "2021-06-01", lang="fr", title="L’OIT salue la nouvelle convention",
             migrated_from="WCMS_11"),
    node_row(501, "2025-02-03", title="Statement on the Convention", section="statement",
             label="Statement", place="Geneva, Switzerland", credit="© ILO/Ana Perera",
             tags=["Labour standards"]),
    node_row(502, "2025-02-03", title="Statement on the Convention", section="statement",
             slug="kept-slug"),
]  # fmt: skip


def test_a_small_dataset_with_current_nodes_and_a_migrated_copy(tmp_path: Path) -> None:
    dataset = parse_site_dataset(jsonl(AMBIGUOUS))
    assert [r.id for r in dataset.records] == ["WCMS_10", "WCMS_11", "WCMS_11"]
    first, french, statement, kept = dataset.nodes[0], dataset.nodes[1], *dataset.nodes[2:]
    assert (first.id, first.slug, first.section, first.listings) == (
        "node:500", "ilo-welcomes-new-convention", "news", ("all-news",),
    )  # fmt: skip
    assert (french.slug, french.path) == (
        "loit-salue-la-nouvelle-convention", "/fr/resource/news/loit-salue-la-nouvelle-convention",
    )  # fmt: skip
    assert (statement.slug, statement.image, statement.date_line) == (
        "statement-convention", True, "3 February 2025 | Geneva, Switzerland",
    )  # fmt: skip
    assert kept.path == "/resource/statement/kept-slug" and not kept.image
    with running_mirror(write(tmp_path / "d.jsonl", AMBIGUOUS), None, "--retired") as base:
        shown = cards(fetch(base + ALL_NEWS)[2])
        assert [c["title_attr"] for c in shown] == [
            "Statement on the Convention", "Statement on the Convention", "ILO welcomes new Convention ",
        ]  # fmt: skip
        old = wcms_urls.article_path("news", "WCMS_11", "en")
        moved = raw(base, old)
        assert (moved.status, moved.headers["Location"]) == (301, base + first.path)
        assert raw(base, wcms_urls.article_path("news", "WCMS_11", "fr")).headers["Location"] == (
            base + french.path
        )
        gone = raw(base, wcms_urls.article_path("news", "WCMS_10", "en"))
        assert gone.status == 404 and node_id_of(gone.body) == str(NOT_FOUND_NODE_ID)
        assert article(fetch(base + first.path)[2])["title"] == "ILO welcomes new Convention "


BAD_NODE_LINES = [
    (node_row(1, "2025-01-01") | {"id": "node:x"}, '"id" of a node must be "node:" followed by'),
    (node_row(1, "2025-01-01", lang="xx"), '"lang" must be one of the site\'s languages (en, ar'),
    (node_row(1, "2025-01-01", section="press"), '"section" must be one of news, article, statement'),
    (node_row(1, "2025-01-01", slug="Has Space"), '"slug" must be a path alias'),
    (node_row(1, "2025-01-01", listings=["all-newsroom"]), '"listings" of a node must be a list'),
    (node_row(1, "2025-01-01", image="yes"), '"image" must be true or false, got "yes"'),
    (node_row(1, "2025-01-01", tags="Jobs"), '"tags" must be a list of strings or null'),
    (node_row(1, "2025-01-01", migrated_from="826064"), '"migrated_from" must be a WCMS document id'),
    (node_row(1, "2025-01-01", type="News"), 'unknown field "type" for a node (known: body, credit'),
    (node_row(1, "2025-13-01"), '"date" must be an ISO date (YYYY-MM-DD), got "2025-13-01"'),
    (node_row(7, "2025-01-01"), 'duplicate node node:7 in "en" (first on line 1)'),
    (node_row(7, "2025-01-01", lang="fr", section="article"), 'node:7 is in section "article" but in'),
    (node_row(8, "2025-01-01", slug="node-7"), "path /resource/news/node-7 is node:7's already"),
    (node_row(8, "2025-01-01", migrated_from="WCMS_5"), 'node:7 is already the migrated copy of WCMS_5'),
    (node_row(1016, "2025-01-01"), "node id 1016 is the site's own page's (the all-news listing)"),
    (row(2, "2021-01-01") | {"id": "2"}, '"id" must be "WCMS_" followed by digits'),
]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "message"), BAD_NODE_LINES, ids=[m[:40] for _, m in BAD_NODE_LINES]
)
def test_bad_node_lines_are_refused_with_their_line(
    tmp_path: Path, line: dict[str, Any], message: str
) -> None:
    first = node_row(7, "2025-01-01", migrated_from="WCMS_5")
    path = write(tmp_path / "bad.jsonl", [first, line])
    result = subprocess.run(
        [sys.executable, "-m", "ilo_crawler.mirror", "--dataset", str(path)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr.count("\n")) == (2, "", 1)
    assert result.stderr.startswith(f"error: dataset {path} line 2: "), result.stderr
    assert message in result.stderr
    with pytest.raises(DatasetError):
        parse_site_dataset(jsonl([first, line]))


# --retired -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def retired() -> Iterator[str]:
    with running_mirror(None, None, "--retired") as base:
        yield base


def test_retired_moves_wcms_listings_to_the_current_listing(
    retired: str, nodes: list[Node]
) -> None:
    for lang, old in (
        ("en", WCMS_ALL_EN),
        ("en", wcms_urls.listing_path("all-newsroom", "en", 20)),
        ("fr", wcms_urls.listing_path("news", "fr", 30)),
        ("es", wcms_urls.listing_path("press-releases", "es")),
        ("en", wcms_urls.listing_path("all-newsroom", "ja")),  # no Japanese listing: English
    ):
        answer = raw(retired, old)
        assert answer.status == 301, old
        assert answer.headers["Location"] == retired + listing_path("all-news", lang)
        assert f'Redirecting to <a href="{retired}'.encode() in answer.body
    status, _, body = fetch(retired + WCMS_ALL_EN)  # followed
    assert status == 200 and len(cards(body)) == CURRENT_PAGE_SIZE


def test_retired_moves_migrated_articles_to_their_nodes_and_drops_the_rest(
    retired: str, nodes: list[Node]
) -> None:
    records = {(r.id, r.lang): r for r in default_dataset()}
    migrated = next(n for n in nodes if n.migrated_from and n.lang == "fr")
    record = records[migrated.migrated_from, "fr"]
    old = wcms_urls.article_path(record.section, record.id, "fr")
    answer = raw(retired, old + "?ref=home")
    assert (answer.status, answer.headers["Location"]) == (301, migrated.url(retired))
    copied = {(n.migrated_from, n.lang) for n in nodes if n.migrated_from}
    english_only = next(
        n for n in nodes if n.migrated_from and n.lang == "en" and (n.migrated_from, "es") not in copied
        and (n.migrated_from, "es") in records
    )  # fmt: skip
    spanish = records[english_only.migrated_from, "es"]
    moved = raw(retired, wcms_urls.article_path(spanish.section, spanish.id, "es"))
    assert moved.headers["Location"] == english_only.url(retired)  # the node's English version
    never = next(r for r in records.values() if r.date.year == 2012)
    gone = raw(retired, wcms_urls.article_path(never.section, never.id, never.lang))
    assert gone.status == 404 and node_id_of(gone.body) == str(NOT_FOUND_NODE_ID)
    assert fetch(retired + "/global/about-the-ilo/lang--en/index.htm")[0] == 404


def test_retired_serves_the_current_site_and_drupals_robots_only(retired: str) -> None:
    robots = fetch(retired + "/robots.txt")[2].decode()
    assert "Disallow: /core/" in robots and "/global/" not in robots
    assert fetch(retired + ALL_NEWS)[0] == 200
    assert fetch(retired + "/sitemap.xml")[0] == 200


# Publishing on the retired site -----------------------------------------------------------------


def test_publish_every_puts_new_nodes_at_the_top_of_the_current_listing(nodes: list[Node]) -> None:
    english_nodes = listing_order(nodes, "en")
    newest, largest = english_nodes[0].date, max(n.node_id for n in nodes)
    with running_mirror(None, None, "--retired", "--publish-every", "2") as base:
        first, again, shifted, again_shifted, twice = (
            [c["href"] for c in cards(fetch(base + ALL_NEWS)[2])] for _ in range(5)
        )
        assert first == again and shifted == again_shifted
        assert shifted[1:] == first[:-1] and twice[2:] == first[:-2] and twice[1] == shifted[0]
        second = [c["href"] for c in cards(fetch(base + ALL_NEWS + "?page=1")[2])]
        assert second[:2] == first[-2:]  # two published by then: page 1 starts two earlier
        assert fetch(base + WCMS_ALL_EN)[0] == 200  # the moved listing, followed: counted too
        status, _, body = fetch(shifted[0])
        page = article(body)
        assert status == 200 and page["body"] and int(page["node_id"]) > largest
        assert page["datecopy"] == drupal.date_text(newest + dt.timedelta(days=1), "en")
        assert shifted[0].startswith(base + "/resource/")
        assert fetch(base + listing_path("all-news", "fr"))[0] == 200  # counted, shows no new node


def test_publish_from_nodes_on_the_retired_site(tmp_path: Path) -> None:
    served = write(tmp_path / "served.jsonl", AMBIGUOUS)
    new = write(tmp_path / "new.jsonl", [
        node_row(900, "2025-03-01", title="First new node"),
        node_row(901, "2025-03-02", title="Second new node", section="article"),
    ])  # fmt: skip
    args = ["--retired", "--publish-every", "1", "--publish-from", str(new), "--log-requests"]
    with running_mirror(served, None, *args) as base:
        titles = [[c["title"] for c in cards(fetch(base + ALL_NEWS)[2])] for _ in range(4)]
        assert titles[0][0] == "Statement on the Convention"  # published after it is answered
        assert titles[1][0] == "First new node"
        assert titles[2][:2] == titles[3][:2] == ["Second new node", "First new node"]
        assert fetch(base + "/resource/article/second-new-node")[0] == 200


@pytest.mark.parametrize(
    ("retired_site", "lines", "message"),
    [
        (True, [row(900, "2025-03-01")], "WCMS_900: the retired site publishes current-site nodes only"),
        (False, [node_row(900, "2025-03-01")], "node:900: current-site nodes are published on the retired"),
        (True, [node_row(500, "2025-03-01")], 'node:500 in "en" (/resource/news/node-500) is already served'),
        (True, [node_row(903, "2025-03-01", section="statement", slug="kept-slug")], "is already served"),
    ],
)  # fmt: skip
def test_publish_from_refuses_items_of_the_other_site_or_served(
    tmp_path: Path, retired_site: bool, lines: list[dict[str, Any]], message: str
) -> None:
    served = write(tmp_path / "served.jsonl", AMBIGUOUS)
    items = write(tmp_path / "items.jsonl", lines)
    command = [sys.executable, "-m", "ilo_crawler.mirror", "--dataset", str(served)]
    command += ["--publish-every", "2", "--publish-from", str(items)]
    command += ["--retired"] if retired_site else []
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout, result.stderr.count("\n")) == (2, "", 1)
    assert result.stderr.startswith(f"error: dataset {items}: ") and message in result.stderr


# Layout variants -------------------------------------------------------------------------------


def test_current_changed_hides_cards_and_heroes_from_markup(
    site: Site, english: list[Node]
) -> None:
    dataset = default_site_dataset()
    changed = Site(dataset.records, nodes=dataset.nodes, current_layout="current-changed")
    body = get(changed, ALL_NEWS)[2]
    page = Selector(text=body.decode())
    assert cards(body) == [] and not page.css(".ilo--card, .views-row")
    assert not [href for href in page.css("a::attr(href)").getall() if parse_article_url(href)]
    data = json.loads(page.css("script#news-data::text").get())
    assert [item["url"] for item in data] == [n.url() for n in english[:CURRENT_PAGE_SIZE]]
    assert pager(body) == pager(get(site, ALL_NEWS)[2])  # the pager is kept
    node = english[0]
    article_page = Selector(text=get(changed, node.path)[2].decode())
    assert not article_page.css("div.hero, div.ilo--richtext, h1")
    assert head(article_page)["node_id"] == str(node.node_id)
    assert get(changed, WCMS_ALL_EN)[2] == get(Site(dataset.records), WCMS_ALL_EN)[2]


def test_current_no_richtext_writes_the_body_as_drupals_plain_field(english: list[Node]) -> None:
    dataset = default_site_dataset()
    plain = Site(dataset.records, nodes=dataset.nodes, current_layout="current-no-richtext")
    node = next(n for n in english if len(n.body) >= 3 and n.credit)
    page = Selector(text=get(plain, node.path)[2].decode())
    assert not page.css("div.ilo--richtext")
    assert page.css("div.field--name-body > p::text").getall() == list(node.body)
    assert page.css("h1.ilo--hero-card--title::text").get() == node.title
    assert cards(get(plain, ALL_NEWS)[2]) == cards(get(Site([], nodes=dataset.nodes), ALL_NEWS)[2])


def test_layout_option_reaches_the_current_site(tmp_path: Path) -> None:
    dataset = write(tmp_path / "d.jsonl", AMBIGUOUS)
    with running_mirror(dataset, None, "--layout", "current-changed") as base:
        assert cards(fetch(base + ALL_NEWS)[2]) == []
        assert b"ilo--card" not in fetch(base + ALL_NEWS)[2]
    with running_mirror(dataset, None, "--layout", "wcms2010", "--current-page-size", "1") as base:
        assert len(cards(fetch(base + ALL_NEWS)[2])) == 1  # the current site's own layout
        assert b"newsroomListing" in fetch(base + WCMS_ALL_EN)[2]


# Bad options -----------------------------------------------------------------------------------

BAD_OPTIONS = [
    (["--layout", "current-x"], "invalid --layout 'current-x': accepted layouts are wcms2010, "
     "wcms2012, wcms2014, wcms2019, changed, wcms-varied, current, current-changed, "
     "current-no-richtext, current-plain-heading, current-details, current-varied"),
    (["--wayback", "--layout", "current-changed"], "--layout current-changed does not apply to "
     "--wayback (the archive holds the WCMS site)"),
    (["--retired", "--wayback"], "--retired does not apply to --wayback (the archive keeps"),
    (["--current-page-size", "0"], "invalid --current-page-size '0': expected a whole number "
     "from 1, e.g. 12"),
    (["--days", "-1"], "invalid --days '-1': expected a whole number from 0"),
    (["--days", "1", "--editors", "1,2"], "invalid --editors '1,2': expected four whole numbers"),
    (["--editors", "1,1,1,1"], "--editors needs --days N"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"), BAD_OPTIONS, ids=[" ".join(a) for a, _ in BAD_OPTIONS]
)
def test_bad_options_are_refused_in_one_line(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ilo_crawler.mirror", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (result.returncode, result.stdout, result.stderr.count("\n")) == (2, "", 1)
    assert result.stderr.startswith(f"error: {message}")


# Editors' days after the dataset (--days) ---------------------------------------------------------


def sitemap_lastmods(site: Site) -> dict[str, str]:
    """Each URL of the (one-file) sitemap of ``site`` and its ``<lastmod>``."""
    text = site.respond("/sitemap.xml")[2].decode()
    return dict(re.findall(r"<url><loc>https://www.ilo.org([^<]+)</loc>.*?<lastmod>([^<]+)<", text))


def test_editors_days_correct_pages_not_cards_publish_outside_the_listing_and_take_down(
    english: list[Node],
) -> None:
    site = Site([], nodes=english[:40], retired=True)
    (work,) = site.current.live_days(1, EditorsDay(published=2, corrected=2, unlisted=1,
                                                   taken_down=2))  # fmt: skip
    assert work.day == max(node.date for node in english[:40]) + dt.timedelta(days=1)
    lastmods = sitemap_lastmods(site)
    first_page = site.respond(ALL_NEWS)[2].decode()
    for before, after, what in work.corrected:
        status, headers, body = site.respond(before.path)
        assert status == 200 and dict(headers)["Last-Modified"].startswith(
            work.day.strftime("%a, %d %b %Y")
        )
        assert lastmods[before.path].startswith(work.day.isoformat())
        shown = body.decode()
        if what == "title":
            assert escape(after.title) in shown and after.title.endswith("(updated)")
        else:
            assert correction_note(work.day, "en") in shown
    assert [k for _, _, k in work.corrected] == ["body", "title"]
    # The cards are as published: the listing's pages show no correction.
    assert "(updated)" not in first_page + site.respond(ALL_NEWS + "?page=1")[2].decode()
    for node in work.published:
        assert node.date == work.day and f'href="https://www.ilo.org{node.path}"' in first_page
    for node in work.unlisted:
        assert site.respond(node.path)[0] == 200 and node.path in lastmods
        assert node.path not in first_page and node.listings == ()
    assert sorted(status for _, status in work.taken_down) == [404, 410]
    for node, status in work.taken_down:
        assert site.respond(node.path)[0] == status and node.path not in lastmods
        assert 'name="node_id" content="9"' in site.respond(node.path)[2].decode()
    assert len(lastmods) == 40 - 2 + 2 + 1 + 1  # + the listing's own URL


def test_editors_days_are_the_same_on_every_run_and_served_by_the_option(
    english: list[Node], tmp_path: Path
) -> None:
    nodes = english[:30]
    plays = [Site([], nodes=nodes, retired=True).current.live_days(2) for _ in range(2)]
    assert plays[0] == plays[1]
    rows = [{"id": n.id, "lang": n.lang, "date": n.date.isoformat(), "title": n.title,
             "section": n.section, "slug": n.slug, "body": list(n.body)} for n in nodes]  # fmt: skip
    dataset = tmp_path / "nodes.jsonl"
    dataset.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    work = Site([], nodes=load_site_dataset(dataset).nodes, retired=True).current.live_days(2)
    with running_mirror(dataset, None, "--retired", "--days", "2") as url:
        for node, status in work[1].taken_down:
            assert fetch(url + node.path)[0] == status
        for _before, after, _what in work[0].corrected:
            assert fetch(url + after.path)[0] == 200
    with running_mirror(dataset, None, "--retired", "--broken-sitemap") as url:
        body = fetch(url + "/sitemap.xml")[2]
    assert body.startswith(b"<?xml") and not body.rstrip().endswith(b"</urlset>")
