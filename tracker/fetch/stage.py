"""The fetch stage: which sources are due, and fetching a set of them politely, each result
recorded (an original version, or the failure) in its own short transaction.

`tracker run` calls `fetch_sources` on batches of due sources; a worker calls it on one origin's
sources, with `FetchHooks` that fence every write and hold the host lease.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

from sqlalchemy import func, or_, true
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.fetch.client import Fetcher
from tracker.fetch.crawler import Crawler, CrawlRequest, origin_of
from tracker.originals.versions import FetchOutcome, record_failure, record_fetch
from tracker.outcomes import Notify, RunSummary, report_deferred, report_fetch
from tracker.store.hosts import load_hosts, save_hosts
from tracker.store.tables import Source, utcnow


def due(now: datetime, fetch_all: bool = False):
    """The SQL condition for a source to fetch now (`fetch_all`: every source, retired ones too)."""
    if fetch_all:
        return true()
    return (Source.state != "retired") & or_(Source.next_fetch_at.is_(None), Source.next_fetch_at <= now)


def count_due(session: Session, now: datetime, *, fetch_all: bool = False, limit: int | None = None) -> int:
    total = session.exec(select(func.count()).select_from(Source).where(due(now, fetch_all))).one()
    return min(total, limit) if limit else total


def due_batches(
    session: Session, now: datetime, *, limit: int | None = None, fetch_all: bool = False, batch_size: int = 200
) -> Iterator[list[Source]]:
    """Due sources in id order, a batch at a time, so memory stays flat however many there are.

    With `fetch_all`, least recently fetched first (never fetched before all), and none fetched
    by this run (stamped `now`): repeated `--all` runs cut short work through every source in turn
    instead of fetching the first ones again each time."""
    after, after_fetched, left = 0, _NEVER, limit
    last_fetched = func.coalesce(Source.last_fetched_at, _NEVER)
    while left is None or left > 0:
        size = batch_size if left is None else min(batch_size, left)
        if fetch_all:
            query = (
                select(Source)
                .where(
                    # Fetched by this run: record_fetch stamps its `now` (a later `<` test would
                    # skip sources a run told a later time fetched "in the future").
                    last_fetched != now,
                    or_(last_fetched > after_fetched, (last_fetched == after_fetched) & (Source.id > after)),
                )
                .order_by(last_fetched, Source.id)
            )
        else:
            query = select(Source).where(Source.id > after, due(now)).order_by(Source.id)
        batch = list(session.exec(query.limit(size)).all())
        if not batch:
            return
        after, after_fetched = batch[-1].id, batch[-1].last_fetched_at or _NEVER
        yield batch
        if left is not None:
            left -= len(batch)
        session.expunge_all()  # forget the finished batch


_NEVER = datetime(1970, 1, 1, tzinfo=UTC)  # the last fetch of a source never fetched, for ordering


def next_due(session: Session) -> datetime | None:
    return session.exec(select(func.min(Source.next_fetch_at)).where(Source.state != "retired")).one()


class FetchHooks:
    """What a driver adds around the fetch stage. These defaults are `tracker run`'s: nothing to
    fence, and it stops only when told to; a worker overrides them (tracker.workers.tasks)."""

    def may_request(self, origin: str, delay: float) -> bool:
        """Asked before each request to `origin`; False sends nothing more there."""
        return True

    def before_record(self, session: Session) -> None:
        """Called in the transaction that records a result, first; raise to record nothing."""

    def still_due(self, session: Session, source: Source, now: datetime, fetch_all: bool) -> bool:
        """Whether `source` is still to be recorded when its result comes. `tracker run` is the only
        writer (its locks), so yes; a worker asks the database (another may have fetched it)."""
        return True

    def after_record(self, session: Session, outcome: FetchOutcome) -> None:
        """Called in that transaction after the result is recorded, before it commits."""

    def should_stop(self) -> bool:
        """Asked after each recorded result: True stops (the sources left stay due)."""
        return False


def fetch_sources(
    session: Session,
    sources: Iterable[Source],
    fetcher: Fetcher,
    settings: Settings,
    summary: RunSummary,
    notify: Notify,
    *,
    fetch_all: bool = False,
    clock: Callable[[], datetime] = utcnow,
    recorded_at: Callable[[], datetime] | None = None,
    hooks: FetchHooks | None = None,
) -> None:
    """Fetch `sources` politely and concurrently (see crawler.py); record each in this thread.

    A source no longer due when its result comes (`hooks.still_due`: another worker fetched it
    meanwhile) is left alone. `clock` is the crawler's time (a run told it is later than it is moves it);
    `recorded_at` the time written on each result (default: the clock)."""
    hooks = hooks or FetchHooks()
    recorded_at = recorded_at or clock
    by_id = {source.id: source for source in sources}
    requests = [CrawlRequest(s.url, etag=s.etag, last_modified=s.last_modified, key=s.id) for s in by_id.values()]
    hosts = load_hosts(session, {origin for r in requests if (origin := origin_of(r.url))})
    if fetch_all:  # "retry now" includes a robots.txt that could not be fetched last time
        for state in hosts.values():
            state.forget_failed_robots()
    session.commit()  # no transaction stays open while we wait for the network
    crawler = Crawler(fetcher, settings.crawl, hosts, clock=clock, may_request=hooks.may_request)
    for request, result, started in crawler.fetch_all(requests):
        hooks.before_record(session)
        changed_hosts = crawler.changed_hosts()
        save_hosts(session, changed_hosts)
        source = by_id[request.key]
        if not hooks.still_due(session, source, clock(), fetch_all):
            session.commit()
            continue
        if result.error_kind == "deferred":  # not fetched: the source stays due for a later run
            session.commit()
            report_deferred(source, result.error, summary, notify)
            continue
        try:
            outcome = record_fetch(session, source, result, settings, started=started, now=recorded_at())
        except DBAPIError:
            raise  # the database's trouble, not this source's: the driver handles it
        except Exception as error:  # noqa: BLE001  a bug or data nothing foresaw: one source never stops the rest
            session.rollback()
            hooks.before_record(session)
            save_hosts(session, changed_hosts)  # the rollback took them with it
            source = session.get(Source, request.key)
            outcome = record_failure(session, source, error, settings, now=recorded_at())
        hooks.after_record(session, outcome)
        session.commit()
        report_fetch(source, outcome, summary, notify)
        notify("", "progress", name="fetch")
        if hooks.should_stop():
            break  # in-flight fetches finish but are not recorded: those sources stay due
    hooks.before_record(session)
    save_hosts(session, crawler.changed_hosts())
    session.commit()
