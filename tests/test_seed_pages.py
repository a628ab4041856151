"""HTML seeds as they come: the article's citations, not the site's; seeds by URL; their dates."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from tests.http_server import serve
from tracker.seeds.citations import find_citations
from tracker.seeds.dates import publication_date
from tracker.seeds.files import read_seed_file, read_seed_html
from tracker.seeds.ingest import ingest_seeds
from tracker.store.db import open_database
from tracker.store.tables import Body, Citation, Seed

PAGES = Path(__file__).parent / "fixtures" / "seed_pages"
NEWS = (PAGES / "news_article.html").read_text(encoding="utf-8")
CANONICAL = "https://www.dailyledger.example/world/2025/02/13/syria-talks-resume-damascus/"
ARTICLE_LINKS = [
    (
        "https://www.reuters.com/world/middle-east/russian-delegation-arrives-damascus-2025-02-13/?utm_source=twitter",
        "Reuters reported",
    ),
    ("http://en.kremlin.ru/events/president/news/76312", "Kremlin readout"),
    (
        "https://www.dailyledger.example/world/2025/01/28/russia-syria-first-contact/",
        "our report on the first contacts",
    ),
    ("https://tass.com/politics/1912345", "TASS"),
    (
        "https://www.crisisgroup.org/middle-east-north-africa/east-mediterranean-mena/syria",
        "International Crisis Group",
    ),
    ("https://thanhnien.vn/nga-syria-dam-phan-185250213.htm", "Thanh Niên"),
]


def test_a_news_page_cites_the_links_of_its_article_not_its_sites_furniture():
    seed = read_seed_file(PAGES / "news_article.html")
    assert seed.format == "html" and seed.article
    assert [(link.href, seed.text[link.start : link.end]) for link in seed.links] == ARTICLE_LINKS
    # The seed's text is the article: no menu, share bar, tags, related list, newsletter or footer.
    assert seed.text.startswith("Syria talks resume in Damascus as Russia signals new aid deal\nDAMASCUS")
    for furniture in ("Watch TV", "Coupons", "Share on Facebook", "Related stories", "Sign up for our newsletter",
                      "Most read", "Privacy policy", "Tags:", "3 comments"):  # fmt: skip
        assert furniture not in seed.text
    # A "Read more" line inside the body stays text, but its headline link is not a citation.
    assert "Read more: What happens to Russia's bases in Syria now?" in seed.text
    assert not any("tartus-base-future" in link.href for link in seed.links)


def test_url_citations_of_an_html_seed_point_into_its_text_with_anchor_and_sentence():
    seed = read_seed_file(PAGES / "news_article.html")
    urls = [c for c in find_citations(seed.text, seed.links) if c.kind == "url"]
    assert [(c.url, c.text) for c in urls] == ARTICLE_LINKS
    for citation in urls:
        assert seed.text[citation.char_start : citation.char_end] == citation.text
        assert seed.text[citation.sentence_start : citation.sentence_end] == citation.sentence
        assert citation.text in citation.sentence
    assert urls[0].sentence.startswith("DAMASCUS (The Daily Ledger) — Talks between Russian")
    assert [c.cue for c in urls] == ["link"] * 5 + ["Source:"]


def test_relative_links_resolve_against_base_or_canonical_and_are_dropped_with_a_note_without_either():
    internal = "our report on the first contacts"
    no_address = re.sub(r'<link rel="canonical"[^>]*>|<meta property="og:url"[^>]*>', "", NEWS)
    seed = read_seed_html(no_address)
    assert internal not in [seed.text[link.start : link.end] for link in seed.links]
    assert internal in seed.text
    assert any("relative links dropped" in note for note in seed.notes)
    assert len(seed.links) == len(ARTICLE_LINKS) - 1

    based = no_address.replace("<head>", '<head><base href="https://mirror.example/archive/">')
    hrefs = {read_seed_html(based).text[link.start : link.end]: link.href for link in read_seed_html(based).links}
    assert hrefs[internal] == "https://mirror.example/world/2025/01/28/russia-syria-first-contact/"

    # A page fetched from a URL resolves against that URL.
    fetched = read_seed_html(no_address, "https://www.dailyledger.example/world/story")
    assert "https://www.dailyledger.example/world/2025/01/28/russia-syria-first-contact/" in {
        link.href for link in fetched.links
    }


def test_a_vietnamese_page_keeps_theo_and_nguon_cues_and_resolves_against_og_url():
    seed = read_seed_file(PAGES / "vi_article.html")
    assert seed.article
    urls = [(c.cue, c.url, c.text) for c in find_citations(seed.text, seed.links) if c.kind == "url"]
    assert urls == [
        ("Theo", "https://tass.ru/politika/23145678", "TASS"),
        ("link", "https://saigonmoi.example/the-gioi/dien-kremlin-noi-ve-can-cu-tartus-185250120.htm",
         "Sài Gòn Mới đã đưa tin"),
        ("link", "https://www.reuters.com/world/middle-east/russia-syria-talks-2025-02-13/", "Reuters"),
        ("Nguồn:", "https://thanhnien.vn/nga-syria-dam-phan-185250213.htm", "Thanh Niên"),
    ]  # fmt: skip
    assert "Giá vàng" not in seed.text and "Đăng nhập" not in seed.text
    assert seed.published.evidence == "meta article:published_time"
    assert seed.published.value == datetime(2025, 2, 13, 13, 15, tzinfo=UTC)


def test_publication_date_and_its_evidence():
    news = publication_date(NEWS)
    assert (news.value, news.day.isoformat(), news.evidence) == (
        datetime(2025, 2, 13, 11, 40, tzinfo=UTC),
        "2025-02-13",  # the day as the page states it, in its own time zone
        "json-ld datePublished",
    )
    by_url = publication_date(
        "<html><body><h1>Title</h1><p>No date in the markup at all.</p></body></html>",
        "https://news.example/2024/03/05/story.html",
    )
    assert (by_url.day.isoformat(), by_url.evidence) == ("2024-03-05", "url")
    assert publication_date("<html><body><p>Undated page.</p></body></html>", "https://news.example/story") is None


def test_an_html_seed_is_dated_by_its_publication_and_a_text_seed_by_its_ingestion(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "story.html").write_text(NEWS, encoding="utf-8")
    (seeds / "note.txt").write_text("A note.\nSource: https://example.com/a\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = open_database(url)
    with Session(engine) as session:
        report = ingest_seeds(session, seeds)
        session.commit()
        assert sorted(report.new) == ["note.txt", "story.html"]
        story = session.exec(select(Seed).where(Seed.path == "story.html")).one()
        note = session.exec(select(Seed).where(Seed.path == "note.txt")).one()
        assert (story.dated_by, story.published_evidence) == ("published_at", "json-ld datePublished")
        assert story.date.replace(tzinfo=UTC) == datetime(2025, 2, 13, 11, 40, tzinfo=UTC)
        assert story.canonical_url == CANONICAL and story.title.startswith("Syria talks resume")
        assert (note.dated_by, note.published_at, note.date) == ("ingested_at", None, note.ingested_at)
        cited = session.exec(select(Citation.url).where(Citation.seed_id == story.id, Citation.kind == "url")).all()
        assert cited == [href for href, _ in ARTICLE_LINKS]
    engine.dispose()
    # The views give each seed its date and say which date it is.
    with sqlite3.connect(tmp_path / "db.sqlite") as db:
        rows = set(db.execute("SELECT seed_path, substr(seed_date, 1, 16), seed_dated_by FROM seed_citations"))
    assert ("story.html", "2025-02-13 11:40", "published_at") in rows
    assert any(path == "note.txt" and dated_by == "ingested_at" for path, _, dated_by in rows)


def _page(body: bytes):
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body


def test_seeds_add_fetches_a_page_keeps_it_and_makes_a_revision_when_its_article_changes(tracker, project, monkeypatch):
    pages = {"story": NEWS.encode()}
    with serve({"/world/story": lambda request: _page(pages["story"])}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        url = f"{base}/world/story"
        first = tracker("seeds", "add", url)
        assert first.exit_code == 0, first.output
        assert first.output.strip() == f"added {url}"
        assert tracker("seeds", "add", url).output.strip() == f"unchanged {url}"
        pages["story"] = NEWS.replace("as cordial but inconclusive", "as cordial and useful").encode()
        assert tracker("seeds", "add", url).output.strip() == f"revised {url}"
        assert any(path == "/robots.txt" for _, path, _ in base.requests)  # the polite fetcher asked first

    engine = open_database(f"sqlite:///{project / 'data' / 'tracker.db'}")
    with Session(engine) as session:
        revisions = session.exec(select(Seed).where(Seed.path == url).order_by(Seed.revision)).all()
        assert [(s.revision, s.superseded_at is None) for s in revisions] == [(1, False), (2, True)]
        assert all(s.url == url and s.format == "html" and s.dated_by == "published_at" for s in revisions)
        assert session.get(Body, revisions[1].body_sha256).size == len(pages["story"])
        assert "cordial and useful" in revisions[1].text and "Watch TV" not in revisions[1].text
    engine.dispose()

    listing = tracker("seeds", "list").output.splitlines()
    assert len(listing) == 1
    fields = listing[0].split("\t")
    assert fields[1:4] == [url, "rev 2", "published 2025-02-13 11:40"]
    assert fields[4:6] == ["The Daily Ledger", "6 urls"] and fields[-1] == url


def test_seeds_add_refuses_what_is_not_a_seed_page(tracker, project, monkeypatch):
    bad = tracker("seeds", "add", "ftp://example.com/file")
    assert bad.exit_code != 0 and "not a seed URL" in bad.output
    with serve({"/data.json": (200, {"Content-Type": "application/json"}, b"{}")}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        result = tracker("seeds", "add", f"{base}/data.json", f"{base}/missing")
    assert result.exit_code == 1
    assert "not an HTML page (application/json)" in result.output
    assert "failed" in result.output and "/missing" in result.output


def test_run_reads_seed_urls_from_urls_files(tracker, project, monkeypatch):
    with serve({"/vi/story": _page((PAGES / "vi_article.html").read_bytes())}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        (project / "seeds" / "pages.urls").write_text(f"# seed pages\n{base}/vi/story\n\nnot a url\n", encoding="utf-8")
        result = tracker("run")
    assert result.exit_code == 0, result.output
    engine = open_database(f"sqlite:///{project / 'data' / 'tracker.db'}")
    with Session(engine) as session:
        seed = session.exec(select(Seed).where(Seed.url == f"{base}/vi/story")).one()
        assert seed.published_evidence == "meta article:published_time"
        urls = session.exec(select(Citation.cue).where(Citation.seed_id == seed.id, Citation.kind == "url")).all()
        assert urls == ["Theo", "link", "link", "Nguồn:"]
    engine.dispose()
    assert "pages.urls:4" in result.output  # the bad line is reported with where it stands


def test_the_version_in_force_when_a_seed_was_published_uses_its_publication_date(tmp_path):
    from tracker.read.queries import load_queries
    from tracker.read.sql import run_read_only
    from tracker.store.tables import Source, Version

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = open_database(url)
    with Session(engine) as session:
        source = Source(url="https://src.example/a", normalized_url="https://src.example/a", host="src.example")
        session.add(source)
        session.flush()
        for year in (2019, 2021):
            session.add(
                Version(source_id=source.id, kind="original", text=f"text of {year}",
                        created_at=datetime(year, 6, 1, tzinfo=UTC))
            )  # fmt: skip
        seed = Seed(path="page.html", sha256="x", format="html", text="Source: https://src.example/a")
        seed.published_at, seed.dated_by = datetime(2020, 1, 1, tzinfo=UTC), "published_at"
        session.add(seed)
        session.flush()
        session.add(
            Citation(seed_id=seed.id, source_id=source.id, kind="url", text="https://src.example/a", cue="Source:",
                     url="https://src.example/a", char_start=8, char_end=29, sentence=seed.text, sentence_start=0,
                     sentence_end=29)
        )  # fmt: skip
        session.commit()
    engine.dispose()
    query = load_queries()["source_text_when_seed_published"]

    def in_force():
        (row,) = run_read_only(url, query.sql, {"url": "https://src.example/a"}).as_dicts()
        return row["text"], row["captured"], row["seed_dated_by"]

    # Published in 2020: the 2019 capture was in force, though tracker read the seed years later.
    assert in_force() == ("text of 2019", "before", "published_at")
    with sqlite3.connect(tmp_path / "db.sqlite") as db:
        db.execute("UPDATE seeds SET dated_by = 'ingested_at', published_at = NULL")
    assert in_force() == ("text of 2021", "before", "ingested_at")


def test_a_list_under_a_sources_heading_cites_though_a_related_list_does_not():
    sources = (
        "<h2>Sources</h2><ol>"
        '<li><a href="https://www.afp.com/en/news/3954">Agence France-Presse: Russian delegation arrives in '
        "Damascus for talks with the interim authorities</a>, 13 February 2025.</li>"
        '<li><a href="https://sana.sy/en/?p=3412">Syrian Arab News Agency: Foreign minister receives the Russian '
        "delegation at the ministry in Damascus</a>, 13 February 2025.</li></ol>"
        "<h2>More from the region</h2><ul>"
        '<li><a href="/world/2025/02/12/lebanon-ceasefire/">Lebanon ceasefire holds as talks continue in Beirut '
        "and negotiators meet again</a>, 12 February 2025.</li>"
        '<li><a href="/world/2025/02/12/jordan-aid/">Jordan sends a new aid convoy across the northern border '
        "crossing into Syria</a>, 12 February 2025.</li></ul>"
    )
    # In the middle of the body, where trafilatura keeps headings and lists.
    page = NEWS.replace("<p>The Kremlin spokesman", sources + "<p>The Kremlin spokesman")
    seed = read_seed_html(page)
    assert "Sources\nAgence France-Presse" in seed.text and "\nLebanon ceasefire holds" in seed.text
    hrefs = [link.href for link in seed.links]
    assert "https://www.afp.com/en/news/3954" in hrefs and "https://sana.sy/en/?p=3412" in hrefs
    assert not any("lebanon" in href or "jordan" in href for href in hrefs)


def test_a_year_in_the_prose_is_not_a_publication_date():
    undated = (
        "<html><body><article><h1>The treaty</h1><p>It was first signed in 1995. It holds.</p></article></body></html>"
    )
    assert publication_date(undated, "https://news.example/treaty") is None
    written = "<html><body><p>Posted on 2024-03-05</p><p>The treaty was first signed in 1995.</p></body></html>"
    assert publication_date(written).day.isoformat() == "2024-03-05"  # a full date is still read


def test_a_seed_page_whose_body_is_binary_is_refused(tracker, project, monkeypatch):
    import random

    png = b"\x89PNG\r\n\x1a\n" + random.Random(3).randbytes(150_000)
    with serve({"/image": (200, {"Content-Type": "text/html"}, png)}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        result = tracker("seeds", "add", f"{base}/image")
    assert result.exit_code == 1
    assert "binary content served as text/html" in result.output
    with sqlite3.connect(project / "data" / "tracker.db") as db:
        assert db.execute("SELECT COUNT(*) FROM seeds").fetchone() == (0,)
