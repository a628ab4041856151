"""An HTML page's own links as a browser reads them, for tracker/seeds/article.py: where the page
says it lives (`page_address`), relative hrefs made absolute against it (trafilatura resolves them
against the site's root instead), and
which links stand only in the site's furniture (menus, header, footer, sidebars, share, tag,
author and "related" blocks), told by the page's structure, not by words of one language.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from tracker.seeds.html_text import strip_xml_declaration

__all__ = ["PageAddress", "PageLinks", "page_address", "page_links"]

_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside"})
_FURNITURE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "menu", "menubar"})
# Words of class and id names (markup names are the same in every language of the text).
_FURNITURE_WORDS = frozenset(
    """nav navbar navigation menu footer header masthead toolbar breadcrumb breadcrumbs pagination
    share sharing social related recommended recommendations trending popular promo outbrain taboola
    tags tag topics keywords byline author authors bio newsletter subscribe subscription signup
    sidebar comments comment""".split()
)
# Words of the names of wrappers around the whole article ("content-with-sidebar", "article-header"),
# and of embedded posts ("social-media-embed"), which the article cites.
_WRAPPER_WORDS = frozenset(
    "with wrp wrap wrapper content body entry article main fixed segment story post embed".split()
)
_NAME_PARTS = re.compile(r"[_\-\s]+")
# Going up from a link, the search ends here: what holds the whole article is no furniture, though
# a block inside it (an <aside> of related stories) still is.
_STOP_AT = frozenset({"body", "html", "article", "main"})
# A block that holds this share of the page's text or more is a wrapper, whatever its name says.
_MAX_FURNITURE_SHARE = 1 / 3


@dataclass(frozen=True)
class PageLinks:
    html: str  # the page, its relative hrefs made absolute (unchanged without a base)
    furniture: frozenset[str]  # absolute hrefs that stand only in the site's furniture


@dataclass(frozen=True)
class PageAddress:
    """Where a page says it lives, and which address relative links resolve against."""

    base: str | None  # what relative links resolve against
    canonical_url: str | None  # <link rel=canonical> or og:url, made absolute
    evidence: str | None  # "base", "fetched", "canonical" or "og:url"


def page_address(html: str, fetched_url: str | None = None) -> PageAddress:
    """The page's base for relative links and its canonical URL, read from its <head>."""
    from lxml import html as lxml_html

    from tracker.html_tree import html_parser

    try:
        root = lxml_html.document_fromstring(strip_xml_declaration(html), parser=html_parser())
    except (ValueError, Exception):  # lxml raises ParserError for an empty document
        root = None
    base = canonical = og = None
    if root is not None:
        base = _first_attr(root, "//base[@href]", "href")
        canonical = _first_attr(root, "//link[@rel and translate(@rel,'CANONIL','canonil')='canonical']", "href")
        og = _first_attr(root, "//meta[@property='og:url' or @name='og:url']", "content")
    fetched = fetched_url if _absolute(fetched_url) else None
    canonical_url = next((u for u in (_join(fetched, canonical), _join(fetched, og)) if _absolute(u)), None)
    if _absolute(base):
        return PageAddress(base, canonical_url, "base")
    if base and fetched:
        return PageAddress(urljoin(fetched, base), canonical_url, "base")
    if fetched:
        return PageAddress(fetched, canonical_url, "fetched")
    if _absolute(canonical):
        return PageAddress(canonical, canonical_url, "canonical")
    if _absolute(og):
        return PageAddress(og, canonical_url, "og:url")
    return PageAddress(None, None, None)


def page_links(html: str, base: str | None) -> PageLinks:
    """The page with absolute hrefs, and the hrefs found only inside its furniture blocks."""
    from lxml import etree
    from lxml import html as lxml_html

    from tracker.html_tree import html_parser

    html = strip_xml_declaration(html)
    if base:
        resolved: dict[str, str | None] = {}  # a page repeats its hrefs (menus, share bars)
        html = _HREF.sub(lambda m: _absolute_href(m, base, resolved), html)
    try:
        root = lxml_html.document_fromstring(html, parser=html_parser(huge_tree=True))
    except (etree.ParserError, ValueError):
        return PageLinks(html, frozenset())
    furniture: set[str] = set()
    elsewhere: set[str] = set()
    verdicts = None
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href:
            continue
        if verdicts is None:
            verdicts = _Verdicts(len(root.text_content()))
        (furniture if verdicts.in_furniture(a) else elsewhere).add(href)
    return PageLinks(html, frozenset(furniture - elsewhere))


# An <a> tag's href, quoted or not. The page is rewritten as text, not re-serialized from a parsed
# tree: lxml's serializer would percent-encode every href (spaces, non-ASCII letters), and what
# trafilatura reads would no longer be the page.
_HREF = re.compile(r"""(<a\b[^>]*?\shref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)


def _absolute_href(match: re.Match, base: str, resolved: dict[str, str | None]) -> str:
    raw = next(value for value in match.groups()[1:] if value is not None)
    if raw not in resolved:
        href = html_lib.unescape(raw).strip()
        # "#note-1" too: it is this page, not the site's root
        absolute = not href or (":" in href and urlsplit(href).scheme)  # no colon, no scheme
        resolved[raw] = None if absolute else html_lib.escape(urljoin(base, href), quote=True)
    if resolved[raw] is None:
        return match.group(0)
    return f'{match.group(1)}"{resolved[raw]}"'


class _Verdicts:
    """Whether a link stands in a furniture block: going up from it, a furniture block (smaller
    than a share of the page) comes before what holds the whole article. The answer from an
    element up is the same for every link under it, so each element is judged once."""

    def __init__(self, page_size: int) -> None:
        self.page_size = page_size
        self.from_here: dict = {}  # element -> verdict from it upwards

    def in_furniture(self, a) -> bool:
        parent = a.getparent()
        return parent is not None and self._from(parent)

    def _from(self, element) -> bool:
        path = []  # elements passed with no verdict of their own: theirs is the one found above
        verdict = False
        while element is not None:
            if element in self.from_here:
                verdict = self.from_here[element]
                break
            tag = element.tag if isinstance(element.tag, str) else ""
            if tag in _STOP_AT:
                verdict = False
                path.append(element)
                break
            if _furniture_block(element, tag) and len(element.text_content()) < self.page_size * _MAX_FURNITURE_SHARE:
                verdict = True
                path.append(element)
                break
            path.append(element)
            element = element.getparent()
        for passed in path:
            self.from_here[passed] = verdict
        return verdict


def _furniture_block(element, tag: str) -> bool:
    return (
        tag in _FURNITURE_TAGS
        or (element.get("role") or "").lower() in _FURNITURE_ROLES
        or _furniture_named(f"{element.get('class') or ''} {element.get('id') or ''}")
    )


def _furniture_named(names: str) -> bool:
    """A class or id naming a furniture block ("main-navigation", "share-bar", "related_posts"),
    not a wrapper of the article that also names one ("content-with-sidebar", "article-body
    pagination-first")."""
    parts = set(_NAME_PARTS.split(names.lower()))
    return bool(parts & _FURNITURE_WORDS) and not parts & _WRAPPER_WORDS


def _first_attr(root, xpath: str, attribute: str) -> str | None:
    for element in root.xpath(xpath):
        value = (element.get(attribute) or "").strip()
        if value:
            return value
    return None


def _absolute(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _join(base: str | None, url: str | None) -> str | None:
    if not url:
        return None
    return urljoin(base, url) if base else url
