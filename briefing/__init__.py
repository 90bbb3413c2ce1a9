"""briefing: a terminal news-briefing reader for cybersecurity policy."""

__version__ = "0.1.0"
