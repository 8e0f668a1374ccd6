"""``make bench``: speed, throughput and memory of every trilat stage as the corpus grows.

For each size N (the 4 seed articles, then synthetic corpora of 100, 1,000, 10,000 articles
made by :mod:`trilat_lib.synthetic`), a fresh subprocess runs every stage
(:mod:`benchmarks.stages`) ``--repeat`` times and its peers on the same texts; further
subprocesses time the whole per-document annotation (:func:`trilat_lib.annotate.annotate_corpus`,
streaming, local and Dask engines, and a second cached run) and the ``make run`` notebook suite
on the seeds. Medians are reported; the growth of cost with N is a log-log slope (1.0 = linear).

Writes ``reports/benchmarks/stages.csv`` (one row per size × stage × tool, medians),
``stages_runs.csv`` (every run), ``growth.csv`` (slopes) and ``performance.md`` (tables + the
targets of issue 6, met or not), and prints the table.

    python -m benchmarks                       # the full default (sizes 4,100,1000,10000)
    python -m benchmarks --quick               # sizes 4,100, one run each: a smoke test
    python -m benchmarks --sizes 4,1000 --repeat 5 --no-peers
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from trilat_lib.outputs import save_csv, write_text
from trilat_lib.paths import CACHE_DIR, PROJECT_ROOT, REPORTS_DIR

OUT_DIR = REPORTS_DIR / "benchmarks"
BENCH_CACHE = CACHE_DIR / "bench"
PER_DOC_STAGES = ("load_clean", "sentences_tokens", "country_mentions", "target_sentiment", "temporal")
TARGET_MBPS = 1.0
TARGET_PEAK_GB = 2.0
TARGET_RUN_S = 30.0
TARGET_NOTEBOOKS_S = 600.0


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _child(args: list[str], timeout: float | None) -> tuple[list[dict], str]:
    """Run ``python -m benchmarks.stages ARGS``; return its RESULT records and stderr tail."""
    cmd = [sys.executable, "-m", "benchmarks.stages", *args]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    try:
        p = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return [], f"timed out after {timeout:.0f} s"
    recs = [json.loads(line[7:]) for line in p.stdout.splitlines() if line.startswith("RESULT ")]
    err = "" if p.returncode == 0 else (p.stderr.strip().splitlines() or ["?"])[-1]
    return recs, err


def corpus_for(n: int) -> str | None:
    """None (the bundled seeds) for n=4, else the cached synthetic corpus of n articles."""
    if n == 4:
        return None
    from trilat_lib.synthetic import ensure_corpus

    t0 = time.perf_counter()
    path = ensure_corpus(n)
    log(f"synthetic corpus of {n} articles ready in {time.perf_counter() - t0:.1f} s: {path}")
    return str(path)


def time_make_run(repeat: int) -> list[dict]:
    """Wall time and peak memory of ``trilat run`` (all notebooks on the seeds), cold then warm."""
    trilat = Path(sys.executable).with_name("trilat")
    if not (PROJECT_ROOT / "trilat_lib" / "run.py").is_file() or not trilat.exists():
        return [{"stage": "make_run", "tool": "trilat", "skipped": "trilat_lib/run.py or the trilat command is missing"}]
    out = BENCH_CACHE / "make_run"
    recs = []
    for i in range(repeat + 1):  # the first run warms caches (and the annotation cache); not in the median
        shutil.rmtree(out, ignore_errors=True)
        cmd = ["/usr/bin/time", "-v", str(trilat), "run", "--output", str(out)]
        if not Path("/usr/bin/time").exists():
            cmd = cmd[2:]
        t0 = time.perf_counter()
        p = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True)
        secs = time.perf_counter() - t0
        if p.returncode != 0:
            tail = (p.stderr.strip().splitlines() or ["?"])[-3:]
            recs.append({"stage": "make_run", "tool": "trilat", "error": f"exit {p.returncode}: {' | '.join(tail)}"})
            break
        peak = None
        for line in p.stderr.splitlines():
            if "Maximum resident set size" in line:
                peak = int(line.split(":")[1]) * 1024
        recs.append({"stage": "make_run", "tool": "trilat", "run": i, "warm": i > 0, "seconds": secs, "peak": peak})
    return recs


def real_news_corpus() -> str | None:
    """A corpus folder of real news text without repeats: the TEXT of every TimeBank and AQUAINT
    article in ``../shared/data/timeml`` (one .txt each, its creation date in the manifest).
    The synthetic corpora recombine seed sentences, so library caches of repeated sentences
    flatter them; this corpus shows the throughput on ordinary text. None when the data is absent."""
    from trilat_lib.paths import SHARED_DATA_DIR

    from .timeml_eval import load_folder

    src = SHARED_DATA_DIR / "timeml"
    if not (src / "timebank").is_dir():
        return None
    out = BENCH_CACHE / "real_news"
    if (out / "manifest.csv").is_file():
        return str(out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    rows = []
    for sub in ("timebank", "aquaint"):
        for d in load_folder(src / sub):
            name = f"{sub}_{d.doc_id}.txt"
            write_text(out / name, d.text.strip() + "\n")
            rows.append({"doc_id": f"{sub}_{d.doc_id}", "file": name, "published": d.dct, "date_precision": "day"})
    save_csv(pd.DataFrame(rows), out / "manifest.csv")
    return str(out)


def time_notebooks(n: int, corpus: str | None) -> list[dict]:
    """Wall time and peak memory of all notebooks on the corpus of ``n`` articles, from a cold
    annotation cache (a fresh ``TRILAT_CACHE_DIR``), with each notebook's own time."""
    trilat = Path(sys.executable).with_name("trilat")
    out = BENCH_CACHE / f"notebooks-{n}"
    cache = BENCH_CACHE / f"notebooks-cache-{n}"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    cmd = ["/usr/bin/time", "-v", str(trilat), "run", "--output", str(out)] + (["--corpus", corpus] if corpus else [])
    if not Path("/usr/bin/time").exists():
        cmd = cmd[2:]
    env = {**os.environ, "TRILAT_CACHE_DIR": str(cache), "PYTHONWARNINGS": "ignore"}
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, env=env)
    secs = time.perf_counter() - t0
    shutil.rmtree(cache, ignore_errors=True)
    peak = next((int(line.split(":")[1]) * 1024 for line in p.stderr.splitlines() if "Maximum resident set size" in line), None)
    rec = {"stage": "notebooks", "tool": "trilat", "N": n, "seconds": secs, "peak": peak, "exit": p.returncode}
    try:
        runs = json.loads((out / "runs.json").read_text())["runs"]
        rec["per_notebook"] = {r["notebook"]: (r["duration_s"] if r["status"] == "ok" else r["status"]) for r in runs}
    except (OSError, ValueError, KeyError):
        rec["per_notebook"] = {}
    if p.returncode != 0:
        rec["error"] = " | ".join((p.stderr.strip().splitlines() or ["?"])[-3:])
    return [rec]


