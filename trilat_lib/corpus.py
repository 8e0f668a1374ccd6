"""Loading a corpus: the bundled seed articles or a user's folder of ``.txt`` files.

A corpus is a folder of text files plus an optional manifest CSV describing each file
(``doc_id, file, title, outlet, author, published, date_precision, date_note``). Files are
read robustly (UTF-8, UTF-8/UTF-16 with BOM, legacy cp1252/latin-1 with a warning, Korean,
Japanese and Chinese legacy encodings when they can be told apart, else a clear error), never
modified, and cleaned to the article body by :mod:`trilat_lib.clean`. Only regular files are
opened: named pipes, devices and links to them are skipped with a warning, links that lead
outside the corpus folder are refused.
"""
from __future__ import annotations

import csv
import io
import os
import re
import stat
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import clean as _clean
from . import text as _text
from .errors import CorpusError, CorpusWarning
from .paths import MANIFEST, SEEDS_DIR

MANIFEST_COLUMNS = ["doc_id", "file", "title", "outlet", "author", "published", "date_precision", "date_note"]
DATE_PRECISIONS = ("day", "month", "year")
MANIFEST_NAMES = ("manifest.csv",)
# publication years a document can be placed in time with (pandas timestamps span 1677–2262)
YEAR_RANGE = (1700, 2200)


# --------------------------------------------------------------------------- reading files

_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # control characters but \t \n \v \f \r


def _control_share(s: str) -> float:
    if not s:
        return 0.0
    return len(_CONTROL.findall(s)) / len(s)


def shown_path(path: str | Path) -> str:
    """``path`` as printable text: bytes of a non-UTF-8 file name appear as ``\\xNN``.

    Python keeps such bytes as lone surrogates, which cannot be printed, written to CSV or
    Parquet; every message naming a file uses this instead.
    """
    s = str(path)
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return os.fsencode(s).decode("utf-8", "backslashreplace")


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _read_bytes(path: Path) -> bytes:
    """The bytes of a regular file; never opens (or blocks on) a FIFO or device."""
    shown = shown_path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise CorpusError(f"{shown}: file not found. Check the path or the manifest's 'file' column.") from None
    except OSError as e:
        raise CorpusError(f"{shown}: cannot be read ({e.strerror}). Check its permissions.") from None
    if stat.S_ISDIR(mode):
        raise CorpusError(f"{shown}: is a folder, not a text file.")
    if not stat.S_ISREG(mode):
        raise CorpusError(f"{shown}: is {_file_kind(mode)}, not a regular file, so it is not read. "
                          "Remove it from the corpus folder (and manifest).")
    try:  # O_NONBLOCK: should the file be swapped for a FIFO after the check, opening does not block
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise CorpusError(f"{shown}: cannot be read ({e.strerror}). Check its permissions.") from None
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise CorpusError(f"{shown}: is {_file_kind(mode)}, not a regular file, so it is not read.")
        try:
            return f.read()
        except OSError as e:
            raise CorpusError(f"{shown}: cannot be read ({e.strerror}). Check the file.") from None


# East Asian double-byte legacy encodings: decoded only when detected with confidence
_CJK_CODECS = ("cp949", "euc_kr", "johab", "euc_jp", "euc_jis_2004", "euc_jisx0213", "shift_jis", "cp932",
               "shift_jis_2004", "shift_jisx0213", "gb2312", "gbk", "gb18030", "hz", "big5", "big5hkscs", "cp950")
