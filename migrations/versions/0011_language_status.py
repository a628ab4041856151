"""language status of original versions

How far to trust an original's language: `detected`, `uncertain` or `undetermined`
(tracker.originals.language), with the evidence as JSON (langdetect's answer, the second opinion,
the declared language, the script, the reasons). The views that show an original's language show
its status beside it: source_versions, translations and provenance_chain are recreated.

Revision ID: 0011
Revises: 0010
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _views(name: str) -> dict[str, str]:
    spec = importlib.util.spec_from_file_location(f"_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.VIEWS


def _views_before() -> dict[str, str]:
    """The views as the migrations before this one left them (0010 redefined provenance_chain)."""
    return {**_views("0005_query_views"), **_views("0010_seed_pages")}


def _with_status(views: dict[str, str]) -> dict[str, str]:
    """The views with each original's language status beside its language."""
    changed = {
        "provenance_chain": (
            "original.language AS original_language,",
            "original.language AS original_language, original.language_status AS original_language_status,",
        ),
        "source_versions": ("versions.language,", "versions.language, versions.language_status,"),
        "translations": (
            "original.language AS from_language,",
            "original.language AS from_language, original.language_status AS from_language_status,",
        ),
    }
    out = {}
    for name, (old, new) in changed.items():
        assert old in views[name], name
        out[name] = views[name].replace(old, new)
    return out


def upgrade() -> None:
    views = _with_status(_views_before())
    for name in views:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.add_column("versions", sa.Column("language_status", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column("versions", sa.Column("language_evidence", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    # Originals made before this revision keep a NULL status: their language was never checked.
    for name, body in views.items():
        op.execute(f"CREATE VIEW {name} AS {body.strip()}")


def downgrade() -> None:
    old = _views_before()
    for name in _with_status(old):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of `versions` would break the
    # other views that read it.
    op.execute("ALTER TABLE versions DROP COLUMN language_evidence")
    op.execute("ALTER TABLE versions DROP COLUMN language_status")
    for name in _with_status(old):
        op.execute(f"CREATE VIEW {name} AS {old[name].strip()}")
