"""PDF cleaner: the contract, plus scripts, attachments, images, history, encryption."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from submitter.metadata import engine
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CleanRefused,
    CleanReport,
    CorruptRefused,
    EncryptedRefused,
    UnsupportedContentRefused,
)
from submitter.metadata.pdf import _LAYERS_WARNING, NEUTRAL_ID
from submitter.metadata.source import Source
from tests.metadata import docgen, exiftool
from tests.metadata.contract import CleanerContract


def _clean(path: Path) -> bytes:
    plan = engine.prepare(Source.from_path(path), path.name)
    buf = io.BytesIO()
    plan.write_to(buf)
    return buf.getvalue()


def _image(pdf: pikepdf.Pdf) -> pikepdf.Stream:
    xobjects = pdf.pages[0].Resources.XObject
    return xobjects[next(iter(xobjects.keys()))]


class TestPdfContract(CleanerContract):
    kinds_covered = frozenset({FileKind.PDF})
    required_tags = ("Author", "Creator", "Producer", "CreateDate", "CreatorTool", "GPSLatitude")
    expected_categories = frozenset(
        {Category.PERSON, Category.SOFTWARE, Category.TIME, Category.IDENTIFIER,
         Category.HIDDEN_CONTENT, Category.EMBEDDED_FILE, Category.LOCATION, Category.DEVICE}
    )

    def make_dirty(self, tmp_path: Path) -> Path:
        return docgen.make_pdf(tmp_path / "report.pdf", jpeg=docgen.jpeg_with_gps(tmp_path))

    def check_opens(self, path: Path) -> None:
        with pikepdf.open(path, attempt_recovery=False) as pdf:
            assert len(pdf.pages) == 1
            pdf.check_pdf_syntax()

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        with pikepdf.open(original) as a, pikepdf.open(cleaned) as b:
            assert a.pages[0].Contents.read_bytes() == b.pages[0].Contents.read_bytes()
            assert docgen.SECRET_TEXT.encode() in b.pages[0].Contents.read_bytes()
            assert str(b.pages[0].Annots[0].Contents) == "see the ledger"
            # The picture inside lost its EXIF but not a single pixel.
            raw_a = _image(a).read_raw_bytes()
            raw_b = _image(b).read_raw_bytes()
            assert raw_a != raw_b
            with Image.open(io.BytesIO(raw_a)) as ia, Image.open(io.BytesIO(raw_b)) as ib:
                assert ia.tobytes() == ib.tobytes()
                assert ib.getexif().get(0x010F) is None  # Make


def test_everything_hidden_is_gone(tmp_path: Path) -> None:
    dirty = docgen.make_pdf(tmp_path / "d.pdf", jpeg=docgen.jpeg_with_gps(tmp_path))
    assert dirty.read_bytes().count(b"%%EOF") == 2  # exiftool's incremental update
    data = _clean(dirty)
    assert data.count(b"%%EOF") == 1, "edit history must go with the rewrite"
    for secret in (docgen.AUTHOR, docgen.EDITOR, "Distiller", "a1b2c3d4", "app.alert"):
        assert secret.encode() not in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/Info" not in pdf.trailer
        assert bytes(pdf.trailer.ID[0]) == NEUTRAL_ID == bytes(pdf.trailer.ID[1])
        assert "/Metadata" not in pdf.Root
        assert "/OpenAction" not in pdf.Root
        assert len(pdf.attachments) == 0
        page = pdf.pages[0].obj
        for key in ("/Thumb", "/PieceInfo", "/LastModified"):
            assert key not in page
        annot = page.Annots[0]
        for key in ("/T", "/M", "/NM"):
            assert key not in annot
        # The cleaned picture, read by exiftool on its own, says nothing.
        jpeg = tmp_path / "inner.jpg"
        jpeg.write_bytes(_image(pdf).read_raw_bytes())
        assert not exiftool.identifying(jpeg)


def test_report_says_attachments_were_removed(tmp_path: Path) -> None:
    dirty = docgen.make_pdf(tmp_path / "d.pdf", xmp=False)
    plan = engine.prepare(Source.from_path(dirty), dirty.name)
    assert any("attached" in note.lower() for note in plan.report.notes)
    assert any(f.category is Category.EMBEDDED_FILE for f in plan.report.removed)
    assert plan.report.warnings, "a PDF always carries the hidden-text warning"


@pytest.mark.parametrize("user", ["secret", ""])
def test_encrypted_pdf_refused(tmp_path: Path, user: str) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    path = tmp_path / "locked.pdf"
    pdf.save(path, encryption=pikepdf.Encryption(owner="owner-pw", user=user))
    for step in (engine.inspect, engine.prepare):
        with pytest.raises(EncryptedRefused):
            step(Source.from_path(path), path.name)


def _jpx_pdf(tmp_path: Path, jpx: bytes) -> Path:
    pdf = pikepdf.new()
    page = pdf.add_blank_page()
    img = pikepdf.Stream(pdf, jpx)
    img.Type = pikepdf.Name.XObject
    img.Subtype = pikepdf.Name.Image
    img.Width = 16
    img.Height = 16
    img.Filter = pikepdf.Name.JPXDecode
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im1=pdf.make_indirect(img)))
    path = tmp_path / "jpx.pdf"
    pdf.save(path)
    return path


@pytest.mark.parametrize("bare_codestream", [False, True])
def test_jpeg2000_image_cleaned(tmp_path: Path, bare_codestream: bool) -> None:
    src = tmp_path / "scan.jp2"
    Image.new("RGB", (16, 16), (10, 200, 30)).save(
        src, comment=b"Created by jdoe scanner", no_jp2=bare_codestream
    )
    if not bare_codestream:
        docgen.exiftool_write(src, f"-XMP-dc:Creator={docgen.AUTHOR}", "-XMP-exif:GPSLatitude=51.5")
        assert exiftool.identifying(src)
    path = _jpx_pdf(tmp_path, src.read_bytes())
    found = engine.inspect(Source.from_path(path), path.name)
    assert any("jdoe" in f.untrusted_value for f in found.findings)
    data = _clean(path)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        raw = _image(pdf).read_raw_bytes()
    assert b"jdoe" not in raw and docgen.AUTHOR.encode() not in raw
    inner = tmp_path / ("clean.j2c" if bare_codestream else "clean.jp2")
    inner.write_bytes(raw)
    assert not exiftool.identifying(inner)
    with Image.open(src) as a, Image.open(inner) as b:
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize(
    "jpx", [b"\x00\x00\x00\x0cjP  \r\n\x87\n" + b"\x00\x00\x00\x10odd!" + bytes(8),
            b"\xff\x4f\xff\x51\x00\x05", b"not a jpeg 2000 image"],
)
def test_unknown_or_broken_jpeg2000_refused(tmp_path: Path, jpx: bytes) -> None:
    path = _jpx_pdf(tmp_path, jpx)
    with pytest.raises(CleanRefused):
        engine.prepare(Source.from_path(path), path.name)


def test_xmp_entity_bomb_is_removed_not_expanded(tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            b'<!ENTITY %s "%s">' % (b"a" * (i + 2), b"&" + b"a" * (i + 1) + b";" * 1 * 10)
            for i in range(8)
        )
        + b']><x:xmpmeta xmlns:x="adobe:ns:meta/">&aaaaaaaaa;</x:xmpmeta>'
    )
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.Metadata = pdf.make_stream(bomb)
    path = tmp_path / "bomb.pdf"
    pdf.save(path, fix_metadata_version=False, compress_streams=False)
    assert b"<!ENTITY" in path.read_bytes()
    found = engine.inspect(Source.from_path(path), path.name)
    assert any(f.untrusted_value == "(unreadable XMP packet)" for f in found.findings)
    data = _clean(path)
    assert b"ENTITY" not in data


def test_signature_removed(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    page = pdf.add_blank_page()
    sig = pikepdf.Dictionary(
        Type=pikepdf.Name.Sig, Filter=pikepdf.Name("/Adobe.PPKLite"), Name="Jane Signer",
        M="D:20240101000000Z", Contents=pikepdf.String(b"\x30\x82" + b"\x00" * 30),
    )
    field = pdf.make_indirect(
        pikepdf.Dictionary(
            FT=pikepdf.Name.Sig, T="Signature1", V=pdf.make_indirect(sig),
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, Rect=[0, 0, 0, 0],
        )
    )
    page.Annots = pdf.make_indirect(pikepdf.Array([field]))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[field], SigFlags=3)
    path = tmp_path / "signed.pdf"
    pdf.save(path)
    found = engine.inspect(Source.from_path(path), path.name)
    assert any(f.untrusted_value == "Jane Signer" for f in found.findings)
    data = _clean(path)
    assert b"Jane Signer" not in data
    with pikepdf.open(io.BytesIO(data)) as out:
        assert str(out.Root.AcroForm.Fields[0].T) == "Signature1"  # form field name kept


def test_damaged_xref_repaired_with_a_warning(tmp_path: Path) -> None:
    dirty = docgen.make_pdf(tmp_path / "d.pdf", xmp=False)
    data = dirty.read_bytes()
    # Shift every object by inserting bytes early: the xref offsets go wrong.
    broken = data.replace(b"1 0 obj", b"\n\n\n1 0 obj", 1)
    found = engine.inspect(Source.from_bytes(broken), "d.pdf")
    assert any("repaired" in w for w in found.warnings)
    cleaned = engine.prepare(Source.from_bytes(broken), "d.pdf")
    assert any("repaired" in w for w in cleaned.report.warnings)
    with pikepdf.open(io.BytesIO(cleaned.data)) as pdf:  # type: ignore[attr-defined]
        assert docgen.SECRET_TEXT.encode() in pdf.pages[0].Contents.read_bytes()


def test_trailing_partial_update_refused(tmp_path: Path) -> None:
    # An edit appended by exiftool, cut off half-way: the first version is
    # complete, but the file is not what it claims to be.
    dirty = docgen.make_pdf(tmp_path / "d.pdf")
    data = dirty.read_bytes()
    first_end = data.index(b"%%EOF") + 6
    cut = data[: first_end + (len(data) - first_end) // 2]
    with pytest.raises(CorruptRefused):
        engine.prepare(Source.from_bytes(cut), "d.pdf")


def test_dynamic_xfa_refused(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[], XFA=pdf.make_stream(b"<xdp:xdp/>"))
    pdf.Root.NeedsRendering = True
    path = tmp_path / "xfa.pdf"
    pdf.save(path)
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_path(path), path.name)


def test_layers_warned_in_inspect_and_in_the_clean_report(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    hidden = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.OCG,
                                                  Name=pikepdf.String("Draft notes")))
    pdf.Root.OCProperties = pikepdf.Dictionary(
        OCGs=pikepdf.Array([hidden]),
        D=pikepdf.Dictionary(Order=pikepdf.Array([hidden]), OFF=pikepdf.Array([hidden])),
    )
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(Properties=pikepdf.Dictionary(L0=hidden))
    page.Contents = pdf.make_stream(b"/OC /L0 BDC BT /F1 12 Tf 72 720 Td (hidden) Tj ET EMC")
    path = tmp_path / "layers.pdf"
    pdf.save(path)

    found = engine.inspect(Source.from_path(path), path.name)
    assert _LAYERS_WARNING in found.warnings
    plan = engine.prepare(Source.from_path(path), path.name)
    assert _LAYERS_WARNING in plan.report.warnings
    buf = io.BytesIO()
    plan.write_to(buf)
    with pikepdf.open(io.BytesIO(buf.getvalue())) as out:
        assert b"(hidden)" in out.pages[0].Contents.read_bytes()  # the page itself is kept


def test_no_layers_no_layers_warning(tmp_path: Path) -> None:
    path = docgen.make_pdf(tmp_path / "plain.pdf", xmp=False)
    assert _LAYERS_WARNING not in engine.inspect(Source.from_path(path), path.name).warnings
    assert _LAYERS_WARNING not in engine.prepare(Source.from_path(path), path.name).report.warnings
