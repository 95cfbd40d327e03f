"""Validate a planned body the way apply will send it: secrets substituted, then OpenAPI."""

from __future__ import annotations

import copy
import re

from migrator.openapi.validator import validate_resource_body

# A base64 value of the right shape stands in for each secret apply fetches at run time.
STAND_IN = "AAAAAAAAAAAAAAAAAAAAAA=="


def resolved(body, secret_refs):
    body = copy.deepcopy(body)
    for ref in secret_refs:
        parts = [p for p in re.split(r"\.|\[(\d+)\]", ref.path) if p]
        target = body
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        target[int(last) if last.isdigit() else last] = STAND_IN
    return body


def body_errors(action) -> list[str]:
    return validate_resource_body(action.resource_type, resolved(action.body, action.secret_refs))
