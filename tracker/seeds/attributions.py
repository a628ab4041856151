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

from tracker.seeds.cues import (
    BE,
    CLAUSE_STARTS,
    INVERTIBLE,
    LABELS,
    NOUNLIKE,
    OTHER_SENSES,
    PASSIVE_VERBS,
    PROGRESSIVE,
    QUOTES,
    REPORT_NOUNS,
    SPEECH_VERBS,
    SPOKES,
    Token,
    tokenize,
    wordlike,
)
from tracker.seeds.names import (
    HONORIFICS,
    NOT_NAMES,
    PERSON_HEADS,
    description_antecedent,
    fuller_mention,
    inside_quote,
    is_capitalised,
    name_mentions,
    pronoun_antecedent,
)
from tracker.seeds.speakers import SpeakerPhrase, left_source, right_source, split_named
from tracker.sentences import TextSpan, split_sentences

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


# Verbs whose subject may be read inverted after a quote: '"…," said the senator'.
# Verbs read inverted after a quote or clause ('"…," said the senator'); not those that take an
# object ("…, told the Times", "…, emailed Ms. Abedin").
# Cue words that are also nouns ("earnings reports came out"): read as a cue only before what
# starts a clause or names someone.
# Verbs with a common sense that is not saying ("Clinton maintains a lead", "users Twitter added",
# "casinos reported $2 billion"): a cue only before "that", a quote or punctuation.
# "Kasich is telling a crowd that …": a progressive cue after is/was.
# Heads of a description that can speak: "the GOP presidential candidate", "a spokesman for X".


def find_attributions(text: str) -> list[Attribution]:
    """Every attribution in ``text`` in the forms of ``docs/attributions.md``, sorted by offset."""
    sentences = split_sentences(text)
    raw: list[tuple[SpeakerPhrase, str, str, int, int, tuple[int, int] | None, int]] = []
    for si, sentence in enumerate(sentences):
        toks = tokenize(text, sentence.start, sentence.end)
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


def _in_sentence(text: str, sentence: TextSpan, toks: list[Token]):
    if not toks:
        return
    colon = _colon(text, sentence, toks)
    if colon is not None:
        yield colon
    lowered = [t.low for t in toks]
    for i, t in enumerate(toks):
        low = lowered[i]
        if low == "according" and i + 1 < len(toks) and lowered[i + 1] == "to":
            src = right_source(text, toks, i + 2, according=True)
            if src is not None:
                content = _content_around(text, sentence, toks, i, src.end)
                yield src, "according to", "according to", t.start, toks[i + 1].end, content
        elif low == "by" and i > 0 and (lowered[i - 1] in PASSIVE_VERBS or lowered[i - 1] in REPORT_NOUNS):
            found = _passive(text, sentence, toks, i)
            if found is not None:
                yield found
        elif (low in SPEECH_VERBS or (low in PROGRESSIVE and i > 0 and lowered[i - 1] in BE)) and t.text.islower():
            if _byline_or_idiom(toks, i):
                continue
            src = left_source(text, toks, i)
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
            if low in INVERTIBLE and i > 0 and toks[i - 1].text in ",”\"'’":
                src = right_source(text, toks, i + 1, according=False)
                if src is not None:
                    content = _quote_before(text, sentence, toks[i - 1].end)
                    yield src, low, "speech verb", t.start, t.end, content


def _byline_or_idiom(toks: list[Token], i: int) -> bool:
    low = toks[i].low
    prev = toks[i - 1].low if i > 0 else ""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if low in {"reported", "reports", "writes", "wrote"} and nxt and nxt.low in {"from", "for"}:
        return True  # "Costa reported from Washington", "Williams reports for the BBC"
    if low in {"told", "tells"}:
        if prev in {"all", "i'm", "i’m", "was", "were", "been", "be", "being", "is", "are", "we're", "we’re"}:
            return True  # "All told", "I'm told", "he was told"
        if nxt is None or not wordlike(nxt):
            return True
    if low in OTHER_SENSES and nxt is not None:
        if low in {"reported", "reports"}:
            if nxt.text[:1].isdigit() or nxt.text[:1] in "$€£¥":
                return True  # "the casinos reported $2.17 billion in revenue"
        elif wordlike(nxt) and nxt.low != "that":
            return True
    if low in {"asked", "asks"} and nxt is not None:
        ahead = [t.low for t in toks[i + 1 : i + 6]]
        if "to" in ahead and "," not in ahead[: ahead.index("to")]:
            return True  # "Clinton asked Sullivan to send …": a request, not a statement
    if low in NOUNLIKE and not (
        nxt is None
        or nxt.text in {",", ".", ":", ";", "“", '"'}
        or is_capitalised(nxt.text)
        or nxt.low in CLAUSE_STARTS
        or re.match(r"(?:he|she|it|they|we|i|you)(?:['’]|$)", nxt.low)
    ):
        return True  # "earnings reports came out"
    # a passive ("he was told"); "by" handles the reported-by form
    return low not in PROGRESSIVE and prev in {"was", "were", "been", "be", "being", "is", "are"}


