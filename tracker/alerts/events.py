"""Finding events in what the other stages recorded, and recording each once.

- `label_changed`: an align activity whose labels differ, seed sentence by seed sentence (matched
  by their text, so a seed's revision compares with the one before), from the previous alignment
  of the same seed and source; whatever the cause: a new original, a retranslation, a new aligner.
- `source_changed`: a new original of a source that a current seed cited before it changed, once
  its text in the seed's language is aligned with the seed (so the label changes are known), or
  once it never will be (translation pending, a newer version already, or WAIT_FOR_LABELS passed).
- `source_gone`: a cited source retired, or failing `[alerts] gone_after` fetches in a row, with
  the archived copy used in its place, if any (tracker.archive).
- `trail_origin`: a seed sentence's trail reaches an origin beyond the source the seed cites
  (tracker/alerts/origins.py).

Archived copies are never a `source_changed`: only our own captures are compared.

What was looked at is kept in `alert_checks`, so a pass looks only at what is new, and every
insert is ON CONFLICT DO NOTHING on the event's unique key, so two workers record it once.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_
from sqlmodel import Session, select

from tracker.alerts import AlertsSettings
from tracker.sentences import split_sentences
from tracker.store.alert_tables import Alert, AlertCheck
from tracker.store.tables import Activity, Alignment, Citation, Seed, Source, Version
from tracker.store.versions import newest_translation

# How long a source_changed event waits for the new text to be translated and aligned, so that
# it can say which labels changed; past it, it is recorded without them (label_changed follows).
WAIT_FOR_LABELS = timedelta(hours=6)
DIFF_LINES = 3  # sentences removed and added shown in an event's short diff, each
DIFF_WIDTH = 200  # characters of each


@dataclass
class Event:
    kind: str
    seed_id: int
    source_id: int
    version_id: int
    summary: str
    details: dict = field(default_factory=dict)


def record_event(session: Session, event: Event, now: datetime) -> bool:
    """Insert `event` unless its key is there already (a re-run, another worker); whether it was new."""
    row = {
        "kind": event.kind,
        "seed_id": event.seed_id,
        "source_id": event.source_id,
        "version_id": event.version_id,
        "created_at": now,
        "summary": event.summary,
        "details": json.dumps(event.details, ensure_ascii=False, sort_keys=True),
    }
    result = session.execute(_insert(session)(Alert).values(**row).on_conflict_do_nothing())
    return bool(result.rowcount)


def mark_checked(session: Session, subject: str, item_ids: list[int], now: datetime) -> None:
    """Record `item_ids` as looked at: one INSERT per 500, not one per item."""
    for start in range(0, len(item_ids), 500):
        rows = [{"subject": subject, "item_id": item, "checked_at": now} for item in item_ids[start : start + 500]]
        session.execute(_insert(session)(AlertCheck).values(rows).on_conflict_do_nothing())


def _firsts(session: Session, id_column, group_column, pending, *where) -> set[int]:
    """The smallest id of each group (of `group_column`) that has a `pending` row, among the rows
    matching `where`: those rows have no earlier one (no previous alignment with the source, no
    previous original of it)."""
    groups = select(group_column).where(*where, pending)
    query = select(func.min(id_column)).where(*where, group_column.in_(groups)).group_by(group_column)
    return set(session.exec(query).all())


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def checked_ids(subject: str):
    return select(AlertCheck.item_id).where(AlertCheck.subject == subject)


# --- label changes -------------------------------------------------------------------------------


def label_changes(session: Session, activity: Activity) -> tuple[list[dict], Activity | None]:
    """The seed sentences whose label differs from the previous alignment of the same seed (or an
    earlier revision of it) with the same source, and that previous alignment."""
    seed = session.get(Seed, activity.seed_id)
    if seed is None:
        return [], None
    lineage = select(Seed.id).where(Seed.path == seed.path)
    previous = session.exec(
        select(Activity)
        .where(
            Activity.kind == "align",
            Activity.status == "ok",
            Activity.source_id == activity.source_id,
            Activity.seed_id.in_(lineage),
            Activity.id < activity.id,
        )
        .order_by(Activity.id.desc())
    ).first()
    if previous is None:
        return [], None
    before, after = _judgments(session, previous.id), _judgments(session, activity.id)
    changes = []
    for key, row in after.items():
        old = before.get(key)
        if old is not None and old.label != row.label:
            changes.append(
                {
                    "sentence": row.seed_text,
                    "position": row.seed_sentence,
                    "old": old.label,
                    "new": row.label,
                    "details": [_detail(d) for d in json.loads(row.unsupported_details or "[]")],
                    "old_details": [_detail(d) for d in json.loads(old.unsupported_details or "[]")],
                }
            )
    return changes, previous


def _detail(found: dict) -> dict:
    return {key: found.get(key) for key in ("kind", "text", "source_text")}


def _judgments(session: Session, activity_id: int) -> dict[str, Alignment]:
    rows = session.exec(select(Alignment).where(Alignment.activity_id == activity_id).order_by(Alignment.id)).all()
    found: dict[str, Alignment] = {}
    for row in rows:
        if row.seed_sentence is None and row.source_sentences == "[]":
            continue  # a long seed's summary of the sentences that draw on nothing
        found.setdefault(" ".join(row.seed_text.split()), row)
    return found


def label_events(session: Session, now: datetime) -> int:
    """label_changed for every align activity not looked at yet; the events new."""
    made = 0
    aligned_ok = (Activity.kind == "align", Activity.status == "ok")
    pending = Activity.id.not_in(checked_ids("align"))
    activities = session.exec(select(Activity).where(*aligned_ok, pending).order_by(Activity.id)).all()
    # The first alignment with a source has nothing to compare with: known in one query.
    firsts = _firsts(session, Activity.id, Activity.source_id, pending, *aligned_ok) if activities else set()
    for activity in activities:
        if activity.id in firsts:
            continue
        seed = session.get(Seed, activity.seed_id)
        aligned = session.get(Version, activity.used_version_id)
        if seed is not None and seed.superseded_at is None and aligned is not None:
            changes, previous = label_changes(session, activity)
            if changes:
                source = session.get(Source, activity.source_id)
                before = session.get(Version, previous.used_version_id)
                because = _because(aligned, before)
                summary = (
                    f"{seed.path}: {len(changes)} sentence{'s' if len(changes) != 1 else ''} changed label "
                    f"against {source.url} ({because})"
                )
                details = {
                    "labels": changes,
                    "because": because,
                    "original_id": original_id(aligned),
                    "aligned_version_id": aligned.id,
                    "previous_version_id": previous.used_version_id,
                }
                made += record_event(
                    session, Event("label_changed", seed.id, source.id, aligned.id, summary, details), now
                )
    mark_checked(session, "align", [activity.id for activity in activities], now)
    return made


def original_id(version: Version) -> int:
    """The original a text is (or was translated from)."""
    return version.parent_id if version.kind == "translated" and version.parent_id else version.id


def _because(aligned: Version, before: Version | None) -> str:
    if before is None or original_id(before) != original_id(aligned):
        return "the source changed"
    if aligned.id != before.id:
        return "a new translation"
    return "aligned again"


# --- source changes ------------------------------------------------------------------------------


def change_events(session: Session, target: str, now: datetime) -> int:
    """source_changed for every new original not looked at yet, per current seed that cited the
    source before it changed; an original stays unchecked while a seed's labels are awaited."""
    made = 0
    own = (Version.kind == "original", Version.archived.is_(False))  # an archived copy is read late, not a change
    pending = Version.id.not_in(checked_ids("original"))
    originals = session.exec(select(Version).where(*own, pending).order_by(Version.id)).all()
    firsts = _firsts(session, Version.id, Version.source_id, pending, *own) if originals else set()  # no change
    done_ids = []
    for original in originals:
        if original.id in firsts:
            done_ids.append(original.id)
            continue
        previous = session.exec(
            select(Version)
            .where(
                Version.source_id == original.source_id,
                Version.kind == "original",
                Version.archived.is_(False),
                Version.id < original.id,
            )
            .order_by(Version.id.desc())
        ).first()
        done = True
        if previous is not None:
            seeds = session.exec(
                select(Seed)
                .distinct()
                .join(Citation, Citation.seed_id == Seed.id)
                .where(
                    Citation.source_id == original.source_id,
                    Seed.superseded_at.is_(None),
                    Seed.ingested_at <= original.created_at,
                )
                .order_by(Seed.id)
            ).all()
            for seed in seeds:
                event = _change_event(session, seed, original, previous, target, now)
                if event is None:
                    done = False
                else:
                    made += record_event(session, event, now)
        if done:
            done_ids.append(original.id)
    mark_checked(session, "original", done_ids, now)
    return made


