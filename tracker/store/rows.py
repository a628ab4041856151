"""Writing the hot rows through SQLAlchemy Core: one executemany a call, not an ORM object each.

A page stores an activity or two, its fetch attempts, a version, hundreds of sentences, an
alignment per seed sentence. Through the ORM each row is an object, a unit-of-work flush and an
ORM-level execute, which cost several times the INSERT itself. These helpers run on the
session's own connection, so the rows are in its transaction (a rollback takes them too), after
flushing the objects the session adds or deletes (the rows they may refer to are written first);
changes to rows already stored wait for the next flush, so a page updates its source once.
Rows written by `insert_rows` are not objects of the session (`add_row` makes one for a caller
that goes on reading it). `query` reads the same way, with a statement built once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, SQLModel


@cache
def _defaults(model: type[SQLModel]) -> tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]]:
    """The values an ORM object of `model` starts with, for every column but an autoincrement id:
    (the constant ones, the ones a factory makes). One executemany binds the same columns in
    every row, so rows that give different columns (an alignment with source spans, one without)
    are completed with these, as their objects would have been."""
    fields = model.model_fields
    constants: dict[str, Any] = {}
    factories = []
    for column in model.__table__.columns:
        if column.primary_key and column.autoincrement is not False and column.name == "id":
            continue
        field = fields.get(column.name)
        if field is not None and field.default_factory is not None:
            factories.append((column.name, field.default_factory))
        constants[column.name] = None if field is None or field.default is PydanticUndefined else field.default
    return constants, tuple(factories)


def _complete(model: type[SQLModel], row: dict[str, Any]) -> dict[str, Any]:
    """`row` with every column the model has, its defaults filling what is not given."""
    constants, factories = _defaults(model)
    full = constants | row
    for name, factory in factories:
        if name not in row:
            full[name] = factory()
    return full


def flush_added(session: Session) -> None:
    """Write the objects the session adds or deletes (rows a Core statement may refer to or collide
    with); changes to rows already stored can wait for the next flush."""
    if session.new or session.deleted:
        session.flush()


def query(session: Session, statement, **params: Any):
    """The result of a prebuilt SELECT on the session's connection, after writing what the
    session holds, as an ORM query would (autoflush): a fraction of an ORM query's cost."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)


def insert_rows(
    session: Session, model: type[SQLModel], rows: Iterable[dict[str, Any]], *, returning_ids: bool = False
) -> list[int]:
    """INSERT `rows` (dicts of column values) into `model`'s table in one statement; their new
    ids in the order given with `returning_ids` (RETURNING, on SQLite and PostgreSQL alike)."""
    rows = [_complete(model, row) for row in rows]
    if not rows:
        return []
    flush_added(session)
    if returning_ids:
        return list(session.connection().execute(_insert(model, returning=True), rows).scalars())
    session.connection().execute(_insert(model, returning=False), rows)
    return []


@cache
def _insert(model: type[SQLModel], *, returning: bool):
    """The INSERT statement of `model`, built once (building one costs as much as running it)."""
    table = model.__table__
    statement = insert(table)
    return statement.returning(table.c.id, sort_by_parameter_order=True) if returning else statement


def insert_row(session: Session, model: type[SQLModel], **values: Any) -> int:
    """INSERT one row; its new id."""
    return insert_rows(session, model, [values], returning_ids=True)[0]


def add_row(session: Session, model: type[SQLModel], **values: Any) -> SQLModel:
    """INSERT one row now and give it back as an object of the session, as if just loaded (for
    the callers that go on reading its attributes)."""
    row = _complete(model, values)
    row_id = insert_rows(session, model, [row], returning_ids=True)[0]
    instance = model(id=row_id, **row)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


def update_row(session: Session, model: type[SQLModel], row_id: int, **values: Any) -> None:
    """UPDATE the columns given of the row whose id is `row_id`, one written by `insert_row`
    (not an object the session holds: that would be written by its next flush)."""
    session.connection().execute(_update(model), {"row_id": row_id, **values})


@cache
def _update(model: type[SQLModel]):
    """UPDATE of one row by id; the columns it sets are the parameters it is given."""
    table = model.__table__
    return update(table).where(table.c.id == bindparam("row_id"))
