"""Tests for trilat_lib.sentiment: target dependence, roles, negation/contrast, robustness, tables."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trilat_lib import sentiment as S
from trilat_lib.errors import ParameterError
from trilat_lib.paths import PROJECT_ROOT
from trilat_lib.text import sentences as split_sentences


def score(text: str, target: str, *others: str) -> float:
    a = text.index(target)
    spans = [(text.index(o), text.index(o) + len(o)) for o in others]
    return S.target_sentiment(text, a, a + len(target), spans)


# ----------------------------------------------------------------- actor vs victim

def test_issue_example_actor_negative_victim_not():
    t = "North Korea has tested missiles that can strike targets in Japan."
    assert score(t, "North Korea", "Japan") <= -0.3
    assert abs(score(t, "Japan", "North Korea")) < S.NEUTRAL_BAND
    # the sentence-level baseline cannot tell them apart
    assert S.sentence_sentiment(t) < 0


@pytest.mark.parametrize("text, actor, victim", [
    ("China threatens Taiwan.", "China", "Taiwan"),
    ("Russia invaded Ukraine in 2022.", "Russia", "Ukraine"),
    ("Beijing continues to coerce Manila.", "Beijing", "Manila"),
    ("Pyongyang's provocations alarmed Seoul.", "Pyongyang", "Seoul"),
])
def test_agent_words_count_against_the_doer_only(text, actor, victim):
    assert score(text, actor, victim) <= -0.3
    assert score(text, victim, actor) > score(text, actor, victim) + 0.3


def test_passive_voice_swaps_roles():
    t = "Japan was threatened by China."
    assert score(t, "China", "Japan") <= -0.3
    assert abs(score(t, "Japan", "China")) < S.NEUTRAL_BAND


@pytest.mark.parametrize("text, patient, doer", [
    ("The EU imposed sanctions on Moscow.", "Moscow", "EU"),
    ("Washington and Tokyo condemned Pyongyang.", "Pyongyang", "Tokyo"),
])
def test_patient_words_count_against_the_object(text, patient, doer):
    assert score(text, patient, doer) <= -0.3
    assert score(text, doer, patient) > score(text, patient, doer) + 0.3


def test_deter_marks_its_object():
    assert score("The alliance aims to deter North Korea.", "North Korea") <= -0.3


def test_praise_goes_to_the_praised():
    t = "Biden praised Kishida for his leadership."
    assert score(t, "Kishida", "Biden") >= 0.3
    assert score(t, "Biden", "Kishida") < score(t, "Kishida", "Biden")


# ----------------------------------------------------------------- negation and contrast

def test_negation_flips():
    assert score("Japan is a reliable partner.", "Japan") >= 0.3
    assert score("Japan is not a reliable partner.", "Japan") <= -0.3


def test_contrast_separates_clauses():
    t = "Japan is a reliable partner, but China is coercive."
    assert score(t, "Japan", "China") >= 0.3
    assert score(t, "China", "Japan") <= -0.3
    assert abs(S.sentence_sentiment(t)) < 0.3  # the plain tone mixes both


def test_ir_lexicon_words_matter():
    # VADER alone has no "cooperation", "invasion", "coercion"
    assert score("Seoul deepened its cooperation with Tokyo.", "Seoul", "Tokyo") > 0.3
    assert score("Russia's invasion of Ukraine continues.", "Russia", "Ukraine") < -0.3
    assert score("Chinese coercion worries the region.", "Chinese") < -0.3


def test_lexicon_file_is_valid_and_inflected():
    lex = S.load_lexicon()
    assert lex["threatens"].role == "agent" and lex["sanctions"].role == "patient"
    assert lex["deterred"].word == "deter" and "striking" not in lex
    assert all(-4 <= e.valence <= 4 for e in lex.values())


def test_bad_lexicon_rows_raise(tmp_path):
    p = tmp_path / "lex.csv"
    p.write_text("word,valence,role\nfoo,abc,\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="row 2"):
        S.load_lexicon(p)
    p.write_text("word,valence,role\nfoo,1.0,victim\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="role"):
        S.load_lexicon(p)


# ----------------------------------------------------------------- edge cases and robustness

def test_empty_and_mention_free_texts():
    assert S.target_sentiment("", 0, 0) == 0.0
    assert S.target_sentiment("   ", 1, 1) == 0.0
    assert S.sentence_sentiment("") == 0.0
    t = "The weather was mild and the markets were quiet."
    assert -1 <= S.target_sentiment(t, 4, 11) <= 1


@pytest.mark.parametrize("args", [("abc", 2, 1), ("abc", -1, 2), ("abc", 0, 9), ("abc", 0.5, 2), (None, 0, 0)])
def test_bad_spans_raise(args):
    with pytest.raises(ParameterError):
        S.target_sentiment(*args)


def test_bad_parameters_raise():
    with pytest.raises(ParameterError, match="scope"):
        S.TargetScorer(scope="paragraph")
    with pytest.raises(ParameterError, match="neutral_band"):
        S.label(0.3, neutral_band=2)
    with pytest.raises(ParameterError, match="scorer"):
        S.country_sentiment([], scorer="gdelt", mentions=pd.DataFrame())


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300) | st.text(alphabet="abc China threatens Japan, but not . \n", max_size=300), st.data())
def test_random_text_never_crashes(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    s = S.target_sentiment(text, start, end)
    assert -1.0 <= s <= 1.0 and not np.isnan(s)
    # other entity spans anywhere, overlapping the target or each other
    span = st.integers(0, len(text)).flatmap(lambda a: st.tuples(st.just(a), st.integers(a, len(text))))
    others = data.draw(st.lists(span, max_size=4))
    s = S.target_sentiment(text, start, end, others)
    assert -1.0 <= s <= 1.0 and not np.isnan(s)
    assert -1.0 <= S.sentence_sentiment(text) <= 1.0


def test_long_document_scope_is_the_sentence():
    doc = ("Japan and South Korea held a friendly and productive summit. " * 30
           + "\n\nNorth Korea threatened its neighbours again.")
    a = doc.index("North Korea")
    assert S.target_sentiment(doc, a, a + 11) < -0.3
    b = doc.index("Japan")
    assert S.target_sentiment(doc, b, b + 5) > 0.3


# ----------------------------------------------------------------- corpus tables

def _fake_corpus():
    texts = {
        "d1": "North Korea threatened Japan. Japan is a reliable partner, but China is coercive.",
        "d2": "The EU imposed sanctions on Moscow. Nothing else happened.",
    }
    docs = []
    for i, (doc_id, t) in enumerate(texts.items()):
        docs.append(SimpleNamespace(doc_id=doc_id, text=t, sentences=split_sentences(t), outlet=f"outlet{i}",
                                    published=date(2023, i + 1, 1), title=doc_id))
    rows = []
    for d in docs:
        for s in d.sentences:
            for name, code in (("North Korea", "PRK"), ("Japan", "JPN"), ("China", "CHN"), ("Moscow", "RUS")):
                pos = s.text.find(name)
                while pos >= 0:
                    rows.append(dict(doc_id=d.doc_id, sentence_id=s.sentence_id, start=s.start + pos,
                                     end=s.start + pos + len(name), text=name, country=code, kind="name", entity=name))
                    pos = s.text.find(name, pos + 1)
    return docs, pd.DataFrame(rows)


def test_country_sentiment_table():
    docs, mentions = _fake_corpus()
    df = S.country_sentiment(docs, "target", mentions)
    assert list(df.columns) == S.SENTENCE_COLUMNS
    assert len(df) == 5  # PRK, JPN | JPN, CHN | RUS
    row = df[(df.doc_id == "d1") & (df.sentence_id == 0)].set_index("country")
    assert row.loc["PRK", "label"] == -1 and row.loc["JPN", "label"] == 0
    assert df.set_index("country").loc["RUS", "label"] == -1
    sent = S.country_sentiment(docs, "sentence", mentions)
    s0 = sent[(sent.doc_id == "d1") & (sent.sentence_id == 0)]
    assert s0["score"].nunique() == 1  # co-occurrence tone: one score per sentence


def test_country_sentiment_mention_free_corpus():
    docs, mentions = _fake_corpus()
    df = S.country_sentiment(docs, "target", mentions.iloc[0:0])
    assert df.empty and list(df.columns) == S.SENTENCE_COLUMNS
    assert S.by_country(df).empty


def test_aggregate_counts_ci_and_seed():
    docs, mentions = _fake_corpus()
    df = S.country_sentiment(docs, "target", mentions)
    agg = S.by_country(df)
    assert {"n_sentences", "n_mentions", "mean", "ci_low", "ci_high", "share_negative"} <= set(agg.columns)
    jpn = agg.set_index("country").loc["JPN"]
    assert jpn.n_sentences == 2 and jpn.ci_low <= jpn["mean"] <= jpn.ci_high
    assert np.isnan(agg.set_index("country").loc["RUS", "ci_low"])  # one sentence: no CI
    x = np.random.default_rng(1).normal(size=50)
    assert S.bootstrap_ci(x, random_state=3) == S.bootstrap_ci(x, random_state=3)
    lo, hi = S.bootstrap_ci(x)
    assert lo < x.mean() < hi
    assert len(S.by_country_period(df, "M")) == 4 and len(S.by_country_outlet(df)) == 4
    with pytest.raises(ParameterError, match="columns"):
        S.aggregate(df, "nope")


def test_evidence_and_highlight():
    docs, mentions = _fake_corpus()
    df = S.country_sentiment(docs, "target", mentions)
    neg = S.evidence(df, "PRK", n=1, positive=False)
    assert len(neg) == 1 and neg.loc[0, "score"] < 0
    assert S.highlight("Japan met Japan's ally.", "Japan") == "**Japan** met **Japan**'s ally."


# ----------------------------------------------------------------- NewsMTSC (small dev subset)

def test_beats_sentence_vader_on_newsmtsc_dev_subset(shared_data, monkeypatch):
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    from benchmarks.sentiment_newsmtsc import evaluate, load, score_sentence, score_target

    path = shared_data / "newsmtsc" / "dev_rw.jsonl"
    if not path.is_file():
        pytest.skip("NewsMTSC dev_rw.jsonl not present")
    ex = load(path, limit=150)  # first 150 sentences, 164 targets
    ours = evaluate(score_target(ex, S.default_scorer()), ex, S.NEUTRAL_BAND)
    vader = evaluate(score_sentence(ex), ex, S.NEUTRAL_BAND)
    assert ours["f1m"] > vader["f1m"] + 0.01, (ours, vader)
    assert ours["f1m"] > 0.45  # well above the majority-class macro-F1 (~0.2)


# ----------------------------------------------------------------- seeds (done-when check)

def test_seed_adversaries_rank_below_allies(seed_corpus):
    countries = pytest.importorskip("trilat_lib.countries")
    df = S.country_sentiment(seed_corpus, "target", countries.country_mentions(seed_corpus))
    agg = S.by_country(df).set_index("country")
    allies, others = ["USA", "JPN", "KOR"], ["PRK", "CHN", "RUS"]
    assert (agg.loc[allies + others, "n_sentences"] >= 5).all()
    assert agg.loc[others, "mean"].max() < agg.loc[allies, "mean"].min() - 0.05, agg.loc[allies + others]
    # the target scorer separates them more than co-occurrence tone does
    sent = S.by_country(S.country_sentiment(seed_corpus, "sentence", countries.country_mentions(seed_corpus)))
    sent = sent.set_index("country")
    gap_target = agg.loc[allies, "mean"].mean() - agg.loc[others, "mean"].mean()
    gap_sentence = sent.loc[allies, "mean"].mean() - sent.loc[others, "mean"].mean()
    assert gap_target > gap_sentence


def test_scorer_agreement_and_relabel_match_the_corpus_level_calls(seed_corpus):
    from trilat_lib.sentiment import compare_scorers, country_sentiment, relabel, scorer_agreement

    t = country_sentiment(seed_corpus, "target")
    s = country_sentiment(seed_corpus, "sentence")
    pd.testing.assert_frame_equal(scorer_agreement(t, s), compare_scorers(seed_corpus))
    wide = relabel(t, 0.3)
    pd.testing.assert_frame_equal(wide, country_sentiment(seed_corpus, "target", neutral_band=0.3))
    assert (wide["label"] == 0).sum() > (t["label"] == 0).sum()
    with pytest.raises(ParameterError, match="target"):
        scorer_agreement(t.drop(columns=["score"]), s)


# ----------------------------------------------------------------- fast paths equal VADER's own code

TRICKY = [
    "", "   ", "Good.", "not good", "NOT GOOD at all but GREAT", "The deal is kind of good, but the talks failed!!",
    "no good deal", "no, or nor bad", "least bad option", "at least bad", "never so good", "without doubt good",
    "extremely bad, barely good ?? !!!", "the shit bomb bad ass", "😀 great 😡", "It's the U.S.-Japan ally's win :)",
    "but but but good bad", "good " * 40 + "but bad", "isn't good; wasn't bad — hardly great (sort of) “nice”",
]


def _reference_weighted_compound(scorer, masked):
    """The original (pre-optimisation) distance-weighted compound, run through VADER's own code."""
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentiText

    v = scorer._vader
    if scorer.window is None or S._TARGET not in masked:
        return v.polarity_scores(masked)["compound"]
    senti = SentiText(masked.strip())
    words = senti.words_and_emoticons
    sentiments = []
    for i, item in enumerate(words):
        if item.lower() in BOOSTER_DICT or (i < len(words) - 1 and item.lower() == "kind" and words[i + 1].lower() == "of"):
            sentiments.append(0)
            continue
        sentiments = v.sentiment_valence(0, senti, item, i, sentiments)
    sentiments = v._but_check(words, sentiments)
    tpos = [i for i, w in enumerate(words) if S._TARGET in w.lower()]
    for i in range(len(sentiments)) if tpos else ():
        d = min(abs(i - t) for t in tpos)
        if d > scorer.window:
            sentiments[i] = sentiments[i] * scorer.window / d
    return v.score_valence(sentiments, masked)["compound"]


