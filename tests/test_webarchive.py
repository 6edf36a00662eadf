"""The Wayback Machine's URLs and CDX answers, as the crawler builds and reads them."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest

from ilo_crawler.sites.wcms.documents import pdf_document
from ilo_crawler.sites.wcms.urls import article_path, listing_path
from ilo_crawler.webarchive import (
    CdxCapture,
    CdxError,
    article_query_url,
    capture_url,
    listing_offsets,
    listing_query_url,
    original_of,
    page_url,
    parse_cdx,
    parse_cdx_page,
    replayed,
    timestamp_iso,
)

ARCHIVE = "https://web.archive.org"


def test_a_listing_query_asks_for_every_page_under_the_listing_in_the_windows() -> None:
    url = listing_query_url(
        ARCHIVE + "/", "all-newsroom", "en", dt.date(2021, 1, 1), dt.date(2022, 1, 31), 500, None
    )
    parts = urlsplit(url)
    assert url.startswith(ARCHIVE + "/cdx/search/cdx?")
    assert parse_qsl(parts.query) == [
        ("url", "www.ilo.org/global/about-the-ilo/newsroom/all-newsroom/lang--en/"),
        ("matchType", "prefix"),
        ("from", "20210101"),
        ("to", "20220131"),
        ("output", "json"),
        ("fl", "urlkey,timestamp,original,statuscode"),  # a resume key is made of the URL key
        ("filter", "statuscode:200"),
        ("limit", "500"),
        ("showResumeKey", "true"),
    ]
    again = listing_query_url(
        ARCHIVE, "all-newsroom", "en", dt.date(2021, 1, 1), dt.date(2022, 1, 31), 500, "k 1"
    )
    assert parse_qsl(urlsplit(again).query)[-1] == ("resumeKey", "k 1")


def test_an_article_query_asks_for_its_first_capture_from_a_day_on_redirects_too() -> None:
    original = "http://www.ilo.org" + article_path("news", "WCMS_826064", "en")
    query = dict(
        parse_qsl(urlsplit(article_query_url(ARCHIVE, original, dt.date(2021, 11, 15))).query)
    )
    assert query["url"] == "www.ilo.org" + article_path("news", "WCMS_826064", "en")
    assert (query["from"], query["limit"]) == ("20211115", "1")
    assert query["filter"] == "statuscode:200|301|302"  # archived redirects are followed
    assert "to" not in query and "matchType" not in query


def test_captures_are_read_from_a_json_answer_whatever_the_field_order() -> None:
    body = (
        b'[["original","statuscode","timestamp"],'
        b'["http://www.ilo.org/a/index.htm","200","20211205093000"]]'
    )
    assert parse_cdx(body) == [
        CdxCapture("20211205093000", "http://www.ilo.org/a/index.htm", "200")
    ]
    assert parse_cdx(b"") == parse_cdx(b"[]") == parse_cdx(b" \n") == []


def test_repeated_rows_revisits_and_impossible_timestamps_are_left_out() -> None:
    header = '["urlkey","timestamp","original","mimetype","statuscode","digest","length"]'
    page = "org,ilo)/a/index.htm"
    rows = [
        f'["{page}","20211205093000","http://www.ilo.org:80/a/index.htm","text/html","200","D","9"]',
        f'["{page}","20211205093000","http://www.ilo.org:80/a/index.htm","text/html","200","D","9"]',
        f'["{page}","20211206093000","https://ilo.org/a/index.htm","warc/revisit","-","D","-"]',
        f'["{page}","20211200093000","http://www.ilo.org/a/index.htm","text/html","200","D","9"]',
        f'["{page}","20211207093000","http://ilo.org/a/index.htm","text/html","200","E","9"]',
    ]
    body = f'[{header},{",".join(rows)},[],["{page} 20211207093000"]]'.encode()
    captures, resume = parse_cdx_page(body)
    assert captures == [
        CdxCapture("20211205093000", "http://www.ilo.org:80/a/index.htm", "200"),
        CdxCapture("20211207093000", "http://ilo.org/a/index.htm", "200"),
    ]
    assert resume == f"{page} 20211207093000"
    assert parse_cdx(body) == captures


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"<html>Service unavailable</html>", "CDX answer is not JSON"),
        (b'{"error": "blocked"}', "CDX answer is not a list of rows"),
        (
            b'[["urlkey","timestamp"],["x","20211205093000"]]',
            "lacks the fields original, statuscode",
        ),
    ],
)
def test_an_answer_that_is_not_a_cdx_answer_is_one_line_naming_it(body: bytes, named: str) -> None:
    with pytest.raises(CdxError) as raised:
        parse_cdx(body)
    assert named in str(raised.value) and "\n" not in str(raised.value)


def test_capture_urls_and_times() -> None:
    original = "http://www.ilo.org/global/x/index.htm"
    assert capture_url(ARCHIVE + "/", "20211205093000", original) == (
        "https://web.archive.org/web/20211205093000id_/http://www.ilo.org/global/x/index.htm"
    )
    assert timestamp_iso("20211205093000") == "2021-12-05T09:30:00+00:00"
    assert CdxCapture("20211205093000", original, "200").captured_at == timestamp_iso(
        "20211205093000"
    )


def test_listing_pages_are_grouped_by_offset_and_other_urls_left_out() -> None:
    def at(path: str, timestamp: str) -> CdxCapture:
        return CdxCapture(timestamp, "http://www.ilo.org:80" + path, "200")

    found = [
        at(listing_path("all-newsroom", "en", 10), "20211206000000"),
        at(listing_path("all-newsroom", "en", 10), "20211205000000"),
        at(listing_path("all-newsroom", "en"), "20211205000000"),
        at(listing_path("all-newsroom", "fr"), "20211205000000"),  # another language
        at(listing_path("news", "en"), "20211205000000"),  # another listing
        at("/global/about-the-ilo/newsroom/all-newsroom/lang--en/feed.xml", "20211205000000"),
    ]
    pages = listing_offsets(found, "all-newsroom", "en")
    assert sorted(pages) == [0, 10]
    assert [c.timestamp for c in pages[10]] == ["20211205000000", "20211206000000"]


def test_the_capture_replayed_is_where_the_archive_led() -> None:
    url = ARCHIVE + "/web/20211205093012id_/http://www.ilo.org:80/global/x/index.htm?a=1"
    when = b"Sun, 05 Dec 2021 09:30:12 GMT"
    assert replayed(url, when, 200) == CdxCapture(
        "20211205093012", "http://www.ilo.org:80/global/x/index.htm?a=1", "200"
    )
    assert replayed(url, None, 200) is None  # no Memento-Datetime: not a capture
    assert replayed(ARCHIVE + "/cdx/search/cdx?url=x", when, 200) is None
    assert original_of(url) == "http://www.ilo.org:80/global/x/index.htm?a=1"
    assert page_url("http://www.ilo.org:80/global/x/index.htm") == (
        "http://www.ilo.org/global/x/index.htm"
    )
    assert page_url("https://ilo.org:443/x") == "https://ilo.org/x"
    assert page_url("http://ilo.ch:8080/x") == "http://ilo.ch:8080/x"


def test_a_pdf_or_the_wcms_stub_of_one_is_a_pdf_document() -> None:
    page = "http://www.ilo.org/global/news/WCMS_7/lang--en/index.htm"
    pdf = "http://www.ilo.org/wcmsp5/groups/public/documents/publication/wcms_7.pdf"
    assert pdf_document(pdf, b"application/pdf", b"%PDF-1.4") == pdf
    stub = (
        b'<html><head><meta http-equiv="refresh" content="0; url=/wcmsp5/groups/public/'
        b'documents/publication/wcms_7.pdf"></head><body><p>If you have not been redirected, '
        b"please click on the link below.</p></body></html>"
    )
    assert pdf_document(page, b"text/html; charset=utf-8", stub) == pdf
    linked = stub.replace(b"refresh", b"x").replace(
        b"</p>", b'</p><a href="/wcmsp5/groups/public/documents/publication/wcms_7.pdf">PDF</a>'
    )
    assert pdf_document(page, b"text/html", linked) == pdf
    assert (
        pdf_document(page, b"text/html", b"<p>An article linking <a href='a.pdf'>a</a></p>") is None
    )
