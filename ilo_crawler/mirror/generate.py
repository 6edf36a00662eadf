"""``python -m ilo_crawler.mirror.generate [--out FILE]``: write the built-in dataset as JSON Lines.

The written file is what ``--dataset`` takes, so it is a starting point for hand-made variants.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ilo_crawler.mirror.dataset import dataset_jsonl


def main(argv: list[str] | None = None) -> int:
    """Write the dataset to ``--out`` (stdout without it)."""
    parser = argparse.ArgumentParser(
        prog="python -m ilo_crawler.mirror.generate",
        description="Write the replica's default dataset.",
    )
    parser.add_argument("--out", help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    text = dataset_jsonl()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
