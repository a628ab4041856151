"""Figures in a sentence: numbers written in digits or words, with their scale and unit, how
precisely each was written, and when two of them are the same figure. Used by details.py."""

from __future__ import annotations

import re

ROUNDING = 0.05  # a figure within 5% of the source's, and its rounding, is the same figure

UNITS = {
    "%": "percent",
    "percent": "percent",
    "per cent": "percent",
    "pct": "percent",
    "$": "USD",
    "us$": "USD",
    "dollars": "USD",
    "£": "GBP",
    "pounds": "GBP",
    "€": "EUR",
    "euros": "EUR",
}
_SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bln": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
}
_SMALL = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * n for n, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if n > 1}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_WORD_NUMBER = "|".join(sorted([*_SMALL, *_TENS], key=len, reverse=True))
NUMBER = re.compile(
    r"(?P<pre>US\$|\$|£|€)?\s?"
    r"(?<![\w.])(?P<num>\d+(?:[.,]\d+)*|(?:" + _WORD_NUMBER + r")(?:[- ](?:" + "|".join(_SMALL) + r"))?|dozens?)\b"
    r"(?:[\s-]?(?P<scale>hundred|thousand|million|billion|trillion|mln|bln|bn|m)\b)?"  # "$2-million" too
    r"(?:\s?(?P<unit>%|percent\b|per cent\b|pct\b|dollars\b|pounds\b|euros\b))?",
    re.IGNORECASE,
)


def number_value(match: re.Match) -> tuple[float, int] | None:
    """(value, decimals) of a number match; decimals say how precisely it was written."""
    raw = match.group("num").lower()
    decimals = 0
    if raw[0].isdigit():
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
            raw = raw.replace(",", "")
        elif re.fullmatch(r"\d+,\d+", raw):
            raw = raw.replace(",", ".")  # a decimal comma: "1,5 millones" translated
        elif raw.count(".") > 1 or "," in raw:
            raw = raw.replace(",", "").replace(".", "")
        try:
            value = float(raw)
        except ValueError:
            return None
        decimals = len(raw.split(".")[1]) if "." in raw else 0
    elif raw.startswith("dozen"):
        value = 12.0
    else:
        parts = re.split(r"[- ]", raw)
        value = float(_TENS.get(parts[0], _SMALL.get(parts[0], 0)))
        if len(parts) > 1:
            value += _SMALL.get(parts[1], 0)
    scale = (match.group("scale") or "").lower()
    if scale == "m" and not match.group("pre"):
        scale = ""  # "5 m" is metres unless it is money
    if scale:
        value *= _SCALES[scale]
        decimals -= {1e2: 2, 1e3: 3, 1e6: 6, 1e9: 9, 1e12: 12}[_SCALES[scale]]
    return value, decimals


_IN_WORDS = {
    (1.0, ""): ("one", "once", "single", "sole"),
    (2.0, ""): ("two", "twice", "pair", "both", "double", "doubled"),
    (3.0, ""): ("three", "thrice", "triple", "tripled"),
    (12.0, ""): ("dozen",),
    (25.0, "percent"): ("quarter",),
    (50.0, "percent"): ("half", "halved"),
    (33.0, "percent"): ("third",),
    (75.0, "percent"): ("three quarters", "three-quarters"),
    (100.0, "percent"): ("all", "entire", "whole"),
}


def said_in_words(detail_value: str, lowered_source: str) -> bool:
    """Whether the source says the figure in words (\"twice\", \"half\")."""
    value, _decimals, *unit = detail_value.split()
    words = _IN_WORDS.get((float(value), " ".join(unit)), ())
    return any(re.search(rf"\b{re.escape(word)}\b", lowered_source) for word in words)


def same_number(seed_value: str, source_value: str) -> bool:
    """Whether two figures (Detail values: \"VALUE DECIMALS [UNIT]\") are the same figure."""
    value, decimals, *unit = seed_value.split()
    other, _, *other_unit = source_value.split()
    if unit and other_unit and unit != other_unit:
        return False
    value, other = float(value), float(other)
    if value == other:
        return True
    # A rounded figure matches the one it rounds: "30%" for "29.7%", "1.5 million" for 1,498,000;
    # not "2 billion" for 1.5 billion (rounded, but a third more).
    return round(other, int(decimals)) == value and abs(value - other) <= ROUNDING * abs(other)
