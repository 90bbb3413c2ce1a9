"""The html brief: the markdown brief rendered by markdown-it-py, in one self-contained file.

It is made for pasting into a mail client, so it carries its small stylesheet
inline and nothing that loads or runs: no scripts, no external stylesheets,
fonts or images. Raw HTML in the markdown (a user's template could hold some)
is shown as text, and markdown-it-py refuses `javascript:` and similar links.
"""

from __future__ import annotations

from html import escape

from markdown_it import MarkdownIt

STYLE = """
body { font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       max-width: 46em; margin: 1.5em auto; padding: 0 1em; color: #1f2328; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.3em; margin-top: 1.6em; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.05em; margin-bottom: .3em; }
a { color: #0969da; }
ul { padding-left: 1.4em; }
li { margin: .2em 0; }
blockquote { margin: .5em 0; padding: 0 1em; color: #57606a; border-left: 3px solid #d0d7de; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: .2em .5em; }
""".strip()


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def render_html(markdown: str, title: str) -> str:
    body = _parser().render(markdown)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>\n{STYLE}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
