"""Fetching: guarded, polite HTTP for URLs found in untrusted documents.

Takes URLs due for fetching; gives responses (bytes, headers, every attempt), decoded HTML,
robots.txt decisions and the next time each source is due.
"""
