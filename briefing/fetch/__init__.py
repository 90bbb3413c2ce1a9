"""Getting the news in: HTTP, feed parsing and normalization, full text, OPML."""