_CJK_NAMES = {"cp949": "EUC-KR/CP949 (Korean)", "euc_kr": "EUC-KR (Korean)", "johab": "Johab (Korean)",
              "euc_jp": "EUC-JP (Japanese)", "euc_jis_2004": "EUC-JP (Japanese)", "euc_jisx0213": "EUC-JP (Japanese)",
              "shift_jis": "Shift_JIS (Japanese)", "cp932": "Shift_JIS/CP932 (Japanese)",
              "shift_jis_2004": "Shift_JIS (Japanese)", "shift_jisx0213": "Shift_JIS (Japanese)",
              "gb2312": "GB2312 (Chinese)", "gbk": "GBK (Chinese)", "gb18030": "GB18030 (Chinese)",
              "hz": "HZ (Chinese)", "big5": "Big5 (Chinese)", "big5hkscs": "Big5-HKSCS (Chinese)", "cp950": "Big5 (Chinese)"}
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_CJK_CHAR = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
MIN_CJK_CHARS = 30  # fewer East Asian characters than this are too few to tell the encodings apart


def _high_byte_runs(data: bytes) -> tuple[int, int]:
    """Non-ASCII bytes, and how many of them stand next to another: in EUC-KR/EUC-JP/Shift_JIS/GB
    text most do, in Western cp1252/latin-1 text an accented letter or a curly quote is one byte
    between ASCII ones."""
    runs = [len(m) for m in _HIGH_RUN.findall(data)]
    return sum(runs), sum(r for r in runs if r >= 2)


def _east_asian(data: bytes) -> tuple[str | None, str | None]:
    """``(codec, None)`` for confidently detected East Asian legacy text, ``(None, guess)`` when it
    looks East Asian but cannot be told apart, ``(None, None)`` when it does not look East Asian."""
    high, paired = _high_byte_runs(data)
    if not paired:  # no two non-ASCII bytes side by side: no double-byte characters (and no detector cost)
        return None, None
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        from_bytes = None
    best = from_bytes(data).best() if from_bytes is not None else None
    guess = best.encoding if best is not None and best.encoding in _CJK_CODECS else None
    if guess is None and not (paired >= 4 and paired >= 0.5 * high):
        return None, None
    if from_bytes is not None:
        cand = from_bytes(data, cp_isolation=list(_CJK_CODECS)).best()
        if cand is not None and cand.encoding in _CJK_CODECS:
            guess = guess or cand.encoding
            text = data.decode(cand.encoding)
            if cand.encoding == guess and len(_CJK_CHAR.findall(text)) >= MIN_CJK_CHARS:
                return cand.encoding, None
    return None, guess or "an East Asian double-byte encoding"


