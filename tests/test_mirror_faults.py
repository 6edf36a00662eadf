"""The replica's fault options: deterministic misbehaviour for tests of an unattended crawler."""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import fetch, row
from parsel import Selector
from replica_markup import GENERATIONS, article_fields, listing_items

from ilo_crawler.langs import format_date
from ilo_crawler.mirror import Record, Site, default_dataset, parse_dataset
from ilo_crawler.mirror.faults import (
    FaultOptions,
    FaultySite,
    add_arguments,
    options_from_arguments,
)
from ilo_crawler.mirror.layouts import NEWEST_LAYOUT
from ilo_crawler.mirror.process import running_mirror
from ilo_crawler.sites.wcms.urls import article_path, listing_path

ALL_EN = listing_path("all-newsroom", "en")
SEED_ARTICLE = article_path("news", "WCMS_826064", "en")


# Helpers ---------------------------------------------------------------------------------------


def jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


#: 12 items, 11 to 22 December 2020, newest first: WCMS_100 ... WCMS_111.
SMALL_ROWS = [row(100 + i, f"2020-12-{22 - i:02d}", body=["Text."]) for i in range(12)]


def small_site(page_size: int = 5, layout: str | None = None) -> Site:
    return Site(parse_dataset(jsonl(SMALL_ROWS)), page_size=page_size, layout=layout)


def statuses(site: FaultySite, paths: list[str]) -> list[int]:
    return [site.respond(path).status for path in paths]


def item_hrefs(html: bytes) -> list[str]:
    """The article links of a listing page of the live replica (the newest layout)."""
    return [item["href"] for item in listing_items(html, NEWEST_LAYOUT)]


def doc_ids(hrefs: list[str]) -> list[str]:
    return [href.split("/")[-3] for href in hrefs]


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return default_dataset()


@pytest.fixture
def small_dataset(tmp_path: Path) -> Path:
    path = tmp_path / "small.jsonl"
    path.write_text(jsonl(SMALL_ROWS), encoding="utf-8")
    return path


# Transient failures ----------------------------------------------------------------------------


def test_no_fault_option_answers_exactly_as_the_site() -> None:
    site = small_site()
    faulty = FaultySite(small_site())
    for path in (ALL_EN, listing_path("all-newsroom", "en", 5), SEED_ARTICLE, "/robots.txt"):
        answer = faulty.respond(path)
        assert (answer.status, answer.headers, answer.body) == site.respond(path)
        assert (answer.delay, answer.cut, answer.events) == (0.0, None, ())


def test_fail_rate_gives_the_share_asked_and_the_same_decisions_for_the_same_seed() -> None:
    paths = [f"/global/page-{i}/index.htm" for i in range(2000)]
    options = FaultOptions(fail_rate=0.3, fail_statuses=(503, 429, 500), seed=7)
    first = statuses(FaultySite(small_site(), options), paths)
    failed = [status for status in first if status != 404]
    assert 0.27 <= len(failed) / len(paths) <= 0.33
    assert set(failed) == {503, 429, 500}
    assert statuses(FaultySite(small_site(), options), paths) == first
    other_seed = FaultOptions(fail_rate=0.3, fail_statuses=(503, 429, 500), seed=8)
    assert statuses(FaultySite(small_site(), other_seed), paths) != first


def test_a_url_fails_at_most_k_times_in_a_row() -> None:
    always = FaultySite(small_site(), FaultOptions(fail_rate=1, max_failures_per_url=3))
    assert statuses(always, [ALL_EN] * 8) == [503, 503, 503, 200] * 2
    often = FaultySite(small_site(), FaultOptions(fail_rate=0.8, max_failures_per_url=2))
    for i in range(50):
        runs = "".join("F" if s == 503 else "." for s in statuses(often, [f"/p{i}"] * 30))
        assert "FFF" not in runs and "FF" in runs and "." in runs


