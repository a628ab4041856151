"""QuotedPassage checks: does a passage a seed puts in quotation marks stand in the source it cites?

The source text is the one in the seed's language (its translation, or the original when it
needs none), so a quote of a translated source can only be `approximate` when the seed's
translator chose other words than the machine did: the differing words are kept to show it.

- `exact`: the quoted words appear in the source in that order (case, punctuation and
  apostrophe styles ignored);
- `approximate`: a passage of the source of about the same length matches at least
  `APPROXIMATE` of the words (difflib ratio over word sequences); the differences are listed;
- `not_found`: nothing close enough.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

APPROXIMATE = 0.6
MIN_WORDS = 2  # a single quoted word is a scare quote or a term, not a quotation

# Curly, straight and guillemet quotes; never across a line break.
_QUOTED = re.compile(r"“([^”\n]+?)”|\"([^\"\n]+?)\"|«\s*([^»\n]+?)\s*»")
_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)


@dataclass(frozen=True)
class QuotedPassage:
    text: str  # the words inside the quotation marks; text == seed[start:end]
    start: int
    end: int


@dataclass(frozen=True)
class QuoteCheck:
    quote: QuotedPassage
    status: str  # exact, approximate or not_found
    score: float
    source_start: int | None = None  # the matching passage in the source text
    source_end: int | None = None
    source_text: str | None = None
    differences: list[dict] = field(default_factory=list)  # {"seed": words, "source": words}


def find_quotes(text: str) -> list[QuotedPassage]:
    quotes = []
    for match in _QUOTED.finditer(text):
        group = next(g for g in range(1, 4) if match.group(g) is not None)
        start, end = match.span(group)
        inner = text[start:end]
        # A comma or full stop before the closing mark belongs to the seed's sentence.
        stripped = inner.strip().rstrip(",.;:").rstrip()
        start += len(inner) - len(inner.lstrip())
        if len(_WORD.findall(stripped)) >= MIN_WORDS:
            quotes.append(QuotedPassage(stripped, start, start + len(stripped)))
    return quotes


def _words(text: str) -> list[tuple[str, int, int]]:
    return [
        (unicodedata.normalize("NFKC", m.group()).casefold().replace("’", "'"), m.start(), m.end())
        for m in _WORD.finditer(text)
    ]


def check_quote(quote: QuotedPassage, source: str) -> QuoteCheck:
    wanted = [w for w, _, _ in _words(quote.text)]
    found = _words(source)
    words = [w for w, _, _ in found]
    n = len(wanted)
    for k in range(len(words) - n + 1):
        if words[k : k + n] == wanted:
            start, end = found[k][1], found[k + n - 1][2]
            return QuoteCheck(quote, "exact", 1.0, start, end, source[start:end])
    best: tuple[float, int, int] | None = None
    wanted_set = set(wanted)
    starts = {max(0, k - d) for k, w in enumerate(words) if w in wanted_set for d in range(3)}
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)
    for k in sorted(starts):
        for length in range(max(1, n - 2), n + 3):
            window = words[k : k + length]
            if len(window) < length:
                break
            matcher.set_seq1(window)
            if matcher.quick_ratio() < APPROXIMATE:
                continue
            ratio = matcher.ratio()
            if best is None or ratio > best[0]:
                best = (ratio, k, length)
    if best is None or best[0] < APPROXIMATE:
        return QuoteCheck(quote, "not_found", round(best[0], 4) if best else 0.0)
    ratio, k, length = best
    window = words[k : k + length]
    start, end = found[k][1], found[k + length - 1][2]
    differences = [
        {"seed": " ".join(wanted[j1:j2]), "source": " ".join(window[i1:i2])}
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, window, wanted, autojunk=False).get_opcodes()
        if tag != "equal"
    ]
    return QuoteCheck(quote, "approximate", round(ratio, 4), start, end, source[start:end], differences)


def check_quotes(seed_text: str, source_text: str) -> list[QuoteCheck]:
    """Every quotation in the seed, checked against the source text."""
    return [check_quote(quote, source_text) for quote in find_quotes(seed_text)]
