"""Build the bundled demo corpus in `briefing/data/demo/` from the labeled corpus.

    .venv/bin/python scripts/make_demo.py [--corpus DIR] [--out DIR]

Reads every story in `benchmarks/data/corpus/` and writes, for each outlet, one
feed (RSS 2.0; one outlet gets Atom 1.0 so both paths are exercised) and one HTML
page per article. Pages imitate real news sites: navigation, cookie banners,
bylines, captions, "Read more" lines, author bios, newsletter boxes, comments and
footers, with a different template per outlet, so that full-text extraction and
the boilerplate filter meet real clutter.

Feed links are written as `__BASE__/pages/<outlet>/<article>.html`; the demo
server (`briefing/demo.py`) substitutes its own address when serving `.xml`.

The output is deterministic (same corpus, same bytes) and the script removes
stale files, so re-running it is always safe.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# pysbd installs a stray top-level `benchmarks` package; ours must win.
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import CorpusArticle, CorpusStory, load_corpus  # noqa: E402

DEFAULT_OUT = ROOT / "briefing" / "data" / "demo"
PLACEHOLDER = "__BASE__"
ATOM_OUTLET = "threatdesk"


@dataclass(frozen=True)
class Outlet:
    name: str
    slug: str
    domain: str
    template: str  # one of TEMPLATES
    tagline: str
    sections: tuple[str, ...]
    authors: tuple[tuple[str, str], ...]  # (name, beat for the bio box)
    comments: bool = False  # show reader comments under the article


OUTLETS: dict[str, Outlet] = {
    o.name: o
    for o in [
        Outlet(
            "Global Wire Service",
            "globalwire",
            "globalwire.example",
            "wire",
            "Fast, fair, first.",
            ("World", "US", "Business", "Technology", "Markets"),
            (("Daniel Okafor", "national security"), ("Maren Lindqvist", "technology policy")),
        ),
        Outlet(
            "Policy Wire",
            "policywire",
            "policywire.example",
            "magazine",
            "Cyber policy from Washington, every weekday.",
            ("Congress", "Agencies", "White House", "Courts", "Newsletters"),
            (("Rachel Ferreira", "the White House and NSC"), ("Tom Halvorsen", "Congress")),
        ),
        Outlet(
            "The Cyber Ledger",
            "cyberledger",
            "cyberledger.example",
            "blog",
            "Security news for people who fix things.",
            ("News", "Analysis", "Explainers", "Podcast", "Events"),
            (("Priya Raman", "cybercrime"), ("Owen Castellano", "privacy and surveillance")),
            comments=True,
        ),
        Outlet(
            "Capitol Security Report",
            "capitolsecurity",
            "capitolsecurity.example",
            "magazine",
            "Inside Congress and the agencies on security.",
            ("Hill", "Hearings", "Budget", "Agencies", "Opinion"),
            (
                ("Lena Whitaker", "the armed services committees"),
                ("Marcus Dube", "homeland security"),
            ),
        ),
        Outlet(
            "Breach Daily",
            "breachdaily",
            "breachdaily.example",
            "portal",
            "Every breach. Every day.",
            ("Ransomware", "Data breaches", "Healthcare", "Leaks", "Tips"),
            (("Sam Kowalczyk", "ransomware"), ("Aisha Bello", "health-care security")),
            comments=True,
        ),
        Outlet(
            "Threat Desk",
            "threatdesk",
            "threatdesk.example",
            "blog",
            "Threat intelligence, explained.",
            ("Research", "APTs", "Malware", "Vulnerabilities", "Reports"),
            (("Jonas Brenner", "state-backed hacking"), ("Keiko Tanabe", "mobile threats")),
        ),
        Outlet(
            "Euro Digital Affairs",
            "eurodigital",
            "eurodigital.example",
            "portal",
            "EU and UK digital policy.",
            ("Brussels", "London", "Data protection", "Telecoms", "AI"),
            (("Claire Dumont", "EU institutions"), ("Hugh Pemberton", "UK technology policy")),
        ),
        Outlet(
            "Federal Tech Times",
            "fedtechtimes",
            "fedtechtimes.example",
            "wire",
            "Technology news for the federal workforce.",
            ("IT Modernization", "Cybersecurity", "Acquisition", "Workforce", "Cloud"),
            (("Gloria Estrada", "federal IT"), ("Neil Patterson", "acquisition")),
        ),
        Outlet(
            "Packet Post",
            "packetpost",
            "packetpost.example",
            "blog",
            "Tech and security, minus the jargon.",
            ("Tech", "Security", "Gadgets", "How-to", "Deals"),
            (("Ivy Marchetti", "consumer tech"), ("Ben Adeyemi", "security")),
            comments=True,
        ),
        Outlet(
            "Security & Statecraft",
            "statecraft",
            "statecraft.example",
            "magazine",
            "Long reads on power and cyberspace.",
            ("Essays", "Analysis", "Interviews", "Books", "Archive"),
            (
                ("Helena Vos", "geopolitics and technology"),
                ("Arjun Mehta", "sanctions and export controls"),
            ),
        ),
        Outlet(
            "Infra Watch",
            "infrawatch",
            "infrawatch.example",
            "portal",
            "Critical infrastructure, under watch.",
            ("Energy", "Water", "Health", "Telecoms", "OT Security"),
            (("Carla Jimenez", "utilities"), ("Peter Novak", "operational technology")),
        ),
        Outlet(
            "The Patch",
            "thepatch",
            "thepatch.example",
            "wire",
            "Vulnerabilities and vendor news.",
            ("Patches", "CVEs", "Vendors", "Guides", "Tools"),
            (("Nora Feld", "vulnerabilities"), ("Victor Osei", "vendor security")),
            comments=True,
        ),
    ]
}

CAPTIONS = (
    ("Racks of servers in a data centre.", "Photo: Lena Moor / Northlight Images"),
    ("Office buildings in Washington, D.C.", "Photo: Carl Benning / Capitol Pictures"),
    ("Lines of code on a laptop screen.", "Photo: Ana Silva / Meridian Agency"),
    ("A smartphone displaying a row of apps.", "Photo: Jo Hart / Brightframe"),
    ("Network cables plugged into a switch.", "Photo: Ravi Sen / Northlight Images"),
    ("A hospital corridor at night.", "Photo: Mia Kerr / Meridian Agency"),
    ("Flags outside a government building.", "Photo: Eli Stone / Capitol Pictures"),
)
NO_COMMENT = (
    "The company did not respond to a request for comment.",
    "A spokesperson did not immediately respond to a request for comment.",
    "The agency did not respond to a request for comment on Friday.",
)
COMMENTS = (
    ("kernel_panic", "Took them long enough."),
    ("jdoe42", "Does anyone know if this applies to contractors too?"),
    ("blue_team_bea", "Good summary. Would love a follow-up on what this means for small shops."),
    ("oldsysadmin", "We ripped this out of our network years ago."),
)


def _pick(key: str, options: tuple, salt: str = "") -> object:
    """Deterministic choice (Python's hash() is salted per process, sha1 is not)."""
    digest = hashlib.sha1((salt + key).encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def _outlet(name: str) -> Outlet:
    if name in OUTLETS:
        return OUTLETS[name]
    slug = "".join(c for c in name.lower() if c.isalnum()) or "outlet"
    return Outlet(name, slug, f"{slug}.example", "wire", "", ("News",), (("Staff", "news"),))


def _human_date(value: datetime) -> str:
    return f"{value:%B} {value.day}, {value:%Y} {value:%H:%M} UTC"


def _page_href(art: CorpusArticle) -> str:
    return f"pages/{_outlet(art.outlet).slug}/{art.id}.html"


def _url_variant_of(art: CorpusArticle, by_id: dict[str, CorpusArticle]) -> CorpusArticle | None:
    """The original when `art` is the same page under a tracking-parameter URL."""
    if not art.duplicate_of or "?" not in art.url:
        return None
    original = by_id[art.duplicate_of]
    if original.outlet != art.outlet or art.url.split("?", 1)[0] != original.url.split("?", 1)[0]:
        return None
    return original


@dataclass(frozen=True)
class PageContext:
    article: CorpusArticle
    outlet: Outlet
    author: tuple[str, str]
    byline: str
    related: tuple[CorpusArticle, ...]
    read_more: CorpusArticle | None
    caption: tuple[str, str]
    no_comment: str | None
    # Feed link relative to the server root. A tracking-parameter variant links to its
    # original's page with the same query string, and gets no page of its own.
    link: str = ""
    has_page: bool = True


def _body_html(ctx: PageContext) -> str:
    """The article body with the clutter a real page carries inside it."""
    art = ctx.article
    parts: list[str] = []
    text, credit = ctx.caption
    if ctx.outlet.template == "blog":
        # Hand-made captions (a plain italic paragraph) reach the extracted text.
        parts.append(
            '<p><img src="/static/img/lead.jpg" alt="" width="800" height="450"></p>'
            f"<p><em>{escape(text)} {escape(credit)}</em></p>"
        )
    else:
        parts.append(
            '<figure class="lead-image"><img src="/static/img/lead.jpg" alt="" width="800" '
            f'height="450"><figcaption>{escape(text)} <span class="credit">{escape(credit)}'
            "</span></figcaption></figure>"
        )
    paragraphs = list(art.paragraphs)
    for i, para in enumerate(paragraphs):
        parts.append(f"<p>{escape(para)}</p>")
        # After the second paragraph, like most sites' inline promos.
        if i == 1 and ctx.read_more is not None:
            other = ctx.read_more
            parts.append(
                f'<p class="inline-promo"><strong>Read more:</strong> '
                f'<a href="{escape(other.id)}.html">{escape(other.title)}</a></p>'
            )
    if ctx.no_comment:
        parts.append(f"<p>{escape(ctx.no_comment)}</p>")
    return "\n".join(parts)


def _cookie_banner(o: Outlet) -> str:
    return (
        f'<div id="cookie-consent" class="cookie-banner {o.template}-cookies" role="dialog">'
        f"<p>{escape(o.name)} and our partners use cookies to personalise content and ads, "
        "to provide social media features and to analyse our traffic. You can change your "
        "choices at any time in Privacy settings.</p>"
        '<button class="accept">Accept all cookies</button> '
        '<button class="manage">Manage preferences</button></div>'
    )


def _nav(o: Outlet) -> str:
    items = "".join(
        f'<li><a href="/section/{escape(s.lower().replace(" ", "-"))}/">{escape(s)}</a></li>'
        for s in o.sections
    )
    return (
        f'<nav class="site-nav" aria-label="Sections"><ul><li><a href="/">Home</a></li>{items}'
        '<li><a href="/search">Search</a></li><li><a href="/subscribe">Subscribe</a></li>'
        "</ul></nav>"
    )


def _related(ctx: PageContext, heading: str) -> str:
    items = "".join(
        f'<li><a href="{escape(r.id)}.html">{escape(r.title)}</a></li>' for r in ctx.related
    )
    return f'<aside class="related"><h2>{heading}</h2><ul>{items}</ul></aside>'


def _bio(ctx: PageContext) -> str:
    name, beat = ctx.author
    if ctx.byline != name:
        return ""  # wire re-runs credit the agency, not a staff reporter
    return (
        '<aside class="author-bio"><img src="/static/img/author.png" alt="" width="64" '
        f'height="64"><div><p class="author-name">{escape(name)}</p><p>{escape(name)} '
        f"covers {escape(beat)} for {escape(ctx.outlet.name)}. Before joining, they reported "
        "for regional newspapers. Send tips securely via our contact page.</p>"
        f'<p><a href="/authors/{_slug(name)}/">More from {escape(name)}</a></p></div></aside>'
    )


def _slug(text: str) -> str:
    return "-".join("".join(c for c in w if c.isalnum()) for w in text.lower().split())


def _newsletter(o: Outlet) -> str:
    return (
        '<div class="newsletter-signup"><h3>Subscribe to our newsletter</h3>'
        f"<p>Get {escape(o.name)}'s morning briefing in your inbox. Free, every weekday.</p>"
        '<form action="/newsletter" method="post"><input type="email" name="email" '
        'placeholder="you@example.com"><button type="submit">Subscribe</button></form>'
        '<p class="fine-print">By subscribing you agree to our Terms and Privacy Policy.</p>'
        "</div>"
    )


def _comments(ctx: PageContext) -> str:
    shown = ""
    if ctx.outlet.comments:
        first = int(hashlib.sha1(ctx.article.id.encode()).hexdigest(), 16) % len(COMMENTS)
        picked = [COMMENTS[first], COMMENTS[(first + 1) % len(COMMENTS)]]
        shown = "".join(
            f'<li class="comment"><p class="comment-author">{escape(user)}</p>'
            f"<p>{escape(text)}</p></li>"
            for user, text in picked
        )
        shown = f'<ol class="comment-list">{shown}</ol>'
    return (
        f'<section id="comments" class="comments"><h2>Comments</h2>{shown}'
        '<h3>Leave a comment</h3><form action="/comments" method="post">'
        '<textarea name="comment" rows="4"></textarea><input name="name" placeholder="Name">'
        '<button type="submit">Post comment</button></form>'
        "<p>Comments are moderated. Please keep it civil.</p></section>"
    )


def _footer(o: Outlet) -> str:
    return (
        f'<footer class="site-footer"><p>© {escape(o.name)}. All rights reserved.</p>'
        '<ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li>'
        '<li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a>'
        '</li><li><a href="/advertise">Advertise</a></li></ul>'
        f"<p>{escape(o.tagline)}</p></footer>"
    )


def _head(ctx: PageContext) -> str:
    art, o = ctx.article, ctx.outlet
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(art.title)} | {escape(o.name)}</title>\n"
        f'<meta name="description" content="{escape(art.teaser)}">\n'
        f'<meta name="author" content="{escape(ctx.byline)}">\n'
        f'<meta property="og:title" content="{escape(art.title)}">\n'
        f'<meta property="og:site_name" content="{escape(o.name)}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="article:published_time" content="{_iso(art.published)}">\n'
        f'<link rel="stylesheet" href="/static/{o.slug}.css">\n</head>\n'
    )


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(art: CorpusArticle) -> str:
    return f'<time datetime="{_iso(art.published)}">{_human_date(art.published)}</time>'


