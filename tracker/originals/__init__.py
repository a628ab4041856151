"""Original versions: main text, metadata and language of a fetched page.

Takes fetched responses; gives `original` versions with their extract activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tracker.setting import setting


@dataclass(frozen=True)
class LanguageSettings:
    SECTION: ClassVar[str] = "language"

    seed: int = setting(0, "Seed for langdetect, so the same text always gets the same language.")
    on_uncertain: str = setting(
        "skip",
        'A page whose language is uncertain: "skip" leaves its translation pending, "translate" '
        "translates it from the detected language anyway.",
        choices=("skip", "translate"),
    )
