"""The schema revisions this tracker ships, read from the migration files without importing
Alembic (which costs a few hundred milliseconds at every start)."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

# migrations/ ships inside the wheel as tracker.migrations (pyproject.toml maps it).
MIGRATIONS_DIR = Path(str(resources.files("tracker.migrations")))

REVISION_LINE = re.compile(r"""^(revision|down_revision)\s*(?::[^=\n]*)?=\s*['"]([^'"]+)['"]""", re.MULTILINE)


def _revision_lines() -> list[dict[str, str]]:
    return [
        dict(REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        for path in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py")
    ]


def known_revisions() -> set[str]:
    return {found["revision"] for found in _revision_lines() if "revision" in found}


def script_head() -> str | None:
    """The newest migration's revision; None when that is not clear-cut."""
    revisions, parents = set(), set()
    for found in _revision_lines():
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        parents.add(found.get("down_revision"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
