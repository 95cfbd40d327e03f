"""The README's quick start on a fresh machine: ``python3 -m pip install . && migrator demo``.

A plain (non-editable) install into a new virtual environment, from a copy of the source tree
(so the build never writes into the repository), then the installed ``migrator`` script runs the
demo from a directory outside the tree: every file the demo needs must ship in the package.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
_NOT_SOURCES = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "demo-out")


def _run(args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def test_demo_runs_from_a_plain_pip_install_outside_the_source_tree(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCES)
    # System site-packages provide the dependencies (no network here); the venv's own
    # site-packages come first, so the freshly installed migrator is the one imported.
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(tmp_path / "venv")
    python = tmp_path / "venv" / "bin" / "python"
    install = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-build-isolation", "--no-index", "."], source, 120)
    assert install.returncode == 0, install.stderr[-3000:]
    elsewhere = tmp_path / "fresh-machine"
    elsewhere.mkdir()
    where = _run([str(python), "-c", "import migrator; print(migrator.__file__)"], elsewhere, 30)
    assert str(tmp_path / "venv") in where.stdout, where.stdout + where.stderr
    demo = _run([str(tmp_path / "venv" / "bin" / "migrator"), "demo", "--out", "demo-out", "--assets", "8", "-o", "json"], elsewhere, 120)
    assert demo.returncode == 0, demo.stderr[-3000:]
    summary = json.loads(demo.stdout)
    assert Path(summary["html_report"]).is_file()
    assert all(Path(p).is_file() for p in summary["artifacts"])
