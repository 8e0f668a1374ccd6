"""TempEval-3 TIMEX3 evaluation of ``trilat_lib.timex.tag`` (and ``dateparser.search_dates`` as a peer).

Usage::

    .venv/bin/python -m benchmarks.timeml_eval [FOLDER ...] [--errors N] [--no-dateparser]

Default folders: ``<shared data>/timeml/timebank`` and ``.../aquaint`` (TempEval-3 training data,
TBAQ-cleaned). Each ``.tml`` file's ``<TEXT>`` is tagged with its DCT; the DCT TIMEX3 itself
(functionInDocument=CREATION_TIME) is not scored.

Measures, as the TempEval-3 scorer defines them (UzZaman et al. 2013):
- strict extent P/R/F1: a system TIMEX3 matches a gold one with exactly the same extent;
- relaxed extent P/R/F1: the extents overlap (P = share of system timexes overlapping a gold
  timex, R = share of gold timexes overlapped by a system timex);
- attribute accuracy over the relaxed matches (type, value), and attribute F1 = relaxed F1 ×
  attribute accuracy ("type F1", "value F1").
The official scorer matches on tokens; this one matches on characters, with leading/trailing
whitespace and punctuation trimmed from both sides, which gives the same matches for
token-aligned extents.

Also times trilat on adversarial input (dense dates with long digit and space runs) of 20,000
and 200,000 characters, to show that tagging time grows linearly with the text.

Writes ``reports/benchmarks/timeml_eval.csv`` and ``.md`` (one row per system × corpus).
"""
from __future__ import annotations

import argparse
import html
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from trilat_lib import timex as _timex
from trilat_lib.errors import CorpusError, ParameterError
from trilat_lib.outputs import save_csv, write_text
from trilat_lib.paths import REPORTS_DIR, SHARED_DATA_DIR

TIMEML_DIR = SHARED_DATA_DIR / "timeml"

# How to read the per-corpus rows: the tagger's rules are tuned on TimeBank's errors; AQUAINT is
# the quasi-held-out check (its errors have been looked at too, so it is not a clean test set).
SPLIT_NOTE = ("Tuning split (TempEval-style): the rules are tuned on TimeBank; AQUAINT is a quasi-held-out "
              "check (its errors were inspected too, so it is not a clean test set). A change that helps "
              "TimeBank but not AQUAINT is a sign of fitting one corpus's annotation habits.")

# Published TempEval-3 test-set (platinum) figures, Task A, for reference only.
REFERENCES = {
    "HeidelTime (TE3 test, published)": {"relaxed_f1": 90.30, "strict_f1": 81.34, "value_f1": 77.61},
    "SUTime (TE3 test, published)": {"relaxed_f1": 90.32, "strict_f1": 79.57, "value_f1": 67.38},
}


@dataclass(frozen=True)
class Span:
    """One TIMEX3 (gold or system) in a document's TEXT: offsets, type, value, and the producing rule."""

    start: int
    end: int
    text: str
    type: str
    value: str
    rule: str = ""


@dataclass
class TmlDoc:
    doc_id: str
    text: str
    dct: str
    gold: list[Span]


