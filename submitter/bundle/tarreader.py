"""A strict, streaming reader for the tar inside a part (the opener's side).

It understands exactly what ``tarwriter`` produces: ustar regular files,
optionally preceded by a pax extended header carrying ``path``, ``size`` or
padding (a ``comment`` of "."s, streamed and checked, never buffered), then
the end-of-archive marker and nothing but zeros after it.
Everything else (links, devices, directories, fifos, GNU long names, global
headers, base-256 sizes, bad checksums, non-zero padding) is refused: a
hostile sender gets no parser surface it does not need.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from submitter.bundle.format import BLOCK
from submitter.bundle.tarwriter import PAD_FILL, PAD_KEYWORD
from submitter.errors import SubmitterError

MAX_PAX_BYTES = 64 * 1024
_TYPE_NAMES = {
    b"1": "a hard link", b"2": "a symbolic link", b"3": "a character device",
    b"4": "a block device", b"5": "a directory", b"6": "a named pipe (fifo)",
    b"7": "a contiguous file", b"g": "a global header", b"L": "a GNU long name",
    b"K": "a GNU long link", b"S": "a sparse file", b"V": "a volume label",
}


class TarFormatError(SubmitterError):
    message = "The bundle's contents are not in the expected format, so it was not opened."


class ForbiddenMemberError(TarFormatError):
    message = (
        "The bundle contains something other than plain files (such as a link or a "
        "device), which could harm this computer, so it was not opened."
    )


class TruncatedError(TarFormatError):
    message = "The bundle ends too early: it is incomplete or damaged."


class Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class MemberHeader:
    untrusted_name: str
    size: int


def _octal(field: bytes, what: str) -> int:
    if field[:1] and field[0] & 0x80:
        raise TarFormatError(f"base-256 {what}")
    text = field.split(b"\x00", 1)[0].strip(b" ")
    if not text:
        return 0
    if not all(48 <= c <= 55 for c in text):
        raise TarFormatError(f"bad octal {what}")
    return int(text, 8)


def _parse_pax(untrusted: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    while pos < len(untrusted):
        space = untrusted.find(b" ", pos, pos + 21)
        if space < 0:
            raise TarFormatError("bad pax record")
        length_txt = untrusted[pos:space]
        if not length_txt.isdigit():
            raise TarFormatError("bad pax length")
        length = int(length_txt)
        end = pos + length
        if length <= space - pos + 1 or end > len(untrusted) or untrusted[end - 1:end] != b"\n":
            raise TarFormatError("bad pax record length")
        key, sep, value = untrusted[space + 1 : end - 1].partition(b"=")
        if not sep:
            raise TarFormatError("bad pax record")
        try:
            k, v = key.decode("utf-8"), value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TarFormatError("pax record not UTF-8") from exc
        if k == PAD_KEYWORD and v.count(PAD_FILL.decode()) == len(v):
            pos = end
            continue  # padding: ignored, as POSIX says
        if k not in ("path", "size") or k in out:
            raise TarFormatError("unexpected pax record")
        out[k] = v
        pos = end
    return out


class TarReader:
    def __init__(self, src: Readable, max_padding: int = 1 << 30) -> None:
        self._src = src
        self._max_padding = max_padding
        self._remaining = 0  # data bytes left in the current member
        self._pad = 0  # block padding after the current member
        self.offset = 0

    def _read_exact(self, n: int) -> bytes:
        parts = []
        left = n
        while left:
            chunk = self._src.read(min(left, 1 << 20))
            if not chunk:
                raise TruncatedError(f"short read at {self.offset}")
            parts.append(chunk)
            left -= len(chunk)
        data = b"".join(parts)
        self.offset += n
        return data

    def next_member(self) -> MemberHeader | None:
        """The next member's header, or None at the end-of-archive marker."""
        if self._remaining or self._pad:
            raise TarFormatError("previous member not fully read")
        pax: dict[str, str] | None = None
        while True:
            block = self._read_exact(BLOCK)
            if block == bytes(BLOCK):
                if pax is not None:
                    raise TarFormatError("pax header without a member")
                if self._read_exact(BLOCK) != bytes(BLOCK):
                    raise TarFormatError("lone zero block")
                return None
            stored = _octal(block[148:156], "checksum")
            if stored != sum(block[:148]) + 8 * 32 + sum(block[156:]):
                raise TarFormatError("bad header checksum")
            if block[257:263] != b"ustar\x00" or block[263:265] != b"00":
                raise TarFormatError("not a POSIX ustar header")
            typeflag = block[156:157]
            size = _octal(block[124:136], "size")
            if typeflag == b"x":
                if pax is not None:
                    raise TarFormatError("two pax headers in a row")
                if size > MAX_PAX_BYTES:
                    self._skip_padding_record(size)
                    pax = {}
                else:
                    raw = self._read_exact(size)
                    self._read_exact(-size % BLOCK)
                    pax = _parse_pax(raw)
                continue
            if typeflag not in (b"0", b"\x00"):
                raise ForbiddenMemberError(_TYPE_NAMES.get(typeflag, "an unknown member type"))
            try:
                name = block[0:100].split(b"\x00", 1)[0].decode("utf-8")
                prefix = block[345:500].split(b"\x00", 1)[0].decode("utf-8")
            except UnicodeDecodeError as exc:
                raise TarFormatError("name not UTF-8") from exc
            if prefix:
                name = f"{prefix}/{name}"
            if pax is not None:
                name = pax.get("path", name)
                if "size" in pax:
                    if not pax["size"].isdigit() or len(pax["size"]) > 20:
                        raise TarFormatError("bad pax size")
                    size = int(pax["size"])
            self._remaining = size
            self._pad = -size % BLOCK
            return MemberHeader(name, size)

    def _skip_padding_record(self, size: int) -> None:
        """A large pax header may only be one padding record: streamed, checked."""
        if size > self._max_padding:
            raise TarFormatError("padding larger than the part")
        prefix = f"{size} {PAD_KEYWORD}=".encode()
        if self._read_exact(len(prefix)) != prefix:
            raise TarFormatError("large pax header that is not padding")
        left = size - len(prefix) - 1
        while left:
            chunk = self._read_exact(min(left, 1 << 20))
            if chunk.count(PAD_FILL) != len(chunk):
                raise TarFormatError("padding holds data")
            left -= len(chunk)
        if self._read_exact(1) != b"\n":
            raise TarFormatError("bad padding record")
        self._read_exact(-size % BLOCK)

    def read(self, n: int) -> bytes:
        """Up to ``n`` bytes of the current member's data (b"" at its end)."""
        n = min(n, self._remaining)
        if n <= 0:
            if self._pad:
                self._read_exact(self._pad)
                self._pad = 0
            return b""
        data = self._read_exact(n)
        self._remaining -= n
        if not self._remaining and self._pad:
            self._read_exact(self._pad)
            self._pad = 0
        return data

    def read_to_end_zeros(self, limit: int) -> int:
        """After the marker: read to EOF, all zeros, at most ``limit`` bytes."""
        total = 0
        while True:
            chunk = self._src.read(1 << 20)
            if not chunk:
                return total
            total += len(chunk)
            if total > limit:
                raise TarFormatError("too much padding")
            if chunk.count(0) != len(chunk):
                raise TarFormatError("data after the end of the archive")
