"""A rule-based TIMEX3 temporal tagger for English news, resolved against the document creation time.

``tag(text, dct, precision)`` finds temporal expressions (dates, times, durations, sets) and gives
each its TIMEX3 value as TimeML/TempEval-3 define it ("2019", "2022-06", "2023-04-26", "2023-W17",
"2022-SU", "2022-Q4", "199" = the 1990s, "P5Y", "PXD", "PAST_REF"...). Relative expressions
("last month", "on Wednesday", "five years ago") are resolved against the DCT; anaphoric ones
("the next day", "that same year") against the previous date in the text, and an offset never
claims more than its reference knows ("May 1940 ... two days later" is 1940-05). In a paragraph
narrating the past ("Paris fell in May 1940. On June 10 ..."), year-less dates take the story's
year, not the DCT's. Years before Christ get TIMEX3 "BC" values ("445 BC" → "BC0445", "the 4th
century BC" → "BC03"); a date outside the years 1-9999 ("twenty-one centuries ago" in a text of
2023) is skipped with a :class:`TimexWarning`, never an exception. Phrases broken across lines
("that\nsame year") read as one. Named days ("Thanksgiving Day", "Election Day") and years in words
("nineteen ninety-six", as in broadcast transcripts) are resolved too. Extents and values follow
TimeML/TimeBank conventions: prepositions stay outside ("for centuries" → "centuries"), and in
"two years after the war began" the expression is the DURATION "two years" ("after" is a signal to
an event), while "two days later" / "two days after." are dates offset from the previous date.

Why rules: no downloads, transparent (every Timex names the rule that produced it), and fast —
every pattern is a bounded regular expression without nested unbounded quantifiers, so tagging
is linear in the text length even on adversarial input.

DCT precision. The manifest may know a publication date only to the month or year. Nothing finer
than the precision is ever invented:
- DCT-relative expressions of a finer granularity are coarsened to the precision: "today",
  "yesterday", "this week", "last week" in an article dated only to January 2021 all become
  "2021-01" (approximate at month boundaries: "yesterday" on 1 January is in December);
  with year precision they become "2021".
- weekdays ("on Wednesday") need the day: without it the value is "XXXX-WXX-3" (TIMEX3's
  underspecified weekday), not a guessed date in the DCT month;
- month names without a year ("in March") need the month: with year precision the value is
  "XXXX-03"; "last summer" with year precision is taken as the previous year's summer.
Without any DCT, relative expressions get underspecified values ("XXXX-03", "PAST_REF", ...).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import warnings

from .errors import ParameterError

__all__ = ["Timex", "TimexWarning", "tag", "interval", "granularity", "PRECISIONS"]


class TimexWarning(UserWarning):
    """An expression was skipped because its date cannot be represented (outside years 1-9999)."""

PRECISIONS = ("day", "month", "year")


@dataclass(frozen=True)
class Timex:
    """One temporal expression: character offsets into the tagged text and its TIMEX3 attributes.

    ``anchored`` is True when the value was derived from the DCT or from a previous date in the
    text (not written out in full); ``rule`` names the rule that produced it, for auditing.
    """

    start: int
    end: int
    text: str
    type: str
    value: str
    mod: str | None = None
    anchored: bool = False
    rule: str = ""


# --------------------------------------------------------------------------- vocabulary

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_MONTH_FULL = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_MONTH = rf"(?:{_MONTH_FULL}|{_MONTH_ABBR})"
_WEEKDAYS = {"monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7}
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
_SEASON = r"(?:spring|summer|fall|autumn|winter)"
_PARTS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}

_UNITS = {
    "second": ("S", True), "minute": ("M", True), "hour": ("H", True), "day": ("D", False),
    "week": ("W", False), "weekend": ("WE", False), "month": ("M", False), "quarter": ("Q", False),
    "year": ("Y", False), "decade": ("DE", False), "century": ("CE", False), "centurie": ("CE", False),
}
_UNIT = r"(?:second|minute|hour|day|week|month|quarter|year|decade|centur(?:y|ie))"

_ONES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
         "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
         "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
        "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
        "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
        "twentieth": 20, "twenty-first": 21, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_NUMWORD = (r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
            r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
            r"|seventeen|eighteen|nineteen|a hundred|one hundred|hundreds of|thousands of)")
_FUZZY = r"(?:a few|a couple of|a couple|several|some|many|few|a number of)"
_NUM = rf"(?:\d{{1,3}}(?:\.\d)?|{_NUMWORD}|a|an|{_FUZZY})"

# years read out in broadcast transcripts: "nineteen ninety-six", "the year two thousand"
_SPELLED_YEAR = (r"(?i:(?:eighteen|nineteen)[\s-](?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
                 r"(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?)(?![\w-])")
_SPELLED_2000 = (r"(?i:two\sthousand(?:\s(?:and\s)?(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
                 r"|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen))?)(?![\w-])")


def _spelled_year(s: str) -> int:
    """1996 for "nineteen ninety-six", 2001 for "two thousand and one" (patterns above)."""
    w = [x for x in re.split(r"[\s-]+", s.lower()) if x != "and"]
    if w[:2] == ["two", "thousand"]:
        return 2000 + (_ONES[w[2]] if len(w) > 2 else 0)
    return _ONES[w[0]] * 100 + _TENS[w[1]] + (_ONES[w[2]] if len(w) > 2 else 0)


_WORD_BEFORE_BLOCK = re.compile(r"(?:[$£€¥#]|\d[.,]?|[A-Za-z]-?)$")

_TENSE_FUTURE = re.compile(
    r"\b(?:will|'ll|shall|going to|next|upcoming|scheduled|plans? to|planned|planning|expected to|expects|"
    r"is to|are to|set to|due to|to be held|would)\b", re.I)
# common irregular simple-past forms that are not also participles ("will be held", "has told")
# or present forms (put, cut, read)
_IRREGULAR_PAST = (
    "wrote went came took gave began became saw knew grew ran rose fell spoke broke chose drove flew forgot "
    "drew shook threw wore woke sank rang withdrew overtook undertook forgave arose froze stole swore forbade "
    "foresaw overcame oversaw sprang ate")
_TENSE_PAST = re.compile(r"\b(?:said|was|were|had|did|ago|last|earlier|has been|have been|"
                         + "|".join(_IRREGULAR_PAST.split()) + r")\b|\b[a-z]{3,}ed\b", re.I)


_PASSIVE_AUX = re.compile(r"\b(?:be|been|being|is|are|am)\s$", re.I)


def _num(s: str) -> int | None:
    """Integer value of a number word or digits; None for vague quantities ("several")."""
    s = s.lower().strip().replace(",", "")
    if s in ("a", "an", "one", "a hundred", "one hundred"):
        return 100 if "hundred" in s else 1
    if s.isdigit():
        return int(s)
    if re.fullmatch(r"\d+\.\d", s):
        return None
    if s in _ONES:
        return _ONES[s]
    if s in ("a couple", "a couple of"):
        return 2
    parts = re.split(r"[- ]", s)
    if parts[0] in _TENS:
        return _TENS[parts[0]] + (_ONES.get(parts[1], 0) if len(parts) > 1 else 0)
    return None


# --------------------------------------------------------------------------- calendar helpers

def _add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y = d.year + m // 12
    m = m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _span_end(first: date, months: int) -> date:
    """The last day of a span of ``months`` months starting at ``first`` (the first of a month),
    cut at 9999-12-31 (a quarter or winter of year 9999 has no next month to count back from)."""
    m = first.month - 1 + months - 1
    y = first.year + m // 12
    if y > date.max.year:
        return date.max
    m = m % 12 + 1
    return date(y, m, calendar.monthrange(y, m)[1])


def _week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


_GRAN_ORDER = {"day": 0, "week": 1, "month": 2, "season": 2, "quarter": 3, "half": 4, "year": 5, "decade": 6, "century": 7}


def _fmt(d: date, gran: str) -> str:
    if gran == "day":
        return d.isoformat()
    if gran == "week":
        return _week(d)
    if gran == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if gran == "quarter":
        return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
    if gran == "half":
        return f"{d.year:04d}-H{1 if d.month <= 6 else 2}"
    if gran == "year":
        return f"{d.year:04d}"
    if gran == "decade":
        return f"{d.year // 10:03d}"
    if gran == "century":
        return f"{d.year // 100:02d}"
    raise ValueError(gran)


def _shift(d: date, gran: str, n: int) -> date:
    if gran == "day":
        return d + timedelta(days=n)
    if gran == "week":
        return d + timedelta(days=7 * n)
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12, "decade": 120, "century": 1200}[gran]
    return _add_months(d, months * n)


def _season_of(d: date) -> tuple[int, str]:
    """The (year, code) of the meteorological season containing ``d`` (winter = Dec..Feb, named by December's year)."""
    m = d.month
    if m in (3, 4, 5):
        return d.year, "SP"
    if m in (6, 7, 8):
        return d.year, "SU"
    if m in (9, 10, 11):
        return d.year, "FA"
    return (d.year if m == 12 else d.year - 1), "WI"


_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}


# --------------------------------------------------------------------------- public helpers on values

_V_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$")
_V_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_V_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})(?:-WE)?$")
_V_SEASON = re.compile(r"^(\d{4})-(SP|SU|FA|WI)$")
_V_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_V_HALF = re.compile(r"^(\d{4})-H([12])$")


def interval(value: str) -> tuple[date, date] | None:
    """The calendar interval (first day, last day) a TIMEX3 DATE value covers, or None.

    "2019" → 2019-01-01..2019-12-31; "2022-SU" → Jun..Aug; "2022-WI" → Dec 2022..Feb 2023;
    "2022-Q4", "2022-H1", "2023-W17" (ISO week), "199" (1990s), "19" (1900s), "2023-04-26".
    None for PAST_REF/PRESENT_REF/FUTURE_REF, durations, sets and underspecified values (XXXX).
    """
    if not isinstance(value, str):
        return None
    v = value.strip()
    try:
        if m := _V_DAY.match(v):
            d = date(int(m[1]), int(m[2]), int(m[3]))
            return d, d
        if m := _V_MONTH.match(v):
            y, mo = int(m[1]), int(m[2])
            return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])
        if m := _V_WEEK.match(v):
            y, w = int(m[1]), int(m[2])
            start = date.fromisocalendar(y, w, 1)
            if start > date.max - timedelta(days=6):  # the last ISO week of 9999 runs into year 10000
                return start, date.max
            if v.endswith("-WE"):
                return start + timedelta(days=5), start + timedelta(days=6)
            return start, start + timedelta(days=6)
        if m := _V_SEASON.match(v):
            y, s = int(m[1]), m[2]
            first = date(y, _SEASON_START[s], 1)
            return first, _span_end(first, 3)
        if m := _V_QUARTER.match(v):
            y, q = int(m[1]), int(m[2])
            first = date(y, 3 * q - 2, 1)
            return first, _span_end(first, 3)
        if m := _V_HALF.match(v):
            y, h = int(m[1]), int(m[2])
            first = date(y, 6 * h - 5, 1)
            return first, _span_end(first, 6)
        if re.fullmatch(r"\d{4}", v):
            y = int(v)
            return date(y, 1, 1), date(y, 12, 31)
        if re.fullmatch(r"\d{3}", v):
            y = int(v) * 10
            return date(max(y, 1), 1, 1), date(y + 9, 12, 31)
        if re.fullmatch(r"\d{2}", v):
            y = int(v) * 100
            return date(max(y, 1), 1, 1), date(y + 99, 12, 31)
    except (ValueError, OverflowError):
        return None
    return None


