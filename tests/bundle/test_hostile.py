"""Malicious parts, crafted here and encrypted with the real age code, are refused
with the destination left exactly as it was."""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from crypto.age import encrypt_bytes
from crypto.recipients.x25519 import X25519Identity
from submitter.bundle.manifest import FileEntry, Manifest, Segment
from submitter.bundle.opener import (
    ContentMismatchError,
    DuplicatePartError,
    MixedSubmissionsError,
    NotEnoughSpaceError,
    OpenLimits,
    PartRefusedError,
    TooLargeError,
    open_parts,
)
from submitter.bundle.safe_fs import DestinationError
from submitter.bundle.tarwriter import END_OF_ARCHIVE, TarWriter, member_header
from tests.bundle.conftest import listing

SUB = "feedfacefeedfacefeedfacefeedface"
SUB2 = "0000000000000000000000000000000a"


def _entry(name: str, data: bytes, **kw: object) -> FileEntry:
    return FileEntry(name, "jpeg", len(data), hashlib.sha256(data).hexdigest(), **kw)  # type: ignore[arg-type]


def _tar(manifest: Manifest | bytes, members: list[tuple[str, bytes]],
         tail: bytes = END_OF_ARCHIVE) -> bytes:
    buf = io.BytesIO()
    w = TarWriter(buf)
    w.add_bytes("manifest.json", manifest if isinstance(manifest, bytes) else manifest.to_json())
    for name, data in members:
        w.add_bytes(name, data)
    return buf.getvalue() + tail


def _special(name: str, kind: bytes) -> bytes:
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.linkname = "/etc/passwd"
    ti.devmajor, ti.devminor = 1, 3
    return ti.tobuf(format=tarfile.PAX_FORMAT)


DATA = b"\xff\xd8cleaned jpeg bytes\xff\xd9" * 50
GOOD = Manifest(SUB, 1, 1, "hi", (_entry("file-0001.jpg", DATA),))


def _good() -> bytes:
    return _tar(GOOD, [("file-0001.jpg", DATA)])


def _with_raw_member(header: bytes, data: bytes = b"") -> bytes:
    pad = b"\0" * (-len(data) % 512)
    buf = io.BytesIO()
    TarWriter(buf).add_bytes("manifest.json", GOOD.to_json())
    return buf.getvalue() + header + data + pad + END_OF_ARCHIVE


def _huge_member() -> bytes:
    size = 1 << 40  # 1 TiB declared, a few bytes present
    m = Manifest(SUB, 1, 1, "", (FileEntry("file-0001.jpg", "jpeg", size, "0" * 64),))
    buf = io.BytesIO()
    TarWriter(buf).add_bytes("manifest.json", m.to_json())
    return buf.getvalue() + member_header("file-0001.jpg", size) + b"A" * 4096


def _many(n: int) -> bytes:
    files = [(f"file-{i:04d}.jpg", bytes([i]) * 10) for i in range(1, n + 1)]
    m = Manifest(SUB, 1, 1, "", tuple(_entry(name, d) for name, d in files))
    return _tar(m, files)


def _dup_members() -> bytes:
    m = Manifest(SUB, 1, 1, "", (_entry("file-0001.jpg", DATA), _entry("file-0002.jpg", DATA)))
    return _tar(m, [("file-0001.jpg", DATA), ("file-0001.jpg", DATA)])


def _manifest_dup_names() -> bytes:
    m = Manifest(SUB, 1, 1, "", (_entry("file-0001.jpg", DATA), _entry("file-0001.jpg", DATA)))
    return _tar(m, [("file-0001.jpg", DATA), ("file-0001.jpg", DATA)])


def _hash_mismatch() -> bytes:
    return _tar(GOOD, [("file-0001.jpg", DATA[:-1] + b"X")])


def _size_lie() -> bytes:
    return _tar(GOOD, [("file-0001.jpg", DATA + b"more")])


def _manifest_name(name: str) -> bytes:
    m = Manifest(SUB, 1, 1, "", (_entry(name, DATA),))
    return _tar(m, [(name, DATA)])


