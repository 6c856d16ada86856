"""Padding, tar writer/reader, manifest validation and part layout."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from submitter.bundle.format import BLOCK, MIN_PADDED_SIZE
from submitter.bundle.manifest import (
    FileEntry,
    Manifest,
    ManifestError,
    Removed,
    is_safe_name,
    parse_manifest,
)
from submitter.bundle.padding import overhead, padded_size, padme
from submitter.bundle.parts import PartSizeError, layout
from submitter.bundle.tarreader import ForbiddenMemberError, TarFormatError, TarReader
from submitter.bundle.tarwriter import TarWriter, member_footprint
from tests.peers import tool

SUB = "0123456789abcdef0123456789abcdef"


# --- padding ---

@given(st.integers(min_value=2, max_value=1 << 45))
def test_padme_rounds_up_with_small_overhead(n: int) -> None:
    p = padme(n)
    assert p >= n
    e = n.bit_length() - 1
    s = e.bit_length()
    assert p - n < (1 << (e - s)) or p == n  # only the low e-s bits are rounded
    assert p % (1 << (e - s)) == 0


def test_padme_documented_overheads() -> None:
    worst = max(overhead(n) for n in range(1 << 16, 1 << 17, 97))
    assert 0.02 < worst < 1 / 32
    assert max(overhead((1 << 30) + k) for k in range(1, 4096, 13)) < 1 / 32
    # few distinct sizes: between 1 GiB and 2 GiB only 32 outcomes (2^S, S = 5)
    assert len({padme(n) for n in range(1 << 30, 1 << 31, 1 << 18)}) <= 33


def test_padded_size_floor_blocks_and_cap() -> None:
    assert padded_size(10) == MIN_PADDED_SIZE
    assert padded_size(5_000_001) % BLOCK == 0
    assert padded_size(5_000_001) >= 5_000_001
    assert padded_size(3 << 20, cap=3 << 20) == 3 << 20
    with pytest.raises(ValueError):
        padded_size(5 << 20, cap=4 << 20)


# --- tar writer ---

def _tar(members: list[tuple[str, bytes]], pad_to: int | None = None) -> bytes:
    buf = io.BytesIO()
    w = TarWriter(buf)
    for name, data in members:
        w.begin(name, len(data))
        for i in range(0, len(data), 1000):
            w.write(data[i : i + 1000])
        w.end()
    w.close()
    if pad_to is not None:  # padding header first, as the pipeline does
        raw = buf.getvalue()
        pbuf = io.BytesIO()
        TarWriter(pbuf).add_padding(pad_to - len(raw))
        buf = io.BytesIO(pbuf.getvalue() + raw)
        assert len(buf.getvalue()) == pad_to
        return buf.getvalue()
    assert w.offset == len(buf.getvalue())
    return buf.getvalue()


def test_tar_headers_are_normalised_and_readable_by_tarfile() -> None:
    long_name = "0001-" + "ä" * 80 + ".jpg"
    raw = _tar([("manifest.json", b"{}"), ("file-0001.jpg", b"x" * 1500), (long_name, b"y")])
    with tarfile.open(fileobj=io.BytesIO(raw)) as tf:
        infos = tf.getmembers()
        assert [i.name for i in infos] == ["manifest.json", "file-0001.jpg", long_name]
        for i in infos:
            assert (i.uid, i.gid, i.uname, i.gname, i.mtime, i.mode) == (0, 0, "", "", 0, 0o644)
            assert i.isreg()
        assert tf.extractfile(infos[1]).read() == b"x" * 1500  # type: ignore[union-attr]


def test_python_tarfile_reads_a_padded_stream_quickly() -> None:
    raw = _tar([("manifest.json", b"{}"), ("file-0001.jpg", b"x" * 10)], pad_to=20_000 * BLOCK)
    with tarfile.open(fileobj=io.BytesIO(raw)) as tf:  # pytest-timeout guards the speed
        assert tf.getnames() == ["manifest.json", "file-0001.jpg"]


def test_footprint_matches_writer() -> None:
    for name, size in [("a", 0), ("b", 1), ("c" * 150, 513), ("d", 1 << 20)]:
        assert member_footprint(name, size) == len(_tar([(name, bytes(size))])) - 2 * BLOCK


@pytest.mark.parametrize("blocks", [6, 300, 9000])
def test_gnu_tar_ignores_the_padding_header(tmp_path: Path, blocks: int) -> None:
    raw = _tar([("file-0001.txt", b"hello")], pad_to=blocks * BLOCK)
    proc = subprocess.run([tool("tar"), "-xv"], input=raw, cwd=tmp_path, capture_output=True,
                          timeout=30, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file-0001.txt"]
    assert (tmp_path / "file-0001.txt").read_bytes() == b"hello"


def test_writer_refuses_size_lies() -> None:
    w = TarWriter(io.BytesIO())
    w.begin("a", 3)
    with pytest.raises(Exception, match="declared"):
        w.write(b"abcd")
    w.write(b"ab")
    with pytest.raises(Exception, match="shorter"):
        w.end()


# --- tar reader ---

def _read_all(raw: bytes) -> list[tuple[str, bytes]]:
    r = TarReader(io.BytesIO(raw))
    out = []
    while (h := r.next_member()) is not None:
        out.append((h.untrusted_name, r.read(h.size + 10)))
        r.read(0)
    r.read_to_end_zeros(1 << 30)
    return out


def test_reader_round_trip_with_pax() -> None:
    name = "0002-" + "é" * 120
    raw = _tar([("m", b"1"), (name, b"z" * 700)], pad_to=40 * BLOCK)
    assert _read_all(raw) == [("m", b"1"), (name, b"z" * 700)]


def _stdlib_tar(build) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        build(tf)
    return buf.getvalue()


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE,
                                  tarfile.BLKTYPE, tarfile.FIFOTYPE, tarfile.DIRTYPE])
def test_reader_refuses_non_regular_members(kind: bytes) -> None:
    def build(tf: tarfile.TarFile) -> None:
        ti = tarfile.TarInfo("evil")
        ti.type = kind
        ti.linkname = "/etc/passwd"
        tf.addfile(ti)

    with pytest.raises(ForbiddenMemberError):
        _read_all(_stdlib_tar(build))


def test_reader_refuses_bad_checksum_trailing_data_and_gnu_names() -> None:
    raw = bytearray(_tar([("a", b"1")]))
    raw[0] ^= 1
    with pytest.raises(TarFormatError, match="checksum"):
        _read_all(bytes(raw))
    with pytest.raises(TarFormatError, match="after the end"):
        _read_all(_tar([("a", b"1")]) + b"\x00" * 100 + b"secret")
    hidden = bytearray(_tar([("a", b"1")], pad_to=400 * BLOCK))
    hidden[100 * BLOCK] = ord("X")  # data smuggled inside the padding
    with pytest.raises(TarFormatError, match="padding holds data"):
        _read_all(bytes(hidden))
    with pytest.raises(TarFormatError, match="padding larger"):
        r = TarReader(io.BytesIO(_tar([("a", b"1")], pad_to=400 * BLOCK)), max_padding=BLOCK)
        r.next_member()
    with pytest.raises(TarFormatError):
        _read_all(_tar([("a", b"1")])[:700])
    gnu = io.BytesIO()
    with tarfile.open(fileobj=gnu, mode="w", format=tarfile.GNU_FORMAT) as tf:
        ti = tarfile.TarInfo("x" * 200)
        tf.addfile(ti, io.BytesIO(b""))
    with pytest.raises(TarFormatError):
        _read_all(gnu.getvalue())


# --- manifest ---

def _entry(name: str = "file-0001.jpg", size: int = 10) -> FileEntry:
    return FileEntry(name, "jpeg", size, "ab" * 32, (Removed("EXIF GPS", "location"),),
                     ("note",), ("warning",), True)


def test_manifest_round_trip() -> None:
    m = Manifest(SUB, 1, 2, "hello\nworld", (_entry(), _entry("0002-Ünïcode name.pdf")))
    assert parse_manifest(m.to_json()) == m


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "a/b", ".hidden", "", "..",
                                  "manifest.json", "message.txt", "evil\u202egpj.exe",
                                  "a\x00b", "C:x", "x" * 300, "tab\tname", "trailing."])
def test_unsafe_names_refused(name: str) -> None:
    assert not is_safe_name(name)
    obj = json.loads(Manifest(SUB, 1, 1, "", (_entry(),)).to_json())
    obj["files"][0]["name"] = name
    with pytest.raises(ManifestError):
        parse_manifest(json.dumps(obj).encode())


@pytest.mark.parametrize("mutate", [
    lambda o: o.update(schema=2),
    lambda o: o.update(format="other"),
    lambda o: o.update(submission_id="../../x"),
    lambda o: o["part"].update(index=3),
    lambda o: o["files"][0].update(size=-1),
    lambda o: o["files"][0].update(size=True),
    lambda o: o["files"][0].update(size=1.5),
    lambda o: o["files"][0].update(sha256="zz"),
    lambda o: o["files"][0].update(extra=1),
    lambda o: o["files"].append(dict(o["files"][0])),  # duplicate name
    lambda o: o["files"][0].update(segment={"index": 1, "count": 2, "offset": 5, "length": 9}),
    lambda o: o.update(message=1),
])
def test_bad_manifests_refused(mutate) -> None:  # type: ignore[no-untyped-def]
    obj = json.loads(Manifest(SUB, 1, 1, "", (_entry(),)).to_json())
    mutate(obj)
    with pytest.raises(ManifestError):
        parse_manifest(json.dumps(obj).encode())


def test_manifest_refuses_nan_and_non_json() -> None:
    with pytest.raises(ManifestError):
        parse_manifest(b'{"a": NaN}')
    with pytest.raises(ManifestError):
        parse_manifest(b"\xff\xfe")
    with pytest.raises(ManifestError):
        parse_manifest(b"[" * 100_000)


# --- layout ---

@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=6 << 20), min_size=1, max_size=12),
       st.sampled_from([1 << 20, 2 << 20, 3 << 20]))
def test_layout_fits_and_covers_every_byte(sizes: list[int], part_size: int) -> None:
    files = [replace(_entry(f"file-{i + 1:04d}.jpg", s)) for i, s in enumerate(sizes)]
    parts = layout(files, part_size, SUB, "msg")
    covered: dict[int, int] = {}
    for p in parts:
        m = Manifest(SUB, p.index, len(parts), "msg", tuple(e for _, e in p.entries))
        used = member_footprint("manifest.json", len(m.to_json()))
        used += sum(member_footprint(e.member, e.member_size) for _, e in p.entries)
        assert used + 2 * BLOCK <= part_size
        for idx, e in p.entries:
            assert e.size == sizes[idx]
            if e.segment is not None:
                assert e.segment.offset == covered.get(idx, 0)
                assert e.segment.count >= 2
            covered[idx] = covered.get(idx, 0) + e.member_size
        parse_manifest(m.to_json())
    assert covered == dict(enumerate(sizes))


def test_layout_refuses_bad_part_size() -> None:
    with pytest.raises(PartSizeError):
        layout([_entry()], 1000, SUB, "")