def _change_event(
    session: Session, seed: Seed, original: Version, previous: Version, target: str, now: datetime
) -> Event | None:
    """The event for one seed, or None while its labels are awaited."""
    text = original if original.language == target else newest_translation(session, original, target)
    labels, why = None, None
    if text is not None:
        align = session.exec(
            select(Activity).where(
                Activity.kind == "align", Activity.seed_id == seed.id, Activity.used_version_id == text.id
            )
        ).first()
        if align is not None:
            labels = label_changes(session, align)[0]
    if labels is None:
        why = _why_not_judged(session, original, target, now)
        if why is None:
            return None
    source = session.get(Source, original.source_id)
    before = previous if previous.language == target else newest_translation(session, previous, target)
    shown_old, shown_new = (before, text) if before is not None and text is not None else (previous, original)
    changed = f"{len(labels)} sentence{'s' if len(labels) != 1 else ''} changed label" if labels else why
    details = {
        "labels": labels or [],
        "labels_judged": labels is not None,
        "why_not_judged": why,
        "previous_id": previous.id,
        "diff_language": shown_new.language,
        "diff": short_diff(shown_old.text or "", shown_new.text or ""),
        "sentence_changes": _sentence_changes(session, original),
    }
    if labels is not None and not labels:
        changed = "no seed sentence changed label"
    summary = f"{source.url} changed (cited by {seed.path}): {changed}"
    return Event("source_changed", seed.id, source.id, original.id, summary, details)


