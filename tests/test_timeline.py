"""trilat_lib.timeline: dated event mentions on the seeds, merging, publication dates, filters."""
from __future__ import annotations

import math
import warnings
from datetime import date

import pandas as pd
import pytest

from trilat_lib import CorpusWarning, Document, ParameterError
from trilat_lib import timeline as T


@pytest.fixture(scope="module")
def seed_timeline(seed_corpus):
    return T.build_timeline(seed_corpus)


@pytest.fixture(scope="module")
def seed_merged(seed_timeline):
    return T.merge_events(seed_timeline)


def _rows(tl, doc_id, timex=None, value=None):
    sel = tl[tl["doc_id"] == doc_id]
    if timex is not None:
        sel = sel[sel["timex"].str.lower() == timex.lower()]
    if value is not None:
        sel = sel[sel["value"] == value]
    return sel


# ----------------------------------------------------------------------------- seeds

@pytest.mark.parametrize("doc_id, timex, value", [
    ("001", "from 1910 to 1945", "1910/1945"),     # colonial rule, a range joined into one interval
    ("002", "from 1910 to 1945", "1910/1945"),
    ("000", "1965", "1965"),                        # the treaty
    ("000", "2018", "2018"),                        # the Supreme Court ruling
    ("001", "2019", "2019"),                        # export restrictions
    ("002", "That same year, 2019", "2019"),
    ("003", "May last year", "2022-05"),            # Yoon's inauguration, DCT known to the year 2023
    ("000", "Last month", "2022-06"),               # the NATO summit, DCT July 2022 (month precision)
    ("002", "last summer", "2022-SU"),
    ("002", "Wednesday", "2023-04-26"),             # the state dinner, DCT Monday 2023-04-24
    ("002", "the next day", "2023-04-27"),          # anaphoric: the day after Wednesday
    ("003", "from 1998 to 2000", "1998/2000"),
])
def test_key_events_on_seed_timeline(seed_timeline, doc_id, timex, value):
    rows = _rows(seed_timeline, doc_id, timex)
    assert len(rows) >= 1, f"{timex!r} missing from {doc_id}"
    assert value in set(rows["value"])


def test_range_interval_and_resolution_text(seed_timeline):
    r = _rows(seed_timeline, "001", "from 1910 to 1945").iloc[0]
    assert (r["start"], r["end"]) == (date(1910, 1, 1), date(1945, 12, 31))
    assert r["resolution"] == "explicit"
    wed = _rows(seed_timeline, "002", "Wednesday").iloc[0]
    assert wed["resolution"] == "relative to publication date 2023-04-24 (day)"
    nxt = _rows(seed_timeline, "002", "the next day").iloc[0]
    assert "previous date" in nxt["resolution"] and "2023-04-26" in nxt["resolution"]
    today = _rows(seed_timeline, "003", "today")
    assert set(today["value"]) <= {"2023"}  # a year-precision DCT never yields an invented day


def test_offsets_and_sentence_ids_are_valid(seed_corpus, seed_timeline):
    assert len(seed_timeline) >= 20
    for r in seed_timeline.itertuples():
        doc = seed_corpus[r.doc_id]
        assert doc.text[r.timex_start:r.timex_end] == r.timex
        s = doc.sentences[r.sentence_id]
        assert s.text == r.sentence
        assert s.start <= r.timex_start < r.timex_end <= s.end
        assert r.start <= r.end
        assert r.event and len(r.event) <= 100


def test_nothing_from_removed_furniture(seed_corpus, seed_timeline):
    # seed 002's page header date and seed 001's trailing teaser articles are not article text
    assert not (seed_timeline["value"] == "2023-09-24").any()
    for v in ("2021-03-06", "2013-02-04", "2019-06-28", "2016-10-27"):
        assert not (_rows(seed_timeline, "001", value=v)).any(axis=None), v
    for d in seed_corpus:
        body = {s.text for s in d.sentences}
        assert set(seed_timeline.loc[seed_timeline["doc_id"] == d.doc_id, "sentence"]) <= body


def test_tag_corpus_keeps_everything_with_reasons(seed_corpus, seed_timeline):
    tx = T.tag_corpus(seed_corpus)
    assert {"doc_id", "sentence_id", "timex", "value", "resolution", "excluded_because"} <= set(tx.columns)
    durations = tx[tx["type"] == "DURATION"]
    assert len(durations) and not durations["on_timeline"].any()
    vague = tx[tx["value"].isin(["PAST_REF", "PRESENT_REF", "FUTURE_REF"])]
    assert len(vague) and (vague["excluded_because"].str.contains("vague")).all()
    assert tx["on_timeline"].sum() == len(seed_timeline)
    rel = T.resolution_table(tx)
    assert len(rel) and (rel["resolution"] != "explicit").all()


def test_event_descriptions_are_clauses(seed_timeline):
    colonial = _rows(seed_timeline, "001", "from 1910 to 1945").iloc[0]
    assert colonial["event"] == "Japan colonized South Korea"
    nato = _rows(seed_timeline, "000", "Last month").iloc[0]
    assert nato["event"].startswith("U.S. President Joe Biden met with")
    assert "NATO summit" in nato["clause"]
    for r in seed_timeline.itertuples():
        assert r.timex not in r.event or len(r.timex) < 5


