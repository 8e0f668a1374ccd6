"""The ``trilat`` command line: ``trilat run`` executes the notebooks into a report,
``trilat list`` shows the notebooks and their parameters.

Exit codes: 0 success, 1 a notebook failed (one line per failure names the notebook, the
cell and the error), 2 bad usage or parameters (nothing was executed).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import run as _run
from .errors import TrilatError
from .paths import NOTEBOOKS_DIR, REPORTS_DIR

EPILOG = """\
examples:
  trilat run                                   every notebook on the bundled seeds → reports/index.html
  trilat run --notebook 02 -p n_topics=6       one notebook with one parameter changed
  trilat run --corpus ~/articles               every notebook on your own folder of .txt files
  trilat run --params my_params.yaml           parameters from a YAML file (see below)
  trilat run --notebook 02 --sweep n_topics=4,6,8
                                               one run per value, each in its own report folder
  trilat list                                  the notebooks and their parameters (defaults, help)

parameter values are typed like YAML (4 → int, 0.5 → float, true → bool, null → None,
[1, 2] or 1,2 → list); a parameter whose default is text takes the value as typed.
A YAML file holds `name: value` pairs for every notebook that declares them, and/or
sections per notebook, e.g.
  kwic_term: alliance
  02_topic_modeling:
    n_topics: 6
precedence: --params file < -p < --sweep.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trilat",
        description="Run the trilat research notebooks headlessly and build an HTML report.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"trilat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    r = sub.add_parser(
        "run", help="execute the notebooks (all, or --notebook) into a report folder",
        description="Execute notebooks/NN_*.ipynb in order with papermill on this Python, writing "
                    "executed notebooks, HTML pages, each notebook's CSV/PNG outputs and index.html.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
    )
    r.add_argument("-n", "--notebook", action="append", default=[], metavar="NB",
                   help="run only this notebook: number (02), name (topic_modeling) or file stem; repeatable")
    r.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                   help="set a notebook parameter (typed as YAML); repeatable")
    r.add_argument("--params", metavar="FILE.yaml", help="YAML file of parameter values")
    r.add_argument("--corpus", metavar="FOLDER",
                   help="your own folder of .txt articles (optionally with manifest.csv); default: bundled seeds")
    r.add_argument("--sweep", action="append", default=[], metavar="NAME=V1,V2,...",
                   help="run once per value, each into its own report folder; repeat for a grid")
    r.add_argument("-o", "--output", metavar="DIR", default=None,
                   help=f"reports folder (default: {REPORTS_DIR})")
    r.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="fail a cell that runs longer than this (default: no limit)")
    r.add_argument("-x", "--fail-fast", action="store_true", help="stop at the first failing notebook")
    r.add_argument("--dry-run", action="store_true", help="check parameters and show the plan; execute nothing")
    r.add_argument("-v", "--verbose", action="store_true", help="on failure, also print the full traceback")
    r.add_argument("--notebooks-dir", metavar="DIR", default=None, help="where the notebooks are (default: notebooks/)")

    an = sub.add_parser(
        "annotate", help="annotate a corpus per document into partitioned Parquet (local or Dask)",
        description="Run the per-document layers (sentences, country mentions, target sentiment, temporal "
                    "expressions) over a corpus, streaming documents, and write one Parquet folder per layer. "
                    "Results are cached per document; --engine dask runs on a Dask cluster.",
    )
    an.add_argument("--corpus", metavar="FOLDER", default=None, help="folder of .txt articles (default: bundled seeds)")
    an.add_argument("-o", "--output", metavar="DIR", required=True, help="folder for the Parquet tables")
    an.add_argument("--engine", choices=("local", "dask"), default="local")
    an.add_argument("--scheduler", metavar="ADDRESS", default=None,
                    help="Dask scheduler address, e.g. tcp://host:8786 (default: a LocalCluster)")
    an.add_argument("--workers", type=int, default=None, metavar="N",
                    help="worker processes, local or LocalCluster (default: every core; 1 = this process only)")
    an.add_argument("--partition-size", type=int, default=None, metavar="DOCS", help="documents per Parquet part / task")
    an.add_argument("--layers", default=None, metavar="L1,L2", help="subset of sentences,mentions,sentiment,timexes")
    an.add_argument("--no-cache", action="store_true", help="recompute every document")

    ls = sub.add_parser("list", help="list the notebooks and their parameters")
    ls.add_argument("--notebooks-dir", metavar="DIR", default=None)
    return parser


def _err(msg: str) -> None:
    print(f"trilat: error: {_run.shown_path(msg)}", file=sys.stderr)


