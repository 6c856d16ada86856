"""age v1 encryption and decryption over file objects, in constant memory.

``Encryptor``/``Decryptor`` are file-like; ``encrypt_stream``/``decrypt_stream``
pump one stream into another; ``encrypt_bytes``/``decrypt_bytes`` are for small
data. Armored input is recognised on decryption by its begin line.

Decryption hands out plaintext only from chunks that authenticated, in order,
and raises when authentication stops; a caller that must not act on a partial
result discards what it received when an exception is raised.
"""

from __future__ import annotations

import io
import os
from collections.abc import Generator, Iterator, Sequence
from types import TracebackType
from typing import BinaryIO, Protocol, Self

from crypto.armor import BEGIN, ArmorReader, ArmorWriter
from crypto.errors import HeaderError, HmacError, NoIdentityMatchError
from crypto.header import Header, compute_mac, hkdf_sha256, read_header, verify_mac
from crypto.recipients import check_mix
from crypto.recipients.base import Identity, Recipient
from crypto.recipients.scrypt import STANZA_TYPE as SCRYPT_TYPE
from crypto.stream import (
    NONCE_SIZE,
    ByteSink,
    ByteSource,
    StreamReader,
    StreamWriter,
    read_full,
    read_into,
)

FILE_KEY_SIZE = 16
_WHITESPACE = b" \t\r\n"
_SNIFF_SIZE = 1024
VERSION_PREFIX = b"age-encryption.org/"


