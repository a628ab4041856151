"""Rule-based sentence splitting with character offsets.

Used for seeds (to give each citation its sentence) and for fetched pages (translation works
sentence by sentence, and sentence i of a translation maps to sentence i of the original).
Pure regular expressions and rules: no models, nothing to download, deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class TextSpan:
    """One sentence; ``text == source[start:end]`` and carries no surrounding whitespace."""

    text: str
    start: int
    end: int


# A run of terminators (so "?!" and "..." end once), then any closing quotes/brackets, which
# belong to the sentence they close: `he said."` ends after the quote.
_TERMINATOR = re.compile(r"[.!?…؟。！？]+[\"'”’»)\]」』）]*")
# CJK full stops end a sentence even with no space after them: CJK text has no spaces.
_CJK_TERMINATORS = frozenset("。！？")
# \r\n, \r and \n are all line breaks; a single one ends a sentence because seed headings and
# captions carry no full stop and must not be glued to the next paragraph.
_LINE = re.compile(r"[^\r\n]+")

# Compared case-insensitively against the word before the '.', dots inside kept ("u.s").
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms mx dr prof st jr sr vs etc e.g i.e u.s u.k u.n u.s.a a.m p.m gen gov sen rep col lt
    capt cmdr adm sgt maj brig inc ltd co corp dept est approx fig al ave rd mt ft
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)
_WORD_BEFORE_DOT = re.compile(r"[\w.]*\w$")
_LONGEST_WORD = 40
_NEXT_WORD = re.compile(r"\s*(\S*)")


def split_sentences(text: str) -> list[TextSpan]:
    """Split ``text`` into sentences with offsets into ``text``; whitespace-only input → []."""
    sentences: list[TextSpan] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for cut in _cuts(text, line.start(), line.end()):
            _append(sentences, text, start, cut)
            start = cut
        _append(sentences, text, start, line.end())
    return sentences


def _cuts(text: str, line_start: int, line_end: int) -> list[int]:
    """Offsets inside one line where a sentence ends (just after its terminator and closers)."""
    cuts = []
    for m in _TERMINATOR.finditer(text, line_start, line_end):
        end = m.end()
        if _CJK_TERMINATORS.intersection(m.group()):
            cuts.append(end)
            continue
        if end < line_end and not text[end].isspace():
            # "3.5", "x.vn/a.htm", "a?b=1": no space after the mark, so not a sentence end.
            continue
        # Only the next word matters; slicing the rest of the line would make long lines quadratic.
        following = _NEXT_WORD.match(text, end, line_end).group(1)
        if following and following[0].islower():
            # A lowercase continuation means an unlisted abbreviation or a quote inside a
            # sentence ('"Really?" she asked'); scripts without case never get here.
            continue
        if m.group()[0] == "." and _is_abbreviation(text, line_start, m.start(), following):
            continue
        cuts.append(end)
    return cuts


def _is_abbreviation(text: str, line_start: int, dot: int, following: str) -> bool:
    # A short window: abbreviations are short, and searching from the line start is quadratic.
    word = _WORD_BEFORE_DOT.search(text, max(line_start, dot - _LONGEST_WORD), dot)
    if word is None:
        return False
    token = word.group()
    if len(token) == 1 and token.isupper():
        return True  # an initial: "J. Smith"
    lowered = token.lower()
    if lowered == "no":
        return following[:1].isdigit()  # "No. 5", but "He said no." ends
    return lowered in _ABBREVIATIONS


def _append(sentences: list[TextSpan], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    begin = start + (len(chunk) - len(chunk.lstrip()))
    sentences.append(TextSpan(stripped, begin, begin + len(stripped)))


# Break after one of these (only when followed by whitespace, so "1,000" and "10:30" hold).
_SOFT_BREAKS = (";", ":", ",")


def split_long(sentence: TextSpan, max_chars: int = 400) -> list[TextSpan]:
    """Split an over-long sentence into pieces of at most ``max_chars``, offsets preserved.

    Machine translation truncates very long inputs, so each piece should be a phrase: break
    after the last ``;``, ``:`` or ``,`` in the window (in that order of preference, if it is in
    the second half of the window), else at the last whitespace, else hard at the limit.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    pieces: list[TextSpan] = []
    text, base = sentence.text, sentence.start
    pos = 0
    while len(text) - pos > max_chars:
        window = text[pos : pos + max_chars + 1]  # +1: a space just past the limit is a fine cut
        cut = _best_cut(window, max_chars)
        _append(pieces, text, pos, pos + cut)
        pos += cut
        while pos < len(text) and text[pos].isspace():
            pos += 1
    _append(pieces, text, pos, len(text))
    return [TextSpan(p.text, base + p.start, base + p.end) for p in pieces]


def _best_cut(window: str, max_chars: int) -> int:
    """Length of the first piece of ``window`` (never more than ``max_chars``)."""
    for mark in _SOFT_BREAKS:
        i = window.rfind(mark + " ", 0, max_chars + 1)
        if i != -1 and i + 1 >= max_chars // 2:
            return i + 1
    i = max((window.rfind(ws, 1, max_chars + 1) for ws in (" ", "\t", "\n")), default=-1)
    if i > 0:
        return i
    return max_chars
