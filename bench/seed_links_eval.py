"""How well tracker reads real news pages as seeds: URL citations and publication dates.

    python -m bench.seed_links_eval [--limit N] [--show PAGES] [--smoke]

Data (public; read from the mirror, never copied into the repo; a missing set is skipped):

* **Links**: scrapinghub's article-extraction-benchmark (github.com/scrapinghub/article-extraction-
  benchmark, 181 real news and blog pages, mostly English, with some in other languages), with
  the article body annotated by hand (`ground-truth.json`, `articleBody`). The annotation is text,
  not links, so the expected citations are derived from it: a link of the raw page is "in the
  article's running text" when its anchor text, with up to 30 characters of the text around it in
  its own block (paragraph, list item, cell…), stands in the annotated article body (whitespace
  collapsed, case kept), and that context holds at least 20 letters besides the anchor's: a link
  alone in its block (a menu entry, a "Read more" headline, a tag) is not in running text, and
  without this a one-word menu entry ("Business") would count as soon as the word occurs in the
  article. Links with no anchor text (images), and `mailto:`, `tel:`,
  `javascript:` and same-page `#` links are never expected. Relative links resolve against the
  annotated page URL. Compared per page as sets of normalized URLs (tracker.urls.normalize_url),
  summed over pages (micro precision and recall). Pages are split in two halves by the parity of
  the first hex digit of their id: `dev` (even) was used while tuning the rules, `test` (odd) was
  not looked at page by page.
* **Links and dates, second set**: Mozilla Readability's test pages as kept in
  `/work/shared/corpus/readability` (98 real pages: en 80, zh, es, fr, ja, cs, pt, de, ro; the
  32 synthetic lorem-ipsum cases are left out). Expected links are derived as above, with the
  text of Readability's `expected.html` as the article body (Readability's reviewed output, not a
  hand annotation); pages are resolved against Readability's test URL `http://fakehost/test/`.
  Dates: `publishedTime` of `expected-metadata.json`, where given (compared by day).
* **Navigation check**: on the same pages and on the date set below, every citation is checked
  against the page's navigation: links inside `<nav>`, `<header>`, `<footer>`, `<aside>`, or an
  element whose role/class/id says nav, menu, footer, header, share, social, related, tags,
  breadcrumb or newsletter, and that appear nowhere else on the page.
* **Dates**: htmldate's MediaCloud 2020 evaluation set (github.com/adbar/htmldate,
  `tests/eval_mediacloud_2020.json` and `tests/test_set/`): 200 news pages from many countries
  and languages (uk, tr, ru, es, pt, de, fr, en, …), each with its publication date checked by
  hand. htmldate was developed against this set, so its figure flatters htmldate a little.

Baselines in the same run: every link of the page (tracker before this change) and every link
of trafilatura's `include_links` output as it is.

`--smoke` (bench/smoke.py) runs the three evaluations on SAMPLE_PAGE, a made-up news page.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from bench.smoke import NOTE, add_smoke_flag
from tracker.seeds.files import read_seed_html
from tracker.urls import normalize_url

MIRROR = Path("/work/.mirror")
LINKS_REPO = MIRROR / "scrapinghub+article-extraction-benchmark" / "repo"
DATES_REPO = MIRROR / "adbar+htmldate" / "repo"
READABILITY = Path("/work/shared/corpus/readability")

_BLOCK_TAGS = frozenset("p li dd dt td th blockquote figcaption h1 h2 h3 h4 h5 h6 pre article section div body".split())
_NAV_WORDS = frozenset(
    """nav navbar navigation menu footer header masthead share sharing social related tags tag
    breadcrumb breadcrumbs newsletter subscribe sidebar comments comment""".split()
)
_WRAPPER_WORDS = frozenset("with wrp wrapper content body entry article main fixed segment".split())


_MIN_CONTEXT = 20  # letters of other text around a link, within 40 characters either side

# Made up for --smoke: a page with links in its running text and in its navigation, its article
# body as an annotator would give it, and its publication date.
SAMPLE_URL = "https://news.example/2024/05/07/harbour-budget.html"
SAMPLE_BODY = (
    "The council approved the harbour budget on Tuesday, after the finance office published its "
    "audit of the old railway bridge. The mayor said the vote was a relief, as reported by the local paper "
    "earlier this week."
)
SAMPLE_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Council approves the harbour budget</title>
<meta property="article:published_time" content="2024-05-07T09:30:00Z"></head><body>
<nav><a href="/">Home</a> <a href="/business/">Business</a> <a href="/sport/">Sport</a></nav>
<article><h1>Council approves the harbour budget</h1>
<p>The council approved the harbour budget on Tuesday, after the finance office published its
<a href="https://finance.example/audit/2024">audit of the old railway bridge</a>. The mayor said the
vote was a relief, as reported by <a href="https://paper.example/story/77">the local paper</a> earlier
this week.</p></article>
<footer><a href="/about">About us</a> <a href="https://social.example/news">Follow us</a></footer>
</body></html>"""


