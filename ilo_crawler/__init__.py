"""ilo-crawler: an archival crawler for the ILO Newsroom."""
