"""Turn a fetched HTML body into text, choosing the charset the page is really in.

Order of evidence: a byte-order mark, the HTTP header's charset, a `<meta>` charset in the first
4 KB, then detection. Declarations are trusted except where they are commonly wrong: a page that
declares a Western single-byte charset (iso-8859-1, windows-1252, ascii) but does not read as one
(Vietnamese in windows-1258 or Arabic in windows-1256 labelled latin-1 by a misconfigured server)
is detected instead, and so is a page whose declared charset cannot decode it at all.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["DecodedText", "decode_html", "decode_stored"]

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_WESTERN = frozenset({"ascii", "latin-1", "iso8859-1", "cp1252"})  # Python's canonical names
_META = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_SAMPLE = 64 * 1024  # enough text to judge a charset by, without scoring a whole 10 MB page
_MESS_FITS = 0.1  # charset_normalizer's mess ratio below which Western text reads as intended
_MARGIN = 0.1  # how much less messy another charset must be to overrule a declaration
_FEW = 16  # non-ASCII bytes needed before a Western declaration can be overruled


@dataclass
class DecodedText:
    text: str
    charset: str  # Python codec name, e.g. "utf-8", "cp1252", "cp1258"
    method: str  # "header" | "meta" | "bom" | "detected"


def decode_html(body: bytes, declared_charset: str | None) -> DecodedText:
    """Decode `body`; `declared_charset` is the charset parameter of the Content-Type header."""
    for bom, charset in _BOMS:
        if body.startswith(bom):
            return _decoded(body[len(bom) :], charset, "bom")
    for charset, method in ((_codec(declared_charset), "header"), (_meta_charset(body), "meta")):
        if charset is not None and _fits(body, charset):
            return _decoded(body, _whatwg(charset, body), method)
    return _detect(body)


def decode_stored(body: bytes, charset: str | None) -> str:
    """The text `decode_html` made of a stored body when it chose `charset` (recorded by the
    stage that decoded it), for a stage that reads the body again: decoded afresh without the
    HTTP header, detection may choose another (ISO-8859-7 Greek detects as windows-1253)."""
    if charset is not None and not body.startswith(tuple(bom for bom, _ in _BOMS)):  # a BOM decides alone
        try:
            return _decoded(body, charset, "recorded").text
        except LookupError:
            pass  # a codec this Python lacks: decide again
    return decode_html(body, None).text


def _codec(label: str | None) -> str | None:
    """Python's canonical codec name for a charset label, or None if unknown or not text."""
    if not label:
        return None
    try:
        info = codecs.lookup(label.strip().strip("\"'"))
    except LookupError:
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def _meta_charset(body: bytes) -> str | None:
    match = _META.search(body[:4096])
    if match is None:
        return None
    charset = _codec(match.group(1).decode("ascii"))
    # A <meta> readable as ASCII cannot be in UTF-16; browsers read such pages as UTF-8.
    if charset is not None and charset.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return charset


_UNICODE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def looks_binary(body: bytes) -> bool:
    """NUL never appears in 8-bit or UTF-8 text; without a UTF-16/32 BOM such bytes are binary
    (an image, a PDF, an archive), whatever their Content-Type says."""
    return b"\x00" in body and not body.startswith(_UNICODE_BOMS)


def _whatwg(charset: str, body: bytes) -> str:
    # Browsers read latin-1 and ascii labels as windows-1252, and so do the pages' authors.
    if charset in _WESTERN and not body.isascii():
        return "cp1252"
    return charset


def _fits(body: bytes, charset: str) -> bool:
    if charset not in _WESTERN:
        try:
            body.decode(charset)
        except UnicodeDecodeError:
            # A stray bad byte in a long page is a typo, not a wrong declaration.
            bad = body.decode(charset, errors="replace").count("\ufffd")
            return bad <= len(body) // 1000
        return True
    if body.isascii():
        return True
    sample = body[:_SAMPLE]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return False  # non-ASCII that is valid UTF-8 is UTF-8 mislabelled, not Latin text
    text = sample.decode("cp1252", errors="replace")
    if "\ufffd" in text:
        return False  # bytes windows-1252 leaves undefined: some other single-byte charset
    if sum(byte >= 0x80 for byte in sample) < _FEW:
        return True  # too little to judge by; detection on a few bytes is a guess
    mess = _mess_ratio(text)
    if mess < _MESS_FITS:
        return True
    best = _best_guess(sample)
    return best is None or best.encoding in _WESTERN or best.chaos + _MARGIN > mess


def _detect(body: bytes) -> DecodedText:
    best = _best_guess(body)
    charset = _codec(best.encoding) if best is not None else None
    return _decoded(body, charset or "utf-8", "detected")


def _decoded(body: bytes, charset: str, method: str) -> DecodedText:
    text = body.decode(charset, errors="replace")
    if charset == "cp1258":
        # windows-1258 writes most Vietnamese letters as base + combining tone mark; downstream
        # language detection, search and alignment expect the composed form.
        text = unicodedata.normalize("NFC", text)
    return DecodedText(text=text, charset=charset, method=method)


def _mess_ratio(text: str) -> float:
    from charset_normalizer.md import mess_ratio

    return mess_ratio(text, maximum_threshold=1.0)


def _best_guess(body: bytes):
    from charset_normalizer import from_bytes

    return from_bytes(body).best()
