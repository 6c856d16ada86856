"""Read untrusted zip containers safely, and write normalised ones.

Shared by the office (OOXML, ODF) and archive cleaners. Reading refuses
anything that could hurt or mislead: encrypted members, links, names that
climb out of the archive, duplicate names (two readers could pick different
ones), too many members, and declared sizes or compression ratios of a zip
bomb. Writing gives every member the same fixed time, plain permissions, no
extra fields and no comments, so nothing about the machine travels.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass, field

from submitter.metadata.model import (
    CorruptRefused,
    EncryptedRefused,
    LimitRefused,
    Limits,
    UnsupportedContentRefused,
)
from submitter.metadata.source import Source

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say
_SMALL = 1 << 20  # below this, a high compression ratio is harmless
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(slots=True)
class ZipMember:
    name: str  # validated, relative, "/"-separated; directories end with "/"
    data: bytes  # empty for directories
    is_dir: bool
    untrusted_comment: bytes = b""
    untrusted_extra: bytes = b""
    date_time: tuple[int, int, int, int, int, int] = FIXED_DATE_TIME
    external_attr: int = 0
    compressed: bool = True


@dataclass(slots=True)
class ZipContents:
    members: list[ZipMember] = field(default_factory=list)
    untrusted_comment: bytes = b""

    def names(self) -> list[str]:
        return [m.name for m in self.members]

    def get(self, name: str) -> ZipMember | None:
        for m in self.members:
            if m.name == name:
                return m
        return None


def check_member_name(untrusted_name: str) -> str:
    """The name if it stays inside the archive; otherwise a refusal.

    Refused: empty names, absolute paths, drive letters, backslashes (a
    Windows separator some readers honour), "." or ".." parts, empty parts,
    control characters.
    """
    name = untrusted_name
    if not name or len(name) > 1024:
        raise UnsupportedContentRefused("unsafe member name")
    if name.startswith("/") or "\\" in name or _DRIVE.match(name):
        raise UnsupportedContentRefused("unsafe member name")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        raise UnsupportedContentRefused("unsafe member name")
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise UnsupportedContentRefused("unsafe member name")
    return name


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def read_zip(src: Source, limits: Limits) -> ZipContents:
    """Every member in memory, after the safety checks above."""
    try:
        with src.open() as fh, zipfile.ZipFile(fh) as zf:
            return _read(zf, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise CorruptRefused(f"zip: {type(exc).__name__}") from exc
    except NotImplementedError as exc:
        raise UnsupportedContentRefused("zip compression method") from exc
    except (ValueError, KeyError, IndexError, UnicodeDecodeError) as exc:
        raise CorruptRefused(f"zip: {type(exc).__name__}") from exc


def _read(zf: zipfile.ZipFile, limits: Limits) -> ZipContents:
    infos = zf.infolist()
    if len(infos) > limits.max_archive_members:
        raise LimitRefused(f"{len(infos)} members")
    declared = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    budget = min(limits.max_archive_total_bytes, limits.max_in_memory_bytes)
    if declared > budget:
        raise LimitRefused("archive expands beyond the limit")
    if declared > _SMALL and declared > limits.max_compression_ratio * max(packed, 1):
        raise LimitRefused("compression ratio of a zip bomb")
    seen: set[str] = set()
    out = ZipContents(untrusted_comment=zf.comment)
    for info in infos:
        if info.flag_bits & 0x1:
            raise EncryptedRefused("encrypted zip member")
        name = check_member_name(info.filename)
        key = name.rstrip("/").casefold()
        if key in seen:
            raise UnsupportedContentRefused("duplicate member name")
        seen.add(key)
        if _is_link(info):
            raise UnsupportedContentRefused("link inside archive")
        if info.file_size > _SMALL and info.file_size > limits.max_compression_ratio * max(
            info.compress_size, 1
        ):
            raise LimitRefused("compression ratio of a zip bomb")
        is_dir = name.endswith("/")
        data = b""
        if is_dir:
            if info.file_size:
                raise CorruptRefused("directory with data")
        else:
            with zf.open(info) as member:
                # The declared size bounds what is inflated; a member that
                # inflates to more or less than it declares is damaged.
                data = member.read(info.file_size + 1)
            if len(data) != info.file_size:
                raise CorruptRefused("member size differs from its header")
        out.members.append(
            ZipMember(
                name=name,
                data=data,
                is_dir=is_dir,
                untrusted_comment=info.comment,
                untrusted_extra=info.extra,
                date_time=info.date_time,
                external_attr=info.external_attr,
                compressed=info.compress_type != zipfile.ZIP_STORED,
            )
        )
    return out


def write_zip(members: list[tuple[str, bytes, bool]]) -> bytes:
    """A normalised zip of (name, data, compress) in the given order.

    Names ending in "/" are directories. Fixed time, fixed permissions,
    Unix as the creating system, no extra fields, no comments.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, compress in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.create_system = 3
            if name.endswith("/"):
                info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
                info.compress_type = zipfile.ZIP_STORED
                zf.writestr(info, b"")
                continue
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            zf.writestr(info, data, compresslevel=6 if compress else None)
    return buf.getvalue()


def is_normalised(member: ZipMember) -> bool:
    """Whether a member already carries only what ``write_zip`` writes."""
    return (
        member.date_time == FIXED_DATE_TIME
        and not member.untrusted_extra
        and not member.untrusted_comment
    )


def describe_time(date_time: tuple[int, int, int, int, int, int]) -> str:
    y, mo, d, h, mi, s = date_time
    return f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}"
