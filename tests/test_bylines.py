"""tracker/originals/bylines.py selects exactly the elements trafilatura's author expressions do."""

from __future__ import annotations

import pytest
from trafilatura import metadata as trafilatura_metadata
from trafilatura.utils import load_html

from tests.pages import real_pages
from tracker.originals.bylines import AUTHOR_DISCARD, author_rules

# Every attribute and value trafilatura's expressions look for, on the tags they name and on
# others, near misses included (a capital letter, a missing hyphen, the token not at the start).
_ATTRIBUTES = [
    ("rel", "author"), ("rel", "authors"), ("id", "author"), ("class", "author"), ("class", "Author"),
    ("itemprop", "author name"), ("itemprop", "author"), ("itemprop", "coauthor"), ("itemprop", "name"),
    ("data-testid", "AuthorCard"), ("data-testid", "AuthorURL"), ("data-testid", "authorcard"),
    ("class", "authorname"), ("class", "author-name"), ("class", "x AuthorName"), ("class", "authorName y"),
    ("class", "author--name"), ("class", "byline"), ("class", "Byline"), ("class", "bylines"),
    ("class", "username"), ("class", "byl"), ("class", "BBL"), ("class", "bbl"), ("id", "zuozhe"),
    ("id", "x-bianji"), ("id", "xiaobian1"), ("id", "Author"), ("id", "AUTHOR"), ("class", "channel-name"),
    ("class", "submitted-by"), ("class", "posted-by"), ("class", "journalist-name"), ("class", "screenname"),
    ("class", "writer"), ("class", "Writer"), ("data-component", "Byline"), ("data-component", "byline"),
    ("data-component", "Figure"), ("id", "comments"), ("id", "comments-2"), ("id", "x-comments"),
    ("id", "commentlist"), ("id", "comment-list"), ("id", "ProductReviews"), ("class", "comments"),
    ("class", "Comments box"), ("class", "box comments"), ("class", "title"), ("class", "date"),
    ("class", "commentlist"), ("class", "comments-list"), ("class", "sidebar"), ("class", "is-hidden"),
    ("class", "quote"), ("class", "embedly-instagram"), ("class", "article-share"), ("class", "article-support"),
    ("class", "article-shares"), ("class", "print"), ("class", "category"), ("class", "meta-date"),
    ("class", "meta-reviewer"), ("class", ""), ("id", ""),
]  # fmt: skip
_TAGS = ["a", "address", "div", "link", "p", "span", "strong", "h3", "h4", "section", "li", "author", "time"]


def _made_page() -> str:
    elements = []
    for tag in _TAGS:
        for name, value in _ATTRIBUTES:
            elements.append(f'<{tag} {name}="{value}">By Jane Doe, {tag} {name}</{tag}>')
        elements.append(f"<{tag}><rel>me</rel>Jane Doe</{tag}>")  # XPath's `rel='me'` (no @)
        elements.append(f"<{tag}><rel>not me</rel>Jane Doe</{tag}>")
    return "<html><body><div class='comments'>" + "".join(elements) + "</div>" + "".join(elements) + "</body></html>"


def _pages() -> list[tuple[str, str]]:
    return [("made", _made_page()), *real_pages()]


@pytest.mark.parametrize("rule", range(len(trafilatura_metadata.AUTHOR_XPATHS)))
def test_each_byline_rule_selects_trafilaturas_elements_in_its_order(rule):
    theirs = trafilatura_metadata.AUTHOR_XPATHS[rule]
    for name, html in _pages():
        tree = load_html(html)
        ours = author_rules(tree)[rule]
        assert [_where(e) for e in ours(tree)] == [_where(e) for e in theirs(tree)], name


@pytest.mark.parametrize("rule", range(len(trafilatura_metadata.AUTHOR_DISCARD_XPATHS)))
def test_the_author_search_prunes_trafilaturas_elements(rule):
    ours, theirs = AUTHOR_DISCARD[rule], trafilatura_metadata.AUTHOR_DISCARD_XPATHS[rule]
    for name, html in _pages():
        tree = load_html(html)
        assert [_where(e) for e in ours(tree)] == [_where(e) for e in theirs(tree)], name


def test_the_made_page_has_elements_for_every_rule():
    # The comparison above means something only if each rule finds elements, and misses others.
    tree = load_html(_made_page())
    everything = sum(1 for e in tree.iter() if isinstance(e.tag, str))
    for select in [*author_rules(tree), *AUTHOR_DISCARD]:
        assert 0 < len(select(tree)) < everything


def test_the_author_found_is_trafilaturas():
    for name, html in _pages():
        ours = trafilatura_metadata.extract_metainfo(
            pruned := trafilatura_metadata.prune_unwanted_nodes(load_html(html), AUTHOR_DISCARD),
            author_rules(pruned),
            120,
        )
        theirs = trafilatura_metadata.extract_metainfo(
            trafilatura_metadata.prune_unwanted_nodes(load_html(html), trafilatura_metadata.AUTHOR_DISCARD_XPATHS),
            trafilatura_metadata.AUTHOR_XPATHS,
            120,
        )
        assert ours == theirs, name


def _where(element) -> str:
    """An element's place in its tree (its path), to compare selections made on one tree."""
    return element.getroottree().getpath(element)
