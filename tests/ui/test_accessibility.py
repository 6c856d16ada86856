"""Keyboard, screen reader, locale and size: the app is usable without a mouse,
with a screen reader, in the source's own language and at any size.

Every page is checked, not a sample: a control that Tab cannot reach, or a
button a screen reader announces as "button", is a page a blind or keyboard
only source cannot finish.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QTextEdit,
    QWidget,
)

from tests.peers import REPO
from ui.app import AppParts

CONTROLS = (
    QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractItemView,
    QAbstractSpinBox,
)


def _tab_focusable(widget: QWidget, window: QWidget) -> bool:
    return (
        widget.isVisibleTo(window)
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        and widget.focusProxy() is None
    )


def _controls(page: QWidget, window: QWidget) -> list[QWidget]:
    found: list[QWidget] = []
    for kind in CONTROLS:
        for control in page.findChildren(kind):
            if _tab_focusable(control, window) and control not in found:
                found.append(control)
    return found


def _label(control: QWidget) -> str:
    return control.objectName() or type(control).__name__


def _reached(control: QWidget, seen: list[QWidget]) -> bool:
    """Tab stops once in a group of radio buttons (on the chosen one) and the
    arrow keys choose within it, as in every desktop toolkit."""
    if control in seen:
        return True
    if isinstance(control, QRadioButton) and control.autoExclusive():
        return any(
            isinstance(other, QRadioButton) and other.parentWidget() is control.parentWidget()
            for other in seen
        )
    return False


def _activate(parts: AppParts, qtbot) -> None:
    # The offscreen platform does not hand activation back after a modal box.
    parts.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is parts.window, timeout=5000)


def test_every_control_on_every_page_has_a_name(parts: AppParts, qtbot) -> None:
    missing: list[str] = []
    for page in parts.window.pages():
        parts.window.show_page(page)
        qtbot.waitUntil(lambda p=page: p.isVisible(), timeout=5000)
        for control in _controls(page, parts.window):
            text = control.text() if isinstance(control, QAbstractButton) else ""
            if not (control.accessibleName().strip() or text.replace("&", "").strip()):
                missing.append(f"{type(page).__name__}: {_label(control)}")
    assert missing == [], "controls a screen reader cannot name: " + ", ".join(missing)


def test_tab_reaches_every_control_on_every_page(
    parts: AppParts, qtbot, tmp_path: Path
) -> None:
    """Real Tab presses from the navigation reach every control of each page,
    and no control keeps Tab for itself (a text box that types a tab, or a
    table that walks its cells, traps a keyboard user)."""
    note = tmp_path / "note.txt"
    note.write_text("a note\n")
    parts.files.add_paths([note])  # a table with a row: Tab must still leave it
    parts.message.findChild(QPlainTextEdit).setPlainText("typed text")
    _activate(parts, qtbot)
    target = parts.window.windowHandle()
    unreached: list[str] = []
    for page in parts.window.pages():
        parts.window.show_page(page)
        qtbot.waitUntil(lambda p=page: p.isVisible(), timeout=5000)
        wanted = _controls(page, parts.window)
        nav = parts.window.findChild(QWidget, "navigation")
        nav.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(lambda n=nav: QApplication.focusWidget() is n, timeout=5000)
        seen: list[QWidget] = []
        # Bounded: twice the number of focusable widgets in the whole window.
        limit = 2 * len(_controls(parts.window, parts.window)) + 10
        for _ in range(limit):
            qtbot.keyClick(target, Qt.Key.Key_Tab)
            focus = QApplication.focusWidget()
            if focus is nav:
                break  # a full cycle
            if focus is not None and focus not in seen:
                seen.append(focus)
        else:
            pytest.fail(f"{type(page).__name__}: Tab never came back to the navigation")
        unreached += [
            f"{type(page).__name__}: {_label(c)}" for c in wanted if not _reached(c, seen)
        ]
        for box in page.findChildren(QPlainTextEdit):
            assert "\t" not in box.toPlainText(), f"{_label(box)} typed the Tab"
        # Shift+Tab goes back the same way.
        qtbot.keyClick(target, Qt.Key.Key_Backtab)
        assert QApplication.focusWidget() is (seen[-1] if seen else nav)
    assert unreached == [], "Tab cannot reach: " + ", ".join(unreached)


def test_quick_delete_shortcut_works_with_focus_in_a_text_box(parts: AppParts, qtbot) -> None:
    """The shortcut is window-wide: even while typing the message it asks first."""
    from tests.ui.test_shell import _cancel_active_box

    _activate(parts, qtbot)
    parts.window.show_page(parts.message)
    box = parts.message.findChild(QPlainTextEdit)
    box.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is box, timeout=5000)
    before = box.toPlainText()
    with qtbot.waitSignal(parts.window.quick_delete_requested, timeout=5000):
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, _cancel_active_box)
        qtbot.keyClick(
            parts.window.windowHandle(),
            Qt.Key.Key_Delete,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert box.toPlainText() == before  # the key went to the shortcut, not the text


# --- in a fresh process: what can only be set before QApplication exists ---

PROBE = r"""
import json, sys
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from ui.app import build

