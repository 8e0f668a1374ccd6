"""Cleaning scraped news pages down to the article body, with an audit of every removal.

Design: a page is split into units (one per line, or one per blank-line block when the
text is hard-wrapped). Each unit is classified by small, general rules; none of them
names a particular site or article:

1. **Page furniture anywhere** (:data:`FURNITURE_RULES`): social/share buttons, navigation,
   "Buy now"/"Subscribe" calls to action, cookie banners, weather and date headers, bylines,
   image file names, photo captions and credits, "READ ALSO:" inserts, advertisements,
   section labels ("Analysis | Asia-Pacific").
2. **The title** (the manifest title, or detected: the first title-like line before the body).
3. **Where the body starts**: the first substantial prose paragraph (two or more sentences
   or 25+ words), plus any short prose lines directly before it. Short prose before that
   (after the title) is the standfirst.
4. **Where the article ends**: the first end-of-article marker after the body started
   (copyright line, "Related Articles", "Latest", "Most read", comment forms, "keep reading",
   tags, credits such as "Reporting by"), a header label that comes back after the body
   (the next article's label), a run of truncated paragraphs at the foot of the page
   (teasers cut mid-sentence), and an author bio as the body's last paragraph.
   Everything after the end is removed.
5. **Inside the body**: pull quotes (a one-sentence paragraph that repeats a long run of
   words of a nearby sentence) are removed; short lines without final punctuation that
   introduce body text are kept as headings.

Kept units become paragraphs of the cleaned text, verbatim (only leading/trailing
whitespace of each line is stripped), separated by a blank line; removed units go to the
audit with the rule that removed them and a human reason, so a researcher can check every
decision. The public entry point is :func:`clean_page`.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from . import text as _text


@dataclass(frozen=True)
class AuditEntry:
    """One removed line: 1-based line number in the raw file, its text, the rule that removed it."""

    line: int
    text: str
    rule: str
    reason: str = ""


@dataclass(frozen=True)
class Paragraph:
    """A kept block of the cleaned text: character offsets into ``text`` and its kind."""

    start: int
    end: int
    kind: str  # "body" or "heading"
    line: int  # 1-based line number in the raw file


@dataclass
class CleanedPage:
    """The result of cleaning one page."""

    text: str
    paragraphs: list[Paragraph]
    audit: list[AuditEntry] = field(default_factory=list)
    title: str | None = None

    @property
    def body_paragraphs(self) -> list[Paragraph]:
        """The body paragraphs (headings excluded)."""
        return [p for p in self.paragraphs if p.kind == "body"]

    @property
    def headings(self) -> list[Paragraph]:
        """The paragraphs kept as section headings."""
        return [p for p in self.paragraphs if p.kind == "heading"]

    def rule_counts(self) -> dict[str, int]:
        """How many lines each rule removed, most frequent first."""
        return dict(Counter(a.rule for a in self.audit).most_common())


# --------------------------------------------------------------------------- line features

_WORD_RE = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
# a line "ends like a sentence": final punctuation, then closing quotes/brackets (and a stray opener).
# Possessive: " and ' are in both classes, so a long run of them after a full stop and before
# other text was split between the classes every possible way (quadratic); the match is the
# same, since what the first class gives back the second must take anyway.
_TERMINAL_RE = re.compile(r"[.!?…][\"'”’»)\]]*+[\s“\"'‘]*+$")
_SOFT_END_RE = re.compile(r"[:;,–—-][\"'”’»)\]]*$")


def _words(s: str) -> list[str]:
    return _WORD_RE.findall(s)


# The cleaner asks the same questions of a line many times (word count, flattened form, word
# tokens); these caches, keyed by the line's text, answer the repeats without re-scanning it.
@lru_cache(maxsize=8192)
def _n_words(s: str) -> int:
    return len(_words(s))


def _ends_sentence(s: str) -> bool:
    return bool(_TERMINAL_RE.search(s))


def _is_prose(s: str) -> bool:
    """A line that reads like a sentence: ends with final punctuation and has 4+ words."""
    return _ends_sentence(s) and _n_words(s) >= 4


@lru_cache(maxsize=8192)
def _sentence_spans(s: str) -> tuple[tuple[int, int], ...]:
    return tuple(_text.split_sentences(s))


def _n_sentences(s: str) -> int:
    return len(_sentence_spans(s))


def _is_strong(s: str) -> bool:
    """A substantial prose paragraph: 2+ sentences or 25+ words."""
    return _is_prose(s) and (_n_words(s) >= 25 or _n_sentences(s) >= 2)


def _is_short_label(s: str, max_words: int = 14) -> bool:
    """A short line without sentence or clause punctuation at its end (title, heading, label)."""
    return not _ends_sentence(s) and not _SOFT_END_RE.search(s) and 0 < _n_words(s) <= max_words


@lru_cache(maxsize=8192)
def _norm(s: str) -> str:
    """Comparison key: NFKC, case-folded, straight quotes, single spaces, no edge punctuation."""
    s = unicodedata.normalize("NFKC", s).casefold()
    s = s.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"}))
    s = re.sub(r"\s+", " ", s)
    return s.strip(" \t.:;,!?\"'|-")


# --------------------------------------------------------------------------- rules

_I = re.IGNORECASE
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAYS = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
_TIME = r"(?:\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?|\d{1,2}\s*[ap]\.?m\.?)"
_DATE = (rf"(?:{_WEEKDAYS},?\s+)?(?:{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|"
         rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|"
         rf"\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}|{_MONTHS}\s+\d{{4}})")
_NAME = r"[A-Z][\w'’.]*(?:-[\w'’]+)*"

_AGENCIES = (r"REUTERS|Reuters|AP|AFP|Getty Images|EPA|Yonhap|Kyodo|Xinhua|Bloomberg|Shutterstock|"
             r"ABACAPRESS(?:\.COM)?|Pool|File|Handout|iStock|Alamy|Anadolu")


@dataclass(frozen=True)
class Rule:
    """A furniture rule: ``name``, a regex tried on the stripped line, a reason, whether the line
    marks the end of the article (``terminal``) and the most whitespace-separated words a
    matching line may have (so a long body paragraph is never taken for furniture)."""

    name: str
    pattern: re.Pattern
    reason: str
    terminal: bool = False
    max_words: int = 14
    # optional cheap test that every match passes, tried first to skip a costly regex search
    precheck: Callable[[str], bool] | None = None


def _r(name: str, pattern: str, reason: str, terminal: bool = False, max_words: int = 14, flags: int = _I,
       precheck: Callable[[str], bool] | None = None) -> Rule:
    return Rule(name, re.compile(pattern, flags), reason, terminal, max_words, precheck)


_PHOTO_WORD_RE = re.compile(r"photo|image|picture", _I)


def _may_be_caption(s: str) -> bool:
    """Necessary for the photo-caption rule: each of its alternatives needs a colon, a bracket or
    a slash, except "Photo by Name" which has no full stop from "photo/image/picture" to the end."""
    return any(c in s for c in ":([/") or _PHOTO_WORD_RE.search(s, s.rfind(".") + 1) is not None


#: Page-furniture rules, tried in order on every line; the first match wins.
FURNITURE_RULES: list[Rule] = [
    # ---- end-of-article markers (terminal)
    _r("copyright", r"^(?:copyright\b|©|\(c\)\s*\d{4}|all rights reserved)|all rights reserved\.?$",
       "copyright line: the article has ended", True, 25),
    _r("related-links", r"^(?:related|(?:related|more|recommended|similar|further|other|popular)"
       r"\s+(?:articles?|posts?|stories|story|reading|news|content|coverage|links|topics|videos))"
       r"(?:\s+(?:from|on|in|about)\s+.{1,40})?\s*:?$",
       "list of related articles: the article has ended", True, 8),
    _r("latest-list", r"^(?:latest|most\s+(?:read|popular|viewed|shared|commented|recent)|trending"
       r"|top\s+stories|editor'?s\s+picks|you\s+(?:may|might)\s+also\s+(?:like|enjoy)|recommended\s+for\s+you"
       r"|read\s+next|up\s+next|what\s+to\s+read\s+next|don'?t\s+miss|in\s+case\s+you\s+missed\s+it"
       r"|more\s+from\s+.{1,40}|more\s+in\s+.{1,40})"
       r"(?:\s+(?:articles?|news|stories|posts|headlines|videos|now))?\s*:?$",
       "list of other articles (latest / most read): the article has ended", True, 8),
    _r("comment-form", r"^(?:please\s+enter\s+your\s+(?:comment|name|email)|leave\s+a\s+(?:reply|comment)"
       r"|(?:post|submit|add)\s+(?:a\s+|your\s+)?comment|comments?\s+are\s+closed|save\s+my\s+name,?\s+email"
       r"|you\s+must\s+be\s+logged\s+in\s+to|join\s+the\s+(?:conversation|discussion)|\d+\s+(?:comments?|responses?|replies)$"
       r"|comments?(?:\s*\(\d+\))?$|your\s+email\s+address\s+will\s+not\s+be\s+published"
       r"|cancel\s+reply)",
       "comment form: the article has ended", True, 25),
    _r("newsletter-box", r"^(?:stay\s+connected|connect\s+with\s+us|follow\s+us)\s*:?$",
       "'stay connected' box: the article has ended", True, 5),
    _r("teaser-expander", r"^(?:keep\s+reading|show\s+(?:less|more))(?:\s*(?:show\s+(?:less|more)|»|›|→|\.\.\.|…))*$",
       "'keep reading' link of a teaser: the article has ended", True, 8),
    _r("about-author", r"^about\s+the\s+(?:authors?|writers?|contributors?)\s*:?$",
       "'about the author' box: the article has ended", True, 5),
    _r("tags", r"^(?:tags|topics|filed\s+under|categories|category|posted\s+in|more\s+on)\s*:",
       "tag / category list: the article has ended", True, 40),
    _r("credits", r"^(?:\(?(?:additional\s+)?reporting|writing|editing|edited|compiled|translated|"
       r"produced|fact-checked)\s+by\b",
       "reporting/editing credits: the article has ended", True, 40),
    _r("republication-note", r"^(?:this\s+(?:article|story|piece|commentary|op-ed|column|essay)\s+"
       r"(?:was|has\s+been|is)\s+(?:first\s+|originally\s+|also\s+)?(?:published|posted|updated|adapted|produced"
       r"|republished|reprinted|translated|corrected|amended|appeared)\b|(?:it\s+was\s+)?originally\s+published\b"
       r"|first\s+published\s+(?:in|by|on)\b|the\s+(?:views|opinions)\s+expressed\b"
       r"|a\s+version\s+of\s+this\s+(?:article|story|piece)\s+(?:first\s+)?(?:appeared|was\s+published|ran)\b)",
       "republication / disclaimer note at the foot of the article", True, 45),
    # ---- furniture that may appear anywhere (not terminal)
    _r("read-more-link", r"^(?:read\s+(?:the\s+)?(?:full|more|rest)(?:\s+(?:story|article|of\s+the\s+(?:story|article)))?"
       r"|continue\s+reading)(?:\s*(?:»|›|→|\.\.\.|…))?$",
       "'read more' link", False, 8),
    _r("insert", r"^(?:read\s+also|also\s+read|read\s+more|see\s+also|related|more|recommended|watch|listen"
       r"|must\s+read|suggested|further\s+reading|also\s+on\s+[\w ]+|read)\s*(?:[:|>»]|\s[–—-]|[–—])+\s*\S",
       "'READ ALSO'-style link to another article inserted in the body", False, 30),
    _r("advertisement", r"^[-–—\s]*(?:advertisement|advertising|sponsored(?:\s+content)?|promoted\s+content"
       r"|paid\s+(?:content|post)|ad|story\s+continues\s+below(?:\s+advertisement)?"
       r"|article\s+continues\s+(?:below|after\s+(?:this\s+)?(?:advertisement|ad))"
       r"|continue\s+reading\s+(?:the\s+main\s+story|below))\b[-–—\s]*\S{0,12}$",
       "advertisement placeholder", False, 8),
    _r("social", r"^(?:follow\s+us(?:\s+on\s+[\w ]+)?|share(?:\s+(?:this|the))?(?:\s+(?:article|story|post|page))?"
       r"(?:\s+(?:on|via)\s+[\w ]+)?|tweet(?:\s+this)?|facebook|twitter|x|linkedin|whatsapp|telegram|reddit"
       r"|pinterest|email|e-mail|print|copy\s+link|link\s+copied|flipboard|messenger|threads|bluesky"
       r"|(?:share|follow|like)\s+(?:on|us\s+on)\s+[\w ]+)\s*:?$",
       "social-media / sharing button", False, 6),
    _r("call-to-action", r"^(?:buy\s+now|subscribe(?:\s+(?:now|today|here))?|sign\s+(?:in|up|out)|log\s*(?:in|out)"
       r"|register|donate(?:\s+now)?|support\s+us|get\s+the\s+app|download\s+(?:the|our)\s+app|newsletters?"
       r"|already\s+a\s+subscriber.*|become\s+a\s+(?:member|subscriber).*|sign\s+up\s+(?:for|to)\b.*"
       r"|subscribe\s+(?:now\s+)?to\b.*|get\s+(?:our|the)\s+[\w ]*newsletter.*|try\s+\d+\s+days?\s+free.*)$",
       "subscription / sign-in / purchase call to action", False, 45),
    _r("navigation", r"^(?:skip\s+to\s+(?:main\s+)?content|skip\s+navigation|menu|main\s+menu|search|home|close"
       r"|open\s+menu|toggle\s+navigation|back\s+to\s+top|navigation|sections|more\s+sections|edition\s*:.*"
       r"|privacy\s+policy|terms\s+(?:of\s+(?:use|service)|and\s+conditions)|cookie\s+policy|contact\s+us|about\s+us)$",
       "site navigation / footer link", False, 8),
    _r("breadcrumbs", r"^[\w&'’ .-]+(?:\s+[>›»/]\s+[\w&'’ .-]+)+$", "breadcrumb navigation trail", False, 10),
    _r("cookie-banner", r"(?:^(?=.*\b(?:we|our|you|your)\b)(?:.*\bcookies?\b.*\b(?:use|accept|consent|policy|settings"
       r"|preferences|experience)\b|.*\b(?:use|accept|consent|policy|settings|preferences)\b.*\bcookies?\b)"
       r"|^(?:accept(?:\s+all)?(?:\s+cookies)?|reject\s+all|manage\s+(?:preferences|settings|cookies)|i\s+agree"
       r"|got\s+it|ok(?:ay)?)$)",
       "cookie-consent banner", False, 45),
    _r("image-file", r"^(?:[^\s]+\.(?:jpe?g|png|gif|webp|svg|tiff?|bmp|avif)|[^\s]*_[^\s]*_[^\s]{10,})$",
       "image file name left by the scraper", False, 1),
    _r("photo-caption", r"(?:^(?:top\s+)?(?:image|photo|picture|video|graphic|illustration|photograph)"
       r"(?:\s+(?:credit|courtesy|source|caption))?\s*:"
       r"|[\[(][^\[\]()]*\b(?:photo|image|picture|photograph|illustration|credit|courtesy)s?\b[^\[\]()]*[\])]\s*$"
       r"|[\[(][^\[\]()]*\b(?:" + _AGENCIES + r")\b[^\[\]()]*[\])]\s*$"
       r"|\b(?:photo(?:graph)?|image|picture)\s+(?:by|credit|courtesy(?:\s+of)?)\s*:?\s*(?-i:[A-Z])[^.]*$"
       r"|(?-i:\b(?:" + _AGENCIES + r"|[A-Z]{2,})\s*/\s*" + _NAME + r"(?:\s+" + _NAME + r")*\s*$))",
       "photo caption or image credit", False, 80, precheck=_may_be_caption),
    _r("weather", r"^-?\d{1,3}(?:[.,]\d+)?\s*°?\s*[CF]\b\.?(?:\s+\S+){0,4}$", "weather widget", False, 6, 0),
    _r("date-line", rf"^(?:(?:published|updated|posted|last\s+updated|first\s+published)\s*(?:on|:)?\s*)?{_DATE}"
       rf"(?:\s*(?:,|at|\||-|–)?\s*{_TIME})?(?:\s*\|.*)?$|^{_TIME}$",
       "date / time line of the page header", False, 12),
    _r("reading-time", r"^(?:\d+\s*(?:-\s*)?min(?:ute)?s?\.?\s+read|reading\s+time\s*:.*|\d+\s+views?)$",
       "reading-time / view counter", False, 6),
    _r("byline", rf"^(?i:by|words\s+by|written\s+by|story\s+by|posted\s+by|author\s*:)\s+{_NAME}"
       rf"(?:\s+(?:and\s+|&\s+)?{_NAME}){{0,6}}(?:\s*(?:,|\||/|-|–|—)\s*.{{0,60}})?$",
       "byline", False, 16, 0),
    _r("section-label", r"^[\w&'’ .-]+(?:\s+\|\s+[\w&'’ .-]+)+$", "section label (kicker) of the site", False, 8),
]

_INLINE_RULES = {r.name for r in FURNITURE_RULES if not r.terminal}
# furniture that sits between body paragraphs (the header's furniture marks the header instead)
_INLINE_BODY_FURNITURE = {"photo-caption", "image-file", "advertisement", "insert", "read-more-link", "call-to-action",
                          "cookie-banner"}


# rules whose lines never read like a sentence: a prose line matching them is body text
_NOT_PROSE = {"byline", "section-label", "breadcrumbs", "date-line", "weather", "related-links", "latest-list",
              "navigation", "social", "teaser-expander", "newsletter-box", "about-author", "read-more-link"}


def _match_furniture(s: str) -> Rule | None:
    n = len(s.split())
    for rule in FURNITURE_RULES:
        if n <= rule.max_words and (rule.precheck is None or rule.precheck(s)) and rule.pattern.search(s):
            if rule.name in _NOT_PROSE and _is_prose(s):
                continue
            if rule.name == "credits" and _is_prose(s) and not re.search(r"(?i)\bedit(?:ing|ed)\s+by\b|;", s):
                continue  # "Reporting by the Times found that ..." is a sentence, not a credit line
            return rule
    return None


_BIO_RE = re.compile(
    rf"^{_NAME}(?:\s+{_NAME}){{1,3}}(?:,\s+(?:a|an|the|former|who)\b[^.]{{3,200}}?,)?\s+"
    r"(?:is|was|are|serves\s+as|teaches|writes|directs|leads|heads|chairs|works)\b"
)
_BIO_HINT_RE = re.compile(
    r"\b(?:professor|fellow|director|minister|ambassador|author|editor|columnist|correspondent|researcher"
    r"|analyst|scholar|lecturer|president|chair(?:man|woman)?|founder|adviser|advisor|officer|senior|emeritus"
    r"|contributor|journalist|reporter|student|candidate)\b",
    _I,
)


def _is_bio(s: str, author: str | None) -> bool:
    """An author's bio line: "Name, a/the ..., is professor ..." (or starts with the manifest author)."""
    if _n_words(s) > 70 or _n_sentences(s) > 3:
        return False
    # the predicate after "is/was" names a role ("is professor emeritus", "is a senior fellow at")
    if author and _norm(s).startswith(_norm(author)):
        m = re.match(r"[^.]*?\b(?:is|was|are|serves|teaches|writes)\b", s[len(author):])
        if m and (_BIO_HINT_RE.search(s, len(author) + m.end()) or re.match(r"\s+(?:a|an|the)\b", s[len(author) + m.end():])):
            return True
    m = _BIO_RE.match(s)
    return bool(m) and bool(_BIO_HINT_RE.search(s, m.end()))


