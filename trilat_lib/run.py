"""The headless runner behind ``trilat run`` / ``make run``: execute the numbered notebooks with
papermill on the current interpreter, and build a browsable report.

What lands in the reports folder (``reports/`` by default)::

    index.html                 one row per run: status, duration, parameters, links
    runs.json                  the same, machine-readable (kept across partial re-runs)
    NN_name.ipynb              the executed notebook (kept, partial, when it fails)
    NN_name.html               a standalone HTML page of it (images embedded)
    NN_name/                   the CSV/PNG files the notebook wrote (its ``output_dir``)
    NN_name__p=v.*             the same for each run of a parameter sweep

Parameters are checked *before* anything executes: a name the notebook's ``parameters`` cell
does not declare, a value outside the choices/ranges :mod:`trilat_lib.params` documents (the
same check the notebook's setup cell runs), or otherwise a value whose type does not match the
declared default, raises :class:`~trilat_lib.errors.ParameterError` naming the parameter. A
``corpus_path`` is loaded once up front so a bad corpus folder fails with the loader's clear
message; the reports folder and the annotation cache folder must be writable.

Only one run at a time writes into a reports folder (a lock file, ``.trilat-run.lock``); a
second one fails at once naming the other's process id. A run stopped by Ctrl-C or SIGTERM
removes its temporary notebook; one killed outright leaves it for the next run to remove.

The kernel is always the interpreter running trilat (``sys.executable``): the runner writes a
private kernelspec for it into a temporary folder and points papermill at it, so a machine
without a registered ``python3`` kernel (or with one for another Python) still works.
"""
from __future__ import annotations

import ast
import contextlib
import html
import itertools
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from . import outputs, params
from .errors import CorpusError, ParameterError, TrilatError
from .paths import NOTEBOOKS_DIR, REPORTS_DIR

KERNEL_NAME = "trilat-runner"
RUNNER_PARAMETERS = ("output_dir",)  # set by the runner, never by the user
NOTEBOOK_RE = re.compile(r"^(\d{2})_[\w-]+\.ipynb$")
_MISSING = object()


# --------------------------------------------------------------------------- notebooks and parameters

@dataclass(frozen=True)
class NotebookParameter:
    """One assignment in a notebook's ``parameters`` cell."""

    name: str
    source: str              # the default as written in the cell
    default: Any = None      # its value, when it is a Python literal
    literal: bool = True     # False when the default is an expression (type unknown)
    help: str = ""

    @property
    def type_name(self) -> str:
        return type(self.default).__name__ if self.literal and self.default is not None else "any"

    @property
    def choices(self) -> tuple[str, ...] | None:
        """Allowed values of a text parameter whose help lists them as ``a | b (note) | c``.

        Only when the default is one of them, so an ordinary comment with a "|" is never
        mistaken for a list of choices.
        """
        if not (self.literal and isinstance(self.default, str)) or "|" not in self.help:
            return None
        opts = []
        for part in self.help.split("|"):
            m = re.match(r"""\s*["']?([\w.-]+)["']?""", part)
            if not m:
                return None
            opts.append(m.group(1))
        return tuple(opts) if self.default in opts else None


