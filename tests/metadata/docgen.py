# ruff: noqa: E501  (XML parts are kept on one line, as Office and LibreOffice write them)
"""Generators of real, small, dirty documents and archives for the tests.

Each writes a valid file of its format full of identifying metadata: PDFs
with pikepdf plus exiftool (XMP), office documents by writing their zip and
XML parts directly (the same parts Word, Excel, PowerPoint and LibreOffice
write), archives with zipfile/tarfile. Nothing is downloaded.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pikepdf
from PIL import Image

from tests.peers import tool

AUTHOR = "Jane Whistle"
EDITOR = "Ivan Insider"
COMPANY = "Ministry of Prisons"
SECRET_TEXT = "Evidence page one"
WEB_LINK = "https://news.example.org/prisons/report"


def exiftool_write(path: Path, *assignments: str) -> None:
    subprocess.run(
        [tool("exiftool"), "-q", "-overwrite_original", *assignments, "--", str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )


def jpeg_with_gps(tmp: Path) -> bytes:
    """A small real JPEG carrying EXIF GPS, make, model and a serial."""
    img = Image.new("RGB", (32, 24))
    for x in range(32):
        for y in range(24):
            img.putpixel((x, y), (x * 8, y * 10, (x + y) * 4))
    path = tmp / "photo.jpg"
    img.save(path, quality=90)
    exiftool_write(
        path,
        "-GPSLatitude=51.53", "-GPSLatitudeRef=N", "-GPSLongitude=46.03", "-GPSLongitudeRef=E",
        "-Make=PhoneCorp", "-Model=Spy 3000", "-SerialNumber=SN-778899",
        "-DateTimeOriginal=2024:03:01 12:00:00",
    )
    return path.read_bytes()


# --- PDF ---

def make_pdf(path: Path, *, jpeg: bytes | None = None, xmp: bool = True) -> Path:
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(300, 300))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    content = f"BT /F1 12 Tf 20 250 Td ({SECRET_TEXT}) Tj ET".encode()
    if jpeg is not None:
        with Image.open(io.BytesIO(jpeg)) as im:
            width, height = im.size
        image = pikepdf.Stream(pdf, jpeg)
        image.Type = pikepdf.Name.XObject
        image.Subtype = pikepdf.Name.Image
        image.Width = width
        image.Height = height
        image.ColorSpace = pikepdf.Name.DeviceRGB
        image.BitsPerComponent = 8
        image.Filter = pikepdf.Name.DCTDecode
        resources.XObject = pikepdf.Dictionary(Im1=pdf.make_indirect(image))
        content += b" q 64 0 0 48 20 20 cm /Im1 Do Q"
    page.Resources = resources
    page.Contents = pdf.make_stream(content)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = "Internal report"
    pdf.docinfo["/Author"] = AUTHOR
    pdf.docinfo["/Creator"] = "Microsoft Word for Ministry"
    pdf.docinfo["/Producer"] = "Acrobat Distiller 11.0 (Windows)"
    pdf.docinfo["/CreationDate"] = "D:20240301120000+02'00'"
    pdf.docinfo["/ModDate"] = "D:20240302120000+02'00'"
    pdf.docinfo["/Title"] = "Internal report"
    annot = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Text,
            Rect=[10, 10, 30, 30],
            T=EDITOR,
            M="D:20240303120000Z",
            NM="a1b2c3d4-annot-uuid",
            Contents="see the ledger",
        )
    )
    page.Annots = pdf.make_indirect(pikepdf.Array([annot]))
    thumb = pikepdf.Stream(pdf, bytes(3 * 4 * 4))
    thumb.Width = 4
    thumb.Height = 4
    thumb.ColorSpace = pikepdf.Name.DeviceRGB
    thumb.BitsPerComponent = 8
    page.obj.Thumb = pdf.make_indirect(thumb)
    page.obj.PieceInfo = pikepdf.Dictionary(
        SecretApp=pikepdf.Dictionary(LastModified="D:20240303120000Z", Private="user jdoe")
    )
    page.obj.LastModified = "D:20240303120000Z"
    spec = pikepdf.AttachedFileSpec(pdf, b"attached secret notes", filename="notes.txt")
    pdf.attachments["notes.txt"] = spec
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hello');")
    )
    pdf.save(path)
    if xmp:
        # exiftool appends its edit as an incremental update, as real editors do.
        exiftool_write(
            path,
            f"-XMP-dc:Creator={AUTHOR}",
            "-XMP-xmp:CreatorTool=Secret Writer 2.1",
            "-XMP-xmpMM:DocumentID=uuid:5d3e6f70-aaaa-bbbb-cccc-1234567890ab",
            "-XMP-exif:GPSLatitude=51.53",
            "-XMP-exif:GPSLongitude=46.03",
            f"-PDF:Author={AUTHOR}",
        )
    return path


# --- zip-based office documents ---

_DIRTY_TIME = (2024, 3, 1, 12, 34, 56)


def write_zip_parts(path: Path, parts: dict[str, bytes], *, stored_first: str | None = None,
                    comment: bytes = b"") -> Path:
    """A zip as office programs write it: real times, deflated parts."""
    with zipfile.ZipFile(path, "w") as zf:
        if comment:
            zf.comment = comment
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=_DIRTY_TIME)
            info.compress_type = (
                zipfile.ZIP_STORED if name == stored_first else zipfile.ZIP_DEFLATED
            )
            zf.writestr(info, data)
    return path


def png_bytes() -> bytes:
    img = Image.new("RGB", (8, 6), (200, 30, 30))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


CT = "http://schemas.openxmlformats.org/package/2006/content-types"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OD_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"

_CORE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>Internal report</dc:title><dc:creator>{AUTHOR}</dc:creator><cp:lastModifiedBy>{EDITOR}</cp:lastModifiedBy><cp:revision>7</cp:revision><cp:lastPrinted>2024-03-02T13:00:00Z</cp:lastPrinted><dcterms:created xsi:type="dcterms:W3CDTF">2024-03-01T12:00:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">2024-03-02T12:00:00Z</dcterms:modified></cp:coreProperties>""".encode()


