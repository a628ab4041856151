"""Parsing a page into the tree trafilatura works on, with element classes chosen in C.

lxml.html picks the Python class of every element it hands to Python (a proxy made each time
code touches an element) by calling a Python method, to give <form>, <input>, <select>,
<textarea> and <label> classes of their own. trafilatura touches elements some 4,000 times a
page and uses none of those classes' extras, so a parser whose lookup is lxml's C one (every
element an HtmlElement) gives trafilatura the same tree and the same results: on the shared
corpus the fast pass and metadata took 33.5 ms a page against 35.1 (interleaved, one process);
tests/test_html_tree.py compares the trees and the texts.
"""

from __future__ import annotations

from functools import cache

__all__ = ["html_parser", "parse_html"]


# trafilatura.utils.HTML_PARSER's options
_TRAFILATURA_OPTIONS = {
    "collect_ids": False,
    "default_doctype": False,
    "encoding": "utf-8",
    "remove_comments": True,
    "remove_pis": True,
}


@cache
def html_parser(**options):
    """An lxml.html parser with these options whose element classes are chosen in C."""
    from lxml import etree
    from lxml import html as lxml_html

    parser = lxml_html.HTMLParser(**options)
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml_html.HtmlElement,
            comment=lxml_html.HtmlComment,
            pi=lxml_html.HtmlProcessingInstruction,
            entity=lxml_html.HtmlEntity,
        )
    )
    return parser


def _parser():
    return html_parser(**_TRAFILATURA_OPTIONS)


def parse_html(html: str):
    """trafilatura's `load_html` for a decoded page, step for step, with the parser above: the
    page's tree, or None when lxml finds no HTML in it."""
    from lxml.html import fromstring
    from trafilatura.utils import is_dubious_html, repair_faulty_html

    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    html = repair_faulty_html(html, beginning)
    tree, parsed_bytes = None, False
    try:
        tree = fromstring(html, parser=_parser())
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree, parsed_bytes = _from_bytes(html), True
    except Exception:  # what lxml cannot parse at all, as trafilatura takes it
        pass
    if (tree is None or len(tree) < 1) and not parsed_bytes:
        tree = _from_bytes(html)
    if tree is not None and dubious and len(tree) < 2:
        return None  # not HTML: trafilatura's rejection test
    return tree


def _from_bytes(html: str):
    from lxml.html import fromstring

    try:
        return fromstring(html.encode("utf8", "surrogatepass"), parser=_parser())
    except Exception:
        return None