@dataclass
class NotebookInfo:
    """A numbered notebook and the parameters its ``parameters`` cell declares."""

    path: Path
    parameters: dict[str, NotebookParameter]

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def number(self) -> str:
        return self.stem[:2]

    @property
    def title(self) -> str:
        """The first markdown heading of the notebook (falls back to its file name)."""
        import nbformat

        nb = nbformat.read(self.path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                m = re.search(r"^#+\s*(.+)$", cell.source, re.M)
                if m:
                    return m.group(1).strip()
        return self.stem


def parse_parameters_source(source: str, where: str = "parameters cell") -> dict[str, NotebookParameter]:
    """The ``name = value  # help`` assignments of a parameters cell, parsed with :mod:`ast`.

    Unlike papermill's line-based inspection this is not confused by brackets in comments or
    values spread over several lines. The help text is the comment at the end of the statement.
    """
    import io
    import tokenize

    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        raise ParameterError(f"{where}: the parameters cell is not valid Python (line {e.lineno}: {e.msg}).") from None
    comments: dict[int, str] = {}
    with contextlib.suppress(tokenize.TokenError, IndentationError):
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    params: dict[str, NotebookParameter] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value = node.target.id, node.value
        else:
            continue
        src = ast.get_source_segment(source, value) or ""
        try:
            default, literal = ast.literal_eval(value), True
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            default, literal = None, False
        params[name] = NotebookParameter(name, src, default, literal, comments.get(node.end_lineno or node.lineno, ""))
    return params


def inspect_parameters(path: str | Path) -> dict[str, NotebookParameter]:
    """The parameters declared in the notebook's cell tagged ``parameters`` (name → parameter).

    A notebook without exactly one such cell raises :class:`ParameterError` (every trilat
    notebook must have one, so the runner can check parameters before executing).
    """
    import nbformat

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ParameterError(
            f"{path.name}: has {len(tagged)} cells tagged 'parameters'; a trilat notebook needs exactly one "
            "(add the tag in JupyterLab: property inspector → cell tags)."
        )
    return parse_parameters_source(tagged[0].source, f"{path.name}")


def discover_notebooks(folder: str | Path = NOTEBOOKS_DIR) -> list[NotebookInfo]:
    """All ``NN_name.ipynb`` notebooks in ``folder``, in number order, with their parameters."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ParameterError(f"notebook folder {folder} does not exist.")
    paths = sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_RE.match(p.name))
    return [NotebookInfo(p, inspect_parameters(p)) for p in paths]


def select_notebooks(notebooks: Sequence[NotebookInfo], selectors: Iterable[str]) -> list[NotebookInfo]:
    """Pick notebooks by number ("02", "2"), stem ("02_topic_modeling"), name ("topic_modeling")
    or file name; keeps the collection's order. No selectors → all notebooks."""
    selectors = [s for s in selectors if s]
    if not selectors:
        return list(notebooks)
    chosen: set[Path] = set()
    for sel in selectors:
        key = Path(sel).name.removesuffix(".ipynb")
        hits = [
            nb for nb in notebooks
            if key in (nb.stem, nb.stem[3:]) or (key.isdigit() and int(key) == int(nb.number))
        ]
        if not hits:
            available = ", ".join(nb.stem for nb in notebooks) or "(none)"
            raise ParameterError(f"--notebook {sel!r} matches no notebook; available: {available}.")
        chosen.update(nb.path for nb in hits)
    return [nb for nb in notebooks if nb.path in chosen]


def _yaml_value(raw: str) -> Any:
    """``raw`` parsed as YAML, except that dates stay the text typed (``2021-01-01``): YAML would
    make them ``datetime.date`` objects, which are no notebook parameter type and not JSON."""
    import yaml

    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        return raw
    if isinstance(value, (date, datetime)):
        return raw.strip().strip("'\"")
    return _plain(value)


def _plain(value: Any) -> Any:
    """``value`` with every ``date``/``datetime`` inside it turned into its ISO text (recursively),
    so parameters read from YAML are plain JSON-able values the notebooks and the index accept."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _split_list(raw: str) -> list[str]:
    """Split ``raw`` on commas that are not inside brackets or quotes."""
    parts, depth, quote, cur = [], 0, None, []
    for ch in raw:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur).strip())
    return parts


def coerce_cli_value(raw: str, param: NotebookParameter | None) -> Any:
    """Turn a command-line string into a value, guided by the parameter's default.

    A string default keeps the text as typed (``-p kwic_term=yes`` is the word "yes"); a list
    default also accepts ``1,2,3`` or a single item; otherwise the text is parsed as YAML
    (``4`` → int, ``0.5`` → float, ``true`` → bool, ``null`` → None, ``[1, 2]`` → list).
    """
    default = param.default if param is not None and param.literal else _MISSING
    if isinstance(default, str):
        return raw
    if isinstance(default, (list, tuple)):
        value = _yaml_value(raw)
        if isinstance(value, list):
            return value
        items = _split_list(raw)
        return [_yaml_value(x) for x in items] if raw.strip() else []
    return _yaml_value(raw)


def _type_ok(value: Any, default: Any) -> tuple[bool, Any]:
    """Whether ``value`` fits the type of ``default``; returns (ok, value converted if needed)."""
    if default is None:
        return True, value
    if isinstance(default, bool):
        return isinstance(value, bool), value
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool), value
    if isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return True, float(value)
        return False, value
    if isinstance(default, str):
        return isinstance(value, str), value
    if isinstance(default, (list, tuple)):
        if isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, list):
            return False, value
        kinds = {type(x) for x in default}
        if len(kinds) == 1 and default:
            proto = default[0]
            out = []
            for x in value:
                ok, x = _type_ok(x, proto)
                if not ok:
                    return False, value
                out.append(x)
            return True, out
        return True, value
    if isinstance(default, dict):
        return isinstance(value, dict), value
    return True, value


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def validate_parameters(nb: NotebookInfo, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``overrides`` against the notebook's ``parameters`` cell; return them converted.

    Raises :class:`ParameterError` naming the parameter for an unknown name, a runner-owned
    name (``output_dir``), a value :mod:`trilat_lib.params` refuses (its rules replace the type
    check for the parameters it knows) or a value whose type differs from the declared default's.
    """
    checked: dict[str, Any] = {}
    for name, value in overrides.items():
        value = _plain(value)  # a datetime.date from a YAML file or a caller becomes its ISO text
        if name in RUNNER_PARAMETERS:
            raise ParameterError(
                f"{nb.stem}: parameter {name!r} is set by the runner (reports/<run name>/); "
                "choose the reports folder with --output instead."
            )
        param = nb.parameters.get(name)
        if param is None:
            known = ", ".join(p for p in nb.parameters if p not in RUNNER_PARAMETERS) or "(none)"
            raise ParameterError(f"{nb.stem}: unknown parameter {name!r}. Its parameters are: {known}.")
        if name in params.rules_for(nb.stem):  # documented choices/ranges: the same check as the notebook's
            checked[name] = params.check_value(nb.stem, name, value)
            continue
        if not param.literal:
            checked[name] = value
            continue
        ok, converted = _type_ok(value, param.default)
        if not ok:
            hint = f" ({param.help})" if param.help else ""
            raise ParameterError(
                f"{nb.stem}: parameter {name!r} expects a value of type {type(param.default).__name__} like its default "
                f"{param.source}{hint}; got {_describe(value)}."
            )
        if param.choices and converted not in param.choices:
            raise ParameterError(
                f"{nb.stem}: parameter {name!r} must be one of {', '.join(param.choices)}; got {converted!r}."
            )
        checked[name] = converted
    return checked


def parse_assignment(text: str, option: str = "-p") -> tuple[str, str]:
    """Split ``name=value`` (the value may contain '='); the name must be an identifier."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise ParameterError(f"{option} {text!r}: write it as name=value (e.g. {option} n_topics=6).")
    return name, raw.strip()


def parse_sweep(text: str) -> tuple[str, list[str]]:
    """``n_topics=4,6,8`` → ``("n_topics", ["4", "6", "8"])`` (commas inside [] or quotes kept)."""
    name, raw = parse_assignment(text, "--sweep")
    values = [v for v in _split_list(raw) if v != ""]
    if not values:
        raise ParameterError(f"--sweep {text!r}: give at least one value, e.g. --sweep {name}=4,6,8.")
    return name, values


def load_params_file(path: str | Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Read a YAML parameter file → (parameters for every notebook, per-notebook parameters).

    Top-level ``name: value`` pairs apply to every selected notebook that declares ``name``;
    a top-level key naming a notebook (``"02"``, ``02_topic_modeling``) with a mapping value
    applies only to that notebook::

        kwic_term: alliance
        02_topic_modeling:
          n_topics: 6
    """
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"--params {path}: file not found.") from None
    except UnicodeDecodeError as e:
        raise ParameterError(
            f"--params {path}: not UTF-8 text (byte 0x{e.object[e.start]:02x} at position {e.start}); "
            "save the file as UTF-8 and try again.") from None
    except IsADirectoryError:
        raise ParameterError(f"--params {path}: is a folder; give the YAML file itself.") from None
    except OSError as e:
        raise ParameterError(f"--params {path}: cannot be read ({e.strerror}); check the file and its permissions.") from None
    except yaml.YAMLError as e:
        raise ParameterError(f"--params {path}: not valid YAML ({str(e).splitlines()[0]}).") from None
    data = _plain(data)
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ParameterError(f"--params {path}: must be a mapping of parameter names to values, got {type(data).__name__}.")
    common, per_nb = {}, {}
    for key, value in data.items():
        key = str(key)
        if re.match(r"^\d{1,2}(_|$)", key) and isinstance(value, dict):
            per_nb[key] = {str(k): v for k, v in value.items()}
        else:
            common[key] = value
    return common, per_nb


