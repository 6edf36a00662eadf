"""The content layer on its own: small pages in shapes no layout table knows, each item's fields
found by what they are (a document link, a ``©`` credit, a date line, a month heading)."""

from __future__ import annotations

import pytest

from ilo_crawler.extract.document import credit_in, may_show_credit, read_document
from ilo_crawler.extract.text import parse_html
from ilo_crawler.sites.wcms.article import parse_article
from ilo_crawler.sites.wcms.listing import parse_listing

DOC = "/global/about-the-ilo/newsroom/news/WCMS_{}/lang--en/index.htm"
URL = (
    "https://www.ilo.org/global/about-the-ilo/newsroom/all-newsroom/lang--en/nextRow--10/index.htm"
)
ONE = ("Title one", "15 November 2021", "Summary one.")

PAGES = {
    "definition list, fields as siblings": (
        f'<dl class="x"><dt>November 2021</dt><dd><a href="{DOC.format(1)}">Title one</a></dd>'
        "<dd>15 November 2021</dd><dd>Summary one.</dd>"
        f'<dd><a href="{DOC.format(2)}">Title two</a></dd><dd>14 November 2021</dd></dl>',
        [
            ("November 2021", None, None, *ONE),
            ("November 2021", None, None, "Title two", "14 November 2021", None),
        ],
    ),
    "divs with inline fields": (
        f'<div class="news"><h3>November 2021</h3><div class="n"><span class="cat">Press release</span> '
        f'<a href="{DOC.format(1)}">Title one</a> <span>15 November 2021</span><p>Summary one.</p></div>'
        f'<div class="n"><a href="{DOC.format(2)}">Title two</a> <span>14 November 2021</span></div></div>',
        [
            ("November 2021", None, "Press release", *ONE),
            ("November 2021", None, None, "Title two", "14 November 2021", None),
        ],
    ),
    "a link wrapping the whole card": (
        f'<ul class="g"><li><a href="{DOC.format(1)}"><img src="x.jpg"><span>© ILO 2021</span>'
        "<h3>Title one</h3><p>15 November 2021</p><p>Summary one.</p></a></li>"
        f'<li><a href="{DOC.format(2)}"><h3>Title two</h3><p>14 November 2021</p></a></li></ul>',
        [
            (None, "© ILO 2021", None, *ONE),
            (None, None, None, "Title two", "14 November 2021", None),
        ],
    ),
    "a single item beside the page title and intro": (
        '<div id="c"><h1>All ILO Newsroom content</h1><p>Intro text about the newsroom here.</p>'
        f'<div class="r"><div class="i"><p class="k">News</p><h4><a href="{DOC.format(1)}">Title one</a>'
        "</h4><p>15 November 2021</p><p>Summary one.</p></div></div></div>",
        [(None, None, "News", *ONE)],
    ),
    "a sidebar of popular articles before a one-item list": (
        f'<div class="rel"><h2>Most popular</h2><ul><li><a href="{DOC.format(7)}">Pop 1</a></li>'
        f'<li><a href="{DOC.format(8)}">Pop 2</a></li><li><a href="{DOC.format(9)}">Pop 3</a></li></ul></div>'
        f'<ul><li><a href="{DOC.format(1)}">Title one</a><br>15 November 2021<br>Summary one.</li></ul>',
        [(None, None, None, *ONE)],
    ),
}


@pytest.mark.parametrize("shape", PAGES)
def test_items_are_found_by_what_they_are(shape: str) -> None:
    html, expected = PAGES[shape]
    page = parse_listing(f"<html><body>{html}</body></html>", URL)
    assert page.layout is None
    got = [(e.heading, e.credit, e.label, e.title, e.date_text, e.summary) for e in page.entries]
    assert got == expected
    assert page.entries[0].url == "https://www.ilo.org" + DOC.format(1)


ARTICLE_URL = "https://www.ilo.org/global/about-the-ilo/newsroom/news/WCMS_1/lang--en/index.htm"


def test_an_article_whose_title_is_no_h1_is_read_from_its_declared_title() -> None:
    page = parse_article(
        "<html><head><title>Title one | ILO</title></head><body><div class=m><h2>Title one</h2>"
        "<p>News | 15 November 2021</p><p>GENEVA (ILO News) – First paragraph.</p><p>Second.</p>"
        "</div><footer><p>© International Labour Organization</p></footer></body></html>",
        ARTICLE_URL,
    )
    assert (page.has_article, page.layout, page.title) == (True, None, "Title one")
    assert (page.type, page.date_text, page.credit) == ("News", "15 November 2021", None)
    assert page.body == ("GENEVA (ILO News) – First paragraph.", "Second.")


