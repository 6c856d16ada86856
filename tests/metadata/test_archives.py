"""ZIP and TAR: recursive cleaning through the engine, and hostile archives.

exiftool reads only an archive's first header, so the judge here runs it on
the archive AND on every member (extracted under neutral names, never under
the names inside the archive), and reads the headers with zipfile/tarfile.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

import pikepdf
import pytest
from PIL import Image

from submitter.metadata import engine
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CleanRefused,
    CleanReport,
    CorruptRefused,
    EncryptedRefused,
    LimitRefused,
    Limits,
    TypeMismatchRefused,
    UnknownTypeRefused,
    UnsupportedContentRefused,
)
from submitter.metadata.source import Source
from submitter.metadata.ziputil import FIXED_DATE_TIME
from tests.metadata import docgen, exiftool
from tests.metadata.contract import CleanerContract
from tests.metadata.test_ooxml import ZIP_RULES
from tests.peers import tool


def read_members(path: Path) -> list[tuple[str, bytes | None]]:
    """(name, data) in order; data None for folders."""
    # By ending, not zipfile.is_zipfile: a tar whose last member is a zip
    # looks like a zip to that check.
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            return [(i.filename, None if i.is_dir() else zf.read(i)) for i in zf.infolist()]
    with tarfile.open(path, "r:") as tf:
        out: list[tuple[str, bytes | None]] = []
        for info in tf.getmembers():
            handle = tf.extractfile(info) if info.isreg() else None
            name = info.name + ("/" if info.isdir() else "")
            out.append((name, handle.read() if handle else None))
        return out


def header_leaks(path: Path) -> list[str]:
    """Times, owners, comments and extras in the archive's own headers."""
    leaks: list[str] = []
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            if zf.comment:
                leaks.append("archive comment")
            for info in zf.infolist():
                if info.date_time != FIXED_DATE_TIME:
                    leaks.append(f"{info.filename} time")
                if info.extra or info.comment:
                    leaks.append(f"{info.filename} extra/comment")
        return leaks
    with tarfile.open(path, "r:") as tf:
        for info in tf.getmembers():
            if info.mtime or info.uid or info.gid or info.uname or info.gname:
                leaks.append(f"{info.name} owner/time")
            if set(info.pax_headers) - {"path", "linkpath", "size"}:
                leaks.append(f"{info.name} pax {sorted(info.pax_headers)}")
    return leaks


def judge(path: Path, scratch: Path) -> list[str]:
    """Everything identifying exiftool sees in the archive and its members."""
    scratch.mkdir(parents=True, exist_ok=True)
    found = [f"archive {t}" for t in exiftool.identifying(path, ZIP_RULES)]
    for index, (name, data) in enumerate(read_members(path)):
        if data is None:
            continue
        member = scratch / f"member-{index}{PurePosixPath(name).suffix}"
        member.write_bytes(data)
        found += [f"{name}: {t}" for t in exiftool.identifying(member, ZIP_RULES)]
    return found + header_leaks(path)


class _ArchiveContract(CleanerContract):
    ending = ""
    expected_categories = frozenset(
        {Category.PERSON, Category.TIME, Category.LOCATION, Category.DEVICE,
         Category.SOFTWARE, Category.IDENTIFIER, Category.HIDDEN_CONTENT}
    )
    rules = ZIP_RULES

    def make_dirty(self, tmp_path: Path) -> Path:
        maker = docgen.make_zip if self.ending == "zip" else docgen.make_tar
        return maker(tmp_path / f"evidence.{self.ending}")

    def test_fixture_is_dirty(self, dirty: Path, tmp_path: Path) -> None:  # type: ignore[override]
        found = " ".join(judge(dirty, tmp_path))
        for needle in ("GPSLatitude", "Make", "Author", "LastModifiedBy", "Company",
                       "CreatorTool", "owner/time" if self.ending == "tar" else "time"):
            assert needle in found, needle

    def test_exiftool_finds_nothing_identifying_after(  # type: ignore[override]
        self, cleaned: tuple[Path, CleanReport, int], tmp_path: Path
    ) -> None:
        path, _, _ = cleaned
        left = judge(path, tmp_path)
        assert not left, left

    def check_opens(self, path: Path) -> None:
        if self.ending == "zip":
            with zipfile.ZipFile(path) as zf:
                assert zf.testzip() is None
        else:
            with tarfile.open(path, "r:") as tf:
                assert all(i.isreg() or i.isdir() for i in tf.getmembers())

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        before = dict(read_members(original))
        after = dict(read_members(cleaned))
        assert list(after) == list(before), "member names and order are kept"
        assert after["notes.txt"] == before["notes.txt"]
        assert after["table.csv"] == before["table.csv"]
        with Image.open(io.BytesIO(before["evidence/photo.jpg"] or b"")) as a, Image.open(
            io.BytesIO(after["evidence/photo.jpg"] or b"")
        ) as b:
            assert a.tobytes() == b.tobytes()
        with pikepdf.open(io.BytesIO(after["evidence/report.pdf"] or b"")) as pdf:
            assert docgen.SECRET_TEXT.encode() in pdf.pages[0].Contents.read_bytes()
        with zipfile.ZipFile(io.BytesIO(after["evidence/ledger.xlsx"] or b"")) as zf:
            assert docgen.SECRET_TEXT.encode() in zf.read("xl/worksheets/sheet1.xml")
        assert any("names of the files" in w for w in report.warnings)


