"""Listing items found by what they are, where no known layout's selectors find them.

The item list is the repeated block whose entries link to article documents; an entry is the
largest element around such a link that holds no other document and no heading of its own. In an
entry, text lines stand in the order every WCMS rendering shows: credit (``©``), label, title (the
document link's text), date line (a date in the page's language), summary. Month headings are the
heading-like lines between entries that read as a month (or a year). Lists of documents outside
the content (navigation, sidebars, language links, share bars) are decoys, not items.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lxml import etree

from ilo_crawler.extract.text import BLOCK_TAGS, HIDDEN_TAGS, element_text
from ilo_crawler.normalize.dates import is_date_line, is_month_heading

#: Elements that are an entry of a list whatever they hold: climbing stops there.
ENTRY_TAGS = frozenset(["li", "tr", "article", "dt", "dd"])
HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
#: Page regions that are never the content: their document links are not items.
DECOY_TAGS = frozenset(["nav", "footer", "aside"])
#: Words in a class or id that mark such a region (class and id split at ``-``, ``_`` and case).
DECOY_WORDS = frozenset(
    [
        "nav",
        "navbar",
        "navigation",
        "menu",
        "breadcrumb",
        "breadcrumbs",
        "crumbs",
        "footer",
        "banner",
        "sidebar",
        "related",
        "share",
        "social",
        "sharing",
        "lang",
        "language",
        "languages",
        "switcher",
        "toolbar",
        "skip",
    ]
)
#: A label is a short line; longer text before the title is not one.
LABEL_MAX_CHARS = 120
#: A month heading is a short line (``Septembre 2023``, ``6月 2020``, ``2021``).
HEADING_MAX_CHARS = 40
_STRING = etree.XPath("string()")
#: Month headings, like dates, carry a four-digit year.
_YEAR = re.compile(r"\d{4}")
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@dataclass(frozen=True)
class Line:
    """One line of an entry's text, as a reader sees it."""

    text: str
    is_title: bool = False
    #: the innermost block element the line stands in (where it is on the page)
    block: etree._Element | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EntryFields:
    """The fields of one entry as its content shows them; None where it shows none."""

    credit: str | None = None
    label: str | None = None
    title: str | None = None
    date_text: str | None = None
    summary: str | None = None


@dataclass(eq=False)
class FoundEntry:
    """An item found by content: its element, its document link and its fields."""

    element: etree._Element
    link: etree._Element | None
    fields: EntryFields
    heading: str | None = None
    #: Siblings that belong to it in a flat markup: a credit before it, its date and summary after.
    before: list[etree._Element] = field(default_factory=list)
    after: list[etree._Element] = field(default_factory=list)


def words(element: etree._Element) -> set[str]:
    """The words of an element's class and id: ``leftNav item-title`` -> left, nav, item, title."""
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return {word.lower() for word in _WORD.findall(names)}


def is_decoy(element: etree._Element) -> bool:
    return element.tag in DECOY_TAGS or not DECOY_WORDS.isdisjoint(words(element))


def decoy_regions(root: etree._Element) -> set[etree._Element]:
    return {
        element
        for element in root.iter()
        if element.tag in DECOY_TAGS
        or ((element.get("class") or element.get("id")) and is_decoy(element))
    }


def in_region(element: etree._Element, regions: set[etree._Element]) -> bool:
    return any(ancestor in regions for ancestor in element.iterancestors())


def is_month_line(element: etree._Element) -> bool:
    """Whether an element's whole text is one short line reading as a month (or a year)."""
    raw = _STRING(element)
    if len(raw) > 4 * HEADING_MAX_CHARS or not _YEAR.search(raw):
        return False
    text = " ".join(raw.split())
    return len(text) <= HEADING_MAX_CHARS and is_month_heading(text)


# Lines and fields ----------------------------------------------------------------------------


