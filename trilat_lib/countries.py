"""Finding every reference to a country in a text: names, demonyms, capitals, institutions, leaders.

The gazetteer is data, in two CSV files shipped in ``trilat_lib/resources/``:

``gazetteer.csv`` — one row per (country, kind, entity) with ``|``-separated aliases::

    country,kind,entity,aliases,note
    KOR,demonym,South Korea,South Korean|South Koreans|Korean|Koreans,

``kind`` is ``name``, ``short``, ``demonym``, ``capital``, ``institution`` (reported as country
mentions), ``organisation`` (EU, NATO…: not countries, reported only with
``organisations=True``; the EU's code is ``EUU`` as in World Bank data), or ``region``/``other``
with an empty ``country``: phrases such as "Korean Peninsula", "Taiwan Strait", "South China
Sea" or "Washington Post" that contain a country word but are *not* a reference to it. They
are matched like any alias, so the longest match wins and the shorter "Korean"/"China"
inside them is never reported.

``people.csv`` — one row per person and role, with the term of office::

    country,kind,entity,role,start,end,aliases,surnames,context,titles,note
    KOR,leader,Yoon Suk-yeol,President of South Korea,2022-05-10,2025-04-04,Yoon Suk-yeol|Yoon Hee-yeol,Yoon|Yin,yes,President,

``aliases`` are full names (always resolved), ``surnames`` the short forms ("Yoon"). Rules:

* A person is a reference to their country's government when the document's date is on or
  after the start of a role they held (current *or former* office-holders count: "former U.S.
  President Donald Trump" is USA). Before that, the name is not reported. Without a date every
  role counts.
* A surname shared by several listed people ("Clinton", "Bush") goes to the one in office at the
  date, else the latest former holder; an earlier full mention in the same text wins over that.
* Surnames marked ``context=yes`` (Kim, Moon, Yoon, Park, Lee, Li, Wang…) are never guessed:
  a lone "Kim" takes the person of the most recent earlier full mention with that surname in
  the same text — which may be someone not in the gazetteer (any East-Asian full name such as
  "Kim Han-kwon" or "Yoon Young-kwan" is detected and blocks the surname), so "Kim" after "Kim
  Han-kwon, a professor" is not reported. Without an earlier full mention, a title directly in
  front ("President Yoon", listed in ``titles``) resolves it by date; otherwise it is dropped.

Decisions worth knowing: "Korean"/"Korea" alone mean South Korea (in this domain "Korean
workers", "Japanese-Korean relations" refer to the South); "North Korean" is always PRK.
Capitals count as the country whether they stand for the government ("Seoul agreed") or the
place ("a professor in Seoul"); "Washington" is USA. "US" is case-sensitive, and in all-caps
runs ("FOLLOW US ON SOCIAL") it counts only in compounds ("US-JAPAN") or after "THE".
"Sino-American" gives CHN and USA; "U.S.-Japan-ROK" gives three mentions.

Extend the gazetteer with your own CSV(s) in either format (detected from the header)::

    gaz = load_gazetteer("my_gazetteer.csv")      # merged with the shipped files
    find_mentions(text, gazetteer=gaz)

A user row replaces the shipped rows for the same alias (place file) or the same person
(people file). Matching is one compiled regular expression built from a character trie of all
aliases (linear in the text length); overlapping candidates are resolved longest-first.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from .errors import ParameterError
from .paths import RESOURCES_DIR

GAZETTEER_CSV = RESOURCES_DIR / "gazetteer.csv"
PEOPLE_CSV = RESOURCES_DIR / "people.csv"

PLACE_COLUMNS = ["country", "kind", "entity", "aliases", "note"]
PEOPLE_COLUMNS = ["country", "kind", "entity", "role", "start", "end", "aliases", "surnames", "context", "titles", "note"]
PLACE_KINDS = ("name", "short", "demonym", "capital", "institution", "organisation", "region", "other")
PERSON_KINDS = ("leader", "official")
BLOCKER_KINDS = ("region", "other")
MENTION_COLUMNS = ["doc_id", "sentence_id", "start", "end", "text", "country", "kind", "entity"]

# Surnames that open an East-Asian full name ("Kim Han-kwon", "Yoon Young-kwan", "Wang Wenbin").
# Such a name not in the gazetteer is a person we do not know: it is never reported, and it
# blocks a later lone surname from being attributed to a listed namesake.
KOREAN_SURNAMES = (
    "Kim Lee Yi Rhee Park Pak Choi Choe Jung Jeong Chung Kang Cho Jo Yoon Yun Jang Chang Lim Im "
    "Han Oh Seo Shin Kwon Hwang Ahn An Song Jeon Chun Yoo Yu Hong Ko Koh Moon Mun Son Bae Baek "
    "Heo Huh Nam Roh Noh Ha Ban Ryu Suh Won Cha Ji Gu Koo Byun Yang Min Sim Shim Jin Woo"
).split()
CHINESE_SURNAMES = (
    "Li Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng "
    "Qin Xi Jiang Tsai Lai Chiang Wen Deng Mao Xie Tang Feng Dong Cao Peng Zeng Lu Su Pan Du Ye"
).split()

_WORDCH = r"A-Za-z0-9_\u00C0-\u024F"   # Latin word characters for alias boundaries
_GUARD_BEFORE = rf"(?<![{_WORDCH}])"
_GUARD_AFTER = rf"(?![{_WORDCH}])"
_IS_WORDCH = re.compile(rf"[{_WORDCH}]")
_CAPS_KINDS = ("name", "short", "demonym", "capital", "institution", "organisation", "region", "other")


@dataclass(frozen=True)
class Mention:
    """One reference to a country: ``text[start:end] == text``; ``country`` is ISO 3166-1 alpha-3."""

    start: int
    end: int
    text: str
    country: str
    kind: str      # name | short | demonym | capital | institution | organisation | leader | official
    entity: str    # canonical name: "South Korea", "Joe Biden"


@dataclass(frozen=True)
class _Entry:
    alias: str
    country: str
    kind: str
    entity: str
    role: str = ""
    start: _dt.date | None = None
    end: _dt.date | None = None
    context: bool = False          # a surname that needs an earlier full mention or a title
    surname: bool = False          # True for surnames, False for full names and place aliases
    titles: tuple[str, ...] = ()
    source: str = ""

    @property
    def is_person(self) -> bool:
        return self.kind in PERSON_KINDS


# --------------------------------------------------------------------------- loading

def _split(value: str | None) -> list[str]:
    return [a.strip() for a in (value or "").split("|") if a.strip()]


def _parse_day(value: str, where: str, column: str) -> _dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise ParameterError(f"{where}: {column} {value!r} is not an ISO date; write YYYY-MM-DD or leave it empty.") from None


def _check_code(code: str, where: str) -> str:
    if not re.fullmatch(r"[A-Z][A-Z0-9]{1,5}", code):
        raise ParameterError(
            f"{where}: country {code!r} is not a code; use an ISO 3166-1 alpha-3 code such as KOR "
            "(or an organisation code such as EUU/NATO)."
        )
    return code


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ParameterError(f"gazetteer file {path} not found; pass the path of a CSV file.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ParameterError(f"gazetteer file {path} cannot be read as UTF-8 text ({e}).") from None
    reader = csv.DictReader(io.StringIO(raw))
    cols = [c.strip() for c in (reader.fieldnames or [])]
    rows = []
    for lineno, row in enumerate(reader, start=2):
        if None in row:
            raise ParameterError(
                f"gazetteer file {path} line {lineno}: more fields than the header has columns. "
                "Put double quotes around a field that contains a comma (\"Washington, D.C.\")."
            )
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if any(row.values()):
            rows.append((lineno, row))
    return cols, rows


def _place_entries(path: Path, rows: list[tuple[int, dict]]) -> list[_Entry]:
    out = []
    for lineno, row in rows:
        where = f"gazetteer file {path} line {lineno}"
        kind = row.get("kind", "").lower()
        if kind not in PLACE_KINDS:
            raise ParameterError(f"{where}: kind {kind!r} is not one of {', '.join(PLACE_KINDS)}.")
        code = row.get("country", "")
        if code:
            _check_code(code, where)
        elif kind not in BLOCKER_KINDS:
            raise ParameterError(f"{where}: empty country; only kind region/other rows (non-country phrases) may leave it empty.")
        entity = row.get("entity", "")
        aliases = _split(row.get("aliases"))
        if not entity or not aliases:
            raise ParameterError(f"{where}: needs an entity and at least one alias (separate aliases with '|').")
        out += [_Entry(a, code, kind, entity, source=f"{path.name}:{lineno}") for a in aliases]
    return out


def _people_entries(path: Path, rows: list[tuple[int, dict]]) -> list[_Entry]:
    out = []
    for lineno, row in rows:
        where = f"gazetteer file {path} line {lineno}"
        kind = row.get("kind", "").lower()
        if kind not in PERSON_KINDS:
            raise ParameterError(f"{where}: kind {kind!r} is not one of {', '.join(PERSON_KINDS)}.")
        code = _check_code(row.get("country", ""), where)
        entity = row.get("entity", "")
        if not entity:
            raise ParameterError(f"{where}: empty entity; give the person's canonical name.")
        start = _parse_day(row.get("start", ""), where, "start")
        end = _parse_day(row.get("end", ""), where, "end")
        if start and end and end < start:
            raise ParameterError(f"{where}: end {end} is before start {start}.")
        ctx = row.get("context", "").lower()
        if ctx not in ("", "yes", "no", "true", "false", "1", "0"):
            raise ParameterError(f"{where}: context {ctx!r} must be yes or no.")
        context = ctx in ("yes", "true", "1")
        titles = tuple(_split(row.get("titles")))
        aliases = _split(row.get("aliases")) or [entity]
        common = dict(country=code, kind=kind, entity=entity, role=row.get("role", ""), start=start,
                      end=end, titles=titles, source=f"{path.name}:{lineno}")
        out += [_Entry(a, **common) for a in aliases]
        out += [_Entry(s, context=context, surname=True, **common) for s in _split(row.get("surnames"))]
    return out


def _load_file(path: Path) -> tuple[str, list[_Entry]]:
    cols, rows = _read_csv(path)
    if "aliases" in cols and "role" in cols:
        missing = [c for c in ("country", "kind", "entity", "start") if c not in cols]
        if missing:
            raise ParameterError(f"gazetteer file {path}: people file lacks column(s) {', '.join(missing)}; header: {','.join(PEOPLE_COLUMNS)}.")
        return "people", _people_entries(path, rows)
    missing = [c for c in ("country", "kind", "entity", "aliases") if c not in cols]
    if missing:
        raise ParameterError(
            f"gazetteer file {path}: missing column(s) {', '.join(missing)}. A place file has the header "
            f"{','.join(PLACE_COLUMNS)}; a people file {','.join(PEOPLE_COLUMNS)}."
        )
    return "places", _place_entries(path, rows)


class Gazetteer:
    """All aliases (places, institutions, regions, people) and the compiled matcher over them."""

    def __init__(self, entries: Iterable[_Entry]):
        self.entries: list[_Entry] = list(entries)
        self.by_alias: dict[str, list[_Entry]] = {}
        for e in self.entries:
            self.by_alias.setdefault(e.alias, []).append(e)
        # surnames each person claims when fully named
        self.surnames_of: dict[str, set[str]] = {}
        for e in self.entries:
            if e.is_person and e.surname:
                self.surnames_of.setdefault(e.entity, set()).add(e.alias)
        self.names: dict[str, str] = {}
        for e in sorted(self.entries, key=lambda e: (e.kind != "name", e.kind != "organisation")):
            if e.country and not e.is_person:
                self.names.setdefault(e.country, e.entity)

    def __repr__(self) -> str:
        return f"Gazetteer({len(self.by_alias)} aliases, {len(self.names)} countries/organisations)"

    @property
    def countries(self) -> list[str]:
        """Codes of every country/organisation the gazetteer knows."""
        return sorted(self.names)

    def to_frame(self) -> pd.DataFrame:
        """One row per alias: alias, country, kind, entity, role, start, end, context, surname, source."""
        return pd.DataFrame([
            {"alias": e.alias, "country": e.country or None, "kind": e.kind, "entity": e.entity,
             "role": e.role or None, "start": e.start, "end": e.end, "context": e.context,
             "surname": e.surname, "source": e.source}
            for e in self.entries
        ])

    @cached_property
    def _variants(self) -> dict[str, str]:
        """Surface form -> alias key (adds ALL-CAPS forms of place aliases for headings)."""
        out = {a: a for a in self.by_alias}
        for alias, entries in self.by_alias.items():
            up = alias.upper()
            if up != alias and any(e.kind in _CAPS_KINDS for e in entries) and sum(c.isalpha() for c in alias) > 2:
                out.setdefault(up, alias)
        return out

    @cached_property
    def pattern(self) -> re.Pattern:
        """Zero-width lookahead over a trie of every surface form: the longest alias at each start."""
        return re.compile(f"(?=({_trie_regex(list(self._variants))}))")

    @cached_property
    def _place_keys(self) -> frozenset[str]:
        """Alias keys with at least one non-person entry (places, institutions, blockers)."""
        return frozenset(k for k, entries in self.by_alias.items() if not all(e.is_person for e in entries))

    @cached_property
    def _name_pattern(self) -> re.Pattern:
        ko = "|".join(sorted(set(KOREAN_SURNAMES), key=len, reverse=True))
        zh = "|".join(sorted(set(CHINESE_SURNAMES), key=len, reverse=True))
        # a cheap first-letter check, so word starts that open no surname fail at once
        firsts = "".join(sorted({n[0] for n in KOREAN_SURNAMES + CHINESE_SURNAMES}))
        return re.compile(
            rf"{_GUARD_BEFORE}(?=[{firsts}])(?:(?P<ko>{ko})\s(?:[A-Z][a-z]+-[A-Za-z][a-z]+|[A-Z][a-z]+\s[A-Z][a-z]+)"
            rf"|(?P<zh>{zh})\s(?:[A-Z][a-z]+-?[a-z]+|[A-Z][a-z]+\s[A-Z][a-z]+))(?![{_WORDCH}-])"
        )


def _trie_regex(words: Sequence[str]) -> str:
    """A regex matching any of ``words``, longest first, with Latin word boundaries."""
    END = ""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[END] = True

    def build(node: dict, last: str) -> str:
        branches = []
        for ch in sorted(k for k in node if k != END):
            # collapse chains of single children into one literal
            lit, sub = ch, node[ch]
            while END not in sub and len(sub) == 1:
                (c2,) = sub.keys()
                lit += c2
                sub = sub[c2]
            branches.append(re.escape(lit) + build(sub, lit[-1]))
        if END in node:
            branches.append(_GUARD_AFTER if _IS_WORDCH.match(last) else "")
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    # Aliases starting with a word character share one leading guard, "(?<!\w)(?:A…|B…|…)":
    # a guard in front of every branch would be tried once per branch at every position of
    # the text, and would hide each branch's first literal from the regex engine's quick check.
    # (At most one top branch can match at a position: each starts with a different character.)
    guarded, free = [], []
    for ch in sorted(trie):
        (guarded if _IS_WORDCH.match(ch) else free).append(build({ch: trie[ch]}, ""))
    tops = free + ([_GUARD_BEFORE + "(?:" + "|".join(guarded) + ")"] if guarded else [])
    return "|".join(tops) if tops else "(?!x)x"


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    return load_gazetteer()


def load_gazetteer(path: str | Path | Sequence[str | Path] | None = None, *, shipped: bool = True) -> Gazetteer:
    """The shipped gazetteer, extended with the user's CSV file(s) at ``path``.

    A user file is either a place file (``country,kind,entity,aliases,note``) or a people file
    (``country,kind,entity,role,start,end,aliases,surnames,context,titles,note``); the kind is
    detected from the header. User rows replace shipped rows with the same alias (places) or
    the same person (people). ``shipped=False`` uses only the user's files.
    """
    paths: list[Path] = []
    if path is not None:
        items = [path] if isinstance(path, (str, Path)) else list(path)
        for p in items:
            if not isinstance(p, (str, Path)):
                raise ParameterError(f"path: {p!r} is not a file path; pass a CSV path or a list of them.")
            paths.append(Path(p).expanduser())
    if not shipped and not paths:
        raise ParameterError("load_gazetteer: shipped=False needs at least one user CSV in path.")
    base: list[_Entry] = []
    if shipped:
        for p in (GAZETTEER_CSV, PEOPLE_CSV):
            base += _load_file(p)[1]
    for p in paths:
        kind, entries = _load_file(p)
        if kind == "places":
            aliases = {e.alias for e in entries}
            base = [e for e in base if e.is_person or e.alias not in aliases]
        else:
            people = {e.entity for e in entries}
            base = [e for e in base if not (e.is_person and e.entity in people)]
        base += entries
    return Gazetteer(base)


def country_name(code: str, gazetteer: Gazetteer | None = None) -> str:
    """The canonical name of a country (or organisation) code: ``country_name("KOR") == "South Korea"``."""
    gaz = gazetteer or _default_gazetteer()
    if not isinstance(code, str) or code not in gaz.names:
        raise ParameterError(f"code: {code!r} is not in the gazetteer; known codes: {', '.join(gaz.countries)}.")
    return gaz.names[code]


# --------------------------------------------------------------------------- matching

_CAPS_WORD = re.compile(r"[A-Za-z]+")


def _caps_context(text: str, s: int, e: int) -> bool:
    """True when the words around ``text[s:e]`` on its line are ALL CAPS (a heading)."""
    # only the 40 characters each side matter: look for the line's ends there, not up to the
    # text's ends (a long paragraph would make every call O(n))
    ls = text.rfind("\n", max(0, s - 40), s) + 1
    le = text.find("\n", e, e + 40)
    le = len(text) if le < 0 else le
    before = _CAPS_WORD.findall(text[max(ls, s - 40):s])
    after = _CAPS_WORD.findall(text[e:min(le, e + 40)])
    near = before[-1:] + after[:1]
    return bool(near) and all(w.isupper() and len(w) > 1 for w in near)


def _us_ok(text: str, s: int, e: int) -> bool:
    """Accept "US" unless it sits in an all-caps run where it may be the pronoun ("FOLLOW US")."""
    if not _caps_context(text, s, e):
        return True
    if (s > 0 and text[s - 1] in "-–—/") or (e < len(text) and text[e] in "-–—/:"):
        return True   # US-JAPAN, JAPAN/US, "US: DARPA TESTS …"
    return bool(re.search(r"(?<![A-Za-z])THE\s+$", text[max(0, s - 8):s]))


def _by_date(cands: list[_Entry], date: _dt.date | None) -> _Entry | None:
    """The office-holder at ``date``, else the latest former one; None if ambiguous undated."""
    if not cands:
        return None
    if date is None:
        if len({c.country for c in cands}) > 1 and len({c.entity for c in cands}) > 1:
            return None
        return max(cands, key=lambda c: c.start or _dt.date.min)
    current = [c for c in cands if (c.start is None or c.start <= date) and (c.end is None or date < c.end)]
    if current:
        return max(current, key=lambda c: c.start or _dt.date.min)
    return max(cands, key=lambda c: (c.end or _dt.date.max, c.start or _dt.date.min))


def _held_by(entries: list[_Entry], date: _dt.date | None) -> list[_Entry]:
    """Person rows whose role had begun by ``date`` (current or former office)."""
    return [e for e in entries if date is None or e.start is None or e.start <= date]


def _title_before(text: str, s: int, titles: Iterable[str]) -> bool:
    pre = text[max(0, s - 60):s]
    return any(re.search(rf"(?<![\w]){re.escape(t)}\.?\s+$", pre, re.IGNORECASE) for t in titles)


def _check_date(date) -> _dt.date | None:
    if date is None:
        return None
    if isinstance(date, _dt.datetime):
        return date.date()
    if isinstance(date, _dt.date):
        return date
    if isinstance(date, str):
        try:
            return _dt.date.fromisoformat(date)
        except ValueError:
            pass
    raise ParameterError(f"date: {date!r} is not a datetime.date (or ISO 'YYYY-MM-DD' string) or None.")


def find_mentions(
    text: str,
    date: _dt.date | None = None,
    gazetteer: Gazetteer | None = None,
    *,
    organisations: bool = False,
) -> list[Mention]:
    """Every country reference in ``text``, sorted by start and non-overlapping.

    ``date`` is the document's publication date: a person counts only if a role of theirs had
    begun by then (current or former office-holder), and shared surnames are resolved by it.
    ``organisations=True`` also reports organisations (EU as ``EUU``, ``NATO``, ``UN``…).
    See the module docstring for the rules and how to extend the gazetteer.
    """
    if not isinstance(text, str):
        raise ParameterError(f"text: expected a str, got {type(text).__name__}.")
    date = _check_date(date)
    gaz = gazetteer if gazetteer is not None else _default_gazetteer()
    if not isinstance(gaz, Gazetteer):
        raise ParameterError("gazetteer: pass a Gazetteer from load_gazetteer() or None for the shipped one.")
    if not text:
        return []

    # 1. candidates: the longest alias at every start, plus unknown East-Asian full names
    cands: list[tuple[int, int, int, str | None]] = []   # (start, end, priority, alias key | None)
    variants = gaz._variants
    place_keys = gaz._place_keys
    place_starts = []
    for m in gaz.pattern.finditer(text):
        s, e = m.start(1), m.end(1)
        key = variants[m.group(1)]
        cands.append((s, e, 0, key))
        if key in place_keys:
            place_starts.append(s)
    for m in gaz._name_pattern.finditer(text):
        s, e = m.start(), m.end()
        # "An American Foreign Policy" is not a Korean name: given names never hold a place alias
        i = bisect_right(place_starts, s)
        if i < len(place_starts) and place_starts[i] < e:
            continue
        cands.append((s, e, 1, None))
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
    occupied = bytearray(len(text))
    chosen = []
    for s, e, pri, key in cands:
        if occupied.find(1, s, e) >= 0:
            continue
        occupied[s:e] = b"\x01" * (e - s)
        chosen.append((s, e, key))
    chosen.sort()

    # 2. resolve in reading order; full names claim their surnames for later lone mentions
    claims: dict[str, str | None] = {}
    out: list[Mention] = []
    for s, e, key in chosen:
        surface = text[s:e]
        if key is None:                       # an unknown person: blocks their surname
            claims[surface.split()[0]] = None
            continue
        entries = gaz.by_alias[key]
        places = [x for x in entries if not x.is_person]
        if places:
            p = places[0]
            if not p.country or (p.kind == "organisation" and not organisations):
                continue
            if key == "US" and not _us_ok(text, s, e):
                continue
            out.append(Mention(s, e, surface, p.country, p.kind, p.entity))
            continue
        full = [x for x in entries if not x.surname]
        if full:                              # a full name identifies the person
            pick = _by_date(_held_by(full, date), date)
            mine = gaz.surnames_of.get(pick.entity, set()) if pick is not None else set()
            for ent in {x.entity for x in full}:
                for sn in gaz.surnames_of.get(ent, ()):
                    claims[sn] = pick.entity if sn in mine else None
            if pick is not None:
                out.append(Mention(s, e, surface, pick.country, pick.kind, pick.entity))
            continue
        held = _held_by(entries, date)
        pick = None
        if key in claims:                     # an earlier full mention decides
            who = claims[key]
            same = [x for x in held if x.entity == who]
            pick = _by_date(same, date) if same else None
        elif not any(x.context for x in entries):
            pick = _by_date(held, date)
        else:
            titled = [x for x in held if _title_before(text, s, x.titles)]
            pick = _by_date(titled, date)
        if pick is not None:
            out.append(Mention(s, e, surface, pick.country, pick.kind, pick.entity))
    return out


def country_mentions(
    corpus,
    gazetteer: Gazetteer | None = None,
    *,
    organisations: bool = False,
    headings: bool = False,
) -> pd.DataFrame:
    """One row per mention in a corpus: ``doc_id, sentence_id, start, end, text, country, kind, entity``.

    Offsets are into ``doc.text``; each document's ``published`` date resolves leaders. Mentions
    outside body sentences (headings) are left out unless ``headings=True`` (then their
    ``sentence_id`` is missing).
    """
    try:
        docs = list(corpus)
    except TypeError:
        raise ParameterError("corpus: pass a Corpus from load_corpus() or a list of its documents.") from None
    rows = []
    for doc in docs:
        if not hasattr(doc, "text") or not hasattr(doc, "sentences"):
            raise ParameterError(f"corpus: item {doc!r} is not a Document; pass load_corpus() output.")
        sents = doc.sentences
        starts = [x.start for x in sents]
        for m in find_mentions(doc.text, doc.published, gazetteer, organisations=organisations):
            i = bisect_right(starts, m.start) - 1
            sid = sents[i].sentence_id if i >= 0 and m.end <= sents[i].end else None
            if sid is None and not headings:
                continue
            rows.append((doc.doc_id, sid, m.start, m.end, m.text, m.country, m.kind, m.entity))
    if not rows:  # all-object columns (sentence_id Int64), as pandas makes an empty frame
        df = pd.DataFrame(rows, columns=MENTION_COLUMNS)
        df["sentence_id"] = df["sentence_id"].astype("Int64")
        return df
    # one list per column: cheaper than pandas assembling the frame from row records
    columns = dict(zip(MENTION_COLUMNS, map(list, zip(*rows))))
    columns["sentence_id"] = pd.array(columns["sentence_id"], dtype="Int64")
    return pd.DataFrame(columns)  # (the dict is in MENTION_COLUMNS order)


__all__ = [
    "Mention", "Gazetteer", "find_mentions", "country_mentions", "load_gazetteer", "country_name",
    "GAZETTEER_CSV", "PEOPLE_CSV", "MENTION_COLUMNS",
]


def select_countries(mention_counts, countries: Sequence[str] | str | None = None, min_mentions: int = 3,
                     gazetteer: Gazetteer | None = None) -> tuple[list[str], list[str]]:
    """The countries a notebook charts, checked against the corpus: ``(shown, notes)``.

    ``mention_counts``: mentions per country code (a Series or dict, e.g. the total of
    ``country_mentions(corpus).country.value_counts()``). ``countries``: codes (``"JPN"``) or
    gazetteer names (``"Japan"``) to show, in that order; ``None`` = every country with at least
    ``min_mentions`` mentions, most mentioned first. Requested countries with fewer mentions are
    left out with a note (a mean over one or two sentences is an anecdote). Raises
    :class:`ParameterError` naming ``countries``/``min_mentions`` when a code is unknown or when
    nothing is left to show, so a notebook never reaches a plot with nothing in it.
    """
    if isinstance(min_mentions, bool) or not isinstance(min_mentions, (int,)) or min_mentions < 1:
        raise ParameterError(f"min_mentions must be a whole number >= 1, got {min_mentions!r}.")
    counts = {str(k): int(v) for k, v in dict(mention_counts).items() if int(v) > 0}
    ranked = sorted(counts, key=lambda c: (-counts[c], c))

    def listing(n: int = 12) -> str:
        return ", ".join(f"{c} ({counts[c]})" for c in ranked[:n]) + (" …" if len(ranked) > n else "")

    if not counts:
        raise ParameterError("countries: the corpus mentions no country at all, so there is nothing to chart. "
                             "Check corpus_path (see notebook 01 for what the texts contain).")
    notes: list[str] = []
    if countries is None:
        shown = [c for c in ranked if counts[c] >= min_mentions]
        if not shown:
            raise ParameterError(f"min_mentions: no country has {min_mentions} or more mentions in this corpus "
                                 f"(most mentioned: {listing()}). Lower min_mentions.")
        return shown, notes
    if isinstance(countries, str):
        countries = [countries]
    if not isinstance(countries, (list, tuple)) or not all(isinstance(c, str) for c in countries) or not countries:
        raise ParameterError(f"countries must be None or a list of country codes such as ['USA', 'JPN'], got {countries!r}.")
    gaz = gazetteer or _default_gazetteer()
    by_name = {name.lower(): code for code, name in gaz.names.items()}
    codes: list[str] = []
    unknown: list[str] = []
    for c in countries:
        key = c.strip()
        if key.upper() in gaz.names:
            code = key.upper()
        elif key.lower() in by_name:
            code = by_name[key.lower()]
            notes.append(f"countries: {c!r} read as {code}.")
        else:
            unknown.append(c)
            continue
        if code not in codes:
            codes.append(code)
    if unknown:
        import difflib

        hints = sorted({m for u in unknown for m in difflib.get_close_matches(u.upper(), gaz.names, n=3, cutoff=0.7)}
                       | {by_name[m] for u in unknown for m in difflib.get_close_matches(u.lower(), by_name, n=3, cutoff=0.75)})
        raise ParameterError(
            f"countries: {unknown} {'is' if len(unknown) == 1 else 'are'} not a country code of the gazetteer"
            + (f" (did you mean {', '.join(hints)}?)" if hints else "")
            + f". Use ISO 3166 alpha-3 codes (or names such as 'Japan'); in this corpus: {listing()}")
    shown = [c for c in codes if counts.get(c, 0) >= min_mentions]
    few = [c for c in codes if c not in shown]
    if few:
        notes.append("countries: " + ", ".join(f"{c} ({counts.get(c, 0)} mention{'s' if counts.get(c, 0) != 1 else ''})"
                                                 for c in few)
                     + f" left out: fewer than min_mentions={min_mentions}.")
    if not shown:
        raise ParameterError(f"countries: none of {codes} has min_mentions={min_mentions} or more mentions in this "
                             f"corpus ({', '.join(f'{c}: {counts.get(c, 0)}' for c in codes)}). Lower min_mentions or "
                             f"choose among: {listing()}.")
    return shown, notes
