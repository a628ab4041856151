"""Synthetic English article pages for tests and benchmarks that need many of them."""

from __future__ import annotations

import random

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
