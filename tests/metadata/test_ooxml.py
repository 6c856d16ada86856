"""Word, Excel, PowerPoint: the contract for each, plus the hostile cases."""

from __future__ import annotations

import io
import posixpath
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
    EncryptedRefused,
    UnknownTypeRefused,
    UnsupportedContentRefused,
)
from submitter.metadata.source import Source
from tests.metadata import docgen, exiftool
from tests.metadata.contract import CleanerContract

# Every member of a rewritten zip carries the zip format's earliest date,
# 1980-01-01 00:00:00, which says nothing; the judge is told so, and
# test_zip_times_normalised proves the value.
ZIP_RULES = (exiftool.Rule("ZIP", "ZipModifyDate", None), *exiftool.RULES)

_MAIN = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}


def clean_bytes(data: bytes, name: str) -> tuple[bytes, CleanReport]:
    plan = engine.prepare(Source.from_bytes(data), name)
    buf = io.BytesIO()
    plan.write_to(buf)
    return buf.getvalue(), plan.report


def check_package(path: Path) -> None:
    """A consistent OPC package: every reference resolves, every XML parses."""
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        names = set(zf.namelist())
        assert zf.namelist()[0] == "[Content_Types].xml"
        for name in names:
            if name.endswith((".xml", ".rels")):
                etree.fromstring(zf.read(name))
        types = etree.fromstring(zf.read("[Content_Types].xml"))
        for el in types:
            if el.tag.endswith("Override"):
                assert el.get("PartName").lstrip("/") in names, el.get("PartName")
        for name in names:
            if not name.endswith(".rels"):
                continue
            folder = posixpath.dirname(posixpath.dirname(name))
            for rel in etree.fromstring(zf.read(name)):
                if rel.get("TargetMode") == "External":
                    continue
                target = posixpath.normpath(posixpath.join(folder, rel.get("Target")))
                assert target in names, (name, target)


def all_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return b"".join(zf.read(n) for n in zf.namelist() if n.endswith((".xml", ".rels")))


class _OfficeContract(CleanerContract):
    ending = ""
    rules = ZIP_RULES
    required_tags = ("Creator", "LastModifiedBy", "Company", "Application", "CreateDate")
    expected_categories = frozenset(
        {Category.PERSON, Category.TIME, Category.SOFTWARE, Category.HIDDEN_CONTENT,
         Category.IDENTIFIER, Category.LOCATION}
    )

    def make_dirty(self, tmp_path: Path) -> Path:
        return docgen.make_ooxml(tmp_path / f"report.{self.ending}", self.ending)

    def check_opens(self, path: Path) -> None:
        check_package(path)
        with zipfile.ZipFile(path) as zf:
            assert _MAIN[self.ending] in zf.namelist()

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        text = all_xml(cleaned)
        assert docgen.SECRET_TEXT.encode() in text
        for secret in (docgen.AUTHOR, docgen.EDITOR, docgen.COMPANY, "jdoe", "rsid",
                       docgen.COMMENT_TEXT, "2024-03"):
            assert secret.encode() not in text, secret
        with zipfile.ZipFile(cleaned) as zf:
            assert not [n for n in zf.namelist() if n.startswith(("docProps/", "customXml/"))]


class TestDocxContract(_OfficeContract):
    kinds_covered = frozenset({FileKind.DOCX})
    ending = "docx"

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        super().check_content(original, cleaned, report)
        with zipfile.ZipFile(cleaned) as zf:
            body = zf.read("word/document.xml")
            # Tracked changes accepted: the insertion stays, the deletion goes.
            assert docgen.INSERTED.encode() in body
            assert docgen.DELETED.encode() not in body
            for marker in (b"w:ins ", b"w:del ", b"commentReference", b"paraId"):
                assert marker not in body
            rels = zf.read("word/_rels/document.xml.rels")
            # A link to a local file keeps its name, loses its folders; web links stay.
            assert b'Target="ledger.xlsx"' in rels
            assert docgen.WEB_LINK.encode() in rels
            # The picture inside was cleaned through the engine.
            inner = zf.read("word/media/image1.jpeg")
        assert b"PhoneCorp" not in inner and inner.startswith(b"\xff\xd8")
        assert any(f.category is Category.LOCATION for f in report.removed)


