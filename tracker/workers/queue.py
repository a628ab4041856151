"""The job queue: rows of `jobs`, claimed with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL).

- `enqueue` inserts a job unless one with the same (queue, key) is waiting or running (a partial
  unique index makes that race-free: the queueing lock), or failed within the last hour.
- `claim` takes the oldest due job of the given queues, or one whose worker stopped renewing
  its lease (a stalled job: taken over). Each claim adds one to `attempts`, which is the
  job's fencing token: renewals and writes name it, and fail once another worker has claimed.
- `fence` is the first statement of every transaction that writes a job's results: it locks
  the job row FOR KEY SHARE (a claim's FOR UPDATE SKIP LOCKED passes it by, so no one can take
  the job over until the write commits, while the heartbeat's lease renewal is not blocked) and
  raises `Fenced` if the job is no longer ours.

Times come from the database clock (`now()`), never from a worker's, so machines whose clocks
disagree still agree on when a lease ends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

QUEUES = ("fetch", "translate", "align", "archive")
RETRY_LIMIT = 3  # attempts before a job that keeps raising is marked failed
KEEP_FINISHED_DAYS = 7  # done and failed jobs stay this long (for `tracker status` and debugging)


class Fenced(RuntimeError):
    """This worker's claim (on a job or a host) was taken over: its results must not be written."""


@dataclass
class Claimed:
    id: int
    queue: str
    key: str
    payload: dict[str, Any]
    token: int  # `attempts` at claim time
    worker: str
    batch_key: str | None = None
    weight: int = 0
    lost: bool = field(default=False, compare=False)  # set by the heartbeat when a renewal fails


def enqueue(
    connection: Connection,
    queue: str,
    key: str,
    payload: dict[str, Any] | None = None,
    *,
    batch_key: str | None = None,
    weight: int = 0,
    delay: float = 0.0,
    once: bool = False,
) -> bool:
    """Add a job (in the caller's transaction); False if an equal one waits, runs or just failed,
    or, with `once`, was ever done."""
    row = connection.execute(
        text(
            """
            INSERT INTO jobs (queue, key, batch_key, weight, payload, status, attempts, run_after, created_at)
            SELECT CAST(:queue AS VARCHAR), CAST(:key AS VARCHAR), CAST(:batch_key AS VARCHAR),
                   CAST(:weight AS INTEGER), CAST(:payload AS VARCHAR), 'waiting', 0,
                   now() + make_interval(secs => CAST(:delay AS DOUBLE PRECISION)), now()
            WHERE NOT EXISTS (
                SELECT 1 FROM jobs WHERE queue = CAST(:queue AS VARCHAR) AND key = CAST(:key AS VARCHAR)
                AND status = 'failed' AND finished_at > now() - interval '1 hour')
            AND NOT (CAST(:once AS BOOLEAN) AND EXISTS (
                SELECT 1 FROM jobs WHERE queue = CAST(:queue AS VARCHAR) AND key = CAST(:key AS VARCHAR)
                AND status = 'done'))
            ON CONFLICT (queue, key) WHERE status IN ('waiting', 'running') DO NOTHING
            RETURNING id
            """
        ),
        {
            "queue": queue,
            "key": key,
            "batch_key": batch_key,
            "weight": weight,
            "payload": json.dumps(payload or {}),
            "delay": delay,
            "once": once,
        },
    ).first()
    return row is not None


_CLAIMABLE = """
    queue = ANY(:queues) AND status IN ('waiting', 'running') AND (
        (status = 'waiting' AND run_after <= now())
        OR (status = 'running' AND lease_until < now()))
"""

_TAKE = """
    UPDATE jobs SET status = 'running', worker = :worker, attempts = attempts + 1,
        lease_until = now() + make_interval(secs => :lease), started_at = now(), error = NULL
    WHERE id = ANY(:ids)
    RETURNING id, queue, key, payload, attempts, batch_key, weight
"""


def claim(
    connection: Connection, worker: str, queues: list[str], lease: float, *, batch_weight: int = 0
) -> list[Claimed]:
    """Claim the next due (or stalled) job; for a job with a batch key, also claim more waiting
    jobs with that key while their weights add up to at most `batch_weight`. Commits."""
    first = connection.execute(
        text(f"SELECT id, batch_key, weight FROM jobs WHERE {_CLAIMABLE} ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"),
        {"queues": list(queues)},
    ).first()
    if first is None:
        connection.commit()
        return []
    ids = [first.id]
    if first.batch_key is not None and batch_weight > 0:
        total = first.weight
        more = connection.execute(
            text(
                f"SELECT id, weight FROM jobs WHERE {_CLAIMABLE} AND batch_key = :batch_key AND id <> :first "
                "ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED"
            ),
            {"queues": list(queues), "batch_key": first.batch_key, "first": first.id},
        ).all()
        for row in more:
            if total + row.weight > batch_weight:
                break
            ids.append(row.id)
            total += row.weight
    rows = connection.execute(text(_TAKE), {"worker": worker, "lease": lease, "ids": ids}).all()
    connection.commit()
    return [
        Claimed(
            id=row.id,
            queue=row.queue,
            key=row.key,
            payload=json.loads(row.payload),
            token=row.attempts,
            worker=worker,
            batch_key=row.batch_key,
            weight=row.weight,
        )
        for row in sorted(rows, key=lambda row: row.id)
    ]


