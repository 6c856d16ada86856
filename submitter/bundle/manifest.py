"""manifest.json: what a part holds, written first in every part.

The writer side builds it from trusted values; the opener parses
``untrusted_`` bytes with ``parse_manifest``, which checks every type, name
and number before anything is used. Removed metadata is listed by field and
category only, never by value: the identifying values stay on the source's
machine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from submitter.bundle.format import (
    FORMAT_NAME,
    MANIFEST_NAME,
    MAX_MANIFEST_BYTES,
    MAX_MESSAGE_CHARS,
    MAX_NAME_BYTES,
    MESSAGE_NAME,
    SCHEMA_VERSION,
    SEGMENT_SUFFIX_WIDTH,
)
from submitter.errors import SubmitterError
from submitter.sanitize import sanitize


class ManifestError(SubmitterError):
    message = "The bundle's list of contents is missing or malformed, so it was not opened."


_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_KIND = re.compile(r"[a-z0-9]{1,16}")
_FORBIDDEN_NAME_CHARS = frozenset('/\\:*?"<>|\x00')
_RESERVED = frozenset({MANIFEST_NAME, MESSAGE_NAME})
MAX_FILES_PER_PART = 100_000
MAX_LIST_ITEMS = 1_000
MAX_TEXT = 2_000


@dataclass(frozen=True, slots=True)
class Removed:
    field: str
    category: str


@dataclass(frozen=True, slots=True)
class Segment:
    index: int  # 1-based
    count: int
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class FileEntry:
    name: str  # final name of the file in the output folder
    kind: str
    size: int  # of the whole file
    sha256: str  # of the whole file
    removed: tuple[Removed, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    lossless: bool = True
    segment: Segment | None = None

    @property
    def member(self) -> str:
        """Name of this entry's tar member."""
        if self.segment is None:
            return self.name
        return f"{self.name}.seg{self.segment.index:0{SEGMENT_SUFFIX_WIDTH}d}"

    @property
    def member_size(self) -> int:
        return self.size if self.segment is None else self.segment.length


@dataclass(frozen=True, slots=True)
class Manifest:
    submission_id: str
    part_index: int  # 1-based
    part_count: int
    message: str
    files: tuple[FileEntry, ...] = field(default_factory=tuple)

    def to_json(self) -> bytes:
        return json.dumps(_to_obj(self), ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")).encode("utf-8")


def _to_obj(m: Manifest) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "schema": SCHEMA_VERSION,
        "submission_id": m.submission_id,
        "part": {"index": m.part_index, "count": m.part_count},
        "message": m.message,
        "files": [_entry_obj(f) for f in m.files],
    }


def _entry_obj(f: FileEntry) -> dict[str, Any]:
    return {
        "name": f.name,
        "type": f.kind,
        "size": f.size,
        "sha256": f.sha256,
        "removed": [{"field": r.field, "category": r.category} for r in f.removed],
        "notes": list(f.notes),
        "warnings": list(f.warnings),
        "lossless": f.lossless,
        "segment": None if f.segment is None else {
            "index": f.segment.index, "count": f.segment.count,
            "offset": f.segment.offset, "length": f.segment.length,
        },
    }


# --- validation of untrusted manifests (the opener) ---

def is_safe_name(name: str) -> bool:
    """A plain file name: no paths, controls, bidi tricks, dot files or reserved names."""
    if not name or name in (".", "..") or name in _RESERVED:
        return False
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return False
    if any(c in _FORBIDDEN_NAME_CHARS for c in name):
        return False
    if sanitize(name, max_len=MAX_NAME_BYTES + 1) != name:
        return False
    return name[0].isalnum() and name == name.strip() and not name.endswith(".")


def _req(obj: dict[str, Any], key: str, typ: type) -> Any:
    if key not in obj:
        raise ManifestError(f"missing {key}")
    value = obj[key]
    if typ is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ManifestError(f"{key} not an integer")
    elif not isinstance(value, typ):
        raise ManifestError(f"{key} has the wrong type")
    return value