def granularity(value: str) -> str | None:
    """The granularity of a TIMEX3 DATE value: "day", "week", "month", "season", "quarter", "half",
    "year", "decade" or "century"; None when the value is not a calendar date (PAST_REF, P5Y...)."""
    if not isinstance(value, str):
        return None
    v = value.strip()
    if _V_DAY.match(v):
        return "day"
    if _V_WEEK.match(v):
        return "week"
    if _V_MONTH.match(v):
        return "month"
    if _V_SEASON.match(v):
        return "season"
    if _V_QUARTER.match(v):
        return "quarter"
    if _V_HALF.match(v):
        return "half"
    if re.fullmatch(r"\d{4}", v):
        return "year"
    if re.fullmatch(r"\d{3}", v):
        return "decade"
    if re.fullmatch(r"\d{2}", v):
        return "century"
    return None


# --------------------------------------------------------------------------- DCT handling

def _parse_dct(dct, precision) -> tuple[date | None, str | None]:
    accepted = ('a datetime.date, a datetime, an ISO string "YYYY-MM-DD", "YYYY-MM" or "YYYY", or None')
    if precision is not None and precision not in PRECISIONS:
        raise ParameterError(f"precision={precision!r} is not valid: use one of {PRECISIONS} or None.")
    if dct is None:
        return None, None
    implied = "day"
    if isinstance(dct, datetime):
        d = dct.date()
    elif isinstance(dct, date):
        d = dct
    elif isinstance(dct, str):
        s = dct.strip()
        try:
            if re.fullmatch(r"\d{4}", s):
                d, implied = date(int(s), 1, 1), "year"
            elif re.fullmatch(r"\d{4}-\d{2}", s):
                d, implied = date(int(s[:4]), int(s[5:7]), 1), "month"
            elif re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?", s):
                d = date(int(s[:4]), int(s[5:7]), int(s[8:10]))
            else:
                raise ValueError
        except ValueError:
            raise ParameterError(f"dct={dct!r} cannot be read as a date: pass {accepted}.") from None
    else:
        raise ParameterError(f"dct has type {type(dct).__name__}: pass {accepted}.")
    if precision is None:
        precision = implied
    elif _PREC_RANK[precision] < _PREC_RANK[implied]:
        precision = implied  # a "2021-01" string cannot be more precise than a month
    return d, precision


_PREC_RANK = {"day": 0, "month": 1, "year": 2}


# --------------------------------------------------------------------------- resolution context

class _Ctx:
    def __init__(self, text: str, dct: date | None, precision: str | None):
        self.text = text
        self.dct = dct
        self.precision = precision
        self.last_quarter: date | None = None  # start of the last quarter named in the text
        self.ref: tuple[date, str] | None = (dct, {"day": "day", "month": "month", "year": "year"}[precision]) if dct else None
        self.warned: set[tuple[int, int]] = set()  # spans already reported as out of range
        self.story: tuple[date, str] | None = None  # (start, granularity) of the last date written out in the text
        self.story_end = 0  # where the expression that set it ends (it holds to the end of its paragraph)

    # granularity the DCT supports
    def allows(self, gran: str) -> bool:
        if self.dct is None:
            return False
        if self.precision == "day":
            return True
        if self.precision == "month":
            return gran not in ("day", "week")
        return gran in ("year", "decade", "century")

    def coarse(self, d: date, gran: str) -> str:
        """Format ``d`` at ``gran`` or, if the DCT precision does not support it, at the precision."""
        if self.allows(gran):
            return _fmt(d, gran)
        return _fmt(d, self.precision if _GRAN_ORDER[self.precision] > _GRAN_ORDER[gran] else gran)

    def tense(self, start: int, end: int) -> str:
        """'future', 'past' or 'none' from the nearest tense cue in the expression's sentence."""
        text = self.text
        lo = max(0, start - 160)
        hi = min(len(text), end + 160)
        left = text[lo:start]
        right = text[end:hi]
        cut = max(left.rfind(". "), left.rfind("\n"), left.rfind("? "), left.rfind("! "))
        if cut >= 0:
            left = left[cut + 1:]
        cuts = [i for i in (right.find(". "), right.find("\n"), right.find("? "), right.find("! ")) if i >= 0]
        if cuts:
            right = right[:min(cuts)]
        best = None
        for seg, is_left in ((left, True), (right, False)):
            for rx, label in ((_TENSE_FUTURE, "future"), (_TENSE_PAST, "past")):
                for m in rx.finditer(seg):
                    dist = (len(seg) - m.end()) if is_left else m.start()
                    if label == "past" and m.group(0).lower() in ("united", "need", "indeed", "speed", "red", "bed", "seed", "feed", "hundred"):
                        continue
                    if label == "past" and m.group(0)[-2:].lower() == "ed" and _PASSIVE_AUX.search(seg, 0, m.start()):
                        continue  # "will be named", "is expected": a participle, not a past tense
                    if best is None or dist < best[0]:
                        best = (dist, label)
        return best[1] if best else "none"


# --------------------------------------------------------------------------- rules

_RULES: list[tuple[str, re.Pattern, object]] = []
_ANCHORS: dict[str, "_Anchors"] = {}


@dataclass(frozen=True)
class _Anchors:
    """What every match of a rule contains, so the rule need only run near such places (see
    :func:`_rule_matches`): one of ``words`` (lower-case ASCII, found case-insensitively), one
    of ``cased`` (found case-sensitively; only for patterns that match them case-sensitively)
    or a run of at least ``digits`` digits."""

    words: tuple[str, ...] = ()
    cased: tuple[str, ...] = ()
    digits: int | None = None
    group: str | None = None  # a top-level named group that always holds the anchor


def _rule(name: str, pattern: str, flags: int = re.I, *, words=(), cased=(), digits=None, group=None):
    """Register a rule. ``words``/``cased``/``digits``: anchors that every match of ``pattern``
    must contain (see :class:`_Anchors`), inside the named ``group`` when given (it narrows the
    text searched around an anchor); a rule without anchors is run on the whole text."""
    rx = re.compile(pattern, flags)

    def deco(fn):
        _RULES.append((name, rx, fn))
        if words or cased or digits:
            _ANCHORS[name] = _Anchors(tuple(words), tuple(cased), digits, group)
        return fn
    return deco


# Anchor sets shared by several rules.
_A_MONTH = dict(cased=("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"))
_A_UNIT = ("second", "minute", "hour", "day", "week", "month", "quarter", "year", "decade", "centur")


_MODS = {
    "early": "START", "earlier": "START", "the beginning of": "START", "the start of": "START", "beginning of": "START",
    "late": "END", "later": "END", "the end of": "END", "end of": "END", "the close of": "END",
    "mid": "MID", "mid-": "MID", "the middle of": "MID", "middle of": "MID",
    "around": "APPROX", "about": "APPROX", "approximately": "APPROX", "roughly": "APPROX", "some": "APPROX",
    "nearly": "EQUAL_OR_LESS", "almost": "EQUAL_OR_LESS", "up to": "EQUAL_OR_LESS", "no more than": "EQUAL_OR_LESS",
    "more than": "MORE_THAN", "over": "MORE_THAN", "less than": "LESS_THAN", "under": "LESS_THAN",
    "at least": "EQUAL_OR_MORE",
}
_PMOD = r"(?:(?P<mod>(?i:the beginning of|the start of|the end of|the middle of|the close of|early|late|mid-?|the early|the late|the mid-?))\s?)?"
# "over" is "more than" before a number ("over 20 years"), a preposition before "the" ("over the
# last two weeks": the expression is "the last two weeks")
_DMOD = r"(?:(?P<dmod>about|around|approximately|roughly|nearly|almost|more than|less than|at least|up to|no more than|over(?!\sthe\b))\s)?"


def _modval(s: str | None) -> str | None:
    if not s:
        return None
    s = s.lower().strip()
    if s.startswith("the ") and s[4:] in ("early", "late", "mid", "mid-"):
        s = s[4:]
    return _MODS.get(s)


def _month_num(s: str) -> int:
    return _MONTHS[s.lower().rstrip(".")]


def _year_ok(text: str, start: int, end: int, modified: bool = False) -> bool:
    """Reject 4-digit numbers that are not years: money, decimals, counts, parts of codes."""
    before = text[max(0, start - 2):start]
    if re.search(r"\b(?:page|pages|p\.|pp\.|No\.|number|room|flight|route|model|version|ext\.?)\s$", text[max(0, start - 8):start], re.I):
        return False
    if modified:
        before = " "
    after = text[end:end + 14]
    if re.search(r"[$£€¥#\w.,+/]$", before) or re.search(r"\d[-–]$", before) and False:
        return False
    if before.endswith("-") and not re.search(r"\d-$", text[max(0, start - 2):start]):
        return False
    if re.match(r"\s?(?:GMT|UTC|Z\b|hours\b|hrs\b|h\b|local\stime|BC\b|B\.C\.|BCE\b)", after):
        return False  # "1830 GMT": a clock time; "445 BC": an era year (rule era_year)
    if re.match(r"(?:[.,]\d|[%+/]|\w|-(?:year|strong|member|point|page)|\s?(?:percent|per cent|pct|troops|people|"
                r"soldiers|feet|foot|miles|meters|metres|km|tons|tonnes|barrels|shares|points|units|employees|"
                r"workers|members|cars|votes|jobs|dollars|yen|won|euros|students|cases|deaths|acres|pages|"
                r"words|times|hours|days|weeks|months|years|other|more|of\s))", after, re.I):
        return False
    return True


# explicit dates ----------------------------------------------------------------------------

@_rule("iso_date", r"(?<![\w.-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\w-])", digits=4, group="y")
def _r_iso(m, ctx):
    try:
        d = date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    return "DATE", d.isoformat(), None, False


