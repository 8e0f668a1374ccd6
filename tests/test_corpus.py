"""Loading corpora: the bundled seeds, users' folders, every encoding and line ending we
promise to read, and a clear error or warning for each kind of bad file or manifest row."""
from __future__ import annotations

import hashlib
import os
import warnings
from datetime import date

import pandas as pd
import pytest

from trilat_lib import Corpus, CorpusError, CorpusWarning, Document, load_corpus, read_text
from trilat_lib.paths import MANIFEST, SEEDS_DIR
from trilat_lib.text import tokens

ARTICLE = (
    "Seoul and Tokyo agree to talk\n\n"
    "South Korea’s foreign minister met his Japanese counterpart on Jan. 5 in Tokyo. "
    "The U.S. welcomed the meeting, and Mr. Blinken called it “a new chapter.”\n\n"
    "Both sides said the détente would last. Critics were not so sure.\n"
)
HEADER = "doc_id,file,title,outlet,author,published,date_precision,date_note\n"


def write_corpus(folder, files: dict[str, bytes], manifest: str | None = None):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    if manifest is not None:
        (folder / "manifest.csv").write_text(manifest, encoding="utf-8")
    return folder


def snapshot(folder):
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- the seeds

def test_seed_corpus_metadata(seed_corpus):
    assert len(seed_corpus) == 4 and seed_corpus.doc_ids == ["000", "001", "002", "003"]
    expected = {"000": (date(2022, 7, 15), "month"), "001": (date(2021, 1, 25), "month"),
                "002": (date(2023, 4, 24), "day"), "003": (date(2023, 2, 15), "year")}
    for d in seed_corpus:
        assert (d.published, d.date_precision) == expected[d.doc_id]
        assert d.title and d.outlet and d.date_note and d.raw and d.encoding == "utf-8"
        assert isinstance(d, Document) and d.path.parent == SEEDS_DIR
    assert seed_corpus["003"].author == "Yoon Young-kwan"
    frame = seed_corpus.to_frame()
    assert list(frame.doc_id) == seed_corpus.doc_ids and (frame.sentences > 20).all() and (frame.words > 500).all()
    # words: the word tokens of text.tokens (punctuation left out)
    assert frame.words.tolist() == [sum(len(tokens(s.text)) for s in d.sentences) for d in seed_corpus]
    sents = seed_corpus.sentences()
    assert list(sents.columns)[:2] == ["doc_id", "sentence_id"] and len(sents) == sum(len(d.sentences) for d in seed_corpus)
    toks = seed_corpus.tokens(remove_stopwords=True)
    assert {"doc_id", "sentence_id", "token"} <= set(toks.columns) and "the" not in set(toks.token)
    with pytest.raises(KeyError, match="no document"):
        seed_corpus["999"]


def test_seeds_are_never_modified():
    before = snapshot(SEEDS_DIR)
    manifest_before = MANIFEST.read_bytes()
    corpus = load_corpus()
    for d in corpus:
        _ = d.text, d.sentences, d.audit
    assert snapshot(SEEDS_DIR) == before and MANIFEST.read_bytes() == manifest_before


# --------------------------------------------------------------------------- encodings

@pytest.mark.parametrize(
    "encoding, data_of, warns",
    [
        ("utf-8", lambda t: t.encode("utf-8"), False),
        ("utf-8-sig", lambda t: t.encode("utf-8-sig"), False),
        ("utf-16", lambda t: b"\xff\xfe" + t.encode("utf-16-le"), False),
        ("utf-16", lambda t: b"\xfe\xff" + t.encode("utf-16-be"), False),
        ("cp1252", lambda t: t.encode("cp1252"), True),
    ],
)
def test_encodings(tmp_path, encoding, data_of, warns):
    folder = write_corpus(tmp_path / "c", {"a.txt": data_of(ARTICLE)})
    before = snapshot(folder)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        corpus = load_corpus(folder)
    legacy = [x for x in w if issubclass(x.category, CorpusWarning)]
    if warns:
        assert legacy and "a.txt" in str(legacy[0].message) and "cp1252" in str(legacy[0].message)
    else:
        assert not legacy
    doc = corpus["a"]
    assert doc.encoding == encoding
    assert doc.raw == ARTICLE  # BOM gone, accents and curly quotes intact
    assert doc.title == "Seoul and Tokyo agree to talk"
    assert "détente" in doc.text and "South Korea’s" in doc.text and "\ufeff" not in doc.text
    assert snapshot(folder) == before


def test_latin1_bytes_undefined_in_cp1252(tmp_path):
    data = ARTICLE.replace("’", "'").replace("“", '"').replace("”", '"').encode("latin-1") + b"\x81"
    path = tmp_path / "x.txt"
    path.write_bytes(data)
    with pytest.warns(CorpusWarning, match="x.txt.*latin-1"):
        text, enc = read_text(path)
    assert enc == "latin-1" and "détente" in text


