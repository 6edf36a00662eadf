"""Every example of the documentation (README.md and docs/*.md) runs as written, so that an
example that stops working fails the suite.

Each ``$ command`` of a console block runs in ``bash`` from a directory laid out as the project
(``data/``, ``ilo_crawler``, ``tests``, a ``scrapy.cfg``):

- the analyst's programs (``ilo-archive``, ``sqlite3``, ``sqlite-utils``, ``datasette``) on a
  copy of a crawled archive, November 2021 in English and French, as ``data/archive.db``;
- ``scrapy crawl`` into a new archive, with the replicas of the sites and of the web archive as
  the sites (the backfill's first month moved to 2024-03, so that ``all=1`` reads two months);
- a block that starts a replica in the background (``... &``) as one session: the replica on a
  free port in place of the one shown, then the block's other commands against it;
- ``make demo``'s transcript in the README by running the demo.

An example shown answering ``error:`` (``Error:``) must fail with that line; any other must
succeed without a traceback. A line shown with ``...`` in it must be among the lines printed,
``...`` standing for anything; ``curl`` and ``python`` examples must print every line shown.
Every statement of the ``sql`` blocks and every inline ``SELECT`` runs against the archive, every
``python`` block runs, and docs/cli.md's ``--help`` sections must be what cog generates now."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, closing
from pathlib import Path

import pytest
import yaml
from conftest import MONTH, ROOT, Crawl, copy_archive, run_crawl
from doc_examples import (
    DOC_FILES,
    Example,
    blocks,
    console_examples,
    shown_line_matches,
    sql_examples,
)

from ilo_crawler.mirror.process import REPLICA_CRAWL_SETTINGS
from ilo_crawler.sites.registry import SITES
from ilo_crawler.spiders.arguments import SOURCES

EXAMPLES = console_examples()
#: The analyst's programs, run on a copy of the archive.
ANALYST = ("ilo-archive", "sqlite3", "sqlite-utils")
#: Commands shown but not run here, and why.
NOT_RUN_HERE = {
    "make test": "it is the suite itself",
    ".venv/bin/pip install -e '.[analyst]'": "make install installs the test extras, Datasette's too",
}
#: The backfill (``-a all=1`` from the web archive) starts here in these runs: two months.
BACKFILL_FIRST_MONTH = "2024-03"


def is_demo_transcript(example: Example) -> bool:
    """A crawl of the README's plain block: what ``make demo`` shows it ran."""
    return example.page == "README.md" and example.language == "" and example.program == "scrapy"


def session_blocks() -> list[list[Example]]:
    """The blocks that start a replica in the background, each as its examples in order."""
    places = {(e.page, e.block) for e in EXAMPLES if e.command.rstrip().endswith("&")}
    return [[e for e in EXAMPLES if (e.page, e.block) == place] for place in sorted(places)]


def runner(example: Example) -> str | None:
    """Which test runs an example (None: none does, and the suite fails saying so)."""
    if example.command.split("#")[0].strip() in NOT_RUN_HERE:
        return "not run here"
    if example.command.split("#")[0].strip() == "make demo" or is_demo_transcript(example):
        return "test_make_demo_prints_what_the_readme_shows"
    if any(example in block for block in session_blocks()):
        return "test_a_replica_session_runs_as_written"
    if example.program in ANALYST:
        return "test_an_analyst_example_runs_as_written"
    if example.program == "datasette":
        return "test_the_datasette_example_serves_the_archive"
    if example.command.startswith("scrapy crawl "):
        return "test_a_crawl_example_runs_as_written"
    if example.program == "python":
        return "test_a_python_command_prints_what_the_page_shows"
    return None


def examples_for(name: str) -> list[Example]:
    return [e for e in EXAMPLES if runner(e) == name]


def example_id(example: Example) -> str:
    return f"{example.page}: {example.command.splitlines()[0][:70]}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def project_dir(tmp_path: Path, *, base_url: str = "", wayback_url: str = "") -> Path:
    """A directory laid out as the project, for the examples' relative paths, whose settings
    are the project's with the replicas as the sites."""
    work = tmp_path / "project"
    (work / "data").mkdir(parents=True)
    for name in ("ilo_crawler", "tests"):
        (work / name).symlink_to(ROOT / name)
    (work / ".venv").symlink_to(Path(sys.executable).parent.parent)
    (work / "scrapy.cfg").write_text("[settings]\ndefault = doc_settings\n", "utf-8")
    settings = {
        **REPLICA_CRAWL_SETTINGS,
        "ILO_BASE_URL": base_url or "https://www.ilo.org",
        "ILO_WAYBACK_URL": wayback_url or "https://web.archive.org",
        "ILO_WAYBACK_FIRST_MONTH": BACKFILL_FIRST_MONTH,
    }
    module = "".join(f"{name} = {value!r}\n" for name, value in settings.items())
    (work / "doc_settings.py").write_text(
        f"from ilo_crawler.settings import *  # noqa: F403\n{module}", "utf-8"
    )
    return work


