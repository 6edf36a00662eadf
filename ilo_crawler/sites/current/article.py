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

from ilo_crawler.extract.document import (
    credit_in,
    declared_description,
    is_body,
    may_show_credit,
    read_document,
)
from ilo_crawler.extract.entries import words
from ilo_crawler.extract.text import base_url, element_text, first_text, parse_html
from ilo_crawler.sites.current import urls
from ilo_crawler.sites.current.layouts import ARTICLE_LAYOUTS, ArticleLayout
from ilo_crawler.sites.current.listing import page_language
from ilo_crawler.sites.pages import ARTICLE_FIELDS, BY_CONTENT, ArticlePage

_NODE_ID = etree.XPath("//meta[@name='node_id']/@content")
_NODE_ID_FORM = re.compile(r"\d+")
#: Words of a class or id that mark a language switcher (translations found by content).
LANGUAGE_WORDS = frozenset(["lang", "language", "languages", "translation", "translations"])


def parse_article(html: str | bytes, url: str) -> ArticlePage:
    """Read an article page; ``has_article`` is False (and only the page's identity is given)
    when it shows no title and date and no body, as an error page served with status 200; a
    body whose title or date the reader missed is kept (the listing gave them)."""
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
        if any(values.values()):
            break
    else:
        layout, values = None, dict.fromkeys(ARTICLE_FIELDS)
    found_by = {name: layout.name for name, value in values.items() if value}
    missing = [name for name in ARTICLE_FIELDS if not values[name]]
    # Any field the selectors miss may be found by content; a credit by content is the first
    # picture's before the body (where the hero's tooltip has none), never an inline image's.
    if missing and (missing != ["credit"] or may_show_credit(root)):
        document = read_document(root, lang, eyebrow=True, known_body=values["body"] or ())
        for name in missing:
            if not values[name] and getattr(document, name):
                values[name] = getattr(document, name)
                found_by[name] = BY_CONTENT
    declared = declared_description(root)
    if not values["teaser"] and declared and not _opens(values["body"], declared):
        values["teaser"], found_by["teaser"] = declared, BY_CONTENT
    if not (values["title"] and values["date_text"]) and not is_body(values["body"] or ()):
        return ArticlePage(has_article=False, **identity)
    return ArticlePage(
        has_article=True,
        translations=translations(root, base_url(root, url), lang),
        tags=tags(root),
        layout=layout.name if layout else None,
        found_by=found_by,
        **identity,
        **values,
    )


def _opens(body: tuple[str, ...] | None, description: str) -> bool:
    """Is the page's description only the start of its body (what Drupal's metatag declares
    for a node without a lead), not a lead of its own?"""
    start = description.rstrip(" .…").strip()
    return bool(body and start and " ".join(body).startswith(start))


def node_id_of(root: etree._Element) -> str | None:
    """The Drupal node id the page declares (``<meta name="node_id" content="NNNN">``)."""
    found = [value.strip() for value in _NODE_ID(root)]
    return found[0] if found and _NODE_ID_FORM.fullmatch(found[0]) else None


def _fields_by_selectors(root: etree._Element, layout: ArticleLayout) -> dict:
    """The page's fields by ``layout``'s selectors: the hero's (none where its hero or the
    hero's title is not on the page), and the body, which stands apart from the hero."""
    queries = layout.queries
    values: dict = dict.fromkeys(ARTICLE_FIELDS)
    values["body"] = tuple(_body(root, layout))
    heroes = queries["hero"](root)
    title = first_text(queries["title"](heroes[0])) if heroes else None
    if title is None:
        return values
    hero = heroes[0]
    caption = first_text(queries["credit"](hero))
    values.update(
        title=title,
        teaser=first_text(queries["teaser"](hero)),
        type=first_text(queries["type"](hero)),
        date_text=first_text(queries["date"](hero)),
        # The caption's credit part (``A farm in Lampung. © ILO/A. B.``), else the caption.
        credit=(credit_in(caption) or caption) if caption else None,
    )
    return values


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


def tags(root: etree._Element) -> tuple[str, ...]:
    """The topics the article lists as tags, as written, once each, in page order."""
    found = (
        element_text(link) for layout in ARTICLE_LAYOUTS for link in layout.queries["tags"](root)
    )
    return tuple(dict.fromkeys(tag for tag in found if tag))


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
