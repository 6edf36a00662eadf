"""Text out of HTML the way a reader sees it, read at the lxml level (no Selector per node).

White space collapses as a browser collapses it; ``<br>`` and block boundaries are line breaks;
scripts, styles and templates are not text.
"""

from __future__ import annotations

from urllib.parse import urljoin

from lxml import etree

#: Elements that start a new line of text, as a browser lays them out.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
#: Elements whose content is never text a reader sees.
HIDDEN_TAGS = frozenset(
    ["script", "style", "template", "noscript", "iframe", "svg", "head", "select", "object"]
)


_PARSER = etree.HTMLParser()


def parse_html(body: str | bytes) -> etree._Element:
    """The document's root element (plain lxml elements: no per-element class lookup); an empty
    or unreadable body gives an empty document."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        root = etree.fromstring(text, _PARSER) if text and text.strip() else None
    except ValueError:  # a str with an XML encoding declaration: let lxml read the bytes
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
    return root if root is not None else etree.fromstring("<html><body></body></html>", _PARSER)


_BASE_HREF = etree.XPath("(//base[@href])[1]/@href")


def base_url(root: etree._Element, url: str) -> str:
    """What a page's relative links are resolved against, as a browser resolves them: its
    ``<base href>`` (itself resolved against the page's URL), else the page's URL."""
    found = _BASE_HREF(root)
    href = found[0].strip() if found else ""
    return urljoin(url, href) if href else url


def clean_text(text: str | None) -> str | None:
    """Collapse white space as a browser does, keeping explicit line breaks (``\\n``) as single
    ones; an empty result is None (the field is missing)."""
    if text is None:
        return None
    if "\n" not in text:  # one line (most texts): no need to split it into lines
        return " ".join(text.split()) or None
    lines = (" ".join(line.split()) for line in text.split("\n"))
    collapsed = "\n".join(line for line in lines if line)
    return collapsed or None


def _gather(element: etree._Element, out: list[str]) -> None:
    """Append the text of ``element`` and its descendants in order, ``\\n`` for each line break
    (a list and a recursive call: a generator per element cost twice as much)."""
    tag = element.tag
    if not isinstance(tag, str) or tag in HIDDEN_TAGS:
        return
    if tag == "br":
        out.append("\n")
        return
    block = tag in BLOCK_TAGS
    if block:
        out.append("\n")
    if element.text:
        out.append(element.text.replace("\n", " "))
    for child in element:
        _gather(child, out)
        if child.tail:
            out.append(child.tail.replace("\n", " "))
    if block:
        out.append("\n")


def element_text(element: etree._Element | str | None) -> str | None:
    """An element's visible text (or a text node's, from an XPath ``text()``): source newlines
    are spaces, every ``<br>`` and block a line break, None when nothing is left."""
    if element is None:
        return None
    if isinstance(element, str):
        return clean_text(element.replace("\n", " "))
    if not len(element):  # no children (most paragraphs): its own text is all there is
        tag = element.tag
        if not isinstance(tag, str) or tag in HIDDEN_TAGS or tag == "br" or not element.text:
            return None
        return " ".join(element.text.split()) or None
    out: list[str] = []
    _gather(element, out)
    return clean_text("".join(out))


def first_text(found: list) -> str | None:
    """The text of a query's first result; text nodes (``text()``) joined line by line."""
    if not found:
        return None
    if isinstance(found[0], str):
        return clean_text("\n".join(node.replace("\n", " ") for node in found))
    return element_text(found[0])
