"""HTML pages from the templates in tracker/read/templates (Jinja2, every value escaped).

`report_html` makes the self-contained seed report (CSS and JS inline, no network); the server
(tracker/read/server.py) renders the same templates with links between pages.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import jinja2


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("tracker.read", "templates"),
        autoescape=True,  # every template, .css and .js included: no text from a page reaches the DOM raw
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render(template: str, **context: Any) -> str:
    context.setdefault("served", False)
    context.setdefault("source_links", False)
    context.setdefault("tracker_version", _tracker_version())
    return environment().get_template(template).render(**context)


def report_html(report: dict[str, Any], seed_language: str = "en", served: bool = False, page: int = 1) -> str:
    """The report page for `seed_report`'s dict; `served` adds links to the server's other pages.

    Sources come `SOURCES_PER_PAGE` at a time: served, the page holds only page `page` (links lead
    to the others, `?page=N`); as one file it holds them all, marked by page, and its script shows
    one page at a time, so the file still works alone."""
    from tracker.read.report import SOURCES_PER_PAGE

    def paged(sources: list[dict]) -> list[dict]:
        marked = [{**source, "page": i // SOURCES_PER_PAGE + 1} for i, source in enumerate(sources)]
        return [source for source in marked if source["page"] == page] if served else marked

    pages = max(1, -(-max(len(report["sources"]), len(report["unaligned_sources"])) // SOURCES_PER_PAGE))
    page = min(max(page, 1), pages)
    return render(
        "report.html",
        **{**report, "sources": paged(report["sources"]), "unaligned_sources": paged(report["unaligned_sources"])},
        pages=pages,
        page=page,
        seed_language=seed_language,
        served=served,
        source_links=served,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


@cache
def _tracker_version() -> str:
    try:
        return version("tracker")
    except PackageNotFoundError:
        return "unknown"
