"""Tests for trilat_lib.timex: each expression family, the non-date traps, DCT precision, bad input,
robustness (random/adversarial text), the seeds' expressions, and the TempEval-3 scorer."""
from __future__ import annotations

import random
import time
from datetime import date

import sys

import pytest

from trilat_lib.paths import PROJECT_ROOT

if str(PROJECT_ROOT) not in sys.path:  # benchmarks/ is a top-level package beside trilat_lib
    sys.path.insert(0, str(PROJECT_ROOT))

from trilat_lib.errors import ParameterError
from trilat_lib.timex import Timex, granularity, interval, tag


def values(text, dct="2023-04-24", precision=None):
    return {t.text: t.value for t in tag(text, dct, precision)}


def find(text, expr, dct="2023-04-24", precision=None) -> Timex:
    hits = [t for t in tag(text, dct, precision) if t.text == expr]
    assert hits, f"{expr!r} not tagged in {text!r}: {tag(text, dct, precision)}"
    return hits[0]


# --------------------------------------------------------------------------- explicit dates

@pytest.mark.parametrize("text,expr,value", [
    ("It happened on March 6, 2021 in Seoul.", "March 6, 2021", "2021-03-06"),
    ("It happened on 6 March 2021 in Seoul.", "6 March 2021", "2021-03-06"),
    ("Filed 2021-03-06 by the court.", "2021-03-06", "2021-03-06"),
    ("The photo was taken Oct. 27, 2016.", "Oct. 27, 2016", "2016-10-27"),
    ("The photo was taken October 27, 2016.", "October 27, 2016", "2016-10-27"),
    ("Talks began in August 1988.", "August 1988", "1988-08"),
    ("The treaty of 1965 normalised ties.", "1965", "1965"),
    ("Growth slowed in the 1990s.", "the 1990s", "199"),
    ("Japan in the 20th century.", "the 20th century", "19"),
    ("Sales in the fourth quarter of 2022 fell.", "the fourth quarter of 2022", "2022-Q4"),
    ("Profits rose in the first half of 2021.", "the first half of 2021", "2021-H1"),
    ("They met in the summer of 2019.", "the summer of 2019", "2019-SU"),
])
def test_explicit_dates(text, expr, value):
    t = find(text, expr)
    assert t.value == value and t.type == "DATE" and not t.anchored


def test_ranges_tag_each_end():
    for text in ("colonial rule from 1910 to 1945.", "in 1998–2000 it grew", "from 1998 to 2000 it grew"):
        vals = [t.value for t in tag(text, "2023-04-24")]
        assert len(vals) == 2 and vals[0] in ("1910", "1998") and vals[1] in ("1945", "2000"), vals


# --------------------------------------------------------------------------- relative to the DCT

@pytest.mark.parametrize("text,expr,value", [
    ("The report was published today.", "today", "2023-04-24"),
    ("He said yesterday that talks failed.", "yesterday", "2023-04-23"),
    ("Leaders met last month.", "last month", "2023-03"),
    ("He visits this week.", "this week", "2023-W17"),
    ("They met Last November in Phnom Penh.", "Last November", "2022-11"),
    ("They attended a summit last summer.", "last summer", "2022-SU"),
    ("In March, the two countries began taking steps.", "March", "2023-03"),
    ("Five years ago, the deal was signed.", "Five years ago", "2018"),
    ("Exports grew next year, officials will say.", "next year", "2024"),
])
def test_relative_expressions(text, expr, value):
    t = find(text, expr)
    assert t.value == value and t.anchored


def test_as_soon_as_year():
    assert find("A new plant could open as soon as 2027.", "2027").value == "2027"


def test_weekday_is_tense_aware():
    dct = "2023-04-24"  # a Monday
    assert find("He will attend a state dinner on Wednesday.", "Wednesday", dct).value == "2023-04-26"
    assert find("He attended a state dinner on Wednesday, officials said.", "Wednesday", dct).value == "2023-04-19"


