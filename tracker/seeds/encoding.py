"""The encoding of a seed that is not UTF-8, guessed with charset-normalizer, or refused.

Short Western European text fits several 8-bit code pages equally well (cp1250 reads "Café" as
"Cafť"), and charset-normalizer then picks one of the ties. Among the best-scoring candidates
Windows-1252 (what the web means by Latin-1) wins if it is one of them; if the ties still decode
to different text, the seed is refused rather than stored garbled.
"""

from __future__ import annotations

from pathlib import Path

from tracker.errors import SeedError

# Candidates whose chaos is this close to the best one's count as ties.
_TIE = 0.05


def guess_encoding(data: bytes, path: Path) -> tuple[str, str]:
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise SeedError(f"{path}: not UTF-8, and its text encoding cannot be recognised: save it as UTF-8")
    western = _cp1252(data)
    best_chaos = min(m.chaos for m in matches)
    if western is not None:
        best_chaos = min(best_chaos, western[1])
    ties = [m for m in matches if m.chaos <= best_chaos + _TIE]
    if western is not None and western[1] <= best_chaos + _TIE:
        return western[0], "cp1252"
    texts = {str(m) for m in ties}
    if len(texts) > 1:
        names = ", ".join(sorted({m.encoding for m in ties})[:4])
        raise SeedError(f"{path}: not UTF-8, and it reads differently as {names}: save it as UTF-8")
    return str(ties[0]), ties[0].encoding


def _cp1252(data: bytes) -> tuple[str, float] | None:
    import charset_normalizer

    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    match = charset_normalizer.from_bytes(data, cp_isolation=["cp1252"]).best()
    return text, (match.chaos if match is not None else 1.0)