# ----------------------------------------------------------------------------- merging

def _event_of(tl, ids, doc_id, timex):
    idx = _rows(tl, doc_id, timex).index
    return set(ids[idx])


def test_same_events_merge_and_unrelated_do_not(seed_timeline, seed_merged):
    ids = T.cluster_events(seed_timeline)
    colonial = _event_of(seed_timeline, ids, "001", "from 1910 to 1945")
    assert colonial == _event_of(seed_timeline, ids, "002", "from 1910 to 1945")
    # 2019 export restrictions: 001 and 002 merge; 002's GSOMIA sentence (same year) does not
    export_001 = _event_of(seed_timeline, ids, "001", "2019")
    assert export_001 == _event_of(seed_timeline, ids, "002", "That same year, 2019")
    assert export_001 != _event_of(seed_timeline, ids, "002", "2019")
    # NATO summit: "Last month" (000, June 2022) inside "last summer" (002)
    nato = _event_of(seed_timeline, ids, "000", "Last month")
    assert nato == _event_of(seed_timeline, ids, "002", "last summer")
    # 003's "last summer" is a Mansfield Foundation conference, not the summit
    assert nato != _event_of(seed_timeline, ids, "003", "last summer")
    # Japan's national security strategy (late 2022) is not the 2022 US one
    assert _event_of(seed_timeline, ids, "000", "late 2022") != _event_of(seed_timeline, ids, "003", "2022")
    row = seed_merged[seed_merged["doc_ids"] == "001; 002"]
    assert any(r.value == "1910/1945" and r.n_documents == 2 for r in row.itertuples())
    nato_row = seed_merged[seed_merged["sentence_ids"].str.contains("000:0")].iloc[0]
    # the date both agree on (summer 2022), never the finer June of one of them; both values listed
    assert nato_row["value"] == "2022-SU" and nato_row["n_documents"] == 2 and "2022-06" in nato_row["values"]
    assert len(seed_merged) < len(seed_timeline)
    assert seed_merged["n_mentions"].sum() == len(seed_timeline)


def test_threshold_controls_merging(seed_timeline):
    strict = T.merge_events(seed_timeline, threshold=1.0, min_shared=50)
    # only same-sentence mentions of one date can still merge
    assert (strict["n_documents"] == 1).all()
    with pytest.raises(ParameterError, match="threshold"):
        T.merge_events(seed_timeline, threshold=1.5)
    with pytest.raises(ParameterError, match="min_shared"):
        T.cluster_events(seed_timeline, min_shared=0)


def _fake_timeline(rows):
    base = {"sentence": "", "timex": "t", "value": "v", "granularity": "year", "countries": "", "event": ""}
    out = []
    for k, r in enumerate(rows):
        d = {**base, "sentence_id": k, **r}
        d.setdefault("clause", d["event"])
        d["sentence"] = d["sentence"] or d["clause"]
        out.append(d)
    return pd.DataFrame(out)


def test_disagreements_found_for_similar_events_with_different_dates():
    tl = _fake_timeline([
        {"doc_id": "a", "event": "Japan imposed export restrictions on chemicals for semiconductors",
         "start": date(2019, 1, 1), "end": date(2019, 12, 31)},
        {"doc_id": "b", "event": "Japan imposed export restrictions on chemicals", "start": date(2018, 1, 1),
         "end": date(2018, 12, 31)},
        {"doc_id": "c", "event": "The leaders met at a summit in Madrid", "start": date(2018, 1, 1),
         "end": date(2018, 12, 31)},
    ])
    dis = T.disagreements(tl)
    assert len(dis) == 1 and {dis.loc[0, "doc_id_a"], dis.loc[0, "doc_id_b"]} == {"a", "b"}
    assert T.merge_events(tl)["n_mentions"].max() == 1  # different years: never merged


def _both_paths(tl, **kw):
    """cluster_events ids on the fast path and on the pair-by-pair reference (they must agree)."""
    fast = T.cluster_events(tl, **kw)
    import unittest.mock as mock
    with mock.patch.object(T, "_fast_candidates", lambda *a: None):
        slow = T.cluster_events(tl, **kw)
    pd.testing.assert_series_equal(fast, slow)
    return fast.tolist()


Y1989 = {"start": date(1989, 7, 2), "end": date(1989, 7, 2), "granularity": "day"}


def test_merging_never_chains_through_transitive_links():
    """a ~ b and b ~ c but a !~ c: a and c must not end up in one event (issue 11: one TimeBank
    event spanned 46 documents through such chains)."""
    tl = _fake_timeline([
        {"doc_id": "a", "event": "stock prices plunged in heavy trading", **Y1989},
        {"doc_id": "b", "event": "stock prices plunged as bond yields rose", **Y1989},
        {"doc_id": "c", "event": "bond yields rose after the auction", **Y1989},
    ])
    assert T.similarity(tl.event[0], tl.event[2]) == 0
    ids = _both_paths(tl, threshold=0.3, min_shared=2)
    assert ids[0] != ids[2] and len(set(ids)) == 2
    assert T.merge_events(tl, threshold=0.3)["n_mentions"].max() == 2


