"""Helpers for formats that hold other files: collecting findings, recursing.

Office documents and archives hold pictures and other files; each is cleaned
through the engine from memory, one nesting level deeper, so a zip inside a
zip inside a document is bounded by ``Limits.max_nesting_depth``.
"""

from __future__ import annotations

import dataclasses
import io
import re
from dataclasses import dataclass, field
from typing import ClassVar

from submitter.metadata.guard import only_refusals
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    BytesPlan,
    Category,
    CleanReport,
    Finding,
    Inspection,
    LimitRefused,
    Limits,
)
from submitter.metadata.source import Source

_MAX_FINDINGS = 2000  # a hostile file cannot flood the screen
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # two letters or more: "C:" is a drive
_SEPARATORS = re.compile(r"[\\/]")


def neutral_link(untrusted_target: str) -> str | None:
    """The file name alone, for a link into the local disk or a share.

    Documents keep links to other files as full paths ("C:\\Users\\jdoe\\...",
    "file:///home/jdoe/...", "\\\\server\\share\\..."), which name the
    user and the machine. The folders go, the file name stays (the link still
    says what it pointed to). None when the target is a web address or
    already a bare name.
    """
    target = untrusted_target.strip()
    if _SCHEME.match(target) and not target.lower().startswith("file:"):
        return None
    if not _SEPARATORS.search(target):
        return None
    parts = [p for p in _SEPARATORS.split(target) if p]
    return parts[-1] if parts else "link"


@dataclass(slots=True)
class Survey:
    """Findings, notes and warnings gathered while walking a container."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lossless: bool = True
    _seen: set[Finding] = field(default_factory=set)
    _overflow: int = 0

    def add(self, where: str, value: object, category: Category) -> None:
        text = str(value).strip() or "(empty)"
        if len(text) > 200:
            text = text[:199] + "\u2026"
        finding = Finding(where, text, category)
        if finding in self._seen:
            return
        self._seen.add(finding)
        if len(self.findings) >= _MAX_FINDINGS:
            self._overflow += 1
            return
        self.findings.append(finding)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def merge(self, prefix: str, findings: tuple[Finding, ...] | list[Finding],
              notes: list[str] | tuple[str, ...] = (),
              warnings: list[str] | tuple[str, ...] = ()) -> None:
        for f in findings:
            self.add(f"{prefix}: {f.field}", f.untrusted_value, f.category)
        for n in notes:
            self.note(n)
        for w in warnings:
            self.warn(w)

    def inspection(self, kind: str) -> Inspection:
        return Inspection(kind, tuple(self.findings), tuple(self.warnings))

    def report(self, kind: str) -> CleanReport:
        return CleanReport(
            kind=kind,
            removed=list(self.findings),
            notes=list(self.notes),
            warnings=list(self.warnings),
            lossless=self.lossless,
        )


class SurveyCleaner:
    """A container cleaner: one walk serves both inspecting (``clean=False``)
    and cleaning (``clean=True``), so what is listed is what cleaning removes.

    The walk calls third-party parsers on hostile input, so both run inside
    ``only_refusals``.
    """

    name: ClassVar[str]
    kinds: ClassVar[frozenset[FileKind]]

    def survey(self, src: Source, kind: FileKind, limits: Limits, *, clean: bool
               ) -> tuple[Survey, bytes]:
        """What was found, and the cleaned file when ``clean`` (else empty)."""
        raise NotImplementedError

    def inspect(self, src: Source, kind: FileKind, limits: Limits) -> Inspection:
        with only_refusals():
            survey, _ = self.survey(src, kind, limits, clean=False)
            return survey.inspection(kind.value)

    def prepare(self, src: Source, kind: FileKind, limits: Limits) -> BytesPlan:
        with only_refusals():
            survey, data = self.survey(src, kind, limits, clean=True)
            return BytesPlan(data, survey.report(kind.value))


def deeper(limits: Limits) -> Limits:
    """Limits for a file found inside another; refused past the nesting bound."""
    if limits.max_nesting_depth <= 0:
        raise LimitRefused("files nested too deep")
    return dataclasses.replace(limits, max_nesting_depth=limits.max_nesting_depth - 1)


def inspect_inner(survey: Survey, prefix: str, data: bytes, name: str | None,
                  limits: Limits) -> None:
    """Inspect a contained file through the engine and fold in its findings."""
    from submitter.metadata import engine  # late: the engine imports the registry

    found = engine.inspect(Source.from_bytes(data), name, deeper(limits))
    survey.merge(prefix, found.findings, warnings=found.warnings)


def clean_inner(survey: Survey, prefix: str, data: bytes, name: str | None,
                limits: Limits) -> bytes:
    """Clean a contained file through the engine (verified there); its bytes."""
    from submitter.metadata import engine

    plan = engine.prepare(Source.from_bytes(data), name, deeper(limits))
    buf = io.BytesIO()
    plan.write_to(buf)
    out = buf.getvalue()
    if len(out) != plan.size:
        raise LimitRefused("inner file size changed while writing")
    report = plan.report
    survey.merge(prefix, report.removed, report.notes, report.warnings)
    if not report.lossless:
        survey.lossless = False
    return out
