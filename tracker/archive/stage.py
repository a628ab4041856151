"""The archive stage: which sources are due for a lookup, and looking a set of them up in the
archives, each answer recorded in its own short transaction.

For each TimeGate in turn (`[archive] timegates`), every source not found yet is asked for with
`Accept-Datetime` set to its seed's date; the TimeGate's redirect names the closest memento, whose
raw form is read next. Both go through the crawler, so the archive gets the same guard, robots.txt,
per-host delay, Retry-After and size caps as any site. An archive that cannot be reached is said
once per run and not asked again in it; its lookups wait for a later run.

Both drivers loop over `archive_batches` and call `look_up_archives` on each: `tracker run`
after each batch of fetches, a worker in an `archive` job, with `ArchiveHooks` that fence every
write and hold the archive's host lease.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin

from sqlalchemy import func
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from tracker.archive.memento import (
    Capture,
    accept_datetime,
    archive_name,
    capture_of,
    links,
    raw_form,
    save_url,
    timegate_url,
)
from tracker.archive.record import (
    archived_line,
    lookup_activity,
    record_archived,
    record_not_archived,
    record_unreachable,
)
from tracker.config import Settings
from tracker.errors import unexpected
from tracker.fetch.client import Fetcher, FetchResult
from tracker.fetch.crawler import Crawler, CrawlRequest, origin_of
from tracker.originals.versions import FetchOutcome
from tracker.outcomes import Notify, RunSummary
from tracker.store.hosts import load_hosts, save_hosts
from tracker.store.tables import Source, utcnow

ARCHIVE_BATCH = 50  # lookups in one pass of the stage


def due_for_archive(
    session: Session, now: datetime, *, limit: int = ARCHIVE_BATCH, fetch_all: bool = False
) -> list[Source]:
    """Sources whose lookup is due, the longest waiting first. With `fetch_all` (`tracker run
    --all`: retry now) a lookup that could not reach an archive is due at once too; the archive's
    own Retry-After still holds (its host state)."""
    when = Source.archive_due_at <= now
    if fetch_all:
        when = when | (Source.archive_state == "unreachable")
    query = select(Source).where(Source.archive_due_at.is_not(None), when).order_by(Source.archive_due_at, Source.id)
    return list(session.exec(query.limit(limit)).all())


def archive_batches(
    session: Session, now: Callable[[], datetime], *, fetch_all: bool = False
) -> Iterator[list[Source]]:
    """Every lookup due, a batch at a time, each source once (a lookup that stays due, say its
    archive could not be reached, is not asked again): what both drivers loop over."""
    seen: set[int] = set()
    while True:
        batch = [s for s in due_for_archive(session, now(), fetch_all=fetch_all) if s.id not in seen]
        if not batch:
            return
        seen.update(s.id for s in batch)
        yield batch


def next_archive_due(session: Session) -> datetime | None:
    return session.exec(select(func.min(Source.archive_due_at))).one()


class ArchiveHooks:
    """What a driver adds around the archive stage; these defaults are `tracker run`'s."""

    def may_request(self, origin: str, delay: float) -> bool:
        return True

    def before_record(self, session: Session) -> None:
        """Called first in each transaction that records an answer; raise to record nothing."""

    def after_record(self, session: Session, outcome: FetchOutcome) -> None:
        """Called after an archived copy is recorded, before it commits."""

    def should_stop(self) -> bool:
        return False


class _Lookup:
    """One source's lookup across the archives: its requests, and why it is not found yet."""

    def __init__(self, source: Source, started: datetime) -> None:
        self.source, self.started = source, started
        self.requests: list[dict] = []
        self.later: datetime | None = None  # an archive could not be asked: ask again then

    def note(self, result: FetchResult) -> None:
        for attempt in result.attempts:
            request = {"url": attempt.url, "status": attempt.status, "error": attempt.error}
            self.requests.append({**request, "redirect_to": attempt.redirect_to})
        if not result.attempts and result.error:
            self.requests.append({"url": result.requested_url, "status": None, "error": result.error})


