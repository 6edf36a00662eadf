"""Date and category normalisation as the crawl and ``ilo-archive renormalize`` apply it."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from conftest import MONTH, Crawl, copy_archive, ilo_archive, query, run_crawl, write_dataset

from ilo_crawler.mirror.process import running_mirror
from ilo_crawler.normalize.fields import date_fields

CRAWL_DAY = dt.date(2026, 11, 26)


def fields(date_text: str | None, article: str | None = None, heading: str | None = None) -> dict:
    return date_fields(
        lang="en",
        date_text=date_text,
        article_date_text=article,
        heading=heading,
        crawl_date=CRAWL_DAY,
    )


def test_a_sound_listing_date_is_published_and_the_article_date_flagged_when_it_differs() -> None:
    assert fields("15 November 2021", "15 November 2021", "November 2021") == {
        "published": "2021-11-15",
        "article_published": None,
        "date_problem": None,
        "month": "2021-11",
    }
    differing = fields("15 November 2021", "16 November 2021", "November 2021")
    assert (differing["published"], differing["article_published"]) == ("2021-11-15", "2021-11-16")


@pytest.mark.parametrize(
    ("date_text", "article", "problem", "published"),
    [
        ("Date to be confirmed", None, "unparseable", None),
        ("yesterday", None, "unparseable", None),
        (None, None, "missing", None),
        (None, "12 November 2021", "missing", "2021-11-12"),
        ("15 November 2031", None, "future", None),
        ("01 November 1821", None, "before-1919", None),
        ("15 October 2021", "15 October 2021", "outside-heading", None),
        ("15 October 2021", "12 November 2021", "outside-heading", "2021-11-12"),
    ],
)
def test_an_untrusted_date_is_never_guessed(
    date_text: str | None, article: str | None, problem: str, published: str | None
) -> None:
    result = fields(date_text, article, "November 2021")
    assert result["date_problem"] == problem
    assert result["published"] == published
    assert result["month"] == "2021-11"  # the heading keeps the item in its month


#: Items whose listing date cannot be trusted, listed among November 2021's items.
BAD_DATES = {
    "WCMS_990001": ("Date to be confirmed", "unparseable"),
    "WCMS_990002": ("yesterday", "unparseable"),
    "WCMS_990003": ("15 November 2031", "future"),
    "WCMS_990004": ("01 November 1821", "before-1919"),
    "WCMS_990005": ("15 October 2021", "outside-heading"),
}


@pytest.fixture(scope="module")
def bad_dates_crawl(default_records: list[dict], tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    folder = tmp_path_factory.mktemp("bad-dates")
    records = [r for r in default_records if r["date"].startswith(MONTH)]
    for n, (doc_id, (date_text, _)) in enumerate(BAD_DATES.items()):
        records.append(
            {
                "id": doc_id,
                "lang": "en",
                "listings": ["all-newsroom"],
                "date": f"2021-11-{10 + n:02d}",
                "date_text": date_text,
                "title": f"An item dated {date_text!r}",
                "body": ["Body."],
            }
        )
    with running_mirror(write_dataset(folder / "bad.jsonl", records), 7) as base_url:
        crawl = run_crawl(base_url, folder / "archive.db", month=MONTH)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    return crawl


def test_items_with_bad_dates_are_archived_flagged_and_counted(bad_dates_crawl: Crawl) -> None:
    rows = {
        row["doc_id"]: row
        for row in bad_dates_crawl.rows("SELECT * FROM articles WHERE doc_id LIKE 'WCMS_99000%'")
    }
    assert set(rows) == set(BAD_DATES)
    for doc_id, (date_text, problem) in BAD_DATES.items():
        row = rows[doc_id]
        assert (row["date_text"], row["date_problem"]) == (date_text, problem)
        assert row["published"] is None and row["month"] == MONTH and row["body"] == "Body."
    stats = json.loads(bad_dates_crawl.rows("SELECT stats FROM runs")[0][0])
    assert stats["dates/problems"] == len(BAD_DATES)
    assert stats["dates/problem/unparseable"] == 2
    for code in ("future", "before-1919", "outside-heading"):
        assert stats[f"dates/problem/{code}"] == 1
    assert "Traceback" not in bad_dates_crawl.stderr


def test_unknown_labels_are_counted_and_listed(november: Crawl) -> None:
    stats = json.loads(november.rows("SELECT stats FROM runs ORDER BY id LIMIT 1")[0][0])
    unknown = november.rows(
        "SELECT DISTINCT category FROM articles WHERE label IS NOT NULL AND category_kind = 'topic'"
    )
    assert 0 < stats["categories/labels_not_in_taxonomy"] <= len(unknown)
    assert "labels not in the taxonomy (kept as topics): " in november.stderr
    count = stats["categories/labels_not_in_taxonomy"]
    assert f" {count} labels not in the taxonomy, " in november.stderr  # the summary line
    assert "new labels" not in november.stderr


def test_renormalize_applies_a_changed_taxonomy_without_crawling(
    november: Crawl, tmp_path: Path
) -> None:
    archive = copy_archive(november.archive, tmp_path / "archive.db")
    unchanged = ilo_archive("renormalize", "--db", str(archive), "--json")
    assert unchanged.returncode == 0, unchanged.stderr
    assert json.loads(unchanged.stdout)["changed"] == 0

    shipped = Path(sys.modules["ilo_crawler"].__file__).parent / "normalize" / "taxonomy.toml"
    taxonomy = tmp_path / "taxonomy.toml"
    taxonomy.write_text(
        shipped.read_text("utf-8")
        + '\n[[category]]\nname = "Rural economy"\nslug = "rural-economy"\nkind = "topic"\n'
        'variants = ["Rural employment"]\n',
        "utf-8",
    )
    affected = query(archive, "SELECT count(*) FROM articles WHERE label = 'Rural employment'")[0][
        0
    ]
    assert affected > 0
    changed = ilo_archive("renormalize", "--db", str(archive), "--taxonomy", str(taxonomy))
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.startswith("run ")  # renormalize is recorded as a run of its own
    assert changed.stdout.split(": ", 1)[1].startswith(f"{affected} of ")
    slugs = query(
        archive, "SELECT DISTINCT category_slug FROM articles WHERE label = 'Rural employment'"
    )
    assert [tuple(r) for r in slugs] == [("rural-economy",)]
    assert query(archive, "SELECT count(*) FROM revisions")[0][0] == 0
    again = ilo_archive("renormalize", "--db", str(archive), "--taxonomy", str(taxonomy), "--json")
    assert json.loads(again.stdout)["changed"] == 0


def test_renormalize_refuses_a_broken_taxonomy_in_one_line(november: Crawl, tmp_path: Path) -> None:
    broken = tmp_path / "taxonomy.toml"
    broken.write_text('[[category]]\nname = "X"\nslug = "x"\nkind = "colour"\n', "utf-8")
    result = ilo_archive("renormalize", "--db", str(november.archive), "--taxonomy", str(broken))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "kind" in result.stderr


@pytest.mark.parametrize(
    ("date_value", "problem"),
    [
        (None, None),
        ("1743116400", None),  # midnight in Geneva: the day before in UTC, a time zone's shift
        ("1743202800", None),  # the next midnight
        ("2025-03-28T00:00:00+01:00", None),
        ("1743375600", "datetime-disagrees"),  # three days on
        ("1640995200", "datetime-disagrees"),  # another year
        ("soon", "datetime-disagrees"),  # not a date at all
    ],
)
def test_a_machine_date_beside_the_date_line_is_checked_never_preferred(
    date_value: str | None, problem: str | None
) -> None:
    derived = date_fields(
        lang="en",
        date_text="28 March 2025",
        article_date_text=None,
        heading=None,
        crawl_date=dt.date(2026, 12, 2),
        date_value=date_value,
    )
    assert derived["date_problem"] == problem
    assert derived["published"] == "2025-03-28"  # the date line is the date, whatever the value
