"""Text no database of the suite can store, refused at the RPC boundary with the argument named.

A lone surrogate (U+D800-U+DFFF, which JSON can carry and UTF-8 cannot encode) and NUL (which
PostgreSQL's text cannot hold) reached the services' writes and filters as ``internal error``
(UnicodeEncodeError, "A string literal cannot contain NUL"): every argument of a call is walked
once, before any worker runs, and such text is a field error like any other bad input. The
records' own limits (kamkit.limits) say more about each field; this is the floor under every call.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Mapping
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# how either reaches the services in a JSON body: \u0000 or a surrogate's escape (a pair, as a
# character beyond the BMP is escaped, matches too and the walk then finds nothing)
_ESCAPED = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def may_hold(raw: bytes | str | None) -> bool:
    """Whether a call's raw JSON body may hold such text: a scan of the bytes, so the walk over the
    decoded arguments is made only for the rare call that may (a 5,000-record batch: 1 ms, not 26)."""
    if raw is None:
        return True
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    return b"\x00" in raw or _ESCAPED.search(raw) is not None


_DEPTH = 8  # deeper than any argument the RPCs take (kamkit.limits allows 6 in a record)


def problems(method, args: Any, kwargs: Any) -> list[dict[str, str]]:
    """{field, message} for every string of the call that cannot be stored, by argument name."""
    try:
        names = [p for p in inspect.signature(method).parameters if p != "self"]
    except (TypeError, ValueError):
        names = []
    named: dict[str, Any] = {}
    for i, value in enumerate(args if isinstance(args, (list, tuple)) else ()):
        named[names[i] if i < len(names) else f"args.{i}"] = value
    if isinstance(kwargs, Mapping):
        named.update({str(k): v for k, v in kwargs.items()})
    return [{"field": path, "message": message} for path, message in _walk(named, "", 0)]


def _walk(value: Any, path: str, depth: int) -> Iterator[tuple[str, str]]:
    if depth > _DEPTH:
        return
    if isinstance(value, str):
        found = _UNSTORABLE.search(value)
        if found:
            code = ord(found.group())
            what = "a NUL character" if code == 0 else f"a lone surrogate (U+{code:04X})"
            yield path, f"contains {what}, which cannot be stored"
    elif isinstance(value, Mapping):
        for key, item in value.items():
            key = str(key)
            if _UNSTORABLE.search(key):
                yield path or "call", "has a field name that cannot be stored"
                continue
            yield from _walk(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}.{i}" if path else str(i), depth + 1)