def page_wire(ctx: PageContext) -> str:
    art, o = ctx.article, ctx.outlet
    return (
        _head(ctx) + f'<body class="wire">\n{_cookie_banner(o)}\n<header class="masthead">'
        f'<a class="logo" href="/">{escape(o.name)}</a>{_nav(o)}</header>\n'
        '<div class="ad-slot leaderboard">Advertisement</div>\n<main>\n'
        f'<article class="story"><h1>{escape(art.title)}</h1>'
        f'<p class="byline">By {escape(ctx.byline)}</p><p class="dateline">{_time(art)}</p>\n'
        f'<div class="story-body">\n{_body_html(ctx)}\n</div></article>\n'
        f"{_bio(ctx)}\n{_related(ctx, 'Related stories')}\n{_newsletter(o)}\n"
        f"{_comments(ctx)}\n</main>\n{_footer(o)}\n</body>\n</html>\n"
    )


def page_magazine(ctx: PageContext) -> str:
    art, o = ctx.article, ctx.outlet
    return (
        _head(ctx)
        + f'<body class="magazine">\n<header><div class="top-bar"><a href="/login">Sign in</a> '
        f'<a href="/subscribe">Subscribe</a></div><a class="brand" href="/">{escape(o.name)}</a>'
        f'<p class="tagline">{escape(o.tagline)}</p>{_nav(o)}</header>\n'
        '<div class="layout"><main id="content">\n'
        f'<div class="breadcrumbs"><a href="/">Home</a> › <a href="/section/'
        f'{_slug(o.sections[0])}/">{escape(o.sections[0])}</a></div>\n'
        f'<article><header class="article-header"><h1>{escape(art.title)}</h1>'
        f'<p class="standfirst">{escape(art.teaser)}</p>'
        f'<div class="meta"><span class="byline">By {escape(ctx.byline)}</span> · '
        f"{_time(art)}</div></header>\n"
        '<div class="share"><a href="#">Share on X</a> <a href="#">LinkedIn</a> '
        '<a href="#">Email</a> <a href="#">Print</a></div>\n'
        f'<section class="article-content">\n{_body_html(ctx)}\n</section>\n'
        f"{_bio(ctx)}</article>\n{_comments(ctx)}\n</main>\n"
        f'<div class="sidebar">{_newsletter(o)}{_related(ctx, "Most read")}'
        '<div class="ad-slot">Advertisement</div></div></div>\n'
        f"{_footer(o)}\n{_cookie_banner(o)}\n</body>\n</html>\n"
    )