class TestZipContract(_ArchiveContract):
    kinds_covered = frozenset({FileKind.ZIP})
    ending = "zip"


class TestTarContract(_ArchiveContract):
    kinds_covered = frozenset({FileKind.TAR})
    ending = "tar"


# --- hostile archives ---

def _zip(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.compress_type = method
            zf.writestr(info, data)
    return buf.getvalue()


def _tar(infos: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for info, data in infos:
            info.size = len(data) if info.isreg() else 0
            tf.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buf.getvalue()


def test_zip_bomb_refused() -> None:
    bomb = _zip([("zeros.txt", bytes(64 * 1024 * 1024))])
    assert len(bomb) < 200_000
    for step in (engine.inspect, engine.prepare):
        with pytest.raises(LimitRefused):
            step(Source.from_bytes(bomb), "bomb.zip")


def test_declared_size_beyond_budget_refused() -> None:
    data = _zip([("a.txt", b"abc\n" * 300_000)], method=zipfile.ZIP_STORED)
    small = Limits(max_in_memory_bytes=1_000_000)
    with pytest.raises(LimitRefused):
        engine.prepare(Source.from_bytes(data), "big.zip", small)


def test_deep_nesting_refused() -> None:
    data = b"innermost words\n"
    name = "note.txt"
    for level in range(12):
        data = _zip([(name, data)])
        name = f"level{level}.zip"
    with pytest.raises(LimitRefused):
        engine.prepare(Source.from_bytes(data), "deep.zip")


def test_shallow_nesting_cleaned() -> None:
    data = _zip([("note.txt", b"innermost words\n")])
    data = _zip([("inner.zip", data)])
    data = _zip([("middle.zip", data)])
    plan = engine.prepare(Source.from_bytes(data), "outer.zip")
    buf = io.BytesIO()
    plan.write_to(buf)
    with zipfile.ZipFile(buf) as a:
        middle = a.read("middle.zip")
    with zipfile.ZipFile(io.BytesIO(middle)) as b:
        inner = b.read("inner.zip")
    with zipfile.ZipFile(io.BytesIO(inner)) as c:
        assert c.read("note.txt") == b"innermost words\n"


def test_too_many_members_refused() -> None:
    data = _zip([(f"f{i}.txt", b"x") for i in range(10_001)], method=zipfile.ZIP_STORED)
    with pytest.raises(LimitRefused):
        engine.inspect(Source.from_bytes(data), "many.zip")


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "/etc/evil.txt", "a/../../evil.txt", "..\\evil.txt", "C:/evil.txt",
     "a//b.txt", "./../evil.txt"],
)
def test_zip_path_traversal_refused(name: str, tmp_path: Path) -> None:
    data = _zip([("fine.txt", b"ok\n"), (name, b"gotcha\n")])
    for step in (engine.inspect, engine.prepare):
        with pytest.raises(UnsupportedContentRefused):
            step(Source.from_bytes(data), "t.zip")


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil.txt", "a/../../evil.txt"])
def test_tar_path_traversal_refused(name: str) -> None:
    data = _tar([(tarfile.TarInfo("fine.txt"), b"ok\n"), (tarfile.TarInfo(name), b"gotcha\n")])
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_bytes(data), "t.tar")


@pytest.mark.parametrize("link_type", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE,
                                       tarfile.FIFOTYPE])
def test_tar_links_and_devices_refused(link_type: bytes) -> None:
    link = tarfile.TarInfo("passwd")
    link.type = link_type
    link.linkname = "/etc/passwd"
    data = _tar([(tarfile.TarInfo("fine.txt"), b"ok\n"), (link, b"")])
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_bytes(data), "t.tar")


def test_zip_symlink_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link", date_time=FIXED_DATE_TIME)
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_bytes(buf.getvalue()), "l.zip")


def test_encrypted_member_refused() -> None:
    data = bytearray(_zip([("secret.txt", b"words\n")]))
    # Set "encrypted" (bit 0 of the general-purpose flags) in the local and
    # central headers, as a password-protecting zip tool does.
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    data[local + 6] |= 1
    data[central + 8] |= 1
    for step in (engine.inspect, engine.prepare):
        with pytest.raises(EncryptedRefused):
            step(Source.from_bytes(bytes(data)), "locked.zip")


def test_duplicate_names_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, pytest.warns(UserWarning):
        zf.writestr("same.txt", b"one\n")
        zf.writestr("same.txt", b"two\n")
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_bytes(buf.getvalue()), "dup.zip")


def test_tar_cut_between_members_refused(tmp_path: Path) -> None:
    data = _tar([(tarfile.TarInfo("a.txt"), b"a" * 512), (tarfile.TarInfo("b.txt"), b"b" * 512)])
    cut = data[: 512 * 2]  # header + data of the first member, nothing after
    with tarfile.open(fileobj=io.BytesIO(cut)) as fooled:
        assert fooled.getnames() == ["a.txt"]  # tarfile alone takes it for whole
    with pytest.raises(CorruptRefused):
        engine.prepare(Source.from_bytes(cut), "cut.tar")


