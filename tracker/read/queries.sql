-- Named provenance queries: the questions analysts ask most, answered over the views that the
-- migrations create (provenance_chain, source_versions, translations, excerpt_texts,
-- seed_citations, attributions, failed_sources).
--
-- Each query starts with a `-- name: NAME` line; the comment lines under it say what it answers.
-- Parameters are written :name. Run one with
--     tracker sql --query which_seeds_cite_url --param url=https://example.com/a
-- or in Datasette, where each is a canned query (`tracker datasette-metadata`).
-- The queries are portable SQL: they run on SQLite and PostgreSQL.
--
-- Dates: timestamps are stored in UTC as 'YYYY-MM-DD HH:MM:SS.ffffff'. A seed's date is its
-- `ingested_at`, when tracker first read that revision of it: seeds carry no reliable
-- publication date of their own, and a seed enters tracker when it is published or later.

-- name: which_seeds_cite_url
-- Which seeds cite this URL, with the sentence that cites it. The URL matches as cited, in its
-- normalized form, after redirects, or as the page's canonical URL.
SELECT seed_id, seed_path, seed_revision, current, cue, sentence, source_id, source_url
FROM seed_citations
WHERE :url IN (cited_url, source_url, normalized_url, final_url, canonical_url)
ORDER BY seed_id, citation_id;

-- name: source_text_when_seed_published
-- What the source at this URL said, in its own language, when each citing seed was published:
-- the original version in force at the seed's date (the newest captured at or before it), else
-- the first one captured after it, as the Wayback Machine picks its closest capture.
SELECT seed_citations.seed_id, seed_citations.seed_path, seed_citations.seed_ingested_at,
       cited.id AS version_id, cited.created_at AS captured_at,
       CASE WHEN cited.created_at <= seed_citations.seed_ingested_at THEN 'before' ELSE 'after' END
           AS captured,
       cited.language, cited.language_status, cited.text
FROM seed_citations
JOIN versions cited ON cited.source_id = seed_citations.source_id
WHERE cited.id = COALESCE(
      (SELECT earlier.id FROM versions earlier
       WHERE earlier.source_id = seed_citations.source_id AND earlier.kind = 'original'
         AND earlier.created_at <= seed_citations.seed_ingested_at
       ORDER BY earlier.created_at DESC LIMIT 1),
      (SELECT earliest.id FROM versions earliest
       WHERE earliest.source_id = seed_citations.source_id AND earliest.kind = 'original'
       ORDER BY earliest.created_at LIMIT 1))
  AND :url IN (seed_citations.cited_url, seed_citations.source_url, seed_citations.normalized_url,
               seed_citations.final_url, seed_citations.canonical_url)
ORDER BY seed_citations.seed_id;

-- name: translations_by_model
-- Every translation made by Argos package :model (e.g. translate-vi_en) at version
-- :model_version (e.g. 1.9), with the checksum of the package files that made it.
SELECT version_id, source_url, from_language, from_language_status, to_language, status, model,
       model_version, model_sha256, started_at
FROM translations
WHERE model = :model AND model_version = :model_version
ORDER BY version_id;

-- name: sources_changed_after_cited
-- Sources whose text changed after a seed cited them: how many originals were captured after
-- the one in force when the seed was published (see source_text_when_seed_published).
SELECT seed_citations.seed_id, seed_citations.seed_path, seed_citations.source_url,
       cited.id AS cited_version_id, COUNT(DISTINCT later.id) AS changes_since,
       MAX(later.id) AS newest_version_id, MAX(later.created_at) AS last_changed_at
FROM seed_citations
JOIN versions cited ON cited.source_id = seed_citations.source_id
JOIN versions later ON later.source_id = cited.source_id AND later.kind = 'original'
                   AND later.created_at > cited.created_at
WHERE cited.id = COALESCE(
      (SELECT earlier.id FROM versions earlier
       WHERE earlier.source_id = seed_citations.source_id AND earlier.kind = 'original'
         AND earlier.created_at <= seed_citations.seed_ingested_at
       ORDER BY earlier.created_at DESC LIMIT 1),
      (SELECT earliest.id FROM versions earliest
       WHERE earliest.source_id = seed_citations.source_id AND earliest.kind = 'original'
       ORDER BY earliest.created_at LIMIT 1))
GROUP BY seed_citations.seed_id, seed_citations.seed_path, seed_citations.source_url, cited.id
ORDER BY seed_citations.seed_id, seed_citations.source_url;

-- name: seeds_with_unfound_quotes
-- Quotations in seeds that no source they cite bears out, not even approximately.
SELECT seeds.id AS seed_id, seeds.path AS seed_path, quotes.quote AS quote
FROM quotes
JOIN seeds ON seeds.id = quotes.seed_id
GROUP BY seeds.id, seeds.path, quotes.quote
HAVING SUM(CASE WHEN quotes.status = 'not_found' THEN 0 ELSE 1 END) = 0
ORDER BY seeds.id, quotes.quote;

-- name: failed_sources
-- Sources that failed or were skipped, why, how their last request ended, and how many seeds
-- cite them.
SELECT url, state, last_error, failures, status_code, error_kind, citing_seeds, next_fetch_at
FROM failed_sources
ORDER BY state, url;

-- name: source_history
-- Every version of the source at this URL (as cited or normalized), oldest first; an original
-- is in force from captured_at until superseded_at.
SELECT version_id, kind, parent_id, status, language, language_status, captured_at, superseded_at,
       activity, model, model_version, text_sha256
FROM source_versions
WHERE :url IN (source_url, normalized_url)
ORDER BY version_id;

-- name: excerpts_of_seed
-- The passages of its sources that seed :seed_id draws on: the seed sentence, the translated
-- sentence and the original sentence side by side.
SELECT source_url, score, seed_sentence, translated_text, original_text, original_language
FROM excerpt_texts
WHERE seed_id = :seed_id
ORDER BY source_id, version_id;

-- name: attributions_to
-- Claims that seeds attribute to a name without a URL (e.g. :name = Kremlin).
SELECT seed_path, name, role, cue, sentence
FROM attributions
WHERE name LIKE '%' || :name || '%'
ORDER BY seed_path, char_start;
