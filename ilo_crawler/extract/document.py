"""An article page's fields found by what they are, where no known layout's selectors find them.

The title is the page's main heading (else its declared title); the type and date are the line
``<type> | <date>`` (or the first date line; where a site asks for it, the type is else the short
line just before the title, an eyebrow); the credit is the first line beginning with ``©``, or
ending with a short ``© ...`` after a caption; the body is the main run of paragraphs: the
element whose paragraphs hold the most text, outside navigation, sidebars, share bars and
footers, with its like siblings (a body cut by images into blocks); the teaser is the line
between title and body that is none of these.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ilo_crawler.extract.entries import Line, decoy_regions, entry_lines, in_region, is_decoy
from ilo_crawler.extract.text import clean_text, element_text
from ilo_crawler.normalize.dates import is_date_line

#: What separates the type from the date on the ``<type> | <date>`` line.
TYPE_DATE_SEPARATOR = " | "
#: A teaser is a sentence or more, not a caption or a button.
TEASER_MIN_CHARS = 20
#: A credit after a caption is short: ``A farm in Lampung. © ILO/A. Santoso``.
CREDIT_TAIL_MAX_CHARS = 60
#: An eyebrow above a title is a short line (``Press release``).
EYEBROW_MAX_CHARS = 60


@dataclass(frozen=True)
class DocumentFields:
    """What an article page shows, found by content; None (or empty) where it shows none."""

    title: str | None = None
    teaser: str | None = None
    type: str | None = None
    date_text: str | None = None
    credit: str | None = None
    body: tuple[str, ...] = ()

    @property
    def is_article(self) -> bool:
        """A page is an article when it has a title and a date: an error page served with 200
        has a heading and a sentence, never a date line."""
        return self.title is not None and self.date_text is not None


def read_document(root: etree._Element, lang: str, eyebrow: bool = False) -> DocumentFields:
    """The page's fields by content; ``eyebrow``: the site puts the type in a short line just
    above the title (where no ``<type> | <date>`` line names it)."""
    body = root.find("body")
    if body is None:
        return DocumentFields()
    regions = decoy_regions(body)
    heading = _main_heading(body, regions)
    lines = entry_lines([body], heading, skip=regions)
    type_date = _type_and_date(lines, lang)
    type_, date_text = (type_date.kind, type_date.date) if type_date else (None, None)
    credit_line = next((line for line in lines if credit_in(line.text)), None)
    credit = credit_in(credit_line.text) if credit_line else None
    if type_ is None and eyebrow and heading is not None:
        type_ = _eyebrow(lines, heading, lang)
    order = {element: i for i, element in enumerate(body.iter())}
    # The body follows the type and date line; the teaser stands between it and the title.
    after = order.get(type_date.line.block, -1) if type_date else -1
    paragraphs = _body(body, regions, order, after)
    title = element_text(heading) if heading is not None else declared_title(root)
    teaser = _teaser(lines, type_date.line if type_date else None, paragraphs, credit_line)
    if paragraphs and paragraphs[0] == teaser:  # a teaser in the body's own element
        paragraphs = paragraphs[1:]
    return DocumentFields(
        title=title,
        teaser=teaser,
        type=type_,
        date_text=date_text,
        credit=credit,
        body=paragraphs,
    )


_COPYRIGHT_TEXTS = etree.XPath("//body//text()[contains(., '©')]")


def may_show_credit(root: etree._Element) -> bool:
    """Whether ``read_document`` could find a credit here: only where a ``©`` stands in the body
    outside the regions it skips (a footer's ``© International Labour Organization`` is never a
    credit). Much cheaper than reading the document: an article page whose known layout found
    everything but a credit it does not have need not be read by content at all."""
    for text in _COPYRIGHT_TEXTS(root):
        element = text.getparent()
        if text.is_tail:  # a tail stands in the parent of the element it follows
            element = element.getparent()
        while element is not None:
            if is_decoy(element):
                break
            if element.tag == "body":
                return True
            element = element.getparent()
    return False


@dataclass(frozen=True)
class _TypeDate:
    line: Line
    kind: str | None
    date: str


def page_title(root: etree._Element) -> str | None:
    """A page's title by content: its main heading, else the title it declares."""
    body = root.find("body")
    heading = _main_heading(body, decoy_regions(body)) if body is not None else None
    return element_text(heading) if heading is not None else declared_title(root)