def test_different_actors_are_different_events():
    """Two firms' quarterly results, Japan's growth and US spending: shared predicate words but
    different actors are not one event."""
    q3 = {"start": date(2004, 7, 1), "end": date(2004, 9, 30), "granularity": "quarter"}
    tl = _fake_timeline([
        {"doc_id": "a", "event": "Ford Motor reported net income rose on strong truck sales", **q3},
        {"doc_id": "b", "event": "Chrysler Group reported net income rose on strong truck sales", **q3},
        {"doc_id": "c", "event": "Ford Motor said net income rose on strong truck sales", **q3},
        {"doc_id": "d", "event": "Japan's economy grew at an annual rate as consumer spending rose", **q3},
        {"doc_id": "e", "event": "American consumer spending rose at an annual rate as the economy grew",
         "start": date(2004, 1, 1), "end": date(2004, 12, 31), "granularity": "year"},
    ])
    ids = _both_paths(tl, threshold=0.3, min_shared=2)
    assert ids[0] == ids[2] and ids[1] != ids[0]  # Ford with Ford, not with Chrysler
    assert ids[3] != ids[4]  # Japan's growth is not American spending


def test_across_documents_an_event_needs_a_shared_distinctive_actor():
    fri = {"start": date(1989, 10, 27), "end": date(1989, 10, 27), "granularity": "day"}
    other = {"start": date(1980, 1, 1), "end": date(1980, 12, 31), "granularity": "year"}
    tl = _fake_timeline([
        {"doc_id": "a", "event": "Crossland shares closed down in composite trading on the New York Stock Exchange", **fri},
        {"doc_id": "b", "event": "GM shares closed down in composite trading on the New York Stock Exchange", **fri},
        {"doc_id": "c", "event": "UniFirst earned $2.4 million, or 24 cents a share", **fri},
        {"doc_id": "d", "event": "the company earned $2.4 million, or 24 cents a share", **fri},
        {"doc_id": "e", "event": "the company earned $2.4 million, or 24 cents a share, it said", **fri},
    ] + [{"doc_id": f"x{k}", "event": f"a bank listed on the New York Stock Exchange opened branch {k}", **other} for k in range(3)])
    ids = _both_paths(tl, threshold=0.3, min_shared=2)
    assert ids[0] != ids[1]  # New York is where, not who: it is in many documents
    assert ids[2] != ids[3] and ids[3] != ids[4]  # another article's "company" is not UniFirst, nor the same company


def test_merged_date_is_never_finer_than_its_mentions_agree_on():
    tl = _fake_timeline([
        {"doc_id": "a", "event": "the leaders attended the NATO summit in Madrid", "value": "2022-06",
         "start": date(2022, 6, 1), "end": date(2022, 6, 30), "granularity": "month"},
        {"doc_id": "b", "event": "the leaders attended the NATO summit in Madrid", "value": "2022-SU",
         "start": date(2022, 6, 1), "end": date(2022, 8, 31), "granularity": "season"},
        {"doc_id": "c", "event": "leaders attended the NATO summit in Madrid", "value": "2022",
         "start": date(2022, 1, 1), "end": date(2022, 12, 31), "granularity": "year"},
    ])
    ev = T.merge_events(tl, threshold=0.3)
    assert len(ev) == 1
    r = ev.iloc[0]
    assert (r["value"], r["granularity"], r["start"], r["end"]) == ("2022", "year", date(2022, 1, 1), date(2022, 12, 31))
    assert r["values"] == "2022-06; 2022-SU; 2022"


def test_similarity_needs_shared_event_words():
    assert T.similarity("Japan colonized South Korea", "Japan's brutal colonial rule of the Korean peninsula") > 0.5
    # only names in common: not the same event
    assert T.similarity("said Secretary of State Antony Blinken",
                        "a meeting with Deputy Secretary of State Antony Blinken") == 0.0
    assert T.similarity("", "anything") == 0.0


# ----------------------------------------------------------------------------- publication dates

def _doc(raw, **kw):
    return Document(doc_id=kw.pop("doc_id", "x"), raw=raw, **kw)


def test_inferred_publication_date_from_dateline_warns():
    d = _doc("SEOUL, April 24, 2023 (Reuters) - South Korea and Japan agreed yesterday to restore a "
             "military pact that Seoul had suspended in 2019.\n\nThe leaders will meet again next month in Tokyo.\n")
    with pytest.warns(CorpusWarning, match="inferred 2023-04-24"):
        p = T.infer_publication_date(d)
    assert p.date == date(2023, 4, 24) and p.source == "inferred" and "dateline" in p.how
    with pytest.warns(CorpusWarning):
        tl = T.build_timeline([d])
    y = tl[tl["timex"] == "yesterday"].iloc[0]
    assert y["value"] == "2023-04-23" and "inferred publication date 2023-04-24" in y["resolution"]
    assert y["date_source"] == "inferred"
    assert "2023-04-24" not in set(tl["value"])  # the dateline's own date is not an event
    assert set(tl["value"]) >= {"2019", "2023-05"}


