"""one judgment per seed sentence: alignments.seed_sentence and alignments.verbatim

From this revision each alignment row judges one seed sentence (issue 20): its own label, score,
coverage, source sentences and details, never a neighbour's. `seed_sentence` is that sentence's
position in the seed (NULL on a long seed's summary row of sentences that draw on nothing, and
on rows written before this revision, which judged an n:1 link of several sentences as one).
`verbatim` says the sentence appears word for word in the aligned text (the translation, or
the original when none was needed), which makes it `supported` with no details. The view
`alignment_judgments` gains both columns.

Revision ID: 0016
Revises: 0015
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _migration(name: str):
    spec = importlib.util.spec_from_file_location(f"_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_BEFORE = _migration("0008_alignment_details").VIEWS["alignment_judgments"]
_ANCHOR = "alignments.seed_start, alignments.seed_end, alignments.seed_text,"
assert _ANCHOR in _BEFORE

VIEWS = {
    # Each seed sentence's judgment against a source, as 0008 made it, with the sentence's
    # position and whether it is a word-for-word copy.
    "alignment_judgments": _BEFORE.replace(_ANCHOR, "alignments.seed_sentence, " + _ANCHOR + " alignments.verbatim,"),
}


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS alignment_judgments")
    # Plain ADD COLUMNs: a batch copy of alignments would break the views that read it.
    op.add_column("alignments", sa.Column("seed_sentence", sa.Integer(), nullable=True))
    op.add_column("alignments", sa.Column("verbatim", sa.Boolean(), nullable=False, server_default="0"))
    op.execute(f"CREATE VIEW alignment_judgments AS {VIEWS['alignment_judgments'].strip()}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS alignment_judgments")
    op.drop_column("alignments", "verbatim")  # SQLite 3.35+ drops a column in place
    op.drop_column("alignments", "seed_sentence")
    op.execute(f"CREATE VIEW alignment_judgments AS {_BEFORE.strip()}")
