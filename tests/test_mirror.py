"""The replica of the ILO Newsroom: the served command, its pages, dataset checks and contents."""

from __future__ import annotations

import collections
import datetime as dt
import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import replica_markup
from conftest import fetch, row
from parsel import Selector
from replica_markup import GENERATIONS, article_fields

from ilo_crawler.langs import format_date, format_month_heading
from ilo_crawler.mirror import DatasetError, Record, Site, default_dataset, parse_dataset
from ilo_crawler.mirror.layouts import LAYOUTS, NEWEST_LAYOUT, layout_for
from ilo_crawler.sites.wcms.urls import article_path, listing_path

#: The seed page (all-newsroom/lang--en/nextRow--10 of the real site) item by item:
#: credit, label, title, date line, summary.
SEED_ITEMS = [
    (
        "© ILO 2021",
        "Social dialogue",
        "ILO launches new tool on social dialogue",
        "15 November 2021",
        "The new ILO tool, which outlines steps to create effective and inclusive social dialogue, "
        "will assist with the achievement of several UN Sustainable Development Goals.",
    ),
    (
        None,
        "ILO in action",
        "We work to end child labour in DR Congo’s cobalt mines",
        "09 November 2021",
        "ILO Chief Technical Advisor, Josée Blandine Ongotto, speaks from the field about the "
        "COTECCO Project, which is combating child labour in cobalt mining in the Democratic "
        "Republic of Congo, with funding from the US Department of Labor.",
    ),
    (
        "© Vitor Marinho 2021",
        "Social protection",
        "ILO reaches ratification target for landmark social security Convention",
        "08 November 2021",
        "Paraguay has become the 60th country to ratify the flagship ILO social security Convention, "
        "No.102, reaching a target set in 2012 by the ILO’s Governing Body.",
    ),
    (
        None,
        "Social protection",
        "Social protection for migrant workers, refugees and their families",
        "08 November 2021",
        "4.1 billion individuals worldwide have no access to social protection. This includes "
        "millions of migrant workers, refugees, and their families. They face legal and practical "
        "challenges to access social protection. Many options exist to secure and maintain social "
        "security rights across borders and address the protection gaps, inequalities and "
        "discrimination evidenced during the COVID-19 pandemic.",
    ),
    (
        "© COP26 2021",
        None,
        "ILO welcomes COP26 Just Transition Declaration",
        "05 November 2021",
        "The ILO plays key role in developing the Just Transition Declaration, agreed at the UN "
        "Climate Summit in Glasgow.",
    ),
    (
        None,
        "Article",
        "Entrepreneurial skills empower women of East Nusa Tenggara to build businesses",
        "04 November 2021",
        "Women in East Nusa Tenggara (NTT) benefit from the ILO training programmes held with its "
        "partners. The women participants are able to increase their incomes and realize their "
        "dreams. These are the stories of Bibi Dida and Semaya Atamai.",
    ),
    (
        None,
        "ILO in action",
        "Small-holder farmers reap benefit of ILO rural development project",
        "03 November 2021",
        "ILO Chief Technical Advisor, Nashwa Belal, speaks from the field about the EYE Project in "
        "Egypt, which promotes rural development, while helping businesses in the country’s dairy "
        "sector.",
    ),
    (
        None,
        "Video",
        "ILO: Pandemic hit on jobs worse than thought",
        "03 November 2021",
        "Market Edge of the ABS-CBN News Channel (ANC) looks at how hot or cold the labour market "
        "is, and where in the two-way speed recovery is the Philippines. International Labour "
        "Organization’s (ILO) Labour Economist for Asia and the Pacific Christian Viegelahn joins "
        "live from Bangkok and talks about the eighth edition of the ILO Monitor: COVID-19 and the "
        "world of work.",
    ),
    (
        "© ILO 2021",
        "Greening the ILO",
        "What is the ILO doing to become greener?",
        "01 November 2021",
        "The ILO has been mainstreaming environmental sustainability in its operations and "
        "programmatic work.",
    ),
    (
        None,
        "G20 Leaders' Summit",
        "Sustainable development goals set back further by COVID-19 crisis",
        "31 October 2021",
        "The world was already badly off-track before the pandemic in realizing the UN Sustainable "
        "Development Goals. Now the situation has dramatically worsened, said ILO Director-General "
        "Guy Ryder in remarks at the G20 Leaders’ Summit.",
    ),
]

ALL_EN = listing_path("all-newsroom", "en")
NEWEST = NEWEST_LAYOUT


# Helpers ---------------------------------------------------------------------------------------


