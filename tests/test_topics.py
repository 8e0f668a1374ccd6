"""Tests for trilat_lib.topics: measures on hand-checked toy data, the model API, determinism,
degenerate input, auto-k, and a small BBC subset when the shared data is present."""
from __future__ import annotations

import csv
import math
import random

import numpy as np
import pytest

from trilat_lib.errors import ParameterError
from trilat_lib.topics import (
    TopicModel,
    make_passages,
    npmi_coherence,
    npmi_per_topic,
    topic_diversity,
    topic_similarity,
)

# --------------------------------------------------------------------------- measures


def test_npmi_document_cooccurrence_by_hand():
    ref = [["a", "b", "c"], ["a", "b"], ["a", "d"], ["c", "d"]]
    # window="document": N = 4 texts; n_a = 3, n_b = 2, n_ab = 2
    # p_ab = 2/4, p_a = 3/4, p_b = 2/4
    # NPMI(a,b) = ln(0.5 / (0.75*0.5)) / -ln(0.5) = ln(4/3) / ln 2 = 0.287682 / 0.693147 = 0.415037
    assert npmi_per_topic([["a", "b"]], ref, window="document")[0] == pytest.approx(0.415037, abs=1e-6)
    # b and d never co-occur: n_bd = 0, p_b = p_d = 2/4, so with gensim's eps = 1e-12
    # NPMI = ln(1e-12 / 0.25) / -ln(1e-12) = (ln 4 - 27.631021) / 27.631021 = -0.949828
    assert npmi_per_topic([["b", "d"]], ref, window="document")[0] == pytest.approx(-0.949828, abs=1e-6)
    # mean over topics
    assert npmi_coherence([["a", "b"], ["b", "d"]], ref, window="document") == pytest.approx(
        (0.415037 - 0.949828) / 2, abs=1e-6
    )
    # a topic of three words averages its three pairs: (a,b), (a,c), (b,c)
    # n_c = 2, n_ac = 1, n_bc = 1: NPMI(a,c) = ln(0.25/(0.75*0.5)) / ln 4 = ln(2/3)/ln 4 = -0.292481
    # NPMI(b,c) = ln(0.25/(0.5*0.5)) / ln 4 = 0
    expected = (0.415037 - 0.292481 + 0.0) / 3
    assert npmi_per_topic([["a", "b", "c"]], ref, top_n=3, window="document")[0] == pytest.approx(expected, abs=1e-6)


def test_npmi_sliding_window_by_hand():
    ref = [["a", "b", "x", "a", "c"]]
    # window 2 -> windows [a,b] [b,x] [x,a] [a,c]: N = 4, n_a = 3, n_b = 2, n_ab = 1
    # NPMI = ln(0.25 / (0.75*0.5)) / -ln(0.25) = ln(2/3) / ln 4 = -0.405465 / 1.386294 = -0.292481
    assert npmi_per_topic([["a", "b"]], ref, window=2)[0] == pytest.approx(-0.292481, abs=1e-6)
    # a text shorter than the window is one window: N = 2, n_a = n_b = n_ab = 1
    # NPMI = ln(0.5 / (0.5*0.5)) / -ln(0.5) = 1 (perfect association)
    assert npmi_per_topic([["a", "b"]], [["a", "b"], ["c", "d", "e"]], window=10)[0] == pytest.approx(1.0)


def test_npmi_reproduces_gensim_window_update():
    # gensim's sliding window drops the token that left the window even when it occurs again
    # inside it: [a,b,a] then [b,a,c] -> the second window counts {b, c} only. So n_a = 1,
    # n_c = 1, n_ac = 0, N = 2: NPMI(a,c) = ln(1e-12 / 0.25) / -ln(1e-12) = -0.949828
    # (cross-checked against gensim 4.4 CoherenceModel(coherence="c_npmi")).
    assert npmi_per_topic([["a", "c"]], [["a", "b", "a", "c"]], window=3)[0] == pytest.approx(-0.949828, abs=1e-6)


