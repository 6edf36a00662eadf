"""Item pipeline: the free-text label above a title becomes a canonical category."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from ilo_crawler.normalize.categories import normalize_label

logger = logging.getLogger(__name__)


class CategoryNormalizationPipeline:
    """Fills ``category``, ``category_slug``, ``category_kind`` from the raw ``label`` (kept as is).

    Labels the taxonomy does not know are still categorised (folded generically, kind ``topic``)
    and reported at the end of the run so the taxonomy can be extended.
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.new_labels: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CategoryNormalizationPipeline:
        pipeline = cls(crawler.stats)
        crawler.signals.connect(pipeline.report_new_labels, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any) -> Any:
        fields = ItemAdapter(item)
        category = normalize_label(fields.get("label"))
        if category is None:
            return item
        fields["category"] = category.name
        fields["category_slug"] = category.slug
        fields["category_kind"] = category.kind
        fields["category_known"] = category.known
        if not category.known:
            self.new_labels[category.name] = self.new_labels.get(category.name, 0) + 1
        return item

    def report_new_labels(self) -> None:
        self.stats.set_value("categories/new_labels", len(self.new_labels))
        if self.new_labels:
            listed = "; ".join(
                f"{name} ({count})" for name, count in sorted(self.new_labels.items())
            )
            logger.info("labels not in the taxonomy (kept as topics): %s", listed)