@pytest.mark.parametrize("text", TRICKY)
def test_fast_vader_equals_vader(text):
    plain = S._vader(None)
    assert repr(S._vader_compound(plain, text)) == repr(plain.polarity_scores(text)["compound"])
    if text.strip():
        assert S.sentence_sentiment(text) == plain.polarity_scores(text)["compound"]
    for window in (None, 1, 6):
        scorer = S.TargetScorer(window=window)
        for masked in (text, f"{S._TARGET} {text}", f"{text} {S._TARGET} was praised but zz", text.replace("good", S._TARGET)):
            assert repr(scorer._compound(masked)) == repr(_reference_weighted_compound(scorer, masked)), masked


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from("good bad not no never so kind of but very least at GREAT zztargetzz zz ! ? , :) 😀".split()),
                max_size=30))
def test_fast_vader_equals_vader_random(words):
    text = " ".join(words)
    scorer = S.TargetScorer(window=3)
    assert repr(scorer._compound(text)) == repr(_reference_weighted_compound(scorer, text))
    plain = S._vader(None)
    assert repr(S._vader_compound(plain, text)) == repr(plain.polarity_scores(text)["compound"])


def test_memos_follow_lexicon_changes():
    # a stand-in share token is added to the (process-wide) lexicon on first use; scores
    # memoised before must not survive it (the literal token in a text then carries valence)
    scorer = S.TargetScorer(victim_share=0.37)  # a share no other test uses: a fresh token
    text = "zztargetzz zzsharev37threatens"
    assert scorer._compound(text) == 0.0
    t = "China threatens Japan."
    scorer.score(t, t.index("Japan"), t.index("Japan") + 5, [(0, 5)])  # registers zzsharev37threatens
    assert "zzsharev37threatens" in scorer._vader.lexicon
    assert scorer._compound(text) == _reference_weighted_compound(scorer, text) < 0


