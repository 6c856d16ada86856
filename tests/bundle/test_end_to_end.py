"""Photos, documents and videos with identifying metadata through submit and open."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from crypto.recipients.x25519 import X25519Identity
from submitter.bundle.format import MiB
from submitter.bundle.opener import open_parts
from submitter.bundle.pipeline import Stage, SubmitProgress, submit
from tests.bundle.conftest import age_decrypt_untar, big_jpeg, cleaned_bytes, listing
from tests.metadata import exiftool
from tests.peers import tool

SECRETS = (b"51.53", b"iPhone 12", b"C39XK2ABC123", b"SN-778899", b"PhoneCorp", b"Spy 3000")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_submit_then_open_photo_document_video(tmp_path: Path, inputs: list[Path],
                                               identity: X25519Identity, key_file: Path) -> None:
    for src in inputs:  # the inputs really carry identifying metadata
        assert exiftool.identifying(src), src
    expected = [cleaned_bytes(p) for p in inputs]
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    events: list[SubmitProgress] = []
    res = submit(inputs, [identity.recipient()], outbox, message="Cell block B, March.",
                 progress=events.append)

    assert len(res.parts) == 1
    part = res.parts[0]
    assert sorted(p.name for p in outbox.iterdir()) == [part.name]
    assert len(part.stem) == 32 and all(c in "0123456789abcdef" for c in part.stem)
    assert part.suffix == ".age"
    assert part.stat().st_size > MiB  # padded: never smaller than 1 MiB of plaintext
    assert not any(name.encode() in part.read_bytes()
                   for name in ("photo", "report", "clip", "Cell block"))
    assert {e.stage for e in events} >= {Stage.CHECKING, Stage.ENCRYPTING, Stage.DONE}
    assert events[-1].files_done == 3 and events[-1].bytes_done == events[-1].bytes_total

    dest = tmp_path / "ngo"
    dest.mkdir()
    rep = open_parts([part], [identity], dest)
    folder = rep.folder
    assert folder.parent == dest and folder.name == f"submission-{res.submission_id}"
    assert sorted(p.name for p in folder.iterdir()) == [
        "file-0001.jpg", "file-0002.pdf", "file-0003.mp4", "manifest.json", "message.txt"]
    assert (folder / "message.txt").read_text() == "Cell block B, March."
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["submission_id"] == res.submission_id
    for i, (want, entry) in enumerate(zip(expected, manifest["files"], strict=True)):
        got = (folder / entry["name"]).read_bytes()
        assert got == want  # exactly the cleaned version
        assert entry["sha256"] == _sha(got) == res.files[i].sha256
        assert entry["size"] == len(got)
        assert entry["removed"], "the manifest says what was removed"
        assert all(set(r) == {"field", "category"} for r in entry["removed"])
        assert exiftool.identifying(folder / entry["name"]) == []
        for secret in SECRETS:
            assert secret not in got
    # The manifest names fields, never the removed values.
    raw_manifest = (folder / "manifest.json").read_bytes()
    for secret in SECRETS:
        assert secret not in raw_manifest

    # The same part opens with nothing but Debian's age and GNU tar.
    by_hand = tmp_path / "by-hand"
    proc = age_decrypt_untar(part, key_file, by_hand)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    assert sorted(p.name for p in by_hand.iterdir()) == [
        "file-0001.jpg", "file-0002.pdf", "file-0003.mp4", "manifest.json"]
    for entry in manifest["files"]:
        assert (by_hand / entry["name"]).read_bytes() == (folder / entry["name"]).read_bytes()
    tar_manifest = json.loads((by_hand / "manifest.json").read_text())
    assert tar_manifest["part"] == {"index": 1, "count": 1}
    assert [f["sha256"] for f in tar_manifest["files"]] == [f["sha256"] for f in
                                                           manifest["files"]]


def test_keep_names_are_sanitised(tmp_path: Path, identity: X25519Identity) -> None:
    src = tmp_path / "in"
    src.mkdir()
    photo = big_jpeg(src / "Mé\u202egpj.exe ..photo.jpg", side=64)
    outbox = tmp_path / "ob"
    outbox.mkdir()
    res = submit([photo], [identity.recipient()], outbox, keep_names=True)
    assert res.files[0].name == "0001-Mégpj.exe ..photo.jpg"
    dest = tmp_path / "d"
    dest.mkdir()
    rep = open_parts(res.parts, [identity], dest)
    assert [f.name for f in rep.files] == ["0001-Mégpj.exe ..photo.jpg"]
    assert (rep.folder / "0001-Mégpj.exe ..photo.jpg").read_bytes() == cleaned_bytes(photo)


def test_large_file_split_into_segments_across_parts(tmp_path: Path, identity: X25519Identity,
                                                     key_file: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    photos = [big_jpeg(src / f"p{i}.jpg", side=s, seed=s) for i, s in enumerate((1300, 300, 900))]
    sizes = [len(cleaned_bytes(p)) for p in photos]
    assert max(sizes) > MiB  # bigger than a part: must be segmented
    outbox = tmp_path / "ob"
    outbox.mkdir()
    res = submit(photos, [identity.recipient()], outbox, part_size=MiB)
    assert len(res.parts) >= 3
    ciphertext_sizes = {p.stat().st_size for p in res.parts[:-1]}
    assert len(ciphertext_sizes) == 1  # every full part has the same size

    # Each part opens on its own with age + tar; segments join with cat.
    hand = tmp_path / "hand"
    for part in res.parts:
        proc = age_decrypt_untar(part, key_file, hand / part.stem)
        assert proc.returncode == 0, proc.stderr
    segs = sorted(hand.glob("*/file-0001.jpg.seg*"), key=lambda p: p.name)
    assert len(segs) >= 2
    joined = b"".join(p.read_bytes() for p in segs)
    assert _sha(joined) == res.files[0].sha256
    # Every part's manifest, as tar gives it, holds the real hashes, also the
    # parts written before the split file's last segment was hashed.
    for manifest_path in hand.glob("*/manifest.json"):
        listed = json.loads(manifest_path.read_bytes())["files"]
        assert listed
        for entry in listed:
            number = int(entry["name"][len("file-"):len("file-0001")])
            assert entry["sha256"] == _sha(cleaned_bytes(photos[number - 1]))

    # A subset of parts: complete files open, the split one is reported incomplete.
    dest = tmp_path / "d"
    dest.mkdir()
    rep = open_parts(res.parts[:1], [identity], dest)
    assert "file-0001.jpg" in rep.incomplete
    assert not (rep.folder / "file-0001.jpg").exists()
    assert sorted(p.name for p in rep.folder.iterdir() if p.name.startswith(".")) == []

    # All parts, in any order: every file joined and checked.
    dest2 = tmp_path / "d2"
    dest2.mkdir()
    rep2 = open_parts(list(reversed(res.parts)), [identity], dest2)
    assert rep2.incomplete == ()
    for i, p in enumerate(photos):
        assert (rep2.folder / f"file-{i + 1:04d}.jpg").read_bytes() == cleaned_bytes(p)
    assert sorted(x.name for x in rep2.folder.iterdir()) == [
        "file-0001.jpg", "file-0002.jpg", "file-0003.jpg", "manifest.json", "message.txt"]
    assert listing(dest2)  # and nothing else (no staging left)
    assert not [n for n, _, _ in listing(dest2) if ".submitter-opening-" in n]


def test_age_cli_agrees_on_every_part_of_a_multi_recipient_card(tmp_path: Path,
                                                                inputs: list[Path]) -> None:
    """Encrypted to every recipient: each key opens the part, with our opener and with age."""
    keys = [X25519Identity.generate() for _ in range(3)]
    outbox = tmp_path / "ob"
    outbox.mkdir()
    res = submit(inputs[:1], [k.recipient() for k in keys], outbox)
    for n, k in enumerate(keys):
        kf = tmp_path / f"k{n}.txt"
        kf.write_text(str(k) + "\n")
        out = subprocess.run([tool("age"), "-d", "-i", str(kf), str(res.parts[0])],
                             capture_output=True, timeout=60, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(out)) as tf:
            assert tf.getnames() == ["manifest.json", "file-0001.jpg"]
        dest = tmp_path / f"d{n}"
        dest.mkdir()
        assert open_parts(res.parts, [k], dest).files[0].sha256 == res.files[0].sha256


@pytest.mark.parametrize("part_size", [MiB, 4 * MiB])
def test_part_sizes_are_padded_to_few_values(tmp_path: Path, identity: X25519Identity,
                                             part_size: int) -> None:
    """Different content sizes give ciphertext sizes from a small PADMÉ set."""
    src = tmp_path / "in"
    src.mkdir()
    sizes = set()
    for side in (40, 60, 90):
        p = big_jpeg(src / f"s{side}.jpg", side=side)
        ob = tmp_path / f"ob{side}"
        ob.mkdir()
        res = submit([p], [identity.recipient()], ob, part_size=part_size)
        sizes.add(res.parts[0].stat().st_size)
    assert len(sizes) == 1  # small submissions all look alike


def test_office_document_and_screenshot(tmp_path: Path, identity: X25519Identity,
                                        key_file: Path) -> None:
    from tests.metadata.docgen import make_ooxml
    from tests.metadata.image_fixtures import dirty_png
    from tests.metadata.test_ooxml import ZIP_RULES  # the office cleaner's exiftool rules

    folder = tmp_path / "in"
    folder.mkdir()
    docx = make_ooxml(folder / "minutes.docx", "docx")
    png = dirty_png(folder)
    rules = {"docx": ZIP_RULES, "png": exiftool.RULES}
    assert exiftool.identifying(docx, ZIP_RULES)
    assert exiftool.identifying(png)
    outbox = tmp_path / "ob"
    outbox.mkdir()
    res = submit([docx, png], [identity.recipient()], outbox)
    dest = tmp_path / "d"
    dest.mkdir()
    rep = open_parts(res.parts, [identity], dest)
    assert [f.name for f in rep.files] == ["file-0001.docx", "file-0002.png"]
    for f, src in zip(rep.files, (docx, png), strict=True):
        got = (rep.folder / f.name).read_bytes()
        assert got == cleaned_bytes(src)
        assert _sha(got) == f.sha256
        assert exiftool.identifying(rep.folder / f.name, rules[f.kind]) == []
    hand = tmp_path / "hand"
    proc = age_decrypt_untar(res.parts[0], key_file, hand)
    assert proc.returncode == 0, proc.stderr
    assert (hand / "file-0001.docx").read_bytes() == (rep.folder / "file-0001.docx").read_bytes()


def test_every_padding_length_opens_with_tar_and_the_opener(tmp_path: Path,
                                                            identity: X25519Identity,
                                                            key_file: Path) -> None:
    """Sizes around the 1 MiB floor hit every padding case: none, one block
    (manifest grows), and a padding header of two or more blocks."""
    pads_seen = set()
    for k in range(8):
        src = tmp_path / f"note{k}.txt"
        src.write_bytes(b"line of testimony\n" * ((MiB - 4096 + 512 * k) // 18))
        ob = tmp_path / f"ob{k}"
        ob.mkdir()
        res = submit([src], [identity.recipient()], ob)
        hand = tmp_path / f"hand{k}"
        proc = age_decrypt_untar(res.parts[0], key_file, hand)
        assert proc.returncode == 0, proc.stderr
        assert sorted(p.name for p in hand.iterdir()) == ["file-0001.txt", "manifest.json"]
        raw = subprocess.run([tool("age"), "-d", "-i", str(key_file), str(res.parts[0])],
                             capture_output=True, check=True, timeout=60).stdout
        assert len(raw) % 512 == 0 and len(raw) >= MiB
        with tarfile.open(fileobj=io.BytesIO(raw)) as tf:
            first = tf.next()
            assert first is not None and first.name == "manifest.json"
            assert [m.name for m in tf.getmembers()] == ["manifest.json", "file-0001.txt"]
            if (hand / "manifest.json").read_bytes().endswith(b" "):
                pads_seen.add("manifest")
            else:
                pads_seen.add("header" if first.pax_headers else "none")
        dest = tmp_path / f"d{k}"
        dest.mkdir()
        rep = open_parts(res.parts, [identity], dest)
        assert (rep.folder / "file-0001.txt").read_bytes() == cleaned_bytes(src)
    assert {"manifest", "header"} <= pads_seen


def test_post_quantum_card(tmp_path: Path, inputs: list[Path]) -> None:
    """A card with hybrid ML-KEM-768 + X25519 recipients: the only agility point."""
    from crypto.keygen import generate_mlkem768x25519

    keys = [generate_mlkem768x25519() for _ in range(2)]
    ob = tmp_path / "ob"
    ob.mkdir()
    res = submit(inputs[:2], [k.recipient() for k in keys], ob)
    for n, k in enumerate(keys):
        dest = tmp_path / f"d{n}"
        dest.mkdir()
        rep = open_parts(res.parts, [k], dest)
        assert [f.sha256 for f in rep.files] == [f.sha256 for f in res.files]
