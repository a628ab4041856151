"""The alerts as an Atom feed (RFC 4287): `tracker feed` writes it, `tracker serve` serves it at
/feed.atom and /seeds/<id>/feed.atom. Each entry is one alert; it links to the served page of
its seed (alternate) and of its source (related)."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from sqlmodel import Session

from tracker.alerts.message import Shown, lines, load, seed_link, source_link, title
from tracker.alerts.stage import recorded
from tracker.store.tables import Seed, utcnow

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 200  # the newest alerts a feed holds


def atom_feed(session: Session, base_url: str, *, seed: Seed | None = None, limit: int = FEED_ENTRIES) -> str:
    """The feed of the newest alerts (of `seed`'s revisions, when given), as an XML document."""
    base = base_url.rstrip("/")
    items = load(session, recorded(session, seed=seed, limit=limit))
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    if seed is None:
        _text(feed, "id", f"{base}/feed.atom")
        _text(feed, "title", "tracker: alerts")
        _link(feed, f"{base}/feed.atom", "self")
        _link(feed, f"{base}/", "alternate")
    else:
        _text(feed, "id", f"{base}/seeds/{seed.id}/feed.atom")
        _text(feed, "title", f"tracker: alerts for {seed.path}")
        _link(feed, f"{base}/seeds/{seed.id}/feed.atom", "self")
        _link(feed, seed_link(base, seed.id), "alternate")
    _text(feed, "updated", _when(items[0].alert.created_at if items else utcnow()))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "tracker")
    _text(feed, "generator", "tracker")
    for item in items:
        _entry(feed, item, base)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _entry(feed: ET.Element, item: Shown, base: str) -> None:
    alert = item.alert
    entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
    _text(entry, "id", f"{base}/alerts/{alert.id}")  # unique and stable: the database's alert id
    _text(entry, "title", title(item))
    _text(entry, "updated", _when(alert.created_at))
    _text(entry, "published", _when(alert.created_at))
    ET.SubElement(entry, f"{{{ATOM}}}category", term=alert.kind)
    _link(entry, seed_link(base, alert.seed_id), "alternate")
    _link(entry, source_link(base, alert.source_id), "related")
    _text(entry, "summary", alert.summary)
    _text(entry, "content", "\n".join(lines(item, base)))


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = _xml_safe(value)
    if name in ("title", "summary", "content"):
        element.set("type", "text")
    return element


def _link(parent: ET.Element, href: str, rel: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", rel=rel, href=href)


def _when(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml_char(code: int) -> bool:
    return 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


def _xml_safe(text: str) -> str:
    """Without the characters XML 1.0 cannot hold (a page's stray control characters)."""
    if not text:
        return ""
    return "".join(c for c in text if c in "\t\n\r" or _xml_char(ord(c)))
