"""OpenDocument (ODT, ODS, ODP, ODG): a zip of XML streams and pictures.

What goes: meta.xml (authors, dates, generator, editing cycles and time,
user-defined fields, template), settings.xml (printer name and driver data,
revision-session ids, view state), thumbnails, Configurations2, layout
caches, signatures (they name the signer), replacement images of embedded
objects (the program redraws them), comments (annotations) with their
authors, tracked changes (accepted: what the document shows is kept, the
record of who changed what is dropped), rsid attributes, XML comments.
The manifest is kept consistent; the "mimetype" entry stays first and
uncompressed. Pictures are cleaned through the engine; macros, scripts,
encrypted documents and any part that cannot be checked are refused.

As for OOXML, inspecting runs the cleaning on a throw-away copy and lists
every change, so the list shown is exactly what cleaning removes.
"""

from __future__ import annotations

import re

from submitter.metadata import xmlsafe
from submitter.metadata.cleaner import register
from submitter.metadata.container import (
    Survey,
    SurveyCleaner,
    clean_inner,
    inspect_inner,
    neutral_link,
)
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    Category,
    CorruptRefused,
    EncryptedRefused,
    Limits,
    UnsupportedContentRefused,
)
from submitter.metadata.office import finish_package, package_survey
from submitter.metadata.source import Source
from submitter.metadata.ziputil import read_zip

_MANIFEST = "META-INF/manifest.xml"
_MF = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_XLINK = "http://www.w3.org/1999/xlink"
_DC = "http://purl.org/dc/elements/1.1/"
_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_OOO = "http://openoffice.org/2009/office"

_DROP: tuple[tuple[re.Pattern[str], Category, str], ...] = tuple(
    (re.compile(p), c, w)
    for p, c, w in (
        (r"(^|/)meta\.xml$", Category.PERSON, "document properties"),
        (r"(^|/)settings\.xml$", Category.DEVICE, "program settings"),
        (r"(^|/)Thumbnails/", Category.HIDDEN_CONTENT, "thumbnail picture"),
        (r"^Configurations2/", Category.SOFTWARE, "program configuration"),
        (r"(^|/)layout-cache$", Category.SOFTWARE, "layout cache"),
        (r"^META-INF/(documentsignatures|macrosignatures|packagesignatures)\.xml$",
         Category.PERSON, "digital signature"),
        (r"(^|/)ObjectReplacements/", Category.HIDDEN_CONTENT, "replacement images"),
    )
)
_SCRIPT_DIRS = re.compile(r"^(Basic|Dialogs|Scripts)/")
_SCRIPT_INDEX = re.compile(r"^(Basic|Dialogs)/([^/]+/)?(script|dialog)-l[cb]\.xml$")
# Links that leave the package: a file URL, a drive, a share, an absolute or
# a parent-relative path. Links inside the package ("Pictures/x.png") stay.
_LOCAL_LINK = re.compile(r"^(file:|[A-Za-z]:[\\/]|\\\\|//|/|\.\./|\.\.\\)", re.IGNORECASE)
_PICTURES = re.compile(r"(^|/)Pictures/[^/]+$")

_META_CATEGORY = {
    "initial-creator": Category.PERSON,
    "creator": Category.PERSON,
    "printed-by": Category.PERSON,
    "creation-date": Category.TIME,
    "date": Category.TIME,
    "print-date": Category.TIME,
    "editing-duration": Category.TIME,
    "generator": Category.SOFTWARE,
    "editing-cycles": Category.IDENTIFIER,
    "template": Category.PERSON,
}
_SETTINGS_CATEGORY = {
    "PrinterName": Category.DEVICE,
    "PrinterSetup": Category.DEVICE,
    "PrintFaxName": Category.DEVICE,
    "Rsid": Category.IDENTIFIER,
    "RsidRoot": Category.IDENTIFIER,
    "CurrentDatabaseDataSource": Category.OTHER,
}
# Body elements removed with their subtree: comments and the record of changes.
_REMOVE = {
    (_OFFICE, "annotation"): "comment",
    (_OFFICE, "annotation-end"): "comment",
    (_TEXT, "tracked-changes"): "tracked-change record",
    (_TABLE, "tracked-changes"): "tracked-change record",
    (_TEXT, "change"): "tracked-change mark",
    (_TEXT, "change-start"): "tracked-change mark",
    (_TEXT, "change-end"): "tracked-change mark",
    (_OFFICE, "event-listeners"): "macro bindings",
}
_WARNING = (
    "Only the hidden details of this document were checked. Its text can still "
    "identify you: names, dates, wording, and fields that show the author's name."
)


