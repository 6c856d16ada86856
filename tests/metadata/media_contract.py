"""The contract shape shared by video cleaned in place (AVI, Matroska, ISO BMFF).

Those cleaners blank metadata without moving a byte of the frames, so the
judges are the same for each: the streams ffprobe sees, every packet's hash,
and the file size are unchanged; in H.264/HEVC video only the SEI user-data
notes may differ (blanked to filler), with identical decoded pictures.
"""

from __future__ import annotations

from pathlib import Path

from submitter.metadata.model import CleanReport
from tests.metadata import media_fixtures as mf
from tests.metadata.contract import CleanerContract


class InPlaceVideoContract(CleanerContract):
    """Not collected itself (no ``Test`` prefix); subclass it per kind."""

    def check_opens(self, path: Path) -> None:
        assert [t for t, _ in mf.probe_streams(path)] == ["video", "audio"]

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        assert mf.probe_streams(cleaned) == mf.probe_streams(original)
        mf.assert_packets_kept(original, cleaned)
        # In place: same size, and every byte outside metadata is unchanged.
        assert cleaned.stat().st_size == original.stat().st_size