class _Source(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...
    def readline(self, size: int = -1, /) -> bytes: ...


class _Replay:
    """``src`` with some already-read bytes put back in front of it."""

    def __init__(self, prefix: bytes, src: _Source) -> None:
        self._prefix = prefix
        self._src = src

    def read(self, size: int = -1, /) -> bytes:
        if not self._prefix:
            return self._src.read(size)
        if size is None or size < 0:
            out, self._prefix = self._prefix + self._src.read(), b""
            return out
        out, self._prefix = self._prefix[:size], self._prefix[size:]
        if len(out) < size:
            out += self._src.read(size - len(out))
        return out

    def readline(self, size: int = -1, /) -> bytes:
        if not self._prefix:
            return self._src.readline(size)
        end = self._prefix.find(b"\n") + 1 or len(self._prefix)
        if size is not None and size >= 0:
            end = min(end, size)
        out, self._prefix = self._prefix[:end], self._prefix[end:]
        if not out.endswith(b"\n") and not self._prefix:
            out += self._src.readline(-1 if size is None or size < 0 else size - len(out))
        return out

    def readinto(self, view: memoryview, /) -> int:
        if self._prefix:
            data = self.read(len(view))
            view[: len(data)] = data
            return len(data)
        return read_into(self._src, view)


def _unarmor_if_needed(src: _Source) -> _Source:
    """Look past leading whitespace; an armor begin line means armored input."""
    head = b""
    while True:
        more = src.read(_SNIFF_SIZE)
        head += more
        stripped = head.lstrip(_WHITESPACE)
        if not more or len(stripped) >= _SNIFF_SIZE or len(head) > (1 << 20):
            break
    replay = _Replay(head, src)
    # Armor, or something that is not an age header but holds an armor begin
    # line (junk in front of armor is an armor failure, not a header failure).
    if stripped.startswith(b"-----") or (
        not stripped.startswith(VERSION_PREFIX) and BEGIN in stripped[:_SNIFF_SIZE]
    ):
        return ArmorReader(replay)  # type: ignore[arg-type]
    return replay


def _file_key(header: Header, identities: Sequence[Identity]) -> bytes:
    if any(s.type == SCRYPT_TYPE for s in header.stanzas) and len(header.stanzas) != 1:
        raise HeaderError("an scrypt stanza must be alone in the header")
    for identity in identities:
        file_key = identity.unwrap(header.stanzas)
        if file_key is None:
            continue
        if len(file_key) != FILE_KEY_SIZE:
            raise HeaderError("the file key is not 16 bytes")
        return file_key
    raise NoIdentityMatchError()


class _AgeStream:
    """What Encryptor and Decryptor share as file objects: an idempotent ``close``
    behind a ``closed`` flag, and the with-statement, which closes on success and
    calls ``_close_after_error`` when the block raised."""

    _closed: bool

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        raise NotImplementedError

    def _close_after_error(self) -> None:
        self.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._close_after_error()


class Encryptor(_AgeStream):
    """A writable binary stream that encrypts to ``recipients`` into ``dst``.

    ``close()`` writes the last chunk (and the armor end line); it does not
    close ``dst``. Work is spread over a private thread pool, joined on close.
    """

    def __init__(
        self,
        dst: BinaryIO,
        recipients: Sequence[Recipient],
        *,
        armor: bool = False,
        workers: int | None = None,
    ) -> None:
        recipients = list(recipients)
        check_mix(recipients)
        file_key = os.urandom(FILE_KEY_SIZE)
        stanzas = tuple(s for r in recipients for s in r.wrap(file_key))
        header = Header(stanzas, compute_mac(file_key, stanzas))
        self._armor = ArmorWriter(dst) if armor else None
        out: ByteSink = self._armor if self._armor is not None else dst
        nonce = os.urandom(NONCE_SIZE)
        prefix = header.serialize() + nonce
        out.write(prefix)
        self._payload_offset = len(prefix)
        key = hkdf_sha256(file_key, nonce, b"payload")
        self._stream = StreamWriter(key, out, workers=workers)
        self._closed = False

    def write(self, data: bytes | bytearray | memoryview) -> int:
        return self._stream.write(data)

    def copy_from(self, src: ByteSource) -> int:
        """Encrypt everything ``src`` holds, reading straight into the chunk buffers."""
        return self._stream.copy_from(src)

    def writable(self) -> bool:
        return True

    def hold(self, start: int, end: int) -> None:
        """Keep plaintext bytes ``start:end`` open until after ``close``.

        Their chunks are written as zeros; ``seal_held`` later gives the
        ciphertext of the final bytes, which the caller writes over the zeros
        (see ``StreamWriter.hold``). Not with armor, whose text cannot be
        patched in place.
        """
        if self._armor is not None:
            raise ValueError("a held range needs binary output")
        self._stream.hold(start, end)

    def seal_held(self, data: bytes | bytearray | memoryview) -> tuple[int, bytes]:
        """After close: the file offset and ciphertext of the held chunks."""
        offset, sealed = self._stream.seal_held(data)
        return self._payload_offset + offset, sealed

    def flush(self) -> None:
        """Chunks are written as they are sealed; nothing else is buffered."""

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stream.close()
        if self._armor is not None:
            self._armor.close()

    def abort(self) -> None:
        """Stop without writing the last chunk (the output is then invalid)."""
        self._closed = True
        self._stream.abort()

    def _close_after_error(self) -> None:
        # No last chunk after a failure: the output must not authenticate as complete.
        self.abort()


class Decryptor(_AgeStream):
    """A readable binary stream of the plaintext of an age file read from ``src``.

    The header is read and authenticated in the constructor (raising
    HeaderError, ArmorError, NoIdentityMatchError or HmacError); ``read``
    raises PayloadError (or ArmorError) where the payload stops authenticating,
    after handing out every chunk before that point.
    """

    def __init__(
        self,
        src: BinaryIO,
        identities: Sequence[Identity],
        *,
        workers: int | None = None,
    ) -> None:
        source = _unarmor_if_needed(src)
        header = read_header(source)  # type: ignore[arg-type]
        file_key = _file_key(header, identities)
        if not verify_mac(file_key, header):
            raise HmacError()
        nonce = read_full(source, NONCE_SIZE)
        if len(nonce) != NONCE_SIZE:
            raise HeaderError("the payload nonce is truncated")
        key = hkdf_sha256(file_key, nonce, b"payload")
        self._reader = StreamReader(key, source, workers=workers)
        self._views: Generator[memoryview, None, None] = self._reader.views()
        self._buf = b""
        self._closed = False

    def chunks(self) -> Iterator[bytes]:
        """The remaining plaintext, piece by piece, as it authenticates."""
        if self._buf:
            buf, self._buf = self._buf, b""
            yield buf
        for view in self._views:
            yield bytes(view)

    def copy_to(self, dst: ByteSink, *, flush: bool = False) -> int:
        """Write the remaining plaintext to ``dst`` as it authenticates; return the count.

        Avoids the copies of ``chunks``; with ``flush``, ``dst.flush()`` follows
        every write so a reader downstream sees plaintext as soon as it is final.
        """
        total = 0
        if self._buf:
            dst.write(self._buf)
            total, self._buf = len(self._buf), b""
        for view in self._views:
            dst.write(view)  # type: ignore[arg-type]
            total += len(view)
            if flush:
                dst.flush()  # type: ignore[attr-defined]
        return total

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(self.chunks())
        parts = [self._buf]
        have = len(self._buf)
        while have < size:
            view = next(self._views, None)
            if view is None:
                break
            parts.append(bytes(view))
            have += len(view)
        data = b"".join(parts)
        out, self._buf = data[:size], data[size:]
        return out

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._views.close()
        self._reader.close()


def encrypt_stream(
    src: BinaryIO,
    dst: BinaryIO,
    recipients: Sequence[Recipient],
    *,
    armor: bool = False,
) -> None:
    with Encryptor(dst, recipients, armor=armor) as enc:
        enc.copy_from(src)


def decrypt_stream(src: BinaryIO, dst: BinaryIO, identities: Sequence[Identity]) -> None:
    with Decryptor(src, identities) as dec:
        dec.copy_to(dst)


def encrypt_bytes(
    plaintext: bytes, recipients: Sequence[Recipient], *, armor: bool = False
) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(plaintext), out, recipients, armor=armor)
    return out.getvalue()


def decrypt_bytes(ciphertext: bytes, identities: Sequence[Identity]) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(ciphertext), out, identities)
    return out.getvalue()
