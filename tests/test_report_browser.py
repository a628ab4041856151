"""The seed report in a real browser (headless Chromium, tests/browser.py): the static file opened
from disk and the pages `tracker serve` serves. What the DOM shows must match the database."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.browser import serving
from tests.report_db import SCRIPT_LINE, SEED_PATH
from tracker.read.report import seed_report
from tracker.read.server import create_app
from tracker.read.sql import read_only_engine
from tracker.store.db import make_engine

try:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # the `chrome` fixture skips (or, under CI, fails) with the reason
    pass

ARABIC_FIRST = "قال الكرملين إن روسيا تدعم وحدة سوريا."


@pytest.fixture
def expected(report_db) -> dict:
    engine = make_engine(report_db.database_url)
    with Session(engine) as session:
        report = seed_report(session, SEED_PATH)
    engine.dispose()
    return report


def check_report_page(driver, expected: dict, screenshot) -> None:
    """Sentences and labels as in the database; selecting a sentence shows its source sentences;
    the Arabic original runs right to left; no script from the texts ran."""
    WebDriverWait(driver, 10).until(lambda d: "js" in d.find_element(By.TAG_NAME, "html").get_attribute("class"))
    sentences = driver.find_elements(By.CSS_SELECTOR, "#seed-text .s[data-n]")
    assert [s.text for s in sentences] == [s["text"] for s in expected["sentences"]]
    assert [s.get_attribute("data-label") for s in sentences] == [s["label"] for s in expected["sentences"]]
    tags = driver.find_elements(By.CSS_SELECTOR, "#seed-text .tag")
    assert [t.text for t in tags] == [s["label"] for s in expected["sentences"]]  # the label as words too
    assert SCRIPT_LINE in [s.text for s in sentences]  # shown as text, never run

    first, second = driver.find_element(By.ID, "d-0"), driver.find_element(By.ID, "d-1")
    sentences[0].click()
    assert first.is_displayed() and not second.is_displayed()
    originals = first.find_elements(By.CSS_SELECTOR, ".original")
    translations = first.find_elements(By.CSS_SELECTOR, ".translated")
    links = expected["sentences"][0]["links"]
    assert sorted(o.text for o in originals) == sorted(link["original"] for link in links)
    assert sorted(t.text for t in translations) == sorted(link["translated"] for link in links)
    arabic = next(o for o in originals if o.text == ARABIC_FIRST)
    assert arabic.get_attribute("dir") == "rtl"
    assert driver.execute_script("return getComputedStyle(arguments[0]).direction", arabic) == "rtl"
    vietnamese = next(o for o in originals if o.get_attribute("lang") == "vi")
    assert driver.execute_script("return getComputedStyle(arguments[0]).direction", vietnamese) == "ltr"
    driver.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 0

    # The keyboard: Tab order reaches the sentences; Enter and Space select.
    sentences[1].send_keys(Keys.ENTER)
    assert second.is_displayed() and not first.is_displayed()
    assert sentences[1].get_attribute("aria-expanded") == "true"
    sentences[0].send_keys(Keys.SPACE)
    assert first.is_displayed() and not second.is_displayed()
    assert sentences[0].get_attribute("tabindex") == "0"


def test_the_static_report_file_in_a_browser(chrome, report_db, tracker, tmp_path, expected):
    out = tmp_path / "report.html"
    assert tracker("report", SEED_PATH, "-o", str(out)).exit_code == 0
    chrome.get(out.as_uri())
    check_report_page(chrome, expected, tmp_path / "report.png")
    # Without JavaScript's panel every detail is still in the page, in order.
    assert len(chrome.find_elements(By.CSS_SELECTOR, "article.detail")) == len(expected["sentences"])


def test_the_served_pages_in_a_browser(chrome, report_db, tmp_path, expected):
    engine = read_only_engine(report_db.database_url)
    try:
        with serving(create_app(engine)) as base:
            chrome.get(base + "/")
            chrome.find_element(By.LINK_TEXT, SEED_PATH).click()
            WebDriverWait(chrome, 10).until(lambda d: d.current_url.endswith("/seed/1"))
            check_report_page(chrome, expected, tmp_path / "served.png")

            search = chrome.find_element(By.NAME, "url")
            search.send_keys(report_db.ar_url)
            search.send_keys(Keys.ENTER)
            WebDriverWait(chrome, 10).until(lambda d: "/source/" in d.current_url)
            original = chrome.find_element(By.XPATH, f"//td[@class='original' and text()='{ARABIC_FIRST}']")
            assert chrome.execute_script("return getComputedStyle(arguments[0]).direction", original) == "rtl"
            heading = chrome.find_element(By.TAG_NAME, "h1")
            assert heading.text == 'الكرملين وسوريا <script>alert("title")</script>'
            chrome.save_screenshot(str(tmp_path / "source.png"))
    finally:
        engine.dispose()


def test_a_large_report_pages_its_sources_and_shows_details_on_selection(chrome, project, tracker, monkeypatch):
    """Issue 27 (item 11): the file of a seed citing 60 sources shows its sources 50 at a time and a
    sentence's panel (at most LINKS_SHOWN sources in full) when the sentence is selected."""
    from tests.report_db import seed_citing_many
    from tracker.read.report import LINKS_SHOWN, SOURCES_PER_PAGE

    seed_citing_many(project, tracker, monkeypatch, 60)
    out = project / "many.html"
    assert tracker("report", "many.txt", "-o", str(out)).exit_code == 0
    chrome.get(out.as_uri())
    WebDriverWait(chrome, 10).until(lambda d: "js" in d.find_element(By.TAG_NAME, "html").get_attribute("class"))

    def visible_sources() -> int:
        return sum(1 for e in chrome.find_elements(By.CSS_SELECTOR, "div.source") if e.is_displayed())

    assert visible_sources() == SOURCES_PER_PAGE
    chrome.find_element(By.CSS_SELECTOR, '.pager a[data-goto="2"]').click()
    assert visible_sources() == 60 - SOURCES_PER_PAGE
    sentences = chrome.find_elements(By.CSS_SELECTOR, "#seed-text .s[data-n]")
    sentences[5].send_keys(Keys.ENTER)
    panel = chrome.find_element(By.ID, "d-5")
    assert panel.is_displayed() and not chrome.find_element(By.ID, "d-4").is_displayed()
    links = panel.find_elements(By.CSS_SELECTOR, ".link")
    assert len(links) == LINKS_SHOWN and all(link.find_elements(By.CSS_SELECTOR, ".original") for link in links)
    assert "more sources say something like it" in panel.text
