"""Named entities of an article, typed, found offline: gazetteers plus patterns.

One place that finds names for the whole program: the store keeps what it
finds per article, watches and mutes match on it, and the clustering's name
feature comes from `briefing.entities.shapes`, which finds names by their shape
and gives a gazetteer name one key whatever spelling an outlet used ("CISA",
"Cybersecurity and Infrastructure Security Agency").

The gazetteers live in `briefing/data/entities/` (see the README there).
Matching is case-sensitive and whole-word, so "Delta" the airline is found
and "delta" the change is not; the longest spelling wins where two overlap.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

TYPES = ("agency", "country", "company", "threat", "law", "cve")
TYPE_LABELS = {
    "agency": "agency or regulator",
    "country": "country",
    "company": "company",
    "threat": "threat actor or malware",
    "law": "law or regulation",
    "cve": "CVE",
}

# Numbered instruments have too many members to list; their shape is enough.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cve", re.compile(r"\bCVE-\d{4}-\d{4,7}\b", re.IGNORECASE)),
    ("law", re.compile(r"\bExecutive Order (?:No\. )?1\d{4}\b")),
    ("law", re.compile(r"\b(?:Regulation|Directive) \(EU\) (?:No )?\d{2,4}/\d{1,4}\b")),
    ("law", re.compile(r"\b(?:Emergency|Binding Operational) Directive \d{2}-\d{2}\b")),
)


@dataclass(frozen=True, slots=True, order=True)
class Entity:
    name: str  # the canonical name
    type: str  # one of TYPES

    @property
    def key(self) -> str:
        """A lowercase key, the form name features and queries compare."""
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Gazetteer:
    spellings: dict[str, Entity]  # every spelling -> its entity
    pattern: re.Pattern[str]
    version: str  # changes when any list changes: stored extractions are then redone

    def lookup(self, name: str) -> Entity | None:
        """The entity a user names, by any spelling, case-insensitive."""
        folded = name.strip().lower()
        for spelling, entity in self.spellings.items():
            if spelling.lower() == folded or entity.key == folded:
                return entity
        return None


def _read_lists() -> dict[str, str]:
    folder = resources.files("briefing.data").joinpath("entities")
    return {kind: folder.joinpath(f"{kind}.txt").read_text("utf-8") for kind in TYPES[:-1]}


def parse_list(kind: str, text: str) -> dict[str, Entity]:
    spellings: dict[str, Entity] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        names = [n.strip() for n in line.split("|") if n.strip()]
        entity = Entity(names[0], kind)
        for name in names:
            spellings.setdefault(name, entity)
    return spellings


@cache
def gazetteer() -> Gazetteer:
    lists = _read_lists()
    spellings: dict[str, Entity] = {}
    for kind, text in lists.items():
        for name, entity in parse_list(kind, text).items():
            spellings.setdefault(name, entity)
    ordered = sorted(spellings, key=lambda s: (-len(s), s))
    # whole words: no letter, digit, hyphen or apostrophe-joined word on either side
    alternation = "|".join(re.escape(s) for s in ordered)
    # the lookahead on the spellings' first letters changes no match; it lets the
    # scan skip ahead instead of trying every spelling at every position (3x faster)
    firsts = "".join(sorted({re.escape(s[0]) for s in ordered}))
    ahead = f"(?=[{firsts}])" if firsts else ""
    pattern = re.compile(rf"{ahead}(?<![\w\-.&])(?:{alternation})(?![\w\-&]|\.\w)")
    digest = hashlib.sha1(usedforsecurity=False)
    for kind in sorted(lists):
        digest.update(kind.encode() + b"\0" + lists[kind].encode("utf-8"))
    digest.update("|".join(p.pattern for _, p in PATTERNS).encode())
    return Gazetteer(spellings, pattern, digest.hexdigest()[:12])


def extract(text: str) -> Counter[Entity]:
    """Every entity `text` names, with how often it is named."""
    found: Counter[Entity] = Counter()
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            name = match.group(0).upper() if kind == "cve" else match.group(0)
            found[Entity(name, kind)] += 1
            taken.append(match.span())
    table = gazetteer()
    for match in table.pattern.finditer(text):
        if not any(a <= match.start() < b for a, b in taken):
            found[table.spellings[match.group(0)]] += 1
    return found


def article_entities(title: str, body: str) -> Counter[Entity]:
    """An article's entities; a name in the title weighs as much as three in the body."""
    counts = extract(body)
    for entity, n in extract(title).items():
        counts[entity] += 3 * n
    return counts


def name_keys(text: str) -> list[str]:
    """Canonical lowercase keys of the entities in `text`, one per mention.

    For the clustering's name feature: different spellings of one entity give
    one key, so "CISA" in one outlet and the agency's full name in another match.
    """
    return [entity.key for entity, n in extract(text).items() for _ in range(n)]


def top(counts: Counter[Entity], limit: int = 8) -> list[Entity]:
    """The most-named entities, ties broken by type then name (stable output)."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], TYPES.index(kv[0].type), kv[0].name))
    return [entity for entity, _ in ranked[:limit]]