@_rule("us_numeric_date", r"(?<![\w./-])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})(?![\w/])", cased=("/",))
def _r_usnum(m, ctx):
    y = int(m["y"])
    if y < 100:
        y += 1900 if y > 30 else 2000
    try:
        d = date(y, int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    return "DATE", d.isoformat(), None, False


def _resolve_month_day(ctx, mo: int, day: int | None, start: int, end: int, explicit_rel: str | None = None):
    """Year for a month (and day) written without a year: tense-aware nearest occurrence to the DCT;
    in a narrative about the past (the story's time, set by the last date written out as an
    event's setting, "in May 1940", is five or more years before the DCT, or there is no DCT) the occurrence nearest the story's current time instead
    ("Paris fell in May 1940. On June 10 ..." → 1940-06-10)."""
    story = ctx.story
    if (explicit_rel is None and story is not None and (ctx.dct is None or story[0].year <= ctx.dct.year - _STORY_YEARS)
            and not _PARAGRAPH_BREAK.search(ctx.text, ctx.story_end, start)
            and (ctx.dct is None or ctx.tense(start, end) != "future")):
        sd, sg = story
        if sg in ("year", "quarter"):
            y = sd.year  # "In 1940 ... on June 10": the same year
        else:  # month or day known: stories move forward, so the next occurrence (a month or two back allowed)
            y = sd.year if mo >= sd.month - 2 else sd.year + 1
        if day:
            try:
                return date(y, mo, day).isoformat()
            except ValueError:
                return None
        return f"{y:04d}-{mo:02d}"
    if ctx.dct is None or not ctx.allows("month"):
        if day:
            return f"XXXX-{mo:02d}-{day:02d}"
        return f"XXXX-{mo:02d}"
    dct = ctx.dct
    rel = explicit_rel or ctx.tense(start, end)
    cands = []
    for y in (dct.year - 1, dct.year, dct.year + 1):
        try:
            cands.append(date(y, mo, day or 1))
        except ValueError:
            continue
    if not cands:
        return None
    ref_d = dct if (day or ctx.precision == "day") else date(dct.year, dct.month, 1)
    key_month = (lambda c: (c.year, c.month))
    if day is None:
        cur = (dct.year, dct.month)
        if rel == "last":
            pick = max(c for c in cands if key_month(c) < cur)
        elif rel == "next":
            pick = min(c for c in cands if key_month(c) > cur)
        elif rel == "future":
            pick = min(c for c in cands if key_month(c) >= cur)
        elif rel == "past":
            pick = max(c for c in cands if key_month(c) <= cur)
        elif rel == "this":  # "this September": the DCT's year, ahead or behind
            pick = next(c for c in cands if c.year == dct.year)
        else:
            pick = min(cands, key=lambda c: abs((c.year - cur[0]) * 12 + c.month - cur[1]))
        return _fmt(pick, "month")
    if ctx.precision != "day":
        if (mo, day) == (dct.month, dct.day) or ctx.precision == "month":
            # month known: take the year of the nearest such month
            return _resolve_month_day(ctx, mo, None, start, end, explicit_rel)[:4] + f"-{mo:02d}-{day:02d}"
    if rel == "last":
        pick = max((c for c in cands if c < ref_d), default=None)
    elif rel == "next":
        pick = min((c for c in cands if c > ref_d), default=None)
    elif rel == "future":
        pick = min((c for c in cands if c >= ref_d), default=None)
    elif rel == "past":
        pick = max((c for c in cands if c <= ref_d), default=None)
        if pick is not None and (ref_d - pick).days > 300:
            pick = min(cands, key=lambda c: abs((c - ref_d).days))
    else:
        pick = None
    if pick is None:
        pick = min(cands, key=lambda c: abs((c - ref_d).days))
    return pick.isoformat()


@_rule("month_day_year",
       rf"\b{_PMOD}(?P<wd>{_WEEKDAY},?\s)?(?P<mon>{_MONTH})\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d|:\d)(?:,?\s(?P<y>\d{{4}})(?!\d))?",
       0, group="mon", **_A_MONTH)
def _r_mdy(m, ctx):
    return _date_from_parts(m, ctx)


@_rule("day_month_year",
       rf"\b{_PMOD}(?:the\s)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s(?:of\s)?(?P<mon>{_MONTH})(?:,?\s(?P<y>\d{{4}})(?!\d))?(?!\w)",
       0, group="mon", **_A_MONTH)
def _r_dmy(m, ctx):
    return _date_from_parts(m, ctx)


def _date_from_parts(m, ctx):
    mon = m["mon"]
    if mon.rstrip(".").lower() == "may" and mon[0] != "M":
        return None
    mo = _month_num(mon)
    day = int(m["d"])
    if not 1 <= day <= 31:
        return None
    mod = _modval(m["mod"])
    if m["y"]:
        try:
            d = date(int(m["y"]), mo, day)
        except ValueError:
            return None
        return "DATE", d.isoformat(), mod, False
    v = _resolve_month_day(ctx, mo, day, m.start(), m.end())
    if v is None:
        return None
    return "DATE", v, mod, True


@_rule("month_year", rf"\b{_PMOD}(?P<mon>{_MONTH})(?:,?\s|\sof\s)(?:(?P<y>\d{{4}})(?![\d\w])|(?P<ys>{_SPELLED_YEAR}))",
       0, group="mon", **_A_MONTH)
def _r_month_year(m, ctx):
    y = int(m["y"]) if m["y"] else _spelled_year(m["ys"])
    return "DATE", f"{y:04d}-{_month_num(m['mon']):02d}", _modval(m["mod"]), False


@_rule("month_rel_year", rf"\b{_PMOD}(?P<mon>{_MONTH})\s(?:of\s)?(?P<rel>(?i:last|this|next|the previous|the following))\s(?i:year)\b", 0, group="mon", **_A_MONTH)
def _r_month_rel_year(m, ctx):
    rel = m["rel"].lower()
    shift = {"last": -1, "this": 0, "next": 1, "the previous": -1, "the following": 1}[rel]
    if rel.startswith("the "):
        base = ctx.ref
        if base is None:
            return None
        y = base[0].year + shift
    else:
        if ctx.dct is None:
            return "DATE", f"XXXX-{_month_num(m['mon']):02d}", _modval(m["mod"]), True
        y = ctx.dct.year + shift
    return "DATE", f"{y:04d}-{_month_num(m['mon']):02d}", _modval(m["mod"]), True


_MONTH_CTX_BEFORE = re.compile(
    r"(?:\b(?:in|on|since|until|till|by|from|to|of|during|through|before|after|between|and|or|early|late|mid|last|"
    r"next|this|that|the|a|an|every|each|until|for)\s|'s\s|’s\s|mid-)$", re.I)


_DEADLINE_BEFORE = re.compile(r"\b(?:by|until|till|through)\s$", re.I)


@_rule("month_alone", rf"\b{_PMOD}(?P<rel>(?i:last|next|this|past|coming|every|each)\s)?(?P<mon>{_MONTH_FULL}|(?:Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.)(?!\w)(?!\s\d{{1,2}}(?:st|nd|rd|th)?\b(?![,.]?\d))", 0, group="mon", **_A_MONTH)
def _r_month_alone(m, ctx):
    mon = m["mon"]
    before = ctx.text[max(0, m.start() - 12):m.start()]
    if mon in ("May", "March") and not (m["mod"] or m["rel"]) and not _MONTH_CTX_BEFORE.search(before):
        return None
    if mon in ("May",) and re.match(r"\s(?:be|have|not|also|well|\w+ly)\b", ctx.text[m.end():m.end() + 8]):
        return None
    if mon == "March" and re.match(r"\s(?:on|to|through|into)\b", ctx.text[m.end():m.end() + 9]):
        return None
    rel = (m["rel"] or "").strip().lower() or None
    if rel in ("every", "each"):  # "each July": a recurring month
        return "SET", f"XXXX-{_month_num(mon):02d}", None, False
    rel = {"past": "last", "coming": "next", "this": "this"}.get(rel, rel) if rel else None
    if rel is None and not m["mod"] and _DEADLINE_BEFORE.search(before):
        rel = "future"  # "pay down the loan by February", "loans through January": a deadline ahead
    v = _resolve_month_day(ctx, _month_num(mon), None, m.start(), m.end(), rel)
    return "DATE", v, _modval(m["mod"]), True


# years, decades, centuries ------------------------------------------------------------------

_ERA = r"(?P<era>B\.\s?C\.(?:\s?E\.)?|BCE|BC|A\.\s?D\.|AD|CE)"


@_rule("era_year", rf"(?<![\w'’.])(?:(?P<ad>AD|A\.D\.)\s(?P<y2>\d{{1,4}})|(?P<y>\d{{1,4}})\s?{_ERA})(?![\w])",
       0, cased=("BC", "B.", "AD", "A.", "CE"))
def _r_era_year(m, ctx):
    """Years with an era: "445 BC" → TIMEX3 "BC0445" (no calendar interval: the timeline leaves
    it out), "AD 79"/"79 AD" → "0079"."""
    y = int(m["y"] or m["y2"])
    if y == 0:
        return None
    era = (m["era"] or "AD").replace(".", "").replace(" ", "")
    if era in ("BC", "BCE"):
        return "DATE", f"BC{y:04d}", None, False
    if m["y"] and era == "CE" and y < 100:
        return None  # "40 CE" is more often a count than a year
    return "DATE", f"{y:04d}", None, False


@_rule("clock24", r"\b(?P<h>[01]\d|2[0-3]):?(?P<mi>[0-5]\d)\s?(?P<tz>GMT|UTC|hours\b|hrs\b|local\stime)",
       0, cased=("GMT", "UTC", "hours", "hrs", "local"))
def _r_clock24(m, ctx):
    """Wire-style times: "1200 GMT", "1830 GMT", "0900 hours" (never a year)."""
    h, mi = int(m["h"]), int(m["mi"])
    if ctx.dct is None or not ctx.allows("day"):
        return "TIME", f"XXXX-XX-XXT{h:02d}:{mi:02d}", None, True
    return "TIME", f"{ctx.dct.isoformat()}T{h:02d}:{mi:02d}", None, True


@_rule("year", rf"(?<![\w'’])(?:{_PMOD}(?P<fy>fiscal\s(?:year\s)?|FY\s?)?)(?P<y>1[0-9]\d\d|20\d\d|2100)(?![\w’'])", digits=4, group="y")
def _r_year(m, ctx):
    t = ctx.text
    if not _year_ok(t, m.start("y"), m.end("y"), bool(m["mod"] or m["fy"])):
        return None
    y = int(m["y"])
    if y < 1800:
        before = t[max(0, m.start() - 12):m.start()]
        if not re.search(r"\b(?:in|since|until|of|from|to|by|year|around|circa|c\.|before|after|and)\s$", before, re.I):
            return None
    return "DATE", f"{y:04d}", _modval(m["mod"]), False


@_rule("spelled_year", rf"\b(?:{_PMOD}(?i:the\syear)\s(?P<y2>{_SPELLED_2000})|(?:(?i:the\syear)\s)?(?P<y>{_SPELLED_YEAR}))",
       0, words=("eighteen", "nineteen", "thousand"))
def _r_spelled_year(m, ctx):
    """Years written in words, as broadcast transcripts do: "in nineteen ninety-six" → "1996",
    "the year two thousand" → "2000" ("two thousand" alone is a number, so only after "the year")."""
    if re.match(r"[\s-]?(?:dollars|cents|percent|per\scent|people|hours|years|times|of\b)", ctx.text[m.end():m.end() + 10], re.I):
        return None  # a count ("nineteen ninety-nine dollars"), not a year
    y = _spelled_year(m["y"] or m["y2"])
    return "DATE", f"{y:04d}", _modval(m["mod"]), False


@_rule("decade", rf"\b{_PMOD}(?:the\s)?(?P<mod2>early|late|mid-?)?\s?(?P<y>1[0-9]\d0|20\d0)['’]?s\b", digits=4, group="y")
def _r_decade(m, ctx):
    mod = _modval(m["mod"]) or _modval(m["mod2"])
    return "DATE", f"{int(m['y']) // 10:03d}", mod, False


@_rule("decade_short", rf"(?:\b{_PMOD}(?:the\s))?['’](?P<y>\d0)s\b", digits=2, group="y")
def _r_decade_short(m, ctx):
    y = int(m["y"])
    base = 1900 if ctx.dct is None or y * 1 + 1900 <= ctx.dct.year - 10 or y >= 30 else 2000
    return "DATE", f"{(base + y) // 10:03d}", _modval(m["mod"]), True


_DECADE_WORDS = {"twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7, "eighties": 8, "nineties": 9}


@_rule("decade_word", rf"\b{_PMOD}the\s(?P<w>twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b",
       words=("twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties", "nineties"), group="w")
def _r_decade_word(m, ctx):
    return "DATE", f"19{_DECADE_WORDS[m['w'].lower()]}", _modval(m["mod"]), True


@_rule("century",
       rf"\b{_PMOD}(?:the\s)?(?P<n>\d{{1,2}}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
       r"eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
       r"twenty-first)[\s-]century\b(?:\s?(?P<bc>BC\b|B\.C\.(?:E\.)?|BCE\b))?", words=("centur",))
def _r_century(m, ctx):
    n = m["n"].lower()
    k = int(n[:-2]) if n[0].isdigit() else _ORD.get(n)
    if not k:
        return None
    if m["bc"]:  # "the 4th century BC" (400-301 BC): TIMEX3 "BC03"
        return "DATE", f"BC{k - 1:02d}", _modval(m["mod"]), False
    return "DATE", f"{k - 1:02d}", _modval(m["mod"]), False


# seasons, quarters, halves -------------------------------------------------------------------

@_rule("season",
       rf"\b{_PMOD}(?P<rel>(?:last|this|next|past|coming|the|that)\s)?(?P<mod2>early\s|late\s)?(?P<s>{_SEASON})"
       rf"(?:(?:\s+of)?\s(?:(?P<y>1[5-9]\d\d|20\d\d)(?!\d)|(?P<ys>{_SPELLED_YEAR})))?\b",
       words=("spring", "summer", "fall", "autumn", "winter"))
def _r_season(m, ctx):
    code = _SEASONS[m["s"].lower()]
    mod = _modval(m["mod"]) or _modval(m["mod2"])
    rel = (m["rel"] or "").strip().lower()
    before = ctx.text[max(0, m.start() - 10):m.start()]
    if m["y"] or m["ys"]:
        return "DATE", f"{int(m['y']) if m['y'] else _spelled_year(m['ys']):04d}-{code}", mod, False
    if not rel and not m["mod"] and not m["mod2"] and not re.search(r"\b(?:in|since|until|by|during|over|this|last|next|for)\s$", before, re.I):
        return None
    if rel in ("the", "that"):
        ref = ctx.ref
        if ref is None or ref[1] in ("decade", "century"):
            return None
        return "DATE", f"{ref[0].year:04d}-{code}", mod, True
    if ctx.dct is None:
        return "DATE", f"XXXX-{code}", mod, True
    dct = ctx.dct
    if ctx.precision == "year":
        y = dct.year + {"last": -1, "past": -1, "next": 1, "coming": 1}.get(rel, 0)
        return "DATE", f"{y:04d}-{code}", mod, True
    cur_y, cur_code = _season_of(dct)
    # season index in a linear sequence
    order = ["SP", "SU", "FA", "WI"]
    cur_idx = cur_y * 4 + order.index(cur_code)
    cands = [(y * 4 + order.index(code)) for y in (dct.year - 2, dct.year - 1, dct.year, dct.year + 1)]
    if rel in ("last", "past"):
        pick = max(c for c in cands if c < cur_idx)
    elif rel in ("next", "coming"):
        pick = min(c for c in cands if c > cur_idx)
    elif rel == "this":
        pick = min(cands, key=lambda c: abs(c - cur_idx))
    else:
        tense = ctx.tense(m.start(), m.end())
        if tense == "future":
            pick = min(c for c in cands if c >= cur_idx)
        else:
            pick = max(c for c in cands if c <= cur_idx)
    return "DATE", f"{pick // 4:04d}-{order[pick % 4]}", mod, True


_QWORD = r"(?P<q>first|second|third|fourth|1st|2nd|3rd|4th|final|last|latest|current|fiscal|june|september|december|march)"


@_rule("quarter",
       rf"\b{_PMOD}(?:(?P<the>(?:the|that|its)(?!\s\w{{1,10}}-quarter)|this|this\syear's|last\syear's|next\syear's)\s)?(?P<ago>year-(?:ago|earlier)\s)?(?:(?P<y0>\d{{4}})\s)?"
       rf"{_QWORD}[\s-](?:fiscal\s|calendar\s)?quarter(?:\s(?:of|in)\s(?:(?:fiscal|calendar)\s)?(?P<y>\d{{4}})|,?\s(?P<y2>\d{{4}}))?\b", words=("quarter",))
def _r_quarter(m, ctx):
    q = m["q"].lower()
    y = m["y"] or m["y2"] or m["y0"]
    the = (m["the"] or "").lower()
    qn = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
          "march": 1, "june": 2, "september": 3, "december": 4, "final": 4}.get(q)
    mod = _modval(m["mod"])
    if y:
        if qn is None:
            return None
        return "DATE", f"{y}-Q{qn}", mod, False
    if ctx.dct is None or not ctx.allows("quarter"):
        if ctx.dct is not None and qn:
            return "DATE", f"{ctx.dct.year - (1 if m['ago'] else 0):04d}-Q{qn}", mod, True
        return "DATE", f"XXXX-Q{qn}" if qn else "XXXX-QX", mod, True
    dct = ctx.dct
    cur_q = (dct.month - 1) // 3 + 1
    if q in ("latest", "current", "fiscal") or (q == "last" and the == "the"):
        if q == "current":
            return "DATE", f"{dct.year:04d}-Q{cur_q}", mod, True
        d = _shift(dct, "quarter", -1)
        return "DATE", _fmt(d, "quarter"), mod, True
    if q == "last":
        d = _shift(dct, "quarter", -1)
        return "DATE", _fmt(d, "quarter"), mod, True
    year = dct.year
    if "last year" in the:
        year -= 1
    elif "next year" in the:
        year += 1
    elif qn > cur_q and (m["ago"] or ctx.tense(m.start(), m.end()) != "future") and "this" not in the:
        year -= 1
    if m["ago"]:  # "the year-ago third quarter": a year before the latest such quarter
        year -= 1
    return "DATE", f"{year:04d}-Q{qn}", mod, True


@_rule("half", rf"\b{_PMOD}(?:the\s)?(?P<h>first|second|latter)\shalf(?:\sof\s(?:(?P<y>\d{{4}})|(?P<rel>this|last|next)\syear|the\syear))?\b", words=("half",))
def _r_half(m, ctx):
    h = 1 if m["h"].lower() == "first" else 2
    if m["y"]:
        return "DATE", f"{m['y']}-H{h}", None, False
    if ctx.dct is None:
        return "DATE", f"XXXX-H{h}", None, True
    if not m["rel"] and not m.group(0).lower().endswith("the year"):
        # "the first half" alone: only in a clearly temporal context ("in the first half")
        before = ctx.text[max(0, m.start() - 4):m.start()]
        if not re.search(r"\b(?:in|for)\s$", before, re.I):
            return None
    y = ctx.dct.year + {"last": -1, "next": 1}.get((m["rel"] or "").lower(), 0)
    return "DATE", f"{y:04d}-H{h}", None, True


# holidays -------------------------------------------------------------------------------------

def _easter(y: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian computus)."""
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    return date(y, month, (h + l_ - 7 * m + 114) % 31 + 1)


def _nth_weekday(y: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (Monday = 1) of a month."""
    first = date(y, month, 1)
    return first + timedelta(days=(weekday - first.isoweekday()) % 7 + 7 * (n - 1))


# name → (month, day) for fixed dates, or a function of the year for movable ones
_HOLIDAYS = {
    "christmas": (12, 25), "christmas day": (12, 25), "christmas eve": (12, 24),
    "new year's day": (1, 1), "new year's eve": (12, 31), "fourth of july": (7, 4), "july fourth": (7, 4),
    "halloween": (10, 31), "valentine's day": (2, 14),
    "thanksgiving": lambda y: _nth_weekday(y, 11, 4, 4), "thanksgiving day": lambda y: _nth_weekday(y, 11, 4, 4),
    "election day": lambda y: _nth_weekday(y, 11, 1, 1) + timedelta(days=1),  # US: the Tuesday after the first Monday
    "easter": _easter, "easter sunday": _easter,
}
_HOLIDAY_CONTEXT = re.compile(r"\b(?:on|at|by|before|after|since|until|till|over|during|for|around|from|to|through|of)\s$", re.I)


@_rule("holiday",
       r"\b(?:(?P<rel>(?i:last|next|this|this\spast|this\scoming))\s)?(?P<h>Thanksgiving(?:\sDay)?|Christmas(?:\sDay|\sEve)?|"
       r"New\sYear['’]s\s(?:Day|Eve)|Fourth\sof\sJuly|July\sFourth|Election\sDay|Halloween|Valentine['’]s\sDay|"
       r"Easter(?:\sSunday)?)(?:,?\s(?P<y>1[5-9]\d\d|20\d\d)(?!\d))?\b(?!['’-])", 0,
       cased=("Thanksgiving", "Christmas", "New", "Fourth", "Election", "Halloween", "Valentine", "Easter"))
def _r_holiday(m, ctx):
    """Named days ("Thanksgiving Day", "last Christmas", "Election Day"): their date in the year
    given, else the occurrence the tense points to, as for "June 10". A bare "Christmas" or
    "Easter" is a date only after a preposition or "last/next/this" ("Christmas shopping" is not)."""
    name = re.sub(r"\s+", " ", m["h"].lower().replace("’", "'"))
    rule = _HOLIDAYS[name]
    bare = name in ("christmas", "easter", "thanksgiving", "halloween")
    if bare and not (m["rel"] or m["y"] or _HOLIDAY_CONTEXT.search(ctx.text, max(0, m.start() - 9), m.start())
                     or re.match(r"\s?(?:[.,;:!?)]|$)", ctx.text[m.end():m.end() + 2])):
        return None
    on = (lambda y: date(y, *rule)) if isinstance(rule, tuple) else rule
    if m["y"]:
        return "DATE", on(int(m["y"])).isoformat(), None, False
    if ctx.dct is None or not ctx.allows("month"):
        if isinstance(rule, tuple):
            return "DATE", f"XXXX-{rule[0]:02d}-{rule[1]:02d}", None, True
        return "DATE", f"XXXX-{on(2000).month:02d}", None, True
    dct = ctx.dct
    cands = [on(y) for y in (dct.year - 1, dct.year, dct.year + 1)]
    rel = (m["rel"] or "").lower()
    if rel in ("last", "this past"):
        pick = max(c for c in cands if c < dct)
    elif rel in ("next", "this coming"):
        pick = min(c for c in cands if c > dct)
    elif rel == "this":
        pick = cands[1]
    else:
        tense = ctx.tense(m.start(), m.end())
        if tense == "future":
            pick = min(c for c in cands if c >= dct)
        elif tense == "past":
            pick = max(c for c in cands if c <= dct)
        else:
            pick = min(cands, key=lambda c: abs((c - dct).days))
    return "DATE", pick.isoformat(), None, True


# DCT-relative words ---------------------------------------------------------------------------

@_rule("today", rf"\b{_PMOD}(?P<w>today|yesterday|tomorrow|the day before yesterday|the day after tomorrow)\b(?!['’]s\s(?:world|society|standards))",
       words=("today", "yesterday", "tomorrow"), group="w")
def _r_today(m, ctx):
    w = m["w"].lower()
    off = {"today": 0, "yesterday": -1, "tomorrow": 1, "the day before yesterday": -2, "the day after tomorrow": 2}[w]
    mod = _modval(m["mod"])
    if ctx.dct is None:
        return "DATE", {0: "PRESENT_REF"}.get(off, "PAST_REF" if off < 0 else "FUTURE_REF"), mod, True
    return "DATE", ctx.coarse(ctx.dct + timedelta(days=off), "day"), mod, True


@_rule("day_part",
       rf"\b(?P<w>this|yesterday|tomorrow|tonight|last|{_WEEKDAY})\s?(?P<p>morning|afternoon|evening|night)?\b",
       words=("this", "day", "tomorrow", "tonight", "last"), group="w")
def _r_day_part(m, ctx):
    w = m["w"].lower()
    p = (m["p"] or "").lower()
    if w == "tonight" and not p:
        p, w = "night", "this"
    if not p or w in _WEEKDAYS:
        return None  # weekdays handled by the weekday rule
    if w == "last" and p != "night":
        return None
    if ctx.dct is None or not ctx.allows("day"):
        v = ctx.coarse(ctx.dct, "day") if ctx.dct else "PRESENT_REF"
        return "TIME", v, None, True
    off = {"this": 0, "yesterday": -1, "tomorrow": 1, "last": -1}[w]
    d = ctx.dct + timedelta(days=off)
    return "TIME", f"{d.isoformat()}T{_PARTS[p]}", None, True


@_rule("part_of_day",
       r"\b(?P<pre>mid-?\s?|the\s)(?P<p>morning|afternoon|evening)(?:\s(?P<w>yesterday|today|tomorrow))?\b"
       r"(?!\s(?:news|newspaper|paper|papers|edition|show|star)\b)", words=("morning", "afternoon", "evening"), group="p")
def _r_part_of_day(m, ctx):
    """"mid-afternoon yesterday", "by mid afternoon", "in the morning": that part of the day named,
    else of the day the text is at (the last day-precise date), else of the DCT day (TIMEX3 TAF...)."""
    part = _PARTS[m["p"].lower()]
    if m["w"]:
        if ctx.dct is None or not ctx.allows("day"):
            return None
        d = ctx.dct + timedelta(days={"yesterday": -1, "today": 0, "tomorrow": 1}[m["w"].lower()])
    elif ctx.ref is not None and ctx.ref[1] == "day":
        d = ctx.ref[0]
    elif ctx.dct is not None and ctx.allows("day"):
        d = ctx.dct
    else:
        return None
    return "TIME", f"{d.isoformat()}T{part}", None, True


@_rule("ref_word",
       r"\b(?P<w>now|right now|currently|recently|nowadays|these days|at present|at the moment|the present|"
       r"in future|the future|the past|recent (?:years|months|weeks|days)|"
       r"former(?:ly)?\b(?=\s(?:was|had|been))|once again)\b",
       words=("now", "current", "recent", "day", "present", "moment", "future", "past", "former", "once"))
def _r_ref(m, ctx):
    w = m["w"].lower()
    if w.startswith(("once",)):
        return None
    if w in ("now", "right now", "currently", "nowadays", "these days", "at present", "at the moment", "the present"):
        if w == "now" and re.match(r"\s(?:that|than)\b", ctx.text[m.end():m.end() + 6]):
            return None
        return "DATE", "PRESENT_REF", None, True
    if "future" in w:
        return "DATE", "FUTURE_REF", None, True
    if w == "the past":
        after = ctx.text[m.end():m.end() + 20]
        if re.match(r"\s(?:\d|[a-z]+\s(?:years?|months?|weeks?|days?|decades?))", after, re.I):
            return None
    return "DATE", "PAST_REF", None, True


_EARLIEST_BEFORE = re.compile(r"\bas\s(?:soon|early)\sas\s$", re.I)


# weekdays
@_rule("weekday", rf"\b{_PMOD}(?P<rel>(?i:last|next|this|this\spast|this\scoming|the\sprevious|the\sfollowing|every|each)\s)?(?P<wd>{_WEEKDAY})s?(?P<p>\s(?:morning|afternoon|evening|night))?\b(?!\s*,?\s*(?:{_MONTH})\s\d)", 0,
       cased=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))
