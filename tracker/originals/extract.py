"""Main text and metadata of a fetched page (trafilatura), plus the page's declared language.

trafilatura's default pass favours precision and sometimes finds nothing on a page whose article is
plainly in the HTML (some Korean news pages). Rather than store no version, extraction falls back
to trafilatura's recall-oriented settings, then to its baseline extractor; `Extracted.method` says
which of the three produced the text, and the extract activity records it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.originals.language import language_tag_code

_LANG_ATTRIBUTE = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([^\"'\s>]*)", re.I)
_CONTENT_LANGUAGE_META = re.compile(
    r"<meta\b[^>]*http-equiv\s*=\s*[\"']?content-language[\"']?[^>]*content\s*=\s*[\"']?([^\"'\s>]*)", re.I
)
# The baseline extractor keeps any text it finds; less than this is a menu or a cookie notice.
_BASELINE_MIN_CHARS = 200

EXTRACTION_METHODS = ("default", "favor_recall", "baseline")


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None
    author: str | None
    published: str | None
    site_name: str | None
    canonical_url: str | None
    declared_language: str | None
    method: str = "default"  # which extraction path found the text: one of EXTRACTION_METHODS


def extract_main_text(html: str, url: str | None = None, *, fallbacks: bool = True) -> Extracted | None:
    """The article text of an HTML page, or None when the page has no main text.

    With `fallbacks` (the default), a page on which the default pass finds nothing is tried again
    with favor_recall, then with trafilatura's baseline extractor."""
    import trafilatura  # heavy: only where a page is actually extracted

    # htmldate's extensive search (dates guessed from the body text) cost as much as the whole
    # extraction on the shared corpus and changed 1 date in 10; the page's own markup is enough.
    options = {
        "url": url,
        "with_metadata": True,
        "include_comments": False,
        "date_extraction_params": {"extensive_search": False, "original_date": True},
    }
    document = trafilatura.bare_extraction(html, **options)
    method = "default"
    if _empty(document) and fallbacks:
        recall = trafilatura.bare_extraction(html, favor_recall=True, **options)
        if not _empty(recall):
            document, method = recall, "favor_recall"
    if _empty(document) and fallbacks:
        text = _baseline_text(html)
        if text is None:
            return None
        metadata = document  # bare_extraction's metadata even when it found no text
        if metadata is None:
            from trafilatura.metadata import extract_metadata

            metadata = extract_metadata(html, default_url=url, extensive=False)
        return _extracted(html, url, metadata, text, "baseline")
    if _empty(document):
        return None
    return _extracted(html, url, document, document.text.strip(), method)


def _empty(document) -> bool:
    return document is None or not (document.text or "").strip()


def _baseline_text(html: str) -> str | None:
    import trafilatura

    _, text, _ = trafilatura.baseline(html)
    text = (text or "").strip()
    return text if len(text) >= _BASELINE_MIN_CHARS else None


def _extracted(html: str, url: str | None, document, text: str, method: str) -> Extracted:
    return Extracted(
        text=text,
        title=document.title,
        author=document.author,
        published=document.date,
        site_name=document.sitename,
        canonical_url=document.url if document.url and document.url != url else None,
        declared_language=declared_language(html) or language_tag_code(document.language),
        method=method,
    )


def declared_language(html: str) -> str | None:
    """The language the page says it is in (<html lang>, or a Content-Language meta), when that is
    a valid language code: `utf-8`, `x-default` or an empty attribute declare nothing."""
    head = html[:20_000]
    for pattern in (_LANG_ATTRIBUTE, _CONTENT_LANGUAGE_META):
        match = pattern.search(head)
        code = language_tag_code(match.group(1)) if match else None
        if code is not None:
            return code
    return None
