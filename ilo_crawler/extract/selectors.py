"""Selector tables compiled once: every site keeps its known layouts as dataclasses of selector
strings (CSS, or XPath after ``xpath:``); these turn each into an lxml query at import time, so a
page is read at the lxml level with no Selector per node."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from lxml import etree
from parsel.csstranslator import HTMLTranslator

_TRANSLATOR = HTMLTranslator()


def compile_query(selector: str, relative: bool = True) -> etree.XPath:
    """A selector compiled once: CSS (matched at or below the context) or ``xpath:...``."""
    if selector.startswith("xpath:"):
        return etree.XPath(selector.removeprefix("xpath:"))
    prefix = "descendant-or-self::" if relative else "//"
    return etree.XPath(_TRANSLATOR.css_to_xpath(selector, prefix=prefix))


def compile_layout(layout: Any) -> dict[str, etree.XPath]:
    """Compile every selector a layout table gives (its init fields but ``name``; None: the
    layout has none) into its ``queries``, and return them."""
    queries = {
        item.name: compile_query(getattr(layout, item.name))
        for item in fields(layout)
        if item.init and item.name != "name" and getattr(layout, item.name) is not None
    }
    object.__setattr__(layout, "queries", queries)
    return queries
