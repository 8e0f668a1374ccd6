"""trilat_lib.params: one place that checks every notebook parameter with documented choices or
ranges, used by the runner before executing and by each notebook's setup cell (issue 10)."""
from __future__ import annotations

import nbformat
import pytest

from trilat_lib import cli, params
from trilat_lib import run as runner
from trilat_lib.errors import ParameterError
from trilat_lib.paths import NOTEBOOKS_DIR

NOTEBOOKS = {nb.stem: nb for nb in runner.discover_notebooks(NOTEBOOKS_DIR)}


@pytest.mark.parametrize("value", ["KOR", "KOR,JPN", "[kor, jpn]", "kor jpn", '"kor jpn"', ["South Korea", "japan"],
                                   "South Korea, Japan", "south korea japan", ["KOR", "JPN", "KOR"], ("kor", "JPN")])
def test_countries_accept_codes_names_and_lists(value):
    want = ["KOR"] if value == "KOR" else ["KOR", "JPN"]
    for nb in ("03_sentiment_by_country", "04_timeline"):
        assert params.check_value(nb, "countries", value) == want
        assert params.check_value(nb, "countries", want) == want  # idempotent: the notebook re-checks


def test_countries_follow_the_gazetteer():
    from trilat_lib.countries import load_gazetteer

    gaz = load_gazetteer()
    for code in gaz.countries:  # every code the gazetteer knows, whatever its size
        assert params.countries(code.lower()) == [code]
        assert params.countries(gaz.names[code]) == [code]


@pytest.mark.parametrize("value, close", [("XYZ", None), ("Jpan", "JPN (Japan)"), ("kor, Korae", "KOR (South Korea)"),
                                          ("south korae", "KOR (South Korea)")])
def test_unknown_country_names_the_parameter_and_suggests(value, close):
    with pytest.raises(ParameterError) as e:
        params.check_value("03_sentiment_by_country", "countries", value)
    msg = str(e.value)
    assert msg.startswith("03_sentiment_by_country: parameter 'countries'") and "is not one" in msg
    if close:
        assert f"did you mean {close}" in msg
    with pytest.raises(ParameterError, match="at least one country"):
        params.check_value("04_timeline", "countries", [])


@pytest.mark.parametrize("nb, name, value, message", [
    ("02", "n_topics", "abc", "None, 'auto' or a whole number ≥ 2"),
    ("02", "n_topics", 1, "whole number ≥ 2"),
    ("02", "n_topics", True, "whole number ≥ 2"),
    ("02", "k_candidates", [1, 3], "numbers of topics ≥ 2"),
    ("02", "k_candidates", [], "numbers of topics ≥ 2"),
    ("02", "passage_unit", "para", "did you mean 'paragraph'"),
    ("02", "method", "lad", "did you mean 'lda'"),
    ("02", "max_df", 1.5, "(0, 1]"),
    ("02", "max_df", 0, "(0, 1]"),
    ("02", "coherence_window", 1, "'document'"),
    ("02", "extra_stop_words", [1], "list of words"),
    ("01", "kwic_match", "stems", "did you mean 'stem'"),
    ("01", "kwic_window", 5, "≥ 10"),
    ("01", "ngram_sizes", [0, 2], "from 1 to 6"),
    ("01", "kwic_term", "  ", "word or phrase"),
    ("01", "top_n", 0, "≥ 1"),
    ("03", "scorer", "targt", "did you mean 'target'"),
    ("03", "neutral_band", 1.0, "[0, 1)"),
    ("03", "n_boot", 0, "≥ 1"),
    ("04", "date_from", "2021-13", "'YYYY-MM'"),
    ("04", "date_to", "21/03/2021", "'YYYY-MM-DD'"),
    ("04", "min_granularity", "fortnight", "one of 'time', 'day'"),
    ("04", "color_by", "doc", "one of 'source', 'country'"),
    ("04", "similarity_threshold", 1.2, "[0, 1]"),
    ("04", "merge", "yes", "True or False"),
])
def test_bad_values_name_notebook_parameter_and_what_is_accepted(nb, name, value, message):
    with pytest.raises(ParameterError) as e:
        params.check_value(nb, name, value)
    msg = str(e.value)
    assert f": parameter {name!r} must be" in msg and message in msg and f"got {value!r}" in msg


def test_values_are_normalised():
    c = params.check_value
    assert c("02", "n_topics", "AUTO") == "auto" and c("02", "n_topics", None) is None and c("02", "n_topics", 6) == 6
    assert c("02", "k_candidates", "3,4, 5") == [3, 4, 5] and c("02", "k_candidates", 4) == [4]
    assert c("02", "max_df", 3) == 3 and c("02", "max_df", 1) == 1 and c("02", "max_df", 0.9) == 0.9
    assert c("02", "method", "NMF") == "nmf" and c("02", "extra_stop_words", "korea, japan") == ["korea", "japan"]
    assert c("04", "date_from", 2021) == 2021 and c("04", "date_from", "2021-1") == "2021-01"
    import datetime as dt
    assert c("04", "date_to", dt.date(2021, 3, 4)) == "2021-03-04" and c("04", "date_to", "2021-03-04") == "2021-03-04"
    assert c("04", "min_granularity", "Years") == "year" and c("04", "min_granularity", None) is None
    assert c("01", "unknown_name", object) is object  # no rule: left to the runner's type check


