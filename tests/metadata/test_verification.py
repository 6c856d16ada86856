"""Verification: a cleaned output that still reveals something is refused.

``engine.prepare`` promises that all parsing, cleaning and verification is
done before it returns a plan, so a refusal can only happen before a byte is
written. These tests break cleaners on purpose (a stand-in registered for one
kind, or a real cleaner with its cleaning step patched out) and check that
the refusal is ``VerificationRefused`` with its fixed message, that no plan
is handed out, and that nothing reaches the sink or the output folder.

The registry is only ever changed through ``monkeypatch`` after the real
module was loaded, so the real cleaner is back for the next test.
"""

from __future__ import annotations

import argparse
import io
import struct
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, ClassVar

import pytest

from submitter.cli import clean_cmd
from submitter.metadata import audio, cleaner, engine, pdf, splice
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    BytesPlan,
    Category,
    CleanPlan,
    CleanReport,
    CorruptRefused,
    Finding,
    Inspection,
    Limits,
    ProgressFn,
    VerificationRefused,
)
from submitter.metadata.source import Source
from submitter.metadata.splice import Span, SplicePlan, Zeros, patch_in_place, pieces_from_patches
from tests.metadata import docgen
from tests.metadata import image_fixtures as fx
from tests.metadata.contract import listing


def _refused_for_verification(exc: pytest.ExceptionInfo[VerificationRefused]) -> None:
    assert type(exc.value) is VerificationRefused
    assert exc.value.message == VerificationRefused.message
    assert str(exc.value).startswith(VerificationRefused.message)


class _StandIn:
    """Delegates inspection to the real cleaner; ``prepare`` is what a test sets."""

    name: ClassVar[str] = "broken"

    def __init__(self, real: cleaner.Cleaner, kind: FileKind) -> None:
        self.real = real
        self.kinds = frozenset({kind})
        self.prepared = 0

    def inspect(self, src: Source, kind: FileKind, limits: Limits) -> Inspection:
        return self.real.inspect(src, kind, limits)

    def prepare(self, src: Source, kind: FileKind, limits: Limits) -> CleanPlan:
        self.prepared += 1
        return self.make_plan(src, kind, limits)

    def make_plan(self, src: Source, kind: FileKind, limits: Limits) -> CleanPlan:
        raise NotImplementedError


def _stand_in(monkeypatch: pytest.MonkeyPatch, kind: FileKind, cls: type[_StandIn]) -> _StandIn:
    real = cleaner.registered_for(kind)  # loads the real module first: restoring keeps it
    assert real is not None
    broken = cls(real, kind)
    monkeypatch.setitem(cleaner._REGISTRY, kind, broken)
    assert cleaner.registered_for(kind) is broken
    return broken


class _PassesThrough(_StandIn):
    """'Cleans' by handing back the file unchanged, every tag still in it."""

    def make_plan(self, src: Source, kind: FileKind, limits: Limits) -> CleanPlan:
        report = CleanReport(kind=kind.value)
        return BytesPlan(src.read_all(limits.max_in_memory_bytes), report)


class _ChangesType(_StandIn):
    """Hands back a clean file of another kind (a JPEG for a PNG)."""

    def make_plan(self, src: Source, kind: FileKind, limits: Limits) -> CleanPlan:
        buf = io.BytesIO()
        fx.pattern(size=(8, 8)).save(buf, "JPEG")
        return BytesPlan(buf.getvalue(), CleanReport(kind=kind.value))


class _RecordingPlan:
    """A streamed plan that never checked itself; it records any write."""

    def __init__(self) -> None:
        self.writes = 0
        self._report = CleanReport(kind="png")

    @property
    def size(self) -> int:
        return 10

    @property
    def report(self) -> CleanReport:
        return self._report

    def write_to(self, sink: BinaryIO, progress: ProgressFn | None = None,
                 cancel: threading.Event | None = None) -> None:
        self.writes += 1
        sink.write(b"0123456789")


class _Unverified(_StandIn):
    plan: _RecordingPlan

    def make_plan(self, src: Source, kind: FileKind, limits: Limits) -> CleanPlan:
        self.plan = _RecordingPlan()
        return self.plan


