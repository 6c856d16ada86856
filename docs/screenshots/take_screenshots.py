"""Take docs/screenshots/<page>-<lang>.png from the real window under Xvfb.

    .venv/bin/python docs/screenshots/take_screenshots.py      (or: make screenshots)

It starts its own X server (Xvfb), runs the real app on the xcb platform in
demo mode (the local demo organisation and inbox, in a throw-away data
folder), walks through the whole flow with fake files, switches the language
at run time, and grabs each page from the X server's screen. Nothing of the
person's real data is read or written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = Path(__file__).resolve().parent
SCREEN = "1280x800x24"
WINDOW_SIZE = (1000, 700)
LANGUAGES = ("en", "ru")
DEMO_MESSAGE = (
    "DEMO ONLY. These are generated sample files, not real material.\n"
    "The photo shows the back gate on the evening of the transfer."
)
DEMO_CONTACT = "demo-contact@example.org"


# --- the X server -------------------------------------------------------------


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Start Xvfb on :99, or the next free display; return it and its name."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit("Xvfb is not installed (make setup-test installs it)")
    for number in range(99, 120):
        # The X server's own fixed paths, not files of ours.
        if Path(f"/tmp/.X{number}-lock").exists():  # noqa: S108
            continue
        process = subprocess.Popen(
            [xvfb, f":{number}", "-screen", "0", SCREEN, "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        socket = Path(f"/tmp/.X11-unix/X{number}")  # noqa: S108
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and process.poll() is None:
            if socket.exists():
                return process, f":{number}"
            time.sleep(0.05)
        process.terminate()
        process.wait(timeout=10)
    raise SystemExit("could not start Xvfb on any display from :99 to :119")


# --- demo files ---------------------------------------------------------------


def make_demo_files(folder: Path) -> list[Path]:
    """Small fake files with the kind of metadata a real source's files carry."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True)
    photo = folder / "demo-photo-back-gate.jpg"
    image = Image.new("RGB", (640, 480), (70, 90, 110))
    draw = ImageDraw.Draw(image)
    for step in range(0, 480, 24):
        draw.rectangle((0, step, 640, step + 12), fill=(80 + step // 8, 100, 120))
    draw.text((40, 40), "DEMO PHOTO - NOT REAL", fill=(255, 255, 255))
    image.save(photo, quality=85)
    exiftool = shutil.which("exiftool")
    if exiftool is not None:
        subprocess.run(
            [exiftool, "-q", "-overwrite_original",
             "-GPSLatitude=51.53", "-GPSLatitudeRef=N",
             "-GPSLongitude=46.03", "-GPSLongitudeRef=E",
             "-Make=DemoCam", "-Model=Demo Phone 3", "-SerialNumber=DEMO-0001",
             "-Artist=Demo Person", "-DateTimeOriginal=2026:03:01 18:40:00",
             str(photo)],
            check=True, timeout=60,
        )
    else:
        print("exiftool not found: the demo photo carries no metadata", file=sys.stderr)

    import pikepdf

    report = folder / "demo-report-draft.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(300, 300))
    pdf.docinfo["/Author"] = "Demo Person"
    pdf.docinfo["/Creator"] = "Demo Writer 1.0"
    pdf.docinfo["/CreationDate"] = "D:20260301120000Z"
    pdf.save(report)

    import wave

    audio = folder / "demo-voice-note.wav"
    with wave.open(str(audio), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(8000 * 2))  # one second of silence
    return [photo, report, audio]


# --- driving the app ------------------------------------------------------------


def wait_until(app: Any, condition: Callable[[], bool], what: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.02)
    print(f"warning: gave up waiting for {what}", file=sys.stderr)
    return False


def settle(app: Any, seconds: float = 0.3) -> None:
    """Let layouts, LanguageChange events and painting reach the X server."""
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def grab(app: Any, window: Any, path: Path) -> None:
    """Read the window's pixels back from the X server (not a widget render)."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice

    window.raise_()
    settle(app)
    geometry = window.frameGeometry()
    pixmap = window.screen().grabWindow(
        0, geometry.x(), geometry.y(), geometry.width(), geometry.height()
    )
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pixmap.save(buffer, "PNG")
    image = Image.open(io.BytesIO(bytes(buffer.data().data()))).convert("RGB")
    # A 256-colour palette keeps interface screenshots small and sharp.
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                           dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}  {image.width}x{image.height}  "
          f"{path.stat().st_size // 1024} KiB")


def page_name(page: Any) -> str:
    return str(page.objectName()).removesuffix("Page") or type(page).__name__.lower()


def shoot(app: Any, parts: Any, pages: list[Any]) -> list[str]:
    names = []
    for language in LANGUAGES:
        parts.languages.set_language(language)
        for page in pages:
            parts.window.show_page(page)
            # Back to the standard size; a page or language that needs more
            # room (longer Russian step names) keeps its minimum.
            settle(app, 0.1)
            parts.window.resize(*WINDOW_SIZE)
            grab(app, parts.window, OUT_DIR / f"{page_name(page)}-{language}.png")
            names.append(page_name(page))
    parts.languages.set_language("en")
    return names


def shoot_dialogs(app: Any, parts: Any) -> None:
    """The quick-delete question and the threat-model window, in each language."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialog, QMessageBox

    from ui.quick_delete import confirm_quick_delete

    for language in LANGUAGES:
        parts.languages.set_language(language)
        settle(app)

        def answer(language: str = language) -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                QTimer.singleShot(20, answer)
                return
            grab(app, box, OUT_DIR / f"quick-delete-{language}.png")
            box.reject()  # Cancel: nothing is erased

        from PySide6.QtWidgets import QApplication

        QTimer.singleShot(0, answer)
        if confirm_quick_delete(parts.window):
            raise SystemExit("the quick-delete question was answered with Erase")

        parts.window.show_threat_model()
        dialog = parts.window.findChild(QDialog, "threatModelDialog")
        if dialog is None:
            print("warning: no threat-model window", file=sys.stderr)
            continue
        wait_until(app, dialog.isVisible, "the threat-model window")
        grab(app, dialog, OUT_DIR / f"threat-model-{language}.png")
        dialog.close()
        wait_until(app, lambda: parts.window.findChild(QDialog, "threatModelDialog") is None,
                   "the threat-model window to close", timeout=10)
    parts.languages.set_language("en")


def run(scratch: Path) -> None:
    os.environ["SUBMITTER_DATA_DIR"] = str(scratch / "data")
    sys.path.insert(0, str(ROOT))

    from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit

    from submitter.app_state import AppState
    from ui.app import build
    from ui.private_settings import PrivateSettings

    settings = PrivateSettings()
    settings.install()
    app = QApplication([sys.argv[0], "-platform", "xcb"])
    app.setApplicationName("Submitter")
    parts = build(app, settings=settings, language="en", demo=True,
                  state=AppState(scratch / "data", None))
    try:
        window = parts.window
        window.resize(*WINDOW_SIZE)
        window.move(0, 0)
        window.show()
        wait_until(app, window.isVisible, "the window")

        # 1. The demo organisation is already trusted; choose it.
        parts.window.show_page(parts.recipient)
        wait_until(app, lambda: bool(parts.recipient.organisations())
                   and not parts.recipient.is_busy(), "the trusted list")
        if parts.recipient.chosen_card() is None and parts.recipient.organisations():
            org = parts.recipient.organisations()[0]
            parts.recipient.choose(org.card.fingerprint().hex)
        wait_until(app, lambda: parts.recipient.chosen_card() is not None, "the chosen card")

        # 2. A few generated files, checked for metadata.
        parts.files.add_paths(make_demo_files(scratch / "demo-files"))
        wait_until(app, parts.files.model.all_checked, "the file checks", timeout=120)

        # 3. A message.
        message = parts.message.findChild(QPlainTextEdit, "messageText")
        contact = parts.message.findChild(QLineEdit, "contactText")
        if message is not None:
            message.setPlainText(DEMO_MESSAGE)
        if contact is not None:
            contact.setText(DEMO_CONTACT)

        # 4. Review: wait for the estimate of sizes and parts.
        parts.window.show_page(parts.review)
        wait_until(app, lambda: parts.review.summary() is not None, "the seal estimate")
        shoot(app, parts, [parts.recipient, parts.files, parts.message, parts.review])

        # Seal, so the outbox has parts; deliver them to the demo inbox so the
        # staff's inbox page has a real bundle to open.
        if parts.review.can_seal():
            parts.review.seal()
            wait_until(app, lambda: not parts.review.is_sealing(), "sealing", timeout=300)
        parts.window.show_page(parts.outbox)
        parts.outbox.refresh()
        settle(app, 1.0)
        shoot(app, parts, [parts.outbox])

        # The demo inbox listens on 127.0.0.1: no Tor needed to reach it.
        parts.outbox.use_card_address()
        parts.outbox.set_route("direct")
        parts.outbox.deliver_now()
        wait_until(app, lambda: not parts.outbox.is_delivering(), "delivery", timeout=120)
        inbox = parts.inbox
        demo = parts.demo
        if demo is not None:
            inbox.add_parts_from_folder(demo.inbox_dir)
            wait_until(app, lambda: bool(inbox.parts()) and not inbox.is_busy(),
                       "the received parts", timeout=60)
            opened = scratch / "opened"
            opened.mkdir()
            inbox.set_destination(opened)
            inbox.start_open()
            wait_until(app, lambda: inbox.report() is not None and not inbox.is_busy(),
                       "opening the bundle", timeout=120)
        shoot(app, parts, [parts.keys, inbox])
        shoot_dialogs(app, parts)
    finally:
        parts.window.close()
        parts.shutdown()
        app.processEvents()


def main() -> int:
    xvfb, display = start_xvfb()
    try:
        os.environ["DISPLAY"] = display
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        # Screenshots look the same on every machine: no desktop theme, 96 dpi.
        os.environ.pop("QT_QPA_PLATFORMTHEME", None)
        os.environ["QT_SCALE_FACTOR"] = "1"
        os.environ.setdefault("LANG", "C.UTF-8")
        # A fixed folder name, so that the paths shown in the pictures do not
        # change from one run to the next; a random one if it is taken.
        scratch = Path(tempfile.gettempdir()) / "submitter-demo"
        try:
            scratch.mkdir(mode=0o700)
        except FileExistsError:
            scratch = Path(tempfile.mkdtemp(prefix="submitter-demo-"))
        try:
            run(scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=15)
    print(f"done at {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    return 0


if __name__ == "__main__":
    sys.exit(main())
