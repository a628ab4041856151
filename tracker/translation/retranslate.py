"""Retranslation after a model upgrade: translate again, with the packages installed now, what an
older package translated. The old translated versions are kept; each new one names the version it
redoes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlmodel import Session, select

from tracker.config import Settings
from tracker.store.tables import Activity, ActivityModel, Version
from tracker.translation.packages import find_route, version_key
from tracker.translation.translator import TranslateStats, argos_settings, decoding_key
from tracker.translation.versions import route_identity, translate_original


@dataclass
class RetranslateReport:
    matched: int = 0  # (original, language) pairs the package translated (older versions only, if asked)
    retranslated: list[Version] = field(default_factory=list)
    current: int = 0  # already translated by the installed packages: nothing to do
    missing_pairs: set[tuple[str, str]] = field(default_factory=set)
    stats: TranslateStats = field(default_factory=TranslateStats)


def retranslate(
    session: Session,
    settings: Settings,
    package_code: str,
    before_version: str | None = None,
    *,
    stats: TranslateStats | None = None,
) -> RetranslateReport:
    """Translate again, with the packages installed now, what `package_code` translated (only its
    versions older than `before_version` if given). The old translated versions are kept; each new
    one has its own activity. Commits after each version."""
    report = RetranslateReport()
    rows = session.exec(
        select(Version, ActivityModel)
        .join(ActivityModel, ActivityModel.activity_id == Version.activity_id)
        .where(Version.kind == "translated", Version.status == "ready", ActivityModel.model == package_code)
        .order_by(Version.id)
    ).all()
    made_by: dict[tuple[int, str], Version] = {}
    for version, used in rows:
        if before_version is None or version_key(used.model_version) < version_key(before_version):
            made_by[(version.parent_id, version.language)] = version
    report.matched = len(made_by)
    decoding = decoding_key(argos_settings())
    for (original_id, target), old in sorted(made_by.items()):
        original = session.get(Version, original_id)
        route = find_route(settings.translation.models_dir, original.language, target)
        if route is None:
            report.missing_pairs.add((original.language, target))
            continue
        if _newest_is_current(session, original.id, target, route, decoding):
            report.current += 1
            continue
        report.retranslated.append(
            translate_original(session, original, settings, target, stats=report.stats, retranslation_of=old)
        )
        session.commit()
    if stats is not None:
        stats.add(report.stats)
    return report


def _newest_is_current(session, original_id, target, route, decoding) -> bool:
    newest = session.exec(
        select(Version)
        .where(
            Version.parent_id == original_id,
            Version.kind == "translated",
            Version.language == target,
            Version.status == "ready",
        )
        .order_by(Version.id.desc())
    ).first()
    activity = session.get(Activity, newest.activity_id)
    return (activity.model, activity.model_version, activity.model_sha256) == route_identity(route) and json.loads(
        activity.parameters
    ).get("decoding") == json.loads(decoding)