def test_npmi_errors():
    with pytest.raises(ParameterError, match="window"):
        npmi_coherence([["a", "b"]], [["a", "b"]], window=1)
    with pytest.raises(ParameterError, match="reference"):
        npmi_coherence([["a", "b"]], "a b")
    with pytest.raises(ParameterError, match="topics"):
        npmi_coherence([], [["a"]])


def _slide_every_window(topics, reference, window):
    """Window counts by visiting every window, as gensim's accumulator does."""
    words = sorted({w for t in topics for w in t})
    index = {w: i for i, w in enumerate(words)}
    co, n_windows = np.zeros((len(words), len(words))), 0
    for toks in reference:
        ids = [index.get(w, -1) for w in toks]
        if window == "document" or len(ids) <= window:
            states = [{i for i in ids if i >= 0}]
        else:
            states = [{i for i in ids[:window] if i >= 0}]
            for t in range(1, len(ids) - window + 1):
                state = set(states[-1])
                state.discard(ids[t - 1])
                if ids[t + window - 1] >= 0:
                    state.add(ids[t + window - 1])
                states.append(state)
        for state in states:
            for i in state:
                for j in state:
                    co[i, j] += 1
        n_windows += len(states)
    return index, co, n_windows


def test_window_counts_equal_visiting_every_window():
    from trilat_lib.topics import _window_presence

    rng = random.Random(0)
    vocab = list("abcdefghij")
    for _ in range(200):
        ref = [[rng.choice(vocab) for _ in range(rng.randrange(0, 30))] for _ in range(rng.randrange(0, 8))]
        topics = [rng.sample(vocab, rng.randrange(1, 5)) for _ in range(rng.randrange(1, 4))] + [["zz", "a"]]
        for window in (2, 3, 4, 10, "document"):
            index, co, n = _window_presence(topics, ref, window)
            want = _slide_every_window(topics, ref, window)
            assert index == want[0] and n == want[2] and np.array_equal(co, want[1]), (ref, topics, window)


def test_diversity_and_similarity():
    assert topic_diversity([["a", "b"], ["b", "c"]], top_n=2) == pytest.approx(3 / 4)
    assert topic_diversity([["a", "b"], ["c", "d"]], top_n=2) == 1.0
    a = [["a", "b", "c"], ["x", "y", "z"]]
    assert topic_similarity(a, a[::-1]) == 1.0  # order of topics does not matter
    assert topic_similarity(a, [["p", "q"], ["r", "s"]]) == 0.0
    # one topic identical, the other shares 1 of 5 distinct words: (1 + 1/5) / 2
    assert topic_similarity(a, [["a", "b", "c"], ["x", "q", "r"]]) == pytest.approx(0.6)


# --------------------------------------------------------------------------- model on the seeds


@pytest.fixture(scope="module")
def seed_model(seed_corpus):
    return TopicModel(n_topics=4, random_state=0, phrases=True).fit(seed_corpus)  # as notebook 02


def test_model_api(seed_model, seed_corpus):
    m = seed_model
    assert m.n_topics_ == 4
    tops = m.top_terms(10)
    assert len(tops) == 4 and all(len(t) == 10 for t in tops)
    assert np.allclose(m.components_.sum(axis=1), 1)
    assert m.components_.shape == (4, len(m.vocabulary_))
    w = m.transform(seed_corpus)
    assert w.shape == (len(seed_corpus), 4)
    assert np.allclose(w.sum(axis=1), 1)
    # transform of the training corpus equals the fitted document weights
    # (NMF's transform re-solves the weights iteratively, so equal up to solver tolerance)
    assert np.allclose(w, m.document_topics_.loc[seed_corpus.doc_ids].to_numpy(), atol=1e-3)
    assert set(m.topics_.columns) >= {"label", "top_terms", "share", "coherence_npmi"}
    assert m.topics_["share"].sum() == pytest.approx(1)
    assert -1 <= m.coherence_ <= 1 and 0 < m.diversity_ <= 1
    assert len(m.labels()) == 4 and all(m.labels())


