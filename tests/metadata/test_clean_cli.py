"""`submitter clean`, run for real in a child process."""

from __future__ import annotations

import os
from pathlib import Path

from submitter.metadata import engine
from submitter.metadata.model import CorruptRefused, UnknownTypeRefused
from submitter.metadata.source import Source
from tests.metadata import docgen, exiftool
from tests.metadata import image_fixtures as fx
from tests.metadata.contract import listing, run_cli


def _dirty(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    return fx.dirty_jpeg(folder)


def test_mixed_batch_cleans_good_and_refuses_bad(tmp_path: Path) -> None:
    good = _dirty(tmp_path)
    bad = tmp_path / "in" / "broken.jpg"
    bad.write_bytes(good.read_bytes()[:500])
    unknown = tmp_path / "in" / "tool.exe"
    unknown.write_bytes(b"MZ" + b"\x00" * 200)
    out = tmp_path / "out"
    out.mkdir()
    proc = run_cli("clean", "--out", str(out), str(good), str(bad), str(unknown), cwd=tmp_path)
    assert proc.returncode == 2
    assert sorted(p.name for p in out.iterdir()) == [good.name]
    assert CorruptRefused.message in proc.stderr
    assert UnknownTypeRefused.message in proc.stderr
    assert "broken.jpg" in proc.stderr and "tool.exe" in proc.stderr
    assert not exiftool.identifying(out / good.name)
    assert "cleaned" in proc.stdout


def test_all_clean_exit_zero_and_report(tmp_path: Path) -> None:
    a = _dirty(tmp_path)
    b = tmp_path / "in" / "b.png"
    fx.pattern().save(b, "PNG")
    out = tmp_path / "out"
    out.mkdir()
    proc = run_cli("clean", "--show", "--out", str(out), str(a), str(b), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "51.53 N, 46.03 E" in proc.stdout
    assert "b.png: png: nothing identifying found" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == ["b.png", a.name]


def test_out_folder_must_exist(tmp_path: Path) -> None:
    src = _dirty(tmp_path)
    before = listing(tmp_path)
    proc = run_cli("clean", "--out", str(tmp_path / "nope"), str(src), cwd=tmp_path)
    assert proc.returncode == 1
    assert "must already exist" in proc.stderr
    assert listing(tmp_path) == before


def test_check_only_writes_nothing(tmp_path: Path) -> None:
    src = _dirty(tmp_path)
    before = listing(tmp_path)
    proc = run_cli("clean", str(src), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "can be cleaned" in proc.stdout
    assert listing(tmp_path) == before


def test_no_abbreviated_options(tmp_path: Path) -> None:
    src = _dirty(tmp_path)
    (tmp_path / "out").mkdir()
    proc = run_cli("clean", "--o", str(tmp_path / "out"), str(src), cwd=tmp_path)
    assert proc.returncode == 2
    assert list((tmp_path / "out").iterdir()) == []


def test_never_writes_through_a_symlink(tmp_path: Path) -> None:
    src = _dirty(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim"
    os.symlink(victim, out / src.name)  # dangling link where the output would go
    proc = run_cli("clean", "--out", str(out), str(src), cwd=tmp_path)
    assert proc.returncode == 2
    assert not victim.exists()
    assert "already exists" in proc.stderr


def test_folders_and_missing_files_refused(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    proc = run_cli("clean", "--", "adir", "missing.jpg", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("refused") == 2


def test_hostile_names_are_sanitised_on_stderr(tmp_path: Path) -> None:
    name = "evil\u202egpj.exe"
    (tmp_path / name).write_bytes(b"MZ" + b"\x00" * 100)
    proc = run_cli("clean", "--", name, cwd=tmp_path)
    assert proc.returncode == 2
    assert "\u202e" not in proc.stderr
    assert "evilgpj.exe" in proc.stderr


def test_no_temporary_files_left_on_refusal(tmp_path: Path) -> None:
    src = _dirty(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / src.name).write_bytes(b"already here")
    proc = run_cli("clean", "--out", str(out), str(src), cwd=tmp_path)
    assert proc.returncode == 2
    assert [p.name for p in out.iterdir()] == [src.name]
    assert (out / src.name).read_bytes() == b"already here"


def test_show_on_a_refused_file_explains_on_stderr(tmp_path: Path) -> None:
    bad = tmp_path / "cut.png"
    fx.pattern().save(bad, "PNG")
    bad.write_bytes(bad.read_bytes()[:100])
    proc = run_cli("clean", "--show", "--", bad.name, cwd=tmp_path)
    assert proc.returncode == 2
    assert CorruptRefused.message in proc.stderr
    assert proc.stdout == ""


def _block(stdout: str, label: str) -> list[str]:
    """The indented lines printed under the line that starts with ``label``."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(label))
    block = []
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        block.append(line.strip())
    return block


def test_out_prints_each_files_warnings_under_it(tmp_path: Path) -> None:
    photo = _dirty(tmp_path)
    pdf = docgen.make_pdf(tmp_path / "in" / "report.pdf", xmp=False)
    expected = {}
    for path in (photo, pdf):
        warnings = engine.prepare(Source.from_path(path), path.name).report.warnings
        assert warnings  # what cleaning cannot remove: faces, text on the page...
        expected[path.name] = warnings
    out = tmp_path / "out"
    out.mkdir()
    proc = run_cli("clean", "--out", str(out), str(photo), str(pdf), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for path in (photo, pdf):
        block = _block(proc.stdout, f"{path}: cleaned ->")
        for warning in expected[path.name]:
            assert f"warning: {warning}" in block, (warning, block)
    # Each warning under its own file only: the PDF's are not under the photo.
    photo_block = _block(proc.stdout, f"{photo}: cleaned ->")
    assert not any(f"warning: {w}" in photo_block for w in expected[pdf.name])
    assert any("text" in w for w in expected[photo.name])  # e.g. a date stamp in the picture


def test_warnings_printed_once_with_show_and_when_only_checking(tmp_path: Path) -> None:
    photo = _dirty(tmp_path)
    (warning,) = engine.prepare(Source.from_path(photo), photo.name).report.warnings
    out = tmp_path / "out"
    out.mkdir()
    shown = run_cli("clean", "--show", "--out", str(out), str(photo), cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count(warning) == 1
    checked = run_cli("clean", str(photo), cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert _block(checked.stdout, f"{photo}: can be cleaned") == [f"warning: {warning}"]
