"""The replica of the Wayback Machine: captures as the site stood, the CDX API, replay, the schedule
and politeness; and the site mode left as it was."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http.client
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import fetch, row
from replica_markup import GENERATIONS, article_fields, listing_items, pager

from ilo_crawler.mirror import Record, Site, default_dataset, parse_dataset
from ilo_crawler.mirror.faults import FaultySite
from ilo_crawler.mirror.layouts import NEWEST_LAYOUT
from ilo_crawler.mirror.process import running_mirror
from ilo_crawler.mirror.site import Response
from ilo_crawler.mirror.wayback import (
    CDX_FIELDS,
    ORIGINAL_BASE,
    ScheduleError,
    StrictArchive,
    Wayback,
    pad_timestamp,
    parse_schedule,
    surt,
)
from ilo_crawler.sites.wcms.urls import ArticleKey, article_path, listing_path, offset_in_url

ALL_EN = listing_path("all-newsroom", "en")


def original(path: str) -> str:
    return ORIGINAL_BASE + path


def listing_url(offset: int) -> str:
    return original(listing_path("all-newsroom", "en", offset))


def article_url(doc_id: int) -> str:
    return original(article_path("news", f"WCMS_{doc_id}", "en"))


#: Ten items, WCMS_1 on 1 January 2020 to WCMS_10 on 10 January.
ROWS = [row(n, f"2020-01-{n:02d}") for n in range(10, 0, -1)]
#: A sparse, uneven archive: the listing captured on 5 and 10 January (page 2 once, pages 3 and
#: 4 on the 10th only) and on 31 December 2019 (before any item); WCMS_3 twice, WCMS_5 once as an
#: error, WCMS_1 never (no default article captures).
SCHEDULE = {
    "listing": [
        {"listing": "all-newsroom", "lang": "en", "at": "20200105120000", "offsets": [0, 3]},
        {"listing": "all-newsroom", "lang": "en", "at": "20200110120000", "offsets": [0, 3, 6, 9]},
        {"listing": "all-newsroom", "lang": "en", "at": "20191231000000"},
    ],
    "articles": {
        "delay_days": None,
        "extra": [
            {"article": "WCMS_3/en", "at": "20200104000000"},
            {"article": "WCMS_3/en", "at": "20200301000000"},
            {"article": "WCMS_5/en", "at": "20200106000000", "status": 503},
        ],
    },
}


def records() -> list[Record]:
    return parse_dataset("".join(json.dumps(r) + "\n" for r in ROWS))


@pytest.fixture(scope="module")
def archive() -> Wayback:
    return Wayback(records(), page_size=3, schedule=parse_schedule(SCHEDULE))


@pytest.fixture(scope="module")
def default_archive() -> Wayback:
    return Wayback(default_dataset())


def cdx(archive: Wayback, **params: str) -> tuple[int, Any]:
    status, headers, body = archive.respond("/cdx/search/cdx?" + urllib.parse.urlencode(params))
    if status != 200:
        return status, body.decode()
    if params.get("output") == "json":
        assert dict(headers)["Content-Type"] == "application/json"
        return status, json.loads(body)
    return status, body.decode()


def titles(body: bytes, layout: str = NEWEST_LAYOUT) -> list[str | None]:
    """The item titles of a listing capture (every capture here is of 2020 or later: wcms2019)."""
    return [item["title"] for item in listing_items(body, layout)]


def hrefs(body: bytes, layout: str = NEWEST_LAYOUT) -> list[str | None]:
    return [item["href"] for item in listing_items(body, layout)]


# The CDX API -----------------------------------------------------------------------------------


def test_cdx_json_lists_the_captures_of_a_url_by_time(archive: Wayback) -> None:
    status, rows = cdx(archive, url=listing_url(3), output="json")
    assert status == 200
    assert rows[0] == list(CDX_FIELDS)
    assert [r[1] for r in rows[1:]] == ["20200105120000", "20200110120000"]
    key = "org,ilo)/global/about-the-ilo/newsroom/all-newsroom/lang--en/nextrow--3/index.htm"
    assert {r[0] for r in rows[1:]} == {key}
    assert {r[2] for r in rows[1:]} == {listing_url(3)}
    assert {(r[3], r[4]) for r in rows[1:]} == {("text/html", "200")}
    # digest and length are those of the capture's body, which differ between the two times
    for r in rows[1:]:
        body = archive.respond(f"/web/{r[1]}id_/{r[2]}")[2]
        assert r[5] == base64.b32encode(hashlib.sha1(body).digest()).decode()
        assert r[6] == str(len(body))
    assert rows[1][5] != rows[2][5]
    # the scheme and www. are not part of the key
    assert (
        cdx(archive, url=listing_url(3).replace("http://www.", "https://"), output="json")[1]
        == rows
    )
    assert cdx(archive, url=listing_url(12), output="json") == (200, [])


def test_cdx_from_to_limit_and_text_lines(archive: Wayback) -> None:
    url = listing_url(0)
    stamps = lambda **p: [r[1] for r in cdx(archive, url=url, output="json", **p)[1][1:]]  # noqa: E731
    assert stamps() == ["20191231000000", "20200105120000", "20200110120000"]
    assert stamps(**{"from": "20200101"}) == ["20200105120000", "20200110120000"]
    assert stamps(to="20200105") == ["20191231000000", "20200105120000"]  # to: the whole day
    assert stamps(**{"from": "2020", "to": "202001051159"}) == []
    assert stamps(limit="1") == ["20191231000000"]
    assert stamps(limit="-1") == ["20200110120000"]
    status, text = cdx(archive, url=url, fl="timestamp,statuscode")
    assert text == "20191231000000 404\n20200105120000 200\n20200110120000 200\n"
    assert cdx(archive, url=url, output="json", fl="original")[1] == [["original"]] + [[url]] * 3


def test_cdx_prefix_collapse_and_status_filters(archive: Wayback) -> None:
    prefix = ORIGINAL_BASE + "/global/about-the-ilo/newsroom/all-newsroom/lang--en/"
    _, rows = cdx(archive, url=prefix + "*", output="json")
    assert rows == cdx(archive, url=prefix, matchType="prefix", output="json")[1]
    assert len(rows) == 1 + 3 + 2 + 1 + 1  # index, nextRow--3, --6, --9
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])  # by URL key, then time
    _, one_each = cdx(archive, url=prefix + "*", output="json", collapse="urlkey")
    assert [r[0].split("/")[-2] for r in one_each[1:]] == [
        "lang--en",
        "nextrow--3",
        "nextrow--6",
        "nextrow--9",
    ]
    _, days = cdx(archive, url=listing_url(0), output="json", collapse="timestamp:6")
    assert [r[1] for r in days[1:]] == ["20191231000000", "20200105120000"]

    _, five = cdx(archive, url=article_url(5), output="json")
    assert [r[4] for r in five[1:]] == ["503"]
    assert cdx(archive, url=article_url(5), output="json", filter="statuscode:200")[1] == []
    _, ok = cdx(archive, url=ORIGINAL_BASE + "/*", output="json", filter="statuscode:200")
    _, not_ok = cdx(archive, url=ORIGINAL_BASE + "/*", output="json", filter="!statuscode:200")
    assert {r[4] for r in ok[1:]} == {"200"} and {r[4] for r in not_ok[1:]} == {"404", "503"}
    assert len(ok) + len(not_ok) - 2 == 10  # every capture once


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"url": ALL_EN, "bogus": "1"}, "unknown parameter 'bogus'"),
        ({"output": "json"}, "missing parameter 'url'"),
        ({"url": ALL_EN, "from": "2020-01"}, "bad from"),
        ({"url": ALL_EN, "limit": "ten"}, "bad limit"),
        ({"url": ALL_EN, "filter": "colour:red"}, "unknown field 'colour'"),
        ({"url": ALL_EN, "collapse": "timestamp:0"}, "bad collapse"),
        ({"url": ALL_EN, "matchType": "domain"}, "accepted: exact, prefix"),
        ({"url": ALL_EN, "output": "xml"}, "bad output"),
    ],
)
def test_cdx_refuses_bad_parameters(archive: Wayback, params: dict[str, str], message: str) -> None:
    status, text = cdx(archive, **params)
    assert status == 400 and message in text


# Captures show the site as it stood ------------------------------------------------------------


def test_a_listing_capture_shows_only_the_items_published_by_then(archive: Wayback) -> None:
    url = listing_url(3)
    early = archive.respond(f"/web/20200105120000id_/{url}")[2]
    late = archive.respond(f"/web/20200110120000id_/{url}")[2]
    # On 5 January the newest item was WCMS_5: offsets count from it.
    assert titles(early) == ["Title 2", "Title 1"]
    assert titles(late) == ["Title 7", "Title 6", "Title 5"]
    first = archive.respond(f"/web/20200105120000id_/{listing_url(0)}")[2]
    assert titles(first) == ["Title 5", "Title 4", "Title 3"]
    last = pager(first, NEWEST_LAYOUT)["last"]
    assert last == [listing_path("all-newsroom", "en", 3)]  # the pager as it was
    # Before the first item the listing did not exist: the capture is the site's 404.
    status, _, _ = archive.respond(f"/web/20191231000000id_/{listing_url(0)}")
    assert status == 404


def test_id_replay_is_the_page_unmodified_with_memento_headers(archive: Wayback) -> None:
    status, headers, body = archive.respond(f"/web/20200110120000id_/{listing_url(0)}")
    assert status == 200
    live = Site(records(), page_size=3).respond(ALL_EN)
    assert body == live[2]  # by the 10th every item was out: the page as the site serves it now
    headers = dict(headers)
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Memento-Datetime"] == "Fri, 10 Jan 2020 12:00:00 GMT"
    assert headers["Link"].startswith(f'<{listing_url(0)}>; rel="original"')
    assert headers["X-Archive-Orig-ETag"] == dict(live[1])["ETag"]
    assert hrefs(body) == [article_path("news", f"WCMS_{n}", "en") for n in (10, 9, 8)]


def test_replay_without_id_has_the_banner_and_rewritten_links(archive: Wayback) -> None:
    status, _, body = archive.respond(f"/web/20200110120000/{listing_url(0)}")
    assert status == 200
    html = body.decode()
    assert '<div id="wm-ipp">' in html
    assert hrefs(body) == [f"/web/20200110120000/{article_url(n)}" for n in (10, 9, 8)]
    assert f'href="/web/20200110120000/{listing_url(3)}"' in html  # the pager too
    assert 'href="/global/' not in html and 'href="mailto:' in html


def test_article_captures_follow_the_schedule(archive: Wayback) -> None:
    status, headers, body = archive.respond(f"/web/20200104000000id_/{article_url(3)}")
    assert status == 200 and article_fields(body, NEWEST_LAYOUT)["title"] == "Title 3"
    assert archive.respond(f"/web/20200106000000id_/{article_url(5)}")[0] == 503
    for never in (article_url(1), listing_url(12), ORIGINAL_BASE + "/global/lang--en/index.htm"):
        assert archive.respond(f"/web/2020id_/{never}")[0] == 404
    assert archive.respond("/no/such/page")[0] == 404


def test_captures_show_items_as_they_stood_before_a_correction() -> None:
    """WCMS_2's title and summary were corrected on 8 January: captures before show them so."""
    corrected = row(
        2,
        "2020-01-02",
        summary="Final",
        earlier=[{"until": "2020-01-08", "title": "Draft 2", "summary": "Old"}],
    )
    dataset = parse_dataset(json.dumps(row(1, "2020-01-01")) + "\n" + json.dumps(corrected))
    before, after = "20200105120000", "20200110120000"
    listing = [{"listing": "all-newsroom", "lang": "en", "at": at} for at in (before, after)]
    extra = [{"article": "WCMS_2/en", "at": at} for at in (before, after)]
    archive = Wayback(
        dataset,
        page_size=3,
        schedule=parse_schedule(
            {"listing": listing, "articles": {"delay_days": None, "extra": extra}}
        ),
    )

    def shown(respond: Callable[[str], Response], prefix: str) -> list[tuple[str | None, ...]]:
        """(title, summary) of the listing's items, then of WCMS_2's article page."""
        items = listing_items(respond(prefix + listing_url(0))[2], NEWEST_LAYOUT)
        page = article_fields(respond(prefix + article_url(2))[2], NEWEST_LAYOUT)
        return [(item["title"], item["summary"]) for item in items] + [
            (page["title"], page["teaser"])
        ]

    assert shown(archive.respond, f"/web/{before}id_/") == [
        ("Draft 2", "Old"),
        ("Title 1", None),
        ("Draft 2", "Old"),
    ]
    current = [("Title 2", "Final"), ("Title 1", None), ("Title 2", "Final")]
    assert shown(archive.respond, f"/web/{after}id_/") == current
    site = Site(dataset)
    assert shown(lambda url: site.respond(urlsplit(url).path), "") == current
    _, digests = cdx(archive, url=article_url(2), output="json", fl="digest")
    assert digests[1] != digests[2]  # the digest is that of each capture's own body