def _why_not_judged(session: Session, original: Version, target: str, now: datetime) -> str | None:
    newer = session.exec(
        select(Version.id).where(
            Version.source_id == original.source_id,
            Version.kind == "original",
            Version.archived.is_(False),
            Version.id > original.id,
        )
    ).first()
    if newer is not None:
        return "labels not judged: a newer version followed"
    pending = session.exec(
        select(Version.id).where(
            Version.parent_id == original.id,
            Version.kind == "translated",
            Version.language == target,
            Version.status == "pending",
        )
    ).first()
    if pending is not None:
        return f"labels not judged yet: no {original.language}→{target} model (the translation is pending)"
    if original.language is None or not original.text:
        return "labels not judged: no text in a known language"
    created = original.created_at
    if created is not None and now - created > WAIT_FOR_LABELS:
        return "labels not judged yet"
    return None


def _sentence_changes(session: Session, original: Version) -> dict | None:
    activity = session.get(Activity, original.activity_id) if original.activity_id else None
    if activity is None:
        return None
    return json.loads(activity.parameters or "{}").get("sentence_changes")


def short_diff(old: str, new: str) -> list[str]:
    """At most DIFF_LINES sentences removed and DIFF_LINES added, as "- …" and "+ …" lines."""
    before = [s.text for s in split_sentences(old)]
    after = [s.text for s in split_sentences(new)]
    removed, added = [], []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            removed += before[a1:a2]
        if op in ("replace", "insert"):
            added += after[b1:b2]
    lines = [f"- {one_line(s)}" for s in removed[:DIFF_LINES]] + [f"+ {one_line(s)}" for s in added[:DIFF_LINES]]
    more = max(0, len(removed) - DIFF_LINES) + max(0, len(added) - DIFF_LINES)
    return lines + ([f"… and {more} more"] if more else [])


def one_line(text: str, width: int = DIFF_WIDTH) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis (diffs and messages)."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --- gone sources --------------------------------------------------------------------------------


def archived_copy(session: Session, source: Source) -> str | None:
    """The archived copy used for a gone source, as every output names it, or None."""
    from tracker.archive.memento import archived_as

    copy = session.exec(
        select(Version)
        .where(Version.source_id == source.id, Version.kind == "original", Version.archived.is_(True))
        .order_by(Version.captured_at.desc(), Version.id.desc())
    ).first()
    return archived_as(copy) if copy is not None else None


def gone_events(session: Session, settings: AlertsSettings, now: datetime) -> int:
    """source_gone for every cited source retired or failing `gone_after` times, once per going."""
    is_gone = or_(Source.state == "retired", and_(Source.state == "failed", Source.failures >= settings.gone_after))
    # A source that answers again may be told gone again later.
    session.execute(
        delete(AlertCheck).where(
            AlertCheck.subject == "gone", AlertCheck.item_id.in_(select(Source.id).where(~is_gone))
        )
    )
    made, looked_at = 0, []
    for source in session.exec(
        select(Source).where(is_gone, Source.id.not_in(checked_ids("gone"))).order_by(Source.id)
    ).all():
        last = session.exec(
            select(Version.id)
            .where(Version.source_id == source.id, Version.kind == "original")
            .order_by(Version.id.desc())
        ).first()
        reason = (
            f"retired: {source.retired_reason}"
            if source.state == "retired"
            else f"failed {source.failures} times in a row: {source.last_error}"
        )
        copy = archived_copy(session, source)
        seeds = session.exec(
            select(Seed)
            .distinct()
            .join(Citation, Citation.seed_id == Seed.id)
            .where(Citation.source_id == source.id, Seed.superseded_at.is_(None))
            .order_by(Seed.id)
        ).all()
        for seed in seeds:
            details = {
                "state": source.state,
                "reason": reason,
                "failures": source.failures,
                "last_original_id": last,
                "archived_copy": copy,
            }
            summary = f"{source.url} is gone ({reason}), cited by {seed.path}"
            made += record_event(session, Event("source_gone", seed.id, source.id, last or 0, summary, details), now)
        looked_at.append(source.id)
    mark_checked(session, "gone", looked_at, now)
    return made
