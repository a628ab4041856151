"""langdetect 1.0.9's `detect_langs`, step for step, in less CPU: the same profiles, the same
normalisation, the same n-grams, the same seeded random draws and the same floating-point
operations in the same order, so the answer is the same to the last bit (tests/test_language.py
checks it against langdetect's own on pages in many scripts).

What costs less: langdetect builds its text one character at a time, and for every character
calls three methods and a binary search of the Unicode blocks; here spaces collapse with one
regular expression, each distinct character is normalised once per process (then the whole text
with one str.translate), the n-grams of each distinct word are listed once per text (langdetect's
n-gram state starts afresh at every space), and the probability updates run inline.
"""

from __future__ import annotations

import random
import re
import threading
from functools import cache

import numpy as np

# langdetect's Detector parameters (langdetect/detector.py).
_ALPHA = 0.5
_ALPHA_WIDTH = 0.05
_ITERATION_LIMIT = 1000
_PROB_THRESHOLD = 0.1
_CONV_THRESHOLD = 0.99999
_BASE_FREQ = 10000
_N_TRIAL = 7
_MAX_TEXT_LENGTH = 10000

_SPACES = re.compile(" {2,}")
_LATIN = re.compile("[A-z]")  # langdetect's 'A' <= ch <= 'z', backtick and brackets included
# langdetect compares the block with a name where it has a number: every character from U+0300 counts.
_NON_LATIN = re.compile("[\u0300-\U0010ffff]")


@cache
def _profiles():
    from langdetect import detector_factory
    from langdetect.detector import Detector
    from langdetect.utils.ngram import NGram

    detector_factory.init_factory()
    factory = detector_factory._factory
    return factory.word_lang_prob_map, list(factory.langlist), Detector.URL_RE, Detector.MAIL_RE, NGram


_normalized: dict[int, str] = {}  # ord(character) -> langdetect's NGram.normalize of it, for str.translate


class _Rows:
    """The probabilities per language of the n-grams met so far, one row each in one array (made
    once per process, never larger than the profiles): a text's matrix is one gather, not an
    array built from a thousand lists. Worker threads share it, hence the lock."""

    def __init__(self) -> None:
        self.position: dict[str, int] = {}
        self.table = np.empty((0, 0))
        self.lock = threading.Lock()

    def matrix(self, ngrams, words) -> np.ndarray:
        with self.lock:
            new = [ngram for ngram in ngrams if ngram not in self.position]
            if new:
                rows = np.array([words[ngram] for ngram in new], dtype=np.float64)
                start, end = len(self.position), len(self.position) + len(new)
                if end > len(self.table):
                    grown = np.empty((max(min(2 * len(self.table), len(words)), end, 4096), rows.shape[1]))
                    if start:
                        grown[:start] = self.table[:start]
                    self.table = grown
                self.table[start:end] = rows
                self.position.update(zip(new, range(start, end)))
            return self.table[[self.position[ngram] for ngram in ngrams]]


_rows = _Rows()


def detect_langs(text: str, seed: int) -> list[tuple[str, float]]:
    """(language, probability) above 0.1, most probable first: langdetect's
    `DetectorFactory.seed = seed; detect_langs(text)`. Raises langdetect's LangDetectException
    when the text has no n-gram its profiles know."""
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException
    from langdetect.language import Language

    words, langlist, url_re, mail_re, ngram = _profiles()
    # Detector.append
    text = ngram.normalize_vi(mail_re.sub(" ", url_re.sub(" ", text)))
    text = _SPACES.sub(" ", text[:_MAX_TEXT_LENGTH])
    # Detector.cleaning_text
    if len(_LATIN.findall(text)) * 2 < _NON_LATIN.subn("", text)[1]:
        text = _LATIN.sub("", text)
    ngrams = _ngrams(text, words, ngram.normalize)
    if not ngrams:
        raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
    # One row of language probabilities per distinct n-gram; each draw names a row.
    index = dict.fromkeys(ngrams)
    for i, word in enumerate(index):
        index[word] = i
    draws = list(map(index.__getitem__, ngrams))
    matrix = _rows.matrix(index, words)
    size = len(langlist)
    langprob = np.zeros(size)
    draw = random.Random(seed)
    choose, gauss = draw.choice, draw.gauss
    for _ in range(_N_TRIAL):
        prob = np.full(size, 1.0 / size)
        weighted = (_ALPHA + gauss(0.0, 1.0) * _ALPHA_WIDTH) / _BASE_FREQ + matrix  # weight + p, as langdetect adds
        i = 0
        while True:
            prob *= weighted[choose(draws)]
            if i % 5 == 0:
                # langdetect's _normalize_prob: Python's sum (numpy's pairs the terms), then each
                # divided by it; the largest quotient is the quotient of the largest.
                terms = prob.tolist()
                total = sum(terms)
                prob /= total
                if max(terms) / total > _CONV_THRESHOLD or i >= _ITERATION_LIMIT:
                    break
            i += 1
        langprob += prob / _N_TRIAL
    found = [Language(lang, p) for lang, p in zip(langlist, langprob.tolist()) if p > _PROB_THRESHOLD]
    found.sort(reverse=True)
    return [(language.lang, language.prob) for language in found]


def _ngrams(text: str, words, normalize) -> list[str]:
    """Detector._extract_ngrams: the text normalised character by character, then the n-grams of
    each word in turn (the n-gram buffer and the capital-word rule start afresh at every space)."""
    table = _normalized
    for char in set(text):
        if ord(char) not in table:
            table[ord(char)] = normalize(char)
    pieces = text.translate(table).split(" ")
    result: list[str] = []
    extend = result.extend
    seen: dict[str, list[str]] = {}
    for piece in pieces[:-1]:  # each followed by a space, whose n-grams close the word
        if piece:
            grams = seen.get(piece)
            if grams is None:
                grams = seen[piece] = _word_ngrams(piece + " ", words)
            extend(grams)
    if pieces[-1]:  # the last word has no space after it
        extend(_word_ngrams(pieces[-1], words))
    return result


def _word_ngrams(chars: str, words) -> list[str]:
    """NGram.add_char over the normalised characters of one word (and the space after it)."""
    result = []
    append = result.append
    grams, capital = " ", False
    for ch in chars:
        last = grams[-1]
        if len(grams) >= 3:
            grams = grams[1:]
        grams += ch
        if ch.isupper():
            if last.isupper():
                capital = True
        else:
            capital = False
        if capital:
            continue
        if ch != " " and ch in words:
            append(ch)
        if len(grams) >= 2:
            w = grams[-2:]
            if w in words:
                append(w)
            if len(grams) >= 3 and grams in words:
                append(grams)
    return result