# --- the engine's own check of in-memory plans ---


def test_output_still_showing_findings_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = fx.dirty_png(tmp_path)
    assert engine.inspect(Source.from_path(path), path.name).findings
    broken = _stand_in(monkeypatch, FileKind.PNG, _PassesThrough)
    with pytest.raises(VerificationRefused) as exc:
        engine.prepare(Source.from_path(path), path.name)
    _refused_for_verification(exc)
    assert "findings after cleaning" in exc.value.detail
    assert broken.prepared == 1


def test_output_of_another_type_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = fx.dirty_png(tmp_path)
    _stand_in(monkeypatch, FileKind.PNG, _ChangesType)
    with pytest.raises(VerificationRefused) as exc:
        engine.prepare(Source.from_path(path), path.name)
    _refused_for_verification(exc)
    assert exc.value.detail == "cleaned output changed type"


def test_streamed_plan_that_did_not_verify_itself_is_refused_unwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = fx.dirty_png(tmp_path)
    broken = _stand_in(monkeypatch, FileKind.PNG, _Unverified)
    assert not hasattr(_RecordingPlan, "self_verified")
    with pytest.raises(VerificationRefused) as exc:
        engine.prepare(Source.from_path(path), path.name)
    _refused_for_verification(exc)
    assert broken.plan.writes == 0  # refused before a byte was streamed


def test_registry_is_restored_after_a_stand_in(tmp_path: Path) -> None:
    # Runs in any order: a stand-in left behind would refuse this clean file.
    real = cleaner.registered_for(FileKind.PNG)
    assert not isinstance(real, _StandIn)
    path = fx.dirty_png(tmp_path)
    assert engine.prepare(Source.from_path(path), path.name).size > 0


def test_real_pdf_cleaner_that_skips_its_scrub_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = docgen.make_pdf(tmp_path / "report.pdf", xmp=False)
    assert engine.prepare(Source.from_path(path), path.name).size > 0  # really cleanable
    monkeypatch.setattr(pdf, "_scrub", lambda document, limits: [])
    with pytest.raises(VerificationRefused) as exc:
        engine.prepare(Source.from_path(path), path.name)
    _refused_for_verification(exc)


def test_cli_writes_nothing_when_verification_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = fx.dirty_png(folder)
    out = tmp_path / "out"
    out.mkdir()
    before = listing(tmp_path)
    _stand_in(monkeypatch, FileKind.PNG, _PassesThrough)
    code = clean_cmd.run(argparse.Namespace(show=False, out=out, files=[str(path)]))
    assert code == clean_cmd.EXIT_REFUSED
    assert listing(tmp_path) == before  # no output, no temporary file left behind
    captured = capsys.readouterr()
    assert VerificationRefused.message in captured.err
    assert "cleaned ->" not in captured.out


# --- streamed plans: verified over exactly the bytes they will write ---


def _wav_with_info(artist: bytes = b"Jane Doe\x00\x00") -> bytes:  # even: no pad byte
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    samples = bytes(range(64)) * 4
    info = b"INFO" + b"IART" + struct.pack("<I", len(artist)) + artist
    chunks = (b"fmt " + struct.pack("<I", len(fmt)) + fmt
              + b"LIST" + struct.pack("<I", len(info)) + info
              + b"data" + struct.pack("<I", len(samples)) + samples)
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def test_real_streamed_cleaner_that_keeps_a_tag_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(_wav_with_info())
    found = engine.inspect(Source.from_path(path), path.name).findings
    assert any(f.untrusted_value == "Jane Doe" for f in found)
    assert engine.prepare(Source.from_path(path), path.name).size > 0  # really cleanable
    real = audio._analyse_wav

    def keeps_everything(fh: BinaryIO, size: int) -> tuple[list[Finding], list[splice.Piece]]:
        findings, _ = real(fh, size)
        return findings, [Span(0, size)]

    monkeypatch.setattr(audio, "_analyse_wav", keeps_everything)
    with pytest.raises(VerificationRefused) as exc:
        engine.prepare(Source.from_path(path), path.name)
    _refused_for_verification(exc)
    assert exc.value.detail == "1 findings after cleaning"


