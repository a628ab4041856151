"""Translated versions: an original's sentences translated one to one, with full provenance.

Sentence i of a translated version is the translation of sentence i of its parent, and the
`sentences` table keeps both spans. When no model covers the language pair the translated
version is recorded as pending; a later run fills it in once the model is installed.

Nothing is translated twice. An original whose text was translated before by the same packages
(same code, version and file checksum) with the same decoding options gets a copy of that
translation; otherwise each sentence is looked up in `sentence_translations` (per hop, so pivots
are cached too) and only the sentences not found there reach a model, which is loaded only then.
"""

from __future__ import annotations

import json

from sqlalchemy import exists, insert
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.sentences import TextSpan, split_long, split_sentences
from tracker.store.provenance import link_versions_to_seeds, package_version
from tracker.store.tables import Activity, ActivityModel, Sentence, Version, utcnow
from tracker.translation.cache import DatabaseCache, sha256_hex
from tracker.translation.packages import InstalledPackage, find_route
from tracker.translation.translator import (
    BATCH_TOKENS,
    MissingModel,
    TranslateStats,
    Translation,
    argos_settings,
    decoding_key,
    translate_sentences,
)

# Longest piece of a sentence sent to a model, in characters. Argos lets a long input be cut
# short by CTranslate2's decoding limit; shorter pieces keep every word (see split_long).
MAX_SENTENCE_CHARS = 400
# SQLite allows 32766 bound parameters per statement; stay far below.


def originals_needing_translation(session: Session, target: str) -> list[Version]:
    """Originals in another language with no ready translation into `target` (one query, so a
    run with nothing to translate does no per-original work)."""
    translated = aliased(Version)
    return list(
        session.exec(
            select(Version)
            .where(
                Version.kind == "original",
                Version.language.is_not(None),
                Version.language != target,
                ~exists().where(
                    translated.parent_id == Version.id,
                    translated.kind == "translated",
                    translated.language == target,
                    translated.status == "ready",
                ),
            )
            .order_by(Version.id)
        ).all()
    )


def translate_original(
    session: Session,
    original: Version,
    settings: Settings,
    target: str | None = None,
    *,
    stats: TranslateStats | None = None,
    retranslation_of: Version | None = None,
) -> Version:
    """Translate `original` into `target` (default: the first target language), or record the
    translation as pending. A retranslation always makes a new version, keeping the old one."""
    target = target or settings.translation.target
    stats = stats if stats is not None else TranslateStats()
    version = None
    if retranslation_of is None:
        version = session.exec(
            select(Version).where(
                Version.parent_id == original.id,
                Version.kind == "translated",
                Version.language == target,
                Version.status == "pending",
            )
        ).first()
    version = version or Version(
        source_id=original.source_id,
        kind="translated",
        parent_id=original.id,
        language=target,
        status="pending",
        title=original.title,
        url=original.url,
    )
    started = utcnow()
    route = None
    # A retranslation redoes, with newer packages, a translation someone already let through.
    if (
        retranslation_of is None
        and original.language_status == "uncertain"
        and settings.language.on_uncertain != "translate"
    ):
        reason = uncertain_language_notice(original)
    else:
        route = find_route(settings.translation.models_dir, original.language, target)
        reason = str(MissingModel(original.language, target))
    if route is None:
        if version.id is not None and pending_reason(session, version) == reason:
            return version  # recorded as pending for this reason already: one activity, not one a run
        activity = Activity(
            kind="translate",
            source_id=original.source_id,
            status="pending",
            used_version_id=original.id,
            informed_by_id=original.activity_id,
            error=reason,
            started_at=started,
            ended_at=utcnow(),
            parameters=json.dumps({"from": original.language, "to": target, **language_detection(original)}),
        )
        session.add(activity)
        session.flush()
        version.activity_id = activity.id
        session.add(version)
        session.flush()
        link_versions_to_seeds(session, original.source_id)
        return version

    decoding = decoding_key(argos_settings())
    earlier = same_translation(session, original.text_sha256, target, route, decoding)
    if earlier is not None:
        stats.reused += 1
        return _copy_translation(session, original, version, earlier, route, started, retranslation_of)

    spans = sentence_spans(original.text)
    translation = translate_sentences(
        [s.text for s in spans],
        original.language,
        target,
        settings.translation.models_dir,
        cache=DatabaseCache(session),
        stats=stats,
    )
    activity = _translate_activity(original, translation, decoding, started, retranslation_of)
    text, offsets = join_sentences(original.text, spans, translation.sentences)
    _record(
        session,
        original,
        version,
        activity,
        translation.packages,
        text,
        [(start, end, span.start, span.end) for span, (start, end) in zip(spans, offsets)],
    )
    return version