def test_month_is_tense_aware():
    dct = "2023-04-24"
    assert find("The summit was held in June, officials said.", "June", dct).value == "2022-06"
    assert find("The summit will be held in June.", "June", dct).value == "2023-06"


def test_past_n_years_is_duration():
    t = find("North Korea made strides in the past five years.", "the past five years", "2022-07", "month")
    assert (t.type, t.value) == ("DURATION", "P5Y")


# --------------------------------------------------------------------------- anaphora

def test_anaphora_against_previous_date():
    text = "The dinner was on March 3, 2021. The next day, talks resumed. The following month, a deal came."
    v = values(text)
    assert v["The next day"] == "2021-03-04"
    assert v["The following month"] == "2021-04"
    text = "The court ruled in 2018. That same year, relations soured."
    assert values(text)["That same year"] == "2018"


# --------------------------------------------------------------------------- durations, sets, mods

@pytest.mark.parametrize("text,expr,typ,value", [
    ("He won a five-year term.", "five-year", "DURATION", "P5Y"),
    ("They have clashed for decades.", "for decades", "DURATION", "PXDE"),
    ("The annual meeting was held.", "annual", "SET", "P1Y"),
    ("He spoke for three hours.", "three hours", "DURATION", "PT3H"),
])
def test_durations_and_sets(text, expr, typ, value):
    t = find(text, expr)
    assert (t.type, t.value) == (typ, value)


@pytest.mark.parametrize("text,expr,value,mod", [
    ("Elections are due in late 2022.", "late 2022", "2022", "END"),
    ("It began in early 1990.", "early 1990", "1990", "START"),
    ("It peaked in mid-1996.", "mid-1996", "1996", "MID"),
    ("It lasted more than two years.", "more than two years", "P2Y", "MORE_THAN"),
])
def test_mods(text, expr, value, mod):
    t = find(text, expr)
    assert (t.value, t.mod) == (value, mod)


# --------------------------------------------------------------------------- traps

@pytest.mark.parametrize("text", [
    "COVID-19 hit trade.", "The margin was 0.74 percent.", "They cooperate on 5G and 6G.", "The G7 met.",
    "A $228 billion package.", "The Chip 4 alliance.", "2+2+2 summits were proposed.",
    "Approval fell to a 41-year low.", "The third- and tenth-largest economies.", "An 84-year-old survivor.",
    "A track-II dialogue.", "He has 1500 troops and 2000 people.", "Call 555-1234 or visit page 1999.",
])
def test_non_dates_are_not_tagged(text):
    assert tag(text, "2023-04-24") == [], tag(text, "2023-04-24")


# --------------------------------------------------------------------------- DCT precision and bad input

def test_month_precision_never_invents_a_day():
    assert find("The report published today.", "today", "2021-01-25", "month").value == "2021-01"
    assert find("The report published today.", "today", "2021-01").value == "2021-01"
    assert find("The dinner is on Wednesday.", "Wednesday", "2021-01", "month").value == "XXXX-WXX-3"
    assert find("The report published today.", "today", "2023", None).value == "2023"


def test_no_dct_gives_underspecified_values():
    v = values("In March, talks began. Recently, ties improved.", None)
    assert v["March"] == "XXXX-03" and v["Recently"] == "PAST_REF"


@pytest.mark.parametrize("dct,precision", [("yesterday", None), ("2023-13-01", None), (20230424, None),
                                           ("2023-04-24", "week"), (["2023"], None)])
def test_bad_dct_raises_parameter_error(dct, precision):
    with pytest.raises(ParameterError) as e:
        tag("today", dct, precision)
    assert ("dct" in str(e.value)) or ("precision" in str(e.value))


def test_bad_text_raises():
    with pytest.raises(ParameterError, match="text"):
        tag(None, "2023-04-24")


