"""trilat_lib.terms: n-grams, frequencies, keyness/TF-IDF, keyword in context, co-occurrence."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from trilat_lib import terms
from trilat_lib.corpus import Corpus, Document
from trilat_lib.errors import ParameterError


def _corpus(*texts: str) -> Corpus:
    return Corpus([Document(doc_id=f"d{i}", raw=t) for i, t in enumerate(texts)])


@pytest.fixture(scope="module")
def small():
    return _corpus(
        "The balance of power shifted. The alliance held, and the alliances grew.\n\n"
        "South Korea and Japan met. South Korea agreed.",
        "Japan and China talked about trade. Trade grew, trade fell, trade grew again.",
        "The United States, Japan and South Korea held a summit. The alliance was praised.",
    )


def test_ngrams_stay_inside_phrases_and_skip_stop_word_edges():
    assert terms.sentence_ngrams("The balance of power shifted, the alliance held.", 3) == ["balance of power"]
    # no n-gram across the comma, none starting/ending with a stop word, no numbers by default
    assert terms.sentence_ngrams("North Korea fired 3 missiles, Japan protested.", 2) == ["north korea", "korea fired", "japan protested"]
    assert terms.sentence_ngrams("The the of and.", 1) == []
    assert terms.sentence_ngrams("In 2023 there were 3 tests.", 1) == ["tests"]
    assert terms.sentence_ngrams("In 2023 there were 3 tests.", 1, keep_numbers=True) == ["2023", "tests"]
    assert terms.sentence_ngrams("Alliances grew.", 1, stem="porter") == ["allianc", "grew"]


def test_ngram_table_and_frequencies(small):
    table = terms.ngram_table(small, (1, 2))
    assert list(table.columns) == ["doc_id", "sentence_id", "n", "term"]
    # a bigram never spans two sentences: "agreed" ends one, nothing joins it to the next doc/sentence
    assert not (table["term"] == "held alliances").any()
    freqs = terms.term_frequencies(table)
    trade = freqs[(freqs["n"] == 1) & (freqs["term"] == "trade")].iloc[0]
    assert trade["count"] == 4 and trade["documents"] == 1 and trade["rank"] == 1
    sk = freqs[(freqs["n"] == 2) & (freqs["term"] == "south korea")].iloc[0]
    assert sk["count"] == 3 and sk["documents"] == 2
    n1 = (table["n"] == 1).sum()
    assert trade["per_10k"] == pytest.approx(round(4 / n1 * 10_000, 1))
    top = terms.term_frequencies(table, top_n=2)
    assert top.groupby("n").size().max() == 2
    with pytest.raises(ParameterError, match="top_n"):
        terms.term_frequencies(table, top_n=0)
    with pytest.raises(ParameterError, match="sizes"):
        terms.ngram_table(small, [0, 9])


def test_log_likelihood_matches_the_textbook_formula():
    # Rayson & Garside: a=10 in 1000 tokens vs b=10 in 10000 tokens
    a, b, c, d = 10, 10, 1000, 10000
    e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
    expected = 2 * (a * math.log(a / e1) + b * math.log(b / e2))
    assert terms.log_likelihood(a, b, c, d) == pytest.approx(expected)
    assert terms.log_likelihood(5, 50, 100, 1000) == pytest.approx(0.0)  # same relative frequency


def test_distinctive_terms_keyness_and_tfidf(small):
    key = terms.distinctive_terms(small, "keyness", top_n=3, min_count=2)
    assert set(key.columns) >= {"doc_id", "rank", "term", "score", "count", "rest_count", "log_ratio", "p_value"}
    d1 = key[key["doc_id"] == "d1"]
    assert d1.iloc[0]["term"] == "trade" and d1.iloc[0]["count"] == 4 and d1.iloc[0]["rest_count"] == 0
    assert (key["count"] >= 2).all() and (key["rank"] <= 3).all()
    # keyness lists only over-used terms
    assert (key["log_ratio"] > 0).all()
    tfidf = terms.distinctive_terms(small, "tfidf", top_n=2, min_count=1)
    assert "p_value" not in tfidf.columns and tfidf.groupby("doc_id").size().max() == 2
    assert tfidf[tfidf["doc_id"] == "d1"].iloc[0]["term"] == "trade"
    with pytest.raises(ParameterError, match="method"):
        terms.distinctive_terms(small, "chi")
    with pytest.raises(ParameterError, match="at least 2 documents"):
        terms.distinctive_terms(_corpus("Trade grew. Trade fell."), "keyness", min_count=1)


def test_nested_ngrams_with_the_same_count_are_not_listed_twice():
    c = _corpus("World War II ended. World War II was long. Peace came.", "Peace talks began. Talks ended.")
    key = terms.distinctive_terms(c, "keyness", top_n=10, sizes=[1, 2, 3], min_count=2)
    d0 = set(key[key["doc_id"] == "d0"]["term"])
    assert "world war ii" in d0 and "world war" not in d0 and "war ii" not in d0


def test_subsumed_only_within_the_same_document_and_count():
    counts = pd.DataFrame({
        "doc_id": ["a", "a", "a", "a", "a", "b", "b"],
        "term": ["world war ii", "world war", "war", "world", "peace", "world war", "world"],
        "n": [3, 2, 1, 1, 1, 2, 1],
        "count": [4, 4, 5, 4, 4, 4, 3],
    })
    kept = terms._drop_subsumed(counts)
    # "world war" and "world" (4, inside "world war ii" 4) go; "war" (5) and "peace" stay; doc b is its own
    assert kept[kept["doc_id"] == "a"]["term"].tolist() == ["world war ii", "war", "peace"]
    assert kept[kept["doc_id"] == "b"]["term"].tolist() == ["world war", "world"]


def test_vectorised_log_likelihood_is_the_scalar_one_exactly():
    import numpy as np

    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 50, 500), rng.integers(0, 5000, 500)
    c, d = rng.integers(0, 2000, 500), rng.integers(0, 200_000, 500)
    scalar = [terms.log_likelihood(*map(int, x)) for x in zip(a, b, c, d)]
    assert terms._log_likelihoods(a, b, c, d).tolist() == scalar


def test_ngrams_of_several_sizes_at_once_match_one_size_at_a_time(small):
    table = terms.ngram_table(small, [1, 2, 3], keep_numbers=True, stem="porter")
    for doc in small:
        for s in doc.sentences:
            got = table[(table["doc_id"] == doc.doc_id) & (table["sentence_id"] == s.sentence_id)]
            expected = [t for n in (1, 2, 3) for t in terms.sentence_ngrams(s.text, n, keep_numbers=True, stem="porter")]
            assert got["term"].tolist() == expected
    assert terms.sentence_ngrams("Japan’s 2023 budget, Korea's plan (U.S. view).", 2) == ["korea plan", "u.s. view"]
    assert terms.sentence_ngrams("Japan’s 2023 budget rose.", 3, keep_numbers=True) == ["japan 2023 budget", "2023 budget rose"]


def test_kwic_offsets_context_and_matching(small):
    exact = terms.kwic(small, "alliance")
    assert list(exact.columns) == ["doc_id", "sentence_id", "start", "end", "left", "keyword", "right", "sentence"]
    assert len(exact) == 2 and set(exact["keyword"]) == {"alliance"}
    stem = terms.kwic(small, "Alliance", match="stem")
    assert sorted(stem["keyword"]) == ["alliance", "alliance", "alliances"]
    for row in stem.itertuples():
        doc = small[row.doc_id]
        assert doc.text[row.start:row.end] == row.keyword
        assert doc.sentences[row.sentence_id].text == row.sentence
    phrase = terms.kwic(small, "south korea")
    assert len(phrase) == 3 and set(phrase["keyword"]) == {"South Korea"}
    first = phrase.iloc[0]
    assert first["right"].startswith("and Japan met.")
    assert len(terms.kwic(small, "korea japan")) == 0  # no match across "and"
    assert len(terms.kwic(small, "allian", match="prefix")) == 3
    with pytest.raises(ParameterError, match="kwic term"):
        terms.kwic(small, "  ")
    with pytest.raises(ParameterError, match="match"):
        terms.kwic(small, "x", match="fuzzy")


def test_cooccurrence_counts_sentences():
    labels = pd.DataFrame({
        "doc_id": ["a", "a", "a", "a", "b", "b"],
        "sentence_id": [0, 0, 0, 1, 0, 0],
        "country": ["JPN", "KOR", "KOR", "USA", "JPN", "KOR"],
    })
    pairs = terms.cooccurrence_pairs(labels, "country")
    assert pairs.values.tolist() == [["a", 0, "JPN", "KOR"], ["b", 0, "JPN", "KOR"]]
    table = terms.cooccurrence_table(labels, "country")
    assert table.iloc[0].tolist() == ["JPN", "KOR", 2, 2]
    mat = terms.cooccurrence_matrix(labels, "country")
    assert mat.loc["KOR", "KOR"] == 2 and mat.loc["JPN", "KOR"] == mat.loc["KOR", "JPN"] == 2
    assert mat.loc["USA", "JPN"] == 0 and mat.loc["USA", "USA"] == 1
    assert "USA" not in terms.cooccurrence_matrix(labels, "country", min_sentences=2).index


def test_seed_corpus_overview(seed_corpus):
    """On the seeds the three allies dominate, and every KWIC hit points at its sentence."""
    freqs = terms.term_frequencies(terms.ngram_table(seed_corpus, 2), top_n=5)
    assert "south korea" in set(freqs["term"])
    hits = terms.kwic(seed_corpus, "alliance", match="stem")
    assert len(hits) >= 3 and hits["doc_id"].nunique() >= 2
    for row in hits.itertuples():
        s = seed_corpus[row.doc_id].sentences[row.sentence_id]
        assert s.start <= row.start < row.end <= s.end