def _keys(obj: Any, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(obj, dict) or set(obj) != allowed:
        raise ManifestError("unexpected or missing keys")
    return obj


def _text_list(untrusted: Any, name: str) -> tuple[str, ...]:
    if not isinstance(untrusted, list) or len(untrusted) > MAX_LIST_ITEMS:
        raise ManifestError(f"{name} is not a short list")
    out = []
    for item in untrusted:
        if not isinstance(item, str) or len(item) > MAX_TEXT:
            raise ManifestError(f"{name} item is not short text")
        out.append(item)
    return tuple(out)


_MAX_SIZE = 1 << 50  # 1 PiB: larger numbers are refused outright


def _size(value: int, key: str, minimum: int = 0) -> int:
    if not minimum <= value <= _MAX_SIZE:
        raise ManifestError(f"{key} out of range")
    return value


def _parse_entry(untrusted: Any) -> FileEntry:
    obj = _keys(untrusted, frozenset({"name", "type", "size", "sha256", "removed", "notes",
                                      "warnings", "lossless", "segment"}))
    name = _req(obj, "name", str)
    if not is_safe_name(name):
        raise ManifestError("unsafe file name")
    kind = _req(obj, "type", str)
    if not _KIND.fullmatch(kind):
        raise ManifestError("bad type")
    sha = _req(obj, "sha256", str)
    if not _HEX64.fullmatch(sha):
        raise ManifestError("bad sha256")
    size = _size(_req(obj, "size", int), "size")
    removed_raw = obj["removed"]
    if not isinstance(removed_raw, list) or len(removed_raw) > MAX_LIST_ITEMS:
        raise ManifestError("removed is not a short list")
    removed = []
    for r in removed_raw:
        r = _keys(r, frozenset({"field", "category"}))
        fld, cat = _req(r, "field", str), _req(r, "category", str)
        if len(fld) > MAX_TEXT or len(cat) > MAX_TEXT:
            raise ManifestError("removed item too long")
        removed.append(Removed(fld, cat))
    lossless = _req(obj, "lossless", bool)
    seg_raw = obj["segment"]
    segment = None
    if seg_raw is not None:
        s = _keys(seg_raw, frozenset({"index", "count", "offset", "length"}))
        count = _size(_req(s, "count", int), "count", 2)
        index = _size(_req(s, "index", int), "index", 1)
        offset = _size(_req(s, "offset", int), "offset")
        length = _size(_req(s, "length", int), "length", 1)
        if count > 10**SEGMENT_SUFFIX_WIDTH - 1 or index > count or offset + length > size:
            raise ManifestError("segment out of range")
        segment = Segment(index, count, offset, length)
    return FileEntry(name, kind, size, sha, tuple(removed), _text_list(obj["notes"], "notes"),
                     _text_list(obj["warnings"], "warnings"), lossless, segment)


def parse_manifest(untrusted_data: bytes) -> Manifest:
    """Validate a manifest read from a part; raises ManifestError."""
    if len(untrusted_data) > MAX_MANIFEST_BYTES:
        raise ManifestError("manifest too large")
    try:
        untrusted = json.loads(untrusted_data.decode("utf-8"),
                               parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ManifestError("not JSON") from exc
    obj = _keys(untrusted, frozenset({"format", "schema", "submission_id", "part",
                                      "message", "files"}))
    if obj["format"] != FORMAT_NAME:
        raise ManifestError("not a submitter bundle")
    if _req(obj, "schema", int) != SCHEMA_VERSION:
        raise ManifestError("unsupported schema version")
    sub_id = _req(obj, "submission_id", str)
    if not _HEX32.fullmatch(sub_id):
        raise ManifestError("bad submission id")
    part = _keys(obj["part"], frozenset({"index", "count"}))
    count = _size(_req(part, "count", int), "part count", 1)
    index = _size(_req(part, "index", int), "part index", 1)
    if index > count or count > 1_000_000:
        raise ManifestError("part index out of range")
    message = _req(obj, "message", str)
    if len(message) > MAX_MESSAGE_CHARS:
        raise ManifestError("message too long")
    files_raw = _req(obj, "files", list)
    if len(files_raw) > MAX_FILES_PER_PART:
        raise ManifestError("too many files")
    files = tuple(_parse_entry(f) for f in files_raw)
    members = [f.member for f in files]
    names = [f.name for f in files]
    if len(set(members)) != len(members) or len(set(names)) != len(names):
        raise ManifestError("duplicate names")
    return Manifest(sub_id, index, count, message, files)


def _reject_constant(token: str) -> Any:
    raise ValueError(f"non-standard JSON constant {token}")
