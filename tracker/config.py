"""Settings: defaults, then config.toml, then TRACKER_* environment, then flags.

Each component declares its settings once, as a dataclass in its own package (see
tracker/setting.py); `Settings` gathers one of each. This module reads them, checks every value
(a wrong type, a bound, a pattern: one line naming the key, the value and what is expected), and
writes the shipped config.toml and docs/configuration.md from the same declarations.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, fields, replace
from pathlib import Path
from typing import Any, ClassVar

from tracker.alerts import AlertsSettings
from tracker.archive import ArchiveSettings
from tracker.errors import TrackerError
from tracker.fetch import CrawlSettings, FetchSettings, ScheduleSettings
from tracker.originals import LanguageSettings, OriginalsSettings
from tracker.read import ServeSettings
from tracker.seeds import SeedsSettings
from tracker.setting import setting
from tracker.store import DatabaseSettings
from tracker.trails import TrailSettings
from tracker.translation import TranslationSettings
from tracker.workers import WorkerSettings


class ConfigError(TrackerError, ValueError):
    """A configuration file or value a user must fix."""

    exit_status = 2


@dataclass(frozen=True)
class PathSettings:
    SECTION: ClassVar[str] = "paths"
    ENV_PREFIX: ClassVar[str] = "TRACKER_"

    data_dir: Path = setting(Path("data"), "Where tracker keeps its state: database (by default), models, caches.")
    seeds_dir: Path = setting(Path("seeds"), "Folder of seed documents (.txt, .md, .html) that `tracker run` ingests.")
    seed_page_recheck: int = setting(
        86400,
        "Seconds before `tracker run` fetches a seed page (a seed added by URL) again to see if it changed.",
        above=0,
    )


# Settings attribute → the component class that declares it, in documentation order.
COMPONENTS: dict[str, type] = {
    "database": DatabaseSettings,
    "paths": PathSettings,
    "seeds": SeedsSettings,
    "translation": TranslationSettings,
    "language": LanguageSettings,
    "originals": OriginalsSettings,
    "fetch": FetchSettings,
    "crawl": CrawlSettings,
    "schedule": ScheduleSettings,
    "archive": ArchiveSettings,
    "worker": WorkerSettings,
    "serve": ServeSettings,
    "trail": TrailSettings,
    "alerts": AlertsSettings,
}


@dataclass(frozen=True)
class Settings:
    """Resolved settings, one object per component; paths are absolute."""

    base_dir: Path
    config_file: Path | None
    database: DatabaseSettings
    paths: PathSettings
    seeds: SeedsSettings
    translation: TranslationSettings
    language: LanguageSettings
    originals: OriginalsSettings
    fetch: FetchSettings
    crawl: CrawlSettings
    schedule: ScheduleSettings
    archive: ArchiveSettings
    worker: WorkerSettings
    serve: ServeSettings
    trail: TrailSettings
    alerts: AlertsSettings

    @property
    def cache_dir(self) -> Path:
        return self.paths.data_dir / "cache"

    def with_overrides(self, component: str, **changes: Any) -> Settings:
        """A copy with some of one component's settings changed (None leaves a setting as it is)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **{component: replace(getattr(self, component), **changes)})


@dataclass(frozen=True)
class Option:
    """One setting as a user sees it: its TOML section and key, environment variable and docs."""

    component: type
    field: Field
    kind: Any

    @property
    def section(self) -> str:
        return self.component.SECTION

    @property
    def key(self) -> str:
        return self.field.name

    @property
    def env(self) -> str:
        prefix = getattr(self.component, "ENV_PREFIX", f"TRACKER_{self.section.upper()}_")
        return self.field.metadata.get("env") or prefix + self.key.upper()

    @property
    def default(self) -> Any:
        return self.field.default if self.field.default is not MISSING else self.field.default_factory()

    @property
    def doc(self) -> str:
        return self.field.metadata["doc"]


def options() -> list[Option]:
    """Every setting, components in documentation order."""
    found = []
    for component in COMPONENTS.values():
        hints = typing.get_type_hints(component)
        found += [Option(component, f, hints[f.name]) for f in fields(component)]
    return found