def _drop_reason(name: str) -> tuple[Category, str] | None:
    for pattern, category, what in _DROP:
        if pattern.search(name):
            return category, what
    return None


def _survey_meta(survey: Survey, root: xmlsafe.Element) -> None:
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = xmlsafe.local(el.tag)
        if local == "user-defined":
            label = el.get(f"{{{_META}}}name", "?")
            survey.add(f"User-defined property {label}", el.text or "", Category.OTHER)
            continue
        if local == "template":
            survey.add("Template", el.get(f"{{{_XLINK}}}href", ""), Category.PERSON)
            continue
        if len(el) or not (el.text or "").strip():
            continue
        survey.add(f"Property {local}", el.text or "",
                   _META_CATEGORY.get(local, Category.OTHER))


def _survey_settings(survey: Survey, root: xmlsafe.Element) -> None:
    for el in root.iter():
        if not isinstance(el.tag, str) or xmlsafe.local(el.tag) != "config-item":
            continue
        name = next((v for k, v in el.attrib.items() if xmlsafe.local(k) == "name"), "")
        category = _SETTINGS_CATEGORY.get(name)
        if category is None or not (el.text or "").strip():
            continue
        value = "(printer driver data)" if name == "PrinterSetup" else el.text or ""
        survey.add(f"Setting {name}", value, category)


def _sweep(survey: Survey, part: str, root: xmlsafe.Element) -> None:
    counts: dict[str, int] = {}
    for node in xmlsafe.comments_and_pis(root):
        survey.add(f"{part} XML comment", node.text or "", Category.OTHER)
        xmlsafe.remove(node)
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    removed: set[int] = set()
    for el in elements:
        if any(id(a) in removed for a in el.iterancestors()):
            continue
        key = (xmlsafe.namespace(el.tag), xmlsafe.local(el.tag))
        label = _REMOVE.get(key)
        if label is None and key == (_DRAW, "image") and el.get(
            f"{{{_XLINK}}}href", ""
        ).lstrip("./").startswith("ObjectReplacements/"):
            label = "replacement image reference"
        if label is not None:
            for inner in el.iter():
                if not isinstance(inner.tag, str):
                    continue
                ns, local = xmlsafe.namespace(inner.tag), xmlsafe.local(inner.tag)
                if (ns == _DC and local == "creator") or (ns == _META and local.startswith(
                    "creator"
                )):
                    survey.add(f"{part} {label} author", inner.text or "", Category.PERSON)
                elif ns == _DC and local == "date":
                    survey.add(f"{part} {label} date", inner.text or "", Category.TIME)
            counts[label] = counts.get(label, 0) + 1
            removed.add(id(el))
            xmlsafe.remove(el)
            continue
        for attr in list(el.attrib):
            if xmlsafe.namespace(attr) == _OOO and "rsid" in xmlsafe.local(attr):
                counts["revision-session id"] = counts.get("revision-session id", 0) + 1
                del el.attrib[attr]
            elif attr == f"{{{_XLINK}}}href" and _LOCAL_LINK.match(el.attrib[attr]):
                bare = neutral_link(el.attrib[attr])
                if bare is not None:
                    survey.add(f"{part} path of a linked file", el.attrib[attr], Category.PERSON)
                    el.set(attr, bare)
    for label, n in counts.items():
        category = Category.IDENTIFIER if label.endswith(" id") else Category.HIDDEN_CONTENT
        survey.add(f"{part} {label}s", f"{n} found", category)


