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


# --------------------------------------------------------------------------- hostile folders (issue 13)

@pytest.fixture
def alarm():
    """Fail (instead of hanging the suite) if the test blocks, e.g. on a FIFO."""
    import signal

    def boom(*_):
        raise TimeoutError("blocked: a FIFO or device was opened")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_fifos_and_devices_are_skipped_with_a_warning(tmp_path, alarm):
    folder = write_corpus(tmp_path / "c", {"a.txt": ARTICLE.encode()})
    os.mkfifo(folder / "pipe.txt")
    os.symlink("/dev/urandom", folder / "random.txt")
    os.symlink(folder / "gone.txt", folder / "broken.txt")
    with pytest.warns(CorpusWarning, match=r"not a regular file") as w:
        corpus = load_corpus(folder)
    assert corpus.doc_ids == ["a"]
    message = " ".join(str(x.message) for x in w)
    assert "pipe.txt" in message and "random.txt" in message and "broken.txt" in message
    with pytest.raises(CorpusError, match=r"pipe.txt.*named pipe"):
        read_text(folder / "pipe.txt")
    with pytest.raises(CorpusError, match=r"random.txt.*device"):
        read_text(folder / "random.txt")
    # the lazy reader of annotate_corpus skips them the same way
    from trilat_lib.annotate import annotations

    with pytest.warns(CorpusWarning, match="pipe.txt"):
        t = annotations(folder, layers=["sentences"], cache=False)
    assert list(t["documents"].doc_id) == ["a"]


def test_manifest_rows_naming_a_fifo_are_skipped(tmp_path, alarm):
    folder = write_corpus(tmp_path / "c", {"a.txt": ARTICLE.encode()}, HEADER + "a,a.txt,,,,2023,,\np,pipe.txt,,,,2023,,\n")
    os.mkfifo(folder / "pipe.txt")
    with pytest.warns(CorpusWarning, match=r"line 3 \('pipe.txt': a named pipe"):
        corpus = load_corpus(folder)
    assert corpus.doc_ids == ["a"]


def test_links_outside_the_folder_are_refused_with_or_without_manifest(tmp_path):
    (tmp_path / "outside.txt").write_text(ARTICLE, encoding="utf-8")
    bare = write_corpus(tmp_path / "bare", {"a.txt": ARTICLE.encode()})
    os.symlink(tmp_path / "outside.txt", bare / "link.txt")
    with pytest.raises(CorpusError, match=r"link.txt: is a link to .*outside.txt, outside the corpus folder"):
        load_corpus(bare)
    listed = write_corpus(tmp_path / "listed", {"a.txt": ARTICLE.encode()}, HEADER + "l,link.txt,,,,,,\n")
    os.symlink(tmp_path / "outside.txt", listed / "link.txt")
    with pytest.raises(CorpusError, match="points outside the corpus folder"):
        load_corpus(listed)
    # a link to a file inside the folder is fine
    inside = write_corpus(tmp_path / "inside", {"a.txt": ARTICLE.encode()})
    os.symlink(inside / "a.txt", inside / "b.txt")
    assert load_corpus(inside).doc_ids == ["a", "b"]


def test_upper_case_suffixes_are_loaded(tmp_path):
    folder = write_corpus(tmp_path / "c", {"a.txt": ARTICLE.encode(), "B.TXT": ARTICLE.encode(), "c.Txt": ARTICLE.encode()})
    assert load_corpus(folder).doc_ids == ["B", "a", "c"]
    manifest = write_corpus(tmp_path / "m", {"a.txt": ARTICLE.encode(), "B.TXT": ARTICLE.encode()}, HEADER + "a,a.txt,,,,,,\n")
    with pytest.warns(CorpusWarning, match=r"B.TXT"):  # unlisted, named
        load_corpus(manifest)
    clash = write_corpus(tmp_path / "d", {"a.txt": ARTICLE.encode(), "a.TXT": ARTICLE.encode()})
    with pytest.raises(CorpusError, match=r"a.TXT and a.txt both give doc_id 'a'"):
        load_corpus(clash)


def test_unreadable_folder_and_file_raise_corpus_errors(tmp_path, monkeypatch):
    folder = write_corpus(tmp_path / "c", {"a.txt": ARTICLE.encode()})
    real_listdir, real_scandir, real_open = os.listdir, os.scandir, os.open

    def deny(real):
        def f(path=".", *args, **kwargs):
            if os.fspath(path) in (str(folder), str(folder / "a.txt")):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path, *args, **kwargs)
        return f

    with monkeypatch.context() as m:  # as root, chmod 000 does not stop reading: simulate it
        m.setattr(os, "listdir", deny(real_listdir))
        m.setattr(os, "scandir", deny(real_scandir))
        with pytest.raises(CorpusError, match=r"corpus folder .*c cannot be read \(Permission denied\)"):
            load_corpus(folder)
    with monkeypatch.context() as m:
        m.setattr(os, "open", deny(real_open))
        with pytest.raises(CorpusError, match=r"a.txt: cannot be read \(Permission denied\)"):
            load_corpus(folder)
    # a folder this user may not enter (no x bit): even stat of its entries fails
    real_stat = os.stat

    def no_entry(path, *args, **kwargs):
        if os.path.dirname(os.fspath(path)) == str(folder):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_stat(path, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(os, "stat", no_entry)
        with pytest.raises(CorpusError, match=r"cannot be read \(Permission denied\)"):
            load_corpus(folder)
        from trilat_lib.annotate import annotations

        with pytest.raises(CorpusError, match=r"cannot be read \(Permission denied\)"):
            annotations(folder, layers=["sentences"], cache=False)


def test_non_utf8_file_names_get_readable_doc_ids(tmp_path):
    folder = write_corpus(tmp_path / "c", {"a.txt": ARTICLE.encode()})
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "wb") as f:
        f.write(ARTICLE.encode())
    with pytest.warns(CorpusWarning, match=r"not valid UTF-8: caf\\xe9"):
        corpus = load_corpus(folder)
    assert corpus.doc_ids == ["a", "caf\\xe9"]
    for doc_id in corpus.doc_ids:
        doc_id.encode("utf-8")  # printable, savable to CSV and Parquet
    assert corpus["caf\\xe9"].text == corpus["a"].text
    from trilat_lib.annotate import annotate_corpus, read_annotations

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        annotate_corpus(folder, tmp_path / "out", layers=["sentences"], cache=False)
    assert set(read_annotations(tmp_path / "out", "documents").doc_id) == {"a", "caf\\xe9"}


