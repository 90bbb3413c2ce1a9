"""MMR: summaries take sentences that add something, not a second outlet's version."""

from __future__ import annotations

from datetime import UTC, datetime

from briefing.summarize import candidates, core, redundancy, text
from briefing.summarize.candidates import Source


def stems(sentence: str) -> frozenset[str]:
    return text.content_stems(sentence)


def test_a_half_repeat_loses_to_a_new_fact() -> None:
    sentences = [
        "The regulator fined the telecom carrier ten million dollars over the data breach.",
        "The carrier's breach fine follows complaints from customers about slow letters.",
        "Two senators asked the agency to publish its inspection reports within a month.",
        "Shares were flat.",
    ]
    found = [stems(s) for s in sentences]
    # Not a plain repeat (that was always skipped), only a partial one.
    assert not candidates.redundant(found[0], found[1])
    assert redundancy.similarity(found[0], found[1]) > 0.15
    # By score alone the second would come next; MMR takes the new fact.
    assert redundancy.mmr([1.0, 0.9, 0.88, 0.1], found, 2) == [0, 2]
    assert redundancy.mmr([1.0, 0.9, 0.88, 0.1], found, 2, lam=1.0) == [0, 1]


def test_relevance_wins_when_nothing_repeats() -> None:
    sentences = [
        "Lawmakers introduced a bill on ransomware reporting for hospitals.",
        "The agency opened a consultation on cloud security labels.",
        "Prosecutors charged two people over a crypto exchange theft.",
    ]
    assert redundancy.mmr([0.2, 0.9, 0.5], [stems(s) for s in sentences], 3) == [1, 2, 0]


def test_edge_cases() -> None:
    assert redundancy.mmr([], [], 3) == []
    assert redundancy.mmr([1.0], [frozenset()], 0) == []
    assert redundancy.mmr([1.0, 1.0], [frozenset(), frozenset()], 5) == [0, 1]
    assert redundancy.similarity(frozenset({"a"}), frozenset()) == 0.0


def test_event_summary_does_not_say_it_twice() -> None:
    def source(n: int, body: str, outlet: str) -> Source:
        when = datetime(2024, 6, 20, 9 + n, tzinfo=UTC)
        return Source(body, f"Report {n}", n + 1, outlet, when)

    first = (
        "The regulator fined the telecom carrier ten million dollars over the data breach.\n"
        "The carrier must also hire an outside auditor for three years.\n"
        "Customers whose records leaked will be offered two years of credit monitoring.\n"
    )
    second = (
        "The telecom carrier was fined ten million dollars by the regulator over its breach.\n"
        "Consumer groups said the penalty was too small for a company of its size.\n"
        "The carrier said it had already replaced the system that attackers reached.\n"
    )
    summary = core.summarize_event([source(0, first, "A"), source(1, second, "B")])
    said = [s.text for s in summary]
    assert len(said) == 3
    fined = [s for s in said if "fined" in s]
    assert len(fined) == 1, said