def _r_weekday(m, ctx):
    wd = _WEEKDAYS[m["wd"].lower()]
    rel = (m["rel"] or "").strip().lower()
    mod = _modval(m["mod"])
    if rel in ("every", "each") or m.group(0).rstrip().endswith("s") and m.group(0).rstrip()[-1] == "s" and m.group("wd")[-1] != "s" and m.group(0).rstrip().lower().endswith(m["wd"].lower() + "s"):
        return "SET", f"XXXX-WXX-{wd}", None, False
    if ctx.dct is None or not ctx.allows("day"):
        return "DATE", f"XXXX-WXX-{wd}", mod, True
    dct = ctx.dct
    cur = dct.isoweekday()
    if rel in ("the previous", "the following") and ctx.ref is not None and ctx.ref[1] == "day":
        base = ctx.ref[0]
        if rel == "the previous":
            d = base - timedelta(days=(base.isoweekday() - wd) % 7 or 7)
        else:
            d = base + timedelta(days=(wd - base.isoweekday()) % 7 or 7)
    elif rel in ("last", "this past", "the previous"):
        back = (cur - wd) % 7 or 7
        d = dct - timedelta(days=back)
    elif rel in ("next", "this coming", "the following"):
        fwd = (wd - cur) % 7 or 7
        d = dct + timedelta(days=fwd)
    elif rel == "this":
        d = dct + timedelta(days=wd - cur)
    else:
        if _EARLIEST_BEFORE.search(ctx.text, max(0, m.start() - 16), m.start()):
            tense = "future"  # "as soon as Tuesday": a date ahead, whatever the verb ("Castro said")
        else:
            tense = ctx.tense(m.start(), m.end())
        if tense == "future":
            d = dct + timedelta(days=(wd - cur) % 7)
        else:
            d = dct - timedelta(days=(cur - wd) % 7)
    if m["p"] and m["p"].strip().lower() != "night":
        # "Wednesday night" is the day's DATE: so the gold corpora annotate it in 10 of 16 cases
        # (TNI in 6), often tagging "Friday" alone in "Friday night"
        return "TIME", f"{d.isoformat()}T{_PARTS[m['p'].strip().lower()]}", mod, True
    return "DATE", d.isoformat(), mod, True


