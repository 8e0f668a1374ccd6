"""Fuzzing whole-document annotation (issue 13): thousands of seeded, generated documents —
random unicode, realistic news text full of dates and date-like strings, and hostile text
(hard-wrapped lines, out-of-range dates, huge numbers, RTL/CJK/emoji, control characters,
page furniture) — go through :func:`trilat_lib.annotate.annotate_documents` (cleaning,
sentences, country mentions, target sentiment, temporal expressions) without an exception,
and the tables they give keep their offsets consistent with the text.

Documents are annotated in batches (one corpus-level call per layer, as ``annotate_corpus``
does); a batch that fails is annotated again one document at a time to name the culprit.
"""
from __future__ import annotations

import random
import traceback
import warnings
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from trilat_lib import annotate, text, timex
from trilat_lib.corpus import Document, read_text
from trilat_lib.errors import CorpusError, CorpusWarning

# Hostile dates and pages are meant to be skipped with a warning; the fuzz checks they never raise.
pytestmark = [pytest.mark.filterwarnings("ignore::trilat_lib.timex.TimexWarning"),
              pytest.mark.filterwarnings("ignore::trilat_lib.errors.CorpusWarning")]

BATCH = 40

# --------------------------------------------------------------------------- generators

# code-point ranges, weighted by how often they are drawn (no surrogates: read_text cannot
# produce them, see test_loader_never_yields_lone_surrogates)
_RANGES = [
    (40, 0x20, 0x7E),        # printable ASCII
    (6, 0x09, 0x0D),         # tab, newlines, vertical tab, form feed, carriage return
    (3, 0x00, 0x1F),         # C0 controls (NUL included)
    (2, 0x7F, 0x9F),         # DEL and C1 controls (NEL U+0085 among them)
    (6, 0xA0, 0x24F),        # Latin-1, Latin Extended (NBSP, «», ¿)
    (3, 0x300, 0x36F),       # combining marks
    (3, 0x370, 0x3FF),       # Greek
    (3, 0x400, 0x4FF),       # Cyrillic
    (4, 0x590, 0x5FF),       # Hebrew (RTL)
    (4, 0x600, 0x6FF),       # Arabic (RTL), Arabic-Indic digits
    (2, 0x900, 0x97F),       # Devanagari (its own digits)
    (4, 0x2000, 0x206F),     # general punctuation: spaces, ZWJ, dashes, curly quotes, …, RLO/LRO marks
    (2, 0x2070, 0x20CF),     # super/subscripts, currency
    (2, 0x2150, 0x218F),     # number forms (Roman numerals Ⅻ)
    (1, 0x2460, 0x24FF),     # enclosed numbers ①
    (3, 0x3000, 0x303F),     # CJK punctuation (ideographic space, 。)
    (2, 0x3040, 0x30FF),     # kana
    (6, 0x4E00, 0x9FFF),     # CJK ideographs
    (4, 0xAC00, 0xD7A3),     # Hangul
    (1, 0xE000, 0xF8FF),     # private use
    (1, 0xFB00, 0xFDFF),     # presentation forms, ligatures
    (2, 0xFE00, 0xFFFF),     # variation selectors, fullwidth forms (０-９), BOM, U+FFFD, non-characters
    (1, 0x1D400, 0x1D7FF),   # mathematical alphanumerics (𝟎-𝟿 are digits)
    (4, 0x1F000, 0x1FAFF),   # emoji, flags' regional indicators, skin tones
    (1, 0x10000, 0x10FFFF),  # anything astral
]
_WEIGHTS = [w for w, _, _ in _RANGES]


