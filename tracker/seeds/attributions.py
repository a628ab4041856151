"""Whom a seed attributes its claims to: "Trump said", "according to AFP", "was reported by Politico".

Rules over English news phrasing, no model and nothing to download (``docs/attributions.md`` says
what counts). Each attribution keeps the source as written, the name it resolves to and how
("Trump" → "Donald Trump" from a fuller mention; "he" → the one person named just before), the
role and organisation given with it, the cue and its kind, where the attributed content stands,
and a confidence.

Precision before recall: a pronoun is reported only when it resolves, a description only when it
resolves or names one source (a definite "the Texas senator", or one with an organisation:
"a spokesman for the Kremlin"). Bylines ("Costa reported from Washington"), idioms ("All told",
"I'm told") and attributions nested inside another one's content or inside a quotation are not
attributions of the seed. Finding the phrasing is here; who a name or pronoun stands for is in
``tracker.seeds.names``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.seeds.names import (
    ACRONYM,
    HONORIFICS,
    NOT_NAMES,
    ORG_WORDS,
    PERSON_HEADS,
    PRONOUN_GENDERS,
    ROLE_HEADS,
    description_antecedent,
    fuller_mention,
    inside_quote,
    is_capitalised,
    is_possessive,
    name_mentions,
    pronoun_antecedent,
)
from tracker.sentences import Sentence, split_sentences

__all__ = ["Attribution", "find_attributions", "CUE_KINDS", "SOURCE_KINDS"]

CUE_KINDS = ("speech verb", "according to", "passive report", "colon")
SOURCE_KINDS = ("named", "description", "pronoun")


@dataclass(frozen=True)
class Attribution:
    start: int  # the source as written: text[start:end]
    end: int
    source_kind: str  # named, description or pronoun
    name: str | None  # the resolved name; None for a description that names no one
    resolved_by: str  # "as written", "fuller mention", "antecedent", "organisation", "name in description"
    resolved_start: int | None  # where the name it resolved to stands (the evidence), if elsewhere
    resolved_end: int | None
    role: str | None  # "Defense Minister", "a spokesman for the Kremlin"
    organization: str | None  # "the Kremlin"
    cue: str  # as written, lowercased: "said", "according to", "reported by", ":"
    cue_kind: str  # one of CUE_KINDS
    cue_start: int
    cue_end: int
    content_start: int | None  # the quote or clause attributed
    content_end: int | None
    confidence: float


_SPEECH_VERBS = frozenset(
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
# Verbs whose subject may be read inverted after a quote: '"…," said the senator'.
# Verbs read inverted after a quote or clause ('"…," said the senator'); not those that take an
# object ("…, told the Times", "…, emailed Ms. Abedin").
_INVERTIBLE = frozenset(
    """
    said says wrote writes added adds continued replied responded explained noted recalled argued
    insisted declared conceded observed quipped joked tweeted warned cautioned countered
    """.split()
)
# Cue words that are also nouns ("earnings reports came out"): read as a cue only before what
# starts a clause or names someone.
_NOUNLIKE = frozenset("reports notes warns argues".split())
# Verbs with a common sense that is not saying ("Clinton maintains a lead", "users Twitter added",
# "casinos reported $2 billion"): a cue only before "that", a quote or punctuation.
_OTHER_SENSES = frozenset("maintains maintained added adds reported reports".split())
_CLAUSE_STARTS = frozenset("that on in at of to the a an this these those there his her their its".split())
# "Kasich is telling a crowd that …": a progressive cue after is/was.
_PROGRESSIVE = frozenset({"telling", "saying"})
_BE = frozenset("is was are were".split())
_PASSIVE_VERBS = frozenset("reported announced confirmed disclosed revealed first_reported told".split())
_REPORT_NOUNS = frozenset("analysis tally poll survey count review study estimate investigation report".split())
# Heads of a description that can speak: "the GOP presidential candidate", "a spokesman for X".
_DESCRIPTION_HEADS = ROLE_HEADS - {"dr.", "prof.", "gen.", "gov.", "sen.", "rep.", "col.", "lt.", "capt."} | frozenset(
    """
    campaign officials spokesmen spokeswomen candidates senators lawmakers leaders analysts experts
    economists researchers advisers aides strategists agency ministry department committee
    company firm newspaper network administration government embassy office party
    """.split()
)
_SPOKES = frozenset("spokesman spokeswoman spokesperson spokesmen spokeswomen officials official aides aide".split())
_APPOSITIVE_ROLES = ROLE_HEADS | frozenset(
    "member expert lawyer officer diplomat journalist reporter negotiator activist scholar fellow".split()
)
_NAME_PARTICLES = frozenset("of for de del della di da do dos das van von der den bin ibn al el la le".split())
_SKIPPABLE = frozenset(
    """
    also later previously then recently once repeatedly often has had have would will again
    never always just further earlier first initially subsequently simply flatly even still
    now long
    """.split()
)
_RELATIVE = frozenset({"who", "who's", "who’s", "who'd", "who’d"})
_LABELS = frozenset(
    "source sources note update photo photos video related read comment comments editor tags by".split()
)

_TOKEN = re.compile(r"[^\W_](?:[\w'’-]|\.(?=[^\W_]))*\.?|[^\w\s]")
_QUOTES = '"“”'


@dataclass
class _Tok:
    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return self.text.lower()


def _dotted(word: str) -> bool:
    bare = word.rstrip(".").lower()
    return (
        bare in HONORIFICS
        or f"{bare}." in ROLE_HEADS
        or (len(bare) == 1 and word[0].isupper())
        or ("." in bare and word[0].isupper())  # U.S.
    )


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    toks = []
    for m in _TOKEN.finditer(text, start, end):
        word = m.group()
        if len(word) > 1 and word.endswith(".") and not _dotted(word):
            toks.append(_Tok(m.start(), m.end() - 1, word[:-1]))
            toks.append(_Tok(m.end() - 1, m.end(), "."))
        else:
            toks.append(_Tok(m.start(), m.end(), word))
    return toks


def _wordlike(t: _Tok) -> bool:
    return t.text[:1].isalnum()


@dataclass
class _Source:
    start: int
    end: int
    kind: str  # named, description, pronoun
    name: str | None = None  # the name as written (named) or the description (description)
    role: str | None = None
    organization: str | None = None
    person: bool = False
    antecedent: _Source | None = None  # "Haugland, who said": the name a relative pronoun follows


def find_attributions(text: str) -> list[Attribution]:
    """Every attribution in ``text`` in the forms of ``docs/attributions.md``, sorted by offset."""
    sentences = split_sentences(text)
    raw: list[tuple[_Source, str, str, int, int, tuple[int, int] | None, int]] = []
    for si, sentence in enumerate(sentences):
        toks = _tokens(text, sentence.start, sentence.end)
        for found in _in_sentence(text, sentence, toks):
            raw.append((*found, si))
    raw = _drop_nested(text, sentences, raw)
    mentions = name_mentions(text, sentences)
    out = []
    for source, cue, kind, cs, ce, content, si in raw:
        attribution = _resolve(text, sentences, mentions, out, source, cue, kind, cs, ce, content, si)
        if attribution is not None:
            out.append(attribution)
    out.sort(key=lambda a: (a.start, a.end))
    return out


def _in_sentence(text: str, sentence: Sentence, toks: list[_Tok]):
    if not toks:
        return
    colon = _colon(text, sentence, toks)
    if colon is not None:
        yield colon
    lowered = [t.low for t in toks]
    for i, t in enumerate(toks):
        low = lowered[i]
        if low == "according" and i + 1 < len(toks) and lowered[i + 1] == "to":
            src = _right_source(text, toks, i + 2, according=True)
            if src is not None:
                content = _content_around(text, sentence, toks, i, src.end)
                yield src, "according to", "according to", t.start, toks[i + 1].end, content
        elif low == "by" and i > 0 and (lowered[i - 1] in _PASSIVE_VERBS or lowered[i - 1] in _REPORT_NOUNS):
            found = _passive(text, sentence, toks, i)
            if found is not None:
                yield found
        elif (low in _SPEECH_VERBS or (low in _PROGRESSIVE and i > 0 and lowered[i - 1] in _BE)) and t.text.islower():
            if _byline_or_idiom(toks, i):
                continue
            src = _left_source(text, toks, i)
            if src is not None:
                before = text[sentence.start : src.start].rstrip()
                after = _content_after(text, sentence, toks, i)
                if before.endswith((',"', ",”", '"', "”")) and len(before) > 3:
                    content = _quote_before(text, sentence, src.start)
                elif (
                    before.endswith(",")
                    and (after is None or len(text[after[0] : after[1]].split()) <= 4)
                    and not (i + 1 < len(toks) and toks[i + 1].low == "that")
                ):
                    content = _quote_before(text, sentence, src.start)  # "The talks went well, Trump said."
                else:
                    content = after
                yield src, low, "speech verb", t.start, t.end, content
                continue
            if low in _INVERTIBLE and i > 0 and toks[i - 1].text in ",”\"'’":
                src = _right_source(text, toks, i + 1, according=False)
                if src is not None:
                    content = _quote_before(text, sentence, toks[i - 1].end)
                    yield src, low, "speech verb", t.start, t.end, content


def _byline_or_idiom(toks: list[_Tok], i: int) -> bool:
    low = toks[i].low
    prev = toks[i - 1].low if i > 0 else ""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if low in {"reported", "reports", "writes", "wrote"} and nxt and nxt.low in {"from", "for"}:
        return True  # "Costa reported from Washington", "Williams reports for the BBC"
    if low in {"told", "tells"}:
        if prev in {"all", "i'm", "i’m", "was", "were", "been", "be", "being", "is", "are", "we're", "we’re"}:
            return True  # "All told", "I'm told", "he was told"
        if nxt is None or not _wordlike(nxt):
            return True
    if low in _OTHER_SENSES and nxt is not None:
        if low in {"reported", "reports"}:
            if nxt.text[:1].isdigit() or nxt.text[:1] in "$€£¥":
                return True  # "the casinos reported $2.17 billion in revenue"
        elif _wordlike(nxt) and nxt.low != "that":
            return True
    if low in {"asked", "asks"} and nxt is not None:
        ahead = [t.low for t in toks[i + 1 : i + 6]]
        if "to" in ahead and "," not in ahead[: ahead.index("to")]:
            return True  # "Clinton asked Sullivan to send …": a request, not a statement
    if low in _NOUNLIKE and not (
        nxt is None
        or nxt.text in {",", ".", ":", ";", "“", '"'}
        or is_capitalised(nxt.text)
        or nxt.low in _CLAUSE_STARTS
        or re.match(r"(?:he|she|it|they|we|i|you)(?:['’]|$)", nxt.low)
    ):
        return True  # "earnings reports came out"
    # a passive ("he was told"); "by" handles the reported-by form
    return low not in _PROGRESSIVE and prev in {"was", "were", "been", "be", "being", "is", "are"}


def _left_source(text: str, toks: list[_Tok], i: int) -> _Source | None:
    """The subject just before the cue at ``i``: a pronoun, a name or a description."""
    j = i - 1
    if toks[i].low in _PROGRESSIVE:
        j -= 1  # over "is"
    while j >= 0 and (toks[j].low in _SKIPPABLE or (toks[j].low.endswith("ly") and toks[j].low not in {"italy"})):
        j -= 1
    if j >= 2 and toks[j].text == ")" and toks[j - 1].end - toks[j - 2].start <= 8 and toks[j - 2].text == "(":
        j -= 3  # "Rep. Trey Gowdy (R-S.C.) said": a party label
    elif j >= 3 and toks[j].text == ")" and toks[j - 3].text == "(" and toks[j - 1].end - toks[j - 3].start <= 10:
        j -= 4
    if j < 0 or not _wordlike(toks[j]):
        if j >= 0 and toks[j].text == ",":
            return _appositive(text, toks, j)
        return None
    t = toks[j]
    if t.low in _RELATIVE and j >= 2 and toks[j - 1].text == "," and is_capitalised(toks[j - 2].text):
        # "Curly Haugland, who has argued …": the relative pronoun stands for the name before it
        named = _name_run_left(text, toks, j - 2)
        if named is None or named.kind != "named" or not named.person:
            return None
        return _Source(t.start, t.start + 3, "pronoun", "who", antecedent=named)
    if t.low in PRONOUN_GENDERS:
        before = toks[j - 1].low if j > 0 else ""
        if before in {"which", "that", "who", "what", "as", "where", "when", "how", "whom", "if", "because"}:
            return None  # "which he said": a clause inside someone else's sentence
        return _Source(t.start, t.end, "pronoun", t.low)
    if is_capitalised(t.text) or ACRONYM.fullmatch(t.text):
        return _name_run_left(text, toks, j)
    return _description_left(text, toks, j)


def _name_run_left(text: str, toks: list[_Tok], j: int) -> _Source | None:
    k = j
    while k - 1 >= 0:
        w = toks[k - 1]
        if not _wordlike(w):
            break
        if is_capitalised(w.text) or w.low in _NAME_PARTICLES or w.low in ROLE_HEADS or w.low.rstrip(".") in HONORIFICS:
            k -= 1
            continue
        break
    if toks[k].low == "the":
        k += 1
    run = toks[k : j + 1]
    while run and not (is_capitalised(run[0].text)) and run[0].low not in ROLE_HEADS:
        run.pop(0)
    while run and run[0].low in NOT_NAMES:
        run.pop(0)
    if not run:
        return None
    if is_possessive(run[-1].text):
        return None
    first = toks.index(run[0])
    the = toks[first - 1] if first >= 1 and toks[first - 1].low == "the" else None
    # "a spokesman for the Kremlin said": the description is the source, the Kremlin its organisation.
    lead = first - 1 - (1 if the else 0)
    if lead >= 1 and toks[lead].low in {"for", "at", "of", "with"} and toks[lead - 1].low in _DESCRIPTION_HEADS:
        d = lead - 1
        while d - 1 >= 0 and _wordlike(toks[d - 1]) and lead - d < 5 and toks[d - 1].low not in _SPEECH_VERBS:
            d -= 1
            if toks[d].low in {"the", "a", "an"}:
                break
        if toks[d].low in {"the", "a", "an"} or d == 0:
            org = _the_lower(_span(text, the or run[0], run[-1]))
            desc = _the_lower(_span(text, toks[d], run[-1]))
            return _Source(
                toks[d].start,
                run[-1].end,
                "description",
                desc,
                role=desc,
                organization=org,
                person=toks[lead - 1].low in PERSON_HEADS,
            )
    return _split_named(text, run, the)


def _span(text: str, a: _Tok, b: _Tok) -> str:
    return " ".join(text[a.start : b.end].split())


def _the_lower(s: str) -> str:
    return "the" + s[3:] if s.startswith("The ") else s


def _split_named(text: str, run: list[_Tok], the: _Tok | None) -> _Source | None:
    """A run of name words: a leading title becomes the role; a run that is all title is a description."""
    heads = [n for n, w in enumerate(run) if w.low in ROLE_HEADS]
    honorific = next((n for n, w in enumerate(run) if w.low.rstrip(".") in HONORIFICS), None)
    role = None
    first = run[0] if the is None else the
    if heads and heads[-1] == len(run) - 1:
        # "The Texas Senator said", "Spokeswoman said": a description with capitals.
        if the is None:
            return None
        return _Source(first.start, run[-1].end, "description", _the_lower(_span(text, first, run[-1])), person=True)
    if heads:
        k = heads[-1]
        role = _span(text, run[0], run[k])
        run = run[k + 1 :]
        the = None
    name_words = [w for w in run if w.low.rstrip(".") not in HONORIFICS]
    if not name_words or (len(name_words) == 1 and name_words[0].low in NOT_NAMES):
        return None
    name = _span(text, name_words[0], name_words[-1])
    start = (the or run[0]).start if role is None else first.start
    if the is not None:
        name = f"the {name}"
    is_org = (
        the is not None
        or any(w.low in ORG_WORDS for w in name_words)
        or bool(len(name_words) == 1 and ACRONYM.fullmatch(name_words[0].text))
    )
    person = not is_org and (role is not None or honorific is not None or 1 <= len(name_words) <= 4)
    organization = None
    if role:
        # "Kremlin spokesman", "FBI Director": an organisation before the title
        org_words = [w for w in role.split() if w[:1].isupper() and w.lower() not in ROLE_HEADS]
        if any(w.lower() in ORG_WORDS or ACRONYM.fullmatch(w) for w in org_words):
            organization = " ".join(org_words)
    return _Source(start, run[-1].end, "named", name, role=role, organization=organization, person=person)


def _description_left(text: str, toks: list[_Tok], j: int) -> _Source | None:
    """``the GOP presidential candidate``, ``a spokesman``, ``White House officials`` ending at ``j``."""
    head = toks[j]
    if head.low not in _DESCRIPTION_HEADS:
        return None
    k = j
    while k - 1 >= 0 and _wordlike(toks[k - 1]) and j - k < 6:
        w = toks[k - 1].low
        if w in {"the", "a", "an", "another", "one"}:
            k -= 1
            break
        if w in _SPEECH_VERBS or w in {"and", "or", "but", "that", "which", "who", "as", "of", "to", "in", "on"}:
            break
        if w in NOT_NAMES and not is_capitalised(toks[k - 1].text):
            break
        k -= 1
    words = toks[k : j + 1]
    while words and words[0].low in NOT_NAMES and words[0].low not in {"the"}:
        words.pop(0)
    if not words:
        return None
    determiner = words[0].low if words[0].low in {"the", "a", "an", "another", "one"} else None
    modifiers = words[1:-1] if determiner else words[:-1]
    caps = [w for w in modifiers if is_capitalised(w.text) and not is_possessive(w.text)]
    possessor = [w for w in modifiers if is_possessive(w.text)]
    organization = None
    if possessor:
        organization = re.sub(r"['’]s?$", "", _span(text, words[1 if determiner else 0], possessor[-1]))
    elif caps and all(is_capitalised(w.text) for w in caps):
        org_run = [w for w in modifiers if is_capitalised(w.text)]
        if (
            org_run
            and org_run == modifiers[: len(org_run)]
            and any(w.low in ORG_WORDS or ACRONYM.fullmatch(w.text) for w in org_run)
        ):
            organization = _span(text, org_run[0], org_run[-1])
    definite_singular = (
        determiner == "the" and not head.low.endswith("s") or head.low in {"campaign", "press", "business"}
    )
    if not (definite_singular or organization):
        return None  # "officials said", "a senior official said": no one in particular
    desc = _the_lower(_span(text, words[0], words[-1]))
    return _Source(
        words[0].start, words[-1].end, "description", desc, organization=organization, person=head.low in PERSON_HEADS
    )


def _appositive(text: str, toks: list[_Tok], comma: int) -> _Source | None:
    """``NAME, a ROLE for ORG, said``."""
    k = comma - 1
    while k >= 0 and toks[k].text != "," and comma - k <= 24:
        if toks[k].text in _QUOTES or toks[k].text in ".;:!?()":
            return None
        k -= 1
    if k < 0 or toks[k].text != ",":
        return None
    role_toks = toks[k + 1 : comma]
    if not role_toks:
        return None
    # "Jane Doe, a spokeswoman for …, said"; "Joe Maloy, a Republican from Concord, said"
    introduced = role_toks[0].low in {"a", "an", "the", "former", "one"} and len(role_toks) >= 2
    if not (_APPOSITIVE_ROLES.intersection(w.low for w in role_toks) or introduced):
        return None
    end = k - 1
    if end >= 2 and toks[end].text == ")" and toks[end - 2].text == "(":
        end -= 3  # "State Rep. Wendy Nanney (R), a leader of …, said"
    if end < 0 or not (is_capitalised(toks[end].text)):
        return None
    named = _name_run_left(text, toks, end)
    if named is None or named.kind != "named":
        return None
    if not _APPOSITIVE_ROLES.intersection(w.low for w in role_toks) and (
        named.name is None or " " not in named.name or named.name.startswith("the ")
    ):
        return None  # "Moscow, the Russian capital, said": no person and no role
    role = _span(text, role_toks[0], role_toks[-1])
    org = re.search(
        r"\b(?:for|of|at|with)\s+((?:the\s+)?[A-Z][\w'’.&-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’.&-]*)*)", role
    )
    named.role = role
    named.organization = org.group(1) if org else None
    named.person = True
    return named


def _right_source(text: str, toks: list[_Tok], j: int, according: bool) -> _Source | None:
    """The source after ``according to`` or an inverted cue ('…," said the senator')."""
    if j >= len(toks) or not _wordlike(toks[j]):
        return None
    t = toks[j]
    if not according and t.low in PRONOUN_GENDERS and (j + 1 >= len(toks) or not _wordlike(toks[j + 1])):
        return _Source(t.start, t.end, "pronoun", t.low)
    k = j
    the = None
    if toks[k].low in {"the", "a", "an"}:
        the = toks[k]
        k += 1
    end = k
    while end < len(toks) and _wordlike(toks[end]) and end - k < 8:
        w = toks[end]
        if (
            is_capitalised(w.text)
            or w.low in _NAME_PARTICLES
            and end > k
            or w.low in _DESCRIPTION_HEADS
            or w.low in ROLE_HEADS
        ):
            end += 1
            continue
        # modifiers inside a description, or a lowercase title before a name ("researcher X")
        if (the is not None or (end == k and not according)) and (
            w.low.isalpha()
            and w.low not in _SPEECH_VERBS
            and w.low not in {"and", "or", "that", "which", "who", "on", "in", "at", "to", "from", "with", "as"}
        ):
            end += 1
            continue
        break
    words = toks[k:end]
    while words and words[-1].low in _NAME_PARTICLES:
        words.pop()
    if not words:
        return None
    if according:
        follower = toks[end] if end < len(toks) else None
        if (
            follower is not None
            and _wordlike(follower)
            and follower.text[:1].islower()
            and follower.low not in _FOLLOWERS
            and not (len(words) == 1 and ACRONYM.fullmatch(words[-1].text))
            and words[-1].low not in _DESCRIPTION_HEADS | _REPORT_NOUNS
        ):
            return None  # "according to Russian officials": an adjective, not a name
    last = words[-1]
    if is_capitalised(last.text) and not is_possessive(last.text):
        # lowercase words before the name are its title ("researcher Sylvia Manzano")
        n = 0
        while n < len(words) and not is_capitalised(words[n].text):
            n += 1
        title = words[:n]
        run = words[n:]
        if title and title[-1].low not in ROLE_HEADS:
            if the is None or the.low != "the":
                return None
            title = []  # "the nonpartisan Congressional Budget Office": the name is what is capitalised
        src = _split_named(text, run, the if not title else None)
        if src is None:
            return None
        if title:
            src.role = _span(text, title[0], title[-1]) + (f" {src.role}" if src.role else "")
            src.start = (the or title[0]).start
            src.person = True
        return src
    # a description: "the Texas senator", "a Washington Post analysis", "a spokesman for X"
    if last.low in _REPORT_NOUNS:
        caps = [w for w in words if is_capitalised(w.text)]
        if not caps:
            return None
        org = _span(text, caps[0], caps[-1])
        desc = _the_lower(_span(text, the or words[0], last))
        return _Source(
            (the or words[0]).start,
            last.end,
            "description",
            desc,
            organization=f"the {org}" if not ACRONYM.fullmatch(org) else org,
        )
    if last.low not in _DESCRIPTION_HEADS:
        return None
    jj = toks.index(last)
    start_tok = the or words[0]
    # "a spokesman for the Kremlin"
    if jj + 2 < len(toks) and toks[jj + 1].low in {"for", "at", "of", "with"}:
        m = jj + 2
        org_the = toks[m] if toks[m].low == "the" else None
        m += 1 if org_the else 0
        org_end = m
        while (
            org_end < len(toks)
            and _wordlike(toks[org_end])
            and (is_capitalised(toks[org_end].text) or toks[org_end].low in {"of"})
        ):
            org_end += 1
        if org_end > m:
            org = _span(text, org_the or toks[m], toks[org_end - 1])
            desc = _the_lower(_span(text, start_tok, toks[org_end - 1]))
            return _Source(
                start_tok.start,
                toks[org_end - 1].end,
                "description",
                desc,
                role=desc,
                organization=_the_lower(org),
                person=last.low in PERSON_HEADS,
            )
    caps = [w for w in words if is_capitalised(w.text)]
    definite = the is not None and the.low == "the" and not last.low.endswith("s")
    organization = (
        _span(text, caps[0], caps[-1])
        if caps and any(w.low in ORG_WORDS or ACRONYM.fullmatch(w.text) for w in caps)
        else None
    )
    if not (definite or organization):
        return None
    return _Source(
        start_tok.start,
        last.end,
        "description",
        _the_lower(_span(text, start_tok, last)),
        organization=organization,
        person=last.low in PERSON_HEADS,
    )


_FOLLOWERS = frozenset(
    """
    and or on in at as which who that to from by with for of the a an this last earlier late
    but when while after before said says reported told news agency citing data figures
    """.split()
)


def _passive(text: str, sentence: Sentence, toks: list[_Tok], i: int):
    """``was first reported by Politico``, ``a tally by the Associated Press``."""
    verb = toks[i - 1]
    if verb.low in _PASSIVE_VERBS:
        aux = [t.low for t in toks[max(0, i - 4) : i - 1]]
        if not {"was", "were", "is", "are", "been", "be"}.intersection(aux):
            return None
        cue_start = verb.start
    else:
        cue_start = verb.start
    src = _right_source(text, toks, i + 1, according=verb.low not in _REPORT_NOUNS)
    if src is None or src.kind == "pronoun" or (src.kind == "description" and not src.organization):
        return None
    if verb.low in _REPORT_NOUNS:
        content = (src.end, sentence.end) if src.end < sentence.end - 1 else None
    else:
        content = (sentence.start, _strip_end(text, sentence.start, toks[max(0, i - 3)].start))
    return src, f"{verb.low} by", "passive report", cue_start, toks[i].end, _clean(text, content)


def _colon(text: str, sentence: Sentence, toks: list[_Tok]):
    """A headline or caption line ``Trump: We will win``."""
    line_start = max(text.rfind("\n", 0, sentence.start), text.rfind("\r", 0, sentence.start)) + 1
    if line_start != sentence.start:
        return None
    n = 0
    while n < len(toks) and _wordlike(toks[n]) and is_capitalised(toks[n].text) and n < 4:
        n += 1
    if n == 0 or n >= len(toks) or toks[n].text != ":":
        return None
    if toks[0].low in _LABELS or toks[0].low in NOT_NAMES or toks[0].low == "the" or toks[0].text.isupper():
        return None
    # A headline colon is read only for a name the text uses elsewhere: "Correction:", "The
    # Latest:" and titled sections are labels, not speakers.
    surname = toks[n - 1].text
    elsewhere = text[: sentence.start] + text[sentence.end :]
    if not re.search(rf"(?<![\w.])(?:[A-Z][\w'’-]+\s+)+{re.escape(surname)}\b", elsewhere):
        return None
    rest = text[toks[n].end : sentence.end].strip()
    if not rest or rest.lower().startswith(("http", "www.")):
        return None
    # A speaker's words start with a quote or a first person ("Trump: We will win"); "Sanders: Win
    # in a walk" is a section label.
    if not (rest[0] in _QUOTES or re.match(r"(?:I|We|My|Our|I'm|I’m|We're|We’re)\b", rest)):
        return None
    src = _split_named(text, toks[:n], None)
    if src is None or src.kind != "named":
        return None
    content = (
        toks[n].end + (len(text[toks[n].end : sentence.end]) - len(text[toks[n].end : sentence.end].lstrip())),
        sentence.end,
    )
    return src, ":", "colon", toks[n].start, toks[n].end, content


def _content_after(text: str, sentence: Sentence, toks: list[_Tok], i: int) -> tuple[int, int] | None:
    j = i + 1
    if toks[i].low in {"told", "tells", "asked", "asks", "warned", "warns"}:
        # the person told: up to "that" or the next comma, at most a few words
        k = j
        while k < len(toks) and k - j < 5 and toks[k].low not in {"that", ","} and toks[k].text not in _QUOTES:
            k += 1
        j = k
    else:
        # "reported on February 13 that …": the content starts after "that", a few words on
        ahead = [t.low for t in toks[j : j + 7]]
        if "that" in ahead and not {",", '"', "“"}.intersection(ahead[: ahead.index("that")]):
            j += ahead.index("that")
    while j < len(toks) and toks[j].low in {"that", ",", ":"}:
        j += 1
    if j >= len(toks):
        return None
    return _clean(text, (toks[j].start, sentence.end))


def _quote_before(text: str, sentence: Sentence, before: int) -> tuple[int, int] | None:
    return _clean(text, (sentence.start, before))


def _content_around(text: str, sentence: Sentence, toks: list[_Tok], i: int, src_end: int) -> tuple[int, int] | None:
    """Content of ``according to X``: the clause after it, or the sentence before it."""
    after = text[src_end : sentence.end].lstrip(" ,")
    if len(after) > 3:
        return _clean(text, (sentence.end - len(after), sentence.end))
    return _clean(text, (sentence.start, toks[i].start))


def _strip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " ,;:—–-":
        end -= 1
    return end


def _clean(text: str, span: tuple[int, int] | None) -> tuple[int, int] | None:
    if span is None:
        return None
    s, e = span
    while s < e and text[s] in " \t,;:—–-":
        s += 1
    while e > s and text[e - 1] in " \t,;:—–-.":
        e -= 1
    if e - s < 2:
        return None
    return s, e


def _drop_nested(text, sentences, raw):
    """Drop attributions inside a quotation, then those inside another one's content."""
    raw = [item for item in raw if item[2] == "colon" or not inside_quote(text, item[0].start)]
    kept = []
    for item in raw:
        source, cue, kind, cs, ce, content, si = item
        nested = False
        for other in raw:
            o_source, _, o_kind, _, _, o_content, o_si = other
            if other is item or o_si != si or o_content is None or o_kind == "colon":
                continue
            if (
                o_content[0] <= source.start
                and source.end <= o_content[1]
                # each inside the other's content ("According to X, Y said Z."): the first is the outer
                and not (
                    content
                    and content[0] <= o_source.start
                    and o_source.end <= content[1]
                    and source.start < o_source.start
                )
            ):
                nested = True
                break
        if not nested:
            kept.append(item)
    return kept


