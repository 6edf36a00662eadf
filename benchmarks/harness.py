"""What every scenario shares: measuring a subprocess, the machine, the dataset, the results.

Shared machines are noisy, so a scenario keeps every sample, reports medians, and compares with a
baseline measured in the same run rather than with a number from another day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import scrapy

from ilo_crawler.items import ArticleItem
from ilo_crawler.langs import format_month_heading
from ilo_crawler.mirror.dataset import Record, load_dataset
from ilo_crawler.sites import DEFAULT_BASE_URL
from ilo_crawler.sites.wcms import urls

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = 10  #: the replica's default page size, which the benchmarks crawl at
LISTING = "all-newsroom"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# Results -----------------------------------------------------------------------------------------
@dataclass
class Target:
    """A goal a metric is held to; ``met`` is decided on the median, never on the best sample."""

    metric: str
    value: float
    goal: str
    met: bool


@dataclass
class ScenarioResult:
    """Every sample of every metric, their medians, ratios to same-run baselines, targets."""

    name: str
    samples: dict[str, list[float]] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, metric: str, value: float) -> None:
        self.samples.setdefault(metric, []).append(value)

    def median(self, metric: str) -> float:
        return statistics.median(self.samples[metric])

    def target(self, metric: str, value: float, goal: str, met: bool) -> None:
        self.targets.append(Target(metric, round(value, 3), goal, met))

    def as_json(self) -> dict[str, Any]:
        return {
            "samples": {
                name: [round(v, 4) for v in values] for name, values in self.samples.items()
            },
            "median": {name: round(self.median(name), 4) for name in self.samples},
            "ratios": {name: round(value, 4) for name, value in self.ratios.items()},
            "targets": [asdict(target) for target in self.targets],
            "details": self.details,
        }


def code_fingerprint() -> str:
    """A hash of the crawler's source as it is on disk (committed or not): taken at the start and
    the end of a run, it shows whether the code measured changed during the run."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "ilo_crawler").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".toml", ".txt", ".jsonl", ".yml"):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def machine() -> dict[str, Any]:
    """The machine and software a run measured, so results are read against what produced them."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor() or "unknown",
    )
    meminfo = Path("/proc/meminfo").read_text().split()
    ram_kb = int(meminfo[meminfo.index("MemTotal:") + 1])
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "ram_gb": round(ram_kb / 1024**2, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "scrapy": scrapy.__version__,
        "sqlite": sqlite3.sqlite_version,
        "commit": commit,
        "code_fingerprint": code_fingerprint(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


# Measuring a subprocess --------------------------------------------------------------------------
@dataclass
class Measured:
    """One finished subprocess: wall time, its CPU time (from ``wait4``: its own and that of the
    processes it waited for: a crawl's helpers, the archive's writer and the page reader), its peak RSS and RSS series (sampled
    from ``/proc``), and the CPU the replica spent serving it.

    The peak is that of the process and its descendants (a crawl's helper processes) together:
    the sum of their last VmHWM each (an upper bound: their peaks need not coincide), not
    ``ru_maxrss``: Linux carries the parent's RSS at fork into the child's ``ru_maxrss``, which
    would charge the benchmark's own memory to the crawl. The series is the process's own VmRSS
    (the helpers end before the crawl does: the sum would fall at the end). ``main_thread_cpu_s``
    (the reactor's, in a crawl) and ``descendants_cpu_s`` are the last values sampled, so up to
    one sampling interval short."""

    returncode: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    rss_series: list[tuple[float, float]]  #: (seconds since start, MB)
    server_cpu_s: float | None
    stdout: str
    stderr: str
    main_thread_cpu_s: float | None = None
    descendants_cpu_s: float | None = None

    def rss_at(self, fraction: float) -> float:
        """RSS when ``fraction`` of the run had elapsed (the sample nearest that moment)."""
        if not self.rss_series:
            return self.peak_rss_mb
        moment = fraction * self.wall_s
        return min(self.rss_series, key=lambda sample: abs(sample[0] - moment))[1]


def _memory_mb(pid: int) -> tuple[float, float] | None:
    """VmRSS and VmHWM (the peak so far) of a live process, in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {}
    for line in status.splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line[:5]] = int(line.split()[1]) / 1024
    if len(values) < 2:
        return None
    return values["VmRSS"], values["VmHWM"]


def cpu_seconds(pid: int | None, thread: int | None = None) -> float | None:
    """User + system CPU seconds a live process (or one of its threads) has used so far (None if
    it cannot be read)."""
    if pid is None:
        return None
    where = f"/proc/{pid}/task/{thread}/stat" if thread is not None else f"/proc/{pid}/stat"
    try:
        fields = Path(where).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def descendants(pid: int) -> list[int]:
    """The live processes started by ``pid`` and by them, and so on."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def child_pid(marker: str) -> int | None:
    """The pid of this process's child whose command line contains ``marker`` (the replica)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and marker in cmdline:
            return int(entry.name)
    return None


def measure(
    command: Sequence[str],
    *,
    cwd: Path = ROOT,
    server_pid: int | None = None,
    sample_every: float = 0.5,
) -> Measured:
    """Run ``command`` to its end and measure it. ``wait4`` gives the child's own CPU time exactly;
    a thread samples its memory every ``sample_every`` seconds."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        server_before = cpu_seconds(server_pid)
        started = time.monotonic()
        process = subprocess.Popen(list(command), cwd=cwd, stdout=out, stderr=err, env=env)
        series: list[tuple[float, float]] = []
        peaks: dict[int, float] = {}  # per process of the tree, its VmHWM last sampled
        cpu: dict[str, float | None] = {"main": None}
        descendants_cpu: dict[int, float] = {}
        done = threading.Event()

        def sample() -> None:
            while not done.wait(sample_every):
                for pid in (process.pid, *descendants(process.pid)):
                    memory = _memory_mb(pid)
                    if memory is not None:
                        peaks[pid] = memory[1]
                        if pid == process.pid:
                            series.append((time.monotonic() - started, memory[0]))
                    if pid != process.pid:
                        descendants_cpu[pid] = cpu_seconds(pid) or descendants_cpu.get(pid, 0.0)
                cpu["main"] = cpu_seconds(process.pid, process.pid) or cpu["main"]

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        server_after = cpu_seconds(server_pid)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    return Measured(
        returncode=process.returncode,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=sum(peaks.values()),
        rss_series=series,
        server_cpu_s=None
        if server_before is None or server_after is None
        else server_after - server_before,
        stdout=stdout,
        stderr=stderr,
        main_thread_cpu_s=cpu["main"],
        descendants_cpu_s=sum(descendants_cpu.values()) if descendants_cpu else None,
    )


def check(result: Measured, what: str) -> Measured:
    """Stop the benchmark on a failed subprocess: a number from a broken run is worse than none."""
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def last_run_stats(archive: Path) -> dict[str, Any]:
    """Scrapy's stats of the archive's latest run, as the RunRecorder stored them."""
    connection = sqlite3.connect(archive)
    try:
        (stats,) = connection.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        connection.close()
    return json.loads(stats)


# The default dataset -----------------------------------------------------------------------------
def write_default_dataset(path: Path) -> list[Record]:
    """The replica's default dataset, written the documented way and read back with the replica's
    own rules (``date_text`` absent: the language's date form; ``type`` absent: the default)."""
    subprocess.run(
        [sys.executable, "-m", "ilo_crawler.mirror.generate", "--out", str(path)],
        cwd=ROOT,
        check=True,
    )
    return load_dataset(path)


def english_listing(records: Sequence[Record]) -> list[Record]:
    """The English all-newsroom listing as the replica orders it: newest first, stable."""
    listed = [r for r in records if r.lang == "en" and LISTING in r.listings]
    return sorted(listed, key=lambda r: r.date, reverse=True)


def month_positions(listing: Sequence[Record], month: str) -> list[int]:
    """Where the items of ``month`` (``YYYY-MM``) stand in ``listing``: what a crawl of it owes."""
    return [i for i, r in enumerate(listing) if r.date.isoformat()[:7] == month]


def spider_items(records: Sequence[Record], base_url: str = DEFAULT_BASE_URL) -> list[ArticleItem]:
    """The English listing's items as the spider yields them before the pipelines run: what the
    listing and the article page show, nothing normalised yet."""
    languages: dict[str, set[str]] = {}
    for record in records:
        languages.setdefault(record.id, set()).add(record.lang)
    items = []
    for index, record in enumerate(english_listing(records)):
        page, position = divmod(index, PAGE_SIZE)
        items.append(
            ArticleItem(
                doc_id=record.id,
                lang=record.lang,
                url=base_url + urls.article_path(record.section, record.id, record.lang),
                listing=LISTING,
                listing_url=urls.listing_url(base_url, LISTING, record.lang, page * PAGE_SIZE),
                listing_position=position + 1,
                listing_offset=page * PAGE_SIZE,
                listing_heading=format_month_heading(record.date.year, record.date.month, "en"),
                title=record.title,
                summary=record.summary,
                credit=record.credit,
                label=record.label,
                date_text=record.date_text,
                article_type=record.type,
                article_date_text=record.article_date,
                body=list(record.body),
                translations=sorted(languages[record.id] - {record.lang}),
                fetched_at="2024-12-31T00:00:00+00:00",
            )
        )
    return items


@dataclass
class Context:
    """What a scenario runs against: the replica, a scratch directory, the dataset it serves."""

    base_url: str
    server_pid: int | None
    workdir: Path
    dataset: Path  #: the default dataset as JSON Lines, for subprocesses that need it
    records: list[Record]
    repeat: int
    #: The archive of the last full crawl, for the analyst scenario (None until one ran).
    full_archive: Path | None = None

    def scratch(self, name: str) -> Path:
        """A fresh path in the scratch directory (its files removed if a previous use left them)."""
        path = self.workdir / name
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return path
