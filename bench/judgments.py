"""The judgments of a bench run, dumped per page, so that two runs on the same pages can be compared.

Judgments are what tracker decides about a page: its extracted text and metadata, which
extraction pass made it, its language and how far that is trusted, its sentences, its fetch
status, and for each (seed, page) pair aligned the links, labels, scores, coverage, details and
quotes; the trail's hop citations and hop judgments too. A change meant to make tracker faster
must leave every one of them as it was.

    .venv/bin/python -m bench.run_bench --pages 232 --judgments /tmp/before.json   # on the old code
    .venv/bin/python -m bench.run_bench --pages 232 --judgments /tmp/after.json    # on the new code
    .venv/bin/python -m bench.judgments /tmp/before.json /tmp/after.json

Pages are named by their path (the loopback hosts and ports change from run to run); seeds by
their file name.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
from pathlib import Path

from bench.smoke import add_smoke_flag

_LOOPBACK = re.compile(r"(?:https?://)?127\.0\.0\.\d+:\d+")


def page_key(url: str | None) -> str:
    return _LOOPBACK.sub("", url or "")


def _scrub(value):
    """`value` without the run's loopback hosts and ports (in site names, titles, errors...)."""
    if isinstance(value, str):
        return page_key(value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


def _rows(db: sqlite3.Connection, sql: str, *args) -> list[dict]:
    cursor = db.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def dump(database: Path) -> dict[str, dict]:
    """{page: its judgments} from a run's SQLite database."""
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    sources = {row["id"]: page_key(row["url"]) for row in _rows(db, "SELECT id, url FROM sources")}
    seeds = {row["id"]: Path(row["path"]).name for row in _rows(db, "SELECT id, path FROM seeds")}
    versions = {row["id"]: row for row in _rows(db, "SELECT * FROM versions")}

    def version_key(version_id):
        version = versions.get(version_id)
        if version is None:
            return None
        return f"{sources[version['source_id']]}#{version['kind']}:{version['text_sha256'] or ''}"

    pages: dict[str, dict] = {}
    for row in _rows(db, "SELECT id, state, last_error, canonical_url FROM sources ORDER BY id"):
        pages[sources[row["id"]]] = {
            "state": row["state"],
            "last_error": page_key(row["last_error"]) if row["last_error"] else None,
            "canonical_url": page_key(row["canonical_url"]),
            "versions": [],
            "alignments": [],
            "excerpts": [],
            "quotes": [],
            "hop_citations": [],
            "hop_alignments": [],
        }
    extraction = {
        row["id"]: json.loads(row["parameters"] or "{}").get("extraction")
        for row in _rows(db, "SELECT id, parameters FROM activities WHERE kind = 'extract'")
    }
    sentences: dict[int, list] = {}
    for row in _rows(db, "SELECT * FROM sentences ORDER BY version_id, position"):
        sentences.setdefault(row["version_id"], []).append(
            [row["char_start"], row["char_end"], row["parent_start"], row["parent_end"]]
        )
    for version in sorted(versions.values(), key=lambda v: v["id"]):
        if version["kind"] == "excerpt":
            continue  # in `excerpts`, with their offsets
        pages[sources[version["source_id"]]]["versions"].append(
            {
                "kind": version["kind"],
                "status": version["status"],
                "parent": version_key(version["parent_id"]),
                "text": version["text"],
                "language": version["language"],
                "language_probability": version["language_probability"],
                "language_status": version["language_status"],
                "language_evidence": json.loads(version["language_evidence"] or "null"),
                "declared_language": version["declared_language"],
                "title": version["title"],
                "author": version["author"],
                "published": version["published"],
                "site_name": version["site_name"],
                "url": page_key(version["url"]),
                "extraction": extraction.get(version["activity_id"]),
                "sentences": sentences.get(version["id"], []),
            }
        )
    skip = {"id", "seed_id", "version_id", "excerpt_id", "activity_id"}
    for row in _rows(db, "SELECT * FROM alignments ORDER BY seed_id, version_id, seed_sentence, id"):
        judged = {k: v for k, v in row.items() if k not in skip}
        judged.update(seed=seeds[row["seed_id"]], text=version_key(row["version_id"]))
        judged["excerpt"] = version_key(row["excerpt_id"])
        pages[sources[versions[row["version_id"]]["source_id"]]]["alignments"].append(judged)
    for row in _rows(db, "SELECT * FROM excerpts ORDER BY seed_id, first_sentence, version_id"):
        excerpt = versions[row["version_id"]]
        judged = {k: v for k, v in row.items() if k not in skip}
        judged.update(seed=seeds[row["seed_id"]], text=excerpt["text"], of=version_key(excerpt["parent_id"]))
        pages[sources[excerpt["source_id"]]]["excerpts"].append(judged)
    for row in _rows(db, "SELECT * FROM quotes ORDER BY seed_id, version_id, seed_start, id"):
        judged = {k: v for k, v in row.items() if k not in skip}
        judged.update(seed=seeds[row["seed_id"]], text=version_key(row["version_id"]))
        pages[sources[versions[row["version_id"]]["source_id"]]]["quotes"].append(judged)
    skip_hop = {"id", "citing_version_id", "citing_source_id", "source_id", "translated_version_id", "activity_id"}
    for row in _rows(db, "SELECT * FROM hop_citations ORDER BY citing_version_id, char_start, id"):
        judged = {k: v for k, v in row.items() if k not in skip_hop}
        judged.update(cited=sources.get(row["source_id"]), translated=version_key(row["translated_version_id"]))
        pages[sources[row["citing_source_id"]]]["hop_citations"].append(judged)
    skip_hop |= {"cited_version_id"}
    for row in _rows(db, "SELECT * FROM hop_alignments ORDER BY citing_version_id, cited_version_id, citing_sentence"):
        judged = {k: v for k, v in row.items() if k not in skip_hop}
        judged.update(citing=version_key(row["citing_version_id"]), cited=version_key(row["cited_version_id"]))
        pages[sources[versions[row["citing_version_id"]]["source_id"]]]["hop_alignments"].append(judged)
    db.close()
    return _scrub(pages)


def write(database: Path, out: Path) -> int:
    pages = dump(database)
    out.write_text(json.dumps(pages, ensure_ascii=False, indent=1, sort_keys=True))
    return len(pages)


def compare(old: dict[str, dict], new: dict[str, dict]) -> tuple[int, int, list[str]]:
    """(pages identical, pages in either, one line per difference)."""
    differences = []
    identical = 0
    names = sorted(set(old) | set(new))
    for name in names:
        if name not in old or name not in new:
            differences.append(f"{name}: only in the {'new' if name in new else 'old'} run")
            continue
        fields = sorted(k for k in set(old[name]) | set(new[name]) if old[name].get(k) != new[name].get(k))
        if not fields:
            identical += 1
            continue
        for field in fields:
            where, before, after = _first_difference(old[name].get(field), new[name].get(field), field)
            differences.append(f"{name}: {where} differs: {_short(before)} -> {_short(after)}")
    return identical, len(names), differences


def _first_difference(old, new, where: str):
    """The path to the first place `old` and `new` differ, and what each has there."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                return _first_difference(old.get(key), new.get(key), f"{where}.{key}")
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new)):
            if a != b:
                return _first_difference(a, b, f"{where}[{index}]")
    return where, old, new


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 300 else text[:300] + "..."


def _smoke() -> int:
    """Two smoke runs of run_bench on the same synthetic pages judge them alike."""
    import subprocess
    import tempfile

    from bench.smoke import NOTE

    folder = Path(tempfile.mkdtemp(prefix="bench-smoke-"))
    dumps = [folder / "old.json", folder / "new.json"]
    for out in dumps:
        command = [sys.executable, "-m", "bench.run_bench", "--smoke", "--judgments", str(out)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    status = main([str(d) for d in dumps])
    print(NOTE)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="compare the judgments of two bench runs on the same pages")
    parser.add_argument("old", type=Path, nargs="?")
    parser.add_argument("new", type=Path, nargs="?")
    add_smoke_flag(parser)
    args = parser.parse_args(argv)
    if args.smoke:
        return _smoke()
    if args.old is None or args.new is None:
        parser.error("give the OLD and NEW judgments files")
    identical, total, differences = compare(json.loads(args.old.read_text()), json.loads(args.new.read_text()))
    for line in differences:
        print(line)
    print(f"identical: {identical} of {total} pages")
    return 0 if identical == total else 1


if __name__ == "__main__":
    sys.exit(main())
