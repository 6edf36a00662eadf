"""``ilo-archive``: the analyst's command line over the archive (tables for people, ``--json`` for
machines, ``--db`` on every command). Each module registers its commands on the one group."""

from ilo_crawler.cli import maintenance, query, warc  # noqa: F401  (registers the commands)
from ilo_crawler.cli.base import cli

__all__ = ["cli"]
