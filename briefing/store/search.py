"""Full-text search over article titles and text (FTS5).

What the analyst types is rebuilt into an FTS5 query, never passed through:
"phrases", OR, AND, NOT, (groups) and prefix* keep their FTS5 meaning; every
other word is a prefix (`kasper` finds Kaspersky). Anything FTS5 would choke
on is a `SearchError` with a message that says what to fix, never "0 results".
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from briefing.errors import BriefingError
from briefing.store.db import Store

OPERATORS = {"OR", "AND", "NOT"}
_TOKENS = re.compile(r'"[^"]*"\*?|"[^"]*$|[()]|[^\s()"]+')
# Private-use characters mark the matched terms in a snippet; feeds never send them
# through to the store (sanitized text keeps printable characters only).
MARK_START, MARK_END = "\ue000", "\ue001"
SNIPPET_WORDS = 14
# A prefix* is widened to this many letters at least (see _stemmed_prefix).
MIN_STEM = 4


class SearchError(BriefingError, ValueError):
    """The search text is not a query FTS5 can run; the message says why."""


@dataclass(frozen=True, slots=True)
class Snippet:
    """One matching article: its title and a few words around the match, terms marked."""

    article_id: int
    title: str
    text: str


def fts_query(text: str) -> str:
    """The analyst's search as a safe FTS5 query; SearchError when it cannot be one."""
    parts: list[str] = []
    for token in _TOKENS.findall(text):
        if token.startswith('"'):
            parts.append(_phrase(token))
        elif token in OPERATORS or token in "()":
            parts.append(token)
        else:
            parts.extend(_word(token))
    _check(parts)
    return " ".join(_with_and(parts))


def _with_and(parts: list[str]) -> list[str]:
    """FTS5 reads `a b` as a AND b, but not `(a OR b) c`: spell the AND out."""
    out: list[str] = []
    for part in parts:
        ends = bool(out) and out[-1] not in OPERATORS and out[-1] != "("
        starts = part not in OPERATORS and part != ")"
        if ends and starts:
            out.append("AND")
        out.append(part)
    return out


def _phrase(token: str) -> str:
    prefix = token.endswith("*")
    body = token.rstrip("*")
    if len(body) < 2 or not body.endswith('"'):
        raise SearchError('a quote is not closed: put " at the end of the phrase')
    words = re.findall(r"\w+", body[1:-1])
    if not words:
        raise SearchError('an empty phrase "": type words between the quotes')
    return '"' + " ".join(words) + '"' + ("*" if prefix else "")


def _word(token: str) -> list[str]:
    words = re.findall(r"\w+", token)
    if not words:
        return []
    if token.endswith("*") and len(words) == 1:
        return [_stemmed_prefix(words[0])]
    # a hyphenated or dotted word (co-operation, 5.0) is a phrase of its parts
    return ['"' + " ".join(words) + '"*']


def _stemmed_prefix(word: str) -> str:
    """`regulat*` as FTS5 should read it.

    The index holds porter stems ("regulators" is "regul"), and a prefix is not
    stemmed like the word it starts, so `regulat*` alone finds nothing. Shorter
    prefixes, down to MIN_STEM letters, cover the letters porter strips.
    """
    cut = min(2, max(len(word) - MIN_STEM, 0))
    forms = [word[: len(word) - n] for n in range(cut + 1)]
    if len(forms) == 1:
        return f'"{word}"*'
    return "(" + " OR ".join(f'"{form}"*' for form in forms) + ")"


def _check(parts: list[str]) -> None:
    depth = 0
    previous = None
    for part in parts:
        if part == "(":
            depth += 1
        elif part == ")":
            depth -= 1
            if depth < 0 or previous in (None, "(") or previous in OPERATORS:
                raise SearchError("a ) without its ( or with nothing inside")
        elif part in OPERATORS and (previous is None or previous in OPERATORS or previous == "("):
            raise SearchError(f"{part} needs words on both sides, as in: CISA {part} NCSC")
        previous = part
    if depth:
        raise SearchError("a ( is not closed")
    if previous in OPERATORS:
        raise SearchError(f"{previous} needs words on both sides, as in: CISA {previous} NCSC")


def _match(store: Store, sql: str, params: tuple[object, ...]) -> list[sqlite3.Row]:
    try:
        return store.query(sql, params)
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc) or "syntax" in str(exc):
            raise SearchError(f"not a search briefing can run ({exc})") from exc
        raise


def search_articles(store: Store, text: str, limit: int = 200) -> list[int]:
    from briefing.store import query as fielded  # it imports fts_query from here

    parsed = fielded.parse(text)
    if parsed.empty:
        return []
    if parsed.fields:  # entity:, source:, category:, tag:
        return fielded.matching_articles(store, parsed)[::-1][:limit]  # newest first
    rows = _match(
        store,
        "SELECT rowid FROM article_fts WHERE article_fts MATCH ? ORDER BY rank LIMIT ?",
        (fts_query(parsed.text), limit),
    )
    return [int(r[0]) for r in rows]


def search_stories(store: Store, text: str, limit: int = 200) -> list[str]:
    """Stories with a matching article, best match first."""
    ids = search_articles(store, text, limit * 5)
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = store.query(
        f"""SELECT events.story_id AS sid, articles.id AS aid FROM articles
            JOIN events ON events.id = articles.event_id
            WHERE articles.id IN ({marks}) AND events.story_id IS NOT NULL""",
        tuple(ids),
    )
    rank = {aid: i for i, aid in enumerate(ids)}
    best: dict[str, int] = {}
    for row in rows:
        best[row["sid"]] = min(best.get(row["sid"], 10**9), rank[row["aid"]])
    return sorted(best, key=best.__getitem__)[:limit]


def story_snippets(store: Store, text: str, story_id: str, limit: int = 3) -> list[Snippet]:
    """The story's best matching articles, each with the words around the match."""
    from briefing.store import query as fielded

    query = fts_query(fielded.parse(text).text)  # the words; fields have no snippet
    if not query:
        return []
    rows = _match(
        store,
        f"""SELECT article_fts.rowid AS aid, articles.title AS title,
                   snippet(article_fts, 2, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_WORDS})
                   AS snip
            FROM article_fts
            JOIN articles ON articles.id = article_fts.rowid
            JOIN events ON events.id = articles.event_id
            WHERE article_fts MATCH ? AND events.story_id = ?
            ORDER BY rank LIMIT ?""",
        (query, story_id, limit),
    )
    return [Snippet(int(r["aid"]), r["title"] or "", r["snip"] or "") for r in rows]
