"""Plain text and CSV: no metadata container, so the bytes pass unchanged.

A text file carries nothing hidden besides its words, which no cleaner can
judge; the report says so. The whole file must be UTF-8 without NUL bytes
(detection only looked at its start): anything else may be a binary file
in disguise and is refused. A byte-order mark is kept (bytes are never
changed). Invisible characters (zero-width, tags) are counted and warned
about: they can mark one copy of a leaked text, but they are also part of
some scripts (Persian uses the zero-width non-joiner), so they stay.
"""

from __future__ import annotations

import unicodedata

from submitter.metadata.cleaner import register
from submitter.metadata.guard import only_refusals
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    BytesPlan,
    CleanReport,
    Inspection,
    Limits,
    UnsupportedContentRefused,
)
from submitter.metadata.source import Source

NOTE = "The content of text files is not checked: names, dates and details written in them stay."
_INVISIBLE_WARNING = (
    "This text contains {n} invisible characters (zero-width or formatting marks). "
    "Such characters can be used to mark one copy of a document to find who leaked it."
)


# Formats that are valid text but carry their own metadata (RTF's \\info
# group, SVG/XML/HTML metadata elements): passing them unchanged as "text"
# would pass that metadata through, so they are refused.
_STRUCTURED = (b"{\\rtf", b"<?xml", b"<svg", b"<!doctype", b"<html", b"<rdf:", b"<x:xmpmeta")


def _check(untrusted_data: bytes) -> list[str]:
    """Warnings for valid UTF-8 text; a refusal for anything else."""
    start = untrusted_data[:256].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(_STRUCTURED):
        raise UnsupportedContentRefused("a structured document presented as text")
    if b"\x00" in untrusted_data:
        raise UnsupportedContentRefused("NUL bytes in a text file")
    try:
        text = untrusted_data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsupportedContentRefused("text file is not UTF-8") from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    hidden = sum(1 for ch in text if unicodedata.category(ch) == "Cf")
    warnings = [NOTE]
    if hidden:
        warnings.append(_INVISIBLE_WARNING.format(n=hidden))
    return warnings


@register
class TextCleaner:
    name = "text"
    kinds = frozenset({FileKind.TEXT, FileKind.CSV})

    def inspect(self, src: Source, kind: FileKind, limits: Limits) -> Inspection:
        with only_refusals():
            data = src.read_all(limits.max_in_memory_bytes)
            return Inspection(kind.value, (), tuple(_check(data)))

    def prepare(self, src: Source, kind: FileKind, limits: Limits) -> BytesPlan:
        with only_refusals():
            data = src.read_all(limits.max_in_memory_bytes)
            warnings = _check(data)
            report = CleanReport(kind=kind.value, notes=[NOTE], warnings=warnings[1:])
            return BytesPlan(data, report)