def test_an_article_with_a_lead_in_its_body_element_keeps_the_lead_out_of_the_body() -> None:
    page = parse_article(
        "<html><body><nav><a href=/>Home</a></nav><article><h1>Title one</h1>"
        "<p class=lead>A lead sentence that is long enough.</p><time>15 November 2021</time>"
        "<figure><img><figcaption>© ILO/J. Doe</figcaption></figure>"
        "<p>GENEVA (ILO News) – First paragraph.</p><p>Second.</p>"
        "<div class=share><p>Share this</p></div></article>"
        "<aside><p>Related: a long paragraph about something else entirely, longer than any.</p>"
        "</aside></body></html>",
        ARTICLE_URL,
    )
    assert page.teaser == "A lead sentence that is long enough."
    assert (page.date_text, page.credit) == ("15 November 2021", "© ILO/J. Doe")
    assert page.body == ("GENEVA (ILO News) – First paragraph.", "Second.")


def test_an_error_page_served_with_200_is_no_article() -> None:
    page = parse_article(
        "<html><body><h1>Service unavailable</h1><p>Please try again later.</p></body></html>",
        ARTICLE_URL,
    )
    assert not page.has_article and page.body == ()


def test_a_summary_held_as_text_nodes_keeps_its_line_breaks() -> None:
    """wcms2010 keeps the summary as the cell's own text; a ``<br>`` in it is a line break."""
    row = (
        '<table class="newsroomListing"><tr class="newsRow"><td class="newsImage"></td>'
        f'<td class="newsText"><a class="newsHeadline" href="{DOC.format(1)}"><b>Title one</b></a>'
        '<br><span class="dateline">15 November 2021</span><br>First line<br>second line</td></tr>'
        "</table>"
    )
    page = parse_listing(f"<html><body>{row}</body></html>", URL)
    assert page.layout == "wcms2010"
    assert page.entries[0].summary == "First line\nsecond line"
    assert page.entries[0].found_by["summary"] == "wcms2010"


def _wcms2019_article(credit_markup: str) -> str:
    """A wcms2019 article page whose known layout finds every field but the credit: the
    ``figure.main-image`` caption is replaced by ``credit_markup``."""
    return (
        '<html><body><header id="banner"><p>© ILO banner</p></header><div class="document">'
        '<h1 class="long-title"><h1>Title one</h1></h1>'
        '<p class="lead">A lead sentence that is long enough.</p>'
        '<p class="document-type-date"><span class="type">News</span> | '
        f'<span class="date">15 November 2021</span></p>{credit_markup}'
        '<div class="article-text"><p>GENEVA (ILO News) – First paragraph.</p></div></div>'
        "<footer><p>© International Labour Organization</p></footer></body></html>"
    )


@pytest.mark.parametrize(
    ("credit_markup", "credit", "found_by"),
    [
        ("", None, None),  # a © only in the page's chrome (banner, footer): no credit
        ('<div class="photo"><span>© ILO/J. Doe</span></div>', "© ILO/J. Doe", "content"),
        ('<div class="photo"><img>© ILO/J. Doe</div>', "© ILO/J. Doe", "content"),  # a tail
        ('<div class="share-bar"><span>© ILO/J. Doe</span></div>', None, None),  # chrome again
    ],
)
def test_a_credit_the_layout_misses_is_looked_for_only_where_a_copyright_stands(
    credit_markup: str, credit: str | None, found_by: str | None
) -> None:
    """The content pass for a missing credit is skipped only where it could find none: where
    no ``©`` stands outside the regions it skips."""
    page = parse_article(_wcms2019_article(credit_markup), ARTICLE_URL)
    assert (page.layout, page.title, page.date_text) == (
        "wcms2019",
        "Title one",
        "15 November 2021",
    )
    assert page.credit == credit and page.found_by.get("credit") == found_by
    root = parse_html(_wcms2019_article(credit_markup))
    assert may_show_credit(root) == (credit is not None)
    assert read_document(root, "en").credit == credit  # what the skipped pass would have said


#: A page of the old table design: the site's copyright in a plain cell after the article.
TABLE_PAGE = (
    '<html lang="en"><head><title>Title one | ILO</title></head><body><table>'
    '<tr><td><a href="/global/lang--en/index.htm">Home</a></td></tr><tr><td>'
    "<h1>Title one</h1><p>News | 15 November 2021</p>"
    "<p>GENEVA (ILO News) – First paragraph of the body.</p><p>Second paragraph.</p></td></tr>"
    "<tr><td>{footer}</td></tr></table></body></html>"
)


