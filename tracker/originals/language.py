"""Language of a text, and how far to trust it: `detected`, `uncertain` or `undetermined`.

langdetect (seeded, so the same text always gets the same answer) is the primary detector. It
knows 55 languages and answers one of them for any text, often with probability 1.0: isiZulu comes
back as Swahili, Icelandic as Norwegian, short Chinese as Korean. So its answer is `detected` only
when nothing speaks against it:

- the text is long enough (langdetect's accuracy drops below 95% under MIN_CHARS letters, measured
  by bench/language_eval.py on lingua's public test set);
- a second opinion agrees: lingua, which knows 75 languages (isiZulu, isiXhosa, Icelandic,
  Bosnian, Malay, Nynorsk... that langdetect does not), in its low-accuracy mode (0.3 s to load,
  about 90 MB; its models ship inside the wheel: no network);
- the script of the text is one the language is written in (Han text is not Korean);
- the language the page declares, if any, is the same language, unless both detectors agree with
  certainty on a whole page (templates often declare one language for pages in several).

Otherwise the answer is kept but `uncertain`, with the reasons; a text with no letters is
`undetermined`. Codes are the ones Argos Translate's packages use (ARGOS_CODES).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

DETECTED, UNCERTAIN, UNDETERMINED = "detected", "uncertain", "undetermined"
SECOND_OPINION = "lingua (low-accuracy mode)"

# Below this many letters langdetect is right less than 95% of the time (bench/language_eval.py:
# 0.905 at 20-29 letters, 0.971 at 30-39, on lingua's test set in langdetect's own languages).
MIN_CHARS = 30

# A declared language is overruled by both detectors agreeing on at least this many letters.
OVERRULE_DECLARED_LETTERS = 200

# Detector codes -> the codes Argos Translate's package index uses (tests check them against a
# copy of the index). langdetect says `no` for Norwegian Bokmål and names Chinese by script;
# some pages and detectors use the withdrawn ISO 639-1 codes `iw` and `in`.
ARGOS_CODES = {
    "no": "nb",
    "zh-cn": "zh",
    "zh-tw": "zt",
    "iw": "he",
    "in": "id",
    "ji": "yi",
    "fil": "tl",
}

# The languages langdetect 1.0.9's profiles know, as Argos codes.
LANGDETECT_LANGUAGES = frozenset(
    "af ar bg bn ca cs cy da de el en es et fa fi fr gu he hi hr hu id it ja kn ko lt lv mk ml mr ne "
    "nl nb pa pl pt ro ru sk sl so sq sv sw ta te th tl tr uk ur vi zh zt".split()
)

# Languages written in something other than the Latin script (the default).
_SCRIPTS = {
    "CYRILLIC": "ru uk bg mk sr be kk ky mn tg tt ba cv ce os sah bs",
    "ARABIC": "ar fa ur ps ug ku ckb sd arz azb pnb",
    "GREEK": "el",
    "HEBREW": "he yi",
    "DEVANAGARI": "hi mr ne sa bh mai new bho",
    "BENGALI": "bn as bpy",
    "GURMUKHI": "pa",
    "GUJARATI": "gu",
    "ORIYA": "or",
    "TAMIL": "ta",
    "TELUGU": "te",
    "KANNADA": "kn",
    "MALAYALAM": "ml",
    "SINHALA": "si",
    "THAI": "th",
    "LAO": "lo",
    "KHMER": "km",
    "MYANMAR": "my",
    "TIBETAN": "bo",
    "GEORGIAN": "ka",
    "ARMENIAN": "hy",
    "ETHIOPIC": "am ti",
    "HANGUL": "ko",
    "CJK": "zh zt ja ko yue wuu",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
}
_LANGUAGES_BY_SCRIPT = {script: frozenset(codes.split()) for script, codes in _SCRIPTS.items()}
_NON_LATIN = frozenset().union(*_LANGUAGES_BY_SCRIPT.values()) - {"sr", "bs", "ku", "az", "uz"}

# ISO 639-1 (2025), for validating declared language tags.
_ISO_639_1 = frozenset(
    "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de "
    "dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia "
    "id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo "
    "lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl "
    "ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk "
    "tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu".split()
) | {"iw", "in", "ji"}  # withdrawn codes, still seen on pages
# ISO 639-2/3 codes of those languages a page may declare instead (B and T forms).
_ISO_639_3 = {
    "afr": "af", "ara": "ar", "aze": "az", "bel": "be", "ben": "bn", "bos": "bs", "bul": "bg",
    "cat": "ca", "ces": "cs", "cze": "cs", "cym": "cy", "wel": "cy", "dan": "da", "deu": "de",
    "ger": "de", "ell": "el", "gre": "el", "eng": "en", "epo": "eo", "spa": "es", "est": "et",
    "eus": "eu", "baq": "eu", "fas": "fa", "per": "fa", "fin": "fi", "fra": "fr", "fre": "fr",
    "gle": "ga", "glg": "gl", "guj": "gu", "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu",
    "hye": "hy", "arm": "hy", "ind": "id", "isl": "is", "ice": "is", "ita": "it", "jpn": "ja",
    "kat": "ka", "geo": "ka", "kaz": "kk", "kor": "ko", "lat": "la", "lit": "lt", "lav": "lv",
    "mkd": "mk", "mac": "mk", "mar": "mr", "msa": "ms", "may": "ms", "nld": "nl", "dut": "nl",
    "nob": "nb", "nno": "nn", "nor": "no", "pan": "pa", "pol": "pl", "por": "pt", "ron": "ro",
    "rum": "ro", "rus": "ru", "slk": "sk", "slo": "sk", "slv": "sl", "som": "so", "sqi": "sq",
    "alb": "sq", "srp": "sr", "swe": "sv", "swa": "sw", "tam": "ta", "tel": "te", "tha": "th",
    "tgl": "tl", "fil": "tl", "tur": "tr", "ukr": "uk", "urd": "ur", "vie": "vi", "xho": "xh",
    "yor": "yo", "zho": "zh", "chi": "zh", "zul": "zu", "cmn": "zh",
}  # fmt: skip
# Regions and scripts that make a different Argos language (Traditional Chinese).
_TRADITIONAL = re.compile(r"^zh[-_](hant|tw|hk|mo)\b", re.I)


def argos_code(code: str | None) -> str | None:
    """A detector's or a page's language code as Argos Translate's packages name it."""
    if not code:
        return None
    code = code.lower()
    return ARGOS_CODES.get(code, code)


