"""Synthetic English article pages for tests and benchmarks that need many of them, and the real
pages tests compare tracker's HTML handling with trafilatura's on."""

from __future__ import annotations

import random
from pathlib import Path

FIXTURE_PAGES = Path(__file__).parent / "fixtures" / "pages"


def real_pages(corpus_limit: int | None = None) -> list[tuple[str, str]]:
    """(name, decoded HTML) of the fixture pages, then of the shared corpus's pages (the first
    `corpus_limit` of them; none when the corpus is absent)."""
    from bench.fetch_bench import corpus_pages

    pages = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(FIXTURE_PAGES.glob("*.html"))]
    corpus = corpus_pages()[:corpus_limit]
    return pages + [(str(p), p.read_bytes().decode("utf-8", "replace")) for p in corpus]


WORDS = (
    "minister council report budget river harbour election court energy market school "
    "hospital railway bridge village museum festival weather harvest factory treaty"
).split()


def article_text(number: int, version: int = 0, sentences: int = 12) -> str:
    rng = random.Random(number * 1000 + version)
    lines = [f"Article {number} revision {version} opens with a clear statement about the city."]
    for _ in range(sentences):
        words = rng.sample(WORDS, 8)
        lines.append(
            f"The {words[0]} and the {words[1]} discussed the {words[2]} near the {words[3]}, "
            f"while the {words[4]} watched the {words[5]} and the {words[6]} {words[7]}."
        )
    return " ".join(lines)


def article_html(number: int, version: int = 0, ad: str = "") -> bytes:
    paragraphs = "".join(f"<p>{sentence}.</p>" for sentence in article_text(number, version).split(". "))
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Article {number}</title>"
        f"</head><body><nav><a href='/'>Home</a></nav><div class='ad'>{ad}</div>"
        f"<article><h1>Article {number}</h1>{paragraphs}</article>"
        f"<footer>Copyright</footer></body></html>"
    ).encode()
