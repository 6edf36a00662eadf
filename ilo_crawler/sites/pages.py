"""What a page object makes of a page, the same for every site: the spider, the seek and the
item builder read these and nothing site-specific. Every field says how it was found
(``found_by``: a layout's name, or ``content``), so a change of a site's markup shows before it
becomes a loss."""

from __future__ import annotations

from dataclasses import dataclass, field

#: How a field was found when no layout's selector gave it.
BY_CONTENT = "content"
ENTRY_FIELDS = ("credit", "label", "title", "date_text", "summary")
#: Fields a listing's page object takes by content wherever an item lacks them; the others only
#: when the page's selectors found them on no item (an item may lack a label, a credit or a
#: summary, never a title and a date).
ESSENTIAL_FIELDS = ("title", "date_text")


@dataclass(frozen=True)
class ListingEntry:
    """One item as a listing page shows it; every field but ``position`` may be missing."""

    position: int  #: 1-based place on the page, counted over all its lists
    heading: str | None  #: the month heading the item stands under, as written
    credit: str | None
    label: str | None
    title: str | None
    url: str | None  #: absolute URL of the article page
    date_text: str | None
    summary: str | None
    #: field -> how it was found: the layout whose selector gave it, or ``content``
    found_by: dict[str, str] = field(default_factory=dict, compare=False)
    #: the machine-readable date the listing gives beside the text, as written (the current
    #: site's ``<time datetime>``, a Unix timestamp); checked against ``date_text``, never
    #: preferred to it
    date_value: str | None = None


@dataclass(frozen=True)
class ListingPage:
    """A page of a paginated listing: its items and what its pager says about the listing."""

    url: str
    #: index of the page's first item in the whole listing; None where the page cannot tell (a
    #: site whose pager counts pages: a page after the first that is not full, or is empty)
    offset: int | None
    title: str | None
    entries: tuple[ListingEntry, ...]
    page_size: int | None  #: items a page, read from the pager (None: no pager to read)
    last_offset: int | None  #: offset of the listing's last page, when the pager shows it
    layout: str | None = None  #: the layout generation whose selectors found the items

    @property
    def is_empty(self) -> bool:
        return not self.entries

    @property
    def content_fields(self) -> tuple[str, ...]:
        """The fields that only the content layer found on this page (for the warning)."""
        taken = {
            name
            for entry in self.entries
            for name, how in entry.found_by.items()
            if how == BY_CONTENT
        }
        return tuple(name for name in ENTRY_FIELDS if name in taken)


ARTICLE_FIELDS = ("title", "teaser", "type", "date_text", "credit", "body")


@dataclass(frozen=True)
class ArticlePage:
    """What an article page says about itself; ``has_article`` is False when the page holds no
    article (a layout change, or an error page served with status 200)."""

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
    #: the Drupal node id the page declares (``<meta name="node_id">``; the current site's
    #: identity of a document across its languages); None on the WCMS
    node_id: str | None = None
    layout: str | None = None  #: the layout generation whose selectors read the page
    #: field -> how it was found: the layout whose selector gave it, or ``content``
    found_by: dict[str, str] = field(default_factory=dict, compare=False)
    #: the topics the page lists as tags, as written (the current site's ``ul.ilo--tags``)
    tags: tuple[str, ...] = ()

    @property
    def content_fields(self) -> tuple[str, ...]:
        """The fields that only the content layer found (for the warning)."""
        return tuple(name for name in ARTICLE_FIELDS if self.found_by.get(name) == BY_CONTENT)
