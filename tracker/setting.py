"""How a component declares its settings: a frozen dataclass whose fields carry their docs.

Each component owns one settings class (`FetchSettings` in tracker.fetch, `TranslationSettings` in
tracker.translation, …) and writes each default once, here:

    @dataclass(frozen=True)
    class FetchSettings:
        SECTION: ClassVar[str] = "fetch"
        read_timeout: float = setting(20.0, "Seconds to wait for each read.", above=0)

Every float setting must be finite: `inf` or `nan` is refused like any value out of bounds.

tracker.config reads config.toml, the environment and flags into these classes, and generates the
shipped config.toml and docs/configuration.md from them, so the three never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from typing import Any


def setting(
    default: Any,
    doc: str,
    *,
    env: str | None = None,
    above: float | None = None,
    at_least: float | None = None,
    choices: tuple[str, ...] | None = None,
    pattern: tuple[str, str] | None = None,
    check: Callable[[Any], str | None] | None = None,
    secret: bool = False,
) -> Any:
    """A field with its documentation, its environment variable (default TRACKER_<SECTION>_<KEY>,
    or the class's ENV_PREFIX + KEY) and what a value must respect: `above` or `at_least` a bound
    (for a list: at least that many items), one of `choices`, or a `pattern` (a regular expression and what it
    stands for; each item of a list), or pass `check` (each item of a list; it returns what is wrong, or None).
    A `secret` value is never quoted in an error: only its key is named.

    A settings class checks what spans several of its settings in a `check(self)` method that
    returns what is wrong (naming the keys), or None; tracker.config calls it once values are read."""
    metadata = {
        "doc": doc,
        "env": env,
        "above": above,
        "at_least": at_least,
        "choices": choices,
        "pattern": pattern,
        "check": check,
        "secret": secret,
    }
    if isinstance(default, list | tuple):
        return field(default_factory=lambda: tuple(default), metadata=metadata)
    return field(default=default, metadata=metadata)