class TestXlsxContract(_OfficeContract):
    kinds_covered = frozenset({FileKind.XLSX})
    ending = "xlsx"
    expected_categories = frozenset(
        {Category.PERSON, Category.TIME, Category.SOFTWARE, Category.HIDDEN_CONTENT,
         Category.IDENTIFIER, Category.DEVICE}
    )

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        super().check_content(original, cleaned, report)
        with zipfile.ZipFile(cleaned) as zf:
            names = zf.namelist()
            assert not [n for n in names if "printerSettings" in n or n.endswith(".vml")]
            sheet = zf.read("xl/worksheets/sheet1.xml")
            assert b"legacyDrawing" not in sheet and b"r:id" not in sheet
            assert b"absPath" not in zf.read("xl/workbook.xml")


class TestPptxContract(_OfficeContract):
    kinds_covered = frozenset({FileKind.PPTX})
    ending = "pptx"
    expected_categories = frozenset(
        {Category.PERSON, Category.TIME, Category.SOFTWARE, Category.HIDDEN_CONTENT,
         Category.IDENTIFIER}
    )

    def check_content(self, original: Path, cleaned: Path, report: CleanReport) -> None:
        super().check_content(original, cleaned, report)
        with zipfile.ZipFile(cleaned) as zf:
            assert b"creationId" not in zf.read("ppt/slides/slide1.xml")
            assert "ppt/media/image1.png" in zf.namelist()


# --- hostile and unsupported documents ---

def _docx(tmp_path: Path, **changes: bytes | None) -> bytes:
    parts = docgen.docx_parts(tmp_path)
    for name, data in changes.items():
        key = name.replace("__", "/").replace("_DOT_", ".")
        if data is None:
            parts.pop(key, None)
        else:
            parts[key] = data
    path = docgen.write_zip_parts(tmp_path / "x.docx", parts)
    return path.read_bytes()


def test_zip_times_normalised(tmp_path: Path) -> None:
    dirty = docgen.make_ooxml(tmp_path / "t.docx", "docx")
    dates = [t.value for t in exiftool.read_tags(dirty) if t.name == "ZipModifyDate"]
    assert dates == ["2024:03:01 12:34:56"]
    data, _ = clean_bytes(dirty.read_bytes(), "t.docx")
    out = tmp_path / "c.docx"
    out.write_bytes(data)
    dates = [t.value for t in exiftool.read_tags(out) if t.name == "ZipModifyDate"]
    assert dates == ["1980:01:01 00:00:00"]
    with zipfile.ZipFile(out) as zf:
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.extra == b"" and info.comment == b""


def test_macros_refused(tmp_path: Path) -> None:
    data = _docx(tmp_path, word__vbaProject_DOT_bin=b"\xd0\xcf\x11\xe0macro")
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_bytes(data), "x.docx")


def test_macro_content_type_refused(tmp_path: Path) -> None:
    parts = docgen.docx_parts(tmp_path)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"document.main+xml", b"document.macroEnabled.main+xml"
    )
    path = docgen.write_zip_parts(tmp_path / "m.docx", parts)
    with pytest.raises(UnsupportedContentRefused):
        engine.inspect(Source.from_path(path), path.name)


def test_ole_object_refused(tmp_path: Path) -> None:
    data = _docx(tmp_path, word__embeddings__oleObject1_DOT_bin=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
                 + bytes(504))
    with pytest.raises(UnknownTypeRefused):
        engine.prepare(Source.from_bytes(data), "x.docx")


