"""Text features: content words, named things, shingles, canonical URLs.

No NLP models (nothing to download): names are found by their shape in
running text — capitalized multi-word names, acronyms (CISA, SEC, NIS2), CVE
ids, amounts — which is what distinguishes one happening from another that
shares its vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

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

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’-][A-Za-z0-9]+)*|\d+(?:[.,]\d+)*")
_CVE = re.compile(r"\bCVE-\d{4}-\d{4,7}\b", re.IGNORECASE)
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,7}s?$")
_AMOUNT = re.compile(
    r"\$?\d+(?:[.,]\d+)*\s*(?:million|billion|percent|%|days|hours)", re.IGNORECASE
)
_NAME_TOKEN = re.compile(r"[A-Z][A-Za-z0-9&.'’-]*|[0-9]+[A-Za-z][A-Za-z0-9]*")
_CONNECTORS = frozenset({"of", "for", "and", "on", "de", "&"})
_SENTENCE_END = re.compile(r"[.!?:;\"“”()\[\]]\s*$")


def stem(word: str) -> str:
    """A light plural folding (sanctions ~ sanction) without a stemmer's surprises."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Content words, lowercased and folded; stop words and bare numbers dropped."""
    out = []
    for raw in _WORD.findall(text):
        low = raw.lower().replace("’", "'")
        if low.endswith("'s"):
            low = low[:-2]
        if low in STOP or len(low) < 2:
            continue
        if low[0].isdigit() and not (len(low) == 4 and low[:2] in {"19", "20"}):
            continue  # years stay (they date a matter); other bare numbers are noise
        out.append(stem(low))
    return out


@dataclass(frozen=True, slots=True)
class Mention:
    """A name as written, and whether it opened a sentence (where capitals mean less)."""

    parts: tuple[str, ...]
    sentence_start: bool


def _mentions(text: str) -> list[Mention]:
    tokens = list(re.finditer(r"\S+", text))
    found: list[Mention] = []
    current: list[str] = []
    start_flag = False
    prev_end_sentence = True
    pending_connector: str | None = None
    for match in tokens:
        raw = match.group(0)
        word = raw.strip("\"“”'‘’()[],.;:!?")
        ends_sentence = bool(_SENTENCE_END.search(raw)) or raw.endswith(",")
        if raw[0] in '(["“' and current:  # an opening bracket or quote ends a name
            found.append(Mention(tuple(current), start_flag))
            current, pending_connector = [], None
        if word and _NAME_TOKEN.fullmatch(word) and not _CVE.fullmatch(word):
            if not current:
                start_flag = prev_end_sentence
            elif pending_connector:
                current.append(pending_connector)
            pending_connector = None
            current.append(word.removesuffix("'s").removesuffix("’s"))
            if ends_sentence:
                found.append(Mention(tuple(current), start_flag))
                current = []
        elif current and word.lower() in _CONNECTORS and not pending_connector:
            pending_connector = word.lower()
            if ends_sentence:
                found.append(Mention(tuple(current), start_flag))
                current, pending_connector = [], None
        else:
            if current:
                found.append(Mention(tuple(current), start_flag))
            current, pending_connector = [], None
        prev_end_sentence = bool(re.search(r"[.!?]['\"”’)]*$", raw)) or raw in {"-", "—", "–"}
    if current:
        found.append(Mention(tuple(current), start_flag))
    return found


def _name_tokens(parts: tuple[str, ...]) -> list[str]:
    """A name gives its words and, for multi-word names, the whole name."""
    kept = [p for p in parts if p.lower() not in NOT_NAMES or p.isupper()]
    while kept and kept[-1].lower() in _CONNECTORS:
        kept.pop()
    if not kept:
        return []
    out = [k.lower().rstrip(".") for k in kept if k.lower() not in _CONNECTORS]
    out = [o for o in out if len(o) > 1 and not o.isdigit()]
    if len(out) > 1:
        out.append("_".join(out))
    return out


def confirmed_names(text: str) -> set[str]:
    """Names seen mid-sentence (or as acronyms): capitals there are not grammar."""
    seen: set[str] = set()
    for mention in _mentions(text):
        parts = mention.parts
        if mention.sentence_start:
            parts = parts[1:] if not _ACRONYM.match(parts[0]) else parts
        for token in _name_tokens(parts):
            seen.add(token)
    return seen


def names(text: str, known: set[str] | None = None, *, headline: bool = False) -> list[str]:
    """Named things in `text`, lowercased (each occurrence once, for counting).

    A capitalized word that opens a sentence counts only when it is confirmed
    elsewhere (`known`); in a headline (Title Case) only confirmed names and
    acronyms count.
    """
    known = known or set()
    out: list[str] = []
    for mention in _mentions(text):
        parts = mention.parts
        if headline or mention.sentence_start:
            tokens = _name_tokens(parts)
            tokens = [
                t
                for t in tokens
                if t in known
                or any(p.lower().rstrip(".") == t and _ACRONYM.match(p) for p in parts)
            ]
        else:
            tokens = _name_tokens(parts)
        out.extend(tokens)
    out.extend(m.upper() for m in _CVE.findall(text))
    out.extend(re.sub(r"\s+", "", m.lower()) for m in _AMOUNT.findall(text))
    return out


def shingles(text: str, size: int) -> set[str]:
    """Word n-grams of the raw body (stop words kept: copies share them too)."""
    tokens = [t.lower() for t in _WORD.findall(text)]
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


_TRACKING = frozenset(
    [
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref",
        "ref_src",
        "cmpid",
        "ncid",
        "sr_share",
        "spm",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wt.mc_id",
        "at_medium",
        "at_campaign",
    ]
)


def canonical_url(url: str) -> str:
    """One spelling per page: no tracking parameters, fragment, `www.` or trailing slash."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return url.strip()
    host = parts.netloc.lower().removeprefix("www.")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in _TRACKING
    ]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))
