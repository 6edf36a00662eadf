"""``python benchmarks/hotspots.py PROFILE.speedscope.json [--top N] [--match TEXT]``: the functions
a py-spy profile spends its time in, as shares of all samples (self, and inclusive of callees).

For reading a profile of a crawl in a terminal or a report (``benchmarks/README.md`` shows how to
record one); speedscope.app shows the same file as a flame graph.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any


def shares(
    document: dict[str, Any], thread: str | None = None
) -> tuple[float, Counter[str], Counter[str]]:
    """The weight of all samples (py-spy weighs them in seconds), and per function the weight of
    the samples it is on top of (self) and anywhere in (inclusive, once per sample however deep
    the recursion); ``thread``: only the threads whose name contains it (py-spy names a profile
    per thread)."""
    frames = document["shared"]["frames"]
    names = [
        f"{f['name']} ({Path(f.get('file') or '?').name}:{f.get('line', '?')})" for f in frames
    ]
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0.0
    for profile in document["profiles"]:
        if thread is not None and thread not in profile.get("name", ""):
            continue
        for stack, weight in zip(profile["samples"], profile["weights"], strict=True):
            if not stack:
                continue
            total += weight
            own[names[stack[-1]]] += weight
            for name in {names[index] for index in stack}:
                inclusive[name] += weight
    return total, own, inclusive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/hotspots.py", description=__doc__)
    parser.add_argument("profile", type=Path, help="a py-spy --format speedscope file")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", help="only functions whose name or file contains this")
    parser.add_argument(
        "--thread", help='only threads whose name contains this (e.g. "archive-writer")'
    )
    args = parser.parse_args(argv)
    document = json.loads(args.profile.read_text())
    unit = document["profiles"][0].get("unit", "samples") if document["profiles"] else "samples"
    for profile in document["profiles"]:
        print(f"{profile.get('name', '?')}: {sum(profile['weights']):.1f} {unit}")
    total, own, inclusive = shares(document, args.thread)
    for title, counts in (("self", own), ("inclusive", inclusive)):
        print(f"\n{title} (of {total:.1f} {unit})")
        chosen = [(n, c) for n, c in counts.most_common() if not args.match or args.match in n]
        for name, count in chosen[: args.top]:
            print(f"{100 * count / total:6.1f}%  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