def test_unknown_part_refused(tmp_path: Path) -> None:
    data = _docx(tmp_path, word__secret_DOT_dat=b"opaque bytes")
    with pytest.raises(UnsupportedContentRefused):
        engine.prepare(Source.from_bytes(data), "x.docx")


@pytest.mark.parametrize(
    "xml",
    [
        # billion laughs
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;'
        b'&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><w:document '
        b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&c;</w:document>',
        # external entity reading a local file
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"&x;</w:document>",
        # the same in UTF-16, which a byte search for "<!DOCTYPE" misses
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY x "y">]><d>&x;</d>'.encode(
            "utf-16"
        ),
    ],
)
def test_xml_with_dtd_refused(tmp_path: Path, xml: bytes) -> None:
    data = _docx(tmp_path, word__document_DOT_xml=xml)
    for step in (engine.inspect, engine.prepare):
        with pytest.raises(UnsupportedContentRefused):
            step(Source.from_bytes(data), "x.docx")


def test_encrypted_office_file_refused(tmp_path: Path) -> None:
    # Office saves a password-protected .docx as an OLE compound file.
    cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"EncryptionInfo" + bytes(1000)
    for name in ("secret.docx", "secret.xlsx", "secret.pptx"):
        with pytest.raises(EncryptedRefused):
            engine.prepare(Source.from_bytes(cfb), name)


def test_embedded_workbook_cleaned_recursively(tmp_path: Path) -> None:
    inner = docgen.make_ooxml(tmp_path / "inner.xlsx", "xlsx").read_bytes()
    (tmp_path / "inner.xlsx").unlink()
    data = _docx(tmp_path, word__embeddings__Microsoft_Excel_Worksheet_DOT_xlsx=inner)
    found = engine.inspect(Source.from_bytes(data), "x.docx")
    assert any(
        f.field.startswith("word/embeddings/Microsoft_Excel_Worksheet.xlsx: ")
        and f.untrusted_value == docgen.COMPANY
        for f in found.findings
    )
    cleaned, _ = clean_bytes(data, "x.docx")
    with zipfile.ZipFile(io.BytesIO(cleaned)) as zf:
        nested = zf.read("word/embeddings/Microsoft_Excel_Worksheet.xlsx")
    with zipfile.ZipFile(io.BytesIO(nested)) as zf:
        assert not [n for n in zf.namelist() if n.startswith("docProps/")]
        assert docgen.SECRET_TEXT.encode() in zf.read("xl/worksheets/sheet1.xml")
    assert engine.inspect(Source.from_bytes(cleaned), "x.docx").findings == ()


def test_cleaning_is_stable(tmp_path: Path) -> None:
    dirty = docgen.make_ooxml(tmp_path / "s.docx", "docx")
    once, _ = clean_bytes(dirty.read_bytes(), "s.docx")
    twice, report = clean_bytes(once, "s.docx")
    assert once == twice
    assert report.removed == []


def test_properties_found_by_relationship_not_name(tmp_path: Path) -> None:
    # .NET's System.IO.Packaging names the core properties part like this.
    parts = docgen.docx_parts(tmp_path)
    odd = "package/services/metadata/core-properties/4f1c2a9b.psmdcp"
    parts[odd] = parts.pop("docProps/core.xml")
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"docProps/core.xml", odd.encode())
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"/docProps/core.xml", f"/{odd}".encode()
    )
    path = docgen.write_zip_parts(tmp_path / "net.docx", parts)
    found = engine.inspect(Source.from_path(path), path.name)
    assert any(f.untrusted_value == docgen.AUTHOR and f.category is Category.PERSON
               for f in found.findings)
    cleaned, _ = clean_bytes(path.read_bytes(), "net.docx")
    out = tmp_path / "c.docx"
    out.write_bytes(cleaned)
    check_package(out)
    assert docgen.AUTHOR.encode() not in all_xml(out)
    with zipfile.ZipFile(out) as zf:
        assert odd not in zf.namelist()


