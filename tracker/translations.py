"""Translated versions: an original's sentences translated one to one, with full provenance.

Sentence i of a translated version is the translation of sentence i of its parent, and the
`sentences` table keeps both spans. When no model covers the language pair the translated
version is recorded as pending; a later run fills it in once the model is installed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlmodel import Session, select

from .argos_packages import find_route
from .config import Settings
from .provenance import link_versions_to_seeds, package_version
from .sentences import Sentence as TextSpan, split_long, split_sentences
from .tables import Activity, Sentence, Version, utcnow
from .translate import MissingModel, Translation, translate_sentences


@dataclass
class TranslateReport:
    translated: list[Version] = field(default_factory=list)
    pending: list[Version] = field(default_factory=list)
    missing_pairs: set[tuple[str, str]] = field(default_factory=set)


def originals_needing_translation(session: Session, target: str) -> list[Version]:
    """Originals in another language with no ready translation into `target`."""
    originals = session.exec(select(Version).where(
        Version.kind == "original", Version.language.is_not(None), Version.language != target)).all()
    return [v for v in originals if not _has_ready_translation(session, v.id, target)]


def _has_ready_translation(session: Session, original_id: int, target: str) -> bool:
    return session.exec(select(Version.id).where(
        Version.parent_id == original_id, Version.kind == "translated",
        Version.language == target, Version.status == "ready")).first() is not None


def translate_original(session: Session, original: Version, settings: Settings) -> Version:
    """Translate `original` into the target language, or record the translation as pending."""
    target = settings.target
    version = session.exec(select(Version).where(
        Version.parent_id == original.id, Version.kind == "translated", Version.language == target,
        Version.status == "pending")).first() or Version(
        source_id=original.source_id, kind="translated", parent_id=original.id, language=target,
        status="pending", title=original.title, url=original.url)
    spans = sentence_spans(original.text)
    started = utcnow()
    try:
        translation = translate_sentences([s.text for s in spans], original.language, target,
                                          settings.models_dir)
    except MissingModel as missing:
        activity = Activity(kind="translate", source_id=original.source_id, used_version_id=original.id,
                            status="pending",
                            error=str(missing), started_at=started, ended_at=utcnow(),
                            parameters=json.dumps({"from": original.language, "to": target}))
        session.add(activity)
        session.flush()
        version.activity_id = activity.id
        session.add(version)
        session.flush()
        link_versions_to_seeds(session, original.source_id)
        return version

    activity = _translate_activity(original, translation, started)
    session.add(activity)
    session.flush()
    text, offsets = join_sentences(original.text, spans, translation.sentences)
    version.activity_id, version.status, version.text = activity.id, "ready", text
    version.text_sha256 = hashlib.sha256(text.encode()).hexdigest()
    session.add(version)
    session.flush()
    for position, (span, (start, end)) in enumerate(zip(spans, offsets)):
        session.add(Sentence(version_id=version.id, position=position, char_start=start, char_end=end,
                             parent_start=span.start, parent_end=span.end))
    link_versions_to_seeds(session, original.source_id)
    return version


def sentence_spans(text: str) -> list[TextSpan]:
    """Sentences short enough for the model (Argos lets long inputs be silently truncated)."""
    return [piece for sentence in split_sentences(text) for piece in split_long(sentence)]


def join_sentences(original: str, spans: list[TextSpan], translated: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join translated sentences, keeping the original's line breaks between them."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    length = 0
    for index, (span, sentence) in enumerate(zip(spans, translated)):
        if index:
            gap = original[spans[index - 1].end:span.start]
            separator = "\n" * min(gap.count("\n"), 2) or (" " if gap else "")
            parts.append(separator)
            length += len(separator)
        parts.append(sentence)
        offsets.append((length, length + len(sentence)))
        length += len(sentence)
    return "".join(parts), offsets


def _translate_activity(original: Version, translation: Translation, started) -> Activity:
    first, packages = translation.packages[0], translation.packages
    return Activity(
        kind="translate", source_id=original.source_id, used_version_id=original.id, status="ok",
        started_at=started, ended_at=utcnow(),
        software=json.dumps({"tracker": package_version("tracker"),
                             "argostranslate": translation.argostranslate_version,
                             "ctranslate2": translation.ctranslate2_version}, sort_keys=True),
        model=" > ".join(p.code for p in packages),
        model_version=" > ".join(p.version for p in packages),
        model_sha256=first.sha256 if len(packages) == 1 else " > ".join(p.sha256 for p in packages),
        parameters=json.dumps({
            "from": translation.from_code, "to": translation.to_code,
            "pivot_path": translation.pivot_path, "compute_type": translation.compute_type,
            "beam_size": translation.beam_size, "device": translation.device,
            "source_text_sha256": original.text_sha256, "seconds": round(translation.seconds, 4),
            "sentences": len(translation.sentences)}, sort_keys=True))


def has_route(settings: Settings, from_code: str, to_code: str) -> bool:
    return find_route(settings.models_dir, from_code, to_code) is not None