def cmd_list(args: argparse.Namespace) -> int:
    from . import params

    for nb in _run.discover_notebooks(args.notebooks_dir or NOTEBOOKS_DIR):
        print(f"{nb.stem}  —  {nb.title}")
        rules = params.rules_for(nb.stem)
        for p in nb.parameters.values():
            note = "  (set by the runner)" if p.name in _run.RUNNER_PARAMETERS else ""
            help_ = f"  # {p.help}" if p.help else ""
            print(f"    {p.name} = {p.source}  [{p.type_name}]{help_}{note}")
            if p.name in rules:
                print(f"        accepts: {rules[p.name].accepts}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    notebooks = _run.discover_notebooks(args.notebooks_dir or NOTEBOOKS_DIR)
    if not notebooks:
        _err(f"no NN_name.ipynb notebooks in {args.notebooks_dir or NOTEBOOKS_DIR}.")
        return 2
    chosen = _run.select_notebooks(notebooks, args.notebook)
    common, per_nb = _run.load_params_file(args.params) if args.params else ({}, {})
    cli = [_run.parse_assignment(a) for a in args.param]
    sweeps = [_run.parse_sweep(s) for s in args.sweep]
    corpus_arg = args.corpus
    if corpus_arg is not None and not corpus_arg.strip():
        _err("--corpus '': give the folder that holds your .txt files (leave --corpus out to use the bundled "
             "seed corpus).")
        return 2
    if corpus_arg is not None:
        if "corpus_path" in common or any(n == "corpus_path" for n, _ in cli):
            _err("give the corpus either with --corpus or as the corpus_path parameter, not both.")
            return 2
    specs = _run.plan_runs(chosen, common, cli, per_nb, sweeps, explicit=bool(args.notebook),
                           all_notebooks=notebooks)
    if corpus_arg:
        lacking = sorted({s.notebook.stem for s in specs if "corpus_path" not in s.notebook.parameters})
        if lacking:
            _err(f"--corpus: {', '.join(lacking)} declare(s) no corpus_path parameter, so they cannot read your "
                 "corpus; select the other notebooks with --notebook.")
            return 2
    # a corpus given as a parameter is validated (and made absolute) like --corpus, once per folder
    checked: dict[str, str | None] = {}
    for s in specs:
        cp = s.overrides.get("corpus_path")
        if cp is not None:
            key = str(cp)
            if key not in checked:
                checked[key] = _run.validate_corpus(cp, option="-p corpus_path")
            s.overrides["corpus_path"] = checked[key]
    corpus_path = _run.validate_corpus(corpus_arg) if corpus_arg is not None else None
    if args.output is not None and not args.output.strip():
        _err("--output '': give the reports folder (leave --output out for reports/).")
        return 2
    reports = Path(args.output).expanduser() if args.output else REPORTS_DIR
    # folders that will be written must be usable before anything executes (--dry-run creates nothing)
    _run.check_writable(reports, "--output", create=not args.dry_run)
    _run.check_cache_folder(specs, create=not args.dry_run)
    where = corpus_path or "the bundled seed corpus"
    print(f"trilat: {len(specs)} run(s) on {where} → {reports}", file=sys.stderr)
    if args.dry_run:
        for s in specs:
            sets = ", ".join(f"{k}={v!r}" for k, v in s.overrides.items()) or "defaults"
            print(f"  {s.name}: {sets}")
        return 0
    results = _run.run_notebooks(
        specs, reports, corpus_path=corpus_path, timeout=args.timeout, fail_fast=args.fail_fast,
        progress_bar=sys.stderr.isatty(),
    )
    failed = [r for r in results if not r.ok]
    print(f"trilat: report → {Path(reports).resolve() / 'index.html'}", file=sys.stderr)
    for r in failed:
        if args.verbose and r.traceback:
            print(r.traceback, file=sys.stderr)
        print(f"trilat: FAILED {r.error}", file=sys.stderr)
    return 1 if failed else 0


def cmd_annotate(args: argparse.Namespace) -> int:
    from .annotate import annotate_corpus

    if args.workers is not None and args.workers < 1:
        _err(f"--workers {args.workers}: give at least 1.")
        return 2
    summary = annotate_corpus(
        args.corpus, args.output, engine=args.engine, scheduler=args.scheduler, n_workers=args.workers,
        partition_size=args.partition_size, cache=not args.no_cache,
        layers=[x.strip() for x in args.layers.split(",") if x.strip()] if args.layers else None,
    )
    mb = summary.get("raw_chars", 0) / 1e6
    secs = summary.get("seconds", 0.0)
    print(f"trilat: annotated {summary.get('documents')} documents ({mb:.1f} M characters) in {secs:.1f} s "
          f"({mb / max(secs, 1e-9):.2f} M characters/s, {summary.get('cache_hits', 0)} from the cache) → "
          f"{Path(args.output).resolve()}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``trilat`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "list":
            return cmd_list(args)
        if args.command == "annotate":
            return cmd_annotate(args)
        return cmd_run(args)
    except TrilatError as e:
        _err(str(e))
        return 2
    except _run.Terminated as e:
        _err("terminated; reports written so far are complete, the running notebook's is not.")
        return 128 + e.signum
    except KeyboardInterrupt:
        _err("interrupted; reports written so far are complete, the running notebook's is not.")
        return 130
    except BrokenPipeError:  # `trilat list | head`: the reader left, nothing to report
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as e:  # a file or folder the checks above did not foresee: one line, not a traceback
        where = f"{_run.shown_path(e.filename)}: " if e.filename else ""
        _err(f"{where}{e.strerror or e}; check that the path exists and that you may read/write it.")
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
