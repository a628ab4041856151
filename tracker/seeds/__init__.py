"""Seeds: read seed files (text, Markdown, HTML), record new revisions, find what they cite.

Takes the seeds folder; gives `seeds` rows and their `citations` (URLs, and attributions: who
the seed says its claims come from, resolved to names).
"""
