"""Stance toward countries: target-dependent sentiment, per-sentence tables and aggregates.

The question is not "is this sentence gloomy?" but "how does this sentence portray *that*
country?". In "North Korea has tested missiles that can strike targets in Japan" the
sentence is negative, North Korea is portrayed negatively, Japan is not. Three scorers:

* ``"learned"`` (the default; :mod:`trilat_lib.stance`): a logistic-regression stance
  classifier trained on NewsMTSC human labels, whose features are the target's context by
  position and clause, lexicon scores by side and distance, and the rule scorer's own score.
  On NewsMTSC dev it beats the rule scorer by several macro-F1 points
  (``python -m benchmarks.sentiment_newsmtsc``). Its score is ``P(positive) - P(negative)``,
  moved out of (into) the neutral band when the most probable class is positive/negative (neutral).
* ``"target"`` (:func:`target_sentiment`): VADER's rule engine (negation, boosters, "but")
  run on the clause around the mention, with an international-affairs lexicon
  (``resources/ir_lexicon.csv``) layered on VADER's own, and the roles of acts resolved:
  an *agent* word ("threaten", "invade", "coerce", "missile") counts against its doer,
  not its victim; a *patient* word ("sanction", "deter", "condemn", "praise") counts for or
  against its object, not its doer. Words about other participants are masked out.
* ``"sentence"`` (:func:`sentence_sentiment`): plain VADER compound of the whole sentence,
  i.e. GDELT-style co-occurrence tone: every country in a sentence gets the same score.

Scores are on VADER's compound scale [-1, 1]; ``|score| < neutral_band`` (0.05) is neutral.
Everything is compiled once per process (lexicon, regexes); scoring is pure Python.
"""
from __future__ import annotations

import csv
import hashlib
import re
import string
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd

from . import text as _text
from .errors import ParameterError
from .paths import RESOURCES_DIR

IR_LEXICON = RESOURCES_DIR / "ir_lexicon.csv"
NEUTRAL_BAND = 0.05
MAX_SCOPE_WORDS = 60  # words each side of a mention that the target scorer reads at most
SCORERS = ("learned", "target", "sentence")
DEFAULT_SCORER = "learned"  # the better scorer on NewsMTSC dev (benchmarks/sentiment_newsmtsc.py)
ROLES = ("", "agent", "patient")

SENTENCE_COLUMNS = [
    "doc_id", "sentence_id", "country", "score", "label", "n_mentions", "mentions",
    "mention_spans", "sentence", "outlet", "published", "date_precision", "title",
]

# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class LexiconEntry:
    """One row of the international-affairs lexicon (see ``resources/ir_lexicon.csv``)."""

    word: str
    valence: float
    role: str  # "" | "agent" | "patient"


# Generated forms that mean something else ("striking" = remarkable).
_FORM_EXCEPTIONS = {"striking", "backing", "tested"}


def _inflections(lemma: str) -> set[str]:
    """Regular English inflections of a lemma (verbs and nouns): enough for a lexicon lookup."""
    forms = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "ing"}
    if lemma.endswith("e"):
        forms |= {lemma + "d", lemma[:-1] + "ing"}
    if len(lemma) > 2 and lemma.endswith("y") and lemma[-2] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if (len(lemma) > 2 and lemma[-1] not in "aeiouwxy" and lemma[-2] in "aeiou"
            and lemma[-3] not in "aeiou" and len(lemma) <= 5):
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


def load_lexicon(path: str | Path = IR_LEXICON) -> dict[str, LexiconEntry]:
    """Read an IR lexicon CSV (``word,valence,role[,note]``; ``#`` comments) into form → entry.

    Every listed lemma is expanded to its regular inflections, so users list lemmas only.
    Raises :class:`ParameterError` naming the file and row for a bad valence or role.
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"lexicon: {path} not found. Pass the path of a CSV with columns word,valence,role.")
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    out: dict[str, LexiconEntry] = {}
    explicit: set[str] = set()
    for lineno, row in enumerate(csv.DictReader(rows), start=2):
        word = (row.get("word") or "").strip().lower()
        if not word:
            continue
        try:
            valence = float(row.get("valence", ""))
        except ValueError:
            raise ParameterError(f"{path}, row {lineno} ({word!r}): valence {row.get('valence')!r} is not a number "
                                 "on VADER's scale (-4..4).") from None
        if not -4.0 <= valence <= 4.0:
            raise ParameterError(f"{path}, row {lineno} ({word!r}): valence {valence} is outside VADER's -4..4.")
        role = (row.get("role") or "").strip().lower()
        if role not in ROLES:
            raise ParameterError(f"{path}, row {lineno} ({word!r}): role {role!r} must be empty, 'agent' or 'patient'.")
        entry = LexiconEntry(word, valence, role)
        explicit.add(word)
        out[word] = entry
        for form in _inflections(word) - _FORM_EXCEPTIONS:
            if form not in explicit:
                out.setdefault(form, entry)
    return out


# --------------------------------------------------------------------------- VADER engines


@lru_cache(maxsize=8)
def _vader(lexicon_path: str | None):
    """A VADER analyzer; with ``lexicon_path`` its lexicon is overlaid with that IR lexicon."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    if lexicon_path is not None:
        analyzer.lexicon = dict(analyzer.lexicon)
        for form, entry in load_lexicon(lexicon_path).items():
            if entry.valence == 0.0:
                analyzer.lexicon.pop(form, None)
            else:
                analyzer.lexicon[form] = entry.valence
    return analyzer


# VADER's own code does the scoring; these helpers only avoid its per-call waste (its rule
# checks rebuild the lowercased word list of the whole text for every sentiment word, and
# polarity_scores rebuilds the text character by character to translate emojis). Each
# helper's output is what the corresponding VADER call returns, bit for bit.


_PUNCTUATION = string.punctuation  # what VADER strips from its words


class _WordWindow:
    """The part of a VADER ``SentiText`` that ``sentiment_valence`` reads for one word.

    VADER's rules for the word at ``i`` look at words ``i-3 .. i+2`` only (negation, boosters,
    idioms, "least", "no"), so handing it that slice, with ``i`` shifted and the whole text's
    ALL-CAPS flag, gives the same valence in constant time instead of time linear in the text.
    """

    __slots__ = ("words_and_emoticons", "is_cap_diff")

    def __init__(self, words: list[str], is_cap_diff: bool):
        self.words_and_emoticons = words
        self.is_cap_diff = is_cap_diff


