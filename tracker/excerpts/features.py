"""Sentence features for alignment: words, stems, bigrams and character n-grams, weighed by their
rarity in one seed/source space (space.py), and the comparison that finds a verbatim copy. Pure
functions, no model (see align.py for how they are used)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

from tracker.sentences import TextSpan

WEIGHTS = {"word": 0.55, "bigram": 0.15, "char": 0.30}
NUMBER_WEIGHT = 2.0
NAME_WEIGHT = 1.5
CHAR_N = 4

# Anchored at the start of a word: unanchored, `\w+` is tried again from every letter of a long
# word and fails each time at its end, quadratic in the word's length.
_URL = re.compile(r"(?<!\w)(?:\w+://\S+|www\.\S+)", re.IGNORECASE)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:['’]\w+)*", re.UNICODE)
_STOPWORDS = frozenset(
    """
a an the and or but nor of to in on at by for with from as is are was were be been being it its
this that these those he she they we you i his her their our your him them us me my not no so if
than then there here has have had do does did will would can could should may might must also
which who whom whose what when where while about into over after before between during through
under up down out said says say told tells tell according reported reports source sources very
just more most other such only own same too s t one its itself themselves himself herself nguồn
""".split()
)


def stem(word: str) -> str:
    # Light English suffix folding; character n-grams catch what it misses.
    if not word or word[-1] not in _SUFFIX_ENDS or word.isdigit():
        return word  # most words: no suffix can end them
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("ly", ""), ("ment", ""), ("s", "")):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + replacement
    return word


_SUFFIX_ENDS = frozenset("sgdyt")  # the last letters of stem's suffixes
_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟″«»"})
# Whitespace is collapsed first: `\s*` on both sides of the dash took quadratic time on a long
# run of spaces with no dash in it.
_DASHES = re.compile(r" ?[\u2010-\u2015\u2212-]+ ?")


def normalize_verbatim(text: str) -> str:
    """Text as compared for a verbatim copy: Unicode NFKC, one kind of single and double quote,
    one dash (with the spaces around it dropped: "a - b", "a—b"), whitespace runs as one space."""
    text = " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split())
    return _DASHES.sub("-", text)


def verbatim_sources(seed_sentences: Sequence[TextSpan], source_sentences: Sequence[TextSpan]) -> dict[int, tuple]:
    """{seed index: source sentences it copies}: the seed sentences that appear word for word
    in the source text (its sentences joined by a space), at word boundaries, their final
    full stop included (a clause cut short of its condition is not a copy)."""
    folded = joined = None
    parts, starts, position = [], [], 0
    found: dict[int, tuple] = {}
    for i, span in enumerate(seed_sentences):
        needle = normalize_verbatim(span.text)
        if not needle or not tokens(needle):
            continue
        # A cheap test first, as most seed sentences are no copy: normalize_verbatim changes no
        # letter or digit after NFKC and never joins two runs of them, so each run of the needle
        # (after its first letter, matched in either case) stands in some source sentence's NFKC.
        if folded is None:
            folded = " ".join(unicodedata.normalize("NFKC", source.text) for source in source_sentences)
        if not all(run in folded for run in _WORD_RUN.findall(needle, 1)):
            continue
        if joined is None:
            for source in source_sentences:
                normal = normalize_verbatim(source.text)
                starts.append(position)
                parts.append(normal)
                position += len(normal) + 1
            joined = " ".join(parts)
        # the first letter in either case: a seed may open its sentence with a source's clause
        first = f"(?i:{re.escape(needle[0])})"
        match = re.search(r"(?<!\w)" + first + re.escape(needle[1:]) + r"(?!\w)", joined)
        if match is None:
            continue
        found[i] = tuple(
            j for j, start in enumerate(starts) if start < match.end() and start + len(parts[j]) > match.start()
        )
    return found


_WORD_RUN = re.compile(r"\w+")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("’", "'")


class _Token(NamedTuple):  # a tuple, not a dataclass: made for every word of every page
    stem: str
    weight: float  # before IDF: numbers and names count more


def tokens(text: str) -> list[_Token]:
    """Content tokens of a sentence (URLs, stopwords and punctuation dropped)."""
    text = _fold(text)
    if "://" in text or "www." in text.lower():  # the regular expression is slow, URLs are rare
        text = _URL.sub(" ", text)
    words = _TOKEN.findall(text)
    if not words:
        return []
    # map and filter run in C: this is done for every word of every page (a _Token is never falsy)
    return list(filter(None, chain((_word_token(words[0], False),), map(_inner_token, words[1:]))))


# Texts tokenised together are joined by this: no token, URL or NFKC composition crosses it.
_BREAK = "\n\x00\n"
_TOKEN_OR_BREAK = re.compile("\x00|" + _TOKEN.pattern, re.UNICODE)


def tokens_of(texts: Sequence[str]) -> list[list[_Token]]:
    """tokens() of each text, found in one pass over all of them: on a page's short sentences
    the steps of each call cost more than its words."""
    joined = _BREAK.join(texts)
    if not texts or joined.count("\x00") != len(texts) - 1:
        return [tokens(text) for text in texts]  # a text of its own has the separator
    joined = _fold(joined)
    if "://" in joined or "www." in joined.lower():
        joined = _URL.sub(" ", joined)
    words = _TOKEN_OR_BREAK.findall(joined)
    inner = list(map(_inner_token, words))
    found, start = [], 0
    for _ in range(len(texts)):
        end = words.index("\x00", start) if len(found) < len(texts) - 1 else len(words)
        if start < end:
            first = _word_token(words[start], False)
            found.append(list(filter(None, chain((first,), inner[start + 1 : end]))))
        else:
            found.append([])
        start = end + 1
    return found


@lru_cache(maxsize=1 << 16)  # a page repeats its words: each is folded once (its own key: one argument)
def _inner_token(word: str) -> _Token | None:
    return _word_token(word, True)


def _word_token(word: str, inside: bool) -> _Token | None:
    if word[0].isdigit():
        return _Token(re.sub(r"[.,]", "", word), NUMBER_WEIGHT)
    lowered = word.casefold()
    if lowered in _STOPWORDS or len(lowered) < 2:
        return None
    # A capitalised word not at the start of the sentence is most likely a name.
    is_name = inside and word[0].isupper()
    return _Token(stem(lowered.replace("'", "")), NAME_WEIGHT if is_name else 1.0)