def test_overlapping_words_match_brute_force():
    text = "North Korea's well-known missile, tested by Pyongyang — again."
    words, starts, ends = S._word_tokens(text, 0, len(text))
    for ms in range(-1, len(text) + 2):
        for me in range(ms - 1, min(len(text) + 2, ms + 15)):
            brute = [i for i, (ws, we, _) in enumerate(words) if ms <= ws < me or ws <= ms < we]
            assert list(S._overlapping(starts, ends, ms, me)) == brute, (ms, me)


def test_country_sentiment_groups_like_pandas_and_drops_heading_mentions():
    docs, mentions = _fake_corpus()
    heading = mentions.iloc[[0]].assign(sentence_id=None)  # heading mentions have no sentence
    mixed = pd.concat([mentions.iloc[[3]], heading, mentions], ignore_index=True)
    df = S.country_sentiment(docs, "target", mixed)
    # same groups, in order of first appearance, as groupby(["doc_id", "sentence_id"], sort=False)
    keys = list(mixed.dropna(subset=["sentence_id"]).groupby(["doc_id", "sentence_id"], sort=False).groups)
    assert list(dict.fromkeys(zip(df.doc_id, df.sentence_id))) == [(d, int(s)) for d, s in keys]
    jpn = df[(df.doc_id == "d1") & (df.sentence_id == 1) & (df.country == "JPN")].iloc[0]
    assert jpn.n_mentions == 1
    dup = df[(df.doc_id == mixed.doc_id[0]) & (df.sentence_id == int(mixed.sentence_id[0]))]
    assert (dup.n_mentions >= 1).all()
    with pytest.raises(ParameterError, match="doc_id"):
        S.country_sentiment(docs[:1], "target", mentions)