def test_robots_txt_never_fails_nor_slows_nor_is_cut() -> None:
    options = FaultOptions(fail_rate=1, slow_rate=1, truncate_rate=1, max_failures_per_url=99)
    faulty = FaultySite(small_site(), options)
    for _ in range(20):
        answer = faulty.respond("/robots.txt")
        assert (answer.status, answer.delay, answer.cut, answer.events) == (200, 0.0, None, ())


def test_fail_path_fails_every_time_and_only_there() -> None:
    options = FaultOptions(fail_paths=(re.compile(r"/WCMS_10[12]/"),), fail_path_status=502)
    faulty = FaultySite(small_site(), options)
    bad = article_path("news", "WCMS_101", "en")
    assert statuses(faulty, [bad] * 10) == [502] * 10
    assert faulty.respond(bad).events == (f"FAULT 502 {bad}",)
    assert statuses(faulty, [article_path("news", "WCMS_100", "en"), ALL_EN]) == [200, 200]


def test_fail_rate_over_http_is_reproducible_with_retry_after(small_dataset: Path) -> None:
    paths = [listing_path("all-newsroom", "en", offset) for offset in range(12)] * 3
    paths += [article_path("news", f"WCMS_{100 + i}", "en") for i in range(12)]
    runs = []
    for _ in range(2):
        args = ("--fail-rate", "0.5", "--fail-status", "503,429,500", "--retry-after", "0")
        with running_mirror(small_dataset, None, *args, "--fault-seed", "3") as base:
            answers = [fetch(base + path) for path in paths]
        runs.append([status for status, _, _ in answers])
        for status, headers, _ in answers:
            assert headers.get("Retry-After") == ("0" if status in (429, 503) else None)
    assert runs[0] == runs[1]
    assert {200, 503, 429, 500} <= set(runs[0])


# Slow and cut-off answers ----------------------------------------------------------------------


def test_slow_answers_are_slow_and_others_are_not(small_dataset: Path) -> None:
    args = ("--slow-rate", "1", "--slow-seconds", "0.4")
    with running_mirror(small_dataset, None, *args) as base:
        for path in (ALL_EN, article_path("news", "WCMS_100", "en")):
            start = time.monotonic()
            assert fetch(base + path)[0] == 200
            assert 0.4 <= time.monotonic() - start < 3
        start = time.monotonic()
        assert fetch(base + "/robots.txt")[0] == 200
        assert time.monotonic() - start < 0.3


