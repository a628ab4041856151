"""attribution details: how each attribution was found and whom it resolves to

New columns on `citations`, NULL for URL citations (see tracker/seeds/attributions.py and
docs/attributions.md): the source's kind (named, description, pronoun), how its name was resolved
and where the name it resolved to stands (the evidence), the organisation given with it, the kind
and offsets of the cue, the offsets of the attributed content, and a confidence. The
`attributions` view is recreated to carry them, with the content cut out of the seed's text.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = [
    ("source_kind", sqlmodel.sql.sqltypes.AutoString()),
    ("resolved_by", sqlmodel.sql.sqltypes.AutoString()),
    ("resolved_start", sa.Integer()),
    ("resolved_end", sa.Integer()),
    ("organization", sqlmodel.sql.sqltypes.AutoString()),
    ("cue_kind", sqlmodel.sql.sqltypes.AutoString()),
    ("cue_start", sa.Integer()),
    ("cue_end", sa.Integer()),
    ("content_start", sa.Integer()),
    ("content_end", sa.Integer()),
    ("confidence", sa.Float()),
]

OLD_VIEW = """
SELECT citations.id AS citation_id, seeds.id AS seed_id, seeds.path AS seed_path,
       seeds.revision AS seed_revision, seeds.superseded_at IS NULL AS current, seeds.publisher,
       citations.name, citations.role, citations.cue, citations.text, citations.sentence,
       citations.char_start, citations.char_end
FROM citations
JOIN seeds ON seeds.id = citations.seed_id
WHERE citations.kind = 'attribution'
"""

# Attributions without a URL ("the Kremlin said", "according to AFP", "he added"): `source` is the
# source as written, `name` the name it resolves to (NULL for a description that names no one).
VIEW = """
SELECT citations.id AS citation_id, seeds.id AS seed_id, seeds.path AS seed_path,
       seeds.revision AS seed_revision, seeds.superseded_at IS NULL AS current, seeds.publisher,
       citations.text AS source, citations.source_kind, citations.name, citations.resolved_by,
       SUBSTR(seeds.text, citations.resolved_start + 1,
              citations.resolved_end - citations.resolved_start) AS resolved_from,
       citations.role, citations.organization, citations.cue, citations.cue_kind,
       SUBSTR(seeds.text, citations.content_start + 1,
              citations.content_end - citations.content_start) AS content,
       citations.confidence, citations.text, citations.sentence,
       citations.char_start, citations.char_end, citations.cue_start, citations.cue_end,
       citations.content_start, citations.content_end
FROM citations
JOIN seeds ON seeds.id = citations.seed_id
WHERE citations.kind = 'attribution'
"""


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS attributions")
    with op.batch_alter_table("citations", schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.create_index(batch_op.f("ix_citations_source_kind"), ["source_kind"], unique=False)
    op.execute(f"CREATE VIEW attributions AS {VIEW.strip()}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS attributions")
    op.drop_index("ix_citations_source_kind", table_name="citations")
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch rebuild of `citations` would break
    # the other views that read it.
    for name, _ in reversed(COLUMNS):
        op.execute(f"ALTER TABLE citations DROP COLUMN {name}")
    op.execute(f"CREATE VIEW attributions AS {OLD_VIEW.strip()}")
