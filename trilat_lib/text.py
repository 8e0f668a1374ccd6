"""Sentences, tokens and n-grams, with no NLTK data downloads.

Sentence splitting is rule-based and abbreviation-aware ("U.S.", "Mr.", "Dr.", "Jan. 5",
"No. 1", initials such as "Antony J. Blinken"), treats curly closing quotes and brackets
after the full stop as part of the sentence, and never crosses a paragraph boundary.
Tokenising is a regular expression that keeps "U.S." and "Yoon's" whole and splits on
em dashes ("Ukraine—imposing"). Stemming uses NLTK's Porter/Snowball stemmers, which
need no data. Every sentence keeps character offsets into the cleaned text.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .errors import ParameterError
from .paths import RESOURCES_DIR

# --------------------------------------------------------------------------- sentences

# Abbreviations after which a full stop never ends a sentence (they precede a name/number).
TITLE_ABBREVIATIONS = frozenset(
    """mr mrs ms messrs dr prof gen lt col maj capt cmdr adm sgt cpl pvt sen rep gov pres
    supt insp det st mt ft rev hon fr sr jr vs cf al approx dept est fig figs vol vols
    no nos op pp p ch sec art para ed eds corp inc ltd co bros""".split()
)
# Month abbreviations: no break when a day number or year follows ("Oct. 27, 2016").
MONTH_ABBREVIATIONS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
# Abbreviations that may end a sentence: break only if the next word is a usual sentence opener.
AMBIGUOUS_ABBREVIATIONS = frozenset("inc ltd co corp jr sr etc".split())
# Words that commonly open a sentence; after "U.S." or "etc." they signal a new sentence.
SENTENCE_OPENERS = frozenset(
    """the a an and but or so yet for nor in on at by to from with as if when while after
    before since until because although though however meanwhile moreover nevertheless
    still then there here this that these those it its he she they we i you his her their
    our my your who what where why how some many most all both each few several no not one
    two three last next first finally indeed instead also now today yesterday""".split()
)

# A run of final punctuation (and closing quotes) followed by whitespace. The lookbehind makes
# a failed run cost its length once, not once per character (a run of 100k "." without a space
# after it was quadratic); the match is the same, since a later start in the run ends alike.
_BOUNDARY_RE = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’»)\]]*+(?=\s)")
_BOUNDARY_AT_RE = re.compile(r"[.!?…]++[\"'”’»)\]]*+(?=\s)")  # the same, for a run cut by ``start``
_WORD_BEFORE_RE = re.compile(r"([\w.’'-]+)$")
_NEXT_TOKEN_RE = re.compile(r"\s+([\"'“‘«(\[]?)(\S*)")
_HAS_WORD_RE = re.compile(r"\w")
_TRAILING_NONWORD_RE = re.compile(r"\W+$")
_COMPOUND_SEP_RE = re.compile(r"[-/–—]")
_INITIALISM_RE = re.compile(r"(?:[a-z]\.)+[a-z]")
_WAR_BEFORE_RE = re.compile(r"\bWar\s+$")


# A blank-line-separated block: lines joined by single newlines. "The next line is blank" is
# ``[^\S\n]*\n`` (not ``\s*\n``, which reads on through every later blank line: quadratic on
# many lines of spaces).
_BLOCK_RE = re.compile(r"[^\n]+(?:\n(?![^\S\n]*\n)[^\n]+)*")


@dataclass(frozen=True)
class Sentence:
    """A sentence: its number within the document and offsets into the document text."""

    sentence_id: int
    start: int
    end: int
    text: str
    paragraph_id: int = 0


# How far back _word_before looks first (the window grows for longer words). The search tries
# every start in the window, so a short first window keeps each call cheap (dense runs of
# initials or full stops call it at every other character).
_LOOKBEHIND = 24


def _word_before(text: str, punct_start: int) -> str:
    """The run of word characters, dots, apostrophes and hyphens ending at ``punct_start``.

    Same result as ``_WORD_BEFORE_RE.search(text, 0, punct_start)``, but searched in a short
    window before ``punct_start``: searching from 0 costs O(punct_start) per call, quadratic
    per text. A match starting at the window's edge may be cut, so the window then grows.
    """
    width = _LOOKBEHIND
    while True:
        lo = max(0, punct_start - width)
        m = _WORD_BEFORE_RE.search(text, lo, punct_start)
        if m is None or m.start() > lo or lo == 0:
            return m.group(1) if m else ""
        width *= 4


def _is_boundary(text: str, punct_start: int, punct_end: int, end: int | None = None) -> bool:
    """Decide whether the punctuation at ``text[punct_start:punct_end]`` ends a sentence.

    ``end`` bounds the look-ahead (the end of the paragraph), as if ``text`` were ``text[:end]``.
    """
    m_next = _NEXT_TOKEN_RE.match(text, punct_end, len(text) if end is None else end)
    if not m_next or not m_next.group(2) and not m_next.group(1):
        return True  # end of text / paragraph
    opener, nxt = m_next.group(1), m_next.group(2)
    first = nxt[:1]
    punct = text[punct_start:punct_end]
    if punct[0] in "?!…" or len(punct.rstrip("\"'”’»)]")) > 1:
        # "?", "!" and ellipses end a sentence only before a capital, digit or opening quote
        return bool(opener) or first.isupper() or first.isdigit()
    if not (opener or first.isupper() or first.isdigit()):
        return False  # lower-case continuation ("e.g. the", ". . . between")
    prev = _word_before(text, punct_start)
    prev_l = prev.lower().rstrip(".")
    core = prev_l.lstrip("(\"'“‘")
    nxt_word = _TRAILING_NONWORD_RE.sub("", nxt).lower()
    last = _COMPOUND_SEP_RE.split(core)[-1]  # "Korea-U.S." → "u.s"
    if "." in prev.rstrip(".") and _INITIALISM_RE.fullmatch(last):
        # multi-letter abbreviations like U.S., U.N., D.C.: ambiguous
        return bool(opener) or nxt_word in SENTENCE_OPENERS
    if core in TITLE_ABBREVIATIONS and core not in AMBIGUOUS_ABBREVIATIONS:
        if core in {"no", "nos", "p", "pp", "vol", "art", "sec", "ch", "fig", "op", "para"}:
            return not first.isdigit()  # "No. 1" continues; "he said no. The ..." ends
        return False
    if core in MONTH_ABBREVIATIONS and first.isdigit():
        return False
    if core in AMBIGUOUS_ABBREVIATIONS:
        return bool(opener) or nxt_word in SENTENCE_OPENERS
    if len(core) == 1 and prev[:1].isupper() and first.isupper():
        if prev == "I" and _WAR_BEFORE_RE.search(text[max(0, punct_start - 40):punct_start - 1]):
            return True  # "World War I. The ..." is a numeral, not an initial
        return False  # an initial: "Antony J. Blinken"
    return True


def _boundaries(text: str, start: int, end: int) -> Iterator[re.Match]:
    """The candidate boundaries in ``text[start:end]`` (``_BOUNDARY_RE.finditer``, except that a
    run of punctuation that ``start`` cuts is still found from ``start``, as a search of the
    slice would)."""
    if 0 < start < end and text[start - 1] in ".!?…":
        m = _BOUNDARY_AT_RE.match(text, start, end)
        if m is not None:
            yield m
            start = m.end()
    yield from _BOUNDARY_RE.finditer(text, start, end)


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences in ``text[start:end]``, whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    seg_start = start
    for m in _boundaries(text, start, end):
        if _is_boundary(text, m.start(), m.end(), end):
            spans.append((seg_start, m.end()))
            seg_start = m.end()
    spans.append((seg_start, end))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            if out and not _HAS_WORD_RE.search(text, s, e):
                out[-1] = (out[-1][0], e)  # a stray quote/bracket/dash belongs to the sentence before
            else:
                out.append((s, e))
    return out


def sentences(text: str, paragraphs: Iterable[tuple[int, int]] | None = None) -> list[Sentence]:
    """Split ``text`` into sentences, never across the given paragraph spans.

    ``paragraphs`` are ``(start, end)`` spans of the blocks to split (e.g. a document's body
    paragraphs, so headings are not counted); by default blank-line-separated blocks.
    """
    if paragraphs is None:
        paragraphs = [(m.start(), m.end()) for m in _BLOCK_RE.finditer(text)]
    result: list[Sentence] = []
    for pid, (ps, pe) in enumerate(paragraphs):
        for s, e in split_sentences(text, ps, pe):
            result.append(Sentence(len(result), s, e, text[s:e], pid))
    return result


# --------------------------------------------------------------------------- tokens

# The lookbehinds skip the abbreviation alternative at "S" of "U.S.U…" when "U." began a token:
# its run was tried from "U" and failed, so it fails from "S" too (same end), and retrying it at
# every letter of a long "U.S.U.S.…U" run was quadratic. (After a word character or an inner
# hyphen/apostrophe, "U." may be the end of a word token, so the alternative is still tried.)
_TOKEN_RE = re.compile(
    r"""(?<![^\w\-'’][A-Za-z]\.)(?<!^[A-Za-z]\.)
        (?:[A-Za-z]\.){2,}(?![A-Za-z])      # U.S., U.K., D.C.
      | \$?\d+(?:[.,:]\d+)*%?             # numbers, money, times
      | [^\W\d_](?:[\w]|[-'’](?=\w))*     # words, with inner hyphens/apostrophes
      | \d+(?:[-’']?[^\W\d_]+)+           # 5G, 1990s, 84-year-old
      | [^\w\s]                           # punctuation
    """,
    re.VERBOSE,
)
_WORD_RE = re.compile(r"\w")


@dataclass(frozen=True)
class Token:
    """A token with character offsets into the text it came from."""

    text: str
    start: int
    end: int


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """All tokens of ``text`` (words, numbers, punctuation) with offsets (+ ``offset``)."""
    return [Token(m.group(), m.start() + offset, m.end() + offset) for m in _TOKEN_RE.finditer(text)]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The shipped English stop-word list: scikit-learn's list plus the additions in
    ``trilat_lib/resources/stopwords_extra.txt`` (news furniture words and contractions)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    extra = (RESOURCES_DIR / "stopwords_extra.txt").read_text(encoding="utf-8")
    words = {w.strip().lower() for w in extra.splitlines() if w.strip() and not w.startswith("#")}
    return frozenset(ENGLISH_STOP_WORDS) | frozenset(words)


@lru_cache(maxsize=4)
def _stemmer(name: str):
    from nltk.stem import PorterStemmer, SnowballStemmer

    if name == "porter":
        return PorterStemmer()
    if name == "snowball":
        return SnowballStemmer("english")
    raise ParameterError(f"stem={name!r} is not a stemmer; use None, 'porter' or 'snowball'.")


@lru_cache(maxsize=4)
def _cached_stem(name: str):
    """The stemmer's ``stem`` with a cache: a corpus repeats the same words over and over."""
    return lru_cache(maxsize=65536)(_stemmer(name).stem)


def normalize_token(tok: str) -> str:
    """Lower-case, unify curly apostrophes and drop a possessive "'s" ("Japan’s" → "japan")."""
    tok = tok.lower().replace("’", "'")
    if tok.endswith("'s"):
        tok = tok[:-2]
    return tok


def tokens(
    text: str,
    lower: bool = True,
    remove_stopwords: bool = False,
    stem: str | None = None,
    keep_punct: bool = False,
    keep_numbers: bool = True,
    min_len: int = 1,
    stop_words: Iterable[str] | None = None,
) -> list[str]:
    """Word tokens of ``text`` as strings, optionally lower-cased, stop-word filtered and stemmed."""
    sw = frozenset(stop_words) if stop_words is not None else stopwords()
    stem_word = _cached_stem(stem) if stem else None
    out = []
    for w in _TOKEN_RE.findall(text):
        # every token of two or more characters holds a word character (see _TOKEN_RE), so
        # only one-character tokens need the check for punctuation
        if len(w) == 1 and not _WORD_RE.match(w):
            if keep_punct:
                out.append(w)
            continue
        if not keep_numbers and w.lstrip("$")[:1].isdigit():
            continue
        if lower:
            w = normalize_token(w)
        if remove_stopwords and w.lower() in sw:
            continue
        if len(w) < min_len:
            continue
        if stem_word is not None:
            w = stem_word(w)
        out.append(w)
    return out


def ngrams(toks: Sequence[str], n: int = 2, sep: str = " ") -> list[str]:
    """Contiguous n-grams of a token list, joined with ``sep``."""
    if n < 1:
        raise ParameterError(f"n={n} must be a positive integer.")
    return [sep.join(toks[i : i + n]) for i in range(len(toks) - n + 1)]


def collocations(token_lists: Iterable[Sequence[str]], top: int = 20, min_freq: int = 2) -> list[tuple[str, float]]:
    """The strongest bigram collocations (NLTK log-likelihood ratio) across token lists.

    Bigrams never span two lists, so pass one list per sentence.
    """
    from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

    finder = BigramCollocationFinder.from_documents([list(t) for t in token_lists])
    finder.apply_freq_filter(min_freq)
    scored = finder.score_ngrams(BigramAssocMeasures.likelihood_ratio)
    return [(" ".join(bg), float(score)) for bg, score in scored[:top]]