def page_blog(ctx: PageContext) -> str:
    art, o = ctx.article, ctx.outlet
    return (
        _head(ctx) + f'<body class="blog single-post">\n{_cookie_banner(o)}\n'
        f'<div class="site-header"><h2 class="site-title"><a href="/">{escape(o.name)}</a></h2>'
        f"{_nav(o)}</div>\n"
        '<div id="primary" class="content-area"><div class="post">\n'
        f'<h1 class="entry-title">{escape(art.title)}</h1>\n'
        f'<div class="entry-meta">Posted {_time(art)} <span class="author">By '
        f'{escape(ctx.byline)}</span> <a href="#comments">Comments</a></div>\n'
        f'<div class="entry-content">\n{_body_html(ctx)}\n'
        '<div class="tags">Tags: <a href="/tag/policy/">policy</a>, '
        '<a href="/tag/security/">security</a></div>\n</div>\n'
        f"{_bio(ctx)}\n{_newsletter(o)}\n{_related(ctx, 'You may also like')}\n"
        f"{_comments(ctx)}\n</div></div>\n"
        '<div id="secondary" class="widget-area"><section class="widget"><h3>Trending</h3>'
        '<p><a href="/podcast/">Listen to our weekly podcast</a></p></section></div>\n'
        f"{_footer(o)}\n</body>\n</html>\n"
    )


