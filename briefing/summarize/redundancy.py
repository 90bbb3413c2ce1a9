"""Maximal marginal relevance: sentences that matter and do not repeat each other.

A summary picked by score alone takes the two outlets' versions of the same
fact, because both are central. MMR (Carbonell and Goldstein, 1998) picks
greedily by `lam * relevance - (1 - lam) * similarity to what is already
chosen`, so a sentence that half-repeats an earlier pick loses to one that
adds something. A pick that plainly says the same thing (`candidates.redundant`)
is never taken, whatever its score.
"""

from __future__ import annotations

from collections.abc import Sequence

from briefing.summarize.candidates import redundant

# Weight of relevance against novelty: the usual middle. On the labeled corpus
# it costs under 0.005 ROUGE against pure ranking (1.0), and it halves the
# demo's event summaries that hold a rewording of their own sentence
# (`benchmarks/eval_redundancy.py`, which also shows 0.7 and 0.6).
LAMBDA = 0.5


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of two sentences' content stems (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def mmr(
    scores: Sequence[float],
    stems: Sequence[frozenset[str]],
    count: int,
    lam: float | None = None,
) -> list[int]:
    """Indexes of up to `count` items, in the order MMR picks them.

    `lam` defaults to LAMBDA (read at call time, so an evaluation can vary it).
    Ties go to the lower index, so callers pass items in their preferred order.
    """
    lam = LAMBDA if lam is None else lam
    if count <= 0 or not scores:
        return []
    low, high = min(scores), max(scores)
    span = (high - low) or 1.0
    relevance = [(s - low) / span for s in scores]
    chosen: list[int] = []
    left = [i for i in range(len(scores))]
    while left and len(chosen) < count:
        best, best_value = -1, float("-inf")
        for i in left:
            if any(redundant(stems[i], stems[j]) for j in chosen):
                continue
            penalty = max((similarity(stems[i], stems[j]) for j in chosen), default=0.0)
            value = lam * relevance[i] - (1 - lam) * penalty
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        left.remove(best)
    return chosen
