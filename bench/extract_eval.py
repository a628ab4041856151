"""Extraction quality and cost: tracker's extraction (trafilatura in fast mode, then its
fallbacks) against trafilatura's thorough default (main extractor compared with readability and
jusText), on the same pages.

    .venv/bin/python -m bench.extract_eval [--smoke]

Data (read in place, never copied; each set is skipped cleanly when absent):
- ../shared/corpus readability/test-pages/*/ (Mozilla Readability's test pages): `expected.html`
  is the whole expected article, so we score bag-of-words precision, recall and F1 against its
  text; goose3/content/*.json: `cleaned_text` is only a prefix of the article (see the corpus
  MANIFEST), so we score recall of the prefix's words only;
- scrapinghub's article-extraction-benchmark (github.com/scrapinghub/article-extraction-benchmark,
  181 news and blog pages with their `articleBody`; fetched with the search tool's `fetch`): F1;
- newspaper4k's test fixtures (github.com/AndyTheFactory/newspaper4k, tests/data/html/X.html with
  the article text in tests/data/txt/X.txt): news pages in ar, zh, ja, th, my, lv, es, en: F1.
Each set's F1 is also given per language of the expected text (langdetect, seeded) and for the
pages outside English and German, where trafilatura's heuristics are least tuned; Readability's
synthetic lorem-ipsum pages are a group of their own ("lorem"), not news in any language.
A page where extraction finds nothing scores 0. CPU is per page, measured in this run. Writes
JSON to bench/results/. `--smoke` (bench/smoke.py) scores three synthetic pages of tests/pages.py.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

from bench.fetch_bench import CORPUS
from bench.smoke import NOTE, add_smoke_flag, results_dir

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


def benchmark_cases() -> list[tuple[str, str, str, str]]:
    """scrapinghub's article-extraction-benchmark pages, as (name, HTML, articleBody, "full")."""
    import gzip

    from bench.link_sets import SCRAPINGHUB as LINKS_REPO
    from bench.link_sets import git_show as _git_show

    if not LINKS_REPO.is_dir():
        print(f"skipped: {LINKS_REPO} not present (fetch github:scrapinghub/article-extraction-benchmark)")
        return []
    truth = json.loads(_git_show(LINKS_REPO, "ground-truth.json"))
    return [
        (
            f"benchmark/{page_id}",
            gzip.decompress(_git_show(LINKS_REPO, f"html/{page_id}.html.gz")).decode(),
            r["articleBody"],
            "full",
        )
        for page_id, r in sorted(truth.items())
    ]


NEWSPAPER4K = Path("/work/.mirror/AndyTheFactory+newspaper4k/repo")