def read_text(path: str | Path) -> tuple[str, str]:
    """Read a text file whatever its common encoding; return ``(text, encoding)``.

    Tries BOMs (UTF-8, UTF-16, UTF-32), then strict UTF-8, then East Asian legacy encodings
    (EUC-KR, EUC-JP, Shift_JIS, GB2312/GBK, Big5: decoded with a :class:`CorpusWarning` when
    ``charset-normalizer`` identifies them on enough text, else a :class:`CorpusError`, never
    mojibake), then cp1252 and latin-1 (with a :class:`CorpusWarning` naming the file). Empty,
    binary, undecodable or non-regular files (pipes, devices) raise :class:`CorpusError` naming
    the file and what to do. The file is only read.
    """
    path = Path(path)
    shown = shown_path(path)
    data = _read_bytes(path)
    boms = [
        (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
    ]
    encoding = None
    for bom, enc in boms:
        if data.startswith(bom):
            encoding = enc
            break
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as e:
            raise CorpusError(
                f"{shown}: starts with a {encoding.upper()} byte-order mark but cannot be decoded "
                f"as {encoding} (byte {e.start}). Re-save the file as UTF-8."
            ) from None
    elif b"\x00" in data:
        raise CorpusError(
            f"{shown}: contains NUL bytes, so it is a binary file or UTF-16/UTF-32 text without a "
            "byte-order mark. Remove it from the corpus folder, or save it as UTF-8 text."
        )
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as e:
            first_bad = e.start
            codec, guess = _east_asian(data)
            if guess is not None:
                name = _CJK_NAMES.get(guess, guess)
                raise CorpusError(
                    f"{shown}: not valid UTF-8 (first bad byte at offset {first_bad}); its bytes look like "
                    f"{name} text, but there is too little of it to be sure which East Asian encoding it is, "
                    "so it is not read (guessing wrong would turn it into garbage characters). Re-save it as "
                    "UTF-8, e.g. `iconv -f EUC-KR -t UTF-8 in.txt > out.txt` (or -f SHIFT_JIS, EUC-JP, GBK)."
                )
            if codec is not None:
                text, encoding = data.decode(codec), codec
                warnings.warn(
                    f"{shown}: not valid UTF-8; detected and read as legacy {_CJK_NAMES.get(codec, codec)}. "
                    "Check a few lines of its text, and re-save it as UTF-8 to silence this warning.",
                    CorpusWarning, stacklevel=2,
                )
            else:
                try:
                    text, encoding = data.decode("cp1252"), "cp1252"
                except UnicodeDecodeError:  # bytes cp1252 leaves undefined (0x81, 0x8D, ...)
                    text, encoding = data.decode("latin-1"), "latin-1"
                if not _control_share(text) > 0.01:
                    warnings.warn(
                        f"{shown}: not valid UTF-8 (first bad byte at offset {first_bad}); read as legacy "
                        f"{encoding}. Check accented characters and quotes in its text, and re-save it as "
                        "UTF-8 to silence this warning.",
                        CorpusWarning,
                        stacklevel=2,
                    )
    if not text.strip():
        raise CorpusError(f"{shown}: the file is empty. Remove it from the corpus (and manifest) or add its text.")
    if _control_share(text) > 0.01:
        raise CorpusError(
            f"{shown}: does not look like text ({_control_share(text):.0%} control characters); "
            f"it may be binary or in an unsupported encoding. Save it as UTF-8 text."
        )
    return text, encoding


# --------------------------------------------------------------------------- documents

@dataclass
class Document:
    """One article: raw page, cleaned body, metadata and the cleaning audit."""

    doc_id: str
    raw: str
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: date | None = None
    date_precision: str | None = None  # "day", "month" or "year"
    date_note: str | None = None
    date_inferred: bool = False
    path: Path | None = None
    encoding: str = "utf-8"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.title is None:  # no manifest title: use the one the cleaner detects on the page
            self.title = self.cleaned.title

    @cached_property
    def cleaned(self) -> _clean.CleanedPage:
        """The cleaning result (text, paragraphs, audit), computed once."""
        page = _clean.clean_page(self.raw, title=self.title, author=self.author)
        if self.title is None and page.title:
            self.title = page.title
        if not page.text.strip() and self.raw.strip():
            warnings.warn(empty_after_cleaning_message(self, len(page.audit)), CorpusWarning, stacklevel=3)
        return page

    @property
    def text(self) -> str:
        """The cleaned article body: body paragraphs verbatim, separated by blank lines."""
        return self.cleaned.text

    @property
    def paragraphs(self) -> list[_clean.Paragraph]:
        return self.cleaned.paragraphs

    @property
    def audit(self) -> list[_clean.AuditEntry]:
        return self.cleaned.audit

    @cached_property
    def sentences(self) -> list[_text.Sentence]:
        """Sentences of the body paragraphs (headings are not sentences), offsets into ``text``."""
        spans = [(p.start, p.end) for p in self.paragraphs if p.kind == "body"]
        return _text.sentences(self.text, spans)

    @property
    def n_words(self) -> int:
        """Word tokens of the sentences, as ``len(text.tokens(sentence))`` counts them: every
        token but punctuation (the one-character tokens without a word character)."""
        n = 0
        for s in self.sentences:
            toks = _text._TOKEN_RE.findall(s.text)
            n += len(toks) - sum(1 for t in toks if len(t) == 1 and not _text._WORD_RE.match(t))
        return n

    def __repr__(self) -> str:
        return f"Document({self.doc_id!r}, title={self.title!r}, published={self.published}, chars={len(self.text)})"


def empty_after_cleaning_message(doc: Document, removed: int | None = None) -> str:
    """Why ``doc`` has no sentences: the cleaner removed every line of its page."""
    name = shown_path(doc.path.name) if doc.path is not None else "document"
    removed = len(doc.audit) if removed is None else removed
    return (f"{name} (doc_id {doc.doc_id!r}): empty after cleaning: the cleaner removed all {removed} line(s) "
            "as page furniture (menus, bylines, captions, ads), so it has no sentences to analyse. Check that "
            "the file holds the article text; corpus.audit() lists the removed lines and why.")


# --------------------------------------------------------------------------- manifest

_DATE_FORMATS = ("%Y/%m/%d", "%d.%m.%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %Y", "%b %Y")


def _parse_date(value: str, precision: str | None, where: str) -> tuple[date | None, str | None]:
    """Parse a manifest date and its precision.

    Accepts ISO dates (``2023-04-24``, ``2023-04``, ``2023``, an ISO timestamp) and a few
    unambiguous spellings (``2023/04/24``, ``24 April 2023``, ``April 24, 2023``, ``April 2023``).
    A value that cannot be used gives a :class:`CorpusWarning` naming the row and the
    document keeps ``published=None``: it can still be analysed, just not placed in time.
    """
    value = (value or "").strip()
    precision = (precision or "").strip().lower() or None
    if precision and precision not in DATE_PRECISIONS:
        warnings.warn(
            f"{where}: date_precision {precision!r} is not one of day, month, year; "
            "it is worked out from the date instead. Fix the manifest to silence this warning.",
            CorpusWarning, stacklevel=4,
        )
        precision = None
    if not value:
        return None, None
    parsed, implied = None, None
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?)?)?", value)
    try:
        if m:
            y, mo, d = int(m.group(1)), m.group(2), m.group(3)
            implied = "day" if d else "month" if mo else "year"
            parsed = date(y, int(mo or 1), int(d or 1))
        else:
            from datetime import datetime

            for fmt in _DATE_FORMATS:
                try:
                    parsed = datetime.strptime(value, fmt).date()
                    implied = "day" if "%d" in fmt else "month"
                    break
                except ValueError:
                    continue
    except ValueError as e:
        parsed, problem = None, f"is not a valid date ({e})"
    else:
        problem = "is not a date trilat can read"
    if parsed is None:
        warnings.warn(
            f"{where}: published {value!r} {problem}; the document is loaded without a date. "
            "Write it as YYYY-MM-DD (or YYYY-MM / YYYY with date_precision month / year).",
            CorpusWarning, stacklevel=4,
        )
        return None, None
    if not YEAR_RANGE[0] <= parsed.year <= YEAR_RANGE[1]:
        warnings.warn(
            f"{where}: published {value!r} is outside the years {YEAR_RANGE[0]}–{YEAR_RANGE[1]} a timeline can "
            "show (a placeholder date?); the document is loaded without a date. Fix the year or leave it empty.",
            CorpusWarning, stacklevel=4,
        )
        return None, None
    if precision is None:
        precision = implied
    elif DATE_PRECISIONS.index(precision) < DATE_PRECISIONS.index(implied):
        warnings.warn(
            f"{where}: published {value!r} is less precise than date_precision {precision!r}; "
            f"using precision {implied!r}. Give a full date or fix date_precision.",
            CorpusWarning, stacklevel=4,
        )
        precision = implied
    return parsed, precision


