"""ASCII armor: the writer's exact layout and the reader's strictness."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import errors
from crypto.armor import ArmorReader, ArmorWriter


def _armor(data: bytes) -> bytes:
    out = io.BytesIO()
    writer = ArmorWriter(out)
    writer.write(data)
    writer.close()
    return out.getvalue()


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=5000))
def test_layout_and_round_trip(data: bytes) -> None:
    text = _armor(data)
    lines = text.split(b"\n")
    assert lines[0] == b"-----BEGIN AGE ENCRYPTED FILE-----"
    assert lines[-2:] == [b"-----END AGE ENCRYPTED FILE-----", b""]
    body = lines[1:-2]
    assert all(len(line) == 64 for line in body[:-1])
    assert not body or 0 < len(body[-1]) <= 64
    assert ArmorReader(io.BytesIO(text)).read() == data  # type: ignore[arg-type]
    crlf = b"\n \t" + text.replace(b"\n", b"\r\n") + b"\r\n\n  "
    assert ArmorReader(io.BytesIO(crlf)).read() == data  # type: ignore[arg-type]


GOOD = _armor(bytes(range(100)))


@pytest.mark.parametrize("bad", [
    GOOD.replace(b"-----BEGIN AGE", b"-----BEGIN age"),
    GOOD + b"trailing",
    b"junk\n" + GOOD,
    GOOD.replace(b"\n-----END", b"\n\n-----END"),
    GOOD.replace(b"FILE-----\n", b"FILE-----\n\n", 1),
    GOOD.replace(b"\n", b" \n", 2),
    GOOD.replace(b"==", b""),
    GOOD[: GOOD.index(b"-----END")],
])
def test_malformed_armor_rejected(bad: bytes) -> None:
    with pytest.raises(errors.ArmorError):
        ArmorReader(io.BytesIO(bad)).read()  # type: ignore[arg-type]
