"""`submitter card ...` end to end, as staff and sources would run it."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from crypto import keystore
from crypto.card import CardExpiredError, CardSignatureError, onion_address, parse_card
from crypto.keystore import Protection
from crypto.pins import PinMismatchError
from crypto.signing import SigningKey
from tests.keys.conftest import new_org, run_cli
from tests.peers import tool

WF = "10"


@dataclass
class Staff:
    tmp: Path
    data: Path
    sign: Path
    recipient: str

    def create(self, *extra: str, key: Path | None = None, out: str = "card.txt",
               fds: dict[str, str] | None = None) -> Path:
        path = self.tmp / out
        res = run_cli(["card", "create", "--signing-key", str(key or self.sign),
                       "--passphrase-fd", "{pw}", "--name", "Example Rights Watch",
                       "-r", self.recipient, "--website", "https://rights.example.org",
                       "--endpoint", "https://inbox.rights.example.org/files/",
                       "--endpoint", "note:Post a USB stick to PO Box 12",
                       *extra, "-o", str(path)],
                      data_dir=self.data, fds={"pw": "staff pw\n", **(fds or {})})
        assert res.rc == 0, res.err
        return path


@pytest.fixture
def staff(tmp_path: Path) -> Staff:
    data = tmp_path / "ngo-data"
    sign = tmp_path / "sign.key"
    res = run_cli(["keys", "new-signing-key", "-o", str(sign), "--passphrase-fd", "{pw}",
                   "--work-factor", WF], data_dir=data, fds={"pw": "staff pw\n"})
    assert res.rc == 0, res.err
    ident = tmp_path / "id.age"
    res = run_cli(["keys", "new-identity", "-o", str(ident), "--passphrase-fd", "{pw}",
                   "--work-factor", WF], data_dir=data, fds={"pw": "id pw\n"})
    assert res.rc == 0, res.err
    recipient = res.err.split("Public key: ")[1].split()[0]
    return Staff(tmp_path, data, sign, recipient)


def source_import(card: Path | str, data: Path, *, stdin: str | None = None) -> tuple[int, str]:
    res = run_cli(["card", "import", str(card), "--passphrase-fd", "{pw}"], data_dir=data,
                  fds={"pw": "source state pw\n"}, stdin=stdin)
    return res.rc, res.out + res.err


def test_create_show_qr(staff: Staff) -> None:
    path = staff.create("--expires", (dt.date.today() + dt.timedelta(days=90)).isoformat())
    text = path.read_text()
    assert "Organisation: Example Rights Watch" in text
    card = parse_card(text)
    res = run_cli(["card", "show", str(path)], data_dir=staff.data)
    assert res.rc == 0, res.err
    assert "Example Rights Watch" in res.out and staff.recipient in res.out
    assert "https://inbox.rights.example.org/files/" in res.out
    assert card.fingerprint().words_text() in res.out
    assert card.fingerprint().digits_text() in res.out
    assert "Signature: valid." in res.out
    png = staff.tmp / "fp.png"
    assert run_cli(["card", "qr", str(path), "-o", str(png)], data_dir=staff.data).rc == 0
    decoded = subprocess.run([tool("zbarimg"), "--raw", "-q", str(png)], capture_output=True,
                             text=True, timeout=60, check=True).stdout.strip()
    assert decoded.endswith(card.fingerprint().hex)


def test_show_refuses_tampered_card(staff: Staff) -> None:
    path = staff.create()
    lines = path.read_text().splitlines()
    lines[1] = "Organisation: Someone Else"
    path.write_text("\n".join(lines))
    res = run_cli(["card", "show", str(path)], data_dir=staff.data)
    assert res.rc == 1 and "do not match its signed content" in res.err
    assert "Someone Else" not in res.out


def test_show_refuses_forged_and_expired(staff: Staff, tmp_path: Path) -> None:
    org = new_org()
    today = dt.date.today()
    expired = org.card(issued=today - dt.timedelta(days=400), expires=today - dt.timedelta(days=2))
    path = tmp_path / "old.txt"
    path.write_text(expired.armored())
    res = run_cli(["card", "show", str(path)], data_dir=staff.data)
    assert res.rc == 1 and CardExpiredError.message in res.err
    # A card whose signature fails: nothing of its content is shown.
    good = org.card(issued=today)
    text = good.armored()
    from tests.keys.conftest import armor_body, body_of

    forged = armor_body(body_of(text).replace(b"Example", b"Exempel"))
    path.write_text(forged)
    res = run_cli(["card", "show", str(path)], data_dir=staff.data)
    assert res.rc == 1 and CardSignatureError.message in res.err and res.out == ""


def test_source_import_pin_then_key_change_refused_then_handover(staff: Staff) -> None:
    source = staff.tmp / "source-data"
    card1 = staff.create()
    rc, out = source_import(card1, source)
    assert rc == 0, out
    assert "New organisation pinned" in out and "compare this fingerprint" in out
    # Pasted text on stdin, surrounded by an email's prose and quoting.
    pasted = "Hi,\n\n" + "\n".join("> " + ln for ln in card1.read_text().splitlines())
    rc, out = source_import(Path("-"), source, stdin=pasted)
    assert rc == 0 and "You already have this card" in out
    # Mallory publishes a card in the organisation's name with her own key.
    mallory = staff.tmp / "mallory.key"
    keystore.save_key(mallory, SigningKey.generate().secret_text(), public="x",
                      protection=Protection.PASSPHRASE, passphrase=lambda: "staff pw",
                      work_factor=int(WF))
    fake = staff.create(key=mallory, out="fake.txt")
    rc, out = source_import(fake, source)
    assert rc == 1
    assert PinMismatchError.message in out
    # The organisation really rotates: the old key signs the hand-over.
    new_key = staff.tmp / "sign2.key"
    assert run_cli(["keys", "new-signing-key", "-o", str(new_key), "--passphrase-fd", "{pw}",
                    "--work-factor", WF], data_dir=staff.data, fds={"pw": "staff pw"}).rc == 0
    rotated = staff.create("--handover-from", str(staff.sign),
                           "--handover-passphrase-fd", "{old}", key=new_key,
                           out="rotated.txt", fds={"old": "staff pw\n"})
    rc, out = source_import(rotated, source)
    assert rc == 0, out
    assert "signed the hand-over" in out
    res = run_cli(["card", "pinned", "--passphrase-fd", "{pw}"], data_dir=source,
                  fds={"pw": "source state pw\n"})
    assert res.rc == 0 and res.out.count("Example Rights Watch") == 1
    assert parse_card(rotated.read_text()).fingerprint().words_text() in res.out
    # Wrong state passphrase: a clear refusal, nothing listed.
    res = run_cli(["card", "pinned", "--passphrase-fd", "{pw}"], data_dir=source,
                  fds={"pw": "guess\n"})
    assert res.rc == 1 and "Example" not in res.out + res.err
    # The source's data directory names no organisation anywhere.
    for f in source.rglob("*"):
        if f.is_file():
            blob = f.read_bytes()
            assert b"Example" not in blob and b"rights" not in blob and b"age1" not in blob


def test_create_refuses_bad_input(staff: Staff) -> None:
    res = run_cli(["card", "create", "--signing-key", str(staff.sign), "--passphrase-fd", "{pw}",
                   "--name", "Org", "-r", staff.recipient, "--endpoint", "ftp://x.org/",
                   "-o", str(staff.tmp / "bad.txt")],
                  data_dir=staff.data, fds={"pw": "staff pw"})
    assert res.rc == 1 and "A field of the card is not allowed" in res.err
    assert not (staff.tmp / "bad.txt").exists()
    pq = new_org(pq=True).recipients[0]
    res = run_cli(["card", "create", "--signing-key", str(staff.sign), "--passphrase-fd", "{pw}",
                   "--name", "Org", "-r", staff.recipient, "-r", pq],
                  data_dir=staff.data, fds={"pw": "staff pw"})
    assert res.rc == 1 and "classic or post-quantum" in res.err
    res = run_cli(["card", "create", "--signing-key", str(staff.sign), "--passphrase-fd", "{pw}",
                   "--name", "Org", "-r", staff.recipient],
                  data_dir=staff.data, fds={"pw": "wrong"})
    assert res.rc == 1 and "passphrase is wrong" in res.err


def test_create_with_recipients_file_and_onionshare(staff: Staff) -> None:
    """-R reads an age-keygen style file (comments and blank lines skipped);
    an onionshare: endpoint keeps its address and client auth."""
    second = run_cli(["keygen"], data_dir=staff.data)
    assert second.rc == 0, second.err
    key_file = staff.tmp / "recipients.txt"
    public = second.out.split("# public key: ")[1].split()[0]
    key_file.write_text(f"# second staff member\n\n{public}\n")
    onion = onion_address(bytes(range(32)))
    other = onion_address(bytes(range(1, 33)))
    auth = "B" * 52
    path = staff.create("-R", str(key_file), "--endpoint", f"onionshare:{onion}:{auth}",
                        "--endpoint", f"onionshare:{other}")
    card = parse_card(path.read_text())
    assert card.recipients == (staff.recipient, public)
    shares = [ep for ep in card.endpoints if ep.kind == "onionshare"]
    assert [(ep.address, ep.client_auth) for ep in shares] == [(onion, auth), (other, None)]
    res = run_cli(["card", "show", str(path)], data_dir=staff.data)
    assert res.rc == 0 and onion in res.out and public in res.out
    # A short address, a typo (checksum), a bad client auth: refused, no card written.
    typo = ("b" if onion[0] != "b" else "c") + onion[1:]
    for bad in ("onionshare:short.onion", f"onionshare:{typo}",
                f"onionshare:{onion}:not-base32"):
        res = run_cli(["card", "create", "--signing-key", str(staff.sign),
                       "--passphrase-fd", "{pw}", "--name", "Org", "-r", staff.recipient,
                       "--endpoint", bad, "-o", str(staff.tmp / "bad.txt")],
                      data_dir=staff.data, fds={"pw": "staff pw"})
        assert res.rc == 1 and "A field of the card is not allowed" in res.err, res.err
        assert not (staff.tmp / "bad.txt").exists()
    missing = run_cli(["card", "create", "--signing-key", str(staff.sign), "--passphrase-fd",
                       "{pw}", "--name", "Org", "-R", str(staff.tmp / "none.txt")],
                      data_dir=staff.data, fds={"pw": "staff pw"})
    assert missing.rc == 1 and len(missing.err.strip().splitlines()) == 1
