"""Every table's columns, in the order its table class declares them, and those that hold datetimes
or booleans: what the read paths that skip SQLModel (tracker/store/reader.py) select and convert.

Generated from tracker/store/*tables.py by `python -m tests.test_columns > tracker/store/columns.py`;
tests/test_columns.py fails when a table changes and this file does not.
"""

from __future__ import annotations

COLUMNS: dict[str, str] = {
    "activities": (
        "id kind source_id informed_by_id used_version_id seed_id status error software model model_version "
        "model_sha256 parameters started_at ended_at"
    ),
    "activity_models": "activity_id hop model model_version model_sha256 from_language to_language",
    "alert_checks": "subject item_id checked_at",
    "alert_deliveries": "alert_id destination attempts sent_at next_attempt_at error",
    "alerts": "id kind seed_id source_id version_id created_at summary details",
    "alignments": (
        "id seed_id version_id excerpt_id activity_id seed_start seed_end seed_text seed_sentences source_sentences "
        "source_start source_end original_start original_end score label coverage model_score unsupported_details "
        "seed_sentence verbatim"
    ),
    "attribution_candidates": (
        "id citation_id seed_id source_id version_id matched_on matched_text label score confidence bears_out"
    ),
    "bodies": "sha256 size compression content",
    "citations": (
        "id seed_id source_id kind text name role cue url had_credentials char_start char_end sentence sentence_start "
        "sentence_end source_kind resolved_by resolved_start resolved_end organization cue_kind cue_start cue_end "
        "content_start content_end confidence"
    ),
    "excerpts": (
        "version_id seed_id seed_start seed_end seed_sentence translated_start translated_end original_start "
        "original_end score label first_sentence last_sentence"
    ),
    "fetch_attempts": (
        "id source_id activity_id url retry status_code error error_kind redirect_to content_type body_sha256 headers "
        "started_at seconds"
    ),
    "hop_alignments": (
        "id citing_version_id cited_version_id activity_id citing_sentence citing_start citing_end citing_text "
        "cited_sentences cited_start cited_end score label coverage unsupported_details verbatim"
    ),
    "hop_citations": (
        "id citing_version_id citing_source_id source_id hop kind text url name cue char_start char_end sentence "
        "translated_version_id translated_start translated_end near_claim confidence"
    ),
    "hosts": (
        "origin robots_status robots_body robots_error robots_fetched_at crawl_delay last_request_at next_request_at "
        "blocked_until blocked_reason lease_holder lease_token lease_until"
    ),
    "jobs": (
        "id queue key batch_key weight payload status attempts worker lease_until run_after created_at started_at "
        "finished_at error"
    ),
    "quotes": (
        "id seed_id version_id quote seed_start seed_end status score source_start source_end source_text differences"
    ),
    "seed_relations": "seed_id related_seed_id reason score shared",
    "seed_terms": "seed_id kind term count",
    "seeds": (
        "id path revision sha256 format title publisher text ingested_at superseded_at url canonical_url body_sha256 "
        "published_at published_evidence dated_by checked_at"
    ),
    "sentence_translations": (
        "sentence_sha256 model model_version model_sha256 language decoding translation compute_type created_at"
    ),
    "sentences": "version_id position char_start char_end parent_start parent_end",
    "sources": (
        "id url normalized_url host final_url canonical_url state last_error failures changes check_interval "
        "retired_reason retired_under etag last_modified first_cited_at last_fetched_at next_fetch_at archive_due_at "
        "archive_reason archive_for archive_state archive_checked_at"
    ),
    "version_seeds": "version_id seed_id",
    "versions": (
        "id source_id kind parent_id activity_id status language language_probability language_status "
        "language_evidence declared_language title author published site_name url text text_sha256 body_sha256 "
        "created_at captured_at archived archive_name memento_url"
    ),
}
DATETIMES: dict[str, str] = {
    "activities": "started_at ended_at",
    "alert_checks": "checked_at",
    "alert_deliveries": "sent_at next_attempt_at",
    "alerts": "created_at",
    "fetch_attempts": "started_at",
    "hosts": "robots_fetched_at last_request_at next_request_at blocked_until lease_until",
    "jobs": "lease_until run_after created_at started_at finished_at",
    "seeds": "ingested_at superseded_at published_at checked_at",
    "sentence_translations": "created_at",
    "sources": "first_cited_at last_fetched_at next_fetch_at archive_due_at archive_for archive_checked_at",
    "versions": "created_at captured_at",
}
BOOLEANS: dict[str, str] = {
    "alignments": "verbatim",
    "attribution_candidates": "bears_out",
    "citations": "had_credentials",
    "hop_alignments": "verbatim",
    "hop_citations": "near_claim",
    "versions": "archived",
}