def _git_show(repo: Path, path: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{path}"], capture_output=True, check=True).stdout


def _norm(url: str) -> str | None:
    try:
        return normalize_url(url)
    except ValueError:
        return None


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _page_links(html: str, base: str):
    """(normalized URL, anchor, block element, a element) for every http(s) link of the page."""
    from lxml import html as lxml_html

    root = lxml_html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", html))
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        if urlsplit(href).scheme.lower() not in ("", "http", "https"):
            continue
        url = _norm(urljoin(base, href))
        if url is None:
            continue
        block = a.getparent()
        while block is not None and block.tag not in _BLOCK_TAGS:
            block = block.getparent()
        yield url, _collapse(a.text_content()), block, a


def expected_links(html: str, base: str, body: str) -> set[str]:
    """Links whose anchor and its near context stand in the annotated article body."""
    body = _collapse(body)
    found = set()
    for url, anchor, block, _a in _page_links(html, base):
        if not re.search(r"\w", anchor) or block is None:
            continue
        block_text = _collapse(block.text_content())
        at = block_text.find(anchor)
        if at < 0:
            continue
        context = block_text[max(0, at - 40) : at + len(anchor) + 40]
        # Running text: the link stands among other words of its block, not alone in it.
        if len(re.findall(r"\w", context)) - len(re.findall(r"\w", anchor)) < _MIN_CONTEXT:
            continue
        if context in body:
            found.add(url)
    return found


def _nav_named(names: str) -> bool:
    """A class or id that names a navigation block ("main-navigation", "share-bar"), not a wrapper
    of the article that merely mentions one ("content-with-sidebar-wrp", "article-header")."""
    for token in names.lower().split():
        parts = set(re.split(r"[_-]+", token))
        if parts & _NAV_WORDS and not parts & _WRAPPER_WORDS:
            return True
    return False


def navigation_links(html: str, base: str) -> set[str]:
    """Links that only ever appear in the page's navigation, header, footer, share or related blocks.

    A block is such an element (by tag, role, or a class/id word) that holds less than a third of
    the page's text: wrappers such as "content-with-sidebar" or "article-header" around the whole
    article are not navigation.
    """
    nav, elsewhere = set(), set()
    page_size = None
    for url, _anchor, _block, a in _page_links(html, base):
        if page_size is None:
            page_size = len(a.getroottree().getroot().text_content())
        in_nav = False
        for el in a.iterancestors():
            if el.tag in ("body", "html", "article", "main"):
                break
            if (
                el.tag in ("nav", "header", "footer", "aside")
                or el.get("role") == "navigation"
                or _nav_named(f"{el.get('class') or ''} {el.get('id') or ''}")
            ) and len(el.text_content()) < page_size / 3:
                in_nav = True
                break
        (nav if in_nav else elsewhere).add(url)
    return nav - elsewhere


def cited_links(html: str, url: str) -> set[str]:
    seed = read_seed_html(html, url)
    return {u for u in (_norm(link.href) for link in seed.links) if u}


def trafilatura_links(html: str, url: str) -> set[str]:
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(html, url=url, output_format="xml", include_links=True, with_metadata=False)
    if not xml:
        return set()
    doc = etree.fromstring(xml.encode())
    return {u for u in (_norm(urljoin(url, r.get("target") or "")) for r in doc.iter("ref")) if u}


def every_link(html: str, url: str) -> set[str]:
    return {u for u, *_ in _page_links(html, url)}


class Score:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, predicted: set[str], expected: set[str]) -> None:
        self.tp += len(predicted & expected)
        self.fp += len(predicted - expected)
        self.fn += len(expected - predicted)

    def __str__(self) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return f"precision {p:.3f}  recall {r:.3f}  (tp {self.tp}, fp {self.fp}, fn {self.fn})"


