"""Quote checks: exact, approximate (with the differing words) and not found."""

from pathlib import Path

from tracker.excerpts.quotes import check_quotes, find_quotes

REPO_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SOURCE = (
    "The Kremlin said the conversation was constructive, business-like and meaningful. "
    "Putin said the two countries are bound by mutually beneficial cooperation."
)


def test_curly_and_straight_quotes_are_found_with_their_offsets():
    seed = (REPO_SEEDS / "000_2c3edb034ccb3b0f.txt").read_text(encoding="utf-8")
    quotes = find_quotes(seed)
    texts = [q.text for q in quotes]
    assert "constructive, businesslike and meaningful" in texts  # curly quotes
    assert "bound by mutually beneficial cooperation" in texts  # straight, closing full stop dropped
    for quote in quotes:
        assert seed[quote.start : quote.end] == quote.text


def test_single_words_in_quotes_are_not_quotations():
    found = find_quotes('He called it a "success" and «une réussite totale».')
    assert [q.text for q in found] == ["une réussite totale"]


def test_exact_approximate_and_invented_quotes():
    seed = (
        'The call was “constructive, businesslike and meaningful”. They are "bound by mutually '
        'beneficial cooperation." He promised “a new golden age for both nations”.'
    )
    approximate, exact, invented = check_quotes(seed, SOURCE)
    assert exact.status == "exact" and exact.source_text == "bound by mutually beneficial cooperation"
    assert SOURCE[exact.source_start : exact.source_end] == exact.source_text
    assert approximate.status == "approximate"
    assert approximate.source_text == "constructive, business-like and meaningful"
    assert approximate.differences == [{"seed": "businesslike", "source": "business like"}]
    assert invented.status == "not_found" and invented.source_text is None


def test_case_and_apostrophes_do_not_make_a_quote_inexact():
    [check] = check_quotes(
        "He praised “Russia’s unwavering determination”.", "Putin reaffirmed RUSSIA'S unwavering determination to help."
    )
    assert check.status == "exact"
