"""trafilatura's author search, its XPath expressions written as one walk over the page's elements.

trafilatura finds an author the page's metadata does not name by pruning comments, sidebars,
figures and dates (AUTHOR_DISCARD_XPATHS) and taking the first short text of an element that looks
like a byline (AUTHOR_XPATHS). Those expressions test attributes with `re:test`, which libxml2
evaluates by calling back into Python for each element they look at. Here each expression is a
Python test of one element, with the very same regular expressions, all three byline expressions
in one walk, and the elements come in document order as XPath returns them: the same elements,
and on the shared corpus the author search takes 2.9 ms a page where trafilatura's takes 10.5
(measured interleaved, page by page, in one process). tests/test_bylines.py checks them against
trafilatura's own expressions on real pages and on a page made of every attribute they look for,
so a trafilatura release that changes them shows there.
"""

from __future__ import annotations

import re

from lxml.etree import XPath

__all__ = ["AUTHOR_DISCARD", "author_rules"]


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
_DISCARD_IDS = frozenset({"comments"})
_DISCARD_CLASSES = frozenset({"comments", "title", "date"})
_DISCARD_ID = _search("^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = _search(
    "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|article-(?:share|support)|"
    "print|category|meta-date|meta-reviewer"
)


def _specific(element, parents_of_me: frozenset) -> bool:
    """`parents_of_me`: the elements with a child <rel> whose text is "me" (XPath's `rel='me'`,
    with no @, looks at child elements)."""
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
        or element in parents_of_me
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
        get("id") in _DISCARD_IDS
        or get("class") in _DISCARD_CLASSES
        or bool(_DISCARD_ID(get("id") or ""))
        or bool(_DISCARD_CLASS(get("class") or ""))
        or "Figure" in (get("data-component") or "")
    )


def author_rules(tree) -> list:
    """trafilatura's AUTHOR_XPATHS evaluated on `tree` in one walk over its elements: for each
    expression, a callable that returns its elements in document order (what `extract_metainfo`
    calls the expressions for)."""
    root = tree.getroottree().getroot()  # `//*`: the whole document, root included
    parents_of_me = frozenset(rel.getparent() for rel in root.iter("rel") if "".join(rel.itertext()) == "me")
    specific, generic, anywhere = [], [], []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if _specific(element, parents_of_me):
            specific.append(element)
        if _generic(element):
            generic.append(element)
        if _any(element):
            anywhere.append(element)
    found = (specific, generic, anywhere)
    return [lambda _tree, elements=elements: elements for elements in found]


def _discard(tree) -> list:
    """AUTHOR_DISCARD_XPATHS[0], `.//*[...]`: the elements under `tree`, in document order."""
    return [element for element in tree.iterdescendants() if isinstance(element.tag, str) and _discarded(element)]


# What trafilatura's author search prunes first, as its list of expressions.
AUTHOR_DISCARD = [_discard, XPath("//time|//figure")]  # the second has no regular expression: trafilatura's own
