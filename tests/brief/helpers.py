"""Parsing the brief back, so tests assert what a viewer would show."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Blocks and inlines that feed text must never produce.
FORBIDDEN = {"html_block", "html_inline", "image", "code_inline", "code_block", "fence", "hr"}


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def inline_text(token: Token) -> str:
    """The visible text of an inline token; fails on anything but text and breaks."""
    parts = []
    for child in token.children or []:
        if child.type in {"text", "text_special"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append("\n")
        else:
            raise AssertionError(f"unexpected {child.type} in {token.content!r}")
    return "".join(parts)


@dataclass
class Parsed:
    tokens: list[Token]
    headings: list[tuple[int, str]] = field(default_factory=list)  # (level, text)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, label)
    tables: list[list[list[str]]] = field(default_factory=list)  # rows of cell sources
    types: set[str] = field(default_factory=set)


def parse(text: str) -> Parsed:
    tokens = parser().parse(text)
    result = Parsed(tokens)
    table: list[list[str]] | None = None
    row: list[str] = []
    for i, tok in enumerate(tokens):
        result.types.add(tok.type)
        if tok.type == "heading_open":
            result.headings.append((int(tok.tag[1]), inline_text(tokens[i + 1])))
        elif tok.type == "table_open":
            table = []
        elif tok.type == "table_close":
            assert table is not None
            result.tables.append(table)
            table = None
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close" and table is not None:
            table.append(row)
        elif (
            tok.type == "inline"
            and table is not None
            and tokens[i - 1].type in {"th_open", "td_open"}
        ):
            row.append(tok.content)
        if tok.type == "inline":
            children = tok.children or []
            for j, child in enumerate(children):
                result.types.add(child.type)
                if child.type == "link_open":
                    label = []
                    for inner in children[j + 1 :]:
                        if inner.type == "link_close":
                            break
                        label.append(inner.content)
                    result.links.append((str(child.attrs["href"]), "".join(label)))
    return result


def github_slug(text: str, seen: dict[str, int]) -> str:
    """github-slugger, written out independently of the code under test."""
    base = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
    slug = base
    while slug in seen:
        seen[base] += 1
        slug = f"{base}-{seen[base]}"
    seen[slug] = 0
    return slug


# "[2024-06-20]", "[week of 2024-06-17]", "[2024-06]", "[2024]": relative-date notes.
DATE_NOTE = re.compile(r" \[(?:week of )?\d{4}(?:-\d{2}){0,2}\]")


def marked_text(token: Token) -> str:
    """An inline token's visible text, each link written as ⟦href|label⟧."""
    parts = []
    children = token.children or []
    for child in children:
        if child.type in {"text", "text_special"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif child.type == "link_open":
            parts.append(f"⟦{child.attrs['href']}|")
        elif child.type == "link_close":
            parts.append("⟧")
    return "".join(parts)


def anchors_everywhere(text: str) -> dict[str, set[str]]:
    """The anchors each viewer gives this document: CommonMark, GitHub, rich."""
    html = parser().render(text)
    seen: dict[str, int] = {}
    return {
        "commonmark": set(re.findall(r'\bid="([^"]*)"', html)),
        "github": {github_slug(t, seen) for _, t in parse(text).headings},
        "rich": set(),  # rich renders links to a terminal, with no in-document targets
    }


def check_brief(text: str, sentences: set[str]) -> dict[str, int]:
    """The brief's promises; returns how often each known summary sentence is shown.

    - every in-document link lands on a heading in every viewer;
    - every summary sentence shown is followed by " — " and a link to its article;
    - no sentence (nor any "sentence — source" line) appears twice.
    """
    parsed = parse(text)
    assert not parsed.types & FORBIDDEN, parsed.types & FORBIDDEN
    internal = [href[1:] for href, _ in parsed.links if href.startswith("#")]
    for viewer, anchors in anchors_everywhere(text).items():
        missing = [a for a in internal if a not in anchors]
        assert not missing, f"{viewer} has no anchor for {missing}"
    shown = dict.fromkeys(sentences, 0)
    attributed: list[str] = []
    for tok in parsed.tokens:
        if tok.type != "inline":
            continue
        line = DATE_NOTE.sub("", marked_text(tok))
        for sentence in sentences:
            start = line.find(sentence)
            while start >= 0:
                shown[sentence] += 1
                after = line[start + len(sentence) :]
                assert re.match(r" — ⟦https?://[^|]+\|[^⟧]+⟧", after), (sentence, after[:80])
                start = line.find(sentence, start + 1)
        attributed += re.findall(r"([^⟧]*?) — ⟦https?://", line)
    twice = {s: n for s, n in shown.items() if n > 1}
    assert not twice, twice
    repeated = {a for a in attributed if attributed.count(a) > 1}
    assert not repeated, repeated
    return shown