_TAG = re.compile(r"<(/?)([A-Za-z0-9_]+)([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def read_tml(path: str | Path) -> TmlDoc:
    """Parse a TimeML file: the plain TEXT (entities unescaped, CRLF normalised), its DCT value
    (cut to YYYY-MM-DD) and the gold TIMEX3s in TEXT with character offsets into that text."""
    path = Path(path)
    raw = path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n")
    m = re.search(r"<DCT>\s*<TIMEX3([^>]*)>", raw)
    if not m:
        raise CorpusError(f"{path}: no <DCT><TIMEX3 ...> element; not a TempEval-3 .tml file.")
    dct = dict(_ATTR.findall(m.group(1))).get("value", "")[:10]
    t0 = raw.find("<TEXT>")
    t1 = raw.find("</TEXT>")
    if t0 < 0 or t1 < 0:
        raise CorpusError(f"{path}: no <TEXT> element.")
    body = raw[t0 + len("<TEXT>"):t1]
    out: list[str] = []
    pos = 0
    length = 0
    gold: list[Span] = []
    open_timex = None
    for tm in _TAG.finditer(body):
        chunk = html.unescape(body[pos:tm.start()])
        out.append(chunk)
        length += len(chunk)
        pos = tm.end()
        closing, name = tm.group(1), tm.group(2)
        if name == "TIMEX3":
            if not closing:
                open_timex = (length, dict(_ATTR.findall(tm.group(3))))
            elif open_timex is not None:
                s, attrs = open_timex
                open_timex = None
                if attrs.get("functionInDocument") == "CREATION_TIME":
                    continue
                gold.append(Span(s, length, "", attrs.get("type", ""), attrs.get("value", "")))
    chunk = html.unescape(body[pos:])
    out.append(chunk)
    text = "".join(out)
    gold = [Span(g.start, g.end, text[g.start:g.end], g.type, g.value) for g in gold]
    return TmlDoc(path.stem, text, dct, gold)


def load_folder(folder: str | Path) -> list[TmlDoc]:
    folder = Path(folder)
    if not folder.is_dir():
        raise ParameterError(f"folder {folder} does not exist: pass a folder of TempEval-3 .tml files.")
    files = sorted(folder.glob("*.tml"))
    if not files:
        raise ParameterError(f"folder {folder} holds no .tml files.")
    return [read_tml(f) for f in files]


# --------------------------------------------------------------------------- scoring

_TRIM = " \t\n.,;:!?\"'()[]"


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in _TRIM:
        s += 1
    while e > s and text[e - 1] in _TRIM:
        e -= 1
    return s, e


@dataclass
class Counts:
    """Tallies from which every TempEval-3 measure is computed; add them over documents."""

    n_gold: int = 0
    n_sys: int = 0
    strict_sys: int = 0      # system timexes with an exact-extent gold match
    strict_gold: int = 0     # gold timexes with an exact-extent system match
    relaxed_sys: int = 0
    relaxed_gold: int = 0
    pairs: int = 0           # relaxed-matched (system, gold) pairs used for attributes
    type_ok: int = 0
    value_ok: int = 0

    def __iadd__(self, o: "Counts") -> "Counts":
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(o, k))
        return self

    def measures(self) -> dict[str, float]:
        def prf(hit_sys, hit_gold):
            p = hit_sys / self.n_sys if self.n_sys else 0.0
            r = hit_gold / self.n_gold if self.n_gold else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            return p, r, f
        sp, sr, sf = prf(self.strict_sys, self.strict_gold)
        rp, rr, rf = prf(self.relaxed_sys, self.relaxed_gold)
        type_acc = self.type_ok / self.pairs if self.pairs else 0.0
        value_acc = self.value_ok / self.pairs if self.pairs else 0.0
        return {
            "gold": self.n_gold, "tagged": self.n_sys,
            "strict_p": 100 * sp, "strict_r": 100 * sr, "strict_f1": 100 * sf,
            "relaxed_p": 100 * rp, "relaxed_r": 100 * rr, "relaxed_f1": 100 * rf,
            "type_acc": 100 * type_acc, "value_acc": 100 * value_acc,
            "type_f1": 100 * rf * type_acc, "value_f1": 100 * rf * value_acc,
        }


def _norm_value(v: str) -> str:
    return (v or "").strip().upper()


def score_document(text: str, gold: list[Span], system: list[Span]) -> tuple[Counts, list[tuple]]:
    """Compare one document's system timexes with the gold ones.

    Returns the counts and a list of outcomes ``(kind, system_span|None, gold_span|None)`` with kind
    in {"ok", "wrong_value", "fp", "miss"} for error analysis. Each system timex is paired with
    the overlapping gold timex of largest overlap (each gold used once) for the attributes.
    """
    c = Counts(n_gold=len(gold), n_sys=len(system))
    g_ext = [_trim(text, g.start, g.end) for g in gold]
    s_ext = [_trim(text, s.start, s.end) for s in system]
    exact = set(g_ext)
    c.strict_sys = sum(1 for e in s_ext if e in exact)
    sexact = set(s_ext)
    c.strict_gold = sum(1 for e in g_ext if e in sexact)

    def overlap(a, b):
        return max(0, min(a[1], b[1]) - max(a[0], b[0]))

    c.relaxed_sys = sum(1 for se in s_ext if any(overlap(se, ge) > 0 for ge in g_ext))
    c.relaxed_gold = sum(1 for ge in g_ext if any(overlap(se, ge) > 0 for se in s_ext))
    outcomes = []
    used = set()
    cand = sorted(((overlap(se, ge), i, j) for i, se in enumerate(s_ext) for j, ge in enumerate(g_ext)
                   if overlap(se, ge) > 0), reverse=True)
    paired_s = set()
    for ov, i, j in cand:
        if i in paired_s or j in used:
            continue
        paired_s.add(i)
        used.add(j)
        c.pairs += 1
        s, g = system[i], gold[j]
        c.type_ok += s.type == g.type
        ok = _norm_value(s.value) == _norm_value(g.value)
        c.value_ok += ok
        outcomes.append(("ok" if ok else "wrong_value", s, g))
    for i, s in enumerate(system):
        if i not in paired_s and not any(overlap(s_ext[i], ge) > 0 for ge in g_ext):
            outcomes.append(("fp", s, None))
    for j, g in enumerate(gold):
        if j not in used and not any(overlap(se, g_ext[j]) > 0 for se in s_ext):
            outcomes.append(("miss", None, g))
    return c, outcomes


