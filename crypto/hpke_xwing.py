"""HPKE (RFC 9180, base mode) over the MLKEM768-X25519 hybrid KEM (X-Wing).

This is the machinery under age's post-quantum recipient type
``mlkem768x25519`` (age 1.3, age-encryption 0.3): the file key is sealed with
single-shot HPKE, KEM ``MLKEM768-X25519`` (HPKE KEM id 0x647a), KDF
HKDF-SHA256, AEAD ChaCha20-Poly1305.

The KEM is X-Wing as specified by draft-connolly-cfrg-xwing-kem:

* a 32-byte seed is the whole private key; SHAKE256(seed, 96 bytes) gives a
  64-byte ML-KEM-768 seed (d || z) followed by a 32-byte X25519 scalar;
* the public key is the ML-KEM encapsulation key (1184 bytes) followed by the
  X25519 public key (32 bytes);
* the ciphertext is the ML-KEM ciphertext (1088 bytes) followed by an
  ephemeral X25519 public key (32 bytes);
* the shared secret is SHA3-256(ss_mlkem || ss_x25519 || ct_x25519 ||
  pk_x25519 || the six-byte label ``\\.//^\\``).

ML-KEM and the hashes come from ``cryptography``; X25519 and
ChaCha20-Poly1305 from libsodium (PyNaCl). An all-zero X25519 result (a
low-order share) is refused, as libsodium, Go and the TypeScript peer all do.
"""

from __future__ import annotations

import hashlib
import hmac
import os

import nacl.bindings as sodium
import nacl.exceptions
from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric import mlkem
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from crypto.errors import HeaderError, KeyFormatError

SEED_SIZE = 32
MLKEM_PUBLIC_KEY_SIZE = 1184
MLKEM_CIPHERTEXT_SIZE = 1088
X25519_SIZE = 32
PUBLIC_KEY_SIZE = MLKEM_PUBLIC_KEY_SIZE + X25519_SIZE  # 1216
CIPHERTEXT_SIZE = MLKEM_CIPHERTEXT_SIZE + X25519_SIZE  # 1120
SHARED_SECRET_SIZE = 32

# The X-Wing combiner's domain separator: the bytes \ . / / ^ \
_XWING_LABEL = b"\\.//^\\"

# HPKE identifiers (RFC 9180 registries; 0x647a is MLKEM768-X25519).
KEM_ID = 0x647A
_KDF_HKDF_SHA256 = 0x0001
_AEAD_CHACHA20POLY1305 = 0x0003
_SUITE_ID = (
    b"HPKE"
    + KEM_ID.to_bytes(2, "big")
    + _KDF_HKDF_SHA256.to_bytes(2, "big")
    + _AEAD_CHACHA20POLY1305.to_bytes(2, "big")
)
_HPKE_VERSION = b"HPKE-v1"
_MODE_BASE = b"\x00"
_AEAD_KEY_SIZE = 32
_AEAD_NONCE_SIZE = 12


# --- the KEM ---------------------------------------------------------------


def _expand_seed(seed: bytes) -> tuple[bytes, bytes]:
    """The ML-KEM-768 seed (d || z) and the X25519 scalar of an X-Wing seed."""
    if len(seed) != SEED_SIZE:
        raise KeyFormatError("mlkem768x25519: the private seed must be 32 bytes")
    expanded = hashlib.shake_256(seed).digest(64 + X25519_SIZE)
    return expanded[:64], expanded[64:]


def _x25519(scalar: bytes, point: bytes) -> bytes | None:
    """X25519(scalar, point), or None when the result is all zero (low order)."""
    try:
        shared = sodium.crypto_scalarmult(scalar, point)
    except nacl.exceptions.CryptoError:
        # libsodium refuses an all-zero result; that is the only failure
        # reachable with 32-byte inputs.
        return None
    if hmac.compare_digest(shared, bytes(X25519_SIZE)):  # belt and braces
        return None
    return shared


def _combine(ss_mlkem: bytes, ss_x25519: bytes, ct_x25519: bytes, pk_x25519: bytes) -> bytes:
    return hashlib.sha3_256(ss_mlkem + ss_x25519 + ct_x25519 + pk_x25519 + _XWING_LABEL).digest()


def public_key_from_seed(seed: bytes) -> bytes:
    """The 1216-byte X-Wing public key (encapsulation key) of a 32-byte seed."""
    mlkem_seed, x25519_scalar = _expand_seed(seed)
    mlkem_key = mlkem.MLKEM768PrivateKey.from_seed_bytes(mlkem_seed)
    return mlkem_key.public_key().public_bytes_raw() + sodium.crypto_scalarmult_base(x25519_scalar)


def check_public_key(untrusted_public_key: bytes) -> None:
    """Raise KeyFormatError unless this is a usable X-Wing public key.

    The ML-KEM part must pass FIPS 203's encapsulation-key check (done by
    ``cryptography`` on import), and the X25519 part must not be a low-order
    point: every clamped scalar sends such a point to zero, so one trial
    multiplication with a fixed scalar finds them.
    """
    if len(untrusted_public_key) != PUBLIC_KEY_SIZE:
        raise KeyFormatError("mlkem768x25519: the public key must be 1216 bytes")
    try:
        mlkem.MLKEM768PublicKey.from_public_bytes(untrusted_public_key[:MLKEM_PUBLIC_KEY_SIZE])
    except (ValueError, InvalidKey):
        raise KeyFormatError("mlkem768x25519: invalid ML-KEM-768 public key") from None
    if _x25519(b"\x09" * X25519_SIZE, untrusted_public_key[MLKEM_PUBLIC_KEY_SIZE:]) is None:
        raise KeyFormatError("mlkem768x25519: the X25519 public key is a low-order point")


