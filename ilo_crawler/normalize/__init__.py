"""Pure normalisers for what editors type: listing dates and month headings, item labels.

No I/O beyond reading the packaged taxonomy once; safe to call from any pipeline or test.
"""

from ilo_crawler.normalize.categories import (
    Category,
    Taxonomy,
    TaxonomyError,
    default_taxonomy,
    fold_label,
    load_taxonomy,
    normalize_label,
)
from ilo_crawler.normalize.dates import (
    date_problem,
    dateparser_calls,
    parse_date_text,
    parse_month_heading,
)

__all__ = [
    "Category",
    "Taxonomy",
    "TaxonomyError",
    "date_problem",
    "dateparser_calls",
    "default_taxonomy",
    "fold_label",
    "load_taxonomy",
    "normalize_label",
    "parse_date_text",
    "parse_month_heading",
]
