from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.sentences import TextSpan, split_long, split_sentences

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def texts(source: str) -> list[str]:
    return [s.text for s in split_sentences(source)]


def assert_offsets(source: str, sentences: list[TextSpan]) -> None:
    for s in sentences:
        assert s.text == source[s.start : s.end]
        assert s.text and s.text == s.text.strip()


@pytest.mark.parametrize("blank", ["", "   ", "\n\n\t \r\n"])
def test_empty_input_has_no_sentences(blank):
    assert split_sentences(blank) == []


def test_splits_on_full_stop_question_and_exclamation():
    assert texts("One here. Two here? Three here! Four") == ["One here.", "Two here?", "Three here!", "Four"]


def test_offsets_point_into_the_source():
    source = "  First one.   Second one?\n\n  Third  "
    sentences = split_sentences(source)
    assert_offsets(source, sentences)
    assert [(s.start, s.end) for s in sentences] == [(2, 12), (15, 26), (30, 35)]


@pytest.mark.parametrize(
    "source, expected",
    [
        ('He said "go." Then he left.', ['He said "go."', "Then he left."]),
        ("She called it “useful.” Talks went on.", ["She called it “useful.”", "Talks went on."]),
        ("It was ‘over.’ Next came more.", ["It was ‘over.’", "Next came more."]),
        ("Il a dit «non.» Puis il est parti.", ["Il a dit «non.»", "Puis il est parti."]),
        ("(This is aside.) Then main.", ["(This is aside.)", "Then main."]),
    ],
)
def test_closing_quotes_and_brackets_stay_with_their_sentence(source, expected):
    assert texts(source) == expected


def test_single_newline_and_blank_line_end_sentences():
    source = "Russian President Vladimir Putin\nRT reported the call.\n\nCaption without stop\nLast"
    assert texts(source) == [
        "Russian President Vladimir Putin",
        "RT reported the call.",
        "Caption without stop",
        "Last",
    ]


def test_crlf_line_endings():
    assert texts("Heading\r\nBody text.\r\n") == ["Heading", "Body text."]


@pytest.mark.parametrize(
    "source",
    [
        "Mr. Putin spoke to Mrs. Smith and Ms. Lee today.",
        "Dr. Jones and Prof. Brown met at St. Mark's.",
        "Martin Luther King Jr. spoke.",
        "It was Russia vs. Ukraine again.",
        "Apples, pears, etc. are fruit.",
        "Some fruit, e.g. Apples, are red.",
        "Some fruit, i.e. Apples, are red.",
        "The U.S. Army and the U.K. Navy met.",
        "He lives at No. 5 Main Street.",
        "Gen. Smith, Gov. Brown, Sen. Lee and Rep. Cole came.",
        "Col. Mustard and Lt. Dan were there.",
        "Acme Inc. Bought Widgets Ltd. And Foo Co. Too.",
        "The meeting on Jan. 5 and Feb. 6 went well.",
        "J. Smith and A. B. Jones wrote it.",
    ],
)
def test_abbreviations_do_not_end_a_sentence(source):
    assert texts(source) == [source]


def test_no_ends_a_sentence_when_it_is_a_word():
    assert texts("He said No. Then he left.") == ["He said No.", "Then he left."]


def test_decimals_and_urls_are_never_split():
    source = "Growth was 3.5 percent, see https://x.vn/a.htm?id=1.2 for more. Next one."
    assert texts(source) == ["Growth was 3.5 percent, see https://x.vn/a.htm?id=1.2 for more.", "Next one."]


def test_url_at_sentence_end_keeps_its_dots():
    assert texts("Source: https://x.vn/a.htm. Next.") == ["Source: https://x.vn/a.htm.", "Next."]


def test_terminator_runs_end_once():
    assert texts("Really?! Yes... Fine.") == ["Really?!", "Yes...", "Fine."]


def test_lowercase_continuation_after_quote_does_not_split():
    assert texts('"Really?" she asked. He nodded.') == ['"Really?" she asked.', "He nodded."]


def test_ellipsis_character():
    assert texts("Anh ấy đi Hà Nội… Rồi về.") == ["Anh ấy đi Hà Nội…", "Rồi về."]