def page_portal(ctx: PageContext) -> str:
    art, o = ctx.article, ctx.outlet
    return (
        _head(ctx) + f'<body class="portal">\n<div class="alert-bar">Breaking: sign up for '
        f"{escape(o.name)} alerts</div>\n"
        f'<header class="header"><div class="logo"><a href="/">{escape(o.name)}</a></div>'
        f"{_nav(o)}</header>\n"
        '<div class="container"><div class="row"><div class="col-main">\n'
        f'<div class="article-wrap" itemscope itemtype="https://schema.org/NewsArticle">'
        f'<h1 itemprop="headline">{escape(art.title)}</h1>\n'
        f'<p class="author-line">By <span itemprop="author">{escape(ctx.byline)}</span></p>'
        f'<p class="date-line">{_time(art)}</p>\n'
        f'<div class="article-text" itemprop="articleBody">\n{_body_html(ctx)}\n</div>'
        f"</div>\n{_bio(ctx)}\n{_comments(ctx)}\n</div>\n"
        f'<div class="col-side">{_related(ctx, "Related stories")}{_newsletter(o)}'
        '<div class="ad-slot">Advertisement</div></div></div></div>\n'
        f"{_cookie_banner(o)}\n{_footer(o)}\n</body>\n</html>\n"
    )