def pending_reason(session: Session, version: Version) -> str | None:
    """Why `version` is pending: the error its latest translate activity recorded."""
    activity = session.get(Activity, version.activity_id) if version.activity_id is not None else None
    return activity.error if activity is not None else None


def language_detection(original: Version) -> dict:
    """How the original's language was found, for the translate activity's parameters."""
    evidence = json.loads(original.language_evidence) if original.language_evidence else {}
    return {
        "language_status": original.language_status,
        "language_probability": original.language_probability,
        "language_reasons": evidence.get("reasons", []),
    }


_REASONS = {
    "too_short": "too little text",
    "disagreement": "lingua says {other}",
    "script": "the text is in {script} script",
    "declared": "the page declares {declared}",
}


def uncertain_language_notice(original: Version) -> str:
    """One line: why an original with an uncertain language is not translated, and how to force it."""
    evidence = json.loads(original.language_evidence) if original.language_evidence else {}
    facts = {
        "other": (evidence.get("second_opinion") or {}).get("code") or "nothing",
        "script": evidence.get("script") or "an unknown",
        "declared": evidence.get("declared"),
    }
    why = "; ".join(_REASONS.get(r, r).format(**facts) for r in evidence.get("reasons", [])) or "uncertain"
    return (
        f"not translated: the language of {original.url} is uncertain (langdetect says {original.language}; "
        f'{why}); to translate it anyway set [language] on_uncertain = "translate" '
        "(or TRACKER_LANGUAGE_ON_UNCERTAIN=translate for one run)"
    )


def same_translation(
    session: Session, text_sha256: str | None, target: str, route: list[InstalledPackage], decoding: str
) -> Version | None:
    """A ready translation of the same text by the same packages with the same decoding options."""
    if text_sha256 is None:
        return None
    model, model_version, model_sha256 = route_identity(route)
    parent = aliased(Version)
    candidates = session.exec(
        select(Version, Activity)
        .join(Activity, Activity.id == Version.activity_id)
        .join(parent, parent.id == Version.parent_id)
        .where(
            parent.text_sha256 == text_sha256,
            Version.kind == "translated",
            Version.status == "ready",
            Version.language == target,
            Activity.model == model,
            Activity.model_version == model_version,
            Activity.model_sha256 == model_sha256,
        )
        .order_by(Version.id.desc())
    ).all()
    for candidate, activity in candidates:
        if json.loads(activity.parameters).get("decoding") == json.loads(decoding):
            return candidate
    return None


def route_identity(route: list[InstalledPackage]) -> tuple[str, str, str]:
    """How activities record a route: model, model_version, model_sha256 (" > " between hops)."""
    return (
        " > ".join(p.code for p in route),
        " > ".join(p.version for p in route),
        " > ".join(p.sha256 for p in route),
    )


def _copy_translation(session, original, version, earlier, route, started, retranslation_of) -> Version:
    earlier_activity = session.get(Activity, earlier.activity_id)
    parameters = json.loads(earlier_activity.parameters)
    parameters.update(
        {
            "reused_version_id": earlier.id,
            "sentences_translated": 0,
            "cache_hits": 0,
            "model_loads": 0,
            "source_text_sha256": original.text_sha256,
            "seconds": round((utcnow() - started).total_seconds(), 4),
            **language_detection(original),
        }
    )
    if retranslation_of is not None:
        parameters["retranslation_of"] = retranslation_of.id
    else:
        parameters.pop("retranslation_of", None)
    activity = Activity(
        kind="translate",
        source_id=original.source_id,
        status="ok",
        informed_by_id=original.activity_id,
        used_version_id=original.id,
        started_at=started,
        ended_at=utcnow(),
        software=earlier_activity.software,
        model=earlier_activity.model,
        model_version=earlier_activity.model_version,
        model_sha256=earlier_activity.model_sha256,
        parameters=json.dumps(parameters, sort_keys=True),
    )
    rows = session.exec(select(Sentence).where(Sentence.version_id == earlier.id).order_by(Sentence.position)).all()
    # Same text, same split: the spans in the parent are the same offsets.
    _record(
        session,
        original,
        version,
        activity,
        route,
        earlier.text,
        [(r.char_start, r.char_end, r.parent_start, r.parent_end) for r in rows],
    )
    return version


