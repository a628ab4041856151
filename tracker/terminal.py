"""Text from seeds, pages and file names made safe to print on a terminal.

A seed or a page can hold ESC, BEL, backspace, a carriage return or a bidi override; printed raw
they clear the screen, recolour it, forge log lines or reorder what the reader sees. `shown`
escapes them as Python does (`\\x1b`, `\\r`, `\\u202e`) and keeps every printable character,
including the zero-width joiners that Persian, Indic scripts and emoji need. `json_shown` does the
same for a JSON document, whose own escaping leaves DEL, C1 controls and bidi overrides raw.
"""

from __future__ import annotations

import re

# C0 controls; then C1 controls and DEL, lone surrogates (file names that are not UTF-8, kept by
# surrogateescape), line and paragraph separators, and the bidi embeddings, overrides, isolates
# and marks that reorder a line (U+061C, U+200E-F, U+202A-E, U+2066-9).
_C0 = "\x00-\x1f"
_OTHERS = "\x7f-\x9f\ud800-\udfff\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE_RE = re.compile(f"[{_C0}{_OTHERS}]")
# JSON escapes C0 controls inside strings itself, and its newlines outside strings are layout.
_UNSAFE_IN_JSON_RE = re.compile(f"[{_OTHERS}]")


def shown(text: str, keep: str = "") -> str:
    """`text` with every control character escaped (`\\n`, `\\x1b`, `\\u202e`), but those in `keep`."""
    if text.isprintable():
        return text
    return _UNSAFE_RE.sub(lambda m: m[0] if m[0] in keep else _escape(m[0]), text)


def json_shown(document: str) -> str:
    """A JSON text with the characters its own escaping leaves raw written as `\\uXXXX`: still valid
    JSON with the same value, since they can only occur inside strings."""
    return _UNSAFE_IN_JSON_RE.sub(lambda m: f"\\u{ord(m[0]):04x}", document)


def _escape(char: str) -> str:
    return char.encode("unicode_escape").decode("ascii")
