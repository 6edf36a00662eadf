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

import re
from dataclasses import dataclass

from lxml import etree

from ilo_crawler.extract.entries import Line, decoy_regions, entry_lines, in_region, is_decoy
from ilo_crawler.extract.text import clean_text, element_text
from ilo_crawler.normalize.categories import default_taxonomy
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
        """A page is an article when it has a title and a date (an error page served with 200
        has a heading and a sentence, never a date line), or a body whose title or date the
        reader missed (the listing gave them)."""
        return (self.title is not None and self.date_text is not None) or is_body(self.body)


#: A body holds paragraphs, not a sentence (an error page's): at least this many, this long.
BODY_MIN_PARAGRAPHS = 2
BODY_MIN_CHARS = 200


def is_body(paragraphs: tuple[str, ...]) -> bool:
    """Whether paragraphs found by content are an article's body, not an error page's words."""
    return len(paragraphs) >= BODY_MIN_PARAGRAPHS and sum(map(len, paragraphs)) >= BODY_MIN_CHARS


def read_document(
    root: etree._Element, lang: str, eyebrow: bool = False, known_body: tuple[str, ...] = ()
) -> DocumentFields:
    """The page's fields by content; ``eyebrow``: the site puts the type in a short line just
    above the title (where no ``<type> | <date>`` line names it); ``known_body``: the body a
    site's selectors found, which is then where the body starts (what stands before it may be
    the teaser, the credit)."""
    body = root.find("body")
    if body is None:
        return DocumentFields()
    regions = decoy_regions(body)
    declared = declared_title(root)
    heading = _main_heading(body, regions, declared)
    lines = entry_lines([body], heading, skip=regions)
    type_date = _type_and_date(lines, lang)
    order = {element: i for i, element in enumerate(body.iter())}
    # The body follows the date line (without one: the title); the teaser stands before it.
    start = type_date.line.block if type_date else heading
    paragraphs = known_body or _body(body, regions, order, order.get(start, -1))
    title_at = next((i for i, line in enumerate(lines) if line.is_title), -1)
    date_at = lines.index(type_date.line) if type_date else -1
    # Where the body starts: its first paragraph after the title and the date line (a lead in
    # the body's own element may stand before the date).
    texts = set(paragraphs)
    body_at = next(
        (i for i in range(max(title_at, date_at) + 1, len(lines)) if lines[i].text in texts),
        len(lines),
    )
    credit_line = next(
        (
            line
            for line in lines[title_at + 1 : body_at]
            if credit_in(line.text) and not in_region(line.block, regions)
        ),
        None,
    )
    type_ = type_date.kind if type_date else None
    type_line = None
    if type_ is None and eyebrow and heading is not None:
        type_ = _eyebrow(lines, heading, lang)
    if type_ is None and type_date is not None:
        type_line = _type_line(lines, type_date.line, title_at, body_at, lang)
        type_ = type_line.text if type_line else None
    skipped = {type_date.line if type_date else None, type_line, credit_line}
    teaser = _teaser(lines[title_at + 1 : body_at], skipped)
    if paragraphs and paragraphs[0] == teaser:  # a teaser in the body's own element
        paragraphs = paragraphs[1:]
    return DocumentFields(
        title=element_text(heading) if heading is not None else declared,
        teaser=teaser,
        type=type_,
        date_text=type_date.date if type_date else None,
        credit=credit_in(credit_line.text) if credit_line else None,
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
    declared = declared_title(root)
    heading = _main_heading(body, decoy_regions(body), declared) if body is not None else None
    return element_text(heading) if heading is not None else declared


def _main_heading(
    body: etree._Element, regions: set[etree._Element], declared: str | None
) -> etree._Element | None:
    """The first ``h1`` with text outside the page's chrome (its innermost, where one nests);
    without one, the first lesser heading (``h2``, ``h3``, however nested) whose text the page's
    declared title holds: the page's own title set lower."""
    for heading in body.iter("h1"):
        if in_region(heading, regions) or not element_text(heading):
            continue
        inner = [h for h in heading.iterdescendants("h1") if element_text(h)]
        return inner[-1] if inner else heading
    if not declared:
        return None
    wanted = " ".join(declared.split()).casefold()
    for heading in body.iter("h2", "h3"):
        text = element_text(heading)
        if text and not in_region(heading, regions) and " ".join(text.split()).casefold() in wanted:
            return heading
    return None


#: What sets a site's name apart from the page's title in a declared title.
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ")
#: Names of the site in a declared title (any of its languages).
_SITE_NAMES = re.compile(
    r"\b(?:ILO|OIT|IAO|MOT|International Labour (?:Organi[sz]ation|Office)|"
    r"Organisation internationale du Travail|Organización Internacional del Trabajo|"
    r"Organização Internacional do Trabalho)\b",
    re.IGNORECASE,
)
#: What may stand beside the site's name in the part of a title that is only the site's name
#: (``ILO Newsroom``, ``(ILO)``): a word at most.
SITE_PART_MAX_WORDS = 1


def declared_title(root: etree._Element) -> str | None:
    """The title the page declares: Open Graph or Dublin Core, else ``<title>`` less the site's
    name (``Title | ILO``, ``International Labour Organization - Title``)."""
    for name in ("og:title", "DC.title"):
        found = root.xpath("//meta[@property=$n or @name=$n]/@content", n=name)
        if found and clean_text(found[0]):
            return clean_text(found[0])
    title = root.find(".//title")
    text = element_text(title) if title is not None else None
    return _less_site_name(text) if text else None


def _names_site(part: str) -> bool:
    """Whether a part of a declared title is the site's name (and a word at most besides)."""
    rest, named = _SITE_NAMES.subn(" ", part)
    return bool(named) and len(re.findall(r"\w+", rest)) <= SITE_PART_MAX_WORDS


def _less_site_name(text: str) -> str | None:
    """A declared title without the site's name before or after it."""
    changed = True
    while changed:
        changed = False
        for separator in _TITLE_SEPARATORS:
            head, found, tail = text.rpartition(separator)
            if found and head and _names_site(tail):
                text, changed = head.strip(), True
            head, found, tail = text.partition(separator)
            if found and tail and _names_site(head):
                text, changed = tail.strip(), True
    return text or None


#: A site's copyright notice (``© 1996-2011 International Labour Organization``): never a credit.
_NOTICE = re.compile(r"©\s*(?:copyright\s*)?\d{4}\s*[-–—]\s*\d{4}", re.IGNORECASE)


def credit_in(text: str) -> str | None:
    """The credit a line gives: the whole line when it begins with ``©``, the short ``© ...``
    that ends a caption, else None; a copyright notice over a span of years (a site's footer)
    is no credit."""
    at = text.find("©")
    if at >= 0 and _NOTICE.match(text, at):
        return None
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
    """The ``<type> | <date>`` line, else the first date line (after the title first): a line
    that is a date, or a labelled one (``Date issued: 15 November 2021``)."""
    for line in lines:
        kind, separator, date = line.text.rpartition(TYPE_DATE_SEPARATOR)
        if separator and kind and is_date_line(date, lang):
            return _TypeDate(line, kind.strip(), date.strip())
    title_at = next((i for i, line in enumerate(lines) if line.is_title), 0)
    for line in [*lines[title_at:], *lines[:title_at]]:
        if line.is_title:
            continue
        if is_date_line(line.text, lang):
            return _TypeDate(line, None, line.text)
        label, colon, value = line.text.rpartition(":")
        if colon and label and len(label) <= EYEBROW_MAX_CHARS and is_date_line(value, lang):
            return _TypeDate(line, None, value.strip())
    return None


#: What a metadata row's header (a table's ``th``, a list's ``dt``, a ``Label:``) says when the
#: value beside it is the document's type, in the sites' languages (folded, no colon).
TYPE_HEADERS = frozenset(
    [
        "type", "document type", "content type", "kind", "category",
        "type de document", "type de contenu", "catégorie", "genre",
        "tipo", "tipo de documento", "tipo de contenido", "categoría",
    ]
)  # fmt: skip


def _header(text: str) -> str:
    return text.rstrip(" :").casefold()


def _type_line(
    lines: list[Line], date: Line, title_at: int, body_at: int, lang: str
) -> Line | None:
    """Where no ``<type> | <date>`` line names it, the type is: the value after a header that
    names it (``Type: News``, a table's or definition list's row); else the short text standing
    right before the date in the same block (``<span>News</span><time>...``); else a line
    between the title and the body that the label taxonomy knows as a content type."""
    meta = lines[title_at + 1 : body_at]
    for line, value in zip(meta, meta[1:], strict=False):
        if _header(line.text) in TYPE_HEADERS and not is_date_line(value.text, lang):
            return value
    at = lines.index(date)
    if at > 0:
        before = lines[at - 1]
        if (
            not before.is_title
            and before.block is date.block
            and len(before.text) <= EYEBROW_MAX_CHARS
            and not credit_in(before.text)
            and not before.text.endswith(":")
        ):
            return before
    taxonomy = default_taxonomy()
    for line in meta:
        if len(line.text) <= EYEBROW_MAX_CHARS and not line.text.endswith(":"):
            category = taxonomy.normalize(line.text)
            if category is not None and category.known and category.kind == "content_type":
                return line
    return None


def _body(
    body: etree._Element,
    regions: set[etree._Element],
    order: dict[etree._Element, int],
    after: int,
) -> tuple[str, ...]:
    """The paragraphs (after position ``after``) of the element whose own paragraphs hold the
    most text (a run of them before a lone one), and of its siblings of the same tag and class,
    in page order."""
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
    # A run of paragraphs before a lone one (a long lead), then the most text.
    main = max(runs, key=lambda parent: (len(runs[parent]) > 1, sum(map(len, runs[parent]))))
    shape = (main.tag, main.get("class"), main.getparent())
    return tuple(
        text
        for parent, texts in runs.items()
        if parent is main or (parent.tag, parent.get("class"), parent.getparent()) == shape
        for text in texts
    )


#: Blocks whose lines are never the teaser: a picture and its caption, a metadata table or list.
_NOT_TEASER_TAGS = frozenset(["figure", "figcaption", "table", "dl", "th", "td", "dt", "dd"])


def _teaser(lines: list[Line], skipped: set[Line | None]) -> str | None:
    """The first of the lines between the title and the body that is long enough to be a
    teaser and none of the others (type, date, credit, a header, a caption or a table's)."""
    for line in lines:
        if line in skipped or len(line.text) < TEASER_MIN_CHARS or line.text.endswith(":"):
            continue
        block = line.block
        if block is not None and any(
            element.tag in _NOT_TEASER_TAGS for element in (block, *block.iterancestors())
        ):
            continue
        return line.text
    return None