def test_inferred_publication_date_other_sources():
    with pytest.warns(CorpusWarning):
        p = T.infer_publication_date(_doc("Published: March 3, 2021\n\nThe talks resumed on Monday in Tokyo after a long pause.\n"))
    assert p.date == date(2021, 3, 3) and "Published" in p.how
    with pytest.warns(CorpusWarning, match="2021-03 \\(month precision\\)"):
        p = T.infer_publication_date(_doc("Posted: March 2021\n\nThe talks resumed on Monday in Tokyo after a long pause.\n"))
    assert (p.date.year, p.date.month, p.precision) == (2021, 3, "month")
    with pytest.warns(CorpusWarning):
        p = T.infer_publication_date(_doc("Today, 3 March 2021, the two ministers met in Seoul for the first time.\n"))
    assert (p.date, p.precision) == (date(2021, 3, 3), "day") and "today" in p.how
    with pytest.warns(CorpusWarning):
        p = T.infer_publication_date(_doc("Ministers met this week (12 March 2021) in Seoul for the first time.\n"))
    assert (p.date.month, p.precision) == (3, "month")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert T.infer_publication_date(_doc("No dates here at all, only words about diplomacy.\n")) is None


@pytest.mark.parametrize("raw", [
    # dates the body mentions are events, not the publication date (issue 11: a 2004 BBC profile
    # became 2001-09-11, a 1989 WSJ article 2011-03-01 from a bond maturity)
    "Mr Khan said rights had been flouted in the name of security since 11 September 2001.\n",
    "The company sold $150 million of 6.5% debentures due March 1, 2011, it said on Friday.\n",
    "The treaty was signed on June 22, 1965 and revised on May 1, 1990 by both sides.\n",
    # a BBC match preview: "Tuesday, 1 March" then the kick-off "1945 GMT" on the next line is not 1 March 1945
    "Brentford v Southampton\n\nGriffin Park\n\nTuesday, 1 March\n\n1945 GMT\n\nBoth sides have doubts over fitness.\n",
    # a dateline without a year: the year is not taken from years mentioned in the body
    "BRUSSELS, February 10 (Xinhua) -- NATO said on Wednesday that the 1997 agreement still held.\n",
])
def test_no_publication_date_is_invented_from_the_body(raw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert T.infer_publication_date(_doc(raw)) is None
        p = T.publication_date(_doc(raw))
    assert p.date is None and p.source == "none" and p.how.startswith("unknown")


def test_dateline_without_year_takes_the_year_of_a_published_line():
    with pytest.warns(CorpusWarning):
        p = T.infer_publication_date(_doc("Published: 10 February 1999\n\nBRUSSELS, February 10 (Xinhua) -- NATO met.\n"))
    assert p.date == date(1999, 2, 10)


def test_manifest_date_wins_and_header_date_is_flagged(seed_corpus):
    pubs = T.publication_dates(seed_corpus)
    row = pubs.set_index("doc_id").loc["002"]
    assert row["published"] == date(2023, 4, 24) and row["date_source"] == "manifest"
    if row["header_dates"]:  # the cleaner keeps the raw page, so the header stays visible here
        assert "2023-09-24" in row["header_dates"] and row["header_disagrees"]


def test_no_date_text_and_empty_corpus():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tl = T.build_timeline([_doc("Diplomats talked about cooperation and trust for a long time.\n")])
    assert tl.empty and list(tl.columns) == T.TIMELINE_COLUMNS
    empty = T.build_timeline([])
    assert empty.empty
    assert T.merge_events(empty).empty and T.disagreements(empty).empty
    assert T.tag_corpus([]).empty


def test_relative_dates_without_publication_date_are_not_placed():
    d = _doc("The ministers met last month in Seoul and agreed to meet again in 2024.\n")
    tl = T.build_timeline([d], infer_dates=False)
    assert list(tl["value"]) == ["2024"]
    tx = T.tag_corpus([d], infer_dates=False)
    assert "last month" in set(tx.loc[~tx["on_timeline"], "timex"].str.lower())


# ----------------------------------------------------------------------------- filters and parameters

def test_filters(seed_corpus, seed_timeline):
    recent = T.build_timeline(seed_corpus, date_from="2022", date_to="2023-03")
    assert len(recent) and (recent["end"] >= date(2022, 1, 1)).all() and (recent["start"] <= date(2023, 3, 31)).all()
    fine = T.filter_timeline(seed_timeline, min_granularity="month")
    assert len(fine) and set(fine["granularity"]) <= {"day", "week", "month", "time"}
    tl = seed_timeline.assign(countries=["JPN;KOR" if k % 2 else "USA" for k in range(len(seed_timeline))])
    jp = T.filter_timeline(tl, countries=["jpn"])
    assert len(jp) == (tl["countries"] == "JPN;KOR").sum()


@pytest.mark.parametrize("kwargs, name", [
    ({"date_from": "yesterday"}, "date_from"),
    ({"date_to": "2023-13"}, "date_to"),
    ({"date_from": "2023", "date_to": "2020"}, "date_from"),
    ({"countries": ["Japan"]}, "countries"),
    ({"countries": []}, "countries"),
    ({"min_granularity": "fortnight"}, "min_granularity"),
    ({"max_event_chars": 5}, "max_event_chars"),
])
def test_bad_parameters_name_the_parameter(seed_corpus, kwargs, name):
    with pytest.raises(ParameterError, match=name):
        T.build_timeline(seed_corpus, **kwargs)


def test_bad_inputs():
    with pytest.raises(ParameterError, match="corpus"):
        T.build_timeline(None)
    with pytest.raises(ParameterError, match="corpus"):
        T.build_timeline(["not a document"])
    with pytest.raises(ParameterError, match="timeline"):
        T.merge_events("not a frame")
    with pytest.raises(ParameterError, match="timeline"):
        T.cluster_events(pd.DataFrame({"x": [1]}))


# ----------------------------------------------------------------------------- event descriptions

@pytest.mark.parametrize("sentence, timex, expected", [
    ("Similarly, the biggest barrier is building relations with Japan, which colonized South Korea from 1910 to 1945.",
     "from 1910 to 1945", "Japan colonized South Korea"),
    ("At the height of the wartime forced labor controversy in 2019, Seoul announced plans to terminate the agreement.",
     "2019", "Seoul announced plans to terminate the agreement"),
    ("Last month, Tokyo and Seoul agreed to lift those export controls, and Seoul withdrew its WTO complaint.",
     "Last month", "Tokyo and Seoul agreed to lift those export controls, and Seoul withdrew its WTO complaint"),
    ("The South Korean Supreme Court in 2018 ruled that Japanese companies must compensate workers.",
     "2018", "The South Korean Supreme Court ruled that Japanese companies must compensate workers"),
])
def test_describe_event(sentence, timex, expected):
    s = sentence.index(timex)
    clause, label = T.describe_event(sentence, s, s + len(timex))
    assert label == expected


def test_describe_event_caps_length_and_checks_offsets():
    sentence = ("Both countries support the vision of a free and open region and attended a NATO summit last summer "
                "where leaders condemned the invasion of Ukraine and raised concerns about threats to the order.")
    s = sentence.index("last summer")
    clause, label = T.describe_event(sentence, s, s + len("last summer"), max_chars=40)
    assert len(label) <= 40 and "NATO summit" in label
    with pytest.raises(ParameterError):
        T.describe_event("short", 3, 99)


# ----------------------------------------------------------------------------- figure

def test_timeline_figure_labels_do_not_overlap(seed_merged):
    import matplotlib

    matplotlib.use("Agg")
    from trilat_lib import plots

    fig = plots.plot_timeline(seed_merged)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert len(fig.axes) == 2  # overview and zoom
    for ax in fig.axes:
        boxes = [t.get_window_extent(renderer) for t in ax.texts]
        assert boxes
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                assert not boxes[i].overlaps(boxes[j]), (ax.texts[i].get_text(), ax.texts[j].get_text())
    labels = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "1910–1945" in labels and "[001, 002]" in labels
    with pytest.raises(ParameterError, match="color_by"):
        plots.plot_timeline(seed_merged, color_by="mood")
    import matplotlib.pyplot as plt

    plt.close("all")


def test_random_and_odd_text_does_not_crash():
    import random

    rng = random.Random(0)
    alphabet = "abc XYZ 0123456789 ,.;:—–-()“”'\n"
    raw = "".join(rng.choice(alphabet) for _ in range(3000))
    docs = [
        _doc(raw, doc_id="r", published=date(2020, 5, 5), date_precision="day"),
        _doc("From 1990 to 1985 nothing - 2001 – 2000 and between 5 and 2019, then 2019-2020.\n", doc_id="s",
             published=date(2020, 5, 5), date_precision="day"),
        _doc("Yesterday, yesterday, the next day and the day before: 12 March 2020 (2020) — 2021.\n", doc_id="t",
             published=date(2020, 5, 5), date_precision="day"),
    ]
    tl = T.build_timeline(docs)
    by_id = {d.doc_id: d for d in docs}
    for r in tl.itertuples():
        d = by_id[r.doc_id]
        assert d.text[r.timex_start:r.timex_end] == r.timex
        assert r.start <= r.end
    T.merge_events(tl)
    T.disagreements(tl)
    assert not ((tl["doc_id"] == "s") & (tl["value"] == "1990/1985")).any()  # backwards ranges are not joined


def test_what_if_published_shows_the_header_date_error(seed_corpus):
    shift = T.what_if_published(seed_corpus["002"], "2023-09-24")
    wed = shift[shift["timex"] == "Wednesday"].iloc[0]
    assert (wed["value"], wed["value_if"]) == ("2023-04-26", "2023-09-27")
    assert (shift["value"] != shift["value_if"]).sum() >= 4
    with pytest.raises(ParameterError, match="published"):
        T.what_if_published(seed_corpus["002"], "Sunday")


def test_build_timeline_reuses_precomputed_annotations(seed_corpus, seed_timeline):
    """Passing tag_corpus() output (whole or concatenated per document, as the annotate engine
    stores it) and country_mentions() output gives the same timeline without tagging again."""
    from trilat_lib.countries import country_mentions

    tx = T.tag_corpus(seed_corpus)
    men = country_mentions(seed_corpus)
    per_doc = pd.concat([T.tag_corpus([d]) for d in seed_corpus], ignore_index=True)
    for kwargs in ({"timexes": tx}, {"mentions": men}, {"timexes": per_doc, "mentions": men}):
        pd.testing.assert_frame_equal(T.build_timeline(seed_corpus, **kwargs), seed_timeline)
    # a frame without the needed columns is refused with a clear message
    with pytest.raises(ParameterError, match="timexes lacks"):
        T.build_timeline(seed_corpus, timexes=tx.drop(columns=["value"]))
    # the precomputed frame is really used: drop one document's expressions
    first = seed_corpus[0].doc_id if hasattr(seed_corpus, "__getitem__") else list(seed_corpus)[0].doc_id
    fewer = T.build_timeline(seed_corpus, timexes=tx[tx["doc_id"] != first])
    assert first not in set(fewer["doc_id"]) and len(fewer) < len(seed_timeline)


def test_merge_events_is_deterministic_across_hash_seeds(tmp_path):
    """Similarities sum idf weights over sets; the result must not depend on the set order."""
    import subprocess
    import sys

    code = ("import trilat_lib.timeline as T, trilat_lib as L; "
            "tl = T.build_timeline(L.load_corpus(), warn=False); "
            "print(T.merge_events(tl, threshold=0.3).to_csv())")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in (1, 2, 3)}
    assert len(outs) == 1


