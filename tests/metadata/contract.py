"""The contract every cleaner passes. Subclass it once per file kind.

How to use
----------
In a test module under ``tests/metadata/`` (its name must start ``test_``)::

    class TestJpegContract(CleanerContract):
        kinds_covered = frozenset({FileKind.JPEG})
        required_tags = ("GPSLatitude", "Make", "SerialNumber")   # optional
        expected_categories = frozenset({Category.LOCATION})       # optional
        lossless = True

        def make_dirty(self, tmp_path: Path) -> Path: ...
        def check_opens(self, path: Path) -> None: ...
        def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None: ...

The class name must start with ``Test`` so pytest collects it; the inherited
``test_*`` methods then run against your fixture.
``tests/metadata/test_registry_contract.py`` fails until every kind the engine
registers appears in some subclass's ``kinds_covered``.

Hooks
-----
``kinds_covered`` (required, ClassVar[frozenset[FileKind]])
    The kinds this subclass proves. The generated file must detect as one of them.
``make_dirty(tmp_path) -> Path`` (required)
    Generate a REAL file full of identifying metadata inside ``tmp_path``
    (Pillow/ffmpeg/other writer, then ``exiftool -Tag=value`` for GPS,
    make/model, serials, authors, dates...). Never download. Keep it small
    (kilobytes; it also seeds the fuzz test). Give it the usual ending.
``check_opens(path)`` (required)
    Open the cleaned file with the format's own reader (Pillow, ffprobe,
    pikepdf, zipfile...) and raise AssertionError if it is not a valid file.
``check_content(original, cleaned, report)`` (required)
    Assert the content survived: pixels/audio frames/text equal when the
    route is lossless; for a lossy route, same dimensions/duration and close.
``required_tags`` (optional, tuple of exiftool tag names)
    Names exiftool must classify as identifying in the DIRTY file, proving the
    fixture is meaningful.
``expected_categories`` (optional, frozenset[Category])
    Categories ``engine.inspect`` must report for the dirty file.
``lossless`` (optional, default True)
    Whether ``report.lossless`` must be True.
``corrupt_variants(data) -> list[tuple[str, bytes]]`` (optional)
    Damaged versions of the dirty file that MUST be refused (CleanRefused).
    Default: cut in half, cut to its first 64 bytes, and the first 16 bytes
    followed by garbage. Override for kinds where a cut is still valid
    (plain text).
``hostile_names(dirty) -> tuple[str, str]`` (optional)
    The option-like file names used in the CLI test; default ``-rf`` and
    ``--output`` (with the file's ending added for kinds recognised only by
    their ending, such as plain text).
``rules`` (optional, tuple[Rule, ...])
    The exiftool classification table used; default ``exiftool.RULES``.
``embedded`` (optional, default True)
    Whether the judge runs exiftool with ``-ee`` (extract embedded): timed
    metadata in tracks (GPS in GoPro/camm/mebx streams, subtitles), second
    images, embedded documents. It costs almost nothing; keep it on.

What the contract checks
------------------------
exiftool (with ``-ee``, so timed metadata in tracks counts) finds identifying
tags in the input and none in the output; the output is valid (exiftool
reads it without error, same kind detected, ``check_opens``); content kept
(``check_content``); the plan's size is exact; the engine's own inspection
of the output is empty; corrupt input is refused with CleanRefused by the
engine and the cleaner never raises anything else;
through ``submitter clean`` files named ``-rf`` and ``--output`` are handled
safely and output is written only where asked (directory listings compared
before and after, temp dir included), existing files are never overwritten.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest

from submitter.metadata import engine
from submitter.metadata.cleaner import registered
from submitter.metadata.detect import detect
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import Category, CleanRefused, CleanReport
from submitter.metadata.source import Source
from tests.metadata import exiftool
from tests.peers import REPO


def run_cli(*args: str, cwd: Path, tmpdir: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m submitter ARGS`` for real, in a child process."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return subprocess.run(
        [sys.executable, "-m", "submitter", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def listing(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``root`` with its size and mtime (nanoseconds).

    Folders are listed without times (adding a file changes a folder's time).
    """
    out: dict[str, tuple[int, int]] = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        stamp = (-1, -1) if path.is_dir() else (st.st_size, st.st_mtime_ns)
        out[str(path.relative_to(root))] = stamp
    return out