def _is_truncated(s: str) -> bool:
    """A long paragraph cut mid-sentence (teaser of another article): 20+ words, no final punctuation."""
    return not _ends_sentence(s) and _n_words(s) >= 20


def _title_matches(line: str, title: str) -> bool:
    if len(line) > 2 * len(title) + 80:
        return False
    a, b = _norm(line), _norm(title)
    if not a or not b:
        return False
    if a == b:
        return True
    # "Title | Site name" / "Title - Site name"
    return a.startswith(b) and bool(re.match(r"\s*[|:\-]\s*\S", a[len(b):])) and len(_words(a[len(b):])) <= 6


# --------------------------------------------------------------------------- pull quotes

@lru_cache(maxsize=8192)
def _toks(s: str) -> tuple[str, ...]:
    return tuple(map(str.lower, _words(s.replace("’", "'"))))  # (’ and ' join words alike)


def _longest_common_run(a: list[str], b: list[str]) -> int:
    best = 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, start=1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def _pull_quote_source(cand: str, others: list[str]) -> str | None:
    """The nearby sentence a one-sentence paragraph repeats, if it is a pull quote."""
    ct = _toks(cand)
    if not 5 <= len(ct) <= 45 or _n_sentences(cand) != 1:
        return None
    need = max(6, (len(ct) + 1) // 2)
    cset = set(ct)
    for para in others:
        for s, e in _sentence_spans(para):
            st = _toks(para[s:e])
            if len(cset.intersection(st)) >= min(need, len(cset)) and _longest_common_run(ct, st) >= need:
                return para[s:e]
    return None


# --------------------------------------------------------------------------- units

@dataclass
class _Unit:
    line: int
    text: str
    rule: str | None = None
    reason: str = ""
    kind: str | None = None  # "body" / "heading" once kept
    furniture: Rule | None = None


def _split_units(raw: str) -> list[_Unit]:
    """One unit per non-empty line; blank-line blocks when the page is hard-wrapped."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    nonempty = [i for i, ln in enumerate(lines) if ln.strip()]
    wrapped = False
    if len(nonempty) >= 6:
        followed = sum(1 for i in nonempty if i + 1 < len(lines) and lines[i + 1].strip())
        blanks = sum(1 for ln in lines if not ln.strip())
        lengths = sorted(len(lines[i].strip()) for i in nonempty)
        p90 = lengths[int(0.9 * (len(lengths) - 1))]
        wrapped = blanks >= 2 and followed >= 0.6 * len(nonempty) and p90 <= 100 and lengths[len(lengths) // 2] >= 40
    units: list[_Unit] = []
    if not wrapped:
        for i, ln in enumerate(lines, start=1):
            s = ln.strip()
            if s:
                units.append(_Unit(i, s))
        return units
    block: list[str] = []
    start = 0
    for i, ln in enumerate(lines + [""], start=1):
        s = ln.strip()
        if s:
            if not block:
                start = i
            block.append(s)
        elif block:
            # a block of short label-like lines stays line by line (headers, footers)
            if all(_is_short_label(b, 8) or _match_furniture(b) for b in block) and len(block) > 1:
                units.extend(_Unit(start + k, b) for k, b in enumerate(block))
            else:
                units.append(_Unit(start, "\n".join(block)))
            block = []
    return units


# --------------------------------------------------------------------------- the cleaner

@lru_cache(maxsize=8192)
def _flat(s: str) -> str:
    return " ".join(s.split())


def clean_page(raw: str, title: str | None = None, author: str | None = None) -> CleanedPage:
    """Return the article body of a scraped page, paragraphs separated by a blank line.

    ``title`` (from the manifest, when known) is removed from the body; without it the title
    is detected (the first title-like line before the body) and returned in ``.title``.
    ``author`` (when known) helps recognise the author's bio line at the end. Every removed
    line is in ``.audit`` with its 1-based raw line number, the rule and a reason.
    """
    units = _split_units(raw)
    n = len(units)
    for u in units:
        u.furniture = _match_furniture(_flat(u.text))

    def remove(u: _Unit, rule: str, reason: str) -> None:
        if u.rule is None:
            u.rule, u.reason = rule, reason

    # ---- the title given by the manifest, wherever it appears
    if title:
        for u in units:
            if u.furniture is None and _title_matches(_flat(u.text), title):
                remove(u, "title", "the article's title (from the manifest), not body text")

    # ---- where the body starts
    start = None
    for i, u in enumerate(units):
        if u.rule is None and u.furniture is None and _is_strong(_flat(u.text)):
            start = i
            break
    if start is None:  # no substantial prose: keep the first non-furniture line on
        start = next((i for i, u in enumerate(units) if u.rule is None and u.furniture is None), n)
    else:  # short prose lines directly before the first long paragraph belong to the body
        j = start - 1  # (stepping over inline furniture such as a photo caption, not over the header)
        while j >= 0 and units[j].rule is None:
            f = units[j].furniture
            if f is not None and f.name in _INLINE_BODY_FURNITURE:
                j -= 1
            elif f is None and _is_prose(_flat(units[j].text)):
                start = j
                j -= 1
            else:
                break
    detected_title = None
    header = units[:start]
    if not title:
        cands = [u for u in header if u.furniture is None and u.rule is None
                 and not _ends_sentence(u.text) and 2 <= _n_words(u.text) <= 30]
        # the last title-like line of 4+ words (site names and kickers are shorter and come first)
        pick = next((u for u in reversed(cands) if _n_words(u.text) >= 4), cands[-1] if cands else None)
        if pick is not None:
            detected_title = _flat(pick.text)
            remove(pick, "title", "the article's title (detected: title-like line before the body)")
            for u in units:
                if u is not pick and u.furniture is None and _title_matches(_flat(u.text), detected_title):
                    remove(u, "title", "the article's title repeated")
    for u in header:
        f = u.furniture
        if f is not None:
            remove(u, f.name, f.reason + " (page header)")
        elif _is_prose(_flat(u.text)):
            remove(u, "standfirst", "standfirst / summary line between the title and the body")
        else:
            remove(u, "page-header", "short line of the page header, before the article body")
    header_keys = {_norm(u.text) for u in header if _n_words(u.text) >= 2} - {""}
    header_max = max((len(u.text) for u in header), default=0) + 10

    # ---- where the article ends
    end, end_reason = n, ""
    for i in range(start, n):
        u = units[i]
        f = u.furniture
        flat = _flat(u.text)
        if f is not None and f.terminal:
            end, end_reason = i, f"'{flat[:40]}' (line {u.line}, rule {f.name})"
            # a teaser expander closes a teaser: walk back over its paragraphs and its header cluster
            if f.name == "teaser-expander":
                j = i - 1
                while j > start and units[j].furniture is None and _is_prose(_flat(units[j].text)):
                    j -= 1
                k = j
                while k > start and (units[k].furniture is not None or not _is_prose(_flat(units[k].text))):
                    k -= 1
                if j - k >= 2:
                    end = k + 1
            break
        if i > start and len(u.text) <= header_max and _norm(u.text) in header_keys and (f is None or f.name not in _INLINE_RULES - {"section-label"}):
            end, end_reason = i, f"the header line '{flat[:40]}' repeated (line {u.line}): the next article starts"
            break
    # a run of truncated paragraphs at the foot of the page: teasers of other articles
    j, truncated = end - 1, []
    while j > start:
        t = _flat(units[j].text)
        if _is_truncated(t):
            truncated.append(j)
        elif not (units[j].furniture is not None or _is_short_label(t)):
            break
        j -= 1
    if len(truncated) >= 2:
        n_long = sum(1 for i in range(start, end) if _n_words(units[i].text) >= 20)
        if len(truncated) <= n_long / 2:  # (a page whose paragraphs all lack stops is not cut)
            end, end_reason = min(truncated), f"paragraphs cut mid-sentence from line {units[min(truncated)].line} on"
    # the author's bio as the last body paragraph
    last_body = [i for i in range(start, end) if units[i].rule is None and units[i].furniture is None]
    if last_body and last_body[-1] > start and _is_bio(_flat(units[last_body[-1]].text), author):
        b = last_body[-1]
        remove(units[b], "author-bio", "the author's bio after the article")
        end, end_reason = b, end_reason or f"the author's bio (line {units[b].line})"
    for u in units[end:]:
        flat = _flat(u.text)
        if u.furniture is not None:
            remove(u, u.furniture.name, u.furniture.reason + " (after the article)")
        elif _is_truncated(flat):
            remove(u, "truncated-teaser", "paragraph cut mid-sentence after the article: opening of another article")
        else:
            remove(u, "after-article", f"after the end of the article, marked by {end_reason}")

    # ---- inside the body
    body = [u for u in units[start:end] if u.rule is None]
    for u in body:
        if u.furniture is not None:
            remove(u, u.furniture.name, u.furniture.reason)
    body = [u for u in body if u.rule is None]
    prose = [u for u in body if not _is_short_label(_flat(u.text))]
    for k, u in enumerate(prose):
        if u.text.count("\n"):
            continue
        if _n_sentences(u.text) != 1 or _n_words(u.text) > 45:
            continue
        near = [v.text for v in prose[max(0, k - 2): k + 3] if v is not u and _n_sentences(v.text) >= 2]
        src = _pull_quote_source(u.text, near)
        if src is not None:
            remove(u, "pull-quote", f"pull quote repeating the body sentence \"{_flat(src)[:60]}…\"")
    body = [u for u in body if u.rule is None]
    for k, u in enumerate(body):
        if _is_short_label(_flat(u.text)):
            nxt = body[k + 1] if k + 1 < len(body) else None
            if nxt is not None and not _is_short_label(_flat(nxt.text)):
                u.kind = "heading"
            else:
                remove(u, "stray-label", "short line that introduces no body text")
        else:
            u.kind = "body"

    # ---- assemble
    parts: list[str] = []
    paragraphs: list[Paragraph] = []
    pos = 0
    for u in units:
        if u.rule is None and u.kind:
            if parts:
                pos += 2
            paragraphs.append(Paragraph(pos, pos + len(u.text), u.kind, u.line))
            parts.append(u.text)
            pos += len(u.text)
    audit = [AuditEntry(u.line, u.text, u.rule, u.reason) for u in units if u.rule is not None]
    return CleanedPage(text="\n\n".join(parts), paragraphs=paragraphs, audit=audit, title=title or detected_title)
