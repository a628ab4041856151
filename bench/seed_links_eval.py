"""How well tracker reads real news pages as seeds: the links of their article bodies (the citations
an HTML seed makes, and the links a source trail follows) and publication dates.

    python -m bench.seed_links_eval [--limit N] [--show PAGES] [--only SET] [--smoke]

**Expected links.** No set annotates links, only the article's text, so the expected links are
derived from that text, the same way on every set: a link of the raw page is "in the article's
running text" when its anchor text, with up to 40 characters of the text around it in its own
block (paragraph, list item, cell…), stands in the expected article text (whitespace collapsed,
case kept), and that context holds at least 20 letters besides the anchor's: a link alone in its
block (a menu entry, a "Read more" headline, a tag) is not in running text, and without this a
one-word menu entry ("Business") would count as soon as the word occurs in the article. Links
with no anchor text (images), and `mailto:`, `tel:`, `javascript:` and same-page `#` links are
never expected. Relative links resolve against the page's `<base href>`, else its URL. Compared
per page as sets of normalized URLs (tracker.urls.normalize_url), summed over pages (micro
precision and recall). A taken link that is not expected is an *outside* link (navigation,
related, tags, footers, share, author pages…); the pages where more outside links than expected
(body) links are taken are counted, and listed with `--show`. The derivation has its own errors:
a tag line or a "follow us" line the annotator kept counts as body, a search or tag link inside
a sentence ("<a>Boko Haram</a>" to the site's search) is expected though tracker drops it.

**Sets** (public; read in place, never copied into the repo; a missing set is skipped; readers in
bench/link_sets.py). Each page is in one half: `dev` (tuned on: rules were changed while looking
at its pages) or `test` (only its sums were looked at). Figures are given per set and half, per
language group (en, de, other: the language of the expected text, from the set or langdetect)
and per language over all sets.

* **scrapinghub**: scrapinghub's article-extraction-benchmark (github.com/scrapinghub/article-
  extraction-benchmark, mirrored), 181 real news and blog pages, mostly English (some ru, pt,
  it, ja, ko, id, de), with the article body annotated by hand (`ground-truth.json`,
  `articleBody`). Halves by the parity of the first hex digit of the page id (even: dev).
* **readability**: Mozilla Readability's test pages as kept in `/work/shared/corpus/readability`
  (98 real pages: en 80, zh, es, fr, ja, cs, pt, de, ro; the 32 synthetic lorem-ipsum cases are
  left out), with the text of Readability's `expected.html` as the article (its reviewed output,
  not a hand annotation); pages are read at Readability's test URL `http://fakehost/test/`.
  Dates: `publishedTime` of `expected-metadata.json`, where given (compared by day).
* **goose3**: goose3's extraction fixtures as kept in `/work/shared/corpus/goose3`: its 45 real
  pages (the synthetic ones left out) less 3 that repeat another's page and expectation; mostly
  en, with fr, es, zh, ar, ko, de. Their `cleaned_text` is usually only the first part of
  the article (50 to 15,000 characters), so only links that stand on the page before the end of
  that part count, taken or expected (a context the part cuts off after the anchor counts as far
  as it goes); a page whose part cannot be found in its text is left out. Pages with a long part
  (gizmodo, guardian, msn, wiwo, donga) give most of its links; the rest mostly check that no
  link before the article is taken.
* **newspaper4k**: newspaper4k's test fixtures (github.com/AndyTheFactory/newspaper4k, mirrored;
  `tests/data/html/X.html` with its article text in `tests/data/txt/X.txt`, URL from
  `tests/data/metadata/X.json`), 23 pages in en, ar, zh, ja, th, my, lv, es. Their text is
  newspaper4k's own reviewed output.
* Halves of readability, goose3 and newspaper4k: the parity of the first hex digit of the SHA-1
  of the page's name.

**Navigation check**: every citation is also checked against the page's navigation: links inside
`<nav>`, `<header>`, `<footer>`, `<aside>`, or an element whose role/class/id says nav, menu,
footer, header, share, social, related, tags, breadcrumb or newsletter, and that appear nowhere
else on the page.

**Dates**: htmldate's MediaCloud 2020 evaluation set (github.com/adbar/htmldate,
`tests/eval_mediacloud_2020.json` and `tests/test_set/`): 200 news pages from many countries and
languages (uk, tr, ru, es, pt, de, fr, en, …), each with its publication date checked by hand.
htmldate was developed against this set, so its figure flatters htmldate a little.

Baselines in the same run: every link of the page and every link of trafilatura's
`include_links` output as it is.

`--smoke` (bench/smoke.py) runs the evaluations on SAMPLE_PAGE, a made-up news page.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from urllib.parse import urljoin, urlsplit

from bench.link_sets import MIRROR, SETS, LinkPage, git_show, language_group, prefix_end
from bench.smoke import NOTE, add_smoke_flag
from tracker.seeds.files import read_seed_html
from tracker.urls import normalize_url

DATES_REPO = MIRROR / "adbar+htmldate" / "repo"

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
    # A page's <base href> is what its relative links resolve against, as a browser does.
    given = next((b.get("href").strip() for b in root.iter("base") if (b.get("href") or "").strip()), None)
    base = urljoin(base, given) if given else base
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


def expected_links(html: str, base: str, body: str, *, prefix: bool = False) -> set[str]:
    """Links whose anchor and its near context stand in the annotated article body; with
    `prefix`, the body is only the article's first part, and a context it cuts off after the
    anchor counts as far as the body goes."""
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
        if context in body or (prefix and _cut_off(body, context, context.find(anchor) + len(anchor))):
            found.add(url)
    return found


def _cut_off(body: str, context: str, anchor_end: int) -> bool:
    """Whether `body` ends inside `context`, somewhere after the anchor's end."""
    return any(body.endswith(context[:k]) for k in range(len(context), anchor_end - 1, -1))


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


