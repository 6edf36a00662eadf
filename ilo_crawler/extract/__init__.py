"""What every site's page objects share: text as a reader sees it, and items and fields found by
what they are (a link to a document, a date in the page's language, a ``©`` credit) where a
site's known selectors find nothing."""
