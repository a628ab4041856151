"""Language statuses on the real pages of the shared corpus (../shared/corpus, read in place).

    .venv/bin/python -m bench.language_corpus

Each page is extracted as tracker extracts it, then given a status with its declared language
(tracker.originals.language.language_status). The expected language is the corpus's own:
goose3's `target_language` or `meta_lang`, Readability's `lang` in expected-metadata.json (pages
without one are left out). Reports how many pages are `detected` and right, `uncertain` (with the
reasons), and `detected` in a wrong language. Skipped cleanly when the corpus is absent.
"""

from __future__ import annotations

import json
from collections import Counter

from bench.fetch_bench import CORPUS


def expected_pages() -> list[tuple[str, str, str]]:
    """(name, page HTML, expected language code)."""
    from tracker.originals.language import language_tag_code

    pages = []
    for meta in sorted((CORPUS / "goose3" / "content").glob("*.json")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        code = language_tag_code(data.get("target_language") or data.get("expected", {}).get("meta_lang"))
        page = meta.with_suffix(".html")
        if code and page.exists():
            pages.append((f"goose3/{meta.stem}", page.read_text(encoding="utf-8", errors="replace"), code))
    for folder in sorted((CORPUS / "readability" / "test-pages").iterdir()):
        meta = folder / "expected-metadata.json"
        if not meta.exists():
            continue
        code = language_tag_code(json.loads(meta.read_text(encoding="utf-8")).get("lang"))
        if code:
            pages.append((f"readability/{folder.name}", (folder / "source.html").read_text(errors="replace"), code))
    return pages


def main() -> int:
    from tracker.originals.extract import extract_main_text
    from tracker.originals.language import language_status

    if not CORPUS.is_dir():
        print(f"skipped: no corpus at {CORPUS}")
        return 0
    outcomes, reasons, listed = Counter(), Counter(), []
    for name, html, expected in expected_pages():
        extracted = extract_main_text(html)
        if extracted is None:
            outcomes["no text"] += 1
            continue
        status = language_status(extracted.text, declared=extracted.declared_language)
        right = status.code == expected
        outcomes[f"{status.status}, {'right' if right else 'wrong'}"] += 1
        reasons.update(status.reasons)
        if not (right and status.status == "detected"):
            listed.append(
                f"  {name}: expected {expected}, langdetect {status.code} ({status.probability}), {status.status} "
                f"{list(status.reasons)}; lingua {status.evidence.get('second_opinion', {}).get('code')}, "
                f"declared {status.evidence['declared']}, {status.evidence['letters']} letters"
            )
    total = sum(outcomes.values())
    print(f"{total} corpus pages with an expected language: {dict(outcomes)}")
    print(f"detected and right: {outcomes['detected, right'] / total:.3f}; reasons for uncertain: {dict(reasons)}")
    print("\n".join(listed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
