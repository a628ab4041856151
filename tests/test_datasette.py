"""Datasette serves the database with the named queries as canned queries (optional extra)."""

from __future__ import annotations

import asyncio
import json

import pytest
from click.testing import CliRunner

from tracker.cli import cli
from tracker.read.queries import load_queries

datasette_app = pytest.importorskip("datasette.app")


def test_canned_queries_return_rows(populated, tmp_path):
    metadata_file = tmp_path / "metadata.json"
    result = CliRunner().invoke(cli, ["datasette-metadata", str(metadata_file)])
    assert result.exit_code == 0, result.output
    metadata = json.loads(metadata_file.read_text())
    assert set(metadata["databases"]["tracker"]["queries"]) == set(load_queries())

    async def fetch():
        datasette = datasette_app.Datasette(
            [str(populated.database)], metadata=metadata, settings={"default_page_size": 50}
        )
        cited = await datasette.client.get(
            "/tracker/which_seeds_cite_url.json", params={"url": populated.url, "_shape": "array"}
        )
        failed = await datasette.client.get("/tracker/failed_sources.json", params={"_shape": "array"})
        view = await datasette.client.get("/tracker/excerpt_texts.json", params={"_shape": "array"})
        return cited, failed, view

    cited, failed, view = asyncio.run(fetch())
    assert cited.status_code == 200, cited.text
    assert [row["seed_path"] for row in cited.json()] == ["test_seed.txt", "later_seed.txt"]
    assert [row["url"] for row in failed.json()] == [populated.gone_url]
    assert view.status_code == 200 and view.json()[0]["original_text"].startswith("Điện Kremlin")
