"""The wheel carries the mapping rules, report templates and reference data it needs at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> list[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("ams_migrator-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return zf.namelist()


def test_wheel_ships_mappings_and_reports_as_migrator_subpackages(wheel_names):
    assert "migrator/mappings/__init__.py" in wheel_names
    assert "migrator/reports/__init__.py" in wheel_names
    assert not any(name.startswith(("mappings/", "reports/")) for name in wheel_names)


def test_wheel_ships_every_mapping_module_and_report_template(wheel_names):
    for source_dir, package_dir in (("mappings", "migrator/mappings"), ("reports", "migrator/reports")):
        for path in (ROOT / source_dir).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".html", ".md", ".csv", ".json", ".j2", ".svg"}:
                if "__pycache__" in path.parts:
                    continue
                relative = path.relative_to(ROOT / source_dir).as_posix()
                assert f"{package_dir}/{relative}" in wheel_names


def test_wheel_ships_the_official_openapi_files_and_v2_reference(wheel_names):
    spec = "migrator/openapi/specification/mediaservices/resource-manager/Microsoft.Media"
    assert f"{spec}/Metadata/stable/2023-01-01/StreamingPoliciesAndStreamingLocators.json" in wheel_names
    assert f"{spec}/Encoding/stable/2022-07-01/Encoding.json" in wheel_names
    assert "migrator/openapi/specification/common-types/resource-management/v2/types.json" in wheel_names
    assert "migrator/v2/reference/v2-entities.json" in wheel_names


def test_wheel_declares_the_console_script(wheel_names):
    entry_points = next(n for n in wheel_names if n.endswith(".dist-info/entry_points.txt"))
    assert entry_points


SHARED_REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.mark.skipif(not SHARED_REFERENCE.is_dir(), reason="../shared/reference is not beside this checkout")
def test_packaged_v2_reference_is_an_unchanged_copy_of_the_shared_reference():
    packaged = ROOT / "migrator" / "v2" / "reference" / "v2-entities.json"
    assert packaged.read_bytes() == (SHARED_REFERENCE / "v2" / "v2-entities.json").read_bytes()