# last/this/next + unit
@_rule("rel_unit",
       rf"\b{_PMOD}(?P<the>the\s)?(?P<rel>last|this|next|past|coming|previous|current|following|same|that|that\ssame|the\ssame|prior|preceding|earlier\sthis|later\sthis|earlier\sthat|later\sthat|earlier\sin\sthe|later\sin\sthe)\s(?P<fiscal>fiscal\s)?"
       r"(?P<u>year|month|week|weekend|quarter|decade|century)\b(?!-)(?![’']s\s(?:end|start))",
       words=("year", "month", "week", "quarter", "decade", "centur"), group="u")
def _r_rel_unit(m, ctx):
    rel = m["rel"].lower()
    u = m["u"].lower()
    the = bool(m["the"])
    mod = _modval(m["mod"])
    if rel.startswith("earlier"):
        mod = mod or "START"
        rel = rel.split()[-1] if not rel.endswith("the") else "that"
    elif rel.startswith("later"):
        mod = mod or ("ON_OR_AFTER" if rel.endswith("this") else "END")
        rel = rel.split()[-1] if not rel.endswith("the") else "that"
    after = ctx.text[m.end():m.end() + 12]
    if the and rel in ("past", "last") and u == "century":
        return "DURATION", "P100Y", mod, True  # "the past century": the hundred years up to now
    # "the past year", "the last decade": the previous calendar unit, as "last year" (TimeBank:
    # "over the past year" in 1998 is 1997, "in the last decade" is the 1980s)
    if u == "day" and rel in ("this", "last", "past", "next", "coming", "current"):
        return None
    if rel == "past":
        rel = "last"
    if rel == "current":
        rel = "this"
    if rel == "coming":
        rel = "next"
    gran = {"weekend": "week"}.get(u, u)
    anaphoric = rel in ("previous", "following", "same", "that", "that same", "the same", "prior", "preceding")
    if anaphoric:
        base = ctx.ref
        if base is None:
            return "DATE", {"previous": "PAST_REF", "prior": "PAST_REF", "preceding": "PAST_REF", "following": "FUTURE_REF"}.get(rel, "PRESENT_REF"), mod, True
        bd, bg = base
        if _GRAN_ORDER[bg] > _GRAN_ORDER[gran]:
            return "DATE", {"day": "XXXX-XX-XX", "week": "XXXX-WXX", "month": "XXXX-XX"}.get(gran, "XXXX"), mod, True
        n = {"previous": -1, "prior": -1, "preceding": -1, "following": 1}.get(rel, 0)
        d = _shift(bd, gran, n)
        v = _fmt(d, gran) + ("-WE" if u == "weekend" else "")
        return "DATE", v, mod, True
    if rel in ("this", "that") and u == "day":
        return None
    if ctx.dct is None:
        return "DATE", {"last": "PAST_REF", "next": "FUTURE_REF"}.get(rel, "PRESENT_REF"), mod, True
    n = {"last": -1, "this": 0, "next": 1}[rel]
    d = _shift(ctx.dct, gran, n)
    v = ctx.coarse(d, gran)
    if u == "weekend" and ctx.allows("week"):
        v += "-WE"
    return "DATE", v, mod, True


