"""The WCMS newsroom (``WCMS_<n>`` documents, ``nextRow--N`` listings), 2010 to April 2024:
``layouts`` (the selectors of each layout generation), ``listing`` and ``article`` (page objects:
known selectors first, content where they stop)."""
