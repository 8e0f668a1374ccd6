"""Where things live: every path the library and the notebooks use, computed from this file.

Notebooks run with whatever working directory papermill or JupyterLab gives them, so
nothing in trilat relies on the current directory.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
RESOURCES_DIR = PACKAGE_DIR / "resources"

SEEDS_DIR = PROJECT_ROOT / "seeds"            # the bundled corpus (immutable raw data)
DATA_DIR = PROJECT_ROOT / "data"              # manifests and hand-made data
MANIFEST = DATA_DIR / "manifest.csv"          # describes the files in SEEDS_DIR
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"        # build product, gitignored
# derived annotations and synthetic corpora, safe to delete; TRILAT_CACHE_DIR moves it
CACHE_DIR = Path(os.environ.get("TRILAT_CACHE_DIR") or PROJECT_ROOT / ".cache").expanduser()

# External evaluation data lives beside the checkout, never inside it.
SHARED_DIR = PROJECT_ROOT.parent / "shared"
SHARED_DATA_DIR = SHARED_DIR / "data"


def output_dir(name: str, output_dir: str | Path | None = None) -> Path:
    """The folder a notebook writes its CSV/PNG outputs to, created if needed.

    ``output_dir`` (a notebook parameter) wins; otherwise ``reports/<name>/``.
    """
    path = Path(output_dir) if output_dir else REPORTS_DIR / name
    path.mkdir(parents=True, exist_ok=True)
    return path
