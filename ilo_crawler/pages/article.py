"""An article page turned into its title, date line, type, body and translation links.

Pure: HTML and URL in, data out; unit-tested on saved pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

from parsel import Selector

from ilo_crawler import urls
from ilo_crawler.pages import selectors as css
from ilo_crawler.pages.text import text_of, visible_text


@dataclass(frozen=True)
class ArticlePage:
    """What an article page says about itself; ``has_article`` is False when the page holds no
    article block at all (a layout change or an error page served with status 200)."""

    url: str
    doc_id: str | None
    lang: str | None
    has_article: bool
    title: str | None = None
    teaser: str | None = None
    type: str | None = None
    date_text: str | None = None
    credit: str | None = None
    body: tuple[str, ...] = ()
    translations: dict[str, str] = field(default_factory=dict)  #: language -> absolute URL


def parse_article(html: str | bytes, url: str) -> ArticlePage:
    page = Selector(text=html.decode("utf-8") if isinstance(html, bytes) else html)
    key = urls.parse_article_path(url)
    doc_id, lang = (key.doc_id, key.lang) if key else (None, None)
    found = page.css(css.ARTICLE)
    if not found:
        return ArticlePage(url=url, doc_id=doc_id, lang=lang, has_article=False)
    article = found[0]
    paragraphs = (visible_text(p) for p in article.css(css.ARTICLE_BODY_PARAGRAPHS))
    return ArticlePage(
        url=url,
        doc_id=doc_id,
        lang=lang,
        has_article=True,
        title=text_of(article, css.ARTICLE_TITLE),
        teaser=text_of(article, css.ARTICLE_TEASER),
        type=text_of(article, css.ARTICLE_TYPE),
        date_text=text_of(article, css.ARTICLE_DATE),
        credit=text_of(article, css.ARTICLE_CREDIT),
        body=tuple(p for p in paragraphs if p),
        translations=_translations(article, url),
    )


def _translations(article: Selector, base_url: str) -> dict[str, str]:
    """Other language versions, keyed by the language their URL names."""
    found: dict[str, str] = {}
    for link in article.css(css.ARTICLE_TRANSLATION_LINKS):
        href = link.attrib.get("href")
        if not href:
            continue
        absolute = urljoin(base_url, href.strip())
        key = urls.parse_article_path(absolute)
        lang = key.lang if key else link.attrib.get("hreflang")
        if lang:
            found[lang] = absolute
    return dict(sorted(found.items()))
