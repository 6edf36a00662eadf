"""Readers of the archive: every reading ``ilo-archive`` command run for real as a user who can
read the archive but not write it, on an archive at rest and on one a writer has open; readers
never write to a file they were only asked to read (an empty file, an older schema); ``verify``
on a damaged file reports the damage."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from conftest import (
    MONTH,
    NOBODY_READER,
    Crawl,
    copy_archive,
    ilo_archive,
    nobody_reader_for,
    run_crawl,
)

from ilo_crawler.archive import Archive
from ilo_crawler.archive.schema import MIGRATIONS, SCHEMA_VERSION
from ilo_crawler.mirror.process import crawl_command


def _state(directory: Path) -> dict[str, str]:
    """Every file of the directory and the SHA-256 of its content."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
        if path.is_file()
    }


def _reading_commands(archive: Path, out: Path) -> list[tuple[str | Path, ...]]:
    """Every reading command, with arguments that make it read something; files go to ``out``."""
    return [
        ("stats", "--db", archive),
        ("list", "--db", archive, "--month", MONTH),
        ("coverage", "--db", archive),
        ("coverage", "--db", archive, "--html", out / "coverage.html"),
        ("search", "cobalt", "--db", archive),
        ("show", "WCMS_826064", "--db", archive),
        ("export", "--db", archive, "--format", "jsonl"),
        ("export", "--db", archive, "-o", out / "november.csv"),
        ("verify", "--db", archive),
        ("warc", out / "november.warc.gz", "--db", archive),
        ("backup", out / "copy.db", "--db", archive),
    ]


@pytest.fixture()
def read_only_archive(november: Crawl) -> Iterator[tuple[Path, Path]]:
    """A copy of the November archive in a directory only root may write (mode 0755) whose
    parents the reader may search, as any reader's must be (pytest's own directories are
    private: this one is made in the system's temporary directory); and a directory anyone may
    write, for the commands' output files."""
    with tempfile.TemporaryDirectory(prefix="ilo-reader-") as name:
        root = Path(name)
        root.chmod(0o711)
        directory = root / "archive"
        directory.mkdir(mode=0o755)
        archive = copy_archive(november.archive, directory / "archive.db")
        out = root / "out"
        out.mkdir()
        out.chmod(0o777)
        nobody_reader_for(directory)  # or skip, saying why
        yield archive, out


def _run_every_reading_command(archive: Path, out: Path) -> dict[str, str]:
    """Run them all as the reader; each must succeed. Their outputs, by command."""
    outputs = {}
    for command in _reading_commands(archive, out):
        result = ilo_archive(*command, runner=NOBODY_READER)
        assert result.returncode == 0, (command, result.stderr)
        outputs[" ".join(map(str, command[:1]))] = result.stdout
    return outputs


def test_every_reading_command_works_for_a_reader_who_cannot_write(
    read_only_archive: tuple[Path, Path],
) -> None:
    archive, out = read_only_archive
    before = _state(archive.parent)
    outputs = _run_every_reading_command(archive, out)
    assert "WCMS_825658" in outputs["search"] and "ok" in outputs["verify"]
    assert _state(archive.parent) == before  # nothing written, nothing left beside it
    with closing(sqlite3.connect(out / "copy.db")) as copied:
        assert copied.execute("SELECT count(*) FROM articles").fetchone()[0] == 78
    plain = subprocess.run(  # what the README tells a reader to give sqlite3
        [*NOBODY_READER, "sqlite3", f"file:{archive}?immutable=1", "SELECT count(*) FROM articles"],
        capture_output=True,
        text=True,
    )
    assert (plain.returncode, plain.stdout.strip()) == (0, "78"), plain.stderr


def test_a_reader_sees_what_a_writer_holding_the_archive_open_committed(
    read_only_archive: tuple[Path, Path],
) -> None:
    """While a crawl has the archive open its -wal and -shm files exist (readable: the umask
    gives 0644); the reader reads through them, committed rows not yet checkpointed included."""
    archive, out = read_only_archive
    writer = Archive(archive)
    try:
        run_id = writer.start_run("reparse", {"mode": "reparse"}, None)
        assert Path(f"{archive}-wal").exists() and Path(f"{archive}-shm").exists()
        outputs = _run_every_reading_command(archive, out)
    finally:
        writer.close()
    assert f"last run #{run_id} reparse: running" in outputs["stats"]


