"""The one sanitiser for every string shown to a person.

Untrusted text (file names, metadata values, card fields, manifest entries)
may carry control characters or bidirectional overrides that make a name look
like something else ("evil\u202egpj.exe"). Everything displayed passes here.
"""

from __future__ import annotations

import unicodedata

# Bidi controls and other invisible format characters that can reorder or
# hide text. Category "Cf" covers most; the explicit set documents intent.
_BIDI = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def sanitize(untrusted: str, *, max_len: int = 500) -> str:
    """Printable text safe to show: no control, bidi or format characters.

    Tabs and newlines become spaces; the result is cut to ``max_len``
    characters with an ellipsis.
    """
    out: list[str] = []
    for ch in untrusted:
        if ch in "\t\n\r":
            out.append(" ")
            continue
        if ch in _BIDI:
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        out.append(ch)
    text = "".join(out)
    if len(text) > max_len:
        text = text[: max_len - 1] + "\u2026"
    return text
