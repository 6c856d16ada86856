"""Key generation for the identity types."""

from __future__ import annotations

from crypto.recipients.mlkem768x25519 import MLKEM768X25519Identity
from crypto.recipients.x25519 import X25519Identity


def generate_x25519() -> X25519Identity:
    return X25519Identity.generate()


def generate_mlkem768x25519() -> MLKEM768X25519Identity:
    """A post-quantum hybrid identity (ML-KEM-768 + X25519), as age-keygen -pq."""
    return MLKEM768X25519Identity.generate()
