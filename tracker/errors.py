"""Every error a user or the machine can cause, in one hierarchy.

The CLI catches `TrackerError` in one place and prints `tracker: <message>` with the error's
`exit_status`; anything else is a bug and keeps its traceback. Library callers catch the
subclass they care about. docs/errors.md lists every line and exit status.

    TrackerError
    ├── ConfigError          a setting, config file or environment value to fix (exit 2)
    ├── DatabaseUnavailable  the database cannot be opened or reached (tracker/store/checks.py)
    │   ├── DatabaseUrlError     not a URL, or a scheme tracker cannot use (exit 2)
    │   ├── DatabaseDamaged      a corrupt SQLite file (exit 3)
    │   ├── DatabaseTooNew       a schema revision this tracker does not know (exit 3)
    │   ├── ForeignDatabase      another application's database, left unchanged (exit 3)
    │   └── DatabaseNotUpgraded  an older schema a read-only command cannot upgrade (exit 3)
    ├── RunInProgress        another run holds the lock (exit 0: nothing went wrong)
    ├── SeedError            a seed file that cannot be read
    ├── FetchError           a page that could not be fetched (recorded, never fatal to a run)
    │   └── BlockedAddress   an address the fetcher must not reach
    ├── PackageError         an Argos package that cannot be installed, found or removed
    ├── MissingModel         no installed package translates this language pair
    ├── QueryError           a SQL statement or named query that cannot run read-only
    └── DiffError            versions that cannot be compared
"""

from __future__ import annotations


class TrackerError(Exception):
    """A problem a user or the environment caused: shown as one line, never a traceback."""

    exit_status = 1


class SeedError(TrackerError, ValueError):
    """A seed file that cannot be used: unreadable, empty, binary or of an unsupported type."""


class FetchError(TrackerError):
    """A request refused or abandoned by the fetcher itself; `kind` is the `error_kind` token.

    Raised by `tracker.fetch.guard.GuardedTransport` (blocked_scheme, blocked_port, blocked_address, dns) and used
    inside `tracker.fetch.client.Fetcher`; `Fetcher.fetch` records it instead of raising.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def first_line(error: BaseException) -> str:
    """An exception's message as one line for a record or a log line (its type when it has none)."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def unexpected(error: BaseException) -> str:
    """What a bug or unforeseen data is recorded as, against the one item it happened to."""
    text = str(error).strip()
    return f"unexpected error: {type(error).__name__}" + (f": {text.splitlines()[0]}" if text else "")
