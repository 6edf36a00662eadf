"""Every CSS/XPath selector the crawler applies to the site's HTML, in one place.

The real WCMS markup is not known here (only text renderings of it survive), so these match the
replica's markup; meeting the real site is a change to this file alone.
"""

# Listing pages ---------------------------------------------------------------------------------
#: The page's title, e.g. "All ILO Newsroom content".
LISTING_TITLE = "h1.page-title"
#: The block that holds the month headings and the item lists. Other numbered lists (media
#: contact, language links, breadcrumbs) live outside it, so the item list is found, not assumed.
LISTING_BLOCK = "div.listing"
#: Children of the listing block, in document order: month headings and the lists under them.
LISTING_PARTS = "./h2 | ./ol"
MONTH_HEADING_TAG = "h2"
#: Items inside one list (XPath relative to the list).
LISTING_ITEM = "./li"
ITEM_CREDIT = ".credit"
ITEM_LABEL = ".item-label"
ITEM_TITLE = ".item-title"
ITEM_LINK = ".item-title a::attr(href)"
ITEM_DATE = ".item-date"
ITEM_SUMMARY = ".item-summary"
#: Every link of the pager; offsets are read from their URLs (``nextRow--N``).
PAGER_LINKS = "div.pager a::attr(href)"

# Article pages ---------------------------------------------------------------------------------
ARTICLE = "div.article"
ARTICLE_TITLE = ".article-title"
ARTICLE_TEASER = ".article-teaser"
ARTICLE_TYPE = ".article-meta .article-type"
ARTICLE_DATE = ".article-meta .article-date"
ARTICLE_CREDIT = ".article-image .credit"
ARTICLE_BODY_PARAGRAPHS = ".article-body p"
ARTICLE_TRANSLATION_LINKS = ".article-translations a"