def test_windows_line_endings_keep_offsets_right(tmp_path):
    folder = write_corpus(tmp_path / "c", {"lf.txt": ARTICLE.encode(), "crlf.txt": ARTICLE.replace("\n", "\r\n").encode()})
    corpus = load_corpus(folder)
    lf, crlf = corpus["lf"], corpus["crlf"]
    assert "\r" in crlf.raw and "\r" not in crlf.text
    assert lf.text == crlf.text
    assert [(s.start, s.end, s.text) for s in lf.sentences] == [(s.start, s.end, s.text) for s in crlf.sentences]
    for s in crlf.sentences:
        assert crlf.text[s.start:s.end] == s.text
    assert [s.text for s in crlf.sentences][1] == "The U.S. welcomed the meeting, and Mr. Blinken called it “a new chapter.”"


# --------------------------------------------------------------------------- bad files

@pytest.mark.parametrize(
    "data, match",
    [
        (b"", "empty"),
        (b"  \n\r\n\t \n", "empty"),
        (b"\xef\xbb\xbf", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "NUL bytes"),
        ("no BOM here".encode("utf-16-le"), "UTF-16"),
        (bytes(range(1, 32)) * 20, "does not look like text"),
        (b"\xff\xfe" + b"\x00\xd8", "cannot be decoded"),  # UTF-16 BOM, then a lone surrogate
    ],
)
def test_bad_files_raise_clear_errors(tmp_path, data, match):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    before = path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(CorpusError, match=match) as e:
            load_corpus(tmp_path)
    assert "bad.txt" in str(e.value)
    assert path.read_bytes() == before


def test_read_text_missing_and_folder(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        read_text(tmp_path / "nope.txt")
    with pytest.raises(CorpusError, match="folder"):
        read_text(tmp_path)


def test_bad_corpus_paths(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "missing")
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(CorpusError, match="is a file"):
        load_corpus(tmp_path / "a.txt")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CorpusError, match="no .txt files"):
        load_corpus(empty)


# --------------------------------------------------------------------------- manifests

def test_manifest_loads_metadata_and_extra_columns(tmp_path):
    manifest = (
        "Doc_ID,File,Title,Outlet,Author,Published,Date_Precision,Date_Note,Section\n"
        'x1,a.txt,"Seoul, Tokyo agree",Daily,"Kim, J.",2023-04,month,"a note\nover two lines",World\n'
        "x2,b.txt,,,,2023-04-24T10:00:00Z,,,\n"
        "x3,c.txt,,,,24 April 2023,,,\n"
    )
    folder = write_corpus(tmp_path / "c", {n: ARTICLE.encode() for n in ("a.txt", "b.txt", "c.txt")}, manifest)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        corpus = load_corpus(folder)
    a, b, c = corpus["x1"], corpus["x2"], corpus["x3"]
    assert (a.title, a.outlet, a.author, a.published, a.date_precision) == ("Seoul, Tokyo agree", "Daily", "Kim, J.", date(2023, 4, 1), "month")
    assert a.date_note == "a note\nover two lines" and a.meta == {"section": "World"}
    assert (b.published, b.date_precision) == (date(2023, 4, 24), "day")
    assert (c.published, c.date_precision) == (date(2023, 4, 24), "day")
    assert b.title == "Seoul and Tokyo agree to talk"  # detected on the page
    # the manifest may also be passed as the corpus path
    assert load_corpus(folder / "manifest.csv").doc_ids == ["x1", "x2", "x3"]


@pytest.mark.parametrize(
    "rows, files, match",
    [
        ("a,a.txt,,,,,,\na,b.txt,,,,,,\n", ["a.txt", "b.txt"], r"line 3.*doc_id 'a' is also used on line 2"),
        ("a,missing.txt,,,,,,\n", [], r"line 2.*'missing.txt' not found"),
        ("a,../outside.txt,,,,,,\n", [], r"line 2.*points outside the corpus folder"),
        ("a,/etc/passwd,,,,,,\n", [], r"line 2.*points outside the corpus folder"),
        (",a.txt,,,,,,\n", ["a.txt"], r"line 2: empty doc_id"),
        ("a,,,,,,,\n", ["a.txt"], r"line 2.*empty file column"),
        ("a,a.txt,Seoul, Tokyo,,,,,\n", ["a.txt"], r"line 2: 9 fields but the header has 8.*double quotes"),
        ("", ["a.txt"], "header but no rows"),
        ('a,a.txt,"unclosed,,,,,,\n', ["a.txt"], r"header but no rows|not valid CSV|line 2"),
    ],
)
def test_manifest_errors_name_the_row(tmp_path, rows, files, match):
    (tmp_path / "outside.txt").write_text(ARTICLE, encoding="utf-8")
    folder = write_corpus(tmp_path / "c", {f: ARTICLE.encode() for f in files}, HEADER + rows)
    with pytest.raises(CorpusError, match=match) as e:
        load_corpus(folder)
    assert "manifest.csv" in str(e.value)