def random_unicode(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        _, lo, hi = rng.choices(_RANGES, _WEIGHTS)[0]
        out.append(chr(rng.randint(lo, hi)))
        if rng.random() < 0.12:
            out.append(rng.choice([" ", " ", ". ", "\n", "\n\n", ", ", "! ", "? "]))
    return "".join(out)


_DATES = [
    # ordinary
    "March 16, 2023", "on Jan. 5", "Oct. 27, 2016,", "24 April 2023", "2023-04-24", "April 2023", "in 2019",
    "last year", "next month", "the next day", "the day after tomorrow", "yesterday", "this week", "on Monday",
    "last Tuesday", "the 1990s", "the '90s", "mid-2023", "early 2024", "late last year", "the first half of 2022",
    "the third quarter", "Q3 2021", "FY2024", "2023/04/24", "24/04/2023", "04/24/2023", "10 p.m. Wednesday",
    "5 p.m. EST Nov. 9", "noon Thursday", "at 10:30 a.m.", "two years ago", "three decades later", "in the 21st century",
    "the 20th century", "a decade earlier", "that same year", "That\nsame year", "the same\nmonth", "the following\nweek",
    "winter 2022", "summer", "the 2020s", "1945", "in 1910", "from 1910 to 1945", "between 2019 and 2023",
    "2023年4月24日", "令和5年", "2023-W17", "2023-04-24T10:00:00Z", "T10:00", "every year", "each Monday",
    "for three years", "over the past 12 months", "since 1965", "by 2030", "until 2050", "the day before",
    # out of range and date-like
    "twenty-one centuries ago", "first quarter 0000", "9999-12-31", "9999-12-31 and the next day",
    "Dec. 31, 9999, and the following day", "Jan. 1, 0001, and the day before", "0000-00-00", "year 0",
    "the year 10000", "10000 years later", "99999999 years ago", "in the 99999th century", "500 BC", "AD 79",
    "Q5 2023", "the fifth quarter", "31 February 2023", "February 30", "April 31, 2023", "2023-13-45",
    "32/13/2023", "99/99/99", "the 0th century", "century 0", "the -5th century", "week 53 of 2020",
    "week 99", "at 25:61", "99:99 p.m.", "the 1000000s", "3 billion years from now", "a trillion days later",
    "12345678901234567890 days later", "1e308 years", "the year 1e6", "millennium", "the third millennium",
    "the first century BC", "next next next year", "last last week", "the day after the day after tomorrow",
    "2023-02-29", "2024-02-29", "1900-02-29", "0001-01-01", "a year ago today", "in 9999", "in 10000",
]
_NUMBERS = ["1", "0", "-0", "3.5", "1,000", "10,000,000", "$1.13bn", "99%", "12345678901234567890",
            "1e308", "9" * 60, "0.000000001", "NaN", "inf", "-1", "1/0", "２０２３", "٢٠٢٣", "१९४७", "Ⅻ"]
_WHO = ["Japan", "South Korea", "the U.S.", "the United States", "North Korea", "China", "Seoul", "Tokyo",
        "Washington", "Pyongyang", "Beijing", "Mr. Yoon", "Prime Minister Fumio Kishida", "President Joe Biden",
        "Yoon Suk Yeol", "Kishida", "Biden", "Kim Jong Un", "the U.N.", "NATO", "the EU", "Korea-U.S.",
        "U.S.-Japan-South Korea", "Japan's", "Korea’s", "日本", "한국", "الولايات المتحدة", "Japan Japan Japan"]
_VERBS = ["agreed", "condemned", "praised", "threatened", "welcomed", "imposed limits on", "met", "attacked",
          "did not criticise", "signed a deal with", "failed to reach", "warned", "rejected", "supported"]
_EXTRAS = ["🇯🇵🇰🇷🇺🇸", "👩‍👩‍👧", "שלום", "مرحبا", "日本と韓国", "\u202eRLO text\u202c", "\u200b", "\ufeff",
           "\x0b", "\x0c", "\x85", "\u2028", "\u00a0", "…", "...", "!!!", "?!", "“", "”", "«", "»", "(", ")",
           "U.S.U.S.U.S.", "e.g.", "i.e.", "No. 1", "Jan.", "Dr.", " - ", "—", "\t", "  ", "&amp;", "<b>"]
_FURNITURE = ["Share on Twitter", "Advertisement", "Copyright 2023 Reuters", "By John Smith", "Photo: Reuters",
              "Related Articles", "READ ALSO: Japan and Korea", "Subscribe now", "Updated: March 3, 2023 10:00 JST",
              "Seoul | Politics", "Home > World > Asia", "5 min read", "Tags: Japan, Korea", "image_2023_04_24.jpg",
              "-5°C Seoul", "Reporting by Jane Doe; Editing by Bob", "Keep reading", "About the author"]


def _sentence(rng: random.Random) -> str:
    parts = [rng.choice(_DATES).capitalize() if rng.random() < 0.3 else "", rng.choice(_WHO), rng.choice(_VERBS),
             rng.choice(_WHO)]
    for _ in range(rng.randint(0, 4)):
        parts.append(rng.choice([rng.choice(_DATES), rng.choice(_NUMBERS), rng.choice(_EXTRAS), rng.choice(_WHO),
                                 "and", "but", "after", "when", "in", "on", "by", "since", "that"]))
    if rng.random() < 0.05:
        parts.append(random_unicode(rng, rng.randint(1, 30)))
    s = " ".join(p for p in parts if p)
    return s + rng.choice([".", ".", ".", "?", "!", "…", ".”", "", " .", "..."])


def _wrap(rng: random.Random, s: str) -> str:
    """Hard-wrap at about 40–80 characters, as a text-mode page is ("That\\nsame year")."""
    width = rng.randint(40, 80)
    lines, line = [], ""
    for w in s.split(" "):
        if line and len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return "\n".join(lines)


def realistic_page(rng: random.Random) -> str:
    """A page: furniture, a title, paragraphs of date-heavy sentences, maybe hard-wrapped."""
    wrapped = rng.random() < 0.3
    lines = [rng.choice(_FURNITURE) for _ in range(rng.randint(0, 3))]
    lines.append(f"{rng.choice(_WHO)} and {rng.choice(_WHO)} {rng.choice(_VERBS)} {rng.choice(_DATES)}")
    for _ in range(rng.randint(1, 8)):
        para = " ".join(_sentence(rng) for _ in range(rng.randint(1, 5)))
        lines.append(_wrap(rng, para) if wrapped else para)
        if rng.random() < 0.15:
            lines.append(rng.choice(_FURNITURE))
    lines += [rng.choice(_FURNITURE) for _ in range(rng.randint(0, 3))]
    sep = "\n\n" if wrapped or rng.random() < 0.5 else rng.choice(["\n", "\r\n", "\n \n", "\n\n\n"])
    return sep.join(lines)


def hostile_page(rng: random.Random) -> str:
    """Realistic pages cut and spliced with random unicode, runs and huge tokens."""
    page = realistic_page(rng)
    for _ in range(rng.randint(1, 4)):
        i = rng.randint(0, len(page))
        piece = rng.choice([
            random_unicode(rng, rng.randint(1, 200)),
            rng.choice(".!?…") * rng.randint(2, 300),
            rng.choice([" ", "\n", "\t", "\u3000", "\u00a0"]) * rng.randint(2, 300),
            rng.choice(_NUMBERS) * rng.randint(1, 20),
            "U.S." * rng.randint(1, 50),
            " ".join(rng.choice(_DATES) for _ in range(rng.randint(1, 30))),
            " ".join(rng.choice(_WHO) for _ in range(rng.randint(1, 60))),
        ])
        page = page[:i] + piece + page[i:]
    if rng.random() < 0.2:
        page = page[: rng.randint(0, len(page))]  # cut anywhere, even mid-word or to nothing
    return page


_PUBLISHED = [date(2023, 4, 24), date(1, 1, 1), date(9999, 12, 31), date(2000, 2, 29), date(1945, 8, 15), None]


def make_documents(kind: str, n: int, seed: int) -> list[dict]:
    """The keyword arguments of ``n`` seeded :class:`Document` s of one kind."""
    rng = random.Random(f"{kind}-{seed}")
    docs = []
    for i in range(n):
        if kind == "unicode":
            raw = random_unicode(rng, rng.randint(0, 600))
        elif kind == "realistic":
            raw = realistic_page(rng)
        else:
            raw = hostile_page(rng)
        published = rng.choice(_PUBLISHED)
        precision = rng.choice(["day", "month", "year"]) if published else None
        title = rng.choice([None, None, raw[:40].strip() or None, _sentence(rng)])
        author = rng.choice([None, None, "John Smith", raw[-20:].strip() or None])
        docs.append(dict(doc_id=f"{kind}-{i}", raw=raw, title=title, author=author,
                         outlet=rng.choice([None, "Yonhap"]), published=published, date_precision=precision))
    return docs


# --------------------------------------------------------------------------- checks

def _check_tables(doc: Document, tables: dict[str, pd.DataFrame]) -> None:
    """Offsets in every table point at the text they claim."""
    body = doc.text
    sents = tables["sentences"]
    assert list(sents["sentence_id"]) == list(range(len(sents)))
    prev_end = 0
    for s, e, sentence in zip(sents["start"], sents["end"], sents["sentence"]):
        assert prev_end <= s < e <= len(body) and body[s:e] == sentence, (s, e, sentence)
        prev_end = e
    spans = dict(zip(sents["sentence_id"], zip(sents["start"], sents["end"])))
    for sid, s, e, t in zip(*(tables["mentions"][c] for c in ("sentence_id", "start", "end", "text"))):
        assert body[s:e] == t, (s, e, t)
        if not pd.isna(sid):
            assert spans[sid][0] <= s and e <= spans[sid][1]
    if "timexes" in tables:
        for s, e, t in zip(*(tables["timexes"][c] for c in ("timex_start", "timex_end", "timex"))):
            assert body[s:e] == t, (s, e, t)
    scores = tables["sentiment"]["score"]
    assert scores.between(-1, 1).all(), scores[~scores.between(-1, 1)]


def _culprit(exc: BaseException) -> str:
    """``file:function:Exception`` of the innermost trilat_lib frame of the original exception
    (a wrapper such as timeline's "the temporal tagger failed" keeps it as its context)."""
    while (exc.__cause__ or exc.__context__) is not None:
        exc = exc.__cause__ or exc.__context__
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "trilat_lib" in f.filename]
    frames = frames or traceback.extract_tb(exc.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].name}" if frames else "?"
    return f"{where}:{type(exc).__name__}"


