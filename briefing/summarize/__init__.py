"""Extractive summaries of articles, events and stories, offline."""