def test_picture_paths_and_pivot_refresher_removed(tmp_path: Path) -> None:
    parts = docgen.docx_parts(tmp_path)
    drawing = (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/'
        'drawingml/2006/wordprocessingDrawing"><wp:docPr id="1" name="Picture 1" '
        'descr="C:\\Users\\jdoe\\Pictures\\IMG_20240301_101010.jpg"/></wp:inline>'
        '</w:drawing></w:r></w:p><w:p><w:pPr><w:rPr><w:vanish/></w:rPr></w:pPr></w:p>'
    )
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"<w:sectPr", drawing.encode() + b"<w:sectPr"
    )
    path = docgen.write_zip_parts(tmp_path / "pic.docx", parts)
    found = engine.inspect(Source.from_path(path), path.name)
    assert any("jdoe" in f.untrusted_value for f in found.findings)
    assert any("hidden" in w for w in found.warnings)
    cleaned, _ = clean_bytes(path.read_bytes(), "pic.docx")
    with zipfile.ZipFile(io.BytesIO(cleaned)) as zf:
        body = zf.read("word/document.xml")
    assert b'descr="IMG_20240301_101010.jpg"' in body and b"jdoe" not in body

    xparts = docgen.xlsx_parts(tmp_path)
    xparts["xl/pivotCache/pivotCacheDefinition1.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><pivotCacheDefinition xmlns="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main" refreshedBy="Ivan Insider" '
        b'refreshedDate="45352.5" createdVersion="8" recordCount="1"/>'
    )
    path = docgen.write_zip_parts(tmp_path / "pivot.xlsx", xparts)
    cleaned, _ = clean_bytes(path.read_bytes(), "pivot.xlsx")
    with zipfile.ZipFile(io.BytesIO(cleaned)) as zf:
        pivot = zf.read("xl/pivotCache/pivotCacheDefinition1.xml")
    assert b"refreshedBy" not in pivot and b"refreshedDate" not in pivot
    assert b'recordCount="1"' in pivot


def test_deeply_nested_xml_refused_cleanly(tmp_path: Path) -> None:
    depth = 5000
    body = b"<w:p>" * depth + b"</w:p>" * depth
    xml = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
           b'wordprocessingml/2006/main"><w:body>' + body + b"</w:body></w:document>")
    data = _docx(tmp_path, word__document_DOT_xml=xml)
    with pytest.raises(CleanRefused):
        engine.prepare(Source.from_bytes(data), "x.docx")


def test_printer_reference_and_mail_merge_removed(tmp_path: Path) -> None:
    parts = docgen.docx_parts(tmp_path)
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b'<w:sectPr w:rsidR="00A1B2C3"/>',
        b'<w:sectPr w:rsidR="00A1B2C3"><w:printerSettings r:id="rId8"/></w:sectPr>',
    )
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/printerSettings" Target="printerSettings/printerSettings1.bin"/>'
        b"</Relationships>",
    )
    parts["word/printerSettings/printerSettings1.bin"] = "\\\\PRINTSRV\\HP 4250".encode(
        "utf-16-le"
    )
    parts["word/settings.xml"] = parts["word/settings.xml"].replace(
        b"</w:settings>",
        b'<w:mailMerge><w:connectString w:val="Data Source=C:\\Users\\jdoe\\contacts.xlsx"/>'
        b"</w:mailMerge></w:settings>",
    )
    path = docgen.write_zip_parts(tmp_path / "p.docx", parts)
    cleaned, report = clean_bytes(path.read_bytes(), "p.docx")
    out = tmp_path / "c.docx"
    out.write_bytes(cleaned)
    check_package(out)
    assert b"jdoe" not in all_xml(out)
    with zipfile.ZipFile(out) as zf:
        assert b"printerSettings" not in zf.read("word/document.xml")
        assert b"printerSettings" not in zf.read("word/_rels/document.xml.rels")
        assert not [n for n in zf.namelist() if "printerSettings" in n]
    assert {Category.DEVICE, Category.PERSON} <= {f.category for f in report.removed}