def _app(application: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Template>Normal.dotm</Template><TotalTime>42</TotalTime><Pages>1</Pages><Application>{application}</Application><DocSecurity>0</DocSecurity><Company>{COMPANY}</Company><Manager>Boss Person</Manager><AppVersion>16.0000</AppVersion></Properties>""".encode()


_CUSTOM = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Department"><vt:lpwstr>Block C wardens</vt:lpwstr></property></Properties>"""


def _types(main: str, overrides: dict[str, str]) -> bytes:
    items = "".join(
        f'<Override PartName="/{part}" ContentType="{ctype}"/>'
        for part, ctype in {**overrides, "_main": main}.items() if part != "_main"
    )
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="{CT}"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Default Extension="jpeg" ContentType="image/jpeg"/><Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"/><Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>{items}</Types>""".encode()


def _rels(rels: list[tuple[str, str, str]], external: tuple[str, ...] = ()) -> bytes:
    body = "".join(
        f'<Relationship Id="{rid}" Type="{rtype}" Target="{target}"'
        + (' TargetMode="External"' if rid in external else "")
        + "/>"
        for rid, rtype, target in rels
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{PKG_REL}">{body}</Relationships>'
    ).encode()


def _package_rels(main: str) -> bytes:
    return _rels([
        ("rId1", f"{OD_REL}/officeDocument", main),
        ("rId2", f"{PKG_REL}/metadata/core-properties", "docProps/core.xml"),
        ("rId3", f"{OD_REL}/extended-properties", "docProps/app.xml"),
        ("rId4", f"{OD_REL}/custom-properties", "docProps/custom.xml"),
        ("rId5", f"{PKG_REL}/metadata/thumbnail", "docProps/thumbnail.jpeg"),
    ])


_PROPS_TYPES = {
    "docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
    "docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    "docProps/custom.xml": "application/vnd.openxmlformats-officedocument.custom-properties+xml",
}

INSERTED = "inserted later"
DELETED = "deleted words"
COMMENT_TEXT = "check this with the warden"


def docx_parts(tmp: Path) -> dict[str, bytes]:
    w = f'xmlns:w="{W_NS}" xmlns:w14="{W14_NS}" xmlns:w15="{W15_NS}" xmlns:r="{OD_REL}"'
    document = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {w}><w:body><w:p w:rsidR="00A1B2C3" w:rsidRDefault="00D4E5F6" w14:paraId="1A2B3C4D" w14:textId="77777777"><w:r w:rsidRPr="00112233"><w:t xml:space="preserve">{SECRET_TEXT} </w:t></w:r><w:commentRangeStart w:id="0"/><w:ins w:id="1" w:author="{EDITOR}" w:date="2024-03-02T10:00:00Z"><w:r><w:t xml:space="preserve">{INSERTED} </w:t></w:r></w:ins><w:del w:id="2" w:author="{EDITOR}" w:date="2024-03-02T10:05:00Z"><w:r><w:delText>{DELETED}</w:delText></w:r></w:del><w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r><w:hyperlink r:id="rId6"><w:r><w:t>ledger</w:t></w:r></w:hyperlink><w:hyperlink r:id="rId7"><w:r><w:t>{WEB_LINK}</w:t></w:r></w:hyperlink></w:p><w:p><w:pPr><w:rPr><w:ins w:id="3" w:author="{EDITOR}" w:date="2024-03-02T10:06:00Z"/></w:rPr></w:pPr><w:r><w:rPr><w:b/><w:rPrChange w:id="4" w:author="{EDITOR}" w:date="2024-03-02T10:07:00Z"><w:rPr/></w:rPrChange></w:rPr><w:t>second paragraph</w:t></w:r></w:p><w:sectPr w:rsidR="00A1B2C3"/></w:body></w:document>"""
    comments = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:comments {w}><w:comment w:id="0" w:author="{AUTHOR}" w:date="2024-03-02T11:00:00Z" w:initials="JW"><w:p><w:r><w:t>{COMMENT_TEXT}</w:t></w:r></w:p></w:comment></w:comments>"""
    people = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w15:people {w}><w15:person w15:author="{AUTHOR}"><w15:presenceInfo w15:providerId="AD" w15:userId="S::jane@ministry.example::1234"/></w15:person></w15:people>"""
    settings = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings {w}><w:attachedTemplate r:id="rId1"/><w:docVars><w:docVar w:name="Operator" w:val="jdoe"/></w:docVars><w:rsids><w:rsidRoot w:val="00A1B2C3"/><w:rsid w:val="00A1B2C3"/><w:rsid w:val="00D4E5F6"/></w:rsids><w14:docId w14:val="5F3A1B2C"/><w15:docId w15:val="{{1D2C3B4A-1111-2222-3333-444455556666}}"/></w:settings>"""
    custom_xml = b'<?xml version="1.0"?><b:Sources xmlns:b="http://schemas.openxmlformats.org/officeDocument/2006/bibliography"><b:Source><b:Author>Jane Whistle</b:Author></b:Source></b:Sources>'
    return {
        "[Content_Types].xml": _types("", {
            "word/document.xml":
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            "word/comments.xml":
                "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml",
            "word/people.xml": "application/vnd.ms-word.people+xml",
            "word/settings.xml":
                "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml",
            "customXml/item1.xml": "application/xml",
            **_PROPS_TYPES,
        }),
        "_rels/.rels": _package_rels("word/document.xml"),
        "docProps/core.xml": _CORE,
        "docProps/app.xml": _app("Microsoft Office Word"),
        "docProps/custom.xml": _CUSTOM,
        "docProps/thumbnail.jpeg": jpeg_with_gps(tmp),
        "word/document.xml": document.encode(),
        "word/_rels/document.xml.rels": _rels([
            ("rId1", f"{OD_REL}/comments", "comments.xml"),
            ("rId2", f"{OD_REL}/settings", "settings.xml"),
            ("rId3", "http://schemas.microsoft.com/office/2011/relationships/people", "people.xml"),
            ("rId4", f"{OD_REL}/image", "media/image1.jpeg"),
            ("rId5", f"{OD_REL}/customXml", "../customXml/item1.xml"),
            ("rId6", f"{OD_REL}/hyperlink", "file:///C:/Users/jdoe/Documents/ledger.xlsx"),
            ("rId7", f"{OD_REL}/hyperlink", WEB_LINK),
        ], external=("rId6", "rId7")),
        "word/comments.xml": comments.encode(),
        "word/people.xml": people.encode(),
        "word/settings.xml": settings.encode(),
        "word/_rels/settings.xml.rels": _rels(
            [("rId1", f"{OD_REL}/attachedTemplate",
              "file:///C:/Users/jdoe/AppData/Roaming/Microsoft/Templates/Normal.dotm")],
            external=("rId1",),
        ),
        "word/media/image1.jpeg": jpeg_with_gps(tmp),
        "customXml/item1.xml": custom_xml,
    }


def xlsx_parts(tmp: Path) -> dict[str, bytes]:
    sml = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    workbook = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{sml}" xmlns:r="{OD_REL}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x15 xr" xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main" xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision"><fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27328"/><fileSharing userName="{EDITOR}"/><workbookPr defaultThemeVersion="166925"/><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><mc:Choice Requires="x15"><x15ac:absPath xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac" url="C:\\Users\\jdoe\\Documents\\"/></mc:Choice></mc:AlternateContent><xr:revisionPtr revIDLastSave="0" documentId="8_{{D1A2B3C4-0000-1111-2222-333344445555}}" xr6:coauthVersionLast="47" xmlns:xr6="http://schemas.microsoft.com/office/spreadsheetml/2016/revision6"/><sheets><sheet name="Ledger" sheetId="1" r:id="rId1"/></sheets></workbook>"""
    sheet = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{sml}" xmlns:r="{OD_REL}" xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" xr:uid="{{00000000-0001-0000-0000-000000000000}}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{SECRET_TEXT}</t></is></c><c r="B1"><v>42</v></c></row></sheetData><pageSetup orientation="portrait" r:id="rId1"/><legacyDrawing r:id="rId3"/></worksheet>"""
    comments = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<comments xmlns="{sml}"><authors><author>{AUTHOR}</author></authors><commentList><comment ref="A1" authorId="0"><text><r><t>{COMMENT_TEXT}</t></r></text></comment></commentList></comments>"""
    vml = b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"><v:shape id="_x0000_s1025" type="#_x0000_t202"><x:ClientData ObjectType="Note"><x:Row>0</x:Row><x:Column>0</x:Column></x:ClientData></v:shape></xml>'
    return {
        "[Content_Types].xml": _types("", {
            "xl/workbook.xml":
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            "xl/worksheets/sheet1.xml":
                "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
            "xl/comments1.xml":
                "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml",
            **_PROPS_TYPES,
        }),
        "_rels/.rels": _package_rels("xl/workbook.xml"),
        "docProps/core.xml": _CORE,
        "docProps/app.xml": _app("Microsoft Excel"),
        "docProps/custom.xml": _CUSTOM,
        "docProps/thumbnail.jpeg": jpeg_with_gps(tmp),
        "xl/workbook.xml": workbook.encode(),
        "xl/_rels/workbook.xml.rels": _rels(
            [("rId1", f"{OD_REL}/worksheet", "worksheets/sheet1.xml")]
        ),
        "xl/worksheets/sheet1.xml": sheet.encode(),
        "xl/worksheets/_rels/sheet1.xml.rels": _rels([
            ("rId1", f"{OD_REL}/printerSettings", "../printerSettings/printerSettings1.bin"),
            ("rId2", f"{OD_REL}/comments", "../comments1.xml"),
            ("rId3", f"{OD_REL}/vmlDrawing", "../drawings/vmlDrawing1.vml"),
        ]),
        "xl/comments1.xml": comments.encode(),
        "xl/drawings/vmlDrawing1.vml": vml,
        "xl/printerSettings/printerSettings1.bin":
            "\\\\PRINTSRV-BLOCKC\\HP LaserJet 4250".encode("utf-16-le") + bytes(64),
    }


def pptx_parts(tmp: Path) -> dict[str, bytes]:
    pml = "http://schemas.openxmlformats.org/presentationml/2006/main"
    dml = "http://schemas.openxmlformats.org/drawingml/2006/main"
    ns = f'xmlns:p="{pml}" xmlns:a="{dml}" xmlns:r="{OD_REL}"'
    presentation = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<p:presentation {ns}><p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst><p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>"""
    slide = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<p:sld {ns}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/><p:sp><p:nvSpPr><p:cNvPr id="2" name="Title 1"><a:extLst><a:ext uri="{{FF2B5EF4-FFF2-40B4-BE49-F238E27FC236}}"><a16:creationId xmlns:a16="http://schemas.microsoft.com/office/drawing/2014/main" id="{{A1B2C3D4-0000-1111-2222-333344445555}}"/></a:ext></a:extLst></p:cNvPr><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:p><a:r><a:t>{SECRET_TEXT}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld><p:extLst><p:ext uri="{{BB962C8B-B14F-4D97-AF65-F5344CB8AC3E}}"><p14:creationId xmlns:p14="http://schemas.microsoft.com/office/powerpoint/2010/main" val="3141592653"/></p:ext></p:extLst></p:sld>"""
    authors = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<p:cmAuthorLst {ns}><p:cmAuthor id="1" name="{AUTHOR}" initials="JW" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>"""
    comment = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<p:cmLst {ns}><p:cm authorId="1" dt="2024-03-02T11:00:00.000" idx="1"><p:pos x="10" y="10"/><p:text>{COMMENT_TEXT}</p:text></p:cm></p:cmLst>"""
    return {
        "[Content_Types].xml": _types("", {
            "ppt/presentation.xml":
                "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            "ppt/slides/slide1.xml":
                "application/vnd.openxmlformats-officedocument.presentationml.slide+xml",
            "ppt/commentAuthors.xml":
                "application/vnd.openxmlformats-officedocument.presentationml.commentAuthors+xml",
            "ppt/comments/comment1.xml":
                "application/vnd.openxmlformats-officedocument.presentationml.comments+xml",
            **_PROPS_TYPES,
        }),
        "_rels/.rels": _package_rels("ppt/presentation.xml"),
        "docProps/core.xml": _CORE,
        "docProps/app.xml": _app("Microsoft Office PowerPoint"),
        "docProps/custom.xml": _CUSTOM,
        "docProps/thumbnail.jpeg": jpeg_with_gps(tmp),
        "ppt/presentation.xml": presentation.encode(),
        "ppt/_rels/presentation.xml.rels": _rels([
            ("rId1", f"{OD_REL}/commentAuthors", "commentAuthors.xml"),
            ("rId2", f"{OD_REL}/slide", "slides/slide1.xml"),
        ]),
        "ppt/slides/slide1.xml": slide.encode(),
        "ppt/slides/_rels/slide1.xml.rels": _rels([
            ("rId1", f"{OD_REL}/comments", "../comments/comment1.xml"),
            ("rId2", f"{OD_REL}/image", "../media/image1.png"),
        ]),
        "ppt/commentAuthors.xml": authors.encode(),
        "ppt/comments/comment1.xml": comment.encode(),
        "ppt/media/image1.png": png_bytes(),
    }


def make_ooxml(path: Path, kind: str) -> Path:
    tmp = path.parent
    parts = {"docx": docx_parts, "xlsx": xlsx_parts, "pptx": pptx_parts}[kind](tmp)
    return write_zip_parts(path, parts)


# --- OpenDocument ---

ODF_MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "odg": "application/vnd.oasis.opendocument.graphics",
}
_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" '
    'xmlns:officeooo="http://openoffice.org/2009/office" '
    'office:version="1.3"'
)
ODF_DELETED = "removed sentence"


def _annotation() -> str:
    return (
        f"<office:annotation><dc:creator>{AUTHOR}</dc:creator>"
        "<dc:date>2024-03-02T11:00:00.123</dc:date>"
        "<meta:creator-initials>JW</meta:creator-initials>"
        f"<text:p>{COMMENT_TEXT}</text:p></office:annotation>"
    )


def _odf_body(kind: str) -> str:
    para = f"<text:p text:style-name=\"P1\">{SECRET_TEXT}{_annotation()} and more</text:p>"
    if kind == "odt":
        changes = (
            "<text:tracked-changes>"
            f'<text:changed-region xml:id="ct1" text:id="ct1"><text:insertion><office:change-info>'
            f"<dc:creator>{EDITOR}</dc:creator><dc:date>2024-03-02T10:00:00</dc:date>"
            "</office:change-info></text:insertion></text:changed-region>"
            f'<text:changed-region xml:id="ct2" text:id="ct2"><text:deletion><office:change-info>'
            f"<dc:creator>{EDITOR}</dc:creator><dc:date>2024-03-02T10:05:00</dc:date>"
            f"</office:change-info><text:p>{ODF_DELETED}</text:p></text:deletion>"
            "</text:changed-region></text:tracked-changes>"
        )
        marked = (
            '<text:p text:style-name="P1">'
            f'<text:change-start text:change-id="ct1"/>{INSERTED}'
            '<text:change-end text:change-id="ct1"/> tail'
            '<text:change text:change-id="ct2"/> end</text:p>'
        )
        frame = (
            '<text:p><draw:frame draw:name="Image1" svg:width="1cm" svg:height="1cm">'
            '<draw:image xlink:href="Pictures/photo.jpg" xlink:type="simple"/>'
            "</draw:frame></text:p>"
        )
        link = (
            '<text:p><text:a xlink:type="simple" '
            'xlink:href="file:///home/jdoe/secret/plan.ods">plan</text:a> '
            f'<text:a xlink:type="simple" xlink:href="{WEB_LINK}">web</text:a></text:p>'
        )
        return f"<office:text>{changes}{para}{marked}{frame}{link}</office:text>"
    if kind == "ods":
        return (
            '<office:spreadsheet><table:table table:name="Ledger"><table:table-row>'
            f'<table:table-cell office:value-type="string">{_annotation()}'
            f"<text:p>{SECRET_TEXT}</text:p></table:table-cell>"
            "</table:table-row></table:table></office:spreadsheet>"
        )
    page = (
        '<draw:page draw:name="page1"><draw:frame svg:width="5cm" svg:height="1cm" '
        'svg:x="1cm" svg:y="1cm"><draw:text-box>'
        f"{para}</draw:text-box></draw:frame></draw:page>"
    )
    return f"<office:{'presentation' if kind == 'odp' else 'drawing'}>{page}" + (
        f"</office:{'presentation' if kind == 'odp' else 'drawing'}>"
    )


def odf_parts(tmp: Path, kind: str) -> dict[str, bytes]:
    mimetype = ODF_MIMETYPES[kind]
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<office:document-content {_ODF_NS}><office:automatic-styles>"
        '<style:style style:name="P1" style:family="paragraph">'
        '<style:text-properties officeooo:rsid="0012ab34" officeooo:paragraph-rsid="0012ab34"/>'
        "</style:style></office:automatic-styles>"
        f"<office:body>{_odf_body(kind)}</office:body></office:document-content>"
    )
    styles = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<office:document-styles {_ODF_NS}><!-- saved by jdoe on PC-BLOCKC -->"
        "<office:styles/></office:document-styles>"
    )
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<office:document-meta {_ODF_NS}><office:meta>"
        "<meta:generator>LibreOffice/7.4.7.2$Linux_X86_64 LibreOffice_project/40$Build-2</meta:generator>"
        f"<meta:initial-creator>{AUTHOR}</meta:initial-creator>"
        "<meta:creation-date>2024-03-01T12:00:00.123456789</meta:creation-date>"
        f"<dc:creator>{EDITOR}</dc:creator><dc:date>2024-03-02T12:00:00.1</dc:date>"
        f"<meta:printed-by>{EDITOR}</meta:printed-by>"
        "<meta:print-date>2024-03-02T13:00:00</meta:print-date>"
        "<meta:editing-cycles>12</meta:editing-cycles>"
        "<meta:editing-duration>PT2H5M</meta:editing-duration>"
        "<dc:title>Internal report</dc:title>"
        '<meta:user-defined meta:name="Department">Block C wardens</meta:user-defined>'
        '<meta:document-statistic meta:page-count="1"/>'
        "</office:meta></office:document-meta>"
    )
    settings = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<office:document-settings {_ODF_NS}><config:config-item-set config:name=\"ooo:configuration-settings\">"
        '<config:config-item config:name="PrinterName" config:type="string">HP LaserJet BLOCK-C</config:config-item>'
        '<config:config-item config:name="PrinterSetup" config:type="base64Binary">aGVsbG8=</config:config-item>'
        '<config:config-item config:name="RsidRoot" config:type="int">1223476</config:config-item>'
        "</config:config-item-set></office:document-settings>"
    )
    files = {
        "content.xml": "text/xml",
        "styles.xml": "text/xml",
        "meta.xml": "text/xml",
        "settings.xml": "text/xml",
        "Thumbnails/thumbnail.png": "image/png",
        "Configurations2/": "application/vnd.sun.xml.ui.configuration",
    }
    if kind == "odt":
        files["Pictures/photo.jpg"] = "image/jpeg"
    entries = "".join(
        f'<manifest:file-entry manifest:full-path="{p}" manifest:media-type="{t}"/>'
        for p, t in files.items()
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        f"{entries}</manifest:manifest>"
    )
    parts = {
        "mimetype": mimetype.encode(),
        "content.xml": content.encode(),
        "styles.xml": styles.encode(),
        "meta.xml": meta.encode(),
        "settings.xml": settings.encode(),
        "Thumbnails/thumbnail.png": png_bytes(),
        "Configurations2/accelerator/current.xml": b"",
        "layout-cache": b"\x00\x01cache",
        "META-INF/manifest.xml": manifest.encode(),
    }
    if kind == "odt":
        parts["Pictures/photo.jpg"] = jpeg_with_gps(tmp)
    return parts


def make_odf(path: Path, kind: str) -> Path:
    parts = odf_parts(path.parent, kind)
    return write_zip_parts(path, parts, stored_first="mimetype")


# --- archives ---

def _ut_extra(mtime: int) -> bytes:
    """The Info-ZIP extended-timestamp field zip tools add on Unix."""
    return b"UT" + (5).to_bytes(2, "little") + b"\x01" + mtime.to_bytes(4, "little")


def archive_members(tmp: Path) -> dict[str, bytes]:
    return {
        "evidence/": b"",
        "evidence/photo.jpg": jpeg_with_gps(tmp),
        "evidence/report.pdf": make_pdf(tmp / "inner.pdf").read_bytes(),
        "evidence/ledger.xlsx": make_ooxml(tmp / "inner.xlsx", "xlsx").read_bytes(),
        "notes.txt": f"{SECRET_TEXT}\nmeet at gate 3\n".encode(),
        "table.csv": b"name,cell\nprisoner,14\n",
    }


def make_zip(path: Path, members: dict[str, bytes] | None = None) -> Path:
    members = archive_members(path.parent) if members is None else members
    with zipfile.ZipFile(path, "w") as zf:
        zf.comment = f"packed by {AUTHOR} on PC-BLOCKC".encode()
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_DIRTY_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.extra = _ut_extra(1709296496)
            info.comment = b"from the warden's office"
            info.external_attr = (0o40755 if name.endswith("/") else 0o100600) << 16
            info.create_system = 3
            zf.writestr(info, data)
    return path


def make_tar(path: Path, members: dict[str, bytes] | None = None) -> Path:
    members = archive_members(path.parent) if members is None else members
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name.rstrip("/"))
            info.mtime = 1709296496
            info.uid, info.gid = 1000, 1001
            info.uname, info.gname = "jdoe", "wardens"
            info.pax_headers = {
                "SCHILY.xattr.user.xdg.origin.url": "https://ministry.example/leak",
                "atime": "1709296496.5",
            }
            if name.endswith("/"):
                info.type = tarfile.DIRTYPE
                info.mode = 0o750
                tf.addfile(info)
            else:
                info.mode = 0o600
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return path