def environment() -> dict[str, str]:
    """This environment with the project's programs (``ilo-archive``, ``scrapy``) on PATH."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def run(command: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def check(example: Example, result: subprocess.CompletedProcess[str]) -> None:
    """The example's outcome is the one its page shows (see the module's docstring)."""
    printed = (result.stdout + result.stderr).splitlines()
    if example.errors:
        assert result.returncode != 0, result
        for line in example.errors:
            assert shown_line_matches(line, printed), (line, result.stderr[-3000:])
    else:
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Traceback" not in result.stderr, result.stderr[-3000:]
    everything = example.program in ("curl", "python")
    for line in example.shown:
        if line.strip() and line.strip() != "..." and (everything or "..." in line):
            assert shown_line_matches(line, printed), (line, printed[-40:])


def test_every_example_is_run() -> None:
    """Every command shown has a test running it, and the extraction finds what it must (a
    change of the pages' form would silently run nothing)."""
    unrun = [example_id(e) for e in EXAMPLES if runner(e) is None]
    assert not unrun, f"examples no test runs: {unrun}"
    commands = [e.command for e in EXAMPLES]
    for start in ("ilo-archive stats", "ilo-archive search", "ilo-archive backup", "sqlite3"):
        assert any(command.startswith(start) for command in commands), start
    assert any(c.startswith("scrapy crawl newsroom -a source=wayback -a all=1") for c in commands)
    assert session_blocks() and examples_for("test_a_python_command_prints_what_the_page_shows")
    assert any("articles_fts MATCH 'cobalt'" in statement for _, statement in sql_examples())
    for command in NOT_RUN_HERE:
        assert any(c.startswith(command) for c in commands), (
            f"{command!r} is no longer shown: drop it from NOT_RUN_HERE"
        )


@pytest.fixture(scope="module")
def docs_archive(november: Crawl, replica: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the analyst's examples are about: November 2021 in English and in French."""
    path = copy_archive(november.archive, tmp_path_factory.mktemp("docs") / "archive.db")
    crawl = run_crawl(replica, path, month=MONTH, lang="fr")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    return path


@pytest.mark.parametrize(
    "example", examples_for("test_an_analyst_example_runs_as_written"), ids=example_id
)
def test_an_analyst_example_runs_as_written(
    example: Example, docs_archive: Path, tmp_path: Path
) -> None:
    if shutil.which(example.program) is None and example.program == "sqlite3":
        pytest.skip("needs the sqlite3 command-line program")
    work = project_dir(tmp_path)
    copy_archive(docs_archive, work / "data" / "archive.db")
    check(example, run(example.command, work))


@pytest.mark.parametrize(
    "example", examples_for("test_a_crawl_example_runs_as_written"), ids=example_id
)
def test_a_crawl_example_runs_as_written(
    example: Example, replica: str, wayback: str, tmp_path: Path
) -> None:
    work = project_dir(tmp_path, base_url=replica, wayback_url=wayback)
    command, errors = example.command, example.errors
    if "/srv/readonly" in command:
        if os.geteuid() == 0:
            pytest.skip(
                "root writes a read-only directory (test_crawl_setup.py refuses one as nobody)"
            )
        readonly = work / "readonly"
        readonly.mkdir(mode=0o555)
        command = command.replace("/srv/readonly", str(readonly))
        errors = [line.replace("/srv/readonly", str(readonly)) for line in errors]
    check(
        Example(example.page, example.language, example.block, command, tuple(errors)),
        run(command, work),
    )


@pytest.mark.parametrize(
    "example", examples_for("test_a_python_command_prints_what_the_page_shows"), ids=example_id
)
def test_a_python_command_prints_what_the_page_shows(example: Example, tmp_path: Path) -> None:
    check(example, run(example.command, project_dir(tmp_path)))


def on_free_ports(block: list[Example]) -> list[Example]:
    """The block with each port it names (``--port N``) replaced by a free one, in its commands
    and in what they are shown printing."""
    text = "\n".join(line for e in block for line in (e.command, *e.shown))
    ports = {port: str(free_port()) for port in re.findall(r"--port (\d+)", text)}

    def moved(line: str) -> str:
        for shown, free in ports.items():
            line = line.replace(f"--port {shown}", f"--port {free}")
            line = line.replace(f"127.0.0.1:{shown}", f"127.0.0.1:{free}")
        return line

    return [
        Example(e.page, e.language, e.block, moved(e.command), tuple(map(moved, e.shown)))
        for e in block
    ]


@pytest.mark.parametrize(
    "block", session_blocks(), ids=lambda block: f"{block[0].page} block {block[0].block}"
)
def test_a_replica_session_runs_as_written(block: list[Example], tmp_path: Path) -> None:
    work = project_dir(tmp_path)
    with ExitStack() as servers:
        for example in on_free_ports(block):
            if not example.command.rstrip().endswith("&"):
                check(example, run(example.command, work))
                continue
            server = subprocess.Popen(
                ["bash", "-c", f"exec {example.command.rstrip()[:-1]}"],
                cwd=work,
                env=environment(),
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            servers.callback(server.wait, timeout=30)
            servers.callback(server.terminate)
            assert server.stdout is not None
            base_url = server.stdout.readline().strip()
            assert base_url.startswith("http://127.0.0.1:"), f"{example.command}: no base URL"
            for line in example.shown:
                assert line == base_url


def test_the_datasette_example_serves_the_archive(docs_archive: Path, tmp_path: Path) -> None:
    shown = examples_for("test_the_datasette_example_serves_the_archive")
    (example,) = {e.command: e for e in shown}.values()  # one command, shown on two pages
    work = project_dir(tmp_path)
    copy_archive(docs_archive, work / "data" / "archive.db")
    port = free_port()
    server = subprocess.Popen(
        ["bash", "-c", f"exec {example.command} --port {port}"],
        cwd=work,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/archive.json", timeout=10
                ) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "Datasette never answered"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_make_demo_prints_what_the_readme_shows(tmp_path: Path) -> None:
    """``make demo`` (``python -m ilo_crawler.demo`` in the project directory) prints every
    line of the README's transcript, ``...`` standing for what varies."""
    (transcript,) = [text for _, text in blocks("", (ROOT / "README.md",)) if "$ scrapy" in text]
    make = (ROOT / "Makefile").read_text("utf-8")
    assert re.search(r"^demo:.*\n\t\$\(BIN\)/python -m ilo_crawler.demo$", make, re.M)
    work = project_dir(tmp_path)
    (work / "scrapy.cfg").write_text((ROOT / "scrapy.cfg").read_text("utf-8"), "utf-8")
    result = run(f"{shlex.quote(sys.executable)} -m ilo_crawler.demo", work)
    assert result.returncode == 0, result.stderr[-3000:]
    printed = result.stdout.splitlines()
    for line in transcript.splitlines():
        if line.strip() and line.strip() != "...":
            assert shown_line_matches(line, printed), (line, result.stdout[-3000:])


@pytest.mark.parametrize(("page", "statement"), sql_examples(), ids=lambda x: x[:60])
def test_an_sql_example_runs_as_written(page: str, statement: str, docs_archive: Path) -> None:
    uri = f"{docs_archive.as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        connection.execute(statement).fetchall()


@pytest.mark.parametrize(("page", "code"), blocks("python"), ids=lambda x: x[:40])
def test_a_python_block_runs(page: str, code: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{page}: {result.stderr[-3000:]}"


def test_the_cli_page_is_what_cog_generates() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "docs/cli.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (
        f"docs/cli.md is stale: run .venv/bin/cog -r docs/cli.md\n{result.stdout}{result.stderr}"
    )


def column_descriptions(column: str) -> Iterator[tuple[str, str]]:
    """(table, description) of every column of that name in Datasette's metadata."""
    metadata = yaml.safe_load((ROOT / "ilo_crawler/archive/metadata.yml").read_text("utf-8"))
    for table, described in metadata["databases"]["archive"]["tables"].items():
        if column in described.get("columns", {}):
            yield table, described["columns"][column]


def test_the_datasette_metadata_names_every_listing_and_source() -> None:
    listings = [name for site in SITES.values() for name in site.listings]
    for table, description in column_descriptions("listing"):
        if table != "completeness":  # months read from the web archive: the WCMS's listings
            assert all(name in description for name in listings), (table, description)
    for table, description in [*column_descriptions("source"), *column_descriptions("arguments")]:
        if table not in ("completeness",):
            assert all(source in description for source in SOURCES), (table, description)


#: Pages other branches write; linked before they land.
PAGES_WRITTEN_ELSEWHERE = {"docs/fidelity.md", "docs/daily-runs.md", "docs/identities.md"}


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a page's headings (lower case, punctuation dropped, spaces
    to hyphens), outside its fenced blocks."""
    text = re.sub(r"^```.*?^```", "", path.read_text("utf-8"), flags=re.S | re.M)
    headings = re.findall(r"^#+ (.+)$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda path: path.name)
def test_every_link_between_pages_leads_somewhere(path: Path) -> None:
    text = re.sub(r"^```.*?^```", "", path.read_text("utf-8"), flags=re.S | re.M)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"\w+:", target):
            continue  # another site's
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        name = str(linked.relative_to(ROOT)) if linked.is_relative_to(ROOT) else str(linked)
        if name in PAGES_WRITTEN_ELSEWHERE and not linked.exists():
            continue
        assert linked.exists(), f"{path.name}: {target} leads nowhere"
        if anchor:
            assert anchor in anchors(linked), f"{path.name}: {target}: no such heading"


def test_the_readme_stays_short_and_the_index_lists_every_page() -> None:
    """The README is the set-up, the everyday commands and links (300 lines at most); every
    page of docs/ is found from docs/index.md."""
    assert len((ROOT / "README.md").read_text("utf-8").splitlines()) <= 300
    index = (ROOT / "docs" / "index.md").read_text("utf-8")
    pages = {path.name for path in (ROOT / "docs").glob("*.md")} - {"index.md"}
    pages |= {Path(name).name for name in PAGES_WRITTEN_ELSEWHERE}
    assert not {name for name in pages if f"]({name})" not in index}
