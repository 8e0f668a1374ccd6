"""The synthetic corpus generator: deterministic, loadable, varied, and kept away from the seeds."""
from __future__ import annotations

import hashlib
import warnings

import pytest

from trilat_lib import load_corpus
from trilat_lib.errors import CorpusWarning, ParameterError
from trilat_lib.paths import SEEDS_DIR
from trilat_lib.synthetic import README_MARKER, generate_corpus, main


def _digest(folder):
    h = hashlib.sha256()
    for p in sorted(folder.iterdir()):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def syn120(tmp_path_factory):
    return generate_corpus(120, tmp_path_factory.mktemp("syn") / "c120", seed=0)


def test_same_seed_gives_byte_identical_files(syn120, tmp_path):
    again = generate_corpus(120, tmp_path / "again", seed=0)
    assert _digest(syn120) == _digest(again)
    other = generate_corpus(120, tmp_path / "other", seed=1)
    assert _digest(other) != _digest(syn120)


def test_prefix_is_stable_across_sizes(syn120, tmp_path):
    small = generate_corpus(10, tmp_path / "c10", seed=0)
    for p in small.glob("syn_*.txt"):
        assert p.read_bytes() == (syn120 / p.name).read_bytes()


def test_corpus_loads_and_is_varied(syn120):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        corpus = load_corpus(syn120)
    assert not [x for x in w if "not in the manifest" in str(x.message)]
    assert len(corpus) == 120
    assert any(issubclass(x.category, CorpusWarning) for x in w)  # cp1252 files are flagged
    frame = corpus.to_frame()
    assert {"utf-8", "cp1252", "utf-16"} <= set(frame.encoding) or {"utf-8", "cp1252"} <= set(frame.encoding)
    years = {d.published.year for d in corpus if d.published}
    assert min(years) >= 2015 and max(years) <= 2025 and len(years) >= 8
    assert any(d.published is None for d in corpus)
    assert set(frame.date_precision.dropna()) >= {"day", "month"}
    sizes = [p.stat().st_size for p in syn120.glob("syn_*.txt")]
    assert 3_500 < sum(sizes) / len(sizes) < 7_500  # ~5 KB per article
    raw = "\n".join(d.raw for d in corpus)
    assert "READ ALSO" in raw and "Please enter your comment!" in raw
    assert sum(len(d.sentences) for d in corpus) > 120 * 10
    countries = {"Japan", "Mongolia", "Canada", "Vietnam", "Germany", "China"}
    assert sum(c in raw for c in countries) >= 5
    readme = (syn120 / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(README_MARKER) and "NOT real news" in readme


def test_refuses_seeds_and_foreign_folders(tmp_path):
    with pytest.raises(ParameterError, match="seeds|real corpus"):
        generate_corpus(3, SEEDS_DIR / "syn")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own work")
    with pytest.raises(ParameterError, match="not a synthetic corpus"):
        generate_corpus(3, mine)
    assert (mine / "notes.txt").read_text() == "my own work"
    with pytest.raises(ParameterError, match="positive integer"):
        generate_corpus(0, tmp_path / "zero")
    with pytest.raises(ParameterError, match="seed"):
        generate_corpus(2, tmp_path / "neg", seed=-1)


def test_regenerating_replaces_old_files(tmp_path):
    out = generate_corpus(5, tmp_path / "c")
    generate_corpus(3, out)
    assert len(list(out.glob("syn_*.txt"))) == 3
    assert len(load_corpus(out)) == 3


def test_cli(tmp_path, capsys):
    assert main(["4", str(tmp_path / "cli"), "--seed", "2"]) == 0
    assert "wrote 4 synthetic articles" in capsys.readouterr().out
    assert len(list((tmp_path / "cli").glob("syn_*.txt"))) == 4