def look_up_archives(
    session: Session,
    sources: list[Source],
    fetcher: Fetcher,
    settings: Settings,
    summary: RunSummary,
    notify: Notify,
    *,
    now: datetime | None = None,
    clock: Callable[[], datetime] = utcnow,
    hooks: ArchiveHooks | None = None,
) -> None:
    """Look `sources` up in each archive in turn until found; record each answer."""
    if not sources or not settings.archive.enabled:
        return
    hooks = hooks or ArchiveHooks()
    now = now or utcnow()
    origins = {origin for tg in settings.archive.timegates if (origin := origin_of(tg))}
    hosts = load_hosts(session, origins)
    session.commit()  # no transaction stays open while we wait for the network
    crawler = Crawler(fetcher, settings.crawl, hosts, clock=clock, may_request=hooks.may_request)
    saves = {s.id: _Lookup(s, clock()) for s in sources if s.archive_reason == "save"}
    lookups = {s.id: _Lookup(s, clock()) for s in sources if s.archive_reason != "save"}
    run = _Pass(session, crawler, settings, summary, notify, hooks, now, lookups)
    if saves and settings.archive.timegates:
        run.save_pages(saves)
    asked: list[str] = []
    for timegate in settings.archive.timegates:
        if not run.lookups or hooks.should_stop():
            break
        if timegate in summary.archives_unreachable:  # said once in this run; not asked again
            for lookup in run.lookups.values():
                lookup.later = lookup.later or now + timedelta(seconds=settings.schedule.retry_after)
            continue
        asked.append(archive_name(timegate))
        run.timegate = timegate
        run.read_mementos(run.ask_timegate())
        run.save_hosts()
    for lookup in list(run.lookups.values()):
        if hooks.should_stop():
            break
        hooks.before_record(session)
        source = lookup.source
        if lookup.later is not None:
            record_unreachable(session, source, lookup.later, now)
        elif asked:
            activity = lookup_activity(
                source,
                archive=", ".join(asked),
                timegate=", ".join(settings.archive.timegates),
                requests=lookup.requests,
                started=lookup.started,
                status="not_archived",
            )
            line = record_not_archived(session, source, asked, activity, now)
            summary.not_archived.append((source.url, line))
            notify(line, "not_archived", url=source.url, next_try=source.archive_due_at.isoformat())
        session.commit()
    run.save_hosts()


