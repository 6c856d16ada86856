"""Parse untrusted XML without DTDs or entities, and edit trees without losing text.

Office documents are zips of XML. A hostile part could carry a DOCTYPE with
entity definitions (the "billion laughs" expansion, or external entities
that read local files). No legitimate OOXML or ODF part needs a DTD, so any
DOCTYPE is refused before and after parsing, and the parser never resolves
entities, loads DTDs or touches the network.
"""

from __future__ import annotations

from typing import TypeAlias

from lxml import etree

from submitter.metadata.model import (
    CorruptRefused,
    LimitRefused,
    Limits,
    UnsupportedContentRefused,
)

Element: TypeAlias = etree._Element


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse(untrusted_xml: bytes, limits: Limits) -> Element:
    """The root element, or a refusal (too big, DTD, malformed)."""
    if len(untrusted_xml) > limits.max_xml_bytes:
        raise LimitRefused("XML part too large")
    # Cheap check first (UTF-8, the usual case); the docinfo check after
    # parsing covers other encodings.
    if b"<!DOCTYPE" in untrusted_xml or b"<!ENTITY" in untrusted_xml:
        raise UnsupportedContentRefused("XML with a DTD")
    try:
        root = etree.fromstring(untrusted_xml, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise CorruptRefused("XML syntax") from exc
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise UnsupportedContentRefused("XML with a DTD")
    return root


def serialize(root: Element) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data


def local(name: object) -> str:
    """Local part of a Clark name "{ns}local" (or of a plain name)."""
    text = str(name)
    return text.rsplit("}", 1)[-1]


def namespace(name: object) -> str:
    text = str(name)
    return text[1:].split("}", 1)[0] if text.startswith("{") else ""


def text_of(el: Element, limit: int = 200) -> str:
    """All text inside ``el``, joined and cut for display."""
    joined = "".join(el.itertext()).strip()
    return joined if len(joined) <= limit else joined[: limit - 1] + "\u2026"


def remove(el: Element) -> None:
    """Remove ``el`` and its subtree, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def unwrap(el: Element) -> None:
    """Replace ``el`` by its children (its text and tail are kept in place)."""
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    children: list[Element] = list(el)
    lead = el.text or ""
    tail = el.tail or ""
    if lead:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + lead
        else:
            parent.text = (parent.text or "") + lead
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if tail:
        if children:
            last = children[-1]
            last.tail = (last.tail or "") + tail
        else:
            prev = parent[index - 1] if index > 0 else None
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
    el.tail = None
    parent.remove(el)


def comments_and_pis(root: Element) -> list[Element]:
    """XML comments and processing instructions inside the tree."""
    found: list[Element] = []
    for node in root.iter():
        if isinstance(node, etree._Comment | etree._ProcessingInstruction):
            found.append(node)
    return found
