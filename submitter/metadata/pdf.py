"""PDF: document info, XMP, document ID, thumbnails, annotation authors, scripts.

Cleaning is a full rewrite with pikepdf (qpdf): only objects reachable from
the new trailer are written, so incremental-update history and orphaned
objects disappear. The document ID becomes qpdf's fixed "static" ID, the
same for every cleaned file. Embedded (attached) files are removed, not
sent: they cannot be checked here, and the report says so. JPEG images
inside are cleaned through the engine's JPEG cleaner (segment removal, no
re-encoding); JPEG 2000 images lose their metadata boxes and comments.
Encrypted PDFs, and files cut short or followed by a partial edit, are
refused; a damaged cross-reference table is rebuilt by qpdf, with a warning.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf

from submitter.metadata import jpx, xmlsafe
from submitter.metadata.cleaner import register
from submitter.metadata.guard import only_refusals
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    BytesPlan,
    Category,
    CleanRefused,
    CleanReport,
    CorruptRefused,
    EncryptedRefused,
    Finding,
    Inspection,
    LimitRefused,
    Limits,
    UnsupportedContentRefused,
)
from submitter.metadata.source import Source

# qpdf's fixed ID for `static_id=True`: it says nothing about the document.
NEUTRAL_ID = bytes.fromhex("31415926535897932384626433832795")

_INFO_CATEGORY = {
    "/Author": Category.PERSON,
    "/Creator": Category.SOFTWARE,
    "/Producer": Category.SOFTWARE,
    "/CreationDate": Category.TIME,
    "/ModDate": Category.TIME,
}
_XMP_CATEGORY = {
    "creator": Category.PERSON,
    "Author": Category.PERSON,
    "rights": Category.PERSON,
    "Owner": Category.PERSON,
    "CreatorTool": Category.SOFTWARE,
    "Producer": Category.SOFTWARE,
    "softwareAgent": Category.SOFTWARE,
    "CreateDate": Category.TIME,
    "ModifyDate": Category.TIME,
    "MetadataDate": Category.TIME,
    "when": Category.TIME,
    "DocumentID": Category.IDENTIFIER,
    "InstanceID": Category.IDENTIFIER,
    "OriginalDocumentID": Category.IDENTIFIER,
    "instanceID": Category.IDENTIFIER,
    "documentID": Category.IDENTIFIER,
}
_XMP_NOISE_NS = frozenset(
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/XML/1998/namespace"}
)


def _xmp_category(name: str) -> Category:
    if name.startswith("GPS"):
        return Category.LOCATION
    if name == "xmptk":
        return Category.SOFTWARE
    return _XMP_CATEGORY.get(name, Category.OTHER)


_MEDIA_ANNOTS = frozenset({"/FileAttachment", "/Sound", "/Movie", "/RichMedia", "/Screen", "/3D"})
_ACTIVE_ACTIONS = frozenset(
    # GoToR and GoToE name other files, often by a full local path.
    {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE", "/GoToR",
     "/RichMediaExecute"}
)
_EOF = re.compile(rb"%%EOF")
_MAX_WALK = 2_000_000  # objects visited: a hostile file cannot keep us busy forever
_WARNINGS = (
    "Only the hidden details of this PDF were checked. Its pages can still "
    "identify you: names, dates, signatures, letterheads, writing style, and "
    "text that is hidden (white on white, under pictures, outside the page).",
)
_REPAIRED_WARNING = (
    "This PDF was slightly damaged and had to be repaired to be cleaned. "
    "Check that the cleaned copy still shows everything."
)
_LAYERS_WARNING = (
    "This PDF has layers. Some may be hidden from view; their content was not checked."
)


@dataclass(slots=True)
class _Survey:
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, where: str, value: object, category: Category) -> None:
        text = _text(value)
        finding = Finding(where, text, category)
        if finding not in self.findings:
            self.findings.append(finding)


def _text(value: object, limit: int = 200) -> str:
    try:
        if isinstance(value, pikepdf.String):
            text = str(value)
        elif isinstance(value, pikepdf.Object):
            text = value.unparse().decode("latin-1", "replace")
        else:
            text = str(value)
    except Exception:  # a value that will not even print is still a finding
        text = "(unreadable)"
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _open(data: bytes) -> pikepdf.Pdf:
    # A file cut short inside an appended edit still holds the earlier,
    # complete version, which qpdf would happily read: what follows the
    # last end marker must be nothing but padding.
    last = data.rfind(b"%%EOF")
    if last < 0 or data[last + 5 :].strip(b" \t\r\n\x00\x0c"):
        raise CorruptRefused("PDF does not end with its end marker")
    try:
        # qpdf may rebuild a damaged cross-reference table (common in files
        # from sloppy generators); a file cut short was refused above, and
        # the cleaned output is verified whatever was repaired.
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise EncryptedRefused("PDF needs a password") from exc
    except (pikepdf.PdfError, ValueError, OSError) as exc:
        raise CorruptRefused(f"PDF: {type(exc).__name__}") from exc
    if pdf.is_encrypted:
        pdf.close()
        raise EncryptedRefused("PDF is encrypted")
    return pdf


def _walk(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every dictionary and stream, indirect or nested directly inside one."""
    visited = 0
    for obj in pdf.objects:
        stack = [obj]
        while stack:
            cur = stack.pop()
            visited += 1
            if visited > _MAX_WALK:
                raise LimitRefused("too many PDF objects")
            if isinstance(cur, pikepdf.Dictionary | pikepdf.Stream):
                yield cur
                children = list(cur.values())
            elif isinstance(cur, pikepdf.Array):
                children = list(cur)
            else:
                continue
            for child in children:
                if (
                    isinstance(child, pikepdf.Dictionary | pikepdf.Stream | pikepdf.Array)
                    and not child.is_indirect
                ):
                    stack.append(child)


