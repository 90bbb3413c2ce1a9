"""Names found by their shape in running text, for the clustering's name feature.

No NLP models (nothing to download): capitalized multi-word names, acronyms
(CISA, SEC, NIS2), CVE ids and amounts are what distinguish one happening from
another that shares its vocabulary. Lives beside the typed gazetteers so the
program has one place that finds names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from briefing.entities import PATTERNS, gazetteer

# News filler that says nothing about which happening an article reports.
NEWS_WORDS = frozenset(
    [
        "said",
        "says",
        "say",
        "told",
        "according",
        "reported",
        "report",
        "reports",
        "reporting",
        "statement",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "added",
        "noted",
        "week",
        "weeks",
        "day",
        "days",
        "month",
        "months",
        "year",
        "years",
        "today",
        "yesterday",
        "tuesday",
        "monday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "new",
        "just",
        "like",
        "including",
        "percent",
        "people",
        "time",
        "officials",
        "official",
    ]
)
STOP = frozenset(ENGLISH_STOP_WORDS) | NEWS_WORDS

# Capitalized words that are not names (sentence openers, dates, honorifics).
NOT_NAMES = STOP | frozenset(
    [
        "mr",
        "ms",
        "mrs",
        "dr",
        "sen",
        "rep",
        "gov",
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "for",
        "of",
        "and",
        "but",
        "or",
        "if",
        "as",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "when",
        "while",
        "after",
        "before",
        "since",
        "during",
        "under",
        "over",
        "officials",
        "researchers",
        "lawmakers",
        "analysts",
        "experts",
        "critics",
        "investigators",
        "regulators",
        "authorities",
        "attackers",
        "hackers",
        "users",
        "customers",
        "companies",
        "agencies",
        "government",
    ]
)

_CVE = PATTERNS[0][1]
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,7}s?$")
_AMOUNT = re.compile(
    r"[$€£]?\d+(?:[.,]\d+)*\s*(?:million|billion|bn\b|m\b|percent|%|days|hours)",
    re.IGNORECASE,
)
_CONNECTORS = frozenset({"of", "for", "and", "on", "de", "&"})


@dataclass(frozen=True, slots=True)
class Mention:
    """A name as written, and whether it opened a sentence (where capitals mean less)."""

    parts: tuple[str, ...]
    sentence_start: bool


_CAP = r"(?:[A-Z](?:[\w&'’-]|\.(?=\w))*|\d+[A-Za-z]\w*)"
# a run of capitalized words, possibly joined by "of", "for", "and" ... (one line)
_NAME_RUN = re.compile(rf"{_CAP}(?:[ \t]+(?:(?:of|for|and|on|de|&)[ \t]+)?{_CAP})*")
_OPENERS = frozenset(".!?:\"“‘'-—–\n(")


def _mentions(text: str) -> list[Mention]:
    found = []
    for match in _NAME_RUN.finditer(text):
        begin = match.start()
        if begin and (text[begin - 1].isalnum() or text[begin - 1] in "-_/"):
            continue  # inside a word or an identifier (CVE-..., a URL)
        n = begin - 1
        while n >= 0 and text[n] in " \t\"“‘'(":
            n -= 1
        sentence_start = n < 0 or text[n] in _OPENERS
        parts = tuple(
            p.removesuffix("'s").removesuffix("’s").rstrip("'’") for p in match.group(0).split()
        )
        if parts and not _CVE.fullmatch(parts[0]):
            found.append(Mention(parts, sentence_start))
    return found


_TOKENS: dict[tuple[str, ...], list[str]] = {}


def _name_tokens(parts: tuple[str, ...]) -> list[str]:
    """A name gives its words and, for multi-word names, the whole name."""
    cached = _TOKENS.get(parts)
    if cached is None:
        cached = _name_tokens_uncached(parts)
        if len(_TOKENS) < 200_000:
            _TOKENS[parts] = cached
    return cached


def _name_tokens_uncached(parts: tuple[str, ...]) -> list[str]:
    out = _shape_tokens(parts)
    entity = gazetteer().spellings.get(" ".join(parts))
    if entity is not None and out:
        # one key whatever spelling an outlet used ("CISA", the agency's full name)
        out.append("=" + entity.key.replace(" ", "_"))
    return out


def _shape_tokens(parts: tuple[str, ...]) -> list[str]:
    kept = [p for p in parts if p.lower() not in NOT_NAMES or p.isupper()]
    while kept and kept[-1].lower() in _CONNECTORS:
        kept.pop()
    if not kept:
        return []
    out = [k.lower().replace(".", "") for k in kept if k.lower() not in _CONNECTORS]
    out = [o for o in out if len(o) > 1 and not o.isdigit()]
    if len(out) > 1:
        out.append("_".join(out))
    return out


# Headline words that Title Case capitalizes but that name nothing.
_TITLE_TEXT = """new why how what who when where is are was be can will may could should says say
    after over amid into its his her their our your my first last more most"""
_TITLE_WORDS = frozenset(_TITLE_TEXT.split())
_LOWER_WORD = re.compile(r"(?<![\w-])[a-z][a-z0-9'’-]*")


def _confirmed(mentions: list[Mention], lowercase: set[str]) -> set[str]:
    """Names seen mid-sentence, acronyms, and sentence openers the text never lowercases."""
    seen: set[str] = set()
    for mention in mentions:
        parts = mention.parts
        if mention.sentence_start and not _ACRONYM.match(parts[0]):
            head = parts[0].lower()
            if head in lowercase or head in NOT_NAMES:
                parts = parts[1:]
        seen.update(_name_tokens(parts))
    return seen


def _names(text: str, mentions: list[Mention], known: set[str], headline: bool) -> list[str]:
    out: list[str] = []
    for mention in mentions:
        parts = mention.parts
        if headline:
            acronyms = {p.lower().replace(".", "") for p in parts if _ACRONYM.match(p)}
            out.extend(t for t in _name_tokens(parts) if t in known or t in acronyms)
            continue
        if mention.sentence_start and not _ACRONYM.match(parts[0]):
            head = parts[0].lower().replace(".", "")
            if head not in known:
                parts = parts[1:]
        out.extend(_name_tokens(parts))
    out.extend(m.upper() for m in _CVE.findall(text))
    out.extend(re.sub(r"\s+", "", m.lower()) for m in _AMOUNT.findall(text))
    return out


def names(text: str, known: set[str] | None = None, *, headline: bool = False) -> list[str]:
    """Named things in `text`, lowercased (each occurrence once, for counting).

    A capitalized word that opens a sentence counts only when it is confirmed
    elsewhere (`known`); in a headline (Title Case) only confirmed names and
    acronyms count.
    """
    mentions = _mentions(text)
    if known is None:
        known = _confirmed(mentions, set(_LOWER_WORD.findall(text)))
    return _names(text, mentions, known, headline)


def field_names(title: str, lead: str, rest: str) -> tuple[list[str], list[str], list[str]]:
    """Names of an article's title, lead and rest, confirmed across the whole article."""
    found = [_mentions(title), _mentions(lead), _mentions(rest)]
    lowercase = set(_LOWER_WORD.findall(f"{title}\n{lead}\n{rest}"))
    known = _confirmed(found[1], lowercase) | _confirmed(found[2], lowercase)
    known |= _confirmed(found[0], lowercase | _TITLE_WORDS)
    return (
        _names(title, found[0], known, True),
        _names(lead, found[1], known, False),
        _names(rest, found[2], known, False),
    )
