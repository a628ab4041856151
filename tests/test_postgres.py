"""The PostgreSQL path, on a real server (tests/postgres.py): migrations up and down with no
drift, `tracker run` end to end and again, every named query and view, read-only `tracker sql`,
UTC whatever the server's zone, the run's advisory lock, and one-line connection errors.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from tests.http_server import serve
from tests.postgres import fresh_database
from tests.provenance_db import Populated, build
from tests.test_db import VIEWS
from tests.test_pipeline import GLOSSARY, ORIGINAL, TRANSLATION, html_page, write_seed
from tests.test_queries import CHECKS, QUERIES
from tests.tiny_argos import cached_package
from tracker.cli import cli
from tracker.store.db import alembic_config, open_database


def count(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


def test_migrations_upgrade_downgrade_and_do_not_drift(postgres_url):
    config = alembic_config(postgres_url)
    open_database(postgres_url).dispose()  # empty → head, as tracker does on first use
    engine = create_engine(postgres_url)
    try:
        schema = inspect(engine)
        assert set(SQLModel.metadata.tables) <= set(schema.get_table_names())
        assert set(schema.get_view_names()) >= VIEWS
        command.check(config)  # raises if autogenerate would emit any operation

        command.downgrade(config, "base")
        schema = inspect(engine)
        assert set(schema.get_table_names()) == {"alembic_version"} and schema.get_view_names() == []

        command.upgrade(config, "head")
        assert set(inspect(engine).get_view_names()) >= VIEWS
        command.check(config)
    finally:
        engine.dispose()


@pytest.fixture
def routes() -> dict:
    return {"/bai-viet.htm": html_page("vi_article.html")}


@pytest.fixture
def site(project, monkeypatch, postgres_url, routes):
    """The pipeline test's loopback site, with tracker pointed at a fresh PostgreSQL database."""
    monkeypatch.setenv("TRACKER_DATABASE_URL", postgres_url)
    with serve(routes) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        yield base


def test_run_fetches_translates_and_excerpts_on_postgres(tracker, project, site, postgres_url):
    url = f"{site}/bai-viet.htm"
    write_seed(project, url)
    assert tracker("models", "install", str(cached_package("vi", "en", GLOSSARY))).exit_code == 0

    result = tracker("run")
    assert result.exit_code == 0, result.output
    assert "translations: 1 made, 0 pending; excerpts: 1" in result.output
    assert not (project / "data" / "tracker.db").exists()  # it all went to PostgreSQL

    found = json.loads(tracker("lookup", url, "--json").output)
    assert found["matched_as"] == "cited"
    assert [s["path"] for s in found["seeds"]] == ["test_seed.txt"]
    assert found["seeds"][0]["citations"][0]["cue"] == "Source:"
    original, translated = found["versions"]
    assert original["kind"] == "original" and original["language"] == "vi"
    assert original["text"] == ORIGINAL
    assert translated["parent_id"] == original["id"] and translated["status"] == "ready"
    assert translated["text"] == TRANSLATION
    assert translated["activity"]["model"] == "translate-vi_en"
    assert translated["activity"]["parameters"]["pivot_path"] == ["vi", "en"]
    [excerpt] = found["excerpts"]
    assert excerpt["text"] == "\n".join(TRANSLATION.splitlines()[:2])
    assert excerpt["original_text"] == "\n".join(ORIGINAL.splitlines()[:2])
    assert original["text"][excerpt["original_start"] : excerpt["original_end"]] == excerpt["original_text"]
    assert excerpt["parent_id"] == translated["id"]
    [group] = found["alignments"]
    assert [p["source_sentences"] for p in group["pairs"]] == [[0], [1]]
    linked = count(
        postgres_url,
        "SELECT COUNT(*) FROM version_seeds JOIN seeds ON seeds.id = seed_id WHERE seeds.path = 'test_seed.txt'",
    )
    assert linked == 3  # original, translation and excerpt, each linked to the seed
    cached = count(postgres_url, "SELECT COUNT(*) FROM sentence_translations")
    assert cached == 3

    # Again, fetching everything anew: the page is unchanged, so nothing is added or translated.
    again = tracker("run", "--all", "--json")
    assert again.exit_code == 0, again.output
    summary = json.loads(again.output.strip().splitlines()[-1])
    assert (summary["seeds_unchanged"], summary["fetched"], summary["unchanged"]) == (1, 0, 1)
    assert (summary["translated"], summary["excerpts"]) == (0, 0)
    assert summary["translation"]["translated"] == 0 and summary["translation"]["model_loads"] == 0
    assert count(postgres_url, "SELECT COUNT(*) FROM versions") == 3
    assert count(postgres_url, "SELECT COUNT(*) FROM sentence_translations") == cached


