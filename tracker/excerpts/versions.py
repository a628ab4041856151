"""Excerpt versions: the passages of a source that a citing seed draws on, and the proof of it.

The seed's sentences are aligned (tracker.align) with the sentences of the source's text in the
seed's language: its translation, or the original when it needs none. Each seed sentence's own
judgment is stored in `alignments` (its span, source sentence positions, score, label, details;
`added` seed sentences too, so SQL can ask what the source does not support). Each maximal run of
source sentences the seed uses becomes one excerpt version, with its offsets in the seed, the
translation and the original; it groups its seed sentences for display, and its label only
summarises theirs.
The seed's quotations are checked against the same text and stored in `quotes`.
"""

from __future__ import annotations

import json
from dataclasses import replace

from sqlmodel import Session, select

from tracker.excerpts import align as aligner
from tracker.excerpts import features
from tracker.excerpts.candidates import SeedIndex, index_seed
from tracker.excerpts.details import KINDS as DETAIL_KINDS
from tracker.excerpts.quotes import APPROXIMATE, check_quotes
from tracker.sentences import TextSpan, split_sentences
from tracker.store.provenance import link_versions_to_seeds, software
from tracker.store.rows import add_row, insert_row, insert_rows
from tracker.store.tables import Activity, Alignment, Citation, Excerpt, Quote, Seed, Version, utcnow
from tracker.store.versions import sentence_rows


