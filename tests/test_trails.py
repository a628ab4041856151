"""Trails on the three-host loopback web of tests/trail_web.py, with `tracker run` on SQLite:
hop citations (links and attributions read in the translation), hops judged against the hops
they cite, the trail of each seed sentence (origin, where it changed, why a branch went cold),
bounds (a cycle, a 300-link page, a private address) and `[trail] depth = 0`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.alert_pages import Receiver, alert_url
from tests.browser import serving
from tests.http_server import serve
from tests.tiny_argos import cached_package
from tests.trail_web import (
    ATTRIBUTED_SEED,
    RU_GLOSSARY,
    VI_GLOSSARY,
    TrailWeb,
    _page,
    config,
    loopback_config,
    russian_page,
    trail_web,
)
from tracker.config import load_settings
from tracker.read.server import create_app
from tracker.read.sql import read_only_engine


@pytest.fixture
def web() -> Iterator[TrailWeb]:
    with trail_web() as served:
        yield served


def make_project(tmp_path: Path, monkeypatch, tracker, web: TrailWeb, extra: str = "") -> Path:
    (tmp_path / "seeds").mkdir(parents=True)
    (tmp_path / "config.toml").write_text(config(web, extra), encoding="utf-8")
    (tmp_path / "seeds" / "seed.txt").write_text(web.seed(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "config.toml"))
    for language, glossary in (("vi", VI_GLOSSARY), ("ru", RU_GLOSSARY)):
        assert tracker("models", "install", str(cached_package(language, "en", glossary))).exit_code == 0
    return tmp_path


def rows(project: Path, sql: str) -> list:
    with sqlite3.connect(project / "data" / "tracker.db") as connection:
        return connection.execute(sql).fetchall()


def trail_json(tracker, *args: str) -> dict:
    result = tracker("trail", "seed.txt", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_three_hop_trail_in_three_languages_finds_its_origin_and_where_the_figure_changed(
    tmp_path, monkeypatch, tracker, web
):
    project = make_project(tmp_path, monkeypatch, tracker, web)
    result = tracker("run")
    assert result.exit_code == 0, result.output

    # One run fetched every hop, each once; the cycle back to the article fetched nothing more.
    assert web.page_requests(web.vi) == 1 and web.page_requests(web.ru) == 1
    assert web.page_requests(web.primary) == 1
    assert web.page_requests(web.far) == 0  # far from every claim: not followed with follow = "claims"

    cited = rows(project, "SELECT kind, text, hop, url, name, near_claim FROM hop_citations ORDER BY id")
    assert ("link", "RT", 2, web.ru, None, 1) in cited
    # "theo RT" read as "According to RT" in the translation, cited through its link
    assert ("attribution", "RT", 2, web.ru, "RT", 1) in cited
    assert ("link", "Interfax", 2, web.gone, None, 1) in cited
    assert ("attribution", "the Ministry of Defence", 3, web.primary, "the Ministry of Defence", 1) in cited
    # the offsets point into the Vietnamese original
    start, end, text = rows(
        project,
        "SELECT hop_citations.char_start, hop_citations.char_end, versions.text FROM hop_citations "
        "JOIN versions ON versions.id = hop_citations.citing_version_id WHERE hop_citations.text = 'Interfax'",
    )[0]
    assert text[start:end] == "Interfax"

    trails = {t["sentence"]: t for t in trail_json(tracker)["trails"]}
    figure = trails[0]
    chain = figure["branches"][0]["steps"]
    assert [(s["hop"], s["language"], s["url"]) for s in chain] == [
        (1, "vi", web.vi),
        (2, "ru", web.ru),
        (3, "en", web.primary),
    ]
    assert [s["label"] for s in chain][1] == "partial"
    assert "300 troops" in chain[0]["text"] and "Theo RT" in chain[0]["original_text"]
    assert figure["origin"]["url"] == web.primary
    assert figure["changed"]["hop"] == 2
    detail = figure["changed"]["detail"]
    assert detail.startswith("300 at 127.0.0.1") and "200 at 127.0.0.2" in detail
    assert figure["branches"][0]["end"] == "depth limit"

    # The second sentence: its dead citation ends one branch with the reason.
    ends = [b["end"] for b in trails[1]["branches"]]
    assert any(e.startswith(f"dead link: {web.gone}") and "404" in e for e in ends), ends

    shown = tracker("trail", "seed.txt", "--sentence", "0")
    assert shown.exit_code == 0
    assert "changed at hop 2 (partial): 300 at 127.0.0.1" in shown.output
    assert f"origin: hop 3, {web.primary}" in shown.output

    # The same trail in SQL: source_trails walks alignments, then hop_alignments.
    steps = rows(project, "SELECT seed_sentence, hop, source_url, label FROM source_trails ORDER BY 1, 2")
    assert (0, 2, web.ru, "partial") in steps and (0, 3, web.primary, "supported") in steps

    changed = tracker(
        "sql", "--query", "where_sentence_changed", "--param", "seed_id=1", "--param", "sentence=0", "--json"
    )
    assert changed.exit_code == 0, changed.output
    (step,) = json.loads(changed.output)
    assert (step["hop"], step["source_url"], step["original_language"], step["label"]) == (2, web.ru, "ru", "partial")
    assert [(d["text"], d["source_text"]) for d in json.loads(step["unsupported_details"])] == [("300", "200")]

    # PROV: each hop's original wasDerivedFrom the source it cites.
    prov = json.loads(tracker("export", "prov").output)
    derived = {
        (prov["entity"][r["prov:usedEntity"]]["prov:label"], r["tracker:hop"])
        for r in prov["wasDerivedFrom"].values()
        if "tracker:hop" in r
    }
    assert {(web.ru, 2), (web.primary, 3), (web.gone, 2)} <= derived
    # A seed's own export holds its whole trail, hop 3 included, each hop's original an entity.
    seed_prov = json.loads(tracker("export", "prov", "--seed", "1").output)
    hops = [r for r in seed_prov["wasDerivedFrom"].values() if "tracker:hop" in r]
    assert {(seed_prov["entity"][r["prov:usedEntity"]]["prov:label"], r["tracker:hop"]) for r in hops} == derived
    assert all(r["prov:generatedEntity"] in seed_prov["entity"] for r in hops)

    # A second run fetches nothing new (nothing due) and changes no trail.
    assert tracker("run").exit_code == 0
    assert web.page_requests(web.ru) == 1
    assert trail_json(tracker)["trails"][0]["branches"] == figure["branches"]


def test_follow_all_takes_every_body_link_and_depth_zero_follows_none(tmp_path, monkeypatch, tracker, web):
    project = make_project(tmp_path / "all", monkeypatch, tracker, web, '[trail]\nfollow = "all"\n')
    assert tracker("run").exit_code == 0
    assert web.page_requests(web.far) == 1
    far = rows(project, f"SELECT near_claim FROM hop_citations WHERE url = '{web.far}'")
    assert far == [(0,)]

    other = make_project(tmp_path / "zero", monkeypatch, tracker, web, "[trail]\ndepth = 0\n")
    before = web.page_requests(web.ru)
    assert tracker("run").exit_code == 0
    assert web.page_requests(web.ru) == before  # only what the seed cites
    assert rows(other, "SELECT count(*) FROM hop_citations") == [(0,)]
    assert rows(other, "SELECT count(*) FROM sources") == [(1,)]
    assert rows(other, "SELECT count(*) FROM activities WHERE kind IN ('cite', 'trail')") == [(0,)]


def test_a_page_of_300_links_costs_at_most_max_links_fetches_and_no_private_address_is_reached(
    tmp_path, monkeypatch, tracker
):
    links = "".join(
        f'<p>Đoạn văn số {n} nói về <a href="LINKS/p{n}.html">bài {n}</a> và nhiều chi tiết khác nữa.</p>'
        for n in range(300)
    )
    routes: dict = {}
    with serve(routes, "127.0.0.1") as base, serve({}, "127.0.0.2") as links_base:
        body = (
            '<html lang="vi"><head><meta charset="utf-8"></head><body><article>'
            '<p>Trang có liên kết tới <a href="http://169.254.169.254/latest/meta-data">máy chủ</a>'
            " nội bộ của tòa soạn, nơi lưu trữ mọi bài viết cũ.</p>"
            + links.replace("LINKS", links_base)
            + "</article></body></html>"
        )
        routes["/many.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())
        (tmp_path / "seeds").mkdir()
        (tmp_path / "config.toml").write_text(
            loopback_config([base.port, links_base.port], '[trail]\nfollow = "all"\nmax_links = 5\n'),
            encoding="utf-8",
        )
        (tmp_path / "seeds" / "seed.txt").write_text(f"A page of links.\nSource: {base}/many.html\n", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "config.toml"))
        assert tracker("models", "install", str(cached_package("vi", "en", VI_GLOSSARY))).exit_code == 0
        assert tracker("run").exit_code == 0
        followed = rows(tmp_path, "SELECT count(DISTINCT source_id) FROM hop_citations")
        fetched = [p for _, p, _ in links_base.requests if p != "/robots.txt"]
    assert followed == [(5,)]
    assert len(fetched) <= 5
    private = rows(tmp_path, "SELECT state, retired_reason FROM sources WHERE url LIKE 'http://169.254.169.254%'")
    assert len(private) == 1 and private[0][0] in ("retired", "failed"), private


def test_lookup_shows_the_sources_citing_a_source_and_those_it_cites(tmp_path, monkeypatch, tracker, web):
    make_project(tmp_path, monkeypatch, tracker, web)
    assert tracker("run").exit_code == 0
    found = json.loads(tracker("lookup", web.ru, "--json").output)
    assert {(c["url"], c["kind"], c["hop"]) for c in found["cited_by_sources"]} == {
        (web.vi, "link", 2),
        (web.vi, "attribution", 2),
    }
    assert (web.primary, "link", 3) in {(c["url"], c["kind"], c["hop"]) for c in found["cites"]}
    assert (web.vi, "link", 3) in {(c["url"], c["kind"], c["hop"]) for c in found["cites"]}  # the cycle, linked
    shown = tracker("lookup", web.ru).output
    assert "cited by sources:" in shown and f"hop 2 link “RT”: {web.vi}" in shown
    assert f"hop 3 link “Министерства обороны”: {web.primary}" in shown


def test_an_attribution_without_a_link_gets_the_primary_statement_as_a_candidate(tmp_path, monkeypatch, tracker, web):
    project = make_project(tmp_path, monkeypatch, tracker, web)
    (project / "seeds" / "attributed.txt").write_text(ATTRIBUTED_SEED, encoding="utf-8")
    assert tracker("run").exit_code == 0
    found = rows(
        project,
        "SELECT seeds.path, citations.text, sources.url, matched_on, label, bears_out,"
        " attribution_candidates.confidence "
        "FROM attribution_candidates JOIN seeds ON seeds.id = attribution_candidates.seed_id "
        "JOIN citations ON citations.id = attribution_candidates.citation_id "
        "JOIN sources ON sources.id = attribution_candidates.source_id",
    )
    # reached through the other seed's trail; published by the ministry (its site name); bears it out
    assert [(p, t, u, m, b) for p, t, u, m, _, b, _ in found] == [
        ("attributed.txt", "the Ministry of Defence", web.primary, "site_name", 1)
    ]
    assert found[0][4] in ("supported", "paraphrased") and 0 < found[0][6] <= 1
    # a candidate, never a citation the seed made
    assert rows(
        project,
        "SELECT count(*) FROM citations JOIN seeds ON seeds.id = citations.seed_id "
        "WHERE seeds.path = 'attributed.txt' AND citations.source_id IS NOT NULL",
    ) == [(0,)]
    prov = json.loads(tracker("export", "prov").output)
    attributed = [r for r in prov["wasAttributedTo"].values() if r.get("tracker:candidate")]
    assert [prov["agent"][r["prov:agent"]]["prov:location"] for r in attributed] == [web.primary]


def test_the_report_shows_each_sentence_s_trail_with_the_changed_step_highlighted(tmp_path, monkeypatch, tracker, web):
    make_project(tmp_path, monkeypatch, tracker, web)
    assert tracker("run").exit_code == 0
    assert tracker("report", "seed.txt", "-o", "report.html").exit_code == 0
    written = (tmp_path / "report.html").read_text(encoding="utf-8")

    # `tracker serve` shows the same trail view, over real HTTP on a read-only database.
    settings = load_settings(tmp_path / "config.toml")
    engine = read_only_engine(settings.database.url)
    try:
        with serving(create_app(engine, settings)) as base:
            served = httpx.get(f"{base}/seed/1", timeout=30)
    finally:
        engine.dispose()
    assert served.status_code == 200
    for page in (written, served.text):
        assert "Trail: where the claim comes from" in page
        assert '<li class="step changed" data-hop="2">' in page
        assert "Changed at hop 2 (partial): 300 at 127.0.0.1" in page
        assert "Россия направила 200 солдат" in page  # the Russian hop in its own language, beside its translation


def test_a_trail_changes_when_a_version_on_it_changes_and_only_then(tmp_path, monkeypatch, tracker, web):
    project = make_project(tmp_path, monkeypatch, tracker, web)
    assert tracker("run").exit_code == 0
    judged = rows(project, "SELECT count(*) FROM hop_alignments")
    assert tracker("run", "--all").exit_code == 0  # every page again, unchanged
    assert rows(project, "SELECT count(*) FROM hop_alignments") == judged  # nothing judged again
    assert trail_json(tracker, "--sentence", "0")["trails"][0]["changed"]["hop"] == 2

    # The Russian page now says 300 too: the change moves to the step between it and the ministry.
    web.routes[1]["/news/syria.html"] = russian_page(web, "300")
    assert tracker("run", "--all").exit_code == 0
    (figure,) = trail_json(tracker, "--sentence", "0")["trails"]
    steps = figure["branches"][0]["steps"]
    assert [s["label"] for s in steps][1] != "partial" and "300 troops" in steps[1]["text"]
    assert figure["changed"]["hop"] == 3
    assert figure["changed"]["detail"].startswith("300 at 127.0.0.2")


KREMLIN_READOUT = """<article>
<h1>Telephone conversation with President of Syria Ahmed al-Sharaa</h1>
<p>Vladimir Putin had a telephone conversation with President of the Syrian Arab Republic Ahmed al-Sharaa.</p>
<p>The discussion was constructive and pragmatic, and the presidents agreed to keep in touch on a regular basis.</p>
<p>The two leaders also spoke about the weather in Moscow and a concert of folk music held last week.</p>
</article>"""


def test_the_shipped_seed_004_s_kremlin_attribution_gets_the_kremlin_s_page_as_a_candidate(
    tmp_path, monkeypatch, tracker, web
):
    """The real seed 004 says "The Kremlin said the discussion was "constructive and pragmatic"…"
    and links nothing. Once another seed cites a page published by the Kremlin (its site name)
    that bears the sentence out, that page is the attribution's candidate: never a citation."""
    project = make_project(tmp_path, monkeypatch, tracker, web)
    shipped = Path(__file__).resolve().parent.parent / "seeds" / "004_5649e7dd8b6e68a8.txt"
    (project / "seeds" / "004.txt").write_bytes(shipped.read_bytes())
    web.routes[2]["/readout.html"] = _page(
        "en", "Telephone conversation", KREMLIN_READOUT, '<meta property="og:site_name" content="Kremlin">'
    )
    readout = web.bases[2] + "/readout.html"
    (project / "seeds" / "readout.txt").write_text(f"The Kremlin published a readout: {readout}\n", encoding="utf-8")
    assert tracker("run").exit_code == 0

    found = rows(
        project,
        "SELECT citations.sentence, sources.url, matched_on, label, bears_out "
        "FROM attribution_candidates JOIN seeds ON seeds.id = attribution_candidates.seed_id "
        "JOIN citations ON citations.id = attribution_candidates.citation_id "
        "JOIN sources ON sources.id = attribution_candidates.source_id WHERE seeds.path = '004.txt'",
    )
    assert {(url, matched_on) for _, url, matched_on, _, _ in found} == {(readout, "site_name")}
    borne_out = [(sentence, label) for sentence, _, _, label, bears_out in found if bears_out]
    # the readout bears out the "constructive and pragmatic" sentence, and not the Peskov one (the talks)
    assert len(borne_out) == 1 and "constructive and pragmatic" in borne_out[0][0], found
    assert borne_out[0][1] in ("supported", "paraphrased", "partial")
    assert any("Peskov" in sentence and not bears_out for sentence, *_, bears_out in found)
    assert rows(
        project,
        "SELECT count(*) FROM citations JOIN seeds ON seeds.id = citations.seed_id "
        "WHERE seeds.path = '004.txt' AND citations.source_id IS NOT NULL",
    ) == [(0,)]
    shown = tracker("trail", "004.txt").output
    assert "attributions without a link, with candidate sources (not citations the seed made)" in shown
    assert f"“The Kremlin”: {readout}" in shown and "published by Kremlin (site name), paraphrased" in shown