def load_runs(paths: list[str]) -> tuple[list[dict], list[dict], list[str]]:
    """Records (stage runs), make-run records and notes from earlier ``stages_runs.csv`` files."""
    records, run_recs, notes = [], [], []
    for path in paths:
        df = pd.read_csv(path)
        for row in df.to_dict("records"):
            r = {k: v for k, v in row.items() if not (isinstance(v, float) and math.isnan(v))}
            for k in ("times", "layers"):
                if isinstance(r.get(k), str):
                    r[k] = json.loads(r[k])
            if "N" in r:
                r["N"] = int(r["N"])
            if r.get("stage") == "notebooks":
                continue  # measured afresh only
            if r.get("stage") == "make_run":
                run_recs.append(r)
            elif "error" in r or "skipped" in r:
                notes.append(f"N={int(r['N'])} {r.get('label', r['stage'])}: {r.get('error') or r.get('skipped')}")
            else:
                records.append(r)
    return records, run_recs, notes


def fit_slope(x: list[float], y: list[float]) -> float:
    """Least-squares slope of log(y) on log(x): 1 = linear growth, 2 = quadratic."""
    pts = [(math.log(a), math.log(b)) for a, b in zip(x, y) if a > 0 and b > 0]
    if len(pts) < 2:
        return float("nan")
    lx, ly = zip(*pts)
    return float(np.polyfit(lx, ly, 1)[0])