def _vader_valences(analyzer, text: str) -> tuple[list[str], list[str], list[float]] | None:
    """VADER's word list, its lowercased form and per-word valences of ``text`` exactly as
    ``polarity_scores`` computes them before its "but" check (no emoji translation), or
    ``None`` when no word is in the lexicon: every valence is then 0 and the compound is 0.0."""
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, allcap_differential

    # = SentiText(text).words_and_emoticons: punctuation stripped unless that leaves <= 2 characters
    words = [w if len(s := w.strip(_PUNCTUATION)) <= 2 else s for w in text.split()]
    low = [w.lower() for w in words]
    lex = analyzer.lexicon
    if not any(w in lex for w in low):
        return None
    is_cap_diff = allcap_differential(words)
    memo = _valence_memo(analyzer)
    n = len(words)
    sentiments: list[float] = []
    for i, w in enumerate(low):
        if w not in lex or w in BOOSTER_DICT or (w == "kind" and i < n - 1 and low[i + 1] == "of"):
            sentiments.append(0)  # what VADER appends for boosters, "kind of" and non-lexicon words
            continue
        lo = max(0, i - 3)
        key = (*words[lo:i + 3], i - lo, is_cap_diff)
        valence = memo.get(key)
        if valence is None:
            valence = analyzer.sentiment_valence(0, _WordWindow(words[lo:i + 3], is_cap_diff), words[i], i - lo, [])[0]
            memo[key] = valence
        sentiments.append(valence)
    if "but" in low:
        sentiments = analyzer._but_check(words, sentiments)
    return words, low, sentiments


class _LexiconMemo(dict):
    """A memo of VADER results, valid for one state of the analyzer's lexicon: emptied when
    the lexicon changes size (stand-in share tokens are added on first use) or when full."""

    def __init__(self, analyzer, max_size: int = 50_000):
        super().__init__()
        self.analyzer, self.max_size, self.lexicon_size = analyzer, max_size, len(analyzer.lexicon)

    def current(self) -> _LexiconMemo:
        if len(self.analyzer.lexicon) != self.lexicon_size or len(self) > self.max_size:
            self.clear()
            self.lexicon_size = len(self.analyzer.lexicon)
        return self


@lru_cache(maxsize=16)
def _analyzer_memo(analyzer, kind: str) -> _LexiconMemo:
    """The process-wide memo ``kind`` of one analyzer (call ``.current()`` before use)."""
    return _LexiconMemo(analyzer)


def _valence_memo(analyzer) -> _LexiconMemo:
    """Word valences by VADER window: the same phrase recurs across targets, sentences, articles."""
    return _analyzer_memo(analyzer, "valence").current()


@lru_cache(maxsize=8)
def _emoji_chars(analyzer) -> frozenset[str]:
    """The characters ``polarity_scores`` translates to text (single-character emoji keys)."""
    return frozenset(k for k in analyzer.emojis if len(k) == 1)


def _vader_compound(analyzer, text: str) -> float:
    """``analyzer.polarity_scores(text)["compound"]``, computed without VADER's per-call waste."""
    if not _emoji_chars(analyzer).isdisjoint(text):
        return analyzer.polarity_scores(text)["compound"]
    text = text.strip()  # polarity_scores strips the (emoji-free) text before scoring it
    scored = _vader_valences(analyzer, text)
    if scored is None:
        return 0.0
    return analyzer.score_valence(scored[2], text)["compound"]


def sentence_sentiment(text: str) -> float:
    """Plain VADER compound score of ``text`` (no target, no IR lexicon): co-occurrence tone."""
    if not isinstance(text, str):
        raise ParameterError(f"text must be a string, got {type(text).__name__}.")
    if not text.strip():
        return 0.0
    analyzer = _vader(None)
    memo = _analyzer_memo(analyzer, "sentence").current()  # repeated sentences are scored once
    tone = memo.get(text)
    if tone is None:
        tone = memo[text] = float(_vader_compound(analyzer, text))
    return tone


# --------------------------------------------------------------------------- target scorer

_WORD_RE = re.compile(r"[^\W\d_](?:[\w]|[-'’](?=\w))*")
# Clause boundaries inside a sentence; the conjunction stays with the clause it opens.
_CLAUSE_RE = re.compile(
    # every boundary starts with one of these characters: the lookahead (which changes no
    # match) lets the scan reject all other positions at once, about twice as fast
    r"(?=[\s;:—(),\"“”])"
    # never start inside a run of whitespace: a match from inside a run would also match from
    # its first character, and trying every position of a long run is quadratic in its length
    r"(?!(?<=\s)\s)"
    r"(?:\s*(?:;|:(?=\s)|\s[—–]\s|\s--\s|—|\(|\))\s*"
    r"|,?\s+(?=(?:but(?!\s+also)|while|whereas|although|though|yet|however|because|unless|whilst)\b)"
    r"|,\s+(?=(?:and|or|which|who|whom|whose|where|when|after|before|as)\b)"
    r"|,\s*[\"“”]\s*|[\"“”]\s*,\s*)",
    re.IGNORECASE,
)
_BY_FROM = {"by", "from"}
_PASSIVE_AUX = {"was", "were", "is", "are", "been", "being", "be", "get", "got", "gets", "getting", "became", "become"}
_PATIENT_MARKERS = {"under", "faces", "face", "faced", "facing", "suffered", "suffers", "suffer"}
_SKIP = {"the", "a", "an", "its", "their", "his", "her", "new", "further", "more", "fresh", "harsh", "tough"}
_CAPITALISED_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)*")
_MASK = "zz"
_TARGET = "zztargetzz"
_CONTRAST_RE = re.compile(r"(?:but|yet|however)\b", re.IGNORECASE)
_NOT_ONLY_RE = re.compile(r"\bnot\s+only\b", re.IGNORECASE)  # "not only ... but also" is no negation


# Per-sentence work shared by the several mentions scored in one sentence (and by the
# same scope scored for several targets): memoised on (text, span). The memos are small
# because the mentions of a sentence are scored one after another.


@lru_cache(maxsize=64)
def _paragraph_sentences(text: str, p0: int, p1: int) -> tuple[tuple[int, int], ...]:
    return tuple(_text.split_sentences(text, p0, p1))


@lru_cache(maxsize=64)
def _sentence_ends(text: str, p0: int, p1: int) -> list[int]:
    """End offsets of :func:`_paragraph_sentences` (sorted: the spans are disjoint), for bisection."""
    return [e for _, e in _paragraph_sentences(text, p0, p1)]


@lru_cache(maxsize=64)
def _clause_spans(text: str, s0: int, s1: int) -> tuple[tuple[int, int], ...]:
    """Clause spans of the sentence ``text[s0:s1]`` (see ``_CLAUSE_RE``)."""
    spans, pos = [], s0
    for m in _CLAUSE_RE.finditer(text, s0, s1):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = max(pos, m.end())
    if pos < s1:
        spans.append((pos, s1))
    return tuple(spans) or ((s0, s1),)


@lru_cache(maxsize=64)
def _clause_starts(text: str, s0: int, s1: int) -> list[int]:
    """Start offsets of :func:`_clause_spans` (sorted, disjoint spans), for bisection."""
    return [a for a, _ in _clause_spans(text, s0, s1)]