def test_manifest_bad_file_is_named_with_its_row(tmp_path):
    folder = write_corpus(tmp_path / "c", {"a.txt": b""}, HEADER + "doc1,a.txt,,,,,,\n")
    with pytest.raises(CorpusError, match=r"a.txt: the file is empty.*line 2, doc_id 'doc1'"):
        load_corpus(folder)


def test_manifest_missing_columns(tmp_path):
    folder = write_corpus(tmp_path / "c", {"a.txt": ARTICLE.encode()}, "id,path\na,a.txt\n")
    with pytest.raises(CorpusError, match="missing column.*doc_id, file.*found id, path"):
        load_corpus(folder)
    folder = write_corpus(tmp_path / "d", {"a.txt": ARTICLE.encode()}, "doc_id;file\na;a.txt\n")
    with pytest.raises(CorpusError, match="separated by ';'"):
        load_corpus(folder)
    folder = write_corpus(tmp_path / "e", {"a.txt": ARTICLE.encode()}, "doc_id,file\na,a.txt\n")
    with pytest.warns(CorpusWarning, match="no 'published' column"):
        corpus = load_corpus(folder)
    assert corpus["a"].published is None


@pytest.mark.parametrize(
    "published, precision, match, expected",
    [
        ("yesterday", "", "published 'yesterday' is not a date", (None, None)),
        ("2023-02-30", "day", "not a valid date", (None, None)),
        ("2023-13", "", "not a valid date", (None, None)),
        ("2023", "day", "less precise than date_precision 'day'", (date(2023, 1, 1), "year")),
        ("2023-04-24", "weekly", "not one of day, month, year", (date(2023, 4, 24), "day")),
    ],
)
def test_bad_dates_warn_and_keep_the_document(tmp_path, published, precision, match, expected):
    folder = write_corpus(tmp_path / "c", {"a.txt": ARTICLE.encode()}, HEADER + f"d1,a.txt,,,,{published},{precision},\n")
    with pytest.warns(CorpusWarning, match=match) as w:
        corpus = load_corpus(folder)
    assert any("line 2" in str(x.message) and "d1" in str(x.message) for x in w)
    assert (corpus["d1"].published, corpus["d1"].date_precision) == expected


def test_unlisted_and_twice_listed_files_warn(tmp_path):
    folder = write_corpus(tmp_path / "c", {"a.txt": ARTICLE.encode(), "extra.txt": ARTICLE.encode()},
                          HEADER + "a,a.txt,,,,2023,,\nb,a.txt,,,,2023,,\n")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        corpus = load_corpus(folder)
    messages = " ".join(str(x.message) for x in w)
    assert "extra.txt" in messages and "not in the manifest" in messages and "also listed on line 2" in messages
    assert corpus.doc_ids == ["a", "b"]


def test_duplicate_documents_in_corpus():
    with pytest.raises(CorpusError, match="'x'"):
        Corpus([Document("x", "Text one."), Document("x", "Text two.")])


def test_inputs_never_modified_even_on_error(tmp_path):
    folder = write_corpus(
        tmp_path / "c",
        {"a.txt": ARTICLE.replace("\n", "\r\n").encode("utf-16"), "b.txt": ARTICLE.encode("cp1252")},
        HEADER + "a,a.txt,,,,2023-01-01,,\nb,b.txt,,,,nonsense,,\n",
    )
    os.utime(folder / "a.txt", ns=(1_000_000_000, 1_000_000_000))
    before = snapshot(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_corpus(folder)
        for d in corpus:
            _ = d.text, d.sentences, d.audit
        assert isinstance(corpus.to_frame(), pd.DataFrame)
    assert snapshot(folder) == before


def test_many_legacy_files_give_one_summary_warning(tmp_path):
    for i in range(5):
        (tmp_path / f"a{i}.txt").write_bytes("Caf\xe9 society met in Seoul on Monday.".encode("cp1252"))
    with pytest.warns(CorpusWarning) as record:
        corpus = load_corpus(tmp_path)
    messages = [str(w.message) for w in record if issubclass(w.category, CorpusWarning)]
    assert len(corpus) == 5 and len(messages) == 1
    assert "5 files are not valid UTF-8" in messages[0] and "a0.txt" in messages[0]
