"""Fit the join models of events and stories on labeled data (offline; prints params).

    .venv/bin/python benchmarks/train_pairs.py [--fit own,allsides] [--measure own,allsides]
        [--event-weight allsides=2] [--story-weight own=3,own_days=3] [--search N]
        [--levels events,stories]

The shipped params: the event model from `--event-weight allsides=2`, the
story model from `--levels stories --search 1` (both on the default sets; see
`params` for the intercept). Story pairs compare each event by its known part
and give its novel shares, as the story grouping does (`novelty`).

The clustering joins a newcomer to a group when a logistic model over pairwise
features (`briefing.cluster.grouping.FEATURES`) says it belongs. This script
makes the training pairs the way the clustering meets them: the articles (and,
one level up, the events) arrive in time order, the groups so far are the
gold ones, and every group within the time window is a candidate, labeled by
whether the newcomer truly belongs to it. A scikit-learn logistic regression
fits the weights; each set counts equally however many pairs it has (or as
`--event-weight` / `--story-weight` say). The intercept is then shifted to the
value that gives the best B-cubed F1 of the real clustering on the fitting
data (a threshold, not new information); `--search N` then nudges each weight
in turn for N sweeps, keeping what raises that F1.

Sets: `own` is `benchmarks/data/corpus` (`own_days` the same as the shared
harness serves it: dated by the day, teasers cut from the text); `allsides`
is the git-ignored AllSides development set
(`benchmarks/data/external/allsides_dev.jsonl`), used only when present;
`allsides_news` its news roundups, `allsides_apr_may` and `allsides_jun_jul`
its halves in time (fit on one, measure on the other, to see whether the fit
carries to later months). Day-dated sets get ids that order a day's articles
outlet by outlet, as a fetch stores them (`as_served`).
`--measure` scores the fitted params on other sets (leave-one-set-out: fit
on one, measure on the other). The printed tuples go
into `briefing/cluster/params.py` as `event_model` and `story_model`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import CorpusArticle, all_articles, load_corpus
from benchmarks.corpus_jsonl import read_jsonl, to_line
from benchmarks.eval_cluster import article_vectors, name_idf, run_batch, scores
from briefing.cluster.grouping import (
    FEATURES,
    ROWS,
    VIEWS,
    in_window,
    link_features,
    outlet_rows,
    scaled,
)
from briefing.cluster.novelty import Seen
from briefing.cluster.params import DEFAULT, Params
from briefing.cluster.rules import event_rule, story_rule
from briefing.cluster.vectors import source_of

EXTERNAL = Path(__file__).resolve().parent / "data" / "external"
MONTHS = {"allsides_apr_may": (4, 5), "allsides_jun_jul": (6, 7)}
BIAS_SHIFTS = np.round(np.arange(-2.0, 2.01, 0.25), 2)


def load_set(name: str) -> list[CorpusArticle]:
    if name == "own":
        return all_articles(load_corpus())
    if name == "own_days":
        # as the harness serves it: dated by the day only, the teaser cut from the text
        lines = [json.dumps(to_line(a)) for a in all_articles(load_corpus())]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "own.jsonl"
            path.write_text("\n".join(lines), encoding="utf-8")
            return as_served(read_jsonl(path))
    if name == "allsides":
        return as_served(read_jsonl(EXTERNAL / "allsides_dev.jsonl"))
    if name == "allsides_news":
        return as_served(read_jsonl(EXTERNAL / "allsides_dev_news.jsonl"))
    if name in MONTHS:
        # a time split of the dev set, to estimate how the fit carries to later months
        every = read_jsonl(EXTERNAL / "allsides_dev.jsonl")
        return as_served([a for a in every if a.published.month in MONTHS[name]])
    raise SystemExit(f"unknown set {name!r}")


def as_served(articles: list[CorpusArticle]) -> list[CorpusArticle]:
    """Ids that order a day's articles feed by feed, as a fetch stores them.

    Articles dated by the day tie on time and are grouped in id order. The
    AllSides ids put an event's reports side by side (as6112-left, -center,
    -right), an order no fetch gives, and that flatters the grouping by about
    0.01 F1; the harness fetches one feed per outlet.
    """
    return [replace(a, id=f"{slug(a.outlet)}|{a.id}") for a in articles]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "outlet"


def online_pairs(
    items: list[sp.csr_matrix],
    times: np.ndarray,
    labels: list[str],
    rule,
    outlets: sp.csr_matrix | None = None,
    seen: Seen | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each item against every gold group formed so far (in the window), in time order.

    `outlets` (the items' `outlet_rows`) are counted per group as the grouping counts them;
    with `seen`, items are compared by their known part, as the story grouping compares them.
    """
    order = np.argsort(times, kind="stable")
    n_features = items[0].shape[1]
    sums: dict[str, list[sp.csr_matrix]] = {}
    head: dict[str, list[float]] = {}
    feats, ys = [], []
    for i in order:
        row = [x[i] for x in items]
        novel = None if seen is None else seen.shares(row, times[i : i + 1])
        keys = list(sums)
        if keys:
            header = np.array([head[k] for k in keys])
            groups = [sp.vstack([sums[k][r] for k in keys]).tocsr() for r in range(ROWS + 1)]
            t = np.array([times[i]])
            ok = in_window(rule, header, t)[0]
            if ok.any():
                own = outlets[i] if outlets is not None else None
                f, _ = link_features(groups, header, row, t, own, novel)
                feats.append(f[ok])
                ys.append(np.array([k == labels[i] for k in keys])[ok])
        if seen is not None:
            seen.record(row, times[i : i + 1])
        label = labels[i]
        if label not in sums:
            sums[label] = [
                sp.csr_matrix((1, n_features), dtype=np.float32) for _ in range(ROWS + 1)
            ]
            head[label] = [times[i], times[i], 0]
        # the view sums, then the latest member's views, as the grouping keeps them
        added = [(s + r).tocsr() for s, r in zip(sums[label][:VIEWS], row, strict=True)]
        counted = sums[label][ROWS]
        if outlets is not None:
            counted = (counted + outlets[i]).tocsr()
        sums[label] = added + [sp.csr_matrix(r) for r in row] + [counted]
        h = head[label]
        head[label] = [min(h[0], times[i]), max(h[1], times[i]), h[2] + 1]
    if not feats:
        return np.zeros((0, len(FEATURES))), np.zeros(0, dtype=bool)
    return np.vstack(feats), np.concatenate(ys)


