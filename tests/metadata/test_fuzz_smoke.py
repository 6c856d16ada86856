"""Fuzz smoke test over every registered cleaner: damage in, refusals out.

Seeds are each contract's own ``make_dirty`` file. Hypothesis cuts, flips,
splices and overwrites them (and puts random bytes behind a valid magic);
``inspect`` and ``prepare`` of the cleaner itself may only raise CleanRefused
subclasses, and whatever the engine accepts is streamed to memory: exactly
``plan.size`` bytes, which ``engine.inspect`` must find nothing in.
Example counts are bounded and derandomised so the run is short and the same
every time.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submitter.metadata import engine
from submitter.metadata.cleaner import registered
from submitter.metadata.detect import detect
from submitter.metadata.model import CleanRefused
from submitter.metadata.source import Source
from tests.metadata.contract import CleanerContract
from tests.metadata.contracts_index import contract_classes

_SEEDS: dict[str, tuple[bytes, str]] = {}
_CLASSES = contract_classes()

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)


def _seed(
    cls: type[CleanerContract], tmp_path_factory: pytest.TempPathFactory
) -> tuple[bytes, str]:
    key = f"{cls.__module__}.{cls.__name__}"
    if key not in _SEEDS:
        path = cls().make_dirty(tmp_path_factory.mktemp("fuzz-seed"))
        _SEEDS[key] = (path.read_bytes(), path.name)
    return _SEEDS[key]


@st.composite
def _mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["cut", "flip", "insert", "overwrite", "splice", "magic"]))
        n = len(data)
        pos = draw(st.integers(0, max(0, n - 1)))
        if op == "cut":
            del data[pos:]
        elif op == "flip" and n:
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=16))
            data[pos : pos + len(chunk)] = chunk
        elif op == "splice" and n:
            end = draw(st.integers(pos, n))
            data[pos:pos] = data[pos:end][:4096]
        elif op == "magic":
            data = bytearray(seed[:16]) + bytearray(draw(st.binary(max_size=2048)))
        if len(data) < 16:
            data = bytearray(seed[:16]) + data
    return bytes(data)


def _only_refusals(data: bytes, name: str, kind_seed: bytes) -> None:
    kind = detect(Source.from_bytes(kind_seed), name)
    cleaner = registered()[kind]
    for step in (cleaner.inspect, cleaner.prepare):
        with contextlib.suppress(CleanRefused):
            step(Source.from_bytes(data), kind, engine.DEFAULT_LIMITS)
    try:
        plan = engine.prepare(Source.from_bytes(data), name)
    except CleanRefused:
        return
    # Accepted: it must stream exactly the size it announced (the tar header
    # holds it before the data), and what it streams must inspect clean.
    sink = io.BytesIO()
    plan.write_to(sink)
    cleaned = sink.getvalue()
    assert len(cleaned) == plan.size
    again = engine.inspect(Source.from_bytes(cleaned), name)
    assert again.findings == (), again.findings


@pytest.mark.parametrize("cls", _CLASSES, ids=[c.__name__ for c in _CLASSES])
def test_mutations_only_refuse(
    cls: type[CleanerContract], tmp_path_factory: pytest.TempPathFactory
) -> None:
    seed, name = _seed(cls, tmp_path_factory)

    @FUZZ
    @given(_mutated(seed))
    def run(data: bytes) -> None:
        _only_refusals(data, name, seed)

    run()


def test_image_kinds_are_fuzzed() -> None:
    # That every registered kind has a contract (and so a seed here) is
    # enforced by test_registry_contract.
    from submitter.metadata.kinds import FileKind

    fuzzed: set[FileKind] = set().union(*(c.kinds_covered for c in _CLASSES))
    assert {FileKind.JPEG, FileKind.PNG, FileKind.GIF, FileKind.WEBP, FileKind.TIFF,
            FileKind.HEIC, FileKind.AVIF} <= fuzzed


def test_seeds_are_real_files(tmp_path: Path) -> None:
    # A seed that the engine already refuses would make the fuzzing pointless.
    from tests.metadata.test_images import TestJpegContract

    path = TestJpegContract().make_dirty(tmp_path)
    assert engine.prepare(Source.from_path(path), path.name).size > 0
