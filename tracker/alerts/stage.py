"""The alerts stage: after a run's (or a worker pool's) fetching, translating and aligning, record
the events found (tracker.alerts.events) and send what is not sent yet, one message per
destination (tracker.alerts.delivery). `tracker run` calls it once at the end of a run; workers
call it when the queue has run dry. On PostgreSQL one process at a time runs it (an advisory
lock), and an event's unique key keeps it to one row whoever finds it.

Delivery never fails the run: a destination that does not answer within `[alerts] timeout` is
told once in the log and tried again by a later run, with backoff.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import and_, or_, text
from sqlmodel import Session, select

from tracker.alerts.delivery import destinations, next_attempt, send
from tracker.alerts.events import change_events, gone_events, label_events
from tracker.alerts.message import compose, load
from tracker.alerts.origins import origin_events
from tracker.outcomes import Notify, RunSummary
from tracker.store.alert_tables import Alert, AlertDelivery
from tracker.store.tables import Seed, utcnow

# The key of the advisory lock the alerts stage holds on PostgreSQL: "alerting" in ASCII.
ALERTS_LOCK_KEY = int.from_bytes(b"alerting", "big")
MAX_AGE = timedelta(days=7)  # older alerts are listed and in the feed, never sent (a new destination is not flooded)
MAX_PER_MESSAGE = 200  # alerts one message tells; the rest go in the next


def alerts_stage(session: Session, settings, summary: RunSummary, notify: Notify) -> None:
    """Record the new events, then deliver every alert not sent yet (the caller's session; each
    step commits)."""
    with _one_at_a_time(session) as mine:
        if not mine:
            return
        made = record_events(session, settings, utcnow())
        session.commit()
        summary.alerts += made
        if made:
            notify(f"alerts: {made} new event{'s' if made != 1 else ''}", "alerts", new=made)
        try:
            sent, failed = deliver(session, settings, notify)
        except Exception as error:  # noqa: BLE001  delivery never fails the run; the alerts wait
            session.rollback()
            notify(f"alerts: not delivered ({type(error).__name__}); tried again by a later run", "alerts_failed")
            sent, failed = 0, 1
        summary.alerts_sent += sent
        summary.alerts_undelivered += failed


def record_events(session: Session, settings, now) -> int:
    """Every event not recorded yet: label changes, changed and gone sources, trails' origins;
    the events new. The caller commits."""
    made = label_events(session, now)
    made += change_events(session, settings.translation.target, now)
    made += gone_events(session, settings.alerts, now)
    made += origin_events(session, settings, now)
    return made


@contextmanager
def _one_at_a_time(session: Session) -> Iterator[bool]:
    engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        yield True  # SQLite: the run lock already keeps runs apart
        return
    with engine.connect() as locker:
        got = locker.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ALERTS_LOCK_KEY}).scalar()
        try:
            yield bool(got)
        finally:
            locker.rollback()  # ends the transaction and the lock with it


def deliver(session: Session, settings, notify: Notify) -> tuple[int, int]:
    """One message to each destination with alerts due for it; (messages sent, not delivered)."""
    config = settings.alerts
    sent = failed = 0
    for destination in destinations(config.urls):
        now = utcnow()
        rows = session.exec(
            select(Alert, AlertDelivery)
            .outerjoin(
                AlertDelivery,
                and_(AlertDelivery.alert_id == Alert.id, AlertDelivery.destination == destination.shown),
            )
            .where(
                Alert.kind.in_(config.events),
                Alert.created_at >= now - MAX_AGE,
                AlertDelivery.sent_at.is_(None),
                or_(AlertDelivery.next_attempt_at.is_(None), AlertDelivery.next_attempt_at <= now),
            )
            .order_by(Alert.id)
            .limit(MAX_PER_MESSAGE)
        ).all()
        if not rows:
            continue
        title, body = compose(load(session, [alert for alert, _ in rows]), config.base_url)
        session.commit()  # no transaction held open while the message goes out
        error = send(destination, title, body, config.timeout)
        now = utcnow()
        for alert, delivery in rows:
            if delivery is None:
                delivery = AlertDelivery(alert_id=alert.id, destination=destination.shown, attempts=0)
                session.add(delivery)
            delivery.attempts += 1
            if error is None:
                delivery.sent_at, delivery.next_attempt_at, delivery.error = now, None, None
            else:
                delivery.error = error
                delivery.next_attempt_at = next_attempt(now, delivery.attempts, config.retry_after)
        session.commit()
        count = f"{len(rows)} alert{'s' if len(rows) != 1 else ''}"
        if error is None:
            sent += 1
            notify(f"alerts: sent {count} to {destination.shown}", "alerts_sent", destination=destination.shown)
        else:
            failed += 1
            notify(
                f"alerts: {count} not delivered to {destination.shown}: {error} (tried again by a later run)",
                "alerts_failed",
                destination=destination.shown,
                error=error,
            )
    return sent, failed


def send_test(settings) -> list[tuple[str, str | None]]:
    """`tracker alerts --test`: one test message to each destination; (destination, error or None)."""
    body = "A test message from tracker: alerts configured in [alerts] urls reach this destination.\n"
    return [
        (destination.shown, send(destination, "tracker: test message", body, settings.alerts.timeout))
        for destination in destinations(settings.alerts.urls)
    ]


def list_alerts(session: Session, settings, *, seed: Seed | None = None, limit: int | None = None) -> list[dict]:
    """Recorded alerts, newest first, each with its delivery state per configured destination:
    sent, failed (attempts, next try, error), waiting, or not sent (its kind is not in [alerts]
    events, or it is older than MAX_AGE)."""
    alerts = recorded(session, seed=seed, limit=limit)
    shown_destinations = [d.shown for d in destinations(settings.alerts.urls)]
    now = utcnow()
    listed = []
    for item in load(session, list(alerts)):
        alert = item.alert
        deliveries = {
            d.destination: d
            for d in session.exec(select(AlertDelivery).where(AlertDelivery.alert_id == alert.id)).all()
        }
        states = []
        for name in dict.fromkeys([*shown_destinations, *deliveries]):
            states.append({"destination": name, **_state(deliveries.get(name), alert, settings, now)})
        listed.append(
            {
                "id": alert.id,
                "kind": alert.kind,
                "created_at": alert.created_at.isoformat(),
                "seed": item.seed.path,
                "seed_id": alert.seed_id,
                "source": item.source.url,
                "source_id": alert.source_id,
                "version_id": alert.version_id,
                "summary": alert.summary,
                "details": item.details,
                "deliveries": states,
            }
        )
    return listed


def recorded(session: Session, *, seed: Seed | None = None, limit: int | None = None) -> list[Alert]:
    """Alerts newest first; with `seed`, those of every revision of it."""
    query = select(Alert).order_by(Alert.id.desc())
    if seed is not None:
        query = query.where(Alert.seed_id.in_(select(Seed.id).where(Seed.path == seed.path)))
    if limit:
        query = query.limit(limit)
    return list(session.exec(query).all())


def _state(delivery: AlertDelivery | None, alert: Alert, settings, now) -> dict:
    if delivery is not None and delivery.sent_at is not None:
        return {"state": "sent", "at": delivery.sent_at.isoformat(), "attempts": delivery.attempts}
    if alert.kind not in settings.alerts.events:
        return {"state": "not sent", "why": "its kind is not in [alerts] events"}
    if alert.created_at < now - MAX_AGE:
        return {"state": "not sent", "why": "older than a week"}
    if delivery is None:
        return {"state": "waiting", "attempts": 0}
    return {
        "state": "failed",
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at.isoformat() if delivery.next_attempt_at else None,
        "error": delivery.error,
    }
