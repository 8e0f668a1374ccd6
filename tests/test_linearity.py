"""Every text function stays linear on adversarial input (issue 13).

Each text function is timed on families of hostile input (long punctuation runs, long
whitespace runs, one huge sentence, thousands of mentions, "U.S.U.S.U.S.", digit runs, …)
and compared with itself, never with a wall-clock limit:

* **ratio**: at size 4n the adversarial text may cost at most ``RATIO`` (20) times a plain
  text of the same size (realistic news prose) — a quadratic path costs hundreds of times;
* **growth**: from n to 4n characters its time may grow at most ``GROWTH`` (8) times —
  linear work grows 4×, quadratic 16×.

Times are CPU time of this process (``time.process_time``, so other jobs on the machine do
not count) with the garbage collector off, on freshly salted text with the library's per-line
caches emptied, so no cache answers a repeat. One run per size; a narrow failure is timed
again as the best of ``REPEATS`` runs before it counts. ``SLACK`` absorbs timer noise on runs
of a few milliseconds, where neither check can tell linear from quadratic anyway. A run past
twice its limit is stopped by an alarm and fails at once, and a text that is already
too slow at size n is not tried at 4n: a quadratic path must not take minutes to fail.
Speed itself is measured in ``benchmarks/``, not here.
"""
from __future__ import annotations

import gc
import itertools
import math
import signal
import time
from collections.abc import Callable
from datetime import date

import pytest

from trilat_lib import annotate, clean, countries, sentiment, text, timeline, timex
from trilat_lib.corpus import Document

RATIO = 20.0
GROWTH = 8.0
SLACK = 0.005  # seconds
REPEATS = 3
DCT = date(2023, 4, 24)


# --------------------------------------------------------------------------- inputs

# every sentence has a slot that differs between sentences and between runs, so no cache of
# lines or sentences answers a repeat (news articles do not repeat their sentences either)
_PLAIN_SENTENCES = [
    "Japan and South Korea agreed on Monday to resume their {k}th round of security talks, officials said.",
    "The United States welcomed the move, which came after {k} years of tension over wartime history.",
    "Prime Minister Fumio Kishida met President Yoon Suk Yeol in Tokyo on March {d}, {y}, for {k} minutes.",
    "Analysts in Washington said the deal could strengthen cooperation against North Korea's {k} missiles.",
    "“We are ready to work together,” Mr. Yoon told {k} reporters after the U.S. envoy left on Jan. {d}.",
    "Trade between the two countries rose by {p}% last year, according to {k} figures released in {y}.",
    "Critics in both capitals warned that {k} agreements could collapse if the court rulings were enforced.",
    "China's foreign ministry said it was watching the {k} talks closely and urged restraint from all sides.",
]


def plain(n: int, seed: int = 0) -> str:
    """Realistic news prose of ``n`` characters: varied sentences, paragraphs of 3–5 sentences."""
    paras, size, i = [], 0, 0
    while size < n:
        sents = []
        for j in range(3 + i % 3):
            k = 100_000 * seed + 10 * i + j
            sents.append(_PLAIN_SENTENCES[(i * 3 + j) % len(_PLAIN_SENTENCES)].format(
                k=k, d=1 + k % 28, y=1990 + k % 34, p=2 + k % 40))
        para = " ".join(sents)
        paras.append(para)
        size += len(para) + 2
        i += 1
    return "\n\n".join(paras)[:n]


def one_sentence(n: int, seed: int = 0) -> str:
    """One ``n``-character sentence of ordinary words, no punctuation at all, naming Japan once
    at its start (a sentence of many mentions is another family)."""
    words = ("and its neighbours talked about trade and security while officials in both capitals "
             "waited for a reply and analysts expected more meetings between the allies").split()
    out, size, i = ["Japan"], 6, 0
    while size < n:
        w = words[i % len(words)]
        out.append(w)
        size += len(w) + 1
        i += 1
    return f"{seed} " + " ".join(out)[:n - len(str(seed)) - 1]