def _check_scripts(names: list[str]) -> set[str]:
    """Macro library folders: only empty indexes may go; real code is refused."""
    drop: set[str] = set()
    for name in names:
        if not _SCRIPT_DIRS.match(name):
            continue
        if name.endswith("/") or _SCRIPT_INDEX.match(name):
            drop.add(name)
            continue
        raise UnsupportedContentRefused("document with macros or scripts")
    return drop


def _fix_manifest(root: xmlsafe.Element, kept: set[str]) -> None:
    if root.find(f".//{{{_MF}}}encryption-data") is not None:
        raise EncryptedRefused("encrypted OpenDocument")
    for entry in list(root):
        if not isinstance(entry.tag, str) or xmlsafe.local(entry.tag) != "file-entry":
            continue
        path = entry.get(f"{{{_MF}}}full-path", "")
        if path == "/":
            continue
        folder = path.endswith("/")
        present = (
            any(k.startswith(path) for k in kept) if folder else path in kept
        )
        if not present:
            xmlsafe.remove(entry)


def _process(src: Source, kind: FileKind, limits: Limits, *, clean: bool) -> tuple[Survey, bytes]:
    contents = read_zip(src, limits)
    names = contents.names()
    if not names or names[0] != "mimetype" or contents.members[0].compressed:
        raise CorruptRefused("OpenDocument without its leading mimetype entry")
    survey = package_survey(contents)
    manifest = contents.get(_MANIFEST)
    if manifest is None:
        raise CorruptRefused("OpenDocument without a manifest")
    manifest_root = xmlsafe.parse(manifest.data, limits)
    if manifest_root.find(f".//{{{_MF}}}encryption-data") is not None:
        raise EncryptedRefused("encrypted OpenDocument")
    dropped = _check_scripts(names)
    for member in contents.members:
        if member.is_dir:
            dropped.add(member.name)
            continue
        reason = _drop_reason(member.name)
        if reason is None:
            continue
        dropped.add(member.name)
        category, what = reason
        if member.name.endswith("meta.xml"):
            _survey_meta(survey, xmlsafe.parse(member.data, limits))
        elif member.name.endswith("settings.xml"):
            _survey_settings(survey, xmlsafe.parse(member.data, limits))
        survey.add(what.capitalize(), member.name, category)

    kept = {m.name for m in contents.members if m.name not in dropped}
    out: list[tuple[str, bytes, bool]] = []
    for member in contents.members:
        name = member.name
        if name in dropped:
            continue
        if name == "mimetype":
            out.append((name, member.data, False))
        elif name == _MANIFEST:
            _fix_manifest(manifest_root, kept)
            _sweep(survey, name, manifest_root)
            out.append((name, xmlsafe.serialize(manifest_root), True))
        elif name.endswith((".xml", ".rdf")):
            root = xmlsafe.parse(member.data, limits)
            _sweep(survey, name, root)
            out.append((name, xmlsafe.serialize(root), True))
        elif _PICTURES.search(name):
            if clean:
                out.append((name, clean_inner(survey, name, member.data, None, limits), True))
            else:
                inspect_inner(survey, name, member.data, None, limits)
        else:
            raise UnsupportedContentRefused("unknown part in OpenDocument file")
    return finish_package(survey, out, clean, _WARNING)


@register
class OdfCleaner(SurveyCleaner):
    name = "odf"
    kinds = frozenset({FileKind.ODT, FileKind.ODS, FileKind.ODP, FileKind.ODG})

    def survey(self, src: Source, kind: FileKind, limits: Limits, *, clean: bool
               ) -> tuple[Survey, bytes]:
        return _process(src, kind, limits, clean=clean)
