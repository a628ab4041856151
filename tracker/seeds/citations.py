"""What a seed cites: URLs (with how they were cited) and attributions without a URL.

URLs are found as bare URLs, on ``Source:`` / ``Nguồn:`` / ``Theo …`` lines, as Markdown links, and
as links passed in from HTML seeds. Attributions ("Trump said", "according to AFP", "he added")
are found by ``tracker.seeds.attributions``; both come out here as one sorted list of citations.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import NamedTuple

from tracker.seeds.attributions import find_attributions
from tracker.seeds.html_text import SeedLink
from tracker.sentences import TextSpan, split_sentences
from tracker.urls import UnencodableHost, clean_cited_url, normalize_url

__all__ = ["ATTRIBUTION_FIELDS", "FoundCitation", "find_citations", "find_publisher"]


@dataclass(frozen=True)
class FoundCitation:
    kind: str  # "url" or "attribution"
    text: str  # the span as it stands in the seed: the URL as cited, or the attributed name
    char_start: int  # text == seed[char_start:char_end]
    char_end: int
    sentence: str  # the sentence it stands in
    sentence_start: int
    sentence_end: int
    cue: str  # "Source:", "Nguồn:", "Theo", "link", "bare"; or "according to", "reported", "said", …
    name: str | None = None  # attributions: resolved name ("the Kremlin", "Donald Trump"), if any
    role: str | None = None  # attributions: "Defense Minister", "a spokesman for the Kremlin"
    url: str | None = None  # urls: cleaned URL as cited
    normalized_url: str | None = None
    refused: str | None = None  # urls that can never be fetched (a host IDNA cannot encode): why
    # Attributions only (see tracker.seeds.attributions.Attribution):
    source_kind: str | None = None  # named, description or pronoun
    resolved_by: str | None = None  # "as written", "fuller mention", "antecedent", …
    resolved_start: int | None = None  # where the name it resolved to stands, if elsewhere
    resolved_end: int | None = None
    organization: str | None = None
    cue_kind: str | None = None  # speech verb, according to, passive report, colon
    cue_start: int | None = None
    cue_end: int | None = None
    content_start: int | None = None  # the quote or clause attributed
    content_end: int | None = None
    confidence: float | None = None


# The FoundCitation fields that only attributions fill, stored in columns of the same names.
ATTRIBUTION_FIELDS = (
    "source_kind",
    "resolved_by",
    "resolved_start",
    "resolved_end",
    "organization",
    "cue_kind",
    "cue_start",
    "cue_end",
    "content_start",
    "content_end",
    "confidence",
)


class _Found(NamedTuple):
    kind: str
    start: int
    end: int
    cue: str
    url: str | None = None
    normalized_url: str | None = None
    attribution: dict | None = None  # the Attribution's own fields, for attributions
    refused: str | None = None


def find_citations(text: str, links: Sequence[SeedLink] = ()) -> list[FoundCitation]:
    """Every URL and attribution cited in ``text``, sorted by offset, one per span."""
    found = _link_urls(text, links)
    markdown, markdown_spans = _markdown_urls(text)
    found += markdown
    found += _bare_urls(text, markdown_spans)
    linked = [(f.start, f.end) for f in found]
    found += [
        _Found(
            "attribution",
            a.start,
            a.end,
            a.cue,
            attribution={k: v for k, v in asdict(a).items() if k not in ("start", "end", "cue")},
        )
        for a in find_attributions(text)
        # A linked name ("reported by [Reuters](…)") is cited by its URL, which says more.
        if not any(s < a.end and a.start < e for s, e in linked)
    ]

    sentences = split_sentences(text)
    starts = [s.start for s in sentences]
    seen: set[tuple[str, int, int]] = set()
    citations = []
    # Earlier finders win a tie: an HTML link or Markdown link says more than the bare URL.
    for f in found:
        key = (f.kind, f.start, f.end)
        if key in seen:
            continue
        seen.add(key)
        sentence = _sentence_at(sentences, starts, f.start, text)
        citations.append(
            FoundCitation(
                kind=f.kind,
                text=text[f.start : f.end],
                char_start=f.start,
                char_end=f.end,
                sentence=sentence.text,
                sentence_start=sentence.start,
                sentence_end=sentence.end,
                cue=f.cue,
                url=f.url,
                normalized_url=f.normalized_url,
                refused=f.refused,
                **(f.attribution or {}),
            )
        )
    citations.sort(key=lambda c: (c.char_start, c.char_end, c.kind))
    return citations


def _sentence_at(sentences: list[TextSpan], starts: list[int], offset: int, text: str) -> TextSpan:
    i = bisect.bisect_right(starts, offset) - 1
    if i >= 0 and offset < sentences[i].end:
        return sentences[i]
    # Only reachable for an empty anchor between sentences; give it a sentence of its own.
    return TextSpan("", offset, offset)


# ---------------------------------------------------------------- URLs

# Stops at whitespace, quotes, angle brackets and CJK punctuation: in CJK prose a URL is often
# followed by text with no space. Trailing prose punctuation is removed by clean_cited_url.
_URL = re.compile(r"https?://[^\s<>\"“”‘«»`{}|\\^\u3000-\u303f\uff00-\uffef]+", re.IGNORECASE)
# [anchor](url "title"); one level of parentheses inside the URL, as in Wikipedia addresses.
_MARKDOWN_LINK = re.compile(
    r"\[[^\]\n]*\]\(\s*<?(?P<url>https?://(?:[^\s()<>]|\([^\s()<>]*\))+)>?(?:\s+\"[^\"\n]*\")?\s*\)",
    re.IGNORECASE,
)
# A line that introduces its source; Markdown emphasis and list markers around the label allowed.
_LINE_CUE = re.compile(r"[\s>*_#-]*(?:(sources?|nguồn)[*_]*\s*:|(theo)\b)", re.IGNORECASE)


def _url_found(text: str, start: int, end: int, url: str, default_cue: str) -> _Found | None:
    try:
        normalized = normalize_url(url)
    except UnencodableHost as error:
        # Looks like a source but no request can ever be made for it: said once, at ingestion,
        # instead of becoming a source that every run trips over.
        return _Found("url", start, end, _line_cue(text, start) or default_cue, url=url, refused=error.reason)
    except ValueError:
        return None  # relative, mailto:, host-less: not a source we can fetch
    return _Found("url", start, end, _line_cue(text, start) or default_cue, url=url, normalized_url=normalized)


def _line_cue(text: str, offset: int) -> str | None:
    line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    # NFC: Vietnamese text often arrives decomposed, and "Nguồn" must match either way.
    m = _LINE_CUE.match(unicodedata.normalize("NFC", text[line_start:offset]))
    if m is None:
        return None
    if m.group(2):
        return "Theo"
    return "Nguồn:" if m.group(1).lower() == "nguồn" else "Source:"


def _link_urls(text: str, links: Sequence[SeedLink]) -> list[_Found]:
    found = []
    for link in links:
        f = _url_found(text, link.start, link.end, link.href.strip(), "link")
        if f is not None:
            found.append(f)
    return found


def _markdown_urls(text: str) -> tuple[list[_Found], list[tuple[int, int]]]:
    """Markdown links, and the spans of whole links so their parts are not cited again."""
    found, spans = [], []
    for m in _MARKDOWN_LINK.finditer(text):
        spans.append(m.span())
        f = _url_found(text, m.start("url"), m.end("url"), m.group("url"), "link")
        if f is not None:
            found.append(f)
    return found, spans


def _bare_urls(text: str, skip: list[tuple[int, int]]) -> list[_Found]:
    found = []
    for m in _URL.finditer(text):
        url = clean_cited_url(m.group())
        start, end = m.start(), m.start() + len(url)
        # The anchor of [https://a](https://a) is not a second citation.
        if any(s <= start and end <= e for s, e in skip):
            continue
        f = _url_found(text, start, end, url, "bare")
        if f is not None:
            found.append(f)
    return found


# ---------------------------------------------------------------- publisher

# "WASHINGTON (Reuters) -", "MOSCOW, Feb 13 (AP) —", "(Dân trí) -" at the very start.
_DATELINE_PAREN = re.compile(r"\s*(?:[A-Z][A-Z .'’-]*(?:,[^()\n]{0,30})?\s*)?\(([^()\n]{2,40})\)\s*[-–—]")
_DATELINE_LENGTH = 200
# "ALBAWABA - This was …": an all-caps word or words, then a dash.
_DATELINE_CAPS = re.compile(r"\s*([A-Z][A-Z0-9&.'’ ]{0,38}[A-Z0-9])\s+[-–—]\s")


def find_publisher(text: str) -> str | None:
    """The publisher named in a dateline at the very start of ``text``, if there is one."""
    # A dateline is short: matching on the first characters only keeps the overlapping spaces
    # of the patterns from backtracking over a whole seed that starts "A" and many spaces.
    head = text.lstrip()[:_DATELINE_LENGTH]
    m = _DATELINE_PAREN.match(head) or _DATELINE_CAPS.match(head)
    return m.group(1).strip() if m else None
