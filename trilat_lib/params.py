"""The checks of every notebook parameter with documented choices or ranges, in one place.

Both the runner (``trilat run``, also with ``--dry-run``) and each notebook's setup cell call
:func:`check`, so a bad value fails *before* anything executes, with a
:class:`~trilat_lib.errors.ParameterError` naming the notebook, the parameter, what it accepts
and (for names) the closest matches, instead of a deep traceback half-way through a run::

    globals().update(params.check("03_sentiment_by_country", globals()))

:func:`check` also *normalises* values, so a notebook can rely on one form: ``countries`` given
as ``"KOR,JPN"``, ``"kor jpn"``, ``["south korea", "Japan"]`` becomes ``["KOR", "JPN"]`` (codes and
names from the gazetteer, :func:`trilat_lib.countries.load_gazetteer`); a date bound becomes its
ISO text (``"2021-01-01"``) or a year (``1990``); choices become lower case.

Parameters without a rule here keep the runner's check against the type of their default.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from numbers import Integral, Real
from typing import Any

from .errors import ParameterError

__all__ = ["Rule", "RULES", "check", "check_value", "rules_for", "countries", "date_bound"]


class _Bad(Exception):
    """A value a rule refuses; carries what the rule accepts (the caller adds notebook and name)."""


@dataclass(frozen=True)
class Rule:
    """How one parameter is checked: ``normalise(value) -> value`` (raises ``_Bad``) and what it
    accepts, in words (a callable when it is read from a module's constant), for ``trilat list``."""

    normalise: Callable[[Any], Any]
    accepts_: str | Callable[[], str]

    @property
    def accepts(self) -> str:
        return self.accepts_() if callable(self.accepts_) else self.accepts_


# --------------------------------------------------------------------------- building blocks

def _is_int(v: Any) -> bool:
    return isinstance(v, Integral) and not isinstance(v, bool)


def _integer(lo: int | None = None, hi: int | None = None, optional: bool = False) -> Rule:
    rng = (f"≥ {lo}" if hi is None else f"from {lo} to {hi}") if lo is not None else "any"
    text = f"a whole number {rng}".replace(" any", "") + (" or None" if optional else "")

    def norm(v):
        if v is None and optional:
            return None
        if isinstance(v, str) and re.fullmatch(r"\s*-?\d+\s*", v):
            v = int(v)
        if not _is_int(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
            raise _Bad(text)
        return int(v)
    return Rule(norm, text)


def _number(lo: float, hi: float, lo_open: bool = False, hi_open: bool = False) -> Rule:
    text = f"a number in {'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"

    def norm(v):
        if not isinstance(v, Real) or isinstance(v, bool):
            raise _Bad(text)
        v = float(v)
        if v < lo or v > hi or (lo_open and v == lo) or (hi_open and v == hi):
            raise _Bad(text)
        return v
    return Rule(norm, text)


def _boolean() -> Rule:
    def norm(v):
        if not isinstance(v, bool):
            raise _Bad("True or False")
        return v
    return Rule(norm, "True or False")


def _choice(options: Callable[[], tuple[str, ...]], optional: bool = False) -> Rule:
    """One of ``options()`` (read when checking, so a module's constant stays the single source)."""
    def norm(v):
        opts = tuple(options())
        if v is None and optional:
            return None
        if isinstance(v, str) and v.strip().lower() in opts:
            return v.strip().lower()
        raise _Bad(_one_of(opts, optional) + _suggest(v, opts))
    return Rule(norm, lambda: _one_of(tuple(options()), optional))


def _one_of(opts: tuple[str, ...], optional: bool = False) -> str:
    return "one of " + ", ".join(repr(o) for o in opts) + (" or None" if optional else "")


def _suggest(value: Any, options: Any) -> str:
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value.strip().lower(), [str(o).lower() for o in options], n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def _split_text(v: str) -> list[str]:
    """``"a, b"`` / ``"[a, b]"`` / ``"'a' 'b'"`` → items split on commas/semicolons (quotes and brackets dropped)."""
    v = v.strip()
    if v.startswith("[") and v.endswith("]"):
        v = v[1:-1]
    return [p.strip().strip("'\"").strip() for p in re.split(r"[,;]", v) if p.strip().strip("'\"").strip()]


def _list_of(item: Rule, what: str, min_items: int = 1) -> Rule:
    """A list of values passing ``item``; text ``"3,4,5"``, ``"[3, 4]"`` or ``"3 4"`` and a single value also do."""
    text = f"a list of {what}"

    def norm(v):
        if isinstance(v, str):
            parts = _split_text(v)
            v = parts[0].split() if len(parts) == 1 else parts
        elif _is_int(v) or isinstance(v, (float, str)):
            v = [v]
        if not isinstance(v, (list, tuple)) or len(v) < min_items:
            raise _Bad(text)
        try:
            return [item.normalise(x) for x in v]
        except _Bad:
            raise _Bad(text) from None
    return Rule(norm, text)


def _word_list() -> Rule:
    def norm(v):
        if v is None:
            return []
        if isinstance(v, str):
            v = _split_text(v)
        if not isinstance(v, (list, tuple)) or not all(isinstance(x, str) and x.strip() for x in v):
            raise _Bad("a list of words, e.g. ['korea', 'japan']")
        return [x.strip() for x in v]
    return Rule(norm, "a list of words, e.g. ['korea', 'japan']")


def _text() -> Rule:
    def norm(v):
        if not isinstance(v, str) or not re.search(r"\w", v):
            raise _Bad("a word or phrase (non-empty text)")
        return v.strip()
    return Rule(norm, "a word or phrase")


def _either(*rules: Rule, accepts: str) -> Rule:
    def norm(v):
        for r in rules:
            try:
                return r.normalise(v)
            except _Bad:
                continue
        raise _Bad(accepts)
    return Rule(norm, accepts)


def _literal(*values: Any) -> Rule:
    def norm(v):
        if v is None and None in values:
            return None
        if isinstance(v, str) and v.strip().lower() in [x for x in values if isinstance(x, str)]:
            return v.strip().lower()
        raise _Bad(_one_of(tuple(x for x in values if x is not None), None in values))
    return Rule(norm, _one_of(tuple(x for x in values if x is not None), None in values))


# --------------------------------------------------------------------------- dates

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def date_bound(value: Any) -> tuple[Any, date, date] | None:
    """``value`` as a date bound: ``(normalised value, first day, last day)`` or None for None.

    Accepts a year (``1990`` or ``"1990"``), ``"YYYY-MM"``, ``"YYYY-MM-DD"`` or a ``datetime.date``;
    the normalised value is the year (int) or the ISO text. Raises ``ValueError`` otherwise.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat(), value, value
    if _is_int(value):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(value)
    m = _DATE_RE.match(value.strip())
    if not m:
        raise ValueError(value)
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    if y < 1:
        raise ValueError(value)
    if d:
        day = date(y, int(mo), int(d))
        return day.isoformat(), day, day
    if mo:
        first = date(y, int(mo), 1)
        nxt = date(y + (first.month == 12), first.month % 12 + 1, 1)
        return f"{y:04d}-{int(mo):02d}", first, date.fromordinal(nxt.toordinal() - 1)
    return y, date(y, 1, 1), date(y, 12, 31)


def _date() -> Rule:
    text = "None, a year (1990), 'YYYY-MM' or 'YYYY-MM-DD'"

    def norm(v):
        try:
            b = date_bound(v)
        except ValueError:
            raise _Bad(text) from None
        return None if b is None else b[0]
    return Rule(norm, text)


# --------------------------------------------------------------------------- countries

@lru_cache(maxsize=1)
def _country_lookup() -> tuple[dict[str, str], dict[str, set[str]]]:
    """(code → canonical name, lower-case name/alias → codes) from the gazetteer."""
    from .countries import load_gazetteer

    gaz = load_gazetteer()
    names: dict[str, set[str]] = {}
    for e in gaz.entries:
        if e.country and not e.is_person and e.kind in ("name", "short", "demonym"):
            names.setdefault(e.alias.lower(), set()).add(e.country)
    for code, name in gaz.names.items():
        names.setdefault(name.lower(), set()).add(code)
    return dict(gaz.names), names


def _resolve_one(text: str, codes: dict[str, str], names: dict[str, set[str]]) -> str | None:
    t = " ".join(text.split())
    if t.upper() in codes:
        return t.upper()
    hits = names.get(t.lower())
    if hits and len(hits) == 1:
        return next(iter(hits))
    if hits:
        exact = [c for c in hits if codes.get(c, "").lower() == t.lower()]  # a country's own name wins
        if len(exact) == 1:
            return exact[0]
        raise _Bad(f"country codes or names, and {t!r} names several ({', '.join(sorted(hits))}); give the code")
    return None


def _resolve(piece: str, codes: dict[str, str], names: dict[str, set[str]]) -> list[str]:
    """Codes for a piece of text: a code or name, or several of them separated by spaces
    ("kor jpn", "South Korea japan"), matched greedily longest first."""
    whole = _resolve_one(piece, codes, names)
    if whole:
        return [whole]
    words, out, i = piece.split(), [], 0
    while i < len(words):
        for j in range(len(words), i, -1):
            hit = _resolve_one(" ".join(words[i:j]), codes, names)
            if hit:
                out.append(hit)
                i = j
                break
        else:
            raise _Unknown(" ".join(words[i:]) if len(words) > 1 else piece)
    return out


class _Unknown(_Bad):
    pass


def _unknown_country(text: str, codes: dict[str, str], names: dict[str, set[str]]) -> str:
    """The message for a country the gazetteer does not know, with the closest codes/names."""
    pool = {c.lower(): c for c in codes}
    pool.update({n: next(iter(cs)) for n, cs in names.items() if len(cs) == 1 and n not in pool})
    close = [pool[m] for m in difflib.get_close_matches(text.lower(), list(pool), n=6, cutoff=0.6)]
    close = list(dict.fromkeys(close))[:3]
    hint = f"; did you mean {' or '.join(f'{c} ({codes.get(c, c)})' for c in close)}?" if close else ""
    return (f"country codes or names from the gazetteer, and {text!r} is not one{hint} "
            "(trilat_lib.countries.load_gazetteer().countries lists the codes)")


def countries(value: Any) -> list[str] | None:
    """``value`` as a list of gazetteer codes (None stays None): accepts ``"KOR"``, ``"KOR,JPN"``,
    ``"[kor, jpn]"``, ``"kor jpn"``, names (``"South Korea"``, ``"japan"``) or a list of those.
    Raises ``_Bad`` with close matches for an unknown code or name."""
    if value is None:
        return None
    codes, names = _country_lookup()
    if isinstance(value, str):
        pieces = _split_text(value)
    elif isinstance(value, (list, tuple, set)):
        pieces = [str(x) for x in value if str(x).strip()] if all(isinstance(x, str) for x in value) else None
        if pieces is None:
            raise _Bad("country codes or names, e.g. ['KOR', 'JPN'] or 'South Korea, Japan'")
    else:
        raise _Bad("country codes or names, e.g. ['KOR', 'JPN'] or 'South Korea, Japan'")
    if not pieces:
        raise _Bad("at least one country code or name, or None for all countries")
    out: list[str] = []
    for piece in pieces:
        try:
            found = _resolve(piece, codes, names)
        except _Unknown as e:
            raise _Bad(_unknown_country(str(e), codes, names)) from None
        out += [c for c in found if c not in out]
    return out


# --------------------------------------------------------------------------- the notebooks' parameters

def _terms_matches() -> tuple[str, ...]:
    from .terms import MATCHES
    return MATCHES


def _terms_methods() -> tuple[str, ...]:
    from .terms import METHODS
    return METHODS


def _topic_methods() -> tuple[str, ...]:
    from .topics import METHODS
    return METHODS


def _topic_units() -> tuple[str, ...]:
    from .topics import PASSAGE_UNITS
    return PASSAGE_UNITS


def _scorers() -> tuple[str, ...]:
    from .sentiment import SCORERS
    return tuple(s for s in SCORERS if isinstance(s, str))


def _granularity() -> Rule:
    """None or one of :data:`trilat_lib.timeline.GRANULARITIES` (plurals such as "years" too)."""
    from . import timeline

    choice = _choice(lambda: timeline.GRANULARITIES, optional=True)

    def norm(v):
        if isinstance(v, str):
            v = getattr(timeline, "_GRAN_ALIASES", {}).get(v.strip().lower(), v)
        return choice.normalise(v)
    return Rule(norm, choice.accepts_)


_COUNTRIES = Rule(countries, "None or country codes/names, e.g. KOR,JPN or 'South Korea, Japan'")
_ROWS = _integer(1)
_CACHE = _boolean()
_SEED = _integer(0)

RULES: dict[str, dict[str, Rule]] = {
    "01_corpus_overview": {
        "kwic_term": _text(),
        "kwic_match": _choice(_terms_matches),
        "kwic_window": _integer(10),
        "top_n": _integer(1),
        "ngram_sizes": _list_of(_integer(1, 6), "n-gram sizes from 1 to 6, e.g. [1, 2, 3]"),
        "distinctive_method": _choice(_terms_methods),
        "min_count": _integer(1),
        "max_rows": _ROWS,
        "use_cache": _CACHE,
    },
    "02_topic_modeling": {
        "method": _choice(_topic_methods),
        "n_topics": _either(_literal(None, "auto"), _integer(2),
                            accepts="None, 'auto' or a whole number ≥ 2"),
        "k_candidates": _list_of(_integer(2), "numbers of topics ≥ 2, e.g. [3, 4, 5]"),
        "selection_max_passages": _integer(1, optional=True),
        "passage_unit": _choice(_topic_units),
        "passage_size": _integer(1),
        "min_passage_words": _integer(0),
        "random_state": _SEED,
        "min_df": _either(_integer(1), _number(0, 1, lo_open=True),
                          accepts="a number of passages ≥ 1 (int) or a share in (0, 1] (float)"),
        "max_df": _either(_integer(1), _number(0, 1, lo_open=True),
                          accepts="a share of passages in (0, 1] (float) or a number of passages ≥ 1 (int)"),
        "keep_numbers": _boolean(),
        "phrases": _boolean(),
        "extra_stop_words": _word_list(),
        "coherence_window": _either(_integer(2), _literal("document"),
                                    accepts="a window of ≥ 2 words or 'document'"),
        "n_terms": _integer(1),
        "n_passages": _integer(1),
    },
    "03_sentiment_by_country": {
        "countries": _COUNTRIES,
        "scorer": _choice(_scorers),
        "min_mentions": _integer(1),
        "neutral_band": _number(0, 1, hi_open=True),
        "n_boot": _integer(1),
        "random_state": _SEED,
        "n_evidence": _integer(1),
        "max_rows": _ROWS,
        "use_cache": _CACHE,
    },
    "04_timeline": {
        "date_from": _date(),
        "date_to": _date(),
        "countries": _COUNTRIES,
        "min_granularity": _granularity(),
        "merge": _boolean(),
        "similarity_threshold": _number(0, 1),
        "min_shared": _integer(1),
        "disagreement_threshold": _number(0, 1),
        "color_by": _choice(lambda: ("source", "country")),  # plots.plot_timeline's colourings
        "zoom_from": _integer(1, 9999, optional=True),
        "max_event_chars": _integer(20),  # timeline.build_timeline needs >= 20
        "max_events_plotted": _integer(1, optional=True),
        "max_pairwise": _integer(0),
        "max_rows": _ROWS,
        "use_cache": _CACHE,
    },
}


def _cross_checks(notebook: str, v: Mapping[str, Any]) -> None:
    """Checks that involve two parameters (values already normalised)."""
    if notebook == "04_timeline" and v.get("date_from") is not None and v.get("date_to") is not None:
        lo, hi = date_bound(v["date_from"])[1], date_bound(v["date_to"])[2]
        if lo > hi:
            raise ParameterError(f"{notebook}: parameter 'date_from' ({v['date_from']!r}) is after 'date_to' "
                                 f"({v['date_to']!r}); swap them.")
    if notebook == "02_topic_modeling" and "min_df" in v and "max_df" in v:
        lo, hi = v["min_df"], v["max_df"]
        if type(lo) is type(hi) and lo > hi:
            raise ParameterError(f"{notebook}: parameter 'min_df' ({lo!r}) is larger than 'max_df' ({hi!r}), so no "
                                 "term could qualify; lower min_df or raise max_df.")


# --------------------------------------------------------------------------- the API

def _key(notebook: str) -> str:
    """A notebook name, stem, file name or number → its key in :data:`RULES` (or the name itself)."""
    stem = str(notebook).rsplit("/", 1)[-1].removesuffix(".ipynb")
    for key in RULES:
        if stem in (key, key[3:]) or (stem.isdigit() and int(stem) == int(key[:2])):
            return key
    return stem


def rules_for(notebook: str) -> dict[str, Rule]:
    """The rules of ``notebook`` (name, stem or number); empty for a notebook without rules."""
    return RULES.get(_key(notebook), {})


def check_value(notebook: str, name: str, value: Any) -> Any:
    """``value`` of parameter ``name`` checked and normalised; a value without a rule is returned as is.

    Raises :class:`ParameterError` naming the notebook and the parameter, what it accepts and
    what it got.
    """
    rule = rules_for(notebook).get(name)
    if rule is None:
        return value
    try:
        return rule.normalise(value)
    except _Bad as e:
        raise ParameterError(f"{_key(notebook)}: parameter {name!r} must be {e}; got {value!r}.") from None


def check(notebook: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check every parameter of ``notebook`` found in ``values`` (e.g. a notebook's ``globals()``),
    and the checks between parameters; return ``{name: normalised value}`` for those parameters.

    In a notebook's setup cell: ``globals().update(params.check("04_timeline", globals()))``.
    """
    key = _key(notebook)
    out = {name: check_value(key, name, values[name]) for name in rules_for(key) if name in values}
    _cross_checks(key, out)
    return out
