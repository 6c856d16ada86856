"""Property tests of the payload: round trips at chunk boundaries, tampering detected."""

from __future__ import annotations

import io
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto import errors
from crypto.age import Decryptor, Encryptor, decrypt_bytes, encrypt_bytes
from crypto.header import read_header
from crypto.recipients.x25519 import X25519Identity
from crypto.stream import CHUNK_SIZE, ENC_CHUNK_SIZE, NONCE_SIZE

IDENTITY = X25519Identity(bytes(range(32)))
RECIPIENTS = [IDENTITY.recipient()]
SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Sizes at and around chunk boundaries (and the batch boundary of two workers).
boundary_sizes = st.builds(
    lambda k, delta: max(0, k * CHUNK_SIZE + delta),
    st.sampled_from([0, 1, 2, 3, 64, 65]),
    st.integers(min_value=-2, max_value=2),
)


def _data(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _payload_offset(ciphertext: bytes) -> int:
    buf = io.BytesIO(ciphertext)
    read_header(buf)
    return buf.tell() + NONCE_SIZE


def _released(ciphertext: bytes, workers: int) -> tuple[bytes, errors.CryptoError | None]:
    out = bytearray()
    try:
        with Decryptor(io.BytesIO(ciphertext), [IDENTITY], workers=workers) as dec:
            for chunk in dec.chunks():
                out += chunk
    except errors.CryptoError as exc:
        return bytes(out), exc
    return bytes(out), None


@SETTINGS
@given(size=boundary_sizes, seed=st.integers(0, 2**32), workers=st.sampled_from([1, 2, 3]),
       cuts=st.lists(st.integers(1, 3 * CHUNK_SIZE), max_size=8))
def test_round_trip_any_write_pattern(size: int, seed: int, workers: int, cuts: list[int]) -> None:
    plaintext = _data(size, seed)
    out = io.BytesIO()
    with Encryptor(out, RECIPIENTS, workers=workers) as enc:
        pos = 0
        for cut in cuts:
            enc.write(plaintext[pos : pos + cut])
            pos += cut
        enc.write(plaintext[pos:])
    ciphertext = out.getvalue()
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert len(ciphertext) - _payload_offset(ciphertext) == size + 16 * chunks
    released, error = _released(ciphertext, workers)
    assert error is None
    assert released == plaintext
    with Decryptor(io.BytesIO(ciphertext), [IDENTITY]) as dec:
        parts = []
        while piece := dec.read(random.Random(seed).randint(1, 100_000)):
            parts.append(piece)
    assert b"".join(parts) == plaintext


@SETTINGS
@given(size=boundary_sizes, seed=st.integers(0, 2**32), armor=st.booleans())
def test_round_trip_copy_from(size: int, seed: int, armor: bool) -> None:
    plaintext = _data(size, seed)
    out = io.BytesIO()
    with Encryptor(out, RECIPIENTS, armor=armor, workers=2) as enc:
        assert enc.copy_from(io.BytesIO(plaintext)) == size
    assert decrypt_bytes(out.getvalue(), [IDENTITY]) == plaintext


@SETTINGS
@given(size=boundary_sizes.filter(lambda n: n > 0), seed=st.integers(0, 2**32),
       where=st.floats(0, 1, exclude_max=True), workers=st.sampled_from([1, 2]))
def test_truncation_detected(size: int, seed: int, where: float, workers: int) -> None:
    ciphertext = encrypt_bytes(_data(size, seed), RECIPIENTS)
    start = _payload_offset(ciphertext)
    cut = start + int(where * (len(ciphertext) - start))
    released, error = _released(ciphertext[:cut], workers)
    assert isinstance(error, errors.PayloadError)
    plaintext = _data(size, seed)
    assert plaintext.startswith(released)
    assert len(released) < size  # never the whole plaintext
    # Only whole chunks that were entirely present can have been released.
    assert len(released) <= (cut - start) // ENC_CHUNK_SIZE * CHUNK_SIZE


@SETTINGS
@given(chunks=st.integers(2, 5), tail=st.integers(0, CHUNK_SIZE - 1), seed=st.integers(0, 2**32),
       data=st.data())
def test_chunk_swap_detected(chunks: int, tail: int, seed: int, data: st.DataObject) -> None:
    size = (chunks - 1) * CHUNK_SIZE + max(tail, 1)
    plaintext = _data(size, seed)
    ciphertext = bytearray(encrypt_bytes(plaintext, RECIPIENTS))
    start = _payload_offset(bytes(ciphertext))
    full = chunks - 1  # the full-size chunks can trade places
    if full < 2:
        i, j = 0, 0
    else:
        i = data.draw(st.integers(0, full - 2))
        j = data.draw(st.integers(i + 1, full - 1))
    if i == j:
        return
    a = slice(start + i * ENC_CHUNK_SIZE, start + (i + 1) * ENC_CHUNK_SIZE)
    b = slice(start + j * ENC_CHUNK_SIZE, start + (j + 1) * ENC_CHUNK_SIZE)
    ciphertext[a], ciphertext[b] = ciphertext[b], ciphertext[a]
    released, error = _released(bytes(ciphertext), 2)
    assert isinstance(error, errors.PayloadError)
    assert released == plaintext[: i * CHUNK_SIZE]


@SETTINGS
@given(size=boundary_sizes, seed=st.integers(0, 2**32),
       trailing=st.binary(min_size=1, max_size=ENC_CHUNK_SIZE + 20))
def test_trailing_data_detected(size: int, seed: int, trailing: bytes) -> None:
    plaintext = _data(size, seed)
    released, error = _released(encrypt_bytes(plaintext, RECIPIENTS) + trailing, 2)
    assert isinstance(error, errors.PayloadError)
    assert plaintext.startswith(released)


@SETTINGS
@given(size=st.integers(0, 3 * CHUNK_SIZE), seed=st.integers(0, 2**32), data=st.data())
def test_any_bit_flip_detected(size: int, seed: int, data: st.DataObject) -> None:
    plaintext = _data(size, seed)
    ciphertext = bytearray(encrypt_bytes(plaintext, RECIPIENTS))
    payload_offset = _payload_offset(bytes(ciphertext))
    position = data.draw(st.integers(0, len(ciphertext) - 1))
    ciphertext[position] ^= 1 << data.draw(st.integers(0, 7))
    released, error = _released(bytes(ciphertext), 2)
    assert error is not None
    assert plaintext.startswith(released)
    if position >= payload_offset:
        assert isinstance(error, errors.PayloadError)


def test_reads_from_a_pipe_with_short_reads() -> None:
    """Sources that return fewer bytes than asked (pipes, sockets) still work."""

    class Trickle(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b: memoryview) -> int:  # type: ignore[override]
            piece = self._data.read(min(len(b), 777))
            b[: len(piece)] = piece
            return len(piece)

    plaintext = _data(5 * CHUNK_SIZE + 3, 7)
    ciphertext = encrypt_bytes(plaintext, RECIPIENTS)
    with Decryptor(Trickle(ciphertext), [IDENTITY]) as dec:  # type: ignore[arg-type]
        assert dec.read() == plaintext
    out = io.BytesIO()
    with Encryptor(out, RECIPIENTS) as enc:
        enc.copy_from(Trickle(plaintext))  # type: ignore[arg-type]
    assert decrypt_bytes(out.getvalue(), [IDENTITY]) == plaintext


def test_encryptor_refuses_writes_after_close() -> None:
    enc = Encryptor(io.BytesIO(), RECIPIENTS)
    enc.close()
    with pytest.raises(ValueError):
        enc.write(b"late")


def test_worker_threads_are_joined_on_close_and_on_failure() -> None:
    import threading

    before = threading.active_count()
    plaintext = _data(9 * CHUNK_SIZE, 3)
    out = io.BytesIO()
    with Encryptor(out, RECIPIENTS, workers=3) as enc:
        enc.write(plaintext)
    assert threading.active_count() == before
    damaged = bytearray(out.getvalue())
    damaged[-100] ^= 1
    with (
        pytest.raises(errors.PayloadError),
        Decryptor(io.BytesIO(bytes(damaged)), [IDENTITY], workers=3) as dec,
    ):
        dec.read()
    assert threading.active_count() == before
    # Closed before reading anything: nothing left running either.
    Decryptor(io.BytesIO(out.getvalue()), [IDENTITY], workers=3).close()
    assert threading.active_count() == before
