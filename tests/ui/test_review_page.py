"""Step 4: review and seal, through the real window, the real pipeline and outbox.

Real JPEG/PNG with GPS (Pillow + exiftool), a real signed card for an X25519
identity the test holds; the sealed parts are opened as the NGO would. Waits
on signals and conditions only.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from submitter.bundle.format import MIN_PART_SIZE
from submitter.bundle.pipeline import (
    FilesRefused,
    Stage,
    SubmitCancelled,
    SubmitProgress,
    SubmitResult,
)
from tests.peers import tool
from tests.ui.source_flow import (
    ORG_NAME,
    SampleOrg,
    add_files,
    choose_org,
    gps_jpeg,
    gps_png,
    make_org,
    noise_wav,
    open_as_ngo,
    outbox_listing,
    source,
)
from ui.app import AppParts
from ui.pages.review_page import ReviewPage

__all__ = ["source"]  # the fixture, shared with the outbox tests


def _button(page: ReviewPage, name: str) -> QPushButton:
    button = page.findChild(QPushButton, name)
    assert button is not None, name
    return button


def _summary_settled(page: ReviewPage, files: int) -> bool:
    summary = page.summary()
    return summary is not None and summary.file_count == files


def _ready_to_seal(source: AppParts, qtbot: Any, tmp_path: Path,
                   files: list[Path]) -> tuple[SampleOrg, ReviewPage]:
    """A fresh organisation chosen, ``files`` checked, and step 4 shown with Seal allowed."""
    org = make_org(tmp_path / "org")
    choose_org(source, qtbot, org)
    add_files(source, qtbot, files)
    page = source.review
    source.window.show_page(page)
    qtbot.waitUntil(lambda: _summary_settled(page, len(files)) and page.can_seal(),
                    timeout=20_000)
    return org, page


def test_review_shows_what_will_be_sent_and_seals_into_the_outbox(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    photo, shot = gps_jpeg(tmp_path / "in"), gps_png(tmp_path / "in")
    org, page = _ready_to_seal(source, qtbot, tmp_path, [photo, shot])

    assert page.findChild(object, "reviewOrganisation").text() == ORG_NAME
    assert page.findChild(object, "reviewFileCount").text() == "2"
    summary = page.summary()
    assert summary is not None and summary.part_count == 1
    assert summary.total_size == photo.stat().st_size + shot.stat().st_size
    # Padded to the 1 MiB floor: the size says nothing about these two small files.
    assert summary.padded_sizes == (1024 * 1024,)
    assert "1.0 MB" in page.findChild(object, "reviewPaddedSize").text()
    assert page.findChild(object, "reviewPartCount").text() == "1"
    assert page.problem_text() == ""
    assert outbox_listing(source) == []

    events: list[SubmitProgress] = []
    stages: list[str] = []
    page.progressed.connect(events.append)
    page.progressed.connect(lambda _e: stages.append(page.stage_text()))
    with qtbot.waitSignal(page.sealed, timeout=60_000) as sealed:
        qtbot.mouseClick(_button(page, "sealButton"), Qt.MouseButton.LeftButton)
    result = sealed.args[0]
    assert isinstance(result, SubmitResult) and len(result.parts) == 1

    # Progress named the stage and the file's position; the name is on screen only.
    assert {e.stage for e in events} >= {Stage.CHECKING, Stage.ENCRYPTING, Stage.DONE}
    assert any("file 2 of 2" in s and "screenshot.png" in s for s in stages)
    assert all(not hasattr(e, "name") for e in events)
    # The event loop kept running while the worker sealed (the benchmark's probe).
    qtbot.waitUntil(lambda: not page.is_sealing(), timeout=10_000)
    assert page.loop_lag().ticks > 1
    assert "Go to step 5" in page.outcome_text()

    # The parts are queued in the outbox, under random names.
    queued = source.state.outbox().parts()
    assert [p.file_name for p in queued] == [result.parts[0].name]
    assert queued[0].has_destination is False  # the card has no upload address
    assert outbox_listing(source) == [result.parts[0].name]
    assert "photo" not in result.parts[0].name

    # Nothing stored names a file or the organisation: the queue, the parts, the
    # trusted list and the app's settings are all random names or sealed bytes.
    stored = [p for p in source.state.data_dir.rglob("*") if p.is_file()]
    stored += [p for p in source.settings.path.rglob("*") if p.is_file()]
    assert stored
    for path in stored:
        blob = path.read_bytes()
        for secret in (ORG_NAME.encode(), b"photo", b"screenshot", str(tmp_path).encode()):
            assert secret not in blob, (path.name, secret)
        assert "photo" not in path.name and "screenshot" not in path.name

    # Step 5 is one click away.
    qtbot.mouseClick(_button(page, "goToOutbox"), Qt.MouseButton.LeftButton)
    assert source.window.current_page() is source.outbox

    # The NGO opens it; the GPS is gone from both pictures.
    report = open_as_ngo(list(result.parts), org.identity, tmp_path / "ngo")
    assert len(report.files) == 2
    exiftool = tool("exiftool")
    for entry in report.files:
        out = subprocess.run([exiftool, "-G", "-a", str(report.folder / entry.name)],
                             capture_output=True, text=True, check=True, timeout=60).stdout
        assert "GPS" not in out and "Jane Source" not in out and "SN-778899" not in out
    before = subprocess.run([exiftool, "-GPSLatitude", str(photo)], capture_output=True,
                            text=True, check=True, timeout=60).stdout
    assert "51" in before  # the original still had it: the check above means something


def test_several_parts_when_the_part_size_is_small(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    org, page = _ready_to_seal(source, qtbot, tmp_path, [noise_wav(tmp_path / "in.wav", 3)])
    summary = page.summary()
    assert summary is not None and summary.part_count == 1  # 512 MiB parts by default
    page.set_part_size(MIN_PART_SIZE)
    qtbot.waitUntil(lambda: page.summary() is not None and page.summary().part_count > 1,
                    timeout=20_000)
    summary = page.summary()
    assert summary is not None and summary.part_count == 4
    assert summary.padded_sizes[:3] == (MIN_PART_SIZE,) * 3
    assert page.findChild(object, "reviewPartCount").text() == "4"
    with qtbot.waitSignal(page.sealed, timeout=60_000) as sealed:
        page.seal()
    # The estimate made before cleaning matches what the pipeline wrote.
    assert len(sealed.args[0].parts) == summary.part_count
    report = open_as_ngo(list(sealed.args[0].parts), org.identity, tmp_path / "ngo")
    assert report.parts_opened == (1, 2, 3, 4) and len(report.files) == 1


def test_cancel_mid_seal_leaves_nothing(source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    audio = noise_wav(tmp_path / "long-recording.wav", 48)
    _org, page = _ready_to_seal(source, qtbot, tmp_path, [audio])
    source.state.outbox()  # opened before, so the listing below is the outbox's own
    before = outbox_listing(source)

    during: list[list[str]] = []

    def cancel_while_writing(event: SubmitProgress) -> None:
        if event.stage is Stage.ENCRYPTING and event.bytes_done > 0 and not during:
            during.append(outbox_listing(source))
            qtbot.mouseClick(_button(page, "cancelSeal"), Qt.MouseButton.LeftButton)

    page.progressed.connect(cancel_while_writing)
    with qtbot.waitSignal(page.seal_failed, timeout=60_000) as failed:
        page.seal()
    assert isinstance(failed.args[0], SubmitCancelled)
    # It was cancelled while a part was being written...
    assert during and any(name.endswith(".tmp") for name in during[0])
    # ...and nothing is left: no file, no queue row.
    assert outbox_listing(source) == before
    assert source.state.outbox().parts() == []
    assert "Cancelled" in page.outcome_text() and "nothing was kept" in page.outcome_text()
    qtbot.waitUntil(lambda: not page.is_sealing() and page.can_seal(), timeout=10_000)


def test_a_refused_file_blocks_sealing_with_its_reason(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    org = make_org(tmp_path / "org")
    choose_org(source, qtbot, org)
    photo = gps_jpeg(tmp_path / "in")
    unknown = tmp_path / "in" / "mystery.dat"
    unknown.write_bytes(bytes(range(256)) * 64)
    add_files(source, qtbot, [photo, unknown])
    page = source.review
    source.window.show_page(page)
    qtbot.waitUntil(lambda: "mystery.dat" in page.problem_text(), timeout=20_000)
    refusal = next(e.refusal for e in source.files.model.entries() if e.path == unknown)
    assert refusal and refusal in page.problem_text()
    assert "cannot be sent safely" in page.problem_text()
    assert not page.can_seal()
    assert not _button(page, "sealButton").isEnabled()
    page.seal()  # refused while blocked: nothing starts
    assert not page.is_sealing()
    assert outbox_listing(source) == []

    # Removing it on step 2 unblocks sealing.
    source.files.model.remove_rows([source.files.model.row_of(unknown)])
    qtbot.waitUntil(lambda: page.can_seal() and page.problem_text() == "", timeout=20_000)


def test_a_file_that_changed_after_its_check_is_refused_at_sealing(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    photo = gps_jpeg(tmp_path / "in")
    _org, page = _ready_to_seal(source, qtbot, tmp_path, [photo])
    source.state.outbox()
    before = outbox_listing(source)
    photo.write_bytes(b"\x00garbage, no longer a picture" * 10)
    with qtbot.waitSignal(page.seal_failed, timeout=60_000) as failed:
        page.seal()
    exc = failed.args[0]
    assert isinstance(exc, FilesRefused)
    text = page.outcome_text()
    assert "nothing was sent" in text.lower()
    assert f"photo.jpg: {exc.refusals[0].reason}" in text
    assert outbox_listing(source) == before
    assert source.state.outbox().parts() == []


def test_no_card_means_no_seal(source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    add_files(source, qtbot, [gps_jpeg(tmp_path / "in")])
    page = source.review
    source.window.show_page(page)
    qtbot.waitUntil(lambda: "organisation first" in page.problem_text(), timeout=20_000)
    assert not page.can_seal()



def test_message_typed_in_step_3_reaches_the_ngo_and_nowhere_else(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    """Typed with real key presses, sealed with the files, read by the NGO; and
    never stored on the source's side in a form that can be read."""
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

    org = make_org(tmp_path / "org")
    choose_org(source, qtbot, org)
    add_files(source, qtbot, [gps_jpeg(tmp_path / "in")])
    source.window.show_page(source.message)
    words = "Guards at block 4 beat prisoners on 12 March"
    contact = "ask for Anna at the market kiosk"
    qtbot.keyClicks(source.message.findChild(QPlainTextEdit, "messageText"), words)
    qtbot.keyClicks(source.message.findChild(QLineEdit, "contactText"), contact)

    page = source.review
    source.window.show_page(page)
    qtbot.waitUntil(lambda: _summary_settled(page, 1) and page.can_seal(), timeout=20_000)
    with qtbot.waitSignal(page.sealed, timeout=60_000) as sealed:
        qtbot.mouseClick(_button(page, "sealButton"), Qt.MouseButton.LeftButton)
    parts = list(sealed.args[0].parts)

    report = open_as_ngo(parts, org.identity, tmp_path / "ngo")
    assert words in report.message and contact in report.message
    stored = [p for p in source.state.data_dir.rglob("*") if p.is_file()]
    stored += [p for p in source.settings.path.rglob("*") if p.is_file()]
    for path in stored:
        blob = path.read_bytes()
        assert b"block 4" not in blob and b"Anna" not in blob, path.name
