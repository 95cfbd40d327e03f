"""Helpers shared by the OpenAPI tests: ARM paths of one account, the reference's official examples."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The package ships an unchanged copy of the reference's swagger files (a test proves it where
# the reference is mounted), so examples are read from the copy and run wherever the tree runs.
# shared/ lies beside the repository, on developer machines and in CI alike.
REFERENCE_SPEC = Path(__file__).resolve().parents[3] / "shared" / "reference" / "v3-openapi" / "specification"
PACKAGED_SPEC = Path(__file__).resolve().parents[2] / "migrator" / "openapi" / "specification"
HTTP_METHODS = ("get", "put", "patch", "post", "delete")

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
ACCOUNT_SCOPE = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/contosorg/providers/Microsoft.Media"


def account_path(suffix: str = "", spelling: str = "mediaServices") -> str:
    return f"{ACCOUNT_SCOPE}/{spelling}/contosomedia{suffix}"


@dataclass(frozen=True)
class OfficialExample:
    """One x-ms-examples file bound to the operation that cites it."""

    file: str
    method: str
    path: str
    body: Any
    responses: dict[str, Any]


def spec_documents(root: Path = PACKAGED_SPEC) -> dict[Path, dict[str, Any]]:
    return {
        path: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(root.rglob("*.json"))
        if "examples" not in path.parts
    }


def _concrete_path(template: str, parameters: dict[str, Any]) -> str:
    for name, value in parameters.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def _official_examples() -> list[OfficialExample]:
    found = []
    for spec_path, document in spec_documents().items():
        for template, item in document.get("paths", {}).items():
            for method, operation in item.items():
                if method not in HTTP_METHODS:
                    continue
                body_names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "body"]
                for ref in operation.get("x-ms-examples", {}).values():
                    example_file = (spec_path.parent / ref["$ref"]).resolve()
                    if not example_file.exists():
                        continue  # the reference copied only some examples
                    example = json.loads(example_file.read_text(encoding="utf-8"))
                    parameters = example["parameters"]
                    found.append(
                        OfficialExample(
                            file=example_file.name,
                            method=method.upper(),
                            path=_concrete_path(template, parameters),
                            body=next((parameters[name] for name in body_names if name in parameters), None),
                            responses=example.get("responses", {}),
                        )
                    )
    return found


OFFICIAL_EXAMPLES = _official_examples()


def example_id(example: OfficialExample) -> str:
    return f"{example.method}-{example.file}"
