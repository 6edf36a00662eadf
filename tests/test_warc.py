"""``ilo-archive warc`` on archives filled by real crawls, read back with warcio."""

from __future__ import annotations

import datetime as dt
import sqlite3
import zlib
from pathlib import Path

import pytest
from conftest import MONTH, Crawl, copy_archive, ilo_archive, query, run_crawl
from warcio.archiveiterator import ArchiveIterator

from ilo_crawler.archive import Archive, ArchiveError
from ilo_crawler.archive.warc import _response_headers, write_warc


def read_warc(path: Path) -> list[dict]:
    """Every record of a WARC file: its WARC headers, HTTP headers and payload."""
    records = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            records.append(
                {
                    "type": record.rec_type,
                    "warc": dict(record.rec_headers.headers),
                    "http": record.http_headers,
                    "payload": record.content_stream().read(),
                }
            )
    return records


def stored_captures(archive: Path) -> list[sqlite3.Row]:
    """The captures in fetch order, with their bodies as stored."""
    return query(
        archive,
        "SELECT c.*, b.body AS compressed FROM captures c JOIN capture_bodies b USING (sha256)"
        " ORDER BY c.fetched_at, c.id",
    )


def export(archive: Path, path: Path, **selection: str) -> list[dict]:
    write_warc(Archive(archive, create=False), path, **selection)
    return read_warc(path)


