"""Both drivers give the same trails: `tracker run` on SQLite (tracker/pipeline.py) and on
PostgreSQL (the workers' scheduling pass and jobs, tracker/workers/), on the web of
tests/trail_web.py. The PostgreSQL side also checks that migration 0018 and the recursive view
`source_trails` work there."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.test_trails import make_project, trail_json
from tests.trail_web import trail_web


def _comparable(document: dict) -> list:
    """The trails without row ids, which the two drivers number differently."""
    found = []
    for t in document["trails"]:
        branches = [
            (
                [(s["hop"], s["url"], s["language"], s["label"], s["text"], s["original_text"]) for s in b["steps"]],
                b["end"],
            )
            for b in t["branches"]
        ]
        found.append((t["sentence"], sorted(branches), t["origin"]["url"] if t["origin"] else None, t["changed"]))
    return found


def test_tracker_run_and_the_workers_give_the_same_trails(tmp_path, monkeypatch, tracker, postgres_url):
    with trail_web() as web:
        make_project(tmp_path / "sqlite", monkeypatch, tracker, web)
        assert tracker("run").exit_code == 0
        on_sqlite = _comparable(trail_json(tracker))

        make_project(tmp_path / "postgres", monkeypatch, tracker, web)
        monkeypatch.setenv("TRACKER_DATABASE_URL", postgres_url)
        result = tracker("run")
        assert result.exit_code == 0, result.output
        on_postgres = _comparable(trail_json(tracker))
        # each page fetched once per driver: the cycle back to the article fetched nothing more
        assert web.page_requests(web.ru) == 2 and web.page_requests(web.vi) == 2
    assert on_postgres == on_sqlite
    assert on_sqlite[0][3]["hop"] == 2  # the figure changed at the Vietnamese hop, on both
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            steps = connection.execute(
                text("SELECT seed_sentence, hop, source_url, label FROM source_trails ORDER BY 1, 2, 3")
            ).all()
    finally:
        engine.dispose()
    assert (0, 2, web.ru, "partial") in steps and (0, 3, web.primary, "supported") in steps