@_rule("fiscal_period", r"\b(?P<w>the\s(?:latest|recent|most\srecent|same|current)?\s?(?:quarter|period|fiscal\squarter)|the\sweekend|the\sfiscal\syear|the\sfull\syear)\b(?!\s(?:of|ended|ending|before|after|from|to|when|in\s\d))",
       words=("quarter", "period", "week", "year"))
def _r_fiscal_period(m, ctx):
    """Financial news: "the quarter"/"the latest period" is the quarter being reported (the ref
    quarter, else the one before the DCT); "the weekend" is the DCT week's weekend."""
    w = re.sub(r"\s+", " ", m["w"].lower())
    if ctx.dct is None:
        return None
    if w == "the weekend":
        if not ctx.allows("week"):
            return None
        d = ctx.dct
        if d.isoweekday() < 6 and ctx.tense(m.start(), m.end()) != "future":
            d = d - timedelta(days=7)
        return "DATE", _week(d) + "-WE", None, True
    if w in ("the fiscal year", "the full year"):
        return "DATE", f"{ctx.dct.year:04d}", None, True
    if "period" in w and not re.search(r"quarter|profit|earnings|net|revenue|loss|sales|income", ctx.text[max(0, m.start() - 300):m.start()], re.I):
        return None
    if ctx.ref is not None and ctx.ref[1] == "quarter":
        return "DATE", _fmt(ctx.ref[0], "quarter"), None, True
    if not ctx.allows("quarter") or not re.search(r"quarter|profit|earnings|net|revenue|sales|income", ctx.text[max(0, m.start() - 400):m.end() + 100], re.I):
        return None
    return "DATE", _fmt(_shift(ctx.dct, "quarter", -1), "quarter"), None, True


@_rule("year_ended", r"\b(?P<w>(?:the|its|their)\s(?:fiscal\s|financial\s)?year)(?=\s(?:ended|ending)\b)", words=("year",))
def _r_year_ended(m, ctx):
    """Financial reports: "for the year ended March 31" is the twelve months up to that date, a
    DURATION (TimeML/TimeBank); the end date is tagged on its own."""
    return "DURATION", "P1Y", None, False


# anaphoric day expressions
@_rule("anaphora_day", r"\b(?P<w>the\snext\sday|the\sfollowing\sday|the\sday\sbefore|the\sday\safter|the\sprevious\sday|that\sday|the\ssame\sday|that\ssame\sday|the\snext\smorning|the\sfollowing\smorning)\b",
       words=("day", "morning"))
def _r_anaphora_day(m, ctx):
    w = m["w"].lower()
    n = 1 if any(k in w for k in ("next", "following", "after")) else (-1 if ("before" in w or "previous" in w) else 0)
    base = ctx.ref
    if base is None or base[1] != "day":
        return "DATE", "XXXX-XX-XX", None, True
    return "DATE", (base[0] + timedelta(days=n)).isoformat(), None, True


_TITLE_OF_THE_YEAR = re.compile(r"\b(?:man|woman|person|player|coach|rookie|album|song|record|book|car|word|team|athlete|"
                                r"manager|executive|artist|company|story|event|deal|comeback)\sof\s$", re.I)


@_rule("the_year", rf"\b{_PMOD}(?P<w>the\syear)\b(?![-’'])(?!\s(?:ended|ending|before|after|earlier|ago|later|of\s[A-Za-z]|that|when|in\swhich|"
       r"\d|two\sthousand|nineteen|eighteen))", words=("year",), group="w")
def _r_the_year(m, ctx):
    """"the year" on its own ("for the year", "the first nine months of the year", "by the end of
    the year") is the year of the current reference: the last date in the text, else the DCT
    (TimeBank annotates every such mention); not in "Person of the Year"."""
    if _TITLE_OF_THE_YEAR.search(ctx.text, max(0, m.start() - 16), m.start()):
        return None
    ref = ctx.ref
    if ref is None or ref[1] in ("decade", "century"):
        return None
    return "DATE", f"{ref[0].year:04d}", _modval(m["mod"]), True


@_rule("same_year_apposition", r"\b(?:that|the)\s(?:same\s)?year,\s(?P<y>1[5-9]\d\d|20\d\d)\b", words=("year",))
def _r_same_year_app(m, ctx):
    return "DATE", m["y"], None, False


@_rule("year_rel_adj", r"\b(?:(?P<the>the\s)(?=year-(?:earlier|ago|before)\s(?:quarter|period|month)\b))?"
       r"(?P<w>year-earlier|year-ago|year-before|a\syear\searlier|a\syear\sago|the\sprevious\syear)(?P<n>\s(?:quarter|period|month))?\b(?!-)",
       words=("year",), group="w")
def _r_year_adj(m, ctx):
    """"a year earlier", "the year-ago quarter", "year-earlier profit": in financial reports, the
    reported quarter a year before (the last explicit quarter in the text); otherwise the previous
    year. As in TimeBank, the adjective's noun is part of the expression only when it names the
    period ("the year-ago quarter"), not in "the year-ago results" (the expression is "year-ago")."""
    w = m["w"].lower()
    base = ctx.ref
    if ctx.last_quarter is not None and (
            (base is not None and base[1] == "quarter") or m["n"] or w in ("year-earlier", "year-ago", "year-before")):
        return "DATE", _fmt(_shift(ctx.last_quarter, "quarter", -4), "quarter"), None, True
    if w == "a year ago" and ctx.dct is not None:
        return "DATE", ctx.coarse(_shift(ctx.dct, "year", -1), "year"), None, True
    if base is None:
        return "DATE", "PAST_REF", None, True
    g = base[1] if base[1] in ("month", "day", "year", "quarter") else "year"
    if w == "a year earlier" and g in ("day",):
        g = "year"
    return "DATE", _fmt(_shift(base[0], "year", -1), g), None, True


# durations and "ago" ------------------------------------------------------------------------

_DUR = (rf"\b{_DMOD}(?P<the>the\s(?=(?:past|last|next|coming|previous|first|final|recent|following|entire)\s))?(?:(?P<rel>past|last|next|coming|previous|first|final|recent|following|better\spart\sof\sthe|entire)\s)?"
        rf"(?P<n>{_NUM})(?P<frac>\s1/2|\s?½)?(?P<sep>[\s-])(?:(?P<n2>and\sa\shalf|or\s(?:so|more|two|three))\s)?"
        rf"(?P<u>{_UNIT})(?P<pl>s)?(?P<n3>\sand\sa\shalf)?(?P<sfx>\s(?:ago|earlier|later|(?:before|after)(?!\s[\w$(])|from\snow|old|low|high))?\b")
# "after"/"before" belong to the expression only when nothing follows ("two days before,"); in
# "two years after the war began" they are a signal to an event, and the expression is the
# duration "two years" (TimeML): its date depends on the event, not on the previous date


@_rule("duration", _DUR, words=_A_UNIT, group="u")
def _r_duration(m, ctx):
    t = ctx.text
    n_s = m["n"].lower()
    u = m["u"].lower()
    sfx = (m["sfx"] or "").strip().lower()
    after = t[m.end():m.end() + 12]
    before = t[max(0, m.start() - 3):m.start()]
    if sfx in ("old", "low", "high"):
        return None
    if m["sep"] == "-" and re.match(r"[-\s]?(?:old|olds|low|lows|high|highs|record)\b", after, re.I):
        return None
    if re.search(r"[\d$.,]$", before) or re.match(r"-(?:old|year-old|earlier|ago|before)\b", after):
        return None
    if n_s[0].isdigit() and m["sep"] == "-" and re.match(r"\d{2}$", n_s) is None and len(n_s) > 3:
        return None
    n = _num(n_s)
    if n_s in ("a", "an") and m["pl"]:
        return None
    if n is not None and n > 1 and not m["pl"] and m["sep"] == " " and not n_s in ("a", "an"):
        # "five year" without plural is the adjectival form ("five year low") — still a duration
        pass
    mod = _modval(m["dmod"])
    if m["n2"] and "half" not in m["n2"]:
        mod = mod or "APPROX"
    if (m["frac"] or m["n3"] or (m["n2"] and "half" in m["n2"])) and isinstance(n, int):
        n += 0.5  # "2 1/2 years", "two and a half years", "a minute and a half"
    code, is_time = _UNITS[u]
    num = "X" if n is None else str(n)
    half_in = {"year": "6M", "day": "T12H", "hour": "30M", "minute": "30S"}
    if isinstance(n, float) and n % 1 == 0.5 and u in half_in:
        # TIMEX3 writes a half in the next smaller unit: P2Y6M, P3DT12H, PT5H30M, PT1M30S
        val = f"P{'T' if is_time else ''}{int(n)}{code}{half_in[u]}"
    elif u == "decade":
        val = f"P{int(n) * 10}Y" if isinstance(n, int) else ("PXDE" if num == "X" else f"P{num}DE")
    elif u in ("century", "centurie"):
        val = f"P{int(n) * 100}Y" if isinstance(n, int) else "PXCE"
    elif u == "quarter":
        val = f"P{int(n) * 3}M" if isinstance(n, int) else "PXQ"
    elif u == "weekend":
        val = f"P{num}WE"
    else:
        val = f"P{'T' if is_time else ''}{num}{code}"
    rel = (m["rel"] or "").lower()
    if sfx in ("ago", "from now", "earlier", "later", "before", "after"):
        if u in ("second", "minute", "hour"):
            # no date finer than a day is derived; "a minute and a half later" is its duration (TimeBank)
            return None if sfx in ("ago", "from now") else ("DURATION", val, mod, False)
        if n is None or isinstance(n, float):
            return "DATE", "PAST_REF" if sfx in ("ago", "earlier", "before") else "FUTURE_REF", mod, True
        gran = {"weekend": "week", "centurie": "century"}.get(u, u)
        sign = -1 if sfx in ("ago", "earlier", "before") else 1
        if sfx in ("ago", "from now"):
            if ctx.dct is None:
                return "DATE", "PAST_REF" if sign < 0 else "FUTURE_REF", mod, True
            base_d, base_g = ctx.dct, None
        else:
            if ctx.ref is None:
                return "DATE", "PAST_REF" if sign < 0 else "FUTURE_REF", mod, True
            base_d, base_g = ctx.ref
            if gran == "year" and base_g == "quarter":
                return "DATE", _fmt(_shift(base_d, "quarter", -4 * n * -sign if False else sign * 4 * n), "quarter"), mod, True
        coarser = None
        if base_g is not None and _GRAN_ORDER[base_g] > _GRAN_ORDER[gran]:
            # "Paris fell in May 1940. Two days later": shift in the expression's own unit, then
            # say no more than the reference knows (1940-05, not 1940-07 nor an invented day)
            coarser = base_g
        if gran == "decade":
            d = _shift(base_d, "year", sign * 10 * n)
            g = "decade" if n > 1 else "year"
        elif gran == "century":
            d = _shift(base_d, "year", sign * 100 * n)
            g = "century"
        else:
            d = _shift(base_d, gran, sign * n)
            g = gran
        if sfx in ("ago", "from now"):
            return "DATE", ctx.coarse(d, g), mod, True
        if coarser is not None:
            g = coarser if _GRAN_ORDER[coarser] > _GRAN_ORDER[g] else g
        return "DATE", _fmt(d, g), mod, True
    if rel == "recent":
        return "DATE", "PAST_REF", None, True
    return "DURATION", val, mod, rel in ("past", "last", "next", "coming")


