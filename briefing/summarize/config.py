"""Which summarizer, and whether the stored summaries were made by it.

Kept free of sumy and numpy so that a refresh with nothing new can ask
`summaries_current` without importing the summarizers.
"""

from __future__ import annotations

from briefing.config import Settings
from briefing.errors import BriefingError
from briefing.store.db import Store

# Bump when the summarizing code changes what it would choose, so stored
# summaries are recomputed once.
VERSION = "3"  # 3: MMR keeps summary sentences from repeating each other
# The meta key that remembers which VERSION and algorithm made the stored summaries.
CONFIG_KEY = "summary_config"

ALGORITHMS: tuple[str, ...] = ("lexrank", "textrank", "lsa", "luhn", "lead")
# The measured best (see benchmarks/eval_summaries.py and the README figures).
DEFAULT = "lexrank"


class SummarizeError(BriefingError, ValueError):
    """A summarizer setting that briefing does not know."""


def resolve(name: str | None) -> str:
    """The algorithm for a setting value; empty means the measured best."""
    name = (name or "").strip().lower()
    if not name:
        return DEFAULT
    if name not in ALGORITHMS:
        raise SummarizeError(
            f"unknown summarizer {name!r}; choose one of {', '.join(ALGORITHMS)} (or leave empty)"
        )
    return name


def config_value(algorithm: str) -> str:
    return f"{VERSION}:{algorithm}"


def summaries_current(store: Store, settings: Settings) -> bool:
    """The stored summaries were made by this VERSION and the algorithm set now."""
    try:
        algorithm = resolve(settings.summarizer)
    except SummarizeError:
        return False  # the stage itself reports the bad setting
    return store.get_meta(CONFIG_KEY) == config_value(algorithm)