def _annotate_one(spec: dict, layers: tuple[str, ...] = annotate.ALL_LAYERS) -> None:
    doc = Document(**spec)
    _check_tables(doc, annotate.annotate_documents([doc], layers)[0])


def annotate_all(specs: list[dict]) -> list[tuple[dict, str, str]]:
    """Annotate the documents in batches; ``(spec, where, error)`` for every one that fails."""
    failures = []
    for k in range(0, len(specs), BATCH):
        batch = specs[k:k + BATCH]
        try:
            docs = [Document(**spec) for spec in batch]  # (cleans pages without a title)
            for d, r in zip(docs, annotate.annotate_documents(docs)):
                _check_tables(d, r)
            continue
        except Exception:  # noqa: BLE001 - find the documents that fail, one at a time (below,
            pass           # outside this handler, so their errors do not chain to the batch's)
        for spec in batch:
            try:
                _annotate_one(spec)
            except Exception as e:  # noqa: BLE001 - the test reports every failure
                failures.append((spec, _culprit(e), f"{type(e).__name__}: {e}"))
    return failures


def _report(failures: list[tuple[dict, str, str]]) -> str:
    lines = [f"{len(failures)} document(s) failed:"]
    for spec, where, err in failures[:8]:
        lines.append(f"  {spec['doc_id']} in {where}: {err[:200]}\n"
                     f"    raw={spec['raw'][:300]!r} published={spec['published']} title={spec['title']!r}")
    return "\n".join(lines)


