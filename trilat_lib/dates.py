"""Publication dates shown at the precision they are known to: a date known to the month is
"2022-07", never the mid-month placeholder "2022-07-15" a manifest stores for it.

Used by the notebooks' tables and axes, where a full ISO date would claim a day nobody knows.
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

__all__ = ["show_date", "show_dates"]


def show_date(d, precision: str | None) -> str | None:
    """``d`` written to ``precision``: "2022" (year), "2022-07" (month), "2022-07-15" (day or
    unknown precision); None for a missing date. Accepts dates, datetimes, Timestamps and
    ISO strings."""
    if d is None or (not isinstance(d, str) and pd.isna(d)):  # NaT is a datetime too
        return None
    if isinstance(d, str):
        d = d.strip()
        if not d:
            return None
        d = pd.Timestamp(d)
    if isinstance(d, (pd.Timestamp, datetime)):
        d = d.date()
    prec = None if precision is None or (not isinstance(precision, str) and pd.isna(precision)) else str(precision)
    if prec == "year":
        return f"{d.year:04d}"
    if prec == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return d.isoformat()


def show_dates(frame: pd.DataFrame, date_col: str = "published", precision_col: str = "date_precision") -> pd.Series:
    """:func:`show_date` of every row of ``frame`` (a string column for tables and axis labels)."""
    return pd.Series([show_date(d, p) for d, p in zip(frame[date_col], frame[precision_col])],
                     index=frame.index, name=date_col, dtype=object)
