"""Language statuses on the real pages of the shared corpus (../shared/corpus, read in place).

    .venv/bin/python -m bench.language_corpus [--smoke]

Each page is extracted as tracker extracts it, then given a status with its declared language
(tracker.originals.language.language_status). The expected language is the corpus's own:
goose3's `target_language` or `meta_lang`, Readability's `lang` in expected-metadata.json (pages
without one are left out). Reports how many pages are `detected` and right, `uncertain` (with the
reasons), and `detected` in a wrong language. Skipped cleanly when the corpus is absent.
`--smoke` (bench/smoke.py) reads the three made-up pages of SAMPLE instead.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from bench.fetch_bench import CORPUS
from bench.smoke import NOTE, add_smoke_flag

# Made up for --smoke: (language code, declared lang attribute, article text).
SAMPLE = [
    (
        "en",
        "en",
        "The council approved the new budget on Thursday after a long debate about schools and roads. "
        "The mayor said the plan would help families across the city, and work starts next spring.",
    ),
    (
        "fr",
        "fr",
        "Le conseil a approuvé jeudi le nouveau budget après un long débat sur les écoles et les routes. "
        "Le maire a déclaré que le projet aiderait les familles de toute la ville dès le printemps prochain.",
    ),
    (
        "de",
        "",
        "Der Stadtrat hat am Donnerstag nach einer langen Debatte über Schulen und Straßen den neuen Haushalt "
        "beschlossen. Der Bürgermeister sagte, der Plan werde den Familien in der ganzen Stadt helfen.",
    ),
]


def sample_pages() -> list[tuple[str, str, str]]:
    """SAMPLE as pages in the shape of expected_pages()."""
    pages = []
    for code, declared, text in SAMPLE:
        lang = f' lang="{declared}"' if declared else ""
        html = f"<html{lang}><head><title>{code}</title></head><body><article><p>{text}</p></article></body></html>"
        pages.append((f"sample/{code}", html, code))
    return pages


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


def main(argv: list[str] | None = None) -> int:
    from tracker.originals.extract import extract_main_text
    from tracker.originals.language import language_status

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_smoke_flag(parser)
    args = parser.parse_args(argv)
    if not (args.smoke or CORPUS.is_dir()):
        print(f"skipped: no corpus at {CORPUS}")
        return 0
    outcomes, reasons, listed = Counter(), Counter(), []
    for name, html, expected in sample_pages() if args.smoke else expected_pages():
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
    print(f"{total} {'sample' if args.smoke else 'corpus'} pages with an expected language: {dict(outcomes)}")
    print(f"detected and right: {outcomes['detected, right'] / total:.3f}; reasons for uncertain: {dict(reasons)}")
    print("\n".join(listed))
    if args.smoke:
        print(NOTE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
