"""Where the database is: its URL parsed and checked once into one value that store/ passes on.

Everything that needs to know the backend, the SQLite file, its lock file or how to show the URL
without its password reads it from a DatabaseTarget, instead of parsing the URL string again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.store.checks import DatabaseUrlError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


@dataclass(frozen=True)
class DatabaseTarget:
    url: URL
    read_only: bool = False  # open it so that nothing can be written (mode=ro, READ ONLY sessions)

    @classmethod
    def parse(cls, database_url: str | URL | DatabaseTarget) -> DatabaseTarget:
        """The target a URL names; DatabaseUrlError for something that is not a URL tracker can use."""
        if isinstance(database_url, DatabaseTarget):
            return database_url
        if not isinstance(database_url, str):
            return cls(database_url)
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        try:
            url = make_url(database_url)
        except ArgumentError:
            raise DatabaseUrlError(
                f"the database URL {masked_url(database_url)!r} is not a URL "
                "(expected e.g. sqlite:///data/tracker.db or postgresql+psycopg://user@host/db)"
            ) from None
        try:
            url.get_dialect()
        except NoSuchModuleError:
            raise DatabaseUrlError(
                f"the database URL scheme {url.drivername!r} is not one tracker can use "
                "(use sqlite:///PATH or postgresql+psycopg://…)"
            ) from None
        except ModuleNotFoundError:
            pass  # a known dialect whose driver is missing: connecting says which package to install
        return cls(url)

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    @property
    def is_postgres(self) -> bool:
        return self.backend == "postgresql"

    @property
    def path(self) -> Path | None:
        """The SQLite file (None for an in-memory database or a server)."""
        database = self.url.database
        if self.backend != "sqlite" or not database or database == ":memory:":
            return None
        return Path(database)

    @property
    def lock_file(self) -> Path | None:
        """`<database>.lock`, held by a run on a SQLite file (PostgreSQL uses an advisory lock)."""
        return None if self.path is None else Path(f"{self.path.resolve()}.lock")

    @property
    def shown(self) -> str:
        """The URL without its password, for messages."""
        return self.url.render_as_string(hide_password=True)

    def reading(self) -> DatabaseTarget:
        return replace(self, read_only=True)


def masked_url(text: str) -> str:
    """A URL string with its password hidden, for messages about a URL that did not parse."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", text)
