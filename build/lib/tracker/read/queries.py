"""Named SQL queries from tracker/read/queries.sql: `-- name: NAME` headers, comment lines, SQL.

The same file feeds `tracker sql --query NAME`, Datasette's canned queries and the README.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

QUERIES_FILE = Path(__file__).with_name("queries.sql")
_HEADER = re.compile(r"^--\s*name:\s*(\w+)\s*$")
_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")  # :url, not PostgreSQL's ::cast
_STRING = re.compile(r"'(?:[^']|'')*'")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    sql: str

    @property
    def parameters(self) -> list[str]:
        """Parameter names in order of first use."""
        names = _PARAMETER.findall(_STRING.sub("''", self.sql))
        return list(dict.fromkeys(names))


def load_queries(path: Path = QUERIES_FILE) -> dict[str, NamedQuery]:
    """The named queries in `path`, in file order."""
    if not path.is_file():
        raise FileNotFoundError(f"named queries not found at {path}")
    queries: dict[str, NamedQuery] = {}
    name, comments, lines = None, [], []

    def finish() -> None:
        if name is not None:
            queries[name] = NamedQuery(name, " ".join(comments), "\n".join(lines).strip().rstrip(";"))

    for line in path.read_text(encoding="utf-8").splitlines():
        header = _HEADER.match(line)
        if header:
            finish()
            name, comments, lines = header.group(1), [], []
        elif name is not None:
            if line.startswith("--") and not lines:
                comments.append(line.lstrip("-").strip())
            else:
                lines.append(line)
    finish()
    return queries


def datasette_metadata(database_name: str, queries: dict[str, NamedQuery] | None = None) -> dict:
    """Datasette metadata with every named query as a canned query of `database_name`
    (Datasette names a database after its file, without the extension)."""
    queries = load_queries() if queries is None else queries
    return {
        "title": "tracker: sources, versions and how they were made",
        "description": "Seeds, the sources they cite, their original, translated and excerpt versions, "
        "and the activities that made them. Canned queries come from tracker/read/queries.sql.",
        "databases": {
            database_name: {
                "queries": {
                    query.name: {
                        "title": query.name.replace("_", " "),
                        "description": query.description,
                        "sql": query.sql,
                    }
                    for query in queries.values()
                }
            }
        },
    }
