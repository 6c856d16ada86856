"""The one exception root of crypto/, and its leaves.

Every leaf carries a fixed, user-facing message (``message``); details for
developers go in ``detail`` and are never shown to a source. Third-party
exceptions are translated at the boundary of this package.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Root of every error raised by crypto/."""

    message = "A cryptographic operation failed."

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.message)
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else self.message


# --- failure categories of the age specification (and the CCTV vectors) ---

class HeaderError(CryptoError):
    message = "The file is not a valid age file: its header is malformed."


class HmacError(CryptoError):
    message = "The file's header failed authentication: it was altered or damaged."


class NoIdentityMatchError(CryptoError):
    message = "None of the given keys can open this file."


class PayloadError(CryptoError):
    message = "The encrypted contents failed authentication: the file is damaged or truncated."


class ArmorError(CryptoError):
    message = "The ASCII-armored text is malformed."


# --- keys, recipients, identities ---

class KeyFormatError(CryptoError):
    message = "The key or recipient is not in a recognised format."


class RecipientMixError(CryptoError):
    message = "These recipients cannot be combined in one file."


class PassphraseError(CryptoError):
    message = "The passphrase is wrong, or the protected file is damaged."
