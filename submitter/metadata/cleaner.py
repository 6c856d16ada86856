"""What every cleaner provides, and the decorator that registers it."""

from __future__ import annotations

from typing import Protocol

from submitter.metadata.kinds import FileKind
from submitter.metadata.model import CleanPlan, Inspection, Limits
from submitter.metadata.source import Source


class Cleaner(Protocol):
    """One cleaner per format family (one module each).

    ``inspect`` reports everything identifying it finds; a cleaned output must
    inspect to zero findings. ``prepare`` cleans and returns a plan whose size
    is exact. A plan that streams from the source (large video) must have
    verified the rebuilt metadata itself and set ``self_verified = True``;
    for a ``BytesPlan`` the engine verifies by inspecting the cleaned bytes.
    Both raise only ``CleanRefused`` subclasses for bad input.
    """

    # Read-only members: a class attribute (ClassVar or not) satisfies them.
    @property
    def name(self) -> str: ...

    @property
    def kinds(self) -> frozenset[FileKind]: ...

    def inspect(self, src: Source, kind: FileKind, limits: Limits) -> Inspection: ...

    def prepare(self, src: Source, kind: FileKind, limits: Limits) -> CleanPlan: ...


_REGISTRY: dict[FileKind, Cleaner] = {}


def register(cls: type[Cleaner]) -> type[Cleaner]:
    """Class decorator: register one instance for each kind it claims."""
    instance = cls()
    for kind in instance.kinds:
        if kind in _REGISTRY:
            raise RuntimeError(f"two cleaners claim {kind}")
        _REGISTRY[kind] = instance
    return cls


def registered() -> dict[FileKind, Cleaner]:
    """Every cleaner (imports every cleaner module)."""
    from submitter.metadata import registry

    registry.load_all()
    return dict(_REGISTRY)


def registered_for(kind: FileKind) -> Cleaner | None:
    """The cleaner for one kind, importing only its module."""
    from submitter.metadata import registry

    if kind not in _REGISTRY:
        registry.load(kind)
    return _REGISTRY.get(kind)