class CleanerContract:
    """Base class; see the module docstring for the hooks."""

    kinds_covered: ClassVar[frozenset[FileKind]] = frozenset()
    required_tags: ClassVar[tuple[str, ...]] = ()
    expected_categories: ClassVar[frozenset[Category]] = frozenset()
    lossless: ClassVar[bool] = True
    rules: ClassVar[tuple[exiftool.Rule, ...]] = exiftool.RULES
    embedded: ClassVar[bool] = True

    # --- hooks ---

    def make_dirty(self, tmp_path: Path) -> Path:
        raise NotImplementedError

    def check_opens(self, path: Path) -> None:
        raise NotImplementedError

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        raise NotImplementedError

    def corrupt_variants(self, data: bytes) -> list[tuple[str, bytes]]:
        garbage = bytes((i * 97 + 13) % 256 for i in range(512))
        return [
            ("cut in half", data[: len(data) // 2]),
            ("first 64 bytes", data[:64]),
            ("magic then garbage", data[:16] + garbage),
        ]

    def hostile_names(self, dirty: Path) -> tuple[str, str]:
        """Option-like names for the CLI test: exactly ``-rf`` and ``--output``,
        plus the file's ending when its kind is only recognised by its ending
        (plain text)."""
        try:
            detect(Source.from_path(dirty), None)
        except CleanRefused:
            return ("-rf" + dirty.suffix, "--output" + dirty.suffix)
        return ("-rf", "--output")

    # --- shared fixtures (class scope: the file is made and cleaned once) ---

    @pytest.fixture(scope="class")
    @classmethod
    def dirty(cls, tmp_path_factory: pytest.TempPathFactory) -> Path:
        path = cls().make_dirty(tmp_path_factory.mktemp(cls.__name__ + "-dirty"))
        assert path.is_file(), "make_dirty must return the file it wrote"
        return path

    @pytest.fixture(scope="class")
    @classmethod
    def cleaned(
        cls, dirty: Path, tmp_path_factory: pytest.TempPathFactory
    ) -> tuple[Path, CleanReport, int]:
        plan = engine.prepare(Source.from_path(dirty), dirty.name)
        out = tmp_path_factory.mktemp(cls.__name__ + "-clean") / ("clean" + dirty.suffix)
        with open(out, "wb") as fh:
            plan.write_to(fh)
        return out, plan.report, plan.size

    # --- the contract ---

    def test_fixture_is_dirty(self, dirty: Path) -> None:
        found = exiftool.identifying(dirty, self.rules, embedded=self.embedded)
        assert found, "the generated file should carry identifying tags"
        names = {t.name for t in found}
        missing = [t for t in self.required_tags if t not in names]
        assert not missing, f"exiftool did not find {missing} in the dirty file"

    def test_kind_detected(self, dirty: Path) -> None:
        assert detect(Source.from_path(dirty), dirty.name) in self.kinds_covered

    def test_inspect_reports_findings(self, dirty: Path) -> None:
        result = engine.inspect(Source.from_path(dirty), dirty.name)
        assert result.findings, "inspect found nothing in a dirty file"
        cats = {f.category for f in result.findings}
        assert self.expected_categories <= cats, f"missing {self.expected_categories - cats}"
        for finding in result.findings:
            assert finding.field and isinstance(finding.untrusted_value, str)

    def test_exiftool_finds_nothing_identifying_after(
        self, cleaned: tuple[Path, CleanReport, int]
    ) -> None:
        path, _, _ = cleaned
        left = exiftool.identifying(path, self.rules, embedded=self.embedded)
        assert not left, "identifying tags left: " + "; ".join(map(str, left))

    def test_own_inspection_empty_after(self, cleaned: tuple[Path, CleanReport, int]) -> None:
        path, _, _ = cleaned
        assert engine.inspect(Source.from_path(path), path.name).findings == ()

    def test_output_valid(self, dirty: Path, cleaned: tuple[Path, CleanReport, int]) -> None:
        path, _, _ = cleaned
        errs = [e for e in exiftool.errors(path) if e.startswith("Error")]
        assert not errs, errs
        assert detect(Source.from_path(path), path.name) in self.kinds_covered
        assert exiftool.file_type(path) == exiftool.file_type(dirty)
        self.check_opens(path)

    def test_content_kept(self, dirty: Path, cleaned: tuple[Path, CleanReport, int]) -> None:
        path, report, _ = cleaned
        assert report.lossless is self.lossless
        self.check_content(dirty, path, report)

    def test_report_and_size(self, cleaned: tuple[Path, CleanReport, int]) -> None:
        path, report, size = cleaned
        assert report.removed, "the report should list what was removed"
        assert report.kind in {k.value for k in self.kinds_covered}
        assert path.stat().st_size == size

    def test_corrupt_input_refused(self, dirty: Path) -> None:
        data = dirty.read_bytes()
        for label, variant in self.corrupt_variants(data):
            with pytest.raises(CleanRefused):
                engine.prepare(Source.from_bytes(variant), dirty.name)
            # The cleaner itself (not just the engine's safety net) raises
            # nothing but refusals.
            kind = detect(Source.from_path(dirty), dirty.name)
            cleaner = registered()[kind]
            for step in (cleaner.inspect, cleaner.prepare):
                try:
                    step(Source.from_bytes(variant), kind, engine.DEFAULT_LIMITS)
                except CleanRefused:
                    pass
                except Exception as exc:  # pragma: no cover - the failure path
                    pytest.fail(f"{label}: {step.__name__} raised {type(exc).__name__}: {exc}")

    def test_cli_refuses_corrupt_and_writes_nothing(self, dirty: Path, tmp_path: Path) -> None:
        label, variant = self.corrupt_variants(dirty.read_bytes())[0]
        (tmp_path / "in").mkdir()
        (tmp_path / "out").mkdir()
        (tmp_path / "in" / dirty.name).write_bytes(variant)
        proc = run_cli("clean", "--out", "../out", "--", dirty.name, cwd=tmp_path / "in")
        assert proc.returncode == 2, (label, proc.stderr)
        assert "will not be sent" in proc.stderr
        assert list((tmp_path / "out").iterdir()) == []

    def test_cli_hostile_names(self, dirty: Path, tmp_path: Path) -> None:
        src = tmp_path / "in"
        out = tmp_path / "out"
        src.mkdir()
        out.mkdir()
        names = self.hostile_names(dirty)
        for name in names:
            shutil.copyfile(dirty, src / name)
        before = listing(src)
        # Without "--" an option-like name must not be taken as a file or an
        # option of ours: argparse rejects it and nothing is written.
        proc = run_cli("clean", "--out", str(out), names[1], cwd=src)
        assert proc.returncode != 0
        assert list(out.iterdir()) == []
        proc = run_cli("clean", "--out", str(out), "--", *names, cwd=src)
        assert proc.returncode == 0, proc.stderr
        assert sorted(p.name for p in out.iterdir()) == sorted(names)
        assert listing(src) == before, "the input folder must not change"
        for name in names:
            assert (src / name).read_bytes() == dirty.read_bytes()
            assert not exiftool.identifying(out / name, self.rules,
                                            embedded=self.embedded)

    def test_cli_writes_only_where_asked(self, dirty: Path, tmp_path: Path) -> None:
        root = tmp_path
        (root / "in").mkdir()
        (root / "out").mkdir()
        (root / "tmp").mkdir()
        shutil.copyfile(dirty, root / "in" / dirty.name)
        before = listing(root)
        show = run_cli("clean", "--show", dirty.name, cwd=root / "in", tmpdir=root / "tmp")
        assert show.returncode == 0, show.stderr
        assert show.stdout.strip(), "--show should print the findings"
        assert listing(root) == before, "--show alone must write nothing"
        done = run_cli(
            "clean", "--out", "../out", dirty.name, cwd=root / "in", tmpdir=root / "tmp"
        )
        assert done.returncode == 0, done.stderr
        after = listing(root)
        added = set(after) - set(before)
        assert added == {f"out/{dirty.name}"}, added
        assert {k: v for k, v in after.items() if k in before} == before
        # Never overwrite: a second run refuses and leaves the first output alone.
        first = (root / "out" / dirty.name).read_bytes()
        again = run_cli("clean", "--out", "../out", dirty.name, cwd=root / "in")
        assert again.returncode == 2
        assert (root / "out" / dirty.name).read_bytes() == first
        assert listing(root / "out") == {dirty.name: after[f"out/{dirty.name}"]}