def excerpt_seed_source(
    session: Session,
    seed: Seed,
    aligned: Version,
    *,
    models_dir=None,
    seed_indexes: dict[int, SeedIndex] | None = None,
) -> list[Version]:
    """Align `seed` with `aligned` (a translated or original version); make its excerpt versions.

    Idempotent: a seed already aligned with this version is left alone (a new translation is a
    new version, and is aligned afresh). With `models_dir`, a translated source's links are
    also scored by the installed translation model (see `model_scores`). `seed_indexes` caches
    each seed's sentences (and, for a long seed, its candidate index) across the sources of one run.
    """
    done = session.exec(
        select(Alignment.id).where(Alignment.seed_id == seed.id, Alignment.version_id == aligned.id)
    ).first()
    if done is not None or not aligned.text:
        return []
    rows = sentence_rows(session, aligned.id)
    source_spans = [TextSpan(aligned.text[r.char_start : r.char_end], r.char_start, r.char_end) for r in rows]
    seed_index = _seed_index(seed, seed_indexes)
    seed_spans = seed_index.spans
    started = utcnow()
    # A long seed is aligned through the sentences that could draw on this source only; its
    # positions map back through `chosen` (identity for a seed aligned whole).
    cited_at = session.exec(
        select(Citation.char_start).where(Citation.seed_id == seed.id, Citation.source_id == aligned.source_id)
    ).all()
    chosen = seed_index.candidates([span.text for span in source_spans], cited_at)
    result = aligner.align([seed_spans[i] for i in chosen], source_spans)
    result.links = [replace(link, seed=tuple(chosen[i] for i in link.seed)) for link in result.links]
    if not result.links and not seed_index.is_long:
        return []
    original = session.get(Version, aligned.parent_id) if aligned.kind == "translated" else None
    scored = None
    if original is not None and models_dir is not None:
        scored = model_scores(
            result.links,
            [seed.text[seed_spans[link.seed[0]].start : seed_spans[link.seed[-1]].end] for link in result.links],
            [
                original.text[rows[link.source[0]].parent_start : rows[link.source[-1]].parent_end]
                if link.source
                else ""
                for link in result.links
            ],
            original.language,
            aligned.language,
            models_dir,
        )
    activity_id = insert_row(
        session,
        Activity,
        kind="align",
        source_id=aligned.source_id,
        seed_id=seed.id,
        used_version_id=aligned.id,
        started_at=started,
        ended_at=utcnow(),
        software=software(),
        parameters=json.dumps(
            {
                "method": "lexical: tf-idf words, bigrams, char 4-grams",
                "weights": features.WEIGHTS,
                "supported": aligner.SUPPORTED,
                "paraphrased": aligner.PARAPHRASED,
                "partial_coverage": aligner.PARTIAL_COVERAGE,
                "supported_coverage": aligner.SUPPORTED_COVERAGE,
                "details": list(DETAIL_KINDS),
                "merge_gain": aligner.MERGE_GAIN,
                "quote_approximate": APPROXIMATE,
                **({"model_score": scored[1]} if scored else {}),
            },
            sort_keys=True,
        ),
    )

    is_translation = aligned.kind == "translated"

    def original_span(first: int, last: int) -> tuple[int, int]:
        if is_translation:
            return rows[first].parent_start, rows[last].parent_end
        return rows[first].char_start, rows[last].char_end

    excerpts: list[Version] = []
    excerpt_rows: list[dict] = []
    excerpt_of: dict[int, int] = {}  # source sentence position -> excerpt version id
    for first, last in result.runs():
        links = result.links_in(first, last)
        seed_positions = sorted({i for link in links for i in link.seed})
        original_start, original_end = original_span(first, last)
        version = add_row(
            session,
            Version,
            source_id=aligned.source_id,
            kind="excerpt",
            parent_id=aligned.id,
            activity_id=activity_id,
            language=aligned.language,
            title=aligned.title,
            url=aligned.url,
            text=aligned.text[rows[first].char_start : rows[last].char_end],
        )
        excerpt_rows.append(
            dict(
                version_id=version.id,
                seed_id=seed.id,
                seed_start=seed_spans[seed_positions[0]].start,
                seed_end=seed_spans[seed_positions[-1]].end,
                seed_sentence=" ".join(seed_spans[i].text for i in seed_positions),
                translated_start=rows[first].char_start if is_translation else None,
                translated_end=rows[last].char_end if is_translation else None,
                original_start=original_start,
                original_end=original_end,
                score=round(sum(link.score for link in links) / len(links), 4),
                label=_excerpt_label(links),
                first_sentence=first,
                last_sentence=last,
            )
        )
        excerpts.append(version)
        for position in range(first, last + 1):
            excerpt_of[position] = version.id

    insert_rows(session, Excerpt, excerpt_rows)

    alignments: list[dict] = []
    for position, link in enumerate(result.links):
        if seed_index.is_long and not link.source:
            continue  # in the one summary row below
        seed_first, seed_last = seed_spans[link.seed[0]], seed_spans[link.seed[-1]]
        row = dict(
            seed_id=seed.id,
            version_id=aligned.id,
            activity_id=activity_id,
            seed_start=seed_first.start,
            seed_end=seed_last.end,
            seed_text=seed.text[seed_first.start : seed_last.end],
            seed_sentences=json.dumps(list(link.seed)),
            source_sentences=json.dumps(list(link.source)),
            score=link.score,
            label=link.label,
            coverage=link.coverage if link.source else None,
            unsupported_details=_details_json(link),
            model_score=scored[0].get(position) if scored else None,
            seed_sentence=link.seed[0],
            verbatim=link.verbatim,
        )
        if link.source:
            first, last = link.source[0], link.source[-1]
            row["excerpt_id"] = excerpt_of[first]
            row["source_start"], row["source_end"] = rows[first].char_start, rows[last].char_end
            row["original_start"], row["original_end"] = original_span(first, last)
        alignments.append(row)
    if seed_index.is_long:
        alignments.append(_unsupported_summary(seed, aligned, activity_id, seed_spans, result.links))
    insert_rows(session, Alignment, alignments)

    insert_rows(
        session,
        Quote,
        (
            dict(
                seed_id=seed.id,
                version_id=aligned.id,
                quote=check.quote.text,
                seed_start=check.quote.start,
                seed_end=check.quote.end,
                status=check.status,
                score=check.score,
                source_start=check.source_start,
                source_end=check.source_end,
                source_text=check.source_text,
                differences=json.dumps(check.differences, ensure_ascii=False),
            )
            for check in check_quotes(seed.text, aligned.text)
        ),
    )
    link_versions_to_seeds(session, aligned.source_id)
    return excerpts


def model_scores(links, seed_texts, original_texts, from_code, to_code, models_dir) -> tuple[dict, dict] | None:
    """The translation model's own judgment of each linked seed sentence: the length-normalized
    log-probability (CTranslate2 `score_batch`) of the seed text given the original-language
    source text, as {link index: score}, with the model's provenance. None when no direct
    from→to package is installed. A cross-lingual signal beside the lexical one, recorded, not
    used for the label (see docs/judgments.md)."""
    from pathlib import Path

    from tracker.translation.translator import score_translations

    wanted = [k for k, link in enumerate(links) if link.source and original_texts[k].strip()]
    if not wanted or not from_code or not to_code:
        return None
    scored = score_translations(
        [(original_texts[k], seed_texts[k]) for k in wanted], from_code, to_code, Path(models_dir)
    )
    if scored is None:
        return None
    return dict(zip(wanted, scored.scores)), scored.provenance()


def _excerpt_label(links: list[aligner.SentenceLink]) -> str:
    """A summary of the excerpt's sentences, the weakest of their labels: supported, paraphrased
    or partial. Each sentence keeps its own label in `alignments`; this one changes none."""
    labels = {link.label for link in links}
    if "partial" in labels:
        return "partial"
    return "supported" if labels == {"supported"} else "paraphrased"