def summarise(records: list[dict]) -> pd.DataFrame:
    rows = []
    for r in records:
        if "times" not in r:
            continue
        t = statistics.median(r["times"])
        mb = r.get("bytes", 0) / 1e6
        rows.append({
            "N": r["N"], "stage": r["stage"], "tool": r["tool"], "label": r.get("label", r["stage"]),
            "docs": r.get("docs"), "MB": round(mb, 3), "runs": len(r["times"]),
            "median_s": t, "min_s": min(r["times"]), "MB_per_s": mb / t if t > 0 else float("nan"),
            "sentences_per_s": (r.get("sentences") or 0) / t if t > 0 and r.get("sentences") else float("nan"),
            "units": r.get("units"), "peak_rss_MB": r["peak"] / 1e6 if r.get("peak") else float("nan"),
            "cache_hits": r.get("cache_hits"),
        })
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    # peers: ratio of seconds per MB, peer / trilat (> 1: trilat is faster)
    ratio = []
    for _, r in df.iterrows():
        if str(r.tool).startswith("trilat"):  # peers only
            ratio.append(float("nan"))
            continue
        base = df[(df.N == r.N) & (df.stage == r.stage) & (df.tool == "trilat")]
        if base.empty or not r.MB or not base.MB.iloc[0]:
            ratio.append(float("nan"))
        else:
            ratio.append((r.median_s / r.MB) / (base.median_s.iloc[0] / base.MB.iloc[0]))
    df["peer_time_ratio"] = ratio
    return df


