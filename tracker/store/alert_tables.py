"""The tables of alerts (tracker/alerts/): the events worth telling a person about, each recorded
once, how far each got to each destination, and which records the alerts stage has looked at.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.store.tables import utcnow


class Alert(SQLModel, table=True):
    """One event: a cited source changed or vanished, a seed sentence's label changed.

    The key (kind, seed_id, source_id, version_id) is unique, so two workers or a re-run that
    find the same event record it once (INSERT … ON CONFLICT DO NOTHING) and it is sent once.
    """

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("kind", "seed_id", "source_id", "version_id", name="ux_alerts_event"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(description="source_changed, source_gone, label_changed or trail_origin")
    seed_id: int = Field(foreign_key="seeds.id", index=True)
    source_id: int = Field(foreign_key="sources.id", index=True)
    version_id: int = Field(
        description="source_changed: the new original; label_changed: the aligned text that gave the new "
        "labels; source_gone: the source's last original (0 when it never had one)"
    )
    created_at: datetime = Field(default_factory=utcnow, index=True)
    summary: str = Field(description="the event in one line")
    details: str = Field(default="{}", description="JSON: label changes, a short diff, the reason a source is gone")


class AlertDelivery(SQLModel, table=True):
    """An alert's delivery to one destination of [alerts] urls, named by its masked form (a
    destination's secrets are never stored)."""

    __tablename__ = "alert_deliveries"

    alert_id: int = Field(foreign_key="alerts.id", primary_key=True)
    destination: str = Field(primary_key=True, description="the apprise URL, masked (no secrets)")
    attempts: int = 0
    sent_at: datetime | None = None
    next_attempt_at: datetime | None = Field(default=None, description="after a failure: not tried again before")
    error: str | None = Field(default=None, description="why the last attempt failed (secrets masked)")


class AlertCheck(SQLModel, table=True):
    """A record the alerts stage has looked at, so each pass looks only at what is new: an align
    activity ('align'), a new original ('original'), a source found gone ('gone')."""

    __tablename__ = "alert_checks"

    subject: str = Field(primary_key=True, description="align, original or gone")
    item_id: int = Field(primary_key=True, description="the activity, version or source id")
    checked_at: datetime = Field(default_factory=utcnow)