def _resolve(text, sentences, mentions, found: list[Attribution], source: _Source, cue, kind, cs, ce, content, si):
    name = source.name
    resolved_by = "as written"
    evidence: tuple[int, int] | None = None
    confidence = {"speech verb": 0.9, "according to": 0.9, "passive report": 0.85, "colon": 0.7}[kind]
    if source.kind == "named":
        if source.person and name and " " not in name:
            full = fuller_mention(name, mentions, source.start)
            if full is not None:
                name, resolved_by, evidence = full.name, "fuller mention", (full.start, full.end)
        elif source.person and name and name.split()[0].lower().rstrip(".") in HONORIFICS:
            name = " ".join(name.split()[1:])
    elif source.antecedent is not None:
        name, evidence = source.antecedent.name, (source.antecedent.start, source.antecedent.end)
        full = fuller_mention(name, mentions, source.start) if name and " " not in name else None
        name = full.name if full else name
        if name and name.split()[0].lower().rstrip(".") in HONORIFICS:
            name = " ".join(name.split()[1:])
        resolved_by = "antecedent"
        confidence = 0.85
    elif source.kind == "pronoun":
        antecedent = pronoun_antecedent(text, sentences, mentions, found, source.name or "", source.start, si)
        if antecedent is None:
            return None
        name, evidence = antecedent[0], antecedent[1]
        resolved_by = "antecedent"
        confidence = 0.75
    else:  # description
        confidence = 0.75
        head = (source.name or "").split()[-1].lower()
        speaks_for_org = head not in PERSON_HEADS or head in _SPOKES
        if source.organization and speaks_for_org:
            # "a spokesman for the Kremlin", "a Washington Post analysis": the organisation speaks
            name = source.organization
            resolved_by = "organisation" if head in _SPOKES else "name in description"
        else:
            antecedent = description_antecedent(text, found, source.name or "")
            if antecedent is not None:
                name, evidence = antecedent
                resolved_by = "antecedent"
            else:
                name = None
                confidence = 0.6
    return Attribution(
        start=source.start,
        end=source.end,
        source_kind=source.kind,
        name=name,
        resolved_by=resolved_by,
        resolved_start=evidence[0] if evidence else None,
        resolved_end=evidence[1] if evidence else None,
        role=source.role,
        organization=source.organization,
        cue=cue,
        cue_kind=kind,
        cue_start=cs,
        cue_end=ce,
        content_start=content[0] if content else None,
        content_end=content[1] if content else None,
        confidence=confidence,
    )
