"""Extraction quality on the shared corpus: trafilatura's default pass alone against the default
pass with its fallbacks (favor_recall, then the baseline extractor), as tracker extracts.

    .venv/bin/python -m bench.extract_eval

Data: ../shared/corpus (read in place, never copied; skipped cleanly when absent):
- readability/test-pages/*/ (Mozilla Readability's test pages): `expected.html` is the whole
  expected article, so we score bag-of-words precision, recall and F1 of the extracted text
  against its text;
- goose3/content/*.json: `cleaned_text` is only a prefix of the article (see the corpus
  MANIFEST), so we score recall of the prefix's words only.
A page where extraction finds nothing scores 0. Writes JSON to bench/results/.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from bench.fetch_bench import CORPUS

RESULTS = Path(__file__).resolve().parent / "results"
_WORD = re.compile(r"\w+")


def words(text: str) -> Counter:
    return Counter(_WORD.findall(text.lower()))


def scores(got: str, expected: str) -> tuple[float, float, float]:
    got_words, expected_words = words(got), words(expected)
    common = sum((got_words & expected_words).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / sum(got_words.values()), common / sum(expected_words.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def cases() -> list[tuple[str, str, str, str]]:
    """(name, page HTML, expected text, kind: full or prefix)."""
    import lxml.html

    found = []
    for page in sorted((CORPUS / "readability" / "test-pages").glob("*/source.html")):
        expected_html = (page.parent / "expected.html").read_text(encoding="utf-8", errors="replace")
        expected = lxml.html.fromstring(expected_html).text_content() if expected_html.strip() else ""
        found.append(
            (f"readability/{page.parent.name}", page.read_text(encoding="utf-8", errors="replace"), expected, "full")
        )
    for meta in sorted((CORPUS / "goose3" / "content").glob("*.json")):
        expected = json.loads(meta.read_text(encoding="utf-8")).get("expected", {}).get("cleaned_text") or ""
        page = meta.with_suffix(".html")
        if expected.strip() and page.exists():
            found.append(
                (f"goose3/{meta.stem}", page.read_text(encoding="utf-8", errors="replace"), expected, "prefix")
            )
    return found


def main() -> int:
    from tracker.originals.extract import extract_main_text

    if not CORPUS.is_dir():
        print(f"skipped: no corpus at {CORPUS}")
        return 0
    report: dict = {"corpus": str(CORPUS), "modes": {}}
    all_cases = cases()
    for mode, fallbacks in (("default only (before)", False), ("with fallbacks (after)", True)):
        full, prefix, empty, methods, per_page = [], [], [], Counter(), {}
        for name, html, expected, kind in all_cases:
            extracted = extract_main_text(html, url=None, fallbacks=fallbacks)
            text = extracted.text if extracted else ""
            methods[extracted.method if extracted else "none"] += 1
            if not text:
                empty.append(name)
            precision, recall, f1 = scores(text, expected)
            (full if kind == "full" else prefix).append((precision, recall, f1))
            per_page[name] = round(f1 if kind == "full" else recall, 4)
        report["modes"][mode] = {
            "readability_pages": len(full),
            "readability_precision": _mean(p for p, _, _ in full),
            "readability_recall": _mean(r for _, r, _ in full),
            "readability_f1": _mean(f for _, _, f in full),
            "goose3_pages": len(prefix),
            "goose3_prefix_recall": _mean(r for _, r, _ in prefix),
            "pages_with_no_text": empty,
            "methods": dict(methods),
            "per_page": per_page,
        }
    before, after = report["modes"].values()
    changed = {n: (before["per_page"][n], s) for n, s in after["per_page"].items() if s != before["per_page"][n]}
    report["changed_pages"] = changed
    for mode, r in report["modes"].items():
        print(
            f"{mode:<24} readability ({r['readability_pages']} pages): P {r['readability_precision']:.4f} "
            f"R {r['readability_recall']:.4f} F1 {r['readability_f1']:.4f} | goose3 ({r['goose3_pages']}): "
            f"prefix recall {r['goose3_prefix_recall']:.4f} | no text: {len(r['pages_with_no_text'])} | {r['methods']}"
        )
    for name, (was, now) in sorted(changed.items()):
        print(f"  changed: {name}: {was:.3f} -> {now:.3f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "extract_eval.json").write_text(json.dumps(report, indent=1, sort_keys=True))
    return 0


def _mean(values) -> float:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else 0.0


if __name__ == "__main__":
    raise SystemExit(main())
