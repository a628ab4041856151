"""Language statuses (tracker.originals.language) on real text with the real detectors: langdetect,
and lingua as the second opinion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.originals.extract import declared_language
from tracker.originals.language import (
    ARGOS_CODES,
    DETECTED,
    LANGDETECT_LANGUAGES,
    MIN_CHARS,
    OVERRULE_DECLARED_LETTERS,
    UNCERTAIN,
    UNDETERMINED,
    argos_code,
    language_status,
    language_tag_code,
    script_fits,
)

FIXTURES = Path(__file__).parent / "fixtures"


def page(code: str) -> str:
    """A page-length text: ten real sentences in `code` (see fixtures/language/README.md)."""
    return (FIXTURES / "language" / f"{code}.txt").read_text(encoding="utf-8")


# Not Malay: lingua too reads standard Malay as Indonesian (docs/language.md).
@pytest.mark.parametrize("code", ["zu", "xh", "is", "nn", "bs"])
def test_a_language_langdetect_does_not_know_is_never_detected_as_another(code):
    assert code not in LANGDETECT_LANGUAGES
    status = language_status(page(code))
    assert status.code != code  # langdetect cannot name it...
    assert status.status == UNCERTAIN  # ...so its answer is not trusted
    assert "disagreement" in status.reasons
    assert status.evidence["second_opinion"]["code"] == code


@pytest.mark.parametrize("code", ["en", "fr", "de", "ko", "zh", "vi", "nb", "ru"])
def test_a_page_in_a_language_langdetect_knows_is_detected(code):
    status = language_status(page(code))
    assert (status.code, status.status, status.reasons) == (code, DETECTED, ())
    assert status.evidence["langdetect"]["code"] == status.evidence["second_opinion"]["code"] == code


def test_norwegian_is_stored_with_argos_code_nb():
    assert argos_code("no") == "nb"
    assert language_status(page("nb")).code == "nb"


def test_short_text_is_uncertain_even_when_both_detectors_agree():
    short = "The government said on Monday"
    assert sum(c.isalpha() for c in short) < MIN_CHARS
    status = language_status(short)
    assert (status.code, status.status, status.reasons) == ("en", UNCERTAIN, ("too_short",))


def test_short_chinese_is_never_detected_as_korean():
    for text in ["北京时间今天上午", "中国国家主席习近平", "今天天气很好我们去公园散步吧"]:
        status = language_status(text)
        assert not (status.code == "ko" and status.status == DETECTED), (text, status)


def test_script_contradiction():
    assert not script_fits("ko", "中国国家主席习近平今天在北京会见了来访的外国领导人", "CJK")
    assert script_fits("ko", "서울시는 29일 中國 관련 발표를 했다", "HANGUL")
    assert not script_fits("ru", "The government said", "LATIN")
    assert not script_fits("en", "Правительство заявило", "CYRILLIC")
    assert script_fits("sr", "Vlada je saopštila", "LATIN") and script_fits("sr", "Влада је саопштила", "CYRILLIC")


def test_a_declared_language_that_contradicts_the_text_makes_it_uncertain():
    paragraph = page("en").splitlines()[0] + " " + page("en").splitlines()[1]
    assert sum(c.isalpha() for c in paragraph) < OVERRULE_DECLARED_LETTERS
    status = language_status(paragraph, declared="fr")
    assert (status.code, status.status, status.reasons) == ("en", UNCERTAIN, ("declared",))
    assert status.evidence["declared"] == "fr"
    assert language_status(page("nb"), declared="no").status == DETECTED  # `no` is Norwegian


def test_a_whole_page_both_detectors_agree_on_overrules_a_wrong_declaration():
    # Page templates declare one language for pages in several (a French article on a page
    # declaring English in the shared corpus): two detectors agreeing on a page outvote it.
    status = language_status(page("fr"), declared="en")
    assert (status.code, status.status) == ("fr", DETECTED)
    assert status.evidence["declared_overruled"] is True
    # ...but not a detector answering a language the page does not declare on its own.
    assert language_status(page("zu"), declared="zu").reasons == ("disagreement", "declared")


@pytest.mark.parametrize("text", ["", "   \n ", "123 456 — 7.8%", "🙂🙂 ++"])
def test_no_letters_is_undetermined(text):
    status = language_status(text)
    assert (status.code, status.status) == (None, UNDETERMINED)


def test_evidence_names_both_detectors_the_declared_language_and_the_script():
    status = language_status(page("zu"), declared="zu")
    evidence = status.evidence
    assert evidence["langdetect"]["code"] == status.code and evidence["langdetect"]["probability"] > 0
    assert evidence["second_opinion"]["detector"].startswith("lingua")
    assert (evidence["declared"], evidence["script"]) == ("zu", "Latin")
    assert json.loads(json.dumps(evidence)) == evidence


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("en", "en"),
        ("EN-gb", "en"),
        ("pt_BR", "pt"),
        ("zh-CN", "zh"),
        ("zh-Hant-TW", "zt"),
        ("zh-TW", "zt"),
        ("no", "nb"),
        ("nb-NO", "nb"),
        ("deu", "de"),
        ("iw", "he"),
        ("utf-8", None),
        ("UTF-8", None),
        ("x-default", None),
        ("und", None),
        ("", None),
        (None, None),
        ("xx", None),
        ("english", None),
    ],
)
def test_declared_language_tags_are_validated(tag, code):
    assert language_tag_code(tag) == code


def test_a_content_language_meta_of_utf_8_declares_nothing():
    html = '<html><head><meta http-equiv="Content-Language" content="utf-8"></head><body>x</body></html>'
    assert declared_language(html) is None
    html = '<html lang="x-default"><head><meta http-equiv="content-language" content="de-AT"></head></html>'
    assert declared_language(html) == "de"
    assert declared_language('<html lang=""><body></body></html>') is None
    assert declared_language('<html lang="ko-KR"><body></body></html>') == "ko"


def test_detector_codes_map_to_the_codes_of_argos_package_index():
    index = json.loads((FIXTURES / "argos_index_codes.json").read_text(encoding="utf-8"))
    argos = {p["from_code"] for p in index["packages"]} | {p["to_code"] for p in index["packages"]}
    # Every mapped code is one Argos uses: Norwegian is nb, Chinese zh and zt.
    assert {ARGOS_CODES["no"], ARGOS_CODES["zh-cn"], ARGOS_CODES["zh-tw"]} == {"nb", "zh", "zt"}
    assert set(ARGOS_CODES.values()) - {"yi"} <= argos  # Argos has no Yiddish package (yet)
    # Every language Argos translates from that langdetect knows comes out under Argos's code.
    from langdetect import detector_factory

    detector_factory.init_factory()
    langdetect_codes = {argos_code(code) for code in detector_factory._factory.langlist}
    assert langdetect_codes == LANGDETECT_LANGUAGES
    assert "no" not in langdetect_codes and {"nb", "zh", "zt"} <= langdetect_codes & argos
    # Argos's Brazilian Portuguese (pb) and languages langdetect lacks are the only ones it cannot name.
    assert argos - langdetect_codes <= {"pb", "az", "eo", "eu", "ga", "gl", "ky", "ms"}


def _langdetect_own(text: str, seed: int):
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = seed
    try:
        return [(found.lang, found.prob) for found in detect_langs(text)]
    except LangDetectException as error:
        return error.code


@pytest.mark.parametrize("seed", [0, 3])
def test_tracker_s_langdetect_gives_langdetect_s_own_answer_to_the_last_bit(seed):
    from langdetect.lang_detect_exception import LangDetectException

    from tracker.originals.ngram_detect import detect_langs

    texts = [page(path.stem) for path in sorted((FIXTURES / "language").glob("*.txt"))]
    texts += [path.read_text(encoding="utf-8") for path in sorted((FIXTURES / "pages").glob("*.html"))]
    texts += [
        "",
        "  \n 42 ",
        "see https://example.com/a?b=1 or write to press@example.org",
        "NATO and the IMF MET in NEW YORK, the UN said",
        "Tie\u0302\u0301ng Vie\u0323\u0302t co\u0301 da\u0302\u0301u",  # combining marks, normalised as langdetect does
        "東京は日本の首都です。カタカナ",
        "세계 뉴스 한국어 텍스트",
        "مرحبا بالعالم هذا نص عربي ی",
        "Ce texte mélange le français and some English words, ĂŞ ș ț",
    ]
    for text in texts:
        try:
            ours = detect_langs(text[:5_000], seed)
        except LangDetectException as error:
            ours = error.code
        assert ours == _langdetect_own(text[:5_000], seed), text[:80]


def test_worker_threads_detecting_at_once_get_the_answers_of_one_thread(monkeypatch):
    # The n-gram rows are one array shared by the process; threads that meet new n-grams at the
    # same time must not write each other's rows.
    from concurrent.futures import ThreadPoolExecutor

    from tracker.originals import ngram_detect

    texts = [page(path.stem) for path in sorted((FIXTURES / "language").glob("*.txt"))]
    alone = [ngram_detect.detect_langs(text[:5_000], 0) for text in texts]
    monkeypatch.setattr(ngram_detect, "_rows", ngram_detect._Rows())  # every n-gram new again
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda text: ngram_detect.detect_langs(text[:5_000], 0), texts * 4))
    assert together == alone * 4