def entry_lines(
    elements: Iterable[etree._Element],
    title: etree._Element | None,
    skip: Iterable[etree._Element] = (),
) -> list[Line]:
    """The text lines of ``elements`` in order: each block and ``<br>`` ends a line, as does the
    meeting of two elements with nothing between them (``<span>Label</span><time>22 June
    2026</time>`` are two texts, which a page's style sets apart), the title link is a line of
    its own, and ``skip`` (other links to the document, such as the image's)
    says nothing. A link that wraps a whole card (blocks inside it) is read as the card: its
    heading (else its first line that is no credit) is the title."""
    title = title_within(title)
    lines: list[Line] = []
    buffer: list[str] = []
    blocks: list[etree._Element] = []
    skipped = set(skip)

    def flush() -> None:
        text = " ".join("".join(buffer).split())
        buffer.clear()
        if text:
            lines.append(Line(text, block=blocks[-1] if blocks else None))

    def walk(element: etree._Element) -> None:
        tag = element.tag
        if not isinstance(tag, str) or tag in HIDDEN_TAGS or element in skipped:
            return
        if element is title:
            flush()
            text = element_text(element)
            if text:
                lines.append(Line(text, is_title=True, block=element))
            return
        if tag == "br":
            flush()
            return
        block = tag in BLOCK_TAGS
        if block:
            flush()
            blocks.append(element)
        if element.text:
            buffer.append(element.text)
        glued = False  #: the last child had text and nothing stands after it yet
        for child in element:
            shows = _shows_text(child)
            if glued and shows:
                flush()  # two elements' texts side by side: separate texts, never one word
            walk(child)
            glued = shows and not child.tail
            if child.tail:
                buffer.append(child.tail)
        if block:
            flush()
            blocks.pop()

    for element in elements:
        blocks.append(element)
        walk(element)
        flush()
        blocks.clear()
    return lines


def _shows_text(element: etree._Element) -> bool:
    """Whether an element shows text of its own (not a line break, a comment, a script)."""
    tag = element.tag
    return (
        isinstance(tag, str)
        and tag not in HIDDEN_TAGS
        and tag != "br"
        and any(text.strip() for text in element.itertext())
    )


def title_within(link: etree._Element | None) -> etree._Element | None:
    """The element whose text is the title: the link, or in a link wrapping blocks, the heading
    (else the first block with text that is no credit) inside it."""
    if link is None:
        return None
    inside = [d for d in link.iterdescendants() if isinstance(d.tag, str) and d.tag in BLOCK_TAGS]
    if not inside:
        return link
    heading = next((d for d in link.iterdescendants(*HEADING_TAGS) if element_text(d)), None)
    if heading is not None:
        return heading
    return next((d for d in inside if (text := element_text(d)) and not text.startswith("©")), link)


def read_fields(lines: list[Line], lang: str) -> EntryFields:
    """Credit, label, title, date line and summary from an entry's lines, by what each is.

    The title (else, for an item without a link, the date line) anchors the entry: the short
    line before it is the label; the date line is the first one before it (date-led entries),
    else the first after it; the summary is what follows the anchor but the date line (after a
    date-led entry's title, or a card's intro between its title and its date)."""
    credit = next((line for line in lines if line.text.startswith("©")), None)
    rest = visible_title([line for line in lines if line is not credit])
    dates = [
        i for i, line in enumerate(rest) if not line.is_title and is_date_line(line.text, lang)
    ]
    title_at = next((i for i, line in enumerate(rest) if line.is_title), None)
    if title_at is None:
        date_at = anchor = dates[0] if dates else None
    else:
        anchor = title_at
        date_at = next((i for i in dates if i < anchor), next(iter(dates), None))
    label = None
    if anchor is not None:
        label = next(
            (
                line
                for i, line in reversed(list(enumerate(rest[:anchor])))
                if i != date_at and len(line.text) <= LABEL_MAX_CHARS
            ),
            None,
        )
    summary_from = anchor + 1 if anchor is not None else 0
    summary = [line.text for i, line in enumerate(rest) if i >= summary_from and i != date_at]
    return EntryFields(
        credit=credit.text if credit else None,
        label=label.text if label else None,
        title=rest[title_at].text if title_at is not None else None,
        date_text=rest[date_at].text if date_at is not None else None,
        summary="\n".join(summary) or None,
    )


def visible_title(lines: list[Line]) -> list[Line]:
    """The lines with the title where the reader sees it: a title link whose text a later line
    repeats (a card's overlay link, before the card's own title) gives its place to that line."""
    at = next((i for i, line in enumerate(lines) if line.is_title), None)
    if at is None:
        return lines
    again = next((i for i in range(at + 1, len(lines)) if lines[i].text == lines[at].text), None)
    if again is None:
        return lines
    shown = Line(lines[again].text, is_title=True, block=lines[again].block)
    return [*lines[:at], *lines[at + 1 : again], shown, *lines[again + 1 :]]


