"""The command line: the TUI by default, subcommands for everything else.

Heavy modules (Textual, the fetch pipeline, scikit-learn) are imported inside
the command that needs them, so `briefing feeds list` starts at once and the
headless commands never load Textual.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from briefing import __version__
from briefing.config import Paths, Settings
from briefing.errors import BriefingError
from briefing.fetch import opml
from briefing.models import utcnow
from briefing.reading import session
from briefing.sanitize import clean
from briefing.store import Store
from briefing.store import feeds as feed_store
from briefing.store import query as query_store
from briefing.store import watches as watch_store
from briefing.store.search import SearchError
from briefing.store.watches import MUTE_KINDS
from briefing.urls import FeedUrlError, check_feed_url

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

SINCE_LAST = "last"


class CliError(BriefingError):
    """A problem the user can fix; printed without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefing",
        description="A terminal news-briefing reader for cybersecurity policy. "
        "With no command, opens the app on your feeds.",
    )
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="keep config, database and cache under DIR (default: $BRIEFING_HOME, "
        "else the platform's user directories)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="open the app on the bundled demo corpus (no network)",
        description="Serve the bundled demo feeds on 127.0.0.1, fetch them into a "
        "throw-away home, and open the app. With --keep (or --home DIR), the home "
        "is kept: its articles stay readable offline after the demo server is gone.",
    )
    demo.add_argument(
        "--keep",
        action="store_true",
        help="keep the demo's home (--home DIR, else a new directory that is printed)",
    )

    feeds = sub.add_parser(
        "feeds",
        help="manage the feeds you follow",
        description="Add, remove, list, import and export feeds.",
    )
    fsub = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    add = fsub.add_parser(
        "add", help="follow a feed", description="Follow a feed (http(s) URL or a local file)."
    )
    add.add_argument("url")
    add.add_argument("--title", default="", help="a name for the feed")
    add.add_argument("--category", default="", help="a category to group it under")
    rm = fsub.add_parser(
        "remove",
        help="stop following a feed and drop its articles",
        description="Stop following a feed; its articles are removed.",
    )
    rm.add_argument("url")
    fsub.add_parser(
        "list",
        help="the feeds, with fetch health",
        description="List feeds with last fetch, item count and last error.",
    )
    imp = fsub.add_parser(
        "import",
        help="import feeds from an OPML file",
        description="Import feeds from OPML; feeds already followed are kept.",
    )
    src = imp.add_mutually_exclusive_group(required=True)
    src.add_argument("file", nargs="?", type=Path, help="the OPML file")
    src.add_argument(
        "--defaults",
        action="store_true",
        help="import briefing's default list of cyber-policy feeds",
    )
    imp.add_argument(
        "--category",
        action="append",
        default=[],
        metavar="NAME",
        help="only feeds in this category (repeatable; `feeds defaults` lists them)",
    )
    fsub.add_parser(
        "defaults",
        help="list briefing's default feeds by category",
        description="List the default feeds by category, without following any.",
    )
    exp = fsub.add_parser(
        "export",
        help="write the feeds as OPML",
        description="Write the feed list as OPML to stdout or a file.",
    )
    exp.add_argument("-o", "--output", type=output_file, help="write here instead of stdout")
    exp.add_argument("--force", action="store_true", help="overwrite an existing file")

    fetch = sub.add_parser(
        "fetch",
        help="fetch every feed, extract, cluster and summarize",
        description="Fetch every due feed, pull full text, group and summarize. "
        "Exits 0 when the run completed, even if some feeds failed.",
    )
    fetch.add_argument(
        "--force",
        action="store_true",
        help="fetch every feed now, even those backing off, asked to wait, or dead",
    )

    export = sub.add_parser(
        "export",
        help="write a brief (markdown, html or json)",
        description="Write a brief of the chosen stories: what's new first, then each "
        "story's latest three events in full (--full for all of them), newest first.",
    )
    export.add_argument(
        "--format",
        choices=["markdown", "html", "json"],
        default="markdown",
        help="html is one self-contained file for pasting into a mail client",
    )
    export.add_argument(
        "--since",
        type=_since,
        metavar="DATE|last",
        help="stories with activity on or after DATE (YYYY-MM-DD); 'last': what changed "
        "since the previous export",
    )
    export.add_argument(
        "--until",
        type=date.fromisoformat,
        metavar="DATE",
        help="stories with activity on or before DATE (YYYY-MM-DD)",
    )
    export.add_argument("--starred", action="store_true", help="only starred stories")
    export.add_argument(
        "--story", action="append", default=[], metavar="ID", help="only this story (repeatable)"
    )
    export.add_argument(
        "--template",
        type=Path,
        metavar="FILE",
        help="a Jinja2 template to use instead of the built-in one",
    )
    export.add_argument(
        "--max-stories",
        type=int,
        metavar="N",
        help="at most N stories, the most recent first, then the most covered",
    )
    export.add_argument(
        "--full", action="store_true", help="every event in full, not only the latest three"
    )
    export.add_argument(
        "--oldest-first", action="store_true", help="timelines in date order, oldest first"
    )
    export.add_argument(
        "-o", "--output", type=output_file, metavar="FILE", help="write here instead of stdout"
    )
    export.add_argument("--force", action="store_true", help="overwrite an existing file")
    export.add_argument("--watch", metavar="NAME", help="only the stories this watch matches")
    export.add_argument(
        "--by-watch", action="store_true", help="one section per watch, each with its stories"
    )

    watch = sub.add_parser(
        "watch",
        help="standing queries: what you follow",
        description="A watch is a name and a query in the search syntax, plus the fields "
        "entity:NAME, source:OUTLET, category:NAME and tag:NAME (quote values with spaces: "
        'entity:"Volt Typhoon"). `briefing fetch` says which watches gained events.',
    )
    wsub = watch.add_subparsers(dest="watch_command", metavar="ACTION", required=True)
    wadd = wsub.add_parser("add", help="add a watch", description="Add a watch.")
    wadd.add_argument("name")
    wadd.add_argument("query", nargs="+", help="the query (several words are joined)")
    wsub.add_parser("list", help="the watches", description="List the watches and their queries.")
    wrm = wsub.add_parser("remove", help="remove a watch", description="Remove a watch.")
    wrm.add_argument("name")

    mute = sub.add_parser(
        "mute",
        help="hide articles by outlet, feed, category, keyword or entity",
        description="Muted articles are hidden from every view and the brief; they stay "
        "stored, so removing the mute brings them back.",
    )
    msub = mute.add_subparsers(dest="mute_command", metavar="ACTION", required=True)
    for action, text in (("add", "hide matching articles"), ("remove", "remove a mute")):
        one = msub.add_parser(action, help=text, description=text.capitalize() + ".")
        one.add_argument("kind", choices=MUTE_KINDS)
        one.add_argument("value", nargs="+", help="what to match (several words are joined)")
    msub.add_parser("list", help="the mutes", description="List the mutes.")

    _correction_parsers(sub)

    sub.add_parser(
        "keys",
        help="print the effective keymap",
        description="Print every key of the app, after the [keymap] in settings.toml, "
        "with its binding id; conflicts and unknown ids are named.",
    )

    sub.add_parser(
        "locate",
        help="print where config, data and cache live",
        description="Print the directories and files briefing uses.",
    )
    return parser


