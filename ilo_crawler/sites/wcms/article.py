"""A WCMS article page turned into its title, teaser, type and date line, credit, body and
translation links.

Pure: HTML and URL in, data out; unit-tested on saved pages. Each known layout generation's
selectors are tried in turn (``layouts.ARTICLE_LAYOUTS``); a field they miss, or a page none of
them reads, is found by content (``ilo_crawler.extract.document``).
"""

from __future__ import annotations

from lxml import etree

from ilo_crawler.extract.document import (
    TYPE_DATE_SEPARATOR,
    DocumentFields,
    may_show_credit,
    read_document,
)
from ilo_crawler.extract.text import base_url, element_text, first_text, parse_html
from ilo_crawler.sites.pages import ARTICLE_FIELDS, BY_CONTENT, ArticlePage
from ilo_crawler.sites.wcms import urls
from ilo_crawler.sites.wcms.layouts import ARTICLE_LAYOUTS, ArticleLayout


def parse_article(html: str | bytes, url: str) -> ArticlePage:
    root = parse_html(html)
    key = urls.parse_article_path(url)
    doc_id, lang = (key.doc_id, key.lang) if key else (None, None)
    page_lang = lang or root.get("lang") or "en"
    translations = _translations(root, base_url(root, url), doc_id, lang)
    for layout in ARTICLE_LAYOUTS:
        values = _fields_by_selectors(root, layout)
        if values is not None:
            found_by = {name: layout.name for name, value in values.items() if value}
            missing = [name for name in ARTICLE_FIELDS if not values[name]]
            if missing and (missing != ["credit"] or may_show_credit(root)):
                by_content = read_document(root, page_lang, known_body=values["body"])
                for name in ARTICLE_FIELDS:
                    if not values[name] and getattr(by_content, name):
                        values[name] = getattr(by_content, name)
                        found_by[name] = BY_CONTENT
            break
    else:
        layout = None
        document: DocumentFields = read_document(root, page_lang)
        if not document.is_article:
            return ArticlePage(url=url, doc_id=doc_id, lang=lang, has_article=False)
        values = {name: getattr(document, name) for name in ARTICLE_FIELDS}
        found_by = {name: BY_CONTENT for name, value in values.items() if value}
    return ArticlePage(
        url=url,
        doc_id=doc_id,
        lang=lang,
        has_article=True,
        translations=translations,
        layout=layout.name if layout else None,
        found_by=found_by,
        **values,
    )


def _fields_by_selectors(root: etree._Element, layout: ArticleLayout) -> dict | None:
    """The page's fields by ``layout``'s selectors; None when its article block or title is
    not on the page (another generation's page)."""
    queries = layout.queries
    containers = queries["container"](root)
    if not containers:
        return None
    container = containers[0]
    title = first_text(queries["title"](container))
    if title is None:
        return None
    if "type_date" in queries:
        line = first_text(queries["type_date"](container)) or ""
        kind, separator, date = line.rpartition(TYPE_DATE_SEPARATOR)
        type_, date_text = (
            (kind.strip() or None, date.strip() or None) if separator else (None, None)
        )
    else:
        type_ = first_text(queries["type"](container))
        date_text = first_text(queries["date"](container))
    paragraphs = (element_text(p) for p in queries["paragraphs"](container))
    return {
        "title": title,
        "teaser": first_text(queries["teaser"](container)),
        "type": type_,
        "date_text": date_text,
        "credit": first_text(queries["credit"](container)),
        "body": tuple(p for p in paragraphs if p),
    }


_LINKS = etree.XPath("//a/@href")


def _translations(
    root: etree._Element, base_url: str, doc_id: str | None, lang: str | None
) -> dict[str, str]:
    """The page's other language versions: every link to the same document in another
    language, wherever the page puts it (a language box, the header's switcher), however the
    link is written (``../lang--fr/index.htm`` names the document only once resolved)."""
    found: dict[str, str] = {}
    if doc_id is None:
        return found
    for href in _LINKS(root):
        if "lang--" not in href:
            continue
        absolute = urls.join_url(base_url, href.strip())
        key = urls.parse_article_path(absolute)
        if key and key.doc_id == doc_id and key.lang != lang:
            found.setdefault(key.lang, absolute)
    return dict(sorted(found.items()))