@lru_cache(maxsize=64)
def _word_tokens(text: str, a: int, b: int) -> tuple[tuple[tuple[int, int, str], ...], list[int], list[int]]:
    """``(start, end, lowercased word)`` of each word of ``text[a:b]``, their starts, their ends."""
    words = tuple((m.start(), m.end(), m.group().lower()) for m in _WORD_RE.finditer(text, a, b))
    return words, [w[0] for w in words], [w[1] for w in words]


def _overlapping(starts: list[int], ends: list[int], ms: int, me: int) -> range:
    """Indices of the words (sorted, disjoint) that start inside ``[ms, me)`` or contain ``ms``."""
    lo = bisect_left(starts, ms)  # the first word starting at or after ms
    hi = bisect_left(starts, me) if me > ms else lo  # words lo .. hi-1 start inside the mention
    if lo > 0 and ms < ends[lo - 1]:  # the word before contains ms
        return range(lo - 1, max(hi, lo))
    if lo < len(starts) and starts[lo] == ms:  # the word at ms contains it (even for an empty mention)
        return range(lo, max(hi, lo + 1))
    return range(lo, hi)


def _check_span(text: str, start: int, end: int) -> None:
    if not isinstance(text, str):
        raise ParameterError(f"text must be a string, got {type(text).__name__}.")
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ParameterError(f"{name} must be an integer character offset, got {value!r}.")
    if not 0 <= start <= end <= len(text):
        raise ParameterError(
            f"span start={start}, end={end} is not inside the text (length {len(text)}): "
            "need 0 <= start <= end <= len(text)."
        )


