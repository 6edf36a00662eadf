"""Text out of HTML the way a reader sees it: white space collapsed, line breaks (``<br>``) kept."""

from __future__ import annotations

import re

from parsel import Selector, SelectorList

_SPACE = re.compile(r"\s+")


def clean_text(text: str | None) -> str | None:
    """Collapse white space as a browser does, keeping explicit line breaks (``\\n``) as single
    ones; an empty result is None (the field is missing)."""
    if text is None:
        return None
    lines = (" ".join(line.split()) for line in text.split("\n"))
    collapsed = "\n".join(line for line in lines if line)
    return collapsed or None


def visible_text(element: Selector) -> str | None:
    """An element's text: its text nodes, each ``<br>`` a line break, source newlines a space."""
    parts = element.xpath(".//text() | .//br")
    pieces = (
        "\n" if not isinstance(part.root, str) else _SPACE.sub(" ", part.root) for part in parts
    )
    return clean_text("".join(pieces))


def text_of(node: Selector | SelectorList, css: str) -> str | None:
    """The visible text of the first element matching ``css`` under ``node``, or None."""
    found = node.css(css)
    return visible_text(found[0]) if found else None
