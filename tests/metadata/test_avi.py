"""AVI: the contract, plus in-place blanking and hostile RIFF structures."""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from submitter.metadata import engine
from submitter.metadata.avi import AviCleaner
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CleanRefused,
    LimitRefused,
    UnsupportedContentRefused,
)
from submitter.metadata.source import Source
from tests.metadata import media_fixtures as mf
from tests.metadata.media_contract import InPlaceVideoContract


class TestAviContract(InPlaceVideoContract):
    kinds_covered: ClassVar[frozenset[FileKind]] = frozenset({FileKind.AVI})
    required_tags = ("Artist", "Software", "DateTimeOriginal")
    expected_categories = frozenset({Category.PERSON, Category.TIME, Category.SOFTWARE})

    def make_dirty(self, tmp_path: Path) -> Path:
        return mf.make_avi(tmp_path)


def _prepare(data: bytes) -> None:
    AviCleaner().prepare(Source.from_bytes(data), FileKind.AVI, engine.DEFAULT_LIMITS)


def _riff(form: bytes, body: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + form + body


def _chunk(cid: bytes, body: bytes) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")


def _list(ltype: bytes, body: bytes) -> bytes:
    return _chunk(b"LIST", ltype + body)


def test_stream_names_and_dates_blanked(tmp_path: Path) -> None:
    avi = mf.make_avi(tmp_path)
    data = avi.read_bytes()
    plan = engine.prepare(Source.from_path(avi), avi.name)
    out = io.BytesIO()
    plan.write_to(out)
    cleaned = out.getvalue()
    for secret in (b"Camera 3 corridor", b"John Doe", b"Lavf", b"third floor"):
        assert secret in data and secret not in cleaned, secret
    assert len(cleaned) == len(data)


def test_nested_lists_too_deep_refused() -> None:
    body = _chunk(b"avih", b"\x00" * 56)
    for _ in range(20):
        body = _list(b"hdrl", body)
    with pytest.raises(LimitRefused):
        _prepare(_riff(b"AVI ", body))


def test_chunk_past_end_refused() -> None:
    bad = b"LIST" + struct.pack("<I", 1 << 30) + b"hdrl"
    with pytest.raises(CleanRefused):
        _prepare(_riff(b"AVI ", bad))


def test_text_stream_refused() -> None:
    strl = _list(b"strl", _chunk(b"strh", b"txts" + b"\x00" * 52))
    with pytest.raises(UnsupportedContentRefused):
        _prepare(_riff(b"AVI ", _list(b"hdrl", _chunk(b"avih", b"\x00" * 56) + strl)))


@settings(max_examples=150, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=6),
       cut=st.integers(0, 1 << 20), head=st.booleans(),
       maker=st.sampled_from(["make_avi"]))
def test_fuzz_smoke(edits: list[tuple[int, int]], cut: int, head: bool, maker: str) -> None:
    data = mf.mutate(mf.seed_bytes(maker), edits, cut, head)
    kind = {"make_avi": FileKind.AVI}[maker]
    mf.exercise(AviCleaner(), kind, data)