class TargetScorer:
    """Target-dependent stance scorer (see the module docstring for the method).

    Parameters
    ----------
    lexicon : path of the IR lexicon CSV, or ``None`` for VADER's lexicon only.
    scope : ``"clause"`` (the clause around the mention, extended over neighbouring clauses
        that name no other entity) or ``"sentence"``.
    roles : resolve agent/patient roles of acts (``False`` = every word counts for every target).
    context_weight : weight in [0, 1] of the rest-of-sentence score blended into the clause score.
    extend : extend the clause over neighbouring clauses that name no other entity.
    contrast : with ``extend=False``, still extend over a following "but/yet/however" clause
        that names no other entity ("not an aggressor but a partner").
    doer_share : share of a patient word's valence also given to its doer ("X accused Y":
        X gets ``doer_share`` of "accuse"); 0 = the doer is not judged.
    victim_share : share of an agent word's valence also given to its victim.
    window : words within this distance of the mention count fully, farther ones by
        ``window / distance`` (``None``: no distance weighting).
    """

    def __init__(self, lexicon: str | Path | None = IR_LEXICON, scope: str = "clause",
                 roles: bool = True, context_weight: float = 0.0, extend: bool = False,
                 window: int | None = 6, contrast: bool = True, doer_share: float = 0.0,
                 victim_share: float = 0.0):
        if scope not in ("clause", "sentence"):
            raise ParameterError(f"scope must be 'clause' or 'sentence', got {scope!r}.")
        if not 0.0 <= float(context_weight) <= 1.0:
            raise ParameterError(f"context_weight must be in [0, 1], got {context_weight!r}.")
        self.lexicon = lexicon
        self.scope = scope
        self.roles = roles
        self.context_weight = float(context_weight)
        self.extend = extend
        if window is not None and (isinstance(window, bool) or not isinstance(window, int) or window < 1):
            raise ParameterError(f"window must be a positive number of words or None, got {window!r}.")
        self.window = window
        self.contrast = contrast
        for name, value in (("doer_share", doer_share), ("victim_share", victim_share)):
            if not 0.0 <= float(value) <= 1.0:
                raise ParameterError(f"{name} must be in [0, 1], got {value!r}.")
        self.doer_share = float(doer_share)
        self.victim_share = float(victim_share)
        self._lex_path = None if lexicon is None else str(Path(lexicon).resolve())
        self._entries = load_lexicon(lexicon) if lexicon is not None else {}
        self._role_forms = frozenset(w for w, e in self._entries.items() if e.role)
        self._vader = _vader(self._lex_path)
        # Memos (bounded, valid while the lexicon is unchanged): repeated and syndicated
        # sentences, boilerplate and recurring clauses are scored once. Compound score by
        # (window, masked clause): clauses that differ only in the entities named mask alike;
        # entity scores by (parameters, sentence, mention spans), see ``_entity_scores``.
        self._compound_memo = _LexiconMemo(self._vader)
        self._sentence_memo = _LexiconMemo(self._vader, max_size=20_000)

    # ---- helpers
    @staticmethod
    def _sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
        """The sentence of ``text`` holding ``[start, end)`` (paragraph first, for speed)."""
        p0 = text.rfind("\n", 0, start) + 1
        p1 = text.find("\n", end)
        p1 = len(text) if p1 < 0 else p1
        if p1 - p0 <= 300:
            return p0, p1
        sents = _paragraph_sentences(text, p0, p1)
        # the first sentence with s <= start < e (or s <= start <= e for an empty span), found
        # by bisection: sentences are sorted and disjoint (linear scans were quadratic in long texts)
        i = bisect_left(_sentence_ends(text, p0, p1), start + (start != end))
        if i < len(sents) and sents[i][0] <= start:
            s, e = sents[i]
            return s, max(e, min(end, p1))
        return p0, p1

    def _clauses(self, text: str, s0: int, s1: int) -> Sequence[tuple[int, int]]:
        return _clause_spans(text, s0, s1)

    def _scope(self, text: str, s0: int, s1: int, start: int, ostarts: Sequence[int]) -> tuple[int, int]:
        """The clause span of the mention starting at ``start``; ``ostarts``: sorted starts of the
        other entities' mentions (bisected, so a sentence with many mentions stays linear)."""
        if self.scope == "sentence":
            return s0, s1
        clauses = self._clauses(text, s0, s1)
        cstarts = _clause_starts(text, s0, s1)
        i = bisect_right(cstarts, start) - 1  # the last clause starting at or before the mention
        if i >= 0 and start < clauses[i][1]:
            idx = i
        else:  # mention on a boundary character: nearest clause (the earlier one on a tie)
            idx = min((j for j in (i, i + 1) if 0 <= j < len(clauses)), key=lambda j: abs(cstarts[j] - start))

        def free(j: int) -> bool:
            a, b = clauses[j]
            k = bisect_left(ostarts, a)
            return not (k < len(ostarts) and ostarts[k] < b)

        lo = hi = idx
        if self.extend:
            while hi + 1 < len(clauses) and free(hi + 1):
                hi += 1
            while lo - 1 >= 0 and free(lo - 1):
                lo -= 1
        elif self.contrast and hi + 1 < len(clauses):
            # "… not an aggressor but a partner": a following contrast clause that names no
            # other entity continues the statement about the target (VADER weights it up)
            if _CONTRAST_RE.match(text, clauses[hi + 1][0]) and free(hi + 1):
                hi += 1
        return clauses[lo][0], clauses[hi][1]

    def _masked(self, text: str, a: int, b: int, target: tuple[int, int],
                others: Sequence[tuple[int, int]]) -> str:
        """``text[a:b]`` with entity mentions and off-target role words replaced by a neutral token."""
        mentions = sorted({target, *[(o0, o1) for o0, o1 in others if a <= o0 < b]})
        words, starts, ends = _word_tokens(text, a, b)
        replace: list[tuple] = []  # (start, end) masked, or (start, end, stand-in token)
        # token index of each mention (first word inside it); mention words are masked
        ment_tok: dict[tuple[int, int], int] = {}
        in_mention = [False] * len(words)
        for ms, me in mentions:
            hit = _overlapping(starts, ends, ms, me)
            if hit:
                ment_tok[(ms, me)] = hit[0]
                for i in hit:
                    in_mention[i] = True
            if ms < me:
                replace.append((ms, me))
        target_tok = ment_tok.get(target)
        if self.roles and target_tok is not None:
            ent_positions = sorted(set(ment_tok.values()))
            role_idx = [i for i, (_, _, w) in enumerate(words) if w in self._role_forms and not in_mention[i]]
            patient_slot: set[int] = set()
            keep: set[int] = set()
            # first pass: the patient (object) slot of each role word, so that a later act's doer
            # is not taken from an earlier act's object ("X threatens Y and attacks Z")
            slots: dict[int, tuple[int | None, int | None]] = {}
            for i in role_idx:
                agent, patient = self._slots(words, i, ent_positions, role_idx, patient_slot)
                slots[i] = (agent, patient)
                if patient is not None:
                    patient_slot.add(patient)
            governing: list[int] = []
            for i in role_idx:
                agent, patient = self._slots(words, i, ent_positions, role_idx, patient_slot)
                slots[i] = (agent, patient)
                role = self._entries[words[i][2]].role
                if (role == "agent" and agent == target_tok) or (role == "patient" and patient == target_tok):
                    keep.add(i)
                if patient == target_tok or (agent == target_tok and patient is not None):
                    governing.append(i)  # the far side of this act is about its other participant
            for i in role_idx:
                if i in keep:
                    continue
                entry = self._entries[words[i][2]]
                share = self._share_token(words[i][2], entry, i, slots.get(i), target_tok)
                replace.append((words[i][0], words[i][1], share))
            if governing:
                # plain sentiment words on the far side of the act that links the target to the
                # other participant describe that participant ("the alliance ... deters X")
                g = min(governing, key=lambda j: abs(j - target_tok))
                lex = self._vader.lexicon
                far = range(0, g) if target_tok > g else range(g + 1, len(words))
                for j in far:
                    w = words[j][2]
                    if not in_mention[j] and w in lex and not (w in self._entries and self._entries[w].role):
                        replace.append((words[j][0], words[j][1]))
        # rebuild the string right to left; a span overlapping one already replaced is skipped
        pieces, applied_from = [], b  # the output right to left: kept text and stand-ins
        target_span = (max(target[0], a), min(target[1], b))
        for item in sorted({r if len(r) == 3 else (*r, None) for r in replace}, key=itemgetter(0, 1), reverse=True):
            rs, re_, token = max(item[0], a), min(item[1], b), item[2]
            if re_ > rs and re_ <= applied_from:
                if token is None:
                    token = _TARGET if (rs, re_) == target_span else _MASK
                pieces += (text[re_:applied_from], token)
                applied_from = rs
        pieces.append(text[a:applied_from])
        return _NOT_ONLY_RE.sub("only", "".join(reversed(pieces)))

    def _compound(self, masked: str) -> float:
        """VADER's compound score of ``masked``, each word's valence weighted by its distance
        (in words) to the target: full weight within ``window`` words, ``window / distance`` beyond."""
        memo = self._compound_memo.current()
        key = (self.window, masked)
        score = memo.get(key)
        if score is None:
            score = memo[key] = self._weighted_compound(masked)
        return score

    def _weighted_compound(self, masked: str) -> float:
        v = self._vader
        if self.window is None or _TARGET not in masked:
            return _vader_compound(v, masked)
        scored = _vader_valences(v, masked.strip())
        if scored is None:  # no sentiment word: VADER's compound is 0.0 whatever the weights
            return 0.0
        _, low, sentiments = scored
        tpos = [i for i, w in enumerate(low) if _TARGET in w]
        if tpos:
            for i, x in enumerate(sentiments):
                if not x:
                    continue  # a zero stays zero (VADER scores 0 and 0.0 alike)
                d = min(abs(i - t) for t in tpos)
                if d > self.window:
                    sentiments[i] = x * self.window / d
        return v.score_valence(sentiments, masked)["compound"]

    def _share_token(self, form: str, entry: LexiconEntry, i: int, slot, target_tok: int) -> str | None:
        """A stand-in token carrying a share of the word's valence for the *other* participant
        of a role word (the doer of "accuse", the victim of "attack"); ``None`` = neutral mask."""
        if slot is None or target_tok not in slot:
            return None
        agent, patient = slot
        share = self.doer_share if (entry.role == "patient" and agent == target_tok) else (
            self.victim_share if (entry.role == "agent" and patient == target_tok) else 0.0)
        if share == 0.0:
            return None
        token = f"zzshare{'d' if entry.role == 'patient' else 'v'}{round(share * 100)}" + re.sub(r"\W", "", form)
        self._vader.lexicon.setdefault(token, round(entry.valence * share, 3))
        return token

    def _slots(self, words, i, ents, role_idx, patient_slot) -> tuple[int | None, int | None]:
        """(agent entity token, patient entity token) of the role word at token ``i``."""
        w = words[i][2]
        prev = words[i - 1][2] if i > 0 else ""
        prev2 = words[i - 2][2] if i > 1 else ""
        passive = (w.endswith("ed") or w.endswith("en")) and (prev in _PASSIVE_AUX or (prev.endswith("ly") and prev2 in _PASSIVE_AUX))
        marked_patient = prev in _PATIENT_MARKERS or prev2 in _PATIENT_MARKERS
        nxt_role = next((j for j in role_idx if j > i), len(words))
        agent = patient = None
        # right side: entities up to the next role word
        for e in ents:
            if i < e <= nxt_role:
                k = e - 1
                while k > i and words[k][2] in _SKIP:
                    k -= 1
                if k > i and words[k][2] in _BY_FROM:
                    if agent is None:
                        agent = e
                elif k > i and (words[k][2] == "including" or (words[k][2] == "as" and words[k - 1][2] == "such")):
                    if agent is None:  # "threats such as X": X is the threat's doer
                        agent = e
                elif patient is None and not passive:
                    patient = e
        # left side: nearest entity not separated by a patient-role word and not another act's object
        left = None
        # the last patient-role word before i, and the first role word: the two tests below in
        # O(1) per entity (they were scans of every role word, cubic in run-on sentences)
        last_patient = max((j for j in role_idx if j < i and self._entries[words[j][2]].role == "patient"), default=-1)
        first_role = role_idx[0] if role_idx else len(words)
        for e in sorted((e for e in ents if e < i), reverse=True):
            if last_patient > e:  # a patient-role word between e and i
                break
            if e in patient_slot and first_role < e:  # e is another act's object
                continue
            left = e
            break
        if left is not None:
            if passive or marked_patient:
                if patient is None:
                    patient = left
            elif agent is None:
                agent = left
        return agent, patient

    # ---- public
    def score(self, text: str, start: int, end: int, others: Iterable[tuple[int, int]] | None = None) -> float:
        """Stance of ``text`` toward the mention ``text[start:end]``, in [-1, 1].

        ``others``: ``(start, end)`` spans of other entities in the text (other countries,
        persons); they bound the clause scope and their words are never the target's. When
        ``None``, capitalised words are taken as the other entities.
        """
        _check_span(text, start, end)
        if not text or text.isspace() or start == end:  # = not text.strip(), without copying the text
            return 0.0
        s0, s1 = self._sentence_span(text, start, end)
        if others is None:
            others_l = [(m.start(), m.end()) for m in _CAPITALISED_RE.finditer(text, s0, s1)
                        if not (m.start() < end and start < m.end()) and m.start() > s0]
        else:
            others_l = sorted((int(o0), int(o1)) for o0, o1 in others
                              if not (o0 == start and o1 == end) and s0 <= o0 < s1)
        return self._score_sorted(text, s0, s1, start, end, others_l, [o for o, _ in others_l])

    def _score_sorted(self, text: str, s0: int, s1: int, start: int, end: int,
                      others: Sequence[tuple[int, int]], ostarts: Sequence[int]) -> float:
        """:meth:`score` of a mention of the sentence ``text[s0:s1]``; ``others`` sorted by start
        (``ostarts`` their starts; spans outside the sentence and the mention's own span are ignored). Work per mention is bounded by
        the scope window (``MAX_SCOPE_WORDS``), not by the sentence: linear in long texts."""
        a, b = self._window(text, *self._scope(text, s0, s1, start, ostarts), start, end)
        near = [o for o in others[bisect_left(ostarts, a):bisect_left(ostarts, b)] if o != (start, end)]
        local = self._masked(text, a, b, (start, end), near)
        score = self._compound(local)
        if self.context_weight and (a, b) != (s0, s1):
            w0, w1 = self._window(text, s0, s1, start, end)
            whole = self._masked(text, w0, w1, (start, end), [o for o in others[bisect_left(ostarts, w0):bisect_left(ostarts, w1)] if o != (start, end)])
            ctx = self._compound(whole)
            score = (1 - self.context_weight) * score + self.context_weight * ctx
        return float(max(-1.0, min(1.0, score)))

    @staticmethod
    def _window(text: str, a: int, b: int, start: int, end: int) -> tuple[int, int]:
        """``[a, b)`` cut to the words within ``MAX_SCOPE_WORDS`` of the mention ``[start, end)``:
        farther words weigh little (``window / distance``) and made scoring quadratic in run-on
        sentences with many mentions. Clauses of ordinary length are returned unchanged."""
        if b - a <= 8 * MAX_SCOPE_WORDS:  # too short to hold more words than the window
            return a, b
        _, starts, ends = _word_tokens(text, a, b)
        if len(starts) <= 2 * MAX_SCOPE_WORDS:
            return a, b
        lo = bisect_left(ends, start + 1)  # the first word ending after the mention's start
        hi = bisect_left(starts, end)  # words before hi start before the mention's end
        wa = starts[lo - MAX_SCOPE_WORDS] if lo - MAX_SCOPE_WORDS > 0 else a
        wb = ends[hi + MAX_SCOPE_WORDS - 1] if hi + MAX_SCOPE_WORDS - 1 < len(ends) else b
        return min(wa, start), max(wb, end)

    def _entity_scores(self, text: str, spans: Sequence[tuple[int, int, object]]) -> list[float]:
        """Stance of ``text`` toward each entity of ``spans`` (``(start, end, entity)``, offsets
        into ``text``), in order of first appearance: the mean score of the entity's mentions,
        with the other entities' mentions as ``others``. Memoised on the whole input."""
        key = (self.scope, self.roles, self.context_weight, self.extend, self.window, self.contrast,
               self.doer_share, self.victim_share, text, tuple(spans))
        memo = self._sentence_memo.current()
        scores = memo.get(key)
        if scores is None:
            scores = []
            by_entity: dict = {}
            for s, e, c in spans:
                by_entity.setdefault(c, []).append((max(0, int(s)), min(len(text), int(e))))
            for entity, own in by_entity.items():
                # = score(text, s, e, others) for each mention, with the other entities' spans
                # sorted once per entity instead of filtered once per mention
                every = sorted((int(s), int(e)) for s, e, c in spans if c != entity)
                starts = [o for o, _ in every]
                vals = []
                for s, e in own:
                    _check_span(text, s, e)
                    if text.isspace() or s == e:
                        vals.append(0.0)
                        continue
                    s0, s1 = self._sentence_span(text, s, e)
                    vals.append(self._score_sorted(text, s0, s1, s, e, every, starts))
                scores.append(_mean(vals))
            memo[key] = scores = tuple(scores)
        return list(scores)

    def __repr__(self) -> str:
        return (f"TargetScorer(lexicon={self.lexicon!r}, scope={self.scope!r}, roles={self.roles}, "
                f"context_weight={self.context_weight}, extend={self.extend}, window={self.window}, contrast={self.contrast}, doer_share={self.doer_share}, victim_share={self.victim_share})")