# --------------------------------------------------------------------------- interval / granularity

@pytest.mark.parametrize("value,first,last,gran", [
    ("2019", date(2019, 1, 1), date(2019, 12, 31), "year"),
    ("2022-SU", date(2022, 6, 1), date(2022, 8, 31), "season"),
    ("2022-WI", date(2022, 12, 1), date(2023, 2, 28), "season"),
    ("2022-Q4", date(2022, 10, 1), date(2022, 12, 31), "quarter"),
    ("2022-H1", date(2022, 1, 1), date(2022, 6, 30), "half"),
    ("199", date(1990, 1, 1), date(1999, 12, 31), "decade"),
    ("19", date(1900, 1, 1), date(1999, 12, 31), "century"),
    ("2023-W17", date(2023, 4, 24), date(2023, 4, 30), "week"),
    ("2023-04-26", date(2023, 4, 26), date(2023, 4, 26), "day"),
    ("2022-06", date(2022, 6, 1), date(2022, 6, 30), "month"),
])
def test_interval_and_granularity(value, first, last, gran):
    assert interval(value) == (first, last)
    assert granularity(value) == gran


@pytest.mark.parametrize("value", ["PAST_REF", "P5Y", "XXXX-03", "XXXX-WXX-3", "", "2023-02-30"])
def test_interval_none_for_non_dates(value):
    assert interval(value) is None


# --------------------------------------------------------------------------- robustness

def test_random_text_offsets_valid():
    rng = random.Random(0)
    vocab = ["May", "March", "1999", "the", "next", "day", "last", "year", "in", "2021-03-06", "Oct.", "27,", "-",
             "COVID-19", "5G", "$", "percent", "ago", "five", "years", "Wednesday", "summer", "\n", ",", "’s", "mid-"]
    for _ in range(30):
        text = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 200)))
        for dct in ("2023-04-24", "2021-01", "2023", None):
            for t in tag(text, dct):
                assert 0 <= t.start < t.end <= len(text) and text[t.start:t.end] == t.text
                assert t.type in ("DATE", "TIME", "DURATION", "SET")