# ----------------------------------------------------------------- fast aggregation = the plain definitions

def _plain_ci(x, n_boot, ci, rng):
    """bootstrap_ci as first written: one draw of every resample, numpy's mean and quantile."""
    x = np.asarray(x, dtype=float)
    if len(x) < 2:
        return float("nan"), float("nan")
    means = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
    alpha = (1 - ci) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


def _stance_table(n_rows: int = 4000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    country = rng.choice(["KOR", "JPN", "USA", "PRK"], n_rows, p=[0.55, 0.25, 0.15, 0.05])
    doc = rng.integers(0, 400, n_rows)
    score = rng.choice([-0.5, -0.1, 0.0, 0.2, 0.6, np.nan], n_rows, p=[0.2, 0.2, 0.2, 0.2, 0.199, 0.001])
    return pd.DataFrame({
        "doc_id": [f"d{i}" for i in doc], "country": country, "score": score + rng.normal(0, 1e-3, n_rows).round(3),
        "label": 0, "n_mentions": rng.integers(1, 4, n_rows),
        "outlet": rng.choice(["A", "B", None], n_rows),
        "published": [date(2024, 1 + i % 12, 1 + i % 27) if i % 9 else None for i in doc],
    })


@pytest.mark.parametrize("kwargs", [{}, {"n_boot": 150, "ci": 0.8, "random_state": 3, "neutral_band": 0.3}])
def test_aggregate_equals_a_plain_loop_over_groups(kwargs, monkeypatch):
    monkeypatch.setattr(S, "_BOOT_BLOCK", 1 << 12)  # several blocks of resamples even for small groups
    df = _stance_table()
    n_boot, ci, seed = kwargs.get("n_boot", 2000), kwargs.get("ci", 0.95), kwargs.get("random_state", 0)
    band = kwargs.get("neutral_band")
    labels = S.label(df["score"], band) if band is not None else df["label"]
    for by in (["country"], ["country", "doc_id"], ["country", "outlet"]):
        got = S.aggregate(df, by, **kwargs)
        rows = []
        for key, g in df.groupby(by, sort=True, dropna=False):
            lab = labels[g.index]
            lo, hi = _plain_ci(g["score"], n_boot, ci, np.random.default_rng(seed))
            rows.append({**dict(zip(by, key)), "n_sentences": len(g), "n_mentions": int(g["n_mentions"].sum()),
                         "n_docs": g["doc_id"].nunique(), "mean": float(g["score"].mean()), "ci_low": lo, "ci_high": hi,
                         "share_positive": float((lab == 1).mean()), "share_neutral": float((lab == 0).mean()),
                         "share_negative": float((lab == -1).mean())})
        pd.testing.assert_frame_equal(got, pd.DataFrame(rows, columns=got.columns), check_exact=True)
    # a Generator runs on through the groups in order, as with one bootstrap_ci call per group
    got = S.aggregate(df, ["country", "outlet"], n_boot=50, random_state=np.random.default_rng(5))
    rng = np.random.default_rng(5)
    want = [_plain_ci(g["score"], 50, 0.95, rng) for _, g in df.groupby(["country", "outlet"], dropna=False)]
    np.testing.assert_array_equal(got[["ci_low", "ci_high"]].to_numpy(), np.array(want))


@pytest.mark.parametrize("n", [2, 7, 8, 9, 64, 65, 300, 9000])
def test_bootstrap_ci_is_the_plain_bootstrap_bit_for_bit(n, monkeypatch):
    monkeypatch.setattr(S, "_BOOT_BLOCK", 1 << 14)
    x = np.random.default_rng(n).normal(size=n) * 10.0 ** np.random.default_rng(1).integers(-3, 3, n)
    for seed in (0, 11):
        assert repr(S.bootstrap_ci(x, 500, 0.9, seed)) == repr(_plain_ci(x, 500, 0.9, np.random.default_rng(seed)))
    assert repr(S.bootstrap_ci(x, 500, 0.9, seed)) == repr(S.bootstrap_ci(x.copy(), 500, 0.9, seed))  # memo hit


def test_evidence_and_period_equal_their_plain_definitions():
    df = _stance_table(seed=1).set_index(np.arange(4000)[::-1] * 3)  # ties in score, a shuffled index
    for country in ("KOR", "PRK", "nowhere"):
        for positive in (True, False):
            sub = df[df["country"] == country].sort_values("score", ascending=not positive)
            sub = sub[sub["score"] > 0] if positive else sub[sub["score"] < 0]
            pd.testing.assert_frame_equal(S.evidence(df, country, 4, positive), sub.head(4).reset_index(drop=True))
    dated = df[df["published"].notna()].copy()
    dated["period"] = pd.PeriodIndex(pd.to_datetime(dated["published"]), freq="Q").astype(str)
    pd.testing.assert_frame_equal(S.by_country_period(df, "Q", n_boot=100),
                                  S.aggregate(dated, ["country", "period"], n_boot=100), check_exact=True)


# ----------------------------------------------------------------- learned stance model (the default)

def learned(text: str, target: str, *others: str) -> float:
    a = text.index(target)
    spans = [(text.index(o), text.index(o) + len(o)) for o in others]
    return S.learned_sentiment(text, a, a + len(target), spans)


def test_learned_is_the_default_scorer():
    assert S.DEFAULT_SCORER == "learned" and S.SCORERS[0] == "learned"
    docs, mentions = _fake_corpus()
    default = S.country_sentiment(docs, mentions=mentions)
    pd.testing.assert_frame_equal(default, S.country_sentiment(docs, "learned", mentions))
    assert not default["score"].equals(S.country_sentiment(docs, "target", mentions)["score"])
    row = default[(default.doc_id == "d1") & (default.sentence_id == 0)].set_index("country")
    assert row.loc["PRK", "label"] == -1 and row.loc["JPN", "label"] == 0  # "North Korea threatened Japan."


@pytest.mark.parametrize("text, victim, agent", [
    # the issue's sentences: the victim or bystander is not blamed
    ("China, which had long claimed the territory, precipitated a border war with India in 1962.", "India", "China"),
    ("Russia's invasion of Ukraine shocked Europe.", "Ukraine", "Russia"),
    ("The report warned of rising tensions between the United States and China.", "United States", "China"),
    ("The report warned of rising tensions between the United States and China.", "China", "United States"),
    ("US-China tensions rose again.", "China", "US"),
    ("Japan was threatened by China.", "Japan", "China"),
    ("Taiwan has been repeatedly threatened by Beijing.", "Taiwan", "Beijing"),
    ("North Korea has tested missiles that can strike targets in Japan.", "Japan", "North Korea"),
    ("China threatens Taiwan.", "Taiwan", "China"),
])
def test_learned_victims_and_sides_are_not_negative(text, victim, agent):
    assert learned(text, victim, agent) > -S.NEUTRAL_BAND


@pytest.mark.parametrize("text, agent, victim", [
    ("Russia's invasion of Ukraine shocked Europe.", "Russia", "Ukraine"),
    ("China threatens Taiwan.", "China", "Taiwan"),
    ("Japan was threatened by China.", "China", "Japan"),
    ("North Korea has tested missiles that can strike targets in Japan.", "North Korea", "Japan"),
    ("The EU imposed sanctions on Moscow.", "Moscow", "EU"),  # the sanctioned side, as in the rule scorer
])
def test_learned_agents_of_harm_are_negative(text, agent, victim):
    assert learned(text, agent, victim) <= -0.3


def test_learned_positive_cooperation():
    t = "Japan and South Korea agreed to deepen their cooperation."
    assert learned(t, "Japan", "South Korea") > 0.3 and learned(t, "South Korea", "Japan") > 0.3


def test_learned_role_guard_only_lifts_negative_scores():
    from trilat_lib.stance import StanceModel

    plain = StanceModel(guard=False)
    t = "Russia's invasion of Ukraine shocked Europe."
    a = t.index("Ukraine")
    assert plain.score(t, a, a + 7, [(0, 6)]) < 0 <= S.learned_sentiment(t, a, a + 7, [(0, 6)])
    t = "Japan and South Korea agreed to deepen their cooperation."
    assert plain.score(t, 0, 5, [(10, 21)]) == S.learned_sentiment(t, 0, 5, [(10, 21)])


@pytest.mark.parametrize("text, target, role", [
    ("Russia's invasion of Ukraine", "Ukraine", "victim"),
    ("China precipitated a border war with India", "India", "victim"),
    ("attacks on the democratic island of Taiwan", "Taiwan", "victim"),
    ("China threatens Taiwan", "Taiwan", "victim"),
    ("Ukraine was invaded by Russia", "Ukraine", "victim"),
    ("rising tensions between the United States and China", "United States", "side"),
    ("the rivalry between China and India", "India", "side"),
    ("US-China tensions", "China", "side"),
    ("Russia's invasion of Ukraine", "Russia", ""),
    ("China threatens Taiwan", "China", ""),
    ("the threat Russia poses", "Russia", ""),  # a harm noun after "the": the target may be its doer
    ("Japan and Korea signed a deal", "Japan", ""),
])
def test_harm_role(text, target, role):
    from trilat_lib.stance import _token_range, default_model, harm_role

    entities = [(m.start(), m.end()) for m in __import__("re").finditer(
        r"Ukraine|Russia|China|India|Taiwan|United States|US|Japan|Korea", text)]
    sent = default_model().featurizer.sentence(text, entities)
    a = text.index(target) if target != "US" else 0
    assert harm_role(sent, *_token_range(sent.starts, sent.ends, a, a + len(target))) == role


def test_learned_model_file_is_plain_arrays_with_provenance():
    from trilat_lib import stance

    with np.load(stance.STANCE_MODEL, allow_pickle=False) as z:  # no pickled objects
        assert {"vocab", "coef", "dense_coef", "dense_names"} <= set(z.files)
        assert z["coef"].shape[1] == 3 and z["dense_coef"].shape == (len(stance.DENSE), 3)
    prov = stance.provenance()
    assert prov["data"]["fitted_on"] == "train.jsonl" and prov["data"]["test"].startswith("held out")
    assert prov["command"] == "python -m trilat_lib.stance_train"
    assert set(prov["dev_macro_f1"]) == {"dev_mt", "dev_rw"}
    assert prov["chosen"]["dense_features"] == list(stance.DENSE)


def test_learned_scores_are_deterministic_and_bounded():
    from trilat_lib.stance import StanceModel

    t = "Pyongyang fired two missiles toward Japan, and Seoul condemned the launch."
    spans = [(0, 9), (t.index("Japan"), t.index("Japan") + 5), (t.index("Seoul"), t.index("Seoul") + 5)]
    a = [StanceModel().score(t, s, e, [o for o in spans if o != (s, e)]) for s, e in spans]
    b = [S.learned_sentiment(t, s, e, [o for o in spans if o != (s, e)]) for s, e in spans]
    assert a == b and all(-1 <= x <= 1 for x in a)
    p = StanceModel().proba(t, 0, 9)
    assert p.shape == (3,) and abs(p.sum() - 1) < 1e-9


def test_learned_model_missing_file_is_a_clear_error(tmp_path):
    from trilat_lib.stance import StanceModel

    with pytest.raises(ParameterError, match="stance_train"):
        StanceModel(tmp_path / "nope.npz")


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=200) | st.text(alphabet="abc China threatens Japan's, invasion of . \n", max_size=200),
       st.data())
