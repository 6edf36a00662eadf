"""Item pipeline: the free-text label above a title becomes a canonical category."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from ilo_crawler.items import ArticleItem
from ilo_crawler.normalize.categories import Taxonomy, default_taxonomy, load_taxonomy
from ilo_crawler.normalize.fields import CATEGORY_FIELDS, category_fields, topic_names

logger = logging.getLogger(__name__)


class CategoryNormalizationPipeline:
    """Fills ``category``, ``category_slug``, ``category_kind`` from the raw ``label`` (kept as is),
    and ``topics`` from the raw ``tags`` (else from the label's category, where a topic).

    Labels the taxonomy does not know are still categorised (folded generically, kind ``topic``),
    counted (``categories/labels_not_in_taxonomy``: the distinct ones this run met, whether or not
    an earlier run met them too) and listed at the end of the run so the taxonomy can be
    extended.
    """

    def __init__(self, stats: StatsCollector, taxonomy: Taxonomy) -> None:
        self.stats = stats
        self.taxonomy = taxonomy
        self.not_in_taxonomy: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CategoryNormalizationPipeline:
        path = crawler.settings.get("ILO_TAXONOMY_PATH")
        taxonomy = load_taxonomy(Path(path)) if path else default_taxonomy()
        pipeline = cls(crawler.stats, taxonomy)
        crawler.signals.connect(
            pipeline.report_labels_not_in_taxonomy, signal=signals.spider_closed
        )
        return pipeline

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):  # page captures carry no article fields
            return item
        fields = ItemAdapter(item)
        derived = category_fields(fields.get("label"), self.taxonomy)
        for name in CATEGORY_FIELDS:
            fields[name] = derived[name]
        fields["topics"] = topic_names(fields.get("tags"), derived, self.taxonomy)
        if not derived["known"]:
            name = derived["category"]
            self.not_in_taxonomy[name] = self.not_in_taxonomy.get(name, 0) + 1
            self.stats.set_value("categories/labels_not_in_taxonomy", len(self.not_in_taxonomy))
        return item

    def report_labels_not_in_taxonomy(self) -> None:
        if self.not_in_taxonomy:
            listed = "; ".join(f"{name} ({n})" for name, n in sorted(self.not_in_taxonomy.items()))
            logger.info("labels not in the taxonomy (kept as topics): %s", listed)