@lru_cache(maxsize=1)
def default_scorer() -> TargetScorer:
    """The scorer :func:`target_sentiment` uses (built once per process)."""
    return TargetScorer()


def target_sentiment(text: str, start: int, end: int, others: Iterable[tuple[int, int]] | None = None) -> float:
    """Stance the text takes toward the entity at ``text[start:end]``, on VADER's compound scale.

    Target-dependent: only the clause around the mention counts, acts are credited to their
    doer or object by role ("North Korea threatens Japan": North Korea negative, Japan not),
    VADER handles negation and "but"; ``others`` are spans of other entities (optional).
    ``|score| < 0.05`` is neutral. Empty text or an empty span scores 0.0.
    """
    return default_scorer().score(text, start, end, others)


def label(score: float | np.ndarray | pd.Series, neutral_band: float = NEUTRAL_BAND):
    """-1/0/1 from a compound score: ``|score| < neutral_band`` is neutral (0)."""
    if not 0.0 <= neutral_band < 1.0:
        raise ParameterError(f"neutral_band must be in [0, 1), got {neutral_band!r}.")
    if isinstance(score, (pd.Series, np.ndarray)):
        s = np.asarray(score, dtype=float)
        out = np.where(s >= neutral_band, 1, np.where(s <= -neutral_band, -1, 0))
        return pd.Series(out, index=score.index) if isinstance(score, pd.Series) else out
    return 1 if score >= neutral_band else (-1 if score <= -neutral_band else 0)


