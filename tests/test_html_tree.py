"""tracker/html_tree.py parses a page into the tree trafilatura's own load_html makes."""

from __future__ import annotations

import pytest
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from tests.pages import real_pages
from tracker.html_tree import parse_html

ODD_INPUTS = {
    "empty": "",
    "plain text": "no markup at all, just words",
    "a fragment": "<p>one paragraph</p>",
    "two blocks": "<p>one</p><p>two</p>",
    "xml declaration with encoding": '<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>',
    "self-closing html": '<!DOCTYPE html>\n<html lang="en"/>\n<body><p>text</p></body>',
    "doctype": "<!DOCTYPE html><html><head><title>t</title></head><body><form><input value=1></form></body></html>",
    "control characters": "<html><body><p>a\x00b\x0bc</p></body></html>",
}


def _serialised(tree) -> bytes | None:
    return None if tree is None else etree.tostring(tree)


def _pages() -> list[tuple[str, str]]:
    return [*ODD_INPUTS.items(), *real_pages(corpus_limit=80)]


@pytest.mark.parametrize("name", list(ODD_INPUTS))
def test_odd_inputs_parse_as_trafilatura_parses_them(name):
    html = ODD_INPUTS[name]
    assert _serialised(parse_html(html)) == _serialised(load_html(html))


def test_pages_parse_to_the_same_tree_and_extract_to_the_same_text():
    for name, html in _pages():
        ours, theirs = parse_html(html), load_html(html)
        assert _serialised(ours) == _serialised(theirs), name
        if theirs is None:
            continue
        mine = trafilatura.bare_extraction(ours, fast=True, include_comments=False)
        trafilaturas = trafilatura.bare_extraction(theirs, fast=True, include_comments=False)
        assert (mine.text if mine else None) == (trafilaturas.text if trafilaturas else None), name


def test_every_element_is_a_plain_html_element():
    # The point of the parser: form controls are HtmlElements too, chosen without a Python call.
    tree = parse_html(ODD_INPUTS["doctype"])
    assert {type(e) for e in tree.iter()} == {HtmlElement}
    assert tree.find(".//input").get("value") == "1"