def test_passages_keep_their_source(seed_model, seed_corpus):
    p = seed_model.passages_
    assert {"doc_id", "sentence_id", "sentence_id_end"} <= set(p.columns)
    docs = {d.doc_id: d for d in seed_corpus}
    for row in p.itertuples():
        sents = docs[row.doc_id].sentences
        assert 0 <= row.sentence_id <= row.sentence_id_end < len(sents)
        assert row.text.startswith(sents[row.sentence_id].text)
        assert row.text.endswith(sents[row.sentence_id_end].text)
    reps = seed_model.representative_passages(2)
    assert len(reps) == 8 and {"doc_id", "sentence_id", "text"} <= set(reps.columns)
    table = seed_model.document_table()
    assert {"doc_id", "sentence_id", "topic", "weight"} <= set(table.columns)
    assert seed_model.prevalence("outlet").shape == (len({d.outlet for d in seed_corpus}), 4)


def test_passage_units(seed_corpus):
    doc = seed_corpus[0]
    win = make_passages([doc], unit="sentences", size=3, min_words=0)
    assert (win["sentence_id_end"] - win["sentence_id"] <= 2).all()
    assert win["sentence_id"].tolist() == list(range(0, len(doc.sentences), 3))
    whole = make_passages([doc], unit="document")
    assert len(whole) == 1 and whole["sentence_id_end"].iloc[0] == len(doc.sentences) - 1
    with pytest.raises(ParameterError, match="passage_unit"):
        make_passages([doc], unit="chapter")


def test_phrases_are_single_terms(seed_model):
    vocab = set(seed_model.vocabulary_)
    assert {"north korea", "south korea"} <= vocab
    # stop words and numbers never become terms
    assert not vocab & {"the", "said", "2023"}


def test_deterministic_for_fixed_random_state(seed_corpus):
    for method in ("nmf", "lda"):
        a = TopicModel(n_topics=3, method=method, random_state=7).fit(seed_corpus)
        b = TopicModel(n_topics=3, method=method, random_state=7).fit(seed_corpus)
        assert a.top_terms(10) == b.top_terms(10)
        assert np.array_equal(a.passage_topics_, b.passage_topics_)


# --------------------------------------------------------------------------- bad input

TOY = [
    "Tariffs on semiconductors rose. Exporters in Korea worried about tariffs and semiconductors.",
    "Missile launches alarmed Tokyo. Missile defence radar was upgraded after the launches.",
]


def test_fewer_passages_than_topics():
    with pytest.raises(ParameterError, match="n_topics=5"):
        TopicModel(n_topics=5, min_df=1, max_df=1.0).fit(TOY)


def test_empty_vocabulary_names_the_parameter():
    with pytest.raises(ParameterError, match="min_df"):
        TopicModel(n_topics=2, min_df=10).fit(TOY)
    with pytest.raises(ParameterError, match="stop_words"):
        TopicModel(n_topics=1, min_df=1).fit(["The and of to it was is."])


@pytest.mark.parametrize(
    "params, name",
    [({"method": "bert"}, "method"), ({"n_topics": 0}, "n_topics"), ({"n_topics": "many"}, "n_topics"),
     ({"passage_unit": "page"}, "passage_unit"), ({"n_topics": "auto", "k_candidates": []}, "k_candidates")],
)
def test_bad_parameters(params, name):
    with pytest.raises(ParameterError, match=name):
        TopicModel(**params).fit(TOY)


def test_bad_inputs():
    with pytest.raises(ParameterError, match="texts"):
        TopicModel().fit("one string")
    with pytest.raises(ParameterError, match="texts"):
        TopicModel().fit([])
    with pytest.raises(ParameterError, match="not fitted"):
        TopicModel().top_terms()


# --------------------------------------------------------------------------- auto-k