def event_pairs(articles: list[CorpusArticle], params: Params) -> tuple[np.ndarray, np.ndarray]:
    originals = [a for a in articles if not a.duplicate_of]
    xs = article_vectors(originals, params)
    times = np.array([a.published.timestamp() for a in originals])
    outlets = outlet_rows([source_of(a.outlet, a.url) for a in originals], params.n_features)
    labels = [a.event_id for a in originals]
    return online_pairs(xs, times, labels, event_rule(params), outlets)


def story_pairs(articles: list[CorpusArticle], params: Params) -> tuple[np.ndarray, np.ndarray]:
    """Gold events as points (normalized centroids of their articles) joining gold stories."""
    originals = [a for a in articles if not a.duplicate_of]
    xs = article_vectors(originals, params)
    members: dict[str, list[int]] = defaultdict(list)
    for n, a in enumerate(originals):
        members[a.event_id].append(n)
    events = sorted(members, key=lambda e: min(originals[n].published for n in members[e]))
    indicator = sp.csr_matrix(
        (
            np.ones(len(originals), dtype=np.float32),
            (
                [events.index(a.event_id) for a in originals],
                np.arange(len(originals)),
            ),
        ),
        shape=(len(events), len(originals)),
    )
    sums = [indicator @ x for x in xs]
    # as `rules.event_profile`: the names weigh their IDF twice
    sums[1] = scaled(sp.csr_matrix(sums[1]), name_idf(originals, params))
    profile = [sp.csr_matrix(normalize(x, norm="l2")) for x in sums]
    times = np.array([min(originals[n].published for n in members[e]).timestamp() for e in events])
    story_of = {a.event_id: a.story_id for a in originals}
    labels = [story_of[e] for e in events]
    seen = Seen(params.n_features, VIEWS)
    return online_pairs(profile, times, labels, story_rule(params), seen=seen)


def fit(
    sets: dict[str, tuple[np.ndarray, np.ndarray]], weight: dict[str, float]
) -> tuple[float, ...] | None:
    """Fitted weights, or None when the pairs are all of one class (nothing to learn)."""
    xs, ys, ws = [], [], []
    for name, (x, y) in sets.items():
        if not len(y):
            continue
        xs.append(x)
        ys.append(y)
        ws.append(np.full(len(y), weight.get(name, 1.0) / len(y)))
    x, y, w = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
    if y.all() or not y.any():
        return None
    model = LogisticRegression(C=10.0, max_iter=2000)
    model.fit(x[:, 1:], y, sample_weight=w * len(y))
    return (float(model.intercept_[0]), *(float(c) for c in model.coef_[0]))


def shifted(weights: tuple[float, ...], shift: float) -> tuple[float, ...]:
    return (round(weights[0] + shift, 3), *(round(v, 3) for v in weights[1:]))


def f1s(params: Params, articles: list[CorpusArticle]) -> tuple[float, float]:
    dup, event_of, story_of = run_batch(articles, params)
    figures = scores(articles, dup, event_of, story_of)
    return figures["events"][2], figures["stories"][2]


