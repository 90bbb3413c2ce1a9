"""The ranking layer: sumy's algorithms on our offline documents."""

from __future__ import annotations

import time

import numpy
from sumy.models.dom import ObjectDocumentModel, Paragraph
from sumy.models.dom import Sentence as SumySentence
from sumy.summarizers.lex_rank import LexRankSummarizer

from briefing.summarize import lexrank, rank, text
from briefing.summarize.candidates import Candidate, candidates
from tests.summarize.pages import kaspersky_sources


def _ratings(summarizer: LexRankSummarizer, sentences: list[str]) -> list[float]:
    tokenizer = text.OfflineTokenizer()
    document = ObjectDocumentModel([Paragraph([SumySentence(s, tokenizer)]) for s in sentences])
    summarizer.stop_words = text.stop_words()
    ratings = [0.0] * len(sentences)

    def capture(infos):
        for info in infos:
            ratings[info.order] = info.rating
        return infos

    summarizer(document, capture)
    return ratings


def test_lexrank_gives_the_same_ratings_as_sumy():
    pool = candidates(kaspersky_sources(), None)
    sentences = [c.text for c in pool]
    assert len(sentences) >= 10
    ours = lexrank.ratings([c.terms for c in pool])
    theirs = _ratings(LexRankSummarizer(text.stem), sentences)
    assert numpy.allclose(ours, theirs)
    # ... and the candidates' stems are the words sumy's summarizer rates.
    assert all(c.terms == text.content_terms(c.text) for c in pool)


def test_stems_are_those_of_nltks_snowball_stemmer_that_sumy_used():
    from sumy.nlp.stemmers import Stemmer

    nltk_stem = Stemmer("english")
    words = {w.lower() for s in kaspersky_sources() for w in text.words(s.text)}
    # curly apostrophes, possessives, short words and the stemmer's exceptions
    words |= {"agency’s", "we’re", "o’leary", "’s", "is", "us", "news", "skies", "dying"}
    words |= {"generously", "sanctioned", "hacking", "ransomware", "breaches", "agreed"}
    assert len(words) > 200
    assert {w: text.stem(w) for w in words} == {w: nltk_stem(w) for w in words}


def test_the_default_summarizer_imports_neither_sumy_nor_nltk():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from briefing.summarize import core, stage\n"
        "from tests.summarize.pages import kaspersky_sources\n"
        "assert core.summarize_event(kaspersky_sources())\n"
        # (the bare `sumy` package is imported to find its stop-word file)
        "print(sorted(m for m in sys.modules if m.startswith(('sumy.', 'nltk', 'scipy'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_algorithm_ranks_every_candidate():
    pool = candidates(kaspersky_sources(), None)
    for algorithm in rank.ALGORITHMS:
        scores = rank.centrality(pool, algorithm)
        assert len(scores) == len(pool)
        assert all(0.0 <= s <= 1.0 for s in scores)
        if algorithm != "lead":
            assert max(scores) == 1.0 and min(scores) == 0.0


def test_offline_tokenizer_words_and_sentences():
    tokenizer = text.OfflineTokenizer()
    assert tokenizer.language == "english"
    assert tokenizer.to_words("The U.S. zero-day, patched in 5.4, wasn't used.") == (
        "The",
        "U.S",
        "zero-day",
        "patched",
        "in",
        "5.4",
        "wasn't",
        "used",
    )
    assert tokenizer.to_sentences(
        "Sen. Jeanne Shaheen wrote the provision. It passed in Dec. 2017 with wide support."
    ) == (
        "Sen. Jeanne Shaheen wrote the provision.",
        "It passed in Dec. 2017 with wide support.",
    )
    assert text.stem("sanctions") == text.stem("sanctioned") == "sanction"


def test_a_huge_paragraph_is_segmented_in_linear_time():
    paragraph = " ".join(
        f"Report {i} said the U.S. agency acted on Monday after Mr. Roe's warning."
        for i in range(1500)
    )
    assert len(paragraph) > 100_000
    started = time.perf_counter()
    found = text.sentences(paragraph)
    assert time.perf_counter() - started < 5  # unchunked pysbd takes minutes here
    assert len(found) == 1500
    assert found[7] == "Report 7 said the U.S. agency acted on Monday after Mr. Roe's warning."


def test_lexrank_ranks_sentences_whose_words_all_have_zero_idf() -> None:
    # Two sentences: every word is in one of the two, so each has idf log(2/2) = 0
    # and a zero vector; sumy's power method used to divide by that zero norm.
    candidates = [
        Candidate("Regulators fined the carrier over the breach.", 0, 0, frozenset()),
        Candidate("Lawmakers asked the agency for a briefing.", 1, 0, frozenset()),
    ]
    scores = rank.centrality(candidates, "lexrank")
    assert sorted(scores) == [0.0, 1.0]