def test_an_edited_page_retranslates_only_the_changed_sentence_on_postgres(
    tracker, project, site, routes, postgres_url
):
    url = f"{site}/bai-viet.htm"
    write_seed(project, url)
    tracker("models", "install", str(cached_package("vi", "en", GLOSSARY)))
    assert tracker("run").exit_code == 0
    page = (Path(__file__).parent / "fixtures" / "pages" / "vi_article.html").read_bytes()
    routes["/bai-viet.htm"] = (
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        page.replace("hôm nay đẹp".encode(), "hôm nay không đẹp".encode()),
    )
    result = tracker("run", "--all", "--json")
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["fetched"] == 1 and summary["translated"] == 1
    # Two of the three sentences come from the cache that the first run filled.
    assert summary["translation"]["cache_hits"] == 2 and summary["translation"]["translated"] == 1
    assert count(postgres_url, "SELECT COUNT(*) FROM versions WHERE kind = 'original'") == 2
    assert count(postgres_url, "SELECT COUNT(*) FROM sentence_translations") == 4


@pytest.fixture(scope="module")
def built_on_postgres(postgres_server):
    """The query tests' database (tests/provenance_db.py), built once on its own PostgreSQL
    database; the tests that use it only read."""
    project = Path(tempfile.mkdtemp(prefix="tracker-populated-pg-"))
    try:
        with fresh_database(postgres_server) as url:
            yield build(project, url)
    finally:
        shutil.rmtree(project, ignore_errors=True)


@pytest.fixture
def populated_pg(built_on_postgres: Populated, monkeypatch) -> Populated:
    monkeypatch.chdir(built_on_postgres.project)
    monkeypatch.setenv("TRACKER_CONFIG", str(built_on_postgres.project / "config.toml"))
    monkeypatch.setenv("TRACKER_DATABASE_URL", built_on_postgres.database_url)
    return built_on_postgres


@pytest.mark.parametrize("name", list(QUERIES))
def test_named_query_on_postgres(populated_pg, name):
    CHECKS[name](populated_pg)  # the same expectations as on SQLite


def test_every_view_selects_on_postgres(populated_pg):
    engine = create_engine(populated_pg.database_url)
    try:
        with engine.connect() as connection:
            rows = {view: connection.execute(text(f"SELECT * FROM {view}")).mappings().all() for view in VIEWS}
    finally:
        engine.dispose()
    assert {view for view, found in rows.items() if found} == VIEWS  # every view has rows here
    assert {r["seed_path"] for r in rows["seed_citations"]} == {"test_seed.txt", "later_seed.txt"}
    assert all(r["current"] is True for r in rows["seed_citations"])


def test_timestamps_read_and_compare_in_utc_whatever_the_server_zone(tracker, populated_pg):
    [ingested_at] = tracker("sql", "--csv", "SELECT ingested_at FROM seeds WHERE id = 1").output.splitlines()[1:2]
    assert ingested_at.endswith("+00:00"), ingested_at  # the server's zone is not UTC
    # A literal in the documented form ('YYYY-MM-DD HH:MM:SS.ffffff', UTC) compares as UTC.
    same = tracker(
        "sql",
        "--json",
        "SELECT id FROM seeds WHERE ingested_at = :at",
        "--param",
        f"at={ingested_at.removesuffix('+00:00')}",
    )
    assert json.loads(same.output) == [{"id": 1}]


def test_sql_reads_on_postgres(tracker, populated_pg):
    result = tracker("sql", "--json", "SELECT id, path FROM seeds WHERE id = :id", "--param", "id=2")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"id": 2, "path": "later_seed.txt"}]
    named = tracker("sql", "--query", "which_seeds_cite_url", "--param", f"url={populated_pg.url}", "--csv")
    assert named.exit_code == 0 and named.output.splitlines()[1].split(",")[1] == "test_seed.txt"


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM seeds",
        "UPDATE sources SET state = 'new'",
        "CREATE TABLE notes (x int)",
        "  /* not a select */ insert into seeds (path) values ('x')",
        "WITH gone AS (SELECT 1) DELETE FROM citations",
        "SELECT id FROM seeds; DELETE FROM seeds",
        "COMMIT; DELETE FROM seeds",
    ],
)
def test_sql_cannot_write_on_postgres(populated_pg, statement):
    result = CliRunner().invoke(cli, ["sql", statement])
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("tracker: sql: ")
    assert "read-only transaction" in result.output or "one statement at a time" in result.output
    assert count(populated_pg.database_url, "SELECT COUNT(*) FROM seeds") == 2
    assert count(populated_pg.database_url, "SELECT COUNT(*) FROM citations") > 0