def _passive(text: str, sentence: TextSpan, toks: list[Token], i: int):
    """``was first reported by Politico``, ``a tally by the Associated Press``."""
    verb = toks[i - 1]
    if verb.low in PASSIVE_VERBS:
        aux = [t.low for t in toks[max(0, i - 4) : i - 1]]
        if not {"was", "were", "is", "are", "been", "be"}.intersection(aux):
            return None
        cue_start = verb.start
    else:
        cue_start = verb.start
    src = right_source(text, toks, i + 1, according=verb.low not in REPORT_NOUNS)
    if src is None or src.kind == "pronoun" or (src.kind == "description" and not src.organization):
        return None
    if verb.low in REPORT_NOUNS:
        content = (src.end, sentence.end) if src.end < sentence.end - 1 else None
    else:
        content = (sentence.start, _strip_end(text, sentence.start, toks[max(0, i - 3)].start))
    return src, f"{verb.low} by", "passive report", cue_start, toks[i].end, _clean(text, content)


def _colon(text: str, sentence: TextSpan, toks: list[Token]):
    """A headline or caption line ``Trump: We will win``."""
    line_start = max(text.rfind("\n", 0, sentence.start), text.rfind("\r", 0, sentence.start)) + 1
    if line_start != sentence.start:
        return None
    n = 0
    while n < len(toks) and wordlike(toks[n]) and is_capitalised(toks[n].text) and n < 4:
        n += 1
    if n == 0 or n >= len(toks) or toks[n].text != ":":
        return None
    if toks[0].low in LABELS or toks[0].low in NOT_NAMES or toks[0].low == "the" or toks[0].text.isupper():
        return None
    # A headline colon is read only for a name the text uses elsewhere: "Correction:", "The
    # Latest:" and titled sections are labels, not speakers.
    surname = toks[n - 1].text
    elsewhere = text[: sentence.start] + text[sentence.end :]
    # One capitalised word right before the surname is enough ("… Donald Trump"); a repeated
    # group of them before it backtracked quadratically over a long run of capitalised words.
    if not re.search(rf"(?<![\w.])[A-Z][\w'’-]+\s+{re.escape(surname)}\b", elsewhere):
        return None
    rest = text[toks[n].end : sentence.end].strip()
    if not rest or rest.lower().startswith(("http", "www.")):
        return None
    # A speaker's words start with a quote or a first person ("Trump: We will win"); "Sanders: Win
    # in a walk" is a section label.
    if not (rest[0] in QUOTES or re.match(r"(?:I|We|My|Our|I'm|I’m|We're|We’re)\b", rest)):
        return None
    src = split_named(text, toks[:n], None)
    if src is None or src.kind != "named":
        return None
    content = (
        toks[n].end + (len(text[toks[n].end : sentence.end]) - len(text[toks[n].end : sentence.end].lstrip())),
        sentence.end,
    )
    return src, ":", "colon", toks[n].start, toks[n].end, content


def _content_after(text: str, sentence: TextSpan, toks: list[Token], i: int) -> tuple[int, int] | None:
    j = i + 1
    if toks[i].low in {"told", "tells", "asked", "asks", "warned", "warns"}:
        # the person told: up to "that" or the next comma, at most a few words
        k = j
        while k < len(toks) and k - j < 5 and toks[k].low not in {"that", ","} and toks[k].text not in QUOTES:
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


def _quote_before(text: str, sentence: TextSpan, before: int) -> tuple[int, int] | None:
    return _clean(text, (sentence.start, before))


def _content_around(text: str, sentence: TextSpan, toks: list[Token], i: int, src_end: int) -> tuple[int, int] | None:
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


def _resolve(
    text, sentences, mentions, found: list[Attribution], source: SpeakerPhrase, cue, kind, cs, ce, content, si
):
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
        speaks_for_org = head not in PERSON_HEADS or head in SPOKES
        if source.organization and speaks_for_org:
            # "a spokesman for the Kremlin", "a Washington Post analysis": the organisation speaks
            name = source.organization
            resolved_by = "organisation" if head in SPOKES else "name in description"
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