def test_auto_k_finds_planted_themes():
    themes = [
        "tariff export import semiconductor supply chain factory shipment customs quota".split(),
        "missile launch radar destroyer drill troops deterrence warhead submarine artillery".split(),
        "colonial apology wartime laborer compensation court ruling memorial museum grievance".split(),
    ]
    rng = random.Random(0)
    texts = []
    for i in range(30):
        words = themes[i % 3]
        texts.append("\n\n".join(" ".join(rng.choice(words) for _ in range(25)) + "." for _ in range(2)))
    m = TopicModel(n_topics="auto", k_candidates=[2, 3, 4, 5], max_df=0.9, random_state=0).fit(texts)
    sel = m.k_selection_
    assert list(sel["k"]) == [2, 3, 4, 5] and sel["chosen"].sum() == 1
    assert {"coherence", "diversity", "stability"} <= set(sel.columns)
    assert m.n_topics_ == 3
    found = [set(t) for t in m.top_terms(10)]
    assert all(any(f <= set(th) for f in found) for th in themes)  # each theme recovered purely


def test_auto_k_on_a_sample_of_a_large_corpus():
    """Beyond selection_max_passages, k is chosen on a seeded sample; the model uses every passage."""
    themes = [
        "tariff export import semiconductor supply chain factory shipment customs quota".split(),
        "missile launch radar destroyer drill troops deterrence warhead submarine artillery".split(),
        "colonial apology wartime laborer compensation court ruling memorial museum grievance".split(),
    ]
    rng = random.Random(1)
    texts = ["\n\n".join(" ".join(rng.choice(themes[i % 3]) for _ in range(25)) + "." for _ in range(2))
             for i in range(150)]
    kw = dict(n_topics="auto", k_candidates=[2, 3, 4], max_df=0.9, random_state=0)
    m = TopicModel(selection_max_passages=100, **kw).fit(texts)
    assert set(m.k_selection_["passages"]) == {100} and m.n_topics_ == 3
    assert len(m.passage_topics_) == 300
    again = TopicModel(selection_max_passages=100, **kw).fit(texts)
    assert again.k_selection_.equals(m.k_selection_)
    full = TopicModel(selection_max_passages=None, **kw).fit(texts)
    assert set(full.k_selection_["passages"]) == {300}
    with pytest.raises(ParameterError, match="selection_max_passages"):
        TopicModel(selection_max_passages=5).fit(texts)


