"""Extraction (tracker.originals.extract): trafilatura's default pass, then its recall-oriented
settings, then its baseline extractor, and which of them produced the text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.http_server import serve
from tests.tiny_argos import cached_package
from tracker.originals.extract import extract_main_text

PAGES = Path(__file__).parent / "fixtures" / "pages"
KOREAN = (PAGES / "ko_news_comment_wrapper.html").read_text(encoding="utf-8")
KOREAN_PARAGRAPHS = [
    "서울시는 29일 올해 겨울철 한파에 대비해 취약계층 1만5000가구에 난방비를 지원한다고 밝혔다.",
    "지난해에는 1만2000가구가 난방비 지원을 받았다. 시는 올해 예산을 지난해보다 25% 늘렸다.",
]


def test_a_korean_page_the_default_pass_finds_nothing_on_gets_its_article_from_the_baseline():
    assert extract_main_text(KOREAN, fallbacks=False) is None  # what the default pass alone gives
    extracted = extract_main_text(KOREAN)
    assert extracted.method == "baseline"
    assert all(paragraph in extracted.text for paragraph in KOREAN_PARAGRAPHS)
    assert "Copyright" not in extracted.text
    # Metadata still comes from the page's markup.
    assert extracted.title == "서울시, 한파 대비 취약계층 1만5000가구 난방비 지원"
    assert (extracted.declared_language, extracted.published) == ("ko", "2026-11-29")


def test_recall_settings_come_before_the_baseline():
    paragraphs = "<br><br>".join(KOREAN_PARAGRAPHS * 2)
    page = f"<html lang='ko'><body><aside><div id='articleBody'>{paragraphs}</div></aside></body></html>"
    assert extract_main_text(page, fallbacks=False) is None
    extracted = extract_main_text(page)
    assert extracted.method == "favor_recall"
    assert KOREAN_PARAGRAPHS[0] in extracted.text


def test_an_ordinary_article_is_extracted_by_the_default_pass():
    extracted = extract_main_text((PAGES / "vi_article.html").read_text(encoding="utf-8"))
    assert extracted.method == "default" and "Điện Kremlin" in extracted.text


def test_a_page_with_no_article_still_has_no_text():
    page = "<html><body><div class='comment'><p>Đăng nhập</p></div><footer>© 2026</footer></body></html>"
    assert extract_main_text(page) is None


def test_the_extract_activity_records_which_path_produced_the_text(tracker, project, monkeypatch):
    with serve({"/tin": (200, {"Content-Type": "text/html; charset=utf-8"}, KOREAN.encode())}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        (project / "seeds" / "s.txt").write_text(
            f"Seoul will help 15,000 households with heating.\nSource: {base}/tin\n"
        )
        result = tracker("run")
        assert result.exit_code == 0, result.output
        found = json.loads(tracker("lookup", f"{base}/tin", "--json").output)
    original = found["versions"][0]
    assert original["kind"] == "original" and KOREAN_PARAGRAPHS[0] in original["text"]
    assert original["activity"]["parameters"]["extraction"] == "baseline"
    assert (original["language"], original["language_status"]) == ("ko", "detected")


def test_an_uncertain_language_is_not_translated_unless_asked(tracker, project, monkeypatch):
    """A real isiZulu page, which langdetect takes for Swahili: with a sw→en model installed it is
    not sent to it silently. Its translation is pending with one line saying why and how to force
    it; with on_uncertain = "translate" it is translated, and the translate activity says from what."""
    zulu = (Path(__file__).parent / "fixtures" / "language" / "zu.txt").read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{line}</p>" for line in zulu.splitlines())
    page = f"<html lang='zu'><head><title>Izindaba</title></head><body><article>{paragraphs}</article></body></html>"
    tracker("models", "install", str(cached_package("sw", "en", {"na": "and"})))
    with serve({"/izindaba": (200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())}) as base:
        monkeypatch.setenv("TRACKER_FETCH_ALLOW_PORTS", str(base.port))
        url = f"{base}/izindaba"
        (project / "seeds" / "s.txt").write_text(f"The boys said the work is not finished.\nSource: {url}\n")
        first = tracker("run")
        assert "translations: 0 made, 1 pending" in first.output, first.output
        assert f"the language of {url} is uncertain (langdetect says sw; lingua says zu" in first.output
        assert 'on_uncertain = "translate"' in first.output
        found = json.loads(tracker("lookup", url, "--json").output)
        original, pending = found["versions"]
        assert (original["language"], original["language_status"]) == ("sw", "uncertain")
        evidence = original["language_evidence"]
        assert (evidence["second_opinion"]["code"], evidence["declared"]) == ("zu", "zu")
        assert evidence["reasons"] == ["disagreement", "declared"]
        assert pending["status"] == "pending" and pending["text"] is None
        assert pending["activity"]["parameters"]["language_status"] == "uncertain"
        assert "[sw, uncertain]" in tracker("lookup", url).output
        prov = json.loads(tracker("export", "prov").output)
        entity = prov["entity"][f"tracker:version/{original['id']}"]
        assert (entity["tracker:language"], entity["tracker:language_status"]) == ("sw", "uncertain")

        monkeypatch.setenv("TRACKER_LANGUAGE_ON_UNCERTAIN", "translate")
        second = tracker("run")
        assert "translations: 1 made, 0 pending" in second.output, second.output
        found = json.loads(tracker("lookup", url, "--json").output)
    translated = found["versions"][1]
    assert translated["status"] == "ready" and translated["text"]
    parameters = translated["activity"]["parameters"]
    assert (parameters["from"], parameters["language_status"]) == ("sw", "uncertain")
    assert parameters["language_reasons"] == ["disagreement", "declared"]


def test_page_metadata_matches_trafilaturas_own_on_every_field_tracker_stores():
    # page_metadata follows trafilatura's extract_metadata step by step; a trafilatura release
    # that changes those steps shows here.
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import load_html

    from tracker.originals.extract import page_metadata

    dates = {"extensive_search": False, "original_date": True}
    for page in sorted(PAGES.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        ours = page_metadata(load_html(html), "https://example.org/a")
        theirs = extract_metadata(html, "https://example.org/a", date_config=dates)
        assert ours.title, page.name
        for field in ("title", "author", "date", "sitename", "url"):
            assert getattr(ours, field) == getattr(theirs, field), (page.name, field)


def test_text_inside_50000_nested_divs_is_found():
    # libxml2 drops what is nested deeper than 255 elements: the text was lost with it.
    text = " ".join(f"Sentence {i} of the plain article text says something new." for i in range(40))
    html = "<html><body>" + "<div>" * 50_000 + f"<p>{text}</p>" + "</div>" * 50_000 + "</body></html>"
    found = extract_main_text(html)
    assert found is not None and found.text == text


def test_a_thin_fast_result_is_compared_with_the_thorough_pass():
    """A real page (Mozilla Readability's nytimes-5 test page, in the shared corpus, read in
    place): fast mode keeps a box of the page, the thorough pass the article."""
    from bench.fetch_bench import CORPUS

    page = CORPUS / "readability" / "test-pages" / "nytimes-5" / "source.html"
    if not page.is_file():
        pytest.skip(f"{page} not present")
    html = page.read_text(encoding="utf-8", errors="replace")
    fast = extract_main_text(html, fallbacks=False)
    extracted = extract_main_text(html)
    assert fast.method == "default" and extracted.method == "thorough"
    assert len(extracted.text) > 5 * len(fast.text)


def test_a_fast_result_that_is_a_menu_is_replaced_by_the_thorough_pass_s_article():
    """The shape of a Brazilian city's news page (scrapinghub's benchmark): 300 short menu
    entries, and the article in <div>s rather than <p>s. Fast mode takes the menu."""
    menu = "".join(f'<li><a href="/c{i}">Conselho {i}</a></li>' for i in range(300))
    sentence = "A equipe do Serviço de Atendimento Domiciliar registrou nesta manhã o arrombamento do carro {}."
    article = "".join(f"<div>{sentence.format(i)}</div>" for i in range(4))
    html = (
        "<html><head><title>Notícia</title></head><body>"
        f"<div id='menu'><ul>{menu}</ul></div><div class='noticia'><h1>Arrombamento</h1>{article}</div></body></html>"
    )
    fast = extract_main_text(html, fallbacks=False)
    assert fast.text.startswith("Conselho 0")  # what fast mode alone keeps: the menu
    extracted = extract_main_text(html)
    assert extracted.method == "thorough"
    assert sentence.format(3) in extracted.text and "Conselho" not in extracted.text