@pytest.mark.parametrize("name", ["november.warc.gz", "november.warc"])
def test_one_response_or_revisit_per_capture_with_the_stored_body(
    name: str, november: Crawl, tmp_path: Path
) -> None:
    records = export(november.archive, tmp_path / name)
    with (tmp_path / name).open("rb") as stream:
        assert (stream.read(2) == b"\x1f\x8b") == name.endswith(".gz")
    assert records[0]["type"] == "warcinfo"
    assert b"software: ilo-crawler/" in records[0]["payload"]
    assert b"robots: obey" in records[0]["payload"]
    assert b"not as received: HTTP status lines are rebuilt" in records[0]["payload"]
    assert [r["type"] for r in records[1::2]] == ["request"] * (len(records) // 2)
    captures = stored_captures(november.archive)
    written = [r for r in records if r["type"] in ("response", "revisit")]
    assert len(written) == len(captures) > 0
    # A page read twice with the same body (the month seek may re-read one) is a revisit.
    bodies_written = set()
    for capture, record in zip(captures, written, strict=True):
        body = zlib.decompress(capture["compressed"])
        key = (capture["final_url"], body)
        assert record["type"] == ("revisit" if key in bodies_written else "response")
        bodies_written.add(key)
        assert record["warc"]["WARC-Target-URI"] == capture["final_url"]
        assert record["warc"]["WARC-Date"] == capture["fetched_at"].replace("+00:00", "Z")
        assert record["warc"]["WARC-Payload-Digest"].startswith("sha1:")
        assert record["http"].get_statuscode() == str(capture["status"])
        if record["type"] == "response":
            assert record["payload"] == body
            assert record["http"].get_header("Content-Length") == str(len(body))


def test_requests_and_responses_are_linked(november: Crawl, tmp_path: Path) -> None:
    records = export(november.archive, tmp_path / "n.warc.gz", kind="article")
    pairs = list(zip(records[1::2], records[2::2], strict=True))
    assert len(pairs) == len(
        query(november.archive, "SELECT id FROM captures WHERE kind = ?", ("article",))
    )
    for request, response in pairs:
        assert request["warc"]["WARC-Concurrent-To"] == response["warc"]["WARC-Record-ID"]
        assert response["warc"]["WARC-Concurrent-To"] == request["warc"]["WARC-Record-ID"]
        assert request["warc"]["WARC-Target-URI"] == response["warc"]["WARC-Target-URI"]
        assert request["http"].protocol == "GET"
        assert request["http"].get_header("User-Agent").startswith("ilo-crawler/")


def test_a_second_crawl_of_identical_pages_becomes_revisits(
    replica: str, november: Crawl, tmp_path: Path
) -> None:
    copy = copy_archive(november.archive, tmp_path / "twice.db")
    assert run_crawl(replica, copy, month=MONTH).returncode == 0
    records = export(copy, tmp_path / "twice.warc.gz")
    captures = stored_captures(copy)
    first_of: dict[tuple[str, str], sqlite3.Row] = {}
    expected = []
    for capture in captures:
        earlier = first_of.setdefault((capture["final_url"], capture["sha256"]), capture)
        expected.append(earlier if earlier is not capture else None)
    assert sum(e is not None for e in expected) > 0  # the replica serves the same pages again
    answers = [r for r in records if r["type"] in ("response", "revisit")]
    by_id = {r["warc"]["WARC-Record-ID"]: r for r in answers}
    for capture, earlier, answer in zip(captures, expected, answers, strict=True):
        assert answer["warc"]["WARC-Target-URI"] == capture["final_url"]
        if earlier is None:
            assert answer["type"] == "response"
            continue
        assert answer["type"] == "revisit" and answer["payload"] == b""
        assert answer["warc"]["WARC-Profile"].endswith("/revisit/identical-payload-digest")
        assert answer["warc"]["WARC-Refers-To-Target-URI"] == earlier["final_url"]
        assert answer["warc"]["WARC-Refers-To-Date"] == earlier["fetched_at"].replace("+00:00", "Z")
        original = by_id[answer["warc"]["WARC-Refers-To"]]
        assert original["type"] == "response"
        assert original["warc"]["WARC-Payload-Digest"] == answer["warc"]["WARC-Payload-Digest"]


def test_headers_describe_the_stored_body() -> None:
    received = {
        "Content-Length": ["120"],
        "Transfer-Encoding": ["chunked"],
        "Content-Encoding": ["x-unknown"],
        "Set-Cookie": ["a=1", "b=2"],
    }
    assert _response_headers(received, 300) == [
        ("X-Archive-Orig-Content-Length", "120"),
        ("X-Archive-Orig-Transfer-Encoding", "chunked"),
        ("Content-Encoding", "x-unknown"),  # Scrapy could not decode it: the body is still in it
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Content-Length", "300"),
    ]
    assert _response_headers({"Content-Length": ["300"]}, 300) == [("Content-Length", "300")]


def test_the_command_prints_a_summary(november: Crawl, tmp_path: Path) -> None:
    result = ilo_archive(
        "warc", str(tmp_path / "n.warc.gz"), "--db", str(november.archive), "--kind", "listing"
    )
    assert result.returncode == 0, result.stderr
    listings = len(query(november.archive, "SELECT id FROM captures WHERE kind = 'listing'"))
    assert result.stderr.startswith(f"wrote {tmp_path / 'n.warc.gz'}: {2 * listings + 1} records")
    distinct = query(
        november.archive,
        "SELECT count(*) FROM (SELECT DISTINCT final_url, sha256 FROM captures"
        " WHERE kind = 'listing')",
    )[0][0]
    assert f"{distinct} response" in result.stderr and "bytes" in result.stderr
    assert len(read_warc(tmp_path / "n.warc.gz")) == 2 * listings + 1


@pytest.mark.parametrize(
    ("file", "args", "message"),
    [
        ("{tmp}/out.warc", ("--db", "{tmp}/none.db"), "archive not found"),
        (
            "{tmp}/out.warc",
            ("--db", "{archive}", "--since", "2021-13"),
            "invalid --since '2021-13'",
        ),
        (
            "{tmp}/out.warc",
            ("--db", "{archive}", "--until", "2020-01"),
            "no captures made until",
        ),
        ("{tmp}/missing/out.warc", ("--db", "{archive}"), "cannot write"),
        ("{tmp}/a-file/out.warc", ("--db", "{archive}"), "cannot write"),
        ("{archive}", ("--db", "{archive}"), "refusing to overwrite the archive"),
    ],
)
def test_errors_are_one_line_and_leave_no_file(
    file: str, args: tuple[str, ...], message: str, november: Crawl, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("")
    archive_before = november.archive.stat()
    paths = {"tmp": tmp_path, "archive": november.archive}
    result = ilo_archive("warc", file.format(**paths), *(a.format(**paths) for a in args))
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]
    assert november.archive.stat().st_ino == archive_before.st_ino


def test_a_failure_while_writing_leaves_no_file(
    november: Crawl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def failing_body(archive: Archive, sha256: str) -> bytes:
        calls.append(sha256)
        if len(calls) == 3:
            raise ArchiveError("capture body cannot be read")
        return real_body(archive, sha256)

    real_body = Archive.stored_body
    monkeypatch.setattr(Archive, "stored_body", failing_body)
    with pytest.raises(ArchiveError, match="cannot be read"):
        write_warc(Archive(november.archive, create=False), tmp_path / "out.warc.gz")
    assert list(tmp_path.iterdir()) == []


# Web-archive copies --------------------------------------------------------------------------
ARTICLE = "http://www.ilo.org/global/about-the-ilo/newsroom/news/WCMS_825658/lang--en/index.htm"
LISTING = "http://www.ilo.org/global/about-the-ilo/newsroom/all-newsroom/lang--en/index.htm"


def add_web_archive_copies(archive: Path) -> list[dict]:
    """A run that read three pages from the web archive, written with the archive's own API: the
    listing (asked at one timestamp, redirected to the nearest capture) and one article captured
    twice with the same body. Returns the captures, in fetch order."""
    store = Archive(archive, create=False)
    run_id = store.start_run("newsroom", {"month": MONTH, "source": "wayback"}, "http://archive")
    now = dt.datetime.now(dt.UTC)
    captures = []
    for number, (original, asked, answered, kind) in enumerate(
        [
            (LISTING, "20211206000000", "20211205093000", "listing"),
            (ARTICLE, "20211111180718", "20211111180718", "article"),
            (ARTICLE, "20220301120000", "20220301120000", "article"),
        ]
    ):
        archive_url = "http://archive/web/{}id_/" + original
        captures.append(
            {
                "kind": kind,
                "url": archive_url.format(asked),
                "final_url": archive_url.format(answered),
                "status": 200,
                "request_headers": {"User-Agent": ["ilo-crawler/test"]},
                "headers": {"Memento-Datetime": [answered], "X-Archive-Orig-Etag": ['"1"']},
                "body": f"<html>{kind}</html>".encode(),
                "fetched_at": (now + dt.timedelta(seconds=number)).isoformat(timespec="seconds"),
                "source": "wayback",
                "doc_id": "WCMS_825658" if kind == "article" else None,
                "lang": "en" if kind == "article" else None,
                "original_url": original,
                "captured_at": dt.datetime.strptime(answered, "%Y%m%d%H%M%S")
                .replace(tzinfo=dt.UTC)
                .isoformat(),
            }
        )
    with store.transaction():
        for capture in captures:
            store.add_capture(capture, run_id)
    store.close()
    return captures


def test_a_web_archive_copy_is_recorded_under_its_original_url_and_capture_time(
    november: Crawl, tmp_path: Path
) -> None:
    copy = copy_archive(november.archive, tmp_path / "copies.db")
    captures = add_web_archive_copies(copy)
    records = export(copy, tmp_path / "copies.warc.gz")
    copies = [r for r in records if "WARC-Source-URI" in r["warc"]]
    assert [r["type"] for r in copies] == ["request", "response"] * 2 + ["request", "revisit"]
    pairs = list(zip(copies[::2], copies[1::2], strict=True))
    for capture, (request, answer) in zip(captures, pairs, strict=True):
        expected = {
            "WARC-Target-URI": capture["original_url"],
            "WARC-Date": capture["captured_at"].replace("+00:00", "Z"),
            "WARC-Source-URI": capture["final_url"],
            "WARC-Creation-Date": capture["fetched_at"].replace("+00:00", "Z"),
        }
        for record in (request, answer):
            assert {name: record["warc"][name] for name in expected} == expected
        assert request["warc"]["WARC-Concurrent-To"] == answer["warc"]["WARC-Record-ID"]
        assert request["http"].protocol == "GET"
        assert request["http"].statusline == (
            f"{capture['final_url'].removeprefix('http://archive')} HTTP/1.1"
        )
    first, second = copies[3], copies[5]
    assert first["payload"] == b"<html>article</html>" and second["payload"] == b""
    assert (second["warc"]["WARC-Refers-To"], second["warc"]["WARC-Refers-To-Target-URI"]) == (
        first["warc"]["WARC-Record-ID"],
        ARTICLE,
    )
    assert second["warc"]["WARC-Refers-To-Date"] == "2021-11-11T18:07:18Z"

    info = records[0]["payload"].decode("utf-8")
    assert "; 3 of them are copies a web archive captured, read from it\r\n" in info
    assert (
        "note: web archive: a page read from a web archive (a record with WARC-Source-URI)" in info
    )
    assert "note: not as received: HTTP status lines are rebuilt" in info


def test_pages_fetched_live_come_out_as_before_beside_web_archive_copies(
    november: Crawl, tmp_path: Path
) -> None:
    copy = copy_archive(november.archive, tmp_path / "copies.db")
    add_web_archive_copies(copy)
    mixed = export(copy, tmp_path / "mixed.warc")
    alone = export(november.archive, tmp_path / "alone.warc")
    ids = ("WARC-Record-ID", "WARC-Concurrent-To", "WARC-Refers-To")

    def fixed(record: dict) -> tuple:
        """A record without what differs on every export (its ids)."""
        warc = {name: value for name, value in record["warc"].items() if name not in ids}
        return record["type"], warc, record["http"].to_str(), record["payload"]

    live = [r for r in mixed[1:] if "WARC-Source-URI" not in r["warc"]]
    assert [fixed(r) for r in live] == [fixed(r) for r in alone[1:]]
    assert len(mixed) == len(alone) + 6
    assert b"web archive" not in alone[0]["payload"]
    assert not any("WARC-Creation-Date" in r["warc"] for r in alone)


def test_a_web_archive_crawl_is_selected_by_capture_month(
    wayback_november: Crawl, tmp_path: Path
) -> None:
    # Fetched today, captured in November and December 2021: selected by the capture.
    captured = query(wayback_november.archive, "SELECT count(*) FROM captures")[0][0]
    out = tmp_path / "november.warc"
    result = ilo_archive(
        "warc", out, "--db", wayback_november.archive, "--since", "2021-11", "--until", "2021-12"
    )
    assert result.returncode == 0, result.stderr
    assert sum(1 for record in read_warc(out) if record["type"] in ("response", "revisit")) == (
        captured
    )
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    refused = ilo_archive(
        "warc", tmp_path / "now.warc", "--db", wayback_november.archive, "--since", today
    )
    assert refused.returncode == 2 and f"no captures made {today}..now" in refused.stderr
    # What --help says is what it does: by when the page was captured, not fetched.
    help_text = " ".join(ilo_archive("warc", "--help").stdout.split())
    assert "Only pages captured in or after this month (UTC)" in help_text
    assert "select by when a page's content was captured, as its WARC-Date says" in help_text
    assert "fetch month" not in help_text


def test_an_existing_file_is_replaced_only_with_force(november: Crawl, tmp_path: Path) -> None:
    out = tmp_path / "listings.warc"
    out.write_bytes(b"an earlier export, perhaps the only copy of what it holds")
    before = out.stat()
    command = ("warc", out, "--db", november.archive, "--kind", "listing")
    refused = ilo_archive(*command)
    assert (refused.returncode, refused.stdout, refused.stderr) == (
        2,
        "",
        f"Error: {out} exists: give a new file name, or --force to replace it\n",
    )
    assert out.read_bytes() == b"an earlier export, perhaps the only copy of what it holds"
    assert out.stat().st_mtime_ns == before.st_mtime_ns
    replaced = ilo_archive(*command, "--force")
    assert replaced.returncode == 0, replaced.stderr
    assert read_warc(out)[0]["type"] == "warcinfo"
    assert [p.name for p in tmp_path.iterdir()] == ["listings.warc"]
