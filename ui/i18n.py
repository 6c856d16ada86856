"""Runtime language switching (English, Russian) with Qt Linguist files.

Widgets write every visible string through ``self.tr`` in a ``retranslate``
method and call it again on ``QEvent.LanguageChange``, which Qt sends to every
widget when a translator is installed or removed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator, Signal

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"

# Language code -> its own name, shown in the language menu untranslated.
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский"}


def system_language() -> str:
    code = QLocale.system().name().split("_")[0]
    return code if code in LANGUAGES else "en"


class LanguageManager(QObject):
    changed = Signal(str)

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__()
        self._app = app
        self._ours = QTranslator()
        self._qt = QTranslator()
        self._current = "en"

    @property
    def current(self) -> str:
        return self._current

    def set_language(self, code: str) -> None:
        if code not in LANGUAGES:
            raise ValueError(code)
        self._app.removeTranslator(self._ours)
        self._app.removeTranslator(self._qt)
        self._ours = QTranslator()
        self._qt = QTranslator()
        if code != "en":
            qm = TRANSLATIONS_DIR / f"submitter_{code}.qm"
            if not self._ours.load(str(qm)):
                # A damaged or missing translation must not stop the app:
                # stay in English and let the menu show it.
                self._current = "en"
                self.changed.emit("en")
                return
            self._app.installTranslator(self._ours)
            # Qt's own strings (dialog buttons); absent in some builds, optional.
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if self._qt.load(f"qtbase_{code}", qt_dir):
                self._app.installTranslator(self._qt)
        self._current = code
        self.changed.emit(code)


def english_plural(text: str, count: int) -> str:
    """Choose the English form of an untranslated "%n hour(s)" string.

    Qt only picks plural forms from a loaded translation; in English, which
    has none, the source text comes back with its "(s)". A translated string
    never contains it, so this touches English only.
    """
    return text.replace("(s)", "" if count == 1 else "s")