def output_file(value: str) -> Path:
    """An `-o` argument: a file name; `newdir/` names a directory, and is refused."""
    try:
        directory = value.endswith(("/", os.sep)) or Path(value).is_dir()
    except OSError:
        directory = False  # a name too long to look up: the write says so clearly
    if directory:
        raise argparse.ArgumentTypeError(f"{value!r} is a directory; give a file name")
    return Path(value)


def _since(value: str) -> date | str:
    """`--since`: a date, or `last` for the time of the previous export."""
    if value == SINCE_LAST:
        return SINCE_LAST
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD) or 'last': {value!r}") from None


def _correction_parsers(sub: argparse._SubParsersAction) -> None:
    """Fixing the grouping: every id accepts a unique prefix of 4 characters or more."""
    story = sub.add_parser(
        "story", help="fix a story: merge, split, rename", description="Correct a story."
    )
    ssub = story.add_subparsers(dest="story_command", metavar="ACTION", required=True)
    merge = ssub.add_parser(
        "merge", help="make two stories one", description="Merge the second story into the first."
    )
    merge.add_argument("story", metavar="ID")
    merge.add_argument("other", metavar="ID")
    split = ssub.add_parser(
        "split",
        help="make an event (and those after it) a story of its own",
        description="The event leaves the story for a new one; the story keeps its triage state.",
    )
    split.add_argument("story", metavar="ID")
    split.add_argument("--from-event", required=True, metavar="EID", dest="event")
    split.add_argument(
        "--with-later", action="store_true", help="the events after it leave with it"
    )
    rename = ssub.add_parser(
        "rename",
        help="give a story your own title",
        description="Your title wins over the automatic one until you clear it.",
    )
    rename.add_argument("story", metavar="ID")
    rename.add_argument("title", nargs="?", metavar="TITLE")
    rename.add_argument("--clear", action="store_true", help="back to the automatic title")

    event = sub.add_parser(
        "event", help="fix an event: move, merge", description="Correct an event."
    )
    esub = event.add_subparsers(dest="event_command", metavar="ACTION", required=True)
    move = esub.add_parser(
        "move", help="move an event to another story", description="Move an event to a story."
    )
    move.add_argument("event", metavar="EID")
    move.add_argument("--to-story", required=True, metavar="SID", dest="story")
    emerge = esub.add_parser(
        "merge", help="make two events one", description="Merge the second event into the first."
    )
    emerge.add_argument("event", metavar="EID")
    emerge.add_argument("other", metavar="EID")

    article = sub.add_parser(
        "article", help="fix an article's event", description="Move an article."
    )
    asub = article.add_subparsers(dest="article_command", metavar="ACTION", required=True)
    amove = asub.add_parser(
        "move",
        help="move an article to another event, or to one of its own",
        description="Move an article (with its copies) to an event, or out to a new event.",
    )
    amove.add_argument("article", metavar="AID")
    where = amove.add_mutually_exclusive_group(required=True)
    where.add_argument("--to-event", metavar="EID", dest="event")
    where.add_argument("--new-event", action="store_true")

    corrections = sub.add_parser(
        "corrections", help="list or undo your corrections", description="Your corrections."
    )
    csub = corrections.add_subparsers(dest="corrections_command", metavar="ACTION", required=True)
    csub.add_parser("list", help="every correction, numbered", description="List corrections.")
    cundo = csub.add_parser(
        "undo", help="undo correction N (default: the latest)", description="Undo a correction."
    )
    cundo.add_argument("number", nargs="?", type=int, metavar="N")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except BriefingError as exc:  # the one place errors meet the user
        print(f"briefing: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from briefing.demo import run_demo

        return run_demo(Path(args.home) if args.home else None, keep=args.keep or bool(args.home))
    paths = Paths.resolve(args.home).ensure()
    if args.command == "locate":
        return _locate(paths)
    settings = Settings.load(paths.settings_file)
    if args.command == "keys":
        return _keys(settings)
    store = Store(paths.database)
    if args.command == "feeds":
        return _feeds(store, args)
    if args.command == "fetch":
        return _fetch(store, settings, force=args.force)
    if args.command == "export":
        return _export(store, args)
    if args.command in {"story", "event", "article", "corrections"}:
        return _correct(store, args)
    if args.command == "watch":
        return _watch(store, args)
    if args.command == "mute":
        return _mute(store, args)
    return _open_app(store, settings, paths)


def _locate(paths: Paths) -> int:
    print(f"config:   {paths.config_dir}")
    print(f"settings: {paths.settings_file}")
    print(f"data:     {paths.data_dir}")
    print(f"database: {paths.database}")
    print(f"cache:    {paths.cache_dir}")
    return EXIT_OK


# -- feeds -------------------------------------------------------------------


def default_feeds() -> list[opml.OpmlFeed]:
    data = resources.files("briefing.data").joinpath("default_feeds.opml").read_bytes()
    return opml.parse(data)[0]


def in_categories(items: list[opml.OpmlFeed], wanted: list[str]) -> list[opml.OpmlFeed]:
    """The feeds in any of these categories (case-insensitive); an unknown name is an error."""
    known = {item.category.casefold(): item.category for item in items}
    unknown = [name for name in wanted if name.casefold() not in known]
    if unknown:
        names = ", ".join(sorted(set(known.values())))
        raise CliError(f"no category {unknown[0]!r}; the categories are: {names}")
    folded = {name.casefold() for name in wanted}
    return [item for item in items if item.category.casefold() in folded]


def defaults_by_category(items: list[opml.OpmlFeed]) -> str:
    """The default feeds as an indented list under their categories."""
    groups: dict[str, list[opml.OpmlFeed]] = {}
    for item in items:
        groups.setdefault(item.category or "Other", []).append(item)
    out = []
    for category, feeds in groups.items():
        out.append(f"{category} ({len(feeds)})")
        out.extend(f"  {feed.title or feed.url}  {feed.url}" for feed in feeds)
    return "\n".join(out) + "\n"


def import_feeds(store: Store, items: list[opml.OpmlFeed]) -> tuple[int, int]:
    added = skipped = 0
    for item in items:
        try:
            feed_store.add(store, item.url, item.title, item.category)
            added += 1
        except feed_store.FeedExists:
            skipped += 1
    return added, skipped


def _feeds(store: Store, args: argparse.Namespace) -> int:
    action = args.feeds_command
    if action == "add":
        try:
            url = check_feed_url(args.url)
        except FeedUrlError as exc:
            raise CliError(str(exc)) from exc
        try:
            feed_store.add(store, url, args.title, args.category)
        except feed_store.FeedExists as exc:
            raise CliError(f"already following {url}") from exc
        print(f"added {url}")
    elif action == "remove":
        if not feed_store.remove(store, args.url):
            raise CliError(f"not following {args.url}")
        print(f"removed {args.url}")
    elif action == "list":
        _print_feeds(feed_store.all_feeds(store))
    elif action == "defaults":
        print(defaults_by_category(default_feeds()), end="")
    elif action == "import":
        if args.defaults:
            items, refused = default_feeds(), list[str]()
        else:
            items, refused = opml.read(args.file)
        if args.category:
            items = in_categories(items, args.category)
        added, skipped = import_feeds(store, items)
        for message in refused:
            print(f"skipped: {message}", file=sys.stderr)
        print(f"imported {added} feeds ({skipped} already followed, {len(refused)} refused)")
    elif action == "export":
        text = opml.render(feed_store.all_feeds(store))
        if args.output:
            from briefing.atomic import write_text_atomic

            write_text_atomic(args.output, text, force=args.force)
        else:
            sys.stdout.write(text)
    return EXIT_OK


def _print_feeds(feeds: list[feed_store.Feed]) -> None:
    if not feeds:
        print("no feeds yet: `briefing feeds add URL` or `briefing feeds import --defaults`")
        return
    now = utcnow()
    for feed in feeds:
        when = feed.last_fetched.strftime("%Y-%m-%d %H:%M") if feed.last_fetched else "never"
        if feed.dead:
            health = "dead (410 Gone)"
        elif feed.last_error:
            health = f"error x{feed.failures}: {feed.last_error}"
        else:
            health = "ok" if feed.last_success else "not fetched"
        if not feed.dead and (feed.failures or feed.retry_after):
            from briefing.pipeline import not_due_reason

            if waiting := not_due_reason(feed, now):
                health += f" · {waiting}"
        if feed.note:
            health += f" · note: {feed.note}"
        print(
            f"{feed.url}\n    {feed.name} · {feed.category or '-'} · fetched {when} · "
            f"{feed.item_count} items · {health} · {next_try_text(feed, now)}"
        )


def next_try_text(feed: feed_store.Feed, now: datetime) -> str:
    """When the next `briefing fetch` will try this feed, in words."""
    from briefing.fetch.feed import next_try

    if feed.dead:
        return "not tried again (fetch --force tries it)"
    when = next_try(feed, now)
    if when is None:
        return "next try: next fetch"
    return f"next try: {when.strftime('%Y-%m-%d %H:%M')} UTC"


# -- fetch, export, app --------------------------------------------------------


def _fetch(store: Store, settings: Settings, *, force: bool = False) -> int:
    from briefing.cli_fetch import run_cli

    return run_cli(store, settings, force=force)


def _keys(settings: Settings) -> int:
    # the key table comes from the app's own bindings, so this is the one command
    # outside the app that loads Textual
    from briefing.tui.keys import check_keymap, effective_keys

    for warning in check_keymap(settings.keymap):
        print(f"warning: {warning}", file=sys.stderr)
    for screen, rows in effective_keys(settings.keymap).items():
        print(f"{screen}:")
        for keys, binding_id, description in rows:
            print(f"  {keys:<22} {binding_id:<32} {description}")
    return EXIT_OK


def _export(store: Store, args: argparse.Namespace) -> int:
    from briefing.brief.export import ExportOptions, export

    since_last = args.since == SINCE_LAST
    options = ExportOptions(
        format=args.format,
        since=None if since_last else args.since,
        until=args.until,
        starred=args.starred,
        story_ids=list(args.story),
        template=args.template,
        since_last=since_last,
        max_stories=args.max_stories,
        full=args.full,
        oldest_first=args.oldest_first,
        watch=args.watch,
        by_watch=args.by_watch,
    )
    text = export(store, options, output=args.output, force=args.force)
    if args.output is None:
        sys.stdout.write(text)
    else:
        print(f"wrote {args.output}", file=sys.stderr)
    return EXIT_OK


# -- corrections -----------------------------------------------------------------


def _correct(store: Store, args: argparse.Namespace) -> int:
    from briefing.cluster import corrections as fix
    from briefing.store.ids import IdError, resolve_id

    def ident(kind: str, typed: str) -> str:
        try:
            return resolve_id(store, kind, typed)
        except IdError as exc:
            raise CliError(str(exc)) from exc

    try:
        if args.command == "corrections":
            return _corrections(store, args, fix)
        done: list[fix.Done]
        if args.command == "story":
            sid = ident("story", args.story)
            if args.story_command == "merge":
                done = [fix.merge_stories(store, sid, ident("story", args.other))]
            elif args.story_command == "split":
                event = ident("event", args.event)
                done = [fix.split_story(store, sid, event, following=args.with_later)]
            elif args.clear:
                done = fix.clear_title(store, sid)
            elif args.title is None:
                raise CliError("give a TITLE, or --clear for the automatic one")
            else:
                done = [fix.rename_story(store, sid, args.title)]
        elif args.command == "event":
            eid = ident("event", args.event)
            if args.event_command == "move":
                done = [fix.move_event(store, eid, ident("story", args.story))]
            else:
                done = [fix.merge_events(store, eid, ident("event", args.other))]
        else:
            aid = int(ident("article", args.article))
            if args.new_event:
                done = [fix.new_event(store, aid)]
            else:
                done = [fix.move_article(store, aid, ident("event", args.event))]
    except fix.CorrectionError as exc:
        raise CliError(str(exc)) from exc
    for item in done:
        print(f"#{item.number}: {item.summary}" if item.number else item.summary)
    return EXIT_OK


def _corrections(store: Store, args: argparse.Namespace, fix: Any) -> int:
    from briefing.store.corrections import all_corrections

    if args.corrections_command == "undo":
        print(fix.undo(store, args.number).summary)
        return EXIT_OK
    items = all_corrections(store)
    if not items:
        print("no corrections yet")
    for c in items:
        state = f"  (undone {c.undone_at:%Y-%m-%d %H:%M})" if c.undone_at else ""
        print(f"#{c.id}  {c.at:%Y-%m-%d %H:%M}  {c.summary}{state}")
    return EXIT_OK


def _watch(store: Store, args: argparse.Namespace) -> int:
    action = args.watch_command
    if action == "add":
        query = " ".join(args.query)
        try:
            empty = query_store.parse(query).empty
        except SearchError as exc:
            raise CliError(f"not a query briefing can run: {exc}") from exc
        if empty:
            raise CliError("the query matches nothing: give words or a field such as entity:CISA")
        try:
            watch_store.add_watch(store, args.name, query)
        except watch_store.Exists as exc:
            raise CliError(f"a watch named {args.name!r} exists; remove it first") from exc
        print(f"watching {args.name}: {query}")
        _warn_unknown_entities(store, query_store.parse(query).fields.get("entity", ()))
    elif action == "remove":
        if not watch_store.remove_watch(store, args.name):
            raise CliError(f"no watch named {args.name!r}")
        print(f"removed watch {args.name}")
    else:
        watches = watch_store.all_watches(store)
        if not watches:
            print('no watches yet: `briefing watch add kaspersky "entity:Kaspersky"`')
        for w in watches:
            print(f"{clean(w.name, 'title', single_line=True)}\t{w.query}")
    return EXIT_OK


def _warn_unknown_entities(store: Store, names: Sequence[str]) -> None:
    """An entity the extractor cannot find matches nothing: say so now, not never."""
    from briefing import entities

    table = entities.gazetteer()
    for name in names:
        known = table.lookup(name) or any(p.fullmatch(name) for _, p in entities.PATTERNS)
        if not known:
            print(
                f"note: {name!r} is not an entity briefing knows (see briefing/data/entities); "
                "it matches nothing until it is added there",
                file=sys.stderr,
            )


def _mute(store: Store, args: argparse.Namespace) -> int:
    action = args.mute_command
    if action == "list":
        mutes = watch_store.all_mutes(store)
        if not mutes:
            print("no mutes")
        for m in mutes:
            print(f"{m.kind}\t{m.value}")
        return EXIT_OK
    value = " ".join(args.value)
    if action == "add":
        try:
            watch_store.add_mute(store, args.kind, value)
        except watch_store.Exists as exc:
            raise CliError(f"already muted: {args.kind} {value}") from exc
        except ValueError as exc:
            raise CliError(str(exc)) from exc
        hidden = len(watch_store.muted_ids(store, [watch_store.Mute(0, args.kind, value)]))
        print(f"muted {args.kind} {value} ({hidden} articles hidden now)")
        if args.kind == "entity":
            _warn_unknown_entities(store, [value])
    elif not watch_store.remove_mute(store, args.kind, value):
        raise CliError(f"no mute {args.kind} {value}")
    else:
        print(f"unmuted {args.kind} {value}")
    return EXIT_OK


def offer_default_feeds(store: Store) -> None:
    """On the very first run, offer the default feed list; the user can decline."""
    if session.first_run_done(store):
        return
    if not feed_store.all_feeds(store) and sys.stdin.isatty():
        defaults = default_feeds()
        if ask_default_feeds(defaults, input):
            added, _ = import_feeds(store, defaults)
            print(f"following {added} feeds; press r in the app to fetch them")
    session.mark_first_run_done(store)


def ask_default_feeds(defaults: list[opml.OpmlFeed], ask: Callable[[str], str]) -> bool:
    """Ask until the answer is yes or no; `l` or `?` lists the feeds by category first."""
    question = (
        f"No feeds yet. Follow briefing's {len(defaults)} default cyber-policy feeds? "
        "[Y/n, l: list them] "
    )
    while True:
        answer = ask(question).strip().lower()
        if answer in {"", "y", "yes"}:
            return True
        if answer in {"n", "no"}:
            print(
                "No feeds followed. Pick some later with "
                "`briefing feeds import --defaults --category NAME` or `briefing feeds add URL`."
            )
            return False
        if answer in {"l", "?", "list"}:
            print(defaults_by_category(defaults), end="")
            print("Pick a subset later: `briefing feeds import --defaults --category NAME`.")


def _open_app(store: Store, settings: Settings, paths: Paths) -> int:
    offer_default_feeds(store)
    from briefing.tui.app import make_app

    make_app(store, settings, paths).run()
    return EXIT_OK