#: One item in each layout generation's years, each captured in March of its year.
YEARS_ROWS = [row(3, "2021-03-01"), row(2, "2016-03-01"), row(1, "2011-03-01")]
YEARS_SCHEDULE = {
    "listing": [
        {"listing": "all-newsroom", "lang": "en", "at": f"{year}0310120000"}
        for year in (2011, 2016, 2021)
    ],
    "articles": {
        "delay_days": None,
        "extra": [
            {"article": f"WCMS_{n}/en", "at": f"{year}0310120000"}
            for n, year in ((1, 2011), (2, 2016), (3, 2021))
        ],
    },
}
#: A capture's year, its layout, and the item newest then.
CAPTURE_LAYOUTS = [("2011", "wcms2010", 1), ("2016", "wcms2014", 2), ("2021", "wcms2019", 3)]


def years_records() -> list[Record]:
    return parse_dataset("".join(json.dumps(r) + "\n" for r in YEARS_ROWS))


def generations_of(body_of: Callable[[str], bytes], year: str, doc_id: int) -> list[str]:
    """The layouts whose selectors read the listing capture and the article capture of ``year``
    (the listing's first item and the article's title both WCMS_<doc_id>'s)."""
    listing = body_of(f"/web/{year}0310120000id_/{listing_url(0)}")
    article = body_of(f"/web/{year}0310120000id_/{article_url(doc_id)}")
    read = []
    for layout in GENERATIONS:
        items = listing_items(listing, layout)
        title = article_fields(article, layout)["title"]
        if items and items[0]["title"] == title == f"Title {doc_id}":
            read.append(layout)
    return read


