"""Grouping coverage: near-duplicates, events, stories and their timelines."""
