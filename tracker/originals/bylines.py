"""trafilatura's author search, its XPath expressions written as one walk over the page's elements.

trafilatura finds an author the page's metadata does not name by pruning comments, sidebars,
figures and dates (AUTHOR_DISCARD_XPATHS) and taking the first short text of an element that looks
like a byline (AUTHOR_XPATHS). Those expressions test attributes with `re:test`, which libxml2
evaluates by calling back into Python for each element: 13 ms a page on the shared corpus, a
third of the extraction. Here each expression is a Python test of one element, with the very same
regular expressions, and the elements come in document order as XPath returns them: the same
elements for a tenth of the CPU. tests/test_bylines.py checks them against trafilatura's own
expressions on real pages and on a page made of every attribute they look for, so a trafilatura
release that changes them shows there.
"""

from __future__ import annotations

import re

from lxml.etree import XPath

__all__ = ["AUTHOR_DISCARD", "BYLINES"]


def _search(pattern: str):
    return re.compile(pattern).search


# AUTHOR_XPATHS[0]: specific and almost specific.
_SPECIFIC_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_SPECIFIC_CLASS = _search("author-?name|AuthorName|authorName")
# AUTHOR_XPATHS[1]: almost generic and generic.
_GENERIC_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
_GENERIC_CLASSES = frozenset({"byline", "username", "byl", "BBL"})
_GENERIC_ID = _search("author|zuozhe|bianji|xiaobian")
_GENERIC_CLASS = _search("author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
# AUTHOR_XPATHS[2]: last resort, any element.
_ANY_ID = _search("[Aa]uthor")
_ANY_CLASS = _search("[Aa]uthor|screenname|writer|[Bb]yline")
# AUTHOR_DISCARD_XPATHS[0].
_DISCARD_TAGS = frozenset({"a", "div", "section", "span"})
_DISCARD_VALUES = {"id": frozenset({"comments"}), "class": frozenset({"comments", "title", "date"})}
_DISCARD_ID = _search("^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = _search(
    "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|article-(?:share|support)|"
    "print|category|meta-date|meta-reviewer"
)


def _specific(element) -> bool:
    if element.tag == "author":
        return True
    if element.tag not in _SPECIFIC_TAGS:
        return False
    get = element.get
    return (
        get("rel") == "author"
        or get("id") == "author"
        or get("class") == "author"
        or get("itemprop") == "author name"
        # XPath's `rel='me'` (no @): a child element <rel> whose text is "me"
        or any(child.tag == "rel" and "".join(child.itertext()) == "me" for child in element)
        or get("data-testid") in ("AuthorCard", "AuthorURL")
        or bool(_SPECIFIC_CLASS(get("class") or ""))
    )


def _generic(element) -> bool:
    if element.tag not in _GENERIC_TAGS:
        return False
    get = element.get
    return (
        get("class") in _GENERIC_CLASSES
        or "author" in (get("itemprop") or "")
        or bool(_GENERIC_ID(get("id") or ""))
        or bool(_GENERIC_CLASS(get("class") or ""))
    )


def _any(element) -> bool:
    get = element.get
    return (
        "Byline" in (get("data-component") or "")
        or "author" in (get("itemprop") or "")
        or bool(_ANY_ID(get("id") or ""))
        or bool(_ANY_CLASS(get("class") or ""))
    )


def _discarded(element) -> bool:
    if element.tag not in _DISCARD_TAGS:
        return False
    get = element.get
    return (
        get("id") in _DISCARD_VALUES["id"]
        or get("class") in _DISCARD_VALUES["class"]
        or bool(_DISCARD_ID(get("id") or ""))
        or bool(_DISCARD_CLASS(get("class") or ""))
        or "Figure" in (get("data-component") or "")
    )


def _where(candidates: str, test):
    """The elements `candidates` (an XPath with no regular expression, so libxml2 alone walks the
    page: every element that has an attribute `test` looks at) that pass `test`, in document order."""
    among = XPath(candidates)

    def select(tree) -> list:
        return [element for element in among(tree) if test(element)]

    return select


# Drop-in for trafilatura's lists: each is called with the tree and returns the elements.
BYLINES = [
    _where(
        "//*[self::a or self::address or self::div or self::link or self::p or self::span or self::strong]"
        "[@rel or @id or @class or @itemprop or @data-testid or rel]|//author",
        _specific,
    ),
    _where(
        "//*[self::a or self::div or self::h3 or self::h4 or self::p or self::span][@class or @id or @itemprop]",
        _generic,
    ),
    _where("//*[@class or @id or @itemprop or @data-component]", _any),
]
AUTHOR_DISCARD = [
    _where(".//*[self::a or self::div or self::section or self::span][@id or @class or @data-component]", _discarded),
    XPath("//time|//figure"),  # no regular expression: trafilatura's own
]
