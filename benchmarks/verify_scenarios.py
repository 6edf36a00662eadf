"""``ilo-archive verify`` on the demo's archive and on one ``SCALE`` times its size: its time
should grow about ``SCALE`` times (every check is one pass over what it checks), not ``SCALE²``."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import sys
import zlib
from contextlib import ExitStack, closing
from pathlib import Path

from harness import Context, ScenarioResult, check, measure

from ilo_crawler.archive.store import decode_body
from ilo_crawler.demo import RUNS
from ilo_crawler.mirror.process import crawl_command, running_mirror

#: How many times the demo's archive the large one holds.
SCALE = 10
#: ``verify`` on SCALE times the data may take at most this many times as long (linear, with
#: room for the noise of a shared machine; quadratic would be about SCALE²).
GROWTH_GOAL = 1.5 * SCALE


def demo_archive(path: Path) -> Path:
    """The archive ``make demo`` leaves (its replicas, its three runs), made at ``path``."""
    with ExitStack() as replicas:
        wayback = replicas.enter_context(running_mirror(None, None, "--wayback"))
        site = replicas.enter_context(
            running_mirror(None, None, "--retired", "--publish-every", "20", "--publish-max", "3")
        )
        for shown, arguments in RUNS:
            command = crawl_command(site, path, wayback_url=wayback, **arguments)
            check(measure(command), f"demo run {shown}")
    return path


def scaled_archive(source: Path, target: Path, scale: int) -> Path:
    """A copy of ``source`` holding ``scale`` times its articles, captures and capture bodies:
    each copy of a page a distinct body (its bytes and a marker of the copy: another hash), each
    copy of an article another document pointing at its copy of its capture. What ``verify``
    checks grows ``scale`` times; the other tables stay as they are."""
    shutil.copyfile(source, target)
    with closing(sqlite3.connect(target)) as connection, connection:
        connection.execute("PRAGMA journal_mode=DELETE")
        bodies = connection.execute("SELECT sha256, encoding, body FROM capture_bodies").fetchall()
        (last_capture,) = connection.execute("SELECT max(id) FROM captures").fetchone()
        capture_columns = _columns(connection, "captures", ("id", "sha256", "size", "doc_id"))
        article_columns = _columns(connection, "articles", ("id", "doc_id", "capture_id"))
        for copy in range(1, scale):
            marker = f"<!-- copy {copy} -->".encode()
            connection.execute("CREATE TEMP TABLE IF NOT EXISTS copied (old TEXT, new TEXT)")
            connection.execute("DELETE FROM copied")
            for sha256, encoding, body in bodies:
                data = decode_body(encoding, body) + marker
                digest = hashlib.sha256(data).hexdigest()
                connection.execute(
                    "INSERT INTO capture_bodies VALUES (?, 'zlib', ?)",
                    (digest, zlib.compress(data, 6)),
                )
                connection.execute("INSERT INTO copied VALUES (?, ?)", (sha256, digest))
            offset = copy * last_capture
            connection.execute(
                f"INSERT INTO captures (id, sha256, size, doc_id, {capture_columns}) "
                f"SELECT c.id + {offset}, copied.new, c.size + {len(marker)}, "
                f"c.doc_id || '~{copy}', {capture_columns} FROM captures c "
                f"JOIN copied ON copied.old = c.sha256 WHERE c.id <= {last_capture}"
            )
            connection.execute(
                f"INSERT INTO articles (doc_id, capture_id, {article_columns}) "
                f"SELECT doc_id || '~{copy}', capture_id + {offset}, {article_columns} "
                "FROM articles WHERE doc_id NOT LIKE '%~%'"
            )
    with closing(sqlite3.connect(target)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("VACUUM")
    return target


def _columns(connection: sqlite3.Connection, table: str, apart: tuple[str, ...]) -> str:
    names = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
    return ", ".join(name for name in names if name not in apart)


def verify(ctx: Context) -> ScenarioResult:
    """``ilo-archive verify`` (a subprocess, every check) on the demo's archive and on one
    ``SCALE`` times its size, interleaved; the ratio of their medians is held to be linear."""
    result = ScenarioResult("verify")
    small = demo_archive(ctx.scratch("demo.db"))
    large = scaled_archive(small, ctx.scratch(f"demo-x{SCALE}.db"), SCALE)
    archives = {"demo": small, f"{SCALE}x demo": large}
    for name, path in archives.items():
        with closing(sqlite3.connect(path)) as connection:
            for table in ("articles", "captures", "capture_bodies"):
                (count,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
                result.details[f"{name} {table}"] = count
        result.details[f"{name} MB"] = round(path.stat().st_size / 2**20, 1)
    for _ in range(ctx.repeat):
        for name, path in archives.items():
            run = check(
                measure([sys.executable, "-m", "ilo_crawler", "verify", "--db", str(path)]),
                f"ilo-archive verify on the {name} archive",
            )
            result.add(f"verify {name} s", run.wall_s)
    growth = result.median(f"verify {SCALE}x demo s") / result.median("verify demo s")
    result.ratios[f"verify {SCALE}x demo / demo"] = growth
    result.target(
        f"verify {SCALE}x demo / demo",
        growth,
        f"<= {GROWTH_GOAL:g} (linear; quadratic would be ~{SCALE**2})",
        growth <= GROWTH_GOAL,
    )
    return result
