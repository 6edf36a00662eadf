"""A replica of the ILO Newsroom served on 127.0.0.1, so that every crawl can run offline.

``python -m ilo_crawler.mirror`` serves it; ``Site.respond`` renders its pages without a socket.
"""

from ilo_crawler.mirror.dataset import (
    DatasetError,
    Record,
    default_dataset,
    load_dataset,
    parse_dataset,
)
from ilo_crawler.mirror.site import Site

__all__ = ["DatasetError", "Record", "Site", "default_dataset", "load_dataset", "parse_dataset"]