@pytest.mark.parametrize(("year", "layout", "doc_id"), CAPTURE_LAYOUTS)
def test_each_capture_is_in_the_layout_of_its_year(year: str, layout: str, doc_id: int) -> None:
    archive = Wayback(years_records(), page_size=3, schedule=parse_schedule(YEARS_SCHEDULE))
    assert generations_of(lambda path: archive.respond(path)[2], year, doc_id) == [layout]
    listing = archive.respond(f"/web/{year}0310120000id_/{listing_url(0)}")[2]
    assert len(listing_items(listing, layout)) == doc_id  # the items published by then
    forced = Wayback(years_records(), 3, parse_schedule(YEARS_SCHEDULE), layout="wcms2019")
    assert generations_of(lambda path: forced.respond(path)[2], year, doc_id) == ["wcms2019"]


def test_the_archive_command_renders_by_year_unless_layout_forces_one(tmp_path: Path) -> None:
    dataset, captures = tmp_path / "years.jsonl", tmp_path / "captures.json"
    dataset.write_text("".join(json.dumps(r) + "\n" for r in YEARS_ROWS), encoding="utf-8")
    captures.write_text(json.dumps(YEARS_SCHEDULE), encoding="utf-8")

    def over_http(base: str) -> Callable[[str], bytes]:
        return lambda path: fetch(base + path)[2]

    with running_mirror(dataset, 3, "--wayback", "--captures", str(captures)) as base:
        read = [generations_of(over_http(base), y, n) for y, _, n in CAPTURE_LAYOUTS]
    assert read == [[layout] for _, layout, _ in CAPTURE_LAYOUTS]
    args = ("--wayback", "--captures", str(captures), "--layout", "wcms2014")
    with running_mirror(dataset, 3, *args) as base:
        read = [generations_of(over_http(base), y, n) for y, _, n in CAPTURE_LAYOUTS]
    assert read == [["wcms2014"]] * 3