TEMPLATES = {
    "wire": page_wire,
    "magazine": page_magazine,
    "blog": page_blog,
    "portal": page_portal,
}


def _contexts(articles: list[CorpusArticle]) -> dict[str, PageContext]:
    by_id = {a.id: a for a in articles}
    by_outlet: dict[str, list[CorpusArticle]] = {}
    variants = {a.id: o for a in articles if (o := _url_variant_of(a, by_id)) is not None}
    for art in sorted(articles, key=lambda a: (a.published, a.id)):
        if art.id not in variants:
            by_outlet.setdefault(art.outlet, []).append(art)
    contexts: dict[str, PageContext] = {}
    for art_id, original in variants.items():
        variant = by_id[art_id]
        contexts[art_id] = PageContext(
            article=variant,
            outlet=_outlet(variant.outlet),
            author=("", ""),
            byline="",
            related=(),
            read_more=None,
            caption=CAPTIONS[0],
            no_comment=None,
            link=f"{_page_href(original)}?{variant.url.split('?', 1)[1]}",
            has_page=False,
        )
    for outlet_name, items in by_outlet.items():
        outlet = _outlet(outlet_name)
        for i, art in enumerate(items):
            earlier = items[:i]
            # Related stories: the outlet's three previous pieces (any topic, as on real sites).
            related = tuple(reversed(earlier[-3:])) or tuple(items[i + 1 : i + 3])
            read_more = earlier[-4] if len(earlier) >= 4 and i % 3 == 0 else None
            author = _pick(art.id, outlet.authors)
            byline = author[0]  # type: ignore[index]
            if art.duplicate_of and by_id[art.duplicate_of].outlet != outlet_name:
                byline = by_id[art.duplicate_of].outlet
            contexts[art.id] = PageContext(
                article=art,
                outlet=outlet,
                author=author,  # type: ignore[arg-type]
                byline=byline,
                related=related,
                read_more=read_more,
                caption=_pick(art.id, CAPTIONS, "caption"),  # type: ignore[arg-type]
                no_comment=_pick(art.id, NO_COMMENT, "nc") if i % 3 == 1 else None,  # type: ignore[arg-type]
                link=_page_href(art),
            )
    for art_id, original in variants.items():
        # The feed shows the original's byline for the variant too.
        ctx = contexts[art_id]
        contexts[art_id] = replace(ctx, byline=contexts[original.id].byline)
    return contexts


