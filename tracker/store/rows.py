"""Writing the hot rows through SQLAlchemy Core: one executemany a call, not an ORM object each.

A page stores an activity or two, its fetch attempts, a version, hundreds of sentences, an
alignment per seed sentence. Through the ORM each row is an object, a unit-of-work flush and an
ORM-level execute, which cost several times the INSERT itself. These helpers run on the
session's own connection, so the rows are in its transaction (a rollback takes them too), after
flushing what the session holds (the rows they refer to are written first, as autoflush would).
Rows written here are not objects in the session: read them back by query, not `session.get`
of an object already held.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import insert, update
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, SQLModel


@cache
def _defaults(model: type[SQLModel]) -> tuple[tuple[str, Any, Callable[[], Any] | None], ...]:
    """(column, default, default factory) of every column but an autoincrement id: the values an
    ORM object would have had, so a row given here as a dict is stored as that object was."""
    fields = model.model_fields
    found = []
    for column in model.__table__.columns:
        if column.primary_key and column.autoincrement is not False and column.name == "id":
            continue
        field = fields.get(column.name)
        default = None if field is None or field.default is PydanticUndefined else field.default
        found.append((column.name, default, field.default_factory if field is not None else None))
    return tuple(found)


def complete(model: type[SQLModel], row: dict[str, Any]) -> dict[str, Any]:
    """`row` with every column the model has, its defaults filling what is not given."""
    full = {}
    for name, default, factory in _defaults(model):
        if name in row:
            full[name] = row[name]
        else:
            full[name] = factory() if factory is not None else default
    return full


def insert_rows(
    session: Session, model: type[SQLModel], rows: Iterable[dict[str, Any]], *, returning_ids: bool = False
) -> list[int]:
    """INSERT `rows` (dicts of column values) into `model`'s table in one statement; their new
    ids in the order given with `returning_ids` (RETURNING, on SQLite and PostgreSQL alike)."""
    rows = [complete(model, row) for row in rows]
    if not rows:
        return []
    session.flush()
    table = model.__table__
    if returning_ids:
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(session.connection().execute(statement, rows).scalars())
    session.connection().execute(insert(table), rows)
    return []


def insert_row(session: Session, model: type[SQLModel], **values: Any) -> int:
    """INSERT one row; its new id."""
    return insert_rows(session, model, [values], returning_ids=True)[0]


def add_row(session: Session, model: type[SQLModel], **values: Any) -> SQLModel:
    """INSERT one row now and give it back as an object of the session, as if just loaded (for
    the callers that go on reading its attributes)."""
    row = complete(model, values)
    row_id = insert_rows(session, model, [row], returning_ids=True)[0]
    instance = model(id=row_id, **row)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


def update_row(session: Session, model: type[SQLModel], row_id: int, **values: Any) -> None:
    """UPDATE the columns given of the row whose id is `row_id`."""
    session.flush()
    table = model.__table__
    session.connection().execute(update(table).where(table.c.id == row_id).values(**values))
