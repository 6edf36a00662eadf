"""An article page of the current site turned into its node id, type, title, lead, date, image
credit, body and translation links.

Pure: HTML and URL in, data out; unit-tested on saved pages. The known layout's selectors are
tried first (``layouts.ARTICLE_LAYOUTS``: the hero, the richtext blocks, the language switcher);
a field they miss, or a page they do not read, is found by content
(``ilo_crawler.extract.document``). The page's identity is the Drupal node id it declares
(``<meta name="node_id">``), which its translations share; its slug is not one.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import etree

from ilo_crawler.extract.document import declared_description, read_document
from ilo_crawler.extract.entries import words
from ilo_crawler.extract.text import element_text, first_text, parse_html
from ilo_crawler.sites.current import urls
from ilo_crawler.sites.current.layouts import ARTICLE_LAYOUTS, ArticleLayout
from ilo_crawler.sites.current.listing import page_language
from ilo_crawler.sites.pages import ARTICLE_FIELDS, BY_CONTENT, ArticlePage

_NODE_ID = etree.XPath("//meta[@name='node_id']/@content")
_NODE_ID_FORM = re.compile(r"\d+")
#: Words of a class or id that mark a language switcher (translations found by content).
LANGUAGE_WORDS = frozenset(["lang", "language", "languages", "translation", "translations"])
#: Fields the content layer may fill where the selectors miss them on a page the layout reads.
#: Not the credit: the hero caption is where the main image's credit is; the first ``©`` line
#: of a page whose hero has none is an inline image's.
FILLED_BY_CONTENT = ("title", "teaser", "type", "date_text", "body")


def parse_article(html: str | bytes, url: str) -> ArticlePage:
    """Read an article page; ``has_article`` is False (and only the page's identity is given)
    when it shows no title and date, as an error page served with status 200."""
    root = parse_html(html)
    lang = page_language(root, url)
    node_id = node_id_of(root)
    identity = {
        "url": url,
        "doc_id": urls.node_doc_id(node_id) if node_id else None,
        "node_id": node_id,
        "lang": lang,
    }
    for layout in ARTICLE_LAYOUTS:
        values = _fields_by_selectors(root, layout)
        if values is not None:
            found_by = {name: layout.name for name, value in values.items() if value}
            if len(found_by) < len(values):
                document = read_document(root, lang)
                for name in FILLED_BY_CONTENT:
                    if not values[name] and getattr(document, name):
                        values[name] = getattr(document, name)
                        found_by[name] = BY_CONTENT
            break
    else:
        layout = None
        document = read_document(root, lang)
        values = {name: getattr(document, name) for name in ARTICLE_FIELDS}
        found_by = {name: BY_CONTENT for name, value in values.items() if value}
    if not values["teaser"] and (declared := declared_description(root)):
        values["teaser"], found_by["teaser"] = declared, BY_CONTENT
    if not (values["title"] and values["date_text"]):
        return ArticlePage(has_article=False, **identity)
    return ArticlePage(
        has_article=True,
        translations=translations(root, url, lang),
        layout=layout.name if layout else None,
        found_by=found_by,
        **identity,
        **values,
    )


def node_id_of(root: etree._Element) -> str | None:
    """The Drupal node id the page declares (``<meta name="node_id" content="NNNN">``)."""
    found = [value.strip() for value in _NODE_ID(root)]
    return found[0] if found and _NODE_ID_FORM.fullmatch(found[0]) else None


def _fields_by_selectors(root: etree._Element, layout: ArticleLayout) -> dict | None:
    """The page's fields by ``layout``'s selectors; None when its hero or the hero's title is
    not on the page (another layout's page, or no article)."""
    queries = layout.queries
    heroes = queries["hero"](root)
    if not heroes:
        return None
    hero = heroes[0]
    title = first_text(queries["title"](hero))
    if title is None:
        return None
    return {
        "title": title,
        "teaser": first_text(queries["teaser"](hero)),
        "type": first_text(queries["type"](hero)),
        "date_text": first_text(queries["date"](hero)),
        "credit": credit_of(first_text(queries["credit"](hero))),
        "body": tuple(_body(root, layout)),
    }


def credit_of(caption: str | None) -> str | None:
    """The credit of an image caption: from its ``©`` on (``A farm in Lampung. © ILO/A. B.``
    -> ``© ILO/A. B.``), else the whole caption."""
    if caption is None:
        return None
    at = caption.find("©")
    return caption[at:] if at >= 0 else caption


def _body(root: etree._Element, layout: ArticleLayout) -> list[str]:
    """The text of every part of the richtext blocks, in order: paragraphs, headings, list
    items (the innermost, where they nest), without inline images and their credits."""
    queries = layout.queries
    blocks = queries["body"](root)
    outer = set(blocks)
    texts = []
    for block in blocks:
        if any(ancestor in outer for ancestor in block.iterancestors()):
            continue  # a block inside a block: read with it
        skipped = set(queries["body_skip"](block))
        parts = queries["body_parts"](block)
        in_parts = set(parts)
        for part in parts:
            if part in skipped or any(a in skipped for a in part.iterancestors()):
                continue
            if any(inner in in_parts for inner in part.iterdescendants()):
                continue
            text = element_text(part)
            if text:
                texts.append(text)
    return texts


def translations(root: etree._Element, base_url: str, lang: str) -> dict[str, str]:
    """The page's other language versions, language -> absolute URL: the ``hreflang``
    alternates the page declares (Drupal declares existing translations only), else its
    language switcher's links (the known one, else any element named for languages); only
    links to article pages in another language count."""
    for layout in ARTICLE_LAYOUTS:
        for query in ("alternates", "switcher"):
            found = _other_languages(layout.queries[query](root), base_url, lang)
            if found:
                return found
    regions = [
        element
        for element in root.iter()
        if isinstance(element.tag, str) and not LANGUAGE_WORDS.isdisjoint(words(element))
    ]
    return _other_languages(
        [link for region in regions for link in region.iter("a")], base_url, lang
    )


def _other_languages(links: list, base_url: str, lang: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for link in links:
        href = (link.get("href") or "").strip()
        if not href:
            continue
        absolute = urljoin(base_url, href)
        location = urls.parse_article_url(absolute)
        if location and location.lang != lang:
            found.setdefault(location.lang, absolute)
    return dict(sorted(found.items()))
