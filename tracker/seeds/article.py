"""The article in an HTML seed: its running text and the links that stand in it.

A saved news page is mostly its site's furniture (menus, share bars, tag lists, "related" blocks,
newsletter boxes, comments); the article is one block of it. trafilatura finds that block (XML
output with links kept); this module turns it into the seed's text with each link pointing at its
anchor text, and keeps only links that stand in running text: a paragraph that is mostly its links
("Read more: <headline>"), a list of links (tags, related articles), a run of lines that each
open with their one link to the page's own site (the site's stories with teasers), a link that
stands only in the page's furniture blocks (tracker/seeds/page_links.py), a share, tag or
newsletter address, a link back to the page itself, and anything not http(s) are not citations.

Relative links resolve against the page's address, as a browser does (not against the site's
root, as trafilatura alone would): its `<base href>`, the URL it was fetched from,
its `<link rel=canonical>` or its `og:url`, in that order; with none, they are dropped with a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from tracker.seeds.html_text import SeedLink, strip_xml_declaration
from tracker.seeds.page_links import PageAddress, page_address, page_links

__all__ = ["Article", "PageAddress", "find_article", "page_address", "running_text_links"]


@dataclass(frozen=True)
class Article:
    text: str  # title line, then one line per paragraph, heading, list item or table row
    links: tuple[SeedLink, ...]  # links in running text, hrefs absolute
    title: str | None
    address: PageAddress
    notes: tuple[str, ...] = field(default=())  # what was dropped and why, for the user


# trafilatura's XML: containers hold blocks; every other element becomes one line of the text.
_CONTAINERS = frozenset({"list", "table", "row", "cell", "quote", "div", "main"})
_CONTAINED = frozenset({"p", "head", "item", "list", "row", "cell", "quote", "table", "code", "div"})
# Addresses that are the site's furniture whatever the anchor says.
_FURNITURE_PATH = re.compile(
    r"/(?:tags?|topics?|categor(?:y|ies)|newsletters?|subscribe|subscription|signup|sign-up|login|"
    r"register|author|authors|profile|search|share|donate|privacy|privacy[_-]policy|terms|terms[_-]of[_-]use|"
    r"terms[_-]of[_-]service|cookies?|cookie[_-]policy)(?:/|$|\?|\.)",
    re.IGNORECASE,
)
# (No optional prefix before an alternative, "(?:api\.)?whatsapp": it kept the expression from
# skipping ahead to a possible first letter, and a search finds "whatsapp.com/send" in any case.)
_SHARE_URL = re.compile(
    r"(?:facebook\.com/(?:sharer|share\.php|dialog/share)|twitter\.com/(?:intent|share)|x\.com/intent|"
    r"linkedin\.com/(?:share|shareArticle|sharing)|pinterest\.[a-z.]+/pin/create|reddit\.com/submit|"
    r"whatsapp\.com/send|wa\.me/|t\.me/share|telegram\.me/share|vk\.com/share|"
    r"plus\.google\.com/share|mail\.google\.com|tumblr\.com/share|getpocket\.com/save|flipboard\.com/bookmarklet)",
    re.IGNORECASE,
)
# A paragraph or list item that introduces related reading, in the languages of the seeds.
_RELATED = re.compile(
    r"^\W*(?:related|read more|read also|also read|see also|more on this|more:|watch:|listen:|recommended|"
    r"don't miss|sign up|subscribe|follow us|click here|"
    r"xem thêm|đọc thêm|tin liên quan|"
    r"lire aussi|à lire aussi|voir aussi|"
    r"lesen sie auch|mehr zum thema|auch interessant|"
    r"leer también|lea también|ver también|te puede interesar|"
    r"leia também|veja também|"
    r"leggi anche|"
    r"читайте также|смотрите также|"
    r"اقرأ أيضا|اقرأ أيضاً|"
    r"相关|延伸阅读|関連)",
    re.IGNORECASE,
)
# A paragraph that names its source keeps its link however short it is.
_SOURCE_LINE = re.compile(r"^\W*(?:sources?|nguồn|theo|via|quelle|fuente|fonte)\b", re.IGNORECASE)
# A heading over the article's list of sources or references: each line under it cites.
_SOURCES_HEADING = re.compile(
    r"^\W*(?:sources?|references?|notes|citations|bibliography|nguồn|nguồn tham khảo|tài liệu tham khảo|"
    r"tham khảo|quellen|einzelnachweise|références|fuentes|referencias|fontes|referências|fonti|"
    r"источники|примечания|参考文献|参考资料|出典|المصادر|مراجع)\W*$",
    re.IGNORECASE,
)
_WORD_CHARS = re.compile(r"\w", re.UNICODE)
# A block is running text when at least this share of its letters is not link text.
_MIN_PROSE_SHARE = 0.5
_MIN_PROSE_CHARS = 25
# A line longer than this is a paragraph, not a headline with its one-line teaser.
_MAX_TEASER_CHARS = 300


def find_article(html: str, fetched_url: str | None = None, *, all_metadata: bool = True) -> Article | None:
    """The article in an HTML page, or None when trafilatura finds no main text in it.

    `all_metadata=False` (for a caller that reads the text and its links, not the page's
    metadata): the same article, with its title found by trafilatura's title steps alone, not its
    whole metadata search (author and date: a third of the extraction's CPU on big pages)."""
    import trafilatura  # heavy: only when an HTML seed is read
    from lxml import etree

    from tracker.html_tree import parse_html

    html = strip_xml_declaration(html)
    address = page_address(html, fetched_url)
    links = page_links(html, address.base)
    # Without a base, trafilatura resolves links against the URL its metadata finds.
    with_metadata = all_metadata or address.base is None
    # Parsed once for the title and the extraction (trafilatura extracts from its own copy).
    tree = None if with_metadata else parse_html(links.html)
    if tree is None and not with_metadata:
        return None  # what trafilatura makes of a page it cannot parse
    xml = trafilatura.extract(
        links.html if with_metadata else tree,
        url=address.base,
        output_format="xml",
        include_links=True,
        include_tables=True,
        include_comments=False,
        include_images=False,
        with_metadata=with_metadata,
        deduplicate=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if not xml:
        return None
    try:
        doc = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(huge_tree=True, recover=True))
    except etree.XMLSyntaxError:
        return None
    main = doc.find("main")
    if main is None:
        return None
    title = ((doc.get("title") if with_metadata else _metadata_title(tree)) or "").strip() or None
    builder = _Builder(address, links.furniture)
    if title:
        builder.line(title)
    for element in main:
        builder.block(element)
    text = builder.text()
    if not text.strip() or text.strip() == (title or ""):
        return None
    if main.find(".//ref") is None:
        # On short pages trafilatura falls back to a plain-text extraction that loses every link;
        # take them from the page's own lines where those stand unchanged in the article.
        _recover_links(html, text, builder)
    return Article(text, tuple(builder.kept_links()), title, address, tuple(dict.fromkeys(builder.notes)))


def _metadata_title(tree) -> str | None:
    """The title trafilatura's `extract_metadata` gives the parsed page: its steps up to the
    title, and its trimming (tests/test_article_links.py checks the articles are the same)."""
    from trafilatura.settings import Document

    from tracker.originals.extract import metadata_to_title

    trimmed = Document()
    trimmed.title = metadata_to_title(tree).title
    trimmed.clean_and_trim()
    return trimmed.title


class _Builder:
    """Builds the seed's text from trafilatura's XML, one line per block, with kept links."""

    def __init__(self, address: PageAddress, furniture: frozenset[str] = frozenset()) -> None:
        self.address = address
        self.furniture = furniture  # hrefs that stand only in the page's menus, sidebars, footers...
        self.parts: list[str] = []
        self.length = 0
        self.links: list[SeedLink] = []
        self.notes: list[str] = []
        self.in_sources = False  # under a "Sources" / "References" heading: its lines cite
        # Lines that open with their one link, to the page's own site: (start, end, link indexes).
        self.teasers: list[tuple[int, int, range]] = []

    def line(self, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        if self.parts:
            self._emit("\n")
        self._emit(text)

    def _emit(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def text(self) -> str:
        return "".join(self.parts)

    def block(self, element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "graphic":
            return
        if tag in _CONTAINERS and any(isinstance(c.tag, str) and c.tag in _CONTAINED for c in element):
            if (element.text or "").strip():
                self._inline_block(element, only_text=True)
            for child in element:
                self.block(child)
            return
        self._inline_block(element)

    def _inline_block(self, element, *, only_text: bool = False) -> None:
        """One line: the element's text with its <ref> anchors; <lb/> and table cells as spaces."""
        pieces: list[tuple[str, str | None]] = []  # (text, href or None)
        if only_text:
            pieces.append((element.text or "", None))
        else:
            _flatten(element, pieces, None)
        # The line is the pieces' text with each run of whitespace one space, none at either end;
        # each piece with a link maps onto the span of its words in it.
        spans: list[tuple[str, int, int]] = []
        out: list[str] = []
        length = 0
        pending_space = False  # whitespace since the last word, and a word before it
        for text, href in pieces:
            words = text.split()
            if not words:
                pending_space = pending_space or (bool(text) and length > 0)
                continue
            if text[0].isspace():
                pending_space = length > 0
            if pending_space:
                out.append(" ")
                length += 1
            start = length
            out.append(" ".join(words))
            length += len(out[-1])
            pending_space = text[-1].isspace()
            if href is not None:
                spans.append((href, start, length))
        line = "".join(out)
        if not line:
            return
        if self.parts:
            self._emit("\n")
        start_of_line = self.length
        self._emit(line)
        self.keep_links(line, spans, start_of_line, heading=element.tag == "head")

    def keep_links(self, line: str, spans, line_start: int, *, heading: bool = False) -> None:
        """Keep the links of one line that stand in running text (or on a source line)."""
        anchor_chars = sum(len(_WORD_CHARS.findall(line[s:e])) for _, s, e in spans)
        all_chars = len(_WORD_CHARS.findall(line))
        prose = all_chars - anchor_chars
        running = prose >= _MIN_PROSE_CHARS and prose >= _MIN_PROSE_SHARE * all_chars
        if heading:
            self.in_sources = bool(_SOURCES_HEADING.match(line))
        cited_source = bool(_SOURCE_LINE.match(line)) or (self.in_sources and not heading)
        if (_RELATED.match(line) or heading) and not cited_source:
            running = False
        first = len(self.links)
        for href, s, e in spans:
            if not (running or cited_source) or not _WORD_CHARS.search(line[s:e]):
                continue  # an image or icon link has no anchor text to stand in running text
            resolved = self._resolve(href)
            if resolved is None:
                continue
            self.links.append(SeedLink(resolved, line_start + s, line_start + e))
        worded = [(s, e) for _, s, e in spans if _WORD_CHARS.search(line[s:e])]
        kept = range(first, len(self.links))
        if (
            len(worded) == 1
            and len(kept) == 1
            and worded[0][0] == 0
            and len(line) <= _MAX_TEASER_CHARS
            and not cited_source
            and _same_site(self.links[first].href, self.address)
        ):
            self.teasers.append((line_start, line_start + len(line), kept))

    def kept_links(self) -> list[SeedLink]:
        """The links kept, less those of teaser lists: two or more lines in a row that each open
        with their one link, to the page's own site ("<headline> One line of what it says."), are
        a list of the site's other stories, not citations, in any language."""
        dropped: set[int] = set()
        run: list[tuple[int, int, range]] = []
        for teaser in [*self.teasers, (-2, -2, range(0))]:
            if run and teaser[0] != run[-1][1] + 1:
                if len(run) >= 2:
                    dropped.update(i for _, _, kept in run for i in kept)
                run = []
            run.append(teaser)
        return [link for i, link in enumerate(self.links) if i not in dropped and link.href not in self.furniture]

    def _resolve(self, href: str) -> str | None:
        href = href.strip()
        if not href or href.startswith("#"):
            return None
        parts = urlsplit(href)
        scheme = parts.scheme.lower()
        if scheme and scheme not in ("http", "https"):
            return None  # mailto:, tel:, javascript:, data: are never citations
        if not scheme:
            if self.address.base is None:
                self.notes.append(
                    "relative links dropped: the page gives no address to resolve them against "
                    "(no <base>, rel=canonical or og:url)"
                )
                return None
            href = urljoin(self.address.base, href)
            parts = urlsplit(href)
        if _SHARE_URL.search(href) or _FURNITURE_PATH.search(parts.path + "?"):
            return None
        if _same_page(href, self.address):
            return None
        return href


def running_text_links(
    text: str, links, address: PageAddress, furniture: frozenset[str] = frozenset()
) -> tuple[tuple[SeedLink, ...], tuple[str, ...]]:
    """Of ``links`` into ``text`` (one block a line), those in running text, resolved, less the
    ``furniture`` hrefs (tracker/seeds/page_links.py); and notes."""
    builder = _Builder(address, furniture)
    for line, spans, line_start in _lines_with_links(text, links):
        builder.keep_links(line, spans, line_start)
    return tuple(builder.kept_links()), tuple(dict.fromkeys(builder.notes))


def _lines_with_links(text: str, links):
    by_line: dict[tuple[int, int], list[tuple[str, int, int]]] = {}
    for link in links:
        line_start = text.rfind("\n", 0, link.start) + 1
        line_end = text.find("\n", link.end)
        line_end = len(text) if line_end < 0 else line_end
        span = (link.href, link.start - line_start, link.end - line_start)
        by_line.setdefault((line_start, line_end), []).append(span)
    for (line_start, line_end), spans in by_line.items():
        yield text[line_start:line_end], spans, line_start


def _recover_links(html: str, text: str, builder: _Builder) -> None:
    from tracker.seeds.html_text import html_to_text

    page_text, all_links = html_to_text(html)
    article_lines: dict[str, int] = {}
    offset = 0
    for line in text.split("\n"):
        article_lines.setdefault(line, offset)
        offset += len(line) + 1
    for line, spans, _start in _lines_with_links(page_text, all_links):
        if line in article_lines:
            builder.keep_links(line, spans, article_lines[line])


def _flatten(element, pieces: list[tuple[str, str | None]], href: str | None) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    own_href = element.get("target") if tag == "ref" else None
    current = own_href if own_href else href
    if element.text:
        pieces.append((element.text, current))
    for child in element:
        child_tag = child.tag if isinstance(child.tag, str) else ""
        if child_tag == "lb":
            pieces.append((" ", None))
        elif child_tag != "graphic":
            if child_tag == "cell":
                pieces.append((" ", None))
            _flatten(child, pieces, current)
        if child.tail:
            pieces.append((child.tail, current))


def _same_site(href: str, address: PageAddress) -> bool:
    """Whether `href` is on the page's own site (www. and other subdomains aside)."""
    page = address.canonical_url or address.base
    return bool(page) and _site(urlsplit(href).hostname) == _site(urlsplit(page).hostname)


def _site(host: str | None) -> str:
    labels = (host or "").lower().split(".")
    # example.co.uk, example.com.br: a short second-level label under a country code is public.
    keep = 3 if len(labels) > 2 and len(labels[-1]) == 2 and len(labels[-2]) <= 3 else 2
    return ".".join(labels[-keep:])


def _same_page(href: str, address: PageAddress) -> bool:
    target = href.split("#", 1)[0].rstrip("/")
    return any(target == u.split("#", 1)[0].rstrip("/") for u in (address.base, address.canonical_url) if u)