def start_mirror(*args: str) -> tuple[subprocess.Popen[str], str]:
    """Start the real command and read the base URL from its first line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "ilo_crawler.mirror", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    base = proc.stdout.readline().strip()
    assert base.startswith("http://127.0.0.1:"), proc.stderr.read() if proc.stderr else base
    return proc, base


def stop_mirror(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    assert proc.wait(timeout=10) == 0


def listing_items(html: str | bytes, layout: str = NEWEST) -> list[dict[str, Any]]:
    return replica_markup.listing_items(html, layout)


def headings(html: bytes, layout: str = NEWEST) -> list[str]:
    return replica_markup.headings(html, layout)


def pager(html: bytes, layout: str = NEWEST) -> dict[str, list[str]]:
    return replica_markup.pager(html, layout)


def jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def small_site(rows: list[dict[str, Any]], page_size: int = 10, layout: str | None = None) -> Site:
    return Site(parse_dataset(jsonl(rows)), page_size=page_size, layout=layout)


def get(site: Site, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    status, response_headers, body = site.respond(path, headers)
    return status, dict(response_headers), body


# Fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return default_dataset()


@pytest.fixture(scope="module")
def site(records: list[Record]) -> Site:
    return Site(records)


@pytest.fixture(scope="module")
def sites(records: list[Record]) -> dict[str, Site]:
    """The replica in each readable layout generation, rendered without a socket."""
    return {layout: Site(records, layout=layout) for layout in GENERATIONS}


@pytest.fixture(scope="module")
def mirror() -> Iterator[str]:
    proc, base = start_mirror()
    yield base
    stop_mirror(proc)


@pytest.fixture(scope="module")
def small_mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """20 items (12 in March 2020, 8 in February 2020) at 7 a page."""
    rows = [row(100 + i, f"2020-03-{28 - i:02d}") for i in range(12)]
    rows += [row(200 + i, f"2020-02-{28 - i:02d}") for i in range(8)]
    path = tmp_path_factory.mktemp("mirror") / "small.jsonl"
    path.write_text(jsonl(rows), encoding="utf-8")
    proc, base = start_mirror("--dataset", str(path), "--page-size", "7")
    yield base
    stop_mirror(proc)


# The served site -------------------------------------------------------------------------------


def seed_path(site: Site) -> str:
    """The seed page's listing page (the real site's ``nextRow--10``; here further down)."""
    ids = [record.id for record in site.listings["all-newsroom", "en"]]
    offset = ids.index("WCMS_826064")
    assert offset % 10 == 0 and offset > 0
    return listing_path("all-newsroom", "en", offset)


@pytest.mark.parametrize("layout", GENERATIONS)
def test_seed_page_holds_the_seed_items_in_order_in_every_generation(
    sites: dict[str, Site], layout: str
) -> None:
    status, headers, body = get(sites[layout], seed_path(sites[layout]))
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    items = listing_items(body, layout)
    got = [(i["credit"], i["label"], i["title"], i["date"], i["summary"]) for i in items]
    assert got == SEED_ITEMS
    assert [i["heading"] for i in items] == ["November 2021"] * 9 + ["October 2021"]
    assert headings(body, layout) == ["November 2021", "October 2021"]
    assert items[0]["href"] == "/global/about-the-ilo/newsroom/news/WCMS_826064/lang--en/index.htm"
    assert replica_markup.listing_title(body, layout) == "All ILO Newsroom content"


@pytest.mark.parametrize("layout", GENERATIONS)
def test_item_texts_keep_the_real_order_in_every_generation(
    sites: dict[str, Site], layout: str
) -> None:
    """Credit, label, title, date line, summary, item after item, as the real pages show them
    (what the content layer of the extraction relies on)."""
    html = get(sites[layout], seed_path(sites[layout]))[2].decode()
    position = 0
    for texts in SEED_ITEMS:
        for text in filter(None, texts):
            found = html.find(escape(text), position)
            assert found > position, text
            position = found


def test_the_live_replica_serves_the_newest_generation(
    mirror: str, site: Site, sites: dict[str, Site], records: list[Record]
) -> None:
    assert site.layout == NEWEST == "wcms2019"
    seed = seed_path(site)
    status, _, body = fetch(mirror + seed)
    assert status == 200 and body == get(sites["wcms2019"], seed)[2]
    assert len(listing_items(body, "wcms2019")) == 10
    assert listing_items(body, "wcms2014") == listing_items(body, "wcms2010") == []
    article = article_path("news", "WCMS_826064", "en")
    assert fetch(mirror + article)[2] == get(sites["wcms2019"], article)[2]


def test_layout_generations_by_date_and_unknown_names_refused(records: list[Record]) -> None:
    assert list(LAYOUTS) == [
        "wcms2010", "wcms2012", "wcms2014", "wcms2019", "changed", "wcms-varied",
    ]  # fmt: skip
    assert layout_for(dt.date(2010, 1, 1)) == layout_for(dt.date(2013, 12, 31)) == "wcms2010"
    assert layout_for(dt.date(2014, 1, 1)) == layout_for(dt.date(2018, 12, 31)) == "wcms2014"
    assert layout_for(dt.date(2019, 1, 1)) == layout_for(dt.date(2024, 4, 30)) == "wcms2019"
    with pytest.raises(
        ValueError,
        match="one of wcms2010, wcms2012, wcms2014, wcms2019, changed, wcms-varied, got 'normal'",
    ):
        Site(records[:1], layout="normal")


def sample_offsets(records: list[Record]) -> list[int]:
    """Listing pages worth reading: first, middle and last, and the first pages that hold
    texts which must be escaped."""
    special = [i for i, r in enumerate(records) if any(c in r.title for c in '&<"')][:3]
    offsets = {0, len(records) // 20 * 10, (len(records) - 1) // 10 * 10}
    return sorted(offsets | {i // 10 * 10 for i in special})


@pytest.mark.parametrize("layout", GENERATIONS)
def test_every_item_text_is_on_the_page_in_every_generation(
    sites: dict[str, Site], layout: str
) -> None:
    site, pages = sites[layout], 0
    for (listing, lang), records in sorted(site.listings.items()):
        for offset in sample_offsets(records):
            body = get(site, listing_path(listing, lang, offset))[2]
            expected = [
                {
                    "heading": format_month_heading(r.date.year, r.date.month, lang),
                    "credit": r.credit,
                    "label": r.label,
                    "title": r.title,
                    "href": article_path(r.section, r.id, r.lang),
                    "date": r.date_text,
                    "summary": r.summary,
                }
                for r in records[offset : offset + 10]
            ]
            assert listing_items(body, layout) == expected, (listing, lang, offset)
            pages += 1
    assert pages >= 9 * 3


def test_both_first_page_urls_serve_the_newest_items(mirror: str) -> None:
    status, _, plain = fetch(mirror + ALL_EN)
    status0, _, zero = fetch(mirror + ALL_EN.replace("/index.htm", "/nextRow--0/index.htm"))
    assert status == status0 == 200
    assert plain == zero
    items = listing_items(plain)
    assert len(items) == 10
    assert items[0]["heading"] == "December 2024"


#: Per generation: selectors of the page chrome, and of the language switcher's links.
SHELLS = {
    "wcms2010": (
        [
            'head meta[http-equiv="Content-Type"]',
            "table#pageTable td#topBanner > a > img[alt]",
            "td#leftNav > a",
            "td#mainContent > div.crumbs > a",
            "td#mainContent > table.mediaContact a[href^='mailto:']",
            "td#footer > a",
        ],
        "td#topBanner span.langLinks a",
    ),
    "wcms2014": (
        [
            "head meta[charset]",
            "div#header > a.site-logo > img",
            "div#header > ul.nav-main > li > a",
            "ol.breadcrumb > li.active",
            "div#contentArea > div.box.mediaContact > ol > li > a[href^='mailto:']",
            "div#contentArea > p.intro",
            "div#rightCol > ul > li > a",
            "div#footer a",
        ],
        "div#header > ul.lang-switcher > li > a",
    ),
    "wcms2019": (
        [
            'head meta[name="DC.language"][content="fr"]',
            'head meta[name="DC.title"][content="Actualités"]',
            'head meta[name="DC.rights"]',
            "header#banner > div#primary-banner > a#logo > img",
            "header#banner > ul#menu.nav.navbar-nav > li.here > a",
            "header#banner > form.search[action='/Search4/search.do'] > input[name=searchWhat]",
            "ol.breadcrumb > li.active",
            "div#content.container > div.row > div.col-md-9.main-content",
            "div.main-content > div.media-contact > ol > li > a[href^='mailto:']",
            "div.main-content > p.tagline",
            "aside.col-md-3.sidebar > ul > li > a",
            "footer#footer a",
        ],
        "header#banner > ol.language-links > li > a",
    ),
}


@pytest.mark.parametrize("layout", GENERATIONS)
def test_page_shell_has_header_breadcrumbs_sidebar_and_footer(
    sites: dict[str, Site], layout: str
) -> None:
    body = get(sites[layout], listing_path("news", "fr"))[2]
    sel = Selector(text=body.decode())
    assert body.startswith(b"<!DOCTYPE ")
    assert sel.xpath("/html/@lang").get() == "fr"
    chrome, switcher_links = SHELLS[layout]
    assert [css for css in chrome if not sel.css(css)] == []
    assert replica_markup.listing_title(body, layout) == "Actualités"
    links = sel.css(switcher_links)
    switcher = {a.attrib["hreflang"]: a.attrib["href"] for a in links}
    assert switcher == {"en": listing_path("news", "en"), "es": listing_path("news", "es")}
    assert [a.xpath("string()").get() for a in links] == ["English", "Español"]


def test_wcms2019_items_follow_the_evidence(sites: dict[str, Site]) -> None:
    """The real site's item markup: ``li.highlight`` first, the credit as ``span.caption`` after
    the image linked to the document, the title followed by ``&nbsp;`` and an icon span."""
    html = get(sites["wcms2019"], seed_path(sites["wcms2019"]))[2].decode()
    sel = Selector(text=html)
    items = sel.css("div.furniture.feature-multiple.items-list > ol.item-list > li")
    assert [li.attrib.get("class") for li in items] == ["highlight"] + [None] * 9
    first = items[0]
    assert [child.root.tag for child in first.xpath("./*")] == ["a", "span", "p", "h5", "p", "div"]
    href = first.css("h5.item-title > a").attrib["href"]
    assert first.css("a.item-image").attrib["href"] == href
    assert first.css("a.item-image > img").attrib["src"] == (
        "/wcmsp5/groups/public/---dgreports/---dcomm/documents/image/wcms_826064.jpg"
    )
    assert (
        '<h5 class="item-title"><a href="/global/about-the-ilo/newsroom/news/WCMS_826064/'
        'lang--en/index.htm">ILO launches new tool on social dialogue&nbsp;<span class="linked '
        'fa fa-angle-right"></span></a></h5>'
    ) in html
    assert len(sel.css("h3.list-heading + ol.item-list")) == 2


def test_wcms2010_lists_items_in_table_rows_and_wcms2014_in_unordered_lists(
    sites: dict[str, Site],
) -> None:
    old = Selector(text=get(sites["wcms2010"], seed_path(sites["wcms2010"]))[2].decode())
    assert not old.css("ol, ul, li")
    rows = old.css("table.newsroomListing > tr")
    assert [r.attrib.get("class") for r in rows] == [None] + ["newsRow"] * 9 + [None, "newsRow"]
    second = rows[2]  # no credit: the image cell is there, empty
    assert second.css("td.newsImage").get() == '<td class="newsImage"></td>'
    assert second.css("td.newsText > font.category::text").get() == "ILO in action"
    middle = Selector(text=get(sites["wcms2014"], seed_path(sites["wcms2014"]))[2].decode())
    assert not middle.css("div#contentArea div.newsList ol")
    assert len(middle.css("div.newsList > ul.newsItems > li.newsItem > div.details")) == 10
    assert len(middle.css("li.newsItem > div.thumb > a > img")) == 4  # the seed credits


@pytest.mark.parametrize("layout", GENERATIONS)
def test_pager_links_step_by_the_page_size(sites: dict[str, Site], layout: str) -> None:
    site = sites[layout]
    total = len(site.listings["all-newsroom", "en"])
    last = (total - 1) // 10 * 10
    links = pager(get(site, ALL_EN)[2], layout)
    assert links["first"] == links["prev"] == []
    assert links["current"] == ["1"]
    assert links["page"] == [listing_path("all-newsroom", "en", 10 * k) for k in range(1, 10)]
    assert links["next"] == [listing_path("all-newsroom", "en", 10)]
    assert links["last"] == [listing_path("all-newsroom", "en", last)]

    links = pager(get(site, listing_path("all-newsroom", "en", 200))[2], layout)
    assert links["first"] == [ALL_EN]
    assert links["prev"] == [listing_path("all-newsroom", "en", 190)]
    assert links["next"] == [listing_path("all-newsroom", "en", 210)]
    assert links["current"] == ["21"]
    assert len(links["page"]) == 9

    final = get(site, listing_path("all-newsroom", "en", last))[2]
    links = pager(final, layout)
    assert links["next"] == links["last"] == []
    assert 1 <= len(listing_items(final, layout)) <= 10


def test_pager_words_of_the_older_generations(sites: dict[str, Site]) -> None:
    page = listing_path("all-newsroom", "fr", 20)
    total = len(sites["wcms2010"].listings["all-newsroom", "fr"])
    pages = -(-total // 10)
    old = Selector(text=get(sites["wcms2010"], page)[2].decode()).css("p.resultsNav")
    assert (
        old.xpath("string()")
        .get()
        .startswith(f"Résultats 21–30 sur {total} \xa0 << Premier | < Précédent | 1 | 2 | 3 | 4 |")
    )
    assert old.xpath("string()").get().endswith(" | Suivant > | Dernier >>")
    middle = Selector(text=get(sites["wcms2014"], page)[2].decode()).css("div.pagingBar")
    assert middle.css("span.pageInfo::text").get() == f"Page 3 sur {pages}"
    assert middle.css("a.pg-first::text, a.pg-prev::text, a.pg-next::text, a.pg-last::text")
    words = middle.css("a[class]::text").getall()
    assert words == ["Premier", "Précédent", "Suivant", "Dernier"]


def test_page_size_option_and_month_heading_repeated(small_mirror: str) -> None:
    base = small_mirror + ALL_EN
    _, _, first = fetch(base)
    assert [i["title"] for i in listing_items(first)] == [f"Title {100 + i}" for i in range(7)]
    links = pager(first)
    assert links["page"] == [listing_path("all-newsroom", "en", k) for k in (7, 14)]
    assert links["next"] == [listing_path("all-newsroom", "en", 7)]
    assert links["last"] == [listing_path("all-newsroom", "en", 14)]

    _, _, second = fetch(small_mirror + listing_path("all-newsroom", "en", 7))
    items = listing_items(second)
    assert [i["title"] for i in items] == [f"Title {100 + i}" for i in range(7, 12)] + [
        "Title 200",
        "Title 201",
    ]
    # The page continues March from page 1: it opens with the March heading again.
    assert headings(second) == ["March 2020", "February 2020"]
    assert [i["heading"] for i in items] == ["March 2020"] * 5 + ["February 2020"] * 2


def test_offsets_off_the_grid_and_past_the_end(small_mirror: str) -> None:
    _, _, body = fetch(small_mirror + listing_path("all-newsroom", "en", 3))
    assert [i["title"] for i in listing_items(body)] == [f"Title {100 + i}" for i in range(3, 10)]
    status, _, past = fetch(small_mirror + listing_path("all-newsroom", "en", 20))
    assert status == 200
    assert listing_items(past) == [] and headings(past) == []
    status, _, _ = fetch(small_mirror + listing_path("news", "en"))
    assert status == 404  # no record in that listing


@pytest.mark.parametrize("layout", GENERATIONS)
def test_article_page_fields_and_translations(
    sites: dict[str, Site], records: list[Record], layout: str
) -> None:
    by_id = collections.defaultdict(dict)
    for record in records:
        by_id[record.id][record.lang] = record
    record = next(
        r
        for r in records
        if r.lang == "fr"
        and r.credit
        and r.summary
        and set(by_id[r.id]) == {"en", "fr", "es"}
        and r.section == "news"
        and by_id[r.id]["en"].type == "News"
    )
    status, headers, body = get(sites[layout], article_path("news", record.id, "fr"))
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert Selector(text=body.decode()).xpath("/html/@lang").get() == "fr"
    article = article_fields(body, layout)
    assert article["title"] == record.title
    assert article["teaser"] == record.summary
    assert article["type"] == "Actualités"
    assert article["date"] == format_date(record.date, "fr")
    assert article["credit"] == record.credit
    assert article["body"] == list(record.body)
    assert article["body"][0].startswith("GENÈVE (Info OIT) – ")
    assert not article["contact"]
    assert article["translations"] == [
        ("en", article_path("news", record.id, "en"), "English"),
        ("es", article_path("news", record.id, "es"), "Español"),
    ]


def test_wcms2019_article_follows_the_evidence(sites: dict[str, Site]) -> None:
    """``h1.long-title`` holding an inner ``h1``; tags and "Date issued" in ``aside.meta-data``."""
    html = get(sites["wcms2019"], article_path("news", "WCMS_826064", "en"))[2].decode()
    document = Selector(text=html).css("div.main-content > div.document")
    title = "ILO launches new tool on social dialogue"
    assert f'<h1 class="long-title"><h1>{title}</h1></h1>' in html
    meta = document.css("aside.meta-data")
    assert meta.css("strong::text").get() == "Tags:"
    assert meta.css("a.tag-link::text").get() == "Social dialogue"
    assert (
        meta.css("a.tag-link").attrib["href"] == "/global/topics/social-dialogue/lang--en/index.htm"
    )
    assert meta.css("th::text").get() == "Date issued"
    assert meta.css("th + td::text").get() == "15 November 2021"
    assert document.css("figure.main-image > img").attrib["src"].endswith("/wcms_826064.jpg")
    assert document.css("div.share-bar > a::text").getall() == ["Twitter", "Facebook"]


@pytest.mark.parametrize("layout", GENERATIONS)
def test_press_release_article_lives_in_its_section(
    sites: dict[str, Site], records: list[Record], layout: str
) -> None:
    record = next(
        r for r in records if r.lang == "en" and r.section == "press-releases" and r.title.isascii()
    )
    status, _, body = get(sites[layout], article_path("press-releases", record.id, "en"))
    assert status == 200
    article = article_fields(body, layout)
    assert article["type"] == "Press release" and article["contact"]
    assert get(sites[layout], article_path("news", record.id, "en"))[0] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/global/about-the-ilo/newsroom/no-such-listing/lang--en/index.htm",
        "/global/about-the-ilo/newsroom/news/WCMS_1/lang--en/index.htm",  # unknown id
        "/global/about-the-ilo/newsroom/news/WCMS_826064/lang--de/index.htm",  # no such language
        "/global/about-the-ilo/newsroom/all-newsroom/lang--de/index.htm",  # listing with no records
        "/static/css/ilo.css",
        "/",
    ],
)
def test_not_found(mirror: str, path: str) -> None:
    status, headers, body = fetch(mirror + path)
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"<html" in body


def test_robots_txt(mirror: str) -> None:
    status, headers, body = fetch(mirror + "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    lines = body.decode().splitlines()
    assert "User-agent: *" in lines
    assert not any(line.startswith("Disallow: /global/about-the-ilo") for line in lines)


def test_conditional_requests_and_head(mirror: str) -> None:
    url = mirror + listing_path("press-releases", "en", 30)
    status, headers, body = fetch(url)
    assert status == 200
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert fetch(url)[1]["ETag"] == etag  # stable
    status, headers304, body304 = fetch(url, {"If-None-Match": etag})
    assert (status, body304) == (304, b"") and headers304["ETag"] == etag
    assert fetch(url, {"If-Modified-Since": modified})[0] == 304
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
    assert fetch(url, {"If-None-Match": '"other"', "If-Modified-Since": modified})[0] == 200
    status, head_headers, head_body = fetch(url, method="HEAD")
    assert status == 200 and head_body == b""
    assert head_headers["Content-Length"] == str(len(body)) and head_headers["ETag"] == etag


def test_one_kept_alive_connection_serves_every_kind_of_answer(mirror: str) -> None:
    url = urlsplit(mirror)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    answers = []
    for method, path, headers in [
        ("GET", ALL_EN, {}),
        ("HEAD", ALL_EN, {}),
        ("GET", "/no/such/page", {}),
        ("GET", ALL_EN, {"If-Modified-Since": "Tue, 31 Dec 2030 00:00:00 GMT"}),
        ("GET", "/robots.txt", {}),
    ]:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        answers.append((response.status, len(response.read())))
    connection.close()
    assert [status for status, _ in answers] == [200, 200, 404, 304, 200]
    assert answers[0][1] > 0 and answers[1][1] == 0 and answers[3][1] == 0


# Rendering rules, through Site.respond ---------------------------------------------------------


#: Per generation: the markup of an empty article body.
EMPTY_BODY = {
    "wcms2010": '<div id="articleBody"></div>',
    "wcms2014": '<div class="bodyText"></div>',
    "wcms2019": '<div class="article-text"></div>',
}
#: The language switcher (absent from a page that has no other language version).
SWITCHERS = {
    "wcms2010": "span.langLinks",
    "wcms2014": "ul.lang-switcher",
    "wcms2019": "ol.language-links",
}
#: What marks a teaser, translation links and a pager (absent where the page has none).
MARKERS = {
    "wcms2010": ('class="teaser"', 'class="otherLang"', 'class="resultsNav"'),
    "wcms2014": ('class="standFirst"', "langVersions", 'class="pagingBar"'),
    "wcms2019": ('class="lead"', 'class="other-languages"', 'class="pagination"'),
}


@pytest.mark.parametrize("layout", GENERATIONS)
def test_date_lines_types_and_bodies_follow_the_format(layout: str) -> None:
    site = small_site(
        [
            row(1, "2021-11-15", listings=["all-newsroom", "press-releases"], body=["A", "B"]),
            row(2, "2021-11-14", date_text=None, body=None, label="Event"),
            row(3, "2021-11-13", date_text="13 November 2021, Karachi, Pakistan", type="Statement"),
            row(1, "2021-11-15", lang="es", listings=["press-releases"]),
        ],
        layout=layout,
    )
    english = get(site, ALL_EN)[2]
    assert not Selector(text=english.decode()).css(SWITCHERS[layout])  # no other language
    items = listing_items(english, layout)
    assert [i["date"] for i in items] == [
        "15 November 2021",
        None,
        "13 November 2021, Karachi, Pakistan",
    ]
    assert items[0]["href"] == article_path("press-releases", "WCMS_1", "en")

    def meta(path: str) -> tuple[str | None, str | None, list[str]]:
        article = article_fields(get(site, path)[2], layout)
        return article["type"], article["date"], article["body"]

    assert meta(article_path("press-releases", "WCMS_1", "en")) == (
        "Press release",
        "15 November 2021",
        ["A", "B"],
    )
    assert meta(article_path("press-releases", "WCMS_1", "es")) == (
        "Comunicado de prensa",
        "15 de noviembre de 2021",
        [],
    )
    assert meta(article_path("news", "WCMS_2", "en")) == ("News", "14 November 2021", [])
    assert meta(article_path("news", "WCMS_3", "en")) == (
        "Statement",
        "13 November 2021, Karachi, Pakistan",
        [],
    )
    body = get(site, article_path("news", "WCMS_2", "en"))[2].decode()
    teaser, translations, pager_mark = MARKERS[layout]
    assert EMPTY_BODY[layout] in body
    assert teaser not in body and translations not in body
    spanish = get(site, listing_path("press-releases", "es"))[2]
    assert replica_markup.listing_title(spanish, layout) == "Comunicados de prensa"
    assert pager_mark.encode() not in spanish  # a single page has no pager
    assert (
        pager_mark.encode()
        in small_site([row(n, "2021-11-01") for n in range(3)], 2, layout).respond(ALL_EN)[2]
    )


@pytest.mark.parametrize("layout", GENERATIONS)
def test_equal_dates_keep_dataset_order_and_markup_is_escaped(layout: str) -> None:
    site = small_site(
        [
            row(1, "2020-01-02"),
            row(2, "2020-01-05", title='Wages < inflation & "quotes"\nand more', label="Q&A"),
            row(3, "2020-01-02"),
            row(4, "2020-01-05", summary="First line\nsecond line"),
        ],
        layout=layout,
    )
    body = get(site, ALL_EN)[2]
    items = listing_items(body, layout)
    assert [i["href"].split("/")[-3] for i in items] == ["WCMS_2", "WCMS_4", "WCMS_1", "WCMS_3"]
    assert items[0]["title"] == 'Wages < inflation & "quotes"\nand more'
    assert items[0]["label"] == "Q&A" and items[1]["summary"] == "First line\nsecond line"
    assert b"Wages &lt; inflation &amp; &quot;quotes&quot;<br>and more" in body
    assert b"First line<br>second line" in body


def test_respond_ignores_query_strings_and_caches_consistently(site: Site) -> None:
    plain = get(site, ALL_EN)
    filtered = get(site, ALL_EN + "?facetcriteria=TAX=C.25&facetdynlist=WCMS_187784")
    assert plain == filtered
    assert get(site, ALL_EN, **{"If-None-Match": plain[1]["ETag"]})[0] == 304
    assert get(site, ALL_EN) == plain


# Dataset validation ----------------------------------------------------------------------------

VALID = json.dumps(row(1, "2021-11-15"))

BAD_LINES = [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    (
        json.dumps({"id": "WCMS_2", "lang": "en", "listings": ["news"], "date": "2021-01-01"}),
        'missing required field "title"',
    ),
    (json.dumps(row(2, "2021-01-01", titel="x")), 'unknown field "titel"'),
    (json.dumps(row(2, "2021-01-01") | {"id": "826064"}), '"id" must be "WCMS_" followed by'),
    (json.dumps(row(2, "2021-01-01", lang="EN")), '"lang" must be two lowercase letters'),
    (json.dumps(row(2, "2021-01-01") | {"listings": []}), '"listings" must be a non-empty list'),
    (json.dumps(row(2, "2021-01-01") | {"listings": ["blog"]}), 'unknown listing "blog"'),
    (json.dumps(row(2, "2021-13-01")), '"date" must be an ISO date (YYYY-MM-DD), got "2021-13-01"'),
    (json.dumps(row(2, "2021-01-01") | {"title": " "}), '"title" must be a non-empty string'),
    (json.dumps(row(2, "2021-01-01", summary=3)), '"summary" must be a string or null, got 3'),
    (json.dumps(row(2, "2021-01-01", body="text")), '"body" must be a list of strings or null'),
    (VALID, 'duplicate article WCMS_1 in "en" (first on line 1)'),
    (json.dumps(row(2, "2021-01-01", earlier={})), '"earlier" must be a list of earlier states'),
    (json.dumps(row(2, "2021-01-01", earlier=["x"])), '"earlier[0]" must be a JSON object'),
    (
        json.dumps(row(2, "2021-01-01", earlier=[{"until": "2021-01-02", "type": "x"}])),
        '"earlier[0]": unknown field "type" (known: until, title,',
    ),
    (
        json.dumps(row(2, "2021-01-01", earlier=[{"title": "x"}])),
        '"earlier[0]": missing required field "until"',
    ),
    (
        json.dumps(row(2, "2021-01-01", earlier=[{"until": "2021-1-2", "title": "x"}])),
        '"earlier[0].until" must be an ISO date (YYYY-MM-DD), got "2021-1-2"',
    ),
    (
        json.dumps(row(2, "2021-01-01", earlier=[{"until": "2021-01-01", "title": "x"}])),
        '"earlier[0].until" must be after "date" 2021-01-01, got "2021-01-01"',
    ),
    (
        json.dumps(
            row(
                2,
                "2021-01-01",
                earlier=[
                    {"until": "2021-01-05", "title": "x"},
                    {"until": "2021-01-05", "label": "y"},
                ],
            )
        ),
        '"earlier[1].until" must be after "earlier[0].until" 2021-01-05, got "2021-01-05"',
    ),
    (
        json.dumps(row(2, "2021-01-01", earlier=[{"until": "2021-01-02"}])),
        '"earlier[0]" changes no field (give one of title, summary,',
    ),
    (
        json.dumps(row(2, "2021-01-01", earlier=[{"until": "2021-01-02", "title": ""}])),
        '"earlier[0].title" must be a non-empty string, got ""',
    ),
    (
        json.dumps(row(2, "2021-01-01", earlier=[{"until": "2021-01-02", "body": "x"}])),
        '"earlier[0].body" must be a list of strings or null',
    ),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES, ids=[m for _, m in BAD_LINES])
def test_bad_dataset_is_refused_with_its_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(f"{VALID}\n\n{line}\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ilo_crawler.mirror", "--dataset", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: dataset {path} line 3: ")
    assert message in result.stderr


def test_earlier_states_are_kept_and_give_the_record_as_of_a_day() -> None:
    earlier = [
        {"until": "2021-11-20", "title": "Titel", "summary": "Old", "body": ["Draft"]},
        {"until": "2021-12-01", "title": "Title", "label": None, "date_text": None},
    ]
    line = row(1, "2021-11-15", summary="New", label="Jobs", body=["Final"], earlier=earlier)
    (record,) = parse_dataset(json.dumps(line) + "\n")
    assert record.earlier == (
        (dt.date(2021, 11, 20), (("title", "Titel"), ("summary", "Old"), ("body", ("Draft",)))),
        (dt.date(2021, 12, 1), (("title", "Title"), ("label", None), ("date_text", None))),
    )
    before = record.as_of(dt.date(2021, 11, 19))
    assert (before.title, before.summary, before.label, before.body) == (
        "Titel",
        "Old",
        "Jobs",  # a field the state leaves out shows as it is now
        ("Draft",),
    )
    assert before.earlier == () and before.date == record.date
    on_until = record.as_of(dt.date(2021, 11, 20))  # ``until`` is the day the next state began
    assert (on_until.title, on_until.summary, on_until.label, on_until.date_text) == (
        "Title",
        "New",
        None,
        None,
    )
    assert record.as_of(dt.date(2021, 12, 1)) is record
    assert hash(record) == hash(parse_dataset(json.dumps(line))[0])  # still a frozen value
    assert parse_dataset(json.dumps(row(1, "2021-11-15", earlier=None)))[0].earlier == ()


def test_dataset_error_names_the_line_in_the_api() -> None:
    with pytest.raises(DatasetError) as caught:
        parse_dataset(f"{VALID}\n" + json.dumps(row(2, "2021-02-30")), "x.jsonl")
    assert caught.value.line == 2
    assert str(caught.value).startswith("dataset x.jsonl line 2: ")


# The default dataset ---------------------------------------------------------------------------


def test_default_dataset_volume_by_month(records: list[Record]) -> None:
    months = collections.Counter(
        (r.date.year, r.date.month)
        for r in records
        if r.lang == "en" and "all-newsroom" in r.listings
    )
    expected = {(year, month) for year in range(2010, 2025) for month in range(1, 13)}
    assert set(months) == expected
    assert all(50 <= n <= 80 for n in months.values()), months


def test_default_dataset_aligns_the_seed_page(records: list[Record]) -> None:
    november = [r for r in records if (r.date.year, r.date.month) == (2021, 11)]
    seed_days = {dt.date(2021, 11, d) for d in (1, 3, 4, 5, 8, 9)}
    assert all(r.date.day >= 15 or r.date in seed_days for r in november)
    assert sum(r.date < dt.date(2021, 11, 15) for r in november) == 8
    assert "WCMS_826064" in {r.id for r in november}


def test_default_dataset_shares(records: list[Record]) -> None:
    english = [r for r in records if r.lang == "en"]
    n = len(english)
    share = lambda count: count / n  # noqa: E731
    assert 0.24 <= share(sum(r.label is None for r in english)) <= 0.32
    assert 0.74 <= share(sum(r.credit is None for r in english)) <= 0.82
    assert 0.18 <= share(sum(r.summary is None for r in english)) <= 0.26
    assert 0.45 <= share(sum("news" in r.listings for r in english)) <= 0.55
    assert 0.12 <= share(sum("press-releases" in r.listings for r in english)) <= 0.18
    langs = collections.Counter(r.lang for r in records)
    assert 0.22 <= langs["fr"] / n <= 0.28 and 0.17 <= langs["es"] / n <= 0.23
    assert len({r.id for r in english}) == n
    labels = {r.label for r in records if r.label}
    assert len(labels) >= 300
    assert {"Press release", "Press Release", "Media Advisory", "ILO in Action"} <= labels
    assert any(r.date_text and r.date_text.endswith(",") for r in english)
    assert any(r.date_text and ", " in r.date_text for r in english)
    assert any(r.date_text is None for r in english)
    for char in '&<"':
        assert 0 < sum(char in r.title for r in english) < n * 0.05
    assert all(2 <= len(r.body) <= 8 and " – " in r.body[0] for r in records)
    french = [r for r in records if r.lang == "fr"]
    assert all(r.date_text == format_date(r.date, "fr") for r in french)
    assert sum(any(c in r.title for c in "éèàç") for r in french) > len(french) // 2


def test_generate_is_deterministic(tmp_path: Path) -> None:
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"dataset-{hash_seed}.jsonl"
        env = os.environ | {"PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [sys.executable, "-m", "ilo_crawler.mirror.generate", "--out", str(out)],
            check=True,
            env=env,
            timeout=60,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    first = outputs[0].decode().splitlines()
    assert json.loads(first[0])["date"].startswith("2024-12")
    assert len(parse_dataset(outputs[0].decode())) == len(default_dataset())
