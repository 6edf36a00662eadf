"""The documentation's unattended-run recipes, run as written: its crontab line in ``sh`` and its
systemd unit's ``ExecStart`` in its ``WorkingDirectory``, in a copy of the project's layout
(``/srv/...`` replaced by a directory whose ``scrapy.cfg`` points the crawl at the replica)."""

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
from doc_examples import blocks

from ilo_crawler.archive.lock import ArchiveLock
from ilo_crawler.exitcodes import ExitStatus
from ilo_crawler.mirror.process import REPLICA_CRAWL_SETTINGS, running_mirror

SERVED_FROM = "/srv/ilo-crawler"


def doc_block(language: str) -> str:
    """The documentation's block of that language: one recipe, the same wherever it is shown."""
    found = {text for _, text in blocks(language)}
    assert len(found) == 1, f"{len(found)} different {language} blocks in the docs"
    return found.pop()


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


def stand_in(bin_dir: Path, name: str, kept: Path) -> None:
    """A command ``name`` in ``bin_dir`` that appends its arguments and input to ``kept``."""
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / name
    script.write_text(f'#!/bin/sh\n{{ echo "$@"; cat; }} >> {kept}\n', "utf-8")
    script.chmod(0o755)


def cron_path(tmp_path: Path, *, with_mail: bool) -> str:
    """Cron's ``PATH`` (``/usr/bin:/bin``) with ``logger`` and, if asked, ``mail`` standing in
    for the system's, keeping what they were given in ``logged`` and ``sent``; without mail, a
    copy of ``/usr/bin`` and ``/bin`` holding no ``mail`` whatever this machine has."""
    stand_ins = tmp_path / "bin"
    stand_in(stand_ins, "logger", tmp_path / "logged")
    if with_mail:
        stand_in(stand_ins, "mail", tmp_path / "sent")
        return f"{stand_ins}:/usr/bin:/bin"
    system = tmp_path / "system-bin"
    system.mkdir()
    for directory in (Path("/usr/bin"), Path("/bin")):
        for program in directory.iterdir():
            if not program.name.startswith("mail") and not (system / program.name).exists():
                (system / program.name).symlink_to(program)
    return f"{stand_ins}:{system}"


def run_crontab_line(srv: Path, path: str) -> subprocess.CompletedProcess[str]:
    line = doc_block("cron").strip()
    command = line.split(None, 5)[5].replace(SERVED_FROM, str(srv))  # without the schedule
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


def unreachable(srv: Path) -> None:
    """The deployment's site made a name that does not resolve: the crawl exits 10."""
    (srv / "replica_settings.py").write_text(
        "from ilo_crawler.settings import *  # noqa: F403\n"
        "ILO_BASE_URL = 'http://nonexistent.invalid'\n",
        "utf-8",
    )


def test_the_crontab_line_works_as_written(tmp_path: Path) -> None:
    path = cron_path(tmp_path, with_mail=True)
    with running_mirror(small_listing(tmp_path), None, "--retired") as base_url:
        srv = deployment(tmp_path, base_url)
        assert not (srv / "logs").exists()
        cron = run_crontab_line(srv, path)
    assert cron.returncode == 0 and cron.stdout == cron.stderr == "", cron
    assert not (tmp_path / "sent").exists() and not (tmp_path / "logged").exists()
    log = (srv / "logs" / "crawl.log").read_text("utf-8")
    assert "INFO: run 1 incremental lang=en listing=all-news source=current: 12 new" in log
    assert "(finished, exit 0) -> data/archive.db" in log

    unreachable(srv)
    failed = run_crontab_line(srv, path)
    assert failed.returncode == 0 and failed.stderr == "", failed  # the mail was sent
    alert = f"ilo-crawler exit {ExitStatus.UNREACHABLE} (see {srv}/logs/crawl.log)"
    sent = (tmp_path / "sent").read_text("utf-8")
    assert sent == f"-s ilo-crawler failed archive-team@example.org\n{alert}\n"
    assert (tmp_path / "logged").read_text("utf-8") == f"-t ilo-crawler -p user.err {alert}\n"
    log = (srv / "logs/crawl.log").read_text()
    assert "cannot reach nonexistent.invalid: name not resolved" in log


def test_the_crontab_line_alerts_through_the_system_log_without_mail(tmp_path: Path) -> None:
    srv = deployment(tmp_path, "http://127.0.0.1:9")
    unreachable(srv)
    failed = run_crontab_line(srv, cron_path(tmp_path, with_mail=False))
    assert failed.returncode == 0 and failed.stdout == failed.stderr == "", failed
    alert = f"ilo-crawler exit {ExitStatus.UNREACHABLE} (see {srv}/logs/crawl.log)"
    assert (tmp_path / "logged").read_text("utf-8") == f"-t ilo-crawler -p user.err {alert}\n"
    assert not (tmp_path / "sent").exists()


def test_the_crontab_line_does_not_alert_when_another_run_holds_the_lock(tmp_path: Path) -> None:
    srv = deployment(tmp_path, "http://127.0.0.1:9")
    lock = ArchiveLock(srv / "data" / "archive.db").acquire()
    try:
        cron = run_crontab_line(srv, cron_path(tmp_path, with_mail=True))
    finally:
        lock.release()
    assert cron.returncode == 0 and cron.stdout == cron.stderr == "", cron
    assert "another crawl is writing" in (srv / "logs" / "crawl.log").read_text("utf-8")
    assert not (tmp_path / "sent").exists() and not (tmp_path / "logged").exists()


def test_the_recipes_stay_quiet_on_exactly_the_statuses_that_need_nobody() -> None:
    """0 (done) and 3 (another run holds the lock) alert nobody; every other status does."""
    quiet = {int(status) for status in re.findall(r"\[ \$s = (\d+) \]", doc_block("cron"))}
    assert quiet == {ExitStatus.OK, ExitStatus.LOCKED}
    (success,) = re.findall(r"^SuccessExitStatus=(.*)$", doc_block("ini"), re.M)
    assert {int(status) for status in success.split()} == {ExitStatus.LOCKED}


def test_the_crontab_lines_log_folder_is_ignored_by_git() -> None:
    (log,) = re.findall(r">> (\S+) 2>&1", doc_block("cron"))
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout of the project")
    checked = subprocess.run(
        ["git", "check-ignore", "--no-index", "--quiet", log], cwd=ROOT, timeout=60
    )
    assert checked.returncode == 0, f"git does not ignore {log}"


def unit_files(srv: Path) -> dict[str, str]:
    """The documentation's systemd unit files, by name, with the deployment's directory."""
    block = doc_block("ini").replace(SERVED_FROM, str(srv))
    parts = re.split(r"^# /etc/systemd/system/(\S+)\n", block, flags=re.M)[1:]
    return dict(zip(parts[::2], parts[1::2], strict=True))


def test_the_systemd_unit_works_as_written(tmp_path: Path) -> None:
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
