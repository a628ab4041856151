"""The visible text of an HTML page, whitespace collapsed as a browser does, and every link in it
pointing at its anchor text in that text."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class SeedLink:
    """A hyperlink in a seed: ``href`` as written, offsets of its anchor text in SeedText.text."""

    href: str
    start: int
    end: int


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


def strip_xml_declaration(html: str) -> str:
    """`html` without a leading XML declaration: lxml refuses str input that still carries an
    encoding declaration (the text is already decoded)."""
    return _XML_DECLARATION.sub("", html, count=1)


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

    html = strip_xml_declaration(html)
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
