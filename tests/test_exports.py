"""`tracker export prov` writes PROV-JSON that the `prov` package loads, with the relations the
provenance model promises; `tracker export jsonl` writes one object per version."""

from __future__ import annotations

import json
import sqlite3

import pytest

prov_model = pytest.importorskip("prov.model")


def load(path):
    return prov_model.ProvDocument.deserialize(source=str(path), format="json")


def relations(document, kind) -> list:
    return [r for r in document.get_records() if isinstance(r, kind)]


def ref(record_attr) -> str:
    return record_attr.localpart if hasattr(record_attr, "localpart") else str(record_attr)


def test_prov_export_loads_and_has_the_provenance_relations(tracker, populated, tmp_path):
    out = tmp_path / "prov.json"
    result = tracker("export", "prov", str(out))
    assert result.exit_code == 0, result.output
    document = load(out)
    entities = {ref(e.identifier) for e in document.get_records(prov_model.ProvEntity)}
    with sqlite3.connect(populated.database) as connection:
        versions = dict(connection.execute("SELECT id, kind FROM versions").fetchall())
        parents = dict(connection.execute("SELECT id, parent_id FROM versions").fetchall())
    assert {f"version/{i}" for i in versions} | {"seed/1", "seed/2", "source/1", "source/2"} <= entities
    activity_kinds = {str(a.get_attribute("tracker:kind").pop()) for a in document.get_records(prov_model.ProvActivity)}
    assert activity_kinds == {"fetch", "extract", "translate", "align"}
    agents = {ref(a.identifier) for a in document.get_records(prov_model.ProvAgent)}
    assert "model/translate-vi_en/1.0" in agents and any(a.startswith("software/argostranslate/") for a in agents)

    provn = document.get_provn()
    derivations = relations(document, prov_model.ProvDerivation)
    quoted = {
        (ref(d.get_attribute("prov:generatedEntity").pop()), ref(d.get_attribute("prov:usedEntity").pop()))
        for d in derivations
        if "prov:Quotation" in {str(t) for t in d.get_attribute("prov:type")}
    }
    excerpts = [i for i, kind in versions.items() if kind == "excerpt"]
    assert quoted == {(f"version/{i}", f"version/{parents[i]}") for i in excerpts}
    assert "prov:Quotation" in provn and "prov:PrimarySource" in provn  # wasQuotedFrom, hadPrimarySource
    derived = {
        (ref(d.get_attribute("prov:generatedEntity").pop()), ref(d.get_attribute("prov:usedEntity").pop()))
        for d in derivations
    }
    translated = [i for i, kind in versions.items() if kind == "translated"]
    assert {(f"version/{i}", f"version/{parents[i]}") for i in translated} <= derived
    generated = {ref(g.get_attribute("prov:entity").pop()) for g in relations(document, prov_model.ProvGeneration)}
    assert generated == {f"version/{i}" for i in versions}
    used = {
        (ref(u.get_attribute("prov:activity").pop()), ref(u.get_attribute("prov:entity").pop()))
        for u in relations(document, prov_model.ProvUsage)
    }
    assert any(entity == "source/1" for _, entity in used)  # a fetch used the source
    assert any(entity == "seed/1" for _, entity in used)  # an alignment used the seed
    associated = {ref(a.get_attribute("prov:agent").pop()) for a in relations(document, prov_model.ProvAssociation)}
    assert "model/translate-vi_en/1.0" in associated
    assert relations(document, prov_model.ProvCommunication)  # extract wasInformedBy fetch


def test_prov_export_attributes_seeds_to_the_sources_they_name(tracker, populated, tmp_path):
    out = tmp_path / "prov.json"
    assert tracker("export", "prov", str(out)).exit_code == 0
    document = load(out)
    attributed = {
        (ref(a.get_attribute("prov:entity").pop()), ref(a.get_attribute("prov:agent").pop())): a
        for a in relations(document, prov_model.ProvAttribution)
    }
    assert ("seed/2", "attributed/afp") in attributed
    assert ("seed/1", "attributed/the%20kremlin") in attributed
    afp = attributed[("seed/2", "attributed/afp")]
    assert {str(v) for v in afp.get_attribute("tracker:cue_kind")} == {"according to"}
    assert {str(v) for v in afp.get_attribute("tracker:content")} == {"Both sides discussed trade and education"}


def test_prov_export_for_one_seed(tracker, populated, tmp_path):
    out = tmp_path / "seed2.json"
    assert tracker("export", "prov", "--seed", "2", str(out)).exit_code == 0
    entities = {ref(e.identifier) for e in load(out).get_records(prov_model.ProvEntity)}
    assert "seed/2" in entities and "seed/1" not in entities and "source/2" not in entities
    with sqlite3.connect(populated.database) as connection:
        linked = {
            f"version/{r[0]}" for r in connection.execute("SELECT version_id FROM version_seeds WHERE seed_id = 2")
        }
    assert {e for e in entities if e.startswith("version/")} == linked
    missing = tracker("export", "prov", "--seed", "99")
    assert missing.exit_code == 1 and "no seed with id 99" in missing.output


def test_jsonl_export_has_one_object_per_version_with_its_provenance(tracker, populated, tmp_path):
    out = tmp_path / "versions.jsonl"
    result = tracker("export", "jsonl", str(out))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    with sqlite3.connect(populated.database) as connection:
        assert len(records) == connection.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
    translated = next(r for r in records if r["kind"] == "translated")
    assert translated["activity"]["model"] == "translate-vi_en"
    assert translated["activity"]["parameters"]["pivot_path"] == ["vi", "en"]
    assert translated["source"]["url"] == populated.url
    assert {s["path"] for s in translated["seeds"]} == {"test_seed.txt", "later_seed.txt"}
    excerpt = next(r for r in records if r["kind"] == "excerpt")
    assert excerpt["excerpt"]["seed_sentence"] and excerpt["parent_id"]