def renew(connection: Connection, job: Claimed, lease: float) -> bool:
    """Extend the job's lease; False (and the job is marked lost) if another worker claimed it."""
    done = connection.execute(
        text(
            "UPDATE jobs SET lease_until = now() + make_interval(secs => :lease) "
            "WHERE id = :id AND attempts = :token AND status = 'running'"
        ),
        {"id": job.id, "token": job.token, "lease": lease},
    ).rowcount
    if not done:
        job.lost = True
    return bool(done)


def fence(connection: Connection, job: Claimed) -> None:
    """Lock the job row against takeover for this transaction; raise Fenced if it is not ours any more."""
    row = connection.execute(
        text("SELECT attempts, status FROM jobs WHERE id = :id FOR KEY SHARE"), {"id": job.id}
    ).first()
    if row is None or row.attempts != job.token or row.status != "running":
        job.lost = True
        raise Fenced(f"job {job.id} ({job.queue} {job.key}) was taken over by another worker")


def finish(connection: Connection, job: Claimed) -> None:
    """Mark the job done, in the caller's transaction (after `fence`)."""
    connection.execute(
        text(
            "UPDATE jobs SET status = 'done', finished_at = now(), lease_until = NULL "
            "WHERE id = :id AND attempts = :token"
        ),
        {"id": job.id, "token": job.token},
    )


def release(connection: Connection, job: Claimed, *, delay: float = 0.0) -> None:
    """Give the job back (a graceful stop, or a host busy elsewhere): another worker may take it."""
    connection.execute(
        text(
            "UPDATE jobs SET status = 'waiting', worker = NULL, lease_until = NULL, "
            "run_after = now() + make_interval(secs => :delay) "
            "WHERE id = :id AND attempts = :token AND status = 'running'"
        ),
        {"id": job.id, "token": job.token, "delay": delay},
    )


def fail(connection: Connection, job: Claimed, error: str) -> None:
    """Record an exception: the job waits for a retry with backoff, or fails after RETRY_LIMIT attempts."""
    connection.execute(
        text(
            """
            UPDATE jobs SET
                status = CASE WHEN attempts >= :limit THEN 'failed' ELSE 'waiting' END,
                finished_at = CASE WHEN attempts >= :limit THEN now() END,
                worker = CASE WHEN attempts >= :limit THEN worker END,
                lease_until = NULL, error = :error,
                run_after = now() + make_interval(secs => 2.0 ^ attempts)
            WHERE id = :id AND attempts = :token AND status = 'running'
            """
        ),
        {"id": job.id, "token": job.token, "error": error[:2000], "limit": RETRY_LIMIT},
    )


def prune(connection: Connection, days: float = KEEP_FINISHED_DAYS) -> int:
    """Delete jobs that finished (done or failed) more than `days` ago; how many. Done alignment
    jobs stay: they keep a (seed, version) aligned once, and there is one per pair, not per cycle."""
    return connection.execute(
        text(
            "DELETE FROM jobs WHERE status IN ('done', 'failed') "
            "AND finished_at < now() - make_interval(days => :days) AND NOT (queue = 'align' AND status = 'done')"
        ),
        {"days": days},
    ).rowcount


def pending(connection: Connection, queues: list[str]) -> int:
    """Jobs of these queues that wait (due or not) or run: zero means idle."""
    return connection.execute(
        text("SELECT count(*) FROM jobs WHERE queue = ANY(:queues) AND status IN ('waiting', 'running')"),
        {"queues": list(queues)},
    ).scalar_one()


@dataclass
class QueueStatus:
    queue: str
    waiting: int = 0
    running: list[tuple[str, Any]] = field(default_factory=list)  # (worker, since)
    failed: int = 0
    stalled: int = 0


def queue_status(connection: Connection) -> tuple[list[QueueStatus], list[tuple[str, str, Any]]]:
    """Per queue: waiting, running (worker, since), failed, stalled; and hosts holding a lease."""
    found = {queue: QueueStatus(queue) for queue in QUEUES}
    rows = connection.execute(
        text(
            """
            SELECT queue, status, worker, started_at, lease_until < now() AS stale FROM jobs
            WHERE status IN ('waiting', 'running')
            UNION ALL
            SELECT queue, 'failed', NULL, NULL, false FROM jobs WHERE status = 'failed'
            """
        )
    ).all()
    for row in rows:
        entry = found.setdefault(row.queue, QueueStatus(row.queue))
        if row.status == "waiting":
            entry.waiting += 1
        elif row.status == "failed":
            entry.failed += 1
        elif row.stale:
            entry.stalled += 1
        else:
            entry.running.append((row.worker, row.started_at))
    hosts = connection.execute(
        text(
            "SELECT origin, lease_holder, lease_until FROM hosts "
            "WHERE lease_holder IS NOT NULL AND lease_until > now() ORDER BY origin"
        )
    ).all()
    return list(found.values()), [tuple(row) for row in hosts]