def load_settings(config_file: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings: `config_file`, else $TRACKER_CONFIG, else ./config.toml if present."""
    environ = os.environ if environ is None else environ
    path = config_file or environ.get("TRACKER_CONFIG")
    if path is None and Path("config.toml").is_file():
        path = "config.toml"
    file_values: dict[str, Any] = {}
    if path is not None:
        path = Path(path).resolve()
        file_values = _read_toml(path)
    base_dir = path.parent if path is not None else Path.cwd()
    file_values, environ = _accept_renamed_keys(file_values, environ, path)
    _reject_unknown_keys(file_values, path)

    values: dict[str, dict[str, Any]] = {name: {} for name in COMPONENTS}
    names = {component: name for name, component in COMPONENTS.items()}
    for option in options():
        table = file_values.get(option.section, {})
        if option.env in environ:
            raw = environ[option.env]
            where = option.env if option.field.metadata.get("secret") else f"{option.env}={raw!r}"
            value = _coerce(option, _from_env(option, raw), where)
        elif option.key in table:
            shown = "(not shown)" if option.field.metadata.get("secret") else _show(table[option.key])
            value = _coerce(option, table[option.key], f"[{option.section}] {option.key} = {shown}")
        else:
            continue
        values[names[option.component]][option.key] = value

    def resolve(p: Path) -> Path:
        return (base_dir / Path(p).expanduser()).resolve()

    components = {name: component(**values[name]) for name, component in COMPONENTS.items()}
    for component in components.values():
        problem = component.check() if hasattr(component, "check") else None
        if problem:
            raise ConfigError(f"{path or 'settings'}: {problem}")
    paths, translation = components["paths"], components["translation"]
    components["paths"] = replace(paths, data_dir=resolve(paths.data_dir), seeds_dir=resolve(paths.seeds_dir))
    components["translation"] = replace(translation, models_dir=resolve(translation.models_dir))
    database = components["database"]
    components["database"] = replace(database, url=_resolve_sqlite_url(database.url, base_dir))
    return Settings(base_dir=base_dir, config_file=path, **components)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start}): save it as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None


def _accept_renamed_keys(
    file_values: dict, environ: Mapping[str, str], path: Path | None
) -> tuple[dict, Mapping[str, str]]:
    """Read the keys of older configs under their new names: the single-language
    `[translation] target` / TRACKER_TARGET as `targets` / TRACKER_TARGETS with one language, and
    `[originals] ignore_lines` as `[fetch] ignore_patterns`."""
    translation = file_values.get("translation")
    if isinstance(translation, dict) and "target" in translation:
        if "targets" in translation:
            raise ConfigError(f"{path}: [translation] has both target and targets: keep only targets")
        translation = {k: v for k, v in translation.items() if k != "target"}
        translation["targets"] = [file_values["translation"]["target"]]
        file_values = {**file_values, "translation": translation}
    originals = file_values.get("originals")
    if isinstance(originals, dict) and set(originals) <= {"ignore_lines"}:
        # Renamed [fetch] ignore_patterns (issue 26) soon after it came; a config that has it still reads.
        fetch = dict(file_values.get("fetch") or {})
        fetch.setdefault("ignore_patterns", originals.get("ignore_lines", []))
        file_values = {k: v for k, v in file_values.items() if k != "originals"} | {"fetch": fetch}
    if "TRACKER_TARGET" in environ and "TRACKER_TARGETS" not in environ:
        environ = {**environ, "TRACKER_TARGETS": environ["TRACKER_TARGET"]}
    return file_values, environ


def _reject_unknown_keys(file_values: dict, path: Path | None) -> None:
    known = {(o.section, o.key) for o in options()}
    sections = {section for section, _ in known}
    for section, table in file_values.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: '{section}' must be a [section]; known: {', '.join(sorted(sections))}")
        for key in table:
            if (section, key) not in known:
                keys = sorted(k for s, k in known if s == section)
                hint = f"; known in [{section}]: {', '.join(keys)}" if keys else ""
                raise ConfigError(f"{path}: unknown setting [{section}] {key}{hint}")


def _from_env(option: Option, raw: str) -> Any:
    """An environment value as the TOML value it stands for: lists as `a,b` or `["a","b"]`."""
    if typing.get_origin(option.kind) is tuple:
        text = raw.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return raw  # reported by _coerce as not a list
        items = [item.strip() for item in text.split(",") if item.strip()]
        if typing.get_args(option.kind)[0] is int:
            items = [int(item) if item.lstrip("-").isdigit() else item for item in items]
        return items
    if option.kind is bool:
        lowered = raw.strip().lower()
        truth = {
            "1": True,
            "true": True,
            "yes": True,
            "on": True,
            "0": False,
            "false": False,
            "no": False,
            "off": False,
        }
        return truth.get(lowered, raw)
    if option.kind in (int, float):
        try:
            return option.kind(raw.strip())
        except ValueError:
            return raw
    return raw


_EXPECTED = {bool: "true or false", int: "a whole number", float: "a number", str: "a string", Path: "a path"}
_PLURAL = {int: "whole numbers", str: "strings"}


def _coerce(option: Option, value: Any, where: str) -> Any:
    """`value` as the option's type, within its bounds, or a ConfigError saying what is expected."""
    meta = option.field.metadata
    if typing.get_origin(option.kind) is tuple:
        item_kind = typing.get_args(option.kind)[0]
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list of {_PLURAL[item_kind]}")
        try:
            items = tuple(_coerce_scalar(item_kind, item, where) for item in value)
        except ConfigError:
            raise ConfigError(f"{where}: expected a list of {_PLURAL[item_kind]}") from None
        if meta.get("at_least") and len(items) < meta["at_least"]:
            raise ConfigError(f"{where}: expected at least {meta['at_least']:g} item(s)")
        for item in items:
            _check_pattern(meta, item, where)
            _check_value(meta, item, where)
        return items
    coerced = _coerce_scalar(option.kind, value, where)
    if meta.get("above") is not None and not coerced > meta["above"]:
        raise ConfigError(f"{where}: expected {_EXPECTED[option.kind]} greater than {meta['above']:g}")
    if meta.get("at_least") is not None and not coerced >= meta["at_least"]:
        raise ConfigError(f"{where}: expected {_EXPECTED[option.kind]} of at least {meta['at_least']:g}")
    if meta.get("choices") and coerced not in meta["choices"]:
        raise ConfigError(f"{where}: expected one of {', '.join(map(repr, meta['choices']))}")
    _check_pattern(meta, coerced, where)
    _check_value(meta, coerced, where)
    return coerced


def _coerce_scalar(kind: Any, value: Any, where: str) -> Any:
    ok = {
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, int | float) and not isinstance(value, bool),
        str: isinstance(value, str),
        Path: isinstance(value, str | Path) and str(value) != "",
    }[kind]
    if not ok:
        raise ConfigError(f"{where}: expected {_EXPECTED[kind]}")
    if kind is float and not math.isfinite(value):  # inf would mean "never", nan compares false to every bound
        raise ConfigError(f"{where}: expected a finite number")
    return kind(value)


