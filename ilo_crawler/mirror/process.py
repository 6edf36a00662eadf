"""Running the replica in its own process, for tests, the demo and the benchmarks.

The replica is started exactly as a person would start it (``python -m ilo_crawler.mirror``), and
crawls against it relax the politeness settings explicitly (``REPLICA_CRAWL_SETTINGS``).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

#: Settings that let a crawl of the local replica run at full speed; never use them on ilo.org.
REPLICA_CRAWL_SETTINGS: dict[str, str] = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "ILO_RETRY_BACKOFF_BASE": "0.05",
    "ILO_RETRY_AFTER_MAX": "1",
    # The web archive's pacing, pauses and block, at a thousandth of their real length.
    "ILO_WAYBACK_TIME_SCALE": "0.001",
    "ILO_WAYBACK_CAPTURE_CONCURRENCY": "16",
    "LOG_LEVEL": "INFO",
}


@contextlib.contextmanager
def running_mirror(
    dataset: str | Path | None = None, page_size: int | None = None, *extra: str
) -> Iterator[str]:
    """Start the replica on a free port of 127.0.0.1; yield its base URL; stop it on exit."""
    command = [sys.executable, "-m", "ilo_crawler.mirror", "--port", "0"]
    if dataset is not None:
        command += ["--dataset", str(dataset)]
    if page_size is not None:
        command += ["--page-size", str(page_size)]
    command += list(extra)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first_line = process.stdout.readline().strip() if process.stdout else ""
        if not first_line.startswith("http"):
            process.wait(timeout=10)
            error = process.stderr.read().strip() if process.stderr else ""
            raise RuntimeError(f"replica did not start: {error or first_line or 'no output'}")
        yield first_line
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def crawl_command(
    base_url: str, archive: str | Path, *, wayback_url: str | None = None, **arguments: str
) -> list[str]:
    """The ``scrapy crawl newsroom`` command line for a crawl of the replica at ``base_url`` (the
    web-archive replica for ``source="wayback"``). Without ``source`` it reads the WCMS replica
    live (``source=live``), unless ``wayback_url`` is given too: then both replicas' URLs are
    set and the spider chooses the source itself, as in production."""
    if wayback_url is None:
        arguments = {**arguments, "source": arguments.get("source", "live")}
    command = [sys.executable, "-m", "scrapy", "crawl", "newsroom"]
    for name, value in arguments.items():
        command += ["-a", f"{name}={value}"]
    if wayback_url is not None:
        urls = {"ILO_BASE_URL": base_url, "ILO_WAYBACK_URL": wayback_url}
    elif arguments["source"] == "wayback":
        urls = {"ILO_WAYBACK_URL": base_url}
    else:
        urls = {"ILO_BASE_URL": base_url}
    settings = {**REPLICA_CRAWL_SETTINGS, **urls, "ILO_ARCHIVE_PATH": str(archive)}
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command