_results: dict[str, list] = {}


def _fuzz(kind: str, n: int) -> list[tuple[dict, str, str]]:
    if kind not in _results:
        _results[kind] = annotate_all(make_documents(kind, n, seed=13))
    return _results[kind]


FUZZ_SIZES = {"unicode": 1000, "realistic": 1200, "hostile": 800}


@pytest.mark.parametrize("kind", list(FUZZ_SIZES))
def test_fuzz_annotation_never_raises(kind: str) -> None:
    failures = _fuzz(kind, FUZZ_SIZES[kind])
    assert not failures, _report(failures)


# --------------------------------------------------------------------------- the loader and direct calls

def test_loader_never_yields_lone_surrogates(tmp_path: Path) -> None:
    """Files holding encoded surrogates are refused or decoded without them, so the annotators
    never see a lone surrogate (they would fail to encode it when writing tables)."""
    cases = {
        "utf8-surrogate.txt": b"Japan \xed\xa0\x80 agreed.",         # CESU-style surrogate in UTF-8
        "utf16-lone.txt": b"\xff\xfe" + "Japan ".encode("utf-16-le") + b"\x00\xd8" + "x".encode("utf-16-le"),
        "utf16be-lone.txt": b"\xfe\xff" + "Japan ".encode("utf-16-be") + b"\xdc\x00",
        "utf32-surrogate.txt": b"\xff\xfe\x00\x00" + "Japan ".encode("utf-32-le") + b"\x00\xd8\x00\x00",
    }
    for name, data in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CorpusWarning)  # (read as legacy cp1252)
                t, _ = read_text(p)
        except CorpusError as e:
            assert name in str(e)
            continue
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in t), name


