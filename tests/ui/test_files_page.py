"""Step 2: adding files (dialog, drag and drop, folders), what each reveals in plain
words, what cannot be removed, the preview, refusals and the keep-names option.

Real files: pictures from Pillow with exiftool metadata, videos from ffmpeg,
a PDF from pikepdf, inspected by the real engine on the app's worker
threads. Waits on signals and conditions, never on sleeps.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QPushButton, QTableView

import submitter.metadata
from submitter.bundle.pipeline import SubmitResult
from submitter.metadata.isobmff import VIDEO_WARNINGS
from submitter.metadata.model import Category, Finding, UnknownTypeRefused
from tests.metadata import image_fixtures
from tests.peers import tool
from tests.ui.conftest import answer_file_dialog
from tests.ui.source_flow import add_files, choose_org, make_org, open_as_ngo, source
from ui import findings_text
from ui.app import AppParts
from ui.messages import user_message
from ui.models.file_list_model import Status
from ui.pages.files_page import FilesPage

__all__ = ["source"]

WAIT = 60_000


# --- helpers -------------------------------------------------------------------


def _ffmpeg(*args: str) -> None:
    subprocess.run([tool("ffmpeg"), "-v", "error", "-y", "-nostdin", *args],
                   check=True, capture_output=True, timeout=120)


def _photo(folder: Path) -> Path:
    """A camera JPEG: GPS, make, model, serial, owner; orientation 6 (shown upright)."""
    folder.mkdir(parents=True, exist_ok=True)
    return image_fixtures.dirty_jpeg(folder)


def _red_video(folder: Path, name: str = "yard.mp4") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    _ffmpeg("-f", "lavfi", "-i", "color=red:s=96x64:d=1:r=10", "-c:v", "libx264",
            "-pix_fmt", "yuv420p", str(path))
    subprocess.run([tool("exiftool"), "-q", "-overwrite_original",
                    "-GPSCoordinates=51.53, 46.03", "-Make=Apple", "-Model=iPhone 12",
                    "--", str(path)], check=True, capture_output=True, timeout=120)
    return path


def _letter(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 100))
    pdf.pages[0].Contents = pdf.make_stream(b"0 0 1 rg 0 0 200 100 re f")  # all blue
    pdf.docinfo["/Author"] = "Jane Doe"
    path = folder / "letter.pdf"
    pdf.save(path)
    return path


def _table(page: FilesPage) -> QTableView:
    table = page.findChild(QTableView, "fileTable")
    assert table is not None
    return table


def _cell(page: FilesPage, path: Path, column: str,
          role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> str:
    row = page.model.row_of(path)
    assert row >= 0, path
    return str(page.model.data(page.model.index(row, page.model.COLUMNS.index(column)), role))


def _select(page: FilesPage, qtbot: Any, path: Path) -> None:
    """Select ``path``'s row and wait until its preview (or the reason for none) is shown."""
    page.select_row(page.model.row_of(path))
    entry = page.selected_entry()
    assert entry is not None and entry.path == path
    qtbot.waitUntil(lambda: not page.preview().is_waiting(), timeout=WAIT)


def _listed(page: FilesPage) -> set[str]:
    return {e.path.name for e in page.model.entries()}


def _urls(*paths: Path | str) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl(p) if isinstance(p, str) else QUrl.fromLocalFile(str(p))
                  for p in paths])
    return mime


# --- findings in plain words ---------------------------------------------------


