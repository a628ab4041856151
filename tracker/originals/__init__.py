"""Original versions: main text, metadata and language of a fetched page.

Takes fetched responses; gives `original` versions with their extract activity.
"""
