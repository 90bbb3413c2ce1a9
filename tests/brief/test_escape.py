"""Text from feeds cannot break the brief: hostile titles come back as literal text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from briefing.brief.escape import escape_line, escape_lines, link, link_url
from briefing.brief.export import ExportOptions, export
from briefing.models import TriageState
from briefing.sanitize import clean
from briefing.store import Store, triage
from tests.brief.conftest import GENERATED
from tests.brief.helpers import FORBIDDEN, Parsed, inline_text, parse, parser
from tests.factories import ArticleSpec, EventSpec, StorySpec, populate

HOSTILE = [
    "# Not a heading",
    "Pipes | in | the | title",
    "[click me](javascript:alert(1))",
    "![img](https://tracker.example/pixel.png)",
    "*bold* and _italic_ and **strong** and ~~struck~~",
    "`code` and ```fence```",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "<https://autolink.example/>",
    "1. Looks like a list",
    "1) Also a list",
    "- dash bullet",
    "+ plus bullet",
    "> quoted",
    "Line one\nLine two\n\n# heading after a blank line",
    "---",
    "===",
    "Ends with a backslash \\",
    "Entity &amp; &#x41; &copy; stays literal",
    "[ref]: https://evil.example/ 'title'",
    "Costs $5 and $10",
    "Trailing hashes ##",
    "    four spaces of indent",
    "\\*already escaped\\*",
    "| --- | --- |",
    "C# & F# <T> [x] (y) {z}",
    "Title with \x1b[2J terminal escape and \u202e bidi",
]


def hostile_store(path: Path, title: str) -> Store:
    store = Store(path)
    populate(
        store,
        [
            StorySpec(
                id="s1",
                title=title,
                summary=[title],
                events=[
                    EventSpec(
                        title,
                        date(2024, 6, 20),
                        [
                            ArticleSpec(title, title, datetime(2024, 6, 20, tzinfo=UTC)),
                            ArticleSpec(
                                "copy",
                                "Packet Post",
                                datetime(2024, 6, 21, tzinfo=UTC),
                                duplicate_of=0,
                            ),
                        ],
                        summary=[title],
                    )
                ],
            )
        ],
    )
    triage.put(store, TriageState(story_id="s1", tags=[title], note=title))
    return store


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_title_renders_as_its_text(tmp_path: Path, title: str) -> None:
    text = export(hostile_store(tmp_path / "h.db", title), ExportOptions(), generated=GENERATED)
    parsed = parse(text)
    expected = clean(title, single_line=True)

    assert not parsed.types & FORBIDDEN, parsed.types & FORBIDDEN
    # The document's own headings and nothing else: h1, What's new, the story, its event.
    assert parsed.headings == [
        (1, "Brief — 2026-11-22"),
        (2, "What's new"),
        (2, expected),
        (3, f"2024-06-20: {expected}"),
    ]
    assert parsed.tables == []
    # Links: the sources line, the original and its copy; both ours.
    assert [href[:8] for href, _ in parsed.links] == ["https://", "https://"]
    assert [label for _, label in parsed.links] == [expected, "Packet Post"]
    # "What's new": the date, the story and the summary sentence (the event's
    # headline is the story's title here, so it is not said twice).
    news = [visible(tok) for tok in parsed.tokens if tok.type == "inline"][3]
    assert news == f"2024-06-20 · {expected}: {expected}"
    # The tag line and the note show the title literally.
    blocks = labelled_paragraphs(parsed)
    assert blocks["Tags:"] == [expected]
    note = " ".join(blocks["Analyst note:"])
    assert note.split() == clean(title).split()


def visible(token: Token) -> str:
    """What a reader sees of an inline token, emphasis markers left out."""
    kinds = {"text", "text_special"}
    return "".join(c.content for c in token.children or [] if c.type in kinds)


def labelled_paragraphs(parsed: Parsed) -> dict[str, list[str]]:
    """Paragraph texts keyed by their bold label ("" for none).

    Paragraphs with links (sources) and the italic meta line are left out: links
    are checked on their own. Any other markup in a paragraph fails the test.
    Inside a block quote the label carries over to the following paragraphs.
    """
    found: dict[str, list[str]] = {}
    quote_label: str | None = None
    for i, tok in enumerate(parsed.tokens):
        if tok.type == "blockquote_open":
            quote_label = ""
        elif tok.type == "blockquote_close":
            quote_label = None
        if tok.type != "inline" or parsed.tokens[i - 1].type != "paragraph_open":
            continue
        if tok.level > 1 and quote_label is None:
            continue  # list items ("What's new") are checked on their own
        children = [c for c in tok.children or [] if c.type != "text" or c.content]
        if any(c.type in {"link_open", "em_open"} for c in children):
            continue
        label = quote_label or ""
        if [c.type for c in children[:3]] == ["strong_open", "text", "strong_close"]:
            label = children[1].content
            children = children[3:]
            if quote_label is not None:
                quote_label = label
        found.setdefault(label, []).append(
            inline_text(Token("inline", "", 0, children=children)).strip()
        )
    return found


@pytest.mark.parametrize("title", HOSTILE)
def test_escape_line_round_trips(title: str) -> None:
    tokens = parser().parse(escape_line(title))
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert inline_text(tokens[1]) == clean(title, single_line=True)


# Dense in markup characters, so the search hits the interesting combinations.
MARKUP = st.text(alphabet="#|[]()*_`<>&;!-+=.:1a \\$~\n\t{}'\"/@x", max_size=40)
ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]))


@settings(max_examples=300, deadline=None)
@given(st.one_of(MARKUP, ANY_TEXT))
def test_any_line_round_trips(text: str) -> None:
    rendered = escape_line(text)
    expected = clean(text, single_line=True)
    tokens = parser().parse(rendered)
    if not expected.strip():
        assert tokens == []
        return
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert inline_text(tokens[1]).strip() == expected.strip()


@settings(max_examples=200, deadline=None)
@given(st.one_of(MARKUP, ANY_TEXT))
def test_any_line_is_one_table_cell(text: str) -> None:
    table = f"| a | b |\n| --- | --- |\n| {escape_line(text)} | end |\n"
    parsed = parse(table)
    assert parsed.tables and [len(r) for r in parsed.tables[0]] == [2, 2]
    assert parsed.tables[0][1][1] == "end"


def test_note_keeps_its_lines_inside_the_quote() -> None:
    note = "First line\n# not a heading\n\n- not a bullet\n> not nested"
    tokens = parser().parse("> " + escape_lines(note, prefix="> ") + "\n")
    types = [t.type for t in tokens]
    assert types == [
        "blockquote_open",
        "paragraph_open", "inline", "paragraph_close",
        "paragraph_open", "inline", "paragraph_close",
        "blockquote_close",
    ]  # fmt: skip
    assert inline_text(tokens[2]) == "First line\n# not a heading"
    assert inline_text(tokens[5]) == "- not a bullet\n> not nested"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "ftp://files.example/x",
        "vbscript:msgbox",
        "//no-scheme.example/x",
        "",
        None,
    ],
)
def test_links_only_for_http(url: str | None) -> None:
    rendered = link("Outlet [x]", url)
    parsed = parse(rendered)
    assert parsed.links == []
    assert inline_text(parser().parse(rendered)[1]) == "Outlet [x]"


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("https://a.example/x y", "https://a.example/x%20y"),
        ("https://a.example/x\ny", None),  # other whitespace: refused
        ("https://a.example/a_(b)", "https://a.example/a_%28b%29"),
        ("https://a.example/?q=<b>|c", "https://a.example/?q=%3Cb%3E%7Cc"),
        ("https://a.example/?a=1&copy;=2", "https://a.example/?a=1&copy;=2"),
        ("http://a.example/back\\slash", "http://a.example/back%5Cslash"),
    ],
)
def test_link_urls_are_encoded(url: str, href: str | None) -> None:
    assert link_url(url) == (None if href is None else href.replace("&copy;", "\\&copy;"))
    parsed = parse(link("Outlet", url))
    if href is None:
        assert parsed.links == []
    else:
        assert len(parsed.links) == 1
        assert parsed.links[0][1] == "Outlet"
        # markdown-it normalizes the href; parentheses and pipes stay encoded
        assert "(" not in parsed.links[0][0] and "|" not in parsed.links[0][0]
        assert parsed.links[0][0].startswith(href.split("?")[0].split("_")[0])


def test_non_http_article_is_plain_text_in_brief(tmp_path: Path) -> None:
    store = Store(tmp_path / "b.db")
    populate(
        store,
        [
            StorySpec(
                id="s",
                title="Story",
                events=[
                    EventSpec(
                        "Event",
                        date(2024, 1, 2),
                        [
                            ArticleSpec(
                                "A",
                                "Evil Outlet",
                                datetime(2024, 1, 2, tzinfo=UTC),
                                url="javascript:alert(1)",
                            )
                        ],
                    )
                ],
            )
        ],
    )
    text = export(store, ExportOptions(), generated=GENERATED)
    assert "javascript" not in text
    assert "Evil Outlet" in text
    assert all(h.startswith("#") for h, _ in parse(text).links)
    doc = export(store, ExportOptions(format="json"), generated=GENERATED)
    assert '"url": null' in doc and "javascript" not in doc


@settings(max_examples=200, deadline=None)
@given(st.one_of(MARKUP, ANY_TEXT, st.lists(MARKUP).map("\n".join)))
def test_any_note_stays_inside_its_quote(text: str) -> None:
    rendered = "> **Note:** " + escape_lines(text, prefix="> ") + "\n\nafter\n"
    tokens = parser().parse(rendered)
    types = [t.type for t in tokens]
    assert types[0] == "blockquote_open"
    close = types.index("blockquote_close")
    assert types[close + 1 :] == ["paragraph_open", "inline", "paragraph_close"]
    inner = [t for t in tokens[1:close] if t.type not in {"paragraph_open", "paragraph_close"}]
    assert all(t.type == "inline" for t in inner)
    shown = []
    for tok in inner:
        children = [c for c in tok.children or [] if c.type not in {"strong_open", "strong_close"}]
        shown.append(inline_text(Token("inline", "", 0, children=children)))
    assert " ".join(shown).split() == ["Note:", *clean(text).split()]
