"""Plain, translatable words for what a file reveals."""

from __future__ import annotations

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
