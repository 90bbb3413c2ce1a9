"""A user's own template: used when given, safe by default, clear when broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.brief.export import ExportError, ExportOptions, export
from briefing.brief.markdown import builtin_template
from briefing.models import TriageState
from briefing.store import Store, triage
from tests.brief.conftest import GENERATED
from tests.brief.helpers import parse


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.md.j2"
    path.write_text(text, encoding="utf-8")
    return path


def test_custom_template_is_used(corpus: Store, tmp_path: Path) -> None:
    template = write(
        tmp_path,
        "# My brief\n{% for s in brief.stories %}\n- {{ s.title }} ({{ s.events | length }})\n"
        "{% endfor %}",
    )
    text = export(corpus, ExportOptions(starred=True, template=template), generated=GENERATED)
    assert text == "# My brief\n- US actions against Kaspersky (2)\n"


def test_custom_template_escapes_by_default(corpus: Store, tmp_path: Path) -> None:
    triage.put(
        corpus, TriageState(story_id="us-kaspersky", starred=True, note="<b>[x](javascript:y)</b>")
    )
    template = write(
        tmp_path,
        "{% for s in brief.stories %}{{ s.note }}\n\n{{ s.note | raw }}\n"
        "{% for e in s.events %}\n{{ e.sources }}\n{% endfor %}{% endfor %}\n",
    )
    text = export(corpus, ExportOptions(starred=True, template=template), generated=GENERATED)
    first, raw = text.split("\n")[:3:2]
    assert first == "\\<b\\>\\[x\\](javascript:y)\\</b\\>"
    assert raw == "<b>[x](javascript:y)</b>"  # `raw` is the explicit way out
    assert "[Global Wire Service](https://globalwire.example/" in text


def test_builtin_template_is_a_starting_point(corpus: Store, tmp_path: Path) -> None:
    """A copy of the shipped template gives the shipped brief."""
    copy = write(tmp_path, builtin_template())
    assert export(corpus, ExportOptions(template=copy), generated=GENERATED) == export(
        corpus, ExportOptions(), generated=GENERATED
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("line one\n{% for s in brief.stories %}\n", r"mine.md.j2, line \d: .*endfor"),
        ("ok\n\n{{ brief.no_such_thing }}\n", r"mine.md.j2, line 3: .*no_such_thing"),
        ("{{ brief.__class__.__mro__ }}", r"mine.md.j2.*(unsafe|__class__|__mro__)"),
        ("{{ 1 // 0 }}", r"mine.md.j2.*ZeroDivisionError"),
        ('{% include "/etc/passwd" %}', r"mine.md.j2, line 1: TemplateNotFound: /etc/passwd"),
    ],
)
def test_broken_template_is_a_clear_error(
    corpus: Store, tmp_path: Path, source: str, message: str
) -> None:
    with pytest.raises(ExportError, match=message):
        export(corpus, ExportOptions(template=write(tmp_path, source)))


def test_missing_template(corpus: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"cannot read template .*missing\.j2"):
        export(corpus, ExportOptions(template=tmp_path / "missing.j2"))


def test_template_not_utf8(corpus: Store, tmp_path: Path) -> None:
    path = tmp_path / "latin.j2"
    path.write_bytes(b"caf\xe9 {{ brief.heading }}")
    with pytest.raises(ExportError, match="cannot read template"):
        export(corpus, ExportOptions(template=path))


def test_template_with_json_is_refused(corpus: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="markdown and html briefs only"):
        export(corpus, ExportOptions(format="json", template=write(tmp_path, "x")))


def test_builtin_parses_without_unknown_markup(corpus: Store) -> None:
    parsed = parse(export(corpus, ExportOptions(), generated=GENERATED))
    assert parsed.types <= {
        "heading_open", "heading_close", "inline", "text", "paragraph_open", "paragraph_close",
        "bullet_list_open", "bullet_list_close", "list_item_open", "list_item_close",
        "link_open", "link_close", "table_open", "table_close", "thead_open", "thead_close",
        "tbody_open", "tbody_close", "tr_open", "tr_close", "th_open", "th_close", "td_open",
        "td_close", "em_open", "em_close", "strong_open", "strong_close", "blockquote_open",
        "blockquote_close", "hardbreak", "softbreak",
    }  # fmt: skip