def read_manifest(manifest: str | Path, root: str | Path) -> list[dict]:
    """Parse and validate a manifest CSV; return one dict per row (with ``_row`` line numbers).

    Column names are case-insensitive; ``doc_id`` and ``file`` are required, the others
    (title, outlet, author, published, date_precision, date_note) optional, extra columns are
    kept in ``Document.meta``. Problems that make a row unusable raise :class:`CorpusError`
    naming the manifest line; problems a document survives (a bad date) warn.
    """
    manifest, root = Path(manifest), Path(root)
    if not manifest.is_file():
        raise CorpusError(f"manifest {manifest} not found. Pass an existing CSV file, or none to list the folder's .txt files.")
    text, _ = read_text(manifest)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as e:
        raise CorpusError(f"{manifest}: cannot read the header row ({e}). Save it as a comma-separated CSV file.") from None
    cols = [c.strip().lower() for c in header]
    missing = [c for c in ("doc_id", "file") if c not in cols]
    if missing:
        hint = " (is it separated by ';' or tabs? use commas)" if len(cols) == 1 else ""
        raise CorpusError(
            f"{manifest}: missing column(s) {', '.join(missing)}{hint}. The header must include doc_id and file "
            f"(optional: {', '.join(MANIFEST_COLUMNS[2:])}); found {', '.join(cols) or 'nothing'}."
        )
    dup_cols = sorted({c for c in cols if c and cols.count(c) > 1})
    if dup_cols:
        raise CorpusError(f"{manifest}: column(s) {', '.join(dup_cols)} appear more than once in the header. Keep one of each.")
    if "published" not in cols:
        warnings.warn(
            f"{manifest}: no 'published' column, so no document has a date (timelines need one). "
            "Add a published column (YYYY-MM-DD) to date the documents.",
            CorpusWarning, stacklevel=3,
        )
    rows, seen, skipped = [], {}, []
    root_resolved = root.resolve()
    lineno = 1
    while True:
        lineno = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise CorpusError(f"{manifest} line {lineno}: not valid CSV ({e}). Check its quotes.") from None
        if not any(v.strip() for v in values):
            continue
        where = f"{manifest} line {lineno}"
        if len(values) > len(cols):
            raise CorpusError(
                f"{where}: {len(values)} fields but the header has {len(cols)}. Put values that contain "
                'commas in double quotes ("Seoul, Tokyo").'
            )
        row = {c: (values[i].strip() if i < len(values) else "") for i, c in enumerate(cols) if c}
        doc_id, file = row.get("doc_id", ""), row.get("file", "")
        if not doc_id:
            raise CorpusError(f"{where}: empty doc_id. Give every row a unique doc_id.")
        if doc_id in seen:
            raise CorpusError(f"{where}: doc_id {doc_id!r} is also used on line {seen[doc_id]}. doc_ids must be unique.")
        seen[doc_id] = lineno
        if not file:
            raise CorpusError(f"{where} (doc_id {doc_id!r}): empty file column. Name the .txt file, relative to {root}.")
        fpath = (root / file).resolve()
        try:
            mode = os.stat(fpath).st_mode
        except FileNotFoundError:
            mode = None
        except OSError as e:
            raise CorpusError(f"{where} (doc_id {doc_id!r}): file {file!r} cannot be read ({e.strerror}). "
                              "Check its permissions.") from None
        if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            skipped.append(f"line {lineno} ({file!r}: {_file_kind(mode)})")
            continue  # never opened: reading a FIFO or a device would hang or never end
        if not fpath.is_relative_to(root_resolved):
            raise CorpusError(
                f"{where} (doc_id {doc_id!r}): file {file!r} points outside the corpus folder {root}. "
                "Copy the file into the folder and give a relative path."
            )
        if mode is None or not stat.S_ISREG(mode):
            raise CorpusError(f"{where} (doc_id {doc_id!r}): file {file!r} not found in {root}. Fix the file column or add the file.")
        published, precision = _parse_date(row.get("published", ""), row.get("date_precision", ""), f"{where} (doc_id {doc_id!r})")
        row.update(_row=lineno, _path=fpath, _published=published, _precision=precision)
        rows.append(row)
    if skipped:
        warnings.warn(
            f"{manifest}: skipped {len(skipped)} row(s) whose file is not a regular file and was not opened: "
            f"{'; '.join(skipped[:5])}{' …' if len(skipped) > 5 else ''}. Point them to the article text files.",
            CorpusWarning, stacklevel=3,
        )
    if not rows:
        if skipped:
            raise CorpusError(f"{manifest}: no row lists a regular text file (see the warning). Fix the file column.")
        raise CorpusError(f"{manifest}: has a header but no rows. Add one row per document.")
    files = {}
    for r in rows:
        if r["_path"] in files:
            warnings.warn(
                f"{manifest} line {r['_row']}: file {r['file']!r} is also listed on line {files[r['_path']]}; "
                "the same text is loaded twice. Remove one of the rows unless that is intended.",
                CorpusWarning, stacklevel=3,
            )
        files.setdefault(r["_path"], r["_row"])
    return rows