def _name(obj: object, key: str) -> str:
    if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        return ""
    value = obj.get(key)
    return str(value) if isinstance(value, pikepdf.Name) else ""


def _is_active_action(value: object) -> bool:
    return isinstance(value, pikepdf.Dictionary) and _name(value, "/S") in _ACTIVE_ACTIONS


def _filters(stream: pikepdf.Object) -> list[str]:
    flt = stream.get("/Filter")
    if isinstance(flt, pikepdf.Name):
        return [str(flt)]
    if isinstance(flt, pikepdf.Array):
        return [str(f) for f in flt]
    return []


def _is_image(obj: pikepdf.Object) -> bool:
    return isinstance(obj, pikepdf.Stream) and _name(obj, "/Subtype") == "/Image"


def _survey_xmp(survey: _Survey, stream: pikepdf.Object, where: str, limits: Limits) -> None:
    try:
        root = xmlsafe.parse(stream.read_bytes(), limits)
    except (CleanRefused, pikepdf.PdfError):
        survey.add(where, "(unreadable XMP packet)", Category.OTHER)
        return
    found = False
    for el in root.iter():
        if not isinstance(el.tag, str) or len(el):
            continue
        text = (el.text or "").strip()
        if not text:
            continue
        name = xmlsafe.local(el.tag)
        if name in ("li", "Seq", "Bag", "Alt"):
            parent = el.getparent()
            while parent is not None and xmlsafe.local(parent.tag) in ("Seq", "Bag", "Alt"):
                parent = parent.getparent()
            name = xmlsafe.local(parent.tag) if parent is not None else name
        survey.add(f"{where} {name}", text, _xmp_category(name))
        found = True
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            name = xmlsafe.local(attr)
            if xmlsafe.namespace(attr) in _XMP_NOISE_NS:
                continue
            if value.strip():
                survey.add(f"{where} {name}", value, _xmp_category(name))
                found = True
    if not found:
        survey.add(where, "(XMP packet)", Category.OTHER)


