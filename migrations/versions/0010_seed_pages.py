"""seed pages: seeds by URL, their raw page, and their publication date

A seed now has a date of its own: `published_at` when its page states one (with the evidence),
and `dated_by` says whether the seed's date is that or `ingested_at`. The views that give a seed's
date (`seed_citations`, `provenance_chain`) gain `seed_date` and `seed_dated_by`, and
`seed_citations` the seed's URL; the other views over `seeds` are recreated unchanged (SQLite
cannot rebuild a table while views name it).

Revision ID: 0010
Revises: 0009
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _migration(name: str):
    spec = importlib.util.spec_from_file_location(f"_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _views_before() -> dict[str, str]:
    """Every view over `seeds` as the migrations before this one left it."""
    return {
        **_migration("0005_query_views").VIEWS,
        **_migration("0007_versions_in_force").VIEWS,
        **_migration("0008_alignment_details").VIEWS,
        "attributions": _migration("0009_attribution_details").VIEW,
    }


# A seed's date: its publication date when the page gives one, else when tracker read it.
SEED_DATE = "CASE WHEN seeds.dated_by = 'published_at' THEN seeds.published_at ELSE seeds.ingested_at END"

VIEWS = {
    "provenance_chain": f"""
SELECT seeds.id AS seed_id, seeds.path AS seed_path, seeds.revision AS seed_revision,
       seeds.ingested_at AS seed_ingested_at, {SEED_DATE} AS seed_date, seeds.dated_by AS seed_dated_by,
       citations.id AS citation_id, citations.url AS cited_url, citations.sentence AS citing_sentence,
       sources.id AS source_id, sources.normalized_url, sources.state AS source_state,
       fetching.id AS fetch_activity_id, fetching.started_at AS fetched_at,
       original.id AS original_id, original.language AS original_language,
       original.created_at AS original_created_at, extract.id AS extract_activity_id,
       translated.id AS translated_id, translated.language AS translated_language,
       translated.status AS translation_status, translate.id AS translate_activity_id,
       translate.model AS translate_model, translate.model_version AS translate_model_version,
       excerpt.id AS excerpt_id, excerpts.score AS excerpt_score, excerpt.activity_id AS align_activity_id
FROM citations
JOIN seeds ON seeds.id = citations.seed_id
JOIN sources ON sources.id = citations.source_id
LEFT JOIN versions original ON original.source_id = sources.id AND original.kind = 'original'
LEFT JOIN activities extract ON extract.id = original.activity_id
LEFT JOIN activities fetching ON fetching.id = extract.informed_by_id
LEFT JOIN versions translated ON translated.parent_id = original.id AND translated.kind = 'translated'
LEFT JOIN activities translate ON translate.id = translated.activity_id
LEFT JOIN versions excerpt ON excerpt.kind = 'excerpt'
      AND excerpt.parent_id = COALESCE(translated.id, original.id)
      AND excerpt.id IN (SELECT excerpts.version_id FROM excerpts WHERE excerpts.seed_id = seeds.id)
LEFT JOIN excerpts ON excerpts.version_id = excerpt.id
WHERE citations.kind = 'url'
""",
    "seed_citations": f"""
SELECT seeds.id AS seed_id, seeds.path AS seed_path, seeds.revision AS seed_revision,
       seeds.superseded_at IS NULL AS current, seeds.ingested_at AS seed_ingested_at,
       {SEED_DATE} AS seed_date, seeds.dated_by AS seed_dated_by, seeds.url AS seed_url,
       citations.id AS citation_id, citations.url AS cited_url, citations.cue, citations.sentence,
       citations.text AS anchor_text,
       sources.id AS source_id, sources.url AS source_url, sources.normalized_url,
       sources.final_url, sources.canonical_url, sources.state AS source_state
FROM citations
JOIN seeds ON seeds.id = citations.seed_id
JOIN sources ON sources.id = citations.source_id
WHERE citations.kind = 'url'
""",
}
VIEWS["cited_versions"] = f"""
SELECT cited.seed_id, cited.seed_path, cited.seed_date, cited.seed_dated_by, cited.source_id,
       periods.version_id, periods.captured_at,
       CASE WHEN periods.captured_at <= cited.seed_date THEN 'before' ELSE 'after' END AS captured
FROM (SELECT DISTINCT seeds.id AS seed_id, seeds.path AS seed_path, {SEED_DATE} AS seed_date,
             seeds.dated_by AS seed_dated_by, citations.source_id
      FROM citations JOIN seeds ON seeds.id = citations.seed_id
      WHERE citations.kind = 'url') cited
JOIN original_periods periods ON periods.source_id = cited.source_id
WHERE (periods.captured_at <= cited.seed_date
       AND (periods.superseded_at IS NULL OR periods.superseded_at > cited.seed_date))
   OR (periods.captured_at > cited.seed_date
       AND periods.captured_at = (SELECT MIN(first.created_at) FROM versions first
                                  WHERE first.source_id = cited.source_id AND first.kind = 'original'))
"""

# Views over `seeds` that must be dropped while the table is rebuilt (SQLite), in creation order.
OVER_SEEDS = (
    "provenance_chain",
    "excerpt_texts",
    "seed_citations",
    "attributions",
    "cited_versions",
    "alignment_judgments",
)


def _drop(names) -> None:
    for name in reversed(names):
        op.execute(f"DROP VIEW IF EXISTS {name}")


def _create(views: dict[str, str], names) -> None:
    for name in names:
        op.execute(f"CREATE VIEW {name} AS {views[name].strip()}")


def upgrade() -> None:
    _drop(OVER_SEEDS)
    with op.batch_alter_table("seeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("canonical_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("body_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("published_evidence", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(
            sa.Column("dated_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="ingested_at")
        )
        batch_op.add_column(sa.Column("checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_seeds_url"), ["url"], unique=False)
        batch_op.create_foreign_key("fk_seeds_body_sha256_bodies", "bodies", ["body_sha256"], ["sha256"])
    _create({**_views_before(), **VIEWS}, OVER_SEEDS)


def downgrade() -> None:
    _drop(OVER_SEEDS)
    with op.batch_alter_table("seeds", schema=None) as batch_op:
        batch_op.drop_constraint("fk_seeds_body_sha256_bodies", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_seeds_url"))
        for column in ("checked_at", "dated_by", "published_evidence", "published_at", "body_sha256"):
            batch_op.drop_column(column)
        batch_op.drop_column("canonical_url")
        batch_op.drop_column("url")
    _create(_views_before(), OVER_SEEDS)
