"""`submitter submit` and `submitter open` on the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from crypto.card import TusEndpoint, create_card
from crypto.recipients.x25519 import X25519Identity
from crypto.signing import SigningKey
from submitter.cli import run_cli
from submitter.cli.submit_cmd import parse_size
from tests.bundle.conftest import age_decrypt_untar, cleaned_bytes, listing


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "appdata"
    monkeypatch.setenv("SUBMITTER_DATA_DIR", str(data))
    monkeypatch.setenv("SUBMITTER_STATE_PASSPHRASE", "a long test passphrase")
    return data


@pytest.fixture
def card_file(tmp_path: Path, identity: X25519Identity) -> Path:
    card = create_card(SigningKey.generate(), name="Example Rights Watch",
                       recipients=[str(identity.recipient())],
                       endpoints=[TusEndpoint("https://inbox.rights.example.org/files/")],
                       issued=dt.date.today() - dt.timedelta(days=1))
    path = tmp_path / "card.txt"
    path.write_text(card.armored())
    return path


def test_parse_size() -> None:
    assert parse_size("512M") == 512 << 20
    assert parse_size("1g") == 1 << 30
    assert parse_size("1048576") == 1 << 20
    assert parse_size("64KiB") == 64 << 10


def test_submit_into_outbox_then_open(tmp_path: Path, env: Path, card_file: Path,
                                      inputs: list[Path], identity: X25519Identity,
                                      key_file: Path, capsys: pytest.CaptureFixture[str]
                                      ) -> None:
    msg = tmp_path / "msg.txt"
    msg.write_text("Names of the guards are in the PDF.\n")
    assert run_cli(["submit", "--to", str(card_file), "--message-file", str(msg),
                    *map(str, inputs)]) == 0
    out = capsys.readouterr().out.split()
    assert out[0] == "submission" and len(out[1]) == 32
    parts = [Path(p) for p in out[2:]]
    assert len(parts) == 1
    assert parts[0].parent == env / "outbox" / "parts"

    from submitter.outbox.keystore import default_key_store
    from submitter.outbox.queue import Outbox

    with Outbox(default_key_store(env), env) as ob:
        rows = ob.parts()
        assert [r.file_name for r in rows] == [parts[0].name]
        dest = ob.destination(rows[0].id)
        assert dest is not None and dest.kind == "tus"
        assert dest.target == "https://inbox.rights.example.org/files/"

    # Second time: by the pinned organisation's name, into a plain folder.
    usb = tmp_path / "usb"
    usb.mkdir()
    assert run_cli(["submit", "--to", "example rights watch", "--outbox", str(usb),
                    "--part-size", "1M", str(inputs[0])]) == 0
    assert len(list(usb.iterdir())) == 1

    ngo = tmp_path / "ngo"
    ngo.mkdir()
    capsys.readouterr()
    assert run_cli(["open", "-i", str(key_file), "-o", str(ngo), str(parts[0])]) == 0
    report = capsys.readouterr().out
    assert "file-0003.mp4" in report and "removed:" in report
    assert "Names of the guards" in report
    folder = next(ngo.iterdir())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [f["name"] for f in manifest["files"]] == ["file-0001.jpg", "file-0002.pdf",
                                                       "file-0003.mp4"]
    for f, src in zip(manifest["files"], inputs, strict=True):
        assert (folder / f["name"]).read_bytes() == cleaned_bytes(src)
    proc = age_decrypt_untar(parts[0], key_file, tmp_path / "hand")
    assert proc.returncode == 0, proc.stderr


def test_submit_refuses_and_writes_nothing(tmp_path: Path, env: Path, card_file: Path,
                                           inputs: list[Path],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "ledger.jpg"
    bad.write_bytes(b"this is plain text pretending to be a photo")
    usb = tmp_path / "usb"
    usb.mkdir()
    code = run_cli(["submit", "--to", str(card_file), "--outbox", str(usb),
                    str(inputs[0]), str(bad)])
    assert code == 2
    err = capsys.readouterr().err
    assert "nothing was sent" in err
    assert "ledger.jpg" in err and "photo.jpg" not in err
    assert listing(usb) == []


def test_unknown_organisation(env: Path, inputs: list[Path],
                              capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["submit", "--to", "Nobody We Know", str(inputs[0])]) == 1
    assert "No pinned organisation" in capsys.readouterr().err


def test_open_refusal_is_plain(tmp_path: Path, key_file: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.age"
    junk.write_bytes(b"age-encryption.org/v1\n-> X25519 bad\n")
    ngo = tmp_path / "ngo"
    ngo.mkdir()
    assert run_cli(["open", "-i", str(key_file), "-o", str(ngo), str(junk)]) == 1
    err = capsys.readouterr().err
    assert "Part 1:" in err and "Nothing was written." in err
    assert listing(ngo) == []


def test_a_pinned_card_that_has_since_expired_is_not_used(
        tmp_path: Path, env: Path, card_file: Path, inputs: list[Path],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    assert run_cli(["submit", "--to", str(card_file), "--outbox", str(usb),
                    str(inputs[0])]) == 0
    sent = listing(usb)
    assert sent
    capsys.readouterr()
    # Years later the pin is still there, but its card has expired.
    import crypto.card

    monkeypatch.setattr(crypto.card, "_today", lambda: dt.date.today() + dt.timedelta(days=3650))
    for to in ("Example Rights Watch", str(card_file)):
        assert run_cli(["submit", "--to", to, "--outbox", str(usb), str(inputs[0])]) == 1
        assert "expired" in capsys.readouterr().err.lower()
    assert listing(usb) == sent  # nothing new was written


@pytest.mark.parametrize("keep", [True, False], ids=["keep-names", "neutral"])
def test_submit_keep_names_on_the_command_line(tmp_path: Path, env: Path, card_file: Path,
                                               inputs: list[Path], key_file: Path, keep: bool,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    flag = ["--keep-names"] if keep else []
    assert run_cli(["submit", "--to", str(card_file), "--outbox", str(usb), *flag,
                    *map(str, inputs)]) == 0
    parts = [Path(p) for p in capsys.readouterr().out.split()[2:]]
    assert len(parts) == 1 and parts[0].parent == usb
    assert not [n for n, _, _ in listing(usb) if any(i.stem in n for i in inputs)]

    ngo = tmp_path / "ngo"
    ngo.mkdir()
    assert run_cli(["open", "-i", str(key_file), "-o", str(ngo), str(parts[0])]) == 0
    report = capsys.readouterr().out
    folder = next(ngo.iterdir())
    manifest = json.loads((folder / "manifest.json").read_text())
    names = [f["name"] for f in manifest["files"]]
    if keep:
        expected = ["0001-photo.jpg", "0002-report.pdf", "0003-clip.mp4"]
    else:
        expected = ["file-0001.jpg", "file-0002.pdf", "file-0003.mp4"]
    assert names == expected
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*expected, "manifest.json", "message.txt"])
    for name, src in zip(expected, inputs, strict=True):
        assert (folder / name).read_bytes() == cleaned_bytes(src)
        assert name in report
    if not keep:  # neutral: the original names appear nowhere in the result's text
        for text in ((folder / "manifest.json").read_text(),
                     (folder / "message.txt").read_text(), report):
            assert not [i for i in inputs if i.stem in text]


@pytest.fixture
def share_card(tmp_path: Path, identity: X25519Identity) -> Path:
    """A card whose only upload address is an OnionShare share."""
    from crypto.card import OnionShareEndpoint, onion_address

    card = create_card(SigningKey.generate(), name="Example Rights Watch",
                       recipients=[str(identity.recipient())],
                       endpoints=[OnionShareEndpoint(onion_address(bytes(range(32))))],
                       issued=dt.date.today() - dt.timedelta(days=1))
    path = tmp_path / "share-card.txt"
    path.write_text(card.armored())
    return path


def _queued(env: Path) -> list[tuple[str, int]]:
    from submitter.outbox.keystore import default_key_store
    from submitter.outbox.queue import Outbox

    ob = Outbox(default_key_store(env), env)
    try:
        return [((d.kind if (d := ob.destination(p.id)) else ""), p.size) for p in ob.parts()]
    finally:
        ob.close()


def test_parts_too_large_for_an_onionshare_share_are_refused_before_sealing(
        env: Path, share_card: Path, inputs: list[Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    # 2 GiB parts could never pass the share's 1 GiB request limit: refused
    # at once, before a byte is cleaned or sealed, and nothing is queued.
    code = run_cli(["submit", "--to", str(share_card), "--part-size", "2G", *map(str, inputs)])
    assert code != 0
    assert "OnionShare share takes less than 1 GiB" in capsys.readouterr().err
    parts = env / "outbox" / "parts"
    assert not parts.exists() or list(parts.iterdir()) == []
    assert _queued(env) == []


def test_the_largest_part_for_a_share_fits_its_request_limit_with_a_real_header(
        env: Path, share_card: Path, inputs: list[Path], key_file: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    from crypto.stream import CHUNK_SIZE, TAG_SIZE
    from submitter.transports import check_part_size
    from submitter.transports.errors import PartSizeTooLargeError
    from submitter.transports.onionshare import LARGEST_PLAIN_PART, MAX_PART
    from tests.peers import tool

    assert run_cli(["submit", "--to", str(share_card), "--part-size", "1M",
                    *map(str, inputs)]) == 0
    (part,) = [Path(p) for p in capsys.readouterr().out.split()[2:]]
    assert _queued(env) == [("onionshare", part.stat().st_size)]
    data = part.read_bytes()
    # The header of a real part for this card, then the payload: its size is
    # the 16-byte nonce plus one tag per 64 KiB chunk, which the limit assumes.
    header = data.index(b"\n---") + data[data.index(b"\n---") + 1:].index(b"\n") + 2
    plain = len(subprocess.run([tool("age"), "-d", "-i", str(key_file), str(part)],
                               capture_output=True, check=True, timeout=60).stdout)
    chunks = -(-plain // CHUNK_SIZE)
    assert 0 < plain <= 1 << 20
    assert len(data) == header + 16 + plain + chunks * TAG_SIZE
    largest_chunks = -(-LARGEST_PLAIN_PART // CHUNK_SIZE)
    assert header + 16 + LARGEST_PLAIN_PART + largest_chunks * TAG_SIZE <= MAX_PART
    check_part_size("onionshare", LARGEST_PLAIN_PART)
    with pytest.raises(PartSizeTooLargeError):
        check_part_size("onionshare", LARGEST_PLAIN_PART + 512)
    check_part_size("tus", 4 << 30)  # a tus server takes any size in chunks