def _survey(pdf: pikepdf.Pdf, data: bytes, limits: Limits) -> _Survey:
    from submitter.metadata import engine  # late: the engine imports the registry

    survey = _Survey()
    info = pdf.trailer.get("/Info")
    if isinstance(info, pikepdf.Dictionary):
        for key, value in info.items():
            survey.add(f"Document info {key[1:]}", value, _INFO_CATEGORY.get(key, Category.OTHER))
    ids = pdf.trailer.get("/ID")
    if isinstance(ids, pikepdf.Array):
        for part in ids:
            raw = bytes(part) if isinstance(part, pikepdf.String) else b""
            if raw != NEUTRAL_ID:
                survey.add("Document ID", raw.hex() or _text(part), Category.IDENTIFIER)
    root = pdf.Root
    if "/OCProperties" in root:
        survey.warnings.append(_LAYERS_WARNING)
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        if "/JavaScript" in names:
            survey.add("Document scripts", "JavaScript", Category.HIDDEN_CONTENT)
        if "/EmbeddedFiles" in names:
            survey.add("Attached files", "file attachments", Category.EMBEDDED_FILE)
    for key, what, cat in (
        ("/Perms", "signature permissions", Category.IDENTIFIER),
        ("/DSS", "signature certificates", Category.PERSON),
        ("/SpiderInfo", "web capture details", Category.OTHER),
        ("/Collection", "PDF portfolio", Category.EMBEDDED_FILE),
    ):
        if key in root:
            survey.add(f"Document {key[1:]}", what, cat)
    if _is_active_action(root.get("/OpenAction")):
        survey.add("Open action", "script or launch action", Category.HIDDEN_CONTENT)
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary) and "/XFA" in form:
        if bool(root.get("/NeedsRendering", False)):
            # A dynamic XFA form has no pages of its own: without the XFA
            # data nothing would remain, and that data cannot be checked.
            raise UnsupportedContentRefused("dynamic XFA form")
        survey.add("XFA form data", "XML form data", Category.HIDDEN_CONTENT)

    for obj in _walk(pdf):
        if "/Metadata" in obj:
            meta = obj.get("/Metadata")
            where = "XMP" if obj.is_same_object_as(root) else "XMP (inside the document)"
            if isinstance(meta, pikepdf.Stream):
                _survey_xmp(survey, meta, where, limits)
            else:
                survey.add(where, "(XMP)", Category.OTHER)
        if "/PieceInfo" in obj:
            survey.add("Private program data (PieceInfo)", "present", Category.SOFTWARE)
        if "/LastModified" in obj:
            survey.add("Last modified", obj.get("/LastModified"), Category.TIME)
        if "/Thumb" in obj:
            survey.add("Page thumbnail", "embedded preview image", Category.HIDDEN_CONTENT)
        if "/AA" in obj:
            survey.add("Automatic actions", "scripts run on events", Category.HIDDEN_CONTENT)
        if "/AF" in obj:
            survey.add("Associated files", "attached files", Category.EMBEDDED_FILE)
        for key in ("/A", "/Next"):
            if _is_active_action(obj.get(key)):
                survey.add("Action", _name(obj.get(key), "/S")[1:], Category.HIDDEN_CONTENT)
        if _name(obj, "/Type") == "/EmbeddedFile" or "/EF" in obj:
            label = obj.get("/UF") or obj.get("/F") or "embedded file"
            survey.add("Attached file", label, Category.EMBEDDED_FILE)
        subtype = _name(obj, "/Subtype")
        if "/Rect" in obj and subtype:  # an annotation
            if subtype != "/Widget" and "/T" in obj:
                survey.add("Annotation author", obj.get("/T"), Category.PERSON)
            for key in ("/M", "/CreationDate"):
                if key in obj:
                    survey.add(f"Annotation {key[1:]}", obj.get(key), Category.TIME)
            if "/NM" in obj:
                survey.add("Annotation id", obj.get("/NM"), Category.IDENTIFIER)
            if subtype in _MEDIA_ANNOTS:
                survey.add("Annotation with a file", subtype[1:], Category.EMBEDDED_FILE)
        if _name(obj, "/FT") == "/Sig" and "/V" in obj:
            sig = obj.get("/V")
            who = sig.get("/Name") if isinstance(sig, pikepdf.Dictionary) else None
            survey.add("Digital signature", who or "signer's certificate", Category.PERSON)
        if _is_image(obj):
            flts = _filters(obj)
            if "/JPXDecode" in flts:
                if flts != ["/JPXDecode"]:
                    raise UnsupportedContentRefused("chained JPEG 2000 filter in PDF")
                for f in jpx.clean(obj.read_raw_bytes()).findings:
                    survey.add(f"Image in PDF: {f.field}", f.untrusted_value, f.category)
            if "/DCTDecode" in flts:
                if flts != ["/DCTDecode"]:
                    raise UnsupportedContentRefused("chained JPEG filter in PDF")
                jpeg = obj.read_raw_bytes()
                found = engine.inspect(Source.from_bytes(jpeg), None, limits)
                for f in found.findings:
                    survey.add(f"Image in PDF: {f.field}", f.untrusted_value, f.category)

    if pdf.get_warnings():
        survey.warnings.append(_REPAIRED_WARNING)
    eofs = len(_EOF.findall(data))
    if eofs > (2 if pdf.is_linearized else 1):
        survey.add("Earlier versions", f"{eofs - 1} saved edits", Category.HIDDEN_CONTENT)
    survey.warnings.extend(_WARNINGS)
    return survey


