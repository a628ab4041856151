"""How each cited source was fetched and translated, for the report and the source page: the URL
as cited and after redirects, status, languages, model and run; the failure and next retry.

The facts of any number of sources take a fixed handful of queries (`sources_facts`), so a seed
citing hundreds of sources costs no more round trips than one citing a single source.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.archive.memento import archived_as
from tracker.read.lookup import row_dict
from tracker.store.tables import Activity, ActivityModel, FetchAttempt, Source, Version

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "iw", "ur", "ps", "yi", "dv", "ug", "ckb", "sd"})


def text_direction(language: str | None) -> str:
    """ "rtl" for scripts written right to left (Arabic, Persian, Hebrew…), else "ltr"."""
    if not language:
        return "ltr"
    return "rtl" if language.lower().replace("_", "-").split("-")[0] in RTL_LANGUAGES else "ltr"


def source_facts(session: Session, source: Source, aligned: Version | None = None) -> dict:
    """How a source was fetched and, when `aligned` is its translation, translated: the URL as
    cited and after redirects, status, languages, model and run; the failure and next retry."""
    return sources_facts(session, [source], {source.id: aligned} if aligned is not None else {})[source.id]


def sources_facts(
    session: Session,
    sources: Iterable[Source],
    aligned: Mapping[int, Version],
    originals: Mapping[int, Version] | None = None,
) -> dict[int, dict]:
    """`source_facts` of each source, by id; `aligned` gives a source's aligned version, if any,
    and `originals` the sources' `source_originals` when the caller has them already."""
    sources = list(sources)
    if originals is None:
        originals = source_originals(session, sources, aligned)
    attempts = _last_attempts(session, [s.id for s in sources])
    translations = _translations(session, [v for v in aligned.values() if v.kind == "translated"])
    facts = {}
    for source in sources:
        last_attempt, version, original = attempts.get(source.id), aligned.get(source.id), originals.get(source.id)
        entry = {
            "id": source.id,
            "url": source.url,
            "final_url": source.final_url,
            "canonical_url": source.canonical_url,
            "state": source.state,
            "last_error": source.last_error,
            "failures": source.failures,
            "next_fetch_at": iso(source.next_fetch_at),
            "last_fetched_at": iso(source.last_fetched_at),
            "http_status": last_attempt.status_code if last_attempt else None,
            "last_attempt": row_dict(last_attempt, drop={"source_id", "headers"}) if last_attempt else None,
            "aligned": version is not None,
            "original": _version(original),
            "translation": translations.get(version.id) if version is not None else None,
        }
        if original is not None:
            entry["original"]["captured_at"] = iso(original.captured_at or original.created_at)
        facts[source.id] = entry
    return facts


def source_originals(session: Session, sources: list[Source], aligned: Mapping[int, Version]) -> dict[int, Version]:
    """Per source: the original its aligned translation was made from, the aligned version itself
    when it needed none, else our newest capture, else the newest archived copy."""
    parents = {v.parent_id for v in aligned.values() if v.kind == "translated" and v.parent_id is not None}
    by_id = _versions(session, parents)
    found = {}
    for source_id, version in aligned.items():
        original = by_id.get(version.parent_id) if version.kind == "translated" else version
        if original is not None:
            found[source_id] = original
    rest = [s.id for s in sources if s.id not in aligned]
    if rest:
        newest = session.exec(
            select(Version.source_id, Version.archived, func.max(Version.id))
            .where(Version.source_id.in_(rest), Version.kind == "original", Version.archived.is_not(None))
            .group_by(Version.source_id, Version.archived)
        ).all()
        ours = {source_id: id_ for source_id, archived, id_ in newest if not archived}
        archived = {source_id: id_ for source_id, archived, id_ in newest if archived}
        chosen = {source_id: ours.get(source_id, archived.get(source_id)) for source_id in rest}
        by_id = _versions(session, {id_ for id_ in chosen.values() if id_ is not None})
        found.update({source_id: by_id[id_] for source_id, id_ in chosen.items() if id_ is not None})
    return found


def _versions(session: Session, ids: set[int]) -> dict[int, Version]:
    if not ids:
        return {}
    return {v.id: v for v in session.exec(select(Version).where(Version.id.in_(sorted(ids)))).all()}


def _last_attempts(session: Session, source_ids: list[int]) -> dict[int, FetchAttempt]:
    if not source_ids:
        return {}
    newest = (
        select(func.max(FetchAttempt.id)).where(FetchAttempt.source_id.in_(source_ids)).group_by(FetchAttempt.source_id)
    )
    return {a.source_id: a for a in session.exec(select(FetchAttempt).where(FetchAttempt.id.in_(newest))).all()}


def _translations(session: Session, translated: list[Version]) -> dict[int, dict]:
    """Per translated version id: the model, its hops and the run that made it."""
    activity_ids = sorted({v.activity_id for v in translated if v.activity_id})
    if not activity_ids:
        return {}
    activities = {a.id: a for a in session.exec(select(Activity).where(Activity.id.in_(activity_ids))).all()}
    hops: dict[int, list[ActivityModel]] = {}
    for hop in session.exec(
        select(ActivityModel)
        .where(ActivityModel.activity_id.in_(activity_ids))
        .order_by(ActivityModel.activity_id, ActivityModel.hop)
    ).all():
        hops.setdefault(hop.activity_id, []).append(hop)
    found = {}
    for version in translated:
        activity = activities.get(version.activity_id) if version.activity_id else None
        if activity is None:
            continue
        found[version.id] = {
            "version_id": version.id,
            "language": version.language,
            "activity_id": activity.id,
            "status": activity.status,
            "model": activity.model,
            "model_version": activity.model_version,
            "model_sha256": activity.model_sha256,
            "hops": [row_dict(h, drop={"activity_id"}) for h in hops.get(activity.id, [])],
            "software": json.loads(activity.software or "{}"),
            "parameters": json.loads(activity.parameters or "{}"),
            "started_at": iso(activity.started_at),
            "ended_at": iso(activity.ended_at),
        }
    return found


def _version(version: Version | None) -> dict | None:
    if version is None:
        return None
    return {
        "id": version.id,
        "language": version.language,
        "language_probability": version.language_probability,
        "declared_language": version.declared_language,
        "dir": text_direction(version.language),
        "title": version.title,
        "url": version.url,
        # "archived copy (Wayback Machine, 2025-02-13 10:22 UTC)": never shown as our own capture
        "archived_as": archived_as(version),
        "memento_url": version.memento_url,
    }


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None