def test_other_timestamps_redirect_to_the_nearest_capture(archive: Wayback) -> None:
    def location(path: str) -> str:
        status, headers, body = archive.respond(path)
        assert (status, body) == (302, b"")
        return dict(headers)["Location"]

    url = article_url(3)
    # halfway between the two captures: the earlier one
    assert location(f"/web/20200201120000id_/{url}") == f"/web/20200104000000id_/{url}"
    assert location(f"/web/20200201120001id_/{url}") == f"/web/20200301000000id_/{url}"
    assert location(f"/web/2019id_/{url}") == f"/web/20200104000000id_/{url}"
    assert location(f"/web/2020id_/{url}") == f"/web/20200301000000id_/{url}"  # up to year end
    assert location(f"/web/20200115/{url}") == f"/web/20200104000000/{url}"  # keeps the form
    status, headers, _ = archive.respond(f"/web/20200201120000id_/{url}")
    assert dict(headers)["X-Archive-Redirect-Reason"] == "found capture at 20200104000000"
    assert "Memento-Datetime" not in dict(headers)  # a redirect of the archive, not a capture
    # the URL as clients mangle it (one slash, other scheme, no www.)
    mangled = "https:/ilo.org" + article_path("news", "WCMS_3", "en")
    assert location(f"/web/20200102id_/{mangled}") == f"/web/20200104000000id_/{url}"
    assert archive.respond(f"/web/20200104000000xx_/{url}")[0] == 400


# The archive's quirks ----------------------------------------------------------------------------

