"""``python benchmarks/run.py [--repeat N | --quick] [--only NAME ...]``: the benchmarks of
ilo-crawler against the replica (``make bench``).

Starts the replica with the default dataset, runs each scenario several times, prints the medians,
ratios and targets as markdown tables and writes everything, every sample included, to
``benchmarks/results.json`` (keeping the stored results of the scenarios it did not run). See
``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from crawl_scenarios import full_crawl, month_seek, re_crawl
from current_scenarios import current_month
from daily_scenarios import daily_runs
from extraction_scenarios import extraction
from harness import (
    Context,
    ScenarioResult,
    child_pid,
    code_fingerprint,
    machine,
    write_default_dataset,
)
from offline_scenarios import analyst, pipelines
from verify_scenarios import verify
from wayback_scenarios import wayback_backfill, wayback_month

from ilo_crawler.mirror.process import running_mirror

#: In the order they run: analyst reads the archive full-crawl leaves.
SCENARIOS: dict[str, Callable[[Context], ScenarioResult]] = {
    "month-seek": month_seek,
    "current-month": current_month,
    "daily-runs": daily_runs,
    "wayback-month": wayback_month,
    "wayback-backfill": wayback_backfill,
    "full-crawl": full_crawl,
    "re-crawl": re_crawl,
    "pipelines": pipelines,
    "extraction": extraction,
    "analyst": analyst,
    "verify": verify,
}
RESULTS = Path(__file__).resolve().parent / "results.json"


def _number(value: float) -> str:
    if value == int(value) and abs(value) >= 1:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def report(info: dict[str, Any], results: Sequence[ScenarioResult]) -> str:
    """The run as markdown: machine, medians (with the samples' spread), ratios, targets."""
    lines = [
        f"Machine: {info['nproc']} CPUs ({info['cpu_model']}), {info['ram_gb']} GB RAM, "
        f"Python {info['python']}, Scrapy {info['scrapy']}, SQLite {info['sqlite']}; "
        f"{info['date']}, commit {info['commit']}, load at start {info['load_average_at_start']}; "
        f"medians of {info['repeat']} runs.",
        "",
    ]
    if info["code_changed_during_run"]:
        lines[-1:] = [
            "**The crawler's code changed during this run: scenarios measured different code.**",
            "",
        ]
    medians = [
        [
            result.name,
            metric,
            _number(result.median(metric)),
            f"{_number(min(values))} – {_number(max(values))}",
        ]
        for result in results
        for metric, values in result.samples.items()
    ]
    lines += [_table(["scenario", "metric", "median", "range"], medians), ""]
    ratios = [
        [result.name, name, f"{value:.3g}"]
        for result in results
        for name, value in result.ratios.items()
    ]
    if ratios:
        lines += [_table(["scenario", "ratio (same run)", "value"], ratios), ""]
    targets = [
        [
            result.name,
            target.metric,
            _number(target.value),
            target.goal,
            "met" if target.met else "**missed**",
        ]
        for result in results
        for target in result.targets
    ]
    lines.append(_table(["scenario", "target", "median", "goal", ""], targets))
    return "\n".join(lines)


def merged(document: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """``document`` with the stored results of the scenarios it did not run, so that running a
    few scenarios does not drop the others'; each kept one says which run measured it
    (``measured_in``: that run's machine and command)."""
    earlier = {"machine": previous["machine"], "command": previous["command"]}
    kept = {
        name: {"measured_in": earlier} | stored
        for name, stored in previous["scenarios"].items()
        if name in SCENARIOS and name not in document["scenarios"]
    }
    scenarios = kept | document["scenarios"]
    return document | {
        "scenarios": {name: scenarios[name] for name in SCENARIOS if name in scenarios}
    }


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios, print the tables, write the results file."""
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each scenario (default 3)")
    parser.add_argument("--quick", action="store_true", help="one run of each scenario")
    parser.add_argument(
        "--only",
        action="append",
        choices=list(SCENARIOS),
        help="run only this scenario (repeatable)",
    )
    parser.add_argument(
        "--out", type=Path, default=RESULTS, help=f"results file (default {RESULTS})"
    )
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else args.repeat
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    chosen = [name for name in SCENARIOS if not args.only or name in args.only]

    info = {**machine(), "repeat": repeat}
    started = time.monotonic()
    results = []
    with tempfile.TemporaryDirectory(prefix="ilo-bench-") as scratch, running_mirror() as base_url:
        workdir = Path(scratch)
        dataset = workdir / "default.jsonl"
        ctx = Context(
            base_url=base_url,
            server_pid=child_pid("ilo_crawler.mirror"),
            workdir=workdir,
            dataset=dataset,
            records=write_default_dataset(dataset),
            repeat=repeat,
        )
        for name in chosen:
            print(f"[{time.monotonic() - started:6.0f} s] {name} ...", flush=True)
            results.append(SCENARIOS[name](ctx))
    info["duration_s"] = round(time.monotonic() - started, 1)
    info["code_changed_during_run"] = code_fingerprint() != info["code_fingerprint"]

    print()
    print(report(info, results))
    document = {
        "machine": info,
        "command": "python benchmarks/run.py"
        + ("" if repeat == 3 else f" --repeat {repeat}")
        + "".join(f" --only {name}" for name in args.only or []),
        "scenarios": {result.name: result.as_json() for result in results},
    }
    if args.out.exists():
        document = merged(document, json.loads(args.out.read_text()))
    args.out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    kept = len(document["scenarios"]) - len(results)
    print(
        f"\nwritten to {args.out} ({info['duration_s']:.0f} s)"
        + (f", with the stored results of {kept} other scenarios" if kept else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
