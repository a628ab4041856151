"""A loopback web archive for the archive tests: a Memento TimeGate at /web/<URL> that answers
Accept-Datetime with a 302 to the closest capture (Link: original, timegate, timemap), and the
captures themselves at /web/<14 digits>/<URL> (with a toolbar, as archives show them) and
/web/<14 digits>id_/<URL> (the raw page, with Memento-Datetime and Link rel="original" and, when
there is an earlier capture, rel="prev memento"); /save/<URL> plays Save Page Now. The TimeGate's answer can be replaced
(`timegate_answer`, e.g. a 429) or redirect elsewhere (`redirect_to`).

    archive = FakeArchive({url: [(datetime(2025, 2, 12, 9, 0, tzinfo=UTC), html_bytes)]})
    with serve(archive.routes()) as base: ...   # TimeGate: f"{base}/web/"
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

TOOLBAR = b"<div id='wm-toolbar'>Wayback Machine toolbar</div>"


class _PrefixRoutes(dict):
    """Routes by exact path, then by the longest prefix that ends in '/' (the archive's URLs
    carry the page's URL in their path)."""

    def get(self, path, default=None):
        if path in self:
            return self[path]
        prefixes = [p for p in self if p.endswith("/") and path.startswith(p)]
        return self[max(prefixes, key=len)] if prefixes else default


class FakeArchive:
    def __init__(self, captures: dict[str, list[tuple[datetime, bytes]]]) -> None:
        self.captures = captures
        self.timegate_answer: Callable | None = None  # replaces the TimeGate's answer when set
        self.redirect_to: str | None = None  # a Location the TimeGate sends instead of the memento

    def routes(self) -> dict:
        saved = (200, {"Content-Type": "text/html"}, b"<p>Saved.</p>")  # Save Page Now
        return _PrefixRoutes({"/web/": self._web, "/save/": saved, "/robots.txt": (404, {}, b"")})

    def _web(self, handler):
        rest = handler.path[len("/web/") :]
        stamp, _, url = rest.partition("/")
        if stamp.rstrip("id_").isdigit() and url:
            return self._memento(stamp, url)
        if self.timegate_answer is not None:
            return self.timegate_answer(handler)
        return self._timegate(rest, handler.headers.get("Accept-Datetime"))

    def _timegate(self, url: str, accept: str | None):
        captures = self.captures.get(url)
        if not captures:
            return 404, {"Content-Type": "text/plain"}, b"not in archive"
        wanted = parsedate_to_datetime(accept) if accept else datetime.now(UTC)
        when, _ = min(captures, key=lambda c: abs((c[0] - wanted).total_seconds()))
        location = self.redirect_to or f"/web/{when:%Y%m%d%H%M%S}/{url}"
        link = f'<{url}>; rel="original", </web/{url}>; rel="timegate", </web/timemap/link/{url}>; rel="timemap"'
        return 302, {"Location": location, "Link": link, "Vary": "accept-datetime"}, b""

    def _memento(self, stamp: str, url: str):
        raw = stamp.endswith("id_")
        when = datetime.strptime(stamp.removesuffix("id_"), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        body = dict(self.captures.get(url, [])).get(when)
        if body is None:
            return 404, {"Content-Type": "text/plain"}, b"no such capture"
        link = f'<{url}>; rel="original", </web/{url}>; rel="timegate"'
        earlier = sorted(c[0] for c in self.captures[url] if c[0] < when)
        if earlier:  # as the Wayback Machine links a memento's neighbours
            prev = earlier[-1]
            link += f', </web/{prev:%Y%m%d%H%M%S}/{url}>; rel="prev memento"; datetime="{format_datetime(prev, True)}"'
        headers = {
            "Content-Type": "text/html; charset=utf-8",
            "Memento-Datetime": format_datetime(when, usegmt=True),
            "Link": link,
        }
        return 200, headers, body if raw else body.replace(b"<body>", b"<body>" + TOOLBAR, 1)
