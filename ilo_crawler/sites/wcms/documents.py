"""WCMS documents that are not article pages: a PDF, served as one or behind the WCMS's stub page
("If you have not been redirected ...", refreshing and linking to it). They are archived as
what they are (``article_type`` ``PDF document``, the PDF's URL), never taken for a page that
lost its body; the crawl and ``ilo-archive reparse`` both ask here."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

#: The ``article_type`` of a document that is a PDF.
PDF_DOCUMENT = "PDF document"
#: What a PDF document is served as.
PDF_TYPE = "application/pdf"
_REFRESH_RE = re.compile(r"url\s*=\s*['\"]?(?P<url>[^'\">\s]+)", re.I)
#: The WCMS's page for a document that is a PDF (the page links to it and refreshes to it).
STUB_TEXT = b"If you have not been redirected"


def pdf_document(url: str, content_type: bytes | None, body: bytes) -> str | None:
    """The URL of the PDF a capture is or stands for: a PDF itself, or the WCMS's stub page of a
    document that is one (its refresh or its link to it); None for any other page."""
    if (content_type or b"").split(b";")[0].strip().lower() == PDF_TYPE.encode():
        return url
    if STUB_TEXT not in body:
        return None
    page = Selector(body=body, type="html")
    targets = page.css('meta[http-equiv="refresh"]::attr(content)').getall()
    links = [_REFRESH_RE.search(value) for value in targets]
    found = [match["url"] for match in links if match] + page.css("a::attr(href)").getall()
    pdf = next((link for link in found if urlsplit(link).path.lower().endswith(".pdf")), None)
    return urljoin(url, pdf) if pdf else None
