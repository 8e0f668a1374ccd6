"""Loading a corpus: the bundled seed articles or a user's folder of ``.txt`` files.

A corpus is a folder of text files plus an optional manifest CSV describing each file
(``doc_id, file, title, outlet, author, published, date_precision, date_note``). Files are
read robustly (UTF-8, UTF-8/UTF-16 with BOM, legacy cp1252/latin-1 with a warning),
never modified, and cleaned to the article body by :mod:`trilat_lib.clean`.
"""
from __future__ import annotations

import csv
import re
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


# --------------------------------------------------------------------------- reading files

def _control_share(s: str) -> float:
    if not s:
        return 0.0
    bad = sum(1 for ch in s if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7F <= ord(ch) <= 0x9F)
    return bad / len(s)


def read_text(path: str | Path) -> tuple[str, str]:
    """Read a text file whatever its common encoding; return ``(text, encoding)``.

    Tries BOMs (UTF-8, UTF-16, UTF-32), then strict UTF-8, then cp1252 and latin-1 (with a
    :class:`CorpusWarning` naming the file). Empty, binary or undecodable files raise
    :class:`CorpusError` naming the file and what to do. The file is only read.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path}: file not found. Check the path or the manifest's 'file' column.") from None
    except IsADirectoryError:
        raise CorpusError(f"{path}: is a folder, not a text file.") from None
    except OSError as e:
        raise CorpusError(f"{path}: cannot be read ({e.strerror}). Check its permissions.") from None
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
                f"{path}: starts with a {encoding.upper()} byte-order mark but cannot be decoded "
                f"as {encoding} (byte {e.start}). Re-save the file as UTF-8."
            ) from None
    elif b"\x00" in data:
        raise CorpusError(
            f"{path}: looks like a binary file (it contains NUL bytes), not text. "
            "Remove it from the corpus folder, or save it as UTF-8 text."
        )
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            for enc in ("cp1252", "latin-1"):
                try:
                    text, encoding = data.decode(enc), enc
                    break
                except UnicodeDecodeError:
                    continue
            warnings.warn(
                f"{path}: not valid UTF-8; read as legacy {encoding}. Check accented characters "
                "and quotes in its text, and re-save it as UTF-8 to silence this warning.",
                CorpusWarning,
                stacklevel=2,
            )
    if not text.strip():
        raise CorpusError(f"{path}: the file is empty. Remove it from the corpus (and manifest) or add its text.")
    if _control_share(text) > 0.01:
        raise CorpusError(
            f"{path}: does not look like text ({_control_share(text):.0%} control characters); "
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

    @cached_property
    def cleaned(self) -> _clean.CleanedPage:
        """The cleaning result (text, paragraphs, audit), computed once."""
        page = _clean.clean_page(self.raw, title=self.title)
        if self.title is None and page.title:
            self.title = page.title
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
        return sum(len(_text.tokens(s.text)) for s in self.sentences)

    def __repr__(self) -> str:
        return f"Document({self.doc_id!r}, title={self.title!r}, published={self.published}, chars={len(self.text)})"


# --------------------------------------------------------------------------- manifest

def _parse_date(value: str, precision: str | None, where: str) -> tuple[date | None, str | None]:
    value = (value or "").strip()
    precision = (precision or "").strip().lower() or None
    if precision and precision not in DATE_PRECISIONS:
        raise CorpusError(f"{where}: date_precision {precision!r} is not one of day, month, year.")
    if not value:
        return None, None
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value)
    if not m:
        raise CorpusError(
            f"{where}: published {value!r} is not an ISO date. Write it as YYYY-MM-DD "
            "(or YYYY-MM / YYYY with date_precision month / year), or leave it empty."
        )
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    implied = "day" if d else "month" if mo else "year"
    try:
        parsed = date(y, int(mo or 1), int(d or 1))
    except ValueError as e:
        raise CorpusError(f"{where}: published {value!r} is not a valid date ({e}).") from None
    if precision is None:
        precision = implied
    elif DATE_PRECISIONS.index(precision) < DATE_PRECISIONS.index(implied):
        raise CorpusError(f"{where}: published {value!r} is less precise than date_precision {precision!r}.")
    return parsed, precision


def read_manifest(manifest: str | Path, root: str | Path) -> list[dict]:
    """Parse and validate a manifest CSV; return one dict per row (with ``_row`` line numbers)."""
    manifest, root = Path(manifest), Path(root)
    text, _ = read_text(manifest)
    reader = csv.DictReader(text.splitlines())
    cols = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in ("doc_id", "file") if c not in cols]
    if missing:
        raise CorpusError(
            f"{manifest}: missing column(s) {', '.join(missing)}. The header must include doc_id and file "
            f"(optional: {', '.join(MANIFEST_COLUMNS[2:])})."
        )
    rows, seen = [], {}
    root_resolved = root.resolve()
    for lineno, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(row.values()):
            continue
        where = f"{manifest} line {lineno}"
        doc_id, file = row.get("doc_id", ""), row.get("file", "")
        if not doc_id:
            raise CorpusError(f"{where}: empty doc_id. Give every row a unique doc_id.")
        if doc_id in seen:
            raise CorpusError(f"{where}: doc_id {doc_id!r} is also used on line {seen[doc_id]}. doc_ids must be unique.")
        seen[doc_id] = lineno
        if not file:
            raise CorpusError(f"{where} (doc_id {doc_id!r}): empty file column. Name the .txt file, relative to {root}.")
        fpath = (root / file).resolve()
        if not fpath.is_relative_to(root_resolved):
            raise CorpusError(
                f"{where} (doc_id {doc_id!r}): file {file!r} points outside the corpus folder {root}. "
                "Copy the file into the folder and give a relative path."
            )
        if not fpath.is_file():
            raise CorpusError(f"{where} (doc_id {doc_id!r}): file {file!r} not found in {root}. Fix the file column or add the file.")
        published, precision = _parse_date(row.get("published", ""), row.get("date_precision", ""), f"{where} (doc_id {doc_id!r})")
        row.update(_row=lineno, _path=fpath, _published=published, _precision=precision)
        rows.append(row)
    if not rows:
        raise CorpusError(f"{manifest}: has a header but no rows. Add one row per document.")
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
            raise CorpusError("duplicate doc_id in corpus; doc_ids must be unique.")

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


def _find_manifest(folder: Path) -> Path | None:
    for name in MANIFEST_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def load_corpus(path: str | Path | None = None, manifest: str | Path | None = None) -> Corpus:
    """Load the bundled seed corpus (``path=None``) or a folder of ``.txt`` files.

    A user's folder may hold a ``manifest.csv`` (or pass ``manifest=``); without one every
    ``.txt`` file becomes a document whose ``doc_id`` is the file name without suffix and
    whose metadata is unknown.
    """
    if path is None:
        root, manifest = SEEDS_DIR, Path(manifest) if manifest else MANIFEST
    else:
        root = Path(path).expanduser()
        if not root.exists():
            raise CorpusError(f"corpus folder {root} does not exist. Pass the folder that holds your .txt files.")
        if not root.is_dir():
            raise CorpusError(f"corpus path {root} is a file; pass the folder that holds your .txt files.")
        manifest = Path(manifest) if manifest else _find_manifest(root)
    documents = []
    if manifest is not None:
        rows = read_manifest(manifest, root)
        listed = {r["_path"] for r in rows}
        unlisted = sorted(p.name for p in root.glob("*.txt") if p.resolve() not in listed)
        if unlisted:
            warnings.warn(
                f"{manifest}: {len(unlisted)} .txt file(s) in {root} are not in the manifest and were "
                f"skipped: {', '.join(unlisted[:5])}{' …' if len(unlisted) > 5 else ''}. Add rows for them to include them.",
                CorpusWarning, stacklevel=2,
            )
        for r in rows:
            raw, enc = read_text(r["_path"])
            known = set(MANIFEST_COLUMNS)
            documents.append(Document(
                doc_id=r["doc_id"], raw=raw, title=r.get("title") or None, outlet=r.get("outlet") or None,
                author=r.get("author") or None, published=r["_published"], date_precision=r["_precision"],
                date_note=r.get("date_note") or None, path=r["_path"], encoding=enc,
                meta={k: v for k, v in r.items() if k not in known and not k.startswith("_")},
            ))
    else:
        files = sorted(root.glob("*.txt"))
        if not files:
            raise CorpusError(f"{root}: no .txt files found. Put one article per UTF-8 .txt file in the folder.")
        for f in files:
            raw, enc = read_text(f)
            documents.append(Document(doc_id=f.stem, raw=raw, path=f.resolve(), encoding=enc))
    return Corpus(documents, root=root, manifest=Path(manifest) if manifest else None)
