"""alignment coverage and unsupported details; the alignment_judgments view

An alignment now carries the directional coverage of its seed sentences, as JSON the seed
details its source sentences do not bear out (label `partial`), and for a translated source the
translation model's score of the seed text given the original. The view `alignment_judgments`
puts each judgment beside the seed, the source and the aligned texts.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


VIEWS = {
    # Each seed sentence's judgment against a source: label, scores, the details the source does
    # not bear out (JSON list of {text, kind, seed_start, seed_end, source_text}), and the
    # source sentences it was judged against, translated and original.
    "alignment_judgments": """
SELECT alignments.id AS alignment_id, seeds.id AS seed_id, seeds.path AS seed_path,
       sources.id AS source_id, sources.url AS source_url,
       alignments.seed_start, alignments.seed_end, alignments.seed_text,
       alignments.label, alignments.score, alignments.coverage, alignments.unsupported_details,
       alignments.model_score,
       CASE WHEN aligned.kind = 'translated' AND alignments.source_start IS NOT NULL THEN
            SUBSTR(aligned.text, alignments.source_start + 1, alignments.source_end - alignments.source_start)
       END AS translated_text,
       CASE WHEN alignments.original_start IS NOT NULL THEN
            SUBSTR(original.text, alignments.original_start + 1,
                   alignments.original_end - alignments.original_start)
       END AS original_text,
       original.language AS original_language, aligned.id AS aligned_id,
       alignments.excerpt_id, alignments.activity_id AS align_activity_id
FROM alignments
JOIN seeds ON seeds.id = alignments.seed_id
JOIN versions aligned ON aligned.id = alignments.version_id
JOIN versions original ON original.id = CASE WHEN aligned.kind = 'original'
                                             THEN aligned.id ELSE aligned.parent_id END
JOIN sources ON sources.id = aligned.source_id
""",
}


def upgrade() -> None:
    with op.batch_alter_table("alignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coverage", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("model_score", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("unsupported_details", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="[]")
        )
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body.strip()}")


def downgrade() -> None:
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table("alignments", schema=None) as batch_op:
        batch_op.drop_column("unsupported_details")
        batch_op.drop_column("model_score")
        batch_op.drop_column("coverage")
