"""The worker: `tracker worker` (a pool of threads in one process) and `tracker run` on PostgreSQL.

Each thread claims a job (or a translation batch), runs it, and claims the next; when nothing is
due it runs a scheduling pass (schedule.py) and waits a moment. A heartbeat thread renews the
leases of the jobs and hosts in hand every third of the lease. SIGTERM or SIGINT stops claiming:
the jobs in hand finish (a fetch job stops after the page in hand and gives the rest back), and
a second signal stops at once. Connection failures (a restarted server, a killed backend) are
waited out: the pool checks connections before use, and a job cut off is retried.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterable

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from tracker.alerts.stage import alerts_stage
from tracker.config import Settings
from tracker.errors import TrackerError
from tracker.fetch.client import Fetcher
from tracker.fetch.stage import next_due
from tracker.outcomes import Notify, RunSummary, quiet
from tracker.store.db import connect, open_database
from tracker.workers import leases, queue, tasks
from tracker.workers.queue import QUEUES, Claimed, Fenced
from tracker.workers.schedule import Timers, enqueue_due

POLL = 1.0  # seconds between claims when nothing is due
SCHEDULE_EVERY = 5.0  # seconds between scheduling passes while jobs keep coming
ALERTS_EVERY = 30.0  # seconds between alerts stages of a worker whose queue is dry


class NeedsPostgres(TrackerError):
    """`tracker worker` was started on a SQLite database."""


def configure_translation(settings: Settings) -> None:
    """Pass [translation] device, compute_type and threads to CTranslate2 through Argos's
    environment, before anything loads a model (models load in this process, after it starts:
    CTranslate2 translators are not fork-safe)."""
    device = settings.translation.device
    if device == "auto":
        try:
            import ctranslate2

            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        except Exception:  # noqa: BLE001  no CUDA runtime at all
            device = "cpu"
    os.environ["ARGOS_DEVICE_TYPE"] = device
    os.environ["ARGOS_COMPUTE_TYPE"] = settings.translation.compute_type
    os.environ["ARGOS_INTER_THREADS"] = str(settings.translation.inter_threads)
    os.environ["ARGOS_INTRA_THREADS"] = str(settings.translation.intra_threads)
    if settings.translation.intra_threads:
        os.environ.setdefault("OMP_NUM_THREADS", str(settings.translation.intra_threads))


class Worker:
    def __init__(
        self,
        settings: Settings,
        *,
        queues: Iterable[str] = QUEUES,
        concurrency: int = 1,
        until_idle: bool = False,
        notify: Notify = quiet,
        name: str | None = None,
        fetch_all: bool = False,
        limit: int | None = None,
        max_seconds: float | None = None,
    ) -> None:
        if not settings.database.target.is_postgres:
            raise NeedsPostgres("tracker worker needs a PostgreSQL database ([database] url = postgresql+psycopg://…)")
        self.settings = settings
        self.queues = [q for q in queues]
        unknown = set(self.queues) - set(QUEUES)
        if unknown or not self.queues:
            raise TrackerError(
                f"unknown queue(s) {', '.join(sorted(unknown)) or '(none)'}; choose from {', '.join(QUEUES)}"
            )
        self.concurrency = max(1, concurrency)
        self.until_idle = until_idle
        self.notify = notify
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.fetch_all, self.limit = fetch_all, limit
        self.stop_at = None if max_seconds is None else time.monotonic() + max_seconds
        self.stopping = threading.Event()
        self.summary = RunSummary()
        self._in_hand: dict[int, Claimed] = {}
        self._in_hand_lock = threading.Lock()
        self._first_pass = threading.Lock()
        self._first_pass_done = False
        self._last_pass = 0.0
        self.timers = Timers()  # the model-download retry and the pruning of old jobs

    # -- lifecycle

    def run(self, *, handle_signals: bool = True) -> RunSummary:
        from tracker.collector import collect_less_often

        collect_less_often()
        configure_translation(self.settings)
        # langdetect loads its profiles on first use, and threads that race to it get wrong
        # answers: load them before the threads start.
        from tracker.originals.language import detect_language

        detect_language("Xin chào, đây là một câu tiếng Việt.", self.settings.language.seed)
        lease = self.settings.worker.lease
        # A worker frozen mid-transaction (SIGSTOP, a paused VM) would hold its row locks for as
        # long as its connection lives: the server ends such a transaction after the lease.
        options = {"options": f"-c idle_in_transaction_session_timeout={int(max(1.0, lease) * 1000)}"}
        # Per thread: its job's session and a fetch's lease renewals; plus scheduling passes.
        # Checked to be tracker's own (else refused untouched) and upgraded, as for every command.
        engine = open_database(
            self.settings.database.target,
            pool_pre_ping=True,
            pool_size=2 * self.concurrency + 2,
            max_overflow=self.concurrency + 4,
            connect_args=options,
        )
        # The heartbeat has a connection of its own: it must never wait for a busy pool.
        beat_engine = connect(
            self.settings.database.target, pool_pre_ping=True, pool_size=1, max_overflow=1, connect_args=options
        )
        previous = self._install_signals() if handle_signals else {}
        fetcher = Fetcher(self.settings.fetch)
        context = tasks.Context(self.settings, engine, fetcher, lease, self.notify, self.summary, self.stopping)
        heartbeat = threading.Thread(
            target=self._heartbeat, args=(context, beat_engine), name="tracker-heartbeat", daemon=True
        )
        heartbeat.start()
        threads = [
            threading.Thread(target=self._loop, args=(context, f"{self.name}/{i}"), name=f"tracker-worker-{i}")
            for i in range(self.concurrency)
        ]
        self.notify(
            f"worker {self.name}: queues {','.join(self.queues)}, {self.concurrency} thread(s)", "worker_started"
        )
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.2)
        finally:
            self.stopping.set()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            fetcher.close()
            try:
                with Session(engine) as session:
                    self.summary.next_due = next_due(session)
            except DBAPIError:
                pass
            engine.dispose()
            beat_engine.dispose()
        self.notify(f"worker {self.name}: stopped", "worker_stopped")
        return self.summary

    def _install_signals(self) -> dict:
        if threading.current_thread() is not threading.main_thread():
            return {}

        def stop(signum, _frame) -> None:
            self.notify(f"worker {self.name}: {signal.Signals(signum).name}, finishing the jobs in hand", "stopping")
            self.stopping.set()
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)

        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
        for sig in previous:
            signal.signal(sig, stop)
        return previous

    # -- threads

    def _loop(self, context: tasks.Context, name: str) -> None:
        while not self.stopping.is_set():
            if self.stop_at is not None and time.monotonic() >= self.stop_at:
                self.summary.stopped_early = True
                self.stopping.set()
                break
            try:
                self._schedule(context, force=not self._first_pass_done)
                with context.engine.connect() as connection:
                    batch = self.settings.worker.batch_tokens
                    jobs = queue.claim(connection, name, self.queues, context.lease, batch_weight=batch)
                if not jobs:
                    if self.until_idle and self._idle(context):
                        self._alerts(context, force=True)
                        return
                    self._alerts(context)
                    self.stopping.wait(POLL)
                    continue
                self._run(context, jobs)
            except DBAPIError as error:  # the server restarted, or our backend was killed
                if not _connection_trouble(error):
                    raise
                self.notify(f"database unavailable ({_first_line(error)}); retrying", "db_retry")
                self.stopping.wait(POLL)

    def _schedule(self, context: tasks.Context, *, force: bool = False) -> int | None:
        if not force and time.monotonic() - self._last_pass < SCHEDULE_EVERY:
            return 0
        with self._first_pass:
            self._last_pass = time.monotonic()
            added = enqueue_due(
                context.engine,
                self.settings,
                summary=self.summary,
                notify=self.notify,
                fetch_all=self.fetch_all and not self._first_pass_done,
                limit=self.limit if not self._first_pass_done else None,
                timers=self.timers,
            )
            if added is not None:
                self._first_pass_done = True
            return added

    def _idle(self, context: tasks.Context) -> bool:
        """Nothing waits or runs, and a fresh scheduling pass found nothing (checked twice, so
        work enqueued by a job that just finished is not missed)."""
        with context.engine.connect() as connection:
            if queue.pending(connection, self.queues):
                return False
        if self.fetch_all or self.limit:  # `tracker run --all/--limit`: the first pass is the run's work
            added = 0
        else:
            added = self._schedule(context, force=True)
        if added is None or added > 0:
            return False
        with context.engine.connect() as connection:
            return queue.pending(connection, self.queues) == 0

    def _alerts(self, context: tasks.Context, *, force: bool = False) -> None:
        """The alerts stage, once the queue has run dry (nothing waiting or running on any
        worker), so one message tells what a whole round of work found; at most every
        ALERTS_EVERY seconds. One worker at a time runs it (the stage's advisory lock)."""
        if not force and not self.timers.once_per(("alerts",), ALERTS_EVERY):
            return
        with context.engine.connect() as connection:
            if queue.pending(connection, QUEUES):
                return
        with Session(context.engine, expire_on_commit=False) as session:
            summary = RunSummary()
            alerts_stage(session, self.settings, summary, self.notify)
        with context.lock:
            context.summary.add(summary)

    def _run(self, context: tasks.Context, jobs: list[Claimed]) -> None:
        with self._in_hand_lock:
            for job in jobs:
                self._in_hand[job.id] = job
        try:
            tasks.run_jobs(context, jobs)
        except Fenced as fenced:
            self.notify(f"refused: {fenced}", "fenced", job=jobs[0].id)
        except DBAPIError as error:
            if not _connection_trouble(error):
                self._failed(context, jobs, error)
                return
            # Cut off from the database mid-job: give the jobs back once it answers again (if
            # it does not, their leases run out and another worker takes them over).
            self.notify(f"database unavailable ({_first_line(error)}); giving job {jobs[0].id} back", "db_retry")
            try:
                with context.engine.begin() as connection:
                    for job in jobs:
                        queue.release(connection, job, delay=POLL)
            except DBAPIError:
                pass
        except Exception as error:  # noqa: BLE001  a bug or bad data: retried, then failed
            self._failed(context, jobs, error)
        finally:
            with self._in_hand_lock:
                for job in jobs:
                    self._in_hand.pop(job.id, None)

    def _failed(self, context: tasks.Context, jobs: list[Claimed], error: Exception) -> None:
        self.notify(f"job {jobs[0].queue} {jobs[0].key} failed: {_first_line(error)}", "job_failed")
        with context.engine.begin() as connection:
            for job in jobs:
                queue.fail(connection, job, f"{type(error).__name__}: {_first_line(error)}")

    def _heartbeat(self, context: tasks.Context, engine) -> None:
        every = max(0.2, context.lease / 3)
        while True:
            if self.stopping.is_set():
                time.sleep(min(every, 1.0))  # keep renewing while the jobs in hand finish
            else:
                self.stopping.wait(every)
            with self._in_hand_lock:
                jobs = list(self._in_hand.values())
            if not jobs and self.stopping.is_set():
                return
            try:
                with engine.connect() as connection:
                    for job in jobs:
                        if not job.lost and queue.renew(connection, job, context.lease):
                            host = context.host_leases.get(job.id)
                            if host is not None and not leases.renew(connection, host, context.lease):
                                job.lost = True
                    connection.commit()
            except DBAPIError:
                pass  # the next beat tries again; a lease outlives a short outage


def _connection_trouble(error: DBAPIError) -> bool:
    from sqlalchemy.exc import InterfaceError, OperationalError

    return error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError))


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def run_with_queue(
    settings: Settings,
    *,
    notify: Notify = quiet,
    limit: int | None = None,
    fetch_all: bool = False,
    max_seconds: float | None = None,
) -> RunSummary:
    """`tracker run` on PostgreSQL: enqueue what is due and work through it like a one-worker
    pool, until nothing is due or running (workers elsewhere may take part of it)."""
    worker = Worker(
        settings,
        until_idle=True,
        notify=notify,
        fetch_all=fetch_all,
        limit=limit,
        max_seconds=max_seconds,
        name=f"{socket.gethostname()}:{os.getpid()}:run",
    )
    return worker.run(handle_signals=False)