def _record(session, original, version, activity, packages, text, spans) -> None:
    session.add(activity)
    session.flush()
    for hop, package in enumerate(packages):
        session.add(
            ActivityModel(
                activity_id=activity.id,
                hop=hop,
                model=package.code,
                model_version=package.version,
                model_sha256=package.sha256,
                from_language=package.from_code,
                to_language=package.to_code,
            )
        )
    version.activity_id, version.status, version.text = activity.id, "ready", text
    version.text_sha256 = sha256_hex(text)
    session.add(version)
    session.flush()
    rows = [
        {
            "version_id": version.id,
            "position": position,
            "char_start": start,
            "char_end": end,
            "parent_start": parent_start,
            "parent_end": parent_end,
        }
        for position, (start, end, parent_start, parent_end) in enumerate(spans)
    ]
    if rows:  # one executemany, not an ORM object per sentence
        session.execute(insert(Sentence), rows)
    link_versions_to_seeds(session, original.source_id)


def sentence_spans(text: str) -> list[TextSpan]:
    """Sentences short enough for the model (Argos lets long inputs be silently truncated)."""
    return [piece for sentence in split_sentences(text) for piece in split_long(sentence, MAX_SENTENCE_CHARS)]


def join_sentences(original: str, spans: list[TextSpan], translated: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join translated sentences, keeping the original's line breaks between them."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    length = 0
    for index, (span, sentence) in enumerate(zip(spans, translated)):
        if index:
            gap = original[spans[index - 1].end : span.start]
            separator = "\n" * min(gap.count("\n"), 2) or (" " if gap else "")
            parts.append(separator)
            length += len(separator)
        parts.append(sentence)
        offsets.append((length, length + len(sentence)))
        length += len(sentence)
    return "".join(parts), offsets


def _translate_activity(
    original: Version, translation: Translation, decoding: str, started, retranslation_of: Version | None
) -> Activity:
    model, model_version, model_sha256 = route_identity(translation.packages)
    parameters = {
        "from": translation.from_code,
        "to": translation.to_code,
        "pivot_path": translation.pivot_path,
        "packages": [
            {"code": p.code, "version": p.version, "sha256": p.sha256, "from": p.from_code, "to": p.to_code}
            for p in translation.packages
        ],
        "decoding": json.loads(decoding),  # as asked for; compute_type below as resolved
        "compute_type": translation.compute_type,
        "beam_size": translation.beam_size,
        "device": translation.device,
        "inter_threads": translation.inter_threads,
        "intra_threads": translation.intra_threads,
        "batch_tokens": BATCH_TOKENS,
        "max_sentence_chars": MAX_SENTENCE_CHARS,
        "source_text_sha256": original.text_sha256,
        "seconds": round(translation.seconds, 4),
        "sentences": len(translation.sentences),
        "sentences_translated": translation.stats.translated,
        "cache_hits": translation.stats.cache_hits,
        "model_loads": translation.stats.model_loads,
        **language_detection(original),
    }
    if retranslation_of is not None:
        parameters["retranslation_of"] = retranslation_of.id
    return Activity(
        kind="translate",
        source_id=original.source_id,
        status="ok",
        informed_by_id=original.activity_id,
        used_version_id=original.id,
        started_at=started,
        ended_at=utcnow(),
        software=json.dumps(
            {
                "tracker": package_version("tracker"),
                "argostranslate": translation.argostranslate_version,
                "ctranslate2": translation.ctranslate2_version,
            },
            sort_keys=True,
        ),
        model=model,
        # A single package keeps plain values, so `WHERE model_sha256 = …` reads naturally.
        model_version=model_version,
        model_sha256=model_sha256,
        parameters=json.dumps(parameters, sort_keys=True),
    )
