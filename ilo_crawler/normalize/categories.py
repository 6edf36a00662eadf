"""Item labels (typed by editors) mapped onto canonical categories from ``taxonomy.toml``.

Known labels, in any casing, spacing, quote or dash style (and with a missing accent), give their
taxonomy entry. An unknown label is kept as a new topic with a name and slug derived from its folded
form, so that all its spellings group together and the run summary can report it.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

KINDS = ("content_type", "topic")

_ENTRY_FIELDS = frozenset({"name", "slug", "kind", "variants"})
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Invisible characters pasted from word processors; removed first, before Unicode normalisation,
# so that what they separated is normalised together.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
_TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′ʹʻʼʽ`", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−⁃﹘﹣", "-"),
    }
)
_TRAILING = ":.,; "


@dataclass(frozen=True, slots=True)
class Category:
    """A canonical category; ``known`` is False for a label the taxonomy does not list (yet)."""

    name: str
    slug: str
    kind: str
    known: bool


class TaxonomyError(ValueError):
    """The taxonomy file is malformed; the message names the offending entry."""


def fold_label(raw: str) -> str:
    """The matching key of a label: what editors vary (case, quotes, dashes, spaces, a trailing
    colon or full stop) folded away; accents kept, since they tell French words apart.
    """
    text = unicodedata.normalize("NFKC", raw.translate(_INVISIBLE))
    # casefold() may leave text unnormalised ("İ" → "i̇"): normalise again so folding is idempotent.
    text = unicodedata.normalize("NFKC", text.casefold()).translate(_TYPOGRAPHY)
    return " ".join(text.split()).rstrip(_TRAILING)


def strip_accents(text: str) -> str:
    """``text`` without its diacritics (and in NFKC form): for matching what an editor may type
    without accents (``Communique``, ``aout``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _slugify(key: str) -> str:
    ascii_text = strip_accents(key).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@dataclass(frozen=True)
class Taxonomy:
    """The validated taxonomy and its lookup tables (by slug, by folded key, by folded key without
    accents)."""

    categories: tuple[Category, ...]
    by_slug: Mapping[str, Category]
    by_key: Mapping[str, Category]
    by_bare_key: Mapping[str, Category]

    @classmethod
    def from_toml(cls, text: str, source: str = "<taxonomy>") -> Taxonomy:
        """Parse and validate; any problem raises TaxonomyError naming the entry."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise TaxonomyError(f"{source}: not valid TOML: {exc}") from exc
        if set(data) != {"category"} or not isinstance(data["category"], list):
            raise TaxonomyError(f"{source}: expected only [[category]] entries, got {sorted(data)}")

        categories: list[Category] = []
        by_key: dict[str, Category] = {}
        by_slug: dict[str, Category] = {}
        bare: dict[str, Category | None] = {}  # None: the accentless form fits two categories
        for number, entry in enumerate(data["category"], start=1):
            where = f"{source}: category #{number}"
            category, variants = _check_entry(entry, where)
            where = f'{where} "{category.name}"'
            if category.slug in by_slug:
                raise TaxonomyError(
                    f'{where}: slug "{category.slug}" is already used by '
                    f'"{by_slug[category.slug].name}"'
                )
            by_slug[category.slug] = category
            for label in (category.name, *variants):
                key = fold_label(label)
                if not key:
                    raise TaxonomyError(f"{where}: blank variant {label!r}")
                other = by_key.setdefault(key, category)
                if other is not category:
                    raise TaxonomyError(
                        f'{where}: variant "{label}" already belongs to "{other.name}"'
                    )
                bare_key = strip_accents(key)
                if bare.setdefault(bare_key, category) is not category:
                    bare[bare_key] = None
            categories.append(category)
        return cls(
            categories=tuple(categories),
            by_slug=by_slug,
            by_key=by_key,
            by_bare_key={key: cat for key, cat in bare.items() if cat is not None},
        )

    def normalize(self, raw: str | None) -> Category | None:
        """The category of a label; an unknown label becomes a new topic (``known=False``)."""
        if raw is None:
            return None
        key = fold_label(raw)
        if not key:
            return None
        found = self.by_key.get(key) or self.by_bare_key.get(strip_accents(key))
        return found or self._unknown(key)

    def _unknown(self, key: str) -> Category:
        # Sentence case of the folded key, unless capitalising would change how it folds ("ı").
        name = key[:1].upper() + key[1:]
        if fold_label(name) != key:
            name = key
        # A slug must not be empty (a label in another script) nor pass for a known category's;
        # a digest of the key keeps it stable across runs and machines.
        slug = _slugify(key)
        if not slug or slug in self.by_slug:
            digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            slug = f"{slug}-{digest}" if slug else f"label-{digest}"
        return Category(name=name, slug=slug, kind="topic", known=False)


def _check_entry(entry: object, where: str) -> tuple[Category, list[str]]:
    if not isinstance(entry, dict):
        raise TaxonomyError(f"{where}: not a table")
    if unknown := sorted(set(entry) - _ENTRY_FIELDS):
        raise TaxonomyError(
            f"{where}: unknown field(s) {unknown}; expected {sorted(_ENTRY_FIELDS)}"
        )
    for field in ("name", "slug", "kind"):
        if not isinstance(entry.get(field), str) or not entry[field].strip():
            raise TaxonomyError(f"{where}: missing or blank {field!r}")
    where = f'{where} "{entry["name"]}"'
    if entry["kind"] not in KINDS:
        raise TaxonomyError(f"{where}: kind {entry['kind']!r} is not one of {list(KINDS)}")
    if not _SLUG.fullmatch(entry["slug"]):
        raise TaxonomyError(
            f"{where}: slug {entry['slug']!r} must be lowercase ASCII words joined by '-'"
        )
    variants = entry.get("variants", [])
    if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
        raise TaxonomyError(f"{where}: variants must be a list of strings")
    category = Category(name=entry["name"], slug=entry["slug"], kind=entry["kind"], known=True)
    return category, variants


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The taxonomy at ``path``, or the one shipped with the package."""
    if path is None:
        text = resources.files(__package__).joinpath("taxonomy.toml").read_text(encoding="utf-8")
        return Taxonomy.from_toml(text, source="taxonomy.toml")
    return Taxonomy.from_toml(path.read_text(encoding="utf-8"), source=str(path))


@functools.cache
def default_taxonomy() -> Taxonomy:
    """The packaged taxonomy, loaded and validated once per process."""
    return load_taxonomy()


def normalize_label(raw: str | None) -> Category | None:
    """The canonical category of an item's label; None when there is no label."""
    return default_taxonomy().normalize(raw)