def links_pages(limit: int | None) -> list[tuple[str, str, str, str]] | None:
    """(page id, HTML, URL, annotated article body) of the benchmark's pages; None if absent."""
    if not LINKS_REPO.is_dir():
        print(f"skipped links: {LINKS_REPO} not present (fetch github:scrapinghub/article-extraction-benchmark)")
        return None
    truth = json.loads(_git_show(LINKS_REPO, "ground-truth.json"))
    return [
        (
            page_id,
            gzip.decompress(_git_show(LINKS_REPO, f"html/{page_id}.html.gz")).decode("utf-8", "replace"),
            record["url"],
            record["articleBody"],
        )
        for page_id, record in sorted(truth.items())[:limit]
    ]


def eval_links(items: list[tuple[str, str, str, str]], show: int, name: str) -> None:
    scores = {name: {"dev": Score(), "test": Score()} for name in ("tracker", "trafilatura as is", "every link")}
    nav_pages = nav_hits = pages_with_body = 0
    shown = 0
    for page_id, html, url, article_body in items:
        expected = expected_links(html, url, article_body)
        half = "dev" if int(page_id[0], 16) % 2 == 0 else "test"
        ours = cited_links(html, url)
        scores["tracker"][half].add(ours, expected)
        scores["trafilatura as is"][half].add(trafilatura_links(html, url), expected)
        scores["every link"][half].add(every_link(html, url), expected)
        if article_body.strip():
            pages_with_body += 1
            bad = ours & navigation_links(html, url)
            nav_hits += len(bad)
            nav_pages += bool(bad)
            if bad and shown < show:
                print(f"  navigation cited on {page_id[:8]} {url}: {sorted(bad)[:3]}")
        if show and shown < show and (ours - expected or expected - ours):
            shown += 1
            print(f"  {half} {page_id[:8]} {url}")
            for u in sorted(ours - expected)[:5]:
                print(f"    + {u}")
            for u in sorted(expected - ours)[:5]:
                print(f"    - {u}")
    print(f"URL citations on {len(items)} pages of {name}:")
    for name, halves in scores.items():
        for half, score in halves.items():
            print(f"  {name:18} {half:4}  {score}")
    print(f"  navigation links among tracker's citations: {nav_hits} on {nav_pages} of {pages_with_body} pages")


def dates_pages(limit: int | None) -> list[tuple[str, str, object]] | None:
    """(URL, HTML, date checked by hand) of htmldate's MediaCloud set; None if absent."""
    if not DATES_REPO.is_dir():
        print(f"skipped dates: {DATES_REPO} not present (fetch github:adbar/htmldate)")
        return None
    truth = json.loads(_git_show(DATES_REPO, "tests/eval_mediacloud_2020.json"))
    return [
        (url, _git_show(DATES_REPO, f"tests/test_set/{record['file']}").decode("utf-8", "replace"), record.get("date"))
        for url, record in sorted(truth.items())[:limit]
    ]


