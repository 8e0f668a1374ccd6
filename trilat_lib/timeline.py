"""Timelines of dated events across a corpus: every dated mention traced to its sentence,
resolved against its article's publication date, and merged across articles.

Pipeline: each document's cleaned text is tagged once by :func:`trilat_lib.timex.tag`
(so "the next day" and "that same year" see the dates before them), against the
publication date from the manifest (or, when the manifest has none, a date inferred from
the page by :func:`infer_publication_date`, with a :class:`CorpusWarning`). Each
expression is assigned to its sentence by character offsets; ranges ("from 1910 to 1945",
"1998–2000") become one interval. :func:`tag_corpus` keeps every expression (durations,
sets and vague PAST/PRESENT/FUTURE references too, with the reason they are not placed);
:func:`build_timeline` keeps the ones that denote a calendar interval, one row per dated
event mention, with a short ``event`` description cut from the sentence (the clause around
the expression, without the expression itself). :func:`merge_events` groups mentions of the
same event (overlapping intervals, similar wording, the same actors; every pair of an entry's
mentions alike, never a chain) into one entry listing all its sources, dated no more finely
than all of them agree; :func:`disagreements` lists similar mentions whose dates do not overlap.
"""
from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta

import pandas as pd

from .errors import CorpusError, CorpusWarning, ParameterError

# Granularities from finest to coarsest. ``min_granularity`` keeps rows at least this precise.
GRANULARITIES = ("time", "day", "week", "month", "season", "quarter", "half", "year", "decade", "century", "millennium")
_GRAN_ALIASES = {
    "minute": "time", "hour": "time", "second": "time", "datetime": "time", "part_of_day": "day",
    "weekend": "week", "months": "month", "years": "year", "decades": "decade", "centuries": "century",
}
EXCLUDED_TYPES = ("DURATION", "SET")
VAGUE_VALUES = ("PAST_REF", "PRESENT_REF", "FUTURE_REF")

TIMELINE_COLUMNS = [
    "doc_id", "sentence_id", "timex_start", "timex_end", "timex", "type", "value", "mod",
    "start", "end", "granularity", "anchored", "resolution", "rule", "event", "clause", "countries",
    "sentence", "outlet", "title", "published", "date_precision", "date_source",
]
TIMEX_COLUMNS = [
    "doc_id", "sentence_id", "timex_start", "timex_end", "timex", "type", "value", "mod",
    "start", "end", "granularity", "anchored", "resolution", "rule", "on_timeline", "excluded_because",
    "sentence", "published", "date_precision", "date_source",
]
MERGED_COLUMNS = [
    "event_id", "start", "end", "granularity", "value", "mod", "event", "n_mentions", "n_documents",
    "doc_ids", "sentence_ids", "outlets", "timexes", "values", "countries", "evidence",
    "first_doc_id", "first_sentence_id",
]
DISAGREEMENT_COLUMNS = [
    "similarity", "doc_id_a", "sentence_id_a", "timex_a", "value_a", "start_a", "end_a", "event_a",
    "doc_id_b", "sentence_id_b", "timex_b", "value_b", "start_b", "end_b", "event_b",
]


# =========================================================================== publication dates

@dataclass(frozen=True)
class PublicationDate:
    """A document's publication date and where it comes from.

    ``source`` is ``"manifest"``, ``"inferred"`` or ``"none"``; ``how`` says in words how it
    was established and ``evidence`` quotes the text it was read from (for inferred dates).
    """

    doc_id: str
    date: date | None
    precision: str | None
    source: str
    how: str
    evidence: str | None = None


_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH_RE = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY_RE = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?[ \t]+)?"
_NOT_CLOCK = r"(?![ \t]*(?:GMT|UTC|BST|hours|hrs)\b)"  # "Tuesday, 1 March / 1945 GMT" is a kick-off time
# Explicit full dates on one line: "September 24, 2023", "Sept. 24 2023", "24 September 2023", "2023-09-24".
_FULL_DATE_RE = re.compile(
    rf"\b{_WEEKDAY_RE}(?:{_MONTH_RE}[ \t]+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?[ \t]+(?P<year>(?:19|20)\d\d){_NOT_CLOCK}"
    rf"|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?[ \t]+{_MONTH_RE.replace('month', 'month2')},?[ \t]+(?P<year2>(?:19|20)\d\d){_NOT_CLOCK}"
    rf"|(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d))\b"
)
# Wire-style datelines: "SEOUL, April 24 (Reuters) -", "TOKYO (AP) — ", "WASHINGTON, Jan. 5, 2021 —".
_DATELINE_RE = re.compile(
    rf"^\s*(?P<place>[A-Z][A-Z .'’-]{{2,40}}(?:,\s*[A-Z][A-Za-z .]{{1,20}})?),\s+{_MONTH_RE}\s+(?P<day>\d{{1,2}})"
    rf"(?:,?\s+(?P<year>(?:19|20)\d\d))?\s*(?:\((?P<agency>[A-Za-z .]{{2,30}})\))?\s*[-—–:]",
    re.MULTILINE,
)
_PUBLISHED_RE = re.compile(
    r"^\s*(?:Published|Posted|Date|First published|Publication date|Updated)\b(?:\s+on)?\s*[:|-]?\s*(?P<rest>.{4,80})$",
    re.MULTILINE | re.IGNORECASE,
)