PRESS = "/global/about-the-ilo/newsroom/media-centre/press-releases"
PDF = "/wcmsp5/groups/public/---dgreports/---dcomm/documents/publication/wcms_6.pdf"
QUIRKS = {
    "listing": [{"listing": "all-newsroom", "lang": "en", "at": "20200111093000", "spread": 60}],
    "articles": {
        "delay_days": None,
        "extra": [
            # listed a few seconds before the capture replay holds
            {"article": "WCMS_2/en", "at": "20200105120000", "listed_at": "20200105115957"},
            # moved to another section: an archived redirect
            {
                "article": "WCMS_4/en",
                "at": "20200106120000",
                "redirect": f"{PRESS}/WCMS_4/lang--en/index.htm",
            },
            # a redirect to a PDF, and a stub page linking to one
            {"article": "WCMS_6/en", "at": "20200108120000", "redirect": PDF, "status": 302},
            {"article": "WCMS_7/en", "at": "20200109120000", "pdf_stub": PDF.replace("_6", "_7")},
            # captured under another host only
            {"article": "WCMS_8/en", "at": "20200110120000", "host": "http://www.ilo.ch"},
        ],
    },
}


@pytest.fixture(scope="module")
def quirky() -> Wayback:
    return Wayback(records(), page_size=3, schedule=parse_schedule(QUIRKS))


def test_a_capture_listed_at_another_moment_redirects_to_where_replay_holds_it(
    quirky: Wayback,
) -> None:
    rows = cdx(quirky, url=article_url(2), output="json")[1]
    assert [r[1] for r in rows[1:]] == ["20200105115957"]
    status, headers, _ = quirky.respond(f"/web/20200105115957id_/{article_url(2)}")
    assert status == 302 and dict(headers)["Location"] == f"/web/20200105120000id_/{article_url(2)}"
    status, headers, _ = quirky.respond(f"/web/20200105120000id_/{article_url(2)}")
    assert status == 200 and dict(headers)["Memento-Datetime"] == "Sun, 05 Jan 2020 12:00:00 GMT"


def test_an_archived_redirect_is_a_capture_leading_on_inside_the_archive(quirky: Wayback) -> None:
    moved = original(f"{PRESS}/WCMS_4/lang--en/index.htm")
    row = cdx(quirky, url=article_url(4), output="json")[1][1]
    assert (row[1], row[4]) == ("20200106120000", "301")
    status, headers, body = quirky.respond(f"/web/20200106120000id_/{article_url(4)}")
    headers = dict(headers)
    assert status == 301 and "Memento-Datetime" in headers  # the page answered 301 then
    assert headers["Location"] == f"/web/20200106120000id_/{moved}"
    assert headers["X-Archive-Orig-Location"] == moved
    # The target was captured seven seconds later: the archive redirects to it, the page.
    status, headers, _ = quirky.respond(headers["Location"])
    assert (status, dict(headers)["Location"]) == (302, f"/web/20200106120007id_/{moved}")
    status, _, body = quirky.respond(f"/web/20200106120007id_/{moved}")
    assert status == 200 and article_fields(body, NEWEST_LAYOUT)["title"] == "Title 4"


def test_documents_that_are_pdfs_redirect_or_stand_as_stub_pages(quirky: Wayback) -> None:
    status, headers, _ = quirky.respond(f"/web/20200108120000id_/{article_url(6)}")
    assert status == 302 and dict(headers)["Location"].endswith(f"id_/{original(PDF)}")
    status, headers, body = quirky.respond(f"/web/20200108120007id_/{original(PDF)}")
    assert status == 200 and dict(headers)["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF-1.4") and body.rstrip().endswith(b"%%EOF")
    assert cdx(quirky, url=original(PDF), output="json")[1][1][3] == "application/pdf"
    status, _, body = quirky.respond(f"/web/20200109120000id_/{article_url(7)}")
    assert status == 200 and b"If you have not been redirected" in body
    assert f'href="{PDF.replace("_6", "_7")}"'.encode() in body


def test_a_page_captured_under_another_host_has_its_own_url_key(quirky: Wayback) -> None:
    on_ch = "http://www.ilo.ch" + article_path("news", "WCMS_8", "en")
    assert cdx(quirky, url=article_url(8), output="json") == (200, [])
    rows = cdx(quirky, url=on_ch, output="json")[1]
    assert rows[1][0].startswith("ch,ilo)/") and rows[1][2] == on_ch
    assert quirky.respond(f"/web/20200110120000id_/{on_ch}")[0] == 200