# --------------------------------------------------------------------------- corpus

class Corpus(Sequence[Document]):
    """An ordered collection of documents; index by position or ``doc_id``."""

    def __init__(self, documents: Sequence[Document], root: Path | None = None, manifest: Path | None = None):
        self.documents = list(documents)
        self.root = root
        self.manifest = manifest
        self._by_id = {d.doc_id: d for d in self.documents}
        if len(self._by_id) != len(self.documents):
            seen: set[str] = set()
            dups = sorted({d.doc_id for d in self.documents if d.doc_id in seen or seen.add(d.doc_id)})
            raise CorpusError(f"duplicate doc_id(s) {', '.join(map(repr, dups))} in the corpus; doc_ids must be unique.")

    def __len__(self) -> int:
        return len(self.documents)

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def __getitem__(self, key):
        if isinstance(key, str):
            try:
                return self._by_id[key]
            except KeyError:
                raise KeyError(f"no document with doc_id {key!r}; have {list(self._by_id)}") from None
        return self.documents[key]

    def __repr__(self) -> str:
        return f"Corpus({len(self)} documents from {self.root})"

    @property
    def doc_ids(self) -> list[str]:
        return [d.doc_id for d in self.documents]

    def to_frame(self) -> pd.DataFrame:
        """One row per document: metadata plus size (characters, words, sentences)."""
        rows = []
        for d in self.documents:
            rows.append({
                "doc_id": d.doc_id, "title": d.title, "outlet": d.outlet, "author": d.author,
                "published": d.published, "date_precision": d.date_precision,
                "date_inferred": d.date_inferred, "chars": len(d.text), "words": d.n_words,
                "sentences": len(d.sentences), "removed_lines": len(d.audit),
                "encoding": d.encoding, "file": d.path.name if d.path else None,
            })
        return pd.DataFrame(rows)

    def sentences(self) -> pd.DataFrame:
        """One row per sentence: ``doc_id, sentence_id, paragraph_id, start, end, sentence``."""
        rows = [
            {"doc_id": d.doc_id, "sentence_id": s.sentence_id, "paragraph_id": s.paragraph_id,
             "start": s.start, "end": s.end, "sentence": s.text}
            for d in self.documents for s in d.sentences
        ]
        return pd.DataFrame(rows, columns=["doc_id", "sentence_id", "paragraph_id", "start", "end", "sentence"])

    def tokens(self, **kwargs) -> pd.DataFrame:
        """One row per token: ``doc_id, sentence_id, token_id, token``; kwargs go to :func:`text.tokens`."""
        rows = []
        for d in self.documents:
            for s in d.sentences:
                for i, t in enumerate(_text.tokens(s.text, **kwargs)):
                    rows.append((d.doc_id, s.sentence_id, i, t))
        return pd.DataFrame(rows, columns=["doc_id", "sentence_id", "token_id", "token"])

    def audit(self) -> pd.DataFrame:
        """One row per line the cleaner removed: ``doc_id, line, rule, reason, text``."""
        rows = [
            {"doc_id": d.doc_id, "line": a.line, "rule": a.rule, "reason": a.reason, "text": a.text}
            for d in self.documents for a in d.audit
        ]
        return pd.DataFrame(rows, columns=["doc_id", "line", "rule", "reason", "text"])


