"""tracker/store/rows.py: rows written through Core are stored as the ORM would store them, in
the session's transaction, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session

from tracker.fetch.crawler import HostState
from tracker.store.db import open_database
from tracker.store.hosts import load_hosts, save_hosts
from tracker.store.rows import add_row, insert_row, insert_rows, update_row
from tracker.store.tables import Activity, Source, Version, utcnow


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'tracker.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    )
    engine = open_database(url)
    yield engine
    engine.dispose()


def _row(session: Session, table: str, row_id: int) -> dict:
    found = session.connection().execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id})
    return dict(found.mappings().one())


def test_a_row_given_as_a_dict_is_stored_as_the_orm_object_would_be(engine):
    with Session(engine) as session:
        by_orm = Activity(kind="fetch", source_id=None)
        session.add(by_orm)
        session.flush()
        by_core = insert_row(session, Activity, kind="fetch", source_id=None)
        orm, core = _row(session, "activities", by_orm.id), _row(session, "activities", by_core)
        assert core["status"] == "ok" and core["software"] == "{}" and core["parameters"] == "{}"
        assert core["started_at"] is not None  # the default factory ran
        ignored = {"id", "started_at"}
        assert {k: v for k, v in core.items() if k not in ignored} == {k: v for k, v in orm.items() if k not in ignored}


def test_rows_giving_different_columns_go_in_one_statement_each_with_its_defaults(engine):
    with Session(engine) as session:
        rows = [{"kind": "align", "error": "x", "status": "failed"}, {"kind": "align"}]
        first, second = insert_rows(session, Activity, rows, returning_ids=True)
        assert (_row(session, "activities", first)["status"], _row(session, "activities", first)["error"]) == (
            "failed",
            "x",
        )
        assert (_row(session, "activities", second)["status"], _row(session, "activities", second)["error"]) == (
            "ok",
            None,
        )


def test_ids_come_back_in_the_order_given_and_a_rollback_takes_the_rows(engine):
    with Session(engine) as session:
        ids = insert_rows(session, Activity, [{"kind": kind} for kind in "abcdef"], returning_ids=True)
        kinds = [_row(session, "activities", row_id)["kind"] for row_id in ids]
        assert kinds == list("abcdef") and ids == sorted(ids)
        session.rollback()
        assert session.connection().execute(text("SELECT count(*) FROM activities")).scalar() == 0


def test_an_added_row_is_an_object_of_the_session_and_an_update_reaches_the_database(engine):
    with Session(engine) as session:
        source = add_row(session, Source, url="http://a.test/", normalized_url="http://a.test/", host="a.test")
        version = add_row(session, Version, source_id=source.id, kind="original", text="x")
        assert session.get(Version, version.id) is version
        assert version.status == "ready" and version.archived is False  # the model's defaults
        activity = insert_row(session, Activity, kind="fetch", started_at=utcnow())
        update_row(session, Activity, activity, status="failed", error="boom")
        row = _row(session, "activities", activity)
        assert (row["status"], row["error"], row["kind"]) == ("failed", "boom", "fetch")


def test_host_state_is_inserted_then_updated_whole(engine):
    with Session(engine) as session:
        save_hosts(session, [HostState("http://a.test", robots_status=200, robots_body="User-agent: *")])
        save_hosts(session, [HostState("http://a.test", robots_status=404, crawl_delay=2.0)])
        session.commit()
        state = load_hosts(session, ["http://a.test"])["http://a.test"]
        assert (state.robots_status, state.robots_body, state.crawl_delay) == (404, None, 2.0)