def _month_number(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def explicit_dates(text: str) -> list[tuple[int, int, date]]:
    """Explicit full calendar dates in ``text`` as ``(start, end, date)`` (invalid dates skipped)."""
    out = []
    for m in _FULL_DATE_RE.finditer(text):
        try:
            if m.group("iso"):
                d = date.fromisoformat(m.group("iso"))
            elif m.group("month"):
                d = date(int(m.group("year")), _month_number(m.group("month")), int(m.group("day")))
            else:
                d = date(int(m.group("year2")), _month_number(m.group("month2")), int(m.group("day2")))
        except ValueError:
            continue
        out.append((m.start(), m.end(), d))
    return out


def _context(text: str, s: int, e: int, width: int = 70) -> str:
    """``text[s:e]`` with up to ``width`` characters either side, on one line."""
    a, b = max(0, s - width), min(len(text), e + width)
    return ("…" if a else "") + " ".join(text[a:b].split()) + ("…" if b < len(text) else "")


def _line_of(text: str, pos: int) -> str:
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    return text[s : e if e >= 0 else len(text)].strip()


def _body_start_in_raw(doc) -> int:
    """Character offset in ``doc.raw`` where the cleaned body's first paragraph starts (0 if unknown)."""
    text = doc.text
    if not text.strip():
        return len(doc.raw)
    first = text.strip().split("\n", 1)[0][:60]
    pos = doc.raw.find(first) if first else -1
    return pos if pos >= 0 else 0


def header_dates(doc) -> list[tuple[date, str]]:
    """Full dates written in the page furniture above the article body (``doc.raw``), e.g. a
    site header "Sunday, September 24, 2023". These are often the date the page was *captured*
    or the site's today, not the article's publication date."""
    raw = doc.raw[: _body_start_in_raw(doc)]
    return [(d, _line_of(raw, s)) for s, _, d in explicit_dates(raw)]


_MONTH_YEAR_RE = re.compile(rf"\b{_MONTH_RE},?\s+(?P<year>(?:19|20)\d\d)\b")
# "today", "yesterday", "this week" written beside an explicit date: "Today, March 3, 2021, ...",
# "yesterday (2 March 2021)". The date is then the article's today (± the offset).
_TODAY_WORD_RE = re.compile(r"\b(?P<w>today|yesterday|tomorrow|this\s+week)\b", re.IGNORECASE)
_TODAY_OFFSET = {"today": 0, "yesterday": 1, "tomorrow": -1}
_TODAY_GAP_RE = re.compile(r"^[\s,(–—-]*(?:on\s+)?$|^[\s,)–—-]*$", re.IGNORECASE)


def _today_dates(text: str) -> list[tuple[date, str, str]]:
    """(publication date, precision, evidence) from an explicit date written right beside
    "today"/"yesterday"/"tomorrow"/"this week" (only punctuation or "on" between them)."""
    dates = explicit_dates(text)
    out = []
    for m in _TODAY_WORD_RE.finditer(text):
        w = " ".join(m.group("w").lower().split())
        for s, e, d in dates:
            gap = text[m.end():s] if s >= m.end() else text[e:m.start()]
            if len(gap) > 6 or not _TODAY_GAP_RE.match(gap):
                continue
            if w == "this week":  # somewhere within 6 days of d: say only the month/year all those days share
                lo, hi = d - timedelta(days=6), d + timedelta(days=6)
                prec = "month" if (lo.year, lo.month) == (hi.year, hi.month) else ("year" if lo.year == hi.year else None)
                if prec is None:
                    continue
                out.append((d, prec, _context(text, min(s, m.start()), max(e, m.end()), 30)))
            else:
                out.append((d + timedelta(days=_TODAY_OFFSET[w]), "day", _context(text, min(s, m.start()), max(e, m.end()), 30)))
    return out


def _infer(doc) -> tuple[PublicationDate | None, str]:
    """(the inferred date or None, what was looked for when None). See :func:`infer_publication_date`."""
    raw, text = doc.raw or "", doc.text or ""
    heads = header_dates(doc)
    published = []  # (date, precision, line) from "Published: ..." lines
    for pm in _PUBLISHED_RE.finditer(raw):
        rest = pm.group("rest")
        if found := explicit_dates(rest):
            published.append((found[0][2], "day", pm.group(0).strip()))
        elif (my := _MONTH_YEAR_RE.search(rest)):
            published.append((date(int(my.group("year")), _month_number(my.group("month")), 1), "month", pm.group(0).strip()))

    m = _DATELINE_RE.search(text) or _DATELINE_RE.search(raw)
    if m:
        month, day = _month_number(m.group("month")), int(m.group("day"))
        year, year_how = (int(m.group("year")), "") if m.group("year") else (None, "")
        if year is None:  # the year only from another real signal of the publication date
            years = [(d.year, f"; the year from the page's '{how}'") for d, _, how in published] + [
                (d.year, "; the year from the page header") for d, _ in heads]
            if years:
                year, year_how = years[0]
        if year is not None:
            try:
                return PublicationDate(doc.doc_id, date(year, month, day), "day", "inferred",
                                       f"dateline{year_how}", m.group(0).strip()), ""
            except ValueError:
                pass
    if published:
        d, prec, line = published[0]
        return PublicationDate(doc.doc_id, d, prec, "inferred", "'Published' line of the page", line), ""
    if today := _today_dates(text):
        d, prec, ev = today[0]
        return PublicationDate(doc.doc_id, d, prec, "inferred", "a date written beside 'today'/'this week'", ev), ""
    if heads:
        d, line = heads[0]
        return PublicationDate(doc.doc_id, d, "day", "inferred",
                               "date in the page header (may be the capture date, not the publication date)", line), ""
    why = ("unknown: no dateline with a year, 'Published' line, dated 'today' or page-header date"
           + (f" (the dateline {m.group(0).strip()!r} gives no year)" if m else "")
           + "; dates mentioned in the body are events, not the publication date")
    return None, why


def publication_date_from_text(doc, warn: bool = False) -> PublicationDate:
    """What the text alone says of ``doc``'s publication date, ignoring the manifest: the
    :func:`infer_publication_date` result, or a ``source="none"`` date whose ``how`` says what
    was looked for and not found (for a table of every document, as notebook 04 shows)."""
    found, why = _infer(doc)
    if found is None:
        return PublicationDate(doc.doc_id, None, None, "none", why)
    if warn:
        _warn_inferred(found)
    return found


def infer_publication_date(doc, warn: bool = True) -> PublicationDate | None:
    """Infer the publication date of a document whose manifest gives none, from real signals only.

    In order: a wire dateline ("SEOUL, April 24, 2023 (Reuters) -"; a dateline without a year
    takes it from a "Published" line or the page header, else gives nothing); a "Published: ..."
    / "Posted on ..." line (day or month precision, as written); an explicit date written beside
    "today"/"yesterday"/"this week" ("Today, March 3, 2021"; "this week" gives month precision at
    most); a date in the page header (often the capture date: check it). Dates mentioned in the
    body are never taken: a 2004 profile mentioning 11 September 2001 is not from 2001. Returns
    ``None`` when there is no such signal (:func:`publication_date` then says why in ``how``).
    Emits a :class:`CorpusWarning` (``warn=True``) naming the document and the evidence of an
    inferred date, so the user can check it and add it to the manifest.
    """
    result, _ = _infer(doc)
    if result is not None and warn:
        _warn_inferred(result)
    return result


def _warn_inferred(result: PublicationDate) -> None:
    warnings.warn(
            f"document {result.doc_id!r}: the manifest gives no publication date; inferred "
            f"{_show_date(result.date, result.precision)} ({result.precision} precision) from the {result.how} "
            f"({result.evidence!r}). Relative dates ('last month') are resolved against it: "
            "check it and write the date in the manifest's 'published' column.",
            CorpusWarning, stacklevel=3,
        )


def publication_date(doc, infer: bool = True, warn: bool = True) -> PublicationDate:
    """The date relative expressions of ``doc`` are resolved against: the manifest's, else an
    inferred one (``infer=True``), else none (then only explicit dates can be placed)."""
    if doc.published is not None:
        prec = doc.date_precision or "day"
        if getattr(doc, "date_inferred", False):  # set by the loader, not read from the manifest
            return PublicationDate(doc.doc_id, doc.published, prec, "inferred",
                                   f"inferred when the corpus was loaded ({prec} precision)", doc.date_note)
        note = f"manifest ({prec} precision)"
        return PublicationDate(doc.doc_id, doc.published, prec, "manifest", note, doc.date_note)
    why = "no publication date in the manifest"
    if infer:
        found, why = _infer(doc)
        if found is not None:
            if warn:
                _warn_inferred(found)
            return found
    return PublicationDate(doc.doc_id, None, None, "none", f"{why}: relative expressions left unresolved")


def publication_dates(corpus, infer: bool = True, warn: bool = True) -> pd.DataFrame:
    """One row per document: the date used, its precision, source and evidence, and any dates
    in the page header (to compare with: seed 002's header shows the capture date)."""
    rows = []
    for doc in _documents(corpus):
        p = publication_date(doc, infer=infer, warn=warn)
        heads = header_dates(doc)
        rows.append({
            "doc_id": doc.doc_id, "title": doc.title, "outlet": doc.outlet,
            "published": p.date, "date_precision": p.precision, "date_source": p.source, "how": p.how,
            "evidence": p.evidence,
            "header_dates": "; ".join(d.isoformat() for d, _ in heads) or None,
            "header_disagrees": bool(heads) and p.date is not None and any(
                not _date_within(d, p.date, p.precision) for d, _ in heads),
        })
    return pd.DataFrame(rows, columns=["doc_id", "title", "outlet", "published", "date_precision", "date_source",
                                       "how", "evidence", "header_dates", "header_disagrees"])


def date_agrees(d: date, ref: date, precision: str | None) -> bool:
    """True when ``d`` falls within what is known of ``ref``: the same year, month or day for
    ``precision`` "year", "month" or "day" (e.g. an inferred date against the manifest's)."""
    return _date_within(d, ref, precision)


def _date_within(d: date, ref: date, precision: str | None) -> bool:
    if precision == "year":
        return d.year == ref.year
    if precision == "month":
        return (d.year, d.month) == (ref.year, ref.month)
    return d == ref


# =========================================================================== tagging

def _documents(corpus) -> list:
    if corpus is None:
        raise ParameterError("corpus is None; pass a Corpus (trilat_lib.load_corpus()) or a list of Documents.")
    if hasattr(corpus, "doc_id") and hasattr(corpus, "text"):
        return [corpus]
    try:
        docs = list(corpus)
    except TypeError:
        raise ParameterError(f"corpus must be a Corpus or a list of Documents, not {type(corpus).__name__}.") from None
    for d in docs:
        if not (hasattr(d, "doc_id") and hasattr(d, "text") and hasattr(d, "sentences")):
            raise ParameterError(f"corpus contains {type(d).__name__!r}, not a Document; pass trilat_lib.load_corpus(...).")
    return docs


def granularity_rank(g: str | None) -> int:
    """Position of a granularity name in :data:`GRANULARITIES` (finest = 0); unknown → len."""
    if g is None:
        return len(GRANULARITIES)
    g = _GRAN_ALIASES.get(str(g).lower(), str(g).lower())
    return GRANULARITIES.index(g) if g in GRANULARITIES else len(GRANULARITIES)


def _norm_granularity(g) -> str | None:
    if g is None or (isinstance(g, float) and pd.isna(g)):
        return None
    g = str(g).lower()
    return _GRAN_ALIASES.get(g, g)


# Anchored expressions resolved against the previous date in the text, not the publication date.
_ANAPHORIC_RE = re.compile(
    r"\b(?:the\s(?:next|following|previous|same|prior|preceding)|that(?:\ssame)?|the\sday\s(?:before|after)|"
    r"a\s\w+\s(?:earlier|later)|year-(?:earlier|before))\b", re.IGNORECASE)


def _resolution(tx, pub: PublicationDate, prev_value: str | None) -> tuple[str, str]:
    """(anchored, resolution): how the expression got its value, in words a student can check."""
    a = getattr(tx, "anchored", None)
    if a is None or a is False or (isinstance(a, str) and a.lower() in {"", "no", "none", "explicit", "false"}):
        return "explicit", "explicit"
    rule = str(getattr(tx, "rule", "") or "")
    if rule.startswith("anaphora") or _ANAPHORIC_RE.search(tx.text):
        kind = "previous date"
        detail = f"relative to the previous date in the text ({prev_value})" if prev_value else "relative to the previous date in the text"
        return kind, detail
    if pub.date is None:
        return "publication date", "relative to the publication date (unknown)"
    shown = _show_date(pub.date, pub.precision)
    inferred = "inferred " if pub.source == "inferred" else ""
    return "publication date", f"relative to {inferred}publication date {shown} ({pub.precision})"


def _show_date(d: date, precision: str | None) -> str:
    from .dates import show_date

    return show_date(d, precision)


_RANGE_JOIN_RE = re.compile(r"^\s*(?:-|–|—|to|through|until|till|and)\s*$", re.IGNORECASE)
_RANGE_LEAD_RE = re.compile(r"(?:\bfrom|\bbetween)\s*$", re.IGNORECASE)


@dataclass
class _Tagged:
    """A timex (or a joined range of two) with its interval; internal to this module."""

    start: int
    end: int
    text: str
    type: str
    value: str
    mod: str | None
    anchored: object
    rule: str | None
    interval: tuple[date, date] | None
    granularity: str | None


def _tag_document(doc, pub: PublicationDate) -> list[_Tagged]:
    """Tag ``doc.text`` once against its publication date; join explicit ranges into one item."""
    from . import timex as _timex

    text = doc.text
    if not text.strip():
        return []
    dct = pub.date
    try:
        if dct is None:
            raw = _timex.tag(text, None)
        else:
            raw = _timex.tag(text, dct, precision=pub.precision)
    except (TypeError, ValueError) as e:
        if dct is None:
            raw = []  # a tagger that insists on a DCT: nothing can be resolved safely
        else:
            raise CorpusError(f"document {doc.doc_id!r}: the temporal tagger failed ({e}).") from None
    items = []
    for t in sorted(raw, key=lambda t: (t.start, t.end)):
        value = str(t.value) if t.value is not None else ""
        iv = None
        gran = None
        if t.type not in EXCLUDED_TYPES and value and value not in VAGUE_VALUES:
            iv = _timex.interval(value)
            if iv is not None:
                gran = _norm_granularity(_timex.granularity(value))
            elif m := re.match(r"^(\d{4}-\d{2}-\d{2})T", value):  # a time of day: placed on its day
                iv = _timex.interval(m.group(1))
                gran = "time" if iv is not None else None
        if dct is None and t.anchored:
            iv, gran = None, None  # cannot be trusted without a publication date
        items.append(_Tagged(t.start, t.end, text[t.start:t.end], t.type, value, getattr(t, "mod", None) or None,
                             getattr(t, "anchored", None), getattr(t, "rule", None), iv, gran))
    return _join_ranges(items, text)


def _join_ranges(items: list[_Tagged], text: str) -> list[_Tagged]:
    """Join "from 1910 to 1945", "between 1998 and 2000", "1998–2000" into one interval item."""
    out: list[_Tagged] = []
    i = 0
    while i < len(items):
        a = items[i]
        if i + 1 < len(items):
            b = items[i + 1]
            gap = text[a.end:b.start]
            lead = text[max(0, a.start - 12):a.start]
            is_dash = bool(re.fullmatch(r"\s*[-–—]\s*", gap))
            has_lead = bool(_RANGE_LEAD_RE.search(lead))
            word_ok = bool(_RANGE_JOIN_RE.match(gap)) and (has_lead or gap.strip().lower() in {"to", "through", "until", "till"})
            if (a.interval and b.interval and a.type == b.type == "DATE" and (is_dash or word_ok)
                    and b.interval[1] > a.interval[0] and a.granularity == b.granularity):
                s = a.start
                if has_lead:
                    m = _RANGE_LEAD_RE.search(lead)
                    s = a.start - (len(lead) - m.start())
                out.append(_Tagged(s, b.end, text[s:b.end], "DATE", f"{a.value}/{b.value}", a.mod or b.mod,
                                   a.anchored or b.anchored, f"range({a.rule}, {b.rule})",
                                   (a.interval[0], b.interval[1]), a.granularity))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def _sentence_index(doc) -> tuple[list[int], list]:
    sents = list(doc.sentences)
    return [s.start for s in sents], sents


def _find_sentence(sents, starts, pos: int, end: int):
    import bisect

    k = bisect.bisect_right(starts, pos) - 1
    if k >= 0 and sents[k].start <= pos and end <= sents[k].end:
        return sents[k]
    return None


def _country_mentions(doc) -> list:
    """Country mentions of the whole text (empty when trilat_lib.countries is not available)."""
    try:
        from . import countries as _countries
    except ImportError:
        return []
    pub = doc.published
    try:
        return list(_countries.find_mentions(doc.text, date=pub))
    except TypeError:
        return list(_countries.find_mentions(doc.text))


def _mention_spans(mentions) -> list[tuple]:
    """Country mentions (objects with ``start``, ``end``, ``country``) as ``(start, end, country)``."""
    return [(m.start, m.end, getattr(m, "country", None)) for m in mentions]


def _countries_in(mentions: list[tuple], start: int, end: int, starts: list[int] | None = None) -> str:
    """ISO codes of the countries mentioned in ``[start, end)``, in order of first mention
    (``mentions`` as :func:`_mention_spans` gives them). ``starts``, when given, are the
    mentions' start offsets and ascending: then only the mentions from ``start`` on are read."""
    import bisect

    codes = []
    first = 0 if starts is None else bisect.bisect_left(starts, start)
    for k in range(first, len(mentions)):
        s, e, c = mentions[k]
        if starts is not None and s > end:
            break  # (and so are all the mentions after it)
        if s >= start and e <= end and c:
            c = str(c)
            if c not in codes:
                codes.append(c)
    return ";".join(codes)


def _datelines(text: str) -> list[tuple[int, int]]:
    """Spans of wire datelines opening a paragraph ("SEOUL, April 24 (Reuters) -"): their date
    is the publication date, not an event."""
    return [(m.start(), m.end()) for m in _DATELINE_RE.finditer(text)
            if m.start() == 0 or text[:m.start()].endswith("\n") or not text[:m.start()].strip()]


def _tag_rows(corpus, infer_dates: bool, warn: bool):
    """Yield (doc, pub, sentence-or-None, tagged, resolution, anchored) for every timex;
    the sentence is None for expressions outside body sentences or inside a dateline."""
    for doc in _documents(corpus):
        pub = publication_date(doc, infer=infer_dates, warn=warn)
        starts, sents = _sentence_index(doc)
        lines = _datelines(doc.text)
        prev_value = None
        for t in _tag_document(doc, pub):
            anchored, how = _resolution(t, pub, prev_value)
            in_dateline = any(a <= t.start and t.end <= b for a, b in lines)
            sent = None if in_dateline else _find_sentence(sents, starts, t.start, t.end)
            yield doc, pub, sent, t, anchored, how
            if t.interval is not None:
                prev_value = t.value


def _frame(rows: list[tuple], columns: list[str], int_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """One DataFrame from row tuples, built column-wise (several times faster than from dicts,
    with the same dtypes); ``int_columns`` become nullable integers (Int64)."""
    if not rows:  # all-object columns, as pandas makes an empty frame
        df = pd.DataFrame(rows, columns=columns)
        for c in int_columns:
            df[c] = df[c].astype("Int64")
        return df
    data = dict(zip(columns, map(list, zip(*rows))))
    for c in int_columns:
        data[c] = pd.array(data[c], dtype="Int64")
    return pd.DataFrame(data, columns=columns)


# A timex row shows its whole sentence up to this many characters; a longer sentence is cut to
# about this many characters around the expression ("… excerpt …"), so a sentence packed with
# dates cannot make the table grow with the square of its length (doc_id + sentence_id still
# point to the whole sentence).
SENTENCE_CHARS = 400


def _sentence_excerpt(sent, start: int, end: int, limit: int = SENTENCE_CHARS) -> str:
    """The sentence, or for a sentence longer than ``limit`` a word-aligned excerpt of about
    ``limit`` characters around the expression at document offsets ``start``..``end``."""
    text = sent.text
    if len(text) <= limit:
        return text
    a, b = start - sent.start, end - sent.start
    side = max(0, (limit - (b - a)) // 2)
    lo, hi = max(0, a - side), min(len(text), b + side)
    if lo > 0:  # start at a word
        cut = text.find(" ", lo, a)
        lo = cut + 1 if cut != -1 else lo
    if hi < len(text):  # end at a word
        cut = text.rfind(" ", b, hi)
        hi = cut if cut != -1 else hi
    return ("… " if lo > 0 else "") + text[lo:hi].strip() + (" …" if hi < len(text) else "")


def tag_corpus(corpus, infer_dates: bool = True, warn: bool = True) -> pd.DataFrame:
    """Every temporal expression of every document as a tidy frame (one row per expression).

    Keeps what the timeline leaves out, with the reason in ``excluded_because`` (durations,
    sets, PAST/PRESENT/FUTURE references, expressions outside body sentences), and says how
    each value was obtained (``resolution``: "explicit", "relative to publication date
    2023-04-24 (day)", "relative to the previous date in the text (2019)"). ``sentence`` is the
    sentence, cut around the expression when longer than ``SENTENCE_CHARS``.
    """
    rows = []
    sents_of: dict[str, tuple] = {}
    for doc, pub, sent, t, anchored, how in _tag_rows(corpus, infer_dates, warn):
        if sent is None:
            reason = "not in a body sentence (heading, furniture or dateline)"
        elif t.type in EXCLUDED_TYPES:
            reason = "duration" if t.type == "DURATION" else "set (recurring time)"
        elif t.value in VAGUE_VALUES:
            reason = "vague reference (past/present/future)"
        elif t.interval is None:
            reason = "no calendar interval" + (
                " (before year 1: BC dates are not placed)" if t.value.startswith("BC")
                else " (no publication date to resolve it)" if pub.date is None and t.anchored else "")
        else:
            reason = ""
        if sent is None:  # still say which sentence holds it (e.g. a dateline), when one does
            sent_id = _find_sentence(sents_of.setdefault(doc.doc_id, _sentence_index(doc))[1],
                                     sents_of[doc.doc_id][0], t.start, t.end)
            shown = sent_id
        else:
            shown = sent
        rows.append((
            doc.doc_id, shown.sentence_id if shown else pd.NA, t.start, t.end, t.text, t.type, t.value, t.mod,
            t.interval[0] if t.interval else None, t.interval[1] if t.interval else None, t.granularity,
            anchored, how, t.rule, reason == "", reason or None,
            _sentence_excerpt(shown, t.start, t.end) if shown else None,
            pub.date, pub.precision, pub.source,
        ))
    return _frame(rows, TIMEX_COLUMNS, ("sentence_id",))


def _none(v):
    """A missing value read back from a frame (NaN, NA, NaT) as None."""
    if v is None or isinstance(v, (str, date)):
        return v
    if type(v) is float:
        return None if v != v else v
    return None if pd.isna(v) else v


def _as_date(v) -> date | None:
    v = _none(v)
    return v.date() if isinstance(v, pd.Timestamp) else v


def _rows_from_timexes(docs: list, timexes: pd.DataFrame):
    """Like :func:`_tag_rows`, but from a :func:`tag_corpus` frame of these documents instead of
    tagging them again (sentences and datelines are found again from the offsets)."""
    _require_columns(timexes, ["doc_id", "timex_start", "timex_end", "timex", "type", "value", "mod", "start", "end",
                               "granularity", "anchored", "resolution", "rule", "published", "date_precision",
                               "date_source"], "timexes")
    cols = ["timex_start", "timex_end", "timex", "type", "value", "mod", "start", "end", "granularity", "anchored",
            "resolution", "rule", "published", "date_precision", "date_source"]
    by_doc: dict[str, list[tuple]] = {}
    for doc_id, *rest in zip(timexes["doc_id"].astype(str).tolist(), *(timexes[c].tolist() for c in cols)):
        by_doc.setdefault(doc_id, []).append(tuple(rest))
    for doc in docs:
        items = by_doc.get(str(doc.doc_id), [])
        if not items:
            continue
        starts, sents = _sentence_index(doc)
        lines = _datelines(doc.text)
        pubs: dict[tuple, PublicationDate] = {}  # one per distinct date of the document (usually one)
        for (s, e, text, typ, value, mod, i0, i1, gran, anchored, how, rule, published, prec, source) in items:
            i0, i1 = _as_date(i0), _as_date(i1)
            t = _Tagged(int(s), int(e), text, typ, value, _none(mod), anchored, _none(rule),
                        (i0, i1) if i0 is not None and i1 is not None else None, _none(gran))
            key = (_as_date(published), _none(prec), _none(source) or "none")
            pub = pubs.get(key)
            if pub is None:
                pub = pubs[key] = PublicationDate(doc.doc_id, *key, "")
            in_dateline = bool(lines) and any(a <= t.start and t.end <= b for a, b in lines)
            sent = None if in_dateline else _find_sentence(sents, starts, t.start, t.end)
            yield doc, pub, sent, t, anchored, how


def _mentions_by_doc(mentions: pd.DataFrame) -> dict[str, list]:
    """A country-mentions frame (:func:`trilat_lib.countries.country_mentions`) as per-document
    lists of ``(start, end, country)``, in the frame's order."""
    _require_columns(mentions, ["doc_id", "start", "end", "country"], "mentions")
    out: dict[str, list] = {}
    for d, s, e, c in zip(mentions["doc_id"].astype(str).tolist(), mentions["start"].tolist(),
                          mentions["end"].tolist(), mentions["country"].tolist()):
        out.setdefault(d, []).append((int(s), int(e), _none(c)))
    return out


def build_timeline(
    corpus,
    date_from: str | date | None = None,
    date_to: str | date | None = None,
    countries: Iterable[str] | str | None = None,
    min_granularity: str | None = None,
    infer_dates: bool = True,
    max_event_chars: int = 100,
    warn: bool = True,
    timexes: pd.DataFrame | None = None,
    mentions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per dated event mention in the corpus, in chronological order.

    Columns: ``doc_id, sentence_id`` (index into ``doc.sentences``), ``timex_start/timex_end``
    (offsets into ``doc.text``), ``timex`` (the expression), ``type, value`` (TIMEX3), ``mod``,
    ``start, end`` (the calendar interval, dates), ``granularity``, ``anchored`` and
    ``resolution`` (how the value was obtained), ``event`` (a short description: the clause
    around the expression without it), ``clause`` (the same, uncut), ``countries`` (ISO codes
    the sentence mentions, ";"-joined in order of first mention), ``sentence`` (the evidence) and document metadata.
    Filters: see :func:`filter_timeline`. Durations, sets and vague references are left out
    (they are in :func:`tag_corpus`).

    Already computed annotations of the same documents can be passed to save the work:
    ``timexes`` = :func:`tag_corpus` output (``infer_dates`` and ``warn`` are then not used) and
    ``mentions`` = :func:`trilat_lib.countries.country_mentions` output; the result is the same.
    """
    _check_int("max_event_chars", max_event_chars, 20)
    filt = _FilterArgs.make(date_from, date_to, countries, min_granularity)
    if timexes is None:
        all_rows = list(_tag_rows(corpus, infer_dates, warn))
    else:
        all_rows = list(_rows_from_timexes(_documents(corpus), timexes))
    mentions_by_doc: dict[str, list] = {} if mentions is None else _mentions_by_doc(mentions)
    by_sentence: dict[tuple, list] = {}
    for doc, pub, sent, t, anchored, how in all_rows:
        if sent is not None:
            by_sentence.setdefault((doc.doc_id, sent.sentence_id), []).append(t)
    out = []
    described: dict[tuple, tuple[str, str]] = {}  # a corpus repeats sentences: describe each case once
    named: dict[tuple, str] = {}  # countries of each sentence
    mention_starts: dict[str, list | None] = {}  # a document's mention offsets, when in text order
    for doc, pub, sent, t, anchored, how in all_rows:
        if sent is None or t.interval is None or t.type in EXCLUDED_TYPES or t.value in VAGUE_VALUES:
            continue
        if doc.doc_id not in mentions_by_doc:
            mentions_by_doc[doc.doc_id] = _mention_spans(_country_mentions(doc)) if mentions is None else []
        if doc.doc_id not in mention_starts:
            at = [m[0] for m in mentions_by_doc[doc.doc_id]]
            mention_starts[doc.doc_id] = at if all(a <= b for a, b in zip(at, at[1:])) else None
        rel_s, rel_e = t.start - sent.start, t.end - sent.start
        others = tuple((u.start - sent.start, u.end - sent.start)
                       for u in by_sentence[(doc.doc_id, sent.sentence_id)] if u is not t)
        case = (sent.text, rel_s, rel_e, others)
        found = described.get(case)
        if found is None:
            found = described[case] = describe_event(sent.text, rel_s, rel_e, max_chars=max_event_chars, others=others)
        clause, event = found
        where = (doc.doc_id, sent.start, sent.end)
        codes = named.get(where)
        if codes is None:
            codes = named[where] = _countries_in(mentions_by_doc[doc.doc_id], sent.start, sent.end,
                                                 mention_starts[doc.doc_id])
        out.append((
            doc.doc_id, sent.sentence_id, t.start, t.end, t.text, t.type, t.value, t.mod,
            t.interval[0], t.interval[1], t.granularity, anchored, how, t.rule, event, clause,
            codes, sent.text, doc.outlet, doc.title, pub.date, pub.precision, pub.source,
        ))
    df = _frame(out, TIMELINE_COLUMNS)
    if len(df):
        df = df.sort_values(["start", "end", "doc_id", "timex_start"], kind="stable").reset_index(drop=True)
    return filt.apply(df)


# =========================================================================== filters

def _check_int(name: str, value, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ParameterError(f"{name}={value!r} must be an integer ≥ {minimum}.")


def _check_float(name: str, value, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (lo <= float(value) <= hi):
        raise ParameterError(f"{name}={value!r} must be a number between {lo} and {hi}.")
    return float(value)


def _parse_bound(name: str, value, upper: bool) -> date | None:
    """Accept a date, 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (or int year); upper bounds round up."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*", value)
        if m:
            y, mo, d = int(m.group(1)), m.group(2), m.group(3)
            try:
                if d:
                    return date(y, int(mo), int(d))
                if mo:
                    first = date(y, int(mo), 1)
                    if not upper:
                        return first
                    nxt = date(y + (first.month == 12), first.month % 12 + 1, 1)
                    return nxt - timedelta(days=1)
                return date(y, 12, 31) if upper else date(y, 1, 1)
            except ValueError:
                pass
    raise ParameterError(
        f"{name}={value!r} is not a date; use a datetime.date, a year (1965), 'YYYY-MM' or 'YYYY-MM-DD'.")


@dataclass(frozen=True)
class _FilterArgs:
    date_from: date | None
    date_to: date | None
    countries: tuple[str, ...] | None
    min_granularity: str | None

    @classmethod
    def make(cls, date_from, date_to, countries, min_granularity) -> "_FilterArgs":
        lo = _parse_bound("date_from", date_from, upper=False)
        hi = _parse_bound("date_to", date_to, upper=True)
        if lo and hi and lo > hi:
            raise ParameterError(f"date_from={date_from!r} is after date_to={date_to!r}; swap them.")
        codes = None
        if countries is not None:
            if isinstance(countries, str):
                countries = [c for c in re.split(r"[;,\s]+", countries) if c]
            try:
                codes = tuple(str(c).strip().upper() for c in countries)
            except TypeError:
                raise ParameterError(f"countries={countries!r} must be a list of ISO alpha-3 codes such as ['JPN', 'KOR'].") from None
            bad = [c for c in codes if not re.fullmatch(r"[A-Z]{3}", c)]
            if bad or not codes:
                raise ParameterError(
                    f"countries={countries!r}: {bad or 'empty list'} — give ISO alpha-3 codes such as ['JPN', 'KOR'], or None for all.")
        g = None
        if min_granularity is not None:
            g = _norm_granularity(min_granularity)
            if g not in GRANULARITIES:
                raise ParameterError(f"min_granularity={min_granularity!r} is not one of {', '.join(GRANULARITIES)} (or None).")
        return cls(lo, hi, codes, g)

    def apply(self, df: pd.DataFrame) -> pd.DataFrame:
        if not len(df):
            return df
        keep = pd.Series(True, index=df.index)
        if self.date_from is not None:
            keep &= df["end"].map(lambda d: d >= self.date_from)
        if self.date_to is not None:
            keep &= df["start"].map(lambda d: d <= self.date_to)
        if self.countries is not None:
            want = set(self.countries)
            keep &= df["countries"].fillna("").map(lambda s: bool(want & set(filter(None, s.split(";")))))
        if self.min_granularity is not None:
            limit = GRANULARITIES.index(self.min_granularity)
            keep &= df["granularity"].map(lambda g: granularity_rank(g) <= limit)
        return df[keep].reset_index(drop=True)


def filter_timeline(
    timeline: pd.DataFrame,
    date_from: str | date | None = None,
    date_to: str | date | None = None,
    countries: Iterable[str] | str | None = None,
    min_granularity: str | None = None,
) -> pd.DataFrame:
    """Rows whose interval overlaps ``[date_from, date_to]``, whose sentence names one of
    ``countries`` (ISO alpha-3), and whose granularity is at least as fine as
    ``min_granularity`` (e.g. "year" drops decades and centuries)."""
    _require_columns(timeline, ["start", "end", "countries", "granularity"], "timeline")
    return _FilterArgs.make(date_from, date_to, countries, min_granularity).apply(timeline)


def _require_columns(df, cols: Sequence[str], name: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"{name} must be a DataFrame from build_timeline(), not {type(df).__name__}.")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ParameterError(f"{name} lacks column(s) {', '.join(missing)}; pass the frame build_timeline() returns.")


# =========================================================================== event descriptions

_MARK = "\u2063"  # invisible separator: marks where the expression was while the clause is trimmed
_STRONG_SPLIT_RE = re.compile(r"\s*(?:;|:(?!\d)|\s[—–-]\s|—|–(?=\s)|\(|\))\s*")
_COMMA_RE = re.compile(r",\s*")
# conjunctions that start a new clause; "and"/"but" only before a verb-looking word ("and attended")
_WEAK_SPLIT_RE = re.compile(
    r"\s+(?=(?:where|while|whereas|because|after|before|when)\s|(?:and|but)\s(?!the\b|its\b|his\b|her\b|their\b)[a-z]+(?:ed|es)\b)")
_CONNECTIVES = (
    "and", "but", "or", "so", "yet", "then", "also", "when", "while", "whereas", "as", "although", "though",
    "because", "since", "after", "before", "until", "where", "that", "which", "who", "such as", "including",
    "however", "meanwhile", "indeed", "moreover", "similarly", "finally", "first", "in fact", "in short",
    "even", "only", "already", "still", "now", "by then", "back then", "was", "were", "is", "are",
)
_CONNECTIVE_RE = re.compile(
    r"^(?:(?:" + "|".join(sorted((re.escape(c) for c in _CONNECTIVES), key=len, reverse=True)) + r")\b[\s,]*)+",
    re.IGNORECASE)
_DANGLING_PREP_RE = re.compile(
    r"\b(?:in|on|at|since|from|by|during|until|till|to|of|through|around|about|as of|as early as|as soon as|"
    r"before|after|between|for|dated)\s*$", re.IGNORECASE)
_ADVERBIAL_OPEN_RE = re.compile(
    r"^(?:in|on|at|since|from|by|during|until|through|around|after|before|last|this|next|early|late|"
    r"earlier|later|that|the|a|an|back|for|over|within|as of|as early as|\d)\b", re.IGNORECASE)
_PROPER_TAIL_RE = re.compile(r"((?:(?:[A-Z][\w'’.-]*|of|the)\s+){0,3}[A-Z][\w'’.-]*)\s*$")


_CONTENT_TOKEN: dict[str, int] = {}  # token -> 1 if tokens(..., remove_stopwords=True, keep_numbers=False) keeps it


def _is_content_token(w: str) -> int:
    """1 if :func:`trilat_lib.text.tokens` (``remove_stopwords=True, keep_numbers=False``)
    keeps the token ``w``, else 0 — its per-token tests, in its order."""
    from .text import _WORD_RE, normalize_token, stopwords

    if len(w) == 1 and not _WORD_RE.match(w):  # punctuation
        return 0
    if w.lstrip("$")[:1].isdigit():  # a number
        return 0
    w = normalize_token(w)
    return int(w.lower() not in stopwords() and len(w) >= 1)


@lru_cache(maxsize=65536)  # describe_event asks again for the same pieces as it widens a clause
def _content_words(s: str) -> int:
    """``len(tokens(s, remove_stopwords=True, keep_numbers=False))`` (the marker read as a
    space), each distinct token judged once."""
    from .text import _TOKEN_RE

    known = _CONTENT_TOKEN
    n = 0
    for w in _TOKEN_RE.findall(s.replace(_MARK, " ")):
        v = known.get(w)
        if v is None:
            v = _is_content_token(w)
            if len(known) < 500_000:
                known[w] = v
        n += v
    return n


@lru_cache(maxsize=65536)  # sentences and their pieces repeat across a corpus
def _segments(text: str, regex: re.Pattern) -> tuple[tuple[int, int], ...]:
    spans, pos = [], 0
    for m in regex.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return tuple(spans) or ((0, len(text)),)


def _around(spans: list[tuple[int, int]], s: int, e: int) -> tuple[int, int]:
    """Indices of the first and last segment overlapping [s, e) (the nearest one if none does)."""
    idx = [i for i, (a, b) in enumerate(spans) if a < e and b > s] or [
        min(range(len(spans)), key=lambda i: abs(spans[i][0] - s))]
    return idx[0], idx[-1]


def _remove_spans(text: str, spans: list[tuple[int, int]], main: tuple[int, int]) -> str:
    """Remove every expression span (and a preposition introducing it); mark the main one."""
    out, pos = [], 0
    for s, e in sorted(spans):
        if s < pos:
            continue
        before = text[pos:s]
        stripped = _DANGLING_PREP_RE.sub("", before.rstrip())
        if stripped != before.rstrip() or not before.strip():
            before = stripped + " "
        out.append(before)
        out.append(_MARK if (s, e) == main else " ")
        pos = e
        if re.match(r"['’]s\b", text[e:]):
            pos += 2
    out.append(text[pos:])
    return "".join(out)


_TIDY_SUBS = [(re.compile(p), r) for p, r in (
    (r"[ \t\r\n]+", " "), (r"\s+([,.;:!?”’])", r"\1"), (r"([“‘])\s+", r"\1"), (r",(\s*,)+", ","),
    (r"[.\s]*[“‘]\s*$", ""), (r"^[\s,.;:—–”’-]+|[\s,;:—–-]+$", ""))]


@lru_cache(maxsize=65536)  # describe_event tidies the same pieces again and again
def _tidy(s: str) -> str:
    """Collapse whitespace, close up space before punctuation and after opening quotes, drop
    doubled commas, a dangling opening quote and leading/trailing punctuation."""
    for rx, repl in _TIDY_SUBS:
        s = rx.sub(repl, s)
    return s.strip()


def _window(s: str, max_chars: int) -> str:
    """Cap ``s`` at ``max_chars`` on word boundaries, keeping the words around the marker."""
    pos = s.find(_MARK)
    plain = s.replace(_MARK, "")
    if len(plain) <= max_chars:
        return plain
    pos = max(pos, 0)
    budget = max_chars - 2
    lo = max(0, min(pos - (2 * budget) // 3, len(plain) - budget))
    hi = min(len(plain), lo + budget)
    piece = plain[lo:hi]
    if lo > 0:
        piece = piece[piece.find(" ") + 1:] if " " in piece else piece
    if hi < len(plain) and " " in piece:
        piece = piece[: piece.rfind(" ")]
    piece = piece.strip(" ,;:")
    return ("…" if lo > 0 else "") + piece + ("…" if hi < len(plain) else "")


def describe_event(
    sentence: str, start: int, end: int, max_chars: int = 100, others: Sequence[tuple[int, int]] = (),
) -> tuple[str, str]:
    """A short description of the event a temporal expression dates: ``(clause, label)``.

    ``start``/``end`` are the expression's offsets within ``sentence``; ``others`` are the
    offsets of the sentence's other expressions (removed too). The clause is the part of the
    sentence around the expression: split at strong boundaries (; : dashes, brackets); a
    leading time adverbial ("Last month, ...", "At the height of ... in 2019, ...") gives way to
    the main clause after it; long clauses are cut at commas and clause-opening conjunctions to
    the piece holding the expression (extended to its neighbours until it has a few content
    words). The expressions, the preposition introducing them and leading connectives ("and",
    "such as", "which") are dropped; "which"/"who" after a name becomes the name ("Japan,
    which colonized ..." → "Japan colonized ..."). The label is the clause capped at
    ``max_chars`` on word boundaries, keeping the words around where the expression was.
    """
    if not (0 <= start <= end <= len(sentence)):
        raise ParameterError(f"start={start}, end={end} are not valid offsets into a sentence of {len(sentence)} characters.")
    _check_int("max_chars", max_chars, 20)
    n_timex = 1 + len(others)
    spans = [(start, end)] + [(s, e) for s, e in others if 0 <= s < e <= len(sentence) and (s, e) != (start, end)]
    text = _remove_spans(sentence, spans, (start, end))
    text = re.sub(r"[.!?]+([”’\"']?)\s*$", r"\1", text.rstrip())
    m0 = text.find(_MARK)
    # 1. the clause between strong boundaries
    segs = _segments(text, _STRONG_SPLIT_RE)
    i0, i1 = _around(segs, m0, m0 + 1)
    while _content_words(text[segs[i0][0]:segs[i1][1]]) < 3 and (i0 > 0 or i1 < len(segs) - 1):
        if i0 > 0:
            i0 -= 1
        else:
            i1 += 1
    piece = text[segs[i0][0]:segs[i1][1]]
    prefix_end = segs[i0][0]
    # 2. a leading time adverbial gives way to the main clause
    mk = piece.find(_MARK)
    comma = piece.find(",", mk)
    head = piece[:comma] if comma >= 0 else ""
    if (comma >= 0 and len(head) <= 90 and "," not in piece[:mk]
            and (_ADVERBIAL_OPEN_RE.match(head.lstrip(_MARK + " ")) or not head.replace(_MARK, "").strip())
            and _content_words(piece[comma + 1:]) >= 3):
        prefix_end += comma + 1
        head_words = _tidy(head.replace(_MARK, " "))
        piece = _MARK + piece[comma + 1:]  # the label starts at the main clause
    else:
        head_words = ""
        # 3. long clauses: cut at commas, then at clause-opening conjunctions
        need = 2 if n_timex > 1 else 3
        for regex in (_COMMA_RE, _WEAK_SPLIT_RE):
            # short clauses stay whole, unless several expressions share the sentence: then
            # each gets the clause it stands in ("... dinner on Wednesday and addresses Congress the next day")
            if len(piece) <= max_chars and (n_timex == 1 or regex is _COMMA_RE):
                continue
            sub = _segments(piece, regex)
            if len(sub) < 2:
                continue
            mk = piece.find(_MARK)
            j0, j1 = _around(sub, mk, mk + 1)
            while _content_words(piece[sub[j0][0]:sub[j1][1]]) < need and (j0 > 0 or j1 < len(sub) - 1):
                if j0 > 0:
                    j0 -= 1
                else:
                    j1 += 1
            prefix_end += sub[j0][0]
            piece = piece[sub[j0][0]:sub[j1][1]]
        # a non-restrictive relative clause holding the expression is the event ("Japan, which colonized ...")
        sub = _segments(piece, _COMMA_RE)
        mk = piece.find(_MARK)
        j0, j1 = _around(sub, mk, mk + 1)
        rel = piece[sub[j0][0]:sub[j1][1]]
        named = _PROPER_TAIL_RE.search(piece[:sub[j0][0]].rstrip(" ,")) if j0 > 0 else None
        if (named and not re.match(r"^(?:the|of)\b", named.group(1), re.IGNORECASE)
                and re.match(r"^\s*(?:which|who)\b", rel, re.IGNORECASE) and _content_words(rel) >= 2):
            prefix_end += sub[j0][0]
            piece = rel
    clause = _tidy(piece)
    # 4. "which"/"who" after a name: substitute the name; drop leading connectives
    m = re.match(rf"^[{_MARK}\s]*(which|who)\b\s*", clause, re.IGNORECASE)
    if m:
        before = sentence[:max(0, min(prefix_end, len(sentence)))].rstrip(" ,")
        tail = _PROPER_TAIL_RE.search(before)
        if tail and not re.match(r"^(?:the|of)\b", tail.group(1), re.IGNORECASE):
            clause = tail.group(1).strip() + " " + clause[m.end():]
    lead = re.match(rf"^[{_MARK}\s]*", clause).group(0)
    clause = lead + _CONNECTIVE_RE.sub("", clause[len(lead):])
    clause = re.sub(rf"^([{_MARK}\s]*)(?:came|comes|come)\s+(?=\S)", r"\1", clause)  # "then came X" → "X"
    clause = _tidy(clause)
    if not clause.replace(_MARK, "").strip():
        clause = _tidy(text) if text.replace(_MARK, "").strip() else sentence.strip()
    if not clause.replace(_MARK, "").strip():
        clause = sentence.strip()
    # unbalanced closing quote at the end
    if clause.endswith(("”", "\"")) and clause.count("“") < clause.count("”") + clause.count("\"") % 2:
        clause = clause[:-1]
    first = clause.lstrip(_MARK + " ")
    clause = clause[: len(clause) - len(first)] + first[:1].upper() + first[1:]
    full = _tidy(clause.replace(_MARK, " "))
    if head_words and _content_words(head_words) >= 1:  # keep "In his speech" for matching mentions
        head_words = _tidy(_CONNECTIVE_RE.sub("", head_words))
        full = head_words[:1].upper() + head_words[1:] + ", " + full
    label = _tidy(_window(re.sub(rf"\s*{_MARK}\s*", f" {_MARK}", clause).strip(), max_chars))
    return full, label


# =========================================================================== merging

_SIM_WORD_RE = re.compile(r"[^\W\d_][\w'’-]*")


_NO_KEY = object()
_SIM_KEYS: dict[str, str | None] = {}  # a word as written -> its 5-letter key (None: a stop word or too short)


def _sim_key(word: str) -> str | None:
    key = _SIM_KEYS.get(word, _NO_KEY)
    if key is _NO_KEY:
        from .text import normalize_token, stopwords

        w = normalize_token(word)
        key = None if len(w) < 2 or w in stopwords() else w[:5]
        if len(_SIM_KEYS) < 500_000:  # the vocabulary of a corpus; bounded all the same
            _SIM_KEYS[word] = key
    return key


@lru_cache(maxsize=65536)  # clauses and sentences repeat (idf and pairs ask for the same ones)
def _sim_features(s: str) -> tuple[frozenset[str], frozenset[str]]:
    """(content words, the lower-case ones among them), each truncated to 5 letters
    ("colonized"/"colonial" → "colon"; crude but robust). Lower-case words are the event's
    predicates and common nouns ("summit", "export"); capitalised ones are names."""
    words, common = set(), set()
    get = _SIM_KEYS.get
    for k, w in enumerate(_SIM_WORD_RE.findall(s or "")):
        key = get(w, _NO_KEY)
        if key is _NO_KEY:
            key = _sim_key(w)
        if key is None:
            continue
        words.add(key)
        if k > 0 and w[0].islower():
            common.add(key)
    return frozenset(words), frozenset(common)


def _features_of(texts) -> list[tuple[frozenset[str], frozenset[str]]]:
    """:func:`_sim_features` of every text, each distinct text computed once."""
    memo: dict = {}
    out = []
    for t in texts:
        f = memo.get(t)
        if f is None:
            f = memo[t] = _sim_features(t)
        out.append(f)
    return out


_CALENDAR_NAMES = ("January February March April May June July August September October November December "
                   "Monday Tuesday Wednesday Thursday Friday Saturday Sunday")


def _actor_sets(feats) -> list[frozenset[str]]:
    """The actors each clause names: its capitalised content words (``words - common``) that are
    not also used in lower case in some clause of the timeline ("Profits rose" at a clause start
    is not a name) nor calendar names. Two mentions whose clauses both name actors but share
    none ("Ford's profits rose" / "Chrysler's profits rose") are different events."""
    lower = set().union(*(c for _, c in feats)) if feats else set()
    lower.update(filter(None, map(_sim_key, _CALENDAR_NAMES.split())))
    memo: dict = {}
    out = []
    for f in feats:
        a = memo.get(f)
        if a is None:
            a = memo[f] = frozenset(t for t in f[0] - f[1] if t not in lower)
        out.append(a)
    return out


_UBIQUITOUS_SHARE = 0.02  # a name in more than this share of the documents (and in 3 or more) is a setting


def _ubiquitous(actors: list[frozenset], docs: list) -> frozenset[str]:
    """Names found in the clauses of many documents ("Japan" in a corpus on Japan, "New York"
    in the stock reports of a financial paper): they place an event, they do not identify it."""
    seen: dict[str, set] = {}
    for a, d in zip(actors, docs):
        for t in a:
            seen.setdefault(t, set()).add(d)
    limit = max(3, _UBIQUITOUS_SHARE * len(set(docs)))
    return frozenset(t for t, ds in seen.items() if len(ds) >= limit)


def _actors_clash(a: frozenset, b: frozenset, same_doc: bool = True, ubiquitous: frozenset = frozenset()) -> bool:
    """True when two clauses cannot describe one event for their actors. In one document: both
    name actors and share none. Across documents they must share an actor — a distinctive one
    when either names one ("Crossland closed at $5.25 in New York trading" is not "GM closed
    down in New York trading"; "UniFirst earned $2.4 million" is not another article's "the
    company said net rose")."""
    if same_doc:
        return bool(a) and bool(b) and not (a & b)
    da, db = a - ubiquitous, b - ubiquitous
    if da or db:
        return not (da & db)
    return not (a & b)


def similarity(a: str, b: str, min_shared: int = 2, idf: dict[str, float] | None = None) -> float:
    """Content similarity of two event descriptions, 0..1.

    Shared content words (5-letter prefixes, weighted by ``idf`` when given) over the
    smaller description's weight — the overlap coefficient, which suits a short clause
    ("attended a NATO summit") against a long one. 0 unless at least ``min_shared`` words are
    shared and one of them is a lower-case word (a predicate or common noun such as
    "summit", "export", "colonial"): shared names alone ("Secretary of State Blinken") do not
    make two mentions the same event."""
    return _sim(_sim_features(a), _sim_features(b), min_shared, idf)


def _sim(fa, fb, min_shared: int, idf: dict[str, float] | None, totals: tuple[float, float] | None = None) -> float:
    """:func:`similarity` of two feature pairs; ``totals`` = their words' summed weights, when
    already computed (:func:`_pairs` computes them once per row, not once per pair)."""
    (A, Ac), (B, Bc) = fa, fb
    if not A or not B:
        return 0.0
    shared = A & B
    if len(shared) < min_shared or not (Ac & Bc):
        return 0.0
    w = (lambda t: idf.get(t, 1.0)) if idf else (lambda t: 1.0)
    # fsum: exactly rounded whatever the (hash-seeded) set order, so ties between pairs, and
    # hence the merged events, are the same in every run
    denom = min(totals) if totals else min(math.fsum(map(w, A)), math.fsum(map(w, B)))
    return min(1.0, math.fsum(map(w, shared)) / denom) if denom > 0 else 0.0


def _idf(timeline: pd.DataFrame) -> dict[str, float]:
    """Inverse document frequency over the timeline's distinct sentences: words found in most
    sentences (here "Japan", "Korea") weigh little, rare ones ("colonial", "NATO") much."""
    import math
    from collections import Counter

    sents = timeline.drop_duplicates(["doc_id", "sentence_id"])["sentence"].fillna("")
    df: Counter = Counter()
    known = _SIM_KEYS.keys()
    for s, k in Counter(sents.tolist()).items():  # each distinct sentence once, counted k times
        found = set(_SIM_WORD_RE.findall(s or ""))
        # the content words of _sim_features(s), from the word cache when it knows every word
        keys = set(map(_SIM_KEYS.get, found)) if found <= known else {_sim_key(w) for w in found}
        keys.discard(None)
        if k == 1:
            df.update(keys)
        else:
            for t in keys:
                df[t] += k
    n = len(sents)
    return {t: math.log((1 + n) / (1 + c)) + 0.05 for t, c in df.items()}


def _overlap(a0: date, a1: date, b0: date, b1: date) -> bool:
    return a0 <= b1 and b0 <= a1


_WIDE_YEARS = 30  # (overlapping pairs) a mention spanning more years is compared with every row sharing a word


def _pairs(timeline: pd.DataFrame, min_shared: int, country_guard: bool, same_sentence: bool = False,
           keep=None, overlapping: bool = False):
    """Yield (i, j, similarity) for pairs of rows (positions) with a non-zero similarity.

    Candidates come from an inverted index over the clauses' lower-case words (a pair must
    share one anyway), so the cost grows with the pairs that share words, not with n².
    Two expressions of one sentence count as the same clause (similarity 1) when
    ``same_sentence``; otherwise such pairs are skipped. ``keep(i, j)``, when given, drops
    the pairs the caller would drop anyway before their similarity is computed. With
    ``overlapping`` only pairs whose intervals share a calendar year can be yielded (the caller
    needs overlapping intervals), and the index is also keyed by year, so a large corpus does
    not compare every pair of mentions that share a common word across decades.
    """
    import bisect

    feats = _features_of(timeline["clause"].fillna("").tolist())
    idf = _idf(timeline)
    weight = idf.get
    totals = [math.fsum(weight(t, 1.0) for t in words) for words, _ in feats]
    ctry = [set(filter(None, str(c or "").split(";"))) for c in timeline["countries"].fillna("")]
    keys = list(zip(timeline["doc_id"].tolist(), timeline["sentence_id"].tolist()))
    n = len(timeline)
    if same_sentence:
        by_sent: dict = {}
        for i, k in enumerate(keys):
            by_sent.setdefault(k, []).append(i)
        for rows in by_sent.values():
            for x in range(len(rows)):
                for y in range(x + 1, len(rows)):
                    yield rows[x], rows[y], 1.0
    index: dict[str, list[int]] = {}
    for i, (_, common) in enumerate(feats):
        for t in common:
            index.setdefault(t, []).append(i)
    spans: list[range | None] = [None] * n  # years a row covers; None = everything (wide or not blocking)
    by_year: dict[tuple, list[int]] = {}
    wide: dict[str, list[int]] = {}
    if overlapping:
        for i, (a, b) in enumerate(zip(timeline["start"].tolist(), timeline["end"].tolist())):
            if b.year - a.year <= _WIDE_YEARS:
                spans[i] = range(a.year, b.year + 1)
        for i, (_, common) in enumerate(feats):
            for t in common:
                if spans[i] is None:
                    wide.setdefault(t, []).append(i)
                else:
                    for y in spans[i]:
                        by_year.setdefault((t, y), []).append(i)
    for i in range(n):
        cands = set()
        for t in feats[i][1]:
            if spans[i] is None:  # compare with every row sharing the word
                postings = [index[t]]
            else:  # rows sharing the word and a year, and the wide rows sharing the word
                postings = [by_year[(t, y)] for y in spans[i]] + [wide.get(t, [])]
            for rows in postings:  # each ascending
                cands.update(rows[bisect.bisect_right(rows, i):])
        for j in sorted(cands):
            if keys[i] == keys[j]:
                continue
            if keep is not None and not keep(i, j):
                continue
            if country_guard and ctry[i] and ctry[j] and not (ctry[i] & ctry[j]):
                continue
            sim = _sim(feats[i], feats[j], min_shared, idf, (totals[i], totals[j]))
            if sim > 0:
                yield i, j, sim


def _check_timeline(timeline) -> None:
    _require_columns(timeline, ["doc_id", "sentence_id", "start", "end", "granularity", "clause", "countries",
                                "event", "timex", "value", "sentence"], "timeline")


def cluster_events(
    timeline: pd.DataFrame,
    threshold: float = 0.5,
    min_shared: int = 2,
    same_granularity: bool = False,
    country_guard: bool = True,
) -> pd.Series:
    """An ``event_id`` for every timeline row: rows describing the same event share it.

    Two mentions are the same event when their intervals overlap (with ``same_granularity``
    also the same granularity; otherwise one interval must contain the other, e.g. "June
    2022" inside "summer 2022"), their clauses share at least ``min_shared`` content words
    with an overlap coefficient ≥ ``threshold`` (:func:`similarity`), and — with
    ``country_guard`` — their sentences do not name disjoint sets of countries; their clauses
    must not name different actors (across documents they must share one, a distinctive one
    when either names one: :func:`_actors_clash`). Groups are grown from the most similar pairs
    down by complete linkage: two groups join only when every pair of their mentions is such a
    pair, so "a like b" and "b like c" never put a and c together by themselves.
    Two expressions of one sentence with overlapping intervals ("this week ... on Wednesday")
    are one event.
    """
    _check_timeline(timeline)
    threshold = _check_float("threshold", threshold, 0.0, 1.0)
    _check_int("min_shared", min_shared, 1)
    n = len(timeline)
    if n == 0:
        return pd.Series([], dtype="Int64", name="event_id")
    import numpy as np

    starts, ends = timeline["start"].tolist(), timeline["end"].tolist()
    found = _fast_candidates(timeline, threshold, min_shared, same_granularity, country_guard)
    if found is None:  # values the fast path does not handle: the pair-by-pair reference
        cand_i, cand_j = map(np.asarray, _candidates_by_pairs(timeline, threshold, min_shared, same_granularity,
                                                              country_guard))
    else:
        cand_i, cand_j = found
        starts = [d.toordinal() for d in starts]  # in the same order as the dates, compared faster
        ends = [d.toordinal() for d in ends]
    # grow groups from the most similar pairs down, by complete linkage: two groups join only
    # when every mention of one is a candidate pair with every mention of the other (the same
    # event pairwise — never a chain "a like b, b like c" joining a and c). ``group[i]`` labels
    # i's group; a join relabels the smaller group (the labels are not in the result, only the
    # groups, their intervals and smallest members)
    cand_i = np.asarray(cand_i, dtype=np.int64)
    cand_j = np.asarray(cand_j, dtype=np.int64)
    pair_keys = np.sort(np.minimum(cand_i, cand_j) * n + np.maximum(cand_i, cand_j))
    group = list(range(n))
    members: list = [[i] for i in range(n)]
    lo_of, hi_of = list(starts), list(ends)
    failed: set = set()  # group pairs that cannot join: a missing link stays missing as groups grow
    done, block = 0, 1024
    while done < len(cand_i):
        bi, bj = cand_i[done:done + block], cand_j[done:done + block]
        if done:  # groups only grow: pairs already in one group at the block's start stay so
            g = np.asarray(group)
            apart = g[bi] != g[bj]
            bi, bj = bi[apart], bj[apart]
        done += block
        block = min(2 * block, 1 << 20)
        for i, j in zip(bi.tolist(), bj.tolist()):
            gi = group[i]
            gj = group[j]
            if gi == gj:
                continue
            ma, mb = members[gi], members[gj]
            if len(ma) > 1 or len(mb) > 1:  # two single mentions: their pair is a candidate
                fk = (gi, gj) if gi < gj else (gj, gi)
                if fk in failed:
                    continue
                if not _all_linked(pair_keys, ma, mb, n):
                    failed.add(fk)
                    continue
            a0, a1, b0, b1 = lo_of[gi], hi_of[gi], lo_of[gj], hi_of[gj]
            lo = a0 if a0 > b0 else b0
            hi = a1 if a1 < b1 else b1
            if lo > hi:
                continue  # the groups would no longer share a common date
            if len(ma) < len(mb):
                gi, gj = gj, gi
            moved = members[gj]
            members[gj] = None
            for k in moved:
                group[k] = gi
            members[gi] += moved
            lo_of[gi], hi_of[gi] = lo, hi
    # number events chronologically
    live = [g for g in range(n) if members[g] is not None]
    order = sorted(live, key=lambda g: (lo_of[g], hi_of[g], min(members[g])))
    ids = [0] * n
    for k, g in enumerate(order, start=1):
        ids[g] = k
    return pd.Series([ids[g] for g in group], index=timeline.index, dtype="Int64", name="event_id")


def _all_linked(pair_keys, a: list[int], b: list[int], n: int) -> bool:
    """True when every (x in a, y in b) is a candidate pair (``pair_keys``: sorted min*n + max)."""
    import numpy as np

    x = np.asarray(a, dtype=np.int64)[:, None]
    y = np.asarray(b, dtype=np.int64)[None, :]
    q = (np.minimum(x, y) * n + np.maximum(x, y)).ravel()
    pos = np.searchsorted(pair_keys, q)
    return bool(len(pair_keys)) and bool((pos < len(pair_keys)).all()) and bool((pair_keys[np.minimum(pos, len(pair_keys) - 1)] == q).all())


def _candidates_by_pairs(timeline, threshold, min_shared, same_granularity, country_guard) -> tuple[list, list]:
    """The pairs (i, j) :func:`cluster_events` may join, most similar first (ties by i, j),
    from :func:`_pairs`: the reference the fast path (:func:`_fast_candidates`) must equal."""
    starts, ends = timeline["start"].tolist(), timeline["end"].tolist()
    grans = timeline["granularity"].tolist()
    candidates = []
    actors = _actor_sets(_features_of(timeline["clause"].fillna("").tolist()))
    keys = list(zip(timeline["doc_id"].tolist(), timeline["sentence_id"].tolist()))
    ubiq = _ubiquitous(actors, timeline["doc_id"].tolist())

    def clash(i, j):  # two sentences' clauses naming different actors (one sentence: never)
        return keys[i] != keys[j] and _actors_clash(actors[i], actors[j], keys[i][0] == keys[j][0], ubiq)

    def keep(i, j):  # the checks below that do not need the similarity, done first
        return (_overlap(starts[i], ends[i], starts[j], ends[j]) and not (same_granularity and grans[i] != grans[j])
                and not clash(i, j))

    for i, j, sim in _pairs(timeline, min_shared, country_guard, same_sentence=True, keep=keep, overlapping=True):
        if sim < threshold or not _overlap(starts[i], ends[i], starts[j], ends[j]):
            continue
        if clash(i, j):
            continue  # different actors: two events (two firms' results)
        if same_granularity and grans[i] != grans[j]:
            continue
        if not same_granularity and grans[i] != grans[j]:
            inside = (starts[i] >= starts[j] and ends[i] <= ends[j]) or (starts[j] >= starts[i] and ends[j] <= ends[i])
            if not inside:
                continue
        candidates.append((sim, i, j))
    candidates.sort(key=lambda t: (-t[0], t[1], t[2]))
    return [i for _, i, _ in candidates], [j for _, _, j in candidates]


def _codes(values) -> list[int] | None:
    """Integer codes with the equality of ``values`` as :func:`_candidates_by_pairs` compares
    them (``!=``): equal strings (or None) share a code, every NaN gets its own; None for other
    kinds of value (the caller then takes the reference path)."""
    codes, seen = [], {}
    for v in values:
        if v is None or isinstance(v, str):
            codes.append(seen.setdefault(v, len(seen)))
        elif isinstance(v, float) and v != v:
            codes.append(-1 - len(codes))  # NaN != NaN: never equal to another row
        else:
            return None
    return codes


def _exact_weight_units(weights: list[float]) -> tuple[int, list[int]] | None:
    """(K, m) with every weight == m_t / 2**K exactly and 0 < m_t < 2**62, so that sums of
    weights are sums of integers (exact, in any order) — None when the weights do not allow it."""
    ratios = []
    for w in weights:
        if not (isinstance(w, float) and math.isfinite(w) and w > 0):
            return None
        num, den = w.as_integer_ratio()
        ratios.append((num, den.bit_length() - 1))
    k = max((e for _, e in ratios), default=0)
    m = [num << (k - e) for num, e in ratios]
    if any(x >= 1 << 62 for x in m):
        return None
    return k, m


class _SimilarityTable:
    """:func:`_sim` for many pairs of distinct features at once, vectorised and bit-identical.

    The shared words' weights are summed as exact integers — every weight is an integer
    multiple of ``2**-k`` — so the sum is exact whatever the order; ``math.fsum`` is exactly
    rounded, and so is the one IEEE addition that turns the integer sum into a float. Then the
    division by the smaller total and the checks of :func:`_sim`. :meth:`make` returns None
    when the weights do not allow an exact integer sum.
    """

    DENSE_LIMIT = 200_000_000  # (features × words) lookups in a bit table up to this size, else by binary search

    @classmethod
    def make(cls, feats, idf):
        vocab: dict[str, int] = {}
        for words, _ in feats:
            for t in words:
                vocab.setdefault(t, len(vocab))
        units = _exact_weight_units([float(idf.get(t, 1.0)) for t in vocab])
        return None if units is None else cls(feats, idf, vocab, *units)

    def __init__(self, feats, idf, vocab, k, m):
        import numpy as np

        indptr, indices, common = [0], [], []
        for words, com in feats:
            for t in words:
                indices.append(vocab[t])
                common.append(t in com)
            indptr.append(len(indices))
        self.k = k
        self.totals = np.array([math.fsum(idf.get(t, 1.0) for t in words) for words, _ in feats], dtype=np.float64)
        n_f, n_v = len(feats), len(vocab) + 1  # word id n_v - 1 pads the rows below: in no feature
        self.n_v = n_v
        self.lens = lens = np.diff(np.asarray(indptr, dtype=np.int64))
        self.width = width = max(int(lens.max(initial=0)), 1)
        indices = np.asarray(indices, dtype=np.int64)
        common = np.asarray(common, dtype=bool)
        owner = np.repeat(np.arange(n_f, dtype=np.int64), lens)
        slot = np.arange(len(indices), dtype=np.int64) - np.repeat(np.asarray(indptr[:-1], dtype=np.int64), lens)
        # per feature, padded to ``width``: its word ids and whether each is lower-case there
        self.words = np.full((n_f, width), n_v - 1, dtype=np.int64)
        self.words[owner, slot] = indices
        self.is_common = np.zeros((n_f, width), dtype=bool)
        self.is_common[owner, slot] = common
        # each weight as two integer parts below 2**31: the row sums below are exact in float64
        self.w_hi = np.array([x >> 31 for x in m] + [0], dtype=np.float64)
        self.w_lo = np.array([x & 0x7FFFFFFF for x in m] + [0], dtype=np.float64)
        flat = owner * n_v + indices  # (feature, word) pairs, each feature's words in one run
        self.dense = n_f * n_v <= self.DENSE_LIMIT
        if self.dense:
            self.has = np.zeros(n_f * n_v, dtype=bool)
            self.has[flat] = True
            self.has_common = np.zeros(n_f * n_v, dtype=bool)
            self.has_common[flat[common]] = True
        else:
            order = np.argsort(flat, kind="stable")
            self.keys, self.key_common = flat[order], common[order]

    def _lookup(self, q):
        """(word in feature, word lower-case in feature) for flat (feature, word) codes ``q``."""
        import numpy as np

        if self.dense:
            return self.has[q], self.has_common[q]
        if not len(self.keys):
            return np.zeros(q.shape, dtype=bool), np.zeros(q.shape, dtype=bool)
        pos = np.minimum(np.searchsorted(self.keys, q), len(self.keys) - 1)
        hit = self.keys[pos] == q
        return hit, hit & self.key_common[pos]

    def __call__(self, pair_a, pair_b, min_shared: int):
        """:func:`_sim` of the features ``pair_a[x]`` and ``pair_b[x]`` (index arrays)."""
        import numpy as np

        lens, words, n_v = self.lens, self.words, self.n_v
        out = np.zeros(len(pair_a), dtype=np.float64)
        swap = lens[pair_a] > lens[pair_b]  # walk the smaller set, look its words up in the other
        small = np.where(swap, pair_b, pair_a)
        other = np.where(swap, pair_a, pair_b)
        n_small = lens[small]
        chunk = max(1, 4_000_000 // self.width)
        for ln in range(1, self.width + 1):  # the pairs whose smaller feature has ln words
            sel_all = np.flatnonzero(n_small == ln)
            for c0 in range(0, len(sel_all), chunk):
                sel = sel_all[c0:c0 + chunk]
                s_, o_ = small[sel], other[sel]
                w = words[s_, :ln]
                hit, hit_common = self._lookup(o_[:, None] * n_v + w)
                both_common = hit_common & self.is_common[s_, :ln]  # a lower-case word of both
                ok = (np.count_nonzero(hit, axis=1) >= min_shared) & both_common.any(axis=1)
                sel, w, hit = sel[ok], w[ok], hit[ok]
                if not len(sel):
                    continue
                hi = np.where(hit, self.w_hi[w], 0.0).sum(axis=1)
                lo = np.where(hit, self.w_lo[w], 0.0).sum(axis=1)
                total = (hi * 2.0 ** 31 + lo) * 2.0 ** -self.k  # exactly rounded, as math.fsum
                denom = np.minimum(self.totals[pair_a[sel]], self.totals[pair_b[sel]])
                out[sel] = np.where(denom > 0, np.minimum(1.0, total / np.where(denom > 0, denom, 1.0)), 0.0)
        return out


_BLOCK_WORK = 8_000_000  # pairs handled at once by _fast_candidates (bounds its memory)


def _blocks(work, limit: int) -> list[tuple[int, int]]:
    """Consecutive ranges ``[a, b)`` of positions whose ``work`` sums to at most ``limit``
    (a single position above it makes a range of its own)."""
    import numpy as np

    cum = np.cumsum(np.asarray(work, dtype=np.int64))
    out, a, base = [], 0, 0
    while a < len(cum):
        b = max(int(np.searchsorted(cum, base + limit, side="right")), a + 1)
        out.append((a, b))
        base, a = int(cum[b - 1]), b
    return out


def _fast_candidates(timeline, threshold, min_shared, same_granularity, country_guard):
    """The candidate pairs of :func:`_candidates_by_pairs` (the same pairs in the same order),
    computed by blocks instead of pair by pair; None when the timeline holds values this does
    not handle (dates that are not ``datetime.date``, unusual granularity values, weights that
    cannot be summed exactly as integers) — the caller then takes the reference path.

    A similarity depends only on the two clauses' features, and a corpus repeats its clauses,
    so it is computed once per pair of distinct features (:class:`_SimilarityTable`), for
    the feature pairs that share a lower-case word (the similarity is 0 otherwise) and occur
    in a common year (a sparse product over (word, year) columns). Row pairs are then found
    year by year: the rows starting in year y against the rows under way in y, through the
    sparse matrix of the feature pairs similar enough. Two overlapping intervals meet in the
    year where the later one starts, so each overlapping pair is found exactly once, there.
    """
    import numpy as np
    import scipy.sparse as sp

    n = len(timeline)
    starts, ends = timeline["start"].tolist(), timeline["end"].tolist()
    if not all(type(d) is date for d in starts) or not all(type(d) is date for d in ends):
        return None
    s_ord = np.fromiter((d.toordinal() for d in starts), dtype=np.int64, count=n)
    e_ord = np.fromiter((d.toordinal() for d in ends), dtype=np.int64, count=n)
    if (s_ord > e_ord).any():
        return None
    gran = _codes(timeline["granularity"].tolist())
    if gran is None:
        return None
    gran = np.asarray(gran, dtype=np.int64)
    key_code: dict = {}  # (doc_id, sentence_id), compared as the reference compares the tuples
    keys = np.fromiter((key_code.setdefault(k, len(key_code)) for k in
                        zip(timeline["doc_id"].tolist(), timeline["sentence_id"].tolist())), dtype=np.int64, count=n)

    # countries: one bit mask per distinct "countries" value (a uint64 word per 64 countries)
    set_code: dict = {}
    ctry = np.fromiter((set_code.setdefault(str(c or ""), len(set_code)) for c in timeline["countries"].fillna("")),
                       dtype=np.int64, count=n)
    sets = [frozenset(filter(None, s.split(";"))) for s in set_code]
    bit = {c: b for b, c in enumerate(sorted(set().union(*sets)))}
    n_words = max(1, (len(bit) + 63) // 64)
    set_masks = np.zeros((len(sets), n_words), dtype=np.uint64)
    for k, cs in enumerate(sets):
        m = sum(1 << bit[c] for c in cs)
        for w in range(n_words):
            set_masks[k, w] = (m >> (64 * w)) & 0xFFFFFFFFFFFFFFFF
    set_nonempty = np.array([bool(cs) for cs in sets], dtype=bool)

    def admissible(i, j):
        """The checks of _candidates_by_pairs that need no similarity (overlap, granularity)."""
        ok = (s_ord[i] <= e_ord[j]) & (s_ord[j] <= e_ord[i])
        same_g = gran[i] == gran[j]
        if same_granularity:
            ok &= same_g
        else:
            inside = (((s_ord[i] >= s_ord[j]) & (e_ord[i] <= e_ord[j]))
                      | ((s_ord[j] >= s_ord[i]) & (e_ord[j] <= e_ord[i])))
            ok &= same_g | inside
        return ok

    def countries_clash(i, j):
        a, b = ctry[i], ctry[j]
        disjoint = ~(set_masks[a] & set_masks[b]).any(axis=1)
        return set_nonempty[a] & set_nonempty[b] & disjoint

    # distinct clause features, the similarity of the feature pairs that can meet
    feats = _features_of(timeline["clause"].fillna("").tolist())
    fid_of: dict = {}
    fid = np.fromiter((fid_of.setdefault(f, len(fid_of)) for f in feats), dtype=np.int64, count=n)
    distinct = list(fid_of)
    n_f = len(distinct)
    s_year = np.fromiter((d.year for d in starts), dtype=np.int64, count=n)
    e_year = np.fromiter((d.year for d in ends), dtype=np.int64, count=n)
    years = np.unique(s_year)  # the years where some row starts; a row covers those within its interval
    n_y = len(years)
    y_start = np.searchsorted(years, s_year)
    cover_len = np.searchsorted(years, e_year, side="right") - y_start
    cover_row = np.repeat(np.arange(n, dtype=np.int64), cover_len)
    cover_y = (np.repeat(y_start - np.cumsum(cover_len) + cover_len, cover_len)
               + np.arange(len(cover_row), dtype=np.int64))  # the start-years each row covers

    cvocab: dict[str, int] = {}
    c_ptr, c_idx = [0], []
    for _, com in distinct:
        c_idx.extend(cvocab.setdefault(t, len(cvocab)) for t in com)
        c_ptr.append(len(c_idx))
    c_ptr = np.asarray(c_ptr, dtype=np.int64)
    c_idx = np.asarray(c_idx, dtype=np.int64)
    c_len = np.diff(c_ptr)
    cells = np.unique(fid[cover_row] * n_y + cover_y)  # (feature, year) where a row of the feature is under way
    cf, cy = cells // n_y, cells % n_y
    rep = np.repeat(np.arange(len(cells), dtype=np.int64), c_len[cf])
    pos = np.repeat(c_ptr[cf] - np.cumsum(c_len[cf]) + c_len[cf], c_len[cf]) + np.arange(len(rep), dtype=np.int64)
    _, col = np.unique(c_idx[pos] * n_y + cy[rep], return_inverse=True)  # (lower-case word, year) columns
    X = sp.csr_matrix((np.ones(len(rep), dtype=bool), (cf[rep], col.ravel())),
                      shape=(n_f, int(col.max(initial=-1)) + 1))
    # two rows under way in one year overlap in the year where the later one starts: X·Xᵀ holds
    # every feature pair a row pair of which could be joined (and is symmetric). By blocks of
    # features, so that memory stays bounded
    actors = _actor_sets(distinct)  # the same sets as the reference's (the timeline's clauses' lower-case words)
    has_actors = np.array([bool(a) for a in actors], dtype=bool)
    ubiq = _ubiquitous([actors[f] for f in fid.tolist()], timeline["doc_id"].tolist())
    table = _SimilarityTable.make(distinct, _idf(timeline))
    if table is None:
        return None
    XT = X.T.tocsr()
    kept_a, kept_b, kept_s, kept_x = [], [], [], []
    for b0, b1 in _blocks(X.astype(np.int64) @ np.diff(XT.indptr), _BLOCK_WORK):
        part = (X[b0:b1] @ XT).tocoo()
        pa, pb = part.row.astype(np.int64) + b0, part.col.astype(np.int64)
        upper = pa <= pb
        pa, pb = pa[upper], pb[upper]
        sims = table(pa, pb, min_shared)
        good = (sims >= threshold) & (sims > 0)
        # the actor checks of the reference: a pair that clashes within a document is dropped; one
        # that clashes only across documents is flagged (checked on the row pairs below)
        cross = ~has_actors[pa] & ~has_actors[pb]  # no actor named: nothing ties two articles' clauses
        some = np.flatnonzero(good & (has_actors[pa] | has_actors[pb]))
        if len(some):
            xs, ys = pa[some].tolist(), pb[some].tolist()
            good[some] = [not _actors_clash(actors[x], actors[y]) for x, y in zip(xs, ys)]
            cross[some] = [_actors_clash(actors[x], actors[y], False, ubiq) for x, y in zip(xs, ys)]
        kept_a.append(pa[good]), kept_b.append(pb[good]), kept_s.append(sims[good]), kept_x.append(cross[good])
    del X, XT, table
    pa, pb, sims, cross = (np.concatenate(x) for x in (kept_a, kept_b, kept_s, kept_x))
    # candidates are taken most similar first, then by (i, j): one int64 key per pair,
    # (rank of the similarity, i, j), sorted once
    levels = np.unique(np.append(sims, 1.0))[::-1]
    if len(levels) * n * n >= 2 ** 62:
        return None
    rank = np.searchsorted(-levels, -sims)  # 0 = most similar
    off = pa != pb
    code = 2 * rank + cross  # the similarity's rank and whether the actors clash across documents
    S = sp.csr_matrix((np.concatenate([code, code[off]]) + 1,
                       (np.concatenate([pa, pb[off]]), np.concatenate([pb, pa[off]]))),
                      shape=(n_f, n_f), dtype=np.int64)  # data: 1 + code
    del pa, pb, sims, rank, off, code, cross
    doc_code: dict = {}
    docs = np.fromiter((doc_code.setdefault(d, len(doc_code)) for d in timeline["doc_id"].tolist()), dtype=np.int64, count=n)
    nn = np.int64(n) * n
    found = []

    # two expressions of one sentence: similarity 1, no country check
    order = np.argsort(keys, kind="stable")
    size = np.bincount(keys)
    grp_end = np.cumsum(size)[keys[order]]  # for each row (in key order), where its sentence's rows end
    later = grp_end - np.arange(1, n + 1)  # rows of the same sentence after it
    src = np.repeat(np.arange(n, dtype=np.int64), later)
    dst = np.repeat(np.arange(1, n + 1) - np.cumsum(later) + later, later) + np.arange(len(src), dtype=np.int64)
    i, j = order[src], order[dst]  # stable order: i < j
    keep = admissible(i, j)
    rank_one = int(np.searchsorted(-levels, -1.0))
    found.append(rank_one * nn + i[keep] * n + j[keep])

    # row pairs, year by year: the rows starting in y against the rows under way in y
    by_start = np.argsort(y_start, kind="stable")
    start_cut = np.searchsorted(y_start[by_start], np.arange(n_y + 1))
    by_cover = np.argsort(cover_y, kind="stable")
    cover_cut = np.searchsorted(cover_y[by_cover], np.arange(n_y + 1))
    S_ones = S.copy()
    S_ones.data[:] = 1
    for y in range(n_y):
        all_a = by_start[start_cut[y]:start_cut[y + 1]]
        rows_b = cover_row[by_cover[cover_cut[y]:cover_cut[y + 1]]]
        PB = sp.csr_matrix((np.ones(len(rows_b), dtype=np.int64), (fid[rows_b], np.arange(len(rows_b)))),
                           shape=(n_f, len(rows_b)))
        per_row = (S_ones @ np.bincount(fid[rows_b], minlength=n_f))[fid[all_a]]  # pairs each row will give
        for a0, a1 in _blocks(per_row, _BLOCK_WORK):
            rows_a = all_a[a0:a1]
            R = (S[fid[rows_a]] @ PB).tocoo()  # one term per entry: S[feature of i, feature of j]
            i, j, r = rows_a[R.row], rows_b[R.col], R.data - 1
            keep = (i != j) & ((y_start[j] < y) | (i < j)) & (keys[i] != keys[j])  # each pair once, other sentences
            keep &= ((r & 1) == 0) | (docs[i] == docs[j])  # actors that clash across documents
            r = r >> 1
            i, j, r = i[keep], j[keep], r[keep]
            i, j = np.minimum(i, j), np.maximum(i, j)
            keep = admissible(i, j)
            if country_guard:
                keep &= ~countries_clash(i, j)
            found.append(r[keep] * nn + i[keep] * n + j[keep])
    key = np.sort(np.concatenate(found))
    ij = key % nn
    return ij // n, ij % n


def _label_score(label: str) -> tuple:
    """Prefer a label that starts where its clause starts and has a few content words."""
    return (not label.startswith("…"), min(_content_words(label), 6), not label.endswith("…"))


def merge_events(
    timeline: pd.DataFrame,
    threshold: float = 0.5,
    min_shared: int = 2,
    same_granularity: bool = False,
    country_guard: bool = True,
    merge: bool = True,
) -> pd.DataFrame:
    """One row per event: mentions of the same event across (and within) documents merged.

    ``start``/``end`` span all its mentions (they overlap pairwise, and usually nest), with the
    ``granularity`` and ``value`` of the widest one: the date every mention agrees with, never a
    finer one ("June 2022" and "summer 2022" give summer 2022; the finer values stay in ``values``); ``event`` is the most informative label
    (one that starts at its clause's start and has a few content words); ``doc_ids``, ``sentence_ids`` ("000:3; 002:5", each sentence once), ``outlets``,
    ``timexes``, ``values`` and ``evidence`` list every source. The unmerged rows stay in
    ``timeline``; :func:`cluster_events` gives each of them its ``event_id``. Parameters as in
    :func:`cluster_events`. With ``merge=False`` every mention stays its own entry (same columns).
    """
    if merge:
        ids = cluster_events(timeline, threshold, min_shared, same_granularity, country_guard)
    else:  # every mention its own entry; the parameters are checked all the same
        _check_timeline(timeline)
        _check_float("threshold", threshold, 0.0, 1.0)
        _check_int("min_shared", min_shared, 1)
        ids = pd.Series(range(1, len(timeline) + 1), index=timeline.index, dtype="Int64", name="event_id")
    n = len(timeline)
    if not n:
        return pd.DataFrame(columns=MERGED_COLUMNS)

    def col(name):  # a column's values (NaN for a missing column, as reindex gives)
        return timeline[name].tolist() if name in timeline.columns else [math.nan] * n

    doc, sid, start, end = col("doc_id"), col("sentence_id"), col("start"), col("end")
    gran, value, mod, event = col("granularity"), col("value"), col("mod"), col("event")
    timex, countries, sentence = col("timex"), col("countries"), col("sentence")
    outlet = timeline["outlet"].fillna("unknown").astype(str).tolist() if "outlet" in timeline else ["unknown"] * n
    pos = timeline["timex_start"].tolist() if "timex_start" in timeline else [0] * n
    eids = [int(e) for e in ids.tolist()]
    sdoc = [str(d) for d in doc]
    # by event, each event's mentions by document, sentence and position (ties in row order)
    order = sorted(range(n), key=lambda r: (eids[r], sdoc[r], sid[r], pos[r]))
    scores: dict = {}

    def label_score(r):  # _label_score, once per distinct label
        label = event[r] or ""
        sc = scores.get(label)
        if sc is None:
            sc = scores[label] = _label_score(label)
        return sc

    rows = []
    k = 0
    while k < n:
        eid = eids[order[k]]
        e = k + 1
        while e < n and eids[order[e]] == eid:
            e += 1
        g = order[k:e]
        k = e
        if len(g) == 1:
            coarsest = best = g[0]
        else:  # the widest date, the one every mention is consistent with (never a finer one)
            coarsest = max(g, key=lambda r: (end[r] - start[r], granularity_rank(gran[r])))
            best = max(g, key=label_score)
        docs = list(dict.fromkeys(sdoc[r] for r in g))
        sent_keys = list(dict.fromkeys((sdoc[r], int(sid[r])) for r in g))
        sentence_of = {(sdoc[r], int(sid[r])): sentence[r] for r in g}
        rows.append((
            eid, min(start[r] for r in g), max(end[r] for r in g), gran[coarsest], value[coarsest], mod[coarsest],
            event[best], len(g), len(docs), "; ".join(docs),
            "; ".join(f"{d}:{s}" for d, s in sent_keys),
            "; ".join(dict.fromkeys(outlet[r] for r in g)),
            "; ".join(dict.fromkeys(timex[r] for r in g)),
            "; ".join(dict.fromkeys(value[r] for r in g)),
            ";".join(dict.fromkeys(c for r in g for c in str(countries[r] or "").split(";") if c)),
            " | ".join(f"[{d}:{s}] {sentence_of[(d, s)]}" for d, s in sent_keys),
            doc[g[0]], int(sid[g[0]]),
        ))
    out = pd.DataFrame(rows, columns=MERGED_COLUMNS)
    return out.sort_values(["start", "end", "event_id"], kind="stable").reset_index(drop=True)


def disagreements(
    timeline: pd.DataFrame,
    threshold: float = 0.6,
    min_shared: int = 2,
    country_guard: bool = True,
    across_documents: bool = True,
) -> pd.DataFrame:
    """Pairs of mentions that look like the same event (similarity ≥ ``threshold``) but whose
    dates do not overlap: either two sources disagree, a relative date was resolved against a
    wrong publication date, or they are two similar events (a recurring meeting) — a reader
    decides, with both sentences shown. ``across_documents`` limits pairs to different texts."""
    _check_timeline(timeline)
    threshold = _check_float("threshold", threshold, 0.0, 1.0)
    _check_int("min_shared", min_shared, 1)
    rows = []
    t = timeline.reset_index(drop=True)
    fields = ("doc_id", "sentence_id", "timex", "value", "start", "end", "event")
    cols = {k: t[k].tolist() for k in fields}
    def keep(i, j):  # the checks below that do not need the similarity, done first
        if across_documents and cols["doc_id"][i] == cols["doc_id"][j]:
            return False
        return not _overlap(cols["start"][i], cols["end"][i], cols["start"][j], cols["end"][j])

    for i, j, sim in _pairs(t, min_shared, country_guard, keep=keep):
        if sim < threshold or _overlap(cols["start"][i], cols["end"][i], cols["start"][j], cols["end"][j]):
            continue
        if across_documents and cols["doc_id"][i] == cols["doc_id"][j]:
            continue
        rows.append({"similarity": round(sim, 3),
                     **{f"{k}_a": cols[k][i] for k in fields}, **{f"{k}_b": cols[k][j] for k in fields}})
    out = pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)
    return out.sort_values("similarity", ascending=False, kind="stable").reset_index(drop=True)


def resolution_table(timexes: pd.DataFrame) -> pd.DataFrame:
    """The relative expressions of :func:`tag_corpus` with how each was resolved — a table a
    student can check by hand against the publication date (or the previous date)."""
    _require_columns(timexes, ["anchored", "doc_id", "sentence_id", "timex", "value", "resolution"], "timexes")
    rel = timexes[timexes["anchored"] != "explicit"]
    cols = ["doc_id", "sentence_id", "timex", "type", "value", "start", "end", "resolution", "on_timeline", "sentence"]
    return rel[[c for c in cols if c in rel.columns]].reset_index(drop=True)


def what_if_published(doc, published: date | str, precision: str = "day") -> pd.DataFrame:
    """How ``doc``'s relative expressions would be resolved had it been published on
    ``published`` (e.g. a page-header date) instead of its manifest date: one row per
    relative expression with both values side by side (``value`` and ``value_if``)."""
    from dataclasses import replace

    alt = _parse_bound("published", published, upper=False)
    if precision not in ("day", "month", "year"):
        raise ParameterError(f"precision={precision!r} must be 'day', 'month' or 'year'.")
    if not hasattr(doc, "doc_id") or not hasattr(doc, "raw"):
        raise ParameterError("doc must be a Document (e.g. corpus['002']).")
    base = tag_corpus([doc], infer_dates=False, warn=False)
    other = tag_corpus([replace(doc, published=alt, date_precision=precision, date_inferred=False)],
                       infer_dates=False, warn=False)
    merged = base.merge(other[["timex_start", "timex_end", "value", "start", "end", "resolution"]],
                        on=["timex_start", "timex_end"], how="outer", suffixes=("", "_if"))
    rel = merged[(merged["anchored"] != "explicit") | merged["anchored"].isna()]
    cols = ["doc_id", "sentence_id", "timex", "value", "value_if", "start", "start_if", "resolution", "resolution_if"]
    return rel[cols].sort_values("sentence_id", kind="stable").reset_index(drop=True)