def _scrub(pdf: pikepdf.Pdf, limits: Limits) -> list[str]:
    """Remove everything the survey reports; returns notes for the report."""
    from submitter.metadata import engine

    notes: list[str] = []
    for key in ("/Info", "/ID"):
        # Without an ID to keep, qpdf writes its fixed static one.
        if key in pdf.trailer:
            del pdf.trailer[key]
    root = pdf.Root
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                if key == "/EmbeddedFiles":
                    notes.append(
                        "Files attached inside the PDF were removed and will not be sent. "
                        "Add them as separate files if they are needed."
                    )
                del names[key]
    for key in ("/Perms", "/DSS", "/SpiderInfo", "/Collection"):
        if key in root:
            del root[key]
    if _is_active_action(root.get("/OpenAction")):
        del root["/OpenAction"]
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary):
        for key in ("/XFA", "/SigFlags"):
            if key in form:
                del form[key]

    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            kept = [a for a in annots if _name(a, "/Subtype") not in _MEDIA_ANNOTS]
            if len(kept) != len(annots):
                page.obj["/Annots"] = pikepdf.Array(kept)
                notes.append("Annotations carrying files or media were removed.")

    cleaned_images = 0
    for obj in list(_walk(pdf)):
        for key in ("/Metadata", "/PieceInfo", "/LastModified", "/Thumb", "/AA", "/AF"):
            if key in obj:
                del obj[key]
        for key in ("/A", "/Next"):
            if _is_active_action(obj.get(key)):
                del obj[key]
        if "/EF" in obj:
            del obj["/EF"]
        subtype = _name(obj, "/Subtype")
        if "/Rect" in obj and subtype:
            if subtype != "/Widget" and "/T" in obj:
                del obj["/T"]
            for key in ("/M", "/CreationDate", "/NM"):
                if key in obj:
                    del obj[key]
        if _name(obj, "/FT") == "/Sig" and "/V" in obj:
            del obj["/V"]
            notes.append("Digital signatures were removed (they name the signer).")
        if _is_image(obj) and _filters(obj) == ["/JPXDecode"]:
            raw = obj.read_raw_bytes()
            result = jpx.clean(raw)
            if result.data != raw:
                obj.write(result.data, filter=pikepdf.Name.JPXDecode)
                cleaned_images += 1
        if _is_image(obj) and _filters(obj) == ["/DCTDecode"]:
            jpeg = obj.read_raw_bytes()
            plan = engine.prepare(Source.from_bytes(jpeg), None, limits)
            buf = io.BytesIO()
            plan.write_to(buf)
            if buf.getvalue() != jpeg:
                parms = obj.get("/DecodeParms")
                obj.write(
                    buf.getvalue(),
                    filter=pikepdf.Name.DCTDecode,
                    decode_parms=parms if isinstance(parms, pikepdf.Dictionary) else None,
                )
                cleaned_images += 1
    if cleaned_images:
        notes.append(f"Hidden details were removed from {cleaned_images} picture(s) inside.")
    return sorted(set(notes), key=notes.index)


def _save(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(
        out,
        static_id=True,
        fix_metadata_version=False,
        linearize=False,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.preserve,
    )
    return out.getvalue()


@register
class PdfCleaner:
    name = "pdf"
    kinds = frozenset({FileKind.PDF})

    def inspect(self, src: Source, kind: FileKind, limits: Limits) -> Inspection:
        with only_refusals():
            data = src.read_all(limits.max_in_memory_bytes)
            with _open(data) as pdf:
                survey = _survey(pdf, data, limits)
            return Inspection(kind.value, tuple(survey.findings), tuple(survey.warnings))

    def prepare(self, src: Source, kind: FileKind, limits: Limits) -> BytesPlan:
        with only_refusals():
            data = src.read_all(limits.max_in_memory_bytes)
            with _open(data) as pdf:
                survey = _survey(pdf, data, limits)
                notes = _scrub(pdf, limits)
                cleaned = _save(pdf)
            report = CleanReport(
                kind=kind.value,
                removed=list(survey.findings),
                notes=[*notes, "The document was rewritten in full; earlier versions are gone."],
                warnings=list(survey.warnings),
            )
            return BytesPlan(cleaned, report)