# --------------------------------------------------------------------------- systems

def run_trilat(doc: TmlDoc) -> list[Span]:
    return [Span(t.start, t.end, t.text, t.type, t.value, t.rule) for t in _timex.tag(doc.text, doc.dct)]


_DP_DAY = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\b(?!\d)|\b(?:today|yesterday|tomorrow|monday|tuesday|wednesday|thursday|"
                     r"friday|saturday|sunday|days?|hours?|minutes?|now)\b", re.I)
_DP_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?|\bmonths?\b", re.I)
_DP_WEEK = re.compile(r"\bweeks?\b", re.I)


def _dp_value(s: str, d: datetime) -> str:
    """dateparser returns a datetime; give it the granularity its matched text expresses."""
    if _DP_MONTH.search(s):
        if re.search(r"\b\d{1,2}(?:st|nd|rd|th)?\b(?!\d)", s):
            return d.date().isoformat()
        return f"{d.year:04d}-{d.month:02d}"
    if _DP_WEEK.search(s):
        return d.date().isoformat()
    if _DP_DAY.search(s) and not re.fullmatch(r"\s*\d{4}\s*", s):
        return d.date().isoformat()
    return f"{d.year:04d}"


def run_dateparser(doc: TmlDoc) -> list[Span]:
    """``dateparser.search_dates`` per paragraph with the DCT as RELATIVE_BASE; matches mapped to offsets."""
    from dateparser.search import search_dates

    base = datetime.fromisoformat(doc.dct)
    settings = {"RELATIVE_BASE": base, "RETURN_AS_TIMEZONE_AWARE": False}
    out: list[Span] = []
    for pm in re.finditer(r"[^\n]+", doc.text):
        para = pm.group(0)
        try:
            found = search_dates(para, languages=["en"], settings=settings) or []
        except Exception:  # dateparser raises on some inputs; a peer failure is a miss, not a crash
            found = []
        pos = 0
        for sub, dt in found:
            i = para.find(sub, pos)
            if i < 0:
                continue
            pos = i + len(sub)
            s, e = pm.start() + i, pm.start() + i + len(sub)
            out.append(Span(s, e, sub, "DATE", _dp_value(sub, dt), "dateparser"))
    return out


SYSTEMS = {"trilat": run_trilat, "dateparser": run_dateparser}


# --------------------------------------------------------------------------- evaluation

def evaluate(folders: dict[str, list[TmlDoc]], systems: dict[str, callable]) -> tuple[pd.DataFrame, dict]:
    """Score each system on each corpus and on all corpora combined.

    Returns (table, outcomes) where table has one row per (system, corpus) and outcomes maps
    system → list of (doc_id, kind, system_span, gold_span).
    """
    rows = []
    outcomes: dict[str, list] = defaultdict(list)
    for sys_name, fn in systems.items():
        total = Counts()
        secs_total = 0.0
        for corpus, docs in folders.items():
            cnt = Counts()
            t0 = time.perf_counter()
            for doc in docs:
                c, outs = score_document(doc.text, doc.gold, fn(doc))
                cnt += c
                outcomes[sys_name].extend((doc.doc_id, *o) for o in outs)
            secs = time.perf_counter() - t0
            secs_total += secs
            total += cnt
            rows.append({"system": sys_name, "corpus": corpus, "docs": len(docs), **cnt.measures(), "seconds": secs})
        if len(folders) > 1:
            rows.append({"system": sys_name, "corpus": "combined", "docs": sum(len(d) for d in folders.values()),
                         **total.measures(), "seconds": secs_total})
    for ref, vals in REFERENCES.items():
        rows.append({"system": ref, "corpus": "TE3 test", **vals})
    return pd.DataFrame(rows), outcomes


def error_report(outcomes: list, n: int = 8) -> str:
    """Misses, false positives and wrong values grouped by rule (system side) or gold text pattern."""
    lines = []
    fp = defaultdict(list)
    wrong = defaultdict(list)
    miss = defaultdict(list)
    for doc_id, kind, s, g in outcomes:
        if kind == "fp":
            fp[s.rule].append(f"{s.text!r}={s.value}")
        elif kind == "wrong_value":
            wrong[s.rule].append(f"{s.text!r}: {s.value} vs gold {g.value} [{g.text!r}]")
        elif kind == "miss":
            key = re.sub(r"\d", "9", g.text.lower())
            miss[key].append(f"{g.text!r}={g.type}:{g.value}")
    for title, groups in (("FALSE POSITIVES by rule", fp), ("WRONG VALUES by rule", wrong)):
        lines.append(f"== {title}")
        for rule, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            lines.append(f"  {rule}: {len(items)}")
            for ex, k in Counter(items).most_common(n):
                lines.append(f"      {k}× {ex}")
    lines.append("== MISSES by gold text pattern")
    for key, items in sorted(miss.items(), key=lambda kv: -len(kv[1]))[: 4 * n]:
        lines.append(f"  {len(items)}× {key!r}  e.g. {items[0]}")
    return "\n".join(lines)