def test_vietnamese():
    source = (
        "Tổng thống Putin lần đầu nói chuyện với lãnh đạo mới của Syria. "
        "Điện Kremlin cho biết cuộc gọi mang tính xây dựng."
    )
    assert texts(source) == [
        "Tổng thống Putin lần đầu nói chuyện với lãnh đạo mới của Syria.",
        "Điện Kremlin cho biết cuộc gọi mang tính xây dựng.",
    ]


def test_arabic_question_mark_and_full_stop():
    assert texts("هل أنت بخير؟ نعم أنا بخير. شكرا") == ["هل أنت بخير؟", "نعم أنا بخير.", "شكرا"]


def test_chinese_needs_no_space_after_terminators():
    source = "普京与叙利亚领导人通话。“我们支持叙利亚！”他说。双方同意保持联系？"
    assert texts(source) == ["普京与叙利亚领导人通话。", "“我们支持叙利亚！”", "他说。", "双方同意保持联系？"]


def test_real_seed_sentences():
    source = (SEEDS / "000_2c3edb034ccb3b0f.txt").read_text(encoding="utf-8")
    sentences = split_sentences(source)
    assert_offsets(source, sentences)
    got = [s.text for s in sentences]
    assert "Russian President Vladimir Putin" in got  # a caption line is its own sentence
    assert any(t.startswith("According to the Kremlin, Mr. Putin said") and t.endswith("of Syria.") for t in got)
    assert any(t.endswith("the Kremlin said in a statement.") for t in got)
    assert got[-2].startswith("Source: https://thanhnien.vn/") and got[-1] == "Comment (0)"


@settings(database=None, max_examples=300)
@given(st.text(alphabet=st.sampled_from(list('ab C.!?。؟…"”’)\n\t 3,;:')), max_size=80))
def test_sentences_cover_all_text_in_order(source):
    sentences = split_sentences(source)
    assert_offsets(source, sentences)
    ends = [0] + [s.end for s in sentences]
    assert all(s.start >= prev_end for s, prev_end in zip(sentences, ends))
    # Nothing but whitespace is left between or around sentences.
    covered = "".join(s.text for s in sentences)
    assert "".join(covered.split()) == "".join(source.split())


# ---------------------------------------------------------------- split_long


def test_split_long_leaves_short_sentences_alone():
    s = TextSpan("Short one.", 5, 15)
    assert split_long(s, max_chars=400) == [s]


def test_split_long_prefers_semicolon_then_comma_and_keeps_offsets():
    source = "Intro.\n" + "alpha beta gamma; delta epsilon, zeta eta theta iota."
    sentence = split_sentences(source)[1]
    pieces = split_long(sentence, max_chars=30)
    assert [p.text for p in pieces] == ["alpha beta gamma;", "delta epsilon, zeta eta theta", "iota."]
    for p in pieces:
        assert source[p.start : p.end] == p.text
        assert len(p.text) <= 30


def test_split_long_does_not_break_inside_numbers():
    sentence = TextSpan("Prices rose 1,000 percent and more", 0, 34)
    pieces = split_long(sentence, max_chars=20)
    assert [p.text for p in pieces] == ["Prices rose 1,000", "percent and more"]


def test_split_long_hard_cuts_text_without_spaces():
    sentence = TextSpan("x" * 25, 10, 35)
    pieces = split_long(sentence, max_chars=10)
    assert [(p.start, p.end) for p in pieces] == [(10, 20), (20, 30), (30, 35)]


@settings(database=None, max_examples=300)
@given(
    st.text(alphabet=st.sampled_from(list("abc ,;:.\n")), min_size=1, max_size=200),
    st.integers(min_value=1, max_value=40),
)
def test_split_long_pieces_fit_and_lose_nothing(body, max_chars):
    source = "  " + body
    for sentence in split_sentences(source):
        pieces = split_long(sentence, max_chars=max_chars)
        assert all(len(p.text) <= max_chars for p in pieces)
        assert all(source[p.start : p.end] == p.text for p in pieces)
        assert "".join("".join(p.text for p in pieces).split()) == "".join(sentence.text.split())