def test_the_strict_index_repeats_rows_and_carries_revisits_day_00_and_host_variants() -> None:
    strict = Wayback(default_dataset(), quirks=True)
    prefix = ORIGINAL_BASE + "/global/about-the-ilo/newsroom/all-newsroom/lang--en/*"
    _, rows = cdx(strict, url=prefix, output="json", **{"from": "2021", "to": "2021"})
    rows = rows[1:]
    assert any(a == b for a, b in zip(rows, rows[1:], strict=False))  # back to back
    revisits = [r for r in rows if r[3] == "warc/revisit"]
    assert revisits and {(r[4], r[6]) for r in revisits} == {("-", "-")}
    assert any(r[1][6:8] == "00" for r in rows)
    hosts = {urlsplit(r[2]).netloc for r in rows}
    assert {"www.ilo.org", "www.ilo.org:80", "ilo.org"} <= hosts and len(
        {r[0] for r in rows}
    ) < len(rows)
    # a status filter leaves revisits out; each row replays (variants and day 00 redirect)
    _, ok = cdx(
        strict,
        url=prefix,
        output="json",
        filter="statuscode:200",
        **{"from": "2021", "to": "2021"},
    )
    assert {r[4] for r in ok[1:]} == {"200"}
    real = next(r for r in ok[1:] if r[1][6:8] != "00")
    assert strict.respond(f"/web/{real[1]}id_/{real[2]}")[0] == 200


def test_default_schedule_captures_articles_after_their_date_only(
    default_archive: Wayback,
) -> None:
    articles = default_archive.site.articles
    seen = 0
    for captures in default_archive.captures.values():
        for capture in captures:
            if isinstance(capture.page, ArticleKey):
                record = articles[capture.page.doc_id, capture.page.lang]
                assert record.date < capture.day <= record.date + dt.timedelta(days=3)
                seen += 1
    assert seen == len(articles)
    with pytest.raises(ScheduleError, match="before its date 2020-01-03"):
        extra = [{"article": "WCMS_3/en", "at": "20200102235959"}]
        Wayback(records(), 3, parse_schedule({"articles": {"extra": extra}}))


def test_default_schedule_rebuilds_the_seed_month(default_archive: Wayback) -> None:
    """Through the real command: CDX, then ``id_`` replays, yield the seed page and the month."""
    site = default_archive.site
    live = site.listings["all-newsroom", "en"]
    seed_at = [r.id for r in live].index("WCMS_826064")
    seed = [r.title for r in live[seed_at : seed_at + 10]]
    assert seed[0] == "ILO launches new tool on social dialogue"
    november = {r.id for r in live if (r.date.year, r.date.month) == (2021, 11)}
    prefix = ORIGINAL_BASE + "/global/about-the-ilo/newsroom/all-newsroom/lang--en/"
    with running_mirror(None, None, "--wayback") as base:
        query = urllib.parse.urlencode(
            {"url": prefix + "*", "from": "202112", "to": "202112", "output": "json"}
            | {"filter": "statuscode:200"}
        )
        status, _, body = fetch(f"{base}/cdx/search/cdx?{query}")
        assert status == 200
        pages, found = [], set()
        for _, timestamp, url, *_ in json.loads(body)[1:]:
            status, headers, page = fetch(f"{base}/web/{timestamp}id_/{url}")
            assert status == 200 and "Memento-Datetime" in headers
            pages.append((timestamp, url, titles(page)))
            found |= {href.split("/")[-3] for href in hrefs(page) if href}
        assert [u for _, u, shown in pages if shown == seed] == [prefix + "nextRow--80/index.htm"]
        # The sweep of 5 December: its pages stamped seconds apart in no fixed order.
        sweep = [(t, u) for t, u, _ in pages if t.startswith("20211205")]
        assert all("20211205093000" <= t <= "20211205093259" for t, _ in sweep)
        by_offset = [t for t, _ in sorted(sweep, key=lambda s: offset_in_url(s[1]) or 0)]
        assert by_offset != sorted(by_offset) and len(set(by_offset)) > 1
        # ... down to the page after the month's last (nextRow--90), where older items show.
        assert max(offset_in_url(u) or 0 for _, u in sweep) == 90
        assert november <= found
        for doc_id in sorted(november)[:5]:
            record = site.articles[doc_id, "en"]
            url = original(article_path(record.section, doc_id, "en"))
            status, _, page = fetch(f"{base}/web/2021id_/{url}")
            assert status == 200 and record.title.encode() in page  # after the redirect


# Schedule, command line and politeness ---------------------------------------------------------


def test_timestamps_and_url_keys() -> None:
    assert pad_timestamp("2021", latest=False) == "20210101000000"
    assert pad_timestamp("202102", latest=True) == "20210228235959"
    assert pad_timestamp("20211", latest=False) == "20211001000000"
    assert pad_timestamp("2021-11", latest=True) is None
    assert surt("http://www.ilo.org/Global/X/index.htm") == "org,ilo)/global/x/index.htm"
    assert surt("ilo.org/a?b=1&a=2") == "org,ilo)/a?a=2&b=1"


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wayback") / "small.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return path


