"""What a fetched source cites: the links in its article body (found as in HTML seeds,
tracker/seeds/article.py) and the named attributions in its text in the target language (the
translation where there is one, tracker/seeds/attributions.py), placed in the original's text.

A link's anchor is placed in the original by finding the same occurrence of its anchor text; an
attribution read in a translation maps back through the sentence it stands in (sentence i of a
translation is the translation of sentence i of the original), so its original offsets are that
sentence's.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass

from sqlmodel import Session

from tracker.store.tables import Activity, Version
from tracker.store.versions import sentence_rows

__all__ = ["FoundHopCitation", "read_citations", "sentence_spans_in_original"]


@dataclass(frozen=True)
class FoundHopCitation:
    kind: str  # "link" or "attribution"
    text: str
    cue: str
    sentence: int | None  # position in the text version's (and the original's) sentences
    char_start: int | None  # in the original's text
    char_end: int | None
    url: str | None = None
    name: str | None = None
    translated_start: int | None = None
    translated_end: int | None = None
    confidence: float | None = None


def sentence_spans_in_original(session: Session, text: Version) -> list[tuple[int, int, int, int, int]]:
    """(position, start, end in `text`, start, end in the original) of each sentence of `text`."""
    rows = sentence_rows(session, text.id)
    if text.kind == "translated":
        return [(r.position, r.char_start, r.char_end, r.parent_start or 0, r.parent_end or 0) for r in rows]
    return [(r.position, r.char_start, r.char_end, r.char_start, r.char_end) for r in rows]


def read_citations(session: Session, original: Version, text: Version) -> list[FoundHopCitation]:
    """Every link in `original`'s article body and every named attribution in `text` (its text in
    the target language), in the order they stand."""
    spans = sentence_spans_in_original(session, text)
    original_starts = [s[3] for s in spans]
    text_starts = [s[1] for s in spans]

    def position(starts: list[int], offset: int | None) -> int | None:
        if offset is None or not spans:
            return None
        return spans[max(0, bisect.bisect_right(starts, offset) - 1)][0]

    found = [
        FoundHopCitation("link", anchor, "link", position(original_starts, start), start, end, url=href)
        for href, anchor, start, end in _body_links(session, original)
    ]
    linked_sentences = {c.sentence for c in found}
    if text.text:
        from tracker.seeds.attributions import find_attributions

        for attribution in find_attributions(text.text):
            if attribution.source_kind != "named":
                continue  # "he said": who "he" is belongs to the seed side, not a source to follow
            at = position(text_starts, attribution.start)
            row = next((s for s in spans if s[0] == at), None)
            found.append(
                FoundHopCitation(
                    "attribution",
                    text.text[attribution.start : attribution.end],
                    attribution.cue,
                    at,
                    row[3] if row else None,
                    row[4] if row else None,
                    name=attribution.name,
                    translated_start=attribution.start,
                    translated_end=attribution.end,
                    confidence=attribution.confidence,
                    # A name in the sentence of a link ("theo <a>RT</a>") is cited through it.
                    url=next((c.url for c in found if c.kind == "link" and c.sentence == at), None)
                    if at in linked_sentences
                    else None,
                )
            )
    return found


def _body_links(session: Session, original: Version) -> list[tuple[str, str, int | None, int | None]]:
    """(href, anchor text, start, end in original.text) of the links in the article body."""
    from tracker.fetch.charset import decode_stored
    from tracker.seeds.article import find_article
    from tracker.store.bodies import load_body

    body = load_body(session, original.body_sha256) if original.body_sha256 else None
    if not body or not original.text:
        return []
    html = decode_stored(body, _extraction_charset(session, original))  # the text's own reading of it
    if "<" not in html:
        return []  # a plain-text document: its URLs are not links
    article = find_article(html, fetched_url=original.url, all_metadata=False)  # its title, not author or date
    if article is None:
        return []
    links = []
    for link in article.links:
        anchor = article.text[link.start : link.end]
        start = _same_occurrence(article.text, original.text, anchor, link.start)
        links.append((link.href, anchor, start, None if start is None else start + len(anchor)))
    return links


def _extraction_charset(session: Session, original: Version) -> str | None:
    """The charset the extraction decoded `original`'s body in (its extract activity says)."""
    activity = session.get(Activity, original.activity_id) if original.activity_id else None
    return json.loads(activity.parameters).get("charset") if activity is not None else None


def _same_occurrence(source: str, target: str, needle: str, at: int) -> int | None:
    """Where the occurrence of `needle` that stands at `at` in `source` stands in `target`: the
    same occurrence by count, else the first, else None."""
    if not needle.strip():
        return None
    nth = source.count(needle, 0, at)
    start = -1
    for _ in range(nth + 1):
        start = target.find(needle, start + 1)
        if start < 0:
            break
    if start < 0:
        start = target.find(needle)
    return start if start >= 0 else None