def newspaper4k_cases() -> list[tuple[str, str, str, str]]:
    """newspaper4k's fixture pages that have their expected text, as (name, HTML, text, "full")."""
    from bench.link_sets import git_show as _git_show

    if not NEWSPAPER4K.is_dir():
        print(f"skipped: {NEWSPAPER4K} not present (fetch github:AndyTheFactory/newspaper4k)")
        return []
    listed = subprocess.run(
        ["git", "-C", str(NEWSPAPER4K), "ls-tree", "--name-only", "HEAD", "tests/data/txt/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    found = []
    for path in sorted(listed):
        stem = Path(path).stem
        try:
            html = _git_show(NEWSPAPER4K, f"tests/data/html/{stem}.html").decode("utf-8", "replace")
        except subprocess.CalledProcessError:
            continue  # a text without its page
        found.append((f"newspaper4k/{stem}", html, _git_show(NEWSPAPER4K, path).decode("utf-8", "replace"), "full"))
    return found


_LOREM = re.compile(r"\blorem ipsum\b", re.IGNORECASE)


def language_of(text: str) -> str:
    """The expected text's language; "lorem" for Readability's synthetic lorem-ipsum test pages
    (langdetect calls most of them Catalan): they are no language's news, so they are counted on
    their own and not among the pages outside English and German."""
    from tracker.originals.language import detect_language

    if _LOREM.search(text[:2000]):
        return "lorem"
    return detect_language(text[:5000]).code or "?"


def synthetic_cases(count: int = 3) -> list[tuple[str, str, str, str]]:
    from tests.pages import article_html, article_text

    return [(f"synthetic/{i}", article_html(i).decode(), article_text(i), "full") for i in range(count)]


def main(argv: list[str] | None = None) -> int:
    import time

    import trafilatura

    from tracker.originals.extract import extract_main_text

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_smoke_flag(parser)
    args = parser.parse_args(argv)
    if args.smoke:
        sets = {"synthetic": synthetic_cases()}
    else:
        sets = {
            "readability+goose3": cases() if CORPUS.is_dir() else [],
            "benchmark": benchmark_cases(),
            "newspaper4k": newspaper4k_cases(),
        }
    modes = {
        "trafilatura thorough": lambda html: trafilatura.bare_extraction(html, include_comments=False),
        "tracker, no fallbacks": lambda html: extract_main_text(html, fallbacks=False),
        "tracker": lambda html: extract_main_text(html),
    }
    report: dict = {"corpus": str(CORPUS), "sets": {}}
    for set_name, set_cases in sets.items():
        if not set_cases:
            continue
        report["sets"][set_name] = results = {}
        languages = {name: language_of(expected) for name, _, expected, kind in set_cases if kind == "full"}
        for mode, extract in modes.items():
            full, prefix, empty, methods, per_page, cpu = [], [], [], Counter(), {}, 0.0
            for name, html, expected, kind in set_cases:
                started = time.process_time()
                extracted = extract(html)
                cpu += time.process_time() - started
                text = (extracted.text if extracted else "") or ""
                methods[getattr(extracted, "method", "trafilatura") if extracted else "none"] += 1
                if not text:
                    empty.append(name)
                precision, recall, f1 = scores(text, expected)
                (full if kind == "full" else prefix).append((precision, recall, f1))
                per_page[name] = round(f1 if kind == "full" else recall, 4)
            results[mode] = {
                "pages": len(set_cases),
                "cpu_ms_per_page": round(cpu * 1000 / len(set_cases), 2),
                "full_pages": len(full),
                "precision": _mean(p for p, _, _ in full),
                "recall": _mean(r for _, r, _ in full),
                "f1": _mean(f for _, _, f in full),
                "prefix_pages": len(prefix),
                "prefix_recall": _mean(r for _, r, _ in prefix),
                "pages_with_no_text": empty,
                "methods": dict(methods),
                "per_page": per_page,
                "f1_by_language": _by_language(per_page, languages),
            }
            r = results[mode]
            prefix_part = f" | prefix recall {r['prefix_recall']:.4f} ({len(prefix)} pages)" if prefix else ""
            print(
                f"{set_name:<19} {mode:<22} F1 {r['f1']:.4f} (P {r['precision']:.4f} R {r['recall']:.4f}, "
                f"{len(full)} pages){prefix_part} | no text: {len(empty)} | {r['cpu_ms_per_page']} ms CPU/page"
            )
        for mode, r in results.items():
            groups = ", ".join(f"{code} {f1:.3f} ({n})" for code, (f1, n) in r["f1_by_language"].items())
            print(f"{set_name:<19} {mode:<22} by language: {groups}")
        thorough, ours = results["trafilatura thorough"]["per_page"], results["tracker"]["per_page"]
        worse = sum(thorough[n] - ours[n] > 0.2 for n in ours)
        better = sum(ours[n] - thorough[n] > 0.2 for n in ours)
        print(f"{set_name:<19} pages where tracker scores 0.2 below thorough: {worse}; 0.2 above: {better}")
    (results_dir(args.smoke) / "extract_eval.json").write_text(json.dumps(report, indent=1, sort_keys=True))
    if args.smoke:
        print(NOTE)
    return 0


def _by_language(per_page: dict[str, float], languages: dict[str, str]) -> dict[str, tuple[float, int]]:
    """Mean F1 per language of the expected text, and over the pages outside English and German."""
    groups: dict[str, list[float]] = defaultdict(list)
    for name, code in languages.items():
        groups[code].append(per_page[name])
        if code not in ("en", "de", "lorem"):
            groups["not en/de"].append(per_page[name])
        if code != "lorem":
            groups["news (no lorem)"].append(per_page[name])
    return {code: (_mean(values), len(values)) for code, values in sorted(groups.items())}


def _mean(values) -> float:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else 0.0


if __name__ == "__main__":
    raise SystemExit(main())
