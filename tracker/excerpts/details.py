"""Details a seed sentence states, checked against the source sentences it is linked to.

A rewrite that keeps the topic but changes a figure, a place, an actor, a time or the polarity
of a claim still shares most of its words with the source: similarity alone calls it a
paraphrase. These rules pull out the details that carry such claims and list the ones the
source does not bear out. Rules only (no model, nothing to download), English text (the seed's
language; a source in another language is compared through its translation):

- `number`: digits ("1,500,000", "1.5"), scale words ("1.5 million"), number words ("twenty-nine"),
  with percent and currency kept as the unit; compared by value, a rounded figure matching;
- `date`: weekdays, months, years, times of day ("3 p.m.", "10:30"), relative days ("yesterday");
- `name`: runs of capitalised words not at the start of a sentence (people, places,
  organisations); one matches when its last word or half of its words occur in the source;
- `negation`: "not", "n't", "no", "never", ...: a seed and a source of opposite polarity;
- `quote`: words inside quotation marks that the source does not have.

`unsupported(seed, sources)` gives the seed's details that the sources lack, each with the
source's differing detail of the same kind when there is one (the figure it replaced).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from tracker.excerpts.numbers import NUMBER, UNITS, number_value, said_in_words, same_number

KINDS = ("number", "date", "name", "negation", "quote")
NEGATION_OVERLAP = 0.4  # share of the seed's words the source must have for polarity to count
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_MONTHS = "january february march april may june july august september october november december".split()
_MONTH_ABBR = {m[:3]: m for m in _MONTHS} | {"sept": "september"}
_DATE = re.compile(
    r"\b(?P<time>\d{1,2}(?::\d{2})?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)|\d{1,2}:\d{2})"
    r"|\b(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b"
    r"|\b(?P<month>" + "|".join(_MONTHS) + r"|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.)(?!\w)"
    r"(?:\s(?P<day>\d{1,2})(?:st|nd|rd|th)?\b)?"
    r"|\b(?P<year>(?:19|20)\d{2})s?\b"
    r"|\b(?P<relative>yesterday|today|tomorrow|tonight|last (?:week|month|year|night)|next (?:week|month|year))\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot|refused|denied|denies|deny"
    r"|fail(?:s|ed|ing)? to|yet to|unable to|declined to"
    r"|(?:is|are|was|were|do|does|did|has|have|had|could|would|should|wo|ca)nt)\b"  # "isnt": apostrophe lost
    r"|n['’]t\b",
    re.IGNORECASE,
)
_QUOTE = re.compile(r"[\"“”«]([^\"“”«»]{2,200})[\"“”»]")
_WORD = re.compile(r"[^\W\d_](?:[\w'’.-]*\w)?", re.UNICODE)
# Capitalised words that are not names even mid-sentence.
_NOT_NAMES = frozenset(
    """
    i mr mrs ms dr prof sir president minister prime secretary chief king queen prince pope general
    senator governor mayor judge officials police the a an and or but of in on at for to it he she they
    we you this that these those his her their its there here when while after before if as
    """.split()
    + _WEEKDAYS
    + _MONTHS
)
_TITLES = frozenset(
    "mr mrs ms dr prof sir president minister prime secretary chief king queen prince pope general "
    "senator sen gov governor mayor judge spokesman spokeswoman spokesperson chairman ceo".split()
)
_STOP = frozenset("the a an of and or to in on at for by with from de la al el van von der bin".split())


@dataclass(frozen=True)
class Detail:
    text: str
    kind: str
    start: int  # offsets in the sentence it was found in
    end: int
    value: str  # normalized: "1500000 percent", "month:march", "smith", "not"


@dataclass(frozen=True)
class UnsupportedDetail:
    """A seed detail the linked source sentences lack or contradict."""

    text: str
    kind: str
    seed_start: int
    seed_end: int
    source_text: str | None = None  # the source's differing detail of the same kind, if any

    def as_dict(self) -> dict:
        return asdict(self)


def extract(sentence: str) -> list[Detail]:
    """The details a sentence states, in order of position."""
    found: list[Detail] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for match in _DATE.finditer(sentence):
        kind, text = next((k, v) for k, v in match.groupdict().items() if v and k != "day")
        if kind == "month":
            text = _MONTH_ABBR.get(text.lower().rstrip("."), text.lower())
            # "may" is a month only as "May" followed by a day or year, or capitalised mid-sentence
            if text == "may" and not (match.group("day") or (match.group().startswith("M") and match.start() > 0)):
                continue
            value = f"month:{text}" + (f":{int(match.group('day'))}" if match.group("day") else "")
        elif kind == "time":
            value = "time:" + re.sub(r"[\s.]", "", text.lower()).replace(":00", "")
        else:
            value = f"{kind}:{text.lower()}"
        found.append(Detail(match.group(), "date", match.start(), match.end(), value))
        taken.append(match.span())
    for match in NUMBER.finditer(sentence):
        if not free(*match.span()) or not match.group("num"):
            continue
        if match.group("num").lower() in ("one", "zero") and not match.group("scale"):
            continue  # "one of them": not a figure
        parsed = number_value(match)
        if parsed is None:
            continue
        value, decimals = parsed
        unit = UNITS.get((match.group("unit") or match.group("pre") or "").lower(), "")
        text = match.group().strip()
        start = match.start() + (len(match.group()) - len(match.group().lstrip()))
        found.append(Detail(text, "number", start, start + len(text), f"{value!r} {decimals} {unit}".strip()))
        taken.append((start, start + len(text)))
    for match in _NEGATION.finditer(sentence):
        found.append(Detail(match.group(), "negation", match.start(), match.end(), "not"))
    for match in _QUOTE.finditer(sentence):
        found.append(Detail(match.group(1), "quote", match.start(1), match.end(1), match.group(1).casefold()))
    found += _names(sentence, taken)
    return sorted(found, key=lambda d: (d.start, d.kind))


def _title_case(words: list[re.Match]) -> bool:
    """A headline in Title Case: capitals say nothing about names there."""
    content = [w for w in words if w.group().casefold() not in _STOP and len(w.group()) > 3]
    return len(content) >= 3 and sum(w.group()[0].isupper() for w in content) / len(content) > 0.6


def _ends_sentence(gap: str) -> bool:
    # The text between two words ends a sentence: a terminator, maybe a closing quote. Read
    # from the gap only and without a regular expression: `\s*["“']?\s*$` searched over the
    # sentence so far was quadratic in a long run of words or spaces.
    gap = gap.rstrip()
    if gap[-1:] in ('"', "“", "'"):
        gap = gap[:-1].rstrip()
    return gap[-1:] in (".", "!", "?", ":") and gap != ""


def _names(sentence: str, taken: list[tuple[int, int]]) -> list[Detail]:
    words = list(_WORD.finditer(sentence))
    if _title_case(words):
        return []
    names: list[Detail] = []
    run: list[re.Match] = []

    def flush() -> None:
        while run and run[-1].group().casefold() in _STOP:
            run.pop()
        if run:
            start, end = run[0].start(), run[-1].end()
            names.append(Detail(sentence[start:end], "name", start, end, sentence[start:end].casefold()))
        run.clear()

    for index, word in enumerate(words):
        text = word.group()
        first = index == 0 or _ends_sentence(sentence[words[index - 1].end() : word.start()])
        handle = word.start() > 0 and sentence[word.start() - 1] in "@#"
        capital = text[0].isupper() and not first and not handle and text.casefold() not in _NOT_NAMES
        inside = any(a <= word.start() < b for a, b in taken)
        gap = sentence[run[-1].end() : word.start()] if run else ""
        if capital and not inside and (not run or gap.strip() in ("", "-")):
            run.append(word)
        elif run and text.casefold() in _STOP and gap.strip() == "" and text[0].islower():
            run.append(word)  # "Bank of England", "Abu al-Hassan"
        else:
            flush()
    flush()
    return names


def _initials(name: str) -> str:
    capitals = [w.group()[0] for w in _WORD.finditer(name) if w.group()[0].isupper()]
    return "".join(capitals).casefold() if len(capitals) > 1 else ""


def borne_out_names(seed_sentence: str, source_text: str) -> set[str]:
    """Words of the seed's names that the source bears out, and the titles before them: a
    rewrite that says "Prime Minister Tony Blair" for "Blair" adds no claim."""
    words = _source_words(source_text)
    found: set[str] = set()
    for detail in _names(seed_sentence, []):
        parts = [_stem(w.group()) for w in _WORD.finditer(detail.text)]
        if parts and (parts[-1] in words or _initials(detail.text) in words):
            found.update(w.group().casefold() for w in _WORD.finditer(detail.text))
    found.update(w.group().casefold() for w in _WORD.finditer(seed_sentence) if w.group().casefold() in _TITLES)
    return found


# Two ways of naming the same country that share no letters in order ("American" for "U.S.";
# "Iraqi"/"Iraq" and "Russian"/"Russia" already match through their first five letters).
_COUNTRY_ALIASES = {
    **dict.fromkeys(("us", "usa", "america", "american", "americans", "united states"), "us"),
    **dict.fromkeys(("uk", "britain", "great britain", "british", "britons", "united kingdom"), "uk"),
}


def _name_words(name: str) -> list[str]:
    return [
        w.group().casefold().replace("’", "'").removesuffix("'s").replace(".", "")
        for w in _WORD.finditer(name)
        if w.group().casefold() not in _STOP
    ]


def _one_edit(a: str, b: str) -> bool:
    """Words of five letters or more one typing slip apart: a letter changed, added, dropped or
    two swapped ("Kinsely"/"Kinsley", "Jeffery"/"Jeffrey")."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        return len(diff) == 1 or swapped
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def same_entity(a: str, b: str) -> bool:
    """Two names that may well name the same actor: one the initials of the other ("SEC" /
    "Securities and Exchange Commission"), two names of one country ("American" / "U.S.",
    "Britain" / "UK"), or a word spelled one slip apart ("Kinsely" / "Kinsley")."""
    words_a, words_b = _name_words(a), _name_words(b)
    if not words_a or not words_b:
        return False
    if _initials(a) == "".join(words_b) or _initials(b) == "".join(words_a):
        return True
    country = _COUNTRY_ALIASES.get(" ".join(words_a))
    if country and country == _COUNTRY_ALIASES.get(" ".join(words_b)):
        return True
    return any(_one_edit(x, y) for x in words_a for y in words_b)


