"""The findings catalog: stable codes, documented, and used consistently."""

from __future__ import annotations

import re
from pathlib import Path

from migrator.mappings.catalog import FINDINGS, finding

DOCS = Path(__file__).resolve().parents[2] / "docs" / "findings.md"
MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


def test_every_catalog_code_is_documented_with_its_severity():
    table = dict(re.findall(r"^\| `([A-Z_]+)` \| (\w+) \|", DOCS.read_text(), flags=re.M))
    assert table == {code: entry.severity.value for code, entry in FINDINGS.items()}


def test_every_code_the_mappings_raise_is_in_the_catalog():
    sources = "\n".join(p.read_text() for p in MAPPINGS.glob("*.py")) + (MAPPINGS.parent / "migrator/planner.py").read_text()
    used = set(re.findall(r'"([A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+)"', sources))
    assert used - set(FINDINGS) == set()


def test_a_finding_takes_its_remediation_from_the_catalog():
    f = finding("LOCATOR_SAS", "SAS locator x")
    assert (f.severity, f.message, f.remediation) == (FINDINGS["LOCATOR_SAS"].severity, "SAS locator x", FINDINGS["LOCATOR_SAS"].remediation)
