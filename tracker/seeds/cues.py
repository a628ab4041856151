"""The vocabulary attributions are read with: speech verbs, report nouns, roles, and a tokenizer
that keeps offsets (tracker.seeds.attributions and tracker.seeds.speakers share it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.seeds.names import HONORIFICS, ROLE_HEADS

SPEECH_VERBS = frozenset(
    """
    said says say told tells added adds noted notes tweeted tweets asked asks claimed claims posted
    posts warned warns insisted insists argued argues wrote writes reported reports stated states
    announced announces confirmed confirms explained explains acknowledged acknowledges declared
    declares admitted admits replied replies responded responds suggested suggests recalled recalls
    continued predicted predicts conceded concedes contended contends maintained maintains
    countered counters cautioned cautions complained complains emailed texted boasted quipped
    joked observed
    """.split()
)


INVERTIBLE = frozenset(
    """
    said says wrote writes added adds continued replied responded explained noted recalled argued
    insisted declared conceded observed quipped joked tweeted warned cautioned countered
    """.split()
)


NOUNLIKE = frozenset("reports notes warns argues".split())


OTHER_SENSES = frozenset("maintains maintained added adds reported reports".split())


CLAUSE_STARTS = frozenset("that on in at of to the a an this these those there his her their its".split())


PROGRESSIVE = frozenset({"telling", "saying"})


BE = frozenset("is was are were".split())


PASSIVE_VERBS = frozenset("reported announced confirmed disclosed revealed first_reported told".split())


REPORT_NOUNS = frozenset("analysis tally poll survey count review study estimate investigation report".split())


DESCRIPTION_HEADS = ROLE_HEADS - {"dr.", "prof.", "gen.", "gov.", "sen.", "rep.", "col.", "lt.", "capt."} | frozenset(
    """
    campaign officials spokesmen spokeswomen candidates senators lawmakers leaders analysts experts
    economists researchers advisers aides strategists agency ministry department committee
    company firm newspaper network administration government embassy office party
    """.split()
)


SPOKES = frozenset("spokesman spokeswoman spokesperson spokesmen spokeswomen officials official aides aide".split())


APPOSITIVE_ROLES = ROLE_HEADS | frozenset(
    "member expert lawyer officer diplomat journalist reporter negotiator activist scholar fellow".split()
)


NAME_PARTICLES = frozenset("of for de del della di da do dos das van von der den bin ibn al el la le".split())


SKIPPABLE = frozenset(
    """
    also later previously then recently once repeatedly often has had have would will again
    never always just further earlier first initially subsequently simply flatly even still
    now long
    """.split()
)


RELATIVE = frozenset({"who", "who's", "who’s", "who'd", "who’d"})


LABELS = frozenset("source sources note update photo photos video related read comment comments editor tags by".split())


TOKEN = re.compile(r"[^\W_](?:[\w'’-]|\.(?=[^\W_]))*\.?|[^\w\s]")


QUOTES = '"“”'


@dataclass
class Token:
    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return self.text.lower()


def dotted(word: str) -> bool:
    bare = word.rstrip(".").lower()
    return (
        bare in HONORIFICS
        or f"{bare}." in ROLE_HEADS
        or (len(bare) == 1 and word[0].isupper())
        or ("." in bare and word[0].isupper())  # U.S.
    )


def tokenize(text: str, start: int, end: int) -> list[Token]:
    toks = []
    for m in TOKEN.finditer(text, start, end):
        word = m.group()
        if len(word) > 1 and word.endswith(".") and not dotted(word):
            toks.append(Token(m.start(), m.end() - 1, word[:-1]))
            toks.append(Token(m.end() - 1, m.end(), "."))
        else:
            toks.append(Token(m.start(), m.end(), word))
    return toks


def wordlike(t: Token) -> bool:
    return t.text[:1].isalnum()


FOLLOWERS = frozenset(
    """
    and or on in at as which who that to from by with for of the a an this last earlier late
    but when while after before said says reported told news agency citing data figures
    """.split()
)