def _listing(root: Path) -> list[Path]:
    """The entries of a corpus folder whose suffix is ``.txt`` in any case (``.TXT``, ``.Txt``), sorted."""
    try:
        return sorted(p for p in root.iterdir() if p.suffix.lower() == ".txt")
    except OSError as e:
        raise CorpusError(f"corpus folder {shown_path(root)} cannot be read ({e.strerror}). "
                          "Check its permissions.") from None


def folder_rows(root: str | Path) -> list[dict]:
    """The documents of a folder without manifest: one row per regular ``.txt`` file.

    ``doc_id`` is the file name without suffix. Every entry is checked with ``stat`` before
    anything is opened: named pipes, devices and links to them (or broken links) are skipped
    with one :class:`CorpusWarning` naming them; a link to a file outside the folder raises
    :class:`CorpusError` (as a manifest row pointing outside does). A file name that is not
    valid UTF-8 gets a readable ``doc_id`` (``\\xNN`` escapes) and a warning.
    """
    root = Path(root)
    root_resolved = root.resolve()
    rows, skipped, odd_names, ids = [], [], [], {}
    for f in _listing(root):
        try:
            mode = os.stat(f).st_mode
        except FileNotFoundError:
            skipped.append(f"{shown_path(f.name)} (a broken link)")
            continue
        except OSError as e:
            raise CorpusError(f"{shown_path(f)}: cannot be read ({e.strerror}). Check its permissions.") from None
        if not stat.S_ISREG(mode):
            skipped.append(f"{shown_path(f.name)} ({_file_kind(mode)})")
            continue
        target = f.resolve()
        if not target.is_relative_to(root_resolved):
            raise CorpusError(
                f"{shown_path(f)}: is a link to {shown_path(target)}, outside the corpus folder {shown_path(root)}. "
                "Copy the file into the folder instead of linking to it (a manifest row may not point "
                "outside the folder either)."
            )
        doc_id = shown_path(f.stem)
        if doc_id != f.stem:
            odd_names.append(doc_id)
        if doc_id in ids:
            raise CorpusError(
                f"{shown_path(root)}: files {shown_path(ids[doc_id].name)} and {shown_path(f.name)} both give "
                f"doc_id {doc_id!r} (the file name without suffix). Rename one of them."
            )
        ids[doc_id] = f
        rows.append({"doc_id": doc_id, "_path": target, "_published": None, "_precision": None})
    if skipped:
        warnings.warn(
            f"{shown_path(root)}: skipped {len(skipped)} .txt entr{'y' if len(skipped) == 1 else 'ies'} that "
            f"{'is' if len(skipped) == 1 else 'are'} not a regular file and {'was' if len(skipped) == 1 else 'were'} "
            f"not opened: {', '.join(skipped[:5])}{' …' if len(skipped) > 5 else ''}. Remove them from the folder.",
            CorpusWarning, stacklevel=3,
        )
    if odd_names:
        warnings.warn(
            f"{shown_path(root)}: {len(odd_names)} file name(s) are not valid UTF-8: {', '.join(odd_names[:5])}"
            f"{' …' if len(odd_names) > 5 else ''}; they are loaded with those doc_ids (undecodable bytes "
            "written as \\xNN). Rename the files with UTF-8 names to silence this warning.",
            CorpusWarning, stacklevel=3,
        )
    if not rows:
        raise CorpusError(f"{shown_path(root)}: no .txt files found. Put one article per UTF-8 .txt file in the folder.")
    return rows


