"""Key files protected by a passphrase (age scrypt), checked with Debian's `age`."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from crypto import keystore
from crypto.age import encrypt_bytes
from crypto.errors import PassphraseError
from crypto.keygen import generate_mlkem768x25519, generate_x25519
from crypto.keystore import KeyKind, Protection
from crypto.recipients import parse_recipient
from crypto.signing import SigningKey
from tests.crypto.ttyrun import run_with_tty
from tests.keys.conftest import run_cli
from tests.peers import tool

WF = 12  # a light scrypt work factor keeps the suite quick; age accepts it


def _age_decrypt_with_pty(
    identity: Path, ciphertext: Path, output: Path, passphrase: str
) -> tuple[int, str]:
    """Run `age -d -i identity` with a real terminal and type the passphrase.

    Returns age's exit code and everything it wrote to the terminal.
    """
    ran = run_with_tty([tool("age"), "-d", "-i", str(identity), "-o", str(output),
                        str(ciphertext)], passphrase, timeout=60)
    assert ran.prompts, f"age never asked for the passphrase: {ran.transcript!r}"
    return ran.returncode, ran.transcript.decode(errors="replace")


@pytest.mark.parametrize("pq", [False, True], ids=["x25519", "mlkem768x25519"])
def test_passphrase_protected_identity_opens_with_debian_age(tmp_path: Path, pq: bool) -> None:
    identity = generate_mlkem768x25519() if pq else generate_x25519()
    recipient = str(identity.recipient())
    from crypto.identity_file import format_identity_file

    key_file = tmp_path / "staff" / "key.age"
    keystore.save_key(key_file, format_identity_file(identity, recipient), public=recipient,
                      protection=Protection.PASSPHRASE, passphrase=lambda: "tr0ub4dor",
                      work_factor=WF)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert b"AGE-SECRET-KEY" not in key_file.read_bytes()
    assert key_file.read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")

    message = b"a bundle part for the NGO\n" * 10
    ct = tmp_path / "bundle.age"
    ct.write_bytes(encrypt_bytes(message, [parse_recipient(recipient)]))
    out = tmp_path / "plain"
    rc, seen = _age_decrypt_with_pty(key_file, ct, out, "tr0ub4dor")
    if pq:
        # Debian's age 1.1.1 predates post-quantum keys: it opens the passphrase
        # layer (our file format is age's own) and then stops at the key line it
        # does not know, which is the expected limit of that version.
        assert rc != 0
        assert "unknown identity type" in seen and "incorrect passphrase" not in seen.lower()
        return
    assert rc == 0, seen
    assert out.read_bytes() == message


def test_wrong_passphrase_is_refused_by_age_too(tmp_path: Path) -> None:
    identity = generate_x25519()
    from crypto.identity_file import format_identity_file

    key_file = tmp_path / "key.age"
    keystore.save_key(key_file, format_identity_file(identity, str(identity.recipient())),
                      public="x", protection=Protection.PASSPHRASE, passphrase=lambda: "right",
                      work_factor=WF)
    ct = tmp_path / "c.age"
    ct.write_bytes(encrypt_bytes(b"x", [identity.recipient()]))
    rc, seen = _age_decrypt_with_pty(key_file, ct, tmp_path / "o", "wrong")
    assert rc != 0 and "incorrect passphrase" in seen.lower()
    assert not (tmp_path / "o").exists() or (tmp_path / "o").read_bytes() == b""
    with pytest.raises(PassphraseError) as info:
        keystore.load_identities(key_file, lambda: "wrong")
    assert info.value.message == PassphraseError.message


def test_identity_made_by_age_keygen_and_protected_by_age_loads_here(tmp_path: Path) -> None:
    """The other direction: `age-keygen | age -p -a` output is a valid key file here."""
    plain = subprocess.run([tool("age-keygen")], capture_output=True, text=True, timeout=30,
                           check=True).stdout
    recipient = next(ln.split(": ")[1] for ln in plain.splitlines() if "public key" in ln)
    src = tmp_path / "plain.txt"
    src.write_text(plain)
    key_file = tmp_path / "key.age"
    ran = run_with_tty([tool("age"), "-p", "-a", "-o", str(key_file), str(src)], "from-age",
                       timeout=60)
    assert ran.returncode == 0, ran.transcript
    assert ran.prompts == 2  # "Enter passphrase", then "Confirm passphrase"
    assert keystore.protection_of(key_file) is Protection.PASSPHRASE
    ids = keystore.load_identities(key_file, lambda: "from-age")
    assert [str(i.recipient()) for i in ids] == [recipient]  # type: ignore[attr-defined]


def test_signing_key_passphrase_roundtrip_and_no_secret_on_disk(tmp_path: Path) -> None:
    key = SigningKey.generate()
    path = tmp_path / "sign.key"
    keystore.save_key(path, key.secret_text(), public=str(key.verify_key()),
                      protection=Protection.PASSPHRASE, passphrase=lambda: "pw", work_factor=WF)
    seed_line = key.secret_text().splitlines()[-1]
    assert seed_line.encode() not in path.read_bytes()
    assert keystore.load_signing_key(path, lambda: "pw").verify_key() == key.verify_key()
    with pytest.raises(PassphraseError):
        keystore.load_signing_key(path, lambda: "nope")
    with pytest.raises(PassphraseError):
        keystore.load_signing_key(path, None)
    with pytest.raises(keystore.EmptyPassphraseError):
        keystore.save_key(tmp_path / "other", key.secret_text(), public="x",
                          protection=Protection.PASSPHRASE, passphrase=lambda: "")


def test_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "taken"
    path.write_text("something precious")
    with pytest.raises(keystore.KeyFileExistsError):
        keystore.save_key(path, SigningKey.generate().secret_text(), public="x",
                          protection=Protection.NONE)
    assert path.read_text() == "something precious"


def test_change_protection_passphrase_to_none_and_back(tmp_path: Path) -> None:
    key = SigningKey.generate()
    path = tmp_path / "k"
    keystore.save_key(path, key.secret_text(), public="x", protection=Protection.PASSPHRASE,
                      passphrase=lambda: "one", work_factor=WF)
    info = keystore.change_protection(path, Protection.NONE, passphrase=lambda: "one")
    assert info.kind is KeyKind.SIGNING and info.public == str(key.verify_key())
    assert keystore.protection_of(path) is Protection.NONE
    keystore.change_protection(path, Protection.PASSPHRASE, new_passphrase=lambda: "two",
                               work_factor=WF)
    assert keystore.load_signing_key(path, lambda: "two").verify_key() == key.verify_key()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_cli_new_keys_with_passphrase_fd(tmp_path: Path) -> None:
    data = tmp_path / "data"
    sign = tmp_path / "org" / "sign.key"
    res = run_cli(["keys", "new-signing-key", "-o", str(sign), "--passphrase-fd", "{pw}",
                   "--work-factor", str(WF)], data_dir=data, fds={"pw": "pass phrase\n"})
    assert res.rc == 0, res.err
    assert "SUBMITTER-SIGNING-KEY" not in res.out + res.err
    assert "Fingerprint:" in res.err
    # exactly one trailing newline was stripped: "pass phrase" opens it
    assert keystore.load_signing_key(sign, lambda: "pass phrase")
    ident = tmp_path / "org" / "id.age"
    res = run_cli(["keys", "new-identity", "--pq", "-o", str(ident), "--passphrase-fd", "{pw}",
                   "--work-factor", str(WF)], data_dir=data, fds={"pw": "x\n\n"})
    assert res.rc == 0, res.err
    # "x\n\n" minus one newline is "x\n": the passphrase keeps the second newline
    with pytest.raises(PassphraseError):
        keystore.load_identities(ident, lambda: "x")
    ids = keystore.load_identities(ident, lambda: "x\n")
    recipient = str(ids[0].recipient())  # type: ignore[attr-defined]
    assert recipient.startswith("age1pq1")
    res = run_cli(["keys", "export-recipient", str(ident), "--passphrase-fd", "{pw}"],
                  data_dir=data, fds={"pw": "x\n\n"})
    assert res.rc == 0 and res.out.strip() == recipient
    res = run_cli(["keys", "list"], data_dir=data)
    assert res.rc == 0
    assert str(sign) in res.out and recipient in res.out and "passphrase" in res.out
    assert "SECRET" not in res.out
    # refusing to overwrite, with a plain message
    res = run_cli(["keys", "new-signing-key", "-o", str(sign), "--passphrase-fd", "{pw}"],
                  data_dir=data, fds={"pw": "p"})
    assert res.rc == 1 and "exists already" in res.err
    # an unprotected secret is never printed to the terminal
    res = run_cli(["keys", "new-identity", "--protect", "none"], data_dir=data)
    assert res.rc == 1 and "AGE-SECRET-KEY" not in res.out


def test_cli_wrong_passphrase_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    sign = tmp_path / "sign.key"
    assert run_cli(["keys", "new-signing-key", "-o", str(sign), "--passphrase-fd", "{pw}",
                    "--work-factor", str(WF)], data_dir=data, fds={"pw": "a"}).rc == 0
    res = run_cli(["keys", "export-recipient", str(sign), "--passphrase-fd", "{pw}"],
                  data_dir=data, fds={"pw": "b"})
    assert res.rc == 1
    assert PassphraseError.message in res.err