def _check_value(meta: Mapping[str, Any], value: Any, where: str) -> None:
    if meta.get("check"):
        problem = meta["check"](value)
        if problem:
            raise ConfigError(f"{where}: {problem}")


def _check_pattern(meta: Mapping[str, Any], value: Any, where: str) -> None:
    if meta.get("pattern"):
        pattern, meaning = meta["pattern"]
        if not re.fullmatch(pattern, str(value)):  # fullmatch: "$" would let a final newline through
            raise ConfigError(f"{where}: {value!r} is not {meaning}")


def _resolve_sqlite_url(url: str, base_dir: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((base_dir / url[len(prefix) :]).resolve())
    return url


def _show(value: Any) -> str:
    """A value as TOML writes it."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # inf, nan: as TOML writes them, not JSON's Infinity
    return json.dumps(value, ensure_ascii=False)


def render_default_config() -> str:
    """config.toml with every setting at its default, documented (the shipped file is this)."""
    lines = [
        "# tracker configuration. Every key can be overridden by the environment variable named",
        "# beside it, and some by command-line flags. Relative paths are relative to this file.",
        "",
    ]
    section = None
    every = options()
    sections = list(dict.fromkeys(o.section for o in every))
    for option in sorted(every, key=lambda o: sections.index(o.section)):
        if option.section != section:
            lines += [""] if section else []
            lines.append(f"[{option.section}]")
            section = option.section
        lines.append(f"# {option.doc} (${option.env})")
        lines.append(f"{option.key} = {_show(option.default)}")
    return "\n".join(lines) + "\n"


def render_settings_doc() -> str:
    """docs/configuration.md: every setting, its environment variable, default and meaning."""
    lines = [
        "# Configuration",
        "",
        "<!-- Generated from the settings classes by tracker.config.render_settings_doc(); a test keeps it so. -->",
        "",
        "tracker reads `config.toml` (or the file named by `--config` or `$TRACKER_CONFIG`); every key",
        "can be overridden by its environment variable, and some by command-line flags. Relative paths",
        'are relative to the config file. Lists are TOML lists in the file, and `a,b` or `["a","b"]`',
        "in the environment. A wrong value stops tracker with one line naming the key and what is",
        "expected (exit status 2).",
        "",
    ]
    every = options()
    for section in dict.fromkeys(o.section for o in every):
        lines += [f"## [{section}]", "", "| key | environment | default | meaning |", "| --- | --- | --- | --- |"]
        for option in (o for o in every if o.section == section):
            doc = option.doc.replace("|", "\\|")
            lines.append(f"| `{option.key}` | `{option.env}` | `{_show(option.default)}` | {doc} |")
        lines.append("")
    return "\n".join(lines)
