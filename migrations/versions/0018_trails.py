"""trails: hop_citations, hop_alignments, attribution_candidates, the recursive view source_trails

`hop_citations` holds what a fetched source cites (links in its article body, named attributions
read in its text in the target language), each with the citing original, offsets, kind and hop;
`hop_alignments` the claim sentences of one hop's text judged against the text of a source it
cites; `attribution_candidates` the fetched sources that may stand behind a seed's attribution
without a link. `source_trails` walks the first two from each seed sentence's judgments: one row per step.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# One row per step of each seed sentence's trail: hop 1 is the seed sentence's judgment against a
# source the seed cites (alignments, not `added`), hop k + 1 the judgment of hop k's claim
# sentences (those inside the span the step before drew on) against a source hop k cites.
# Only each source's newest text is walked; `path` (/source ids/) stops cycles. Portable SQL.
VIEWS = {
    "source_trails": """
WITH RECURSIVE steps(seed_id, seed_sentence, hop, source_id, version_id, citing_version_id,
                     claim_start, claim_end, label, score, unsupported_details, path) AS (
    SELECT alignments.seed_id, alignments.seed_sentence, 1, versions.source_id, alignments.version_id,
           CAST(NULL AS INTEGER), alignments.source_start, alignments.source_end, alignments.label, alignments.score,
           alignments.unsupported_details,
           '/' || CAST(versions.source_id AS VARCHAR(20)) || '/'
    FROM alignments
    JOIN versions ON versions.id = alignments.version_id
    WHERE alignments.seed_sentence IS NOT NULL AND alignments.label <> 'added'
      AND NOT EXISTS (SELECT 1 FROM versions AS newer
                      WHERE newer.source_id = versions.source_id AND newer.kind = versions.kind
                        AND newer.language = versions.language AND newer.status = 'ready'
                        AND newer.id > versions.id)
    UNION
    SELECT steps.seed_id, steps.seed_sentence, steps.hop + 1, cited.source_id, cited.id,
           steps.version_id, hop_alignments.cited_start, hop_alignments.cited_end, hop_alignments.label,
           hop_alignments.score, hop_alignments.unsupported_details,
           steps.path || CAST(cited.source_id AS VARCHAR(20)) || '/'
    FROM steps
    JOIN hop_alignments ON hop_alignments.citing_version_id = steps.version_id
                       AND hop_alignments.citing_start >= steps.claim_start
                       AND hop_alignments.citing_end <= steps.claim_end
    JOIN versions AS cited ON cited.id = hop_alignments.cited_version_id
    WHERE steps.label <> 'added' AND steps.hop < 20
      AND steps.path NOT LIKE '%/' || CAST(cited.source_id AS VARCHAR(20)) || '/%'
)
SELECT steps.seed_id, seeds.path AS seed_path, steps.seed_sentence, steps.hop, steps.source_id,
       sources.url AS source_url, originals.language AS original_language, steps.version_id,
       steps.citing_version_id, steps.claim_start, steps.claim_end, steps.label, steps.score,
       steps.unsupported_details, steps.path
FROM steps
JOIN seeds ON seeds.id = steps.seed_id
JOIN sources ON sources.id = steps.source_id
JOIN versions AS texts ON texts.id = steps.version_id
JOIN versions AS originals ON originals.id = CASE WHEN texts.kind = 'translated' THEN texts.parent_id
                                                   ELSE texts.id END
""",
}


def upgrade() -> None:
    op.create_table(
        "hop_citations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("citing_version_id", sa.Integer(), sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("citing_source_id", sa.Integer(), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id"), nullable=True),
        sa.Column("hop", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("cue", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("char_start", sa.Integer(), nullable=True),
        sa.Column("char_end", sa.Integer(), nullable=True),
        sa.Column("sentence", sa.Integer(), nullable=True),
        sa.Column("translated_version_id", sa.Integer(), sa.ForeignKey("versions.id"), nullable=True),
        sa.Column("translated_start", sa.Integer(), nullable=True),
        sa.Column("translated_end", sa.Integer(), nullable=True),
        sa.Column("near_claim", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
    )
    for column in ("citing_version_id", "citing_source_id", "source_id", "name"):
        op.create_index(f"ix_hop_citations_{column}", "hop_citations", [column])
    op.create_table(
        "hop_alignments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("citing_version_id", sa.Integer(), sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("cited_version_id", sa.Integer(), sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("activity_id", sa.Integer(), sa.ForeignKey("activities.id"), nullable=True),
        sa.Column("citing_sentence", sa.Integer(), nullable=False),
        sa.Column("citing_start", sa.Integer(), nullable=False),
        sa.Column("citing_end", sa.Integer(), nullable=False),
        sa.Column("citing_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cited_sentences", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cited_start", sa.Integer(), nullable=True),
        sa.Column("cited_end", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("coverage", sa.Float(), nullable=True),
        sa.Column("unsupported_details", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("verbatim", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("citing_version_id", "cited_version_id", "citing_sentence"),
    )
    for column in ("citing_version_id", "cited_version_id", "label"):
        op.create_index(f"ix_hop_alignments_{column}", "hop_alignments", [column])
    op.create_table(
        "attribution_candidates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("citation_id", sa.Integer(), sa.ForeignKey("citations.id"), nullable=False),
        sa.Column("seed_id", sa.Integer(), sa.ForeignKey("seeds.id"), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("matched_on", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("matched_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("bears_out", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("citation_id", "version_id"),
    )
    for column in ("citation_id", "seed_id", "source_id"):
        op.create_index(f"ix_attribution_candidates_{column}", "attribution_candidates", [column])
    op.execute(f"CREATE VIEW source_trails AS {VIEWS['source_trails'].strip()}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS source_trails")
    op.drop_table("attribution_candidates")
    op.drop_table("hop_alignments")
    op.drop_table("hop_citations")
