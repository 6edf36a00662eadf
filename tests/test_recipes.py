"""The README's unattended-run recipes, run as written: its crontab line in ``sh`` and its systemd
unit's ``ExecStart`` in its ``WorkingDirectory``, in a copy of the project's layout (``/srv/...``
replaced by a directory whose ``scrapy.cfg`` points the crawl at the replica)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, write_dataset

from ilo_crawler.mirror.process import REPLICA_CRAWL_SETTINGS, running_mirror

SERVED_FROM = "/srv/ilo-crawler"


def readme_block(language: str) -> str:
    (block,) = re.findall(
        rf"```{language}\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), re.S
    )
    return block


def deployment(tmp_path: Path, base_url: str) -> Path:
    """A directory laid out as a deployment of the project (``.venv``, ``scrapy.cfg``, ``data/``)
    whose settings are the project's with the replica as the site."""
    srv = tmp_path / "srv"
    (srv / "data").mkdir(parents=True)
    (srv / ".venv").symlink_to(Path(sys.executable).parent.parent)
    (srv / "scrapy.cfg").write_text("[settings]\ndefault = replica_settings\n", "utf-8")
    fast = "".join(f"{name} = {value!r}\n" for name, value in REPLICA_CRAWL_SETTINGS.items())
    (srv / "replica_settings.py").write_text(
        f"from ilo_crawler.settings import *  # noqa: F403\n{fast}ILO_BASE_URL = {base_url!r}\n",
        "utf-8",
    )
    return srv


@pytest.fixture
def mail(tmp_path: Path) -> Path:
    """A ``mail`` command first on PATH that keeps what it was asked to send, in ``sent``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    sent = tmp_path / "sent"
    script = bin_dir / "mail"
    script.write_text(f'#!/bin/sh\n{{ echo "$@"; cat; }} >> {sent}\n', "utf-8")
    script.chmod(0o755)
    return sent


def run_crontab_line(srv: Path, mail: Path) -> subprocess.CompletedProcess[str]:
    line = readme_block("cron").strip()
    command = line.split(None, 5)[5].replace(SERVED_FROM, str(srv))  # without the schedule
    path = f"{mail.parent / 'bin'}:/usr/bin:/bin"  # cron's PATH, and the stand-in mail
    return subprocess.run(
        ["sh", "-c", command], env={"PATH": path}, capture_output=True, text=True, timeout=300
    )


def small_listing(tmp_path: Path) -> Path:
    """Twelve items of the current site (what the cron command reads since 2024)."""
    nodes = [
        {"id": f"node:{910000 + n}", "lang": "en", "date": f"2026-11-{n + 1:02d}", "body": ["B."]}
        | {"title": f"News item {n}"}
        for n in range(12)
    ]
    return write_dataset(tmp_path / "small.jsonl", nodes)


def test_the_readme_crontab_line_works_as_written(tmp_path: Path, mail: Path) -> None:
    with running_mirror(small_listing(tmp_path), None, "--retired") as base_url:
        srv = deployment(tmp_path, base_url)
        assert not (srv / "logs").exists()
        cron = run_crontab_line(srv, mail)
    assert cron.returncode == 0 and cron.stdout == cron.stderr == "", cron
    assert not mail.exists()
    log = (srv / "logs" / "crawl.log").read_text("utf-8")
    assert "INFO: run 1 incremental lang=en listing=all-news source=current: 12 new" in log
    assert "(finished, exit 0) -> data/archive.db" in log

    (srv / "replica_settings.py").write_text(
        "from ilo_crawler.settings import *  # noqa: F403\n"
        "ILO_BASE_URL = 'http://nonexistent.invalid'\n",
        "utf-8",
    )
    failed = run_crontab_line(srv, mail)
    assert failed.returncode == 0, failed  # the mail was sent
    sent = mail.read_text("utf-8")
    assert sent.startswith("-s ilo-crawler failed archive-team@example.org\n")
    assert f"ilo-crawler exit 10 (see {srv}/logs/crawl.log)" in sent
    assert (
        "cannot reach nonexistent.invalid: name not resolved"
        in (srv / "logs/crawl.log").read_text()
    )


def unit_files(srv: Path) -> dict[str, str]:
    """The README's systemd unit files, by name, with the deployment's directory."""
    block = readme_block("ini").replace(SERVED_FROM, str(srv))
    parts = re.split(r"^# /etc/systemd/system/(\S+)\n", block, flags=re.M)[1:]
    return dict(zip(parts[::2], parts[1::2], strict=True))


def test_the_readme_systemd_unit_works_as_written(tmp_path: Path) -> None:
    with running_mirror(small_listing(tmp_path), None, "--retired") as base_url:
        srv = deployment(tmp_path, base_url)
        units = unit_files(srv)
        assert set(units) == {"ilo-crawler.service", "ilo-crawler.timer"}
        if shutil.which("systemd-analyze"):
            for name, text in units.items():
                (tmp_path / name).write_text(text, "utf-8")
            checked = subprocess.run(
                ["systemd-analyze", "verify", *(str(tmp_path / name) for name in units)],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert checked.returncode == 0 and not checked.stderr, checked.stderr
        service = dict(re.findall(r"^(\w+)=(.*)$", units["ilo-crawler.service"], flags=re.M))
        run = subprocess.run(
            shlex.split(service["ExecStart"]),
            cwd=service["WorkingDirectory"],
            env={"PATH": os.defpath},
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert run.returncode in (0, *map(int, service["SuccessExitStatus"].split())), run.stderr
    assert "INFO: run 1 incremental lang=en listing=all-news source=current: 12 new" in run.stderr