# ----------------------------------------------------------------------------- fast paths = reference

def _random_timeline(seed: int, n: int = 260) -> pd.DataFrame:
    """Mentions with repeated and overlapping clauses, nested and wide intervals, several
    expressions per sentence, country sets and missing granularities: every case the fast
    clustering path must treat as the pair-by-pair reference does."""
    import random

    rng = random.Random(seed)
    lower = ["summit", "export", "controls", "treaty", "ruling", "court", "visit", "talks", "missile", "launched",
             "alliance", "trade", "sanctions", "meeting", "drills", "colonial", "rule", "pact"]
    names = ["Japan", "Korea", "Seoul", "Tokyo", "Biden", "Yoon", "Kishida", "NATO"]
    countries = ["", "", "JPN", "KOR", "USA", "JPN;KOR", "KOR;USA", "PRK", "CHN;JPN", "USA;JPN;KOR"]
    clauses = []
    for _ in range(40):
        words = rng.sample(names, rng.randint(0, 2)) + rng.sample(lower, rng.randint(1, 4))
        rng.shuffle(words)
        clauses.append(" ".join(w if k or rng.random() < 0.7 else w.capitalize() for k, w in enumerate(words)))
    rows = []
    for k in range(n):
        y = rng.randint(1995, 2024)
        kind = rng.choice(["day", "day", "month", "month", "year", "year", "season", "decade", "range", "wide"])
        if kind == "day":
            s = e = date(y, rng.randint(1, 12), rng.randint(1, 28))
        elif kind == "month":
            m = rng.randint(1, 12)
            s, e = date(y, m, 1), date(y, m, 28)
        elif kind == "year":
            s, e = date(y, 1, 1), date(y, 12, 31)
        elif kind == "season":
            s, e = date(y, 6, 1), date(y, 8, 31)
        elif kind == "decade":
            s, e = date(y - y % 10, 1, 1), date(y - y % 10 + 9, 12, 31)
        elif kind == "range":
            s, e = date(y, 1, 1), date(y + rng.randint(1, 4), 12, 31)
        else:
            s, e = date(1900 + rng.randint(0, 20), 1, 1), date(1945 + rng.randint(0, 40), 12, 31)
        gran = {"range": "year", "wide": "year"}.get(kind, kind)
        clause = rng.choice(clauses)
        rows.append({
            "doc_id": f"d{rng.randint(0, 25):02d}", "sentence_id": rng.randint(0, 4), "timex_start": rng.randint(0, 500),
            "start": s, "end": e, "granularity": gran if rng.random() > 0.03 else float("nan"),
            "clause": clause, "event": clause[:30], "countries": rng.choice(countries), "timex": kind,
            "value": f"{y}", "mod": None, "sentence": f"{clause} {rng.choice(names)} said {rng.choice(lower)}.",
            "outlet": rng.choice(["A", "B", None]),
        })
    return pd.DataFrame(rows)


