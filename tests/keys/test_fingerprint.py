"""Fingerprints of the signing key: words, digit groups, QR (read back by zbarimg)."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from crypto.fingerprint import QR_PREFIX, Fingerprint, FingerprintError, wordlist
from crypto.signing import SigningKey
from tests.peers import REPO, tool

VECTORS = json.loads((Path(__file__).parent / "vectors" / "fingerprint_v1.json").read_text())


@pytest.mark.parametrize("vec", VECTORS["vectors"], ids=lambda v: v["label"])
def test_format_v1_vectors(vec: dict[str, str]) -> None:
    fp = Fingerprint.of_public_key(bytes.fromhex(vec["public_key_hex"]))
    assert fp.hex == vec["sha256_hex"]
    assert fp.words_text() == vec["words"]
    assert fp.digits_text() == vec["digits"]


def test_wordlist_is_sound() -> None:
    words = wordlist()
    assert len(words) == 256 and len(set(words)) == 256
    assert all(3 <= len(w) <= 7 and w.isascii() and w.isalpha() and w.islower() for w in words)
    # No word is a prefix of another, so a word heard cut short is not another word.
    for a in words:
        assert not any(b != a and b.startswith(a) for b in words), a
    raw = json.loads((REPO / "crypto" / "fingerprint_words.json").read_text())
    assert tuple(raw["words"]) == words


def test_same_key_same_output_and_keys_differ() -> None:
    key = SigningKey.generate()
    a = Fingerprint.of_public_key(key.verify_key().raw)
    b = Fingerprint.of_public_key(SigningKey.from_secret_text(key.secret_text()).verify_key().raw)
    assert a == b and a.words() == b.words() and a.digit_groups() == b.digit_groups()
    assert a.qr_png() == b.qr_png()
    other = Fingerprint.of_public_key(SigningKey.generate().verify_key().raw)
    assert other.words() != a.words() and other.digit_groups() != a.digit_groups()


def test_shapes() -> None:
    fp = Fingerprint.of_public_key(SigningKey.generate().verify_key().raw)
    assert len(fp.words()) == 12
    groups = fp.digit_groups()
    assert len(groups) == 6 and all(len(g) == 5 and g.isdigit() for g in groups)


def test_spoken_comparison_is_tolerant_of_case_and_spacing() -> None:
    fp = Fingerprint.of_public_key(bytes(range(32)))
    assert fp.matches_words("  " + fp.words_text().upper().replace(" ", "   ") + "\n")
    assert fp.matches_digits(fp.digits_text().replace(" ", "-"))
    wrong = fp.words()
    wrong[5] = "zebra" if wrong[5] != "zebra" else "apple"
    assert not fp.matches_words(" ".join(wrong))


def test_rejects_wrong_key_size() -> None:
    with pytest.raises(FingerprintError):
        Fingerprint.of_public_key(b"short")


def test_qr_png_and_svg_decode_with_zbarimg(tmp_path: Path) -> None:
    fp = Fingerprint.of_public_key(SigningKey.generate().verify_key().raw)
    png = fp.qr_png()
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] == image.size[1] >= 200
    path = tmp_path / "fp.png"
    path.write_bytes(png)
    out = subprocess.run([tool("zbarimg"), "--raw", "-q", str(path)], capture_output=True,
                         text=True, timeout=60, check=True).stdout.strip()
    assert out == QR_PREFIX + fp.hex
    svg = fp.qr_svg()
    assert svg.startswith(b"<svg") and b"</svg>" in svg
