"""Tests for trilat_lib.timex: each expression family, the non-date traps, DCT precision, bad input,
robustness (random/adversarial text), the seeds' expressions, and the TempEval-3 scorer."""
from __future__ import annotations

import collections
import random
import re
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


def test_irregular_past_forms_are_past_tense():
    dct = "2023-02-10"
    assert find("In March she wrote a letter to the minister.", "March", dct).value == "2022-03"
    assert find("The minister went to Seoul in March.", "March", dct).value == "2022-03"
    assert find("The minister will go to Seoul in March.", "March", dct).value == "2023-03"
    assert find("On Wednesday he spoke to reporters.", "Wednesday", "2023-04-24").value == "2023-04-19"
    assert find("The summit will be held in June.", "June", "2023-04-24").value == "2023-06"
    assert find("On Wednesday he will speak to reporters.", "Wednesday", "2023-04-24").value == "2023-04-26"
    assert find("The talks began in March.", "March", "2023-02-10").value == "2022-03"


def test_month_day_is_not_cut_to_the_month():
    # "last Oct. 23" is a day, not "last Oct." (the month-alone rule must give way to a day number)
    assert values("He was shot last Oct. 23 at his home.", "1999-04-19") == {"Oct. 23": "1998-10-23"}
    assert "October" not in values("It opened on October 5 in Seoul.")
    # a colon after the day (an editorial's dateline) still ends a date; a clock time does not
    t = find("The Times said in an editorial on Saturday, April 25: The court", "Saturday, April 25", "1998-04-24")
    assert t.value == "1998-04-25"
    assert "April 25" not in values("The race started April 25:30 ago.")


def test_clock_time_joins_its_day():
    dct = "1998-02-13"  # a Friday
    t = find("He was kidnapped at 10 p.m. Wednesday, police said.", "10 p.m. Wednesday", dct)
    assert (t.type, t.value) == ("TIME", "1998-02-11T22:00")
    assert find("Talks broke off at noon Thursday.", "noon Thursday", dct).value == "1998-02-12T12:00"
    assert find("Bids are due by 5 p.m. EST Nov. 9, 1998.", "5 p.m. EST Nov. 9, 1998", dct).value == "1998-11-09T17:00"
    # not adjacent: two expressions
    assert values("It began at 10 p.m. and ended Wednesday.", dct) == {"10 p.m.": "1998-02-13T22:00", "Wednesday": "1998-02-11"}


def test_adjectival_annual_and_quarterly_are_not_sets():
    assert values("The company raised its quarterly dividend.") == {}
    assert values("Shareholders met at the annual meeting.") == {}
    assert values("Sales should rise 8.5% annually.") == {}
    assert find("Quarterly net income has risen.", "Quarterly").value == "P3M"
    assert find("The festival is held annually in May.", "annually").value == "P1Y"


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
    ("They have clashed for decades.", "decades", "DURATION", "PXDE"),
    ("Annual meetings are held in Seoul.", "Annual", "SET", "P1Y"),  # "the annual meeting": see below
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


ADVERSARIAL_CHUNK = "1999 2000 May March 12 34567 June, 2021 - 5 years ago the next " * 10 + "1" * 500 + " " * 300


