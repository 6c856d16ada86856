"""Plain, translatable words for what a file reveals."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

from submitter.metadata.model import Category, Finding
from submitter.sanitize import sanitize


def _t(text: str) -> str:
    return QCoreApplication.translate("Findings", text)


def describe(finding: Finding) -> str:
    value = sanitize(finding.untrusted_value, max_len=80)
    category = finding.category
    if category is Category.LOCATION:
        return _t("reveals where it was made: %1").replace("%1", value)
    if category is Category.DEVICE:
        return _t("names the device: %1").replace("%1", value)
    if category is Category.PERSON:
        return _t("names a person: %1").replace("%1", value)
    if category is Category.TIME:
        return _t("shows when it was made or changed: %1").replace("%1", value)
    if category is Category.SOFTWARE:
        return _t("names the software used: %1").replace("%1", value)
    if category is Category.IDENTIFIER:
        return _t("carries an identifying number")
    if category is Category.HIDDEN_CONTENT:
        return _t("contains hidden content (%1)").replace("%1", sanitize(finding.field, max_len=60))
    if category is Category.EMBEDDED_FILE:
        return _t("contains an embedded file")
    where = sanitize(finding.field, max_len=60)
    return _t("carries other hidden details (%1)").replace("%1", where)


def summarise(findings: tuple[Finding, ...] | list[Finding], limit: int = 3) -> str:
    if not findings:
        return _t("no hidden details found")
    # One line per category, most telling first.
    order = list(Category)
    seen: dict[Category, Finding] = {}
    for finding in sorted(findings, key=lambda f: order.index(f.category)):
        seen.setdefault(finding.category, finding)
    lines = [describe(f) for f in list(seen.values())[:limit]]
    extra = len(findings) - len(lines)
    if extra > 0:
        lines.append(
            QCoreApplication.translate("Findings", "and %n more details", "", extra)
        )
    return "; ".join(lines)


def describe_all(findings: tuple[Finding, ...] | list[Finding], limit: int = 40) -> list[str]:
    """Every distinct thing a file reveals, one plain line each, most telling first."""
    order = list(Category)
    lines: list[str] = []
    for finding in sorted(findings, key=lambda f: order.index(f.category)):
        line = describe(finding)
        if line not in lines:
            lines.append(line)
    if len(lines) > limit:
        extra = len(lines) - limit
        lines = lines[:limit]
        lines.append(QCoreApplication.translate("Findings", "and %n more details", "", extra))
    return lines


# --- what cleaning cannot remove ---
#
# The cleaners word their warnings in English (submitter/ has no Qt); each is
# listed here with the same words as a literal, so it is translated. The
# tests check that every warning the cleaners define is listed and that the
# English here is the cleaners' own, word for word.


def _known_warnings() -> dict[str, str]:
    from submitter.metadata import archives, images_common, isobmff, odf, ooxml, pdf, text

    video_text, video_faces = isobmff.VIDEO_WARNINGS
    (audio_voices,) = isobmff.AUDIO_WARNINGS
    (pdf_pages,) = pdf._WARNINGS
    hidden = ooxml._HIDDEN_WARNINGS
    return {
        images_common.IMAGE_WARNING: _t(
            "Cleaning removes hidden details, not what the picture shows: faces, "
            "reflections, tattoos, street signs, screens and any text or date stamp "
            "visible in the picture stay. Look at it yourself before sending."
        ),
        video_text: _t(
            "Text burned into the picture (camera names, dates, timestamps, overlays) "
            "cannot be removed."
        ),
        video_faces: _t(
            "Faces, voices, places and sounds in the recording itself cannot be removed."
        ),
        audio_voices: _t(
            "Voices and sounds in the recording itself (including background noise "
            "that can reveal a place) cannot be removed."
        ),
        pdf_pages: _t(
            "Only the hidden details of this PDF were checked. Its pages can still "
            "identify you: names, dates, signatures, letterheads, writing style, and "
            "text that is hidden (white on white, under pictures, outside the page)."
        ),
        pdf._REPAIRED_WARNING: _t(
            "This PDF was slightly damaged and had to be repaired to be cleaned. "
            "Check that the cleaned copy still shows everything."
        ),
        pdf._LAYERS_WARNING: _t(
            "This PDF has layers. Some may be hidden from view; their content was not checked."
        ),
        ooxml._WARNING: _t(
            "Only the hidden details of this document were checked. Its text can still "
            "identify you: names, dates, wording, and anything typed in white or in tiny "
            "letters."
        ),
        hidden["notes"]: _t(
            "This presentation has speaker notes; they are kept and will be sent."
        ),
        hidden["hidden sheet"]: _t(
            "This workbook has hidden sheets; they are kept and will be sent."
        ),
        hidden["hidden slide"]: _t(
            "This presentation has hidden slides; they are kept and will be sent."
        ),
        hidden["hidden text"]: _t(
            "This document has text formatted as hidden; it is kept and will be sent."
        ),
        odf._WARNING: _t(
            "Only the hidden details of this document were checked. Its text can still "
            "identify you: names, dates, wording, and fields that show the author's name."
        ),
        archives._NAMES_WARNING: _t(
            "The names of the files and folders inside the archive are kept as they are; "
            "a name can identify you (your name, a place, a date)."
        ),
        text.NOTE: _t(
            "The content of text files is not checked: names, dates and details "
            "written in them stay."
        ),
    }


def _invisible_pattern() -> re.Pattern[str]:
    from submitter.metadata import text

    before, after = text._INVISIBLE_WARNING.split("{n}")
    return re.compile(re.escape(before) + r"(\d{1,9})" + re.escape(after))


def warning_text(untrusted_warning: str) -> str:
    """A cleaner's warning (what cannot be removed) in the current language.

    A warning not listed above (a new cleaner's) is shown as the cleaner
    wrote it, sanitised: better in English than not at all.
    """
    known = _known_warnings().get(untrusted_warning)
    if known is not None:
        return known
    match = _invisible_pattern().fullmatch(untrusted_warning)
    if match is not None:
        return QCoreApplication.translate(
            "Findings",
            "This text contains %n invisible characters (zero-width or formatting marks). "
            "Such characters can be used to mark one copy of a document to find who leaked it.",
            "",
            int(match.group(1)),
        )
    return sanitize(untrusted_warning, max_len=400)


def warning_texts(untrusted_warnings: tuple[str, ...] | list[str]) -> list[str]:
    """Each distinct warning once, in the current language, in the cleaners' order."""
    out: list[str] = []
    for warning in untrusted_warnings:
        line = warning_text(warning)
        if line not in out:
            out.append(line)
    return out