def language_tag_code(tag: str | None) -> str | None:
    """The language of a BCP 47 tag (`en-GB`, `zh-Hant-TW`, `pt_BR`, `deu`) as an Argos code, or
    None when the tag is no language: `utf-8`, `x-default`, `und`, empty, or unknown to ISO 639."""
    if not tag:
        return None
    tag = tag.strip()
    if _TRADITIONAL.match(tag):
        return "zt"
    primary = re.split(r"[-_]", tag, maxsplit=1)[0].lower()
    if primary in _ISO_639_1:
        return argos_code(primary)
    if primary in _ISO_639_3:
        return argos_code(_ISO_639_3[primary])
    return None


@dataclass(frozen=True)
class DetectedLanguage:
    code: str | None  # Argos code, None when the text gives no clue
    probability: float


@dataclass(frozen=True)
class LanguageStatus:
    """The language of a text and how far to trust it, with the evidence."""

    code: str | None  # langdetect's answer (Argos code), kept even when uncertain
    probability: float  # langdetect's probability for it
    status: str  # detected, uncertain or undetermined
    reasons: tuple[str, ...] = ()  # why uncertain/undetermined: too_short, disagreement, script, declared
    evidence: dict = field(default_factory=dict)


def detect_language(text: str, seed: int = 0) -> DetectedLanguage:
    """langdetect's best answer alone (see language_status for how far to trust it)."""
    from langdetect.lang_detect_exception import LangDetectException

    from tracker.originals.ngram_detect import detect_langs  # langdetect's, to the bit, in a third of the CPU

    try:
        # langdetect's cost grows with the text; 5,000 characters decide the language as well
        # as 20,000 did on the shared corpus, at 60% of the time.
        lang, probability = detect_langs(text[:5_000], seed)[0]
    except LangDetectException:
        return DetectedLanguage(None, 0.0)
    return DetectedLanguage(argos_code(lang), round(probability, 4))


