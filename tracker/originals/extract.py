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

# libxml2's HTML parser nests no deeper than this (elements deeper are dropped).
_PARSER_MAX_DEPTH = 250
_CONTAINERS = ("div", "span", "section", "article", "main", "font", "center", "table", "tbody", "tr", "td")
_CONTAINER_TAG = re.compile(r"</?(?:" + "|".join(_CONTAINERS) + r")\b[^<>]*>", re.IGNORECASE)  # [^<>]: linear

EXTRACTION_METHODS = ("default", "thorough", "favor_recall", "baseline")
# Fast mode's text below this share of the page's paragraph text runs the thorough pass. On the
# dev pages (bench/extract_eval.py) thorough beats fast on 6 of 385 and fast beats thorough on 8;
# no page has a share between 0.200 and 0.222, and the two at 0.200 (Readability's dev418 and
# svg-parsing, F1 0.30 and 0.33 in fast mode) are read in full by the thorough pass, where the
# one at 0.222 (a Portuguese news page) would lose four fifths of its article.
THIN_SHARE = 0.21
# Fast mode's text of at least MENU_MIN_CHARS with more than MENU_SHARE of it in lines shorter
# than SHORT_LINE characters looks like a menu: on a Brazilian city's news page fast mode took
# 8,700 characters of navigation (F1 0.13) where the thorough pass found the article (0.90). On
# the dev pages this runs the thorough pass on 3 more of 385 and changes only that page.
MENU_MIN_CHARS, MENU_SHARE, SHORT_LINE = 200, 0.5, 40


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

    With `fallbacks` (the default), a thin result of the fast pass is compared with trafilatura's
    thorough pass, and a page on which they find nothing is tried again with favor_recall, then
    with trafilatura's baseline extractor."""
    import trafilatura  # heavy: only where a page is actually extracted

    from tracker.html_tree import parse_html

    tree = parse_html(html)  # parsed once: every pass below works on its own copy
    if tree is None:
        return None
    # Fast mode skips trafilatura's comparison with readability and jusText: a third of its CPU,
    # for the same quality on news pages (bench/extract_eval.py: mean F1 0.9464 against 0.9479
    # on 311 pages of two public benchmarks; as many pages got better as worse).
    options = {"url": url, "include_comments": False}
    document = trafilatura.bare_extraction(tree, fast=True, **options)
    method = "default"
    if fallbacks and not _empty(document):
        short_share = _short_line_share(document.text)
        menu = len(document.text) >= MENU_MIN_CHARS and short_share > MENU_SHARE
        if menu or _thin(document.text, tree):
            # Fast mode kept a seventh or less of the page's paragraph text (it may have taken a
            # box beside the article), or mostly short lines (a menu): the thorough pass compares
            # with readability and jusText. Its text replaces fast mode's when it is longer (thin)
            # or less like a menu.
            thorough = trafilatura.bare_extraction(tree, **options)
            if not _empty(thorough) and (
                _short_line_share(thorough.text) < short_share if menu else len(thorough.text) > len(document.text)
            ):
                document, method = thorough, "thorough"
    if _empty(document) and fallbacks:  # rare: here the full comparison is worth its cost
        recall = trafilatura.bare_extraction(tree, favor_recall=True, **options)
        if not _empty(recall):
            document, method = recall, "favor_recall"
    if _empty(document) and fallbacks:
        document, method = _baseline_document(tree), "baseline"
    if _empty(document) and fallbacks and _too_deep(tree):
        # libxml2 stops nesting at 255 elements and drops what lies deeper: 50,000 nested <div>s
        # around an article lost the article. Without its layout containers the page is flat.
        flat = parse_html(_CONTAINER_TAG.sub("\n", html))
        if flat is not None:
            tree = flat
            document, method = trafilatura.bare_extraction(tree, favor_recall=True, **options), "favor_recall"
            if _empty(document):
                document, method = _baseline_document(tree), "baseline"
    if _empty(document):
        return None
    return _extracted(html, url, page_metadata(tree, url), document.text.strip(), method)


def page_metadata(tree, url: str | None):
    """Title, author, date, site name and canonical URL of a parsed page: trafilatura's
    `extract_metadata` step by step, less what tracker never stores (categories, tags, licence:
    a quarter of its cost). tests/test_extract.py checks the fields against trafilatura's own.
    Changes `tree` (the author search prunes it in place, as the tree's last use)."""
    from htmldate import find_date
    from trafilatura import metadata as m

    from tracker.originals.bylines import AUTHOR_DISCARD, author_rules

    found = metadata_to_title(tree)
    found.url = found.url or m.extract_url(tree, url)
    # htmldate's extensive search (dates guessed from the body text) cost as much as the whole
    # extraction on the shared corpus and changed 1 date in 10; the page's own markup is enough.
    found.date = find_date(tree, url=found.url, extensive_search=False, original_date=True)
    if not found.sitename:
        found.sitename = m.extract_sitename(tree)
    if found.sitename:
        found.sitename = found.sitename.lstrip("@")
        if found.sitename and "." not in found.sitename and not found.sitename[0].isupper():
            found.sitename = found.sitename.title()
    elif found.url and (match := m.META_URL.match(found.url)):
        found.sitename = match[1]
    if not found.author:  # last: it prunes the tree
        # trafilatura's search, its expressions as Python tests (tracker/originals/bylines.py)
        pruned = m.prune_unwanted_nodes(tree, AUTHOR_DISCARD)
        author = m.extract_metainfo(pruned, author_rules(pruned), 120)
        found.author = m.normalize_authors(None, author) if author else None
    found.clean_and_trim()
    return found


def metadata_to_title(tree):
    """trafilatura's `extract_metadata` up to the title: the meta tags, then JSON-LD, then the
    page's title elements (untrimmed; the fields found on the way are kept)."""
    from trafilatura import metadata as m

    found = m.examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None
    try:
        found = m.extract_meta_json(tree, found)
    except Exception:  # trafilatura's JSON-LD reader has bugs of its own; the meta tags remain
        pass
    found.title = found.title or m.extract_title(tree)
    return found


def _too_deep(tree) -> bool:
    """Whether the parser reached its nesting limit somewhere in `tree`."""
    return any(sum(1 for _ in element.iterancestors()) >= _PARSER_MAX_DEPTH for element in tree.iter(_CONTAINERS))


def _thin(text: str, tree) -> bool:
    paragraphs = sum(len(piece.strip()) for piece in tree.xpath("//p//text()", smart_strings=False))
    return len(text.strip()) < THIN_SHARE * paragraphs


def _short_line_share(text: str) -> float:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    total = sum(map(len, lines))
    return sum(len(line) for line in lines if len(line) < SHORT_LINE) / total if total else 0.0


def _empty(document) -> bool:
    return document is None or not (document.text or "").strip()


def _baseline_document(tree):
    """trafilatura's baseline extractor on `tree`, as a document, or None when it finds
    too little to be an article."""
    import trafilatura
    from trafilatura.settings import Document

    _, text, _ = trafilatura.baseline(tree)  # works on a copy
    text = (text or "").strip()
    if len(text) < _BASELINE_MIN_CHARS:
        return None
    document = Document()
    document.text = text
    return document


def _extracted(html: str, url: str | None, metadata, text: str, method: str) -> Extracted:
    return Extracted(
        text=text,
        title=metadata.title,
        author=metadata.author,
        published=metadata.date,
        site_name=metadata.sitename,
        canonical_url=metadata.url if metadata.url and metadata.url != url else None,
        declared_language=declared_language(html),
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