def eval_dates(items: list[tuple[str, str, object]], show: int, name: str) -> None:
    from tracker.seeds.dates import publication_date

    right = stated = found = 0
    evidence: Counter[str] = Counter()
    nav_pages = nav_hits = 0
    citations = 0
    for url, html, expected in items:
        expected = expected if isinstance(expected, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", expected) else None
        date = publication_date(html, url)
        if date is not None:
            found += 1
            evidence[date.evidence.split(" ")[0]] += 1
        if expected:
            stated += 1
            ok = date is not None and date.day.isoformat() == expected
            right += ok
            if not ok and show:
                print(f"  date {url}: expected {expected}, got {date}")
        ours = cited_links(html, url)
        citations += len(ours)
        bad = ours & navigation_links(html, url)
        nav_hits += len(bad)
        nav_pages += bool(bad)
    print(f"Publication dates on {len(items)} pages of {name}:")
    print(f"  right on {right} of {stated} pages that state one ({right / max(stated, 1):.3f}); found on {found}")
    print(f"  evidence: {dict(evidence.most_common())}")
    print(f"  citations: {citations} in all; navigation links among them: {nav_hits} on {nav_pages} pages")


def readability_pages(limit: int | None) -> list[tuple[str, str, str, str, str | None]] | None:
    """(name, HTML, expected article text, language, publishedTime) of Readability's real test
    pages; None if absent."""
    if not READABILITY.is_dir():
        print(f"skipped readability pages: {READABILITY} not present")
        return None
    from lxml import html as lxml_html

    rows = [json.loads(line) for line in (READABILITY / "index.jsonl").read_text().splitlines() if line.strip()]
    pages = []
    for row in [r for r in rows if not r["synthetic_lorem_ipsum"]][:limit]:
        expected_html = (READABILITY / row["expected_html"]).read_text(encoding="utf-8", errors="replace")
        metadata = json.loads((READABILITY / row["expected_metadata"]).read_text(encoding="utf-8"))
        pages.append(
            (
                row["name"],
                (READABILITY / row["source_html"]).read_text(encoding="utf-8", errors="replace"),
                lxml_html.fromstring(expected_html or "<p></p>").text_content(),
                row.get("lang_auto_lingua_on_expected_text") or "?",
                metadata.get("publishedTime"),
            )
        )
    return pages


def eval_readability(
    pages: list[tuple[str, str, str, str, str | None]],
    show: int,
    name: str,
    url: str = "http://fakehost/test/page.html",
) -> None:
    from tracker.seeds.dates import publication_date

    ours_score, trafilatura_score = Score(), Score()
    by_language: dict[str, Score] = {}
    nav_hits = nav_pages = right = stated = 0
    for page_name, html, body, language, published in pages:
        expected = expected_links(html, url, body)
        ours = cited_links(html, url)
        ours_score.add(ours, expected)
        trafilatura_score.add(trafilatura_links(html, url), expected)
        by_language.setdefault("en" if language == "en" else "other", Score()).add(ours, expected)
        bad = ours & navigation_links(html, url)
        nav_hits += len(bad)
        nav_pages += bool(bad)
        if show and (ours - expected or expected - ours):
            print(f"  {page_name} +{sorted(ours - expected)[:3]} -{sorted(expected - ours)[:3]}")
        if published and re.match(r"\d{4}-\d{2}-\d{2}", published):
            stated += 1
            date = publication_date(html, url)
            right += date is not None and date.day.isoformat() == published[:10]
            if show and not (date is not None and date.day.isoformat() == published[:10]):
                print(f"  date {page_name}: expected {published}, got {date}")
    print(f"URL citations on {len(pages)} {name}:")
    print(f"  tracker            all   {ours_score}")
    for name, score in sorted(by_language.items()):
        print(f"  tracker            {name:5} {score}")
    print(f"  trafilatura as is  all   {trafilatura_score}")
    print(f"  navigation links among tracker's citations: {nav_hits} on {nav_pages} pages")
    print(f"  publication date right on {right} of {stated} pages that state one ({right / max(stated, 1):.3f})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int)
    parser.add_argument("--show", type=int, default=0, help="print the differences on this many pages")
    parser.add_argument("--only", choices=["links", "dates", "readability"])
    add_smoke_flag(parser)
    args = parser.parse_args(argv)
    if args.smoke:
        args.show = max(args.show, 1)  # the printing of differences is code to check too
    sample = "SAMPLE_PAGE"
    if args.only in (None, "links"):
        pages = [("a0", SAMPLE_PAGE, SAMPLE_URL, SAMPLE_BODY)] if args.smoke else links_pages(args.limit)
        if pages is not None:
            eval_links(pages, args.show, sample if args.smoke else "scrapinghub/article-extraction-benchmark")
    if args.only in (None, "dates"):
        pages = [(SAMPLE_URL, SAMPLE_PAGE, "2024-05-07")] if args.smoke else dates_pages(args.limit)
        if pages is not None:
            eval_dates(pages, args.show, sample if args.smoke else "htmldate's MediaCloud 2020 set")
    if args.only in (None, "readability"):
        if args.smoke:
            pages = [("sample", SAMPLE_PAGE, SAMPLE_BODY, "en", "2024-05-07T09:30:00Z")]
            eval_readability(pages, args.show, f"pages of {sample}", SAMPLE_URL)
        elif (pages := readability_pages(args.limit)) is not None:
            eval_readability(pages, args.show, "real pages of Mozilla Readability's tests")
    if args.smoke:
        print(NOTE)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
