"""Settings: packaged defaults, then config.toml, then TRACKER_* environment, then flags.

Every setting is declared once in SETTINGS, with its section and key in config.toml, the
environment variable that overrides it, and a line of documentation (the README table is
checked against this list by a test).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tracker.errors import TrackerError


class ConfigError(TrackerError, ValueError):
    """A configuration file or value a user must fix."""

    exit_status = 2


@dataclass(frozen=True)
class Setting:
    section: str
    key: str
    env: str
    default: Any
    doc: str

    @property
    def attr(self) -> str:
        """The Settings field: the key, prefixed by its section where the key alone is vague."""
        return f"{self.section}_{self.key}" if self.section in ("fetch", "database", "worker") else self.key


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database",
        "url",
        "TRACKER_DATABASE_URL",
        "sqlite:///data/tracker.db",
        "SQLAlchemy URL of the database; a relative SQLite path is relative to the config file.",
    ),
    Setting(
        "paths",
        "data_dir",
        "TRACKER_DATA_DIR",
        "data",
        "Where tracker keeps its state: database (by default), models, caches.",
    ),
    Setting(
        "paths",
        "seeds_dir",
        "TRACKER_SEEDS_DIR",
        "seeds",
        "Folder of seed documents (.txt, .md, .html) that `tracker run` ingests.",
    ),
    Setting(
        "translation",
        "targets",
        "TRACKER_TARGETS",
        ["en"],
        "Languages that sources are translated into (ISO 639-1 codes); excerpts use the first. "
        "Comma-separated in the environment.",
    ),
    Setting(
        "translation",
        "models_dir",
        "TRACKER_MODELS_DIR",
        "data/models",
        "Folder of installed Argos Translate packages (never $HOME).",
    ),
    Setting(
        "translation",
        "auto_install",
        "TRACKER_AUTO_INSTALL",
        True,
        "Let `tracker run` download a missing model from Argos's package index.",
    ),
    Setting(
        "translation",
        "index_url",
        "TRACKER_INDEX_URL",
        "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json",
        "Argos package index that missing models are downloaded from.",
    ),
    Setting(
        "translation",
        "device",
        "TRACKER_TRANSLATION_DEVICE",
        "auto",
        'Where `tracker worker` runs translation models: "auto" (CUDA when CTranslate2 sees a GPU), "cpu" or "cuda".',
    ),
    Setting(
        "translation",
        "compute_type",
        "TRACKER_TRANSLATION_COMPUTE_TYPE",
        "auto",
        'CTranslate2 compute type for workers ("auto", "int8", "float16", ...).',
    ),
    Setting(
        "translation",
        "inter_threads",
        "TRACKER_TRANSLATION_INTER_THREADS",
        1,
        "Batches a worker's model translates at once (keep inter × intra threads <= physical cores).",
    ),
    Setting(
        "translation",
        "intra_threads",
        "TRACKER_TRANSLATION_INTRA_THREADS",
        0,
        "Threads per batch in a worker (0: CTranslate2 picks).",
    ),
    Setting(
        "worker",
        "lease",
        "TRACKER_WORKER_LEASE",
        60.0,
        "Seconds a worker's claim on a job or a host lasts unless renewed; then another worker takes over.",
    ),
    Setting(
        "worker",
        "batch_tokens",
        "TRACKER_WORKER_BATCH_TOKENS",
        4000,
        "Rough tokens of originals (of one language pair) a translation job takes at once.",
    ),
    Setting(
        "language",
        "seed",
        "TRACKER_LANGUAGE_SEED",
        0,
        "Seed for langdetect, so the same text always gets the same language.",
    ),
    Setting(
        "fetch",
        "allow_private",
        "TRACKER_FETCH_ALLOW_PRIVATE",
        [],
        "Private/loopback addresses or CIDRs the fetcher may reach (default: none). "
        "Comma-separated in the environment.",
    ),
    Setting(
        "fetch",
        "allow_ports",
        "TRACKER_FETCH_ALLOW_PORTS",
        [],
        "Ports allowed besides 80 and 443. Comma-separated in the environment.",
    ),
    Setting(
        "fetch",
        "user_agent",
        "TRACKER_FETCH_USER_AGENT",
        "tracker/0.1 (multilingual source tracker; +https://example.invalid/tracker)",
        "User-Agent sent with every request; put a contact URL in it.",
    ),
    Setting("fetch", "connect_timeout", "TRACKER_FETCH_CONNECT_TIMEOUT", 10.0, "Seconds to wait for a connection."),
    Setting("fetch", "read_timeout", "TRACKER_FETCH_READ_TIMEOUT", 20.0, "Seconds to wait for each read."),
    Setting(
        "fetch",
        "deadline",
        "TRACKER_FETCH_DEADLINE",
        60.0,
        "Seconds one fetch may take in all (redirects and retries included).",
    ),
    Setting(
        "fetch",
        "max_body_bytes",
        "TRACKER_FETCH_MAX_BODY_BYTES",
        10 * 1024 * 1024,
        "Largest decoded response body kept; larger ones are refused while streaming.",
    ),
    Setting("fetch", "max_redirects", "TRACKER_FETCH_MAX_REDIRECTS", 5, "Redirects followed before giving up."),
    Setting(
        "fetch",
        "max_retries",
        "TRACKER_FETCH_MAX_RETRIES",
        2,
        "Retries of a timeout, connection error, 429 or 5xx within one run.",
    ),
    Setting(
        "fetch", "backoff", "TRACKER_FETCH_BACKOFF", 1.0, "Base seconds of the exponential backoff between retries."
    ),
    Setting(
        "fetch",
        "host_delay",
        "TRACKER_FETCH_HOST_DELAY",
        1.0,
        "Least seconds between two requests to one host (robots.txt Crawl-delay wins if longer).",
    ),
    Setting(
        "fetch",
        "concurrency",
        "TRACKER_FETCH_CONCURRENCY",
        4,
        "Hosts fetched from at once (never more than one request at a time per host).",
    ),
    Setting(
        "fetch",
        "max_host_wait",
        "TRACKER_FETCH_MAX_HOST_WAIT",
        60.0,
        "Longest a run waits for a host (Crawl-delay, Retry-After); its other pages wait for a later run.",
    ),
    Setting(
        "schedule",
        "min_interval",
        "TRACKER_MIN_INTERVAL",
        900,
        "Seconds between fetches of a source that is new or just changed.",
    ),
    Setting(
        "schedule",
        "max_interval",
        "TRACKER_MAX_INTERVAL",
        3 * 24 * 3600,
        "Longest interval between fetches; it doubles each time a source is unchanged.",
    ),
    Setting(
        "schedule",
        "retry_after",
        "TRACKER_RETRY_AFTER",
        3600,
        "Seconds before a failed source is tried again; doubles per failure, at most a week.",
    ),
    Setting(
        "schedule",
        "retire_after_not_found",
        "TRACKER_RETIRE_AFTER_NOT_FOUND",
        3,
        "A source answering 404 this many times in a row is retired (410 retires at once).",
    ),
)


@dataclass(frozen=True)
class Settings:
    """Resolved settings; paths are absolute."""

    base_dir: Path
    database_url: str
    data_dir: Path
    seeds_dir: Path
    targets: tuple[str, ...]
    models_dir: Path
    auto_install: bool
    index_url: str
    seed: int
    fetch_allow_private: tuple[str, ...]
    fetch_allow_ports: tuple[int, ...]
    fetch_user_agent: str
    fetch_connect_timeout: float
    fetch_read_timeout: float
    fetch_deadline: float
    fetch_max_body_bytes: int
    fetch_max_redirects: int
    fetch_max_retries: int
    fetch_backoff: float
    min_interval: int
    max_interval: int
    fetch_host_delay: float
    fetch_concurrency: int
    fetch_max_host_wait: float
    retry_after: int
    retire_after_not_found: int
    device: str = "auto"
    compute_type: str = "auto"
    inter_threads: int = 1
    intra_threads: int = 0
    worker_lease: float = 60.0
    worker_batch_tokens: int = 4000
    config_file: Path | None = field(default=None)

    @property
    def target(self) -> str:
        """The first target language: the one excerpts are aligned in."""
        return self.targets[0]

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_settings(config_file: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings: `config_file`, else $TRACKER_CONFIG, else ./config.toml if present."""
    environ = os.environ if environ is None else environ
    path = config_file or environ.get("TRACKER_CONFIG")
    if path is None and Path("config.toml").is_file():
        path = "config.toml"
    file_values: dict[str, dict[str, Any]] = {}
    if path is not None:
        path = Path(path).resolve()
        try:
            file_values = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML ({error})") from None
    base_dir = path.parent if path is not None else Path.cwd()
    file_values, environ = _accept_old_target_key(file_values, environ, path)
    _reject_unknown_keys(file_values, path)

    values: dict[str, Any] = {}
    for setting in SETTINGS:
        value = file_values.get(setting.section, {}).get(setting.key, setting.default)
        if setting.env in environ:
            value = _from_env(setting, environ[setting.env])
        values[setting.attr] = _coerce(setting, value)

    if not values["targets"]:
        raise ConfigError('[translation] targets is empty: name at least one language, e.g. ["en"]')
    for code in values["targets"]:
        if not _LANGUAGE_CODE.match(code):
            raise ConfigError(f'[translation] targets: {code!r} is not a language code such as "en"')

    def resolve(p: str) -> Path:
        return (base_dir / Path(p).expanduser()).resolve()

    return Settings(
        base_dir=base_dir,
        config_file=path,
        database_url=_resolve_sqlite_url(values.pop("database_url"), base_dir),
        data_dir=resolve(values.pop("data_dir")),
        seeds_dir=resolve(values.pop("seeds_dir")),
        models_dir=resolve(values.pop("models_dir")),
        **values,
    )


_LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{1,8})*$")


def _accept_old_target_key(
    file_values: dict, environ: Mapping[str, str], path: Path | None
) -> tuple[dict, Mapping[str, str]]:
    """Read the single-language `[translation] target` / TRACKER_TARGET of older configs as
    `targets` / TRACKER_TARGETS with one language."""
    translation = file_values.get("translation")
    if isinstance(translation, dict) and "target" in translation:
        if "targets" in translation:
            raise ConfigError(f"{path}: [translation] has both target and targets: keep only targets")
        translation = {k: v for k, v in translation.items() if k != "target"}
        translation["targets"] = [file_values["translation"]["target"]]
        file_values = {**file_values, "translation": translation}
    if "TRACKER_TARGET" in environ and "TRACKER_TARGETS" not in environ:
        environ = {**environ, "TRACKER_TARGETS": environ["TRACKER_TARGET"]}
    return file_values, environ


def _reject_unknown_keys(file_values: dict, path: Path | None) -> None:
    known = {(s.section, s.key) for s in SETTINGS}
    for section, table in file_values.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: '{section}' must be a [section]")
        for key in table:
            if (section, key) not in known:
                raise ConfigError(f"{path}: unknown setting [{section}] {key}")


def _from_env(setting: Setting, raw: str) -> Any:
    if isinstance(setting.default, list):
        return [item.strip() for item in raw.split(",") if item.strip()]
    if isinstance(setting.default, bool):
        lowered = raw.strip().lower()
        if lowered not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
            raise ConfigError(f"{setting.env}={raw!r}: expected true or false")
        return lowered in {"1", "true", "yes", "on"}
    return raw


