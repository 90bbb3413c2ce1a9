"""The labeled corpus as harness lines, and harness lines as corpus articles.

    .venv/bin/python benchmarks/corpus_jsonl.py [-o OUT.jsonl]

writes `benchmarks/corpus` in the shared harness's format (one JSON object a
line: id, url, outlet, title, published YYYY-MM-DD, text, storyline, event),
by default to `benchmarks/results/corpus.jsonl` (git-ignored), so the own
corpus is measured end to end through the command line like the AllSides set:

    python3 /work/shared/eval/harness.py --briefing "$PWD/.venv/bin/briefing" \
        --corpus benchmarks/results/corpus.jsonl --errors

`read_jsonl` goes the other way, so `eval_cluster.py --jsonl` can score a
harness corpus in process, seen the way the harness serves it: dated 09:00
UTC, the feed's teaser the first 300 characters of the text.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import CorpusArticle, all_articles, load_corpus

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "corpus.jsonl"
TEASER_CHARS = 300  # what the harness puts in each feed item's description


def to_line(article: CorpusArticle) -> dict[str, str]:
    return {
        "id": article.id,
        "url": article.url,
        "outlet": article.outlet,
        "title": article.title,
        "published": article.published.date().isoformat(),
        "text": "\n".join(article.paragraphs),
        "storyline": article.story_id,
        "event": article.event_id,
    }


def read_jsonl(path: str | Path) -> list[CorpusArticle]:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        paragraphs = tuple(p.strip() for p in rec["text"].split("\n") if p.strip())
        day = datetime.strptime(rec["published"], "%Y-%m-%d").replace(hour=9, tzinfo=UTC)
        out.append(
            CorpusArticle(
                id=str(rec["id"]),
                outlet=rec["outlet"],
                url=rec["url"],
                title=rec["title"],
                published=day,
                teaser=" ".join(paragraphs)[:TEASER_CHARS],
                paragraphs=paragraphs or (rec["title"],),
                event_id=str(rec["event"]),
                story_id=str(rec["storyline"]),
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--corpus", default=None, help="corpus directory")
    args = parser.parse_args(argv)
    articles = all_articles(load_corpus(args.corpus))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for article in articles:
            fh.write(json.dumps(to_line(article)) + "\n")
    print(f"{len(articles)} articles -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
