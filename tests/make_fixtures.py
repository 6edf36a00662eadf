"""``python tests/make_fixtures.py``: write the layout-generation fixtures of ``tests/fixtures/``.

Each page is rendered by the replica (``ilo_crawler.mirror``) from the default dataset, in each
WCMS layout generation and in the tests' unknown markups; its expected extraction is written from
the dataset's records (what the page shows), never from the parser, with how each field must be
found: by the generation's own selectors, or by content where no selectors exist.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from unknown_markups import UNKNOWN_MARKUPS  # noqa: E402

from ilo_crawler.langs import format_month_heading  # noqa: E402
from ilo_crawler.mirror.current import CurrentSite  # noqa: E402
from ilo_crawler.mirror.dataset import Node, Record, default_dataset, default_nodes  # noqa: E402
from ilo_crawler.mirror.layouts import Pager, page_title  # noqa: E402
from ilo_crawler.mirror.site import Site  # noqa: E402
from ilo_crawler.sites.wcms.urls import article_path, listing_path  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CURRENT_FIXTURES = FIXTURES / "current"
#: The current site's article renderings of the replica (the hero's, and three without it).
CURRENT_RENDERINGS = ("current", "current-no-richtext", "current-plain-heading", "current-details")
CURRENT_LANGUAGES = ("en", "fr", "es")
BASE = "http://127.0.0.1:8000"
GENERATIONS = ("wcms2010", "wcms2014", "wcms2019")
#: Replica generations the crawler has no selectors for (read by content, as unknown markups).
UNREAD_GENERATIONS = ("wcms2012",)
#: (name, listing, lang, offset): the seed page, a first page in each other language.
LISTINGS = (
    ("seed-page", "all-newsroom", "en", 2520),
    ("fr-first-page", "all-newsroom", "fr", 0),
    ("es-first-page", "all-newsroom", "es", 0),
)
#: (name, doc_id, lang): a news article with a credit, a press release in each other language.
ARTICLES = (
    ("en-WCMS_826064", "WCMS_826064", "en"),
    ("es-press-release", None, "es"),
    ("fr-press-release", None, "fr"),
)


def entry(record: Record, position: int, how: str) -> dict:
    shown = {
        "credit": record.credit,
        "label": record.label,
        "title": record.title,
        "date_text": record.date_text,
        "summary": record.summary,
    }
    return {
        "position": position,
        "heading": format_month_heading(record.date.year, record.date.month, record.lang),
        **shown,
        "url": BASE + article_path(record.section, record.id, record.lang),
        "found_by": {name: how for name, value in shown.items() if value is not None},
    }


def write(name: str, kind: str, url: str, html: bytes, expected: dict) -> None:
    (FIXTURES / f"{name}.html").write_bytes(html)
    case = {"kind": kind, "url": url, "expected": expected}
    text = json.dumps(case, ensure_ascii=False, indent=1) + "\n"
    (FIXTURES / f"{name}.expected.json").write_text(text, "utf-8")


def main() -> None:
    records = default_dataset()
    markups = {
        **{name: name for name in (*GENERATIONS, *UNREAD_GENERATIONS)},
        **UNKNOWN_MARKUPS,
    }
    for markup, layout in markups.items():
        site = Site(records, layout=layout)
        known = markup in GENERATIONS
        how = markup if known else "content"
        for name, listing, lang, offset in LISTINGS:
            path = listing_path(listing, lang, offset)
            listed = site.listings[listing, lang]
            shown = listed[offset : offset + site.page_size]
            last = (len(listed) - 1) // site.page_size * site.page_size
            if not known:  # the unknown markups' pagers show a window of pages, not the last
                pager = Pager(listing, lang, site.page_size, offset, len(listed), len(shown))
                window = [page for role, page in pager.links() if role in ("page", "current")]
                last = max(window) * site.page_size
            expected = {
                "url": BASE + path,
                "offset": offset,
                # A page title is not archived; the unknown markups do not mark theirs.
                **({"title": page_title(listing, lang)} if known else {}),
                "layout": markup if known else None,
                "entries": [entry(r, i, how) for i, r in enumerate(shown, start=1)],
                "page_size": site.page_size,
                "last_offset": last,
            }
            write(
                f"listing-{markup}-{name}", "listing", BASE + path, site.respond(path)[2], expected
            )
        for name, doc_id, lang in ARTICLES:
            record = (
                site.articles[doc_id, lang]
                if doc_id
                else next(
                    r
                    for r in records
                    if r.lang == lang and r.section == "press-releases" and r.credit and r.summary
                )
            )
            path = article_path(record.section, record.id, record.lang)
            values = {
                "title": record.title,
                "teaser": record.summary,
                "type": record.type,
                "date_text": record.article_date,
                "credit": record.credit,
                "body": list(record.body),
            }
            others = [v for v in site.languages[record.id] if v.lang != record.lang]
            expected = {
                "url": BASE + path,
                "doc_id": record.id,
                "lang": record.lang,
                "has_article": True,
                **values,
                "translations": {
                    v.lang: BASE + article_path(v.section, v.id, v.lang)
                    for v in sorted(others, key=lambda v: v.lang)
                },
                "layout": markup if known else None,
                "found_by": {k: how for k, v in values.items() if v},
            }
            write(
                f"article-{markup}-{name}", "article", BASE + path, site.respond(path)[2], expected
            )


def current_node(nodes: list[Node], lang: str) -> Node:
    """A node that shows every field: a type, a lead, a credited picture, a long body, tags."""
    return next(
        node
        for node in nodes
        if node.lang == lang
        and node.image
        and node.credit
        and node.summary
        and node.label
        and len(node.body) >= 3
        and node.tags
    )


def current_articles() -> None:
    """An article of each language in each of the replica's current-site renderings, expected
    as the node shows it (the credit as the caption gives it, its ``©`` part)."""
    nodes = default_nodes()
    for rendering in CURRENT_RENDERINGS:
        site = CurrentSite(nodes, layout=rendering)
        for lang in CURRENT_LANGUAGES:
            node = current_node(nodes, lang)
            _status, _headers, html = site.render(node.path, "", BASE)
            credit = node.credit[node.credit.index("©") :] if "©" in node.credit else node.credit
            expected = {
                "url": node.url(BASE),
                "doc_id": node.id,
                "node_id": str(node.node_id),
                "lang": lang,
                "has_article": True,
                "title": " ".join(node.title.split()),
                "teaser": node.summary,
                "type": node.label,
                "date_text": node.date_text,
                "credit": credit,
                "body": list(node.body),
                "tags": list(node.tags),
            }
            case = {"kind": "article", "url": node.url(BASE), "expected": expected}
            name = f"article-{rendering}-{lang}"
            (CURRENT_FIXTURES / f"{name}.html").write_bytes(html)
            text = json.dumps(case, ensure_ascii=False, indent=1) + "\n"
            (CURRENT_FIXTURES / f"{name}.expected.json").write_text(text, "utf-8")


if __name__ == "__main__":
    main()
    current_articles()
