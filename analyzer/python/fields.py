"""The fields of Python's string formatting (`%`, `str.format`, f-strings) as tabletrace reads
them: one grammar and one rule for every reader of templates.

Why one module: the string templates the readers build (`python.templates`, on LibCST) and the
scan's first look (`relevance`, on `ast`, without LibCST) must agree on which fields write a
value's `repr()`: the first look lets a file go unread when such a field starts its only SQL-like
text, which is exact only because the resolver writes that field quoted (`Hole.conversion`).
"""

from __future__ import annotations

import re

#: One `%` field: `%(key)-10.3r`. `conv` `%` is an escaped percent sign.
PERCENT_FIELD = re.compile(
    r"%(?:\((?P<key>[^()]*)\))?(?P<flags>[#0 +\-]*)(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d*))?"
    r"[hlL]?(?P<conv>[diouxXeEfFgGcrsab%])"
)

#: The conversions that write a value's `repr()` (`r`) or `ascii()` (`a`).
REPR_CONVERSIONS = frozenset({"r", "a"})


def percent_repr(field: re.Match[str]) -> str | None:
    """The conversion of a `PERCENT_FIELD` match when it writes `repr()`/`ascii()` as it is:
    `%r`, `%(key)a`; None for any other, and for one with a flag, width or precision (they pad
    or cut the quoted text: `%.3r`)."""
    if field.group("flags") or field.group("width") or field.group("prec") is not None:
        return None
    conversion = field.group("conv")
    return conversion if conversion in REPR_CONVERSIONS else None


def format_repr(conversion: str | None, spec: object) -> str | None:
    """The conversion of a `str.format` or f-string field (`{x!r}`) when it writes `repr()`/
    `ascii()` as it is; None for any other, and for one with a format spec (`{x!r:>10}` pads
    the quoted text with any fill character)."""
    if spec or conversion not in REPR_CONVERSIONS:
        return None
    return conversion
