"""Text from feeds, made literal in markdown.

CommonMark lets any ASCII punctuation be backslash-escaped, and an escaped
character always renders as itself. We escape the characters that can start
markup anywhere in a line (emphasis, code, links, HTML, tables, entities,
GitHub's strikethrough and math) plus the ones that only matter at the start of
a line (headings, lists, quotes, setext underlines), so a string is safe
wherever a template puts it: in a heading, a table cell, a link label or a
paragraph. Letters, digits, spaces and ordinary punctuation stay as they are,
so the raw file still reads well.
"""

from __future__ import annotations

import re
import unicodedata

from briefing.sanitize import clean, safe_url, strip_controls

# Markup anywhere in a line. `|` splits table cells, `~` and `$` are GitHub's
# strikethrough and math; `#` closes an ATX heading too, not only opens it.
_INLINE = re.compile(r"([\\`*_\[\]<>|~$#])")
# `&name;` / `&#123;` would be decoded as an entity.
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# Block markers at the start of a line: list bullets, setext underlines,
# ordered-list numbers ("1." / "1)").
_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")
# Link destinations: characters that end or confuse `(url)`, percent-encoded.
_URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "|": "%7C"}
_URL_UNSAFE.update({"\\": "%5C", "`": "%60", '"': "%22", "'": "%27"})


class Markdown(str):
    """A string that is already markdown: templates output it as it is."""

    __slots__ = ()


def escape_line(text: object) -> Markdown:
    """One line of literal text (newlines collapse to spaces)."""
    if isinstance(text, Markdown):
        return text
    line = clean("" if text is None else str(text), single_line=True)
    line = _INLINE.sub(r"\\\1", line)
    line = _ENTITY.sub(r"\\&", line)
    return Markdown(_LINE_START.sub(_escape_marker, line))


def _escape_marker(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)


def escape_lines(text: object, *, prefix: str = "") -> Markdown:
    """Several lines of literal text, kept as lines (hard breaks), paragraphs kept apart.

    `prefix` starts every continuation line, e.g. "> " inside a block quote.
    """
    raw = clean("" if text is None else str(text))
    paragraphs = [p for p in re.split(r"\n\s*\n", raw) if p.strip()]
    rendered = []
    for para in paragraphs:
        lines = [escape_line(line) for line in para.splitlines() if line.strip()]
        rendered.append(("\\\n" + prefix).join(lines))
    return Markdown(("\n" + prefix.rstrip() + "\n" + prefix).join(rendered))


def http_url(url: str | None) -> str | None:
    """The URL when it is http(s), with the spaces a sloppy feed left in it encoded."""
    if not url:
        return None
    return safe_url(strip_controls(url).strip().replace(" ", "%20"))


def link_url(url: str | None) -> str | None:
    """An http(s) URL ready to sit in `[label](here)`, or None for any other scheme."""
    safe = http_url(url)
    if safe is None:
        return None
    safe = "".join(_URL_UNSAFE.get(c, c) for c in safe)
    # "&copy;" in a query string would be decoded as an entity; a backslash keeps it.
    return _ENTITY.sub(r"\\&", safe)


def link(label: object, url: str | None) -> Markdown:
    """`[label](url)` when the URL is http(s); the label alone, as text, otherwise."""
    text = escape_line(label)
    target = link_url(url)
    if target is None or not text:
        return text
    return Markdown(f"[{text}]({target})")


def slugify(text: str) -> str:
    """The anchor GitHub, GitLab and most previewers give a heading with this text.

    Lower case; letters, digits, marks, `_`, `-` and spaces kept; spaces become
    hyphens. Repeats are numbered by `Slugger`.
    """
    kept = []
    for char in text.lower():
        if char.isalnum() or char in "_- " or unicodedata.category(char).startswith("M"):
            kept.append(char)
    return "".join(kept).replace(" ", "-")


class Slugger:
    """Unique heading anchors in document order, numbered like github-slugger."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def slug(self, text: str) -> str:
        base = slugify(text)
        slug = base
        while slug in self._seen:
            self._seen[base] += 1
            slug = f"{base}-{self._seen[base]}"
        self._seen[slug] = 0
        return slug
