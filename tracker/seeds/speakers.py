"""Who is speaking: the source phrase of an attribution, read left of its cue ("Mr. Sanders said",
"a spokesman for the Kremlin said") or right of it ("…, said the Texas senator"), as a name, a
description or a pronoun, with its role and organisation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.seeds.cues import (
    APPOSITIVE_ROLES,
    DESCRIPTION_HEADS,
    FOLLOWERS,
    NAME_PARTICLES,
    PROGRESSIVE,
    QUOTES,
    RELATIVE,
    REPORT_NOUNS,
    SKIPPABLE,
    SPEECH_VERBS,
    Token,
    wordlike,
)
from tracker.seeds.names import (
    ACRONYM,
    HONORIFICS,
    NOT_NAMES,
    ORG_WORDS,
    PERSON_HEADS,
    PRONOUN_GENDERS,
    ROLE_HEADS,
    is_capitalised,
    is_possessive,
)


@dataclass
class SpeakerPhrase:
    start: int
    end: int
    kind: str  # named, description, pronoun
    name: str | None = None  # the name as written (named) or the description (description)
    role: str | None = None
    organization: str | None = None
    person: bool = False
    antecedent: SpeakerPhrase | None = None  # "Haugland, who said": the name a relative pronoun follows


def left_source(text: str, toks: list[Token], i: int) -> SpeakerPhrase | None:
    """The subject just before the cue at ``i``: a pronoun, a name or a description."""
    j = i - 1
    if toks[i].low in PROGRESSIVE:
        j -= 1  # over "is"
    while j >= 0 and (toks[j].low in SKIPPABLE or (toks[j].low.endswith("ly") and toks[j].low not in {"italy"})):
        j -= 1
    if j >= 2 and toks[j].text == ")" and toks[j - 1].end - toks[j - 2].start <= 8 and toks[j - 2].text == "(":
        j -= 3  # "Rep. Trey Gowdy (R-S.C.) said": a party label
    elif j >= 3 and toks[j].text == ")" and toks[j - 3].text == "(" and toks[j - 1].end - toks[j - 3].start <= 10:
        j -= 4
    if j < 0 or not wordlike(toks[j]):
        if j >= 0 and toks[j].text == ",":
            return _appositive(text, toks, j)
        return None
    t = toks[j]
    if t.low in RELATIVE and j >= 2 and toks[j - 1].text == "," and is_capitalised(toks[j - 2].text):
        # "Curly Haugland, who has argued …": the relative pronoun stands for the name before it
        named = _name_run_left(text, toks, j - 2)
        if named is None or named.kind != "named" or not named.person:
            return None
        return SpeakerPhrase(t.start, t.start + 3, "pronoun", "who", antecedent=named)
    if t.low in PRONOUN_GENDERS:
        before = toks[j - 1].low if j > 0 else ""
        if before in {"which", "that", "who", "what", "as", "where", "when", "how", "whom", "if", "because"}:
            return None  # "which he said": a clause inside someone else's sentence
        return SpeakerPhrase(t.start, t.end, "pronoun", t.low)
    if is_capitalised(t.text) or ACRONYM.fullmatch(t.text):
        return _name_run_left(text, toks, j)
    return _description_left(text, toks, j)


def _name_run_left(text: str, toks: list[Token], j: int) -> SpeakerPhrase | None:
    k = j
    while k - 1 >= 0:
        w = toks[k - 1]
        if not wordlike(w):
            break
        if is_capitalised(w.text) or w.low in NAME_PARTICLES or w.low in ROLE_HEADS or w.low.rstrip(".") in HONORIFICS:
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
    if lead >= 1 and toks[lead].low in {"for", "at", "of", "with"} and toks[lead - 1].low in DESCRIPTION_HEADS:
        d = lead - 1
        while d - 1 >= 0 and wordlike(toks[d - 1]) and lead - d < 5 and toks[d - 1].low not in SPEECH_VERBS:
            d -= 1
            if toks[d].low in {"the", "a", "an"}:
                break
        if toks[d].low in {"the", "a", "an"} or d == 0:
            org = _the_lower(_span(text, the or run[0], run[-1]))
            desc = _the_lower(_span(text, toks[d], run[-1]))
            return SpeakerPhrase(
                toks[d].start,
                run[-1].end,
                "description",
                desc,
                role=desc,
                organization=org,
                person=toks[lead - 1].low in PERSON_HEADS,
            )
    return split_named(text, run, the)


def _span(text: str, a: Token, b: Token) -> str:
    return " ".join(text[a.start : b.end].split())


def _the_lower(s: str) -> str:
    return "the" + s[3:] if s.startswith("The ") else s


def split_named(text: str, run: list[Token], the: Token | None) -> SpeakerPhrase | None:
    """A run of name words: a leading title becomes the role; a run that is all title is a description."""
    heads = [n for n, w in enumerate(run) if w.low in ROLE_HEADS]
    honorific = next((n for n, w in enumerate(run) if w.low.rstrip(".") in HONORIFICS), None)
    role = None
    first = run[0] if the is None else the
    if heads and heads[-1] == len(run) - 1:
        # "The Texas Senator said", "Spokeswoman said": a description with capitals.
        if the is None:
            return None
        return SpeakerPhrase(
            first.start, run[-1].end, "description", _the_lower(_span(text, first, run[-1])), person=True
        )
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
    return SpeakerPhrase(start, run[-1].end, "named", name, role=role, organization=organization, person=person)


def _description_left(text: str, toks: list[Token], j: int) -> SpeakerPhrase | None:
    """``the GOP presidential candidate``, ``a spokesman``, ``White House officials`` ending at ``j``."""
    head = toks[j]
    if head.low not in DESCRIPTION_HEADS:
        return None
    k = j
    while k - 1 >= 0 and wordlike(toks[k - 1]) and j - k < 6:
        w = toks[k - 1].low
        if w in {"the", "a", "an", "another", "one"}:
            k -= 1
            break
        if w in SPEECH_VERBS or w in {"and", "or", "but", "that", "which", "who", "as", "of", "to", "in", "on"}:
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
    return SpeakerPhrase(
        words[0].start, words[-1].end, "description", desc, organization=organization, person=head.low in PERSON_HEADS
    )


def _appositive(text: str, toks: list[Token], comma: int) -> SpeakerPhrase | None:
    """``NAME, a ROLE for ORG, said``."""
    k = comma - 1
    while k >= 0 and toks[k].text != "," and comma - k <= 24:
        if toks[k].text in QUOTES or toks[k].text in ".;:!?()":
            return None
        k -= 1
    if k < 0 or toks[k].text != ",":
        return None
    role_toks = toks[k + 1 : comma]
    if not role_toks:
        return None
    # "Jane Doe, a spokeswoman for …, said"; "Joe Maloy, a Republican from Concord, said"
    introduced = role_toks[0].low in {"a", "an", "the", "former", "one"} and len(role_toks) >= 2
    if not (APPOSITIVE_ROLES.intersection(w.low for w in role_toks) or introduced):
        return None
    end = k - 1
    if end >= 2 and toks[end].text == ")" and toks[end - 2].text == "(":
        end -= 3  # "State Rep. Wendy Nanney (R), a leader of …, said"
    if end < 0 or not (is_capitalised(toks[end].text)):
        return None
    named = _name_run_left(text, toks, end)
    if named is None or named.kind != "named":
        return None
    if not APPOSITIVE_ROLES.intersection(w.low for w in role_toks) and (
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


def right_source(text: str, toks: list[Token], j: int, according: bool) -> SpeakerPhrase | None:
    """The source after ``according to`` or an inverted cue ('…," said the senator')."""
    if j >= len(toks) or not wordlike(toks[j]):
        return None
    t = toks[j]
    if not according and t.low in PRONOUN_GENDERS and (j + 1 >= len(toks) or not wordlike(toks[j + 1])):
        return SpeakerPhrase(t.start, t.end, "pronoun", t.low)
    k = j
    the = None
    if toks[k].low in {"the", "a", "an"}:
        the = toks[k]
        k += 1
    end = k
    while end < len(toks) and wordlike(toks[end]) and end - k < 8:
        w = toks[end]
        if (
            is_capitalised(w.text)
            or w.low in NAME_PARTICLES
            and end > k
            or w.low in DESCRIPTION_HEADS
            or w.low in ROLE_HEADS
        ):
            end += 1
            continue
        # modifiers inside a description, or a lowercase title before a name ("researcher X")
        if (the is not None or (end == k and not according)) and (
            w.low.isalpha()
            and w.low not in SPEECH_VERBS
            and w.low not in {"and", "or", "that", "which", "who", "on", "in", "at", "to", "from", "with", "as"}
        ):
            end += 1
            continue
        break
    words = toks[k:end]
    while words and words[-1].low in NAME_PARTICLES:
        words.pop()
    if not words:
        return None
    if according:
        follower = toks[end] if end < len(toks) else None
        if (
            follower is not None
            and wordlike(follower)
            and follower.text[:1].islower()
            and follower.low not in FOLLOWERS
            and not (len(words) == 1 and ACRONYM.fullmatch(words[-1].text))
            and words[-1].low not in DESCRIPTION_HEADS | REPORT_NOUNS
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
        src = split_named(text, run, the if not title else None)
        if src is None:
            return None
        if title:
            src.role = _span(text, title[0], title[-1]) + (f" {src.role}" if src.role else "")
            src.start = (the or title[0]).start
            src.person = True
        return src
    # a description: "the Texas senator", "a Washington Post analysis", "a spokesman for X"
    if last.low in REPORT_NOUNS:
        caps = [w for w in words if is_capitalised(w.text)]
        if not caps:
            return None
        org = _span(text, caps[0], caps[-1])
        desc = _the_lower(_span(text, the or words[0], last))
        return SpeakerPhrase(
            (the or words[0]).start,
            last.end,
            "description",
            desc,
            organization=f"the {org}" if not ACRONYM.fullmatch(org) else org,
        )
    if last.low not in DESCRIPTION_HEADS:
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
            and wordlike(toks[org_end])
            and (is_capitalised(toks[org_end].text) or toks[org_end].low in {"of"})
        ):
            org_end += 1
        if org_end > m:
            org = _span(text, org_the or toks[m], toks[org_end - 1])
            desc = _the_lower(_span(text, start_tok, toks[org_end - 1]))
            return SpeakerPhrase(
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
    return SpeakerPhrase(
        start_tok.start,
        last.end,
        "description",
        _the_lower(_span(text, start_tok, last)),
        organization=organization,
        person=last.low in PERSON_HEADS,
    )