def test_scorer_choices_come_from_the_sentiment_module(monkeypatch):
    from trilat_lib import sentiment

    monkeypatch.setattr(sentiment, "SCORERS", (*sentiment.SCORERS, "learned"))
    assert params.check_value("03", "scorer", "learned") == "learned"


def test_cross_checks():
    with pytest.raises(ParameterError, match="'date_from' .'2021-07'. is after 'date_to' .'2021-06'.; swap them"):
        params.check("04_timeline", {"date_from": "2021-07", "date_to": "2021-06"})
    assert params.check("04_timeline", {"date_from": "2021-06", "date_to": "2021-06-01", "other": 1}) == {
        "date_from": "2021-06", "date_to": "2021-06-01"}
    with pytest.raises(ParameterError, match="'min_df' .5. is larger than 'max_df' .3."):
        params.check("02_topic_modeling", {"min_df": 5, "max_df": 3})


@pytest.mark.parametrize("stem", sorted(params.RULES))
def test_rules_match_the_notebooks_and_their_defaults_pass(stem):
    nb = NOTEBOOKS[stem]
    missing = set(params.RULES[stem]) - set(nb.parameters)
    assert not missing, f"rules for parameters {stem} does not declare: {missing}"
    defaults = {n: p.default for n, p in nb.parameters.items()}
    params.check(stem, defaults)
    for p in nb.parameters.values():  # a parameter documenting its choices ("a | b") has a rule
        if p.choices:
            assert p.name in params.RULES[stem], f"{stem}.{p.name} lists choices but has no rule"


@pytest.mark.parametrize("stem", sorted(NOTEBOOKS))
def test_setup_cell_calls_the_same_check(stem):
    nb = nbformat.read(NOTEBOOKS_DIR / f"{stem}.ipynb", as_version=4)
    i = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    setup = nb.cells[i + 1].source
    assert f'params.check("{stem}", globals())' in setup
    # run the parameters and setup cells with a bad value: the setup cell refuses it before any work
    bad = {"01_corpus_overview": "kwic_match = 'fuzzy'", "02_topic_modeling": "n_topics = 'abc'",
           "03_sentiment_by_country": "countries = 'XYZ'", "04_timeline": "date_from = '2022'; date_to = 2021"}[stem]
    ns: dict = {}
    exec(nb.cells[i].source + "\n" + bad, ns)
    with pytest.raises(ParameterError, match=f"^{stem}: parameter"):
        exec(setup, ns)


# --------------------------------------------------------------------------- through the runner, before executing

@pytest.mark.parametrize("args, message", [
    (["-n", "02", "-p", "n_topics=abc"], "02_topic_modeling: parameter 'n_topics' must be None, 'auto'"),
    (["-n", "03", "-p", "countries=XYZ"], "03_sentiment_by_country: parameter 'countries'"),
    (["-n", "03", "-p", "scorer=sentense"], "did you mean 'sentence'"),
    (["-n", "04", "-p", "date_from=2022", "-p", "date_to=2021-06-30"], "is after 'date_to'"),
    (["-n", "04", "-p", "min_granularity=fortnight"], "parameter 'min_granularity'"),
    (["-n", "02", "--sweep", "n_topics=4,1"], "parameter 'n_topics'"),
])
def test_runner_rejects_before_executing_also_in_dry_run(capsys, tmp_path, args, message):
    for dry in (["--dry-run"], []):
        rc = cli.main(["run", "--output", str(tmp_path / "r"), *dry, *args])
        err = capsys.readouterr().err
        assert rc == 2 and message in err and "Traceback" not in err
        assert not (tmp_path / "r").exists()


def test_runner_passes_normalised_values(capsys, tmp_path):
    rc = cli.main(["run", "--output", str(tmp_path / "r"), "--dry-run", "-p", "countries=kor, japan",
                   "-p", "date_from=2021-01-01", "-p", "date_to=2021-06"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "03_sentiment_by_country: countries=['KOR', 'JPN']" in out
    assert "04_timeline: countries=['KOR', 'JPN'], date_from='2021-01-01', date_to='2021-06'" in out


def test_list_shows_what_each_parameter_accepts(capsys):
    assert cli.main(["list"]) == 0
    listing = capsys.readouterr().out
    assert "accepts: one of 'nmf', 'lda'" in listing and "accepts: None, 'auto' or a whole number ≥ 2" in listing
    assert "accepts: None, a year (1990), 'YYYY-MM' or 'YYYY-MM-DD'" in listing
    from trilat_lib.sentiment import SCORERS
    assert "accepts: " + ", ".join(repr(s) for s in SCORERS if isinstance(s, str)) in listing.replace("one of ", "")
