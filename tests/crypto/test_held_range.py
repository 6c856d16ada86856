"""A held range: bytes whose final value is known only after the rest is streamed.

The bundle writer streams a part whose manifest (with every file's hash)
comes first; the manifest's chunks are held and sealed last. These tests
check that the patched file is an ordinary age file (ours and the age CLI
open it), that a held chunk is never sealed with the placeholder (a second
seal under the same nonce would leak the plaintext), and that misuse fails.
"""

from __future__ import annotations

import io
import random
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto.age import Encryptor, decrypt_bytes
from crypto.errors import CryptoError
from crypto.recipients.x25519 import X25519Identity
from crypto.stream import CHUNK_SIZE, ENC_CHUNK_SIZE, NONCE_SIZE

IDENTITY = X25519Identity(bytes(range(32)))
RECIPIENTS = [IDENTITY.recipient()]
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _held_file(plain: bytes, start: int, end: int, workers: int,
               cuts: list[int]) -> tuple[bytes, bytes, int, int]:
    """Encrypt ``plain`` with zeros in place of start:end, held; return the file
    before and after patching, and the offset and length of the held chunks."""
    placeholder = plain[:start] + bytes(end - start) + plain[end:]
    out = io.BytesIO()
    enc = Encryptor(out, RECIPIENTS, workers=workers)
    enc.hold(start, end)
    pos = 0
    for cut in [*cuts, len(placeholder)]:
        enc.write(placeholder[pos : max(pos, cut)])
        pos = max(pos, cut)
    enc.close()
    before = out.getvalue()
    offset, sealed = enc.seal_held(plain[start:end])
    after = bytearray(before)
    after[offset : offset + len(sealed)] = sealed
    return before, bytes(after), offset, len(sealed)


sizes = st.builds(lambda k, d: max(1, k * CHUNK_SIZE + d),
                  st.sampled_from([0, 1, 2, 3, 64, 65, 130]), st.integers(-2, 2))


@SETTINGS
@given(size=sizes, seed=st.integers(0, 2**32), workers=st.sampled_from([1, 2, 3]),
       data=st.data())
def test_patched_file_opens_to_the_final_bytes(size: int, seed: int, workers: int,
                                               data: st.DataObject) -> None:
    plain = random.Random(seed).randbytes(size)
    start = data.draw(st.integers(0, size - 1))
    end = data.draw(st.integers(start + 1, min(size, start + 3 * CHUNK_SIZE)))
    cuts = sorted(data.draw(st.lists(st.integers(0, size), max_size=5)))
    before, after, offset, held_len = _held_file(plain, start, end, workers, cuts)
    assert decrypt_bytes(after, [IDENTITY]) == plain
    chunks = (end - 1) // CHUNK_SIZE - start // CHUNK_SIZE + 1
    assert held_len <= chunks * ENC_CHUNK_SIZE
    # Where the held chunks sit there were only zeros: nothing was sealed there.
    assert before[offset : offset + held_len] == bytes(held_len)
    # The rest of the file is untouched by the patch.
    assert before[:offset] == after[:offset]
    assert before[offset + held_len :] == after[offset + held_len :]
    with pytest.raises(CryptoError):
        decrypt_bytes(before, [IDENTITY])  # zeros never authenticate


def test_age_cli_opens_a_patched_file(tmp_path: Path, age_bin: str) -> None:
    size = 5 * CHUNK_SIZE + 77
    plain = random.Random(7).randbytes(size)
    _before, after, _offset, _n = _held_file(plain, 100, 2 * CHUNK_SIZE + 5, 2, [3000, 9 * 4096])
    key = tmp_path / "key.txt"
    key.write_text(str(IDENTITY) + "\n")
    part = tmp_path / "p.age"
    part.write_bytes(after)
    got = subprocess.run([age_bin, "-d", "-i", str(key), str(part)], capture_output=True,
                         check=True, timeout=60).stdout
    assert got == plain


def test_held_chunk_is_last_of_a_short_stream() -> None:
    plain = b"manifest: to be filled in"
    _b, after, offset, _n = _held_file(plain, 10, len(plain), 1, [])
    assert offset > NONCE_SIZE
    assert decrypt_bytes(after, [IDENTITY]) == plain


def test_misuse_is_refused() -> None:
    out = io.BytesIO()
    enc = Encryptor(out, RECIPIENTS, workers=1)
    enc.write(b"x" * 10)
    with pytest.raises(ValueError):
        enc.hold(5, 20)  # byte 5 was written already
    enc.hold(10, 20)
    with pytest.raises(ValueError):
        enc.hold(30, 40)  # one range per stream
    enc.write(bytes(20))
    with pytest.raises(ValueError):
        enc.seal_held(bytes(10))  # not closed yet
    enc.close()
    with pytest.raises(ValueError):
        enc.seal_held(bytes(9))  # wrong length
    offset, sealed = enc.seal_held(b"y" * 10)
    with pytest.raises(ValueError):
        enc.seal_held(b"y" * 10)  # only once: a second seal would reuse the nonce
    data = bytearray(out.getvalue())
    data[offset : offset + len(sealed)] = sealed
    assert decrypt_bytes(bytes(data), [IDENTITY]) == b"x" * 10 + b"y" * 10 + bytes(10)


def test_armor_refuses_a_held_range() -> None:
    enc = Encryptor(io.BytesIO(), RECIPIENTS, armor=True, workers=1)
    with pytest.raises(ValueError):
        enc.hold(0, 10)
    enc.abort()


def test_range_past_the_end_of_the_stream_is_refused() -> None:
    enc = Encryptor(io.BytesIO(), RECIPIENTS, workers=1)
    enc.hold(100, 200)
    enc.write(bytes(50))
    enc.close()
    with pytest.raises(ValueError):
        enc.seal_held(bytes(100))
