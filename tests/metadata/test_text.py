"""Plain text and CSV: bytes pass unchanged, with a note; non-text is refused.

A text file has no metadata container, so the parts of the contract about
removing identifying tags become: exiftool finds nothing before or after,
the engine reports no findings but says the content is not checked, and
the bytes are exactly the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from submitter.metadata import engine
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import CleanReport, UnsupportedContentRefused
from submitter.metadata.source import Source
from submitter.metadata.text import NOTE
from tests.metadata import exiftool
from tests.metadata.contract import CleanerContract

_BODY = "name,cell,date\nΑλέξης Παπαδόπουλος,14,2024-03-01\nمحمد‌رضا,15,2024-03-02\n" * 20


class _TextContract(CleanerContract):
    ending = ""

    def make_dirty(self, tmp_path: Path) -> Path:
        path = tmp_path / f"notes.{self.ending}"
        path.write_bytes(_BODY.encode())
        return path

    def corrupt_variants(self, data: bytes) -> list[tuple[str, bytes]]:
        # A cut text is still text; what must be refused is a file whose start
        # looks like text and whose rest does not.
        filler = b"plain words\n" * 400  # longer than detection's 4 KiB sample
        return [
            ("latin-1 after the sample", filler + "café".encode("latin-1")),
            ("NUL after the sample", filler + b"\x00\x01\x02binary"),
            ("truncated UTF-8 after the sample", filler + "é".encode()[:1] + b"x"),
        ]

    def test_fixture_is_dirty(self, dirty: Path) -> None:
        # Nothing for exiftool to find: text has no metadata container.
        assert exiftool.identifying(dirty, self.rules) == []
        assert exiftool.file_type(dirty) in ("TXT", "CSV")

    def test_inspect_reports_findings(self, dirty: Path) -> None:
        result = engine.inspect(Source.from_path(dirty), dirty.name)
        assert result.findings == ()
        assert NOTE in result.warnings

    def test_report_and_size(self, cleaned: tuple[Path, CleanReport, int]) -> None:
        path, report, size = cleaned
        assert report.removed == []
        assert NOTE in report.notes
        assert path.stat().st_size == size

    def check_opens(self, path: Path) -> None:
        path.read_bytes().decode("utf-8")

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        assert cleaned.read_bytes() == original.read_bytes()


class TestTextContract(_TextContract):
    kinds_covered = frozenset({FileKind.TEXT})
    ending = "txt"


class TestCsvContract(_TextContract):
    kinds_covered = frozenset({FileKind.CSV})
    ending = "csv"


def test_bom_kept() -> None:
    data = "\ufeffhello\n".encode()
    plan = engine.prepare(Source.from_bytes(data), "a.txt")
    assert plan.data == data  # type: ignore[attr-defined]


def test_invisible_characters_warned_not_removed() -> None:
    marked = "The budget\u200b was\u200c cut\u2060.\n".encode()
    found = engine.inspect(Source.from_bytes(marked), "a.txt")
    assert any("invisible characters" in w for w in found.warnings)
    plan = engine.prepare(Source.from_bytes(marked), "a.txt")
    assert plan.data == marked  # type: ignore[attr-defined]
    assert any("3 invisible" in w for w in plan.report.warnings)


def test_non_utf8_refused_at_any_offset() -> None:
    data = b"ok\n" * 5000 + b"\xff\xfe"
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_bytes(data), "a.txt")


@pytest.mark.parametrize(
    "data",
    [
        b"{\\rtf1\\ansi{\\info{\\author Jane Whistle}{\\creatim\\yr2024}}Hello}",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><metadata>x</metadata></svg>',
        b"\xef\xbb\xbf  <!DOCTYPE html><html><meta name=author content=Jane></html>",
    ],
)
def test_structured_formats_posing_as_text_refused(data: bytes) -> None:
    for name in ("notes.txt", "notes"):
        with pytest.raises(UnsupportedContentRefused):
            engine.prepare(Source.from_bytes(data), name)
