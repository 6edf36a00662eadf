"""``python -m ilo_crawler`` is ``ilo-archive``."""

from ilo_crawler.cli import cli

cli()
