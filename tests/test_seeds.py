import shutil
from pathlib import Path

from sqlmodel import Session, select

from tracker.seeds.ingest import ingest_seeds
from tracker.store.db import open_database
from tracker.store.tables import Citation, Seed, Source

REPO_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
THANHNIEN = "https://thanhnien.vn/tong-thong-putin-lan-dau-noi-chuyen-voi-lanh-dao-moi-cua-syria-185250213110316652.htm"


def ingest(tmp_path, seeds_dir):
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with Session(engine) as session:
        report = ingest_seeds(session, seeds_dir)
        session.commit()
    return engine, report


def citations_of(session, path):
    seed = session.exec(select(Seed).where(Seed.path == path, Seed.superseded_at.is_(None))).one()
    return seed, session.exec(select(Citation).where(Citation.seed_id == seed.id)).all()


def test_real_seeds_ingest_with_their_citations_and_attributions(tmp_path):
    engine, report = ingest(tmp_path, REPO_SEEDS)
    assert len(report.new) == 2 and not report.failed
    with Session(engine) as session:
        seed, citations = citations_of(session, "000_2c3edb034ccb3b0f.txt")
        urls = [c for c in citations if c.kind == "url"]
        assert [c.url for c in urls] == [THANHNIEN]
        assert urls[0].cue == "Source:"
        assert seed.text[urls[0].char_start : urls[0].char_end] == THANHNIEN
        assert {c.name for c in citations if c.kind == "attribution"} == {"RT", "the Kremlin", "AFP", "Reuters"}
        for citation in citations:
            assert seed.text[citation.sentence_start : citation.sentence_end] == citation.sentence
            assert citation.sentence_start <= citation.char_start < citation.char_end <= citation.sentence_end

        seed, citations = citations_of(session, "004_5649e7dd8b6e68a8.txt")
        assert seed.publisher == "ALBAWABA"
        assert not [c for c in citations if c.kind == "url"]
        assert {c.name for c in citations} == {"the Kremlin", "Dmitry Peskov", "Marhaf Abu Qasara"}
        source = session.exec(select(Source)).one()
        assert source.normalized_url == THANHNIEN and source.host == "thanhnien.vn"


def test_ingestion_is_idempotent_and_an_edit_is_a_new_revision(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO_SEEDS, seeds)
    engine, _ = ingest(tmp_path, seeds)
    _, again = ingest(tmp_path, seeds)
    assert (len(again.new), len(again.revised), again.unchanged) == (0, 0, 2)

    edited = seeds / "004_5649e7dd8b6e68a8.txt"
    edited.write_text(edited.read_text() + "\nReuters reported the call too.\n")
    _, after_edit = ingest(tmp_path, seeds)
    assert after_edit.revised == ["004_5649e7dd8b6e68a8.txt"]
    with Session(engine) as session:
        revisions = session.exec(select(Seed).where(Seed.path == edited.name).order_by(Seed.revision)).all()
        assert [r.revision for r in revisions] == [1, 2]
        assert revisions[0].superseded_at is not None and revisions[1].superseded_at is None
        _, citations = citations_of(session, edited.name)
        assert "Reuters" in {c.name for c in citations}


def test_a_malformed_seed_is_reported_and_the_rest_ingested(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO_SEEDS, seeds)
    (seeds / "broken.html").write_bytes(b"\x00\x01\x02\xff\xfe binary junk \x00")
    (seeds / "empty.txt").write_text("   \n")
    _, report = ingest(tmp_path, seeds)
    assert len(report.new) == 2
    assert {path for path, _ in report.failed} == {"broken.html", "empty.txt"}
    assert all(reason for _, reason in report.failed)