def _candidate_lists(found):
    return [int(x) for x in found[0]], [int(x) for x in found[1]]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_candidates_equal_the_pair_by_pair_reference(seed, monkeypatch):
    tl = _random_timeline(seed)
    for threshold, min_shared, same_gran, guard in [(0.5, 2, False, True), (0.0, 1, False, True),
                                                    (0.3, 1, True, False), (1.0, 3, False, False), (0.7, 2, True, True)]:
        args = (tl, threshold, min_shared, same_gran, guard)
        fast = T._fast_candidates(*args)
        assert fast is not None
        assert _candidate_lists(fast) == T._candidates_by_pairs(*args), args
    monkeypatch.setattr(T, "_BLOCK_WORK", 40)  # many small blocks: the same pairs
    assert _candidate_lists(T._fast_candidates(tl, 0.5, 2, False, True)) == T._candidates_by_pairs(tl, 0.5, 2, False, True)


def test_cluster_events_same_on_both_paths(seed_timeline, monkeypatch):
    frames = [seed_timeline, _random_timeline(3), _random_timeline(4).astype({"granularity": object}),
              _random_timeline(8).sample(frac=0.7, random_state=1)]  # index neither complete nor in order
    fast = [T.merge_events(tl, threshold=0.3) for tl in frames] + [T.cluster_events(tl) for tl in frames]
    monkeypatch.setattr(T, "_fast_candidates", lambda *args: None)
    slow = [T.merge_events(tl, threshold=0.3) for tl in frames] + [T.cluster_events(tl) for tl in frames]
    for a, b in zip(fast, slow):
        if isinstance(a, pd.Series):
            pd.testing.assert_series_equal(a, b)
        else:
            pd.testing.assert_frame_equal(a, b)
    # dates the fast path leaves to the reference (timestamps) still cluster
    ts = frames[1].assign(start=pd.to_datetime(frames[1]["start"]), end=pd.to_datetime(frames[1]["end"]))
    assert T._fast_candidates(ts, 0.5, 2, False, True) is None
    pd.testing.assert_series_equal(T.cluster_events(ts), slow[len(frames) + 1])