def _rss(outlet: Outlet, items: list[PageContext]) -> str:
    entries = []
    for ctx in items:
        art = ctx.article
        entries.append(
            "<item>"
            f"<title>{escape(art.title)}</title>"
            f"<link>{PLACEHOLDER}/{escape(ctx.link)}</link>"
            f'<guid isPermaLink="false">{escape(art.url)}</guid>'
            f"<pubDate>{format_datetime(art.published, usegmt=True)}</pubDate>"
            f"<dc:creator>{escape(ctx.byline)}</dc:creator>"
            f"<description>{escape(art.teaser)}</description>"
            "</item>"
        )
    newest = max(c.article.published for c in items)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>{escape(outlet.name)}</title>\n"
        f"<link>https://{outlet.domain}/</link>\n"
        f"<description>{escape(outlet.tagline)}</description>\n"
        "<language>en</language>\n"
        f"<lastBuildDate>{format_datetime(newest, usegmt=True)}</lastBuildDate>\n"
        + "\n".join(entries)
        + "\n</channel>\n</rss>\n"
    )


def _atom(outlet: Outlet, items: list[PageContext]) -> str:
    entries = []
    for ctx in items:
        art = ctx.article
        entries.append(
            "<entry>"
            f"<title>{escape(art.title)}</title>"
            f'<link rel="alternate" type="text/html" href="{PLACEHOLDER}/{escape(ctx.link)}"/>'
            f"<id>{escape(art.url)}</id>"
            f"<published>{_iso(art.published)}</published>"
            f"<updated>{_iso(art.published)}</updated>"
            f"<author><name>{escape(ctx.byline)}</name></author>"
            f'<summary type="text">{escape(art.teaser)}</summary>'
            "</entry>"
        )
    newest = max(c.article.published for c in items)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"<title>{escape(outlet.name)}</title>\n"
        f"<subtitle>{escape(outlet.tagline)}</subtitle>\n"
        f'<link rel="alternate" href="https://{outlet.domain}/"/>\n'
        f"<id>https://{outlet.domain}/</id>\n"
        f"<updated>{_iso(newest)}</updated>\n" + "\n".join(entries) + "\n</feed>\n"
    )