def _cycle(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


# name -> n -> adversarial text of about n characters (each names Japan first, for the scorers)
FAMILIES: dict[str, Callable[[int], str]] = {
    "dot-run": lambda n: "Japan said" + "." * n,
    "bang-run": lambda n: "Japan said" + "!" * n,
    "ellipsis-run": lambda n: "Japan said" + "…" * n,
    "question-run-then-word": lambda n: "Japan said" + "?" * n + "Korea",
    "mixed-punct-quotes": lambda n: "Japan said" + _cycle(".!?…\"'”’»)]", n),
    "spaced-full-stops": lambda n: "Japan said " + _cycle(". ", n),
    "spaced-ellipses": lambda n: "Japan said " + _cycle(". . . and ", n),
    "space-run": lambda n: "Japan" + " " * n + "agreed.",
    "unicode-space-run": lambda n: "Japan" + _cycle("\t\u00a0\u3000\u2009\u200b ", n) + "agreed.",
    "newline-run": lambda n: "Japan said.\n" + "\n" * n + "Korea agreed.",
    "blank-lines-with-spaces": lambda n: "Japan said.\n" + _cycle("\n \n", n) + "Korea agreed.",
    "hard-wrapped-lines": lambda n: "Japan said" + _cycle("\nthat same year\nthe talks failed", n) + ".",
    "crlf-lines": lambda n: _cycle("Japan agreed.\r\n", n),
    "one-long-sentence": one_sentence,
    "many-mentions": lambda n: _cycle("Japan, South Korea, China, the United States and North Korea, ", n) + "agreed.",
    "same-mention": lambda n: _cycle("Japan ", n) + "agreed.",
    "abbreviation-run": lambda n: "Japan and the " + _cycle("U.S.", n) + " agreed.",
    "abbreviation-run-odd": lambda n: "Japan and the " + _cycle("U.S.", n) + "U agreed",
    "spaced-abbreviations": lambda n: "Japan " + _cycle("U.S. Mr. Dr. Jan. No. 5 ", n) + "agreed.",
    "initials": lambda n: "Japan " + _cycle("A. B. ", n) + "Blinken agreed.",
    "digit-run": lambda n: "Japan paid " + "7" * n + " yen.",
    "dotted-digits": lambda n: "Japan paid " + _cycle("1.2,3:", n) + "%.",
    "capitalised-words": lambda n: "Japan " + _cycle("Foreign Minister Yoshimasa Hayashi Said ", n) + "agreed.",
    "capitalised-no-names": lambda n: "Japan " + _cycle("Abc Def Ghi ", n) + "agreed.",
    "long-word": lambda n: "Japan " + "x" * n + ".",
    "hyphen-chain": lambda n: "Japan " + _cycle("a-", n) + "b.",
    "apostrophes": lambda n: "Japan" + "'" * n + "s agreed.",
    "open-brackets": lambda n: "Japan (" + _cycle("([“‘«", n) + " agreed.",
    "year-run": lambda n: "Japan " + _cycle("2019 ", n) + "agreed.",
    "date-run": lambda n: "Japan " + _cycle("March 16, 2023, ", n) + "agreed.",
    "iso-date-run": lambda n: "Japan " + _cycle("2023-04-24T10:00", n) + ".",
    "relative-dates": lambda n: "Japan agreed " + _cycle("the next day and the year before and ", n) + "then.",
    "mixed-unicode": lambda n: "Japan " + _cycle("日本と韓国は会談した。 مرحبا بالعالم. שלום. 🇯🇵🇰🇷👩‍👩‍👧 é̃ ", n) + ".",
    "control-characters": lambda n: "Japan " + _cycle("a\x0b\x0c\x1c\x85\u2028b\x00 ", n) + ".",
    # page furniture and pull quotes, for the cleaner's per-line rules
    "furniture-lines": lambda n: "Japan agreed.\n" + _cycle("Share on Twitter\nAdvertisement\nBy John Smith\n"
                                                            "Photo: Reuters\nSeoul | Politics\n", n),
    "one-sentence-lines": lambda n: _cycle("Japan agreed to hold talks with Korea on trade and security.\n"
                                           "Korea said so. Japan agreed to hold talks with Korea on trade.\n", n),
    "credit-slashes": lambda n: "Japan " + _cycle("REUTERS/Kim Hong-Ji/", n) + " agreed.",
    "quotes-after-stop": lambda n: "Japan said." + "'\"" * (n // 2) + " x",
}


# --------------------------------------------------------------------------- functions under test

def _first(s: str, word: str = "Japan") -> tuple[int, int]:
    i = s.find(word)
    return (i, i + len(word)) if i >= 0 else (0, min(5, len(s)))


def _in_article(s: str, seed: int) -> str:
    """The text as one paragraph of a page, between article paragraphs."""
    return plain(600, seed) + "\n\n" + s + "\n\n" + plain(400, seed + 7)


def _document(raw: str) -> Document:
    return Document("linearity", raw, published=DCT, date_precision="day")


def _target(s: str) -> None:
    a, b = _first(s)
    sentiment.target_sentiment(s, a, b)


def _same(s: str, seed: int) -> str:
    return s


# name -> (function timed, how its input is built from the text (untimed), plain input of n
# characters, n). The plain input is what the function normally sees; the target scorer reads
# one sentence, so its plain input is one long sentence of ordinary words.
FUNCTIONS: dict[str, tuple[Callable[[str], object], Callable[[str, int], str], Callable[..., str], int]] = {
    "clean_page": (clean.clean_page, _in_article, plain, 25_000),
    "split_sentences": (text.split_sentences, _same, plain, 25_000),
    "sentences": (text.sentences, _same, plain, 25_000),
    "tokenize": (text.tokenize, _same, plain, 25_000),
    "tokens": (lambda s: text.tokens(s, remove_stopwords=True, stem="porter"), _same, plain, 25_000),
    "find_mentions": (lambda s: countries.find_mentions(s, DCT), _same, plain, 25_000),
    "target_sentiment": (_target, _same, one_sentence, 10_000),
    "timex.tag": (lambda s: timex.tag(s, DCT), _same, plain, 25_000),
    "country_sentiment": (lambda raw: sentiment.country_sentiment([_document(raw)]), _in_article, plain, 10_000),
    "annotate_document": (lambda raw: annotate.annotate_document(_document(raw)), _in_article, plain, 10_000),
}



def _clear_text_caches() -> None:
    """Empty the library's per-line/per-sentence caches (not its one-off resource loaders)."""
    for mod in (annotate, clean, countries, sentiment, text, timex, timeline):
        for obj in vars(mod).values():
            params = getattr(obj, "cache_parameters", None)
            if params is not None and (params()["maxsize"] or 1 << 30) >= 1024:
                obj.cache_clear()


class _OverBudget(Exception):
    """Raised by the alarm inside a run that has used up its CPU budget."""


def _cpu(fn: Callable[[str], object], s: str, budget: float | None = None) -> float:
    """CPU seconds of ``fn(s)``; a run past ``budget`` CPU seconds is stopped (a quadratic path
    need not run to its end to fail) and counts as ``inf``. The alarm is a wall-clock timer that
    re-arms itself until the CPU budget is spent: a process-wide CPU-time timer would coarsen
    the process's CPU clock to scheduler ticks."""
    _clear_text_caches()
    gc.collect()
    gc.disable()
    alarm = budget is not None and hasattr(signal, "setitimer")
    start = time.process_time()

    def on_alarm(signum, frame):
        used = time.process_time() - start
        if used >= budget:
            raise _OverBudget
        signal.setitimer(signal.ITIMER_REAL, max(budget - used, 0.005))

    if alarm:
        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        start = time.process_time()
        fn(s)
        return time.process_time() - start
    except _OverBudget:
        return float("inf")
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        gc.enable()


def _best(fname: str, make: Callable[[int], str] | None, n: int, give_up: float | None = None,
          repeats: int = REPEATS) -> float:
    """Best CPU time of ``fname`` over ``repeats`` freshly made inputs (``make=None``: its plain
    input); a run past ``give_up`` seconds is stopped and ends the repeats (``inf``)."""
    fn, prepare, make_plain, _ = FUNCTIONS[fname]
    best = float("inf")
    for _ in range(repeats):
        seed = next(_SEEDS)  # a new text every run: no memo of an earlier run answers it
        s = make_plain(n, seed) if make is None else prepare(f"{seed} " + make(n), seed)
        t = _cpu(fn, s, give_up)
        best = min(best, t)
        if give_up is not None and t > give_up:
            break
    return best


_SEEDS = itertools.count(1)
_plain_times: dict[tuple[str, int], float] = {}
_warm: set[str] = set()


def _plain_time(fname: str, n: int) -> float:
    if fname not in _warm:  # load lexicons, gazetteers, stemmers before timing anything
        fn, _, make_plain, _ = FUNCTIONS[fname]
        fn(make_plain(2000))
        _warm.add(fname)
        gc.collect()
        gc.freeze()  # the loaded resources stay: each run's collection scans only its own objects
    if (fname, n) not in _plain_times:
        _plain_times[fname, n] = _best(fname, None, n)
    return _plain_times[fname, n]


def _cases():
    for fname in FUNCTIONS:
        for family in FAMILIES:
            yield pytest.param(fname, family, id=f"{fname}-{family}")


def _measure(fname: str, family: str, repeats: int) -> tuple[float, float, str | None]:
    """Times at n and 4n and what is wrong with them (None: linear)."""
    n = FUNCTIONS[fname][3]
    make = FAMILIES[family]
    p1, p4 = _plain_time(fname, n), _plain_time(fname, 4 * n)
    # size n first: twice the ratio there fails at once (a linear path keeps its ratio at 4n)
    allowed1 = 2 * (RATIO * p1 + SLACK)
    t1 = _best(fname, make, n, give_up=allowed1, repeats=repeats)
    if t1 > allowed1:
        return t1, float("nan"), (f"{fname} on {family!r} ({n:,} chars): over {allowed1:.3f} s CPU vs {p1:.4f} s "
                                  f"for plain text (over {allowed1 / max(p1, 1e-6):.0f}x): a super-linear path")
    limit4 = min(RATIO * p4, GROWTH * t1) + SLACK
    t4 = _best(fname, make, 4 * n, give_up=2 * limit4, repeats=repeats)
    detail = (f"{fname} on {family!r}: {n:,} chars {t1:.4f} s, {4 * n:,} chars {t4:.4f} s "
              f"(growth {t4 / max(t1, 1e-6):.1f}x; plain {p1:.4f} s -> {p4:.4f} s, ratio {t4 / max(p4, 1e-6):.1f}x; "
              "inf: stopped at twice the limit)")
    if t4 > RATIO * p4 + SLACK:
        return t1, t4, "too slow against plain text: " + detail
    if t4 > GROWTH * t1 + SLACK:
        return t1, t4, "grows faster than linear: " + detail
    return t1, t4, None


@pytest.mark.parametrize("fname, family", list(_cases()))
def test_linear_on_adversarial_input(fname: str, family: str) -> None:
    # one run of each size is enough when it passes; a narrow failure is timed again, best of
    # REPEATS, so that a hiccup of the machine does not fail the test
    t1, t4, problem = _measure(fname, family, repeats=1)
    if problem is not None and math.isfinite(t1) and not math.isinf(t4):
        problem = _measure(fname, family, repeats=REPEATS)[2]
    assert problem is None, problem


def test_inputs_have_the_size_asked_for() -> None:
    """The inputs are as long as the test claims (a family that ignored n would test nothing)."""
    for name, make in FAMILIES.items():
        assert 1000 <= len(make(1000)) <= 1100, name
    assert len(plain(5000)) == 5000 and len(one_sentence(5000)) == 5000
    assert "." not in one_sentence(5000)
    assert plain(5000, 1) != plain(5000, 2)


def test_cache_clearing_keeps_resource_loaders() -> None:
    """Only big per-text caches are emptied between runs, not the lexicon/gazetteer loaders."""
    text.stopwords()
    _clear_text_caches()
    assert text.stopwords.cache_info().currsize == 1


def _string_chars(frame) -> int:
    """Characters held by the string cells of a table."""
    return sum(len(v) for col in frame.columns for v in frame[col].tolist() if isinstance(v, str))


@pytest.mark.parametrize("family", [
    "many-mentions", "one-long-sentence", "year-run", "date-run", "relative-dates",
])
def test_annotation_tables_grow_linearly(family: str) -> None:
    """The tables of one document grow in proportion to its length, however many units one
    sentence has (a column repeating the whole sentence per unit grows with its square): four
    times the text gives at most five times the characters, and never more than the ~100
    characters of context per unit that a bounded excerpt allows."""
    def chars(n: int) -> tuple[int, int, dict]:
        doc = _document(_in_article(FAMILIES[family](n), 1))
        tables = annotate.annotate_document(doc)
        sizes = {name: _string_chars(t) for name, t in tables.items()}
        return sum(sizes.values()), len(doc.text), sizes

    small, n_small, _ = chars(5_000)
    big, n_big, sizes = chars(20_000)
    assert big <= 5 * small * n_big / (4 * n_small), (family, small, big, sizes)
    assert big <= 100 * n_big, (family, n_big, sizes)
