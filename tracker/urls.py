"""URL keys: the normalized form used to deduplicate and look up sources, and cleaning of URLs
as they are found in prose.

The URL as cited is always kept alongside; normalization only removes what cannot change which
page is meant (case of scheme and host, default ports, fragments, tracking parameters, parameter
order). Path, percent-encoding and dot segments are left alone on purpose: servers may treat them
as significant, and a key that merges two different pages is worse than a duplicate.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import idna  # IDNA 2008 / UTS 46 host encoding; installed with httpx

from tracker.errors import first_line

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "ref_src", "_ga", "yclid", "msclkid"})


class UnencodableHost(ValueError):
    """An http(s) URL whose host name IDNA cannot encode or decode (an A-label such as
    "xn--zz" that is not valid Punycode): no request can be made for it, and httpx raises on it.
    `reason` is the short why, without the URL."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def normalize_url(url: str) -> str:
    """Return the dedup/lookup key for an http(s) URL; raise ValueError for anything else."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise ValueError(f"malformed URL: {url!r} ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = parts.hostname  # already lowercased by urlsplit
    if not host:
        raise ValueError(f"URL has no host: {url!r}")
    host = _encode_host(host, url)
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"URL has an invalid port: {url!r}") from None

    netloc = host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at:
        netloc = f"{userinfo}@{netloc}"

    query = _clean_query(parts.query)
    return f"{scheme}://{netloc}{parts.path or '/'}{'?' + query if query else ''}"


def _encode_host(host: str, url: str) -> str:
    if ":" in host:  # IPv6 literal; urlsplit dropped the brackets
        return f"[{host}]"
    if host.isascii():
        # Not passed through idna: real hosts contain "_" and other things strict IDNA rejects.
        # An A-label ("xn--…") must still decode: httpx raises on one that does not, anywhere.
        for label in host.split("."):
            if label.startswith("xn--"):
                try:
                    idna.decode(label)
                except (idna.IDNAError, UnicodeError, IndexError) as exc:
                    reason = f"its host name cannot be encoded (IDNA: {first_line(exc)})"
                    raise UnencodableHost(
                        f"URL has a host name that cannot be encoded: {url!r} ({reason})", reason
                    ) from None
        return host
    try:
        # Map (case, full-width dots) first, then encode only the labels that need it, so an
        # ASCII label is treated the same whether or not its neighbours are international.
        mapped = idna.uts46_remap(host, std3_rules=False, transitional=False)
        labels = [label if label.isascii() else idna.alabel(label).decode("ascii") for label in mapped.split(".")]
    except (idna.IDNAError, UnicodeError) as exc:
        reason = f"its host name cannot be encoded (IDNA: {first_line(exc)})"
        raise UnencodableHost(f"URL has an invalid international host name: {url!r} ({exc})", reason) from None
    return ".".join(labels).lower()


def host_is_encodable(host: str) -> bool:
    """Whether every A-label ("xn--…") of an ASCII host name decodes (see UnencodableHost)."""
    try:
        _encode_host(host.lower(), host)
    except UnencodableHost:
        return False
    return True


def _clean_query(query: str) -> str:
    """Drop tracking parameters and sort the rest by name, keeping each pair's raw encoding."""
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = unquote_plus(pair.partition("=")[0]).lower()
        if name.startswith("utm_") or name in _TRACKING_PARAMS:
            continue
        kept.append(pair)
    # Sort by name only; the sort is stable, so repeated names keep their order (a=2&a=1 can
    # mean something different from a=1&a=2).
    kept.sort(key=lambda pair: pair.partition("=")[0])
    return "&".join(kept)


# Punctuation that ends a sentence around a URL in prose but rarely ends a URL itself.
_TRAILING_PUNCT = frozenset(".,;:!?。，；：！？、")
# Closers stripped only when the URL does not contain their opener ("…/Foo_(bar)" keeps its ")").
_CLOSERS = {")": "(", "]": "[", "”": "“", "’": "‘", "»": "«", "）": "（", ">": "<"}
_QUOTES = frozenset("\"'")


def clean_cited_url(raw: str) -> str:
    """Strip punctuation that prose puts after a URL: ``(see https://x.vn/a.htm).`` → the URL."""
    url = raw.strip()
    while url:
        last = url[-1]
        if (
            last in _TRAILING_PUNCT
            or last in _CLOSERS
            and url.count(_CLOSERS[last]) < url.count(last)
            or last in _QUOTES
            and url.count(last) % 2 == 1
        ):
            url = url[:-1]
        else:
            break
    return url


# user[:password]@ in an http(s) URL standing in prose (a seed's text).
_USERINFO_IN_TEXT = re.compile(r"(?i)\b(https?://)([^\s/?#@\[\]<>\"']+)@(?=[^\s@])")


def strip_credentials(url: str) -> tuple[str, bool]:
    """The URL without any user:password@ part, and whether there was one: credentials in a cited
    URL are never sent, logged or stored."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, False
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at:
        return url, False
    return urlunsplit(parts._replace(netloc=hostport)), True


def mask_credentials(text: str) -> str:
    """`text` with the user:password of every http(s) URL in it replaced by as many `*`, so
    offsets into the text stay valid and the secret is not stored."""
    return _USERINFO_IN_TEXT.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + "@", text)
