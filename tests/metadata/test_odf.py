"""OpenDocument text, spreadsheet, presentation, drawing: contract and hostile cases."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

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
from submitter.metadata.source import Source
from tests.metadata import docgen
from tests.metadata.contract import CleanerContract
from tests.metadata.test_ooxml import ZIP_RULES

_MF = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"


def check_odf(path: Path, mimetype: str) -> None:
    """mimetype first and stored, every XML parses, manifest matches the members."""
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        first = zf.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert first.extra == b""
        assert zf.read("mimetype").decode() == mimetype
        names = set(zf.namelist())
        for name in names:
            if name.endswith(".xml"):
                etree.fromstring(zf.read(name))
        manifest = etree.fromstring(zf.read("META-INF/manifest.xml"))
        listed = {e.get(f"{{{_MF}}}full-path") for e in manifest}
        for path_in_manifest in listed - {"/"}:
            if path_in_manifest.endswith("/"):
                assert any(n.startswith(path_in_manifest) for n in names)
            else:
                assert path_in_manifest in names, path_in_manifest
        for name in names - {"mimetype", "META-INF/manifest.xml"}:
            assert name in listed, f"{name} missing from the manifest"


class _OdfContract(CleanerContract):
    ending = ""
    rules = ZIP_RULES
    required_tags = ("Initial-creator", "Creator", "Generator", "Creation-date", "Printed-by")
    expected_categories = frozenset(
        {Category.PERSON, Category.TIME, Category.SOFTWARE, Category.DEVICE,
         Category.IDENTIFIER, Category.HIDDEN_CONTENT}
    )

    def make_dirty(self, tmp_path: Path) -> Path:
        return docgen.make_odf(tmp_path / f"report.{self.ending}", self.ending)

    def check_opens(self, path: Path) -> None:
        check_odf(path, docgen.ODF_MIMETYPES[self.ending])

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        with zipfile.ZipFile(cleaned) as zf:
            names = zf.namelist()
            content = zf.read("content.xml")
            everything = b"".join(zf.read(n) for n in names)
        assert docgen.SECRET_TEXT.encode() in content
        for secret in (docgen.AUTHOR, docgen.EDITOR, "LibreOffice", "BLOCK-C", "jdoe",
                       docgen.COMMENT_TEXT, "2024-03", "rsid"):
            assert secret.encode() not in everything, secret
        for gone in ("meta.xml", "settings.xml", "Thumbnails/thumbnail.png", "layout-cache"):
            assert gone not in names
        assert not [n for n in names if n.startswith("Configurations2/")]


class TestOdtContract(_OdfContract):
    kinds_covered = frozenset({FileKind.ODT})
    ending = "odt"
    expected_categories = _OdfContract.expected_categories | {Category.LOCATION}

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        super().check_content(original, cleaned, report)
        with zipfile.ZipFile(cleaned) as zf:
            content = zf.read("content.xml")
            picture = zf.read("Pictures/photo.jpg")
        # Tracked changes accepted: inserted text kept, deleted text gone.
        assert docgen.INSERTED.encode() in content
        assert docgen.ODF_DELETED.encode() not in content
        assert b" tail" in content and b" end" in content  # text after removed marks stays
        assert b'xlink:href="plan.ods"' in content
        assert docgen.WEB_LINK.encode() in content
        assert b"PhoneCorp" not in picture and picture.startswith(b"\xff\xd8")


class TestOdsContract(_OdfContract):
    kinds_covered = frozenset({FileKind.ODS})
    ending = "ods"


class TestOdpContract(_OdfContract):
    kinds_covered = frozenset({FileKind.ODP})
    ending = "odp"


class TestOdgContract(_OdfContract):
    kinds_covered = frozenset({FileKind.ODG})
    ending = "odg"


def _odt(tmp_path: Path, **changes: bytes) -> bytes:
    parts = docgen.odf_parts(tmp_path, "odt")
    for key, data in changes.items():
        parts[key.replace("__", "/").replace("_DOT_", ".")] = data
    return docgen.write_zip_parts(tmp_path / "x.odt", parts, stored_first="mimetype").read_bytes()


def test_encrypted_odf_refused(tmp_path: Path) -> None:
    parts = docgen.odf_parts(tmp_path, "odt")
    parts["META-INF/manifest.xml"] = parts["META-INF/manifest.xml"].replace(
        b'manifest:media-type="text/xml"/>',
        b'manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1"'
        b' manifest:checksum="abc="/></manifest:file-entry>',
        1,
    )
    data = docgen.write_zip_parts(tmp_path / "e.odt", parts, stored_first="mimetype").read_bytes()
    for step in (engine.inspect, engine.prepare):
        with pytest.raises(EncryptedRefused):
            step(Source.from_bytes(data), "e.odt")


def test_macros_refused(tmp_path: Path) -> None:
    module = (b'<?xml version="1.0"?><script:module xmlns:script="http://openoffice.org/2000/'
              b'script" script:name="Module1">Sub Main\nShell("calc")\nEnd Sub</script:module>')
    data = _odt(tmp_path, Basic__Standard__Module1_DOT_xml=module)
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_bytes(data), "x.odt")


def test_empty_macro_library_index_is_dropped(tmp_path: Path) -> None:
    index = b'<?xml version="1.0"?><library:libraries xmlns:library="http://openoffice.org/2000/library"/>'
    data = _odt(tmp_path, **{"Basic__script-lc_DOT_xml": index})
    cleaned = io.BytesIO()
    engine.prepare(Source.from_bytes(data), "x.odt").write_to(cleaned)
    with zipfile.ZipFile(cleaned) as zf:
        assert not [n for n in zf.namelist() if n.startswith("Basic/")]


def test_mimetype_must_come_first(tmp_path: Path) -> None:
    parts = docgen.odf_parts(tmp_path, "odt")
    mimetype = parts.pop("mimetype")
    parts["mimetype"] = mimetype
    path = docgen.write_zip_parts(tmp_path / "late.odt", parts)
    with pytest.raises((CorruptRefused, UnsupportedContentRefused)):
        engine.prepare(Source.from_path(path), path.name)


def test_entity_bomb_in_content_refused(tmp_path: Path) -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b"<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:"
            b'office:1.0">&b;</office:document-content>')
    data = _odt(tmp_path, content_DOT_xml=bomb)
    with pytest.raises(UnsupportedContentRefused):
        engine.inspect(Source.from_bytes(data), "x.odt")


def test_unknown_picture_type_refused(tmp_path: Path) -> None:
    # A StarView metafile cannot be checked here, so the document is refused.
    data = _odt(tmp_path, Pictures__drawing_DOT_svm=b"VCLMTF\x01\x00" + bytes(64))
    with pytest.raises(CleanRefused):
        engine.prepare(Source.from_bytes(data), "x.odt")


def test_cleaning_is_stable(tmp_path: Path) -> None:
    data = docgen.make_odf(tmp_path / "s.ods", "ods").read_bytes()
    plan = engine.prepare(Source.from_bytes(data), "s.ods")
    once = io.BytesIO()
    plan.write_to(once)
    again = engine.prepare(Source.from_bytes(once.getvalue()), "s.ods")
    assert again.report.removed == []


def test_embedded_object_cleaned_and_replacement_dropped(tmp_path: Path) -> None:
    parts = docgen.odf_parts(tmp_path, "odt")
    chart_ns = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    parts["Object 1/content.xml"] = (
        f'<?xml version="1.0"?><office:document-content {chart_ns}><office:body>'
        "<office:chart/></office:body></office:document-content>"
    ).encode()
    parts["Object 1/meta.xml"] = (
        b'<?xml version="1.0"?><office:document-meta xmlns:office="urn:oasis:names:tc:'
        b'opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:'
        b'meta:1.0"><office:meta><meta:generator>LibreOffice/7.4 chart</meta:generator>'
        b"<meta:initial-creator>Jane Whistle</meta:initial-creator></office:meta>"
        b"</office:document-meta>"
    )
    parts["ObjectReplacements/Object 1"] = b"VCLMTF\x01\x00" + bytes(32)
    parts["content.xml"] = parts["content.xml"].replace(
        b"</office:text>",
        b'<text:p><draw:frame><draw:object xlink:href="./Object 1"/>'
        b'<draw:image xlink:href="./ObjectReplacements/Object 1"/></draw:frame></text:p>'
        b"</office:text>",
    )
    parts["META-INF/manifest.xml"] = parts["META-INF/manifest.xml"].replace(
        b"</manifest:manifest>",
        b'<manifest:file-entry manifest:full-path="Object 1/content.xml" '
        b'manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="Object 1/'
        b'meta.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path='
        b'"Object 1/" manifest:media-type="application/vnd.oasis.opendocument.chart"/>'
        b'<manifest:file-entry manifest:full-path="ObjectReplacements/Object 1" '
        b'manifest:media-type="application/x-openoffice-gdimetafile"/></manifest:manifest>',
    )
    path = docgen.write_zip_parts(tmp_path / "chart.odt", parts, stored_first="mimetype")
    found = engine.inspect(Source.from_path(path), path.name)
    assert any(f.field == "Property generator" and "chart" in f.untrusted_value
               for f in found.findings)
    plan = engine.prepare(Source.from_path(path), path.name)
    out = tmp_path / "clean.odt"
    with open(out, "wb") as fh:
        plan.write_to(fh)
    check_odf(out, docgen.ODF_MIMETYPES["odt"])
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        content = zf.read("content.xml")
    assert "Object 1/content.xml" in names
    assert "Object 1/meta.xml" not in names
    assert not [n for n in names if n.startswith("ObjectReplacements/")]
    assert b"ObjectReplacements" not in content and b'xlink:href="./Object 1"' in content
