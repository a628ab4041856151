"""tracker: follow the sources that news articles cite, across languages, with provenance.

The pipeline, one module per stage: seeds → citations → originals (fetch, extract, language) →
translations → excerpts; `pipeline.run` runs them in order and `lookup.lookup` reads them back.
"""

__version__ = "0.1.0"
