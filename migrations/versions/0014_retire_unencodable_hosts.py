"""retire sources whose host name cannot be encoded

A source such as http://xn--zz.example/x (an "xn--" label that is not valid Punycode) can never
be fetched, and before this revision it stopped every later run. Ingestion now refuses such URLs;
the rows already recorded are retired here, with the reason. Nothing else is touched: their
citations and fetch history stay. The downgrade leaves them retired (their earlier state is not
kept, and a retired source is what the earlier schema expects for an unfetchable one too).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 10:00:00
"""

import idna
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Written here, not imported: a migration must keep meaning what it meant when it was written.
RETIRED_REASON = "bad URL: its host name cannot be encoded (IDNA), so no request can be made for it"


def _encodable(host: str) -> bool:
    for label in host.lower().split("."):
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError, IndexError):
                return False
    return True


def upgrade() -> None:
    connection = op.get_bind()
    sources = sa.table(
        "sources",
        sa.column("id", sa.Integer),
        sa.column("host", sa.String),
        sa.column("state", sa.String),
        sa.column("retired_reason", sa.String),
        sa.column("retired_under", sa.String),
        sa.column("next_fetch_at", sa.DateTime),
    )
    # Only hosts with an A-label can fail; the LIKE keeps this a small read on a large table.
    rows = connection.execute(
        sa.select(sources.c.id, sources.c.host).where(sources.c.host.like("%xn--%"), sources.c.state != "retired")
    ).all()
    bad = [source_id for source_id, host in rows if not _encodable(host or "")]
    for start in range(0, len(bad), 500):
        connection.execute(
            sources.update()
            .where(sources.c.id.in_(bad[start : start + 500]))
            .values(state="retired", retired_reason=RETIRED_REASON, retired_under=None, next_fetch_at=None)
        )


def downgrade() -> None:
    pass