class _Walk:
    """What an in-place walk returns: findings and same-size overwrites."""

    def __init__(self, findings: list[Finding], patches: dict[int, splice.Patch]) -> None:
        self.findings = findings
        self.patches = patches


_SECRET = b"serial=SN-4242;"


def _secret_walk(grow: int = 0, blank: bool = True) -> Callable[[BinaryIO, int], _Walk]:
    def analyse(fh: BinaryIO, size: int) -> _Walk:
        fh.seek(0)
        data = fh.read(size)
        at = data.find(_SECRET)
        if at < 0:
            return _Walk([], {})
        found = [Finding("serial", "SN-4242", Category.IDENTIFIER)]
        patch = Zeros(len(_SECRET) + grow) if blank else _SECRET
        return _Walk(found, {at: patch})

    return analyse


def test_patch_in_place_blanks_and_verifies(tmp_path: Path) -> None:
    path = tmp_path / "v.bin"
    path.write_bytes(b"head " + _SECRET + b" tail")
    first, pieces = patch_in_place(Source.from_path(path), _secret_walk())
    assert first.findings
    assert splice.pieces_size(pieces) == path.stat().st_size
    plan = SplicePlan(Source.from_path(path), pieces, CleanReport(kind="test"))
    sink = io.BytesIO()
    plan.write_to(sink)
    assert sink.getvalue() == b"head " + bytes(len(_SECRET)) + b" tail"


def test_patch_that_leaves_the_finding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v.bin"
    path.write_bytes(b"head " + _SECRET + b" tail")
    with pytest.raises(VerificationRefused) as exc:
        patch_in_place(Source.from_path(path), _secret_walk(blank=False))
    _refused_for_verification(exc)


def test_patch_that_would_change_the_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v.bin"
    path.write_bytes(b"head " + _SECRET)  # the secret ends the file: a longer patch grows it
    with pytest.raises(CorruptRefused):
        patch_in_place(Source.from_path(path), _secret_walk(grow=1))


@pytest.mark.parametrize(
    "patches",
    [{8: b"abc"}, {9: Zeros(2)}, {2: b"xyz", 3: b"q"}, {-1: b"a"}],
    ids=["past-the-end", "zeros-past-the-end", "overlapping", "before-the-start"],
)
def test_patches_that_change_size_or_overlap_are_refused(patches: dict[int, splice.Patch]) -> None:
    with pytest.raises(CorruptRefused):
        pieces_from_patches(10, patches)


def test_same_size_patches_keep_the_size() -> None:
    pieces = pieces_from_patches(10, {0: b"ab", 4: Zeros(3), 9: b"z"})
    assert splice.pieces_size(pieces) == 10


@pytest.mark.parametrize("change", [b"more", None], ids=["grown", "shrunk"])
@pytest.mark.parametrize("to_file", [False, True], ids=["to-memory", "to-file"])
def test_source_changed_after_checking_is_refused_before_writing(
    tmp_path: Path, change: bytes | None, to_file: bool
) -> None:
    path = tmp_path / "v.bin"
    path.write_bytes(b"head " + _SECRET + b" tail")
    _, pieces = patch_in_place(Source.from_path(path), _secret_walk())
    plan = SplicePlan(Source.from_path(path), pieces, CleanReport(kind="test"))
    data = path.read_bytes()
    path.write_bytes(data + change if change is not None else data[:-2])
    out = tmp_path / "out.bin"
    with out.open("w+b") if to_file else io.BytesIO() as sink:
        with pytest.raises(VerificationRefused) as exc:
            plan.write_to(sink)
        sink.seek(0)
        assert sink.read() == b""
    _refused_for_verification(exc)
    assert exc.value.detail == "file changed after it was checked"


def test_pieces_reaching_past_the_source_are_refused_while_writing(tmp_path: Path) -> None:
    path = tmp_path / "v.bin"
    path.write_bytes(b"0123456789")
    plan = SplicePlan(Source.from_path(path), [Span(0, 10), Span(8, 4)], CleanReport(kind="t"))
    with pytest.raises(CorruptRefused):
        plan.write_to(io.BytesIO())
