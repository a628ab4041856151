"""Exports of the provenance record: W3C PROV-JSON and JSON Lines.

PROV mapping (see DESIGN.md, "Provenance model"):
- entities: seeds, sources, and every version (original, translated, excerpt);
- activities: fetch, extract, translate, align, with their times, status and parameters;
- agents: the software (one agent per package and version) and the translation models;
- original   wasGeneratedBy extract, which wasInformedBy the fetch that used the source;
  original   wasDerivedFrom the source;
- an archived copy (an original read from a web archive) is labelled "archived copy (ARCHIVE,
  DATE)", carries `archived`, `archive_name`, `memento_url` and `captured_at` (the archive's
  Memento-Datetime), wasAttributedTo the archive (an Organization agent), and its extract
  wasInformedBy the `archive` lookup that used the source;
- translated wasGeneratedBy translate, which used the original; translated wasDerivedFrom original;
- excerpt    wasGeneratedBy align, which used the translated (or original) version and the seed;
  excerpt    wasQuotedFrom the version it was cut from (a Quotation derivation); it carries a
  summary judgment (its weakest sentence's: supported, paraphrased, partial), the seed details the
  source does not bear out, and each seed sentence's own judgment (`sentence_judgments`);
- seed       hadPrimarySource each source it cites (a PrimarySource derivation);
- seed       wasAttributedTo each agent it attributes claims to without a URL ("the Kremlin said"),
  one agent per resolved name (shared across seeds), one per citation where no name is known;
  the relation carries the source as written, how it resolved, role, organisation, cue and content;
- every activity wasAssociatedWith its software and model agents.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from itertools import count
from typing import IO, Any
from urllib.parse import quote

from sqlmodel import Session, select

from tracker.archive.memento import archived_as
from tracker.store.tables import Activity, Alignment, Citation, Excerpt, Seed, Source, Version, VersionSeed
from tracker.trails.prov import add_candidates, add_hop_derivations

NAMESPACE = "https://example.invalid/tracker/ns#"


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _qname(value: str) -> dict[str, str]:
    return {"$": value, "type": "xsd:QName"}


def _attributes(**values: Any) -> dict[str, Any]:
    """PROV-JSON attributes: `prov_type` → prov:type, `label` → prov:label, the rest tracker:*."""
    attributes = {}
    for key, value in values.items():
        if value is None:
            continue
        if key in ("prov_type", "label", "location"):
            attributes["prov:" + key.removeprefix("prov_")] = value
        else:
            attributes["tracker:" + key] = value
    return attributes


def prov_document(session: Session, seed_id: int | None = None) -> dict[str, Any]:
    """The provenance of every version (or of those linked to one seed) as a PROV-JSON object."""
    seeds = session.exec(
        select(Seed).where(Seed.id == seed_id) if seed_id is not None else select(Seed).order_by(Seed.id)
    ).all()
    versions_query = select(Version).order_by(Version.id)
    if seed_id is not None:
        versions_query = versions_query.join(VersionSeed, VersionSeed.version_id == Version.id).where(
            VersionSeed.seed_id == seed_id
        )
    versions = session.exec(versions_query).all()
    seed_ids = {s.id for s in seeds}
    cited = session.exec(
        select(Citation.seed_id, Citation.source_id)
        .where(Citation.source_id.is_not(None), Citation.seed_id.in_(seed_ids))
        .distinct()
    ).all()
    source_ids = {v.source_id for v in versions} | {source for _, source in cited}
    sources = session.exec(select(Source).where(Source.id.in_(source_ids)).order_by(Source.id)).all()
    activity_ids = {v.activity_id for v in versions if v.activity_id is not None}
    activities = {a.id: a for a in session.exec(select(Activity).where(Activity.id.in_(activity_ids))).all()}
    # fetches: the ones that informed an extraction, and every fetch of a selected source (failed ones too)
    fetch_ids = {a.informed_by_id for a in activities.values() if a.informed_by_id is not None}
    for fetch in session.exec(
        select(Activity).where(
            (Activity.id.in_(fetch_ids))
            | (Activity.kind.in_(("fetch", "archive")) & Activity.source_id.in_(source_ids))
        )
    ).all():
        activities[fetch.id] = fetch
    excerpts = {
        e.version_id: e
        for e in session.exec(
            select(Excerpt).where(Excerpt.version_id.in_([v.id for v in versions if v.kind == "excerpt"]))
        ).all()
    }

    # The seed details each excerpt's source sentences do not bear out (from its alignments).
    details: dict[int, list] = {}
    # ... and each of its seed sentences' own judgment (issue 20: the excerpt's label is a summary)
    judgments: dict[int, list] = {}
    for alignment in session.exec(
        select(Alignment).where(Alignment.excerpt_id.in_(list(excerpts))).order_by(Alignment.seed_start)
    ).all():
        sentence_details = json.loads(alignment.unsupported_details or "[]")
        details.setdefault(alignment.excerpt_id, []).extend(sentence_details)
        judgments.setdefault(alignment.excerpt_id, []).append(
            {
                "seed_sentence": alignment.seed_sentence,
                "seed_start": alignment.seed_start,
                "seed_end": alignment.seed_end,
                "label": alignment.label,
                "score": alignment.score,
                "verbatim": alignment.verbatim,
                "source_sentences": json.loads(alignment.source_sentences),
                "unsupported_details": sentence_details,
            }
        )

    doc: dict[str, Any] = {"prefix": {"tracker": NAMESPACE}, "entity": {}, "activity": {}, "agent": {}}
    relation_ids = count(1)

    def relate(kind: str, **attributes: Any) -> None:
        doc.setdefault(kind, {})[f"_:{kind}{next(relation_ids)}"] = attributes

    for seed in seeds:
        doc["entity"][f"tracker:seed/{seed.id}"] = _attributes(
            prov_type="tracker:Seed",
            label=seed.path,
            path=seed.path,
            revision=seed.revision,
            sha256=seed.sha256,
            title=seed.title,
            publisher=seed.publisher,
            ingested_at=_when(seed.ingested_at),
            superseded_at=_when(seed.superseded_at),
            location=seed.url,
            published_at=_when(seed.published_at),
            published_evidence=seed.published_evidence,
        )
    for source in sources:
        doc["entity"][f"tracker:source/{source.id}"] = _attributes(
            prov_type="tracker:Source",
            label=source.url,
            location=source.url,
            normalized_url=source.normalized_url,
            final_url=source.final_url,
            canonical_url=source.canonical_url,
            state=source.state,
            last_error=source.last_error,
        )
    for seed_ref, source_ref in cited:
        relate(
            "wasDerivedFrom",
            **{
                "prov:generatedEntity": f"tracker:seed/{seed_ref}",
                "prov:usedEntity": f"tracker:source/{source_ref}",
                "prov:type": _qname("prov:PrimarySource"),
            },
        )
    _add_attributions(doc, session, seeds, relate)
    for activity in sorted(activities.values(), key=lambda a: a.id):
        _add_activity(doc, activity, relate)
    for version in versions:
        _add_version(
            doc,
            version,
            activities.get(version.activity_id),
            excerpts.get(version.id),
            details.get(version.id),
            relate,
            judgments.get(version.id),
        )
    add_hop_derivations(doc, session, {v.id for v in versions if v.kind == "original"}, relate)  # trails
    add_candidates(doc, session, seed_ids, relate)
    return {key: value for key, value in doc.items() if value}


def _add_attributions(doc: dict, session: Session, seeds: list[Seed], relate) -> None:
    texts = {seed.id: seed.text for seed in seeds}
    rows = session.exec(
        select(Citation)
        .where(Citation.kind == "attribution", Citation.seed_id.in_(list(texts)))
        .order_by(Citation.seed_id, Citation.char_start)
    ).all()
    for citation in rows:
        if citation.name:
            agent = f"tracker:attributed/{quote(citation.name.casefold(), safe='')}"
            label = citation.name
        else:
            agent = f"tracker:attributed/citation/{citation.id}"
            label = citation.text
        doc["agent"].setdefault(agent, _attributes(prov_type="tracker:AttributedSource", label=label))
        text = texts[citation.seed_id]
        content = None
        if citation.content_start is not None and citation.content_end is not None:
            content = text[citation.content_start : citation.content_end]
        relate(
            "wasAttributedTo",
            **{"prov:entity": f"tracker:seed/{citation.seed_id}", "prov:agent": agent},
            **_attributes(
                source=citation.text,
                source_kind=citation.source_kind,
                name=citation.name,
                resolved_by=citation.resolved_by,
                role=citation.role,
                organization=citation.organization,
                cue=citation.cue,
                cue_kind=citation.cue_kind,
                content=content,
                confidence=citation.confidence,
                char_start=citation.char_start,
                char_end=citation.char_end,
                sentence=citation.sentence,
            ),
        )


def _add_activity(doc: dict, activity: Activity, relate) -> None:
    ref = f"tracker:activity/{activity.id}"
    doc["activity"][ref] = {
        **({"prov:startTime": _when(activity.started_at)} if activity.started_at else {}),
        **({"prov:endTime": _when(activity.ended_at)} if activity.ended_at else {}),
        **_attributes(
            prov_type=f"tracker:{activity.kind}",
            kind=activity.kind,
            status=activity.status,
            error=activity.error,
            parameters=activity.parameters,
        ),
    }
    if activity.kind in ("fetch", "archive") and activity.source_id is not None:
        relate("used", **{"prov:activity": ref, "prov:entity": f"tracker:source/{activity.source_id}"})
    if activity.informed_by_id is not None:
        relate(
            "wasInformedBy", **{"prov:informed": ref, "prov:informant": f"tracker:activity/{activity.informed_by_id}"}
        )
    for name, version in sorted(json.loads(activity.software or "{}").items()):
        agent = f"tracker:software/{name}/{version}"
        doc["agent"][agent] = _attributes(
            prov_type=_qname("prov:SoftwareAgent"), label=f"{name} {version}", package=name, version=version
        )
        relate("wasAssociatedWith", **{"prov:activity": ref, "prov:agent": agent})
    if activity.model:  # a pivot translation names each package in the chain, joined by " > "
        codes = activity.model.split(" > ")
        versions = (activity.model_version or "").split(" > ")
        checksums = (activity.model_sha256 or "").split(" > ")
        for position, code in enumerate(codes):
            version = versions[position] if position < len(versions) else ""
            agent = f"tracker:model/{code}/{version or 'unknown'}"
            doc["agent"][agent] = _attributes(
                prov_type=_qname("prov:SoftwareAgent"),
                label=f"Argos package {code} {version}",
                package=code,
                version=version or None,
                sha256=checksums[position] if position < len(checksums) else None,
            )
            relate(
                "wasAssociatedWith",
                **{"prov:activity": ref, "prov:agent": agent, "prov:role": "tracker:translation_model"},
            )


def _add_version(
    doc: dict,
    version: Version,
    activity: Activity | None,
    excerpt: Excerpt | None,
    details: list | None,
    relate,
    judgments: list | None = None,
) -> None:
    ref = f"tracker:version/{version.id}"
    archived = archived_as(version)
    doc["entity"][ref] = _attributes(
        prov_type=f"tracker:{version.kind}",
        label=f"{archived}: {version.title}" if archived and version.title else archived or version.title,
        kind=version.kind,
        status=version.status,
        language=version.language,
        language_status=version.language_status,
        language_probability=version.language_probability,
        url=version.url,
        text_sha256=version.text_sha256,
        body_sha256=version.body_sha256,
        created_at=_when(version.created_at),
        captured_at=_when(version.captured_at),
        archived=True if archived else None,
        archive_name=version.archive_name,
        memento_url=version.memento_url,
        score=excerpt.score if excerpt else None,
        judgment=excerpt.label if excerpt else None,
        # JSON: [{text, kind, seed_start, seed_end, source_text}], the seed details it does not bear out
        unsupported_details=json.dumps(details, ensure_ascii=False) if excerpt else None,
        # JSON: per seed sentence, its own judgment: [{seed_sentence, seed_start, seed_end, label,
        # score, verbatim, source_sentences, unsupported_details}]; `judgment` above summarises them
        sentence_judgments=json.dumps(judgments or [], ensure_ascii=False) if excerpt else None,
    )
    activity_ref = f"tracker:activity/{version.activity_id}" if version.activity_id else None
    if activity_ref:
        relate(
            "wasGeneratedBy",
            **{
                "prov:entity": ref,
                "prov:activity": activity_ref,
                **({"prov:time": _when(version.created_at)} if version.created_at else {}),
            },
        )
    if archived:  # the archive captured the page; tracker only read the memento
        agent = f"tracker:archive/{quote(version.archive_name or 'archive', safe='')}"
        doc["agent"][agent] = _attributes(prov_type=_qname("prov:Organization"), label=version.archive_name)
        relate("wasAttributedTo", **{"prov:entity": ref, "prov:agent": agent})
    parent = f"tracker:version/{version.parent_id}" if version.parent_id else None
    if version.kind == "original":
        relate(
            "wasDerivedFrom",
            **{
                "prov:generatedEntity": ref,
                "prov:usedEntity": f"tracker:source/{version.source_id}",
                **({"prov:activity": activity_ref} if activity_ref else {}),
            },
        )
    elif version.kind == "translated" and parent:
        if activity_ref:
            relate("used", **{"prov:activity": activity_ref, "prov:entity": parent})
        relate(
            "wasDerivedFrom",
            **{
                "prov:generatedEntity": ref,
                "prov:usedEntity": parent,
                **({"prov:activity": activity_ref} if activity_ref else {}),
            },
        )
    elif version.kind == "excerpt" and parent:
        if activity_ref:
            relate("used", **{"prov:activity": activity_ref, "prov:entity": parent})
            if excerpt is not None:
                relate("used", **{"prov:activity": activity_ref, "prov:entity": f"tracker:seed/{excerpt.seed_id}"})
        relate(
            "wasDerivedFrom",
            **{
                "prov:generatedEntity": ref,
                "prov:usedEntity": parent,
                "prov:type": _qname("prov:Quotation"),
                **({"prov:activity": activity_ref} if activity_ref else {}),
            },
        )


def write_prov(session: Session, out: IO[str], seed_id: int | None = None) -> dict[str, int]:
    """Write PROV-JSON to `out`; return how many records of each kind it holds."""
    doc = prov_document(session, seed_id)
    json.dump(doc, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return {key: len(value) for key, value in doc.items() if key != "prefix"}


def jsonl_records(session: Session) -> Iterator[dict[str, Any]]:
    """One JSON-ready object per version: its text, its source, what made it, and its seeds."""
    sources: dict[int, Source] = {}
    for version in session.exec(select(Version).order_by(Version.id)).yield_per(500):
        source = sources.get(version.source_id) or session.get(Source, version.source_id)
        sources[version.source_id] = source
        activity = session.get(Activity, version.activity_id) if version.activity_id else None
        seeds = session.exec(
            select(Seed)
            .join(VersionSeed, VersionSeed.seed_id == Seed.id)
            .where(VersionSeed.version_id == version.id)
            .order_by(Seed.id)
        ).all()
        excerpt = session.get(Excerpt, version.id) if version.kind == "excerpt" else None
        record = _plain(version)
        record["source"] = {
            "id": source.id,
            "url": source.url,
            "normalized_url": source.normalized_url,
            "final_url": source.final_url,
            "canonical_url": source.canonical_url,
        }
        record["activity"] = None
        if activity is not None:
            record["activity"] = _plain(activity)
            record["activity"]["software"] = json.loads(activity.software or "{}")
            record["activity"]["parameters"] = json.loads(activity.parameters or "{}")
        record["seeds"] = [{"id": s.id, "path": s.path, "revision": s.revision} for s in seeds]
        if excerpt is not None:
            record["excerpt"] = _plain(excerpt)
        yield record


def write_jsonl(session: Session, out: IO[str]) -> int:
    written = 0
    for record in jsonl_records(session):
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        written += 1
    return written


def _plain(row) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.model_dump().items()}
