"""For NGO staff: open real parts in the Inbox page, through the real core.

Parts are made by the real pipeline (a JPEG with GPS written by exiftool, a
text file, a message) or, for hostile manifests, by encrypting a crafted tar
with the real age code. Every failure leaves the destination exactly as it was.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
)

from crypto.age import Encryptor
from crypto.keystore import Protection, save_key
from crypto.recipients.x25519 import X25519Identity
from crypto.statekey import keyring_available
from submitter.bundle.format import MIN_PART_SIZE
from submitter.bundle.manifest import FileEntry, Manifest, Removed
from submitter.bundle.opener import OpenReport
from submitter.bundle.pipeline import SubmitResult, submit
from submitter.bundle.tarwriter import END_OF_ARCHIVE, TarWriter
from submitter.sanitize import sanitize
from submitter.staff_open import GroupProgress, OpenOutcome
from tests.bundle.conftest import cleaned_bytes, listing
from tests.metadata.docgen import jpeg_with_gps
from tests.peers import tool
from tests.ui.conftest import running_app
from tests.ui.source_flow import light_state, noise_wav
from tests.ui.test_recipient_page import compile_translator
from ui.app import AppParts
from ui.pages.inbox_page import InboxPage

MESSAGE = "Hello from the source.\nReach me through the usual channel on Fridays."
PASSPHRASE = "copper kettle winter lagoon"


@pytest.fixture
def staff(qapp: QApplication, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[AppParts]:
    data = tmp_path / "data"
    monkeypatch.setenv("SUBMITTER_DATA_DIR", str(data))
    with running_app(qapp, light_state(data)) as built:
        built.window.show_page(built.inbox)
        yield built


@pytest.fixture
def identity() -> X25519Identity:
    return X25519Identity.generate()


def _key_file(folder: Path, identity: X25519Identity, name: str = "key.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"# staff key\n{identity}\n")
    return path


def _evidence(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    jpeg_with_gps(folder)
    note = folder / "notes.txt"
    note.write_text("Cell block C, night shift roster changed on the 3rd.\n")
    return [folder / "photo.jpg", note]


def _submit(tmp: Path, identity: X25519Identity, files: list[Path], **kw: Any) -> SubmitResult:
    outbox = tmp / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    return submit(files, [identity.recipient()], outbox, message=kw.pop("message", MESSAGE), **kw)


def _child(page: InboxPage, kind: type, name: str) -> Any:
    found = page.findChild(kind, name)
    assert found is not None, name
    return found


def _prepare(page: InboxPage, qtbot: Any, parts: list[Path], key: Path, dest: Path) -> bool:
    page.clear_parts()
    page.add_parts(parts)
    with qtbot.waitSignal(page.identity_checked, timeout=60_000) as blocker:
        page.set_identity_file(key)
    page.set_destination(dest)
    return bool(blocker.args[0])


def _open_ok(page: InboxPage, qtbot: Any) -> OpenReport:
    with qtbot.waitSignal(page.opened, timeout=120_000) as blocker:
        qtbot.mouseClick(_child(page, QPushButton, "openParts"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=10_000)
    outcome = blocker.args[0]
    assert isinstance(outcome, OpenOutcome) and not outcome.failures
    (report,) = outcome.reports
    assert page.report() is report
    assert not _child(page, QComboBox, "submissionChoice").isVisibleTo(page)
    return report


def _open_fails(page: InboxPage, qtbot: Any) -> str:
    with qtbot.waitSignal(page.open_failed, timeout=120_000) as blocker:
        qtbot.mouseClick(_child(page, QPushButton, "openParts"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=10_000)
    text = blocker.args[0]
    assert isinstance(text, str) and text
    assert _child(page, QLabel, "openError").text() == text
    assert not _child(page, QGroupBox, "openResult").isVisibleTo(page)
    assert page.model.rowCount() == 0
    return text


def _exif_tags(path: Path) -> dict[str, Any]:
    out = subprocess.run([tool("exiftool"), "-json", "-a", "-G1", str(path)],
                         capture_output=True, check=True, timeout=60)
    data = json.loads(out.stdout)
    assert isinstance(data, list) and isinstance(data[0], dict)
    return data[0]


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url)


def test_inbox_is_a_staff_page_after_keys(staff: AppParts) -> None:
    assert staff.inbox.page_title() == "Inbox"
    assert staff.window.current_page() is staff.inbox
    assert staff.window.windowTitle() == "Submitter"
    for name in ("openParts", "cancelOpen", "addPartFiles", "addPartFolder", "addInboxParts",
                 "chooseIdentity", "chooseDestination", "openFolder"):
        assert _child(staff.inbox, QPushButton, name).accessibleName()


def test_open_real_parts_shows_manifest_and_message(
    staff: AppParts, qtbot: Any, tmp_path: Path, identity: X25519Identity
) -> None:
    files = _evidence(tmp_path / "evidence")
    assert "GPS:GPSLatitude" in _exif_tags(files[0])
    result = _submit(tmp_path, identity, files)
    page = staff.inbox
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "earlier-case").mkdir()
    before = listing(dest)
    needed = _prepare(page, qtbot, list(result.parts), _key_file(tmp_path / "keys", identity),
                      dest)
    assert needed is False
    assert not _child(page, QLineEdit, "identityPassphrase").isVisibleTo(page)

    report = _open_ok(page, qtbot)

    # A new folder inside the destination; nothing else there changed.
    assert report.folder.parent == dest
    after = listing(dest)
    assert [e for e in after if not e[0].startswith(report.folder.name)] == before
    # The files are the cleaned versions, byte for byte, and the photo lost its GPS.
    assert len(report.files) == 2
    for original, entry in zip(files, result.files, strict=True):
        assert (report.folder / entry.name).read_bytes() == cleaned_bytes(original)
    photo = next(e for e in result.files if e.kind == "jpeg")
    assert not [k for k in _exif_tags(report.folder / photo.name) if k.startswith("GPS:")]

    # The manifest view: names, types, sizes, verified hashes, what was removed.
    model = page.model
    assert model.rowCount() == 2
    names = [model.cell_text(r, "name") for r in range(2)]
    assert sorted(names) == sorted(e.name for e in result.files)
    for row in range(2):
        entry = next(e for e in result.files if e.name == names[row])
        assert model.cell_text(row, "type") == entry.kind.upper()
        assert model.cell_text(row, "hash") == f"Verified ({entry.sha256[:16]}…)"
        assert entry.sha256 == hashlib.sha256(
            (report.folder / entry.name).read_bytes()).hexdigest()
    photo_row = names.index(photo.name)
    assert photo.removed and model.cell_text(photo_row, "removed") != "Nothing"
    assert photo.removed[0].field in model.cell_text(photo_row, "removed")

    # The message, read-only, and the folder with a working "Open folder".
    message = _child(page, QPlainTextEdit, "sourceMessage")
    assert message.isReadOnly() and message.toPlainText() == MESSAGE
    assert _child(page, QLabel, "openedFolder").text() == str(report.folder)
    assert _child(page, QObject, "openProgress").value() == 1000
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "handle")  # type: ignore[arg-type]
    try:
        qtbot.mouseClick(_child(page, QPushButton, "openFolder"), Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in catcher.urls] == [str(report.folder)]


def test_passphrase_protected_key_is_asked_for(
    staff: AppParts, qtbot: Any, tmp_path: Path, identity: X25519Identity
) -> None:
    result = _submit(tmp_path, identity, _evidence(tmp_path / "evidence")[1:])
    key = tmp_path / "keys" / "identity.age"
    save_key(key, f"{identity}\n", public=str(identity.recipient()),
             protection=Protection.PASSPHRASE, passphrase=lambda: PASSPHRASE, work_factor=10)
    page = staff.inbox
    dest = tmp_path / "dest"
    dest.mkdir()
    assert _prepare(page, qtbot, list(result.parts), key, dest) is True
    field = _child(page, QLineEdit, "identityPassphrase")
    assert field.isVisibleTo(page) and field.echoMode() == QLineEdit.EchoMode.Password

    field.setText("not the passphrase")
    text = _open_fails(page, qtbot)
    assert "passphrase" in text.lower()
    assert listing(dest) == []

    field.setText(PASSPHRASE)
    report = _open_ok(page, qtbot)
    assert field.text() == ""  # not kept in the form
    assert report.folder.parent == dest and len(report.files) == 1


def test_tampered_part_is_refused_and_nothing_is_written(
    staff: AppParts, qtbot: Any, tmp_path: Path, identity: X25519Identity
) -> None:
    result = _submit(tmp_path, identity, _evidence(tmp_path / "evidence"))
    part = result.parts[0]
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0x01
    part.write_bytes(bytes(data))
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "keep.txt").write_text("an earlier case")
    before = listing(dest)
    page = staff.inbox
    _prepare(page, qtbot, [part], _key_file(tmp_path / "keys", identity), dest)

    text = _open_fails(page, qtbot)

    assert text.startswith("A part could not be opened safely, so nothing was written.")
    assert "Part 1:" in text
    assert "Traceback" not in text and "Error" not in text
    assert listing(dest) == before


def test_wrong_identity_says_no_key_matches(
    staff: AppParts, qtbot: Any, tmp_path: Path, identity: X25519Identity
) -> None:
    result = _submit(tmp_path, identity, _evidence(tmp_path / "evidence"))
    other = _key_file(tmp_path / "keys", X25519Identity.generate(), "other.txt")
    dest = tmp_path / "dest"
    dest.mkdir()
    page = staff.inbox
    _prepare(page, qtbot, list(result.parts), other, dest)

    text = _open_fails(page, qtbot)

    assert "None of the given keys can open this file." in text
    assert listing(dest) == []


# --- hostile manifests, encrypted with the real age code ---

SUB = "c0ffee00c0ffee00c0ffee00c0ffee00"
HOSTILE_MESSAGE = (
    "Pay \u202eslevel\u202c now\n\x1b[31mred\x1b[0m <b>bold</b> <img src=x>\r\n"
    "zero\u200bwidth \u2066isolate\u2069 end"
)


def _seal_tar(path: Path, identity: X25519Identity, manifest: bytes,
              members: list[tuple[str, bytes]]) -> Path:
    plain = io.BytesIO()
    writer = TarWriter(plain)
    writer.add_bytes("manifest.json", manifest)
    for name, data in members:
        writer.add_bytes(name, data)
    with open(path, "wb") as fh:
        enc = Encryptor(fh, [identity.recipient()])
        enc.write(plain.getvalue() + END_OF_ARCHIVE)
        enc.close()
    return path


def _manifest_json(name: str, data: bytes, message: str, **extra: Any) -> bytes:
    entry = FileEntry(name, "txt", len(data), hashlib.sha256(data).hexdigest(), **extra)
    return Manifest(SUB, 1, 1, message, (entry,)).to_json()


def test_hostile_text_in_a_manifest_is_shown_sanitised(
    staff: AppParts, qtbot: Any, tmp_path: Path, identity: X25519Identity
) -> None:
    data = b"plain evidence\n"
    manifest = _manifest_json(
        "file-0001.txt", data, HOSTILE_MESSAGE,
        removed=(Removed("Author\u202e\x07", "names\u2067 a person"),),
        notes=("note \x1b]0;title\x07 here",),
        warnings=("Check \u202eexe.txt\u202c by hand", "tab\there"),
    )
    part = _seal_tar(tmp_path / "hostile.age", identity, manifest, [("file-0001.txt", data)])
    dest = tmp_path / "dest"
    dest.mkdir()
    page = staff.inbox
    _prepare(page, qtbot, [part], _key_file(tmp_path / "keys", identity), dest)

    report = _open_ok(page, qtbot)

    assert (report.folder / "file-0001.txt").read_bytes() == data
    shown = _child(page, QPlainTextEdit, "sourceMessage").toPlainText()
    expected_lines = [sanitize(line, max_len=10**6) for line in HOSTILE_MESSAGE.splitlines()]
    assert shown == "\n".join(expected_lines)
    # No control, bidi or zero-width characters reach the screen; markup stays text.
    for bad in ("\u202e", "\u202c", "\x1b", "\r", "\u200b", "\u2066", "\u2069", "\x07"):
        assert bad not in shown
    assert "<b>bold</b> <img src=x>" in shown
    assert "Pay slevel now" in shown
    cells = [page.model.cell_text(0, c) for c in page.model.COLUMNS]
    for cell in cells:
        for bad in ("\u202e", "\u2067", "\x07", "\x1b", "\t"):
            assert bad not in cell
    assert "Check exe.txt by hand" in page.model.cell_text(0, "warnings")
    assert "Author (names a person)" in page.model.cell_text(0, "removed")


def test_bidi_or_control_characters_in_a_name_are_refused(
    staff: AppParts, qtbot: Any, tmp_path: Path, identity: X25519Identity
) -> None:
    data = b"MZ pretend program"
    page = staff.inbox
    key = _key_file(tmp_path / "keys", identity)
    dest = tmp_path / "dest"
    dest.mkdir()
    for i, name in enumerate(("evil\u202egpj.exe", "bell\x07.txt", "../escape.txt")):
        part = _seal_tar(tmp_path / f"bad-{i}.age", identity,
                         _manifest_json(name, data, "hi"), [(name, data)])
        _prepare(page, qtbot, [part], key, dest)
        text = _open_fails(page, qtbot)
        assert "\u202e" not in text and "\x07" not in text
        assert text.startswith("A part could not be opened safely")
        assert listing(dest) == []


def test_cancel_mid_open_leaves_nothing(
    staff: AppParts, qtbot: Any, tmp_path: Path, identity: X25519Identity
) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    audio = noise_wav(evidence / "recording.wav", 3)
    result = _submit(tmp_path, identity, [audio], part_size=MIN_PART_SIZE)
    assert len(result.parts) >= 3
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "keep.txt").write_text("an earlier case")
    before = listing(dest)
    page = staff.inbox
    _prepare(page, qtbot, list(result.parts), _key_file(tmp_path / "keys", identity), dest)

    # Hold the worker at the start of part 2 (part 1 is decrypted and staged by then),
    # through the page's own progress signal, directly on the worker thread.
    reached, release = threading.Event(), threading.Event()

    def gate(event: object) -> None:
        if isinstance(event, GroupProgress) and event.inner.part_position == 2:
            reached.set()
            release.wait(60)

    page.open_progress.connect(gate, Qt.ConnectionType.DirectConnection)
    try:
        with qtbot.waitSignal(page.open_failed, timeout=120_000) as blocker:
            qtbot.mouseClick(_child(page, QPushButton, "openParts"), Qt.MouseButton.LeftButton)
            qtbot.waitUntil(reached.is_set, timeout=60_000)
            assert page.is_busy()
            # Mid-open: part 1 sits in a private staging folder inside the destination.
            assert listing(dest) != before
            assert _child(page, QPushButton, "cancelOpen").isEnabled()
            qtbot.mouseClick(_child(page, QPushButton, "cancelOpen"), Qt.MouseButton.LeftButton)
            release.set()
    finally:
        release.set()
        page.open_progress.disconnect(gate)
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=10_000)
    assert blocker.args[0] == "Cancelled. Nothing was written."
    assert listing(dest) == before
    assert not _child(page, QPushButton, "cancelOpen").isEnabled()
    assert _child(page, QPushButton, "openParts").isEnabled()


def test_key_in_the_system_key_store_needs_no_passphrase(
    staff: AppParts, qtbot: Any, tmp_path: Path, identity: X25519Identity
) -> None:
    assert keyring_available(), "run under dbus-run-session with tests/with_keyring.sh"
    result = _submit(tmp_path, identity, _evidence(tmp_path / "evidence")[1:])
    key = tmp_path / "keys" / "identity.keyring"
    save_key(key, f"{identity}\n", public=str(identity.recipient()),
             protection=Protection.KEYRING)
    assert str(identity) not in key.read_text()  # only a reference on disk
    dest = tmp_path / "dest"
    dest.mkdir()
    page = staff.inbox
    assert _prepare(page, qtbot, list(result.parts), key, dest) is False
    assert not _child(page, QLineEdit, "identityPassphrase").isVisibleTo(page)
    report = _open_ok(page, qtbot)
    (entry,) = report.files
    assert (report.folder / entry.name).read_bytes() == cleaned_bytes(
        tmp_path / "evidence" / "notes.txt")


def test_language_switch_retranslates_the_page(
    staff: AppParts, qtbot: Any, qapp: QApplication, tmp_path: Path, identity: X25519Identity
) -> None:
    page = staff.inbox
    result = _submit(tmp_path, identity, _evidence(tmp_path / "evidence")[1:])
    dest = tmp_path / "dest"
    dest.mkdir()
    other = _key_file(tmp_path / "keys", X25519Identity.generate())
    _prepare(page, qtbot, list(result.parts), other, dest)
    english = _open_fails(page, qtbot)
    refused = "A part could not be opened safely, so nothing was written."
    no_key = "None of the given keys can open this file."
    assert english == f"{refused} Part 1: {no_key}"
    translators = [
        compile_translator(tmp_path, "InboxPage", {
            "Inbox": "Входящие", "&Open": "&Открыть", "Part %1: %2": "Часть %1: %2"}),
        compile_translator(tmp_path, "CoreMessages", {
            refused: "Часть не удалось безопасно открыть, поэтому ничего не записано.",
            no_key: "Ни один из ключей не открывает этот файл."}),
        compile_translator(tmp_path, "ManifestModel", {"Hash": "Хеш"}),
    ]
    for translator in translators:
        qapp.installTranslator(translator)  # Qt sends LanguageChange to every widget
    try:
        assert page.page_title() == "Входящие"
        qtbot.waitUntil(
            lambda: _child(page, QPushButton, "openParts").text() == "&Открыть", timeout=5000)
        assert _child(page, QLabel, "openError").text() == (
            "Часть не удалось безопасно открыть, поэтому ничего не записано. "
            "Часть 1: Ни один из ключей не открывает этот файл.")
        assert page.model.headerData(3, Qt.Orientation.Horizontal) == "Хеш"
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
    qtbot.waitUntil(lambda: _child(page, QPushButton, "openParts").text() == "&Open",
                    timeout=5000)
    assert _child(page, QLabel, "openError").text() == english


def test_a_folder_of_several_submissions_opens_each_on_its_own(
    staff: AppParts, qtbot: Any, tmp_path: Path, identity: X25519Identity
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    notes = _evidence(tmp_path / "evidence")[1]
    messages = ["first source", "second source", "third source"]
    for i, text in enumerate(messages):
        result = _submit(tmp_path / f"s{i}", identity, [notes], message=text)
        (part,) = result.parts
        data = bytearray(part.read_bytes())
        if i == 2:
            data[-100] ^= 0x01  # the third submission arrives damaged
        (usb / part.name).write_bytes(bytes(data))
    (usb / "readme.txt").write_text("not a part")
    dest = tmp_path / "dest"
    dest.mkdir()
    page = staff.inbox
    with qtbot.waitSignal(page.parts_changed, timeout=30_000):
        page.add_parts_from_folder(usb)
    assert sorted(p.name for p in page.parts()) == sorted(
        p.name for p in usb.iterdir() if p.suffix == ".age")
    with qtbot.waitSignal(page.identity_checked, timeout=30_000):
        page.set_identity_file(_key_file(tmp_path / "keys", identity))
    page.set_destination(dest)

    with qtbot.waitSignal(page.opened, timeout=120_000) as blocker:
        qtbot.mouseClick(_child(page, QPushButton, "openParts"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=10_000)
    outcome = blocker.args[0]
    assert isinstance(outcome, OpenOutcome) and not outcome.cancelled
    assert sorted(r.message for r in outcome.reports) == messages[:2]
    (failure,) = outcome.failures
    damaged = failure.parts[0]
    # Each good submission in its own new folder; nothing of the damaged one.
    assert sorted(p.name for p in dest.iterdir()) == sorted(
        r.folder.name for r in outcome.reports)
    # The page lets staff switch between them, and says plainly what was refused.
    choice = _child(page, QComboBox, "submissionChoice")
    assert choice.isVisibleTo(page) and choice.count() == 2
    message = _child(page, QPlainTextEdit, "sourceMessage")
    assert message.toPlainText() == outcome.reports[0].message
    page.show_submission(1)
    assert message.toPlainText() == outcome.reports[1].message
    assert page.report() is outcome.reports[1]
    assert _child(page, QLabel, "openedFolder").text() == str(outcome.reports[1].folder)
    error = _child(page, QLabel, "openError")
    position = page.parts().index(damaged) + 1
    assert error.isVisibleTo(page)
    assert error.text() == (
        "1 submission(s) could not be opened; nothing of them was written:\n"
        f"Parts {position}: A part could not be opened safely, so nothing was written. "
        "Part 1: The encrypted contents failed authentication: the file is damaged or truncated.")