CASES: dict[str, Callable[[], bytes]] = {
    "path traversal member": lambda: _tar(GOOD, [("../file-0001.jpg", DATA)]),
    "path traversal in manifest": lambda: _manifest_name("../../.bashrc"),
    "absolute path member": lambda: _tar(GOOD, [("/tmp/file-0001.jpg", DATA)]),
    "absolute path in manifest": lambda: _manifest_name("/etc/cron.d/x"),
    "bidi name in manifest": lambda: _manifest_name("photo\u202egpj.exe"),
    "symlink": lambda: _with_raw_member(_special("file-0001.jpg", tarfile.SYMTYPE)),
    "hardlink": lambda: _with_raw_member(_special("file-0001.jpg", tarfile.LNKTYPE)),
    "char device": lambda: _with_raw_member(_special("file-0001.jpg", tarfile.CHRTYPE)),
    "block device": lambda: _with_raw_member(_special("file-0001.jpg", tarfile.BLKTYPE)),
    "fifo": lambda: _with_raw_member(_special("file-0001.jpg", tarfile.FIFOTYPE)),
    "directory": lambda: _with_raw_member(_special("file-0001.jpg", tarfile.DIRTYPE)),
    "size lie": _size_lie,
    "hash mismatch": _hash_mismatch,
    "duplicate members": _dup_members,
    "duplicate names in manifest": _manifest_dup_names,
    "tar bomb (1 TiB declared)": _huge_member,
    "extra member": lambda: _tar(GOOD, [("file-0001.jpg", DATA), ("file-0002.jpg", DATA)]),
    "missing member": lambda: _tar(GOOD, []),
    "data after end of archive": lambda: _good() + b"\0" * 512 + b"#!/bin/sh\n",
    "no end of archive": lambda: _tar(GOOD, [("file-0001.jpg", DATA)], tail=b""),
    "manifest not first": lambda: _tar(b"{}", [])[0:0] + _raw_first_not_manifest(),
    "manifest not JSON": lambda: _tar(b"\x00garbage", [("file-0001.jpg", DATA)]),
    "empty plaintext": lambda: b"",
    "segment lies": lambda: _segment_lie(),
}


def _raw_first_not_manifest() -> bytes:
    buf = io.BytesIO()
    w = TarWriter(buf)
    w.add_bytes("file-0001.jpg", DATA)
    w.add_bytes("manifest.json", GOOD.to_json())
    w.close()
    return buf.getvalue()


def _segment_lie() -> bytes:
    # One part claims a 2-segment file whose one segment lies about its offset.
    e = FileEntry("file-0001.jpg", "jpeg", len(DATA) * 2, "1" * 64,
                  segment=Segment(1, 2, 0, len(DATA)))
    e2 = FileEntry("file-0001.jpg", "jpeg", len(DATA) * 2, "1" * 64,
                   segment=Segment(2, 2, 5, len(DATA)))
    m = Manifest(SUB, 1, 1, "", (e, e2))
    return _tar(m, [(e.member, DATA), (e2.member, DATA)])


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    d = tmp_path / "ngo-inbox"
    d.mkdir()
    (d / "earlier-case").mkdir()
    (d / "earlier-case" / "notes.txt").write_text("keep me")
    return d


def _part(tmp_path: Path, plaintext: bytes, identity: X25519Identity, name: str = "p") -> Path:
    path = tmp_path / f"{name}.age"
    path.write_bytes(encrypt_bytes(plaintext, [identity.recipient()]))
    return path


def _refused(parts: list[Path], identity: X25519Identity, dest: Path,
             limits: OpenLimits | None = None) -> PartRefusedError:
    """Open ``parts``: it must be refused with ``dest`` left exactly as it was."""
    before = listing(dest)
    with pytest.raises(PartRefusedError) as info:
        open_parts(parts, [identity], dest, limits=limits)
    assert listing(dest) == before
    return info.value


def test_the_well_formed_reference_opens(tmp_path: Path, dest: Path,
                                         identity: X25519Identity) -> None:
    """The crafting helpers are right: the unmodified bundle opens."""
    rep = open_parts([_part(tmp_path, _good(), identity)], [identity], dest)
    assert (rep.folder / "file-0001.jpg").read_bytes() == DATA


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_part_is_refused_and_nothing_is_written(
        tmp_path: Path, dest: Path, identity: X25519Identity, case: str) -> None:
    part = _part(tmp_path, CASES[case](), identity)
    assert _refused([part], identity, dest).message  # a plain, fixed explanation