def _coerce(setting: Setting, value: Any) -> Any:
    kind = type(setting.default)
    try:
        if kind is bool:
            if not isinstance(value, bool):
                raise TypeError
            return value
        if kind is list:
            if not isinstance(value, list):
                raise TypeError
            return tuple(int(v) for v in value) if setting.key == "allow_ports" else tuple(str(v) for v in value)
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"[{setting.section}] {setting.key} = {value!r}: expected {kind.__name__}") from None


def _resolve_sqlite_url(url: str, base_dir: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((base_dir / url[len(prefix) :]).resolve())
    return url


def render_default_config() -> str:
    """config.toml with every setting at its default, documented (the shipped file is this)."""
    lines = [
        "# tracker configuration. Every key can be overridden by the environment variable named",
        "# beside it, and some by command-line flags. Relative paths are relative to this file.",
        "",
    ]
    section = None
    sections = list(dict.fromkeys(setting.section for setting in SETTINGS))
    for setting in sorted(SETTINGS, key=lambda setting: sections.index(setting.section)):
        if setting.section != section:
            lines += [""] if section else []
            lines.append(f"[{setting.section}]")
            section = setting.section
        lines.append(f"# {setting.doc} (${setting.env})")
        lines.append(f"{setting.key} = {_toml_value(setting.default)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    import json

    return str(value).lower() if isinstance(value, bool) else json.dumps(value, ensure_ascii=False)
