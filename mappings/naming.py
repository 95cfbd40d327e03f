"""v3 names for v2 things: keep the name when v3 accepts it, otherwise a deterministic rename.

A rename keeps what it can of the original (allowed characters, inner hyphens), adds a short
hash of the original so two different names never collide, and reports ``NAME_RENAMED``; the
caller keeps the original in the resource's description.
"""

from __future__ import annotations

import hashlib
import re

from migrator.exceptions import InvalidNameError
from migrator.plan import Finding
from migrator.v3.ids import ResourceType, name_rule, validate_name

from migrator.mappings.catalog import finding

_FORBIDDEN = re.compile(r"[<>%&:\\?/*+.'\x00-\x1f\x7f]+")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_SUFFIX_LENGTH = 8


def v3_name(resource_type: ResourceType, wanted: str | None, *, fallback: str) -> tuple[str, Finding | None]:
    """The name to create ``resource_type`` with, and NAME_RENAMED when it differs from ``wanted``.

    ``fallback`` (e.g. the GUID of the v2 id) is used when ``wanted`` is empty.
    """
    original = wanted if wanted else fallback
    try:
        return validate_name(resource_type, original), None
    except InvalidNameError:
        pass
    renamed = _renamed(resource_type, original)
    kind = resource_type.value.rsplit("/", 1)[-1]
    return renamed, finding("NAME_RENAMED", f"{kind} name {original!r} breaks the v3 rules; planned as {renamed!r}")


def _renamed(resource_type: ResourceType, original: str) -> str:
    rule = name_rule(resource_type)
    suffix = hashlib.sha256(original.encode("utf-8")).hexdigest()[:_SUFFIX_LENGTH]
    if rule.pattern is None:
        stem = _FORBIDDEN.sub("-", original).strip("- ")
    else:
        stem = _NOT_ALNUM.sub("-", original).strip("-")
    if resource_type is ResourceType.ACCOUNT:
        stem = stem.replace("-", "").lower()
    room = rule.max_length - _SUFFIX_LENGTH - 1
    stem = stem[:room].rstrip("- ")
    candidate = f"{stem}-{suffix}" if stem else suffix
    if resource_type is ResourceType.ACCOUNT:
        candidate = candidate.replace("-", "")
    return validate_name(resource_type, candidate)