BAD_SCHEDULES = [
    ("[1]", "the schedule must be a JSON object, got [1]"),
    ('{"listings": []}', 'unknown key "listings" (known: listing, articles)'),
    ("{", "not valid JSON"),
    (
        '{"listing": [{"listing": "all-newsroom", "lang": "en", "at": "2021-11-16"}]}',
        'listing[0].at must be a timestamp YYYYMMDDhhmmss (14 digits), got "2021-11-16"',
    ),
    (
        '{"listing": [{"listing": "news", "lang": "en", "at": "20211116000000"}]}',
        "listing news/en is not in the dataset (it has all-newsroom/en)",
    ),
    (
        '{"listing": [{"listing": "all-newsroom", "lang": "en", "at": "20211116000000", '
        '"offsets": [-10]}]}',
        "listing[0].offsets must be a non-empty list of item offsets from 0",
    ),
    (
        '{"articles": {"extra": [{"article": "WCMS_3/en", "at": "20200105000000", "status": 301}]}}',
        "articles.extra[0].status must be one of 200, 404, 500, 503, got 301",
    ),
    ('{"articles": {"missing": ["826064"]}}', 'must name an article as "WCMS_<digits>/<lang>"'),
    (
        '{"listing": [{"listing": "all-newsroom", "lang": "en", "at": "20211116000000", '
        '"spread": -1}]}',
        "listing[0].spread must be a whole number of seconds from 0 to 86400, got -1",
    ),
    (
        '{"articles": {"extra": [{"article": "WCMS_3/en", "at": "20200105000000", '
        '"redirect": "/x/index.htm", "status": 200}]}}',
        "articles.extra[0].status of a redirect must be 301 or 302, got 200",
    ),
    (
        '{"articles": {"extra": [{"article": "WCMS_3/en", "at": "20200105000000", '
        '"redirect": "/x/index.htm"}]}}',
        "redirects WCMS_3/en to /x/index.htm: neither a PDF nor the page of an article",
    ),
    (
        '{"articles": {"extra": [{"article": "WCMS_3/en", "at": "20200105000000", '
        '"pdf_stub": "/x.htm"}]}}',
        "articles.extra[0].pdf_stub must be the path of a PDF (ending .pdf)",
    ),
    (
        '{"articles": {"extra": [{"article": "WCMS_3/en", "at": "20200105000000", '
        '"host": "ilo.ch"}]}}',
        "articles.extra[0].host must be a scheme and host such as https://ilo.org",
    ),
    (
        '{"articles": {"extra": [{"article": "WCMS_3/en", "at": "20200105000000", '
        '"listed_at": "yesterday"}]}}',
        "articles.extra[0].listed_at must be a timestamp YYYYMMDDhhmmss",
    ),
    ('{"articles": {"missing": ["WCMS_99/en"]}}', "articles.missing names WCMS_99/en, not in"),
]


@pytest.mark.parametrize(("text", "message"), BAD_SCHEDULES, ids=[m for _, m in BAD_SCHEDULES])
def test_bad_schedule_is_refused_in_one_line(
    tmp_path: Path, small_dataset: Path, text: str, message: str
) -> None:
    path = tmp_path / "captures.json"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ilo_crawler.mirror", "--wayback", "--dataset", str(small_dataset)]
        + ["--captures", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: captures {path}: ")
    assert message in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--captures", "x.json"], "--captures needs --wayback"),
        (["--wayback", "--strict", "--time-scale", "0"], "invalid --time-scale '0': expected"),
        (["--wayback", "--time-scale", "0.1"], "--time-scale needs --strict"),
        (["--wayback", "--strict", "--block-hours", "-1"], "invalid --block-hours '-1': expected"),
        (["--wayback", "--block-hours", "1"], "--block-hours needs --strict"),
        (["--strict"], "--strict needs --wayback"),
        (["--robots-blocked", "WCMS_"], "--robots-blocked needs --wayback"),
        (["--wayback", "--robots-blocked", "("], "invalid --robots-blocked '(': not a regular"),
        (["--wayback", "--publish-every", "2"], "--publish-every does not apply to --wayback"),
    ],
)
def test_bad_archive_options_are_refused_in_one_line(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ilo_crawler.mirror", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: {message}") and result.stderr.count("\n") == 1


def strict_archive(now: list[float]) -> StrictArchive:
    inner = FaultySite(Wayback(records(), 3, parse_schedule(SCHEDULE)))  # type: ignore[arg-type]
    return StrictArchive(inner, 0.01, {"cdx": 2, "captures": 3}, clock=lambda: now[0])