def _find_manifest(folder: Path) -> Path | None:
    for name in MANIFEST_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def load_corpus(path: str | Path | None = None, manifest: str | Path | None = None) -> Corpus:
    """Load the bundled seed corpus (``path=None``) or a folder of ``.txt`` files.

    A user's folder may hold a ``manifest.csv`` (or pass ``manifest=``, or pass the manifest
    itself as ``path``); without one every ``.txt`` file becomes a document whose ``doc_id`` is
    the file name without suffix and whose metadata is unknown. Bad files or rows raise
    :class:`CorpusError` naming the file/row and the fix; usable oddities (legacy encoding,
    unreadable date, unlisted files) give a :class:`CorpusWarning`. Files are only read.
    """
    try:
        root, manifest = _resolve_source(path, manifest)
    except OSError as e:  # e.g. a folder on the way that this user may not enter
        raise CorpusError(f"corpus path {shown_path(path)} cannot be read ({e.strerror}). Check its permissions.") from None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CorpusWarning)
        try:
            corpus = _load_documents(root, manifest)
        except OSError as e:  # a safety net: whatever cannot be read is named, never a raw traceback
            raise CorpusError(f"{shown_path(e.filename or root)}: cannot be read ({e.strerror}). "
                              "Check its permissions.") from None
    _rewarn(caught, root)
    return corpus


