"""Project commands for ``scrapy`` (found through ``COMMANDS_MODULE``)."""