def test_a_trail_that_reaches_its_origin_is_one_trail_origin_alert_naming_where_it_changed(
    tmp_path, monkeypatch, tracker, web
):
    make_project(tmp_path, monkeypatch, tracker, web)
    receiver = Receiver()
    web.routes[0]["/hook"] = receiver  # the webhook on 127.0.0.1
    monkeypatch.setenv("TRACKER_ALERTS_URLS", json.dumps([alert_url(web.ports[0])]))
    monkeypatch.setenv("TRACKER_ALERTS_TIMEOUT", "3")
    assert tracker("run").exit_code == 0
    assert tracker("run", "--all").exit_code == 0  # nothing new on the trail: nothing more to say

    assert len(receiver.messages) == 1, receiver.messages
    text = receiver.messages[0]["title"] + "\n" + receiver.messages[0]["message"]
    assert f"trail reached its origin: {web.primary} (cited by seed.txt)" in text
    assert 'origin at hop 3 (en) "The Ministry of Defence said Russia has sent 200 troops to Syria."' in text
    assert "changed at hop 2 (partial): 300 at 127.0.0.1" in text
    listed = [json.loads(line) for line in tracker("alerts", "--json").output.splitlines()]
    assert [a["kind"] for a in listed if a["kind"] == "trail_origin"] == ["trail_origin"]


