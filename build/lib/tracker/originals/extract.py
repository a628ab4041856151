"""Main text and metadata of a fetched page (trafilatura), plus the page's declared language."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LANG_ATTRIBUTE = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?", re.I)
_CONTENT_LANGUAGE_META = re.compile(
    r"<meta\b[^>]*http-equiv\s*=\s*[\"']?content-language[\"']?[^>]*content\s*=\s*[\"']?([A-Za-z]{2,3})", re.I
)


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None
    author: str | None
    published: str | None
    site_name: str | None
    canonical_url: str | None
    declared_language: str | None


def extract_main_text(html: str, url: str | None = None) -> Extracted | None:
    """The article text of an HTML page, or None when the page has no main text."""
    import trafilatura  # heavy: only where a page is actually extracted

    # htmldate's extensive search (dates guessed from the body text) cost as much as the whole
    # extraction on the shared corpus and changed 1 date in 10; the page's own markup is enough.
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None or not (document.text or "").strip():
        return None
    return Extracted(
        text=document.text.strip(),
        title=document.title,
        author=document.author,
        published=document.date,
        site_name=document.sitename,
        canonical_url=document.url if document.url and document.url != url else None,
        declared_language=declared_language(html) or _short_code(document.language),
    )


def declared_language(html: str) -> str | None:
    """The language the page says it is in (<html lang>, or a Content-Language meta)."""
    head = html[:20_000]
    match = _LANG_ATTRIBUTE.search(head) or _CONTENT_LANGUAGE_META.search(head)
    return match.group(1).lower() if match else None


def _short_code(language: str | None) -> str | None:
    return language.split("-")[0].split("_")[0].lower() if language else None