# --------------------------------------------------------------------------- planning

@dataclass
class RunSpec:
    """One planned execution: a notebook, its run name and the parameters it gets."""

    notebook: NotebookInfo
    name: str
    overrides: dict[str, Any]                   # user-given, validated (without output_dir)
    sweep: dict[str, Any] = field(default_factory=dict)

    def parameters(self) -> dict[str, Any]:
        """Every declared parameter's effective value (default unless overridden)."""
        eff = {n: (p.default if p.literal else p.source) for n, p in self.notebook.parameters.items()}
        eff.update(self.overrides)
        return eff


def _slug(value: Any) -> str:
    s = value if isinstance(value, str) else json.dumps(value, separators=(",", ""))
    s = re.sub(r"[^\w.,=+-]+", "-", s).strip("-")
    return s[:40] or "empty"


def _notebook_key_matches(key: str, nb: NotebookInfo) -> bool:
    return key in (nb.stem, nb.stem[3:]) or (key.isdigit() and int(key) == int(nb.number))


def plan_runs(
    notebooks: Sequence[NotebookInfo],
    overrides: Mapping[str, Any] | None = None,
    cli_overrides: Sequence[tuple[str, str]] = (),
    per_notebook: Mapping[str, Mapping[str, Any]] | None = None,
    sweeps: Sequence[tuple[str, list[str]]] = (),
    explicit: bool = False,
    all_notebooks: Sequence[NotebookInfo] | None = None,
) -> list[RunSpec]:
    """Turn notebooks + parameter sources into validated :class:`RunSpec` s (nothing executes).

    Precedence: parameter file < ``-p`` < sweep values. A parameter-file value goes to the
    selected notebooks that declare it (one file can serve the whole collection); a name no
    notebook of the collection (``all_notebooks``) declares is an error, as is a file section
    naming no notebook. ``-p`` and ``--sweep`` are strict when ``explicit`` (the user picked the
    notebooks): each picked notebook must declare them; otherwise they go to the notebooks that
    declare them. With sweeps and no explicit choice, only notebooks declaring every swept
    parameter run.
    """
    overrides = dict(overrides or {})
    per_notebook = dict(per_notebook or {})
    collection = list(all_notebooks) if all_notebooks is not None else list(notebooks)
    for key in per_notebook:
        if not any(_notebook_key_matches(key, nb) for nb in collection):
            raise ParameterError(f"parameter file section {key!r} matches no notebook; "
                                 f"notebooks: {', '.join(nb.stem for nb in collection)}.")
    for key, section in per_notebook.items():
        for nb in notebooks:
            if _notebook_key_matches(key, nb):
                validate_parameters(nb, section)  # unknown names in a section are always errors

    cli_names = {n for n, _ in cli_overrides} | {n for n, _ in sweeps}
    for name in sorted(set(overrides) | (set() if explicit else cli_names)):
        if name in RUNNER_PARAMETERS:
            raise ParameterError(f"parameter {name!r} is set by the runner (reports/<run name>/); "
                                 "choose the reports folder with --output instead.")
        if not any(name in nb.parameters for nb in collection):
            raise ParameterError(f"unknown parameter {name!r}: no notebook declares it. "
                                 "See `trilat list` for each notebook's parameters.")
    if sweeps and not explicit:
        swept = {n for n, _ in sweeps}
        notebooks = [nb for nb in notebooks if swept <= set(nb.parameters)]
        if not notebooks:
            raise ParameterError(f"no selected notebook declares all swept parameters {sorted(swept)}.")

    specs: list[RunSpec] = []
    for nb in notebooks:
        def applies(name: str) -> bool:
            return explicit or name in nb.parameters or name in RUNNER_PARAMETERS

        given: dict[str, Any] = {k: v for k, v in overrides.items() if k in nb.parameters}
        for key, section in per_notebook.items():
            if _notebook_key_matches(key, nb):
                given.update(section)
        for name, raw in cli_overrides:
            if applies(name):
                given[name] = coerce_cli_value(raw, nb.parameters.get(name))
        base = validate_parameters(nb, given)
        if not sweeps:
            specs.append(RunSpec(nb, nb.stem, base))
            continue
        grids = []
        for name, raws in sweeps:
            vals = [validate_parameters(nb, {name: coerce_cli_value(r, nb.parameters.get(name))})[name] for r in raws]
            grids.append([(name, v) for v in vals])
        for combo in itertools.product(*grids):
            sweep = dict(combo)
            run_name = nb.stem + "".join(f"__{k}={_slug(v)}" for k, v in sweep.items())
            specs.append(RunSpec(nb, run_name, {**base, **sweep}, sweep))
    for spec in specs:  # checks between parameters (date_from <= date_to, ...) on the values each run gets
        params.check(spec.notebook.stem, spec.parameters())
    names = [s.name for s in specs]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ParameterError(f"--sweep values give duplicate run names {sorted(dupes)}; use distinct values.")
    return specs


