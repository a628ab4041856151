"""The little of Memento (RFC 7089) a lookup needs, over the project's own fetcher.

A TimeGate is asked for a page with `Accept-Datetime` and answers with a redirect to the memento
closest to that date (or 404: never archived). The memento is then read in its raw form, the
`id_` form of Wayback-style archives (the page as captured, without the archive's toolbar or
rewritten links), and its `Memento-Datetime` and `Link: <…>; rel="original"` say when it was
captured and of what. EDGI's `wayback` package is not used: it is built on `requests`, with its
own sessions, retries and redirects, so its traffic could not go through the guarded transport
and the per-host politeness every other request here goes through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

# Archives with a name people know them by; any other is named by its host.
_NAMES = {
    "web.archive.org": "Wayback Machine",
    "arquivo.pt": "Arquivo.pt",
    "archive.today": "archive.today",
    "archive.ph": "archive.today",
    "archive.is": "archive.today",
    "webarchive.org.uk": "UK Web Archive",
    "www.webarchive.org.uk": "UK Web Archive",
    "webarchive.nationalarchives.gov.uk": "UK Government Web Archive",
    "timetravel.mementoweb.org": "Memento Time Travel",
}

# A Wayback-style memento path: /<1 to 14 digit timestamp><optional modifier such as im_>/<URL>
_STAMP = re.compile(r"/(\d{1,14})(?:[a-z]{2}_)?/(?=[A-Za-z][A-Za-z0-9+.-]*:|[A-Za-z0-9])")
_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")
_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)


def archive_name(timegate: str) -> str:
    """What an archive is called in output: "Wayback Machine", or the TimeGate's host[:port]."""
    netloc = urlsplit(timegate).netloc.lower()
    host = netloc.rsplit("@", 1)[-1]
    return _NAMES.get(host.split(":")[0], host)


def timegate_url(timegate: str, url: str) -> str:
    """The TimeGate URL for `url` (Wayback, pywb and Memento aggregators append the page's URL)."""
    return timegate + url


def save_url(timegate: str, url: str) -> str:
    """Save Page Now for `url` at the archive of a Wayback-style TimeGate (…/web/ → …/save/)."""
    base = timegate[: -len("/web/")] if timegate.endswith("/web/") else timegate.rstrip("/")
    return f"{base}/save/{url}"


def accept_datetime(when: datetime) -> str:
    """`when` as an Accept-Datetime value (an RFC 1123 date in GMT)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return format_datetime(when.astimezone(UTC), usegmt=True)


def raw_form(memento_url: str) -> str:
    """The memento's raw capture: `/web/20250213102200/https://…` becomes `/web/20250213102200id_/https://…`.
    A memento URL of another shape is read as it is."""
    parts = urlsplit(memento_url)
    start = len(parts.scheme) + 3 + len(parts.netloc)  # only the path, never the host
    match = _STAMP.search(memento_url, start)
    if match is None:
        return memento_url
    return memento_url[: match.start()] + f"/{match.group(1)}id_/" + memento_url[match.end() :]


def links(header: str | None) -> dict[str, str]:
    """The URL of each relation in a Link header (the first one given for each)."""
    found: dict[str, str] = {}
    for target, params in _LINK.findall(header or ""):
        for rel in _REL.finditer(params):
            for name in (rel.group(1) or rel.group(2) or "").lower().split():
                found.setdefault(name, target.strip())
    return found


@dataclass(frozen=True)
class Capture:
    """What a memento says of itself."""

    captured_at: datetime
    original_url: str | None


def capture_of(memento_url: str, memento_datetime: str | None, link: str | None) -> Capture | None:
    """When the memento was captured (Memento-Datetime, else the timestamp in a Wayback-style
    URL) and of which URL (Link rel="original"); None when it says neither when nor what."""
    when = _http_date(memento_datetime)
    if when is None:
        match = _STAMP.search(memento_url, len(urlsplit(memento_url).scheme) + 3)
        if match is not None and len(match.group(1)) == 14:
            try:
                when = datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            except ValueError:
                when = None
    if when is None:
        return None
    related = links(link)
    return Capture(when, related.get("original"))


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def shown(archive: str, captured_at: datetime) -> str:
    """How an archived copy is named in every output: "archived copy (Wayback Machine, 2025-02-13 10:22 UTC)"."""
    return f"archived copy ({archive}, {captured_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"


def archived_as(version) -> str | None:
    """How an original version that is an archived copy is shown (None for our own captures)."""
    if not getattr(version, "archived", False) or version.captured_at is None:
        return None
    return shown(version.archive_name or "an archive", version.captured_at)
