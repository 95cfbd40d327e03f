"""Planner tests reuse the sample account of tests/mappings."""

from __future__ import annotations

import sys
from pathlib import Path

# tests/ directories are not packages; the sample account lives beside the mapping tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "mappings"))
