"""What a seed cites: URLs (with how they were cited) and named attributions without a URL.

URLs are found as bare URLs, on ``Source:`` / ``Nguồn:`` / ``Theo …`` lines, as Markdown links, and
as links passed in from HTML seeds. Attributions are found by the phrasing around a name
("according to X", "X reported", "the X said", "Jane Doe, a spokeswoman for …, said"), never by
a list of known names. The phrasing rules are English; other scripts yield URLs only.

The rules lean towards missing a source rather than inventing one: in news text most names next
to "said" are the people the story is about, not the sources it draws on.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from tracker.seeds.files import Link
from tracker.sentences import Sentence, split_sentences
from tracker.urls import clean_cited_url, normalize_url

__all__ = ["Citation", "find_citations", "find_publisher"]


@dataclass(frozen=True)
class Citation:
    kind: str  # "url" or "attribution"
    text: str  # the span as it stands in the seed: the URL as cited, or the attributed name
    char_start: int  # text == seed[char_start:char_end]
    char_end: int
    sentence: str  # the sentence it stands in
    sentence_start: int
    sentence_end: int
    cue: str  # "Source:", "Nguồn:", "Theo", "link", "bare"; or "according to", "reported", "said", …
    name: str | None = None  # attributions: canonical name ("the Kremlin", "Dmitry Peskov")
    role: str | None = None  # attributions: "Defense Minister", "a spokesman for the Kremlin"
    url: str | None = None  # urls: cleaned URL as cited
    normalized_url: str | None = None


class _Found(NamedTuple):
    kind: str
    start: int
    end: int
    cue: str
    name: str | None = None
    role: str | None = None
    url: str | None = None
    normalized_url: str | None = None


def find_citations(text: str, links: Sequence[Link] = ()) -> list[Citation]:
    """Every URL and attribution cited in ``text``, sorted by offset, one per span."""
    found = _link_urls(text, links)
    markdown, markdown_spans = _markdown_urls(text)
    found += markdown
    found += _bare_urls(text, markdown_spans)
    found += _attributions(text)

    sentences = split_sentences(text)
    starts = [s.start for s in sentences]
    seen: set[tuple[str, int, int]] = set()
    citations = []
    # Earlier finders win a tie: an HTML link or Markdown link says more than the bare URL.
    for f in found:
        key = (f.kind, f.start, f.end)
        if key in seen:
            continue
        seen.add(key)
        sentence = _sentence_at(sentences, starts, f.start, text)
        citations.append(
            Citation(
                kind=f.kind,
                text=text[f.start : f.end],
                char_start=f.start,
                char_end=f.end,
                sentence=sentence.text,
                sentence_start=sentence.start,
                sentence_end=sentence.end,
                cue=f.cue,
                name=f.name,
                role=f.role,
                url=f.url,
                normalized_url=f.normalized_url,
            )
        )
    citations.sort(key=lambda c: (c.char_start, c.char_end, c.kind))
    return citations


def _sentence_at(sentences: list[Sentence], starts: list[int], offset: int, text: str) -> Sentence:
    i = bisect.bisect_right(starts, offset) - 1
    if i >= 0 and offset < sentences[i].end:
        return sentences[i]
    # Only reachable for an empty anchor between sentences; give it a sentence of its own.
    return Sentence("", offset, offset)


# ---------------------------------------------------------------- URLs

# Stops at whitespace, quotes, angle brackets and CJK punctuation: in CJK prose a URL is often
# followed by text with no space. Trailing prose punctuation is removed by clean_cited_url.
_URL = re.compile(r"https?://[^\s<>\"“”‘«»`{}|\\^\u3000-\u303f\uff00-\uffef]+", re.IGNORECASE)
# [anchor](url "title"); one level of parentheses inside the URL, as in Wikipedia addresses.
_MARKDOWN_LINK = re.compile(
    r"\[[^\]\n]*\]\(\s*<?(?P<url>https?://(?:[^\s()<>]|\([^\s()<>]*\))+)>?(?:\s+\"[^\"\n]*\")?\s*\)",
    re.IGNORECASE,
)
# A line that introduces its source; Markdown emphasis and list markers around the label allowed.
_LINE_CUE = re.compile(r"[\s>*_#-]*(?:(sources?|nguồn)[*_]*\s*:|(theo)\b)", re.IGNORECASE)


def _url_found(text: str, start: int, end: int, url: str, default_cue: str) -> _Found | None:
    try:
        normalized = normalize_url(url)
    except ValueError:
        return None  # relative, mailto:, host-less: not a source we can fetch
    return _Found("url", start, end, _line_cue(text, start) or default_cue, url=url, normalized_url=normalized)


def _line_cue(text: str, offset: int) -> str | None:
    line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    # NFC: Vietnamese text often arrives decomposed, and "Nguồn" must match either way.
    m = _LINE_CUE.match(unicodedata.normalize("NFC", text[line_start:offset]))
    if m is None:
        return None
    if m.group(2):
        return "Theo"
    return "Nguồn:" if m.group(1).lower() == "nguồn" else "Source:"


def _link_urls(text: str, links: Sequence[Link]) -> list[_Found]:
    found = []
    for link in links:
        f = _url_found(text, link.start, link.end, link.href.strip(), "link")
        if f is not None:
            found.append(f)
    return found


def _markdown_urls(text: str) -> tuple[list[_Found], list[tuple[int, int]]]:
    """Markdown links, and the spans of whole links so their parts are not cited again."""
    found, spans = [], []
    for m in _MARKDOWN_LINK.finditer(text):
        spans.append(m.span())
        f = _url_found(text, m.start("url"), m.end("url"), m.group("url"), "link")
        if f is not None:
            found.append(f)
    return found, spans


def _bare_urls(text: str, skip: list[tuple[int, int]]) -> list[_Found]:
    found = []
    for m in _URL.finditer(text):
        url = clean_cited_url(m.group())
        start, end = m.start(), m.start() + len(url)
        # The anchor of [https://a](https://a) is not a second citation.
        if any(s <= start and end <= e for s, e in skip):
            continue
        f = _url_found(text, start, end, url, "bare")
        if f is not None:
            found.append(f)
    return found


# ---------------------------------------------------------------- attributions


class _Word(NamedTuple):
    start: int
    end: int
    text: str


# Honorifics name someone without saying who they are; "Mr. Putin said" is news, not a source.
_HONORIFICS = frozenset({"mr", "mrs", "ms", "mx", "miss"})
# Title words: the last one before a name ends the role ("Deputy Foreign Minister | Mikhail
# Bogdanov"); abbreviated titles are written with their dot.
_ROLE_HEADS = frozenset(
    """
    president minister secretary spokesman spokeswoman spokesperson ambassador chancellor
    governor senator mayor general commander chief director chairman chairwoman envoy premier
    king queen prince emir sheikh representative official adviser advisor aide editor
    correspondent analyst professor researcher head leader ceo lieutenant colonel captain admiral
    marshal judge prosecutor attorney lawmaker congressman congresswoman speaker
    dr. prof. gen. gov. sen. rep. col. lt. capt. sgt. adm. maj.
    """.split()
)
# Words that make an appositive a role: "Jane Doe, a spokeswoman for the ministry, said".
_APPOSITIVE_ROLES = _ROLE_HEADS | frozenset(
    """
    member expert economist lawyer founder executive officer diplomat journalist reporter
    negotiator activist scholar fellow
    """.split()
)
# Lowercase words allowed inside a name, between capitalised words.
_NAME_PARTICLES = frozenset("of for de del della di da do dos das van von der den bin ibn al el la le".split())
# Capitalised words that are not names: sentence-initial pronouns, generic subjects, adverbs,
# time words. Stripped from the left of a name ("Meanwhile Reuters reported" → Reuters).
_NOT_NAMES = frozenset(
    """
    he she they it we i you this that these those there here who what one someone everyone
    officials sources analysts experts witnesses residents authorities police media critics
    observers reports others some many both meanwhile however later earlier also and but then
    so yet yesterday today tomorrow on in at after before during since when while as if
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december
    """.split()
)
# After "according to NAME" these may follow without making NAME an adjective ("according to
# Russian officials" is no name; "according to Reuters on Monday" is).
_FOLLOWERS = frozenset(
    """
    and or on in at as which who that to from by with for of the a an this last earlier late
    but when while after before said says reported told news agency citing data figures
    """.split()
)

_ACCORDING_TO = re.compile(r"\baccording to[ \t]+", re.IGNORECASE)
_THE = re.compile(r"(the)[ \t]+", re.IGNORECASE)
# A word; a trailing dot is kept only for honorifics, titles and initials (decided in _word_at).
_WORD = re.compile(r"[^\W_][\w'’-]*(\.)?")
_CLEAN_WORD = re.compile(r"[^\W_][\w'’-]*\.?")
# Verbs after a name: "reported" and friends accept any capitalised name; "said" and friends only
# organisations or people introduced with a role.
_REPORT_VERBS = frozenset({"reported", "reports", "told", "wrote"})
_SAY_VERBS = frozenset({"said", "says", "stated", "announced", "confirmed"})
_VERB = re.compile(r"(?<![\w'’-])(" + "|".join(sorted(_REPORT_VERBS | _SAY_VERBS)) + r")\b")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&]+")


def _is_capitalised(word: str) -> bool:
    # "al-Sharaa", "el-Sisi": a lowercase prefix before a hyphen does not count.
    head, hyphen, rest = word.partition("-")
    if hyphen and head.islower() and rest[:1].isupper():
        return True
    return word[:1].isupper()


def _dotted(word: str) -> bool:
    """True if a trailing dot belongs to the word: honorific, abbreviated title or initial."""
    bare = word.rstrip(".").lower()
    return bare in _HONORIFICS or f"{bare}." in _ROLE_HEADS or (len(bare) == 1 and word[0].isupper())


def _attributions(text: str) -> list[_Found]:
    found = []
    for m in _ACCORDING_TO.finditer(text):
        f = _according_to(text, m)
        if f is not None:
            found.append(f)
    for m in _VERB.finditer(text):
        f = _subject_of(text, m)
        if f is not None:
            found.append(f)
    return found


def _according_to(text: str, cue: re.Match[str]) -> _Found | None:
    pos = cue.end()
    the = _THE.match(text, pos)
    if the:
        pos = the.end()
    words: list[_Word] = []
    while True:
        m = _WORD.match(text, pos)
        if m is None:
            break
        word = m.group()
        sentence_end = bool(m.group(1)) and not _dotted(word)
        if sentence_end:
            word = word[:-1]
        lowered = word.lower()
        if lowered in _HONORIFICS or lowered.rstrip(".") in _HONORIFICS:
            return None
        if not (_is_capitalised(word) or (words and (lowered in _NAME_PARTICLES or lowered in _ROLE_HEADS))):
            break
        words.append(_Word(m.start(), m.start() + len(word), word))
        nxt = words[-1].end
        if sentence_end or text[nxt : nxt + 1] not in (" ", "\t") or text[nxt + 1 : nxt + 2].isspace():
            break
        pos = nxt + 1
    while words and not _is_capitalised(words[-1].text):
        words.pop()
    if not words or _is_possessive(words[-1].text):
        return None
    follower = re.match(r"[ \t]+([^\W\d_][\w'’-]*)", text[words[-1].end : words[-1].end + 40])
    if (
        follower
        and follower.group(1)[0].islower()
        and follower.group(1) not in _FOLLOWERS
        and not (len(words) == 1 and _ACRONYM.fullmatch(words[-1].text))
    ):
        return None  # "according to Russian officials": an adjective, not a name
    return _named(text, words, the, "according to")


def _subject_of(text: str, verb: re.Match[str]) -> _Found | None:
    cue = verb.group(1)
    line_start = max(text.rfind("\n", 0, verb.start()), text.rfind("\r", 0, verb.start())) + 1
    before = text[line_start : verb.start()]
    if not before[-1:].isspace():
        return None
    stripped = before.rstrip()
    if stripped.endswith(","):
        return _appositive(text, line_start, line_start + len(stripped) - 1, cue)

    words, the = _words_before(text, line_start, line_start + len(stripped))
    if not words or words[-1].end != line_start + len(stripped):
        return None  # the verb's subject is not a capitalised name ("which he said")
    if cue in _SAY_VERBS:
        is_acronym = the is None and len(words) == 1 and _ACRONYM.fullmatch(words[0].text)
        is_institution = the is not None and words[-1].text.lower() not in _ROLE_HEADS
        if not (is_acronym or is_institution):
            return None  # "Peskov said", "President Putin said": the story, not its source
    return _named(text, words, the, cue)


def _appositive(text: str, line_start: int, comma: int, cue: str) -> _Found | None:
    """``NAME, ROLE, said``: a person introduced with what they are."""
    first_comma = text.rfind(",", line_start, comma)
    if first_comma == -1:
        return None
    role = text[first_comma + 1 : comma].strip()
    role_words = re.findall(r"[\w'’-]+", role.lower())
    if not (0 < len(role_words) <= 12) or re.search(r"[\"“”.;:!?()]", role):
        return None
    if not _APPOSITIVE_ROLES.intersection(role_words):
        return None  # "Moscow, the Russian capital, said" names no person
    words, _the = _words_before(text, line_start, first_comma)
    if not words or words[-1].end != first_comma:
        return None
    # A title before the name ("Kremlin spokesman Dmitry Peskov, a …") is dropped for the
    # appositive, which says more.
    found = _named(text, words, None, cue)
    return found._replace(role=role) if found else None


def _words_before(text: str, line_start: int, end: int) -> tuple[list[_Word], re.Match[str] | None]:
    """The run of capitalised words ending at ``end``, and a "the" just before it, if any."""
    window_start = max(line_start, end - 300)  # names are short; bounds the work per verb
    chunks = [
        (m.start() + window_start, m.end() + window_start, m.group())
        for m in re.finditer(r"\S+", text[window_start:end])
    ]
    words: list[_Word] = []
    the = None
    for start, stop, chunk in reversed(chunks):
        if not _CLEAN_WORD.fullmatch(chunk) or (chunk.endswith(".") and not _dotted(chunk)):
            break
        lowered = chunk.lower()
        if lowered.rstrip(".") in _HONORIFICS:
            return [], None  # "Mr. Putin said"
        if lowered == "the":
            the = _THE.match(text, start)
            break
        if not (_is_capitalised(chunk) or (words and (lowered in _NAME_PARTICLES or lowered in _ROLE_HEADS))):
            break
        words.insert(0, _Word(start, stop, chunk))
    # Particles and lowercase role words only count between capitalised words.
    while words and not _is_capitalised(words[0].text):
        words.pop(0)
    # "Meanwhile Reuters reported", "On Monday RT reported": strip sentence openers.
    while words and words[0].text.lower() in _NOT_NAMES:
        words.pop(0)
        the = None
    return words, the


def _is_possessive(word: str) -> bool:
    return word.endswith(("'s", "’s", "'", "’"))


def _named(text: str, words: list[_Word], the: re.Match[str] | None, cue: str) -> _Found | None:
    """An attribution from a run of name words: split off a leading title, canonicalise "the"."""
    if not words or _is_possessive(words[-1].text):
        return None
    role = None
    heads = [i for i, w in enumerate(words[:-1]) if w.text.lower() in _ROLE_HEADS]
    if heads:
        k = heads[-1]
        role = " ".join(text[words[0].start : words[k].end].split())
        words = words[k + 1 :]
        the = None  # "the Defense Minister John Smith": the name is John Smith
        while words and not _is_capitalised(words[0].text):
            words.pop(0)
        if not words:
            return None
    elif words[-1].text.lower() in _ROLE_HEADS:
        return None  # "according to the President": a title, not a name
    if len(words) == 1 and words[0].text.lower() in _NOT_NAMES:
        return None  # "She told reporters", "Officials said"
    start = the.start() if the else words[0].start
    end = words[-1].end
    name = " ".join(text[words[0].start : end].split())
    if the:
        name = f"the {name}"
    return _Found("attribution", start, end, cue, name=name, role=role)


# ---------------------------------------------------------------- publisher

# "WASHINGTON (Reuters) -", "MOSCOW, Feb 13 (AP) —", "(Dân trí) -" at the very start.
_DATELINE_PAREN = re.compile(r"\s*(?:[A-Z][A-Z .'’-]*(?:,[^()\n]{0,30})?\s*)?\(([^()\n]{2,40})\)\s*[-–—]")
# "ALBAWABA - This was …": an all-caps word or words, then a dash.
_DATELINE_CAPS = re.compile(r"\s*([A-Z][A-Z0-9&.'’ ]{0,38}[A-Z0-9])\s+[-–—]\s")


def find_publisher(text: str) -> str | None:
    """The publisher named in a dateline at the very start of ``text``, if there is one."""
    m = _DATELINE_PAREN.match(text) or _DATELINE_CAPS.match(text)
    return m.group(1).strip() if m else None