# --------------------------------------------------------------------------- kernel

@contextlib.contextmanager
def runner_kernel() -> Iterator[str]:
    """A kernelspec for *this* interpreter, visible to papermill for the duration; yields its name.

    Written to a temporary folder that is prepended to ``JUPYTER_PATH`` (and restored after), so
    notebooks always run on the Python that runs trilat, whatever kernels are registered.
    """
    with tempfile.TemporaryDirectory(prefix="trilat-kernel-") as tmp:
        kdir = Path(tmp) / "kernels" / KERNEL_NAME
        kdir.mkdir(parents=True)
        spec = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                     "--IPKernelApp.log_level=ERROR"],  # no kernel transport chatter in the run log
            "display_name": f"Python {sys.version_info.major}.{sys.version_info.minor} (trilat runner)",
            "language": "python",
            "metadata": {"debugger": False, "supported_encryption": ["curve"]},
        }
        (kdir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
        old = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = tmp + (os.pathsep + old if old else "")
        try:
            yield KERNEL_NAME
        finally:
            if old is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = old


@contextlib.contextmanager
def _quiet_papermill() -> Iterator[None]:
    """Keep papermill's INFO/WARNING chatter (e.g. 'Black is not installed') off the terminal."""
    loggers = [logging.getLogger(n) for n in ("papermill", "papermill.translators", "traitlets", "nbclient")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, lv in zip(loggers, levels):
            lg.setLevel(lv)


# --------------------------------------------------------------------------- executing

@dataclass
class RunResult:
    """What happened to one :class:`RunSpec`."""

    spec: RunSpec
    status: str                 # "ok" or "failed"
    duration_s: float
    started: str
    notebook_path: Path
    html_path: Path | None
    output_dir: Path
    error: str | None = None    # the one-line failure message
    traceback: str | None = None
    corpus: str | None = None   # the corpus folder the run read (None: bundled seeds)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _one_line(text: str, limit: int = 300) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _failure_line(spec: RunSpec, exc: BaseException, nb_path: Path, executed) -> tuple[str, str]:
    """The one-line failure message (notebook, cell number, error) and the plain traceback."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        injected = 0
        if executed is not None:
            for cell in executed.cells[: exc.cell_index]:
                if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                    injected += 1
        cell_no = exc.cell_index - injected + 1
        first = next((ln.strip() for ln in (exc.source or "").splitlines() if ln.strip()), "")
        where = f"cell {cell_no} (In [{exc.exec_count}]{': ' + _one_line(first, 60) if first else ''})"
        err = f"{exc.ename}: {_one_line(exc.evalue, 240)}" if exc.evalue else exc.ename
        tb = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(exc.traceback or []))
    else:
        where = "the run (before or between cells)"
        err = f"{type(exc).__name__}: {_one_line(exc, 240)}"
        tb = err
    return f"{spec.name}: {where} raised {err}; partial notebook kept at {nb_path}", tb


# The report pages must work offline and load nothing from elsewhere: the lab template's
# require.js, MathJax, Mermaid and widget scripts all come from CDNs (the notebooks use none of them).
_OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""
_REMOTE_RE = re.compile(r"""<(script|link|iframe|img)\b[^>]*\b(src|href)\s*=\s*["']?\s*(https?:)?//"""
                        r"""|url\(\s*["']?\s*(https?:)?//|@import\s+["']?(https?:)?//""", re.I)


def export_html(nb_path: Path, html_path: Path, title: str, index_href: str = "index.html") -> Path:
    """Write a self-contained HTML page of an executed notebook (images embedded, no script or
    stylesheet fetched from the internet), with a link back to the report index, atomically."""
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(nb_path, as_version=4)
    exporter = HTMLExporter(template_name="lab", embed_images=True,
                            extra_loaders=[jinja2.DictLoader({"trilat_offline.html.j2": _OFFLINE_TEMPLATE})],
                            template_file="trilat_offline.html.j2")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    remote = _REMOTE_RE.search(body)
    if remote:  # a template change upstream must not silently bring CDN links back
        raise TrilatError(f"{html_path.name}: the HTML export would load {remote.group(0)!r}… from the internet; "
                          "the report template in trilat_lib/run.py needs updating for this nbconvert version.")
    banner = (
        f'<div style="font:14px sans-serif;padding:8px 16px;background:#f3f3f3;border-bottom:1px solid #ddd">'
        f'<a href="{html.escape(index_href)}">← trilat report index</a> · {html.escape(nb_path.name)}</div>'
    )
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + banner, body, count=1)
    return outputs.write_text(html_path, body)


def execute(
    spec: RunSpec,
    reports_dir: Path,
    kernel_name: str,
    corpus_path: str | None = None,
    timeout: float | None = None,
    progress_bar: bool = False,
) -> RunResult:
    """Execute one run into ``reports_dir`` and export its HTML; never raises for notebook errors.

    The notebook is executed into a hidden temporary file that replaces ``<run>.ipynb`` when
    papermill finishes (successfully or not), so an earlier report is never half-overwritten.
    """
    import nbformat
    import papermill as pm

    reports_dir.mkdir(parents=True, exist_ok=True)
    out_nb = reports_dir / f"{spec.name}.ipynb"
    out_html = reports_dir / f"{spec.name}.html"
    out_dir = reports_dir / spec.name
    if out_dir.is_dir():
        shutil.rmtree(out_dir)  # stale outputs of an earlier run must not pass for this run's
    out_dir.mkdir(parents=True)
    params = dict(spec.overrides)
    if corpus_path is not None and "corpus_path" in spec.notebook.parameters and "corpus_path" not in params:
        params["corpus_path"] = corpus_path
    params["output_dir"] = str(out_dir.resolve())
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    fd, tmp = tempfile.mkstemp(prefix=f".{spec.name}.", suffix=".ipynb", dir=reports_dir)
    os.close(fd)
    tmp_path = Path(tmp)
    error = tb = None
    t0 = time.perf_counter()
    try:
        with _quiet_papermill(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                pm.execute_notebook(
                    str(spec.notebook.path), str(tmp_path), parameters=params, kernel_name=kernel_name,
                    progress_bar=progress_bar, cwd=str(spec.notebook.path.parent),
                    execution_timeout=timeout,
                )
            except Exception as exc:  # noqa: BLE001 - every failure becomes one line
                executed = None
                if tmp_path.exists() and tmp_path.stat().st_size:
                    with contextlib.suppress(Exception):
                        executed = nbformat.read(tmp_path, as_version=4)
                error, tb = _failure_line(spec, exc, out_nb, executed)
        duration = time.perf_counter() - t0
        if tmp_path.exists() and tmp_path.stat().st_size:
            # restore the notebook's own kernelspec so the report opens in JupyterLab as usual
            nb = nbformat.read(tmp_path, as_version=4)
            src = nbformat.read(spec.notebook.path, as_version=4)
            if "kernelspec" in src.metadata:
                nb.metadata["kernelspec"] = src.metadata["kernelspec"]
            nb.metadata.setdefault("trilat", {})
            nb.metadata["trilat"] = {"run": spec.name, "parameters": _jsonable(spec.parameters()),
                                     "status": "failed" if error else "ok"}
            nbformat.write(nb, tmp_path)
            os.replace(tmp_path, out_nb)
            _readable(out_nb)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
    for f in out_dir.rglob("*"):
        if f.is_file():
            _readable(f)
    html_path: Path | None = None
    if out_nb.exists():
        try:
            html_path = _readable(export_html(out_nb, out_html, spec.name))
        except Exception as exc:  # noqa: BLE001 - a report page must not hide the run's status
            if error is None:
                error = f"{spec.name}: executed, but its HTML page could not be written: {_one_line(exc)}"
    return RunResult(spec, "failed" if error else "ok", duration, started, out_nb, html_path, out_dir,
                     error, tb, params.get("corpus_path"))


def _readable(path: Path) -> Path:
    """Give a report file the usual permissions (the atomic writers create owner-only temp files)."""
    umask = os.umask(0)
    os.umask(umask)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o666 & ~umask)
    return path


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


# --------------------------------------------------------------------------- index

RUNS_FILE = "runs.json"


def _record(result: RunResult, reports_dir: Path) -> dict:
    files = sorted(p.relative_to(reports_dir).as_posix() for p in result.output_dir.rglob("*") if p.is_file()) \
        if result.output_dir.is_dir() else []
    return {
        "run": result.spec.name,
        "notebook": result.spec.notebook.stem,
        "title": result.spec.notebook.title,
        "status": result.status,
        "error": result.error,
        "started": result.started,
        "duration_s": round(result.duration_s, 2),
        "corpus": result.corpus,
        "parameters": _jsonable({**result.spec.parameters(),
                                 **({"corpus_path": result.corpus} if result.corpus else {})}),
        "overrides": _jsonable({**result.spec.overrides,
                                **({"corpus_path": result.corpus} if result.corpus else {})}),
        "sweep": _jsonable(result.spec.sweep),
        "notebook_file": result.notebook_path.name,
        "html_file": result.html_path.name if result.html_path else None,
        "output_dir": result.output_dir.name,
        "outputs": files,
        "figures": [p.relative_to(reports_dir).as_posix() for p in
                    sorted(result.output_dir.glob("*.png"), key=lambda p: p.stat().st_mtime)]
        if result.output_dir.is_dir() else [],
    }


def load_runs(reports_dir: str | Path) -> dict[str, dict]:
    """The run records kept in ``reports_dir/runs.json`` (run name → record)."""
    path = Path(reports_dir) / RUNS_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return {r["run"]: r for r in data.get("runs", []) if isinstance(r, dict) and "run" in r}


def _fmt_value(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v)


def write_index(reports_dir: str | Path, runs: Mapping[str, dict], context: Mapping[str, str] | None = None) -> Path:
    """Write ``runs.json`` and ``index.html`` listing every run whose notebook file still exists."""
    reports_dir = Path(reports_dir)
    runs = {k: r for k, r in runs.items() if (reports_dir / r["notebook_file"]).exists()}
    ordered = sorted(runs.values(), key=lambda r: (r["notebook"], r["run"]))
    _readable(outputs.write_text(reports_dir / RUNS_FILE, json.dumps({"runs": ordered}, indent=1, ensure_ascii=False)))
    e = html.escape
    rows = []
    for r in ordered:
        ok = r["status"] == "ok"
        links = []
        if r.get("html_file"):
            links.append(f'<a href="{e(r["html_file"])}">report</a>')
        links.append(f'<a href="{e(r["notebook_file"])}">notebook</a>')
        outs = r.get("outputs") or []
        out_html = ", ".join(f'<a href="{e(f)}">{e(Path(f).name)}</a>' for f in outs) or "<i>none</i>"
        params = []
        for k, v in r["parameters"].items():
            if k == "output_dir":
                continue
            cls = ' class="set"' if k in (r.get("overrides") or {}) else ""
            params.append(f"<li{cls}><code>{e(k)} = {e(_fmt_value(v))}</code></li>")
        status = ('<span class="ok">ok</span>' if ok
                  else f'<span class="fail">failed</span><div class="err">{e(r.get("error") or "")}</div>')
        sweep = " ".join(f"<code>{e(k)}={e(_fmt_value(v))}</code>" for k, v in (r.get("sweep") or {}).items())
        pngs = r.get("figures") or [f for f in outs if f.lower().endswith(".png")]
        thumb = (f'<br><a href="{e(pngs[0])}"><img src="{e(pngs[0])}" alt="first figure" loading="lazy" '
                 f'style="max-width:240px;max-height:160px;margin-top:.4em;border:1px solid #ddd"></a>') if pngs else ""
        rows.append(
            f"<tr><td><b>{e(r['title'])}</b><br><small>{e(r['run'])}</small>"
            f"{'<br>sweep: ' + sweep if sweep else ''}{thumb}</td>"
            f"<td>{status}<br><small>corpus: {e(r.get('corpus') or 'bundled seeds')}</small></td>"
            f"<td>{r['duration_s']:.1f} s<br><small>{e(r['started'])}</small></td>"
            f"<td>{' · '.join(links)}</td><td><ul>{''.join(params)}</ul></td><td class=outs>{out_html}</td></tr>"
        )
    ctx = "".join(f"<li><b>{e(k)}</b>: {e(v)}</li>" for k, v in (context or {}).items())
    n_fail = sum(r["status"] != "ok" for r in ordered)
    summary = f"{len(ordered)} run(s), {n_fail} failed" if n_fail else f"{len(ordered)} run(s), all ok"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>trilat report</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .5em; vertical-align: top; text-align: left; }}
