"""age's ASCII armor: a strict subset of PEM with type "AGE ENCRYPTED FILE".

Encoding: the begin line, canonical padded base64 in 64-column lines (the last
line 1 to 64 columns), the end line, LF endings. Decoding tolerates only what
the specification allows: whitespace before and after the whole block and
CRLF line endings; anything else is an ArmorError.
"""

from __future__ import annotations

import binascii
import re
from typing import BinaryIO

from crypto.errors import ArmorError

BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
END = b"-----END AGE ENCRYPTED FILE-----"
COLUMNS = 64
_BYTES_PER_LINE = COLUMNS // 4 * 3
_WHITESPACE = b" \t\r\n"
_LINE_RE = re.compile(rb"[A-Za-z0-9+/]*={0,2}")
_MAX_TRAILING = 1 << 20  # whitespace accepted after the end line
_READ_SIZE = 1 << 16
# A run of full lines; the lookahead keeps back the last full line before the
# end line, which the line-by-line path checks with what follows it.
_FULL_LINES_RE = re.compile(rb"(?:[A-Za-z0-9+/]{64}\r?\n)+(?=[A-Za-z0-9+/])")


class ArmorWriter:
    """Wraps ``dst``: bytes written are armored; ``close`` writes the end line."""

    def __init__(self, dst: BinaryIO) -> None:
        self._dst = dst
        self._pending = bytearray()
        self._closed = False
        dst.write(BEGIN + b"\n")

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._pending += data
        whole = len(self._pending) // (_BYTES_PER_LINE * 64) * (_BYTES_PER_LINE * 64)
        if whole:
            self._emit(bytes(self._pending[:whole]))
            del self._pending[:whole]
        return len(data)

    def _emit(self, block: bytes) -> None:
        encoded = binascii.b2a_base64(block, newline=False)
        lines = [encoded[i : i + COLUMNS] for i in range(0, len(encoded), COLUMNS)]
        self._dst.write(b"\n".join(lines) + b"\n")

    def flush(self) -> None:
        self._dst.flush()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._pending:
            self._emit(bytes(self._pending))
            self._pending.clear()
        self._dst.write(END + b"\n")


def _strip_eol(line: bytes) -> bytes:
    if line.endswith(b"\r\n"):
        return line[:-2]
    if line.endswith(b"\n"):
        return line[:-1]
    return line


class ArmorReader:
    """A readable stream of the bytes inside an armored age file.

    ``src`` must start at the armor (leading whitespace allowed). Each line is
    validated as it is read, so a damaged armor fails where it is damaged.
    Runs of full 64-column lines, the bulk of a big file, are checked and
    decoded in one pass.
    """

    def __init__(self, src: BinaryIO) -> None:
        self._src = src
        self._text = b""  # armored text read but not yet consumed
        self._src_eof = False
        self._buf = b""
        self._done = False
        self._skip_leading_whitespace()
        line, had_eol = self._readline()
        if _strip_eol(line) != BEGIN or not had_eol:
            raise ArmorError("missing or malformed armor begin line")

    def _fill(self) -> bool:
        if self._src_eof:
            return False
        more = self._src.read(_READ_SIZE)
        if not more:
            self._src_eof = True
            return False
        self._text += more
        return True

    def _skip_leading_whitespace(self) -> None:
        while True:
            stripped = self._text.lstrip(_WHITESPACE)
            if stripped:
                self._text = stripped
                return
            self._text = b""
            if not self._fill():
                raise ArmorError("empty input")

    def _readline(self) -> tuple[bytes, bool]:
        """The next line with its ending, and whether it had one."""
        limit = COLUMNS + 2
        while True:
            end = self._text.find(b"\n", 0, limit + 1)
            if end >= 0:
                line, self._text = self._text[: end + 1], self._text[end + 1 :]
                break
            if len(self._text) > limit:
                raise ArmorError("armor line too long")
            if not self._fill():
                line, self._text = self._text, b""
                break
        had_eol = line.endswith(b"\n")
        if b"\r" in _strip_eol(line):
            raise ArmorError("stray carriage return in armor")
        return line, had_eol

    def _next_data(self) -> bytes:
        """Decode the next armor line(s); b"" once the end line has been checked."""
        if self._done:
            return b""
        if len(self._text) < _READ_SIZE:
            self._fill()
        bulk = _FULL_LINES_RE.match(self._text)
        if bulk is not None:
            # Full lines only: valid alphabet, no padding, so always canonical.
            block, self._text = self._text[: bulk.end()], self._text[bulk.end() :]
            return binascii.a2b_base64(block)
        raw, had_eol = self._readline()
        line = _strip_eol(raw)
        if line == END:
            self._finish()
            return b""
        if not had_eol:
            raise ArmorError("armor ends without an end line")
        if not line or len(line) > COLUMNS or _LINE_RE.fullmatch(line) is None:
            raise ArmorError("malformed armor line")
        if len(line) % 4:
            raise ArmorError("armor base64 is not padded")
        try:
            data = binascii.a2b_base64(line, strict_mode=True)
        except binascii.Error:
            raise ArmorError("invalid armor base64") from None
        if binascii.b2a_base64(data, newline=False) != line:
            raise ArmorError("armor base64 is not canonical")
        if len(data) < _BYTES_PER_LINE:
            # A short (or padded) line must be the last one.
            end, _ = self._readline()
            if _strip_eol(end) != END:
                raise ArmorError("short armor line before the end")
            self._finish()
        return data

    def _finish(self) -> None:
        self._done = True
        rest = self._text + self._src.read(_MAX_TRAILING + 1)
        self._text = b""
        if len(rest) > _MAX_TRAILING or rest.strip(_WHITESPACE):
            raise ArmorError("data after the armor end line")

    def read(self, size: int = -1) -> bytes:
        parts = [self._buf]
        have = len(self._buf)
        while size is None or size < 0 or have < size:
            chunk = self._next_data()
            if not chunk:
                break
            parts.append(chunk)
            have += len(chunk)
        data = b"".join(parts)
        if size is None or size < 0:
            self._buf = b""
            return data
        out, self._buf = data[:size], data[size:]
        return out

    def readline(self, limit: int = -1) -> bytes:
        while b"\n" not in self._buf and (limit < 0 or len(self._buf) < limit):
            chunk = self._next_data()
            if not chunk:
                break
            self._buf += chunk
        end = self._buf.find(b"\n") + 1 or len(self._buf)
        if limit >= 0:
            end = min(end, limit)
        out, self._buf = self._buf[:end], self._buf[end:]
        return out
