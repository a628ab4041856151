"""The tables of trails (tracker/trails/): what each fetched source cites, and each hop's claim
sentences judged against the hop it cites.

versions (original) ─< hop_citations >─ sources (the next hop, fetched like any source)
versions (text in the target language) ─< hop_alignments >─ versions (the cited hop's text)
"""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class HopCitation(SQLModel, table=True):
    """A link or a named attribution in a fetched source's text: a source of the next hop."""

    __tablename__ = "hop_citations"

    id: int | None = Field(default=None, primary_key=True)
    citing_version_id: int = Field(foreign_key="versions.id", index=True, description="the original that cites")
    citing_source_id: int = Field(foreign_key="sources.id", index=True)
    source_id: int | None = Field(
        default=None, foreign_key="sources.id", index=True, description="the cited source (NULL: a name, no link)"
    )
    hop: int = Field(description="the cited source's hop: 2 for what a source a seed cites cites, and so on")
    kind: str = Field(description="link or attribution")
    text: str = Field(description="the anchor text, or the attributed name as it stands")
    url: str | None = None
    name: str | None = Field(default=None, index=True, description="attributions: the name it resolves to")
    cue: str = Field(description='"link", or the attribution cue: "according to", "said", …')
    char_start: int | None = Field(default=None, description="offsets in the citing original's text")
    char_end: int | None = None
    sentence: int | None = Field(default=None, description="position of the sentence it stands in (original)")
    translated_version_id: int | None = Field(
        default=None, foreign_key="versions.id", description="attributions: the translation they were read in"
    )
    translated_start: int | None = None
    translated_end: int | None = None
    near_claim: bool = Field(default=False, description="in or next to a sentence a claim draws on")
    confidence: float | None = None


class HopAlignment(SQLModel, table=True):
    """One claim sentence of a hop's text (in the target language) judged against the text of a
    source it cites, with the labels and details of seed alignments (tracker/excerpts/align.py)."""

    __tablename__ = "hop_alignments"
    __table_args__ = (UniqueConstraint("citing_version_id", "cited_version_id", "citing_sentence"),)

    id: int | None = Field(default=None, primary_key=True)
    citing_version_id: int = Field(foreign_key="versions.id", index=True)
    cited_version_id: int = Field(foreign_key="versions.id", index=True)
    activity_id: int | None = Field(default=None, foreign_key="activities.id")
    citing_sentence: int = Field(description="position of the claim sentence in the citing text")
    citing_start: int = Field(description="its span in the citing text")
    citing_end: int
    citing_text: str
    cited_sentences: str = Field(default="[]", description="JSON list of sentence positions in the cited text")
    cited_start: int | None = None
    cited_end: int | None = None
    score: float
    label: str = Field(index=True, description="supported, paraphrased, partial or added")
    coverage: float | None = None
    unsupported_details: str = Field(default="[]", description="JSON list, as in alignments")
    verbatim: bool = False


class AttributionCandidate(SQLModel, table=True):
    """A fetched source that may be what a seed's attribution without a link stands for ("the
    Kremlin said"): published by the organisation named, and its text judged against the sentence.
    A candidate, never a citation the seed made."""

    __tablename__ = "attribution_candidates"
    __table_args__ = (UniqueConstraint("citation_id", "version_id"),)

    id: int | None = Field(default=None, primary_key=True)
    citation_id: int = Field(foreign_key="citations.id", index=True, description="the seed's attribution")
    seed_id: int = Field(foreign_key="seeds.id", index=True)
    source_id: int = Field(foreign_key="sources.id", index=True)
    version_id: int = Field(foreign_key="versions.id", description="the source's text the sentence was judged on")
    matched_on: str = Field(description="site_name, host or title: where the organisation's name was found")
    matched_text: str = Field(description="what it says there")
    label: str = Field(description="the attributed sentence against that text: supported, … or added")
    score: float
    confidence: float = Field(description="the attribution's confidence times the judgment's score")
    bears_out: bool = Field(description="the label is not added: a candidate shown as such")