_VAGUE_PREPOSITIONS = ("for", "over", "within", "in", "after", "spanning", "lasting", "took", "take", "takes")


@_rule("vague_duration",
       r"(?:" + "|".join(rf"(?<=\b{w}\s)" for w in _VAGUE_PREPOSITIONS) + r"|\b(?P<pre>recent|coming)\s)"
       rf"(?P<q>(?:many|several|a\sfew|few|some|the\snext\sfew|the\spast\sfew|the\slast\sfew)\s)?(?P<u>{_UNIT})s\b(?!\sago)", words=_A_UNIT, group="u")
def _r_vague(m, ctx):
    """"for months", "over the past few weeks", "coming years": a vague DURATION (PXM...). The
    preposition is outside the expression (TimeBank: "for centuries" is "centuries")."""
    u = m["u"].lower()
    pre = (m["pre"] or ctx.text[max(0, m.start() - 9):m.start()].split()[-1]).lower()
    if pre in ("in",) and not m["q"]:
        return None
    if pre == "recent":
        return None
    if u in ("second", "minute", "hour"):
        return None
    code = {"day": "D", "week": "W", "month": "M", "year": "Y", "decade": "DE", "century": "CE", "centurie": "CE", "quarter": "Q"}[u]
    # extent: the quantity and unit, without the preposition (TimeBank convention)
    return "DURATION", f"P X{code}".replace(" ", ""), None, False


_DETERMINER_BEFORE = re.compile(
    r"\b(?:a|an|the|its|their|his|her|our|your|my|this|that|these|those|first|initial|regular|latest)\s(?:[a-z]+\s)?$",
    re.I)


@_rule("set",
       r"\b(?P<w>annual|annually|yearly|biannual|semiannual|quarterly|monthly|weekly|daily|nightly|"
       r"every\s(?:year|month|week|day|night|morning|summer|winter|spring|fall)|each\s(?:year|month|week|day)|"
       r"(?:a|per)\s(?:year|month|week|day)|twice\sa\s(?:year|month|week|day)|once\sa\s(?:year|month|week|day))\b(?!-)",
       words=("annual", "year", "quarter", "month", "week", "daily", "day", "night", "morning", "summer", "winter",
              "spring", "fall"))
def _r_set(m, ctx):
    w = m["w"].lower()
    if w.startswith(("a ", "per ")):
        before = ctx.text[max(0, m.start() - 40):m.start()]
        if not re.search(r"(?:\d|million|billion|trillion|percent|%|dollars?|yen|won|times|once|twice)\W{0,3}(?:\w+\W{1,3}){0,3}$", before, re.I):
            return None
    if w in ("annual", "biannual", "semiannual", "quarterly") and _DETERMINER_BEFORE.search(ctx.text, max(0, m.start() - 40), m.start()):
        return None  # "its quarterly dividend", "the annual meeting": a kind of thing, not a recurring time (TimeBank)
    if w == "annually" and re.search(r"(?:%|\bpercent|\bper\scent)\s$", ctx.text[max(0, m.start() - 12):m.start()], re.I):
        return None  # "rise 8.5% annually": a growth rate, not a recurring event (TimeBank)
    key = w.split()[-1]
    if w in ("annual", "annually", "yearly"):
        return "SET", "P1Y", None, False
    if w in ("biannual", "semiannual"):
        return "SET", "P6M", None, False
    if w == "quarterly":
        return "SET", "P3M", None, False
    code = {"year": "P1Y", "yearly": "P1Y", "month": "P1M", "monthly": "P1M", "week": "P1W", "weekly": "P1W",
            "day": "P1D", "daily": "P1D", "night": "P1D", "nightly": "P1D", "morning": "P1D",
            "summer": "XXXX-SU", "winter": "XXXX-WI", "spring": "XXXX-SP", "fall": "XXXX-FA"}.get(key)
    if code is None:
        return None
    return "SET", code, None, False


# clock times
@_rule("clock",
       r"\b(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?\s?(?P<ap>a\.m\.|p\.m\.|am\b|pm\b)(?:\s(?P<tz>EST|EDT|CST|CDT|PST|PDT|GMT|UTC))?|\b(?<!high\s)(?P<w>noon|midnight|midday)\b",
       digits=1, words=("noon", "midnight", "midday"))
def _r_clock(m, ctx):
    if m["w"]:  # "high noon" is a showdown, not a time
        h, mi = (24, 0) if m["w"].lower() == "midnight" else (12, 0)
    else:
        h = int(m["h"])
        mi = int(m["mi"] or 0)
        if not 1 <= h <= 12 or mi > 59:
            return None
        ap = m["ap"].lower()
        if ap.startswith("p") and h != 12:
            h += 12
        if ap.startswith("a") and h == 12:
            h = 0
    if ctx.dct is None or not ctx.allows("day"):
        return "TIME", f"XXXX-XX-XXT{h:02d}:{mi:02d}", None, True
    return "TIME", f"{ctx.dct.isoformat()}T{h:02d}:{mi:02d}", None, True


# --------------------------------------------------------------------------- fast scanning
#
# Running each rule's pattern over the whole text costs a regex attempt at every character
# (the patterns begin with optional groups, so `re` cannot skip ahead), 28 times over. Instead
# three cheap scans find the rules' anchors (see _Anchors) and each rule runs only on the
# stretches of text around its anchors. This gives exactly the matches of `rx.finditer(text)`:
# - every match contains an anchor, and no attempt of a pattern looks further than `reach`
#   characters from where it starts (lookaheads included; an unbounded `\s*`/`\s+` only adds
#   whitespace, so the bound then counts non-whitespace characters);
# - so a match can only start within `reach` characters before an anchor, and an attempt there
#   sees nothing beyond `reach` characters after it: searching the stretch
#   [anchor start - reach, anchor end + reach] with `finditer(text, lo, hi)` (which sees the
#   real text before `lo`, for lookbehinds and `\b`) tries those positions exactly as a
#   whole-text search would, and any match it finds contains an anchor, so is a real one;
#   when the anchor is always inside a top-level group, the stretch is narrowed to
#   [anchor start - (width before the group + group width), anchor end + reach from the group];
# - overlapping stretches are merged, so matches never overlap across stretches, as in finditer.

try:  # the regex parser, to bound how far each pattern can look (public in all CPython 3 versions)
    from re import _constants as _sre_c, _parser as _sre_parse
except ImportError:  # Python < 3.11
    import sre_constants as _sre_c
    import sre_parse as _sre_parse


def _is_space_class(item) -> bool:
    """True for the subpattern ``\\s`` (a class holding only the whitespace category)."""
    data = list(item)
    return (len(data) == 1 and data[0][0] is _sre_c.IN
            and all(op is _sre_c.CATEGORY and av in (_sre_c.CATEGORY_SPACE, _sre_c.CATEGORY_UNI_SPACE)
                    for op, av in data[0][1]))


def _reach(items) -> tuple[int, bool]:
    """(how many characters an attempt can examine from its start, lookaheads included, not
    counting unbounded runs of whitespace; whether there are such runs). Raises ValueError for
    constructs it does not know or any other unbounded repeat."""
    total, ws = 0, False
    for op, av in items:
        if op in (_sre_c.LITERAL, _sre_c.NOT_LITERAL, _sre_c.IN, _sre_c.ANY):
            total += 1
        elif op is _sre_c.AT:
            pass
        elif op is _sre_c.SUBPATTERN:
            w, u = _reach(av[-1])
            total, ws = total + w, ws or u
        elif op is _sre_c.BRANCH:
            alts = [_reach(a) for a in av[1]]
            total, ws = total + max(w for w, _ in alts), ws or any(u for _, u in alts)
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, getattr(_sre_c, "POSSESSIVE_REPEAT", None)):
            lo, hi, item = av
            if hi == _sre_c.MAXREPEAT:
                if not _is_space_class(item):
                    raise ValueError("unbounded repeat")
                ws = True
            else:
                w, u = _reach(item)
                total, ws = total + hi * w, ws or u
        elif op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT):
            direction, sub = av
            if direction > 0:  # a lookahead examines what follows; a lookbehind what precedes
                w, u = _reach(sub)
                total, ws = total + w, ws or u
        elif op is getattr(_sre_c, "ATOMIC_GROUP", None):
            w, u = _reach(av)
            total, ws = total + w, ws or u
        else:
            raise ValueError(f"unsupported {op}")
    return total, ws


