"""tracker/store/columns.py, the column list the fast read paths select, matches the tables
(tracker/store/*tables.py): regenerate it with `python -m tests.test_columns > tracker/store/columns.py`."""

from __future__ import annotations

from pathlib import Path

HEADER = '''"""Every table's columns, in the order its table class declares them, and those that hold datetimes
or booleans: what the read paths that skip SQLModel (tracker/store/reader.py) select and convert.

Generated from tracker/store/*tables.py by `python -m tests.test_columns > tracker/store/columns.py`;
tests/test_columns.py fails when a table changes and this file does not.
"""

from __future__ import annotations
'''


def render() -> str:
    from sqlalchemy import Boolean
    from sqlmodel import SQLModel
    from sqlmodel.sql.sqltypes import UTCDateTime

    import tracker.store.alert_tables  # noqa: F401  (every table class registers itself)
    import tracker.store.tables  # noqa: F401
    import tracker.store.trail_tables  # noqa: F401
    import tracker.store.work_tables  # noqa: F401

    tables = sorted(SQLModel.metadata.tables.items())
    lines = [HEADER]
    for constant, keep in (
        ("COLUMNS", lambda column: True),
        ("DATETIMES", lambda column: isinstance(column.type, UTCDateTime)),
        ("BOOLEANS", lambda column: isinstance(column.type, Boolean)),
    ):
        lines.append(f"{constant}: dict[str, str] = {{")
        for name, table in tables:
            names = [column.name for column in table.columns if keep(column)]
            if names:
                lines += _entry(name, names)
        lines.append("}")
    return "\n".join(lines) + "\n"


def _entry(table: str, names: list[str]) -> list[str]:
    """`"table": "a b c",` on one line if it fits in 120 characters, else wrapped in parentheses."""
    one_line = f'    "{table}": "{" ".join(names)}",'
    if len(one_line) <= 120:
        return [one_line]
    pieces, piece = [], ""
    for name in names:
        if piece and len(piece) + len(name) + 12 > 120:
            pieces.append(piece)
            piece = ""
        piece += name + " "
    pieces.append(piece.rstrip())
    return [f'    "{table}": (', *(f'        "{piece}"' for piece in pieces), "    ),"]


def test_the_column_list_matches_the_tables():
    shipped = (Path(__file__).resolve().parent.parent / "tracker" / "store" / "columns.py").read_text(encoding="utf-8")
    assert shipped == render(), "regenerate: python -m tests.test_columns > tracker/store/columns.py"


if __name__ == "__main__":
    print(render(), end="")
