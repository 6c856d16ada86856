"""Keep Qt from writing traces: no settings file, no file-dialog history.

Qt's own file dialog saves its last folder and history through QSettings
(the "QtProject" settings). We point every user-scope settings file at a
private folder that cannot be written, so nothing naming a file or folder the
source touched is ever stored; native dialogs (which feed the desktop's
"recent files") are never used.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt


class PrivateSettings:
    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="qs-"))
        # Read and search only: Qt's writes fail quietly, nothing is kept.
        os.chmod(self._dir, stat.S_IRUSR | stat.S_IXUSR)

    def install(self) -> None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, True)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(QSettings.Format.IniFormat, scope, str(self._dir))
            QSettings.setPath(QSettings.Format.NativeFormat, scope, str(self._dir))

    @property
    def path(self) -> Path:
        return self._dir

    def remove(self) -> None:
        os.chmod(self._dir, stat.S_IRWXU)
        shutil.rmtree(self._dir, ignore_errors=True)