def test_photo_findings_in_plain_words_and_its_preview(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    page = source.files
    photo = _photo(tmp_path / "in")
    # The first file added is selected: its details and preview are shown.
    with qtbot.waitSignal(page.preview_settled, timeout=WAIT):
        add_files(source, qtbot, [photo])

    assert _cell(page, photo, "type") == "JPEG"
    assert _cell(page, photo, "name") == "photo.jpg"
    summary = _cell(page, photo, "details")
    assert summary.startswith("Will be removed: ")
    assert "reveals where it was made" in summary

    details = page.details()
    removed = details.removed_text()
    for words in ("reveals where it was made", "names the device: Canon",
                  "names a person: Jane Doe", "shows when it was made or changed: 2024",
                  "names the software used: PhotoApp 9", "carries an identifying number"):
        assert words in removed, (words, removed)
    kept = details.warnings_text()
    assert "faces" in kept and "Look at it yourself before sending." in kept
    assert details.refusal_text() == ""

    preview = page.preview()
    assert preview.has_picture()
    assert preview.caption_text() == "The picture"
    size = preview.picture_size()
    assert (size.width(), size.height()) == (48, 64)  # orientation 6: shown upright
    assert "cleaning does not remove them" in preview.status_text()


def test_video_warnings_and_first_frame(source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    page = source.files
    photo, video = _photo(tmp_path / "in"), _red_video(tmp_path / "in")
    add_files(source, qtbot, [photo, video])
    _select(page, qtbot, video)

    assert page.selected_entry() is not None and page.selected_entry().path == video
    assert _cell(page, video, "type") == "MP4"
    details = page.details()
    assert "reveals where it was made" in details.removed_text()
    assert "names the device: Apple" in details.removed_text()
    kept = details.warnings_text()
    # The cleaner's own words for a video, not the photo's.
    assert "Text burned into the picture (camera names, dates, timestamps, overlays)" in kept
    assert "Faces, voices, places and sounds in the recording itself" in kept
    assert "Look at it yourself" not in kept
    # The table's tooltip says it too.
    tip = _cell(page, video, "details", Qt.ItemDataRole.ToolTipRole)
    assert "Cannot be removed:" in tip and "Text burned into the picture" in tip

    preview = page.preview()
    assert preview.has_picture()
    assert preview.caption_text() == "The first frame of the video"
    size = preview.picture_size()
    assert (size.width(), size.height()) == (96, 64)
    colour = preview.pixel(48, 32)
    assert colour.red() > 220 and colour.green() < 40 and colour.blue() < 40

    # Back to the photo: its own details and picture again.
    _select(page, qtbot, photo)
    assert "Look at it yourself before sending." in page.details().warnings_text()
    assert page.preview().caption_text() == "The picture"


def test_pdf_first_page_preview(source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    page = source.files
    letter = _letter(tmp_path / "in")
    with qtbot.waitSignal(page.preview_settled, timeout=WAIT):
        add_files(source, qtbot, [letter])
    assert "names a person: Jane Doe" in page.details().removed_text()
    assert "Only the hidden details of this PDF were checked." in page.details().warnings_text()
    preview = page.preview()
    assert preview.caption_text() == "The first page"
    colour = preview.pixel(10, 10)
    assert (colour.red(), colour.green(), colour.blue()) == (0, 0, 255)


def test_a_type_without_a_picture_says_so(source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    page = source.files
    notes = tmp_path / "notes.txt"
    notes.write_text("met the director on monday\n")
    with qtbot.waitSignal(page.preview_settled, timeout=WAIT):
        add_files(source, qtbot, [notes])
    assert not page.preview().has_picture()
    assert page.preview().status_text() == "There is no preview for this type of file."
    assert page.details().removed_text() == ""
    assert "No hidden details were found." in page.details().findChild(
        object, "fileDetailsRemovedCaption").text()
    assert "The content of text files is not checked" in page.details().warnings_text()


# --- refusals ------------------------------------------------------------------


def test_refused_files_are_explained(source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    page = source.files
    unknown = tmp_path / "dump.bin"
    unknown.write_bytes(b"\x00\x01binary stuff\xff" * 50)
    disguised = tmp_path / "holiday.png"  # a JPEG under a PNG name
    disguised.write_bytes(_photo(tmp_path / "src").read_bytes())
    add_files(source, qtbot, [unknown, disguised])

    not_supported = user_message(UnknownTypeRefused())
    assert _cell(page, unknown, "details") == f"Will not be sent: {not_supported}"
    assert "its contents are another" in _cell(page, disguised, "details")
    assert {e.status for e in page.model.entries()} == {Status.REFUSED}

    _select(page, qtbot, unknown)
    details = page.details()
    assert details.refusal_text() == f"Will not be sent: {not_supported}"
    assert details.removed_text() == "" and details.warnings_text() == ""
    assert not page.preview().has_picture()
    assert page.preview().status_text() == "No preview: this file will not be sent."


# --- adding: drag and drop, folders --------------------------------------------


def _tree(root: Path) -> list[Path]:
    (root / "day1" / "cam2").mkdir(parents=True)
    files = [root / "a.txt", root / "day1" / "b.txt", root / "day1" / "cam2" / "c.txt"]
    for number, path in enumerate(files):
        path.write_text(f"note {number}\n")
    (root / "link.txt").symlink_to(files[0])  # links are never followed
    return files


def test_drag_and_drop_of_files_and_a_folder(source: AppParts, qtbot: Any,
                                            tmp_path: Path) -> None:
    page = source.files
    photo = _photo(tmp_path / "loose")
    folder = tmp_path / "evidence"
    nested = _tree(folder)
    viewport = _table(page).viewport()
    drop_at = viewport.mapTo(page, viewport.rect().center())

    # Something that is not a local file is refused at the door. (The events do
    # not own their QMimeData: each is kept in a variable while in use.)
    web = _urls("https://example.org/x.jpg")
    remote = QDragEnterEvent(QPoint(drop_at), Qt.DropAction.CopyAction, web,
                             Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    remote.ignore()
    QApplication.sendEvent(page, remote)
    assert not remote.isAccepted()

    mime = _urls(photo, folder)
    enter = QDragEnterEvent(QPoint(drop_at), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter.ignore()
    QApplication.sendEvent(page, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(drop_at), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(page, drop)
    assert drop.isAccepted()

    assert _listed(page) == {"photo.jpg", "a.txt", "b.txt", "c.txt"}
    assert {e.path for e in page.model.entries()} == {photo, *nested}
    qtbot.waitUntil(page.model.all_checked, timeout=WAIT)
    assert {e.status for e in page.model.entries()} == {Status.READY}

    # Dropping the same things again adds nothing twice.
    QApplication.sendEvent(page, QDropEvent(QPointF(drop_at), Qt.DropAction.CopyAction, mime,
                                            Qt.MouseButton.LeftButton,
                                            Qt.KeyboardModifier.NoModifier))
    assert page.model.rowCount() == 4


def test_adding_a_folder_through_the_dialog_lists_it_recursively(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    page = source.files
    folder = tmp_path / "evidence"
    nested = _tree(folder)
    button = page.findChild(QPushButton, "addFolder")
    assert button is not None and button.text() == "Add a folder…"
    answer_file_dialog(tmp_path, folder)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert {e.path for e in page.model.entries()} == set(nested)
    qtbot.waitUntil(page.model.all_checked, timeout=WAIT)


def test_removing_and_clearing_forget_the_selected_file(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    page = source.files
    photo, video = _photo(tmp_path / "in"), _red_video(tmp_path / "in")
    add_files(source, qtbot, [photo, video])
    _select(page, qtbot, video)
    assert page.preview().has_picture()
    qtbot.mouseClick(page.findChild(QPushButton, "removeFiles"), Qt.MouseButton.LeftButton)
    assert _listed(page) == {"photo.jpg"}
    assert page.details().entry() is None or page.details().entry().path == photo
    page.model.clear()  # what quick delete does
    assert page.selected_entry() is None
    assert not page.preview().has_picture()
    assert page.details().entry() is None


# --- keep the original names ---------------------------------------------------


def _seal_one(source: AppParts, qtbot: Any, tmp_path: Path, photo: Path) -> list[str]:
    """Seal ``photo`` through steps 1 to 4 and return the names the NGO receives."""
    org = make_org(tmp_path / "org")
    choose_org(source, qtbot, org)
    add_files(source, qtbot, [photo])
    review = source.review
    source.window.show_page(review)
    qtbot.waitUntil(lambda: review.summary() is not None and review.can_seal(), timeout=WAIT)
    seal = review.findChild(QPushButton, "sealButton")
    with qtbot.waitSignal(review.sealed, timeout=WAIT) as sealed:
        qtbot.mouseClick(seal, Qt.MouseButton.LeftButton)
    result = sealed.args[0]
    assert isinstance(result, SubmitResult)
    report = open_as_ngo(list(result.parts), org.identity, tmp_path / "ngo")
    return [entry.name for entry in report.files]


def test_keep_names_is_off_by_default_and_names_stay_home(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    box = source.files.findChild(QCheckBox, "keepNames")
    assert box is not None and not box.isChecked()
    assert "names can identify you" in box.text()
    assert source.files.keep_names() is False
    names = _seal_one(source, qtbot, tmp_path, _photo(tmp_path / "in"))
    assert names == ["file-0001.jpg"]


def test_keep_names_when_chosen_reaches_the_ngo(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    box = source.files.findChild(QCheckBox, "keepNames")
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.isChecked() and source.files.keep_names() is True
    names = _seal_one(source, qtbot, tmp_path, _photo(tmp_path / "in"))
    assert names == ["0001-photo.jpg"]


# --- the words for warnings ----------------------------------------------------


def _cleaner_warnings() -> list[str]:
    """Every warning text a cleaner module defines (constants named *WARNING*)."""
    found: list[str] = []
    for info in pkgutil.walk_packages(submitter.metadata.__path__, "submitter.metadata."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if "WARNING" not in name or getattr(value, "__module__", None):
                continue
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, tuple):
                found += [v for v in value if isinstance(v, str)]
            elif isinstance(value, dict):
                found += [v for v in value.values() if isinstance(v, str)]
    return found


def test_every_cleaner_warning_has_translatable_words(qapp: QApplication) -> None:
    known = findings_text._known_warnings()
    # In English the words shown are the cleaners' own, word for word.
    assert all(key == shown for key, shown in known.items())
    warnings = _cleaner_warnings()
    assert len(warnings) >= 10  # the scan really found them
    from submitter.metadata import text

    invisible = text._INVISIBLE_WARNING
    missing = [w for w in warnings if w not in known and w != invisible]
    assert not missing, "warnings with no translatable words in ui/findings_text.py:\n" + \
        "\n".join(missing)
    assert text.NOTE in known
    assert findings_text.warning_text(invisible.format(n=3)).startswith(
        "This text contains 3 invisible characters")
    assert set(VIDEO_WARNINGS) <= set(known)


def test_an_unknown_warning_is_still_shown_sanitised(qapp: QApplication) -> None:
    assert findings_text.warning_text("New \u202ewarning\x07 here") == "New warning here"
    assert findings_text.warning_texts(["a", "a", "b"]) == ["a", "b"]


def test_describe_all_lists_each_thing_once(qapp: QApplication) -> None:
    findings = [Finding("EXIF Make", "Canon", Category.DEVICE),
                Finding("XMP Make", "Canon", Category.DEVICE),
                Finding("EXIF GPSLatitude", "51.53", Category.LOCATION)]
    lines = findings_text.describe_all(findings)
    assert lines == ["reveals where it was made: 51.53", "names the device: Canon"]
    many = [Finding(f"f{i}", str(i), Category.SOFTWARE) for i in range(50)]
    lines = findings_text.describe_all(many, limit=5)
    assert len(lines) == 6 and lines[-1] == "and 45 more details"



def test_choosing_and_previewing_leaves_no_thumbnails_or_recent_files(
        source: AppParts, qtbot: Any, tmp_path: Path) -> None:
    """The dialog, the preview and the findings write nothing about the files
    where desktops keep traces: the thumbnail cache, the recent-files list,
    Qt's own settings. The home folder and the cache folder are compared
    before and after."""
    import os

    home = Path.home()
    cache = Path(os.environ.get("XDG_CACHE_HOME", home / ".cache"))
    watched = [cache, home / ".local" / "share", home / ".config", home / ".thumbnails"]

    def snapshot() -> dict[str, tuple[int, int]]:
        seen: dict[str, tuple[int, int]] = {}
        for root in watched:
            if root.is_dir():
                for p in root.rglob("*"):
                    if p.is_file():
                        st = p.stat()
                        seen[str(p)] = (st.st_size, st.st_mtime_ns)
        return seen

    before = snapshot()
    page = source.files
    photo = _photo(tmp_path / "secret-folder")
    button = page.findChild(QPushButton, "addFiles")
    with qtbot.waitSignal(page.preview_settled, timeout=WAIT):
        answer_file_dialog(photo.parent, photo)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert page.preview().has_picture()
    after = snapshot()
    changed = {p for p in after if before.get(p) != after[p]}
    assert changed == set(), changed
    for path in after:
        blob = Path(path).read_bytes()
        assert b"secret-folder" not in blob and b"photo.jpg" not in blob, path