app = QApplication(sys.argv)
point = float(sys.argv[1])
if point > 0:
    font = QFont(app.font())
    font.setPointSizeF(point)
    app.setFont(font)
parts = build(app)
window = parts.window
window.show()
clipped = []
checked = 0
for page in window.pages():
    window.show_page(page)
    for _ in range(5):
        app.processEvents()
    for widget in page.findChildren(QAbstractButton) + page.findChildren(QLabel):
        if not widget.isVisibleTo(window) or not widget.text():
            continue
        if isinstance(widget, QLabel) and (widget.wordWrap() or widget.textFormat() != 0
                                           and "<" in widget.text()):
            continue
        checked += 1
        metrics = widget.fontMetrics()
        text = widget.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        lines = text.split("\n")
        need_w = max(metrics.horizontalAdvance(line) for line in lines)
        need_h = metrics.height() * len(lines)
        if widget.width() < need_w or widget.height() < need_h:
            clipped.append(f"{type(page).__name__}:{widget.objectName() or text[:30]}"
                           f" {widget.width()}x{widget.height()} < {need_w}x{need_h}")
print(json.dumps({
    "language": parts.languages.current,
    "title": window.windowTitle(),
    "steps": [window._nav.item(i).text() for i in range(window._nav.count())],
    "ratio": window.devicePixelRatio(),
    "point": app.font().pointSizeF(),
    "clipped": clipped,
    "checked": checked,
}))
parts.shutdown()
"""


def _probe(tmp_path: Path, env_extra: dict[str, str], point: float = 0) -> dict[str, object]:
    env = {
        k: v for k, v in os.environ.items()
        if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")
    }
    env.update({
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(REPO),
        "SUBMITTER_DATA_DIR": str(tmp_path / "data"),
        "SUBMITTER_STATE_PASSPHRASE": "accessibility probe state passphrase",
        "HOME": str(tmp_path),
        **env_extra,
    })
    ran = subprocess.run(
        [sys.executable, "-c", PROBE, str(point)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ru_RU.UTF-8", "ru"), ("en_GB.UTF-8", "en"), ("de_DE.UTF-8", "en")],
)
def test_language_follows_the_system_locale(tmp_path: Path, lang: str, expected: str) -> None:
    got = _probe(tmp_path, {"LANG": lang})
    assert got["language"] == expected
    # The window speaks it, not only the setting: the step names.
    steps = " ".join(got["steps"])
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in steps)
    latin = sum(ch.isascii() and ch.isalpha() for ch in steps)
    assert (cyrillic > latin) is (expected == "ru"), steps


def test_no_text_is_cut_off_at_double_scale_with_large_fonts(tmp_path: Path) -> None:
    got = _probe(tmp_path, {"QT_SCALE_FACTOR": "2", "LANG": "ru_RU.UTF-8"}, point=18)
    assert got["ratio"] == 2.0
    assert got["point"] == 18.0
    assert got["clipped"] == [], got["clipped"]
    assert got["checked"] >= 30


def test_no_text_is_cut_off_at_normal_size_in_english(tmp_path: Path) -> None:
    got = _probe(tmp_path, {"LANG": "en_US.UTF-8"})
    assert got["clipped"] == [], got["clipped"]
