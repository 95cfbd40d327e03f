"""Canonical JSON: sorted keys, compact separators, UTF-8 text (not ASCII escapes).

The one encoding behind every digest the tool writes (the inventory fingerprint, the plan
checksum) and the plan's action lines, so it is built for speed: millions of small values.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Sequence

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
quote = json.encoder.encode_basestring  # a string as canonical JSON writes it: only quotes, backslashes and controls escaped


def _c_encoder() -> Callable[[Any, int], Sequence[str]] | None:
    """The C encoder ``_ENCODER.encode`` builds on every call, built once.

    A record is small, so rebuilding the encoder costs about a third of encoding it; the
    arguments are those ``JSONEncoder.iterencode`` passes for this configuration, except the
    circular-reference markers: values are trees (decoded from JSON or built as bodies), and a
    markers dict shared by every call would keep a stale entry after a failed encode.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    enc = _ENCODER
    return make(
        None, enc.default, quote, enc.indent, enc.key_separator,
        enc.item_separator, enc.sort_keys, enc.skipkeys, enc.allow_nan,
    )


_C_ENCODE = _c_encoder()


def canonical_json(value: Any) -> str:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, faster."""
    kind = type(value)
    if kind is str:
        return quote(value)  # what the encoder writes for a string, without its dispatch
    if _C_ENCODE is None or (kind is not dict and kind is not list):
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))