def _resolve_source(path: str | Path | None, manifest: str | Path | None) -> tuple[Path, Path | None]:
    """The corpus folder and manifest (None: list the folder) that ``load_corpus(path, manifest)`` reads."""
    if path is None:
        root, manifest = SEEDS_DIR, Path(manifest) if manifest else MANIFEST
    else:
        root = Path(path).expanduser()
        if not root.exists():
            raise CorpusError(f"corpus folder {root} does not exist. Pass the folder that holds your .txt files.")
        if root.is_file() and root.suffix.lower() == ".csv" and manifest is None:
            root, manifest = root.parent, root  # a manifest passed as the corpus path
        elif not root.is_dir():
            raise CorpusError(
                f"corpus path {root} is a file; pass the folder that holds your .txt files "
                "(or its manifest .csv)."
            )
        manifest = Path(manifest) if manifest else _find_manifest(root)
    return root, manifest


def _rewarn(caught: list, root: Path, limit: int = 3) -> None:
    """Re-emit the warnings of loading; many legacy-encoding ones become a single summary."""
    legacy = [w for w in caught if issubclass(w.category, CorpusWarning) and "read as legacy" in str(w.message)]
    for w in caught:
        if len(legacy) <= limit or w not in legacy:
            warnings.warn(w.message, w.category, stacklevel=3)
    if len(legacy) > limit:
        names = [str(w.message).split(":", 1)[0].rsplit("/", 1)[-1] for w in legacy]
        warnings.warn(
            f"{root}: {len(legacy)} files are not valid UTF-8 and were read as legacy cp1252/latin-1: "
            f"{', '.join(names[:5])} …. Check their accented characters and quotes, and re-save them as "
            "UTF-8 to silence this warning.", CorpusWarning, stacklevel=3)


def _load_documents(root: Path, manifest: Path | None) -> Corpus:
    documents = []
    if manifest is not None:
        rows = read_manifest(manifest, root)
        listed = {r["_path"] for r in rows}
        unlisted = [shown_path(p.name) for p in _listing(root) if p.resolve() not in listed and p.is_file()]
        if unlisted:
            warnings.warn(
                f"{manifest}: {len(unlisted)} .txt file(s) in {root} are not in the manifest and were "
                f"skipped: {', '.join(unlisted[:5])}{' …' if len(unlisted) > 5 else ''}. Add rows for them to include them.",
                CorpusWarning, stacklevel=2,
            )
        for r in rows:
            try:
                raw, enc = read_text(r["_path"])
            except CorpusError as e:
                raise CorpusError(f"{e} (listed on {manifest} line {r['_row']}, doc_id {r['doc_id']!r})") from None
            known = set(MANIFEST_COLUMNS)
            documents.append(Document(
                doc_id=r["doc_id"], raw=raw, title=r.get("title") or None, outlet=r.get("outlet") or None,
                author=r.get("author") or None, published=r["_published"], date_precision=r["_precision"],
                date_note=r.get("date_note") or None, path=r["_path"], encoding=enc,
                meta={k: v for k, v in r.items() if k not in known and not k.startswith("_")},
            ))
    else:
        for r in folder_rows(root):
            raw, enc = read_text(r["_path"])
            documents.append(Document(doc_id=r["doc_id"], raw=raw, path=r["_path"], encoding=enc))
    return Corpus(documents, root=root, manifest=Path(manifest) if manifest else None)
