"""Original versions: main text, metadata and language of a fetched page.

Takes fetched responses; gives `original` versions with their extract activity.
"""

from __future__ import annotations

import re
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


def _regex_problem(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as error:
        return f"{pattern!r} is not a regular expression ({error})"
    return None


@dataclass(frozen=True)
class OriginalsSettings:
    """What counts as a change of a page's text (tracker.originals.volatile); read from [fetch],
    where a user looks for what decides a new capture."""

    SECTION: ClassVar[str] = "fetch"

    ignore_patterns: tuple[str, ...] = setting(
        (),
        "Regular expressions for more volatile lines: a short line (120 characters or fewer) in which "
        "one is found does not count when deciding whether a capture is a new version; it stays in the "
        "stored text. Added to the built-in relative times, updated stamps and counters. "
        "Comma-separated or a JSON list in the environment.",
        check=_regex_problem,
    )

    def patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern) for pattern in self.ignore_patterns)
