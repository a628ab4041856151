"""Reading seed files into plain text, whatever their format.

Plain text and Markdown are kept exactly as written (citations finds Markdown links itself).
HTML becomes the text of its article (tracker.seeds.article: the body, without the site's
navigation), and each link in the article's running text is kept as a SeedLink pointing at its anchor
text in that produced text, because the URL itself no longer appears there. A page with no article
body becomes its whole visible text with every link, as before. HTML seeds also carry the page's
address and its publication date (tracker.seeds.dates).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import SeedError
from tracker.fetch.charset import looks_binary
from tracker.seeds.html_text import SeedLink, html_to_text

if TYPE_CHECKING:
    from tracker.seeds.dates import PublicationDate


@dataclass(frozen=True)
class SeedText:
    text: str
    format: str  # "text", "markdown" or "html"
    links: tuple[SeedLink, ...] = ()
    title: str | None = None  # html: the article's title
    canonical_url: str | None = None  # html: <link rel=canonical> or og:url
    published: PublicationDate | None = None  # html: when the page says it was published
    article: bool = False  # html: an article body was found (else the whole visible text)
    notes: tuple[str, ...] = ()  # what was left out and why
    encoding: str = "utf-8"  # as decoded; anything else was a guess, and the run says so


_FORMATS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


def read_seed_file(path: Path) -> SeedText:
    """Read one seed file; raise SeedError with a one-line message if it cannot be used."""
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        supported = ", ".join(sorted(_FORMATS))
        raise SeedError(f"{path}: unsupported seed file type {path.suffix!r} (use one of {supported})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SeedError(f"{path}: cannot read seed file ({exc.strerror or exc})") from None
    text, encoding = _decode(data, path)
    seed = read_seed_html(text) if fmt == "html" else SeedText(text=text, format=fmt)
    if not seed.text.strip():
        raise SeedError(f"{path}: seed file has no text")
    return replace(seed, encoding=encoding)


def read_seed_html(html: str, url: str | None = None) -> SeedText:
    """An HTML seed (a saved file, or a page fetched from ``url``) as text, links and metadata."""
    from tracker.seeds.article import find_article, page_address, running_text_links
    from tracker.seeds.dates import publication_date
    from tracker.seeds.page_links import page_links

    page_text, visible_links = html_to_text(html)
    # A short page (a fragment, a note) is all article: trafilatura is unreliable on so little.
    article = find_article(html, url) if len(page_text) >= _SHORT_PAGE else None
    address = article.address if article else page_address(html, url)
    published = publication_date(html, url or address.canonical_url)
    if article is not None:
        return SeedText(
            text=article.text,
            format="html",
            links=article.links,
            title=article.title,
            canonical_url=address.canonical_url,
            published=published,
            article=True,
            notes=article.notes,
        )
    # No article found: the whole page is the seed's text, and the links of its running text
    # (not its menus) are its citations, by the same rules as in an article.
    # (The page's menus, footers and sidebars are furniture here too.)
    furniture = page_links(html, address.base).furniture
    links, notes = running_text_links(page_text, visible_links, address, furniture)
    if len(page_text) >= _SHORT_PAGE:
        notes = ("no article body found: the whole page is the seed's text", *notes)
    return SeedText(
        text=page_text,
        format="html",
        links=links,
        canonical_url=address.canonical_url,
        published=published,
        notes=notes,
    )


# Visible text shorter than this (characters) is taken whole, without looking for an article.
_SHORT_PAGE = 1500


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    if not data.strip():
        raise SeedError(f"{path}: seed file is empty")
    if looks_binary(data):
        raise SeedError(f"{path}: seed file looks binary, not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"  # utf-8-sig also accepts input without a BOM
    except UnicodeDecodeError:
        pass
    from tracker.seeds.encoding import guess_encoding

    return guess_encoding(data, path)
