"""Word, Excel and PowerPoint (OOXML): a zip of XML parts and media.

What goes: document properties (core, app, custom), thumbnails, comments and
their authors, people lists, tracked changes (accepted: insertions kept,
deletions dropped, so no author or deleted text remains), revision-session
ids (rsid), paragraph/shape ids, document ids, printer settings, custom XML
data, web add-ins, sensitivity labels, the template path, saved file paths,
XML comments. Relationships and content types are kept consistent with what
was removed. Pictures and embedded packages are cleaned through the engine;
anything that cannot be (OLE objects, EMF/WMF drawings, ActiveX) is refused,
as are macros and encrypted documents.

Inspection and cleaning run the same code: inspecting cleans a throw-away
copy in memory and lists every change, so the list shown to the source is
exactly what cleaning removes, and a cleaned file inspects to nothing.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

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
    Limits,
    UnsupportedContentRefused,
)
from submitter.metadata.office import finish_package, package_survey
from submitter.metadata.source import Source
from submitter.metadata.ziputil import ZipMember, read_zip

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

_CONTENT_TYPES = "[Content_Types].xml"
_XML_ENDINGS = (".xml", ".rels", ".vml", ".psmdcp")
_W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_W_ANY = frozenset({_W, _W_STRICT})

# Parts removed whole: (pattern, category, what it is).
_DROP: tuple[tuple[re.Pattern[str], Category, str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), c, w)
    for p, c, w in (
        (r"^docProps/core\.xml$", Category.PERSON, "document properties"),
        (r"^docProps/app\.xml$", Category.SOFTWARE, "application properties"),
        (r"^docProps/custom\.xml$", Category.OTHER, "custom properties"),
        (r"^docProps/thumbnail\.[^/]+$", Category.HIDDEN_CONTENT, "thumbnail picture"),
        (r"(^|/)printerSettings/", Category.DEVICE, "printer settings"),
        (r"^customXml/", Category.HIDDEN_CONTENT, "custom XML data"),
        (r"(^|/)webextensions/", Category.HIDDEN_CONTENT, "web add-ins"),
        (r"^word/people\.xml$", Category.PERSON, "list of people"),
        (r"^word/comments[A-Za-z]*\.xml$", Category.HIDDEN_CONTENT, "comments"),
        (r"^xl/comments\d*\.xml$", Category.HIDDEN_CONTENT, "comments"),
        (r"^xl/threadedComments/", Category.HIDDEN_CONTENT, "comments"),
        (r"^xl/persons/", Category.PERSON, "list of people"),
        (r"^xl/revisions/", Category.HIDDEN_CONTENT, "shared-workbook history"),
        (r"^ppt/commentAuthors\.xml$", Category.PERSON, "comment authors"),
        (r"^ppt/authors\.xml$", Category.PERSON, "comment authors"),
        (r"^ppt/comments/", Category.HIDDEN_CONTENT, "comments"),
        (r"^ppt/revisionInfo\.xml$", Category.IDENTIFIER, "revision ids"),
        (r"^ppt/changesInfos/", Category.HIDDEN_CONTENT, "change history"),
        (r"^docMetadata/", Category.IDENTIFIER, "sensitivity label (organisation id)"),
        (r"^\[trash\]/", Category.HIDDEN_CONTENT, "deleted parts"),
    )
)
_MACROS = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml|activeX/)", re.IGNORECASE)
_MACRO_TYPES = ("macroEnabled", "vbaProject", "activeX")
_FONTS = re.compile(r"(^|/)fonts/[^/]+\.(odttf|fntdata|ttf|otf)$", re.IGNORECASE)
_INNER = re.compile(r"(^|/)(media|embeddings)/[^/]+$", re.IGNORECASE)

_STATISTICS = frozenset({
    "Pages", "Words", "Characters", "CharactersWithSpaces", "Lines", "Paragraphs", "Slides",
    "Notes", "HiddenSlides", "MMClips", "DocSecurity", "ScaleCrop", "LinksUpToDate",
    "SharedDoc", "HyperlinksChanged", "PresentationFormat",
})
_CORE_CATEGORY = {
    "creator": Category.PERSON,
    "lastModifiedBy": Category.PERSON,
    "created": Category.TIME,
    "modified": Category.TIME,
    "lastPrinted": Category.TIME,
    "revision": Category.IDENTIFIER,
    "Application": Category.SOFTWARE,
    "AppVersion": Category.SOFTWARE,
    "Template": Category.SOFTWARE,
    "Company": Category.PERSON,
    "Manager": Category.PERSON,
    "TotalTime": Category.TIME,
}

# Tracked changes and comment anchors in WordprocessingML.
_W_REMOVE = frozenset({
    "del", "moveFrom", "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart",
    "moveToRangeEnd", "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "trPrChange",
    "tcPrChange", "tblGridChange", "numberingChange", "cellDel", "cellIns", "cellMerge",
    "customXmlDelRangeStart", "customXmlDelRangeEnd", "customXmlInsRangeStart",
    "customXmlInsRangeEnd", "customXmlMoveFromRangeStart", "customXmlMoveFromRangeEnd",
    "customXmlMoveToRangeStart", "customXmlMoveToRangeEnd",
    "commentRangeStart", "commentRangeEnd", "commentReference",
})
_W_UNWRAP = frozenset({"ins", "moveTo"})
# Anywhere, any namespace: ids that link a file to its earlier versions or to
# the installation that made it.
_ANY_REMOVE = {
    "rsids": (Category.IDENTIFIER, "revision-session ids"),
    "docId": (Category.IDENTIFIER, "document id"),
    "creationId": (Category.IDENTIFIER, "creation id"),
    "modId": (Category.IDENTIFIER, "modification id"),
    "revisionPtr": (Category.IDENTIFIER, "revision pointer"),
    "absPath": (Category.PERSON, "folder the file was saved in"),
    "attachedTemplate": (Category.PERSON, "template path"),
    "docVars": (Category.HIDDEN_CONTENT, "document variables"),
    "mailMerge": (Category.PERSON, "mail-merge data source"),
}
_ATTR_PERSON = frozenset(
    {"author", "initials", "userName", "userId", "providerId", "refreshedBy"}
)
_ATTR_TIME = frozenset({"date", "dateUtc"})
_ATTR_TIME_PLAIN = frozenset({"refreshedDate", "refreshedDateIso"})  # pivot caches
# Picture names and descriptions where Word once stored the inserted file's
# full path ("C:\\Users\\jdoe\\Pictures\\IMG_1234.jpg").
_PATH_ATTRS = frozenset({"descr", "name", "title", "sourceFile"})
_LOCAL_PATH = re.compile(
    r"^(file:|[A-Za-z]:[\\/]|\\\\|//|/(home|Users|media|mnt|Volumes|tmp)/)", re.IGNORECASE
)
# Package relationships that point at the property parts, whatever their name
# (.NET writes core properties as package/services/metadata/.../x.psmdcp).
_PROPERTY_RELS = {
    "/metadata/core-properties": (Category.PERSON, "document properties"),
    "/extended-properties": (Category.SOFTWARE, "application properties"),
    "/custom-properties": (Category.OTHER, "custom properties"),
    "/metadata/thumbnail": (Category.HIDDEN_CONTENT, "thumbnail picture"),
}
_HIDDEN_WARNINGS = {
    "notes": "This presentation has speaker notes; they are kept and will be sent.",
    "hidden sheet": "This workbook has hidden sheets; they are kept and will be sent.",
    "hidden slide": "This presentation has hidden slides; they are kept and will be sent.",
    "hidden text": "This document has text formatted as hidden; it is kept and will be sent.",
}
# Elements that only exist to point at a removed part go with it.
_REF_ELEMENTS = frozenset({"legacyDrawing", "legacyDrawingHF", "commentRel", "printerSettings"})
_TEMPLATE_REL = "/attachedTemplate"
_WARNING = (
    "Only the hidden details of this document were checked. Its text can still "
    "identify you: names, dates, wording, and anything typed in white or in tiny "
    "letters."
)
_FONT_NOTE = "Fonts embedded in the document were kept unchanged."


@dataclass(slots=True)
class _Package:
    members: dict[str, ZipMember]
    order: list[str]
    dropped: set[str] = field(default_factory=set)
    xml: dict[str, xmlsafe.Element] = field(default_factory=dict)


def _drop_reason(name: str) -> tuple[Category, str] | None:
    for pattern, category, what in _DROP:
        if pattern.search(name):
            return category, what
    return None


def _rels_source(rels_name: str) -> str:
    """'word/_rels/document.xml.rels' -> 'word/document.xml'; '_rels/.rels' -> ''."""
    folder, base = posixpath.split(rels_name)
    parent = posixpath.dirname(folder)
    return posixpath.join(parent, base[: -len(".rels")]) if base != ".rels" else parent


def _rels_of(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _resolve(source_part: str, target: str) -> str:
    target = unquote(target)  # part names with spaces appear as %20 in targets
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    base = posixpath.dirname(source_part)
    return posixpath.normpath(posixpath.join(base, target))


def _survey_properties(survey: Survey, name: str, root: xmlsafe.Element) -> None:
    """Say what the dropped property parts held, element by element."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = xmlsafe.local(el.tag)
        if name.endswith("custom.xml") and local == "property":
            label = el.get("name", "?")
            survey.add(f"Custom property {label}", xmlsafe.text_of(el), Category.OTHER)
            continue
        if len(el) or not (el.text or "").strip():
            continue
        if name.endswith("custom.xml"):
            continue
        parent = el.getparent()
        while parent is not None and xmlsafe.local(parent.tag) in (
            "lpstr", "lpwstr", "variant", "vector", "i4",
        ):
            parent = parent.getparent()
        if local in ("lpstr", "lpwstr", "i4") and parent is not None:
            local = xmlsafe.local(parent.tag)
        if local in _STATISTICS:
            continue  # counts and flags say nothing about anyone (the part goes anyway)
        survey.add(f"Property {local}", el.text or "", _CORE_CATEGORY.get(local, Category.OTHER))