def _merge_reference(timeline, ids):
    """merge_events' aggregation as first written (dict records), to check the faster one."""
    cols = ["doc_id", "sentence_id", "start", "end", "granularity", "value", "mod", "event", "timex", "countries", "sentence"]
    recs = timeline.reindex(columns=cols).assign(
        outlet=timeline["outlet"].fillna("unknown").astype(str) if "outlet" in timeline else "unknown",
        _pos=timeline["timex_start"] if "timex_start" in timeline else 0, event_id=ids.values).to_dict("records")
    groups: dict = {}
    for r in recs:
        groups.setdefault(int(r["event_id"]), []).append(r)
    rows = []
    for eid in sorted(groups):
        g = sorted(groups[eid], key=lambda r: (str(r["doc_id"]), r["sentence_id"], r["_pos"]))
        widest = max(g, key=lambda r: (r["end"] - r["start"], T.granularity_rank(r["granularity"])))
        best = max(g, key=lambda r: T._label_score(r["event"] or ""))
        docs = list(dict.fromkeys(str(r["doc_id"]) for r in g))
        sent_keys = list(dict.fromkeys((str(r["doc_id"]), int(r["sentence_id"])) for r in g))
        sentence_of = {(str(r["doc_id"]), int(r["sentence_id"])): r["sentence"] for r in g}
        rows.append({
            "event_id": eid, "start": min(r["start"] for r in g), "end": max(r["end"] for r in g),
            "granularity": widest["granularity"], "value": widest["value"], "mod": widest["mod"], "event": best["event"],
            "n_mentions": len(g), "n_documents": len(docs), "doc_ids": "; ".join(docs),
            "sentence_ids": "; ".join(f"{d}:{s}" for d, s in sent_keys),
            "outlets": "; ".join(dict.fromkeys(r["outlet"] for r in g)),
            "timexes": "; ".join(dict.fromkeys(r["timex"] for r in g)),
            "values": "; ".join(dict.fromkeys(r["value"] for r in g)),
            "countries": ";".join(dict.fromkeys(c for r in g for c in str(r["countries"] or "").split(";") if c)),
            "evidence": " | ".join(f"[{d}:{s}] {sentence_of[(d, s)]}" for d, s in sent_keys),
            "first_doc_id": g[0]["doc_id"], "first_sentence_id": int(g[0]["sentence_id"]),
        })
    out = pd.DataFrame(rows, columns=T.MERGED_COLUMNS)
    return out.sort_values(["start", "end", "event_id"], kind="stable").reset_index(drop=True)


def test_merge_events_rows_equal_the_reference_aggregation(seed_timeline):
    for tl in (seed_timeline, _random_timeline(5), _random_timeline(6).drop(columns=["outlet", "mod", "timex_start"])):
        for threshold in (0.5, 0.2):
            ids = T.cluster_events(tl, threshold=threshold)
            pd.testing.assert_frame_equal(T.merge_events(tl, threshold=threshold), _merge_reference(tl, ids))
        unmerged = pd.Series(range(1, len(tl) + 1), index=tl.index, dtype="Int64")
        pd.testing.assert_frame_equal(T.merge_events(tl, merge=False), _merge_reference(tl, unmerged))


@pytest.mark.parametrize("dense", [True, False])
def test_similarity_table_is_bit_identical_to_sim(monkeypatch, dense):
    import random

    import numpy as np

    if not dense:
        monkeypatch.setattr(T._SimilarityTable, "DENSE_LIMIT", 0)
    rng = random.Random(7)
    words = [f"w{k:02d}" for k in range(30)]
    feats = []
    for _ in range(120):
        ws = frozenset(rng.sample(words, rng.randint(0, 7)))
        feats.append((ws, frozenset(w for w in ws if rng.random() < 0.6)))
    idf = {w: math.log((1 + 97) / (1 + rng.randint(0, 96))) + 0.05 for w in words[:-3]}  # the last 3 weigh 1.0
    table = T._SimilarityTable.make(feats, idf)
    a, b = np.triu_indices(len(feats))
    for min_shared in (1, 2, 3):
        got = table(a, b, min_shared)
        totals = [math.fsum(idf.get(t, 1.0) for t in f[0]) for f in feats]
        want = [T._sim(feats[i], feats[j], min_shared, idf, (totals[i], totals[j])) for i, j in zip(a, b)]
        assert got.tolist() == want  # exactly, not approximately


def _tidy_reference(s):
    """The substitutions of ``timeline._TIDY_SUBS`` in turn, then ``strip()``."""
    for rx, repl in T._TIDY_SUBS:
        s = rx.sub(repl, s)
    return s.strip()


