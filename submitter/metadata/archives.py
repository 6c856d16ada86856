"""ZIP and TAR archives, cleaned member by member through the engine.

Every member is detected from its content (its name's ending must agree) and
cleaned in memory by the cleaner for its kind, one nesting level deeper; a
member that cannot be cleaned refuses the whole archive. Member names are
kept (the source chose them; the report warns), but times, owners, groups,
permissions, extra fields, extended attributes and comments are replaced by
fixed values. Links, devices, sparse files, names that climb out of the
archive, too many members, too much data and zip bombs are refused.
"""

from __future__ import annotations

import dataclasses
import io
import posixpath
import tarfile

from submitter.metadata.cleaner import register
from submitter.metadata.container import Survey, SurveyCleaner, clean_inner, inspect_inner
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CorruptRefused,
    LimitRefused,
    Limits,
    UnsupportedContentRefused,
)
from submitter.metadata.source import Source
from submitter.metadata.ziputil import (
    FIXED_DATE_TIME,
    check_member_name,
    describe_time,
    read_zip,
    write_zip,
)

_NAMES_WARNING = (
    "The names of the files and folders inside the archive are kept as they are; "
    "a name can identify you (your name, a place, a date)."
)
# PAX records tarfile itself writes for long or non-ASCII names: not metadata.
_PAX_NEUTRAL = frozenset({"path", "linkpath", "size"})
_TAR_BLOCK = 512


def _inner_limits(limits: Limits, used: int) -> Limits:
    """What a nested file may still use: the bytes already held here count."""
    budget = min(limits.max_archive_total_bytes, limits.max_in_memory_bytes)
    left = budget - used
    if left <= 0:
        raise LimitRefused("archive contents too large")
    return dataclasses.replace(limits, max_in_memory_bytes=left, max_archive_total_bytes=left)


def _member(survey: Survey, name: str, data: bytes, limits: Limits, clean: bool) -> bytes:
    base = posixpath.basename(name)
    if clean:
        return clean_inner(survey, name, data, base, limits)
    inspect_inner(survey, name, data, base, limits)
    return b""


def _zip(src: Source, limits: Limits, clean: bool) -> tuple[Survey, bytes]:
    contents = read_zip(src, limits)
    survey = Survey()
    if contents.untrusted_comment:
        survey.add("Archive comment", contents.untrusted_comment.decode("utf-8", "replace"),
                   Category.HIDDEN_CONTENT)
    used = sum(len(m.data) for m in contents.members)
    inner = _inner_limits(limits, used)
    times = [m.date_time for m in contents.members if m.date_time != FIXED_DATE_TIME]
    if times:
        survey.add(f"Modification times of {len(times)} entries",
                   f"latest {describe_time(max(times))}", Category.TIME)
    if any(m.untrusted_extra for m in contents.members):
        survey.add("Extra fields", "exact times, owner ids or system details", Category.OTHER)
    out: list[tuple[str, bytes, bool]] = []
    for m in contents.members:
        if m.untrusted_comment:
            survey.add(f"{m.name} comment", m.untrusted_comment.decode("utf-8", "replace"),
                       Category.HIDDEN_CONTENT)
        if m.is_dir:
            out.append((m.name, b"", False))
            continue
        out.append((m.name, _member(survey, m.name, m.data, inner, clean), True))
    survey.warn(_NAMES_WARNING)
    return survey, write_zip(out) if clean else b""


def _tar_findings(survey: Survey, info: tarfile.TarInfo) -> None:
    if info.mtime:
        survey.add("Modification times", "times of the files in the archive", Category.TIME)
    if info.uname or info.gname:
        survey.add("Owner names", f"{info.uname} {info.gname}".strip(), Category.PERSON)
    if info.uid or info.gid:
        survey.add("Owner ids", f"{info.uid}:{info.gid}", Category.IDENTIFIER)
    extra = sorted(k for k in info.pax_headers if k not in _PAX_NEUTRAL)
    if extra:
        category = Category.TIME if all("time" in k for k in extra) else Category.HIDDEN_CONTENT
        survey.add("Extended attributes", ", ".join(extra)[:200], category)


def _tar(src: Source, limits: Limits, clean: bool) -> tuple[Survey, bytes]:
    data = src.read_all(min(limits.max_in_memory_bytes, limits.max_archive_total_bytes))
    survey = Survey()
    members: list[tuple[str, bytes | None]] = []
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tf:
            while True:
                info = tf.next()
                if info is None:
                    break
                if len(members) >= limits.max_archive_members:
                    raise LimitRefused("too many members")
                if info.issparse():
                    raise UnsupportedContentRefused("sparse file in archive")
                if not (info.isreg() or info.isdir()):
                    raise UnsupportedContentRefused("link or device in archive")
                raw = info.name
                while raw.startswith("./"):  # `tar -C dir -cf x.tar .` writes these
                    raw = raw[2:]
                if raw in ("", ".") and info.isdir():
                    continue
                name = check_member_name(raw + ("/" if info.isdir() else ""))
                _tar_findings(survey, info)
                if info.isdir():
                    members.append((name, None))
                    continue
                handle = tf.extractfile(info)
                if handle is None:
                    raise CorruptRefused("unreadable member")
                body = handle.read(info.size + 1)
                if len(body) != info.size:
                    raise CorruptRefused("member cut short")
                members.append((name, body))
            end = tf.offset
    except tarfile.TarError as exc:
        raise CorruptRefused(f"tar: {type(exc).__name__}") from exc
    # tarfile stops quietly at a missing header: an archive cut between two
    # members would look whole. A complete one ends with two zero blocks.
    if data[end : end + 2 * _TAR_BLOCK] != bytes(2 * _TAR_BLOCK):
        raise CorruptRefused("tar archive ends early")
    seen: set[str] = set()
    for name, _ in members:
        key = name.rstrip("/").casefold()
        if key in seen:
            raise UnsupportedContentRefused("duplicate member name")
        seen.add(key)
    inner = _inner_limits(limits, sum(len(b) for _, b in members if b is not None))
    cleaned: list[tuple[str, bytes | None]] = []
    for name, content in members:
        if content is None:
            cleaned.append((name, None))
        else:
            cleaned.append((name, _member(survey, name, content, inner, clean)))
    survey.warn(_NAMES_WARNING)
    return survey, _write_tar(cleaned) if clean else b""


def _write_tar(members: list[tuple[str, bytes | None]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT,
                      encoding="utf-8") as tf:
        for name, body in members:
            info = tarfile.TarInfo(name.rstrip("/"))
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if body is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tf.addfile(info)
            else:
                info.mode = 0o644
                info.size = len(body)
                tf.addfile(info, io.BytesIO(body))
    return buf.getvalue()


@register
class ArchiveCleaner(SurveyCleaner):
    name = "archives"
    kinds = frozenset({FileKind.ZIP, FileKind.TAR})

    def survey(self, src: Source, kind: FileKind, limits: Limits, *, clean: bool
               ) -> tuple[Survey, bytes]:
        survey, data = (_zip if kind is FileKind.ZIP else _tar)(src, limits, clean)
        if clean:
            survey.note("Times, owners and permissions of the files inside were reset.")
        return survey, data