# --------------------------------------------------------------------------- corpus level


def _check_scorer(scorer) -> None:
    from .stance import StanceModel

    if isinstance(scorer, (TargetScorer, StanceModel)):
        return
    if not isinstance(scorer, str) or scorer not in SCORERS:
        raise ParameterError(f"scorer must be one of {SCORERS} (or a TargetScorer/StanceModel object), got {scorer!r}.")


def learned_sentiment(text: str, start: int, end: int, others: Iterable[tuple[int, int]] | None = None) -> float:
    """Stance toward ``text[start:end]`` from the learned classifier (:mod:`trilat_lib.stance`),
    on the same [-1, 1] scale as :func:`target_sentiment` (``|score| < 0.05`` = neutral)."""
    from .stance import default_model

    return default_model().score(text, start, end, others)


def country_sentiment(corpus, scorer=DEFAULT_SCORER, mentions: pd.DataFrame | None = None,
                      neutral_band: float = NEUTRAL_BAND) -> pd.DataFrame:
    """One row per (sentence, country mentioned): the stance of the sentence toward the country.

    Columns: ``doc_id, sentence_id, country, score, label (-1/0/1), n_mentions, mentions``
    (mention texts joined by " | "), ``mention_spans`` (doc offsets), ``sentence, outlet,
    published, date_precision, title``. With several mentions of one country in a sentence the score is their
    mean. ``scorer``: ``"learned"`` (default, the NewsMTSC-trained classifier), ``"target"``
    (the rule scorer, :func:`target_sentiment`) or ``"sentence"`` (every country gets the
    sentence's plain VADER tone); a :class:`TargetScorer` or ``stance.StanceModel`` also works.
    ``mentions`` defaults to :func:`trilat_lib.countries.country_mentions` of the corpus.
    """
    _check_scorer(scorer)
    label(0.0, neutral_band)  # validates the band
    if mentions is None:
        try:
            from .countries import country_mentions
        except ImportError as e:  # pragma: no cover - depends on the sibling module
            raise ParameterError("country_sentiment needs trilat_lib.countries (find the mentions) or an explicit "
                                 f"'mentions' DataFrame: {e}") from None
        mentions = country_mentions(corpus)
    need = {"doc_id", "sentence_id", "start", "end", "text", "country"}
    missing = need - set(mentions.columns)
    if missing:
        raise ParameterError(f"mentions is missing columns {sorted(missing)}; it needs {sorted(need)}.")
    if scorer == "learned":
        from .stance import default_model
        target = default_model()
    else:
        target = default_scorer() if scorer == "target" else scorer
    docs = {d.doc_id: d for d in corpus}
    # Grouped with plain lists, not DataFrame.groupby: this runs once per document in the
    # annotation pipeline, where pandas' per-group indexing cost more than the scoring.
    # Same groups in the same order as groupby(["doc_id", "sentence_id"], sort=False), which
    # drops rows with a missing key (heading mentions have no sentence_id).
    if mentions["doc_id"].hasnans or mentions["sentence_id"].hasnans:
        mentions = mentions[mentions["doc_id"].notna() & mentions["sentence_id"].notna()]
    groups: dict[tuple, list[tuple]] = {}
    for doc_id, sid, s, e, c, t in zip(*(mentions[col].tolist() for col in
                                         ("doc_id", "sentence_id", "start", "end", "country", "text"))):
        groups.setdefault((doc_id, sid), []).append((s, e, c, t))
    rows = []
    tones: dict[str, float] = {}  # sentence scorer: each distinct sentence scored once per call
    for (doc_id, sid), grp in groups.items():
        doc = docs.get(doc_id)
        if doc is None:
            raise ParameterError(f"mentions refer to doc_id {doc_id!r}, which is not in the corpus.")
        sid = int(sid)
        if not 0 <= sid < len(doc.sentences):
            raise ParameterError(f"mentions refer to sentence_id {sid} of {doc_id!r}, which has "
                                 f"{len(doc.sentences)} sentences.")
        sent = doc.sentences[sid]
        stext = sent.text
        own: dict = {}  # country -> its mentions (start, end, text), countries in order of first mention
        for s, e, c, t in grp:
            own.setdefault(c, []).append((int(s), int(e), t))
        if scorer == "sentence":
            tone = tones.get(stext)
            if tone is None:
                tone = tones[stext] = sentence_sentiment(stext)
            scores = [tone] * len(own)
        else:
            scores = target._entity_scores(stext, [(int(s) - sent.start, int(e) - sent.start, c) for s, e, c, _ in grp])
        for (country, ms), score in zip(own.items(), scores):
            rows.append((
                doc_id, sid, country, score, 0, len(ms),  # label: set below, for all rows at once
                " | ".join([t for _, _, t in ms]), ";".join([f"{s}-{e}" for s, e, _ in ms]),
                stext, doc.outlet, doc.published, getattr(doc, "date_precision", None), doc.title,
            ))
    if not rows:
        df = pd.DataFrame([], columns=SENTENCE_COLUMNS)
        df["score"] = df["score"].astype(float)
        df["label"] = df["label"].astype(int)
        df["n_mentions"] = df["n_mentions"].astype(int)
        return df
    columns = dict(zip(SENTENCE_COLUMNS, map(list, zip(*rows))))
    for col, dtype in (("score", float), ("n_mentions", int)):
        columns[col] = np.array(columns[col], dtype=dtype)
    columns["label"] = label(columns["score"], neutral_band).astype(int)
    return pd.DataFrame(columns)  # already in SENTENCE_COLUMNS order (columns= would reindex)


def _mean(values: list[float]) -> float:
    """``float(np.mean(values))``; a single value (the usual case) skips numpy's call overhead.
    numpy's sum starts from +0.0, hence ``+ 0.0`` (turns -0.0 into 0.0 exactly as np.mean does)."""
    return values[0] + 0.0 if len(values) == 1 else float(np.mean(values))


# --------------------------------------------------------------------------- aggregation


_BOOT_BLOCK = 1 << 18  # resampled values held at once: cache-sized blocks are about twice as fast as big ones
_BOOT_MEMO_MIN = 1 << 20  # a group with at least this many resampled values has its CI memoised
_boot_memo: dict[tuple, tuple[float, float]] = {}


def _int_seed(random_state) -> bool:
    return isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool)


def _pairwise_sum(column, n: int):
    """numpy's pairwise sum of a contiguous row of ``n <= 128`` values (``row.sum()``: 8 running
    partial sums, then a fixed tree), replayed on whole columns: ``column(j)`` is the array of
    the ``j``-th values of many rows. Same operations in the same order, so the same bits, with
    no per-row call (a reduction over short rows spends its time starting and ending rows)."""
    if n < 8:
        total = 0.0
        for j in range(n):
            total = total + column(j)
        return 0.0 + total
    r = [column(j) for j in range(8)]
    end = n - n % 8
    for i in range(8, end, 8):
        for j in range(8):
            r[j] += column(i + j)
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for j in range(end, n):
        total += column(j)
    return 0.0 + total  # a reduction starts from the identity, 0.0


