"""The SQLite archive the crawl writes and analysts read."""

from ilo_crawler.archive.store import Archive, ArchiveError

__all__ = ["Archive", "ArchiveError"]