def test_adversarial_input_is_tagged_correctly():
    """Long digit and space runs produce no expression and do not hide the real ones around them.
    (Its speed, linear in the length, is measured by benchmarks/timeml_eval.py, not here.)"""
    text = (ADVERSARIAL_CHUNK * (200_000 // len(ADVERSARIAL_CHUNK) + 1))[:200_000]
    out = tag(text, "2023-04-24")
    runs = [m.span() for m in re.finditer(r"1{50,}", text)]
    assert len(runs) == 140
    assert not [t for t in out if any(t.start < e and s < t.end for s, e in runs)]
    chunks = text.count("1999 2000 May")
    assert chunks == 1400
    found = collections.Counter((t.text, t.value) for t in out)
    for expr in (("1999", "1999"), ("June, 2021", "2021-06"), ("5 years ago", "2018")):
        assert found[expr] == chunks, expr
    assert not any(t.text.strip("1") == "" for t in out)  # nothing from digit runs alone


# --------------------------------------------------------------------------- anchored scanning

def _sample(items, rnd, long_bias):
    """A random string from a parsed regular expression, biased towards long ones (lookarounds
    ignored, so not every sample matches)."""
    from re import _constants as C

    out = []
    for op, av in items:
        if op is C.LITERAL:
            out.append(chr(av).upper() if rnd.random() < 0.1 else chr(av))
        elif op is C.NOT_LITERAL:
            out.append(" " if chr(av) != " " else "x")
        elif op is C.IN:
            opts = []
            for op2, av2 in av:
                if op2 is C.LITERAL:
                    opts.append(chr(av2))
                elif op2 is C.RANGE:
                    opts.append(chr(rnd.randint(*av2)))
                elif op2 is C.CATEGORY:
                    name = str(av2)
                    opts.append(rnd.choice([" ", "\n", "\t", "\u00a0"]) if "SPACE" in name and "NOT" not in name
                                else rnd.choice("0123456789") if "DIGIT" in name and "NOT" not in name
                                else rnd.choice("abZ09_") if "WORD" in name and "NOT" not in name else ",")
                elif op2 is C.NEGATE:
                    opts = [" ", ",", "!"]
                    break
            out.append(rnd.choice(opts or ["x"]))
        elif op is C.SUBPATTERN:
            out.append(_sample(av[-1], rnd, long_bias))
        elif op is C.BRANCH:
            alts = list(av[1])
            if rnd.random() < long_bias:
                alts = sorted(alts, key=lambda a: -len(_sample(a, random.Random(0), 1.0)))[:2]
            out.append(_sample(rnd.choice(alts), rnd, long_bias))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, item = av
            if hi == C.MAXREPEAT:
                hi = lo + rnd.choice([1, 2, 5, 40])
            k = hi if rnd.random() < long_bias else rnd.randint(lo, hi)
            out.append("".join(_sample(item, rnd, long_bias) for _ in range(k)))
        elif op is C.ASSERT and av[0] > 0 and rnd.random() < 0.5:
            out.append(_sample(av[1], rnd, long_bias))
    return "".join(out)


def _scan_texts():
    from re import _parser

    from trilat_lib import load_corpus
    from trilat_lib.timex import _RULES

    rnd = random.Random(7)
    parsed = [list(_parser.parse(rx.pattern, rx.flags)) for _, rx, _ in _RULES]
    filler = "the of and said was is to in a an 12 2019 year March Monday ’s , . ( ) -".split()
    texts = [d.text for d in load_corpus()] + [ADVERSARIAL_CHUNK * 3, "summer" + " " * 300 + "of 2019",
                                               "on Monday" + " \n" * 100 + ", March 5", "ſummer \u0130n March, 2020"]
    for _ in range(400):
        parts = []
        for _ in range(rnd.randint(1, 12)):
            parts.append(" ".join(rnd.choice(filler) for _ in range(rnd.randint(0, 6))))
            parts.append(_sample(rnd.choice(parsed), rnd, rnd.choice([0.0, 0.5, 1.0])))
        texts.append("".join(p + rnd.choice(["", " ", "\n", ", "]) for p in parts))
    return texts


def test_anchored_scanning_finds_exactly_the_whole_text_matches(monkeypatch):
    """Each rule runs only around its anchors (trilat_lib.timex._rule_matches); that must give
    exactly what searching the whole text gives, for every rule, on the seeds, adversarial
    input and strings generated from the rules' own patterns (long ones, odd whitespace)."""
    from trilat_lib import timex

    monkeypatch.setattr(timex, "_WHOLE_TEXT_SHARE", float("inf"))  # never fall back to one pass
    n = 0
    for text in _scan_texts():
        hits = timex._anchor_hits(text)
        for name, rx, _ in timex._RULES:
            whole = [m.span() for m in rx.finditer(text)]
            assert [m.span() for m in timex._rule_matches(name, rx, text, hits)] == whole, (name, text[:200])
            n += len(whole)
    assert n > 2000  # the generated texts do contain matches


def test_every_rule_is_anchored():
    from trilat_lib import timex

    assert set(timex._SCAN_REACH) == {name for name, _, _ in timex._RULES}


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


# --------------------------------------------------------------------------- issue 11/13: robustness and narrative text

def test_hard_wrapped_words_are_read_as_one_phrase():
    """"That\\nsame year" (a line break inside the phrase) used to raise KeyError: 'that\\nsame'."""
    got = tag("In 2019 talks failed. That\nsame year, Japan imposed limits.", "2023-04-24")
    assert [(t.text, t.value) for t in got] == [("2019", "2019"), ("That\nsame year", "2019")]
    assert find("It ended at\nthe end of\n2020.", "the end of\n2020").mod == "END"


@pytest.mark.parametrize("text,dct", [
    ("It happened twenty-one centuries ago.", "2023-04-24"),
    ("Sales in the first quarter 0000 were low.", "2023-01-01"),
    ("On 9999-12-31 it ended. The next day it began again.", "2023-01-01"),
    ("Last month, yesterday and last year the talks stalled.", "0001-01-01"),
    ("Next month, tomorrow and two centuries from now they resume.", "9999-12-31"),
])
def test_out_of_range_dates_are_skipped_with_a_warning(text, dct):
    from trilat_lib.timex import TimexWarning
    with pytest.warns(TimexWarning, match="outside the calendar years"):
        got = tag(text, dct)
    for t in got:  # whatever is kept is a real date
        if granularity(t.value) is not None:
            assert interval(t.value) is not None, t


def test_wire_clock_times_are_not_years():
    got = {t.text: (t.type, t.value) for t in tag("Trading opened at 1200 GMT and closed at 1830 GMT.", "2004-03-02")}
    assert got == {"1200 GMT": ("TIME", "2004-03-02T12:00"), "1830 GMT": ("TIME", "2004-03-02T18:30")}
    assert values("The bridge was built in 1830 by convicts.") == {"1830": "1830"}


def test_offset_after_a_month_stays_in_the_month():
    """'Two days later' after 'May 1940' is 1940-05 (month precision), not May + 2 months."""
    assert values("Paris fell in May 1940. Two days later the government left.", "2004-01-01")["Two days later"] == "1940-05"
    assert values("Paris fell on June 14, 1940. Two days later the government left.",
                  "2004-01-01")["Two days later"] == "1940-06-16"
    assert values("The war began in 1939. Six months later Paris fell.", "2004-01-01")["Six months later"] == "1939"


@pytest.mark.parametrize("text,expr,value", [
    ("Pericles led Athens in 445 BC after the truce.", "445 BC", "BC0445"),
    ("Rome was sacked in 390 B.C. by the Gauls.", "390 B.C.", "BC0390"),
    ("Alexander lived in the 4th century BC and died young.", "the 4th century BC", "BC03"),
    ("Vesuvius erupted in AD 79 and buried Pompeii.", "AD 79", "0079"),
])
def test_era_years(text, expr, value):
    assert find(text, expr, "2004-01-01").value == value


NARRATIVE = (
    "Athens and Sparta signed a truce in 445 BC. In the 4th century BC Macedon rose.\n\n"
    "Paris fell in May 1940. Two days later the government left for Bordeaux. On June 10 Italy "
    "declared war, and in December the bombing went on.\n\n"
    "Last month a museum in Paris opened an exhibition on the war. It closes on June 10."
)


def test_narrative_history_paragraphs():
    """A history-style text of our own: BC dates, offsets from the story's time, and year-less
    dates read in the story's year, while a new paragraph in the present goes back to the DCT."""
    got = [(t.text, t.value) for t in tag(NARRATIVE, "2004-03-02")]
    assert got == [
        ("445 BC", "BC0445"), ("the 4th century BC", "BC03"),
        ("May 1940", "1940-05"), ("Two days later", "1940-05"), ("June 10", "1940-06-10"), ("December", "1940-12"),
        ("Last month", "2004-02"), ("June 10", "2004-06-10"),
    ]


def test_year_less_dates_in_news_still_use_the_dct():
    """A year mentioned in passing ("since 2017") does not move year-less dates away from the DCT."""
    assert values("Since 2017 exports have grown. In June they fell.", "2022-07-15")["June"] == "2022-06"
    assert values("Ties dating back to 1999 frayed. On June 10 the minister said so.", "2022-07-15")["June 10"] == "2022-06-10"


def test_passive_participles_and_deadlines_are_not_past_tense():
    # "will be named": a participle after "be", not a past tense; "by February": a deadline ahead
    assert values("Collins will be named commander for a mission in December.", "1998-03-04")["December"] == "1998-12"
    assert values("The sale, which had been expected, is part of a plan to pay down the loan by February.",
                  "1989-10-30")["February"] == "1990-02"
    assert values("Exports fell in February, the ministry said.", "1989-10-30")["February"] == "1989-02"


# --------------------------------------------------------------------------- issue 11: TimeML value conventions

@pytest.mark.parametrize("text,expr,value", [
    # "after/before" + an event is a signal: the expression is the duration (TimeML), not a date
    # computed from whatever date came before
    ("In 1978 NASA chose astronauts. Twenty years after the first astronauts were chosen, it changed.",
     "Twenty years", "P20Y"),
    ("The warrants may be exercised until 90 days after their issue date.", "90 days", "P90D"),
    ("The banks must wait at least 30 days before closing the purchase.", "at least 30 days", "P30D"),
    ("He spoke several months before he entered his current position.", "several months", "PXM"),
])
def test_duration_before_an_event_is_a_duration(text, expr, value):
    t = find(text, expr, "1989-10-27")
    assert (t.type, t.value) == ("DURATION", value)


def test_offset_without_an_event_is_still_a_date():
    """Nothing follows "after"/"before": the offset is from the previous date, as before."""
    assert values("They met on June 14, 1940, and she came two days after.", "2004-01-01")["two days after"] == "1940-06-16"
    assert values("They met on June 14, 1940. Two days before, it rained.", "2004-01-01")["Two days before"] == "1940-06-12"


@pytest.mark.parametrize("text,expr,value", [
    ("In nineteen ninety-one Charles Keating was convicted.", "nineteen ninety-one", "1991"),
    ("The city could have used protection in nineteen seventy-nine when", "nineteen seventy-nine", "1979"),
    ("His promise to halve unemployment by the year two thousand has been abandoned.", "the year two thousand", "2000"),
    ("January nineteen ninety-seven. Atlanta again.", "January nineteen ninety-seven", "1997-01"),
    ("the level we saw in the winter of nineteen ninety-four.", "the winter of nineteen ninety-four", "1994-WI"),
])
def test_years_in_words(text, expr, value):
    assert find(text, expr, "1998-02-27").value == value


def test_years_in_words_that_are_counts_are_not_dates():
    assert values("The jacket cost nineteen ninety-nine dollars.", "1998-02-27") == {}
    assert values("There were two thousand people.", "1998-02-27") == {}


@pytest.mark.parametrize("text,expr", [
    ("The units had revenue of $76 million for the year ended March 31.", "the year"),
    ("In the fiscal year ended Jan. 31, the company reported sales of $59.5 million.", "the fiscal year"),
])
def test_year_ended_is_a_one_year_duration(text, expr):
    t = find(text, expr, "1989-10-31")
    assert (t.type, t.value) == ("DURATION", "P1Y")


@pytest.mark.parametrize("text,expr,value", [
    ("It lost $158,666 in the third quarter, compared with a year-earlier loss of $26,956.", "year-earlier", "1988-Q3"),
    ("It posted a third-quarter loss, compared with year-earlier profit of $3.8 million.", "year-earlier", "1988-Q3"),
    ("Profit fell in the third quarter. The year-ago results included a charge.", "year-ago", "1988-Q3"),
    ("Profit fell in the third quarter. In the year-ago quarter it rose.", "the year-ago quarter", "1988-Q3"),
    ("National Intergroup in the year-ago third quarter earned $22.5 million.", "the year-ago third quarter", "1988-Q3"),
])
def test_year_ago_adjectives(text, expr, value):
    """"year-earlier"/"year-ago" before a noun: the expression is the adjective (with the noun
    only when it names the period), a year before the reported quarter; "a year-earlier loss"
    holds no duration "a year"."""
    got = tag(text, "1989-11-02")
    assert expr in [t.text for t in got], got
    assert find(text, expr, "1989-11-02").value == value
    assert not any(t.type == "DURATION" for t in got)


@pytest.mark.parametrize("text,expr,value", [
    ("Hate groups grew dramatically over the past year.", "the past year", "1997"),
    ("Workers lost earning power to inflation in the last decade.", "the last decade", "198"),
    ("The regime grew stronger in the past two years.", "the past two years", "P2Y"),  # a count: still a duration
])
def test_the_past_unit_is_the_previous_calendar_unit(text, expr, value):
    assert find(text, expr, "1998-03-03").value == value


def test_as_soon_as_weekday_is_ahead():
    """"as soon as Tuesday" / "as early as Tuesday" is the coming Tuesday even after "said"."""
    assert values("The group would be ready to leave as soon as Tuesday, Castro said.", "2000-04-03")["Tuesday"] == "2000-04-04"
    assert values("His father could come from Cuba as early as Tuesday, officials said.", "2000-04-03")["Tuesday"] == "2000-04-04"
    assert values("The group left on Tuesday, Castro said.", "2000-04-03")["Tuesday"] == "2000-03-28"


@pytest.mark.parametrize("text,dct,expr,value", [
    ("He was plucked from the Atlantic on Thanksgiving Day and brought ashore.", "2000-01-06", "Thanksgiving Day", "1999-11-25"),
    ("He was found in an inner tube last Thanksgiving after a wreck.", "2000-02-10", "last Thanksgiving", "1999-11-25"),
    ("It is going to be our theme from now to Election Day.", "1998-10-26", "Election Day", "1998-11-03"),
    ("They married on Christmas Eve 1998.", "2000-01-01", "Christmas Eve 1998", "1998-12-24"),
    ("The talks will resume after Easter.", "2024-03-01", "Easter", "2024-03-31"),
])
def test_holidays(text, dct, expr, value):
    assert find(text, expr, dct).value == value


def test_holiday_words_that_are_not_dates():
    assert values("Christmas shopping fell and Easter eggs sold out.", "2000-01-06") == {}
    assert values("They will meet on Thanksgiving.", None) == {"Thanksgiving": "XXXX-11"}


def test_this_month_name_and_each_month_name():
    """"this September" is in the DCT's year even when it is ahead; "each July" recurs (SET)."""
    assert values("With the general election due this September, figures matter.", "1998-02-05")["this September"] == "1998-09"
    assert values("Sales were weak this January.", "1998-02-05")["this January"] == "1998-01"
    t = find("Orangemen march each July from their church.", "each July", "1998-03-22")
    assert (t.type, t.value) == ("SET", "XXXX-07")


@pytest.mark.parametrize("text,expr,value,mod", [
    ("For the year, pet food volume was flat.", "the year", "1989", None),
    ("It aims at a reduction of $500 million by the end of the year.", "the end of the year", "1989", "END"),
    ("Revenue fell through the first nine months of the year.", "the year", "1989", None),
    ("Its stock rose to a high for the year of $42.875 a share.", "the year", "1989", None),
    ("Sales grew in 1975. The year was hard for rivals.", "The year", "1975", None),
])
def test_the_year_is_the_reference_year(text, expr, value, mod):
    t = find(text, expr, "1989-10-30")
    assert (t.value, t.mod) == (value, mod)


def test_the_year_in_titles_and_with_a_number_is_not_the_reference_year():
    assert values("He was named Person of the Year.", "1989-10-30") == {}
    assert values("Plans for the year 1990 were drawn up.", "1989-10-30") == {"1990": "1990"}


@pytest.mark.parametrize("text,expr,value", [
    ("They lived in refugee camps for 2 1/2 years.", "2 1/2 years", "P2Y6M"),
    ("She spent 5 1/2 hours in Nairobi.", "5 1/2 hours", "PT5H30M"),
    ("It took two and a half days.", "two and a half days", "P2DT12H"),
    ("But a minute and a half later, a pilot calls in.", "a minute and a half later", "PT1M30S"),
])
def test_halves_in_the_next_smaller_unit(text, expr, value):
    t = find(text, expr, "1998-02-27")
    assert (t.type, t.value) == ("DURATION", value)


def test_current_fiscal_year_and_midday():
    assert values("It expects sales in the current fiscal year to rise.", "1989-11-02")["the current fiscal year"] == "1989"
    assert values("He will appear before a judge at midday.", "1999-10-08")["midday"] == "1999-10-08T12:00"
    assert "high noon" not in " ".join(values("For Poland, high noon comes today.", "1999-03-12")).lower()


@pytest.mark.parametrize("text,expr,value", [
    ("In London at mid-afternoon yesterday, Ratners's shares were up.", "mid-afternoon yesterday", "1989-10-29TAF"),
    ("Issues were dashed Friday. Dealers placed buy orders in the morning.", "the morning", "1989-10-27TMO"),
    ("By mid afternoon, official sources said the operation was over.", "mid afternoon", "1989-10-30TAF"),
])
def test_parts_of_the_day(text, expr, value):
    t = find(text, expr, "1989-10-30")
    assert (t.type, t.value) == ("TIME", value)
    assert values("He reads the morning paper.", "1989-10-30") == {}


@pytest.mark.parametrize("text,expr", [
    ("Ukraine was ruled from Moscow for centuries.", "centuries"),
    ("For the past few weeks we have been hit by leaks.", "the past few weeks"),
    ("Prices fell over the last two weeks.", "the last two weeks"),
    ("Kidnappings have risen in recent years.", "recent years"),
    ("Nobody knows what happens in the future.", "the future"),
])
def test_prepositions_are_outside_the_expression(text, expr):
    """TimeML extents leave the preposition out ("for centuries" → "centuries"); "over" before a
    number is "more than" and stays ("over 20 years", mod MORE_THAN)."""
    assert [t.text for t in tag(text, "1998-02-13")] == [expr]
    t = find("The dispute lasted over 20 years.", "over 20 years", "1998-02-13")
    assert (t.value, t.mod) == ("P20Y", "MORE_THAN")


def test_determiners_of_adjectival_durations_and_quarters_are_outside():
    """"the eight-year war" → "eight-year", "its third-quarter loss" → "third-quarter" (TimeBank);
    "the past three years" keeps its "the"."""
    assert [t.text for t in tag("the cease-fire of the eight-year war with Iran", "1989-10-30")] == ["eight-year"]
    assert [t.text for t in tag("It blamed its third-quarter loss on costs.", "1989-10-30")] == ["third-quarter"]
    assert [t.text for t in tag("Sales fell in the past three years.", "1989-10-30")] == ["the past three years"]


def test_intervals_of_the_last_year_end_at_the_calendar_end() -> None:
    """A quarter, half, winter or ISO week of year 9999 ends on 9999-12-31, not in an overflow."""
    from datetime import date

    from trilat_lib.timex import interval

    assert interval("9999-Q4") == (date(9999, 10, 1), date(9999, 12, 31))
    assert interval("9999-H2") == (date(9999, 7, 1), date(9999, 12, 31))
    assert interval("9999-WI") == (date(9999, 12, 1), date(9999, 12, 31))
    assert interval("9999-W52")[1] == date(9999, 12, 31)
    assert interval("2022-WI") == (date(2022, 12, 1), date(2023, 2, 28))
    assert interval("2023-Q1") == (date(2023, 1, 1), date(2023, 3, 31))
