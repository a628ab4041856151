"""Charset choice for fetched pages, including the mislabelled ones real servers send."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from tracker.fetch.charset import decode_html

VIETNAMESE = (
    "Thủ tướng yêu cầu các bộ, ngành khẩn trương triển khai các giải pháp bảo đảm an ninh năng lượng. "
    "Theo báo cáo của Bộ Công Thương, nguồn cung xăng dầu trong nước được duy trì ổn định. "
    "Điện Kremlin cho biết Tổng thống Nga đã thảo luận với người đồng cấp về tình hình khu vực."
)
ARABIC = (
    "قال المتحدث باسم الكرملين ديمتري بيسكوف إن روسيا تتابع الوضع في المنطقة عن كثب، "
    "وأضاف أن المحادثات ستستمر خلال الأيام المقبلة بين الأطراف المعنية."
)
FRENCH = (
    "Le président a déclaré que la situation économique s'améliore à Paris, où les élèves "
    "étudient déjà. « C'est un pas en avant », a-t-il ajouté après la réunion de février."
)


def page(text: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>t</title></head><body><p>{text}</p></body></html>"


def to_cp1258(text: str) -> bytes:
    """Encode as windows-1258 does: composed base letters, tone marks as combining characters."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out.append((base + "".join(c for c in decomposed if c in tones)).encode("cp1258"))
    return b"".join(out)


def test_vietnamese_windows_1258_declared_latin1_is_detected():
    original = page(VIETNAMESE)
    decoded = decode_html(to_cp1258(original), "iso-8859-1")
    assert decoded.text == original
    assert (decoded.charset, decoded.method) == ("cp1258", "detected")


def test_arabic_windows_1256_without_declaration_is_detected():
    original = page(ARABIC)
    decoded = decode_html(original.encode("cp1256"), None)
    assert decoded.text == original
    assert (decoded.charset, decoded.method) == ("cp1256", "detected")


def test_arabic_windows_1256_declared_latin1_is_detected():
    original = page(ARABIC)
    decoded = decode_html(original.encode("cp1256"), "ISO-8859-1")
    assert decoded.text == original and decoded.method == "detected"


def test_arabic_windows_1256_declared_utf8_is_detected():
    original = page(ARABIC)
    decoded = decode_html(original.encode("cp1256"), "utf-8")
    assert decoded.text == original and decoded.method == "detected"


def test_real_latin1_page_keeps_its_declaration():
    original = page(FRENCH)
    decoded = decode_html(original.encode("latin-1"), "iso-8859-1")
    assert decoded.text == original
    assert (decoded.charset, decoded.method) == ("cp1252", "header")


@pytest.mark.parametrize(
    "text",
    [
        "Café",
        "Straße und Grüße aus München",
        "São Paulo não é a capital; coração, ações.",
        "Ísland, Þórr, Ægir og Óðinn",
        "ÀÉÎÕÜ ÇÑ",
    ],
)
def test_short_western_pages_keep_their_declaration(text):
    decoded = decode_html(page(text).encode("latin-1"), "iso-8859-1")
    assert decoded.text == page(text) and decoded.method == "header"


def test_latin1_label_reads_windows_1252_punctuation_as_browsers_do():
    original = page("“Quoted” – €5 " + FRENCH)
    decoded = decode_html(original.encode("cp1252"), "latin1")
    assert decoded.text == original and decoded.method == "header"


def test_utf8_mislabelled_latin1_is_detected_as_utf8():
    original = page(VIETNAMESE)
    decoded = decode_html(original.encode("utf-8"), "iso-8859-1")
    assert decoded.text == original
    assert (decoded.charset, decoded.method) == ("utf-8", "detected")


def test_ascii_page_declared_ascii():
    decoded = decode_html(page("plain").encode(), "us-ascii")
    assert decoded.text == page("plain") and decoded.method == "header"


def test_header_charset_is_used():
    original = page(VIETNAMESE)
    decoded = decode_html(original.encode("utf-8"), "UTF-8")
    assert decoded.text == original and (decoded.charset, decoded.method) == ("utf-8", "header")


def test_one_stray_byte_does_not_overrule_a_utf8_declaration():
    body = page(VIETNAMESE * 20).encode("utf-8").replace(b"<title>", b"<title>\xff")
    decoded = decode_html(body, "utf-8")
    assert decoded.method == "header" and VIETNAMESE in decoded.text


@pytest.mark.parametrize(
    "head",
    [
        '<meta charset="windows-1256">',
        "<meta charset=windows-1256>",
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
    ],
)
def test_meta_charset_is_used_when_the_header_has_none(head):
    original = page(ARABIC, head)
    decoded = decode_html(original.encode("cp1256"), None)
    assert decoded.text == original and (decoded.charset, decoded.method) == ("cp1256", "meta")


def test_header_wins_over_meta():
    original = page(VIETNAMESE, '<meta charset="windows-1252">')
    decoded = decode_html(original.encode("utf-8"), "utf-8")
    assert decoded.method == "header" and decoded.text == original


def test_meta_claiming_utf16_means_utf8():
    original = page(VIETNAMESE, '<meta charset="utf-16">')
    decoded = decode_html(original.encode("utf-8"), None)
    assert decoded.text == original and (decoded.charset, decoded.method) == ("utf-8", "meta")


def test_unknown_declared_charset_falls_back_to_detection():
    original = page(ARABIC)
    decoded = decode_html(original.encode("cp1256"), "x-no-such-charset")
    assert decoded.text == original and decoded.method == "detected"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_bom_wins_over_declarations(bom, codec):
    original = page(ARABIC)
    decoded = decode_html(bom + original.encode(codec), "iso-8859-1")
    assert decoded.text == original and (decoded.charset, decoded.method) == (codec, "bom")


def test_empty_body():
    decoded = decode_html(b"", None)
    assert decoded.text == "" and decoded.method == "detected"


GREEK = (
    "Σύμφωνα με το υπουργείο Άμυνας, διακόσιοι στρατιώτες στάλθηκαν στην περιοχή αυτή την εβδομάδα. "
    "Οι ενισχύσεις αναμένεται να φτάσουν στα σύνορα έως το τέλος του μήνα."
)


@pytest.mark.parametrize(
    ("body", "header"),
    [
        (page(GREEK).encode("iso8859_7"), "iso-8859-7"),  # detected alone as windows-1253
        (codecs.BOM_UTF8 + page(FRENCH).encode("utf-8"), None),
        (to_cp1258(page(VIETNAMESE)), "windows-1258"),  # composed after decoding
    ],
)
def test_a_stored_body_reads_again_as_its_extraction_read_it(body, header):
    from tracker.fetch.charset import decode_stored

    first = decode_html(body, header)
    assert decode_stored(body, first.charset) == first.text
    if header == "iso-8859-7":
        assert decode_html(body, None).text != first.text  # what reading it afresh would give
    assert decode_stored(body, "no-such-codec") == decode_html(body, None).text