def growth(df: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (stage, tool), g in df.groupby(["stage", "tool"], sort=False):
        if tool == "dateparser":
            continue  # runs on a fixed sample of documents, so its cost does not grow with N
        g = g[g.N > 4].sort_values("N")  # synthetic sizes only (same kind of text)
        if len(g) >= 2:
            rows.append({"stage": stage, "tool": tool, "sizes": ",".join(str(int(n)) for n in g.N),
                         "slope_time_vs_MB": round(fit_slope(g.MB.tolist(), g.median_s.tolist()), 3),
                         "slope_time_last_two": round(fit_slope(g.MB.tolist()[-2:], g.median_s.tolist()[-2:]), 3),
                         "slope_peak_vs_MB": round(fit_slope(g.MB.tolist(), g.peak_rss_MB.tolist()), 3)})
    return pd.DataFrame(rows)


def _fmt(v, nd=2) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return f"{v:,.{nd}f}"
    return str(v)


def markdown_table(df: pd.DataFrame, cols: list[tuple[str, str, int]]) -> str:
    head = "| " + " | ".join(c[1] for c in cols) + " |\n|" + "|".join("---" for _ in cols) + "|\n"
    body = "".join("| " + " | ".join(_fmt(r[c[0]], c[2]) for c in cols) + " |\n" for _, r in df.iterrows())
    return head + body


TABLE_COLS = [("N", "N", 0), ("label", "stage / tool", 0), ("MB", "MB", 2), ("runs", "runs", 0),
              ("median_s", "median s", 3), ("MB_per_s", "MB/s", 2), ("sentences_per_s", "sentences/s", 0),
              ("peak_rss_MB", "peak RSS MB", 0), ("peer_time_ratio", "peer ÷ trilat (s/MB)", 2)]


def targets(df: pd.DataFrame, run_recs: list[dict], cores: int) -> tuple[str, dict]:
    """The issue's targets, each with the measured figure and met / not met."""
    lines, facts = [], {}
    ann = df[df.stage.str.startswith("annotate_") & (df.stage != "annotate_local_real")] if not df.empty else df
    big = int(ann.N.max()) if not ann.empty else None
    if big:
        engines = {"annotate_local": "local engine, one process", "annotate_joblib": "local engine, every core",
                   "annotate_dask": "Dask engine, LocalCluster"}
        for engine, what in engines.items():
            row = ann[(ann.N == big) & (ann.stage == engine)]
            if not row.empty:
                r = row.iloc[0]
                ok = r.MB_per_s >= TARGET_MBPS
                facts[engine] = r.MB_per_s
                lines.append(f"- Per-document stages together ({what}, N={big}, {r.MB:.1f} MB raw): "
                             f"**{r.MB_per_s:.2f} MB/s** on {cores} cores → target ≥ {TARGET_MBPS} MB/s "
                             f"**{'met' if ok else 'NOT met'}**.")
        real = df[df.stage == "annotate_local_real"] if not df.empty else df
        for _, r in real.iterrows():
            facts["annotate_real"] = r.MB_per_s
            lines.append(f"- The same on real news text without repeated sentences (TimeBank + AQUAINT, {int(r.N)} articles, "
                         f"{r.MB:.1f} MB, local engine, one process): **{r.MB_per_s:.2f} MB/s**.")
        peaks = ann[ann.stage == "annotate_local"][["N", "peak_rss_MB"]]
        if not peaks.empty:
            pk = peaks.peak_rss_MB.max()
            slope = fit_slope(peaks[peaks.N > 4].N.tolist(), peaks[peaks.N > 4].peak_rss_MB.tolist())
            facts["peak_MB"] = pk
            lines.append(f"- Peak memory of the streaming local annotation: {', '.join(f'N={int(a)}: {b:.0f} MB' for a, b in peaks.values)}"
                         f" (log-log slope vs N {slope:.2f}) → target < {TARGET_PEAK_GB:.0f} GB and flat "
                         f"**{'met' if pk < TARGET_PEAK_GB * 1000 and (math.isnan(slope) or slope < 0.25) else 'NOT met'}**.")
        cached = ann[ann.stage == "annotate_local_cached"]
        local = ann[ann.stage == "annotate_local"]
        for _, r in cached.iterrows():
            l = local[local.N == r.N]
            if not l.empty:
                lines.append(f"- Cached re-annotation, N={int(r.N)}: {r.median_s:.2f} s vs {l.median_s.iloc[0]:.2f} s "
                             f"uncached ({l.median_s.iloc[0] / max(r.median_s, 1e-9):.1f}× faster, {int(r.cache_hits or 0)} hits).")
    warm = [r for r in run_recs if r.get("warm")]
    if warm:
        t = statistics.median(r["seconds"] for r in warm)
        facts["make_run_s"] = t
        lines.append(f"- `make run` on the seeds, warm (median of {len(warm)}): **{t:.1f} s** → target < {TARGET_RUN_S:.0f} s "
                     f"**{'met' if t < TARGET_RUN_S else 'NOT met'}**.")
    else:
        why = next((r.get("skipped") or r.get("error") for r in run_recs), "not measured")
        lines.append(f"- `make run` on the seeds: not measured ({why}).")
    return "\n".join(lines), facts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="4,100,1000,10000", help="corpus sizes; 4 = the bundled seeds")
    ap.add_argument("--repeat", type=int, default=3, help="runs per stage (medians reported)")
    ap.add_argument("--big-repeat", type=int, default=1, help="runs per stage for N >= 10,000 (default 1)")
    ap.add_argument("--quick", action="store_true", help="sizes 4,100, one run, small peer sample")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--peer-sample", type=int, default=40, help="documents given to slow peers (dateparser)")
    ap.add_argument("--topics", type=int, default=8)
    ap.add_argument("--no-annotate", action="store_true", help="skip the annotate_corpus runs")
    ap.add_argument("--no-stages", action="store_true", help="skip the per-stage runs (annotate_corpus and make run only)")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask engine run")
    ap.add_argument("--no-run", action="store_true", help="skip timing make run")
    ap.add_argument("--no-real-news", dest="real_news", action="store_false",
                    help="skip annotating the real news text of ../shared/data/timeml")
    ap.add_argument("--notebook-sizes", default=None, metavar="N[,N]",
                    help="run all notebooks on these corpus sizes from a cold annotation cache "
                         "(default: the largest of --sizes; 'none' to skip)")
    ap.add_argument("--cached-max", type=int, default=1000,
                    help="time the cached re-annotation only up to this N (it annotates twice)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per subprocess")
    ap.add_argument("--out", default=str(OUT_DIR))
    ap.add_argument("--from-runs", default=None, metavar="CSV[,CSV]",
                    help="measure nothing: rebuild the tables from stages_runs.csv files of earlier runs "
                         "(e.g. a small-N run and a separate N=10000 run)")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.peer_sample = "4,100", 1, 10
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        ap.error(f"--sizes {args.sizes!r}: give comma-separated integers, e.g. 4,100,1000")
    if not sizes or min(sizes) < 1 or args.repeat < 1:
        ap.error("--sizes must be positive integers and --repeat >= 1")
    cores = os.cpu_count() or 1
    started = time.perf_counter()
    records: list[dict] = []
    notes: list[str] = []
    run_recs: list[dict] = []
    if args.from_runs:
        records, run_recs, notes = load_runs(args.from_runs.split(","))
        sizes = []
    for n in sizes:
        path = corpus_for(n)
        rep = args.big_repeat if n >= 10_000 else args.repeat
        log(f"N={n}: stages x{rep}{' + peers' if not args.no_peers else ''}")
        cargs = ["--repeat", str(rep), "--peer-sample", str(args.peer_sample), "--topics", str(args.topics)]
        if path:
            cargs += ["--corpus", path]
        if args.no_peers:
            cargs.append("--no-peers")
        recs, err = _child(cargs, args.timeout) if not args.no_stages else ([], "")
        if err:
            notes.append(f"N={n}: the stage run stopped early ({err}).")
        for r in recs:
            r["N"] = n
            if "error" in r or "skipped" in r:
                notes.append(f"N={n} {r.get('label', r['stage'])}: {r.get('error') or r.get('skipped')}")
            elif "times" in r:
                log(f"N={n} {r.get('label')}: {statistics.median(r['times']):.3f} s")
        records += recs
        if args.no_annotate:
            continue
        # local = one process (per-core throughput, memory); joblib = the local engine on every core
        engines = [("local", False, 1), ("local", False, None)] + ([("local", True, 1)] if n <= args.cached_max else []) \
            + ([] if args.no_dask else [("dask", False, None)])
        for engine, warm, workers in engines:
            name = "joblib" if engine == "local" and workers != 1 else engine
            out = BENCH_CACHE / "annotations" / f"{n}-{name}"
            cache_dir = BENCH_CACHE / "annotation-cache" / str(n)
            aargs = ["--annotate", engine, "--out", str(out)] + (["--workers", str(workers)] if workers else [])
            if warm:
                aargs += ["--warm", "--cache-dir", str(cache_dir)]
            if path:
                aargs += ["--corpus", path]
            recs, err = _child(aargs, args.timeout)
            if err:
                notes.append(f"N={n} annotate {name}{' cached' if warm else ''}: {err}")
            what = {"local": "local, one process", "joblib": "local, every core", "dask": "dask"}[name]
            for r in recs:
                r["N"], r["label"] = n, f"annotate_corpus ({what}{', cached re-run' if warm else ', no cache'})"
                log(f"N={n} {r['label']}: {r['times'][0]:.2f} s")
            records += recs
            shutil.rmtree(cache_dir, ignore_errors=True) if warm else None
            if name == "local" and not warm and recs and n > 4:
                trecs, err = _child(["--stream-topics", str(out), "--repeat", str(rep), "--topics", str(args.topics)],
                                    args.timeout)
                if err:
                    notes.append(f"N={n} out-of-core topic fit: {err}")
                for r in trecs:
                    r["N"] = n
                    log(f"N={n} {r['label']}: {statistics.median(r['times']):.2f} s")
                records += trecs
    if not args.from_runs and not args.no_run:
        run_recs = time_make_run(max(1, min(args.repeat, 3)))
    if not args.from_runs and not args.no_annotate and args.real_news:
        path = real_news_corpus()
        if path is None:
            notes.append("real-news throughput: ../shared/data/timeml is absent, not measured.")
        else:
            n_real = len(pd.read_csv(Path(path) / "manifest.csv"))
            recs, err = _child(["--annotate", "local", "--workers", "1", "--corpus", path,
                                "--out", str(BENCH_CACHE / "annotations" / "real-news")], args.timeout)
            if err:
                notes.append(f"real-news annotate: {err}")
            for r in recs:
                r.update(N=n_real, stage="annotate_local_real",
                         label="annotate_corpus (local, one process, no cache) on real news: TimeBank + AQUAINT text")
                log(f"real news ({n_real} articles): {r['times'][0]:.2f} s")
            records += recs
    nb_recs: list[dict] = []
    if not args.from_runs:
        nb_sizes = (args.notebook_sizes if args.notebook_sizes is not None
                    else str(max(sizes)) if sizes and max(sizes) > 4 else "none")
        for n in ([] if nb_sizes == "none" else sorted({int(x) for x in nb_sizes.split(",") if x.strip()})):
            log(f"N={n}: all notebooks, cold annotation cache")
            nb_recs += time_notebooks(n, corpus_for(n))
            log(f"N={n}: notebooks {nb_recs[-1]['seconds']:.0f} s {nb_recs[-1].get('per_notebook')}")
    df = summarise(records)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs = pd.DataFrame([{k: (json.dumps(v) if isinstance(v, (list, dict)) else v) for k, v in r.items()}
                         for r in records + run_recs + nb_recs])
    save_csv(runs, out / "stages_runs.csv")
    if df.empty:
        log("no stage produced a measurement; see stages_runs.csv")
        return 1
    save_csv(df, out / "stages.csv")
    gr = growth(df)
    save_csv(gr, out / "growth.csv")
    tgt, _ = targets(df, run_recs, cores)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    md = [
        "# trilat performance", "",
        f"Measured {stamp} on {platform.platform()} ({cores} cores shared with other jobs), Python "
        f"{platform.python_version()}; command: `python -m benchmarks {' '.join(argv if argv is not None else sys.argv[1:])}` "
        f"(took {(time.perf_counter() - started) / 60:.1f} min).", "",
        "N = 4 is the bundled seed corpus; larger N are SYNTHETIC corpora from `trilat_lib.synthetic` "
        "(recombined seed sentences, ~5 KB/article). Times are medians of the runs shown (`runs`); "
        f"N ≥ 10,000 uses `--big-repeat` ({args.big_repeat}). Peak RSS is the process's resident-memory high-water "
        "mark during the stage (it includes the interpreter, libraries and the corpus held by earlier stages). "
        "MB is the UTF-8 size of the cleaned text each stage reads (raw file bytes for load + clean and annotate). "
        f"`peer ÷ trilat` compares seconds per MB on the same texts (> 1: trilat is faster); dateparser runs on the "
        f"first {args.peer_sample} documents only (it is slow), compared per MB. annotate_corpus rows run all per-document "
        "layers (load, clean, sentences, country mentions, target sentiment, temporal expressions) in a fresh process "
        "and write Parquet; with worker processes (local on every core: joblib; Dask: a LocalCluster of single-threaded workers) peak RSS is the driver's only.", "",
        "## Targets", "", tgt, "",
        "## Stages", "", markdown_table(df, TABLE_COLS), "",
        "## Growth with N (log-log slope of time and peak memory against MB; 1 = linear)", "",
        "Fixed costs (process start, first-call set-up) weigh most at small N and pull the slope over all sizes "
        "below 1; the slope between the two largest sizes is the better guide to large corpora.", "",
        markdown_table(gr, [("stage", "stage", 0), ("tool", "tool", 0), ("sizes", "N", 0),
                            ("slope_time_vs_MB", "time slope", 2), ("slope_time_last_two", "time slope, two largest N", 2),
                            ("slope_peak_vs_MB", "memory slope", 2)]) if not gr.empty
        else "(needs at least two synthetic sizes)", "",
    ]
    if run_recs:
        md += ["## make run (all notebooks on the seeds)", ""]
        for r in run_recs:
            if "seconds" not in r:
                md.append(f"- {r.get('skipped') or r.get('error')}")
                continue
            peak = f"{r['peak'] / 1e6:.0f} MB" if r.get("peak") else "?"
            md.append(f"- {'warm' if r['warm'] else 'first (cold)'} run: {r['seconds']:.1f} s, peak RSS {peak}")
        md.append("")
    if nb_recs:
        md += ["## All notebooks on a large corpus (cold annotation cache)", ""]
        for r in nb_recs:
            peak = f"{r['peak'] / 1e6:.0f} MB" if r.get("peak") else "?"
            each = ", ".join(f"{k} {v:.0f} s" if isinstance(v, float) else f"{k} {v}" for k, v in r["per_notebook"].items())
            ok = r["exit"] == 0 and r["seconds"] < TARGET_NOTEBOOKS_S
            md.append(f"- N={r['N']}: **{r['seconds']:.0f} s** ({each}), peak RSS {peak} → target < "
                      f"{TARGET_NOTEBOOKS_S / 60:.0f} min **{'met' if ok else 'NOT met'}**"
                      + (f"; error: {r['error']}" if r.get("error") else ""))
        md.append("")
    acc = sorted(p.name for p in out.glob("*.csv") if p.name not in {"stages.csv", "stages_runs.csv", "growth.csv"})
    if acc:
        md += ["## Accuracy beside speed", "", "The evaluation benchmarks in this folder give the accuracy of the "
               "same stages and peers: " + ", ".join(f"`{a}`" for a in acc) + ".", ""]
    if notes:
        md += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    write_text(out / "performance.md", "\n".join(md))
    pd.set_option("display.width", 200)
    show = df[["N", "label", "MB", "runs", "median_s", "MB_per_s", "sentences_per_s", "peak_rss_MB", "peer_time_ratio"]]
    print(show.to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
    print()
    print(tgt)
    for r in nb_recs:
        print(f"- all notebooks on N={r['N']} (cold annotation cache): {r['seconds']:.0f} s {r['per_notebook']}"
              + (f" error: {r['error']}" if r.get("error") else ""))
    if not gr.empty:
        print()
        print(gr.to_string(index=False))
    for n in notes:
        print("note:", n)
    print(f"\nwrote {out / 'stages.csv'}, {out / 'growth.csv'}, {out / 'performance.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
