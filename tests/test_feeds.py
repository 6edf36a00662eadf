"""Scrapy's feeds, as a Scrapy user tries them first: ``scrapy crawl newsroom -o items.jsonl`` (and
``FEEDS``) write the crawl's articles, one a line, with the fields a reader wants (not the pages'
bytes), beside the archive."""

from __future__ import annotations

import csv
import json
import subprocess
from dataclasses import fields
from pathlib import Path

from conftest import MONTH, ROOT, query, run_crawl

from ilo_crawler import settings as project_settings
from ilo_crawler.items import ArticleItem
from ilo_crawler.mirror.process import crawl_command


def test_every_feed_field_is_a_field_of_the_article_item() -> None:
    names = {field.name for field in fields(ArticleItem)}
    assert set(project_settings.FEED_EXPORT_FIELDS) <= names
    assert "capture" not in project_settings.FEED_EXPORT_FIELDS


def test_o_writes_the_articles_one_a_line(replica: str, tmp_path: Path) -> None:
    archive = tmp_path / "archive.db"
    command = crawl_command(replica, archive, month=MONTH)
    command += ["-o", str(tmp_path / "items.jsonl"), "-o", str(tmp_path / "items.csv")]
    crawl = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert "Error caught on signal handler" not in crawl.stderr
    lines = (tmp_path / "items.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines]
    archived = query(archive, "SELECT doc_id, lang, title, published FROM articles")
    assert len(items) == len(archived) == 78
    assert {(i["doc_id"], i["lang"], i["title"], i["published"]) for i in items} == {
        tuple(row) for row in archived
    }
    assert all(list(item) == project_settings.FEED_EXPORT_FIELDS for item in items)
    assert all(item["body"] and item["month"] == MONTH for item in items)
    with (tmp_path / "items.csv").open(encoding="utf-8", newline="") as table:
        assert len(list(csv.DictReader(table))) == 78


def test_feeds_setting_gets_the_articles_and_keeps_a_feeds_own_item_classes(
    replica: str, tmp_path: Path
) -> None:
    """FEEDS as a project would set it: a feed without ``item_classes`` gets the articles; one
    that names what it wants (here the failures) gets that."""
    feeds = {
        str(tmp_path / "articles.jsonl"): {"format": "jsonlines"},
        str(tmp_path / "failures.jsonl"): {
            "format": "jsonlines",
            "item_classes": ["ilo_crawler.items.FetchFailure"],
            "fields": None,
            "store_empty": True,
        },
    }
    crawl = run_crawl(
        replica, tmp_path / "archive.db", settings=(f"FEEDS={json.dumps(feeds)}",), month=MONTH
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    articles = (tmp_path / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(articles) == 78
    assert (tmp_path / "failures.jsonl").read_text(encoding="utf-8") == ""  # none: the replica
