"""What every recipient and identity type provides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from crypto.stanza import Stanza


@runtime_checkable
class Recipient(Protocol):
    """Wraps a 16-byte file key into one or more stanzas."""

    def wrap(self, file_key: bytes) -> list[Stanza]: ...

    def labels(self) -> frozenset[str]:
        """Labels that must be identical across all recipients of one file.

        The post-quantum hybrid type returns {"postquantum"} so it is never
        mixed with classic recipients; the scrypt type returns a label unique
        to itself so it stays alone in a file.
        """
        ...


@runtime_checkable
class Identity(Protocol):
    """Unwraps the file key from the stanzas it recognises."""

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """The file key, or None if no stanza is for this identity.

        Raises HeaderError for a malformed stanza of this identity's own type.
        """
        ...
