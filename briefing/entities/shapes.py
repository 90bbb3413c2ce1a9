"""Names found by their shape in running text, for the clustering's name feature.

No NLP models (nothing to download): capitalized multi-word names, acronyms
(CISA, SEC, NIS2), CVE ids and amounts are what distinguish one happening from
another that shares its vocabulary. Lives beside the typed gazetteers so the
program has one place that finds names.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from briefing.entities import PATTERNS, gazetteer


def _english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words, read from its file rather than imported.

    Importing any part of scikit-learn loads most of it (~70 MB, ~0.7 s), and
    the clustering needs nothing else of it; the file is one literal list.
    """
    spec = importlib.util.find_spec("sklearn")  # (finds the package without importing it)
    if spec is not None and spec.origin is not None:
        path = Path(spec.origin).parent / "feature_extraction" / "_stop_words.py"
        own = importlib.util.spec_from_file_location("_briefing_stop_words", path)
        if own is not None and own.loader is not None and path.is_file():
            module = importlib.util.module_from_spec(own)
            own.loader.exec_module(module)
            return frozenset(module.ENGLISH_STOP_WORDS)
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # moved: the slow way

    return frozenset(ENGLISH_STOP_WORDS)


ENGLISH_STOP_WORDS = _english_stop_words()

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
# (the lookaheads change no match: they let the scan skip ahead to where one can start)
_AMOUNT = re.compile(
    r"(?=[$€£\d])[$€£]?\d+(?:[.,]\d+)*\s*(?:million|billion|bn\b|m\b|percent|%|days|hours)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
_CONNECTORS = frozenset({"of", "for", "and", "on", "de", "&"})
# the words after a hyphen that tie a name on as an attribute ("China-linked hackers")
_TIES = frozenset(
    ("linked", "backed", "based", "sponsored", "affiliated", "aligned", "allied", "owned", "led")
)

_CAP = r"(?:[A-Z](?:[\w&'’-]|\.(?=\w))*|\d+[A-Za-z]\w*)"
# a run of capitalized words, possibly joined by "of", "for", "and" ... (one line)
_NAME_RUN = re.compile(rf"{_CAP}(?:[ \t]+(?:(?:of|for|and|on|de|&)[ \t]+)?{_CAP})*")
# split() keeps the runs: pieces alternate text between runs, then a run
_SPLIT = re.compile(rf"(?=[A-Z\d])({_NAME_RUN.pattern})")
# a capital after a full stop, colon, dash or line break, and any spaces,
# quotes and brackets, opens a sentence
_QUOTING = " \t\"“‘'("
_OPENERS = frozenset(".!?:-—–\n")


@dataclass(frozen=True, slots=True)
class Run:
    """What the name finder needs of one run of capitalized words, worked out once.

    Most runs recur across an archive ("CISA", "Microsoft", the capital that
    opens a sentence), so each is looked up rather than split and folded again.
    """

    # (tuples, not lists or sets: an archive holds tens of thousands of these)
    tokens: tuple[str, ...]  # the whole run's name tokens
    rest: tuple[str, ...]  # the tokens without the first word (a capitalized sentence opener)
    head_acronym: bool
    head: str  # the first word, lowercased
    head_key: str  # ... and without dots, as name tokens are written
    acronyms: tuple[str, ...]  # its acronyms, as tokens (what a headline keeps unconfirmed)


Mention = tuple[Run, bool]  # a run, and whether it opened a sentence (capitals mean less)

_RUNS: dict[str, Run | None] = {}


def _run(written: str) -> Run | None:
    words = written.split()
    parts = tuple(_part(w) for w in words)
    found = None
    if parts and not _CVE.fullmatch(parts[0]):
        head = parts[0].lower()
        found = Run(
            tuple(_run_tokens(words)),
            tuple(_run_tokens(words[1:])),
            bool(_ACRONYM.match(parts[0])),
            head,
            head.replace(".", ""),
            tuple(p.lower().replace(".", "") for p in parts if _ACRONYM.match(p)),
        )
    if len(_RUNS) < 200_000:  # a bounded memo
        _RUNS[written] = found
    return found


def _mentions(text: str) -> list[Mention]:
    pieces = _SPLIT.split(text)
    found = []
    for k in range(1, len(pieces), 2):
        gap = pieces[k - 1]  # never empty after the first run: runs do not touch
        if gap and (gap[-1].isalnum() or gap[-1] in "-_/"):
            continue  # inside a word or an identifier (CVE-..., a URL)
        written = pieces[k]
        run = _RUNS[written] if written in _RUNS else _run(written)
        if run is None:
            continue
        # what precedes the quotes and spaces before the run (a run may end in a quote)
        before = gap.rstrip(_QUOTING) or (pieces[k - 2].rstrip(_QUOTING) if k > 1 else "")
        found.append((run, not before or before[-1] in _OPENERS))
    return found


def _part(word: str) -> str:
    return word.removesuffix("'s").removesuffix("’s").rstrip("'’")


def _run_tokens(words: list[str]) -> list[str]:
    """The name tokens of a run; a name tied on as an attribute ("China-linked",
    "Moscow-based") ends a name of its own, without the word that ties it."""
    names: list[list[str]] = [[]]
    for word in words:
        head, _, tie = word.rpartition("-")
        if head and tie in _TIES:
            names[-1].append(head)
            names.append([])
        else:
            names[-1].append(word)
    return [t for n in names if n for t in _name_tokens(tuple(map(_part, n)), " ".join(n))]


def _name_tokens(parts: tuple[str, ...], written: str) -> list[str]:
    """A name gives its words and, for multi-word names, the whole name; a list of
    names ("FBI and CISA") each name's; and what the gazetteer knows, its key."""
    spellings = gazetteer().spellings
    entity = spellings.get(written.replace("’", "'")) or spellings.get(" ".join(parts))
    listed = [" ".join(n) for n in _listed(parts)] if entity is None else []
    if listed and all(n in spellings or _ACRONYM.match(n) for n in listed):
        return [t for name in listed for t in _name_tokens(tuple(name.split()), name)]
    out = _shape_tokens(parts)
    known = [entity] if entity is not None else [spellings.get(n) for n in listed]
    if out:
        # one key whatever spelling an outlet used ("CISA", the agency's full name)
        out.extend("=" + e.key.replace(" ", "_") for e in known if e is not None)
    return out


def _listed(parts: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The parts "and" or "&" join in a run ("FBI and CISA"; but also "Bureau of
    Industry and Security", which `_name_tokens` keeps whole), if it has any."""
    names: list[list[str]] = [[]]
    for part in parts:
        if part in ("and", "&"):
            names.append([])
        else:
            names[-1].append(part)
    return [tuple(n) for n in names] if len(names) > 1 else []


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
_LOWER_RUN = re.compile(r"[a-z][a-z0-9'’-]*")
_RUN_GOES_ON = re.compile(r"[a-z0-9'’-]")


def _lowercased(word: str, text: str) -> bool:
    """Whether `text` also writes `word` in lower case, as a word of its own.

    The same answer as looking `word` up among `_LOWER_WORD.findall(text)`,
    found with `str.find` because the word is rarely there.
    """
    if not _LOWER_RUN.fullmatch(word):
        return False
    at = text.find(word)
    while at >= 0:
        before = text[at - 1] if at else " "
        if before in "'’":  # may sit inside a longer lowercase run: ask the pattern
            return word in _LOWER_WORD.findall(text)
        end = at + len(word)
        if not (before.isalnum() or before in "_-") and not _RUN_GOES_ON.match(text, end):
            return True
        at = text.find(word, at + 1)
    return False


def _confirmed(mentions: list[Mention], text: str, title: bool = False) -> set[str]:
    """Names seen mid-sentence, acronyms, and sentence openers the text never lowercases."""
    seen: set[str] = set()
    for run, start in mentions:
        if (
            start
            and not run.head_acronym
            and (
                run.head in NOT_NAMES
                or (title and run.head in _TITLE_WORDS)
                or _lowercased(run.head, text)
            )
        ):
            seen.update(run.rest)
        else:
            seen.update(run.tokens)
    return seen


def _names(
    text: str, mentions: list[Mention], known: set[str], headline: bool, hints: tuple[bool, bool]
) -> list[str]:
    """The name tokens of `text`; `hints` says whether the article it belongs to
    may hold a CVE id and an amount (most hold no CVE id: skip that pattern)."""
    out: list[str] = []
    for run, start in mentions:
        if headline:
            out.extend(t for t in run.tokens if t in known or t in run.acronyms)
        elif start and not run.head_acronym and run.head_key not in known:
            out.extend(run.rest)
        else:
            out.extend(run.tokens)
    cves, amounts = hints
    if cves:
        out.extend(m.upper() for m in _CVE.findall(text))
    if amounts:
        out.extend(_SPACES.sub("", m.lower()) for m in _AMOUNT.findall(text))
    return out


def _hints(text: str) -> tuple[bool, bool]:
    # no case of any letter of "cve" folds to another letter, so lower() finds them all
    return "cve-" in text.lower(), bool(_DIGIT.search(text))


def names(text: str, known: set[str] | None = None, *, headline: bool = False) -> list[str]:
    """Named things in `text`, lowercased (each occurrence once, for counting).

    A capitalized word that opens a sentence counts only when it is confirmed
    elsewhere (`known`); in a headline (Title Case) only confirmed names and
    acronyms count.
    """
    mentions = _mentions(text)
    if known is None:
        known = _confirmed(mentions, text)
    return _names(text, mentions, known, headline, _hints(text))


def field_names(title: str, lead: str, rest: str) -> tuple[list[str], list[str], list[str]]:
    """Names of an article's title, lead and rest, confirmed across the whole article."""
    found = [_mentions(title), _mentions(lead), _mentions(rest)]
    text = f"{title}\n{lead}\n{rest}"
    known = _confirmed(found[1], text) | _confirmed(found[2], text)
    known |= _confirmed(found[0], text, title=True)
    hints = _hints(text)
    return (
        _names(title, found[0], known, True, hints),
        _names(lead, found[1], known, False, hints),
        _names(rest, found[2], known, False, hints),
    )
