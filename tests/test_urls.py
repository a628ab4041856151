from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.urls import clean_cited_url, normalize_url


@pytest.mark.parametrize(
    "url, expected",
    [
        ("HTTPS://ThanhNien.VN/Tong-Thong.htm", "https://thanhnien.vn/Tong-Thong.htm"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a?", "https://example.com/a"),
        (
            "https://example.com/a?utm_source=fb&b=2&fbclid=XYZ&a=1&utm_medium=social#x",
            "https://example.com/a?a=1&b=2",
        ),
        (
            "https://example.com/?gclid=1&mc_cid=2&mc_eid=3&igshid=4&ref_src=5&_ga=6&yclid=7&msclkid=8&UTM_Campaign=9&id=7",
            "https://example.com/?id=7",
        ),
        ("https://example.com/?z=1&a=2&z=0", "https://example.com/?a=2&z=1&z=0"),
        ("https://example.com/?q=a%20b&p=x+y", "https://example.com/?p=x+y&q=a%20b"),
        ("https://bücher.example/Straße", "https://xn--bcher-kva.example/Straße"),
        ("https://Việt.VN/a", "https://xn--vit-5kz.vn/a"),
        ("https://Việt．VN/a", "https://xn--vit-5kz.vn/a"),  # full-width dot
        # ASCII labels next to an international one are kept as they would be on their own.
        ("https://bücher.ab--x.my_host.com/", "https://xn--bcher-kva.ab--x.my_host.com/"),
        ("https://user:pw@Example.com:443/a", "https://user:pw@example.com/a"),
        ("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"),
        ("  https://example.com/a/../b/./c  ", "https://example.com/a/../b/./c"),
    ],
)
def test_normalize_url(url, expected):
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://example.com/file", "not an http(s) URL"),
        ("mailto:desk@example.com", "not an http(s) URL"),
        ("/relative/path", "not an http(s) URL"),
        ("example.com/a", "not an http(s) URL"),
        ("https://", "no host"),
        ("https:///path", "no host"),
        ("https://example.com:99999/", "invalid port"),
        ("http://[::1/", "malformed URL"),
        ("http://a\u200d.com/", "invalid international host name"),
    ],
)
def test_normalize_url_rejects_with_clear_message(url, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        normalize_url(url)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("https://x.vn/a.htm.", "https://x.vn/a.htm"),
        ("https://x.vn/a.htm,", "https://x.vn/a.htm"),
        ("https://x.vn/a.htm;", "https://x.vn/a.htm"),
        ("https://x.vn/a:", "https://x.vn/a"),
        ("https://x.vn/a?!", "https://x.vn/a"),
        ("https://x.vn/a).", "https://x.vn/a"),
        ("https://en.wikipedia.org/wiki/Tartus_(city)", "https://en.wikipedia.org/wiki/Tartus_(city)"),
        ("https://en.wikipedia.org/wiki/Tartus_(city)).", "https://en.wikipedia.org/wiki/Tartus_(city)"),
        ("https://x.vn/a]", "https://x.vn/a"),
        ("https://x.vn/a[1]", "https://x.vn/a[1]"),
        ('https://x.vn/a"', "https://x.vn/a"),
        ("https://x.vn/a'", "https://x.vn/a"),
        ("https://x.vn/a”.", "https://x.vn/a"),
        ("https://x.vn/a。", "https://x.vn/a"),
        ("https://x.vn/a?q=1", "https://x.vn/a?q=1"),
        ("https://x.vn/", "https://x.vn/"),
    ],
)
def test_clean_cited_url(raw, expected):
    assert clean_cited_url(raw) == expected


# ---------------------------------------------------------------- properties

_label = st.text(alphabet="abcXYZ019-", min_size=1, max_size=8).filter(
    lambda s: not s.startswith("-") and not s.endswith("-")
)
_idn_label = st.sampled_from(["bücher", "việt", "москва", "日本", "Straße"])
_host = st.lists(st.one_of(_label, _idn_label), min_size=1, max_size=3).map(".".join).map(lambda h: h + ".com")
_param_name = st.sampled_from(["a", "B", "id", "utm_source", "UTM_medium", "fbclid", "gclid", "q", "_ga", "page"])
_param_value = st.text(alphabet="abc12%+-_.~", max_size=5)
_query = st.lists(st.tuples(_param_name, _param_value), max_size=5).map(
    lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)
)


@st.composite
def urls(draw):
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    host = draw(_host)
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = draw(st.sampled_from(["", "/", "/a/B.htm", "/Tin-Tuc/2025/x.html", "/a%20b/"]))
    query = draw(_query)
    fragment = draw(st.sampled_from(["", "#", "#top", "#a?b=c"]))
    return f"{scheme}://{host}{port}{path}{'?' + query if query else ''}{fragment}"


@settings(database=None, max_examples=300)
@given(urls())
def test_normalize_is_idempotent(url):
    once = normalize_url(url)
    assert normalize_url(once) == once


@settings(database=None, max_examples=300)
@given(urls())
def test_normalized_has_no_fragment_no_tracking_and_lowercase_ascii_host(url):
    normalized = normalize_url(url)
    parts = urlsplit(normalized)
    assert "#" not in normalized
    names = [pair.partition("=")[0] for pair in parts.query.split("&") if pair]
    assert not any(n.lower().startswith("utm_") or n in {"fbclid", "gclid", "_ga"} for n in names)
    assert names == sorted(names)
    host = parts.netloc.rsplit("@", 1)[-1]
    assert host == host.lower() and host.isascii()
    assert parts.scheme in ("http", "https")
    default_port = {"http": ":80", "https": ":443"}[parts.scheme]
    assert not host.endswith(default_port)


@settings(database=None, max_examples=300)
@given(st.text(max_size=40))
def test_arbitrary_text_is_rejected_or_normalized_stably(text):
    try:
        once = normalize_url(text)
    except ValueError:
        return
    assert normalize_url(once) == once