def test_truncated_answers_are_incomplete_to_the_client(small_dataset: Path) -> None:
    whole = small_site(10).respond(ALL_EN)[2]
    with running_mirror(small_dataset, None, "--truncate-rate", "1") as base:
        url = urlsplit(base)
        for _ in range(2):  # --max-failures-per-url 2: two cut answers, then a whole one
            connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
            connection.request("GET", ALL_EN)
            response = connection.getresponse()
            assert response.status == 200
            assert response.headers["Content-Length"] == str(len(whole))
            with pytest.raises(http.client.IncompleteRead) as caught:
                response.read()
            assert caught.value.partial == whole[: len(whole) // 2]
            connection.close()
        status, _, body = fetch(base + ALL_EN)
        assert (status, body) == (200, whole)
        with pytest.raises(http.client.IncompleteRead):
            urllib.request.urlopen(base + article_path("news", "WCMS_100", "en"), timeout=10).read()
        status, headers, body = fetch(base + ALL_EN, method="HEAD")
        assert (status, body) == (200, b"") and headers["Content-Length"] == str(len(whole))


# Layout drift ----------------------------------------------------------------------------------


def test_changed_layout_renders_content_by_script_but_keeps_titles_and_pager(
    small_dataset: Path,
) -> None:
    live = small_site(5)
    second = listing_path("all-newsroom", "en", 5)
    article = article_path("news", "WCMS_103", "en")
    with running_mirror(small_dataset, 5, "--layout", "changed") as base:
        (_, _, listing), (_, _, page) = fetch(base + second), fetch(base + article)
    new, old = Selector(text=listing.decode()), Selector(text=live.respond(second)[2].decode())
    assert [layout for layout in GENERATIONS if listing_items(listing, layout)] == []
    assert not new.xpath("//a[contains(@href, '/WCMS_')]")  # no link to any article
    data = json.loads(new.css("script#news-data[type='application/json']::text").get())
    assert [item["url"] for item in data] == item_hrefs(live.respond(second)[2])
    assert data[0] == {
        "title": "Title 105",
        "url": article_path("news", "WCMS_105", "en"),
        "date": "2020-12-17",
        "dateText": "17 December 2020",
        "label": None,
        "credit": None,
        "summary": None,
    }
    assert new.css("div#news-app").attrib["data-page"] == "2"
    assert new.css("title::text").get() == old.css("title::text").get()
    assert new.css("h1.page-title::text").get() == "All ILO Newsroom content"
    assert new.css("ul.pagination").get() == old.css("ul.pagination").get() is not None

    new, old = Selector(text=page.decode()), Selector(text=live.respond(article)[2].decode())
    for layout in GENERATIONS:
        fields = article_fields(page, layout)
        assert (fields["title"], fields["body"]) == (None, []), layout
    assert not new.css("h1, p")  # the title only in <title>, no paragraph at all
    data = json.loads(new.css("script#article-data::text").get())
    assert (data["title"], data["body"]) == ("Title 103", ["Text."])
    assert new.css("title::text").get() == old.css("title::text").get()


# Publishing while a crawler walks --------------------------------------------------------------


def test_publish_every_shifts_the_listing_and_the_new_article_exists(
    records: list[Record],
) -> None:
    newest = max(record.date for record in records)
    largest = max(int(record.id.removeprefix("WCMS_")) for record in records)
    with running_mirror(None, None, "--publish-every", "2") as base:
        first, again, shifted, again_shifted, twice = (
            item_hrefs(fetch(base + ALL_EN)[2]) for _ in range(5)
        )
        second_page = item_hrefs(fetch(base + listing_path("all-newsroom", "en", 10))[2])
        assert first == again and shifted == again_shifted
        assert shifted[1:] == first[:9] and twice[2:] == first[:8] and twice[1] == shifted[0]
        assert second_page[:2] == first[8:10]  # two published by then: page 2 starts two earlier
        new_id = doc_ids(shifted)[0]
        assert int(new_id.removeprefix("WCMS_")) > largest
        status, _, page = fetch(base + shifted[0])
        assert status == 200
        article = article_fields(page, NEWEST_LAYOUT)
        assert article["body"]
        published = newest + dt.timedelta(days=1)
        assert article["date"].startswith(format_date(published, "en"))


def test_publish_events_order_limit_and_threads(tmp_path: Path) -> None:
    new_items = tmp_path / "new.jsonl"
    new_items.write_text(
        jsonl([row(500, "2020-12-23"), row(501, "2020-12-24"), row(502, "2020-12-25")]),
        encoding="utf-8",
    )
    options = FaultOptions(publish_every=3, publish_from=str(new_items), publish_max=2)
    faulty = FaultySite(small_site(5), options)
    events = [faulty.respond(ALL_EN).events for _ in range(9)]
    assert (
        events == [(), (), ("PUBLISH WCMS_500 (1)",), (), (), ("PUBLISH WCMS_501 (2)",)] + [()] * 3
    )
    assert doc_ids(item_hrefs(faulty.respond(ALL_EN).body))[:3] == [
        "WCMS_501",
        "WCMS_500",
        "WCMS_100",
    ]
    assert faulty.respond(article_path("news", "WCMS_502", "en")).status == 404

    generated = FaultySite(small_site(5), FaultOptions(publish_every=5))

    def walk() -> None:
        for offset in range(50):
            generated.respond(listing_path("all-newsroom", "en", offset % 15))

    threads = [threading.Thread(target=walk) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    listing = generated.site.listings["all-newsroom", "en"]
    assert len(listing) == 12 + 8 * 50 // 5
    assert [r.date for r in listing] == sorted((r.date for r in listing), reverse=True)
    assert all(
        generated.respond(article_path(r.section, r.id, "en")).status == 200 for r in listing
    )


def test_log_requests_shows_faults_and_publications(tmp_path: Path, small_dataset: Path) -> None:
    log = tmp_path / "stderr.log"
    args = ["--fail-path", "WCMS_101", "--publish-every", "1", "--log-requests"]
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "ilo_crawler.mirror", "--dataset", str(small_dataset), *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            assert process.stdout is not None
            base = process.stdout.readline().strip()
            assert fetch(base + article_path("news", "WCMS_101", "en"))[0] == 500
            assert fetch(base + ALL_EN)[0] == 200
        finally:
            process.terminate()
            process.wait(timeout=10)
    lines = log.read_text().splitlines()
    assert any(
        line.endswith(" FAULT 500 " + article_path("news", "WCMS_101", "en")) for line in lines
    )
    assert any(re.search(r" PUBLISH WCMS_\d+ \(1\)$", line) for line in lines)


# Option checks ---------------------------------------------------------------------------------

BAD_OPTIONS = [
    (["--fail-rate", "1.5"], "invalid --fail-rate '1.5': expected a share from 0 to 1"),
    (["--slow-rate", "x"], "invalid --slow-rate 'x': expected a share from 0 to 1"),
    (["--fail-status", "503,200"], "invalid --fail-status '503,200': expected HTTP error statuses"),
    (["--fail-path-status", "abc"], "invalid --fail-path-status 'abc': expected an HTTP error"),
    (["--fail-path", "WCMS_(1"], "invalid --fail-path 'WCMS_(1': expected a regular expression"),
    (["--retry-after", "-1"], "invalid --retry-after '-1': expected a whole number from 0"),
    (["--max-failures-per-url", "0"], "invalid --max-failures-per-url '0': expected a whole"),
    (["--slow-seconds", "-2"], "invalid --slow-seconds '-2': expected a number of seconds"),
    (
        ["--layout", "normal"],
        "invalid --layout 'normal': accepted layouts are wcms2010, wcms2012, wcms2014, wcms2019, "
        "changed, wcms-varied",
    ),
    (["--publish-every", "0"], "invalid --publish-every '0': expected a whole number from 1"),
    (["--publish-max", "3"], "--publish-max needs --publish-every N"),
    (["--retired", "--wayback"], "--retired does not apply to --wayback ("),
]


@pytest.mark.parametrize(("args", "message"), BAD_OPTIONS, ids=[a[0] for a, _ in BAD_OPTIONS])
def test_bad_option_values_are_refused_in_one_line(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ilo_crawler.mirror", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {message}")


def test_publish_from_must_hold_new_items(tmp_path: Path, small_dataset: Path) -> None:
    again = tmp_path / "again.jsonl"
    again.write_text(jsonl([row(900, "2021-01-01"), SMALL_ROWS[3]]), encoding="utf-8")
    command = [sys.executable, "-m", "ilo_crawler.mirror", "--dataset", str(small_dataset)]
    command += ["--publish-every", "2", "--publish-from", str(again)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f'error: dataset {again}: WCMS_103 in "en" is already served; items to publish must be new\n'
    )


def fault_options(*args: str) -> FaultOptions:
    """Fault options from a command line, as ``python -m ilo_crawler.mirror`` checks them."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return options_from_arguments(parser.parse_args(args))


def test_fail_path_status_404_makes_a_listing_not_found() -> None:
    options = fault_options("--fail-path", "/all-newsroom/", "--fail-path-status", "404")
    faulty = FaultySite(small_site(), options)
    answer = faulty.respond(listing_path("all-newsroom", "en", 5))
    assert (answer.status, b"Not Found" in answer.body) == (404, True)
    assert "Retry-After" not in dict(answer.headers)
    assert statuses(faulty, [ALL_EN, article_path("news", "WCMS_100", "en")]) == [404, 200]