@pytest.mark.parametrize(
    "footer",
    [
        "© 1996-2011 International Labour Organization (ILO) | Copyright and permissions",
        "© International Labour Organization",
        "Copyright © 1996–2011 ILO",
    ],
)
def test_the_sites_copyright_in_its_footer_is_never_an_articles_credit(footer: str) -> None:
    page = parse_article(TABLE_PAGE.format(footer=footer), ARTICLE_URL)
    assert (page.has_article, page.title, page.date_text) == (True, "Title one", "15 November 2021")
    assert page.credit is None
    assert page.body == ("GENEVA (ILO News) – First paragraph of the body.", "Second paragraph.")


def test_the_sites_copyright_in_a_listings_table_is_never_an_items_credit() -> None:
    rows = "".join(
        f'<tr><td><a href="{DOC.format(n)}">Title {n}</a><br>{15 - n} November 2021</td></tr>'
        for n in (1, 2, 3)
    )
    html = (
        f"<html><body><table><tr><td><b>November 2021</b></td></tr>{rows}"
        "<tr><td>© 1996-2011 International Labour Organization (ILO)</td></tr></table>"
        "<table><tr><td>© 1996-2011 International Labour Organization (ILO)</td></tr></table>"
        "</body></html>"
    )
    page = parse_listing(html, URL)
    assert [entry.title for entry in page.entries] == ["Title 1", "Title 2", "Title 3"]
    assert [entry.credit for entry in page.entries] == [None, None, None]


def test_a_copyright_notice_is_no_credit_but_a_photo_credit_with_a_year_is() -> None:
    assert credit_in("© 1996-2011 International Labour Organization (ILO)") is None
    assert credit_in("© ILO 2021") == "© ILO 2021"
    assert credit_in("A farm in Lampung. © ILO/A. Santoso") == "© ILO/A. Santoso"


def test_an_article_whose_title_and_date_are_missed_keeps_its_body() -> None:
    """A page showing its body but no heading and no date line (the listing gave them): kept
    with its body, the title and date missing (the crawl counts the miss as drift)."""
    page = parse_article(
        "<html><body><div class=x><p>GENEVA (ILO News) – A first paragraph that says what "
        "happened, long enough to be one.</p><p>A second paragraph of the same article, with "
        "more of what was said, and by whom, and when it was said.</p><p>A third paragraph, as "
        "long as the others are, with what comes next.</p></div>"
        "</body></html>",
        ARTICLE_URL,
    )
    assert (page.has_article, page.title, page.date_text) == (True, None, None)
    assert len(page.body) == 3


def test_an_error_page_is_no_article() -> None:
    page = parse_article(
        "<html><body><h1>Page not found</h1><p>The page you requested does not exist.</p>"
        "</body></html>",
        ARTICLE_URL,
    )
    assert not page.has_article


def test_separate_elements_texts_stay_separate() -> None:
    """A label element followed by a date element, nothing between them: two texts, and the
    date is found."""
    page = parse_article(
        "<html><body><main><h1>Title one</h1><div><span>ILO in action</span>"
        "<time>22 June 2021</time></div><p>First paragraph of the body, long enough.</p>"
        "<p>Second.</p></main></body></html>",
        ARTICLE_URL,
    )
    assert (page.type, page.date_text) == ("ILO in action", "22 June 2021")


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ("<table><tr><th>Type:</th><td>Feature</td></tr><tr><th>Date:</th>"
         "<td>22 June 2021</td></tr></table>", ("Feature", "22 June 2021")),
        ("<dl><dt>Tipo</dt><dd>Comunicado de prensa</dd><dt>Fecha</dt><dd>22 June 2021</dd>"
         "</dl>", ("Comunicado de prensa", "22 June 2021")),
        ("<p>Date issued: 22 June 2021</p><p class=k>Press release</p>",
         ("Press release", "22 June 2021")),
    ],
)  # fmt: skip
def test_the_type_and_date_of_a_metadata_table_list_or_label(
    meta: str, expected: tuple[str, str]
) -> None:
    page = parse_article(
        "<html><head><title>ILO - Title one</title></head><body><div><div><h2>Title one</h2>"
        f"</div>{meta}<div class=t><p>First paragraph of the body, long enough to be one.</p>"
        "<p>Second.</p></div></div></body></html>",
        ARTICLE_URL,
    )
    assert (page.title, page.type, page.date_text) == ("Title one", *expected)