def _main_heading(body: etree._Element, regions: set[etree._Element]) -> etree._Element | None:
    """The first ``h1`` with text outside the page's chrome (its innermost, where one nests)."""
    for heading in body.iter("h1"):
        if in_region(heading, regions) or not element_text(heading):
            continue
        inner = [h for h in heading.iterdescendants("h1") if element_text(h)]
        return inner[-1] if inner else heading
    return None


def declared_title(root: etree._Element) -> str | None:
    """The title the page declares: Open Graph or Dublin Core, else ``<title>`` less the site."""
    for name in ("og:title", "DC.title"):
        found = root.xpath("//meta[@property=$n or @name=$n]/@content", n=name)
        if found and clean_text(found[0]):
            return clean_text(found[0])
    title = root.find(".//title")
    text = element_text(title) if title is not None else None
    return text.rsplit(TYPE_DATE_SEPARATOR, 1)[0].strip() or None if text else None


def credit_in(text: str) -> str | None:
    """The credit a line gives: the whole line when it begins with ``©``, the short ``© ...``
    that ends a caption, else None."""
    at = text.find("©")
    if at == 0:
        return text
    if at > 0 and text[at - 1].isspace() and len(text) - at <= CREDIT_TAIL_MAX_CHARS:
        return text[at:]
    return None


def _eyebrow(lines: list[Line], heading: etree._Element, lang: str) -> str | None:
    """The short line just before the title, in the title's own block or a sibling of it."""
    at = next((i for i, line in enumerate(lines) if line.is_title), None)
    if not at:
        return None
    line = lines[at - 1]
    holder = heading.getparent()
    if line.block is None or holder is None:
        return None
    near = line.block is holder or line.block.getparent() is holder
    if not near or len(line.text) > EYEBROW_MAX_CHARS or credit_in(line.text):
        return None
    return None if is_date_line(line.text, lang) else line.text


def declared_description(root: etree._Element) -> str | None:
    """The summary the page declares for search engines and shares: its meta description, else
    Open Graph's."""
    for name in ("description", "og:description"):
        found = root.xpath("//meta[@name=$n or @property=$n]/@content", n=name)
        if found and clean_text(found[0]):
            return clean_text(found[0])
    return None


def _type_and_date(lines: list[Line], lang: str) -> _TypeDate | None:
    """The ``<type> | <date>`` line, else the first date line."""
    for line in lines:
        kind, separator, date = line.text.rpartition(TYPE_DATE_SEPARATOR)
        if separator and kind and is_date_line(date, lang):
            return _TypeDate(line, kind.strip(), date.strip())
    for line in lines:
        if not line.is_title and is_date_line(line.text, lang):
            return _TypeDate(line, None, line.text)
    return None


def _body(
    body: etree._Element,
    regions: set[etree._Element],
    order: dict[etree._Element, int],
    after: int,
) -> tuple[str, ...]:
    """The paragraphs (after position ``after``) of the element whose own paragraphs hold the
    most text, and of its siblings of the same tag and class, in page order."""
    runs: dict[etree._Element, list[str]] = {}
    for paragraph in body.iter("p"):
        parent = paragraph.getparent()
        if parent is None or order[paragraph] <= after or in_region(paragraph, regions):
            continue
        text = element_text(paragraph)
        if text:
            runs.setdefault(parent, []).append(text)
    if not runs:
        return ()
    main = max(runs, key=lambda parent: sum(map(len, runs[parent])))
    shape = (main.tag, main.get("class"), main.getparent())
    return tuple(
        text
        for parent, texts in runs.items()
        if parent is main or (parent.tag, parent.get("class"), parent.getparent()) == shape
        for text in texts
    )


def _teaser(
    lines: list[Line], type_date: Line | None, body: tuple[str, ...], credit: Line | None
) -> str | None:
    """The first line after the title, before the type and date line (without one: before the
    body), that is long enough to be a teaser and is not the credit."""
    after_title = False
    for line in lines:
        if line.is_title:
            after_title = True
            continue
        if line is type_date or (type_date is None and body and line.text == body[0]):
            return None
        if after_title and line is not credit and len(line.text) >= TEASER_MIN_CHARS:
            return line.text
    return None
