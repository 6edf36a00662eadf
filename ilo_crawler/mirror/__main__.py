"""Entry point of ``python -m ilo_crawler.mirror``."""

from ilo_crawler.mirror.server import main

raise SystemExit(main())