def test_a_source_no_claim_draws_on_is_not_read_until_a_judgment_draws_on_it(tmp_path, monkeypatch, tracker, web):
    project = make_project(tmp_path, monkeypatch, tracker, web)
    seed = project / "seeds" / "seed.txt"
    seed.write_text(f"The harbour railway opens next spring, the council said.\n\nSource: {web.vi}\n", encoding="utf-8")
    assert tracker("run").exit_code == 0
    # Nothing the seed says is in the Vietnamese page: its citations are not read (no second
    # extraction of the page), and nothing it cites is fetched.
    (parameters,) = rows(project, "SELECT parameters FROM activities WHERE kind = 'cite'")[0]
    assert json.loads(parameters)["claims"] == [] and json.loads(parameters)["found"] is None
    assert rows(project, "SELECT count(*) FROM hop_citations") == [(0,)]
    assert web.page_requests(web.ru) == 0

    seed.write_text(web.seed(), encoding="utf-8")  # the seed now draws on the page: it is read
    assert tracker("run").exit_code == 0
    cited = rows(project, "SELECT kind, text, url FROM hop_citations")
    assert ("link", "RT", web.ru) in cited  # a source of the next hop, due now


def test_a_page_whose_charset_only_its_http_header_names_is_read_for_its_links_as_it_was_extracted(
    tmp_path, monkeypatch, tracker
):
    # A Greek page in ISO-8859-7 with no <meta charset>: read without the header, it detects as
    # windows-1253, where "Άμυνας" is "¶μυνας", and its link's anchor would stand nowhere in the
    # extracted text. The trails read a page in the charset its extraction used.
    anchor = "το υπουργείο Άμυνας"
    with serve({}, "127.0.0.1") as base, serve({}, "127.0.0.2") as other:
        body = (
            "<html><head><title>x</title></head><body><article>"
            f'<p>Σύμφωνα με <a href="{other}/communique.html">{anchor}</a>, διακόσιοι στρατιώτες στάλθηκαν'
            " στην περιοχή αυτή την εβδομάδα, δήλωσε εκπρόσωπος στην Αθήνα.</p>"
            "<p>Οι ενισχύσεις αναμένεται να φτάσουν στα σύνορα έως το τέλος του μήνα, μετά από ένα μακρύ ταξίδι.</p>"
            "</article></body></html>"
        ).encode("iso8859_7")
        base.server.routes["/arthro.html"] = (200, {"Content-Type": "text/html; charset=iso-8859-7"}, body)
        (tmp_path / "seeds").mkdir()
        (tmp_path / "config.toml").write_text(
            loopback_config([base.port, other.port], 'target = "el"\n[trail]\nfollow = "all"\n'), encoding="utf-8"
        )
        (tmp_path / "seeds" / "seed.txt").write_text(
            "Διακόσιοι στρατιώτες στάλθηκαν στην περιοχή αυτή την εβδομάδα, σύμφωνα με το υπουργείο.\n"
            f"Source: {base}/arthro.html\n",
            encoding="utf-8",
        )
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "config.toml"))
        assert tracker("run").exit_code == 0
    [(start, end, text, url)] = rows(
        tmp_path,
        "SELECT hop_citations.char_start, hop_citations.char_end, versions.text, hop_citations.url "
        "FROM hop_citations JOIN versions ON versions.id = hop_citations.citing_version_id "
        "WHERE hop_citations.kind = 'link'",
    )
    assert url == f"{other}/communique.html"
    assert start is not None and text[start:end] == anchor
