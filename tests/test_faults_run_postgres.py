"""Faults of runs and workers on PostgreSQL (issue 27): a source with a host name IDNA cannot
encode, the migration that retires such rows, `run --all` past 100 sources on one host, and a
host lease left by a killed worker."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from tests.http_server import serve
from tracker.store.db import alembic_config, open_database

BAD_URLS = ("http://xn--zz.example/x", "http://xn--/bad", "http://xn--a.example/")
PAGE = "<html><body><p>Page {i} says the Kremlin spoke on Thursday.</p></body></html>"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def _rows(url: str, sql: str, **params) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params).all()]
    finally:
        engine.dispose()


def _insert_sources(url: str, cited: list[str]) -> None:
    """Source rows as an older tracker recorded them (before ingestion refused such URLs)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        for one in cited:
            connection.execute(
                text(
                    "INSERT INTO sources (url, normalized_url, host, state, failures, changes, first_cited_at) "
                    "VALUES (:url, :url, :host, 'new', 0, 0, now())"
                ),
                {"url": one, "host": one.split("/")[2]},
            )
    engine.dispose()


@pytest.fixture
def site(project, monkeypatch, postgres_url):
    routes = {f"/p{i}": (200, HTML, PAGE.format(i=i).encode()) for i in range(130)}
    monkeypatch.setenv("TRACKER_DATABASE_URL", postgres_url)
    with serve(routes) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        yield base


@pytest.mark.parametrize("command_line", [("run",), ("worker", "--until-idle")])
def test_a_source_with_an_unencodable_host_stops_neither_a_run_nor_a_worker(
    tracker, project, site, postgres_url, command_line
):
    (project / "seeds" / "a.txt").write_text(f"Source: {site}/p1\nSource: {site}/p2\n", "utf-8")
    assert tracker("db", "upgrade").exit_code == 0
    _insert_sources(postgres_url, list(BAD_URLS))
    result = tracker(*command_line)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "job fetch" not in result.output, result.output
    states = dict(_rows(postgres_url, "SELECT url, state FROM sources"))
    assert states[f"{site}/p1"] == states[f"{site}/p2"] == "fetched"
    assert [states[url] for url in BAD_URLS] == ["retired"] * 3
    assert _rows(postgres_url, "SELECT count(*) FROM jobs WHERE status = 'failed'") == [(0,)]


def test_the_migration_retires_unencodable_hosts_on_postgresql(postgres_url):
    command.upgrade(alembic_config(postgres_url), "0013")
    _insert_sources(postgres_url, [*BAD_URLS, "http://xn--bcher-kva.example/"])
    open_database(postgres_url).dispose()  # upgrades to head, as every command does
    rows = _rows(postgres_url, "SELECT url, state, retired_reason FROM sources ORDER BY id")
    reason = "bad URL: its host name cannot be encoded (IDNA), so no request can be made for it"
    assert rows == [(u, "retired", reason) for u in BAD_URLS] + [("http://xn--bcher-kva.example/", "new", None)]


def test_run_all_fetches_every_source_of_a_host_with_more_than_100(tracker, project, site, postgres_url):
    lines = "".join(f"Source: {site}/p{i}\n" for i in range(130))
    (project / "seeds" / "many.txt").write_text(f"The Kremlin spoke.\n{lines}", "utf-8")
    assert tracker("run").exit_code == 0  # all fetched once: none is due now
    before = len(site.requests)
    result = tracker("run", "--all")  # every one again, though none is due
    assert result.exit_code == 0, result.output
    again = [path for _, path, _ in site.requests[before:] if path.startswith("/p")]
    assert len(again) == len(set(again)) == 130
    assert _rows(postgres_url, "SELECT state, count(*) FROM sources GROUP BY state") == [("fetched", 130)]


def test_a_run_says_once_that_it_waits_for_a_lease_a_killed_worker_left(tracker, project, site, postgres_url):
    (project / "seeds" / "a.txt").write_text(f"Source: {site}/p1\n", "utf-8")
    assert tracker("db", "upgrade").exit_code == 0
    origin = str(site)
    engine = create_engine(postgres_url)
    with engine.begin() as connection:  # what a worker killed with -9 leaves: a lease nobody renews
        connection.execute(
            text(
                "INSERT INTO hosts (origin, lease_holder, lease_token, lease_until) "
                "VALUES (:origin, 'box:4242/0', 7, now() + interval '3 seconds')"
            ),
            {"origin": origin},
        )
    engine.dispose()
    result = tracker("run")
    assert result.exit_code == 0, result.output
    said = [line for line in result.output.splitlines() if "waiting for host" in line]
    assert len(said) == 1, result.output
    assert f"waiting for host {origin}: its lease held by worker box:4242/0 runs out at " in said[0]
    assert said[0].endswith(" UTC")
    assert _rows(postgres_url, "SELECT state FROM sources") == [("fetched",)]
