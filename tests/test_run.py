"""The runner (`trilat run`): parameter parsing and typing, validation before execution,
failures, sweeps, user corpora. Uses tiny notebooks written to tmp_path, so it stays quick."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

from trilat_lib import cli
from trilat_lib import run as runner
from trilat_lib.errors import ParameterError

PARAMS_OK = """corpus_path = None  # folder of articles
output_dir = None  # set by the runner
n_topics = 4  # number of topics
term = "alliance"  # a word
sizes = [1, 2]  # n-gram sizes
ratio = 0.5
flag = False"""

BODY_OK = """import json, sys
from pathlib import Path
from trilat_lib import load_corpus
corpus = load_corpus(corpus_path)
Path(output_dir, "seen.json").write_text(json.dumps({
    "n_topics": n_topics, "term": term, "sizes": sizes, "ratio": ratio, "flag": flag,
    "corpus_path": corpus_path, "n_docs": len(corpus), "executable": sys.executable,
}))"""


def _write_nb(path: Path, params: str, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# A tiny notebook\nFor the runner tests."),
                nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return path


@pytest.fixture()
def nbdir(tmp_path):
    d = tmp_path / "notebooks"
    d.mkdir()
    _write_nb(d / "01_ok.ipynb", PARAMS_OK, BODY_OK)
    _write_nb(d / "02_fail.ipynb", "corpus_path = None\noutput_dir = None\nboom = True",
              "x = 1", "y = 2\nif boom:\n    raise ValueError('deliberate\\nfailure for the test')", "z = 3")
    return d


def _run(capsys, nbdir, out, *args):
    rc = cli.main(["run", "--notebooks-dir", str(nbdir), "--output", str(out), *args])
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def _seen(out: Path, run: str) -> dict:
    return json.loads((out / run / "seen.json").read_text())


# --------------------------------------------------------------------------- parsing (no execution)

def test_parse_assignment_and_sweep():
    assert runner.parse_assignment("n_topics=6") == ("n_topics", "6")
    assert runner.parse_assignment("query=a=b") == ("query", "a=b")
    with pytest.raises(ParameterError, match="name=value"):
        runner.parse_assignment("n_topics")
    with pytest.raises(ParameterError, match="name=value"):
        runner.parse_assignment("1x=3")
    assert runner.parse_sweep("n_topics=4,6,8") == ("n_topics", ["4", "6", "8"])
    assert runner.parse_sweep("sizes=[1,2],[2,3]") == ("sizes", ["[1,2]", "[2,3]"])
    with pytest.raises(ParameterError, match="at least one value"):
        runner.parse_sweep("n_topics=")


def test_cli_values_are_typed_by_yaml_and_by_the_default(nbdir):
    params = runner.inspect_parameters(nbdir / "01_ok.ipynb")
    assert params["n_topics"].default == 4 and params["n_topics"].help == "number of topics"
    assert runner.coerce_cli_value("6", params["n_topics"]) == 6
    assert runner.coerce_cli_value("0.25", params["ratio"]) == 0.25
    assert runner.coerce_cli_value("true", params["flag"]) is True
    assert runner.coerce_cli_value("null", params["corpus_path"]) is None
    # a text parameter keeps what was typed, even if YAML would read it as a bool or a number
    assert runner.coerce_cli_value("yes", params["term"]) == "yes"
    assert runner.coerce_cli_value("123", params["term"]) == "123"
    # list parameters: YAML list, comma list or a single item
    assert runner.coerce_cli_value("[2, 3]", params["sizes"]) == [2, 3]
    assert runner.coerce_cli_value("1,3", params["sizes"]) == [1, 3]
    assert runner.coerce_cli_value("2", params["sizes"]) == [2]


def test_validation_names_the_parameter(nbdir):
    nb = runner.discover_notebooks(nbdir)[0]
    assert runner.validate_parameters(nb, {"ratio": 1}) == {"ratio": 1.0}  # int is fine for a float
    with pytest.raises(ParameterError, match="'n_topics'.*int.*str 'six'"):
        runner.validate_parameters(nb, {"n_topics": "six"})
    with pytest.raises(ParameterError, match="'n_topics'.*int.*bool"):
        runner.validate_parameters(nb, {"n_topics": True})
    with pytest.raises(ParameterError, match="'sizes'.*list"):
        runner.validate_parameters(nb, {"sizes": ["a"]})
    with pytest.raises(ParameterError, match="unknown parameter 'n_topic'.*n_topics"):
        runner.validate_parameters(nb, {"n_topic": 3})
    with pytest.raises(ParameterError, match="'output_dir' is set by the runner"):
        runner.validate_parameters(nb, {"output_dir": "/tmp/x"})


def test_parameters_cell_parsing_is_robust():
    src = (
        'corpus_path = None  # folder (None = the seeds)\n'
        'sizes = [1, 2,\n         3]  # n-gram sizes (1 = words)\n'
        'method: str = "nmf"  # nmf (fast) | lda (slow)\n'
        'when = date(2020, 1, 1)  # an expression: type unknown\n'
        'x = 1; y = "a|b"  # not choices: default not listed\n'
    )
    p = runner.parse_parameters_source(src)
    assert list(p) == ["corpus_path", "sizes", "method", "when", "x", "y"]
    assert p["sizes"].default == [1, 2, 3] and p["sizes"].help == "n-gram sizes (1 = words)"
    assert p["corpus_path"].help == "folder (None = the seeds)"
    assert p["method"].choices == ("nmf", "lda")
    assert not p["when"].literal and p["when"].source == "date(2020, 1, 1)" and p["when"].type_name == "any"
    assert p["y"].choices is None
    with pytest.raises(ParameterError, match="not valid Python"):
        runner.parse_parameters_source("x = (")


def test_choices_are_enforced(tmp_path):
    _write_nb(tmp_path / "01_c.ipynb", 'corpus_path = None\noutput_dir = None\nmethod = "nmf"  # nmf | lda (slow)')
    nb = runner.discover_notebooks(tmp_path)[0]
    assert runner.validate_parameters(nb, {"method": "lda"}) == {"method": "lda"}
    with pytest.raises(ParameterError, match="'method' must be one of nmf, lda; got 'lad'"):
        runner.validate_parameters(nb, {"method": "lad"})


def test_notebook_selection(nbdir):
    nbs = runner.discover_notebooks(nbdir)
    assert [n.stem for n in nbs] == ["01_ok", "02_fail"]
    for sel in ("2", "02", "fail", "02_fail", "02_fail.ipynb"):
        assert [n.stem for n in runner.select_notebooks(nbs, [sel])] == ["02_fail"]
    with pytest.raises(ParameterError, match="'07' matches no notebook; available: 01_ok, 02_fail"):
        runner.select_notebooks(nbs, ["07"])


def test_params_file_sections_and_precedence(nbdir, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("term: deterrence\nratio: 0.1\n01_ok:\n  n_topics: 7\n  sizes: [3]\n")
    common, per_nb = runner.load_params_file(f)
    assert common == {"term": "deterrence", "ratio": 0.1} and per_nb == {"01_ok": {"n_topics": 7, "sizes": [3]}}
    nbs = runner.discover_notebooks(nbdir)
    specs = runner.plan_runs(nbs, common, [("ratio", "0.9")], per_nb)
    ok = next(s for s in specs if s.notebook.stem == "01_ok")
    assert ok.overrides == {"term": "deterrence", "ratio": 0.9, "n_topics": 7, "sizes": [3]}  # -p beats the file
    fail = next(s for s in specs if s.notebook.stem == "02_fail")
    assert fail.overrides == {}  # it declares none of them
    # one file serves the whole collection: running one notebook ignores the other's values
    only_fail = runner.plan_runs(runner.select_notebooks(nbs, ["02"]), common, [], per_nb, explicit=True,
                                 all_notebooks=nbs)
    assert [s.overrides for s in only_fail] == [{}]
    with pytest.raises(ParameterError, match="unknown parameter 'nope'"):
        runner.plan_runs(nbs, {"nope": 1})
    with pytest.raises(ParameterError, match="section '07' matches no notebook"):
        runner.plan_runs(nbs, {}, [], {"07": {"n_topics": 3}})
    with pytest.raises(ParameterError, match="01_ok: unknown parameter 'n_topicz'"):
        runner.plan_runs(nbs, {}, [], {"01": {"n_topicz": 3}})
    bad = tmp_path / "bad.yaml"
    bad.write_text("n_topics: [unclosed\n")
    with pytest.raises(ParameterError, match="not valid YAML"):
        runner.load_params_file(bad)
    bad.write_text("- a list\n")
    with pytest.raises(ParameterError, match="must be a mapping"):
        runner.load_params_file(bad)


# --------------------------------------------------------------------------- rejected before execution

@pytest.mark.parametrize("args, message", [
    (["-p", "n_topics=six"], "parameter 'n_topics' expects a value of type int"),
    (["-p", "nonsense=1"], "unknown parameter 'nonsense'"),
    (["--notebook", "01", "-p", "boom=false"], "01_ok: unknown parameter 'boom'"),
    (["-p", "output_dir=/elsewhere"], "'output_dir' is set by the runner"),
    (["--sweep", "n_topics=4,x"], "parameter 'n_topics'"),
    (["--corpus", "/no/such/folder"], "does not exist"),
])
def test_bad_input_is_rejected_before_anything_runs(capsys, nbdir, tmp_path, args, message):
    out = tmp_path / "reports"
    rc, _, err = _run(capsys, nbdir, out, *args)
    assert rc == 2
    assert message in err
    assert not out.exists() or not list(out.glob("*.ipynb"))


# --------------------------------------------------------------------------- execution

def test_run_types_parameters_uses_this_python_and_writes_the_report(capsys, nbdir, tmp_path):
    out = tmp_path / "reports"
    rc, _, err = _run(capsys, nbdir, out, "--notebook", "01", "-p", "n_topics=6", "-p", "term=yes",
                      "-p", "sizes=2,3", "-p", "flag=true")
    assert rc == 0, err
    seen = _seen(out, "01_ok")
    assert seen["n_topics"] == 6 and seen["term"] == "yes" and seen["sizes"] == [2, 3] and seen["flag"] is True
    assert seen["ratio"] == 0.5 and seen["corpus_path"] is None and seen["n_docs"] >= 1
    assert Path(seen["executable"]).resolve() == Path(sys.executable).resolve()
    assert "[1/1] 01_ok" in err  # progress
    executed = nbformat.read(out / "01_ok.ipynb", as_version=4)
    assert executed.metadata["kernelspec"]["name"] == "python3"  # the notebook's own, not the runner's
    html = (out / "01_ok.html").read_text()
    assert "A tiny notebook" in html and 'href="index.html"' in html
    index = (out / "index.html").read_text()
    assert 'href="01_ok.html"' in index and 'href="01_ok.ipynb"' in index and "n_topics = 6" in index
    assert 'href="01_ok/seen.json"' in index
    runs = runner.load_runs(out)
    assert runs["01_ok"]["status"] == "ok" and runs["01_ok"]["overrides"]["n_topics"] == 6


def test_failing_notebook_one_line_nonzero_partial_kept(capsys, nbdir, tmp_path):
    out = tmp_path / "reports"
    rc, _, err = _run(capsys, nbdir, out)
    assert rc == 1
    failures = [ln for ln in err.splitlines() if "FAILED 02_fail" in ln]
    assert len(failures) == 1
    line = failures[0]
    # the notebook, the cell (4th cell of the source notebook, 2nd code cell after the parameters) and the error
    assert "02_fail" in line and "cell 4" in line and "ValueError: deliberate failure for the test" in line
    assert str(out / "02_fail.ipynb") in line
    partial = nbformat.read(out / "02_fail.ipynb", as_version=4)
    code = [c for c in partial.cells if c.cell_type == "code"]
    assert any(o.get("ename") == "ValueError" for c in code for o in c.get("outputs", []))
    assert code[-1].source == "z = 3" and not code[-1].get("outputs")  # stopped at the error
    assert (out / "02_fail.html").exists()
    runs = runner.load_runs(out)
    assert runs["01_ok"]["status"] == "ok"  # the other notebook still ran
    assert runs["02_fail"]["status"] == "failed" and "cell 4" in runs["02_fail"]["error"]
    assert "failed" in (out / "index.html").read_text()


def test_sweep_makes_one_folder_and_index_entry_per_value(capsys, nbdir, tmp_path):
    out = tmp_path / "reports"
    rc, _, err = _run(capsys, nbdir, out, "--sweep", "n_topics=3,5", "-p", "term=pact")
    assert rc == 0, err  # 02_fail does not declare n_topics, so it is not run
    for k in (3, 5):
        name = f"01_ok__n_topics={k}"
        assert _seen(out, name)["n_topics"] == k and _seen(out, name)["term"] == "pact"
        assert (out / f"{name}.html").exists() and (out / f"{name}.ipynb").exists()
    assert not (out / "02_fail.ipynb").exists()
    runs = runner.load_runs(out)
    assert {r["sweep"]["n_topics"] for r in runs.values()} == {3, 5}
    index = (out / "index.html").read_text()
    assert 'href="01_ok__n_topics=3.html"' in index and 'href="01_ok__n_topics=5.html"' in index
    # a later single run adds to the index instead of replacing it
    rc, _, _ = _run(capsys, nbdir, out, "--notebook", "01")
    assert rc == 0 and set(runner.load_runs(out)) == {"01_ok", "01_ok__n_topics=3", "01_ok__n_topics=5"}


def test_user_corpus_folder_is_passed_as_an_absolute_path(capsys, nbdir, tmp_path, monkeypatch):
    corpus = tmp_path / "my articles"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"a{i}.txt").write_text(f"Seoul and Tokyo met in Washington on day {i}. They talked.\n",
                                          encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a relative --corpus must still reach the kernel (another cwd)
    out = tmp_path / "reports"
    rc, _, err = _run(capsys, nbdir, out, "--notebook", "01", "--corpus", "my articles")
    assert rc == 0, err
    seen = _seen(out, "01_ok")
    assert seen["n_docs"] == 3 and Path(seen["corpus_path"]) == corpus.resolve()
    assert str(corpus.resolve()) in (out / "index.html").read_text()

    empty = tmp_path / "empty"
    empty.mkdir()
    rc, _, err = _run(capsys, nbdir, out, "--notebook", "01", "--corpus", str(empty))
    assert rc == 2 and "no .txt files" in err

    _write_nb(nbdir / "03_nocorpus.ipynb", "output_dir = None\nk = 1")
    rc, _, err = _run(capsys, nbdir, out, "--corpus", str(corpus))
    assert rc == 2 and "03_nocorpus declare(s) no corpus_path" in err


def test_dry_run_and_list(capsys, nbdir, tmp_path):
    out = tmp_path / "reports"
    rc, stdout, _ = _run(capsys, nbdir, out, "--dry-run", "--sweep", "n_topics=4,6")
    assert rc == 0 and "01_ok__n_topics=4" in stdout and "01_ok__n_topics=6" in stdout
    assert not out.exists()
    assert cli.main(["list", "--notebooks-dir", str(nbdir)]) == 0
    listing = capsys.readouterr().out
    assert "n_topics = 4  [int]  # number of topics" in listing and "02_fail" in listing


def test_notebook_without_parameters_cell_is_refused(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, tmp_path / "01_bare.ipynb")
    with pytest.raises(ParameterError, match="01_bare.ipynb: has 0 cells tagged 'parameters'"):
        runner.discover_notebooks(tmp_path)


def test_help_is_helpful(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["run", "--help"])
    assert e.value.code == 0
    text = capsys.readouterr().out
    for option in ("--notebook", "--param", "--params", "--corpus", "--sweep", "--output", "examples:"):
        assert option in text


# --------------------------------------------------------------------------- issue 13: CLI input that used to crash

def test_yaml_dates_stay_text(tmp_path):
    """`-p date_from=2021-01-01` (and the same in a YAML file) is the text typed, not a datetime.date
    (which crashed the run: "date is not JSON serializable")."""
    _write_nb(tmp_path / "01_d.ipynb", "corpus_path = None\noutput_dir = None\ndate_from = None\nlabel = 'x'")
    nb = runner.discover_notebooks(tmp_path)[0]
    assert runner.coerce_cli_value("2021-01-01", nb.parameters["date_from"]) == "2021-01-01"
    assert runner.coerce_cli_value("2021-01-01", nb.parameters["label"]) == "2021-01-01"
    assert runner.coerce_cli_value("2021", nb.parameters["date_from"]) == 2021
    f = tmp_path / "p.yaml"
    f.write_text("date_from: 2021-01-01\n01_d:\n  label: 2022-03-04\n")
    common, per_nb = runner.load_params_file(f)
    assert common == {"date_from": "2021-01-01"} and per_nb == {"01_d": {"label": "2022-03-04"}}
    import datetime as dt
    assert runner.validate_parameters(nb, {"date_from": dt.date(2020, 5, 1)}) == {"date_from": "2020-05-01"}


def test_date_parameter_runs_and_is_recorded(capsys, tmp_path):
    d = tmp_path / "nbs"
    d.mkdir()
    _write_nb(d / "01_d.ipynb", "corpus_path = None\noutput_dir = None\ndate_from = None",
              "import json, pathlib\npathlib.Path(output_dir, 'seen.json').write_text(json.dumps(date_from))")
    out = tmp_path / "reports"
    rc, _, err = _run(capsys, d, out, "-p", "date_from=2021-01-01")
    assert rc == 0, err
    assert json.loads((out / "01_d" / "seen.json").read_text()) == "2021-01-01"
    assert runner.load_runs(out)["01_d"]["overrides"]["date_from"] == "2021-01-01"


@pytest.mark.parametrize("args, message", [
    (["--corpus", ""], "--corpus '': give the folder"),
    (["-p", "corpus_path=''"], "-p corpus_path '': give the folder"),
    (["--output", ""], "--output '': give the reports folder"),
])
def test_empty_folder_names_are_errors(capsys, nbdir, tmp_path, args, message):
    rc = cli.main(["run", "--notebooks-dir", str(nbdir), *(args if "--output" in args else
                                                        ["--output", str(tmp_path / "r"), *args])])
    err = capsys.readouterr().err
    assert rc == 2 and message in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("dry", [False, True])
def test_unusable_output_folder_is_one_line(capsys, nbdir, tmp_path, dry):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    for target in (a_file, a_file / "reports"):
        rc, _, err = _run(capsys, nbdir, target, *(["--dry-run"] if dry else []))
        assert rc == 2, err
        assert "Traceback" not in err and f"--output {target}" in err and "choose another folder" in err
        assert len(err.strip().splitlines()) == 1


def test_unusable_cache_folder_fails_before_running(capsys, tmp_path, monkeypatch):
    from trilat_lib import cache

    d = tmp_path / "nbs"
    d.mkdir()
    _write_nb(d / "01_c.ipynb", "corpus_path = None\noutput_dir = None\nuse_cache = True", "x = 1")
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    monkeypatch.setattr(cache, "ANNOTATION_CACHE_DIR", a_file / "annotations")
    out = tmp_path / "reports"
    rc, _, err = _run(capsys, d, out, "--dry-run")
    assert rc == 2 and f"cache folder {a_file / 'annotations'}" in err and "TRILAT_CACHE_DIR" in err
    rc, _, err = _run(capsys, d, out)
    assert rc == 2 and "use_cache=false" in err and not (out / "01_c.ipynb").exists()
    rc, _, err = _run(capsys, d, out, "--dry-run", "-p", "use_cache=false")
    assert rc == 0, err  # without the cache the folder does not matter


def test_unreadable_corpus_names_the_option(capsys, nbdir, tmp_path, monkeypatch):
    from trilat_lib import corpus as corpus_mod

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Seoul and Tokyo met.\n")

    def denied(path, *a, **k):  # what load_corpus meets on a folder without read permission (root reads anyway)
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(corpus_mod, "load_corpus", denied)
    rc, _, err = _run(capsys, nbdir, tmp_path / "r", "--corpus", str(folder))
    assert rc == 2 and "Traceback" not in err
    assert f"--corpus {folder}: cannot read {folder} (Permission denied)" in err


@pytest.mark.skipif(sys.platform == "win32" or not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
                    reason="root reads folders without read permission")
def test_unreadable_corpus_folder_for_real(capsys, nbdir, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Seoul and Tokyo met.\n")
    folder.chmod(0)
    try:
        rc, _, err = _run(capsys, nbdir, tmp_path / "r", "--corpus", str(folder))
    finally:
        folder.chmod(0o755)
    assert rc == 2 and "--corpus" in err and "Traceback" not in err


def test_non_utf8_params_file_and_file_names(capsys, nbdir, tmp_path):
    import os

    f = tmp_path / "p.yaml"
    f.write_bytes(b"term: caf\xe9\n")
    rc, _, err = _run(capsys, nbdir, tmp_path / "r", "--params", str(f))
    assert rc == 2 and f"--params {f}: not UTF-8 text (byte 0xe9" in err and "save the file as UTF-8" in err
    rc, _, err = _run(capsys, nbdir, tmp_path / "r", "--params", str(tmp_path))
    assert rc == 2 and "is a folder" in err

    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Seoul and Tokyo met.\n")
    try:
        Path(os.fsdecode(bytes(corpus) + b"/caf\xe9.txt")).write_text("Seoul and Tokyo met again.\n")
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    rc, _, err = _run(capsys, nbdir, tmp_path / "r", "--corpus", str(corpus))
    assert rc == 2 and "Traceback" not in err
    assert "caf\\xe9.txt" in err and "not UTF-8" in err and "rename" in err
    bad_dir = Path(os.fsdecode(bytes(tmp_path) + b"/d\xe9"))
    bad_dir.mkdir()
    (bad_dir / "a.txt").write_text("Seoul and Tokyo met.\n")
    rc, _, err = _run(capsys, nbdir, tmp_path / "r", "--corpus", str(bad_dir))
    assert rc == 2 and "d\\xe9" in err and "folder name is not UTF-8" in err


# --------------------------------------------------------------------------- issue 13: concurrent and killed runs

SLEEPY_PARAMS = "corpus_path = None\noutput_dir = None\nseconds = 6"
SLEEPY_BODY = ("import pathlib, time\npathlib.Path(output_dir, 'started').write_text('x')\ntime.sleep(seconds)\n"
               "pathlib.Path(output_dir, 'done.txt').write_text('done')")


def _spawn_run(nbdir: Path, out: Path, *args: str):
    import os
    import subprocess

    env = dict(os.environ, PYTHONPATH=str(Path(runner.__file__).resolve().parents[1]))
    return subprocess.Popen([sys.executable, "-m", "trilat_lib.cli", "run", "--notebooks-dir", str(nbdir),
                             "--output", str(out), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path, proc, timeout: float = 60) -> None:
    import time

    t0 = time.monotonic()
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() - t0 < timeout, f"{path} did not appear"
        time.sleep(0.1)


@pytest.mark.slow
def test_second_run_into_the_same_folder_fails_fast(capsys, tmp_path):
    d = tmp_path / "nbs"
    d.mkdir()
    _write_nb(d / "01_sleepy.ipynb", SLEEPY_PARAMS, SLEEPY_BODY)
    out = tmp_path / "reports"
    first = _spawn_run(d, out)
    try:
        _wait_for(out / "01_sleepy" / "started", first)
        rc, _, err = _run(capsys, d, out, "-p", "seconds=0")  # the second run, in this process
        assert rc == 2
        assert f"--output {out.resolve()}: another trilat run (pid {first.pid})" in err
    finally:
        stdout, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    # the first run's files were not deleted by the second
    assert (out / "01_sleepy" / "done.txt").read_text() == "done"
    assert runner.load_runs(out)["01_sleepy"]["status"] == "ok"
    rc, _, err = _run(capsys, d, out, "-p", "seconds=0")  # free again once the first ended
    assert rc == 0, err


@pytest.mark.slow
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_terminated_run_leaves_no_temporaries_and_stale_ones_are_removed(capsys, tmp_path, signame):
    import signal

    sig = getattr(signal, signame, None)
    if sig is None:
        pytest.skip(f"no {signame} on this platform")
    d = tmp_path / "nbs"
    d.mkdir()
    _write_nb(d / "01_sleepy.ipynb", SLEEPY_PARAMS, SLEEPY_BODY)
    out = tmp_path / "reports"
    proc = _spawn_run(d, out, "-p", "seconds=60")
    _wait_for(out / "01_sleepy" / "started", proc)
    assert [f.name for f in out.glob(".01_sleepy.*.ipynb")]  # the notebook being executed
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig and "terminated" in stderr
    assert not list(out.glob(".*.ipynb")) and not list(out.glob(".*.tmp"))
    # a run killed without a chance to clean up (SIGKILL, power cut): the next run removes its leftovers
    stale = [out / ".01_sleepy.ab12cd34.ipynb", out / ".index.html.x9y8z7w6.tmp"]
    for f in stale:
        f.write_text("{}")
    keep = out / ".my_notes.ipynb"  # not a runner temporary
    keep.write_text("{}")
    rc, _, err = _run(capsys, d, out, "-p", "seconds=0")
    assert rc == 0, err
    assert not any(f.exists() for f in stale) and keep.exists()
    assert "left behind by an interrupted run" in err


def test_list_into_a_closed_pipe_is_quiet():
    """`trilat list | head -1`: no "Broken pipe" error message and no traceback."""
    import os
    import subprocess

    env = dict(os.environ, PYTHONPATH=str(Path(runner.__file__).resolve().parents[1]))
    proc = subprocess.Popen([sys.executable, "-m", "trilat_lib.cli", "list"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # the reader leaves after one line
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert err == "", err


def test_save_csv_writes_publication_dates_at_their_precision(tmp_path) -> None:
    """A month- or year-precision date is never written with an invented day (issue 11)."""
    import datetime as dt

    import pandas as pd

    from trilat_lib.outputs import save_csv

    df = pd.DataFrame({"doc_id": ["a", "b", "c", "d"],
                       "published": [dt.date(2022, 7, 15), dt.date(2023, 2, 15), dt.date(2023, 4, 24), None],
                       "date_precision": ["month", "year", "day", None]})
    text = save_csv(df, tmp_path / "t.csv").read_text(encoding="utf-8")
    assert text.splitlines()[1:] == ["a,2022-07,month", "b,2023,year", "c,2023-04-24,day", "d,,"]
    assert df["published"].iloc[0] == dt.date(2022, 7, 15)  # the caller's frame is left alone
