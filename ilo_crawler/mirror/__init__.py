"""A replica of the ILO's website served on 127.0.0.1, so that every crawl can run offline: the
WCMS newsroom (until April 2024) and the current Drupal site, on one host, and a web archive.

``python -m ilo_crawler.mirror`` serves it; ``Site.respond`` renders its pages without a socket.
"""

from ilo_crawler.mirror.dataset import (
    Dataset,
    DatasetError,
    Node,
    Record,
    default_dataset,
    default_nodes,
    default_site_dataset,
    load_dataset,
    load_site_dataset,
    parse_dataset,
    parse_site_dataset,
)
from ilo_crawler.mirror.site import Site

__all__ = [
    "Dataset",
    "DatasetError",
    "Node",
    "Record",
    "Site",
    "default_dataset",
    "default_nodes",
    "default_site_dataset",
    "load_dataset",
    "load_site_dataset",
    "parse_dataset",
    "parse_site_dataset",
]
