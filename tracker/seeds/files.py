"""Reading seed files into plain text, whatever their format.

Plain text and Markdown are kept exactly as written (citations finds Markdown links itself).
HTML becomes the text of its article (tracker.seeds.article: the body, without the site's
navigation), and each link in the article's running text is kept as a SeedLink pointing at its anchor
text in that produced text, because the URL itself no longer appears there. A page with no article
body becomes its whole visible text with every link, as before. HTML seeds also carry the page's
address and its publication date (tracker.seeds.dates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import TrackerError
from tracker.fetch.charset import looks_binary

if TYPE_CHECKING:
    from tracker.seeds.dates import PublicationDate


class SeedError(TrackerError, ValueError):
    """A seed file that cannot be used: unreadable, empty, binary or of an unsupported type."""


@dataclass(frozen=True)
class SeedLink:
    """A hyperlink in a seed: ``href`` as written, offsets of its anchor text in SeedText.text."""

    href: str
    start: int
    end: int


@dataclass(frozen=True)
class SeedText:
    text: str
    format: str  # "text", "markdown" or "html"
    links: tuple[SeedLink, ...] = ()
    title: str | None = None  # html: the article's title
    canonical_url: str | None = None  # html: <link rel=canonical> or og:url
    published: PublicationDate | None = None  # html: when the page says it was published
    article: bool = False  # html: an article body was found (else the whole visible text)
    notes: tuple[str, ...] = ()  # what was left out and why
    encoding: str = "utf-8"  # as decoded; anything else was a guess, and the run says so


_FORMATS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


def read_seed_file(path: Path) -> SeedText:
    """Read one seed file; raise SeedError with a one-line message if it cannot be used."""
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        supported = ", ".join(sorted(_FORMATS))
        raise SeedError(f"{path}: unsupported seed file type {path.suffix!r} (use one of {supported})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SeedError(f"{path}: cannot read seed file ({exc.strerror or exc})") from None
    text, encoding = _decode(data, path)
    seed = read_seed_html(text) if fmt == "html" else SeedText(text=text, format=fmt)
    if not seed.text.strip():
        raise SeedError(f"{path}: seed file has no text")
    return replace(seed, encoding=encoding)


def read_seed_html(html: str, url: str | None = None) -> SeedText:
    """An HTML seed (a saved file, or a page fetched from ``url``) as text, links and metadata."""
    from tracker.seeds.article import find_article, page_address, running_text_links
    from tracker.seeds.dates import publication_date

    page_text, page_links = html_to_text(html)
    # A short page (a fragment, a note) is all article: trafilatura is unreliable on so little.
    article = find_article(html, url) if len(page_text) >= _SHORT_PAGE else None
    address = article.address if article else page_address(html, url)
    published = publication_date(html, url or address.canonical_url)
    if article is not None:
        return SeedText(
            text=article.text,
            format="html",
            links=article.links,
            title=article.title,
            canonical_url=address.canonical_url,
            published=published,
            article=True,
            notes=article.notes,
        )
    # No article found: the whole page is the seed's text, and the links of its running text
    # (not its menus) are its citations, by the same rules as in an article.
    links, notes = running_text_links(page_text, page_links, address)
    if len(page_text) >= _SHORT_PAGE:
        notes = ("no article body found: the whole page is the seed's text", *notes)
    return SeedText(
        text=page_text,
        format="html",
        links=links,
        canonical_url=address.canonical_url,
        published=published,
        notes=notes,
    )


# Visible text shorter than this (characters) is taken whole, without looking for an article.
_SHORT_PAGE = 1500


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    if not data.strip():
        raise SeedError(f"{path}: seed file is empty")
    if looks_binary(data):
        raise SeedError(f"{path}: seed file looks binary, not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"  # utf-8-sig also accepts input without a BOM
    except UnicodeDecodeError:
        pass
    from tracker.seeds.encoding import guess_encoding

    return guess_encoding(data, path)


# Elements whose start and end break the line, so headings and paragraphs stay separate
# sentences once the tags are gone.
_BLOCK = frozenset(
    """
    address article aside blockquote body caption dd details dialog div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section
    summary table tbody td tfoot th thead tr ul
    """.split()
)
_INVISIBLE = frozenset({"head", "script", "style", "noscript", "template", "svg", "iframe", "object"})
_SPACES = re.compile(r"\s+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


class _TextBuilder:
    """Accumulates visible text, collapsing whitespace the way a browser does."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.at_line_start = True
        # A space is held back until more text follows, so lines never end with a space and
        # link offsets never have to be corrected for one.
        self.pending_space = False

    def add(self, raw: str) -> None:
        collapsed = _SPACES.sub(" ", raw)
        if not collapsed:
            return
        if collapsed[0] == " ":
            self.pending_space = True
            collapsed = collapsed[1:]
        if not collapsed:
            return
        trailing = collapsed.endswith(" ")
        collapsed = collapsed.rstrip(" ")
        if self.pending_space and not self.at_line_start:
            self._emit(" ")
        self._emit(collapsed)
        self.pending_space = trailing
        self.at_line_start = False

    def newline(self) -> None:
        self.pending_space = False
        if not self.at_line_start:
            self._emit("\n")
            self.at_line_start = True

    def _emit(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def text(self) -> str:
        return "".join(self.parts).rstrip("\n")


def html_to_text(html: str) -> tuple[str, list[SeedLink]]:
    """The visible text of a whole page, and every link in it pointing at its anchor text."""
    from lxml import etree
    from lxml import html as lxml_html

    # lxml refuses str input that still carries an XML encoding declaration; it is already decoded.
    html = _XML_DECLARATION.sub("", html, count=1)
    try:
        # huge_tree: without it libxml2 silently drops text nested more than 256 levels deep.
        root = lxml_html.document_fromstring(html, parser=lxml_html.HTMLParser(huge_tree=True))
    except (etree.ParserError, ValueError):
        return "", []

    out = _TextBuilder()
    raw_links: list[tuple[str, int, int]] = []
    open_links: list[tuple[str, int]] = []  # a stack: (href, offset where the anchor began)
    # iterwalk, not recursion: a hostile seed can nest elements deeper than Python's stack.
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event in ("comment", "pi"):
            if el.tail:  # the comment itself is invisible, the text after it is not
                out.add(el.tail)
        elif event == "start":
            if tag in _INVISIBLE:
                walker.skip_subtree()
                continue
            if tag in _BLOCK or tag == "br":
                out.newline()
            if tag == "a" and el.get("href"):
                open_links.append((el.get("href").strip(), out.length))
            if el.text:
                out.add(el.text)
        else:
            if tag not in _INVISIBLE:
                if tag == "a" and el.get("href") and open_links:
                    href, start = open_links.pop()
                    raw_links.append((href, start, out.length))
                if tag in _BLOCK:
                    out.newline()
            if el.tail and el is not root:
                out.add(el.tail)

    text = out.text()
    links = []
    for href, start, end in raw_links:
        # Offsets were taken before any held-back space or line break was written.
        end = min(end, len(text))
        start = min(start, end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        links.append(SeedLink(href, start, end))
    return text, links