th {{ background: #f5f5f5; }}
ul {{ margin: 0; padding-left: 1.1em; }} li.set code {{ font-weight: bold; color: #0b5394; }}
.ok {{ color: #1a7f37; font-weight: bold; }} .fail {{ color: #cf222e; font-weight: bold; }}
.err {{ color: #cf222e; font-size: 90%; max-width: 28em; }} .outs {{ font-size: 90%; max-width: 22em; }}
</style></head><body>
<h1>trilat report</h1>
<p>{e(summary)}. Parameters in <b style="color:#0b5394">bold</b> were set for the run; the others are the notebook's defaults.</p>
<ul>{ctx}</ul>
<table><thead><tr><th>notebook</th><th>status</th><th>duration</th><th>open</th><th>parameters</th><th>outputs</th></tr></thead>
<tbody>
{''.join(rows)}
</tbody></table>
</body></html>
"""
    return _readable(outputs.write_text(reports_dir / "index.html", page))


# --------------------------------------------------------------------------- the whole run

def shown_path(path: str | Path) -> str:
    """``path`` as printable text: bytes that are not UTF-8 in a file name appear as ``\\xe9``."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _not_utf8(path: str | Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def validate_corpus(corpus_path: str | Path | None, option: str = "--corpus") -> str | None:
    """Load the corpus once so a bad folder fails before any notebook runs; return its absolute path.

    ``option`` names where the folder came from (``--corpus`` or ``-p corpus_path``) in the
    error: an empty name, a folder that cannot be read, or a folder/file name that is not
    UTF-8 (it could not be written to the reports) raises :class:`CorpusError`.
    """
    if corpus_path is None:
        return None
    from .corpus import load_corpus

    if not isinstance(corpus_path, (str, Path)) or not str(corpus_path).strip():
        raise CorpusError(f"{option} {corpus_path!r}: give the folder that holds your .txt files "
                          "(leave the option out to use the bundled seed corpus).")
    path = Path(corpus_path).expanduser().resolve()
    if _not_utf8(path):
        raise CorpusError(f"{option} {shown_path(path)}: the folder name is not UTF-8 text, so the reports could "
                          "not name it; rename the folder (e.g. with `convmv -f latin1 -t utf8`).")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            corpus = load_corpus(path)
    except OSError as e:
        where = shown_path(e.filename) if e.filename else shown_path(path)
        raise CorpusError(f"{option} {shown_path(path)}: cannot read {where} ({e.strerror or e}); check that the "
                          "folder and its files exist and that you may read them.") from None
    for w in caught:
        print(f"trilat: warning: {shown_path(w.message)}", file=sys.stderr)
    if len(corpus) == 0:
        raise CorpusError(f"{option} {path}: the folder holds no documents.")
    bad = [d for d in corpus if _not_utf8(d.doc_id) or (d.path is not None and _not_utf8(d.path))]
    if bad:
        names = ", ".join(shown_path(d.path or d.doc_id) for d in bad[:3]) + (" …" if len(bad) > 3 else "")
        raise CorpusError(f"{option} {path}: {len(bad)} file name(s) are not UTF-8 text ({names}), so the tables "
                          "could not name them; rename the file(s) (e.g. with `convmv -f latin1 -t utf8`).")
    return str(path)


def check_writable(folder: str | Path, option: str, create: bool = True, hint: str = "") -> Path:
    """Make sure ``folder`` is (or can become) a folder this process can write to; return it absolute.

    With ``create`` the folder is created and a scratch file written and removed; without it
    (``--dry-run``) nothing is created, only the nearest existing parent is checked. Raises
    :class:`TrilatError` naming ``option`` and the folder when it cannot be used.
    """
    folder = Path(folder).expanduser().absolute()
    what = hint or f"choose another folder with {option}"
    if _not_utf8(folder):
        raise TrilatError(f"{option} {shown_path(folder)}: the folder name is not UTF-8 text; {what}.")
    if not create:
        probe = folder
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        if not probe.is_dir():
            raise TrilatError(f"{option} {folder}: {probe} is a file, not a folder; {what}.")
        if not os.access(probe, os.W_OK | os.X_OK):
            raise TrilatError(f"{option} {folder}: you may not write to {probe}; {what}.")
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".trilat-write-test."):
            pass
    except FileExistsError:
        raise TrilatError(f"{option} {folder}: exists and is a file, not a folder; {what}.") from None
    except OSError as e:
        raise TrilatError(f"{option} {folder}: cannot write there ({e.strerror or e}); {what}.") from None
    return folder


def check_cache_folder(specs: Sequence[RunSpec], create: bool = True) -> None:
    """Fail before executing when a run would use the annotation cache and its folder is unusable."""
    if not any(s.parameters().get("use_cache") is True for s in specs):
        return
    from . import cache

    check_writable(cache.ANNOTATION_CACHE_DIR, "cache folder", create=create,
                   hint="set TRILAT_CACHE_DIR to a folder you can write to, or run with -p use_cache=false")


# --------------------------------------------------------------------------- one run per reports folder

LOCK_FILE = ".trilat-run.lock"
# the runner's temporaries: `.<run>.<random>.ipynb` (the notebook being executed) and
# `.<file>.<random>.tmp` (outputs.atomic_path); <random> = tempfile's 8 characters
_TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.(ipynb|tmp)$")


class FolderBusy(TrilatError):
    """Another trilat run is writing to the same reports folder."""


@contextlib.contextmanager
def folder_lock(reports_dir: Path) -> Iterator[Path]:
    """Hold an exclusive lock on ``reports_dir`` for one run (``.trilat-run.lock`` inside it).

    A second run into the same folder fails at once with :class:`FolderBusy` naming the folder and
    the other run's process id, instead of both deleting each other's files. The lock is an OS
    file lock (``flock``), released when the process ends however it ends, so a killed run never
    leaves the folder locked.
    """
    path = reports_dir / LOCK_FILE
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the duration
    try:
        try:
            _lock(fh)
        except OSError:
            fh.seek(0)
            other = fh.read().strip() or "unknown"
            raise FolderBusy(f"--output {reports_dir}: another trilat run (pid {other}) is writing to this folder; "
                             "wait for it to finish, or choose another folder with --output.") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        yield path
    finally:
        fh.close()  # releases the lock


def _lock(fh) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def remove_stale_temporaries(reports_dir: Path) -> list[Path]:
    """Delete the runner's temporary files left in ``reports_dir`` by a run that was killed.

    Only called while holding the folder lock, so no other run can own them.
    """
    removed = []
    for f in reports_dir.iterdir():
        if _TEMP_RE.match(f.name) and f.is_file():
            with contextlib.suppress(OSError):
                f.unlink()
                removed.append(f)
    return removed


class Terminated(KeyboardInterrupt):
    """SIGTERM/SIGHUP received: unwinds like Ctrl-C so temporary files are removed on the way out."""

    def __init__(self, signum: int):
        super().__init__(f"signal {signum}")
        self.signum = signum


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """Turn SIGTERM (``kill``) and SIGHUP (terminal closed) into :class:`Terminated` while running
    (main thread only), so ``finally`` blocks clean up instead of the process vanishing mid-write."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Terminated(signum)

    signals = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    old = {sig: signal.signal(sig, handler) for sig in signals}
    try:
        yield
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)


def run_notebooks(
    specs: Sequence[RunSpec],
    reports_dir: str | Path = REPORTS_DIR,
    corpus_path: str | None = None,
    timeout: float | None = None,
    fail_fast: bool = False,
    log: Callable[[str], None] | None = None,
    progress_bar: bool = False,
) -> list[RunResult]:
    """Execute planned runs in order, then (re)write ``index.html``; returns one result per run.

    ``log`` receives progress lines (default: stderr). Runs after a failure still execute unless
    ``fail_fast``. Records of earlier runs in the same folder stay in the index.
    """
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    reports_dir = check_writable(Path(reports_dir), "--output").resolve()
    with folder_lock(reports_dir), _sigterm_unwinds():
        for f in remove_stale_temporaries(reports_dir):
            log(f"removed {f.name}, left behind by an interrupted run")
        return _run_locked(specs, reports_dir, corpus_path, timeout, fail_fast, log, progress_bar)


def _run_locked(specs, reports_dir, corpus_path, timeout, fail_fast, log, progress_bar) -> list[RunResult]:
    records = load_runs(reports_dir)
    results: list[RunResult] = []
    context = {
        "corpus": corpus_path or "bundled seed corpus (seeds/)",
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": sys.executable,
    }
    with runner_kernel() as kernel:
        for i, spec in enumerate(specs, start=1):
            label = spec.name + (f" ({', '.join(f'{k}={_fmt_value(v)}' for k, v in spec.overrides.items())})"
                                 if spec.overrides else "")
            log(f"[{i}/{len(specs)}] {label} …")
            res = execute(spec, reports_dir, kernel, corpus_path, timeout, progress_bar)
            results.append(res)
            records[spec.name] = _record(res, reports_dir)
            write_index(reports_dir, records, context)
            if res.ok:
                log(f"[{i}/{len(specs)}] {spec.name}: ok in {res.duration_s:.1f} s → {res.html_path}")
            else:
                log(f"[{i}/{len(specs)}] {spec.name}: FAILED after {res.duration_s:.1f} s")
                if fail_fast:
                    break
    return results