def test_fast_text_helpers_equal_their_definitions(seed_corpus):
    import random

    from trilat_lib.text import tokens

    rng = random.Random(3)
    pieces = [s.text for d in seed_corpus for s in d.sentences]
    alphabet = ["  ", " ", "\n", "\t", ",", ", ,", ";", ":", "—", "–", "-", "“", "‘", "”", "’", ".", "\u00a0",
                "word", "Japan", "the", "2019", "$5", "U.S.", "’s", T._MARK]
    pieces += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25))) for _ in range(3000)]
    for p in pieces:
        assert T._tidy(p) == _tidy_reference(p), p
        assert T._content_words(p) == len(tokens(p.replace(T._MARK, " "), remove_stopwords=True, keep_numbers=False)), p


# ----------------------------------------------------------------------------- figure bounded on large corpora

def _many_events(n_events=5000, n_sources=3000, seed=0):
    import random

    rng = random.Random(seed)
    docs = [f"syn_{k:06d}" for k in range(n_sources)]
    rows = []
    for k in range(n_events):
        y = rng.randint(1990, 2024)
        s = date(y, rng.randint(1, 12), rng.randint(1, 28))
        n_docs = rng.choice([1, 1, 1, 2, 3]) if k % 50 else rng.randint(500, n_sources)  # a few reported everywhere
        ids = rng.sample(docs, n_docs)
        rows.append({"event_id": k + 1, "start": s, "end": s, "granularity": "day", "value": s.isoformat(), "mod": None,
                     "event": f"Event number {k} was reported by many outlets in a long description", "n_mentions": n_docs,
                     "n_documents": n_docs, "doc_ids": "; ".join(ids), "countries": rng.choice(["JPN", "KOR;USA", ""])})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("color_by", ["source", "country"])
def test_timeline_figure_is_bounded_by_max_events(color_by):
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from trilat_lib import plots

    events = _many_events()
    for max_events in (80, 400):
        fig = plots.plot_timeline(events, color_by=color_by, max_events=max_events)
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert len(texts) <= max_events + 1  # one label per drawn event, and the zoom note
        assert max(map(len, texts)) < 250  # "+N more", not thousands of document ids
        legend = fig.axes[0].get_legend().get_texts()
        assert len(legend) <= len(plots.SOURCE_PALETTE) + 1
        assert fig.get_size_inches()[1] <= 2.2 + 0.3 * (max_events + 2)
        if max_events == 80:  # the saved image stays a normal size (it once exhausted memory)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=40, bbox_inches="tight")
            width, height = (int.from_bytes(buf.getvalue()[k:k + 4], "big") for k in (16, 20))
            assert width < 2000 and height < 2000
        plt.close(fig)
    assert "more]" in " ".join(texts)
    if color_by == "source":  # single-source events from many documents: the palette's worth, then "others"
        single = events.assign(doc_ids=events["doc_ids"].str.split("; ").str[0], n_documents=1)
        fig = plots.plot_timeline(single, color_by=color_by, max_events=80)
        legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        assert len(legend) == len(plots.SOURCE_PALETTE) and legend[-1].endswith(" other documents")
        plt.close(fig)


def test_timeline_figure_colours_each_document_when_few(seed_merged):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from trilat_lib import plots

    fig = plots.plot_timeline(seed_merged)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    docs = sorted({d.strip() for ids in seed_merged["doc_ids"] for d in ids.split(";")})
    assert legend == [f"document {d}" for d in docs] + ["several documents"]
    plt.close(fig)


@pytest.mark.parametrize("published", [date(1, 1, 1), date(9999, 12, 31)])
def test_documents_dated_at_the_ends_of_the_calendar_do_not_raise(published):
    """Issue 13: relative dates that fall outside years 1-9999 are skipped with a warning."""
    from trilat_lib.timex import TimexWarning

    raw = ("Export limits\n\nThe dispute began long ago, officials said on Monday.\nIn 2019 talks failed after a long "
           "dispute. That\nsame year, Japan imposed limits on exports.\nTalks stalled last month. Yesterday they met, "
           "and next year they meet again.\nFive years ago it began; the next day it ended.\n")
    doc = _doc(raw, published=published, date_precision="day")
    with pytest.warns(TimexWarning):
        tl = T.build_timeline([doc])
    assert set(tl["value"]) >= {"2019"}
    assert tl.loc[tl["timex"].str.startswith("That"), "value"].tolist() == ["2019"]  # hard-wrapped "That\nsame year"
    T.merge_events(tl)


def test_timex_rows_cut_long_sentences_around_the_expression() -> None:
    """A sentence longer than SENTENCE_CHARS is shown as an excerpt around each expression, so a
    sentence packed with dates does not repeat itself on every row; short ones stay whole."""
    from trilat_lib.corpus import Document
    from trilat_lib.timeline import SENTENCE_CHARS, tag_corpus

    long_one = "Japan " + "and Korea met again " * 60 + "in 2019 and signed a pact."
    doc = Document(doc_id="d", raw=f"Seoul met Tokyo in 2018.\n\n{long_one}", published="2023-04-24",
                   date_precision="day")
    rows = tag_corpus([doc])
    short, cut = rows[rows["timex"] == "2018"].iloc[0], rows[rows["timex"] == "2019"].iloc[0]
    assert short["sentence"] == "Seoul met Tokyo in 2018."
    assert len(long_one) > SENTENCE_CHARS
    assert cut["sentence"].startswith("… ") and "in 2019 and signed a pact." in cut["sentence"]
    assert len(cut["sentence"]) <= SENTENCE_CHARS + 4