KOREAN = ("서울과 도쿄가 대화 재개에 합의했다. 한국 외교부 장관은 5일 도쿄에서 일본 외무상과 만나 양국 관계 개선 방안을 논의했다. "
          "미국 국무부는 이번 회담을 환영한다고 밝혔다.\n\n양측은 관계 개선이 계속될 것이라고 말했다. 비판하는 사람들은 확신하지 못했다.\n")
JAPANESE = ("ソウルと東京が対話の再開で合意した。韓国の外相は五日、東京で日本の外相と会談し、両国関係の改善策を協議した。"
            "米国務省は会談を歓迎すると表明した。\n\n双方は関係改善が続くと述べた。批判的な人々は確信していない。\n")
CHINESE = ("首尔和东京同意恢复对话。韩国外长五日在东京会见了日本外相，讨论了改善两国关系的方法。"
           "美国国务院表示欢迎这次会谈。\n\n双方表示关系改善将会持续。批评者对此并不确定。\n")


@pytest.mark.parametrize("text, encoding", [(KOREAN, "euc_kr"), (KOREAN, "cp949"), (JAPANESE, "shift_jis"),
                                             (JAPANESE, "euc_jp"), (CHINESE, "gb2312"), (CHINESE, "gbk")],
                         ids=["ko-euc_kr", "ko-cp949", "ja-shift_jis", "ja-euc_jp", "zh-gb2312", "zh-gbk"])
def test_east_asian_legacy_encodings_are_detected_not_mojibake(tmp_path, text, encoding):
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode(encoding))
    with pytest.warns(CorpusWarning, match=r"a.txt: not valid UTF-8; detected and read as legacy"):
        got, enc = read_text(path)
    assert got == text and enc != "cp1252"


def test_too_little_east_asian_text_is_refused_not_guessed(tmp_path):
    short = ARTICLE.replace("Critics", "岸田文雄 critics").replace("’", "'").replace("“", '"').replace("”", '"')
    short = short.replace("é", "e")
    for encoding in ("shift_jis", "euc_jp", "gb2312"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(short.encode(encoding))
        with pytest.raises(CorpusError, match=rf"{encoding}.txt: not valid UTF-8.*East Asian.*Re-save it as UTF-8"):
            read_text(path)


@pytest.mark.parametrize("published", ["0001-01-01", "9999-12-31", "1066-10-14", "2999"])
def test_unusable_years_are_dropped_with_a_warning(tmp_path, published):
    folder = write_corpus(tmp_path / "c", {"a.txt": ARTICLE.encode()}, HEADER + f"d1,a.txt,,,,{published},,\n")
    with pytest.warns(CorpusWarning, match=rf"line 2 \(doc_id 'd1'\): published '{published}' is outside the years"):
        corpus = load_corpus(folder)
    assert corpus["d1"].published is None and corpus["d1"].date_precision is None
    assert corpus.to_frame().shape[0] == 1


def test_document_empty_after_cleaning_is_named(tmp_path):
    folder = write_corpus(tmp_path / "c", {"a.txt": ARTICLE.encode(),
                                           "menu.txt": b"Advertisement\nSubscribe to our newsletter\nShare this article\n"})
    with pytest.warns(CorpusWarning, match=r"menu.txt \(doc_id 'menu'\): empty after cleaning: the cleaner removed all 3"):
        corpus = load_corpus(folder)  # no manifest title: cleaned at load to find the title
    assert corpus["menu"].text == ""
    listed = write_corpus(tmp_path / "m", {"menu.txt": b"Advertisement\nSubscribe to our newsletter\n"},
                          HEADER + "m,menu.txt,A title,,,2023,,\n")
    lazy = load_corpus(listed)
    with pytest.warns(CorpusWarning, match=r"menu.txt \(doc_id 'm'\): empty after cleaning"):
        assert lazy["m"].sentences == []  # cleaned on first use
    from trilat_lib.annotate import annotations

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        fresh = load_corpus(folder)
    with pytest.warns(CorpusWarning, match=r"1 document\(s\) are empty after cleaning.*'menu'"):
        annotations(fresh, layers=["sentences"], cache=False)
    from trilat_lib import terms

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        table = terms.ngram_table(corpus, 1)
    with pytest.raises(Exception, match="empty after cleaning") as e:
        terms.distinctive_terms(table)
    assert "needs at least 2 documents" not in str(e.value)