def encapsulate(public_key: bytes) -> tuple[bytes, bytes]:
    """(ciphertext, shared_secret) for a public key; fresh randomness each call."""
    check_public_key(public_key)
    pk_mlkem, pk_x25519 = public_key[:MLKEM_PUBLIC_KEY_SIZE], public_key[MLKEM_PUBLIC_KEY_SIZE:]
    ss_mlkem, ct_mlkem = mlkem.MLKEM768PublicKey.from_public_bytes(pk_mlkem).encapsulate()
    ephemeral = os.urandom(X25519_SIZE)
    ct_x25519 = sodium.crypto_scalarmult_base(ephemeral)
    ss_x25519 = _x25519(ephemeral, pk_x25519)
    if ss_x25519 is None:  # excluded by check_public_key; kept so this can never pass zero on
        raise KeyFormatError("mlkem768x25519: the X25519 public key is a low-order point")
    return ct_mlkem + ct_x25519, _combine(ss_mlkem, ss_x25519, ct_x25519, pk_x25519)


def decapsulate(untrusted_ciphertext: bytes, seed: bytes) -> bytes:
    """The shared secret of a ciphertext, for the private key ``seed``.

    ML-KEM's implicit rejection means a corrupted ciphertext gives a wrong
    (pseudo-random) secret rather than an error; only a malformed length or a
    low-order X25519 share raises (HeaderError, as the age CCTV vectors
    ``hybrid_low_order`` and ``hybrid_identity`` require).
    """
    if len(untrusted_ciphertext) != CIPHERTEXT_SIZE:
        raise HeaderError("mlkem768x25519: the encapsulated key must be 1120 bytes")
    mlkem_seed, x25519_scalar = _expand_seed(seed)
    mlkem_key = mlkem.MLKEM768PrivateKey.from_seed_bytes(mlkem_seed)
    ct_mlkem = untrusted_ciphertext[:MLKEM_CIPHERTEXT_SIZE]
    ct_x25519 = untrusted_ciphertext[MLKEM_CIPHERTEXT_SIZE:]
    try:
        ss_mlkem = mlkem_key.decapsulate(ct_mlkem)
    except ValueError:  # only for a wrong length, excluded above
        raise HeaderError("mlkem768x25519: invalid ML-KEM-768 ciphertext") from None
    ss_x25519 = _x25519(x25519_scalar, ct_x25519)
    if ss_x25519 is None:
        raise HeaderError("mlkem768x25519: the X25519 share is a low-order point")
    pk_x25519 = sodium.crypto_scalarmult_base(x25519_scalar)
    return _combine(ss_mlkem, ss_x25519, ct_x25519, pk_x25519)


# --- HPKE base mode, single shot ---------------------------------------------


def _labeled_extract(salt: bytes, label: bytes, ikm: bytes) -> bytes:
    # HKDF-Extract is HMAC(salt, ikm); an empty salt is HashLen zero bytes,
    # which HMAC treats exactly like the empty key.
    mac = crypto_hmac.HMAC(salt or bytes(32), hashes.SHA256())
    mac.update(_HPKE_VERSION + _SUITE_ID + label + ikm)
    return mac.finalize()


def _labeled_expand(prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    labeled_info = length.to_bytes(2, "big") + _HPKE_VERSION + _SUITE_ID + label + info
    return HKDFExpand(hashes.SHA256(), length, labeled_info).derive(prk)


def key_schedule(shared_secret: bytes, info: bytes) -> tuple[bytes, bytes]:
    """(key, base_nonce) of HPKE's base-mode key schedule (no PSK)."""
    psk_id_hash = _labeled_extract(b"", b"psk_id_hash", b"")
    info_hash = _labeled_extract(b"", b"info_hash", info)
    context = _MODE_BASE + psk_id_hash + info_hash
    secret = _labeled_extract(shared_secret, b"secret", b"")
    key = _labeled_expand(secret, b"key", context, _AEAD_KEY_SIZE)
    base_nonce = _labeled_expand(secret, b"base_nonce", context, _AEAD_NONCE_SIZE)
    return key, base_nonce


def seal(public_key: bytes, info: bytes, plaintext: bytes) -> tuple[bytes, bytes]:
    """(encapsulated key, ciphertext): HPKE SealBase with empty AAD, sequence 0."""
    enc, shared_secret = encapsulate(public_key)
    key, nonce = key_schedule(shared_secret, info)
    return enc, sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plaintext, None, nonce, key)


def open_sealed(
    untrusted_enc: bytes, seed: bytes, info: bytes, untrusted_ciphertext: bytes
) -> bytes | None:
    """HPKE OpenBase: the plaintext, or None if the AEAD does not authenticate.

    Raises HeaderError for a malformed ``enc`` (see ``decapsulate``).
    """
    shared_secret = decapsulate(untrusted_enc, seed)
    key, nonce = key_schedule(shared_secret, info)
    try:
        return sodium.crypto_aead_chacha20poly1305_ietf_decrypt(
            untrusted_ciphertext, None, nonce, key
        )
    except nacl.exceptions.CryptoError:
        return None
