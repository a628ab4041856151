"""The page sets bench/seed_links_eval.py scores article links on, each read in place (a missing set
is skipped with one line). See that script's docstring for what each set is and where it came from.

Every page has a half: `dev` (tuned on) or `test` (only its sums looked at). scrapinghub's pages are
split by the parity of the first hex digit of their id, as before; the other sets, which have no
hex ids, by the parity of the first hex digit of the SHA-1 of their name.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

MIRROR = Path("/work/.mirror")
CORPUS = Path("/work/shared/corpus")
SCRAPINGHUB = MIRROR / "scrapinghub+article-extraction-benchmark" / "repo"
NEWSPAPER4K = MIRROR / "AndyTheFactory+newspaper4k" / "repo"
READABILITY = CORPUS / "readability"
GOOSE3 = CORPUS / "goose3"
# A base for pages whose set gives no URL (Readability's own test URL).
FAKEHOST = "http://fakehost/test/page.html"


@dataclass(frozen=True)
class LinkPage:
    set: str
    name: str
    html: str
    url: str
    body: str  # the expected article text (for goose3, only its first part)
    language: str
    half: str  # "dev" or "test"
    prefix: bool = False  # body is only the article's first part: score links up to its end only
    published: str | None = None


def git_show(repo: Path, path: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{path}"], capture_output=True, check=True).stdout


def name_half(name: str) -> str:
    return "dev" if int(hashlib.sha1(name.encode()).hexdigest()[0], 16) % 2 == 0 else "test"


def language_of(text: str) -> str:
    from tracker.originals.language import detect_language

    return detect_language(text[:5000]).code or "?"


def scrapinghub_pages(limit: int | None = None) -> list[LinkPage] | None:
    """181 pages with their hand-annotated `articleBody`."""
    if not SCRAPINGHUB.is_dir():
        print(f"skipped scrapinghub: {SCRAPINGHUB} not present (fetch github:scrapinghub/article-extraction-benchmark)")
        return None
    truth = json.loads(git_show(SCRAPINGHUB, "ground-truth.json"))
    return [
        LinkPage(
            "scrapinghub",
            page_id,
            gzip.decompress(git_show(SCRAPINGHUB, f"html/{page_id}.html.gz")).decode("utf-8", "replace"),
            record["url"],
            record["articleBody"],
            language_of(record["articleBody"]),
            "dev" if int(page_id[0], 16) % 2 == 0 else "test",
        )
        for page_id, record in sorted(truth.items())[:limit]
    ]


def readability_pages(limit: int | None = None) -> list[LinkPage] | None:
    """Readability's real test pages (not the synthetic lorem-ipsum ones), `expected.html` as body."""
    if not READABILITY.is_dir():
        print(f"skipped readability: {READABILITY} not present")
        return None
    from lxml import html as lxml_html

    rows = [json.loads(line) for line in (READABILITY / "index.jsonl").read_text().splitlines() if line.strip()]
    pages = []
    for row in [r for r in rows if not r["synthetic_lorem_ipsum"]][:limit]:
        expected_html = (READABILITY / row["expected_html"]).read_text(encoding="utf-8", errors="replace")
        metadata = json.loads((READABILITY / row["expected_metadata"]).read_text(encoding="utf-8"))
        pages.append(
            LinkPage(
                "readability",
                row["name"],
                (READABILITY / row["source_html"]).read_text(encoding="utf-8", errors="replace"),
                FAKEHOST,
                lxml_html.fromstring(expected_html or "<p></p>").text_content(),
                row.get("lang_auto_lingua_on_expected_text") or "?",
                name_half(row["name"]),
                published=metadata.get("publishedTime"),
            )
        )
    return pages


def goose3_pages(limit: int | None = None) -> list[LinkPage] | None:
    """goose3's real fixture pages (not its synthetic ones); `cleaned_text` is only a prefix."""
    if not GOOSE3.is_dir():
        print(f"skipped goose3: {GOOSE3} not present")
        return None
    rows = [json.loads(line) for line in (GOOSE3 / "index.jsonl").read_text().splitlines() if line.strip()]
    pages, seen = [], set()
    for row in [r for r in rows if not r["synthetic"]][:limit]:
        html = (GOOSE3 / row["html"]).read_text(encoding="utf-8", errors="replace")
        expected = json.loads((GOOSE3 / row["expected_json"]).read_text(encoding="utf-8"))
        body = (expected.get("expected") or {}).get("cleaned_text") or ""
        if not body.strip() or (html, body[:200]) in seen:
            continue  # some fixtures share a page and nearly the same expectation
        seen.add((html, body[:200]))
        language = row.get("lang_auto_lingua_on_cleaned_text") or "?"
        pages.append(
            LinkPage(
                "goose3", row["name"], html, row.get("url") or FAKEHOST, body, language, name_half(row["name"]), True
            )
        )
    return pages


def newspaper4k_pages(limit: int | None = None) -> list[LinkPage] | None:
    """newspaper4k's fixture pages with their expected text (tests/data/txt), URL from metadata."""
    if not NEWSPAPER4K.is_dir():
        print(f"skipped newspaper4k: {NEWSPAPER4K} not present (fetch github:AndyTheFactory/newspaper4k)")
        return None
    from bench.extract_eval import newspaper4k_cases

    pages = []
    for name, html, text, _kind in newspaper4k_cases()[:limit]:
        stem = name.split("/", 1)[1]
        try:
            metadata = json.loads(git_show(NEWSPAPER4K, f"tests/data/metadata/{stem}.json"))
        except (subprocess.CalledProcessError, ValueError):
            metadata = {}
        url = metadata.get("url") or _canonical(html) or FAKEHOST
        pages.append(LinkPage("newspaper4k", stem, html, url, text, language_of(text), name_half(stem)))
    return pages


def _canonical(html: str) -> str | None:
    from tracker.seeds.article import page_address

    return page_address(html).canonical_url


def language_group(code: str) -> str:
    return code if code in ("en", "de") else "other"


SETS = {
    "scrapinghub": scrapinghub_pages,
    "readability": readability_pages,
    "goose3": goose3_pages,
    "newspaper4k": newspaper4k_pages,
}


def prefix_end(page_text: str, prefix: str) -> int | None:
    """Where the expected prefix ends in the page's visible text (whitespace collapsed in both)."""
    collapsed, where = [], []
    for i, char in enumerate(page_text):
        if char.isspace():
            if collapsed and collapsed[-1] != " ":
                collapsed.append(" ")
                where.append(i)
            continue
        collapsed.append(char)
        where.append(i)
    text = "".join(collapsed)
    prefix = " ".join(prefix.split())
    for probe in (prefix, prefix[-60:], prefix[-30:]):
        at = text.find(probe)
        if probe and at >= 0:
            return where[at + len(probe) - 1] + 1
    return None
