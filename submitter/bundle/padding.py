"""PADMÉ padding of the plaintext tar stream of a part.

PADMÉ (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
Communication with PURBs", PETS 2019) rounds a length L up so that only the
top floor(log2 floor(log2 L)) + 1 bits may be non-zero. The overhead is
below 2^-S where S = bit length of floor(log2 L): under 3.2% (1/32) for
every L from 64 KiB to 4 GiB, under 1.6% up to 2^64 bytes; only 2^S
distinct sizes exist between 2^k and 2^(k+1) (32 for k = 16..31).  Parts are never smaller than
1 MiB (``MIN_PADDED_SIZE``), which costs at most 1 MiB on tiny submissions.

The padding is applied to the plaintext (the tar stream). The age ciphertext
size is a fixed, injective function of the plaintext size for a given set of
recipients (header + 16-byte nonce + 16-byte tag per 64 KiB chunk), so the
ciphertext sizes an observer can see form a set of exactly the same size and
leak exactly as much as padding the ciphertext would.
"""

from __future__ import annotations

from submitter.bundle.format import BLOCK, MIN_PADDED_SIZE


def padme(length: int) -> int:
    """The PADMÉ length for ``length`` (≥ length)."""
    if length < 0:
        raise ValueError("negative length")
    if length < 2:
        return length
    e = length.bit_length() - 1  # floor(log2 L)
    s = e.bit_length()  # floor(log2 e) + 1
    last_bits = e - s
    mask = (1 << last_bits) - 1
    return (length + mask) & ~mask


def padded_size(length: int, cap: int | None = None) -> int:
    """Target plaintext size of a part holding ``length`` bytes of tar stream.

    At least ``MIN_PADDED_SIZE``, PADMÉ-rounded, a whole number of tar blocks,
    and never above ``cap`` (the part size: full parts are all exactly the
    part size).
    """
    target = max(padme(length), MIN_PADDED_SIZE)
    target = -(-target // BLOCK) * BLOCK
    if cap is not None:
        if length > cap:
            raise ValueError("content exceeds the part size")
        target = min(target, cap)
    return target


def overhead(length: int) -> float:
    """Relative overhead of PADMÉ alone (without the minimum size)."""
    return (padme(length) - length) / length if length else 0.0
