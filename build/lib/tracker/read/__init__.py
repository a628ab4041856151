"""Reading the record: lookup by URL, diffs, read-only SQL, named queries and exports (PROV, JSONL, WARC)."""