def _word_before(text: str, position: int) -> str | None:
    words = _WORD.findall(text[max(0, position - 40) : position])
    return words[-1].casefold() if words else None


def _stem(word: str) -> str:
    word = word.casefold().replace("’", "'").removesuffix("'s").replace(".", "")  # "U.S." is "US"
    return word[:5] if len(word) > 5 else word  # Iraq/Iraqi, Russia/Russian, Obama/Obama's


def _source_words(text: str) -> set[str]:
    return {_stem(w.group()) for w in _WORD.finditer(text)}


# Figures a source may give in words that are not numbers: value (and unit) → words.
def unsupported(seed_sentence: str, source_sentences: list[str]) -> list[UnsupportedDetail]:
    """The details of `seed_sentence` that `source_sentences` (joined) do not bear out."""
    source_text = " ".join(source_sentences)
    seed_details = extract(seed_sentence)
    source_details = extract(source_text)
    words = _source_words(source_text)
    seed_words = _source_words(seed_sentence)
    lowered = source_text.casefold()
    missing: list[UnsupportedDetail] = []
    seed_names = [d.text for d in seed_details if d.kind == "name"]

    def named(name: str) -> bool:
        return any(same_entity(name, n) for n in seed_names)

    def differing(detail: Detail, kind: str, match) -> str | None:
        """The source's detail of this kind that the seed does not state, preferring one that
        follows the same word ("near Bologna" / "near Ravenna")."""
        seed_values = {d.value for d in seed_details if d.kind == kind}
        options = [o for o in source_details if o.kind == kind and o.value not in seed_values and match(o)]
        before = _word_before(seed_sentence, detail.start)
        same_place = [o for o in options if before and _word_before(source_text, o.start) == before]
        chosen = same_place or options
        return chosen[0].text if chosen else None

    for detail in seed_details:
        if detail.kind == "number":
            sources = [d for d in source_details if d.kind == "number"]
            if any(same_number(detail.value, d.value) for d in sources):
                continue
            # a year-like or plain figure also counts when its digits occur ("2,000" vs "2000"),
            # and a small figure when the source says it in a word ("twice", "a quarter")
            if detail.text.casefold() in lowered or said_in_words(detail.value, lowered):
                continue
            unit = detail.value.split()[2:]
            other = differing(detail, "number", lambda d, unit=unit: d.value.split()[2:] == unit)
            missing.append(UnsupportedDetail(detail.text, "number", detail.start, detail.end, other))
        elif detail.kind == "date":
            if any(d.kind == "date" and d.value == detail.value for d in source_details):
                continue
            family = detail.value.split(":")[0]
            if family == "month" and any(d.value.startswith(detail.value + ":") for d in source_details):
                continue  # "March" for "March 3"
            if family == "month" and detail.value.count(":") == 2:
                base = ":".join(detail.value.split(":")[:2])
                if any(d.value == base for d in source_details):
                    continue  # "March 3" where the source says "March": nothing it contradicts
            if family == "relative" and not any(d.value.startswith("relative:") for d in source_details):
                continue  # "yesterday" against a dated source: a rewrite's own clock
            other = differing(detail, "date", lambda d, family=family: d.value.split(":")[0] == family)
            if other is None:
                continue  # a rewrite adds dates for context; only another date of the kind contradicts
            missing.append(UnsupportedDetail(detail.text, "date", detail.start, detail.end, other))
        elif detail.kind == "name":
            parts = [_stem(w.group()) for w in _WORD.finditer(detail.text) if w.group().casefold() not in _STOP]
            if not parts:
                continue
            bare = [
                _stem(re.sub(r"^(?:al|el)-", "", w.group(), flags=re.IGNORECASE)) for w in _WORD.finditer(detail.text)
            ]
            present = [p in words for p in parts]
            present[-1] = present[-1] or bool(bare) and bare[-1] in words
            if present[-1] or sum(present) * 2 >= len(present) or _initials(detail.text) in words:
                continue  # "Tony Blair" for "Blair"; "United States" for "U.S."; "Al-Kut" for "Kut"
            if any(_initials(d.text) == _stem(detail.text) for d in source_details if d.kind == "name"):
                continue  # "U.S." for "United States"
            # a name the source gives, or a capitalised word that opens one of its sentences
            source_names = [d.text for d in source_details if d.kind == "name"]
            source_names += [w.group() for w in _WORD.finditer(source_text) if w.group()[0].isupper()]
            if any(same_entity(detail.text, name) for name in source_names):
                continue  # "American" for "U.S.", "Kinsely" for "Kinsley"
            # the source's name counts as another actor only when no name of the seed is it
            other = differing(detail, "name", lambda d: not (_source_words(d.text) & seed_words or named(d.text)))
            if other is None:
                continue  # a name added for context; a name the source has instead is a changed actor
            missing.append(UnsupportedDetail(detail.text, "name", detail.start, detail.end, other))
        elif detail.kind == "quote":
            quoted = [_stem(w.group()) for w in _WORD.finditer(detail.text)]
            if quoted and sum(q in words for q in quoted) / len(quoted) >= 0.8:
                continue
            missing.append(UnsupportedDetail(detail.text, "quote", detail.start, detail.end, None))
    # "without" answers a negation on the other side ("with no quotas" / "without quotas") but
    # does not raise one itself ("without power" / "lost electricity").
    seed_negations = [d for d in seed_details if d.kind == "negation"]
    source_negations = [d for d in source_details if d.kind == "negation"]
    if not any(d.text.casefold() != "without" for d in seed_negations + source_negations):
        seed_negations = source_negations = []
    # Polarity is compared only where the two say nearly the same thing: a looser rewrite carries
    # negation in other words ("falls short of" for "did not match").
    close = len(seed_words & words) >= NEGATION_OVERLAP * len(seed_words) if seed_words else False
    # Counted, not just present: "no explosives will not be used" for "no explosives will be used".
    if close and len(seed_negations) != len(source_negations):
        if len(seed_negations) > len(source_negations):
            first = seed_negations[len(source_negations)] if source_negations else seed_negations[0]
            missing.append(UnsupportedDetail(first.text, "negation", first.start, first.end, None))
        else:
            # The source denies what the seed asserts: the whole seed sentence carries the claim.
            missing.append(UnsupportedDetail("", "negation", 0, len(seed_sentence), source_negations[0].text))
    return sorted(missing, key=lambda d: d.seed_start)
