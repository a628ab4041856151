"""query views and lookup indexes

Views answer the common provenance questions directly (see tracker/read/queries.sql). They are plain,
portable SQL (no JSON functions, no window functions) so that they read the same on SQLite and
PostgreSQL (no reserved words as aliases either: PostgreSQL reserves FETCH, hence `fetching`).
A view that needs changing later is dropped and recreated by a new migration.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


VIEWS = {
    # seed → citation → source → original → translated → excerpt, with the activity behind each.
    "provenance_chain": """
SELECT seeds.id AS seed_id, seeds.path AS seed_path, seeds.revision AS seed_revision,
       seeds.ingested_at AS seed_ingested_at,
       citations.id AS citation_id, citations.url AS cited_url, citations.sentence AS citing_sentence,
       sources.id AS source_id, sources.normalized_url, sources.state AS source_state,
       fetching.id AS fetch_activity_id, fetching.started_at AS fetched_at,
       original.id AS original_id, original.language AS original_language,
       original.created_at AS original_created_at, extract.id AS extract_activity_id,
       translated.id AS translated_id, translated.language AS translated_language,
       translated.status AS translation_status, translate.id AS translate_activity_id,
       translate.model AS translate_model, translate.model_version AS translate_model_version,
       excerpt.id AS excerpt_id, excerpts.score AS excerpt_score, excerpt.activity_id AS align_activity_id
FROM citations
JOIN seeds ON seeds.id = citations.seed_id
JOIN sources ON sources.id = citations.source_id
LEFT JOIN versions original ON original.source_id = sources.id AND original.kind = 'original'
LEFT JOIN activities extract ON extract.id = original.activity_id
LEFT JOIN activities fetching ON fetching.id = extract.informed_by_id
LEFT JOIN versions translated ON translated.parent_id = original.id AND translated.kind = 'translated'
LEFT JOIN activities translate ON translate.id = translated.activity_id
LEFT JOIN versions excerpt ON excerpt.kind = 'excerpt'
      AND excerpt.parent_id = COALESCE(translated.id, original.id)
      AND excerpt.id IN (SELECT excerpts.version_id FROM excerpts WHERE excerpts.seed_id = seeds.id)
LEFT JOIN excerpts ON excerpts.version_id = excerpt.id
WHERE citations.kind = 'url'
""",
    # Every version of a source, oldest first; an original is in force from captured_at until
    # the next original replaces it (superseded_at, NULL while it is the newest).
    "source_versions": """
SELECT sources.id AS source_id, sources.url AS source_url, sources.normalized_url,
       versions.id AS version_id, versions.kind, versions.parent_id, versions.status,
       versions.language, versions.title, versions.text_sha256, versions.created_at AS captured_at,
       CASE WHEN versions.kind = 'original' THEN
            (SELECT MIN(later.created_at) FROM versions later
             WHERE later.source_id = versions.source_id AND later.kind = 'original'
               AND later.created_at > versions.created_at) END AS superseded_at,
       activities.id AS activity_id, activities.kind AS activity, activities.model,
       activities.model_version
FROM versions
JOIN sources ON sources.id = versions.source_id
LEFT JOIN activities ON activities.id = versions.activity_id
""",
    # Translated versions with the package (model) and version that made them.
    "translations": """
SELECT translated.id AS version_id, sources.id AS source_id, sources.url AS source_url,
       original.id AS original_id, original.language AS from_language,
       translated.language AS to_language, translated.status,
       activities.model, activities.model_version, activities.model_sha256,
       activities.software, activities.parameters, activities.error,
       activities.started_at, activities.ended_at
FROM versions translated
JOIN versions original ON original.id = translated.parent_id
JOIN sources ON sources.id = translated.source_id
LEFT JOIN activities ON activities.id = translated.activity_id
WHERE translated.kind = 'translated'
""",
    # An excerpt's three texts side by side: the seed sentence, the translated sentence and the
    # original sentence (cut from the original by the offsets in `excerpts`).
    "excerpt_texts": """
SELECT excerpt.id AS version_id, seeds.id AS seed_id, seeds.path AS seed_path,
       sources.id AS source_id, sources.url AS source_url, excerpts.score,
       excerpts.seed_sentence,
       CASE WHEN aligned.kind = 'translated' THEN excerpt.text END AS translated_text,
       SUBSTR(original.text, excerpts.original_start + 1,
              excerpts.original_end - excerpts.original_start) AS original_text,
       original.language AS original_language, aligned.id AS aligned_id, original.id AS original_id,
       excerpt.activity_id AS align_activity_id
FROM excerpts
JOIN versions excerpt ON excerpt.id = excerpts.version_id
JOIN versions aligned ON aligned.id = excerpt.parent_id
JOIN versions original ON original.id = CASE WHEN aligned.kind = 'original'
                                             THEN aligned.id ELSE aligned.parent_id END
JOIN seeds ON seeds.id = excerpts.seed_id
JOIN sources ON sources.id = excerpt.source_id
""",
    # URL citations with the source each one resolved to.
    "seed_citations": """
SELECT seeds.id AS seed_id, seeds.path AS seed_path, seeds.revision AS seed_revision,
       seeds.superseded_at IS NULL AS current, seeds.ingested_at AS seed_ingested_at,
       citations.id AS citation_id, citations.url AS cited_url, citations.cue, citations.sentence,
       sources.id AS source_id, sources.url AS source_url, sources.normalized_url,
       sources.final_url, sources.canonical_url, sources.state AS source_state
FROM citations
JOIN seeds ON seeds.id = citations.seed_id
JOIN sources ON sources.id = citations.source_id
WHERE citations.kind = 'url'
""",
    # Named attributions without a URL ("the Kremlin said", "according to AFP").
    "attributions": """
SELECT citations.id AS citation_id, seeds.id AS seed_id, seeds.path AS seed_path,
       seeds.revision AS seed_revision, seeds.superseded_at IS NULL AS current, seeds.publisher,
       citations.name, citations.role, citations.cue, citations.text, citations.sentence,
       citations.char_start, citations.char_end
FROM citations
JOIN seeds ON seeds.id = citations.seed_id
WHERE citations.kind = 'attribution'
""",
    # Sources that failed or were skipped, why, and how their last request ended.
    "failed_sources": """
SELECT sources.id AS source_id, sources.url, sources.state, sources.last_error, sources.failures,
       sources.last_fetched_at, sources.next_fetch_at,
       last_attempt.url AS last_attempt_url, last_attempt.status_code, last_attempt.error_kind,
       (SELECT COUNT(DISTINCT citations.seed_id) FROM citations
        WHERE citations.source_id = sources.id) AS citing_seeds
FROM sources
LEFT JOIN fetch_attempts last_attempt ON last_attempt.id =
     (SELECT MAX(attempts.id) FROM fetch_attempts attempts WHERE attempts.source_id = sources.id)
WHERE sources.state IN ('failed', 'skipped')
""",
}


def upgrade() -> None:
    with op.batch_alter_table("fetch_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fetch_attempts_redirect_to"), ["redirect_to"], unique=False)
        batch_op.create_index(batch_op.f("ix_fetch_attempts_url"), ["url"], unique=False)
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sources_url"), ["url"], unique=False)
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body.strip()}")


def downgrade() -> None:
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sources_url"))
    with op.batch_alter_table("fetch_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fetch_attempts_url"))
        batch_op.drop_index(batch_op.f("ix_fetch_attempts_redirect_to"))