def test_a_run_exits_while_another_machine_holds_the_database_lock(tracker, project, postgres_url, monkeypatch):
    import psycopg

    from tracker.store.locks import RUN_LOCK_KEY

    monkeypatch.setenv("TRACKER_DATABASE_URL", postgres_url)
    (project / "seeds" / "note.txt").write_text("Nothing cited here.\n", encoding="utf-8")
    conninfo = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    # Another machine's run: same database, another data folder, so only the database lock is shared.
    with psycopg.connect(conninfo, autocommit=True) as other:
        assert other.execute("SELECT pg_try_advisory_lock(%s)", (RUN_LOCK_KEY,)).fetchone() == (True,)
        blocked = tracker("run")
    assert blocked.exit_code == 0
    assert "another tracker run is in progress on this database" in blocked.output
    assert "seeds:" not in blocked.output  # it did nothing
    done = tracker("run")  # the other run's connection is gone, and its lock with it
    assert "seeds: 1 new" in done.output
    with psycopg.connect(conninfo, autocommit=True) as after:  # and this run let go of its lock
        assert after.execute("SELECT pg_try_advisory_lock(%s)", (RUN_LOCK_KEY,)).fetchone() == (True,)


@pytest.mark.parametrize("command", [["run"], ["lookup", "http://a.example/"], ["sql", "SELECT 1"], ["db", "upgrade"]])
def test_an_unreachable_database_is_one_line_without_the_password(project, monkeypatch, command):
    with serve({}) as closed:
        port = closed.port  # nothing listens here once the block ends
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"postgresql+psycopg://tracker:secret@127.0.0.1:{port}/tracker")
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(
        f"tracker: cannot connect to the database postgresql+psycopg://tracker:***@127.0.0.1:{port}/tracker: "
    )
    assert len(result.output.strip().splitlines()) == 1 and "secret" not in result.output


def test_db_upgrade_on_postgres_hides_the_password(tracker, project, postgres_url, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", postgres_url.replace("postgres@", "postgres:unused@"))
    result = tracker("db", "upgrade")  # trust authentication ignores the password
    assert result.exit_code == 0, result.output
    assert result.output.startswith("database is up to date: postgresql+psycopg://postgres:***@")


def test_datasette_metadata_on_postgres_needs_a_database_name(tracker, populated_pg, tmp_path):
    unnamed = CliRunner().invoke(cli, ["datasette-metadata"])
    assert unnamed.exit_code == 1 and "give --database-name" in unnamed.output
    named = tracker("datasette-metadata", "--database-name", "tracker", str(tmp_path / "m.json"))
    assert named.exit_code == 0 and "serve with" not in named.output  # Datasette reads SQLite only
    assert set(json.loads((tmp_path / "m.json").read_text())["databases"]["tracker"]["queries"]) == set(QUERIES)


def test_the_seed_report_reads_postgres_through_a_read_only_session(populated_pg, populated):
    from sqlalchemy.exc import DBAPIError
    from sqlmodel import Session

    from tracker.read.pages import report_html
    from tracker.read.report import seed_report
    from tracker.read.sql import read_only_engine
    from tracker.store.db import make_engine

    engine = read_only_engine(populated_pg.database_url)
    try:
        with Session(engine) as session:
            report = seed_report(session, "test_seed.txt")
            with pytest.raises(DBAPIError, match="read-only transaction"):
                session.exec(text("DELETE FROM seeds"))
    finally:
        engine.dispose()
    labels = [s["label"] for s in report["sentences"]]
    sqlite = make_engine(populated.database_url)
    with Session(sqlite) as session:
        assert labels == [s["label"] for s in seed_report(session, "test_seed.txt")["sentences"]]  # as on SQLite
    sqlite.dispose()
    assert "added" in labels and "not aligned" in labels
    assert [s["url"] for s in report["unaligned_sources"]] == [populated_pg.gone_url]
    assert f'class="s {labels[0]}"' in report_html(report)
    assert count(populated_pg.database_url, "SELECT COUNT(*) FROM seeds") == 2
