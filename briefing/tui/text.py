"""Untrusted text becomes `Text` here, and only here.

Everything from a feed or a page is run through `briefing.sanitize.clean`
(escape sequences, control and bidi characters removed, length capped) and
wrapped in a `rich.text.Text`, which is never parsed as markup. No screen
builds a markup string out of feed text.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from rich.text import Text

from briefing.models import Sentence
from briefing.sanitize import clean, safe_url


def line(text: str | None, field: str = "title", style: str = "") -> Text:
    """One line of untrusted text (titles, outlet names, tags)."""
    return Text(clean(text, field, single_line=True) or "", style=style, no_wrap=False)


def block(text: str | None, field: str = "text", style: str = "") -> Text:
    """Untrusted multi-line text (bodies, notes), newlines kept."""
    return Text(clean(text, field), style=style)


def note_text(note: str | None, indent: str = "  ") -> Text:
    """The analyst's note as written: its lines kept, later ones indented under the ✎."""
    lines = [" ".join(part.split()) for part in clean(note, "note").splitlines()]
    return Text(f"\n{indent}".join(x for x in lines if x), style="italic")


def plain(text: str | None, field: str = "title") -> str:
    """Untrusted text as a plain string, for widgets that take `markup=False` strings."""
    return clean(text, field, single_line=True)


def day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    return value.strftime("%Y-%m-%d")


def stamp(value: datetime | None) -> str:
    if value is None:
        return "never"
    return value.strftime("%Y-%m-%d %H:%M")


def link(url: str | None) -> str | None:
    """A link we are willing to open or copy: http(s) only, controls stripped."""
    return safe_url(url)


_SPACE = re.compile(r"\s+")


def summary_text(sentences: list[Sentence], empty: str = "No summary yet.") -> Text:
    """A summary as plain paragraphs of its sentences, each attributed to its outlet."""
    if not sentences:
        return Text(empty, style="italic dim")
    out = Text()
    for n, sentence in enumerate(sentences):
        if n:
            out.append("\n")
        out.append("• ", style="dim")
        out.append(clean(sentence.text, "summary", single_line=True))
        if sentence.source:
            out.append(f"  — {clean(sentence.source, 'outlet', single_line=True)}", style="dim")
    return out


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def highlight_sentences(body: Text, sentences: list[str], style: str) -> int:
    """Highlight each sentence where it occurs in body; returns how many were found.

    Sentences were extracted from the same text but may differ in whitespace,
    so both sides are compared with runs of whitespace collapsed.
    """
    plain_body = body.plain
    # map positions in the collapsed text back to the original
    collapsed: list[str] = []
    index: list[int] = []
    previous_space = False
    for pos, char in enumerate(plain_body):
        if char.isspace():
            if previous_space:
                continue
            previous_space = True
            collapsed.append(" ")
        else:
            previous_space = False
            collapsed.append(char)
        index.append(pos)
    flat = "".join(collapsed)
    found = 0
    for sentence in sentences:
        needle = _norm(sentence)
        if not needle:
            continue
        start = flat.find(needle)
        if start < 0:
            continue
        end = start + len(needle) - 1
        body.stylize(style, index[start], index[end] + 1)
        found += 1
    return found


def count(n: int, word: str, plural: str | None = None) -> str:
    """`1 event`, `2 events`."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def snippet_text(snippet: str, start: str, end: str, style: str) -> Text:
    """A search snippet: the words between `start` and `end` marks in `style`, all as text."""
    out = Text()
    for n, piece in enumerate(re.split(f"{re.escape(start)}|{re.escape(end)}", snippet)):
        # marks alternate: even pieces are context, odd pieces are matched terms
        text = clean(piece, "summary", single_line=True)
        # clean() trims each piece; the spaces around a marked term are the snippet's own
        if piece[:1].isspace():
            text = " " + text
        if piece[-1:].isspace() and text != " ":
            text += " "
        out.append(text, style=style if n % 2 else "")
    return out