@dataclass
class _Pass:
    """One pass of the stage over its lookups, one TimeGate at a time."""

    session: Session
    crawler: Crawler
    settings: Settings
    summary: RunSummary
    notify: Notify
    hooks: ArchiveHooks
    now: datetime
    lookups: dict[int, _Lookup]  # those not found yet
    timegate: str = ""

    def asked_for(self, key: int) -> datetime:
        return self.lookups[key].source.archive_for or self.now

    def save_hosts(self) -> None:
        self.hooks.before_record(self.session)
        save_hosts(self.session, self.crawler.changed_hosts())
        self.session.commit()

    def ask_timegate(self) -> dict[int, str]:
        """Ask the TimeGate for every source not found yet; the memento URL it names for each."""
        requests = [
            CrawlRequest(
                timegate_url(self.timegate, lookup.source.url),
                key=key,
                headers=(("Accept-Datetime", accept_datetime(self.asked_for(key))),),
                follow_redirects=False,
            )
            for key, lookup in self.lookups.items()
        ]
        mementos: dict[int, str] = {}
        results = self.crawler.fetch_all(requests)
        for request, result, _ in results:
            self.lookups[request.key].note(result)
            redirect = result.attempts[-1].redirect_to if result.attempts and result.error is None else None
            if redirect is not None:
                mementos[request.key] = redirect
            elif result.ok and result.memento_datetime:  # the TimeGate is the memento itself
                mementos[request.key] = result.final_url or request.url
            elif result.status in (404, 410) and result.error_kind == "http_status":
                continue  # not in this archive
            else:
                results.close()  # in-flight requests finish; the rest are not sent
                self.cannot_ask(result, self.lookups)
                break
        return mementos

    def read_mementos(self, mementos: dict[int, str]) -> None:
        """Read each memento's raw form and record it as an archived copy. A TimeGate names the
        closest memento, which may be after the seed's date: when it links an earlier one ("prev
        memento"), that one is read and kept instead, as what the seed's author could have read."""
        closest_after: dict[int, tuple[FetchResult, Capture]] = {}
        for key, result, capture in self.raw_captures(mementos):
            if capture.captured_at > self.asked_for(key) and links(result.link).get("prev"):
                closest_after[key] = (result, capture)
            elif not self.record(key, result, capture):
                return
        earlier = {
            key: urljoin(result.final_url or "", links(result.link)["prev"])
            for key, (result, _) in closest_after.items()
        }
        for key, result, capture in self.raw_captures(earlier, optional=True):
            if capture.captured_at <= self.asked_for(key):
                closest_after[key] = (result, capture)
        for key, (result, capture) in closest_after.items():
            if not self.record(key, result, capture):
                return

    def raw_captures(self, mementos: dict[int, str], optional: bool = False) -> Iterator[tuple]:
        """(key, result, capture) of each memento read in its raw form. A failure makes the lookup
        wait for a later run, unless the memento is `optional` (another is at hand)."""
        requests = [CrawlRequest(raw_form(url), key=key) for key, url in mementos.items()]
        for request, result, _ in self.crawler.fetch_all(requests):
            lookup = self.lookups[request.key]
            lookup.note(result)
            capture = capture_of(result.final_url or request.url, result.memento_datetime, result.link)
            if result.ok and capture is not None:
                yield request.key, result, capture
            elif optional or (result.status in (404, 410) and result.error_kind == "http_status"):
                continue  # a memento the archive does not serve: not found here
            else:
                if result.ok:
                    result.error = f"{request.url} is not a memento (no Memento-Datetime)"
                self.cannot_ask(result, {request.key: lookup})

    def record(self, key: int, result: FetchResult, capture: Capture) -> bool:
        """Record one archived copy in its own transaction; False when the driver says stop."""
        session, lookup = self.session, self.lookups[key]
        self.hooks.before_record(session)
        save_hosts(session, self.crawler.changed_hosts())
        source = lookup.source
        activity = lookup_activity(
            source,
            archive=archive_name(self.timegate),
            timegate=self.timegate,
            requests=lookup.requests,
            started=lookup.started,
            status="ok",
        )
        try:
            outcome = record_archived(session, source, result, capture, activity, self.settings, self.now)
        except DBAPIError:
            raise  # the database's trouble, not this source's: the driver handles it
        except Exception as error:  # noqa: BLE001  a bug or data nothing foresaw: one copy never stops the rest
            session.rollback()
            lookup.later = self.now + timedelta(seconds=self.settings.schedule.retry_after)
            line = f"archived copy of {source.url} not stored: {unexpected(error)}"
            self.summary.failed.append((source.url, line))
            self.notify(line, "failed", url=source.url, reason=line)
            return not self.hooks.should_stop()
        self.hooks.after_record(session, outcome)
        session.commit()
        del self.lookups[key]
        if outcome.state in ("new", "changed"):
            self.summary.archived += 1
        self.notify(archived_line(source, outcome), "archived", url=source.url, outcome=outcome.state)
        return not self.hooks.should_stop()

    def save_pages(self, saves: dict[int, _Lookup]) -> None:
        """Ask the first TimeGate's archive to capture each page (Save Page Now), recording the answer."""
        self.timegate = timegate = self.settings.archive.timegates[0]
        requests = [CrawlRequest(save_url(timegate, lookup.source.url), key=key) for key, lookup in saves.items()]
        for request, result, _ in self.crawler.fetch_all(requests):
            lookup = saves[request.key]
            lookup.note(result)
            if result.error is not None and result.error_kind != "http_status":
                self.cannot_ask(result, {request.key: lookup})
                self.hooks.before_record(self.session)
                record_unreachable(self.session, lookup.source, lookup.later, self.now)
                self.session.commit()
                continue
            self.hooks.before_record(self.session)
            source = lookup.source
            status = "ok" if result.ok else "failed"
            activity = lookup_activity(
                source,
                archive=archive_name(timegate),
                timegate=timegate,
                requests=lookup.requests,
                started=lookup.started,
                status=status,
            )
            activity.error = None if result.ok else f"Save Page Now: {result.error or f'HTTP {result.status}'}"
            source.archive_state = "saved" if result.ok else "save_failed"
            source.archive_due_at, source.archive_checked_at = None, self.now
            self.session.add_all([source, activity])
            self.session.commit()
            line = f"asked {archive_name(timegate)} to capture {source.url}" + (
                f": {activity.error}" if activity.error else ""
            )
            self.notify(line, "archive_save", url=source.url, status=status)

    def cannot_ask(self, result: FetchResult, lookups: dict[int, _Lookup]) -> None:
        """An archive that could not be asked: one line, once per run; its lookups wait until the
        archive's Retry-After, or `[schedule] retry_after`."""
        origin = origin_of(result.final_url or result.requested_url) or ""
        blocked = self.crawler.host(origin).blocked_until if origin else None  # a Retry-After it sent
        retry = self.now + timedelta(seconds=self.settings.schedule.retry_after)
        until = blocked if blocked is not None and blocked > self.now else retry
        for lookup in lookups.values():
            lookup.later = max(lookup.later or until, until)
        if self.timegate in self.summary.archives_unreachable:
            return
        reason = result.error or f"HTTP {result.status}"
        self.summary.archives_unreachable[self.timegate] = reason
        self.notify(
            f"archive could not be reached: {archive_name(self.timegate)} ({reason}); "
            f"{len(lookups)} lookup(s) wait until {until:%Y-%m-%d %H:%M} UTC",
            "archive_unreachable",
            archive=archive_name(self.timegate),
            reason=reason,
        )
