"""The translate stage: originals waiting for a translation, the model they need (downloaded
when allowed), and translating a batch of originals of one language pair.

`tracker run` cuts the originals waiting into batches and calls `translate_batch` on each; a
worker calls it on the batch it claimed, with `TranslateHooks` that fence every write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlmodel import Session, select

from tracker.config import Settings
from tracker.outcomes import Notify, Progress, RunSummary
from tracker.store.tables import Version
from tracker.translation.cache import DatabaseCache
from tracker.translation.index import install_from_index
from tracker.translation.packages import PackageError, find_route
from tracker.translation.translator import TranslateStats, translate_sentences
from tracker.translation.versions import (
    originals_needing_translation,
    pending_reason,
    sentence_spans,
    translate_original,
)


def ensure_model(
    settings: Settings,
    from_code: str,
    to_code: str,
    notify: Notify,
    download_progress: Callable[[str], Progress] | None = None,
) -> None:
    """Download the from→to model from Argos's index when none is installed and that is allowed;
    a failure is one line (the translations stay pending, and say why)."""
    if not settings.translation.auto_install or find_route(settings.translation.models_dir, from_code, to_code):
        return
    notify(
        f"no {from_code}→{to_code} model installed: downloading it from Argos's package index "
        f"(turn this off with [translation] auto_install = false)"
    )
    progress = download_progress(f"{from_code}→{to_code} model") if download_progress else None
    try:
        package = install_from_index(
            settings.translation.models_dir,
            from_code,
            to_code,
            progress=progress,
            index_url=settings.translation.index_url,
        )
    except PackageError as error:
        notify(str(error), "model_missing")
        return
    notify(f"installed {package.code} {package.version}", "model_installed", code=package.code)


def translatable(originals: list[Version], settings: Settings) -> list[Version]:
    """The originals a model may be asked for: not those whose language is uncertain, unless
    [language] on_uncertain = "translate"."""
    return [v for v in originals if v.language_status != "uncertain" or settings.language.on_uncertain == "translate"]


def token_weight(original: Version) -> int:
    """Roughly how many tokens translating `original` costs (a token: 4 characters)."""
    return len(original.text or "") // 4 + 1


def batches(originals: list[Version], max_tokens: int) -> Iterator[list[Version]]:
    """Originals of one language pair, in batches of about `max_tokens` (see token_weight)."""
    batch: list[Version] = []
    weight = 0
    for original in originals:
        size = token_weight(original)
        if batch and weight + size > max_tokens:
            yield batch
            batch, weight = [], 0
        batch.append(original)
        weight += size
    if batch:
        yield batch


def has_translation(session: Session, original_id: int, target: str) -> bool:
    return (
        session.exec(
            select(Version.id).where(
                Version.parent_id == original_id,
                Version.kind == "translated",
                Version.language == target,
                Version.status == "ready",
            )
        ).first()
        is not None
    )


class TranslateHooks:
    """What a driver adds around the translate stage. These defaults are `tracker run`'s."""

    def before_each(self, session: Session, original: Version) -> None:
        """Called in the transaction that records `original`'s translation, first."""

    def after_each(self, session: Session, original: Version, version: Version | None) -> None:
        """In that transaction, before it commits (`version` None: skipped)."""

    def should_stop(self) -> bool:
        """Asked before each original but the first: True leaves the rest untranslated."""
        return False


def translate_batch(
    session: Session,
    originals: list[Version],
    target: str,
    settings: Settings,
    summary: RunSummary,
    notify: Notify,
    *,
    hooks: TranslateHooks | None = None,
) -> list[Version]:
    """Translate originals of one language into `target`: first every sentence of the batch in
    one model call (kept in the sentence cache, so a retried batch costs nothing), then each
    original's translated version in its own transaction; one with no model (or an uncertain
    language) is recorded as pending, its reason told once. Returns the originals not reached."""
    hooks = hooks or TranslateHooks()
    stats = TranslateStats()
    todo = [v for v in originals if not has_translation(session, v.id, target)]
    models_dir = settings.translation.models_dir
    if todo and find_route(models_dir, todo[0].language, target) is not None:
        sentences = list(
            dict.fromkeys(s.text for v in translatable(todo, settings) for s in sentence_spans(v.text or ""))
        )
        if sentences:
            cache = DatabaseCache(session)
            translate_sentences(sentences, todo[0].language, target, models_dir, cache=cache, stats=stats)
            session.commit()  # the cache: keyed by (sentence hash, package, version, decoding)
    left: list[Version] = []
    for position, original in enumerate(originals):
        if position and hooks.should_stop():
            left = originals[position:]
            break
        version = None
        hooks.before_each(session, original)
        if not has_translation(session, original.id, target):  # checked again under the driver's lock
            again = TranslateStats()  # the sentences came from the cache filled above: count them once
            version = translate_original(session, original, settings, target, stats=again)
            stats.reused += again.reused
            stats.model_loads += again.model_loads
        hooks.after_each(session, original, version)
        session.commit()
        if version is None:
            continue
        if version.status == "ready":
            summary.translated += 1
        else:
            _tell_pending(session, original, version, settings, summary, notify)
    summary.translation.add(stats)
    return left


def _tell_pending(session, original, version, settings, summary: RunSummary, notify: Notify) -> None:
    summary.pending_originals.add((original.id, version.language))
    reason = pending_reason(session, version)
    if reason not in summary.notices:  # one line per missing language pair, not per page
        summary.notices.append(reason)
        uncertain = original.language_status == "uncertain" and settings.language.on_uncertain != "translate"
        notify(reason, "language_uncertain" if uncertain else "model_missing")


def waiting_by_pair(session: Session, target: str) -> dict[str, list[Version]]:
    """The originals waiting for a translation into `target`, by source language."""
    by_language: dict[str, list[Version]] = {}
    for original in originals_needing_translation(session, target):
        by_language.setdefault(original.language, []).append(original)
    return by_language