def _details_json(link: aligner.SentenceLink) -> str:
    return json.dumps([d.as_dict() for d in link.unsupported_details], ensure_ascii=False)


def _seed_index(seed: Seed, cache: dict[int, SeedIndex] | None) -> SeedIndex:
    if cache is None:
        return index_seed(seed.text)
    if seed.id not in cache:
        cache[seed.id] = index_seed(seed.text)
    return cache[seed.id]


def _unsupported_summary(seed, aligned, activity_id, seed_spans, links) -> dict:
    """One `added` row for every sentence of a long seed that does not draw on this source, in
    place of a row each (10,000 rows per source for a seed citing 10,000 pages)."""
    drawn = {i for link in links if link.source for i in link.seed}
    rest = [i for i in range(len(seed_spans)) if i not in drawn]
    return dict(
        seed_id=seed.id,
        version_id=aligned.id,
        activity_id=activity_id,
        seed_start=seed_spans[rest[0]].start if rest else 0,
        seed_end=seed_spans[rest[-1]].end if rest else 0,
        seed_text=f"({len(rest)} other seed sentences: none draws on this source)",
        seed_sentences=json.dumps(rest),
        source_sentences="[]",
        score=0.0,
        label="added",
    )


def align_files(
    seed_path, source_path, *, source_lang: str | None, target: str, models_dir, language_seed: int = 0
) -> dict:
    """`tracker align`: align a local seed file with a local source text, no database.

    The source is translated into `target` first when it is in another language (given, or
    detected); raises translate.MissingModel when no installed package covers the pair.
    """
    from pathlib import Path

    from tracker.originals.language import detect_language
    from tracker.seeds.files import read_seed_file
    from tracker.translation.versions import join_sentences, sentence_spans

    seed_text = read_seed_file(Path(seed_path)).text
    original = read_seed_file(Path(source_path)).text
    language = source_lang or detect_language(original, seed=language_seed).code or target
    spans = sentence_spans(original)
    if language == target:
        translated, offsets = original, [(s.start, s.end) for s in spans]
    else:
        from tracker.translation.translator import translate_sentences

        translation = translate_sentences([s.text for s in spans], language, target, Path(models_dir))
        translated, offsets = join_sentences(original, spans, translation.sentences)
    source_spans = [TextSpan(translated[a:b], a, b) for a, b in offsets]
    seed_spans = split_sentences(seed_text)
    result = aligner.align(seed_spans, source_spans)
    scored = None
    if language != target:
        scored = model_scores(
            result.links,
            [seed_text[seed_spans[link.seed[0]].start : seed_spans[link.seed[-1]].end] for link in result.links],
            [
                original[spans[link.source[0]].start : spans[link.source[-1]].end] if link.source else ""
                for link in result.links
            ],
            language,
            target,
            models_dir,
        )
    pairs = []
    for index, link in enumerate(result.links):
        first_seed, last_seed = seed_spans[link.seed[0]], seed_spans[link.seed[-1]]
        pair = {
            "seed_sentences": list(link.seed),
            "seed_start": first_seed.start,
            "seed_end": last_seed.end,
            "seed_text": seed_text[first_seed.start : last_seed.end],
            "source_sentences": list(link.source),
            "score": link.score,
            "label": link.label,
            "coverage": link.coverage if link.source else None,
            "unsupported_details": [d.as_dict() for d in link.unsupported_details],
            "model_score": scored[0].get(index) if scored else None,
            "verbatim": link.verbatim,
            "joined_sentences": list(link.joined),  # neighbours aligned with it (a split), for display
        }
        if link.source:
            first, last = link.source[0], link.source[-1]
            pair.update(
                translated_start=offsets[first][0],
                translated_end=offsets[last][1],
                translated_text=" ".join(source_spans[j].text for j in link.source),
                original_start=spans[first].start,
                original_end=spans[last].end,
                original_text=" ".join(spans[j].text for j in link.source),
            )
        pairs.append(pair)
    return {
        "source_language": language,
        "target": target,
        "translated": language != target,
        "model_score": scored[1] if scored else None,
        "pairs": pairs,
        "unused_source_sentences": [j for j, used in enumerate(result.used) if not used],
        "quotes": [
            {
                "quote": c.quote.text,
                "seed_start": c.quote.start,
                "seed_end": c.quote.end,
                "status": c.status,
                "score": c.score,
                "source_text": c.source_text,
                "differences": c.differences,
            }
            for c in check_quotes(seed_text, translated)
        ],
    }