def tune_bias(
    params: Params,
    field: str,
    weights: tuple[float, ...],
    data: dict[str, list[CorpusArticle]],
    weight: dict[str, float],
) -> tuple[float, ...]:
    """The intercept shift that gives the best weighted mean F1 of its level over the sets."""
    level = 0 if field == "event_model" else 1
    best, best_f1 = shifted(weights, 0.0), -1.0
    total = sum(weight.get(n, 1.0) for n in data)
    for shift in BIAS_SHIFTS:
        candidate = shifted(weights, float(shift))
        trial = replace(params, **{field: candidate})
        f1 = sum(weight.get(n, 1.0) * f1s(trial, a)[level] for n, a in data.items()) / total
        if f1 > best_f1 + 1e-6:
            best, best_f1 = candidate, f1
    print(f"  {field}: best mean F1 on the fitting sets {best_f1:.3f}")
    return best


def mean_f1(
    params: Params, level: int, data: dict[str, list[CorpusArticle]], weight: dict[str, float]
) -> float:
    total = sum(weight.get(n, 1.0) for n in data)
    return sum(weight.get(n, 1.0) * f1s(params, a)[level] for n, a in data.items()) / total


def search(
    params: Params,
    field: str,
    data: dict[str, list[CorpusArticle]],
    weight: dict[str, float],
    sweeps: int,
) -> Params:
    """Coordinate search of one model's weights on the real clustering's B-cubed F1.

    The logistic fit scores pairs one at a time; the clustering decides in
    sequence, and one wrong join costs a whole group. Nudging each weight in
    turn and keeping what raises the F1 of the level over the fitting sets
    aligns the weights with what is measured. Few steps, coarse moves: the
    sets are small, so this is kept from fitting their noise.
    """
    level = 0 if field == "event_model" else 1
    best = mean_f1(params, level, data, weight)
    for sweep in range(sweeps):
        improved = False
        for i, name in enumerate(FEATURES):
            w = list(getattr(params, field))
            step = max(0.5, 0.3 * abs(w[i]))
            for value in (w[i] - step, w[i] + step):
                trial_w = tuple(round(v, 3) for v in (*w[:i], value, *w[i + 1 :]))
                trial = replace(params, **{field: trial_w})
                f1 = mean_f1(trial, level, data, weight)
                if f1 > best + 1e-4:
                    params, best, improved = trial, f1, True
                    print(f"  {field} sweep {sweep}: {name} -> {value:.3f}: F1 {best:.4f}")
                    break
        if not improved:
            break
    return params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", default="own,own_days,allsides", help="sets to fit on")
    parser.add_argument("--measure", default="", help="sets to measure the fitted params on")
    parser.add_argument(
        "--story-weight",
        default="own=3,own_days=3",
        help="how much each set counts for the story model (own corpus: the product's domain)",
    )
    parser.add_argument(
        "--event-weight",
        default="",
        help="how much each set counts for the event model (allsides=2: own is in twice)",
    )
    parser.add_argument(
        "--search", type=int, default=0, help="sweeps of B-cubed coordinate search after the fit"
    )
    parser.add_argument(
        "--levels", default="events,stories", help="models to fit (the others stay as shipped)"
    )
    args = parser.parse_args(argv)
    names = [n for n in args.fit.split(",") if n]
    data = {n: load_set(n) for n in names}
    story_weight = {
        k: float(v) for k, v in (kv.split("=") for kv in args.story_weight.split(",") if kv)
    }
    event_weight = {
        k: float(v) for k, v in (kv.split("=") for kv in args.event_weight.split(",") if kv)
    }
    params = DEFAULT
    levels = set(args.levels.split(","))
    ev = None
    if "events" in levels:
        ev = fit({n: event_pairs(a, params) for n, a in data.items()}, event_weight)
    if ev is not None:
        params = replace(
            params, event_model=tune_bias(params, "event_model", ev, data, event_weight)
        )
        params = search(params, "event_model", data, event_weight, args.search)
    st = None
    if "stories" in levels:
        st = fit({n: story_pairs(a, params) for n, a in data.items()}, story_weight)
    if st is None and "stories" in levels:  # e.g. AllSides alone: every storyline is one event
        print("  story_model: no joined pairs to learn from; the shipped one is kept")
    elif st is not None:
        params = replace(
            params, story_model=tune_bias(params, "story_model", st, data, story_weight)
        )
        params = search(params, "story_model", data, story_weight, args.search)
    print("fitted on", ", ".join(names))
    print(f"    event_model: tuple[float, ...] = {params.event_model}")
    print(f"    story_model: tuple[float, ...] = {params.story_model}")
    for name in [n for n in args.measure.split(",") if n]:
        e, s = f1s(params, load_set(name))
        print(f"measured on {name}: events F1 {e:.3f}  stories F1 {s:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
