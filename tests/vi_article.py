"""The Vietnamese test article (fixtures/pages/vi_article.html) and what the tiny vi→en model
built from GLOSSARY makes of it: shared by every test that translates it."""

from pathlib import Path

PAGE = Path(__file__).parent / "fixtures" / "pages" / "vi_article.html"

# Word by word, as the tiny model translates; words not listed (Kremlin, Syria) pass unchanged.
GLOSSARY = {
    "Điện": "The",
    "nói": "said",
    "Nga": "Russia",
    "ủng": "supports",
    "hộ": "the",
    "thống": "unity",
    "nhất": "of",
    "Hai": "Both",
    "bên": "sides",
    "thảo": "discussed",
    "luận": "on",
    "thương": "trade",
    "mại": "and",
    "và": "also",
    "giáo": "on",
    "dục": "education",
    "Thời": "The",
    "tiết": "weather",
    "hôm": "was",
    "nay": "very",
    "đẹp": "fine",
}
ORIGINAL = (
    "Điện Kremlin nói Nga ủng hộ thống nhất Syria.\nHai bên thảo luận thương mại và giáo dục.\nThời tiết hôm nay đẹp."
)
TRANSLATION = (
    "The Kremlin said Russia supports the unity of Syria.\n"
    "Both sides discussed on trade and also on education.\n"
    "The weather was very fine."
)
