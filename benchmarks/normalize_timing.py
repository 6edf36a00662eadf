"""Timing ``date_fields`` and ``category_fields`` over the spider's items.

Run as a script (``normalize_timing.py DATASET``) it is the cold measurement: a fresh process
imports the normalisers (timed apart) and makes one pass, so the first-call costs (taxonomy
loading, empty caches, dateparser's own start-up) are counted; it prints JSON. The normalisers'
module is passed in rather than imported here, so that this module can time that import.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from harness import spider_items

from ilo_crawler.items import ArticleItem
from ilo_crawler.mirror.dataset import load_dataset


def timed_pass(
    fields: ModuleType, items: Sequence[ArticleItem], crawl_date: dt.date
) -> dict[str, float]:
    """One pass of each normaliser over ``items``, as the pipelines call them: µs per item."""
    started = time.perf_counter()
    for item in items:
        fields.date_fields(
            lang=item.lang,
            date_text=item.date_text,
            article_date_text=item.article_date_text,
            heading=item.listing_heading,
            crawl_date=crawl_date,
        )
    dates = time.perf_counter() - started
    started = time.perf_counter()
    for item in items:
        fields.category_fields(item.label)
    categories = time.perf_counter() - started
    return {
        "date_fields us/item": 1e6 * dates / len(items),
        "category_fields us/item": 1e6 * categories / len(items),
    }


def distinct_date_strings(items: Sequence[ArticleItem]) -> int:
    """Distinct (language, date line) pairs the date normaliser reads, listing and article."""
    return len(
        {
            (item.lang, text)
            for item in items
            for text in (item.date_text, item.article_date_text)
            if text
        }
    )


def main(dataset: str) -> None:
    items = spider_items(load_dataset(Path(dataset)))
    crawl_date = dt.datetime.now(dt.UTC).date()
    started = time.perf_counter()
    fields = importlib.import_module("ilo_crawler.normalize.fields")
    dates = importlib.import_module("ilo_crawler.normalize.dates")
    imported = time.perf_counter() - started
    cold = timed_pass(fields, items, crawl_date)
    calls = dates.dateparser_calls()
    timed_pass(fields, items, crawl_date)
    report = {
        **cold,
        "import s": imported,
        "dateparser calls": calls,
        "dateparser calls second pass": dates.dateparser_calls() - calls,
        "distinct date strings": distinct_date_strings(items),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
