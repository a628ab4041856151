"""Host leases: which worker may send requests to an origin, with a fencing token.

A worker takes an origin's lease with a compare-and-set on the database clock (the row is free,
or its lease ended before `now()`), which adds one to `lease_token`. It renews the lease before
each request, naming its token: once another worker has taken the lease over, the renewal
matches no row and the request is not sent. Every write of a fetch result first compares the
token (`check`), in the transaction that also holds the job's fence (queue.fence), so a worker
that was wrongly presumed dead (stopped, swapped out, cut off) cannot write after its lease was
taken over: a takeover must claim the job first, and that waits for a write in progress.

Renewing also records the request's start as the host's `last_request_at` and the earliest next
start as `next_request_at`, so the delay between requests holds across workers even when a
worker dies between a request and the write of its result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from tracker.workers.queue import Fenced


@dataclass
class HostLease:
    origin: str
    holder: str
    token: int


def acquire(connection: Connection, origin: str, holder: str, lease: float) -> HostLease | None:
    """Take the origin's lease if it is free or expired (or already ours); None if another
    worker holds it. Commits."""
    connection.execute(
        text("INSERT INTO hosts (origin, lease_token) VALUES (:origin, 0) ON CONFLICT (origin) DO NOTHING"),
        {"origin": origin},
    )
    token = connection.execute(
        text(
            """
            UPDATE hosts SET lease_holder = :holder, lease_token = lease_token + 1,
                lease_until = now() + make_interval(secs => :lease)
            WHERE origin = :origin
              AND (lease_holder IS NULL OR lease_until IS NULL OR lease_until < now() OR lease_holder = :holder)
            RETURNING lease_token
            """
        ),
        {"origin": origin, "holder": holder, "lease": lease},
    ).scalar()
    connection.commit()
    return None if token is None else HostLease(origin, holder, token)


def holder(connection: Connection, origin: str) -> tuple[str, datetime] | None:
    """Who holds the origin's lease and until when (UTC), or None if nobody does. Commits."""
    row = connection.execute(
        text("SELECT lease_holder, lease_until FROM hosts WHERE origin = :origin AND lease_until > now()"),
        {"origin": origin},
    ).first()
    connection.commit()
    if row is None or row[0] is None:
        return None
    until = row[1] if row[1].tzinfo is not None else row[1].replace(tzinfo=UTC)
    return row[0], until.astimezone(UTC)


def renew(connection: Connection, lease: HostLease, seconds: float, *, delay: float | None = None) -> bool:
    """Extend the lease; with `delay`, also record a request starting now. False once lost. Commits."""
    extra = ""
    if delay is not None:
        extra = ", last_request_at = now(), next_request_at = now() + make_interval(secs => :delay)"
    done = connection.execute(
        text(
            f"UPDATE hosts SET lease_until = now() + make_interval(secs => :seconds){extra} "
            "WHERE origin = :origin AND lease_token = :token AND lease_holder = :holder"
        ),
        {"origin": lease.origin, "token": lease.token, "holder": lease.holder, "seconds": seconds, "delay": delay},
    ).rowcount
    connection.commit()
    return bool(done)


def check(connection: Connection, lease: HostLease) -> None:
    """In a transaction that writes a fetch result: lock the host row and raise Fenced if the
    lease is no longer ours."""
    token = connection.execute(
        text("SELECT lease_token FROM hosts WHERE origin = :origin AND lease_holder = :holder FOR KEY SHARE"),
        {"origin": lease.origin, "holder": lease.holder},
    ).scalar()
    if token != lease.token:
        raise Fenced(f"the lease on {lease.origin} was taken over by another worker")


def release(connection: Connection, lease: HostLease) -> None:
    """Let the lease go (the politeness times stay). Commits."""
    connection.execute(
        text(
            "UPDATE hosts SET lease_holder = NULL, lease_until = NULL "
            "WHERE origin = :origin AND lease_token = :token AND lease_holder = :holder"
        ),
        {"origin": lease.origin, "token": lease.token, "holder": lease.holder},
    )
    connection.commit()