HOSTILE_STRINGS = [
    "In 2019 talks failed. That\nsame year, Japan imposed limits.",
    "That\nsame year", "twenty-one centuries ago", "first quarter 0000", "9999-12-31 and the next day",
    "Dec. 31, 9999. The next day, Japan agreed.", "Jan. 1, 0001. The day before, Korea agreed.",
    "12345678901234567890 days later", "9" * 400 + " years ago", "the year 10000", "500 BC", "Q5 2023",
    "\u202eJapan\u202c 2023年4月24日 🇯🇵", "", " ", "\n\n\n", "\x00\x0b\x0c\x1c\x85\u2028\u2029",
]


@pytest.mark.parametrize("dct", ["2023-04-24", "0001-01-01", "9999-12-31", "2023", "9999", None])
def test_tag_on_hostile_dates(dct) -> None:
    for s in HOSTILE_STRINGS:
        for t in timex.tag(s, dct):
            assert s[t.start:t.end] == t.text


def test_text_functions_on_random_unicode_and_surrogates() -> None:
    """The sentence splitter and tokenizer keep exact offsets on any string, lone surrogates too."""
    rng = random.Random(13)
    for _ in range(500):
        s = random_unicode(rng, rng.randint(0, 300))
        if rng.random() < 0.3:
            i = rng.randint(0, len(s))
            s = s[:i] + chr(rng.randint(0xD800, 0xDFFF)) + s[i:]
        for sent in text.sentences(s):
            assert s[sent.start:sent.end] == sent.text and sent.text == sent.text.strip()
        for tok in text.tokenize(s):
            assert s[tok.start:tok.end] == tok.text


_ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "cp1252", "latin-1", "shift_jis", "euc-kr"]


def test_fuzz_loader_then_annotation(tmp_path: Path) -> None:
    """Generated pages saved in assorted encodings, some with corrupted bytes, are read by
    read_text as text without lone surrogates or refused with a CorpusError naming the file,
    and whatever is read annotates without an exception."""
    rng = random.Random("loader-13")
    specs = []
    for i in range(300):
        page = rng.choice([realistic_page, hostile_page])(rng) if rng.random() < 0.8 else random_unicode(rng, 300)
        data = page.encode(rng.choice(_ENCODINGS), errors="replace")
        if rng.random() < 0.3:  # corrupt a few bytes
            b = bytearray(data)
            for _ in range(rng.randint(1, 5)):
                if b:
                    b[rng.randrange(len(b))] = rng.randrange(256)
            data = bytes(b)
        path = tmp_path / f"page-{i}.txt"
        path.write_bytes(data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CorpusWarning)
                raw, _ = read_text(path)
        except CorpusError as e:
            assert path.name in str(e)
            continue
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in raw), path.name
        specs.append(dict(doc_id=f"loaded-{i}", raw=raw, title=None, author=None, outlet=None,
                          published=rng.choice(_PUBLISHED[:3]), date_precision="day"))
    # many files are readable, so the annotators were exercised (the rest were refused by name: legacy
    # East Asian encodings with too little CJK text to tell them apart, corrupted UTF-16/32)
    assert len(specs) > 100
    failures = annotate_all(specs)
    assert not failures, _report(failures)