def _survey_dropped_xml(survey: Survey, name: str, root: xmlsafe.Element) -> None:
    """Authors and dates inside comment and people parts, before they go."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = xmlsafe.local(el.tag)
        for attr, value in el.attrib.items():
            a = xmlsafe.local(attr)
            if a in ("author", "displayName", "name", "initials", "userId") and value.strip():
                if a == "name" and local not in ("cmAuthor", "author", "person"):
                    continue
                survey.add("Comment or reviewer name", value, Category.PERSON)
            elif a in ("date", "dT", "dt", "created") and value.strip():
                survey.add("Comment date", value, Category.TIME)
        if local == "author" and (el.text or "").strip():
            survey.add("Comment author", el.text or "", Category.PERSON)


def _sweep(survey: Survey, part: str, root: xmlsafe.Element) -> None:
    """Remove identifying content from one kept XML part, recording each kind."""
    counts: dict[str, int] = {}

    def count(label: str) -> None:
        counts[label] = counts.get(label, 0) + 1

    for node in xmlsafe.comments_and_pis(root):
        survey.add(f"{part} XML comment", node.text or "", Category.OTHER)
        xmlsafe.remove(node)
    # Collect first, then edit: changing a tree while iterating it skips nodes.
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    for el in elements:
        ns, local = xmlsafe.namespace(el.tag), xmlsafe.local(el.tag)
        if el.getparent() is None and el is not root:
            continue  # already removed with an ancestor
        if local in _ANY_REMOVE:
            category, what = _ANY_REMOVE[local]
            value = next(iter(el.attrib.values()), "") or xmlsafe.text_of(el) or what
            survey.add(f"{part} {what}", value, category)
            _remove_with_empty_choice(el)
            continue
        if ns == _SML and local == "fileVersion":
            build = " ".join(f"{k}={v}" for k, v in el.attrib.items())
            survey.add(f"{part} program version", build, Category.SOFTWARE)
            xmlsafe.remove(el)
            continue
        if ns in _W_ANY and local == "vanish":
            survey.warn(_HIDDEN_WARNINGS["hidden text"])
        elif local == "sheet" and el.get("state") in ("hidden", "veryHidden"):
            survey.warn(_HIDDEN_WARNINGS["hidden sheet"])
        elif local == "sld" and el.get("show") == "0":
            survey.warn(_HIDDEN_WARNINGS["hidden slide"])
        if ns in _W_ANY and local in _W_REMOVE:
            count("tracked change" if "comment" not in local else "comment anchor")
            _attr_findings(survey, part, el)
            xmlsafe.remove(el)
            continue
        if ns in _W_ANY and local in _W_UNWRAP:
            count("tracked change")
            _attr_findings(survey, part, el)
            xmlsafe.unwrap(el)
            continue
        for attr in list(el.attrib):
            a_ns, a = xmlsafe.namespace(attr), xmlsafe.local(attr)
            value = el.attrib[attr]
            if (a_ns in _W_ANY and a.startswith("rsid")) or (
                a_ns == _W14 and a in ("paraId", "textId")
            ) or (a in ("uid", "uidLastSave") and a_ns):
                count("revision or paragraph id")
            elif a in _ATTR_PERSON and (a_ns in _W_ANY or not a_ns):
                survey.add(f"{part} name", value, Category.PERSON)
            elif (a in _ATTR_TIME and a_ns) or (a in _ATTR_TIME_PLAIN and not a_ns):
                survey.add(f"{part} date", value, Category.TIME)
            elif a in _PATH_ATTRS and _LOCAL_PATH.match(value):
                bare = neutral_link(value)
                if bare is not None:
                    survey.add(f"{part} path of a file on the computer", value, Category.PERSON)
                    el.set(attr, bare)
                continue
            else:
                continue
            del el.attrib[attr]
    for label, n in counts.items():
        category = Category.IDENTIFIER if "id" in label else Category.HIDDEN_CONTENT
        survey.add(f"{part} {label}s", f"{n} found", category)


def _remove_with_empty_choice(el: xmlsafe.Element) -> None:
    """Remove ``el``; drop an mc:AlternateContent left with nothing to offer."""
    choice = el.getparent()
    xmlsafe.remove(el)
    if choice is None or xmlsafe.local(choice.tag) not in ("Choice", "Fallback"):
        return
    alternate = choice.getparent()
    if alternate is not None and all(len(c) == 0 for c in alternate):
        xmlsafe.remove(alternate)


def _attr_findings(survey: Survey, part: str, el: xmlsafe.Element) -> None:
    for attr, value in el.attrib.items():
        a = xmlsafe.local(attr)
        if a == "author":
            survey.add(f"{part} tracked-change author", value, Category.PERSON)
        elif a == "date":
            survey.add(f"{part} tracked-change date", value, Category.TIME)


def _check_macros(pkg: _Package) -> None:
    for name in pkg.order:
        if _MACROS.search(name):
            raise UnsupportedContentRefused("macros or ActiveX controls")
    types = pkg.xml.get(_CONTENT_TYPES)
    if types is None:
        raise CorruptRefused("no content types")
    for el in types:
        if any(t in el.get("ContentType", "") for t in _MACRO_TYPES):
            raise UnsupportedContentRefused("macro-enabled document")


def _fix_relationships(pkg: _Package, survey: Survey) -> dict[str, set[str]]:
    """Remove relationships to dropped parts; returns removed ids per source part."""
    removed: dict[str, set[str]] = {}
    for name in pkg.order:
        if not name.endswith(".rels") or name in pkg.dropped:
            continue
        source = _rels_source(name)
        if source and source in pkg.dropped:
            pkg.dropped.add(name)
            continue
        root = pkg.xml[name]
        for rel in list(root):
            if not isinstance(rel.tag, str):
                continue
            target = rel.get("Target", "")
            rel_type = rel.get("Type", "")
            external = rel.get("TargetMode") == "External"
            gone = False
            if rel_type.endswith(_TEMPLATE_REL):
                survey.add("Template path", target, Category.PERSON)
                gone = True
            elif not external and _resolve(source, target) in pkg.dropped:
                gone = True
            elif external and (bare := neutral_link(target)) is not None:
                survey.add("Path of a linked file", target, Category.PERSON)
                rel.set("Target", bare)
            if gone:
                removed.setdefault(source, set()).add(rel.get("Id", ""))
                xmlsafe.remove(rel)
    return removed


def _drop_references(pkg: _Package, removed: dict[str, set[str]]) -> None:
    """Attributes and anchor elements that pointed at removed relationships."""
    for source, ids in removed.items():
        root = pkg.xml.get(source)
        if root is None:
            continue
        for el in [e for e in root.iter() if isinstance(e.tag, str)]:
            for attr in list(el.attrib):
                if xmlsafe.namespace(attr) == _R and el.attrib[attr] in ids:
                    if xmlsafe.local(el.tag) in _REF_ELEMENTS:
                        xmlsafe.remove(el)
                        break
                    del el.attrib[attr]


def _fix_content_types(pkg: _Package) -> None:
    root = pkg.xml[_CONTENT_TYPES]
    for el in list(root):
        if not isinstance(el.tag, str):
            continue
        if xmlsafe.local(el.tag) == "Override":
            part = el.get("PartName", "").lstrip("/")
            if part in pkg.dropped or part not in pkg.members:
                xmlsafe.remove(el)


def _comment_drawings(pkg: _Package) -> None:
    """Excel keeps comment boxes in a VML drawing next to the comments part."""
    for name in pkg.order:
        if not (name.startswith("xl/worksheets/_rels/") and name.endswith(".rels")):
            continue
        source = _rels_source(name)
        targets = [
            (_resolve(source, r.get("Target", "")), r.get("Type", ""))
            for r in pkg.xml[name]
            if isinstance(r.tag, str) and r.get("TargetMode") != "External"
        ]
        if any(t.endswith("/comments") for _, t in targets):
            for target, rel_type in targets:
                if rel_type.endswith("/vmlDrawing") and target in pkg.members:
                    pkg.dropped.add(target)


def _property_parts(pkg: _Package) -> dict[str, tuple[Category, str]]:
    found: dict[str, tuple[Category, str]] = {}
    root = pkg.xml.get("_rels/.rels")
    if root is None:
        raise CorruptRefused("no package relationships")
    for rel in root:
        if not isinstance(rel.tag, str) or rel.get("TargetMode") == "External":
            continue
        for suffix, reason in _PROPERTY_RELS.items():
            if rel.get("Type", "").endswith(suffix):
                found[_resolve("", rel.get("Target", ""))] = reason
    return found


def _process(src: Source, kind: FileKind, limits: Limits, *, clean: bool) -> tuple[Survey, bytes]:
    contents = read_zip(src, limits)
    pkg = _Package(members={m.name: m for m in contents.members}, order=contents.names())
    survey = package_survey(contents)
    for name in pkg.order:
        member = pkg.members[name]
        if member.is_dir:
            pkg.dropped.add(name)
        elif name.lower().endswith(_XML_ENDINGS) or name == _CONTENT_TYPES:
            pkg.xml[name] = xmlsafe.parse(member.data, limits)
    _check_macros(pkg)
    _comment_drawings(pkg)
    by_rel = _property_parts(pkg)
    for name in pkg.order:
        reason = _drop_reason(name) or by_rel.get(name)
        if reason is None and name not in pkg.dropped:
            continue
        pkg.dropped.add(name)
        if reason is None:
            continue
        category, what = reason
        root = pkg.xml.get(name)
        if root is not None and (name.startswith("docProps/") or name in by_rel):
            _survey_properties(survey, name, root)
        elif root is not None:
            _survey_dropped_xml(survey, name, root)
        survey.add(f"{what.capitalize()}", name, category)
    removed = _fix_relationships(pkg, survey)
    _drop_references(pkg, removed)
    _fix_content_types(pkg)

    out: list[tuple[str, bytes, bool]] = []
    for name in [_CONTENT_TYPES, *[n for n in pkg.order if n != _CONTENT_TYPES]]:
        if name in pkg.dropped or name not in pkg.members:
            continue
        member = pkg.members[name]
        if name in pkg.xml:
            root = pkg.xml[name]
            if not name.endswith(".rels") and name != _CONTENT_TYPES:
                _sweep(survey, name, root)
            out.append((name, xmlsafe.serialize(root), True))
        elif _FONTS.search(name):
            survey.note(_FONT_NOTE)
            out.append((name, member.data, member.compressed))
        elif _INNER.search(name):
            if clean:
                data = clean_inner(survey, name, member.data, None, limits)
                out.append((name, data, member.compressed))
            else:
                inspect_inner(survey, name, member.data, None, limits)
        else:
            raise UnsupportedContentRefused("unknown part in office document")
    if any(n.startswith("ppt/notesSlides/") for n in pkg.order if n not in pkg.dropped):
        survey.warn(_HIDDEN_WARNINGS["notes"])
    return finish_package(survey, out, clean, _WARNING)


@register
class OoxmlCleaner(SurveyCleaner):
    name = "ooxml"
    kinds = frozenset({FileKind.DOCX, FileKind.XLSX, FileKind.PPTX})

    def survey(self, src: Source, kind: FileKind, limits: Limits, *, clean: bool
               ) -> tuple[Survey, bytes]:
        return _process(src, kind, limits, clean=clean)
