"""The public face of metadata: detect, inspect, prepare (clean + verify).

Fail closed: any unexpected error inside a cleaner becomes a refusal with a
plain message; nothing is ever passed through uncleaned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from submitter.metadata.cleaner import Cleaner, registered_for
from submitter.metadata.detect import detect, sniff
from submitter.metadata.guard import only_refusals
from submitter.metadata.kinds import CANONICAL_EXTENSION, FileKind
from submitter.metadata.model import (
    BytesPlan,
    CleanPlan,
    Inspection,
    Limits,
    UnknownTypeRefused,
    VerificationRefused,
)
from submitter.metadata.source import Source

_T = TypeVar("_T")

DEFAULT_LIMITS = Limits()


def cleaner_for(kind: FileKind) -> Cleaner:
    cleaner = registered_for(kind)
    if cleaner is None:
        raise UnknownTypeRefused(f"no cleaner for {kind.value}")
    return cleaner


def _guarded(fn: Callable[[], _T]) -> _T:
    with only_refusals():
        return fn()


def inspect(src: Source, name: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Inspection:
    kind = detect(src, name)
    cleaner = cleaner_for(kind)
    return _guarded(lambda: cleaner.inspect(src, kind, limits))


def prepare(src: Source, name: str | None = None, limits: Limits = DEFAULT_LIMITS) -> CleanPlan:
    """Clean and verify; the returned plan streams the cleaned file."""
    kind = detect(src, name)
    cleaner = cleaner_for(kind)
    plan = _guarded(lambda: cleaner.prepare(src, kind, limits))
    if isinstance(plan, BytesPlan):
        cleaned = Source.from_bytes(plan.data)
        # The name goes along: plain text is only recognised by its ending.
        again_kind = sniff(cleaned, name)
        if again_kind != kind and not _same_family(again_kind, kind):
            raise VerificationRefused("cleaned output changed type")
        again = _guarded(lambda: cleaner.inspect(cleaned, kind, limits))
        if again.findings:
            raise VerificationRefused(f"{len(again.findings)} findings after cleaning")
    elif not getattr(plan, "self_verified", False):
        raise VerificationRefused("plan was not verified")
    return plan


def _same_family(a: FileKind, b: FileKind) -> bool:
    iso = {FileKind.MP4, FileKind.MOV, FileKind.M4A}
    mkv = {FileKind.MKV, FileKind.WEBM}
    return (a in iso and b in iso) or (a in mkv and b in mkv)


def neutral_name(index: int, kind: FileKind) -> str:
    """A name that says nothing about the original: file-0001.jpg."""
    return f"file-{index:04d}.{CANONICAL_EXTENSION[kind]}"
