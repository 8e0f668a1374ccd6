"""Tests for trilat_lib.dates: publication dates shown at their known precision."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from trilat_lib.dates import show_date, show_dates


def test_show_date_never_invents_a_day():
    d = date(2022, 7, 15)  # the manifest's placeholder day for "July 2022"
    assert show_date(d, "month") == "2022-07"
    assert show_date(d, "year") == "2022"
    assert show_date(d, "day") == "2022-07-15"
    assert show_date(d, None) == "2022-07-15"
    assert show_date(datetime(2022, 7, 15, 9), "month") == show_date(pd.Timestamp("2022-07-15"), "month") == "2022-07"
    assert show_date("2022-07-15", "year") == "2022"
    for missing in (None, pd.NaT, float("nan"), ""):
        assert show_date(missing, "day") is None


def test_show_dates_on_the_corpus_table(seed_corpus):
    frame = seed_corpus.to_frame()
    shown = dict(zip(frame["doc_id"], show_dates(frame)))
    assert shown == {"000": "2022-07", "001": "2021-01", "002": "2023-04-24", "003": "2023"}
