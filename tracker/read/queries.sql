-- Named provenance queries: the questions analysts ask most, answered over the views that the
-- migrations create (provenance_chain, source_versions, translations, excerpt_texts,
-- seed_citations, attributions, failed_sources, alignment_judgments).
--
-- Each query starts with a `-- name: NAME` line; the comment lines under it say what it answers.
-- Parameters are written :name. Run one with
--     tracker sql --query which_seeds_cite_url --param url=https://example.com/a
-- or in Datasette, where each is a canned query (`tracker datasette-metadata`).
-- The queries are portable SQL: they run on SQLite and PostgreSQL.
--
-- Dates: timestamps are stored in UTC as 'YYYY-MM-DD HH:MM:SS.ffffff'. A seed's date
-- (`seed_date` in the views) is its publication date when its page states one (`published_at`,
-- read from JSON-LD, a meta tag, the URL or the page's text: `published_evidence`), else its
-- `ingested_at`, when tracker first read that revision of it; `seed_dated_by` says which.

-- name: which_seeds_cite_url
-- Which seeds cite this URL, with the sentence that cites it. The URL matches as cited, in its
-- normalized form, after redirects, or as the page's canonical URL.
SELECT seed_id, seed_path, seed_revision, current, cue, sentence, source_id, source_url
FROM seed_citations
WHERE :url IN (cited_url, source_url, normalized_url, final_url, canonical_url)
ORDER BY seed_id, citation_id;

-- name: source_text_when_seed_published
-- What the source at this URL said, in its own language, when each citing seed was published:
-- the original version in force at the seed's date (our newest capture at or before it, else the
-- newest archived copy captured at or before it), else the first one captured after it, as the
-- Wayback Machine picks its closest capture. `archived` marks an archived copy: `captured_at` is
-- then the archive's capture time, `archive_name` and `memento_url` say where it was read.
SELECT DISTINCT cited_versions.seed_id, cited_versions.seed_path, cited_versions.seed_date,
       cited_versions.seed_dated_by,
       cited_versions.version_id, cited_versions.captured_at, cited_versions.captured,
       cited_versions.archived, cited_versions.archive_name, cited_versions.memento_url,
       versions.language, versions.language_status, versions.text
FROM cited_versions
JOIN versions ON versions.id = cited_versions.version_id
JOIN seed_citations ON seed_citations.seed_id = cited_versions.seed_id
                   AND seed_citations.source_id = cited_versions.source_id
WHERE :url IN (seed_citations.cited_url, seed_citations.source_url, seed_citations.normalized_url,
               seed_citations.final_url, seed_citations.canonical_url)
ORDER BY cited_versions.seed_id;

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
-- the one in force when the seed was published (see source_text_when_seed_published), counting
-- captures of its own kind (ours, or archived copies; the next query compares the two).
SELECT cited_versions.seed_id, cited_versions.seed_path, sources.url AS source_url,
       cited_versions.version_id AS cited_version_id, COUNT(DISTINCT later.id) AS changes_since,
       MAX(later.id) AS newest_version_id, MAX(later.captured_at) AS last_changed_at
FROM cited_versions
JOIN sources ON sources.id = cited_versions.source_id
JOIN versions later ON later.source_id = cited_versions.source_id AND later.kind = 'original'
                   AND later.archived = cited_versions.archived
                   AND later.captured_at > cited_versions.captured_at
GROUP BY cited_versions.seed_id, cited_versions.seed_path, sources.url, cited_versions.version_id
ORDER BY cited_versions.seed_id, sources.url;

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

-- name: unsupported_details
-- Seed sentences that draw on a source but state details it does not bear out (label
-- `partial`): the seed sentence, the details (JSON: text, kind, seed offsets, the source's
-- differing detail), and the source sentences it was checked against.
SELECT seed_id, seed_path, source_url, label, score, coverage, seed_text, unsupported_details,
       translated_text, original_text, original_language
FROM alignment_judgments
WHERE label = 'partial'
ORDER BY seed_id, source_id, seed_start;

-- name: attributions_to
-- Claims that seeds attribute to a name without a URL (e.g. :name = Kremlin), matched on the
-- resolved name ("he" said → Dmitry Peskov) or the source as written, with how it was resolved,
-- the cue and the content attributed.
SELECT seed_path, source, source_kind, name, resolved_by, role, organization, cue, cue_kind,
       content, confidence, sentence
FROM attributions
WHERE name LIKE '%' || :name || '%' OR source LIKE '%' || :name || '%'
ORDER BY seed_path, char_start;

-- name: sources_known_only_from_archive
-- Sources tracker never read itself (gone, unreachable) but found in a web archive: each archived
-- copy, the archive, when the archive captured it and the memento it was read from.
SELECT sources.id AS source_id, sources.url AS source_url, sources.state AS source_state,
       sources.last_error, archived.id AS version_id, archived.archive_name,
       archived.captured_at, archived.memento_url, archived.language,
       (SELECT COUNT(DISTINCT citations.seed_id) FROM citations
        WHERE citations.source_id = sources.id) AS citing_seeds
FROM sources
JOIN versions archived ON archived.source_id = sources.id AND archived.kind = 'original' AND archived.archived
WHERE NOT EXISTS (SELECT 1 FROM versions own
                  WHERE own.source_id = sources.id AND own.kind = 'original' AND NOT own.archived)
ORDER BY sources.url, archived.captured_at;

-- name: sources_changed_since_archived
-- Seeds whose source changed between the archived capture from before the seed's date (the
-- newest one) and tracker's own first capture of it: what the author could have read, beside
-- what tracker read later. `tracker diff` shows the two versions' difference sentence by sentence.
SELECT cited.seed_id, cited.seed_path, cited.seed_date, sources.url AS source_url,
       archived.id AS archived_version_id, archived.archive_name, archived.captured_at AS archived_at,
       archived.memento_url, own.id AS our_version_id, own.captured_at AS our_captured_at,
       archived.text AS archived_text, own.text AS our_text
FROM (SELECT DISTINCT seed_id, seed_path, seed_date, source_id FROM seed_citations) cited
JOIN sources ON sources.id = cited.source_id
JOIN versions archived ON archived.id = (
     SELECT v.id FROM versions v
     WHERE v.source_id = cited.source_id AND v.kind = 'original' AND v.archived
       AND v.captured_at <= cited.seed_date
     ORDER BY v.captured_at DESC, v.id DESC LIMIT 1)
JOIN versions own ON own.id = (
     SELECT v.id FROM versions v
     WHERE v.source_id = cited.source_id AND v.kind = 'original' AND NOT v.archived
     ORDER BY v.captured_at, v.id LIMIT 1)
WHERE archived.text_sha256 <> own.text_sha256
ORDER BY cited.seed_id, sources.url;

-- name: where_sentence_changed
-- Where sentence :sentence (its position, from 0) of seed :seed_id changed along its trail
-- (view source_trails): the first step, hop by hop, labelled partial or added, with the details
-- the hop before states and this one does not bear out (e.g. a figure, with the cited hop's own).
-- Hop 1 is the seed sentence against a source the seed cites; hop k + 1 hop k against a source it cites.
SELECT seed_id, seed_path, seed_sentence, hop, source_url, original_language, label, score,
       unsupported_details, path
FROM source_trails
WHERE seed_id = :seed_id AND seed_sentence = :sentence AND label IN ('partial', 'added')
ORDER BY hop, source_id
LIMIT 1;
