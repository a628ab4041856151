"""Migration 0017 (archived copies) on SQLite and PostgreSQL: the originals already stored get
their capture time, the views that tell it say whether a version is archived, and a downgrade
gives back the views as 0016 left them."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from tracker.store.db import alembic_config

CAPTURED = "2025-02-13 10:22:00"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'archive.db'}"


def _rows(url: str, sql: str) -> list[dict]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def _columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_0017_dates_the_originals_it_finds_and_its_views_come_and_go(database_url):
    config = alembic_config(database_url)
    command.upgrade(config, "0016")
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO seeds (id, path, revision, sha256, format, text, ingested_at) "
                "VALUES (1, 's.txt', 1, 'x', 'text', 'Source: https://a.example/', '2025-03-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO sources (id, url, normalized_url, host, state, failures, first_cited_at) "
                "VALUES (1, 'https://a.example/', 'https://a.example/', 'a.example', 'fetched', 0, "
                "'2025-03-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO citations (seed_id, source_id, kind, text, cue, char_start, char_end, sentence, "
                "sentence_start, sentence_end) VALUES (1, 1, 'url', 'https://a.example/', 'Source:', 8, 26, "
                "'Source: https://a.example/', 0, 26)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO versions (id, source_id, kind, status, text, created_at) "
                f"VALUES (1, 1, 'original', 'ready', 'The text.', '{CAPTURED}')"
            )
        )
    engine.dispose()

    command.upgrade(config, "0017")
    [version] = _rows(database_url, "SELECT captured_at, archived, archive_name FROM versions")
    assert str(version["captured_at"]).startswith(CAPTURED)
    assert not version["archived"] and version["archive_name"] is None
    [cited] = _rows(database_url, "SELECT version_id, captured, archived FROM cited_versions")
    assert (cited["version_id"], cited["captured"], bool(cited["archived"])) == (1, "before", False)
    [period] = _rows(database_url, "SELECT archived, superseded_at FROM original_periods")
    assert not period["archived"] and period["superseded_at"] is None
    assert {"archived", "archive_name", "memento_url"} <= set(_rows(database_url, "SELECT * FROM source_versions")[0])
    assert {"original_archived", "original_captured_at"} <= set(
        _rows(database_url, "SELECT * FROM provenance_chain")[0]
    )
    assert {"archive_due_at", "archive_state", "archive_for"} <= _columns(database_url, "sources")

    command.downgrade(config, "0016")
    assert "captured_at" not in _columns(database_url, "versions")
    assert "archive_state" not in _columns(database_url, "sources")
    [cited] = _rows(database_url, "SELECT * FROM cited_versions")
    assert cited["version_id"] == 1 and "archived" not in cited
    command.upgrade(config, "head")