def test_member_with_lying_name_refused() -> None:
    data = _zip([("photo.png", b"\xff\xd8\xff\xe0" + bytes(100))])
    with pytest.raises(TypeMismatchRefused):
        engine.prepare(Source.from_bytes(data), "t.zip")


def test_unknown_member_refused() -> None:
    data = _zip([("tool.exe", b"MZ\x90\x00" + bytes(200))])
    with pytest.raises(UnknownTypeRefused):
        engine.prepare(Source.from_bytes(data), "t.zip")


def test_damaged_member_refuses_archive() -> None:
    data = _zip([("notes.txt", b"fine\n"), ("bad.pdf", b"%PDF-1.4\ngarbage")])
    with pytest.raises(CleanRefused):
        engine.prepare(Source.from_bytes(data), "t.zip")


def test_tar_dot_prefix_names_normalised() -> None:
    root = tarfile.TarInfo(".")
    root.type = tarfile.DIRTYPE
    data = _tar([(root, b""), (tarfile.TarInfo("./a.txt"), b"words\n")])
    plan = engine.prepare(Source.from_bytes(data), "dot.tar")
    buf = io.BytesIO()
    plan.write_to(buf)
    buf.seek(0)
    with tarfile.open(fileobj=buf) as tf:
        assert tf.getnames() == ["a.txt"]


def test_tar_with_too_many_members_refused() -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for i in range(10_001):
            tf.addfile(tarfile.TarInfo(f"f{i}.txt"), io.BytesIO(b""))
    with pytest.raises(LimitRefused):
        engine.inspect(Source.from_bytes(buf.getvalue()), "many.tar")


def test_nested_archives_share_one_memory_budget() -> None:
    # Each level alone fits the limit; together they do not.
    inner = _zip([("a.txt", b"words\n" * 100_000)], method=zipfile.ZIP_STORED)
    outer = _zip([("inner.zip", inner), ("b.txt", b"more\n" * 100_000)],
                 method=zipfile.ZIP_STORED)
    limits = Limits(max_in_memory_bytes=len(outer) + 10_000)
    with pytest.raises(LimitRefused):
        engine.prepare(Source.from_bytes(outer), "outer.zip", limits)
    plan = engine.prepare(Source.from_bytes(outer), "outer.zip", Limits())
    assert plan.size > 0


# --- archives written by Info-ZIP, as a source's own machine would ---

def _info_zip(tmp_path: Path, *args: str) -> Path:
    folder = tmp_path / "Jane's evidence"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(docgen.jpeg_with_gps(tmp_path))
    (folder / "notes.txt").write_text("meet at gate 3\n")
    out = tmp_path / "upload.zip"
    subprocess.run([tool("zip"), "-q", "-r", *args, str(out), folder.name], cwd=tmp_path,
                   check=True, capture_output=True, timeout=60)
    return out


def test_info_zip_archive_cleaned(tmp_path: Path) -> None:
    path = _info_zip(tmp_path)
    with zipfile.ZipFile(path) as zf:
        assert any(i.extra for i in zf.infolist()), "Info-ZIP stores times and owner ids"
    found = engine.inspect(Source.from_path(path), path.name)
    assert {Category.TIME, Category.LOCATION} <= {f.category for f in found.findings}
    plan = engine.prepare(Source.from_path(path), path.name)
    out = tmp_path / "clean.zip"
    with open(out, "wb") as fh:
        plan.write_to(fh)
    assert judge(out, tmp_path / "judge") == []
    with zipfile.ZipFile(out) as zf:
        assert zf.read("Jane's evidence/notes.txt") == b"meet at gate 3\n"


def test_info_zip_password_refused(tmp_path: Path) -> None:
    path = _info_zip(tmp_path, "-P", "secret")
    for step in (engine.inspect, engine.prepare):
        with pytest.raises(EncryptedRefused):
            step(Source.from_path(path), path.name)


@pytest.mark.parametrize("fmt", ["gnu", "pax", "ustar"])
def test_gnu_tar_archive_cleaned(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(docgen.jpeg_with_gps(tmp_path))
    # GNU and PAX formats store names over 100 bytes in extra headers.
    name = "a-rather-long-name-" + "x" * 120 + ".txt" if fmt != "ustar" else "short.txt"
    (folder / name).write_text("words\n")
    path = tmp_path / "upload.tar"
    subprocess.run([tool("tar"), f"--format={fmt}", "-cf", str(path), "-C", str(tmp_path),
                    "evidence"], check=True, capture_output=True, timeout=60)
    assert header_leaks(path), "GNU tar records times and owners"
    plan = engine.prepare(Source.from_path(path), path.name)
    out = tmp_path / "clean.tar"
    with open(out, "wb") as fh:
        plan.write_to(fh)
    assert judge(out, tmp_path / "judge") == []
    assert sorted(n for n, _ in read_members(out)) == sorted(n for n, _ in read_members(path))
