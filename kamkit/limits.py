"""What a record may hold: the limits every service downstream of intake can store and compute
with (docs/facts-format.md, "Limits"). intake refuses a record outside them, naming the field, and
every consumer re-checks the records it receives (wire.events), so nothing accepted can later
block a period from closing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# Identifiers: ids and references to ids (people, branches, opportunities, contracts ...).
ID_MAX = 64
ID_FIELDS = frozenset(
    {
        "id",
        "key",
        "plugin",
        "branch",
        "account_manager",
        "opportunity",
        "author",
        "person",
        "rep",
        "joint_with",
        "contract",
        "manager",
        "referrer",
        "delivered_by",
    }
)
# Role and grade names (stored in 32/64-character columns downstream).
NAME_MAX = 32
NAME_FIELDS = frozenset(
    {"role", "grade", "previous_grade", "rater_role", "verdict", "kind", "status", "scope", "origin"}
)
TEXT_MAX = 2000  # names, customers, notes
LIST_MAX = 200  # items in a list (contributions, lines of a scorecard)
DEPTH_MAX = 6
PAGE_MAX = 1_000_000  # a page number: its offset stays far inside a 64-bit integer
# Amounts, rates and counts: finite, |x| <= NUMBER_MAX, at most DECIMALS_MAX decimal places.
NUMBER_MAX = Decimal(10) ** 12
DECIMALS_MAX = 6
INTEGER_MAX = 10**9
# Dates: anything a career or a contract can span; year 0 or 9999 is a typo.
DATE_MIN, DATE_MAX = date(1950, 1, 1), date(2100, 12, 31)


# Every character _bad_character could object to (category Cc is exactly these two ranges, Cs the
# surrogates): one regex search clears an ordinary string without a loop in Python.
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _bad_character(text: str, free_text: bool) -> str | None:
    if _SUSPECT.search(text) is None:
        return None
    for ch in text:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            return f"contains a lone surrogate (U+{code:04X})"
        if free_text and ch in "\t\n\r":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in "\u2028\u2029":
            return f"contains a control character (U+{code:04X})"
    return None


def problems(document: Any) -> Iterator[tuple[str, str]]:
    """(field, message) for everything in a raw record outside the limits."""
    yield from _walk(document, "", 0)


def _walk(value: Any, path: str, depth: int) -> Iterator[tuple[str, str]]:
    name = path.rsplit(".", 1)[-1]
    if depth > DEPTH_MAX:
        yield path, f"nested deeper than {DEPTH_MAX} levels"
        return
    if isinstance(value, str):
        limit = ID_MAX if name in ID_FIELDS else NAME_MAX if name in NAME_FIELDS else TEXT_MAX
        if len(value) > limit:
            yield path, f"at most {limit} characters, got {len(value)}"
            return
        bad = _bad_character(value, free_text=limit == TEXT_MAX)
        if bad:
            yield path, bad
        elif name in ID_FIELDS and not value.strip():
            yield path, "must not be blank (leave it out or give an id)"
        elif name in ID_FIELDS and value != value.strip():
            yield path, "must not start or end with spaces"
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > NUMBER_MAX:
            yield path, f"must be at most {NUMBER_MAX:,} in size"
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield path, "must be a finite number"
        elif abs(value) > NUMBER_MAX:
            yield path, f"must be at most {NUMBER_MAX:,} in size"
    elif isinstance(value, Decimal):
        if not value.is_finite() or abs(value) > NUMBER_MAX:
            yield path, f"must be a finite number at most {NUMBER_MAX:,} in size"
    elif isinstance(value, dict):
        if len(value) > LIST_MAX:
            yield path or "record", f"at most {LIST_MAX} fields"
            return
        for key, item in value.items():
            if not isinstance(key, str) or len(key) > NAME_MAX * 2 or _bad_character(key, False):
                yield path or "record", f"has a field name that is not a plain short text: {str(key)[:40]!r}"
                continue
            yield from _walk(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, (list, tuple)):
        if len(value) > LIST_MAX:
            yield path, f"at most {LIST_MAX} items, got {len(value)}"
            return
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}.{i}", depth + 1)


def number_problem(number: Decimal) -> str | None:
    """Why a parsed amount is outside the limits (numeric strings like "1e999999" included)."""
    if not number.is_finite():
        return "must be a finite number"
    if abs(number) > NUMBER_MAX:
        return f"must be at most {NUMBER_MAX:,} in size"
    exponent = number.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and exponent < -DECIMALS_MAX
        and number != number.quantize(Decimal(1).scaleb(-DECIMALS_MAX))
    ):
        return f"at most {DECIMALS_MAX} decimal places"
    return None


_SCALARS = frozenset({str, int, bool, float, Decimal, type(None)})


def date_problems(loaded: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field, message) for every date of a loaded record outside DATE_MIN..DATE_MAX."""
    if type(loaded) in _SCALARS:  # most fields: nothing to look into
        return
    if isinstance(loaded, date):
        day = loaded.date() if isinstance(loaded, datetime) else loaded  # a time's day
        if not DATE_MIN <= day <= DATE_MAX:
            yield path, f"must be between {DATE_MIN} and {DATE_MAX}, got {loaded}"
    elif isinstance(loaded, dict):
        for key, item in loaded.items():
            yield from date_problems(item, f"{path}.{key}" if path else str(key))
    elif isinstance(loaded, (list, tuple)):
        for i, item in enumerate(loaded):
            yield from date_problems(item, f"{path}.{i}")
    elif hasattr(loaded, "__dataclass_fields__"):
        for key in loaded.__dataclass_fields__:
            yield from date_problems(getattr(loaded, key), f"{path}.{key}" if path else key)


# Text that holds something other than blanks (a reason, a note saying why). The blanks are spelled
# out because Python's \s and JSON Schema's (ECMA-262) \s differ (\x1c-\x1f): the API document
# states this same pattern, and both engines read it alike (a match from the start).
_BLANKS = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
NOT_BLANK = rf"^[\s\S]*?[^{_BLANKS}]"