ADVERSARIAL_CHUNK = "1999 2000 May March 12 34567 June, 2021 - 5 years ago the next " * 10 + "1" * 500 + " " * 300


def adversarial_scaling(sizes: tuple[int, ...] = (20_000, 200_000), repeat: int = 3) -> pd.DataFrame:
    """Seconds to tag adversarial text (dense dates, long digit and space runs) of each size in
    characters, best of ``repeat``; ``per_100k`` close to constant means linear scaling."""
    rows = []
    for n in sizes:
        text = (ADVERSARIAL_CHUNK * (n // len(ADVERSARIAL_CHUNK) + 1))[:n]
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            _timex.tag(text, "2023-04-24")
            best = min(best, time.perf_counter() - t0)
        rows.append({"chars": n, "seconds": best, "per_100k": best * 100_000 / n})
    return pd.DataFrame(rows)


def to_markdown(df: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (no tabulate dependency); blanks for missing figures."""
    head = "| " + " | ".join(df.columns) + " |"
    sep = "|" + "|".join("---" if df[c].dtype == object else "---:" for c in df.columns) + "|"
    body = []
    for _, r in df.iterrows():
        cells = []
        for c in df.columns:
            v = r[c]
            if isinstance(v, float):
                cells.append("" if pd.isna(v) else (f"{v:.0f}" if c in ("docs", "gold", "tagged") else f"{v:.2f}"))
            else:
                cells.append(str(v))
        body.append("| " + " | ".join(cells) + " |")
    return "\n".join([head, sep, *body])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folders", nargs="*", help="folders of .tml files (default: TimeBank and AQUAINT)")
    ap.add_argument("--errors", type=int, default=0, help="print trilat's errors grouped by rule (N examples each)")
    ap.add_argument("--no-dateparser", action="store_true", help="skip the dateparser peer (faster)")
    ap.add_argument("--out", default=str(REPORTS_DIR / "benchmarks"), help="output folder for CSV/Markdown")
    args = ap.parse_args(argv)
    folders = [Path(f) for f in args.folders] or [TIMEML_DIR / "timebank", TIMEML_DIR / "aquaint"]
    try:
        data = {f.name: load_folder(f) for f in folders}
    except (ParameterError, CorpusError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    systems = dict(SYSTEMS)
    if args.no_dateparser:
        systems.pop("dateparser")
    df, outcomes = evaluate(data, systems)
    pd.set_option("display.width", 250)
    show = df[["system", "corpus", "docs", "gold", "tagged", "strict_p", "strict_r", "strict_f1", "relaxed_p", "relaxed_r",
               "relaxed_f1", "type_f1", "value_acc", "value_f1", "seconds"]]
    print(show.round(2).to_string(index=False))
    print(SPLIT_NOTE)
    out = Path(args.out)
    save_csv(df.round(3), out / "timeml_eval.csv")
    md = ("# TempEval-3 TIMEX3 evaluation (training corpora TimeBank + AQUAINT)\n\n"
          "Command: `.venv/bin/python -m benchmarks.timeml_eval`. Reference rows are the published TempEval-3 "
          "*test-set* figures, not re-run here.\n\n" + to_markdown(show) + "\n\n" + SPLIT_NOTE + "\n")
    scaling = adversarial_scaling()
    ratio = scaling["seconds"].iloc[-1] / scaling["seconds"].iloc[0]
    size_ratio = scaling["chars"].iloc[-1] / scaling["chars"].iloc[0]
    print(f"\nadversarial input (digit/space runs): {ratio:.1f}× the time for {size_ratio:.0f}× the text")
    print(scaling.round(4).to_string(index=False))
    md += ("\n## Adversarial input\n\nTagging time on repeated dense dates with long digit and space runs "
           f"(best of 3): {ratio:.1f}× the time for {size_ratio:.0f}× the text (linear would be {size_ratio:.0f}×).\n\n"
           + to_markdown(scaling) + "\n")
    write_text(out / "timeml_eval.md", md)
    print(f"\nwrote {out / 'timeml_eval.csv'} and {out / 'timeml_eval.md'}")
    if args.errors:
        print(error_report(outcomes["trilat"], args.errors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
