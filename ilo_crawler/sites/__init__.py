"""Each site's knowledge in one place: its URL scheme, its known layouts' selectors and its page
objects (``wcms``: the ILO's document CMS, the newsroom until April 2024)."""
