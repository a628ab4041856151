"""views of the original in force at a date

`original_periods`: each original version with when it was captured and when the next original of
its source superseded it (NULL while it is the newest). The original in force at a date D is the
one with captured_at <= D < superseded_at; before the first capture, the first one (the Wayback
Machine's closest capture), as tracker.store.versions.version_in_force answers in Python.
`cited_versions`: for every seed and source it cites, that original at the seed's date.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

VIEWS = {
    "original_periods": """
SELECT original.source_id, original.id AS version_id, original.created_at AS captured_at,
       (SELECT MIN(later.created_at) FROM versions later
        WHERE later.source_id = original.source_id AND later.kind = 'original'
          AND later.created_at > original.created_at) AS superseded_at,
       original.language, original.text_sha256
FROM versions original
WHERE original.kind = 'original'
""",
    "cited_versions": """
SELECT cited.seed_id, cited.seed_path, cited.seed_date, cited.source_id,
       periods.version_id, periods.captured_at,
       CASE WHEN periods.captured_at <= cited.seed_date THEN 'before' ELSE 'after' END AS captured
FROM (SELECT DISTINCT seeds.id AS seed_id, seeds.path AS seed_path, seeds.ingested_at AS seed_date,
             citations.source_id
      FROM citations JOIN seeds ON seeds.id = citations.seed_id
      WHERE citations.kind = 'url') cited
JOIN original_periods periods ON periods.source_id = cited.source_id
WHERE (periods.captured_at <= cited.seed_date
       AND (periods.superseded_at IS NULL OR periods.superseded_at > cited.seed_date))
   OR (periods.captured_at > cited.seed_date
       AND periods.captured_at = (SELECT MIN(first.created_at) FROM versions first
                                  WHERE first.source_id = cited.source_id AND first.kind = 'original'))
""",
}


def upgrade() -> None:
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body}")


def downgrade() -> None:
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW IF EXISTS {name}")