def in_prefix(html: str, base: str, prefix: str) -> set[str] | None:
    """URLs of the links that stand on the page before the end of the expected prefix, or None
    when the prefix cannot be found in the page's text."""
    from tracker.seeds.html_text import html_to_text

    text, links = html_to_text(html)
    end = prefix_end(text, prefix)
    if end is None:
        return None
    return {u for u in (_norm(urljoin(base, link.href)) for link in links if link.start < end) if u}


def eval_links(pages: list[LinkPage], show: int) -> None:
    """Precision and recall of tracker's article links per set, half and language, against the
    baselines; and the pages where more outside links than body links are taken."""
    scores: dict[tuple[str, ...], Score] = defaultdict(Score)
    outside_heavy: dict[str, list[str]] = defaultdict(list)
    skipped: list[str] = []
    nav_hits = nav_pages = shown = 0
    for page in pages:
        expected = expected_links(page.html, page.url, page.body, prefix=page.prefix)
        ours = cited_links(page.html, page.url)
        theirs = trafilatura_links(page.html, page.url)
        every = every_link(page.html, page.url)
        if page.prefix:
            scope = in_prefix(page.html, page.url, page.body)
            if scope is None:
                skipped.append(page.name)
                continue
            expected, ours, theirs, every = (s & scope for s in (expected, ours, theirs, every))
        group = language_group(page.language)
        for key in ((page.set, page.half), (page.set, group), ("all", page.half), ("all", group)):
            scores[("tracker", *key)].add(ours, expected)
        scores[("language", page.language)].add(ours, expected)
        scores[("trafilatura as is", page.set, page.half)].add(theirs, expected)
        scores[("every link", page.set, page.half)].add(every, expected)
        outside, body = ours - expected, ours & expected
        if len(outside) > len(body):
            outside_heavy[page.set].append(
                f"{page.half} {page.name[:24]} ({page.language}): {len(outside)} outside, {len(body)} body ({page.url})"
            )
        bad = ours & navigation_links(page.html, page.url)
        nav_hits += len(bad)
        nav_pages += bool(bad)
        if show and shown < show and (ours - expected or expected - ours):
            shown += 1
            print(f"  {page.set} {page.half} {page.name[:24]} ({page.language}) {page.url}")
            for u in sorted(ours - expected)[:8]:
                print(f"    + {u}")
            for u in sorted(expected - ours)[:8]:
                print(f"    - {u}")
    counted = Counter(page.set for page in pages)
    print(f"URL citations in article bodies on {sum(counted.values()) - len(skipped)} pages: {dict(counted)}")
    if skipped:
        print(f"  goose3 pages left out, their expected prefix not found in the page's text: {len(skipped)}")
    for who in ("tracker", "trafilatura as is", "every link"):
        for key in sorted(k for k in scores if k[0] == who):
            print(f"  {who:18} {key[1]:12} {key[2]:5}  {scores[key]}")
    languages = sorted((k for k in scores if k[0] == "language"), key=lambda k: -scores[k].tp - scores[k].fn)
    print("  tracker by language: " + ", ".join(f"{k[1]} {_pr(scores[k])}" for k in languages))
    heavy = sum(len(v) for v in outside_heavy.values())
    per_set = ", ".join(f"{k} {len(v)}" for k, v in sorted(outside_heavy.items()))
    print(f"  pages with more outside than body links taken: {heavy} ({per_set})")
    if show:
        for name in sorted(outside_heavy):
            for line in outside_heavy[name]:
                print(f"    {name} {line}")
    print(f"  navigation links among tracker's citations: {nav_hits} on {nav_pages} pages")