def _alternation(words) -> re.Pattern:
    """One pattern matching any of ``words`` (none a prefix of another), written as a trie so
    `re` decides at each position from its first characters."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def rx(node) -> str:
        alts = [re.escape(ch) + rx(sub) for ch, sub in sorted(node.items()) if ch]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")" if alts else ""
    return re.compile(rx(trie))


def _window(rx: re.Pattern, group: str | None) -> tuple[int, int, bool]:
    """(characters to search before an anchor, after it, whether whitespace runs are uncounted)."""
    items = list(_sre_parse.parse(rx.pattern, rx.flags))
    reach, ws = _reach(items)
    reach += 2  # `\b` and end checks peek one character beyond
    if group is not None and not ws:
        gid = rx.groupindex[group]
        i = next(i for i, (op, av) in enumerate(items) if op is _sre_c.SUBPATTERN and av[0] == gid)
        before, gwidth, after = _reach(items[:i])[0], _reach(items[i:i + 1])[0], _reach(items[i:])[0] + 2
        return min(before + gwidth, reach), min(after, reach), False
    return reach, reach, ws


def _build_scanner():
    """(word → rules, cased word → rules, [(rule, min digits)], rule → (before, after, whitespace
    runs uncounted), word pattern, cased pattern)."""
    words: dict[str, list[str]] = {}
    cased: dict[str, list[str]] = {}
    digits: list[tuple[str, int]] = []
    reach: dict[str, tuple[int, int, bool]] = {}
    for name, rx, _ in _RULES:
        a = _ANCHORS.get(name)
        if a is None:
            continue
        try:
            reach[name] = _window(rx, a.group)
        except (ValueError, TypeError, StopIteration):
            continue  # not analysable: the rule is run on the whole text
        for k in a.words:
            words.setdefault(k, []).append(name)
        for k in a.cased:
            cased.setdefault(k, []).append(name)
        if a.digits:
            digits.append((name, a.digits))
    for group in (words, cased):
        for k in group:
            assert not any(o != k and o.startswith(k) for o in group), f"anchor {k!r} is a prefix of another"
            assert k.isascii() and (group is cased or k == k.lower()), k
    return words, cased, digits, reach, _alternation(words), _alternation(cased)


_FOLD_SPECIAL = re.compile("[\u0130\u0131\u017f\u212a]")  # non-ASCII letters `re.I` matches to ASCII ones
_FOLD = {**{i: i + 32 for i in range(65, 91)}, 0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}
_DIGIT_RUN = re.compile(r"\d+")


def _fold(text: str) -> str:
    """``text`` with every character `re.I` matches to an ASCII letter replaced by that lower-case
    letter (offsets unchanged), so case-insensitive anchors are found with a plain search."""
    low = text.lower()
    if len(low) != len(text) or _FOLD_SPECIAL.search(text):
        low = text.translate(_FOLD)
    return low


def _find_all(rx: re.Pattern, text: str):
    """Every match of ``rx``, overlapping ones included (restarting one character after each)."""
    pos = 0
    while m := rx.search(text, pos):
        yield m
        pos = m.start() + 1


def _anchor_hits(text: str) -> dict[str, list[tuple[int, int]]]:
    """Rule name → spans of the anchors it contains in ``text`` (unsorted)."""
    hits: dict[str, list[tuple[int, int]]] = {name: [] for name in _SCAN_REACH}
    for rx, table, source in ((_SCAN_WORDS_RX, _SCAN_WORDS, _fold(text)), (_SCAN_CASED_RX, _SCAN_CASED, text)):
        for m in _find_all(rx, source):
            span = m.span()
            for name in table[m.group()]:
                hits[name].append(span)
    for m in _DIGIT_RUN.finditer(text):
        s, e = m.span()
        for name, k in _SCAN_DIGITS:
            if e - s >= k:
                hits[name].append((s, e))
    return hits


def _count_nonspace(s: str) -> int:
    return len("".join(s.split()))  # str.split() and `\s` agree on what is whitespace


def _stretches(text: str, spans, before: int, after: int, ws: bool) -> list[tuple[int, int]]:
    """The merged stretches [lo, hi) to search around anchor ``spans`` (see the section comment)."""
    n = len(text)
    out: list[list[int]] = []
    for s, e in sorted(spans):
        lo, hi = max(0, s - before), min(n, e + after)
        if ws:  # whitespace runs do not count: widen until more than before/after non-space chars
            while lo > 0 and (k := _count_nonspace(text[lo:s])) <= before:
                lo = max(0, lo - (before + 1 - k))
            while hi < n and (k := _count_nonspace(text[e:hi])) <= after:
                hi = min(n, hi + (after + 1 - k))
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out


_WHOLE_TEXT_SHARE = 0.5  # search the whole text at once when the stretches cover more of it


def _rule_matches(name: str, rx: re.Pattern, text: str, hits) -> list[re.Match]:
    """``list(rx.finditer(text))``, searching only the stretches around the rule's anchors."""
    if name not in _SCAN_REACH:
        return list(rx.finditer(text))
    spans = _stretches(text, hits[name], *_SCAN_REACH[name])
    if sum(hi - lo for lo, hi in spans) > _WHOLE_TEXT_SHARE * len(text):
        return list(rx.finditer(text))  # anchors everywhere: one pass is cheaper
    out = []
    for lo, hi in spans:
        out.extend(rx.finditer(text, lo, hi))
    return out


_SCAN_WORDS, _SCAN_CASED, _SCAN_DIGITS, _SCAN_REACH, _SCAN_WORDS_RX, _SCAN_CASED_RX = _build_scanner()


# --------------------------------------------------------------------------- tagging

_PRIORITY = {name: i for i, (name, _, _) in enumerate(_RULES)}
# a date sets the story's time only as the setting of an event ("Paris fell in May 1940", "On
# June 14, 1940,"), not in "since 2017", "dating back to 2017", "the Dec. 21, 1988, bombing",
# "the August 1988 cease-fire"
_STORY_SETTING = re.compile(r"\b(?:[Ii]n|[Oo]n|[Bb]y|[Dd]uring)\s(?:early\s|late\s|mid-)?$")
_STORY_YEARS = 5  # a story at least this many years before the DCT is a narrative of the past, not news
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_WS_RUN = re.compile(r"\s+")


class _Match:
    """A match whose groups have every whitespace run read as one space, so the rules' word
    lookups ("that same", "the beginning of") work on hard-wrapped text ("that\nsame"); offsets
    (``start``/``end``/``span``) are the real ones."""

    __slots__ = ("_m",)

    def __init__(self, m: re.Match):
        self._m = m

    def __getitem__(self, g):
        v = self._m[g]
        return None if v is None else _WS_RUN.sub(" ", v)

    def group(self, *gs):
        if len(gs) <= 1:
            return self[gs[0] if gs else 0]
        return tuple(self[g] for g in gs)

    def __getattr__(self, name):  # start, end, span, re, string...
        return getattr(self._m, name)


def _out_of_range(ctx, s: int, e: int, why: str) -> None:
    if (s, e) in ctx.warned:
        return
    ctx.warned.add((s, e))
    text = ctx.text
    warnings.warn(f"temporal expression {text[s:e]!r} at characters {s}-{e} skipped: its date is outside the "
                  f"calendar years 1-9999 ({why}).", TimexWarning, stacklevel=3)


def _apply(fn, m, ctx, warn: bool = True):
    """``fn(m, ctx)``, or None (with a warning when ``warn``) when the date it computes falls outside
    the years 1-9999 (e.g. "twenty-one centuries ago", "the next day" after 9999-12-31)."""
    try:
        res = fn(m, ctx)
    except (ValueError, OverflowError) as e:
        if warn:
            _out_of_range(ctx, m.start(), m.end(), str(e))
        return None
    if res is not None and res[0] in ("DATE", "TIME"):
        v = res[1]
        core = v.split("T", 1)[0] if _V_DAY.match(v) else v
        if granularity(core) is not None and interval(core) is None:  # "0000-Q1", "2023-02-30"
            if warn:
                _out_of_range(ctx, m.start(), m.end(), f"value {v!r} is not a calendar date")
            return None
    return res


def tag(text: str, dct: date | str | None = None, precision: str | None = None) -> list[Timex]:
    """Find the temporal expressions in ``text`` and resolve them to TIMEX3 values.

    ``dct``: the document creation time — a ``date``/``datetime`` or ISO string ("2023-04-24",
    "2021-01", "2021"; a shorter string implies month/year precision) or None (relative
    expressions then get underspecified values). ``precision`` ("day", "month", "year") says how
    much of ``dct`` is known; nothing finer is derived from it (see the module docstring).
    Returns the expressions sorted by ``start``; offsets index into ``text``.
    Raises ParameterError for a non-string text, an unreadable dct or an unknown precision.
    """
    if not isinstance(text, str):
        raise ParameterError(f"text has type {type(text).__name__}: pass the document text as a str.")
    d, prec = _parse_dct(dct, precision)
    ctx = _Ctx(text, d, prec)
    cands = []
    hits = _anchor_hits(text)
    for name, rx, fn in _RULES:
        for m in _rule_matches(name, rx, text, hits):
            if m.end() > m.start():
                cands.append((m.start(), m.end(), name, _Match(m), fn))
    # a candidate is usable only if its rule accepts it (context checks; the previous-date
    # reference does not affect acceptance, so probing with the DCT reference is safe)
    probe_ref, probe_story = ctx.ref, ctx.story  # (story is None here)
    valid = []
    for c in cands:
        ctx.ref, ctx.story = probe_ref, probe_story
        if _apply(c[4], c[3], ctx) is not None:
            valid.append(c)
    ctx.ref, ctx.story = probe_ref, probe_story
    # prefer the longest match; ties go to the earlier-declared (more specific) rule
    valid.sort(key=lambda c: (-(c[1] - c[0]), _PRIORITY[c[2]], c[0]))
    taken = bytearray(len(text) + 1)
    chosen = []
    for c in valid:
        s, e = c[0], c[1]
        if any(taken[s:e]):
            continue
        chosen.append(c)
        taken[s:e] = b"\x01" * (e - s)
    chosen.sort(key=lambda c: c[0])
    out: list[Timex] = []
    for s, e, name, m, fn in chosen:
        res = _apply(fn, m, ctx)
        if res is None:
            continue
        typ, value, mod, anchored = res
        # trim a trailing comma/space picked up by optional groups
        while e > s and text[e - 1] in " ,":
            e -= 1
        out.append(Timex(s, e, text[s:e], typ, value, mod, anchored, name))
        if typ == "DATE" and name != "year_rel_adj":
            g = granularity(value)
            if g == "quarter":
                ctx.last_quarter = interval(value)[0]
            if g is not None:
                iv = interval(value)
                ctx.ref = (iv[0], "month" if g in ("season", "half") else g)
                if (not anchored and g not in ("decade", "century") and _STORY_SETTING.search(text, max(0, s - 12), s)):
                    ctx.story, ctx.story_end = ctx.ref, e  # the story's current time
    return _join_clock_and_day(out, text)


_CLOCK_DAY_GAP = re.compile(r",?\s")


def _join_clock_and_day(out: list[Timex], text: str) -> list[Timex]:
    """A clock time directly followed by its day ("10 p.m. Wednesday", "noon Thursday", "5 p.m.
    EST Nov. 9") is one TIME on that day (TimeML), not a time on the DCT's day plus a date."""
    joined: list[Timex] = []
    i = 0
    while i < len(out):
        a = out[i]
        b = out[i + 1] if i + 1 < len(out) else None
        if (b is not None and a.rule == "clock" and "T" in a.value and b.type == "DATE" and _V_DAY.match(b.value)
                and "T" not in b.value and _CLOCK_DAY_GAP.fullmatch(text, a.end, b.start)):
            joined.append(Timex(a.start, b.end, text[a.start:b.end], "TIME", b.value + a.value[a.value.index("T"):],
                                a.mod or b.mod, True, f"clock+{b.rule}"))
            i += 2
            continue
        joined.append(a)
        i += 1
    return joined