def test_truncated_part(tmp_path: Path, dest: Path, identity: X25519Identity) -> None:
    part = _part(tmp_path, _good() + b"\0" * 200_000, identity)
    raw = part.read_bytes()
    for cut in (len(raw) - 1, len(raw) - 17, 70_000, len(raw) // 2, 200):
        part.write_bytes(raw[:cut])
        _refused([part], identity, dest)


def test_truncation_after_all_files_still_refused(tmp_path: Path, dest: Path,
                                                  identity: X25519Identity) -> None:
    """Files fully present but the stream cut before its authenticated end: refused."""
    plain = _tar(GOOD, [("file-0001.jpg", DATA)], tail=END_OF_ARCHIVE + b"\0" * 300_000)
    part = _part(tmp_path, plain, identity)
    raw = part.read_bytes()
    part.write_bytes(raw[: len(raw) - 20_000])
    assert "damaged or truncated" in _refused([part], identity, dest).reason


def test_wrong_recipient(tmp_path: Path, dest: Path, identity: X25519Identity) -> None:
    other = X25519Identity.generate()
    part = _part(tmp_path, _good(), other)
    assert "None of the given keys" in _refused([part], identity, dest).reason


def test_tampered_ciphertext(tmp_path: Path, dest: Path, identity: X25519Identity) -> None:
    part = _part(tmp_path, _good(), identity)
    raw = bytearray(part.read_bytes())
    raw[-40] ^= 0x01
    part.write_bytes(bytes(raw))
    _refused([part], identity, dest)


def test_too_many_files_and_too_many_bytes(tmp_path: Path, dest: Path,
                                           identity: X25519Identity) -> None:
    part = _part(tmp_path, _many(6), identity)
    refusal = _refused([part], identity, dest, limits=OpenLimits(max_files=5))
    assert isinstance(refusal.__cause__, TooLargeError)
    _refused([part], identity, dest, limits=OpenLimits(max_total_bytes=50))
    open_parts([part], [identity], dest, limits=OpenLimits(max_files=6))


def test_mixed_submissions_and_duplicate_parts(tmp_path: Path, dest: Path,
                                               identity: X25519Identity) -> None:
    a = Manifest(SUB, 1, 2, "", (_entry("file-0001.jpg", DATA),))
    b = Manifest(SUB2, 2, 2, "", (_entry("file-0002.jpg", DATA),))
    pa = _part(tmp_path, _tar(a, [("file-0001.jpg", DATA)]), identity, "a")
    pb = _part(tmp_path, _tar(b, [("file-0002.jpg", DATA)]), identity, "b")
    before = listing(dest)
    assert isinstance(_refused([pa, pb], identity, dest).__cause__, MixedSubmissionsError)
    copy = tmp_path / "copy.age"
    copy.write_bytes(pa.read_bytes())
    assert isinstance(_refused([pa, copy], identity, dest).__cause__, DuplicatePartError)
    with pytest.raises(DuplicatePartError):
        open_parts([pa, pa], [identity], dest)
    assert listing(dest) == before


def test_split_file_with_wrong_whole_hash(tmp_path: Path, dest: Path,
                                          identity: X25519Identity) -> None:
    whole = DATA * 2
    seg = [FileEntry("file-0001.jpg", "jpeg", len(whole), "2" * 64,
                     segment=Segment(i + 1, 2, i * len(DATA), len(DATA))) for i in range(2)]
    parts = []
    for i in range(2):
        m = Manifest(SUB, i + 1, 2, "", (seg[i],))
        parts.append(_part(tmp_path, _tar(m, [(seg[i].member, DATA)]), identity, f"s{i}"))
    before = listing(dest)
    with pytest.raises(ContentMismatchError):
        open_parts(parts, [identity], dest)
    assert listing(dest) == before


def test_existing_folder_is_never_replaced(tmp_path: Path, dest: Path,
                                           identity: X25519Identity) -> None:
    (dest / f"submission-{SUB}").mkdir()
    (dest / f"submission-{SUB}" / "file-0001.jpg").write_bytes(b"original")
    part = _part(tmp_path, _good(), identity)
    rep = open_parts([part], [identity], dest)
    assert rep.folder.name == f"submission-{SUB}-2"
    assert (dest / f"submission-{SUB}" / "file-0001.jpg").read_bytes() == b"original"


def test_destination_symlink_refused(tmp_path: Path, identity: X25519Identity) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    part = _part(tmp_path, _good(), identity)
    with pytest.raises(DestinationError):
        open_parts([part], [identity], link)
    assert list(real.iterdir()) == []


def test_whole_file_colliding_with_a_segmented_one(tmp_path: Path, dest: Path,
                                                   identity: X25519Identity) -> None:
    seg = FileEntry("file-0001.jpg", "jpeg", len(DATA) * 2, "3" * 64,
                    segment=Segment(1, 2, 0, len(DATA)))
    a = Manifest(SUB, 1, 2, "", (seg,))
    b = Manifest(SUB, 2, 2, "", (_entry("file-0001.jpg", DATA),))
    pa = _part(tmp_path, _tar(a, [(seg.member, DATA)]), identity, "a")
    pb = _part(tmp_path, _tar(b, [("file-0001.jpg", DATA)]), identity, "b")
    assert isinstance(_refused([pa, pb], identity, dest).__cause__, ContentMismatchError)


def test_free_space_is_checked_before_anything(tmp_path: Path, dest: Path,
                                               identity: X25519Identity) -> None:
    part = _part(tmp_path, _good(), identity)
    before = listing(dest)
    with pytest.raises(NotEnoughSpaceError):
        open_parts([part], [identity], dest, limits=OpenLimits(disk_reserve_bytes=1 << 60))
    assert listing(dest) == before
