"""Text out of HTML the way a reader sees it: all text nodes, white space collapsed."""

from __future__ import annotations

import re

from parsel import Selector, SelectorList

_SPACE = re.compile(r"\s+")


def clean_text(text: str | None) -> str | None:
    """Collapse white space as a browser does; an empty result is None (the field is missing)."""
    if text is None:
        return None
    collapsed = _SPACE.sub(" ", text).strip()
    return collapsed or None


def text_of(node: Selector | SelectorList, css: str) -> str | None:
    """The visible text of the first element matching ``css`` under ``node``, or None."""
    found = node.css(css)
    if not found:
        return None
    return clean_text(" ".join(found[0].xpath(".//text()").getall()))
