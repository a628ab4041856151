"""Excerpts: which passages of a source each citing seed draws on, and how well.

Takes seeds and translated (or original) versions; gives alignments, `excerpt` versions, quote
checks and related seeds.
"""
