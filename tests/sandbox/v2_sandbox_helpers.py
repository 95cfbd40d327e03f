"""Helpers shared by the v2 face and seed tests: requests, and a wire-type checker built from
the reference (``../shared/reference/v2/v2-entities.json`` beside the repository), not from the sandbox's renderer."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from migrator.sandbox.v2face import V2Face
from migrator.sandbox.web import Request, Response

# shared/ lies beside the repository, on developer machines and in CI alike.
REFERENCE_PATH = Path(__file__).resolve().parents[3] / "shared" / "reference" / "v2" / "v2-entities.json"
if not REFERENCE_PATH.exists():  # fall back to the copy the package ships
    REFERENCE_PATH = Path(__file__).resolve().parents[2] / "migrator" / "v2" / "reference" / "v2-entities.json"
REFERENCE = json.loads(REFERENCE_PATH.read_text(encoding="utf-8"))
NAMESPACE = REFERENCE["namespace"]
ENTITY_SETS = tuple(REFERENCE["entity_sets"])
TOKEN = "test-token"
BASE_URL = "http://127.0.0.1:9"
VERBOSE = "application/json;odata=verbose"
MINIMAL = "application/json"

_ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?(Z|[+-]\d\d:\d\d)?$")
_VERBOSE_DATE = re.compile(r"^/Date\(-?\d+\)/$")
_DURATION = re.compile(r"^-?P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def headers(accept: str = VERBOSE, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}", "x-ms-version": "2.19", "Accept": accept, **extra}


def get(face: V2Face, target: str, accept: str = VERBOSE, **extra: str) -> Response:
    return face.handle(Request.build("GET", target, headers(accept, **extra), b"", BASE_URL))


def body(response: Response) -> Any:
    return json.loads(response.body.decode("utf-8"))


def results(response: Response) -> list[dict]:
    payload = body(response)
    return payload["d"]["results"] if "d" in payload else payload["value"]


def key_segment(entity_set: str, key: str) -> str:
    if entity_set == "EncodingReservedUnitTypes":
        return f"{entity_set}(guid'{key}')"
    return f"{entity_set}('{quote(key.replace(chr(39), chr(39) * 2), safe='')}')"


def _short(type_name: str) -> str:
    return type_name[len(NAMESPACE) + 1 :] if type_name.startswith(NAMESPACE + ".") else type_name


def _qualified(type_name: str) -> str:
    return type_name if type_name.startswith("Edm.") else f"{NAMESPACE}.{_short(type_name)}"


def wire_type_errors(value: Any, prop: dict, verbose: bool, path: str) -> list[str]:
    """Why ``value`` is not what the reference says property ``prop`` carries on the wire."""
    edm, nullable, enum = prop["type"], prop.get("nullable", False), prop.get("enum")
    if value is None:
        if edm == "Edm.DateTime":
            return [f"{path}: DateTime sent as null (unset dates are 0001-01-01)"] if not nullable else []
        return [] if nullable else [f"{path}: null for a non-nullable property"]
    if edm.startswith("Collection("):
        item_type = edm[len("Collection(") : -1]
        items = value
        if verbose:
            if not isinstance(value, dict) or value.get("__metadata", {}).get("type") != f"Collection({_qualified(item_type)})":
                return [f"{path}: verbose collection without its Collection(...) wrapper"]
            items = value.get("results")
        if not isinstance(items, list):
            return [f"{path}: collection is not a list"]
        item_prop = {"name": prop["name"], "type": item_type, "enum": enum}
        return [e for i, item in enumerate(items) for e in wire_type_errors(item, item_prop, verbose, f"{path}[{i}]")]
    complex_fields = REFERENCE["complex_types"].get(_short(edm))
    if complex_fields is not None:
        if not isinstance(value, dict):
            return [f"{path}: complex value is not an object"]
        errors = []
        for field in complex_fields:
            if field["name"] not in value:
                errors.append(f"{path}.{field['name']}: missing")
            else:
                errors.extend(wire_type_errors(value[field["name"]], field, verbose, f"{path}.{field['name']}"))
        return errors
    if enum and str(REFERENCE["enums"][enum]["wire"]).startswith("string"):
        return [] if value in REFERENCE["enums"][enum]["values"] else [f"{path}: {value!r} is not a name of {enum}"]
    checks = {
        "Edm.String": lambda v: isinstance(v, str),
        "Edm.Boolean": lambda v: isinstance(v, bool),
        "Edm.Int32": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "Edm.Int16": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "Edm.Int64": lambda v: isinstance(v, str) and re.fullmatch(r"-?\d+", v) is not None,
        "Edm.Double": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "Edm.Guid": lambda v: isinstance(v, str) and _GUID.match(v) is not None,
        "Edm.Time": lambda v: isinstance(v, str) and _DURATION.match(v) is not None,
        "Edm.DateTime": lambda v: isinstance(v, str) and (_VERBOSE_DATE if verbose else _ISO_DATE).match(v) is not None,
    }
    check = checks.get(edm)
    if check is None:
        return [f"{path}: the test does not know type {edm}"]
    if enum and edm == "Edm.Int32" and check(value) and value not in REFERENCE["enums"][enum]["values"].values():
        if not REFERENCE["enums"][enum].get("flags"):
            return [f"{path}: {value} is not a value of {enum}"]
    return [] if check(value) else [f"{path}: {value!r} is not {edm}"]
