"""Who a name or a pronoun in a text stands for: the words that name people and organisations,
the fuller mention of a short name ("Trump" → "Donald Trump"), and the person a pronoun or a
description stands for, with where the text says so.

Used by ``tracker.seeds.attributions``; plain rules, no model.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tracker.sentences import TextSpan


class Attribution(Protocol):
    """What this module reads of an attribution found earlier (tracker.seeds.attributions makes
    them; named here so that module and this one do not import each other)."""

    start: int
    end: int
    source_kind: str
    name: str | None
    role: str | None


HONORIFICS = frozenset({"mr", "mrs", "ms", "mx", "miss", "dr"})

# Title words: the last one before a name ends the role ("Deputy Foreign Minister | Mikhail Bogdanov").
ROLE_HEADS = frozenset(
    """
    president minister secretary spokesman spokeswoman spokesperson ambassador chancellor
    governor senator mayor general commander chief director chairman chairwoman envoy premier
    king queen prince emir sheikh representative official adviser advisor aide editor
    correspondent analyst professor researcher head leader ceo lieutenant colonel captain admiral
    marshal judge prosecutor attorney lawmaker congressman congresswoman speaker strategist
    pollster economist manager candidate nominee founder executive chair republican democrat
    dr. prof. gen. gov. sen. rep. col. lt. capt. sgt. adm. maj. sens. reps.
    """.split()
)

# Capitalised words that do not start a name.
NOT_NAMES = frozenset(
    """
    he she they it we i you this that these those there here who what one someone everyone all
    officials sources analysts experts witnesses residents authorities police media critics
    observers reports others some many both meanwhile however later earlier also and but then
    so yet yesterday today tomorrow on in at after before during since when while as if but
    having given according asked told though although because whether unless until most
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december his her their its our my your
    """.split()
)

# Words that make a capitalised run an organisation, not a person.
ORG_WORDS = frozenset(
    """
    house department ministry party committee council university post times news press agency
    office commission court congress senate parliament government administration campaign bank
    company corporation group institute foundation association union network journal magazine
    kremlin pentagon bureau service services center centre board fund league club army police
    republicans democrats gop fbi cia cnn bbc nbc cbs abc reuters afp ap rt tass politico
    """.split()
)

PRONOUN_GENDERS = {"he": "m", "she": "f"}

ACRONYM = re.compile(r"[A-Z][A-Z0-9&.]+")

PERSON_HEADS = ROLE_HEADS | {"businessman", "businesswoman", "billionaire", "mogul", "lawyer", "activist"}


def is_capitalised(word: str) -> bool:
    head, hyphen, rest = word.partition("-")
    if hyphen and head.islower() and rest[:1].isupper():
        return True  # al-Sharaa
    return word[:1].isupper()


def is_possessive(word: str) -> bool:
    return word.endswith(("'s", "’s", "s'", "s’"))


def inside_quote(text: str, offset: int) -> bool:
    """True if ``offset`` stands inside a quotation opened in its sentence or paragraph."""
    para_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    chunk = text[para_start:offset]
    curly = chunk.count("“") - chunk.count("”")
    straight = chunk.count('"') % 2
    doubled = chunk.count("''") % 2  # ''quoted'' as some wires write it
    return curly > 0 or straight == 1 or doubled == 1


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str  # a full name: two or more capitalised words
    person: bool


_NAME_WORD = r"(?:[A-Z][\w'’-]+|[A-Z]\.)"

_NAME_RUN = re.compile(
    rf"(?<![\w.]){_NAME_WORD}(?:[ \t]+(?:(?:al|bin|de|van|von|der|da|di|el|la|le)[ \t]+)?{_NAME_WORD})+"
)


def name_mentions(text: str, sentences: list[TextSpan]) -> list[Mention]:
    """Capitalised runs of two or more words: candidate full names for short and pronoun mentions."""
    mentions = []
    alone = _words_alone(text)
    lowercase = set(re.findall(r"(?<![\w'’-])[a-z]+(?![\w'’-])", text))
    for m in _NAME_RUN.finditer(text):
        words = m.group().split()
        while len(words) > 1 and words[0].lower() in lowercase:
            words.pop(0)  # "For Obama", "Neither Johnson": a sentence's first word, not a name's
        heads = [n for n, w in enumerate(words) if w.lower() in ROLE_HEADS]
        if heads:
            words = words[heads[-1] + 1 :]  # "Russian President Vladimir Putin" names Vladimir Putin
        while words and (
            words[0].lower() in NOT_NAMES
            or words[0].lower() in ROLE_HEADS
            or words[0].lower().rstrip(".") in HONORIFICS
        ):
            words.pop(0)
        owner = next((n for n, w in enumerate(words) if is_possessive(w)), None)
        if owner is not None:  # "Clinton's Iraq vote" names Clinton
            words = words[: owner + 1]
            words[-1] = re.sub(r"['’]s?$", "", words[-1])
        if len(words) < 2:
            continue
        name = " ".join(words)
        start = m.start() + m.group().index(words[0])
        titled = m.group().split()[0] != words[0]  # "Sen. Ted Cruz", "Russian President Vladimir Putin"
        # A person's surname recurs alone in news ("Donald Trump … Trump"); a place's last word
        # does not ("New York", "United States"), so that tells the two apart without a list.
        recurs = any(not m.start() <= at < m.end() for at in alone.get(words[-1], ()))
        person = (
            not any(w.lower() in ORG_WORDS for w in words)
            and text[max(0, start - 4) : start].lower() != "the "
            and (titled or recurs or words[0].lower() in _GIVEN_NAMES)
        )
        mentions.append(Mention(start, start + len(name), name, person))
    # A surname alone later on ("Viguerie says") is a mention of the person named in full.
    full_names = {m.name.split()[-1]: m.name for m in mentions if m.person}
    starts = [m.start for m in mentions]  # in text order: _NAME_RUN matches do not overlap
    if full_names:
        surnames = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, sorted(full_names))) + r")\b")
        for m in surnames.finditer(text):
            i = bisect.bisect_right(starts, m.start()) - 1
            if i < 0 or not m.start() < mentions[i].end:
                mentions.append(Mention(m.start(), m.end(), full_names[m.group(1)], True))
        mentions.sort(key=lambda m: m.start)
    return mentions


def gender_of(text: str, name: str) -> str | None:
    """Whether a person is "m" or "f", where the text says so.

    By a common given name ("Hillary Clinton") or an honorific given anywhere ("Mr. Lew",
    "Ms. Acosta"); None where neither says.
    """
    given = name.split()[0].lower() if " " in name else None
    if given in _GIVEN_NAMES:
        return _GIVEN_NAMES[given]
    found = _honorifics(text).get(name.split()[-1], set())
    return next(iter(found)) if len(found) == 1 else None


@functools.lru_cache(maxsize=4)
def _honorifics(text: str) -> dict[str, set[str]]:
    """Surname → the genders its honorifics give ("Mr. Lew" → m), read once per text."""
    found: dict[str, set[str]] = {}
    for m in _HONORIFIC_NAME.finditer(text):
        for word in filter(None, (m.group(2), m.group(3))):
            found.setdefault(word, set()).add("m" if m.group(1) == "Mr" else "f")
    return found


_HONORIFIC_NAME = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.?\s+([A-Z][\w'’-]*)(?:\s+([A-Z][\w'’-]*))?")

# Common given names, for a pronoun's agreement only (never to find a source).
_GIVEN_NAMES = {
    **dict.fromkeys(
        """
        donald bernie barack bill ted marco jeb john ben chris mike michael paul mitch joe george
        james robert david richard thomas charles mark steven steve kevin brian jason eric scott
        jeff jeffrey gary tim timothy larry rick ron ronald frank peter andrew tony dan daniel
        matt matthew jack harry henry edward ed sam samuel vladimir dmitry sergei recep emmanuel
        boris justin benjamin bashar ahmed ahmad mohammed muhammad ali omar jim jimmy rand newt
        lindsey reince corey rudy rudolph chuck al dick lyndon gerald darrell armstrong bob
        robert william will joseph tom nick greg doug craig bruce keith roger wayne
        """.split(),
        "m",
    ),
    **dict.fromkeys(
        """
        hillary hilary elizabeth nancy sarah carly kellyanne huma michelle melania ivanka chelsea
        angela theresa marine mary patricia jennifer linda barbara susan jessica karen lisa
        donna sandra ashley kimberly emily laura amy anna anne rebecca katherine kate catherine
        maria margaret janet debbie deborah dana megyn nikki jill loretta condoleezza madeleine
        samantha ada caroline carolyn diane dianne kamala tulsi joni kirsten claire billie
        """.split(),
        "f",
    ),
}


def _words_alone(text: str) -> dict[str, list[int]]:
    """Where each capitalised word stands on its own, not inside a run of capitalised words.

    One pass over the text, so that telling people from places costs no more than reading it.
    """
    chunks = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
    alone: dict[str, list[int]] = {}
    for n, (start, chunk) in enumerate(chunks):
        core = chunk.lstrip("\"“‘'(")
        lead = len(chunk) - len(core)
        core = core.rstrip(".,:;!?”\"')’")
        if not core or not is_capitalised(core):
            continue
        closed = len(core) + lead < len(chunk)  # punctuation after the word ends a run
        previous = chunks[n - 1][1] if n else ""
        glued_before = (
            bool(previous)
            and is_capitalised(previous.lstrip("\"“‘'("))
            and not previous.endswith((".", ",", ":", ";", "”", '"'))
            and lead == 0
        )
        following = chunks[n + 1][1] if n + 1 < len(chunks) else ""
        glued_after = not closed and bool(following) and is_capitalised(following)
        if not glued_before and not glued_after:
            alone.setdefault(core, []).append(start + lead)
    return alone


def fuller_mention(name: str, mentions: list[Mention], before: int, gender: str | None = None) -> Mention | None:
    """The fuller mention of a short name ("Trump" → "Donald Trump"), preferring earlier ones."""
    last = name.split()[-1]
    if name.startswith("the "):
        return None
    candidates = [
        m
        for m in mentions
        if m.person
        and m.name.split()[-1] == last
        and m.name != name
        and len(m.name) > len(name)
        and (gender is None or _GIVEN_NAMES.get(m.name.split()[0].lower()) in (None, gender))
    ]
    if not candidates:
        return None
    earlier = [m for m in candidates if m.end <= before]
    pool = earlier or candidates
    distinct = {m.name for m in pool}
    if len(distinct) > 1:
        # "Bill Clinton" and "Hillary Clinton": take the one named last before, if any
        return earlier[-1] if earlier else None
    return pool[-1] if earlier else pool[0]


def pronoun_antecedent(
    text: str,
    sentences: list[TextSpan],
    mentions: list[Mention],
    found: list[Attribution],
    pronoun: str,
    at: int,
    si: int,
) -> tuple[str, tuple[int, int]] | None:
    """The person ``pronoun`` ("he", at offset ``at``, in sentence ``si``) stands for, with the mention that
    says so, or None if unsure. ``found`` are the attributions before it.

    People named inside quotations are spoken about, not speaking, and do not count. The pronoun
    resolves (1) to the one person named in its sentence or the two before, or else (2) to the
    speaker of the last attribution within the four sentences before when no other person is named
    after that speaker: "…,” Bozell says. “…,” he adds.
    """
    people: dict[str, tuple[int, int, str]] = {}
    near = sentences[max(0, si - 2)].start
    for m in mentions:
        if m.person and near <= m.start and m.end <= at and not inside_quote(text, m.start):
            people[m.name.split()[-1]] = (m.start, m.end, m.name)
    for a in found:
        if a.source_kind != "description" and a.name and near <= a.start < at and looks_person(a):
            people.setdefault(a.name.split()[-1], (a.start, a.end, a.name))
    gender = PRONOUN_GENDERS[pronoun]
    people = {k: v for k, v in people.items() if gender_of(text, v[2]) in (None, gender)}
    if len(people) == 1:
        ((start, end, name),) = people.values()
    else:
        far = sentences[max(0, si - 4)].start
        speakers = [a for a in found if a.name and far <= a.start < at]
        if not speakers or not (looks_person(speakers[-1]) or speakers[-1].resolved_by == "antecedent"):
            return None
        last = speakers[-1]
        if gender_of(text, last.name) not in (None, gender):
            return None
        surname = last.name.split()[-1]
        # People named in the speaker's own sentence are what the speaker talked about.
        after = next((x.end for x in sentences if x.start <= last.start < x.end), last.end)
        others = [
            m
            for m in mentions
            if m.person and after <= m.start < at and m.name.split()[-1] != surname and not inside_quote(text, m.start)
        ]
        if others:
            return None
        start, end, name = last.start, last.end, last.name
        if last.resolved_start is not None:
            start, end = last.resolved_start, last.resolved_end
    full = fuller_mention(name, mentions, start, gender) if " " not in name else None
    name = full.name if full else name
    if gender_of(text, name) not in (None, gender):
        return None
    return name, (start, end)


def looks_person(a: Attribution) -> bool:
    return (
        bool(a.name)
        and not a.name.startswith("the ")
        and not ACRONYM.fullmatch(a.name)
        and (a.role is not None or not any(w.lower() in ORG_WORDS for w in a.name.split()))
    )


_TITLES = {
    "sen.": "senator",
    "rep.": "representative",
    "gov.": "governor",
    "gen.": "general",
    "dr.": "doctor",
    "prof.": "professor",
    "col.": "colonel",
    "capt.": "captain",
    "adm.": "admiral",
}


def description_antecedent(text: str, found: list[Attribution], description: str) -> tuple[str, tuple[int, int]] | None:
    """A definite description of a person ("the Texas senator") resolves to the one named source
    whose role has its head, where the text near that name also has its capitalised words
    ("Texas": "Sen. Ted Cruz of Texas")."""
    words = description.split()
    head = words[-1].lower() if words else ""
    if head not in PERSON_HEADS:
        return None  # "the campaign", "the department": an organisation, not its spokesman
    marks = [w for w in words[1:-1] if is_capitalised(w)]

    def near(a: Attribution) -> str:
        return text[max(0, a.start - 80) : a.end + 80]

    matches = {
        a.name: (a.start, a.end)
        for a in found
        if a.source_kind == "named"
        and a.name
        and a.role
        and head in {_TITLES.get(w, w) for w in a.role.lower().split()}
        and all(m in near(a) for m in marks)
    }
    if len(matches) == 1:
        ((name, span),) = matches.items()
        return name, span
    return None