def second_opinion(text: str) -> DetectedLanguage:
    """lingua's answer on the same text (low-accuracy mode: its trigram models, all 75 languages;
    models ship inside the wheel, nothing is downloaded)."""
    # lingua's cost grows with the text (13 ms CPU on 5,000 characters); 2,000 characters is more
    # than the 10-sentence pages bench/language_eval.py measures its agreement on.
    text = text[:2_000]
    if not text.strip():
        return DetectedLanguage(None, 0.0)
    values = _lingua_detector().compute_language_confidence_values(text)
    if not values or values[0].value <= 0:
        return DetectedLanguage(None, 0.0)
    best = values[0]
    return DetectedLanguage(argos_code(best.language.iso_code_639_1.name.lower()), round(best.value, 4))


@cache
def _lingua_detector():
    from lingua import LanguageDetectorBuilder

    # Low-accuracy mode loads 90 MB in 0.3 s where the full models take 1.3 GB and 12 s
    # (bench/language_eval.py); on a whole page it answers as well, and short texts are
    # `uncertain` whatever it says.
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def letter_counts(text: str) -> dict[str, int]:
    """How often each letter stands in the first 5,000 characters of `text`, first seen first."""
    return {char: times for char, times in Counter(text[:5_000]).items() if char.isalpha()}


def dominant_script(text: str, letters: dict[str, int] | None = None) -> str | None:
    """The Unicode script of most of the letters in `text` (LATIN, CYRILLIC, CJK, HANGUL...)."""
    counts: dict[str, int] = {}
    for char, times in (letter_counts(text) if letters is None else letters).items():  # max breaks ties by order
        script = _script(char)
        counts[script] = counts.get(script, 0) + times
    if not counts:
        return None
    return max(counts, key=counts.get)


@cache
def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else ""


def script_fits(code: str, text: str, script: str | None) -> bool:
    """Whether `text`, mostly in `script`, can be in language `code`."""
    if script is None:
        return True
    sample = text[:5_000]
    if code == "ko":  # Korean text has Hangul even where it quotes Chinese characters
        return any("\uac00" <= char <= "\ud7a3" for char in sample)
    if code == "ja":  # Japanese text has kana
        return any("\u3040" <= char <= "\u30ff" for char in sample)
    if script == "LATIN":
        return code not in _NON_LATIN
    return code in _LANGUAGES_BY_SCRIPT.get(script, frozenset())


def _same_language(a: str | None, b: str | None) -> bool:
    # langdetect names Chinese by script, lingua does not; `no` (a page's declared language) is
    # Norwegian, and langdetect's Norwegian is Bokmål. Nynorsk stays a language of its own.
    families = {"no": "nb", "zt": "zh"}
    return a is not None and b is not None and families.get(a, a) == families.get(b, b)


def language_status(text: str, *, declared: str | None = None, seed: int = 0) -> LanguageStatus:
    """langdetect's answer on `text` and whether it is `detected`, `uncertain` or `undetermined`."""
    counts = letter_counts(text)
    letters = sum(counts.values())
    script = dominant_script(text, counts)
    primary = detect_language(text, seed=seed) if letters else DetectedLanguage(None, 0.0)
    evidence: dict = {
        "langdetect": {"code": primary.code, "probability": primary.probability},
        "declared": declared,
        "script": script.title() if script else None,
        "letters": letters,
    }
    if primary.code is None:
        return LanguageStatus(None, 0.0, UNDETERMINED, ("no_text",), evidence)
    other = second_opinion(text)
    evidence["second_opinion"] = {"detector": SECOND_OPINION, "code": other.code, "probability": other.probability}
    reasons = []
    if letters < MIN_CHARS:
        reasons.append("too_short")
    if not _same_language(primary.code, other.code):
        reasons.append("disagreement")
    if not script_fits(primary.code, text, script):
        reasons.append("script")
    if declared is not None and not _same_language(primary.code, declared):
        # A page template often declares one language for pages in several; when both detectors
        # agree with certainty on a whole page, the declaration is the mistake (kept as evidence).
        if reasons or letters < OVERRULE_DECLARED_LETTERS or primary.probability < 0.99:
            reasons.append("declared")
        else:
            evidence["declared_overruled"] = True
    status = UNCERTAIN if reasons else DETECTED
    return LanguageStatus(primary.code, primary.probability, status, tuple(reasons), evidence)