# Finding the entries -------------------------------------------------------------------------


def find_entries(
    root: etree._Element, lang: str, document_of: Callable[[str], str | None]
) -> list[FoundEntry]:
    """The items of a listing page by content, in page order, with their month headings.

    ``document_of`` names the document a link points to (None: not an article document)."""
    return _EntryFinder(root, lang, document_of).entries()


class _EntryFinder:
    """One page's search for its entries (the page's indexes, built once)."""

    def __init__(
        self, root: etree._Element, lang: str, document_of: Callable[[str], str | None]
    ) -> None:
        self.lang = lang
        self.root = root
        self.decoy: dict[etree._Element, bool] = {}
        self.links: list[tuple[etree._Element, str]] = []
        for link in root.iter("a"):
            href = link.get("href")
            document = document_of(href.strip()) if href else None
            if document and not self._in_decoy(link):
                self.links.append((link, document))
        #: every element holding a document link -> the documents it holds
        self.documents_under: dict[etree._Element, set[str]] = {}
        for link, document in self.links:
            self.documents_under.setdefault(link, set()).add(document)
            for ancestor in link.iterancestors():
                self.documents_under.setdefault(ancestor, set()).add(document)
        self.heading_holders: set[etree._Element] = set()
        for heading in root.iter(*HEADING_TAGS):
            self.heading_holders.add(heading)
            self.heading_holders.update(heading.iterancestors())

    def _in_decoy(self, link: etree._Element) -> bool:
        """Whether a link stands in a decoy region (each ancestor judged once per page)."""
        for ancestor in link.iterancestors():
            if ancestor not in self.decoy:
                self.decoy[ancestor] = is_decoy(ancestor)
            if self.decoy[ancestor]:
                return True
        return False

    def entries(self) -> list[FoundEntry]:
        if not self.links:
            return []
        drafts: dict[etree._Element, list[etree._Element]] = {}
        for link, _document in self.links:
            drafts.setdefault(self._climb(link), []).append(link)
        found = [self._read(element, links) for element, links in drafts.items()]
        chosen = self._item_list(found)  # in page order: links are met in page order
        unlinked = self._unlinked(chosen)
        if unlinked:
            order = {element: i for i, element in enumerate(self.root.iter())}
            chosen = sorted(chosen + unlinked, key=lambda entry: order[entry.element])
        self._attach_siblings(chosen)
        self._assign_headings(chosen)
        return chosen

    def _climb(self, link: etree._Element) -> etree._Element:
        """The largest element around ``link`` holding no other document and no heading."""
        current = link
        while current.tag not in ENTRY_TAGS:
            parent = current.getparent()
            if (
                parent is None
                or parent.tag in ("body", "html")
                or len(self.documents_under[parent]) > 1
                or any(
                    sibling is not current and self._is_heading_like(sibling) for sibling in parent
                )
            ):
                break
            current = parent
        return current

    def _is_heading_like(self, element: etree._Element) -> bool:
        """A month heading (or a blank heading), or the page's title: what an entry never
        holds. (A heading with other text may be an entry's label.)"""
        if not isinstance(element.tag, str):
            return False
        if element in self.heading_holders:
            if element.tag == "h1" or element.find(".//h1") is not None:
                return True
            for heading in element.iter(*HEADING_TAGS):
                text = element_text(heading)
                if not text or is_month_heading(text):
                    return True
            return False
        return is_month_line(element)

    def _read(self, element: etree._Element, links: list[etree._Element]) -> FoundEntry:
        title: etree._Element | None = max(links, key=lambda link: len(element_text(link) or ""))
        if not element_text(title):
            title = None
        # Other links to the document say nothing (an image's, a "Read more"), but one that
        # repeats the title is where the title stands (a card's title under its overlay link).
        text = element_text(title) if title is not None else None
        others = [link for link in links if link is not title and element_text(link) != text]
        lines = entry_lines([element], title, skip=others)
        link = title if title is not None else links[0]
        return FoundEntry(element, link, read_fields(lines, self.lang))

    def _item_list(self, entries: list[FoundEntry]) -> list[FoundEntry]:
        """The page's item list: the kind of entry (its tag and its list's) with the most date
        lines, within the smallest element holding its dated entries; other lists are decoys."""
        groups: dict[tuple[str, str], list[FoundEntry]] = {}
        for entry in entries:
            parent = entry.element.getparent()
            key = (entry.element.tag, parent.tag if parent is not None else "")
            groups.setdefault(key, []).append(entry)
        best = max(
            groups.values(),
            key=lambda group: (sum(1 for entry in group if entry.fields.date_text), len(group)),
        )
        dated = [entry for entry in best if entry.fields.date_text] or best
        container = _common_ancestor([entry.element for entry in dated])
        inside = set(container.iter())
        in_best = set(map(id, best))
        return [
            entry
            for entry in entries
            if entry.element in inside and (id(entry) in in_best or entry.fields.date_text)
        ]

    def _unlinked(self, entries: list[FoundEntry]) -> list[FoundEntry]:
        """Items without a title link (some video and audio items): elements shaped like the
        entries (same tag and class, in a list of the same kind) among them, with a date line
        and more, and no document."""
        if not entries:
            return []

        def shape(element: etree._Element) -> tuple:
            parent = element.getparent()
            if parent is None:
                return (element.tag, element.get("class"), None, None)
            return (element.tag, element.get("class"), parent.tag, parent.get("class"))

        shapes = {shape(entry.element) for entry in entries}
        known = {entry.element for entry in entries}
        container = _common_ancestor(list(known))
        found = []
        for tag in {entry.element.tag for entry in entries}:
            for element in container.iter(tag):
                if (
                    element in known
                    or element in self.documents_under
                    or shape(element) not in shapes
                ):
                    continue
                fields = read_fields(entry_lines([element], None), self.lang)
                if fields.date_text and (fields.summary or fields.label):
                    found.append(FoundEntry(element, None, fields))
        return found

    def _attach_siblings(self, entries: list[FoundEntry]) -> None:
        """Flat markups (a ``dt`` title, ``dd`` date and summary): the text between an entry
        and the next belongs to the entry before it, a ``©`` credit to the entry after it."""
        known = {entry.element: entry for entry in entries}
        changed: list[FoundEntry] = []
        for parent in {entry.element.getparent() for entry in entries} - {None}:
            previous: FoundEntry | None = None
            credits: list[etree._Element] = []
            for child in parent:
                if child in known:
                    previous = known[child]
                    if credits:
                        previous.before, credits = credits, []
                        changed.append(previous)
                    continue
                if not isinstance(child.tag, str) or child.tag in HIDDEN_TAGS:
                    continue
                text = element_text(child)
                if not text or child.tag in HEADING_TAGS or is_month_heading(text):
                    continue
                if text.startswith("©"):
                    credits.append(child)
                elif previous is not None:
                    previous.after.append(child)
                    changed.append(previous)
        for entry in {id(entry): entry for entry in changed}.values():
            title = entry.link if entry.fields.title else None
            lines = entry_lines([*entry.before, entry.element, *entry.after], title)
            entry.fields = read_fields(lines, self.lang)

    def _assign_headings(self, entries: list[FoundEntry]) -> None:
        """Each entry's month heading: the last heading-like line before it, read from the
        largest element around the entries that holds no other document."""
        if not entries:
            return
        at = {entry.element: entry for entry in entries}
        holders: set[etree._Element] = set()
        for element in at:
            holders.update(element.iterancestors())
        shown = set().union(*(self.documents_under.get(element, set()) for element in at))
        start = _common_ancestor(list(at))
        while (parent := start.getparent()) is not None and parent.tag != "body":
            if not self.documents_under.get(parent, set()) <= shown:
                break
            start = parent
        heading: str | None = None

        def walk(element: etree._Element) -> None:
            nonlocal heading
            for child in element:
                if not isinstance(child.tag, str) or child.tag in HIDDEN_TAGS:
                    continue
                if child in at:
                    at[child].heading = heading
                elif child.tag in HEADING_TAGS:
                    text = element_text(child)
                    if not text or is_month_heading(text):
                        heading = text
                elif child in holders or child in self.heading_holders:
                    walk(child)
                elif is_month_line(child):
                    heading = element_text(child)

        walk(start)


def _common_ancestor(elements: list[etree._Element]) -> etree._Element:
    """The smallest element holding all of ``elements`` (for one element: its parent)."""
    first = elements[0]
    if len(elements) == 1:
        parent = first.getparent()
        return parent if parent is not None else first
    others = [{element, *element.iterancestors()} for element in elements[1:]]
    return next(
        candidate
        for candidate in [first, *first.iterancestors()]
        if all(candidate in other for other in others)
    )