@pytest.mark.parametrize("kind", ["empty file", "older schema"])
def test_reading_commands_never_write_to_an_empty_file_or_an_older_archive(
    kind: str, tmp_path: Path
) -> None:
    path = tmp_path / "a.db"
    if kind == "empty file":
        path.touch()
        message = f"{path} is empty, not an archive yet"
    else:
        connection = sqlite3.connect(path)
        for statement in MIGRATIONS[0]:
            connection.execute(statement)
        connection.execute("PRAGMA user_version=1")
        connection.commit()
        connection.close()
        message = f"schema version 1, older than this ilo-crawler's ({SCHEMA_VERSION})"
    before = _state(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    for command in _reading_commands(path, out):
        result = ilo_archive(*command)
        errors = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(errors) == 1 and message in errors[0], command
    assert not any(out.iterdir())
    out.rmdir()
    assert _state(tmp_path) == before
    if kind == "older schema":
        upgraded = ilo_archive("upgrade", "--db", path)
        assert upgraded.returncode == 0, upgraded.stderr
        assert f"upgraded from schema version 1 to {SCHEMA_VERSION}" in upgraded.stdout
        assert ilo_archive("stats", "--db", path).returncode == 0


def test_a_crawl_into_an_empty_file_says_it_initialises_an_archive_there(
    replica: str, tmp_path: Path
) -> None:
    path = tmp_path / "a.db"
    path.touch()
    crawl = run_crawl(replica, path, month=MONTH)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert f"initialising a new archive in {path} (the file was empty)" in crawl.stderr
    assert crawl.rows("SELECT count(*) FROM articles")[0][0] == 78


def _damage(path: Path, offset: int, size: int) -> None:
    with path.open("r+b") as file:
        file.seek(offset)
        file.write(b"\xff" * size)


def test_verify_reports_the_damage_it_finds_in_a_damaged_file(
    november: Crawl, tmp_path: Path
) -> None:
    """A page in the middle overwritten: the archive opens, integrity_check names the pages;
    the schema's page overwritten: the archive cannot open, verify still runs SQLite's check."""
    middle = copy_archive(november.archive, tmp_path / "middle.db")
    page_size = sqlite3.connect(middle).execute("PRAGMA page_size").fetchone()[0]
    _damage(middle, page_size * (middle.stat().st_size // page_size // 2), page_size)
    schema = copy_archive(november.archive, tmp_path / "schema.db")
    _damage(schema, page_size // 2, page_size // 2)
    every_check = len(ilo_archive("verify", "--db", november.archive).stdout.splitlines()[2:])
    for path, checks in ((middle, every_check), (schema, 1)):
        result = ilo_archive("verify", "--db", path)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        rows = result.stdout.splitlines()[2:]
        assert len([row for row in rows if not row.startswith(" ")]) == checks, result.stdout
        assert rows[0].startswith("sqlite integrity_check") and "problem(s)" in rows[0]
        assert "not an SQLite archive" not in result.stderr


def test_backups_taken_while_a_crawl_writes_are_sound_archives(
    replica: str, tmp_path: Path
) -> None:
    """``ilo-archive backup`` during a crawl: every copy passes ``verify`` and holds whole
    batches only (every article with its capture and appearance); an existing target is refused
    and a target that cannot be written leaves nothing."""
    archive = tmp_path / "archive.db"
    Archive(archive).close()
    crawl = subprocess.Popen(
        crawl_command(replica, archive, since="2021-01", until="2021-06"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    copies: list[tuple[Path, int]] = []
    try:
        while crawl.poll() is None or not copies:
            copy = tmp_path / f"backup-{len(copies)}.db"
            result = ilo_archive("backup", copy, "--db", archive)
            assert result.returncode == 0, result.stderr
            with closing(sqlite3.connect(copy)) as connection:
                (articles,) = connection.execute("SELECT count(*) FROM articles").fetchone()
            copies.append((copy, articles))
    finally:
        crawl.wait(timeout=600)
    assert crawl.returncode == 0
    assert len({count for _, count in copies}) > 1, "the backups should have watched it grow"
    for copy, _ in copies:
        verified = ilo_archive("verify", "--db", copy)
        assert verified.returncode == 0, verified.stdout
    existing = ilo_archive("backup", copies[0][0], "--db", archive)
    assert existing.returncode == 2 and "exists: give a new file name" in existing.stderr
    nowhere = ilo_archive("backup", tmp_path / "no" / "dir" / "b.db", "--db", archive)
    assert nowhere.returncode == 2 and "cannot write the backup" in nowhere.stderr
    assert len(nowhere.stderr.strip().splitlines()) == 1 and not (tmp_path / "no").exists()


def test_a_user_who_may_not_read_the_archive_is_told_so(november: Crawl, tmp_path: Path) -> None:
    """Root without its capabilities to read or write anything (its bounding set) is an
    ordinary user for a file it does not own: the archive is nobody's, mode 0600."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run a command without permission to read")
    archive = copy_archive(november.archive, tmp_path / "archive.db")
    os.chown(archive, 65534, 65534)
    archive.chmod(0o600)
    no_read = ("setpriv", "--bounding-set=-dac_override,-dac_read_search")
    result = ilo_archive("stats", "--db", archive, runner=no_read)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"Error: cannot read archive {archive}: permission denied (a reader needs read "
        "permission on it and search permission on its directories)"
    )
