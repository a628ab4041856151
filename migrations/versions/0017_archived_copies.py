"""archived copies: originals read from a web archive, and the lookups that found them

An original version may now be an archived copy (issue 23): `versions.archived`, the archive's
name (`archive_name`), the memento it was read from (`memento_url`), and `captured_at`, the time
the page was captured: the archive's Memento-Datetime for an archived copy, created_at for our
own captures (filled in here for the originals already stored). A source records its lookups:
when to ask (again), why (gone or late), the date asked for, and what the last answer was.

The views that tell when an original was captured read `captured_at` and say whether it is
archived: `original_periods` (our captures and archived copies each supersede only their own
kind), `cited_versions` (our capture in force at the seed's date, else the archived copy in force
then, else the first capture after it), `source_versions` and `provenance_chain`.

Revision ID: 0017
Revises: 0016
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _migration(name: str):
    spec = importlib.util.spec_from_file_location(f"_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _views_before() -> dict[str, str]:
    """The four views as the migrations before this one left them."""
    m0011 = _migration("0011_language_status")
    status = m0011._with_status(m0011._views_before())
    m0010 = _migration("0010_seed_pages").VIEWS
    return {
        "original_periods": _migration("0007_versions_in_force").VIEWS["original_periods"],
        "cited_versions": m0010["cited_versions"],
        "source_versions": status["source_versions"],
        "provenance_chain": status["provenance_chain"],
    }


SEED_DATE = "CASE WHEN seeds.dated_by = 'published_at' THEN seeds.published_at ELSE seeds.ingested_at END"

# The newest original of one kind (our own, or archived) captured at or before the seed's date.
_IN_FORCE = """(SELECT v.id FROM versions v
              WHERE v.source_id = cited.source_id AND v.kind = 'original' AND {which}
                AND COALESCE(v.captured_at, v.created_at) <= cited.seed_date
              ORDER BY COALESCE(v.captured_at, v.created_at) DESC, v.id DESC LIMIT 1)"""

VIEWS = {
    "original_periods": """
SELECT original.source_id, original.id AS version_id,
       COALESCE(original.captured_at, original.created_at) AS captured_at,
       (SELECT MIN(COALESCE(later.captured_at, later.created_at)) FROM versions later
        WHERE later.source_id = original.source_id AND later.kind = 'original'
          AND later.archived = original.archived
          AND COALESCE(later.captured_at, later.created_at)
              > COALESCE(original.captured_at, original.created_at)) AS superseded_at,
       original.language, original.text_sha256,
       original.archived, original.archive_name, original.memento_url
FROM versions original
WHERE original.kind = 'original'
""",
    "cited_versions": f"""
SELECT cited.seed_id, cited.seed_path, cited.seed_date, cited.seed_dated_by, cited.source_id,
       periods.version_id, periods.captured_at,
       CASE WHEN periods.captured_at <= cited.seed_date THEN 'before' ELSE 'after' END AS captured,
       periods.archived, periods.archive_name, periods.memento_url
FROM (SELECT DISTINCT seeds.id AS seed_id, seeds.path AS seed_path, {SEED_DATE} AS seed_date,
             seeds.dated_by AS seed_dated_by, citations.source_id
      FROM citations JOIN seeds ON seeds.id = citations.seed_id
      WHERE citations.kind = 'url') cited
JOIN original_periods periods ON periods.source_id = cited.source_id
WHERE periods.version_id = COALESCE(
    {_IN_FORCE.format(which="NOT v.archived")},
    {_IN_FORCE.format(which="v.archived")},
    (SELECT v.id FROM versions v
     WHERE v.source_id = cited.source_id AND v.kind = 'original'
       AND COALESCE(v.captured_at, v.created_at) > cited.seed_date
     ORDER BY COALESCE(v.captured_at, v.created_at), v.archived, v.id LIMIT 1))
""",
}


def _changed(before: dict[str, str]) -> dict[str, str]:
    """source_versions and provenance_chain with the capture time and whether it is archived."""
    source_versions = before["source_versions"]
    for old, new in (
        ("versions.created_at AS captured_at,", "COALESCE(versions.captured_at, versions.created_at) AS captured_at,"),
        (
            "AND later.created_at > versions.created_at) END AS superseded_at,",
            "AND later.archived = versions.archived\n"
            "               AND COALESCE(later.captured_at, later.created_at)\n"
            "                   > COALESCE(versions.captured_at, versions.created_at)) END AS superseded_at,\n"
            "       versions.archived, versions.archive_name, versions.memento_url,",
        ),
        (
            "(SELECT MIN(later.created_at) FROM versions later",
            "(SELECT MIN(COALESCE(later.captured_at, later.created_at)) FROM versions later",
        ),
    ):
        assert old in source_versions, old
        source_versions = source_versions.replace(old, new)
    anchor = "original.created_at AS original_created_at,"
    assert anchor in before["provenance_chain"]
    provenance_chain = before["provenance_chain"].replace(
        anchor,
        anchor + " COALESCE(original.captured_at, original.created_at) AS original_captured_at,\n"
        "       original.archived AS original_archived, original.archive_name AS original_archive_name,",
    )
    return {"source_versions": source_versions, "provenance_chain": provenance_chain}


ORDER = ("original_periods", "cited_versions", "source_versions", "provenance_chain")


def _drop() -> None:
    for name in reversed(ORDER):
        op.execute(f"DROP VIEW IF EXISTS {name}")


def _create(views: dict[str, str]) -> None:
    for name in ORDER:
        op.execute(f"CREATE VIEW {name} AS {views[name].strip()}")


def current_views() -> dict[str, str]:
    """The four views as this revision makes them."""
    return {**VIEWS, **_changed(_views_before())}


def upgrade() -> None:
    _drop()
    # Plain ADD COLUMNs: a batch copy of versions or sources would break the views that read them.
    op.add_column("versions", sa.Column("captured_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column("versions", sa.Column("archived", sa.Boolean(), nullable=False, server_default="0"))
    op.add_column("versions", sa.Column("archive_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column("versions", sa.Column("memento_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.execute("UPDATE versions SET captured_at = created_at WHERE kind = 'original'")
    op.add_column("sources", sa.Column("archive_due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column("sources", sa.Column("archive_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column("sources", sa.Column("archive_for", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column("sources", sa.Column("archive_state", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column("sources", sa.Column("archive_checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_index("ix_sources_archive_due_at", "sources", ["archive_due_at"], unique=False)
    _create(current_views())


def downgrade() -> None:
    _drop()
    op.drop_index("ix_sources_archive_due_at", table_name="sources")
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL), for the same reason.
    for column in ("archive_checked_at", "archive_state", "archive_for", "archive_reason", "archive_due_at"):
        op.drop_column("sources", column)
    for column in ("memento_url", "archive_name", "archived", "captured_at"):
        op.drop_column("versions", column)
    _create(_views_before())