CAPTURE_PATH = f"/web/20200104000000id_/{article_url(3)}"
CDX_PATH = f"/cdx/search/cdx?url={listing_url(0)}"


def test_the_strict_archive_limits_each_endpoint_per_scaled_minute() -> None:
    now = [100.0]
    archive = strict_archive(now)  # a minute is 0.6 s; an hour 36 s

    def statuses(path: str, count: int) -> list[int]:
        return [archive.respond(path).status for _ in range(count)]

    assert statuses(CDX_PATH, 3) == [200, 200, 429]
    refused = archive.respond(CDX_PATH)
    assert refused.status == 429 and "Retry-After" not in dict(refused.headers)
    assert statuses(CAPTURE_PATH, 4) == [200, 200, 200, 429]  # the other endpoint's own limit
    assert statuses("/robots.txt", 5) == [200] * 5  # not limited
    now[0] += 0.3
    assert statuses(CAPTURE_PATH, 1) == [429]  # still in the window of the first three
    now[0] += 0.7  # over a minute after the last 429 of each endpoint: the windows are empty
    assert statuses(CDX_PATH, 3) == [200, 200, 429]
    assert statuses(CAPTURE_PATH, 4) == [200, 200, 200, 429]
    assert archive.blocks == 0


def test_the_strict_archive_blocks_a_client_going_on_through_a_minute_of_429s() -> None:
    now = [100.0]
    archive = strict_archive(now)
    assert [archive.respond(CDX_PATH).status for _ in range(3)] == [200, 200, 429]
    # A client that waits a minute after its last 429 is never blocked ...
    now[0] += 0.7
    assert archive.respond(CDX_PATH).status == 200
    # ... one that keeps sending through 429s for more than a minute is, on every endpoint.
    now[0] += 0.7
    statuses = []
    for _ in range(12):
        statuses.append(archive.respond(CDX_PATH).status)
        now[0] += 0.1
    assert statuses[:3] == [200, 200, 429] and 0 in statuses
    blocked_from = statuses.index(0)
    assert set(statuses[2:blocked_from]) == {200, 429} and set(statuses[blocked_from:]) == {0}
    assert archive.respond(CAPTURE_PATH).dropped and archive.respond("/robots.txt").dropped
    assert archive.blocks == 1
    now[0] += 36.0  # an hour later
    assert archive.respond(CDX_PATH).status == 200


def test_a_block_over_http_drops_connections_unanswered(
    tmp_path: Path, small_dataset: Path
) -> None:
    captures = tmp_path / "captures.json"
    captures.write_text(json.dumps(SCHEDULE), encoding="utf-8")
    args = ("--wayback", "--captures", str(captures), "--strict", "--time-scale", "0.002")
    with running_mirror(small_dataset, 3, *args) as base:
        url = urlsplit(base)
        answers = []
        blocked = False
        connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
        for _ in range(5000):  # 30 answers in 0.12 s, then 429s until the block
            try:
                connection.request("GET", CDX_PATH)
                response = connection.getresponse()
            except (http.client.HTTPException, ConnectionError):
                blocked = True
                break
            answers.append((response.status, response.getheader("Retry-After")))
            response.read()
        connection.close()
        assert blocked
        assert answers[:30] == [(200, None)] * 30
        assert (429, None) in answers[30:] and {status for status, _ in answers} == {200, 429}
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            fetch(base + "/robots.txt")


def test_site_mode_is_unchanged(small_dataset: Path) -> None:
    site = Site(records(), page_size=3)
    with running_mirror(small_dataset, 3) as base:
        for path in (ALL_EN, listing_path("all-newsroom", "en", 3), "/robots.txt"):
            status, headers, body = fetch(base + path)
            expected = site.respond(path)
            assert (status, body) == (expected[0], expected[2])
            assert headers["Content-Type"] == dict(expected[1])["Content-Type"]
        assert fetch(base + "/cdx/search/cdx?url=" + ALL_EN)[0] == 404
        assert fetch(f"{base}/web/20200110120000id_/{listing_url(0)}")[0] == 404


def test_faults_apply_to_the_archive(small_dataset: Path) -> None:
    args = ("--wayback", "--fail-path", "^/cdx/", "--fail-path-status", "503")
    with running_mirror(small_dataset, 3, *args) as base:
        status, headers, _ = fetch(f"{base}/cdx/search/cdx?url={listing_url(0)}")
        assert (status, headers["Retry-After"]) == (503, "1")
        assert fetch(f"{base}/web/20200110120000id_/{listing_url(0)}")[0] == 200
