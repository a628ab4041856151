"""Stopping a run by signal: SIGTERM, SIGHUP and SIGINT end it between two commits, and one line
says where it stopped. Every stage commits as it goes, so the next run continues from there.

`watch_run` wraps a run's `notify` to follow where it is; `stop_on_signals` turns SIGTERM and
SIGHUP into `Stopped` (SIGINT already raises KeyboardInterrupt) in the main thread.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_STEP_NAMES = {
    "seeds": "reading seeds",
    "fetch": "fetching sources",
    "archive": "asking the web archives",
    "translate": "translating",
    "excerpt": "aligning seeds with their sources",
}


class Stopped(BaseException):
    """The run was asked to stop by a signal (BaseException: no `except Exception` swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class RunWatch:
    """A `notify` that passes everything on and remembers the step and how far it got."""

    def __init__(self, notify) -> None:
        self.notify = notify
        self.step = "starting"
        self.done = 0
        self.total: int | None = None
        self.signum: int | None = None  # set by the signal handler

    def __call__(self, message: str, event: str = "info", **fields: Any) -> None:
        if self.signum is not None:  # the raise in the handler was swallowed (a bare except)
            raise Stopped(self.signum)
        if event in ("stage", "step"):
            self.step, self.done, self.total = fields.get("name", self.step), fields.get("done", 0), fields.get("total")
        elif event == "progress":
            self.done += 1
        self.notify(message, event, **fields)

    def __getattr__(self, name: str):  # download_progress, close… of the wrapped log
        return getattr(self.notify, name)

    def where(self) -> str:
        where = _STEP_NAMES.get(self.step, self.step)
        if self.step == "fetch" and self.total is not None:
            where += f" ({self.done} of {self.total} done)"
        return where


def stopped_line(signum: int, watch: RunWatch) -> str:
    name = signal.Signals(signum).name
    return (
        f"stopped by {name} while {watch.where()}; everything finished so far is saved, "
        "and the next `tracker run` continues from there"
    )


@contextmanager
def stop_on_signals(watch: RunWatch) -> Iterator[None]:
    """Raise Stopped(signum) on SIGTERM or SIGHUP while the block runs (main thread only); if
    library code swallows that, the run's next event raises it again."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame) -> None:
        watch.signum = signum
        raise Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