README = """\
# Demo corpus (generated)

What `briefing demo` serves on 127.0.0.1: one feed per fictional outlet in
`feeds/` (RSS 2.0; `{atom}.xml` is Atom 1.0) and one realistic article page per
item in `pages/<outlet>/<article-id>.html`, with the navigation, cookie banners,
captions, "Read more" lines, author bios, newsletter boxes, comments and footers
real news sites carry. An item that is the same page under a tracking-parameter
URL links to its original's page with that query string. Feed links start with
`__BASE__`, which the demo server replaces with its own address.

The texts are the team's own words about real events (fictional outlets,
`.example` domains). `labels.json` maps each item's guid to its labeled story,
event and duplicate original, for checking what the pipeline makes of the demo.

Counts: {articles} articles, {outlets} outlets, {stories} stories, {events} events,
{duplicates} wire copies.

**Do not edit by hand.** Regenerate from `benchmarks/data/corpus/` with

    .venv/bin/python scripts/make_demo.py
"""


def build(stories: list[CorpusStory], out: Path) -> dict[str, int]:
    articles = [a for s in stories for e in s.events for a in e.articles]
    contexts = _contexts(articles)
    # Idempotent: everything generated is rebuilt from scratch.
    for sub in ("feeds", "pages"):
        shutil.rmtree(out / sub, ignore_errors=True)
    (out / "feeds").mkdir(parents=True, exist_ok=True)
    by_outlet: dict[str, list[PageContext]] = {}
    for art in articles:
        ctx = contexts[art.id]
        by_outlet.setdefault(ctx.outlet.slug, []).append(ctx)
        if not ctx.has_page:
            continue
        page = out / _page_href(art)
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(TEMPLATES[ctx.outlet.template](ctx), encoding="utf-8")
    for slug, items in sorted(by_outlet.items()):
        items.sort(key=lambda c: (c.article.published, c.article.id), reverse=True)
        feed = (
            _atom(items[0].outlet, items) if slug == ATOM_OUTLET else _rss(items[0].outlet, items)
        )
        (out / "feeds" / f"{slug}.xml").write_text(feed, encoding="utf-8")
    labels = {
        a.url: {
            "article": a.id,
            "story": a.story_id,
            "event": a.event_id,
            "duplicate_of": a.duplicate_of,
        }
        for a in sorted(articles, key=lambda a: a.url)
    }
    (out / "labels.json").write_text(json.dumps(labels, indent=1, sort_keys=True) + "\n", "utf-8")
    figures = {
        "articles": len(articles),
        "outlets": len(by_outlet),
        "stories": len(stories),
        "events": sum(len(s.events) for s in stories),
        "duplicates": sum(1 for a in articles if a.duplicate_of),
    }
    (out / "README.md").write_text(README.format(atom=ATOM_OUTLET, **figures), encoding="utf-8")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="story JSON directory")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    figures = build(load_corpus(args.corpus), args.out)
    print(", ".join(f"{v} {k}" for k, v in figures.items()), f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