def _boot_means(x: np.ndarray, n_boot: int, random_state) -> np.ndarray:
    """Bootstrap means ``(groups, n_boot)`` of the rows of ``x`` (groups of one size ``n``): row ``i``
    is ``x[i][rng.integers(0, n, size=(n_boot, n))].mean(axis=1)``, ``rng = default_rng(random_state)``,
    bit for bit.

    Every row uses the same draws (the caller passes one row unless the seed is an integer, when
    each group's fresh generator draws the same indices). Short rows are summed column by column
    (:func:`_pairwise_sum`); long ones are drawn in blocks of resamples (the generator's stream
    does not depend on how a request is split) and each mean is taken over a contiguous row, as
    in a single call (``np.take`` keeps rows contiguous, ``x[:, idx]`` would not).
    """
    g, n = x.shape
    rng = np.random.default_rng(random_state)
    out = np.empty((g, n_boot))
    if n <= 64:
        idx = rng.integers(0, n, size=(n_boot, n)).T.copy()  # idx[j]: the j-th draw of every resample
        chunk = max(1, _BOOT_BLOCK // (n_boot * n))  # groups resampled at once
        for a in range(0, g, chunk):
            xa = x[a:a + chunk]
            out[a:a + chunk] = _pairwise_sum(lambda j: np.take(xa, idx[j], axis=1), n) / n
        return out
    rows = max(1, _BOOT_BLOCK // n)
    chunk = max(1, _BOOT_BLOCK // (min(rows, n_boot) * n))
    for b in range(0, n_boot, rows):
        idx = rng.integers(0, n, size=(min(rows, n_boot - b), n))
        for a in range(0, g, chunk):
            out[a:a + chunk, b:b + len(idx)] = np.take(x[a:a + chunk], idx, axis=1).mean(axis=-1)
    return out


def _bootstrap_cis(x: np.ndarray, n_boot: int, ci: float, random_state) -> np.ndarray:
    """``(2, groups)`` array of :func:`bootstrap_ci` of each row of ``x`` (groups of one size).
    Large groups are memoised by content: a notebook aggregates the same rows more than once."""
    g, n = x.shape
    if n < 2:
        return np.full((2, g), np.nan)
    seeded = _int_seed(random_state)
    if g > 1 and not seeded:  # no shared draws: each group has its own entropy or continues a Generator
        return np.hstack([_bootstrap_cis(row[None], n_boot, ci, random_state) for row in x])
    key = None
    if seeded and g == 1 and n * n_boot >= _BOOT_MEMO_MIN:
        key = (n_boot, ci, int(random_state), n, hashlib.blake2b(x.tobytes(), digest_size=16).digest())
        if key in _boot_memo:
            return np.array(_boot_memo[key])[:, None]
    alpha = (1 - ci) / 2
    out = np.quantile(_boot_means(x, n_boot, random_state), [alpha, 1 - alpha], axis=1, overwrite_input=True)
    if key is not None:
        if len(_boot_memo) >= 4096:  # small entries; every group of a notebook's tables fits
            del _boot_memo[next(iter(_boot_memo))]
        _boot_memo[key] = (out[0, 0], out[1, 0])
    return out


def bootstrap_ci(values: Sequence[float], n_boot: int = 2000, ci: float = 0.95,
                 random_state: int = 0) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean (seeded). ``(nan, nan)`` for fewer than 2 values."""
    x = np.asarray(values, dtype=float)
    if len(x) < 2:
        return float("nan"), float("nan")
    lo, hi = _bootstrap_cis(x[None], n_boot, ci, random_state)[:, 0]
    return float(lo), float(hi)


def _row_means(x: np.ndarray) -> np.ndarray:
    """``pd.Series(row).mean()`` of each row of ``x``, bit for bit: NaNs are skipped (pandas sums
    them as 0.0 and divides by the count of the others)."""
    nan = np.isnan(x)
    if not nan.any():
        return x.sum(axis=1) / x.shape[1]
    count = x.shape[1] - nan.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, np.where(nan, 0.0, x).sum(axis=1) / count, np.nan)


def aggregate(df: pd.DataFrame, by: str | Sequence[str] = "country", n_boot: int = 2000, ci: float = 0.95,
              random_state: int = 0, neutral_band: float | None = None, min_sentences: int = 1) -> pd.DataFrame:
    """Mean stance per group with its bootstrap CI and counts — never a mean without its count.

    ``df`` is a :func:`country_sentiment` table; ``by`` any of its columns (e.g. ``"country"``,
    ``["country", "doc_id"]``, ``["country", "outlet"]``, ``["country", "period"]``). Columns:
    ``by…, n_sentences, n_mentions, n_docs, mean, ci_low, ci_high, share_positive,
    share_neutral, share_negative``. ``neutral_band`` relabels; ``None`` uses ``df.label``.
    Groups with fewer than ``min_sentences`` sentences are dropped.
    """
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in by + ["score"] if c not in df.columns]
    if missing:
        raise ParameterError(f"aggregate: columns {missing} not in the table; available: {list(df.columns)}.")
    if not 0 < ci < 1:
        raise ParameterError(f"ci must be between 0 and 1, got {ci!r}.")
    if int(n_boot) < 1:
        raise ParameterError(f"n_boot must be a positive integer, got {n_boot!r}.")
    cols = by + ["n_sentences", "n_mentions", "n_docs", "mean", "ci_low", "ci_high",
                 "share_positive", "share_neutral", "share_negative"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    labels = np.asarray(label(df["score"], neutral_band) if neutral_band is not None else df["label"])
    groups = [(key, idx) for key, idx in df.groupby(by, sort=True, dropna=False).indices.items()
              if len(idx) >= min_sentences]
    if not groups:
        return pd.DataFrame([], columns=cols)
    scores = df["score"].to_numpy(dtype=float)
    n_mentions = df["n_mentions"].to_numpy() if "n_mentions" in df else None
    # Groups of one size are computed together, as matrices of their rows' positions: per-group
    # pandas/numpy calls cost more than the bootstrap itself with thousands of (country,
    # document) groups, and with an integer seed all groups of a size share the resample draws.
    sizes = np.array([len(idx) for _, idx in groups])
    stats = np.empty((7, len(groups)))  # mean, ci_low, ci_high, shares +/0/-, n_mentions
    seeded = _int_seed(random_state)
    for n in np.unique(sizes):
        sel = np.flatnonzero(sizes == n)
        pos = np.stack([groups[j][1] for j in sel])
        lab = labels[pos]
        stats[0, sel] = _row_means(scores[pos])
        if seeded:
            stats[1:3, sel] = _bootstrap_cis(scores[pos], n_boot, ci, random_state)
        stats[3:6, sel] = [(lab == 1).mean(axis=1), (lab == 0).mean(axis=1), (lab == -1).mean(axis=1)]
        stats[6, sel] = n_mentions[pos].sum(axis=1) if n_mentions is not None else n
    if not seeded:  # a Generator's stream runs through the groups in order
        for j, (_, idx) in enumerate(groups):
            stats[1:3, j] = bootstrap_ci(scores[idx], n_boot=n_boot, ci=ci, random_state=random_state)
    if "doc_id" not in df:
        n_docs = [np.nan] * len(groups)
    elif "doc_id" in by:
        n_docs = [1] * len(groups)
    else:
        doc_ids = df["doc_id"].to_numpy()
        n_docs = [len(set(doc_ids[idx].tolist())) for _, idx in groups]
    keys = [key if isinstance(key, tuple) else (key,) for key, _ in groups]
    out = dict(zip(by, map(list, zip(*keys))))
    out.update(n_sentences=sizes, n_mentions=stats[6].astype(np.int64), n_docs=n_docs, mean=stats[0],
               ci_low=stats[1], ci_high=stats[2], share_positive=stats[3], share_neutral=stats[4],
               share_negative=stats[5])
    return pd.DataFrame(out, columns=cols)


def by_country(df: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """:func:`aggregate` per country, sorted from most negative to most positive mean."""
    return aggregate(df, "country", **kwargs).sort_values("mean").reset_index(drop=True)


def by_country_document(df: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """:func:`aggregate` per country × document."""
    return aggregate(df, ["country", "doc_id"], **kwargs)


def by_country_outlet(df: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """:func:`aggregate` per country × outlet."""
    return aggregate(df.assign(outlet=df["outlet"].fillna("unknown")), ["country", "outlet"], **kwargs)


def by_country_period(df: pd.DataFrame, freq: str = "M", **kwargs) -> pd.DataFrame:
    """:func:`aggregate` per country × publication period (``freq``: "D", "M", "Q", "Y").

    Sentences of undated documents are left out (their count is in no row).
    """
    if freq not in ("D", "M", "Q", "Y"):
        raise ParameterError(f"freq must be 'D', 'M', 'Q' or 'Y', got {freq!r}.")
    # only the columns aggregate reads (copying the text columns cost more than the rest), and
    # each distinct date converted once
    dated = df.loc[df["published"].notna().to_numpy(),
                   [c for c in df.columns if c in ("country", "score", "label", "n_mentions", "doc_id", "published")]]
    codes, dates = pd.factorize(dated.pop("published"))
    dated["period"] = pd.PeriodIndex(pd.to_datetime(dates), freq=freq).astype(str)[codes]
    return aggregate(dated, ["country", "period"], **kwargs)


def evidence(df: pd.DataFrame, country: str, n: int = 3, positive: bool = True) -> pd.DataFrame:
    """The ``n`` most positive (or negative) sentences about ``country``, strongest first."""
    # = df[df.country == country].sort_values("score", ...), filtered by sign, head(n): the scores
    # alone are sorted (same values, same unstable sort, so ties come out in the same order) and
    # only the n rows picked are copied
    pos = np.flatnonzero((df["country"] == country).to_numpy(dtype=bool, na_value=False))
    s = pd.Series(df["score"].to_numpy()[pos], index=pos).sort_values(ascending=not positive)
    s = s[s > 0] if positive else s[s < 0]
    return df.iloc[s.index[:n]].reset_index(drop=True)


def highlight(sentence: str, mentions: str, marker: tuple[str, str] = ("**", "**")) -> str:
    """``sentence`` with each mention text (" | "-joined, as in the table) wrapped in ``marker``."""
    out = sentence
    for m in sorted(set(filter(None, (mentions or "").split(" | "))), key=len, reverse=True):
        out = re.sub(rf"(?<![\w*]){re.escape(m)}(?![\w*])", lambda mm: f"{marker[0]}{mm.group()}{marker[1]}", out)
    return out


def compare_scorers(corpus, mentions: pd.DataFrame | None = None, neutral_band: float = NEUTRAL_BAND) -> pd.DataFrame:
    """Target-dependent vs sentence-level scores side by side, one row per (sentence, country).

    Columns: the keys, ``score_target``, ``score_sentence``, ``label_target``,
    ``label_sentence``, ``agree`` (same label), plus ``mentions`` and ``sentence``.
    """
    if mentions is None:
        from .countries import country_mentions
        mentions = country_mentions(corpus)
    return scorer_agreement(country_sentiment(corpus, "target", mentions, neutral_band),
                            country_sentiment(corpus, "sentence", mentions, neutral_band))


def scorer_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Several scorers' :func:`country_sentiment` tables (same mentions) side by side, one row per
    (sentence, country): ``doc_id, sentence_id, country, score_<name>, label_<name>`` for each
    ``name`` of ``tables`` (in order), then ``mentions`` and ``sentence``."""
    if not tables:
        raise ParameterError("tables: pass at least one {scorer name: country_sentiment table}.")
    keys = ["doc_id", "sentence_id", "country"]
    out = None
    for name, df in tables.items():
        missing = {*keys, "score", "label", "mentions", "sentence"} - set(df.columns)
        if missing:
            raise ParameterError(f"tables[{name!r}]: not a country_sentiment table (missing {sorted(missing)}).")
        part = df[keys + ["score", "label"]].rename(columns={"score": f"score_{name}", "label": f"label_{name}"})
        out = df[keys + ["mentions", "sentence"]].merge(part, on=keys) if out is None else out.merge(part, on=keys)
    return out[keys + [c for c in out.columns if c.startswith(("score_", "label_"))] + ["mentions", "sentence"]]


def scorer_agreement(target: pd.DataFrame, sentence: pd.DataFrame) -> pd.DataFrame:
    """:func:`compare_scorers` from two :func:`country_sentiment` tables already computed
    (target and sentence scorer, same mentions), so a notebook need not score twice."""
    keys = ["doc_id", "sentence_id", "country"]
    for name, df in (("target", target), ("sentence", sentence)):
        missing = {*keys, "score", "label"} - set(df.columns)
        if missing:
            raise ParameterError(f"{name}: not a country_sentiment table (missing {sorted(missing)}).")
    out = target[keys + ["score", "label", "mentions", "sentence"]].merge(
        sentence[keys + ["score", "label"]], on=keys, suffixes=("_target", "_sentence"))
    out["agree"] = out["label_target"] == out["label_sentence"]
    return out


def relabel(df: pd.DataFrame, neutral_band: float = NEUTRAL_BAND) -> pd.DataFrame:
    """A copy of a :func:`country_sentiment` table with ``label`` recomputed for another
    ``neutral_band`` (e.g. on cached annotations, which use the default band)."""
    return df.assign(label=label(df["score"], neutral_band).astype(int))