def test_learned_random_text_never_crashes(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    span = st.integers(0, len(text)).flatmap(lambda a: st.tuples(st.just(a), st.integers(a, len(text))))
    others = data.draw(st.lists(span, max_size=4))
    s = S.learned_sentiment(text, start, end, others)
    assert -1.0 <= s <= 1.0 and not np.isnan(s)


def test_learned_beats_rule_scorer_on_newsmtsc_dev_subset(shared_data, monkeypatch):
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    from benchmarks.sentiment_newsmtsc import evaluate, load, score_learned, score_target
    from trilat_lib.stance import default_model

    # first 150 sentences of each dev set (full sets: +4.8 / +11.9 points, see the benchmark)
    for name, margin in (("dev_rw", 0.05), ("dev_mt", 0.03)):
        path = shared_data / "newsmtsc" / f"{name}.jsonl"
        if not path.is_file():
            pytest.skip(f"NewsMTSC {name}.jsonl not present")
        ex = load(path, limit=150)
        ours = evaluate(score_learned(ex, default_model()), ex, S.NEUTRAL_BAND)
        rule = evaluate(score_target(ex, S.default_scorer()), ex, S.NEUTRAL_BAND)
        assert ours["f1m"] > rule["f1m"] + margin, (name, ours, rule)


def test_learned_features_are_binary_as_in_training():
    # training counts a feature once per target (a 0/1 matrix); inference must too
    from trilat_lib.stance import default_model

    m = default_model()
    t = "the talks , the talks , the talks : Japan said the deal was good , the deal was good"
    s = t.index("Japan")
    sent = m.featurizer.sentence(t, [(s, s + 5)])
    sparse, dense = m.featurizer.target(t, sent, s, s + 5, [], bag=False)
    assert len(sparse) > len(set(sparse))  # repeated words in the window give repeated names
    np.testing.assert_allclose(m._logits(sparse, dense), m._logits(sorted(set(sparse)), dense))
    np.testing.assert_allclose(m._logits(sparse + sparse, dense), m._logits(sparse, dense))


def test_learned_target_segment_stops_at_other_entities_and_clauses():
    from trilat_lib.stance import OTHER, TARGET, _Sentence, target_segment

    t = "Japan praised the plan , but China sharply criticised Korea over it"
    spans = [(0, 5), (29, 34), (54, 59)]
    sent = _Sentence(t, spans, {}, {})
    m = list(sent.masked)
    lo = m.index(OTHER, 1)  # China
    m[lo] = TARGET
    a, b = target_segment(m, lo, lo + 1)
    assert [w for w in m[a:b] if w] == [TARGET, "sharply", "criticised"]  # not "praised", not "over it"
    m = list(sent.masked)
    m[0] = TARGET
    a, b = target_segment(m, 0, 1)
    assert [w for w in m[a:b] if w] == [TARGET, "praised", "the", "plan"]


def test_scorer_table_side_by_side():
    docs, mentions = _fake_corpus()
    tables = {name: S.country_sentiment(docs, name, mentions) for name in S.SCORERS}
    wide = S.scorer_table(tables)
    assert len(wide) == 5
    assert [c for c in wide.columns if c.startswith("score_")] == ["score_learned", "score_target", "score_sentence"]
    assert (wide["score_target"].to_numpy() == tables["target"]["score"].to_numpy()).all()
    with pytest.raises(ParameterError, match="tables"):
        S.scorer_table({"x": tables["target"].drop(columns=["label"])})


# ----------------------------------------------------------------- linear time (ratios, not timings)

def _best_time(fn, repeat: int = 3) -> float:
    import time

    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def test_long_whitespace_run_is_linear():
    """Issue 13: "Japan threatens China" + a long run of spaces was quadratic in the run (clause regex)."""
    def run(n):
        text = "Japan threatens China" + " " * n + "."
        return _best_time(lambda: S.TargetScorer().score(text, 0, 5, [(16, 21)]))
    small, big = run(4_000), run(32_000)
    assert big < 20 * small + 0.05, (small, big)  # linear: ~8x; quadratic was ~64x


def test_many_mentions_in_one_sentence_is_linear():
    """Issue 13: scoring every mention of one run-on sentence grew with the square (and worse) of the mentions."""
    def run(n):
        text = " and ".join(["Japan threatened Korea"] * n) + "."
        import re
        spans = [(m.start(), m.end(), m.group()) for m in re.finditer("Japan|Korea", text)]
        return _best_time(lambda: S.TargetScorer()._entity_scores(text, spans), repeat=2)
    small, big = run(40), run(160)
    assert big < 10 * small + 0.05, (small, big)  # linear: ~4x; quadratic ~16x


def test_window_leaves_ordinary_sentences_unchanged():
    t = "Japan and South Korea held a friendly and productive summit, but North Korea threatened them."
    assert S.TargetScorer._window(t, 0, len(t), 0, 5) == (0, len(t))
    long = " ".join(["word"] * 500) + " Japan " + " ".join(["word"] * 500)
    a = long.index("Japan")
    w0, w1 = S.TargetScorer._window(long, 0, len(long), a, a + 5)
    assert 0 < w0 < a and a + 5 < w1 < len(long)
    assert len(long[w0:w1].split()) == 2 * S.MAX_SCOPE_WORDS + 1


def test_seed_adversaries_rank_below_allies_learned(seed_corpus):
    """The default (learned) scorer on the seeds: the same done-when check as the rule scorer's."""
    countries = pytest.importorskip("trilat_lib.countries")
    agg = S.by_country(S.country_sentiment(seed_corpus, mentions=countries.country_mentions(seed_corpus)))
    agg = agg.set_index("country")
    allies, others = ["USA", "JPN", "KOR"], ["PRK", "CHN", "RUS"]
    assert agg.loc[others, "mean"].max() < agg.loc[allies, "mean"].min() - 0.05, agg.loc[allies + others]


def test_learned_many_mentions_in_one_sentence_is_linear():
    """The default scorer on a run-on sentence: per mention, work bounded by a window (no re-sorting)."""
    def run(n):
        text = " and ".join(["Japan threatened Korea"] * n) + "."
        import re
        spans = [(m.start(), m.end(), m.group()) for m in re.finditer("Japan|Korea", text)]
        return _best_time(lambda: _fresh_model()._entity_scores(text, spans), repeat=2)
    small, big = run(40), run(160)
    assert big < 10 * small + 0.05, (small, big)


def _fresh_model():
    """The shipped model with empty memos (the file is read once per process)."""
    import copy

    from trilat_lib.stance import default_model

    m = copy.copy(default_model())
    m._memo = {}
    m.featurizer = copy.copy(m.featurizer)
    m.featurizer.rule = S.TargetScorer()
    return m
