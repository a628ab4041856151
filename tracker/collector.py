"""Python's cyclic garbage collector, tuned for a run over many pages (both drivers call it).

Extracting a page makes hundreds of thousands of short-lived objects. By default every 700 new
container objects start a young collection, and every hundred of those a full one that walks
every object the process holds, the language models and the ORM's included. On run_bench (232
corpus pages) collections took 1.15 s of CPU, 5 ms a page; with a young generation of 10,000
objects they took 0.39 s and no full collection ran. Memory is the same to within those 10,000
objects: objects without cycles are freed by reference counting either way.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION = 10_000


def collect_less_often() -> None:
    """Start a young collection every YOUNG_GENERATION new objects (unless already rarer)."""
    young, middle, old = gc.get_threshold()
    if 0 < young < YOUNG_GENERATION:
        gc.set_threshold(YOUNG_GENERATION, middle, old)
