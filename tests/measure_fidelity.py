"""``python tests/measure_fidelity.py``: how each field comes back from every layout generation of
both sites' replicas, for ``docs/fidelity.md``.

Every article page (and every listing page) of a sample of the default datasets is rendered by the
replica in each markup and read by the crawler's page objects; each field is compared with what the
dataset says the page shows, exactly. The figures are the share of pages (items, for listings)
whose field comes back exact (a field the page does not show counts when it comes back absent; a
page read as no article counts for nothing), and how the fields were found (the generation's
selectors, or the content layer).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from unknown_markups import UNKNOWN_MARKUPS  # noqa: E402

from ilo_crawler.mirror.current import CurrentSite  # noqa: E402
from ilo_crawler.mirror.current_layouts import CURRENT_LAYOUTS  # noqa: E402
from ilo_crawler.mirror.dataset import default_dataset, default_nodes  # noqa: E402
from ilo_crawler.mirror.layouts import LAYOUTS  # noqa: E402
from ilo_crawler.mirror.site import Site  # noqa: E402
from ilo_crawler.sites.current.article import parse_article as current_article  # noqa: E402
from ilo_crawler.sites.wcms.article import parse_article as wcms_article  # noqa: E402
from ilo_crawler.sites.wcms.listing import parse_listing as wcms_listing  # noqa: E402
from ilo_crawler.sites.wcms.urls import article_path, listing_path  # noqa: E402

BASE = "http://127.0.0.1:8000"
ARTICLE_FIELDS = ("title", "teaser", "type", "date_text", "credit", "body")
ENTRY_FIELDS = ("title", "label", "credit", "date_text", "summary", "url")
#: Every n-th record or node of the default datasets (in each language) is measured.
SAMPLE_EVERY = 7
LISTING_PAGES = 12  #: first pages of each language's "all newsroom" listing measured


@dataclass
class Tally:
    """Exact fields out of pages (or items) read, and how each field was found."""

    pages: int = 0
    exact: Counter = field(default_factory=Counter)
    by_content: Counter = field(default_factory=Counter)

    def share(self, name: str) -> str:
        return f"{100 * self.exact[name] / self.pages:.1f}" if self.pages else "–"


def _credit(text: str | None) -> str | None:
    """A caption's credit as the page shows it: its ``©`` part."""
    return text[text.index("©") :] if text and "©" in text else text


def wcms_markups() -> dict[str, object]:
    readable = {name: name for name in LAYOUTS if name != "wcms-varied"}
    return {**readable, **UNKNOWN_MARKUPS}


def measure_wcms() -> Iterator[tuple[str, Tally, Tally]]:
    records = default_dataset()
    sample = records[::SAMPLE_EVERY]
    for name, layout in wcms_markups().items():
        site = Site(records, layout=layout)
        articles, entries = Tally(), Tally()
        for record in sample:
            path = article_path(record.section, record.id, record.lang)
            page = wcms_article(site.respond(path)[2], BASE + path)
            want = {
                "title": record.title,
                "teaser": record.summary,
                "type": record.type,
                "date_text": record.article_date,
                "credit": record.credit,
                "body": tuple(record.body),
            }
            articles.pages += 1
            for key in ARTICLE_FIELDS:
                articles.exact[key] += page.has_article and getattr(page, key) == want[key]
                articles.by_content[key] += page.found_by.get(key) == "content"
        for lang in ("en", "fr", "es"):
            listed = site.listings["all-newsroom", lang]
            for number in range(LISTING_PAGES):
                offset = number * site.page_size
                path = listing_path("all-newsroom", lang, offset)
                page = wcms_listing(site.respond(path)[2], BASE + path)
                shown = listed[offset : offset + site.page_size]
                got = {entry.url: entry for entry in page.entries}
                for record in shown:
                    url = BASE + article_path(record.section, record.id, record.lang)
                    entry = got.get(url)
                    entries.pages += 1
                    for key in ENTRY_FIELDS:
                        value = url if key == "url" else getattr(record, key)
                        entries.exact[key] += entry is not None and getattr(entry, key) == value
                        entries.by_content[key] += (
                            entry is not None and entry.found_by.get(key) == "content"
                        )
        yield name, articles, entries


def measure_current() -> Iterator[tuple[str, Tally]]:
    nodes = default_nodes()
    sample = nodes[::SAMPLE_EVERY]
    for name in CURRENT_LAYOUTS:
        if name == "current-varied":
            continue
        site = CurrentSite(nodes, layout=name)
        tally = Tally()
        for node in sample:
            body = site.render(node.path, "", BASE)[2]
            page = current_article(body, node.url(BASE))
            want = {
                "title": " ".join(node.title.split()),
                "teaser": node.summary,
                "type": node.label,
                "date_text": node.date_text,
                "credit": _credit(node.credit) if node.image else None,
                "body": tuple(node.body),
                "tags": tuple(node.tags),
            }
            tally.pages += 1
            for key in (*ARTICLE_FIELDS, "tags"):
                got = getattr(page, key) or None
                tally.exact[key] += page.has_article and got == (want[key] or None)
                tally.by_content[key] += page.found_by.get(key) == "content"
        yield name, tally


def table(rows: list[tuple[str, Tally]], names: tuple[str, ...]) -> str:
    head = f"| markup | pages | {' | '.join(names)} |"
    rule = "|" + "---|" * (len(names) + 2)
    lines = [head, rule]
    for markup, tally in rows:
        cells = [f"{tally.share(key)}" + (" (c)" if tally.by_content[key] else "") for key in names]
        lines.append(f"| `{markup}` | {tally.pages} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main() -> None:
    wcms = list(measure_wcms())
    print("WCMS article pages (% exact; (c): found by content on some pages)\n")
    print(table([(name, articles) for name, articles, _ in wcms], ARTICLE_FIELDS))
    print("\nWCMS listing items (% exact)\n")
    print(table([(name, entries) for name, _, entries in wcms], ENTRY_FIELDS))
    print("\nCurrent site article pages (% exact)\n")
    print(table(list(measure_current()), (*ARTICLE_FIELDS, "tags")))


if __name__ == "__main__":
    main()