def _pr(score: Score) -> str:
    p = score.tp / (score.tp + score.fp) if score.tp + score.fp else 1.0
    r = score.tp / (score.tp + score.fn) if score.tp + score.fn else 1.0
    return f"{p:.2f}/{r:.2f} ({score.tp + score.fn})"


def dates_pages(limit: int | None) -> list[tuple[str, str, object]] | None:
    """(URL, HTML, date checked by hand) of htmldate's MediaCloud set; None if absent."""
    if not DATES_REPO.is_dir():
        print(f"skipped dates: {DATES_REPO} not present (fetch github:adbar/htmldate)")
        return None
    truth = json.loads(git_show(DATES_REPO, "tests/eval_mediacloud_2020.json"))
    return [
        (url, git_show(DATES_REPO, f"tests/test_set/{record['file']}").decode("utf-8", "replace"), record.get("date"))
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


def eval_readability_dates(pages: list[LinkPage], show: int, name: str) -> None:
    from tracker.seeds.dates import publication_date

    right = stated = 0
    for page in pages:
        if page.published and re.match(r"\d{4}-\d{2}-\d{2}", page.published):
            stated += 1
            date = publication_date(page.html, page.url)
            ok = date is not None and date.day.isoformat() == page.published[:10]
            right += ok
            if show and not ok:
                print(f"  date {page.name}: expected {page.published}, got {date}")
    print(f"Publication dates on {len(pages)} {name}:")
    print(f"  right on {right} of {stated} pages that state one ({right / max(stated, 1):.3f})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="read at most this many pages of each set")
    parser.add_argument("--show", type=int, default=0, help="print the differences on this many pages")
    parser.add_argument("--only", choices=["links", "dates", *SETS])
    add_smoke_flag(parser)
    args = parser.parse_args(argv)
    if args.smoke:
        args.show = max(args.show, 1)  # the printing of differences is code to check too
    sets = {}
    if args.smoke:
        sample = LinkPage("sample", "a0", SAMPLE_PAGE, SAMPLE_URL, SAMPLE_BODY, "en", "dev", published="2024-05-07")
        sets = {"sample": [sample]}
    elif args.only != "dates":
        for name, read in SETS.items():
            if args.only in (None, "links", name) and (pages := read(args.limit)) is not None:
                sets[name] = pages
    if sets:
        eval_links([page for pages in sets.values() for page in pages], args.show)
    if args.only in (None, "dates", "readability") and (readability := sets.get("readability", sets.get("sample"))):
        name = "pages of SAMPLE_PAGE" if args.smoke else "real pages of Mozilla Readability's tests"
        eval_readability_dates(readability, args.show, name)
    if args.only in (None, "dates"):
        pages = [(SAMPLE_URL, SAMPLE_PAGE, "2024-05-07")] if args.smoke else dates_pages(args.limit)
        if pages is not None:
            eval_dates(pages, args.show, "SAMPLE_PAGE" if args.smoke else "htmldate's MediaCloud 2020 set")
    if args.smoke:
        print(NOTE)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