def test_adversarial_input_is_fast():
    chunk = "1999 2000 May March 12 34567 June, 2021 - 5 years ago the next " * 10 + "1" * 500 + " " * 300
    text = (chunk * (200_000 // len(chunk) + 1))[:200_000]
    t0 = time.perf_counter()
    tag(text, "2023-04-24")
    assert time.perf_counter() - t0 < 1.0


# --------------------------------------------------------------------------- seeds

SEED_EXPECTED = {
    "000": [("Last month", "2022-06"), ("June", "2022-06"), ("February", "2022-02"), ("late 2022", "2022"),
            ("five years ago", "2017"), ("the past five years", "P5Y"), ("2018", "2018"), ("1965", "1965")],
    "001": [("today", "2021-01"), ("1910", "1910"), ("1945", "1945"), ("2019", "2019"), ("2017", "2017")],
    "002": [("Wednesday", "2023-04-26"), ("the next day", "2023-04-27"), ("this week", "2023-W17"),
            ("March", "2023-03"), ("Last November", "2022-11"), ("last summer", "2022-SU"),
            ("Last month", "2023-03"), ("Last year", "2022"), ("That same year, 2019", "2019"), ("2042", "2042"),
            ("February", "2023-02")],
    "003": [("May last year", "2022-05"), ("2027", "2027"), ("1998", "1998"), ("2000", "2000"),
            ("last summer", "2022-SU"), ("five-year", "P5Y"), ("2022", "2022")],
}


@pytest.mark.parametrize("doc_id", sorted(SEED_EXPECTED))
def test_seed_expressions(seed_corpus, doc_id):
    doc = next(d for d in seed_corpus if d.doc_id == doc_id)
    found = {}
    for t in tag(doc.text, doc.published, doc.date_precision):
        found.setdefault(t.text, set()).add(t.value)
    for expr, value in SEED_EXPECTED[doc_id]:
        assert value in found.get(expr, set()), f"{doc_id}: {expr!r} -> {found.get(expr)} (want {value})"
    for t in tag(doc.text, doc.published, doc.date_precision):
        if doc.date_precision != "day" and t.anchored:
            g = granularity(t.value)
            assert g not in ("day", "week"), f"{doc_id}: {t} invents a day from a {doc.date_precision} DCT"


def test_seed_001_raw_caption_date():
    assert find("Antony Blinken poses for a photo ... October 27, 2016. REUTERS", "October 27, 2016",
                "2021-01", "month").value == "2016-10-27"


# --------------------------------------------------------------------------- TempEval-3 scorer

def _span(s, e, typ="DATE", value="2019"):
    from benchmarks.timeml_eval import Span
    return Span(s, e, "", typ, value)


def test_scorer_hand_made_pairs():
    from benchmarks.timeml_eval import score_document
    text = "On Tuesday evening in 2019 and for five years we met today."
    #       0123456789...
    gold = [_span(3, 18, "TIME", "2019-01-01TEV"), _span(22, 26, "DATE", "2019"), _span(35, 45, "DURATION", "P5Y")]
    system = [_span(3, 10, "DATE", "2019-01-01"),   # relaxed match, wrong type and value
              _span(22, 26, "DATE", "2019"),        # strict match, correct
              _span(35, 45, "DURATION", "P4Y"),     # strict match, wrong value
              _span(54, 59, "DATE", "2019-01-01")]  # false positive
    c, outcomes = score_document(text, gold, system)
    m = c.measures()
    assert (c.strict_sys, c.strict_gold, c.relaxed_sys, c.relaxed_gold, c.pairs) == (2, 2, 3, 3, 3)
    assert m["strict_p"] == pytest.approx(50.0) and m["strict_r"] == pytest.approx(200 / 3)
    assert m["relaxed_p"] == pytest.approx(75.0) and m["relaxed_r"] == pytest.approx(100.0)
    rf1 = 2 * 0.75 * 1.0 / 1.75
    assert m["relaxed_f1"] == pytest.approx(100 * rf1)
    assert m["value_f1"] == pytest.approx(100 * rf1 / 3)
    assert m["type_f1"] == pytest.approx(100 * rf1 * 2 / 3)
    kinds = sorted(k for k, _, _ in outcomes)
    assert kinds == ["fp", "ok", "wrong_value", "wrong_value"]


def test_scorer_perfect_and_empty():
    from benchmarks.timeml_eval import score_document
    gold = [_span(0, 4)]
    assert score_document("2019", gold, gold)[0].measures()["value_f1"] == pytest.approx(100.0)
    m = score_document("2019", gold, [])[0].measures()
    assert m["relaxed_f1"] == 0.0 and m["value_f1"] == 0.0


def test_read_tml_offsets(shared_data):
    from benchmarks.timeml_eval import read_tml
    files = sorted((shared_data / "timeml" / "timebank").glob("*.tml"))[:5]
    for f in files:
        doc = read_tml(f)
        assert len(doc.dct) == 10
        for g in doc.gold:
            assert doc.text[g.start:g.end].strip(), g


def test_timebank_subset_value_f1_floor(shared_data):
    """trilat on 12 fixed TimeBank files: value F1 must stay above a floor (regression guard)."""
    from benchmarks.timeml_eval import Counts, read_tml, run_trilat, score_document
    files = sorted((shared_data / "timeml" / "timebank").glob("*.tml"))[:12]
    total = Counts()
    for f in files:
        doc = read_tml(f)
        total += score_document(doc.text, doc.gold, run_trilat(doc))[0]
    m = total.measures()
    assert total.n_gold > 50
    assert m["relaxed_f1"] > 80.0, m
    assert m["value_f1"] > 65.0, m
