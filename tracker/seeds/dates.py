"""When a page says it was published, and on what evidence.

A JSON-LD `datePublished` first; else htmldate (installed with trafilatura), which finds the
original publication date from the page's meta tags, `<time>` elements, URL and dates written in
full (never from a bare year in the prose). The evidence is recorded with the date so a reader
can judge it: "json-ld datePublished", the meta tag that states the same day (with its time of
day), else "url", else "page text (htmldate)".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

__all__ = ["PublicationDate", "publication_date"]


@dataclass(frozen=True)
class PublicationDate:
    value: datetime  # aware, UTC; midnight UTC when the page gives a day only
    day: date  # the calendar day as the page states it, in the page's own time zone
    evidence: str  # "json-ld datePublished", "meta article:published_time", "url", "page text (htmldate)"
    stated: str  # the date as the page wrote it

    def __str__(self) -> str:
        return f"{self.value.isoformat()} ({self.evidence})"


# Publication meta tags, most specific first (property= or name= or itemprop=).
_META_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "dc.date.created",
    "article.published",
    "published_time",
    "cxenseparse:recs:publishtime",
)
_EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)  # before this a "publication date" is a parse error
_URL_DATE = re.compile(r"(?<!\d)(\d{4})[/_.-]?(\d{2})[/_.-]?(\d{2})(?!\d)")


def publication_date(html: str, url: str | None = None, *, now: datetime | None = None) -> PublicationDate | None:
    """The page's publication date with its evidence, or None when the page states none.

    A JSON-LD `datePublished` is taken as stated. Otherwise htmldate decides the day (original
    publication date, extensive search), and the meta tag that states the same day gives the
    time and names the evidence; when htmldate finds nothing, the meta tags alone decide.
    (Measured in bench/seed_links_eval.py: htmldate alone is right as often, but it can take a
    modification date for the publication when the page's URL is given.)
    """
    from lxml import html as lxml_html

    now = now or datetime.now(UTC)
    try:
        root = lxml_html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1))
    except (ValueError, Exception):  # lxml's ParserError on an empty page
        root = None
    structured = []
    if root is not None:
        for stated, evidence in _structured(root):
            parsed = _parse(stated, now)
            if parsed is not None:
                structured.append(PublicationDate(parsed[0], parsed[1], evidence, stated))
    for candidate in structured:
        if candidate.evidence.startswith("json-ld"):
            return candidate  # the publisher's own explicit statement, and never a modification date
    found = _htmldate(html, url, now)
    if found is None:
        return structured[0] if structured else None
    for candidate in structured:
        if candidate.day == found.day:
            return candidate
    return found


def _structured(root):
    for script in root.xpath("//script[@type='application/ld+json']"):
        for stated in _json_ld_dates(script.text_content()):
            yield stated, "json-ld datePublished"
    metas = {}
    for meta in root.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key and key not in metas:
            metas[key] = meta.get("content").strip()
    for key in _META_KEYS:
        if metas.get(key):
            yield metas[key], f"meta {key}"


def _json_ld_dates(raw: str):
    try:
        data = json.loads(raw)
    except ValueError:
        return
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            value = item.get("datePublished")
            if isinstance(value, str) and value.strip():
                yield value.strip()
            stack.extend(v for k, v in item.items() if isinstance(v, (dict, list)) and k != "publisher")


def _parse(stated: str, now: datetime) -> tuple[datetime, date] | None:
    """(the moment in UTC, the day in the page's time zone)"""
    text = stated.strip()
    if re.fullmatch(r"\d{10}(\d{3})?", text):  # epoch seconds or milliseconds
        seconds = int(text[:10])
        value = datetime.fromtimestamp(seconds, UTC)
        day = value.date()
    else:
        text = re.sub(r"\s+", " ", text).replace(" T", "T")
        text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text).replace("Z", "+00:00")
        value = None
        for candidate in (text, text.replace(" ", "T", 1), text[:19], text[:10]):
            try:
                value = datetime.fromisoformat(candidate)
                break
            except ValueError:
                continue
        if value is None:
            return None
        day = value.date()
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if not (_EARLIEST <= value <= now):
        return None
    return value, day


def _htmldate(html: str, url: str | None, now: datetime) -> PublicationDate | None:
    from htmldate import find_date

    try:
        stated = find_date(
            html,
            url=url,
            original_date=True,
            # The extensive search takes any year in the prose ("first signed in 1995") for a
            # publication date; without it htmldate still reads the markup, the URL and dates
            # written out in full ("Posted on 2024-03-05").
            extensive_search=False,
            outputformat="%Y-%m-%d",
            max_date=now.strftime("%Y-%m-%d"),
        )
    except (ValueError, TypeError):
        return None
    if not stated:
        return None
    parsed = _parse(stated, now)
    if parsed is None:
        return None
    evidence = "page text (htmldate)"
    if url:
        for m in _URL_DATE.finditer(url):
            if "-".join(m.groups()) == stated:
                evidence = "url"
    return PublicationDate(parsed[0], parsed[1], evidence, stated)
