"""User-facing text for core errors: the fixed message, translated.

Core errors carry a fixed English ``message``; it doubles as the source text
for translation in the "CoreMessages" context (listed in
``ui/core_messages.py`` so Qt Linguist sees each one).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from crypto.errors import CryptoError
from submitter.errors import SubmitterError


def user_message(exc: BaseException) -> str:
    if isinstance(exc, (SubmitterError, CryptoError)):
        return QCoreApplication.translate("CoreMessages", exc.message)
    # Anything else is a bug; never show its text (it may quote file content).
    return QCoreApplication.translate(
        "CoreMessages", "Something unexpected went wrong. Nothing was sent."
    )