def test_auto_k_reuses_its_fits_and_window_counts():
    """Under the cap the final model is the selection's fit at the chosen k, and every coherence
    (one window count for all k) is what npmi_coherence gives for that k alone."""
    themes = [
        "tariff export import semiconductor supply chain factory shipment customs quota".split(),
        "missile launch radar destroyer drill troops deterrence warhead submarine artillery".split(),
    ]
    rng = random.Random(2)
    texts = ["\n\n".join(" ".join(rng.choice(themes[i % 2] + themes[(i // 2) % 2]) for _ in range(20)) + "."
                           for _ in range(2)) for i in range(40)]
    kw = dict(max_df=0.9, random_state=0)
    m = TopicModel(n_topics="auto", k_candidates=[2, 3, 4], **kw).fit(texts)
    for k, coherence in zip(m.k_selection_["k"], m.k_selection_["coherence"]):
        alone = TopicModel(n_topics=int(k), **kw).fit(texts)
        assert coherence == npmi_coherence(alone._top(alone._estimator_.components_, 10), alone._token_lists)
        if k == m.n_topics_:
            assert np.array_equal(m.components_, alone.components_)
            assert np.array_equal(m.passage_topics_, alone.passage_topics_)
            assert m.coherence_per_topic_.tolist() == alone.coherence_per_topic_.tolist()
    assert m.coherence_per_topic_.tolist() == npmi_per_topic(m.top_terms(10), m._token_lists).tolist()


def test_analyzer_terms_are_text_tokens_filtered():
    from trilat_lib import text as _text
    from trilat_lib.topics import _Analyzer

    doc = ("U.S.-Japan ties’s strength: $3,000 in the 1990s; 84-year-old’s D.C. visit, İstanbul naïve —\n"
           "“quoted” 5G! Don't, won’t. Sanctions and sanction; supply chains, supply chain.")
    for stop, numbers, min_len in ((_text.stopwords(), False, 2), (frozenset(), True, 1), (_text.stopwords(), True, 4)):
        a = _Analyzer(stop, numbers, min_len, None, False, 3, 0.5, False)
        want: list = []
        for w in _text.tokens(doc, lower=True, keep_punct=True, keep_numbers=True):
            if (w in stop or not any(c.isalpha() for c in w) or (not numbers and w.lstrip("$")[:1].isdigit())
                    or len(w) < min_len):
                if want and want[-1] is not None:
                    want.append(None)
            else:
                want.append(w)
        assert a._raw(doc) == want and a._raw(doc) == want  # the second time from the memo


def test_auto_k_too_few_passages():
    with pytest.raises(ParameterError, match="k_candidates"):
        TopicModel(n_topics="auto", k_candidates=[5, 6], min_df=1, max_df=1.0).fit(TOY)


# --------------------------------------------------------------------------- BBC subset


def test_bbc_subset_recovers_categories(shared_data):
    from sklearn.metrics import normalized_mutual_info_score

    path = shared_data / "bbc" / "bbc-news.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    per_cat: dict[str, list[str]] = {}
    for r in rows:
        per_cat.setdefault(r["category"], []).append(r["text"])
    texts, labels = [], []
    for cat, items in sorted(per_cat.items()):
        texts += items[:40]
        labels += [cat] * len(items[:40])
    m = TopicModel(n_topics=5, passage_unit="document", random_state=0).fit(texts)
    dominant = m.document_topics_.to_numpy().argmax(axis=1)
    assert normalized_mutual_info_score(labels, dominant) > 0.6
    assert m.coherence_ > 0.05 and not math.isnan(m.coherence_)


# --------------------------------------------------------------------------- vocabulary rules


def test_plural_folding_folds_only_true_plurals():
    from trilat_lib.topics import plural_map, plural_singular

    vocab = {"doe", "goe", "go", "do", "physic", "new", "good", "arm", "busines", "statu", "crisi", "variou",
             "sanction", "policy", "tax", "church", "movie", "country", "shoe", "hero", "life", "move", "toe",
             "to", "window", "state", "time"}
    # verbs, pluralia tantum and singular nouns in -s are never folded
    for word in ("does", "goes", "has", "was", "physics", "politics", "news", "series", "species", "goods",
                 "arms", "business", "status", "crisis", "various"):
        assert plural_singular(word, vocab) is None, word
    want = {"sanctions": "sanction", "policies": "policy", "taxes": "tax", "churches": "church",
            "movies": "movie", "countries": "country", "shoes": "shoe", "heroes": "hero", "lives": "life",
            "moves": "move", "toes": "toe", "states": "state"}
    for word, singular in want.items():
        assert plural_singular(word, vocab) == singular, word
    assert plural_singular("missiles", vocab) is None  # the singular must occur too
    # a plural written with a capital most of the time is a name ("Windows", "Times"), not a plural
    words = {"windows", "window", "times", "time", "states", "state"}
    assert plural_map(words, capitalised={"windows": 0.9, "times": 0.8, "states": 0.1}) == {"states": "state"}


def test_plural_folding_in_the_model():
    texts = [
        "Microsoft Windows needs a patch. Windows users should update Windows now.",
        "Microsoft Windows security flaws worry users. The window of the office was open.",
        "He does what he says. The news goes on. Does she know? Doe and Goe are names here.",
        "Physics students and a physic garden. Sanctions on exports; a sanction on imports.",
    ] * 2
    m = TopicModel(n_topics=2, min_df=1, max_df=1.0, fold_plurals=True, passage_unit="document").fit(texts)
    pm = m._analyzer.plural_map_
    assert pm.get("sanctions") == "sanction"
    for word in ("windows", "does", "goes", "physics", "news"):
        assert word not in pm, (word, pm.get(word))
    vocab = set(m.vocabulary_)
    assert "windows" in vocab and "sanction" in vocab and "sanctions" not in vocab


def test_extra_stop_words_remove_phrases_and_their_words():
    texts = [
        "The United States and Japan signed a deal. The United States' tariffs on Japan worried Seoul.",
        "Officials in the United-States met Korea. United Nations envoys watched the states of play.",
        "Korea and the United States held drills; Japan watched. North Korea condemned the drills.",
    ] * 3
    kw = dict(n_topics=2, min_df=1, max_df=1.0, passage_unit="document", random_state=0)
    plain = set(TopicModel(**kw).fit(texts).vocabulary_)
    assert "united states" in plain or {"united", "states"} <= plain
    m = TopicModel(extra_stop_words=["korea", "japan", "United States"], **kw).fit(texts)
    vocab = set(m.vocabulary_)
    assert not vocab & {"united states", "korea", "japan", "north korea"}
    # the phrase's words go where they form the phrase, not elsewhere ("united nations", "states of play")
    assert any("united" in t for t in vocab) and any("states" in t or "state" == t for t in vocab)
    assert not any(t.startswith("states") and "united" in t for t in vocab)
    with pytest.raises(ParameterError, match="extra_stop_words"):
        TopicModel(extra_stop_words="korea").fit(texts)


def test_document_table_points_to_each_topics_best_passage(seed_model):
    table = seed_model.document_table()
    assert {"doc_id", "sentence_id", "passage_id", "topic", "weight"} <= set(table.columns)
    p = seed_model.passage_table()
    for row in table.sample(12, random_state=0).itertuples():
        mine = p[p["doc_id"] == row.doc_id]
        best = mine.loc[mine[f"topic_{row.topic}"].idxmax()]
        assert row.passage_id == best["passage_id"] and row.sentence_id == best["sentence_id"]
    assert table["sentence_id"].nunique() > 1  # a real sentence, not always 0


def test_defaults_are_the_measured_ones():
    """benchmarks/topics_bbc.py (shared reference, --ablate) chose these; change them only with new figures."""
    m = TopicModel()
    assert (m.passage_unit, m.phrases, m.fold_plurals, m.min_df, m.max_df, m.sublinear_tf) == (
        "auto", False, False, 1, 0.5, True)
    few = TopicModel(n_topics=2).fit(TOY * 3)
    assert few.passage_unit_ == "paragraph"
    many = TopicModel(n_topics=2, max_df=1.0).fit([f"Tariffs on chips {i}. Missile drills near Korea." for i in range(500)])
    assert many.passage_unit_ == "document" and len(many.passages_) == 500


def test_topic_figures_keep_labels_whole_and_titles_clear(seed_model):
    """Long document titles are wrapped at word boundaries (never cut mid-word) and the heatmap's
    title does not collide with the colour bar's label; topic-panel titles do not overlap."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from trilat_lib import plots

    plots.use_style()
    long_titles = [f"{d}: Why détente in Japan and South Korea is crucial to Biden's Asian strategy and more"
                   for d in seed_model.document_topics_.index]
    fig = plots.topic_heatmap(seed_model.document_topics_, ["a very long topic label / another one"] * 4,
                              row_labels=long_titles)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax, cax = fig.axes[0], fig.axes[1]
    for tick, full in zip(ax.get_yticklabels(), long_titles):
        shown = tick.get_text().replace("\n", " ").removesuffix(" …")
        assert full.startswith(shown) and (shown == full or full[len(shown)] == " "), tick.get_text()
        assert all(len(line) <= 42 for line in tick.get_text().split("\n"))
    title = fig._suptitle.get_window_extent(renderer)
    assert not title.overlaps(cax.yaxis.label.get_window_extent(renderer))
    assert all(t.get_window_extent(renderer).x0 >= -1 for t in ax.get_yticklabels())  # nothing cut at the left edge
    plt.close(fig)
    fig = plots.topic_term_bars(seed_model.term_weights(8), ["north korea / missile launches / drills"] * 4)
    fig.canvas.draw()
    boxes = [a.title.get_window_extent(fig.canvas.get_renderer()) for a in fig.axes if a.get_title()]
    assert not any(b1.overlaps(b2) for i, b1 in enumerate(boxes) for b2 in boxes[i + 1:])
    plt.close(fig)
