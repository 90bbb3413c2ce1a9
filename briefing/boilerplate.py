"""The clutter of news pages that must never become a summary sentence.

Shared by the stages: extraction drops a page's furniture lines before the
text is stored (`without_page_clutter`), summaries drop every rule's match.

Every rule is a named `Pattern` in `PATTERNS`, with a line saying what it
catches. A rule either *drops* the line or sentence it matches, or *strips*
a matched prefix and keeps the rest (datelines: "WASHINGTON (Global Wire) —
The agency said ..." keeps "The agency said ..."). Rules are applied to each
paragraph line of the page and again to each sentence, so a byline glued to
the first paragraph is caught as well as one on a line of its own.

The rules are written to be narrow: a real news sentence about a "comment
period", a breach of "2 million subscribers" or a regulator's fine over
"cookies without consent" must survive. `tests/test_boilerplate.py`
holds a positive and a negative example for every rule; add both when you add
a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A person's name as bylines print it: one to four capitalized words
# ("Jane Doe", "Mary-Ann O'Neil", "J. R. Smith").
_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:de|van|von|al|bin|da|del|la|le)?\s*[A-Z][\w'’.-]*){0,3}"
_NAMES = rf"{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*"
_JOURNALIST = (
    r"(?i:reporter|writer|correspondent|editor|journalist|columnist|contributor|producer|"
    r"freelancer|blogger)s?"
)
_DESK = (
    r"(?i:(?:staff|senior|contributing|chief|deputy|associate|special|freelance|security|"
    r"policy|technology|tech|national|political|cybersecurity|investigative)\s+)*"
)
_OUTLET_WORDS = r"[A-Z][\w&'’.-]*(?:\s+(?:of|&|and|the)?\s*[A-Z][\w&'’.-]*)*"
_DATE = (
    r"(?i:(?:(?:updated|published|posted)\s+)?(?:on\s+)?"
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    r"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})"
    r"(?:,?\s+(?:at\s+)?\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?)"
)
_SEP = r"\s*[,|•·/–—-]\s*"
# What may follow a byline name: a role, a date, a reading time or an outlet,
# but never lowercase prose ("By Thursday, the agency had removed 40 systems").
_BYLINE_TAIL = (
    rf"(?:{_SEP}{_DESK}{_JOURNALIST}|{_SEP}{_OUTLET_WORDS}|{_SEP}{_DATE}"
    r"|\s*[,|•·/–—-]\s*\d+\s*(?i:min(?:ute)?s?\s+read))*"
)


@dataclass(frozen=True, slots=True)
class Pattern:
    name: str
    doc: str
    regex: re.Pattern[str]
    action: str = "drop"  # drop | strip
    # Lowercase words one of which every match contains: the regex runs only
    # when one is in the text (unanchored alternations are slow to scan).
    hints: tuple[str, ...] = ()

    def search(self, text: str, lowered: str | None = None) -> bool:
        if self.hints:
            lowered = text.lower() if lowered is None else lowered
            if not any(map(lowered.__contains__, self.hints)):
                return False
        return self.regex.search(text) is not None


def _p(name: str, doc: str, pattern: str, action: str = "drop", flags: int = re.I) -> Pattern:
    return Pattern(name, doc, re.compile(pattern, flags), action, HINTS.get(name, ()))


HINTS: dict[str, tuple[str, ...]] = {
    "tip_prompt": ("tip", "securely"),
    "comment_prompt": ("comment", "conversation", "discussion", "what you think"),
    "subscribe_prompt": (
        "subscri",
        "member",
        "patron",
        "continue reading",
        "free account",
        "log in",
        "journalism",
        "free trial",
    ),
    "newsletter": ("newsletter", "inbox", "mail", "signing up"),
    "cookie_notice": ("cookie", "site", "privacy"),
    "photo_agency_credit": (
        "getty",
        "shutterstock",
        "afp",
        "istock",
        "alamy",
        "wikimedia",
        "reuters",
        "bloomberg",
        "ap photo",
    ),
    "hashtag_line": ("#",),
    "no_response": ("respon", "repl", "return", "answer", "reach", "available"),
    "declined_comment": ("declined", "comment"),
    "copyright": ("©", "(c)", "copyright", "rights reserved", "may not be"),
    "republished": ("this", "originally", "first", "republished"),
    "image_caption": (
        "photo",
        "image",
        "picture",
        "illustration",
        "graphic",
        "video",
        "screenshot",
        "caption",
        "credit",
        "courtesy",
        "source",
    ),
}


PATTERNS: list[Pattern] = [
    _p(
        "byline",
        "'By Jane Doe', 'By Jane Doe and John Roe, Staff Writers', 'Reporting by ...'",
        rf"^\(?(?i:by|written\s+by|words\s+by|story\s+by)\s+{_NAMES}{_BYLINE_TAIL}\s*\)?\.?$",
        flags=0,
    ),
    _p(
        "byline_upper",
        "'BY JANE DOE' in capitals, as some templates print it",
        r"^BY\s+[A-Z'’.-]+(?:\s+[A-Z'’.-]+){0,3}(?:\s*[,|].{0,40})?$",
        flags=0,
    ),
    _p(
        "byline_role",
        "'Jane Doe | Staff writer', 'Jane Doe, Senior Correspondent': a name and a desk title",
        rf"^{_NAMES}\s*[,|•·–—-]\s*(?:[A-Z]\w*\s+){{0,3}}{_JOURNALIST}"
        rf"(?:\s*[,|•·–—-]\s*.{{0,60}})?\.?$",
        flags=0,
    ),
    _p(
        "wire_credits",
        "'(Reporting by Jane Doe; Editing by John Roe)', 'Additional reporting by ...'",
        r"^\(?\s*(?i:(?:additional\s+)?(?:reporting|writing|editing)(?:\s+and\s+\w+)?\s+by)"
        rf"\s+{_NAMES}(?:\s+in\s+{_NAME})?\s*(?:[;)]|$)",
        flags=0,
    ),
    _p(
        "dateline",
        "'WASHINGTON (Global Wire) —' before the first sentence: stripped, the sentence kept",
        r"^[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+){0,3}"  # the city, in capitals
        r"(?:,\s*[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?(?:\s+\d{1,2})?)?"  # ", Calif." / ", June 3"
        r"\s*(?:\([^()]{2,40}\))?"  # "(Global Wire)"
        r"\s*(?:—|–|--|\s-)\s*(?=[A-Z\"“‘'])",  # the dash, then a capitalized sentence
        action="strip",
        flags=0,
    ),
    _p(
        "author_bio",
        "'Jane Doe is a reporter who covers ...', 'Jane Doe is a senior editor at The Ledger.'",
        rf"^{_NAME}\s+(?:is|has\s+been)\s+(?:a|an|the|our)\s+(?!former\b)(?:[\w-]+\s+){{0,4}}"
        rf"{_JOURNALIST}\b.*(?:\bcovers\b|\bcovering\b|\bwrites\s+about\b|\breports\s+on\b|"
        r"\bfocus(?:es|ing)\s+on\b|\bbased\s+in\b|\bat\s+[A-Z]|\bfor\s+[A-Z]|\bjoined\b|"
        r"\bpreviously\b)",
        flags=0,
    ),
    _p(
        "author_contact",
        "'Contact the author at ...', 'You can reach Jane at ...', 'Follow Jane on X @...'",
        r"^(?:contact|email|reach|write to)\s+(?:the\s+)?(?:author|reporter|writer|us|him|her|them"
        r"|(?-i:[A-Z]\w+))\s+(?:at|on|via)\b|^you can (?:reach|contact|follow|email)\b"
        r"|^follow\s+[A-Z]?\w*\s+on\s+(?:twitter|x|linkedin|mastodon|bluesky|threads)\b",
    ),
    _p(
        "tip_prompt",
        "'Have a tip? Send it to ...', 'Got a news tip?', 'Contact us securely on Signal'",
        r"\b(?:have|got)\s+a\s+(?:news\s+|story\s+)?tip\s*\?|\bsend\s+(?:us\s+(?:a\s+)?|your\s+)tips?\b"
        r"|\bsecurely\s+(?:via|on|using)\s+(?:signal|securedrop)\b",
    ),
    _p(
        "comment_prompt",
        "'Leave a comment', 'Comments are closed', 'Join the conversation', '12 comments'",
        r"^(?:please\s+)?(?:leave|post|add|write|submit)\s+(?:a|your)\s+comment"
        r"|\bcomments?\s+(?:are|is)\s+(?:now\s+)?(?:closed|disabled|moderated)"
        r"|\bjoin\s+the\s+(?:conversation|discussion)\b|^\d+\s+comments?$"
        r"|^(?:show|view|hide|load)\s+(?:all\s+)?(?:\d+\s+)?comments\b"
        r"|\b(?:let us know|tell us)\s+(?:in the comments|what you think)"
        r"|\bin the comments\s+(?:below|section)",
    ),
    _p(
        "subscribe_prompt",
        "'Subscribe now', 'Already a subscriber? Log in', 'This article is for subscribers only'",
        r"^(?:please\s+)?subscribe\b|\bsubscribe\s+(?:now|today|here|for\s+(?:free|unlimited|"
        r"full|just)|to\s+(?:our|the|this)\s+(?:newsletter|podcast|channel|feed|site))"
        r"|\balready\s+a\s+(?:subscriber|member)\b|\bbecome\s+a\s+(?:subscriber|member|patron)\b"
        r"|\bsubscribers?\s+only\b|\bexclusive(?:ly)?\s+for\s+(?:our\s+)?subscribers\b"
        r"|\bto\s+continue\s+reading\b|\bcreate\s+a\s+free\s+account\b"
        r"|\blog\s+in\s+to\s+(?:read|continue|comment)\b|\bsupport\s+(?:our|independent)\s+"
        r"journalism\b|\bstart\s+your\s+free\s+trial\b",
    ),
    _p(
        "newsletter",
        "'Sign up for our daily newsletter', 'Get it in your inbox', 'Enter your email'",
        r"\b(?:sign\s*up|signup|subscribe|register)\b.{0,50}\bnewsletters?\b"
        r"|\bnewsletters?\b.{0,50}\b(?:inbox|sign\s*up|subscribe)\b"
        r"|\b(?:in|to|into)\s+your\s+inbox\b|\benter\s+your\s+e-?mail\b"
        r"|\bby\s+signing\s+up,?\s+you\s+agree\b",
    ),
    _p(
        "cookie_notice",
        "'We use cookies to improve your experience', 'Accept all cookies', 'Cookie settings'",
        r"\b(?:we|this\s+(?:site|website))\s+uses?\s+cookies\b"
        r"|\baccept\s+(?:all\s+)?cookies\b|\bcookies?\s+(?:settings|preferences|banner)\b"
        r"|\bmanage\s+(?:your\s+)?(?:cookie|privacy)\s+(?:settings|preferences|choices)\b"
        r"|\bby\s+(?:continuing\s+to\s+(?:use|browse)|using)\s+(?:this|our)\s+(?:site|website)\b"
        r"|\b(?:read|see|review)\s+our\s+(?:privacy|cookie)\s+(?:policy|notice)\b",
    ),
    _p(
        "image_caption",
        "'Photo: Jane Doe/Global Wire', 'Image: ...', 'Illustration by ...', '(Image credit: ...)'",
        r"^\(?(?:photo|photograph|image|picture|illustration|graphic|video|screenshot|caption)"
        r"(?:\s+(?:credit|courtesy|illustration|via))?s?\s*(?:by\b|[:：|])"
        r"|\((?:photo|image|picture|illustration)s?\s*(?:credit)?\s*(?:by\b|:)[^)]*\)"
        r"|^(?:credit|courtesy|source)\s*:\s*\S",
    ),
    _p(
        "caption_with_credit",
        "'Racks of servers in a data centre. Photo: Lena Moor / Northlight': a credit after text",
        r"[.!?]\s+(?:photo(?:graph)?|image|picture|illustration|video)s?(?:\s+credit)?\s*"
        r"(?::|by\s+[A-Z])",
    ),
    _p(
        "photo_agency_credit",
        "'Jane Doe/Getty Images', '(AP Photo/John Roe)', 'via Shutterstock'",
        r"(?:/|\(|\||\bvia\s+)\s*(?:getty\s+images|shutterstock|afp|istock(?:photo)?|alamy|"
        r"wikimedia\s+commons|reuters|bloomberg)\b|\bap\s+photo\b",
    ),
    _p(
        "hashtag_line",
        "'#cybersecurity #infosec #ransomware': two or more hashtags and little else",
        r"^\W*(?:#\w+[\s,·|]*){2,}$|(?:\s#\w+){3,}\W*$",
    ),
    _p(
        "read_more",
        "'Read more: ...', 'Related: ...', 'See also', 'Recommended for you', 'Most read'",
        r"^(?:read\s+(?:more|next|also)|related(?:\s+(?:stories|story|articles?|coverage|reading"
        r"|content|news|links?))?|see\s+also|more\s+on\s+this(?:\s+story)?|recommended(?:\s+for"
        r"\s+you|\s+reading)?|further\s+reading|also\s+read|don['’]t\s+miss|more\s+from\s+\w+"
        r"(?:\s+\w+)?|you\s+may\s+also\s+like|trending(?:\s+now)?|most\s+(?:read|popular|viewed))"
        r"\s*(?:[:|»›>–—-]|$)",
    ),
    _p(
        "no_response",
        "'X did not respond to a request for comment', 'could not be reached for comment'",
        r"\b(?:did|does|do|has|have|had)\s*(?:not|n['’]t)\s+(?:yet\s+)?(?:immediately\s+)?"
        r"(?:respond|reply|return|answer)(?:ed)?\b.{0,60}\b(?:comment|request|inquir|e-?mail|"
        r"message|call|questions)"
        r"|\bcould\s*(?:not|n['’]t)\s+be\s+(?:immediately\s+)?reached\b"
        r"|\b(?:was|were)\s*(?:not|n['’]t)\s+(?:immediately\s+)?available\s+(?:for|to)\s+comment"
        r"|\brequests?\s+for\s+comment\s+(?:was|were|went|have\s+gone|has\s+gone)\s+"
        r"(?:not\s+returned|unanswered|unreturned)"
        r"|\bno\s+(?:immediate\s+)?response\s+to\s+(?:a|our|the)?\s*(?:request|inquiry)",
    ),
    _p(
        "declined_comment",
        "'A spokesperson declined to comment', 'X would not comment', 'declined comment'",
        r"\bdeclined\s+(?:to\s+)?(?:comment|(?:provide|give|offer|make)\s+(?:a|any|further)?\s*"
        r"(?:comment|statement))|\b(?:would|will)\s*(?:not|n['’]t)\s+comment\b"
        r"|\bdoes\s*(?:not|n['’]t)\s+comment\s+on\b",
    ),
    _p(
        "update_note",
        "'This article was updated ...', 'Updated at 3 p.m.', 'Correction:', 'Editor's note:'",
        r"^(?:this\s+(?:article|story|post|piece|report)\s+(?:was|has\s+been|is\s+being)\s+"
        r"(?:updated|corrected|amended|edited|revised)|(?:last\s+)?updated?\s*(?:at|on)?\s*"
        r"[:\d(]|editor['’]?s\s+note\s*:|correction\s*[:(]|clarification\s*:|\(updated?\b"
        r"|update\s*,\s*\w+\s+\d)",
    ),
    _p(
        "timestamp_line",
        "'Published June 3, 2024 at 9:41 am', '4 min read', 'Posted 2 hours ago'",
        r"^(?:published|posted|updated|last\s+updated|first\s+published)\b[^.]{0,60}\d[^.]{0,40}$"
        r"|^\d+\s*(?:min(?:ute)?s?)\s+read$|^\d+\s+(?:hours?|minutes?|days?)\s+ago$",
    ),
    _p(
        "share_prompt",
        "'Share this article', 'Follow us on LinkedIn', 'Facebook Twitter Email', 'Print'",
        r"^(?:share\s+(?:this|on|via)|tweet\s+this|follow\s+us\b|like\s+us\s+on|click\s+here"
        r"|click\s+to\s+(?:share|print|email|tweet)|opens\s+in\s+(?:a\s+)?new\s+window"
        r"|tap\s+here|listen\s+to\s+(?:this|the)\s+(?:article|story)|download\s+(?:our|the)\s+app"
        r"|print\s+this|copy\s+link|email\s+this)"
        r"|^(?:(?:facebook|twitter|x|linkedin|email|e-mail|print|reddit|whatsapp|copy\s+link|"
        r"share|bluesky|mastodon)[\s|/,·•]*){2,}$",
    ),
    _p(
        "page_furniture",
        "'Advertisement', 'Story continues below', 'Skip to content', 'Sign in', 'Loading...'",
        r"^(?:advertisement|sponsored(?:\s+content)?|paid\s+content|story\s+continues\s+below"
        r"(?:\s+advertisement)?|skip\s+to\s+(?:main\s+)?content|sign\s+in|log\s+in|menu|search"
        r"|loading\.*|audio\s+is\s+not\s+supported.*|your\s+browser\s+does\s+not\s+support.*"
        r"|this\s+content\s+is\s+not\s+available.*|continue\s+reading(?:\s+below)?"
        r"|most\s+popular|top\s+stories|latest\s+news|back\s+to\s+top)[.!]?$",
    ),
    _p(
        "tags_line",
        "'Tags: ransomware, CISA', 'Topics: Policy', 'Filed under: Security'",
        r"^(?:tags?|topics?|related\s+topics|filed\s+under|categories|category|keywords)\s*:",
    ),
    _p(
        "media_prompt",
        "'WATCH: ...', 'Listen (4 min)', 'Enlarge this image', 'Toggle caption'",
        r"^(?:watch|listen|video|audio|podcast|gallery|slideshow)\s*(?::|\(\d+\s*min)"
        r"|^(?:enlarge\s+this\s+image|toggle\s+caption|hide\s+caption|show\s+caption"
        r"|view\s+(?:gallery|image|photos?))\b",
    ),
    _p(
        "copyright",
        "'© 2024 Global Wire Service', 'All rights reserved', 'may not be republished'",
        r"^(?:©|\(c\)|copyright\s*(?:©)?)\s*\d{4}|\ball\s+rights\s+reserved\b"
        r"|\bthis\s+(?:material|article|content|story)\s+may\s+not\s+be\s+(?:re)?(?:published|"
        r"produced|broadcast|written|distributed)",
    ),
    _p(
        "republished",
        "'This story originally appeared on ...', 'Originally published by ...'",
        r"^\(?(?:a\s+version\s+of\s+)?this\s+(?:story|article|post|piece)\s+(?:originally\s+|"
        r"first\s+)?(?:appeared|ran|was\s+(?:originally\s+|first\s+)?published)\b"
        r"|^\(?(?:originally|first)\s+published\s+(?:in|on|by|at)\b"
        r"|\b(?:is\s+)?republished\s+(?:here\s+)?(?:from|with\s+permission)\b",
    ),
]


_DROPPING = tuple(p for p in PATTERNS if p.action == "drop")
_STRIPPING = tuple(p for p in PATTERNS if p.action == "strip")


def use_rules(patterns: list[Pattern]) -> None:
    """Apply these rules from now on (an evaluation switches the filter off with [])."""
    global _DROPPING, _STRIPPING
    PATTERNS[:] = patterns
    _DROPPING = tuple(p for p in PATTERNS if p.action == "drop")
    _STRIPPING = tuple(p for p in PATTERNS if p.action == "strip")


def match(text: str) -> Pattern | None:
    """The first dropping rule that matches `text`, if any (strip rules never drop)."""
    text = text.strip()
    lowered = text.lower()
    contains = lowered.__contains__
    # `Pattern.search`, inlined: summaries ask this of every lead sentence.
    for pattern in _DROPPING:
        if pattern.hints and not any(map(contains, pattern.hints)):
            continue
        if pattern.regex.search(text) is not None:
            return pattern
    return None


# Rules for the reader, which shows the whole article: page furniture a reader
# never wants, but not the sentences that are merely poor summary material
# ("declined to comment", datelines, captions), which belong to the story.
PAGE_CLUTTER = frozenset(
    {
        "read_more",
        "share_prompt",
        "page_furniture",
        "subscribe_prompt",
        "newsletter",
        "cookie_notice",
        "comment_prompt",
        "tags_line",
        "hashtag_line",
        "media_prompt",
    }
)


# A photo's caption or credit: the reader shows it, the grouping must not read
# it as the article's first paragraph ("Racks of servers ... Photo: Lena Moor")
CAPTIONS = frozenset({"image_caption", "caption_with_credit", "photo_agency_credit"})


def is_page_clutter(text: str) -> bool:
    """A paragraph that is page furniture ("Read more: ...", "Share this"), not article."""
    return _dropped_by(PAGE_CLUTTER, text)


def is_caption(text: str) -> bool:
    return _dropped_by(CAPTIONS, text)


def _dropped_by(rules: frozenset[str], text: str) -> bool:
    """Does one of these dropping rules match the paragraph?"""
    text = text.strip()
    lowered = text.lower()
    return any(p.name in rules and p.search(text, lowered) for p in _DROPPING)


_NON_WORD = re.compile(r"[\W_]+")


def repeats_headline(line: str, title: str) -> bool:
    """The headline again, as extracted text often opens with it, whatever its quotes,
    dashes and spacing (a feed's title and a page's <h1> often differ in those)."""
    letters = _NON_WORD.sub("", title.casefold())
    return bool(letters) and _NON_WORD.sub("", line.casefold()) == letters


def without_page_clutter(text: str) -> str:
    """A page's text without its lines of page furniture.

    Such a line names other articles ("Read more: Kaspersky joins ..."): kept,
    it would make a search or the grouping find this article by their words.
    """
    lines = text.split("\n")
    kept = [line for line in lines if not (line.strip() and is_page_clutter(line))]
    return text if len(kept) == len(lines) else "\n".join(kept)


def is_boilerplate(text: str) -> bool:
    return match(text) is not None


def strip_prefixes(text: str) -> str:
    """Remove dateline-like prefixes, keeping the sentence that follows them."""
    text = text.strip()
    for pattern in _STRIPPING:
        text = pattern.regex.sub("", text, count=1).strip()
    return text


def clean_sentence(text: str, checked: bool = False) -> str | None:
    """The sentence without its dateline, or None when it is clutter.

    `checked`: `text` is known not to be boilerplate (it is a whole paragraph
    that was checked already), so only what stripping a prefix leaves is.
    """
    stripped = strip_prefixes(text)
    if not stripped:
        return None
    if checked and stripped == text.strip():
        return stripped
    if is_boilerplate(stripped):
        return None
    if stripped != text.strip() and is_boilerplate(text):
        return None
    return stripped
