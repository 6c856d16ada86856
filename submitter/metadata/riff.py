"""RIFF INFO lists: the tagged text that both WAV and AVI files carry.

A LIST of type INFO holds sub-chunks (four-letter id, little-endian length,
zero-padded text): artist, copyright, dates, software. The WAV and AVI
cleaners drop the whole list; this turns it into findings first.
"""

from __future__ import annotations

import struct

from submitter.metadata.model import Category, Finding, printable

# Ids not listed (title, product, subject...) are Category.OTHER.
_INFO_CATEGORY = {
    b"IART": Category.PERSON, b"ICOP": Category.PERSON, b"IENG": Category.PERSON,
    b"ITCH": Category.PERSON, b"ICMS": Category.PERSON, b"ICRD": Category.TIME,
    b"IDIT": Category.TIME, b"ISFT": Category.SOFTWARE, b"ICMT": Category.HIDDEN_CONTENT,
    b"ISRC": Category.PERSON, b"ISRF": Category.DEVICE, b"IMED": Category.DEVICE,
}


def info_findings(data: bytes, where: str) -> list[Finding]:
    """One finding per sub-chunk of an INFO list's body (after the "INFO" type)."""
    out: list[Finding] = []
    pos = 0
    while pos + 8 <= len(data):
        sub, n = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        value = printable(data[pos + 8 : pos + 8 + n].rstrip(b"\x00"))
        out.append(Finding(f"{where} {printable(sub)}", value or "(empty)",
                           _INFO_CATEGORY.get(sub, Category.OTHER)))
        pos += 8 + n + (n & 1)
    return out
