"""``ilo-archive coverage|search|show|export`` run for real, in a subprocess, on an archive filled
by real crawls of the replica: November 2021 in English and French, the November press releases,
and August-September 2021 in English, so October 2021 is a month no run covered."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest
from conftest import (
    MONTH,
    Crawl,
    copy_archive,
    ilo_archive,
    query,
    run_crawl,
    write_dataset,
)
from conftest import row as dataset_row
from parsel import Selector

from ilo_crawler.archive import Archive, queries
from ilo_crawler.mirror.process import running_mirror

COBALT_TITLE = "We work to end child labour in DR Congo’s cobalt mines"
#: An article archived in English and French (its page links to a Spanish version too).
BILINGUAL = "WCMS_826282"


def ilo_archive_json(*args: str | Path) -> list[dict]:
    result = ilo_archive(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def archive(november: Crawl, replica: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = copy_archive(november.archive, tmp_path_factory.mktemp("query") / "archive.db")
    for arguments in (
        {"month": MONTH, "lang": "fr"},
        {"month": MONTH, "listing": "press-releases"},
        {"since": "2021-08", "until": "2021-09"},
    ):
        crawl = run_crawl(replica, path, **arguments)
        assert crawl.returncode == 0, crawl.stderr[-3000:]
    return path


# coverage ------------------------------------------------------------------------------------
def test_coverage_matches_the_articles_and_appearances_tables(archive: Path) -> None:
    rows = ilo_archive_json("coverage", "--db", archive)
    assert [row["month"] for row in rows] == [
        month for month in ("2021-08", "2021-09", "2021-10", "2021-11") for _ in ("en", "fr")
    ]
    for row in rows:
        key = (row["month"], row["lang"])
        seen = query(
            archive,
            "SELECT count(DISTINCT doc_id) FROM appearances WHERE month = ? AND lang = ?",
            key,
        )[0][0]
        archived, with_body = query(
            archive, "SELECT count(*), count(body) FROM articles WHERE month = ? AND lang = ?", key
        )[0]
        assert (row["seen"], row["archived"], row["with_body"], row["gaps"]) == (
            seen,
            archived,
            with_body,
            0,
        ), key
    by_key = {(row["month"], row["lang"]): row for row in rows}
    assert by_key[("2021-11", "en")]["listings"] == ["all-newsroom", "press-releases"]
    assert by_key[("2021-11", "en")]["runs"] == 2 and by_key[("2021-11", "en")]["seen"] > 50
    never = {key for key, row in by_key.items() if row["status"] == "never crawled"}
    assert never == {("2021-08", "fr"), ("2021-09", "fr"), ("2021-10", "en"), ("2021-10", "fr")}

    table = ilo_archive("coverage", "--db", archive, "--lang", "en")
    assert table.returncode == 0, table.stderr
    october = next(line for line in table.stdout.splitlines() if line.startswith("2021-10"))
    assert october.endswith("never crawled")
    assert "1 never crawled by a finished run" in table.stdout


def test_coverage_by_listing_counts_that_listing_only(archive: Path) -> None:
    (row,) = ilo_archive_json(
        "coverage", "--db", archive, "--listing", "press-releases", "--since", MONTH, "--lang", "en"
    )
    releases = query(archive, "SELECT count(*) FROM appearances WHERE listing = 'press-releases'")[
        0
    ][0]
    assert (row["runs"], row["seen"], row["archived"], row["status"]) == (
        1,
        releases,
        releases,
        "ok",
    )


def test_coverage_reports_gaps_and_still_exits_zero(archive: Path, tmp_path: Path) -> None:
    copy = copy_archive(archive, tmp_path / "gaps.db")
    doc_ids = [
        row[0]
        for row in query(
            copy,
            "SELECT doc_id FROM articles WHERE month = ? AND lang = 'en' ORDER BY doc_id LIMIT 7",
            (MONTH,),
        )
    ]
    with closing(sqlite3.connect(copy)) as connection, connection:
        for table, key in (("copies", "identity"), ("articles", "doc_id")):
            connection.executemany(
                f"UPDATE {table} SET body = NULL WHERE {key} = ? AND lang = 'en'",
                [(doc_id,) for doc_id in doc_ids],
            )
    (row,) = ilo_archive_json("coverage", "--db", copy, "--since", MONTH, "--lang", "en")
    assert (row["gaps"], row["gap_doc_ids"], row["status"]) == (7, doc_ids[:5], "gaps")
    assert row["with_body"] == row["archived"] - 7
    table = ilo_archive("coverage", "--db", copy, "--since", MONTH, "--lang", "en")
    assert table.returncode == 0
    assert f"gaps {MONTH} en: {', '.join(doc_ids[:5])} and 2 more" in table.stdout


# search --------------------------------------------------------------------------------------
def test_search_finds_a_seed_title_with_a_marked_snippet(archive: Path) -> None:
    hits = ilo_archive_json("search", "cobalt", "--db", archive)
    assert hits[0]["title"] == COBALT_TITLE and hits[0]["doc_id"] == "WCMS_825658"
    assert all("[cobalt]" in hit["snippet"].lower() for hit in hits)
    table = ilo_archive("search", "cobalt", "--db", archive)
    assert "WCMS_825658" in table.stdout and "[cobalt]" in table.stdout


def test_search_ranks_title_matches_first_and_filters_narrow(archive: Path) -> None:
    hits = ilo_archive_json("search", "labour", "--db", archive, "--limit", "50")
    assert len(hits) == 50
    assert all("labour" in hit["title"].lower() for hit in hits[:3])
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores)

    september = ilo_archive_json("search", "labour", "--db", archive, "--month", "2021-09")
    assert september and {hit["published"][:7] for hit in september} == {"2021-09"}
    ranged = ilo_archive_json(
        "search", "labour", "--db", archive, "--since", "2021-09", "--until", "2021-11"
    )
    assert {hit["published"][:7] for hit in ranged} <= {"2021-09", "2021-10", "2021-11"}
    french = ilo_archive_json("search", "travail", "--db", archive, "--lang", "fr")
    assert french and {hit["lang"] for hit in french} == {"fr"}
    by_slug = ilo_archive_json("search", "labour", "--db", archive, "--category", "ilo-in-action")
    by_name = ilo_archive_json("search", "labour", "--db", archive, "--category", "ILO in action")
    assert by_slug == by_name and {hit["category"] for hit in by_slug} == {"ILO in action"}
    none = ilo_archive("search", "cobalt", "--db", archive, "--lang", "fr")
    assert (none.returncode, none.stdout, none.stderr) == (1, "", "no article matches 'cobalt'\n")
    none = ilo_archive("search", "cobalt", "--db", archive, "--lang", "fr", "--json")
    assert (none.returncode, json.loads(none.stdout)) == (1, [])


def test_a_category_is_found_by_slug_name_or_label_and_an_unknown_one_named(
    archive: Path,
) -> None:
    names = [
        row[0]
        for row in query(
            archive,
            "SELECT DISTINCT category_slug FROM articles WHERE category_slug IS NOT NULL ORDER BY 1",
        )
    ]
    releases = ilo_archive_json_lines(archive, "--category", "press-release")
    assert releases and {row["category"] for row in releases} == {"Press release"}
    # Its name in any case, and labels the taxonomy knows for it, in other languages too.
    for spelling in ("PRESS RELEASE", "Communiqué de presse", "News release"):
        assert ilo_archive_json_lines(archive, "--category", spelling) == releases, spelling
    unknown = ilo_archive("export", "--db", archive, "--category", "prss-release")
    assert unknown.returncode == 2 and unknown.stdout == ""
    (error,) = [line for line in unknown.stderr.splitlines() if line.startswith("Error:")]
    assert len(names) > 40  # the first 40 are listed, and how many more there are
    assert error == (
        "Error: Invalid value for '--category': unknown category 'prss-release' (did you mean "
        "press-release?): give the slug or the name of a category of the archive "
        f"({', '.join(names[:40])} and {len(names) - 40} more) or of the taxonomy"
    )
    # A category of the taxonomy that nothing archived has: nothing matched, not a mistake.
    absent = ilo_archive("export", "--db", archive, "--category", "podcast", "--format", "json")
    assert "podcast" not in names
    assert (absent.returncode, json.loads(absent.stdout)) == (1, [])


# show ----------------------------------------------------------------------------------------
def test_show_gives_fields_translations_appearances_and_captures(archive: Path) -> None:
    english, french = ilo_archive_json("show", BILINGUAL, "--db", archive)
    row = query(archive, "SELECT * FROM articles WHERE doc_id = ? AND lang = 'en'", (BILINGUAL,))[0]
    assert {name: english[name] for name in ("title", "url", "published", "body")} == {
        name: row[name] for name in ("title", "url", "published", "body")
    }
    assert english["translations"] == ["es", "fr"]
    assert english["other_languages"] == [{"lang": "fr", "title": french["title"]}]
    assert french["other_languages"] == [{"lang": "en", "title": english["title"]}]
    assert [a["run_id"] for a in english["appearances"]] == [
        r[0]
        for r in query(
            archive,
            "SELECT run_id FROM appearances WHERE doc_id = ? AND lang = 'en' ORDER BY run_id",
            (BILINGUAL,),
        )
    ]
    assert english["captures"] and {c["kind"] for c in english["captures"]} == {"article"}
    assert english["revisions"] == []

    table = ilo_archive("show", BILINGUAL, "--db", archive, "--lang", "fr")
    assert table.returncode == 0, table.stderr
    assert table.stdout.startswith(f"== {BILINGUAL} fr: {french['title']}")
    for heading in ("body:", "other languages:", "revisions:", "appearances:", "captures:"):
        assert f"\n{heading}\n" in table.stdout


def test_show_lists_a_revision_with_the_old_values(archive: Path, tmp_path: Path) -> None:
    copy = copy_archive(archive, tmp_path / "revised.db")
    store = Archive(copy, create=False)
    row = next(store.db.query("SELECT * FROM articles WHERE doc_id = 'WCMS_825658'"))
    changed = {
        **row,
        "title": "Ending child labour in cobalt mines",
        "body": row["body"].split("\n\n"),
        "translations": json.loads(row["translations"]),
        "tags": json.loads(row["tags"]),
        "topics": json.loads(row["topics"]),
    }
    assert store.store_articles([changed], None) == ["changed"]
    store.close()
    (article,) = ilo_archive_json("show", "WCMS_825658", "--db", copy)
    assert (article["title"], article["revision"]) == ("Ending child labour in cobalt mines", 2)
    (revision,) = article["revisions"]
    assert revision["revision"] == 1 and revision["changed_fields"] == ["title"]
    assert revision["old"] == {"title": COBALT_TITLE}
    table = ilo_archive("show", "WCMS_825658", "--db", copy)
    assert f'title="{COBALT_TITLE}"' in table.stdout


def test_show_finds_an_article_by_any_spelling_of_an_identity_or_by_url(tmp_path: Path) -> None:
    """What a user pastes: an identity in another case, a URL of either site's copy on the real
    host (the archive read the replica's), https for http, or a web archive's replay URL."""
    dataset = write_dataset(
        tmp_path / "d.jsonl",
        [
            dataset_row(7000, "2021-06-01", title="ILO welcomes a Convention", body=["One."]),
            {
                "id": "node:500",
                "lang": "en",
                "date": "2021-06-01",
                "title": "ILO welcomes a Convention",
                "body": ["One."],
                "migrated_from": "WCMS_7000",
            },
            {
                "id": "node:501",
                "lang": "en",
                "date": "2021-06-02",
                "title": "Another story",
                "body": ["Two."],
            },
        ],
    )
    archive = tmp_path / "archive.db"
    with running_mirror(dataset) as url:  # both sites served, as before the WCMS retired
        for source in ("live", "current"):
            crawl = run_crawl(url, archive, source=source, month="2021-06")
            assert crawl.returncode == 0, crawl.stderr[-3000:]
    urls = dict(query(archive, "SELECT identity, url FROM identities"))
    on_the_site = {
        identity: "https://www.ilo.org" + urllib.parse.urlsplit(address).path
        for identity, address in urls.items()
    }
    wcms = urllib.parse.urlsplit(urls["WCMS_7000"]).path
    spellings = {
        "wcms_7000": "WCMS_7000",
        " WCMS_7000 ": "WCMS_7000",
        "Node:500": "WCMS_7000",  # the current site's copy of the same article
        "NODE:501": "node:501",
        on_the_site["node:500"]: "WCMS_7000",
        on_the_site["node:501"] + "/": "node:501",
        on_the_site["WCMS_7000"]: "WCMS_7000",
        f"https://web.archive.org/web/20210605000000id_/http://www.ilo.org{wcms}": "WCMS_7000",
    }
    with ThreadPoolExecutor(max_workers=4) as pool:
        shown = list(
            pool.map(lambda text: ilo_archive("show", text, "--db", archive, "--json"), spellings)
        )
    for (text, doc_id), result in zip(spellings.items(), shown, strict=True):
        assert result.returncode == 0, (text, result.stderr)
        assert [article["doc_id"] for article in json.loads(result.stdout)] == [doc_id], text


# export --------------------------------------------------------------------------------------
ARTICLE_COLUMNS = (
    "SELECT name FROM pragma_table_info('articles') WHERE name NOT IN ('id', 'capture_id')"
)


def test_export_csv_to_stdout_parses_back(archive: Path) -> None:
    result = ilo_archive("export", "--db", archive, "--month", MONTH, "--lang", "en")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    archived = query(
        archive, "SELECT * FROM articles WHERE month = ? AND lang = 'en' ORDER BY doc_id", (MONTH,)
    )
    assert len(rows) == len(archived)
    assert list(rows[0]) == [r[0] for r in query(archive, ARTICLE_COLUMNS)]
    by_id = {row["doc_id"]: row for row in rows}
    for stored in archived:
        assert by_id[stored["doc_id"]]["body"] == stored["body"]  # paragraphs and UTF-8 intact
        assert json.loads(by_id[stored["doc_id"]]["translations"]) == json.loads(
            stored["translations"]
        )
    assert by_id["WCMS_825658"]["title"] == COBALT_TITLE


def test_export_jsonl_and_json_match_the_filters(archive: Path, tmp_path: Path) -> None:
    jsonl = ilo_archive(
        "export", "--db", archive, "--format", "jsonl", "--since", "2021-08", "--until", "2021-09"
    )
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    expected = query(
        archive, "SELECT count(*) FROM articles WHERE month BETWEEN '2021-08' AND '2021-09'"
    )
    assert len(rows) == expected[0][0] and {row["month"] for row in rows} == {"2021-08", "2021-09"}
    assert all(isinstance(row["translations"], list) for row in rows)

    releases = ilo_archive(
        "export", "--db", archive, "--format", "jsonl", "--listing", "press-releases"
    ).stdout.splitlines()
    seen = query(
        archive, "SELECT count(DISTINCT doc_id) FROM appearances WHERE listing = 'press-releases'"
    )
    assert len(releases) == seen[0][0] > 0

    output = tmp_path / "french.json"
    output.write_text("an older export, longer than nothing\n" * 1000)
    result = ilo_archive(
        "export", "--db", archive, "--format", "json", "--lang", "fr", "--output", output
    )
    assert result.returncode == 0, result.stderr
    french = json.loads(output.read_text("utf-8"))
    count = query(archive, "SELECT count(*) FROM articles WHERE lang = 'fr'")[0][0]
    assert len(french) == count and {row["lang"] for row in french} == {"fr"}
    assert result.stderr.strip() == f"wrote {count} articles to {output} (json)"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["french.json"]

    empty = ilo_archive("export", "--db", archive, "--format", "json", "--month", "2020-01")
    assert (empty.returncode, json.loads(empty.stdout)) == (1, [])
    assert empty.stderr == "no articles match the selection\n"
    header = ilo_archive("export", "--db", archive, "--month", "2020-01", "-o", tmp_path / "e.csv")
    assert header.returncode == 1
    assert header.stderr.splitlines() == [
        f"wrote 0 articles to {tmp_path / 'e.csv'} (csv)",
        "no articles match the selection",
    ]
    assert (tmp_path / "e.csv").read_text("utf-8").startswith("doc_id,lang,url,")


def test_export_to_a_file_is_all_or_nothing(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "export.csv"
    output.write_text("the previous export\n")

    def fail_halfway(rows: object, stream: io.TextIOBase, *_: object) -> int:
        stream.write("doc_id,lang\nWCMS_1,en\n")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(queries, "write_rows", fail_halfway)
    store = Archive(archive, create=False)
    with pytest.raises(OSError, match="No space left"):
        queries.export(store, output, "csv")
    store.close()
    assert output.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


# errors --------------------------------------------------------------------------------------
#: Exit statuses: nothing found (no such article, an empty archive), and trouble (a usage error,
#: an archive or a file that cannot be used).
NOTHING, TROUBLE = 1, 2


def _check_errors(cases: list[tuple[tuple[str | Path, ...], str, int]]) -> None:
    """Run the invocations side by side (each is a Python start-up) and check every one fails
    with its exit status, one ``Error:`` line holding the message, and no traceback."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda case: ilo_archive(*case[0]), cases))
    for (args, message, status), result in zip(cases, results, strict=True):
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert result.returncode == status, (args, result.stderr)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        assert len(errors) == 1 and message in errors[0], (args, result.stderr)


def test_every_command_refuses_a_missing_a_foreign_and_an_empty_archive(tmp_path: Path) -> None:
    """Opening is shared (a missing or foreign file is refused the same way by every command);
    an empty archive is each command's own check."""
    garbage = tmp_path / "garbage.db"
    garbage.write_text("not a database")
    empty = Archive(tmp_path / "empty.db")
    empty.close()
    commands = [("coverage",), ("search", "cobalt"), ("show", "WCMS_825658"), ("export",)]
    missing = tmp_path / "none.db"
    _check_errors(
        [((*command, "--db", empty.path), "the archive is empty", NOTHING) for command in commands]
        + [
            (("coverage", "--db", missing), "archive not found", TROUBLE),
            (("export", "--db", missing, "-o", tmp_path / "out.csv"), "archive not found", TROUBLE),
            (("search", "cobalt", "--db", garbage), "not an SQLite archive", TROUBLE),
            (("show", "WCMS_825658", "--db", garbage), "not an SQLite archive", TROUBLE),
        ]
    )
    assert not missing.exists() and not (tmp_path / "out.csv").exists()


def test_bad_options_and_unknown_things_are_one_line_errors(archive: Path, tmp_path: Path) -> None:
    missing_dir = tmp_path / "no" / "such" / "dir" / "x.csv"
    _check_errors(
        [
            (("coverage", "--db", archive, "--since", "2021-13"), "'2021-13' is not a month", 2),
            (
                ("coverage", "--db", archive, "--since", "2021-11", "--until", "2021-08"),
                "--since 2021-11 is after --until 2021-08",
                2,
            ),
            (("coverage", "--db", archive, "--lang", "de"), "no archived articles in de", 1),
            (("search", "", "--db", archive), "empty search query", 2),
            (("search", " ", "--db", archive), "empty search query", 2),
            (("search", '"cobalt', "--db", archive), "invalid search query '\"cobalt'", 2),
            (("search", "child-labour", "--db", archive), "invalid search query 'child-labour'", 2),
            (("show", "WCMS_000000", "--db", archive), "no article 'WCMS_000000'", 1),
            (("show", "676958", "--db", archive), "'676958' names no article: give an identity", 2),
            (("show", "https://www.ilo.org/x", "--db", archive), "no article read at https", 1),
            (("show", BILINGUAL, "--db", archive, "--lang", "es"), "has no 'es' version", 1),
            (("export", "--db", archive, "--format", "xml"), "'xml' is not one of", 2),
            (("export", "--db", archive, "--month", "2021-1"), "'2021-1' is not a month", 2),
            (
                ("export", "--db", archive, "--month", MONTH, "--since", "2021-01"),
                "--month excludes --since",
                2,
            ),
            (("export", "--db", archive, "-o", missing_dir), "cannot write", 2),
        ]
    )
    assert not missing_dir.parent.exists()


# web archive ---------------------------------------------------------------------------------
#: A month the live crawls above never covered, read from the web archive in the tests below.
WAYBACK_MONTH = "2021-10"
ORIGINAL = "http://www.ilo.org/global/about-the-ilo/newsroom/news/WCMS_{}/lang--en/index.htm"
LISTING = "http://www.ilo.org/global/about-the-ilo/newsroom/news/lang--en/nextRow--10/index.htm"
MISSING = [
    {
        "kind": "listing",
        "url": LISTING,
        "doc_id": None,
        "reason": "the listing page was never captured between 2021-10-01 and 2021-12-31",
    },
    {
        "kind": "article",
        "url": ORIGINAL.format(900002),
        "doc_id": "WCMS_900002",
        "reason": "the web archive holds no capture of the article page",
    },
]


def read_from_the_web_archive(
    path: Path, month: str, missing: list[dict], doc_ids: tuple[int, ...] = (900001,)
) -> int:
    """A finished ``source=wayback`` run of ``month``, written with the archive's own API: the
    articles ``doc_ids`` read from their captures, and its completeness report naming
    ``missing``. Returns the run's id."""
    store = Archive(path, create=False)
    run_id = store.start_run("newsroom", {"month": month, "source": "wayback"}, "http://archive")
    records = []
    for number in doc_ids:
        original = ORIGINAL.format(number)
        archive_url = f"https://web.archive.org/web/{month.replace('-', '')}22093000id_/{original}"
        when = {
            "fetched_at": "2024-06-01T12:00:00+00:00",
            "captured_at": f"{month}-22T09:30:00+00:00",
        }
        capture = {
            "kind": "article",
            "url": archive_url,
            "final_url": archive_url,
            "status": 200,
            "request_headers": {},
            "headers": {"Content-Type": ["text/html"]},
            "body": f"<html>WCMS_{number}</html>".encode(),
            "source": "wayback",
            "doc_id": f"WCMS_{number}",
            "lang": "en",
            "original_url": original,
            **when,
        }
        records.append(
            {
                "doc_id": f"WCMS_{number}",
                "lang": "en",
                "url": original,
                "title": f"Archived article {number}",
                "body": ["Read from the web archive."],
                "listing": "all-newsroom",
                "listing_url": LISTING,
                "listing_position": 1,
                "month": month,
                "source": "wayback",
                "archive_url": archive_url,
                "capture": capture,
                **when,
            }
        )
    store.store_articles(records, run_id)
    store.record_completeness(
        run_id,
        {
            "source": "wayback",
            "listing": "all-newsroom",
            "lang": "en",
            "month": month,
            "listing_captures": 2,
            "items_seen": len(doc_ids) + 1,
            "items_with_capture": len(doc_ids),
            "items_with_body": len(doc_ids),
            "missing": missing,
        },
    )
    store.finish_run(run_id, outcome="finished", counts={"new": len(doc_ids)}, requests=3, stats={})
    store.close()
    return run_id


def test_coverage_names_what_the_web_archive_lacks(archive: Path, tmp_path: Path) -> None:
    copy = copy_archive(archive, tmp_path / "wayback.db")
    run_id = read_from_the_web_archive(copy, WAYBACK_MONTH, MISSING)
    rows = {(row["month"], row["lang"]): row for row in ilo_archive_json("coverage", "--db", copy)}
    october = rows[(WAYBACK_MONTH, "en")]
    assert (october["runs"], october["seen"], october["archived"], october["with_body"]) == (
        1,
        1,
        1,
        1,
    )
    assert (october["status"], october["missing"]) == ("incomplete", 2)
    assert october["web_archive"] == [
        {
            "run_id": run_id,
            "source": "wayback",
            "listing": "all-newsroom",
            "listing_captures": 2,
            "items_seen": 2,
            "items_with_capture": 1,
            "items_with_body": 1,
            "missing": MISSING,
        }
    ]
    # The months read live are reported exactly as without the web-archive month.
    before = {
        (row["month"], row["lang"]): row for row in ilo_archive_json("coverage", "--db", archive)
    }
    assert {key: row for key, row in rows.items() if key != (WAYBACK_MONTH, "en")} == {
        key: row for key, row in before.items() if key != (WAYBACK_MONTH, "en")
    }
    assert all(row["web_archive"] == [] and row["missing"] == 0 for row in before.values())

    table = ilo_archive("coverage", "--db", copy, "--lang", "en")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    month, report = (line.split() for line in lines if line.startswith(WAYBACK_MONTH))
    assert month[-1] == "incomplete"
    assert "\nread from a web archive (the latest run of each month, language, listing):\n" in (
        table.stdout
    )
    # listing_captures, seen, with_capture, with_body, missing
    assert " ".join(report) == f"{WAYBACK_MONTH} en all-newsroom {run_id} wayback 2 2 1 1 2"
    assert (
        "4 month-languages: 3 ok, 0 with gaps, 0 never crawled by a finished run, "
        "1 incomplete in the web archive"
    ) in lines
    assert lines[-2:] == [
        f"missing {WAYBACK_MONTH} en all-newsroom: listing {LISTING}: {MISSING[0]['reason']}",
        f"missing {WAYBACK_MONTH} en all-newsroom: article WCMS_900002 {ORIGINAL.format(900002)}: "
        f"{MISSING[1]['reason']}",
    ]
    live = ilo_archive("coverage", "--db", archive, "--lang", "en")
    assert "web archive" not in live.stdout and "missing" not in live.stdout
    assert live.stdout.splitlines()[-1].endswith("1 never crawled by a finished run")


def test_coverage_reports_the_latest_reading_of_a_month(archive: Path, tmp_path: Path) -> None:
    copy = copy_archive(archive, tmp_path / "reread.db")
    read_from_the_web_archive(copy, WAYBACK_MONTH, MISSING)
    again = read_from_the_web_archive(copy, WAYBACK_MONTH, [], doc_ids=(900001, 900002))
    # A month the web archive holds nothing of: no article, yet in the default range.
    empty = read_from_the_web_archive(copy, "2021-12", MISSING[:1], doc_ids=())
    rows = ilo_archive_json("coverage", "--db", copy, "--lang", "en", "--since", WAYBACK_MONTH)
    assert [(row["month"], row["status"], row["missing"]) for row in rows] == [
        (WAYBACK_MONTH, "ok", 0),
        (MONTH, "ok", 0),
        ("2021-12", "incomplete", 1),
    ]
    assert [(r["run_id"], r["items_with_capture"]) for r in rows[0]["web_archive"]] == [(again, 2)]
    assert [r["run_id"] for r in rows[2]["web_archive"]] == [empty]
    table = ilo_archive("coverage", "--db", copy, "--lang", "en", "--since", WAYBACK_MONTH)
    assert [line for line in table.stdout.splitlines() if line.startswith("missing")] == [
        f"missing 2021-12 en all-newsroom: listing {LISTING}: {MISSING[0]['reason']}"
    ]
    releases = ilo_archive_json(
        "coverage", "--db", copy, "--listing", "press-releases", "--lang", "en"
    )
    assert all(row["web_archive"] == [] for row in releases)


def test_show_gives_the_provenance_of_each_record(archive: Path, tmp_path: Path) -> None:
    copy = copy_archive(archive, tmp_path / "provenance.db")
    read_from_the_web_archive(copy, WAYBACK_MONTH, [])
    (article,) = ilo_archive_json("show", "WCMS_900001", "--db", copy)
    archive_url = f"https://web.archive.org/web/20211022093000id_/{ORIGINAL.format(900001)}"
    assert (article["source"], article["captured_at"], article["archive_url"]) == (
        "wayback",
        "2021-10-22T09:30:00+00:00",
        archive_url,
    )
    (capture,) = article["captures"]
    assert (capture["source"], capture["original_url"], capture["captured_at"]) == (
        "wayback",
        ORIGINAL.format(900001),
        "2021-10-22T09:30:00+00:00",
    )
    table = ilo_archive("show", "WCMS_900001", "--db", copy)
    assert table.stdout.count("\narchive_url ") == 1  # in the provenance, not among the fields
    provenance = table.stdout.split("\nprovenance:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split() for line in provenance] == [
        ["source", "wayback"],
        ["captured_at", "2021-10-22T09:30:00+00:00"],
        ["archive_url", archive_url],
        ["fetched_at", "2024-06-01T12:00:00+00:00"],
    ]

    english = ilo_archive_json("show", BILINGUAL, "--db", copy, "--lang", "en")[0]
    stored = query(copy, "SELECT * FROM captures WHERE doc_id = ? AND lang = 'en'", (BILINGUAL,))
    assert (english["source"], english["archive_url"]) == ("live", None)
    assert english["captured_at"] == english["fetched_at"]
    assert [(c["original_url"], c["captured_at"]) for c in english["captures"]] == [
        (row["url"], row["fetched_at"]) for row in stored
    ]


# CSV cells a spreadsheet would run -------------------------------------------------------------
#: What a third-party page may hold that a spreadsheet runs as a formula, by field.
FORMULAS = {
    "title": '=HYPERLINK("http://example.org/x","click")',
    "summary": "+1+cmd|' /C calc'!A0",
    "credit": "-2+3",
    "label": "@SUM(A1:A9)",
}


def test_csv_cells_a_spreadsheet_would_run_are_neutralised_unless_raw(tmp_path: Path) -> None:
    dataset = write_dataset(
        tmp_path / "d.jsonl", [dataset_row(5000, "2021-11-10", body=["A paragraph."], **FORMULAS)]
    )
    with running_mirror(dataset) as base_url:
        crawl = run_crawl(base_url, tmp_path / "archive.db", month=MONTH)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    exported = {}
    for options in ((), ("--raw",)):
        result = ilo_archive("export", "--db", crawl.archive, *options)
        assert result.returncode == 0, result.stderr
        (exported[options],) = csv.DictReader(io.StringIO(result.stdout, newline=""))
    assert {name: exported[()][name] for name in FORMULAS} == {
        name: "'" + value for name, value in FORMULAS.items()
    }
    assert {name: exported[("--raw",)][name] for name in FORMULAS} == FORMULAS
    assert exported[()]["doc_id"] == "WCMS_5000" and exported[()]["revision"] == "1"
    (stored,) = ilo_archive_json_lines(crawl.archive)
    assert {name: stored[name] for name in FORMULAS} == FORMULAS  # JSON is always as stored


def ilo_archive_json_lines(archive: Path, *options: str) -> list[dict]:
    result = ilo_archive("export", "--db", archive, "--format", "jsonl", *options)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


# coverage --html, in a real browser -------------------------------------------------------------
CHROMIUM = shutil.which("chromium")
#: Headless Chromium, alone: no network of its own, no profile but a temporary one.
CHROMIUM_OPTIONS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def chromium(page: Path, profile: Path, *options: str) -> str:
    """What ``chromium`` prints for ``page`` (``--dump-dom``: the document it built)."""
    result = subprocess.run(
        [CHROMIUM, *CHROMIUM_OPTIONS, f"--user-data-dir={profile}", *options, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium: make install-chromium (as root)"
)
def test_coverage_html_shows_the_grid_in_a_browser(archive: Path, tmp_path: Path) -> None:
    """Months × languages as the browser shows them: each cell's count and status as
    ``coverage --json`` gives them, gaps and incomplete months marked, links to the cell's rows
    on the page, nothing loaded from elsewhere; a screenshot of it; and Datasette links."""
    copy = copy_archive(archive, tmp_path / "archive.db")
    read_from_the_web_archive(copy, WAYBACK_MONTH, MISSING)  # 2021-10 en: incomplete
    with closing(sqlite3.connect(copy)) as connection, connection:  # 2021-11 en: one gap
        connection.execute("UPDATE articles SET body = NULL WHERE doc_id = 'WCMS_825658'")
        connection.execute("UPDATE copies SET body = NULL WHERE identity = 'WCMS_825658'")
    expected = {(r["month"], r["lang"]): r for r in ilo_archive_json("coverage", "--db", copy)}
    page = tmp_path / "coverage.html"
    result = ilo_archive("coverage", "--db", copy, "--html", page)
    assert result.returncode == 0, result.stderr
    assert (
        result.stderr.strip() == f"wrote the coverage of {len(expected)} month-languages to {page}"
    )

    dom = Selector(text=chromium(page, tmp_path / "profile", "--dump-dom"))
    langs = dom.css("table.grid thead th::text").getall()[1:]
    shown = {}
    for line in dom.css("table.grid tbody tr"):
        month = line.css("th::text").get()
        for lang, cell in zip(langs, line.css("td"), strict=True):
            shown[(month, lang)] = (
                cell.attrib["data-status"],
                int(cell.xpath(".//text()").get().split()[0]),
                cell.css("a::attr(href)").get(),
            )
    assert {key: status for key, (status, _, _) in shown.items()} == {
        key: row["status"] for key, row in expected.items()
    }
    assert {key: n for key, (_, n, _) in shown.items()} == {
        key: row["archived"] for key, row in expected.items()
    }
    statuses = {status for status, _, _ in shown.values()}
    assert {"ok", "gaps", "incomplete", "never crawled"} <= statuses
    for (month, lang), (status, archived, href) in shown.items():
        if href is None:  # nothing to show: a month no run covered and nothing seen
            assert (status, archived) == ("never crawled", 0)
            continue
        assert href == f"#cell-{month}-{lang}" and dom.css(f"section[id='{href[1:]}']")
    gap = " ".join(dom.css("section[id='cell-2021-11-en'] ::text").getall())
    assert "gaps: WCMS_825658" in gap and "2021-11 en: gaps" in gap
    incomplete = " ".join(dom.css(f"section[id='cell-{WAYBACK_MONTH}-en'] ::text").getall())
    assert "missing from the web archive (all-newsroom): article WCMS_900002" in incomplete
    assert not dom.css("script, link, img, iframe, [src]")  # self-contained

    screenshot = tmp_path / "coverage.png"
    chromium(page, tmp_path / "profile", "--window-size=900,640", f"--screenshot={screenshot}")
    header = screenshot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(header[16:20]), int.from_bytes(header[20:24])) == (900, 640)

    linked = tmp_path / "linked.html"
    datasette = "http://127.0.0.1:8001"
    assert (
        ilo_archive("coverage", "--db", copy, "--html", linked, "--datasette", datasette).returncode
        == 0
    )
    links = Selector(text=chromium(linked, tmp_path / "profile", "--dump-dom"))
    assert links.css("table.grid td a::attr(href)").getall() == [
        f"{datasette}/archive/articles?month={month}&lang={lang}" for month, lang in expected
    ]
    refused = ilo_archive("coverage", "--db", copy, "--html", linked, "--datasette", "ftp://x")
    assert refused.returncode == 2 and "'ftp://x' is not an http(s) URL" in refused.stderr
