"""Pieces every image cleaner shares.

- turning EXIF, XMP, IPTC and text chunks into readable, categorised findings;
- the one EXIF we write back: a minimal block holding only Orientation, so a
  sideways phone photo stays upright without re-encoding its pixels;
- a guard that maps Pillow's many exception types to refusals, and checks the
  pixel count before anything is decoded (decompression bombs);
- the cleaner shape of the formats whose picture bytes are kept as they are
  (GIF, JPEG, PNG, WebP): parse, rebuild the wrapping, decode once, report.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import warnings
import zlib
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from PIL import ExifTags, Image, UnidentifiedImageError

from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    BytesPlan,
    Category,
    CleanReport,
    CorruptRefused,
    Finding,
    Inspection,
    LimitRefused,
    Limits,
)
from submitter.metadata.source import Source

IMAGE_WARNING = (
    "Cleaning removes hidden details, not what the picture shows: faces, "
    "reflections, tattoos, street signs, screens and any text or date stamp "
    "visible in the picture stay. Look at it yourself before sending."
)
QUANT_NOTE = (
    "The way the picture was compressed can still hint at the kind of camera or "
    "app that made it; only re-encoding would hide that."
)
ICC_NOTE = (
    "The colour profile was removed (it can name the device or software); "
    "colours may look slightly less vivid on some screens."
)
PARTS_KEPT_NOTE = "Only the parts needed to show the picture were kept; pixels are unchanged."
LOSSY_NOTE = (
    "This picture was re-encoded to remove its hidden details: it looks the "
    "same but is not bit-for-bit identical to the original."
)

# Names (EXIF, XMP, IPTC, PNG text keys) -> what they reveal. First match wins.
_NAME_CATEGORIES: tuple[tuple[str, Category], ...] = (
    ("gps*", Category.LOCATION),
    ("*latitude*", Category.LOCATION),
    ("*longitude*", Category.LOCATION),
    ("*location*", Category.LOCATION),
    ("city", Category.LOCATION),
    ("country*", Category.LOCATION),
    ("province*", Category.LOCATION),
    ("state", Category.LOCATION),
    ("sub-location", Category.LOCATION),
    ("*serial*", Category.IDENTIFIER),
    ("*uniqueid*", Category.IDENTIFIER),
    ("*documentid*", Category.IDENTIFIER),
    ("instanceid", Category.IDENTIFIER),
    ("*uuid*", Category.IDENTIFIER),
    ("make", Category.DEVICE),
    ("model", Category.DEVICE),
    ("lens*", Category.DEVICE),
    ("makernote*", Category.DEVICE),
    ("hostcomputer", Category.DEVICE),
    ("*cameramodel*", Category.DEVICE),
    ("*owner*", Category.PERSON),
    ("artist", Category.PERSON),
    ("author", Category.PERSON),
    ("xpauthor", Category.PERSON),
    ("*creator", Category.PERSON),
    ("by-line*", Category.PERSON),
    ("copyright*", Category.PERSON),
    ("rights", Category.PERSON),
    ("*software*", Category.SOFTWARE),
    ("creatortool", Category.SOFTWARE),
    ("*agent*", Category.SOFTWARE),
    ("producer", Category.SOFTWARE),
    ("*date*", Category.TIME),
    ("*time*", Category.TIME),
    ("*comment*", Category.HIDDEN_CONTENT),
    ("*description*", Category.HIDDEN_CONTENT),
    ("*thumbnail*", Category.HIDDEN_CONTENT),
    ("title", Category.HIDDEN_CONTENT),
    ("xp*", Category.HIDDEN_CONTENT),
    ("keywords", Category.HIDDEN_CONTENT),
    ("caption*", Category.HIDDEN_CONTENT),
)

# EXIF tags that are identifying even though their names do not say so.
_EXPOSURE_TIMES = frozenset({"ExposureTime", "ShutterSpeedValue"})


def category_for(name: str) -> Category | None:
    """The category of a metadata field by its name, or None if technical."""
    if name in _EXPOSURE_TIMES:
        return None
    low = name.lower()
    for pattern, category in _NAME_CATEGORIES:
        if fnmatchcase(low, pattern):
            return category
    return None


def readable(value: Any, limit: int = 200) -> str:
    """A short readable rendering of a decoded metadata value."""
    if isinstance(value, bytes):
        try:
            text = value.rstrip(b"\x00").decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        # Mostly printable text is shown (the display sanitiser strips the
        # rest); binary data is only described.
        if text and sum(ch.isprintable() for ch in text) >= 0.8 * len(text):
            return text[:limit]
        return f"({len(value)} bytes of data)"
    if isinstance(value, tuple):
        return ", ".join(readable(v, 40) for v in value[:16])[:limit]
    return str(value)[:limit]


# --- EXIF ---

_ORIENTATION = 0x0112
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_TIFF_POINTERS = frozenset({_EXIF_IFD, _GPS_IFD, 0xA005, 0x0201, 0x0202})


def minimal_exif(orientation: int) -> bytes:
    """A TIFF-structured EXIF body holding only the Orientation tag."""
    return (
        b"MM\x00\x2a\x00\x00\x00\x08"  # big-endian header, IFD0 at offset 8
        + struct.pack(">H", 1)
        + struct.pack(">HHIHH", _ORIENTATION, 3, 1, orientation, 0)  # SHORT, count 1
        + b"\x00\x00\x00\x00"  # no next IFD (no thumbnail)
    )


def _gps_degrees(value: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(v) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    deg = d + m / 60 + s / 3600
    ref_s = readable(ref).strip().upper()
    if ref_s in ("S", "W"):
        deg = -deg
    return deg


def format_position(lat: float, lon: float) -> str:
    return f"{abs(lat):.2f} {'N' if lat >= 0 else 'S'}, {abs(lon):.2f} {'E' if lon >= 0 else 'W'}"


def exif_orientation(body: bytes) -> int:
    """The Orientation in an EXIF body (1 when absent or unreadable)."""
    exif = _load_exif(body)
    if exif is None:
        return 1
    try:
        value = int(exif.get(_ORIENTATION, 1))
    except (TypeError, ValueError):
        return 1
    return value if 1 <= value <= 8 else 1


def _load_exif(body: bytes) -> Image.Exif | None:
    exif = Image.Exif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exif.load(body)
    except Exception:
        return None
    return exif


def exif_findings(body: bytes, where: str = "EXIF") -> list[Finding]:
    """Findings for one EXIF body. Only a lone Orientation yields nothing.

    Never raises for bad data: an unreadable block is itself a finding.
    """
    with warnings.catch_warnings():
        # Pillow warns about damaged EXIF, quoting it; we report it instead.
        warnings.simplefilter("ignore")
        return _exif_findings(body, where)


def _exif_findings(body: bytes, where: str) -> list[Finding]:
    if body.startswith(b"Exif\x00\x00"):
        body = body[6:]
    exif = _load_exif(body)
    if exif is None:
        return [Finding(f"{where} block", "(could not be read; removed whole)", Category.OTHER)]
    findings: list[Finding] = []
    technical = 0
    try:
        ifds: list[tuple[str, dict[int, Any], dict[int, str]]] = [
            ("IFD0", dict(exif.items()), ExifTags.TAGS),
        ]
        for ifd_id, label in ((ExifTags.IFD.Exif, "Exif"), (ExifTags.IFD.Interop, "Interop")):
            with contextlib.suppress(Exception):
                ifds.append((label, exif.get_ifd(ifd_id), ExifTags.TAGS))
        gps: dict[int, Any] = {}
        with contextlib.suppress(Exception):
            gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        thumb: dict[int, Any] = {}
        with contextlib.suppress(Exception):
            thumb = exif.get_ifd(ExifTags.IFD.IFD1)
    except Exception:
        return [Finding(f"{where} block", "(could not be read; removed whole)", Category.OTHER)]
    for _label, ifd, names in ifds:
        for tag, value in ifd.items():
            if tag == _ORIENTATION and _label == "IFD0":
                continue
            if tag in _TIFF_POINTERS:
                continue
            name = names.get(tag, f"Tag0x{tag:04X}")
            if name == "BodySerialNumber" or tag == 0xA431:
                name = "BodySerialNumber"
            cat = category_for(name)
            if cat is None:
                technical += 1
                continue
            if name == "MakerNote":
                findings.append(Finding(
                    f"{where} MakerNote", f"({len(value) if isinstance(value, bytes) else '?'} "
                    "bytes of camera maker data, may hold serial numbers)", Category.DEVICE))
                continue
            if name.startswith("XP") and isinstance(value, bytes):
                value = value.decode("utf-16-le", "replace").rstrip("\x00")
            elif name == "UserComment" and isinstance(value, bytes):
                value = value[8:]  # 8-byte character-code prefix
            findings.append(Finding(f"{where} {name}", readable(value), cat))
    if gps:
        lat = _gps_degrees(gps.get(2), gps.get(1, "N"))
        lon = _gps_degrees(gps.get(4), gps.get(3, "E"))
        if lat is not None and lon is not None:
            findings.append(Finding(f"{where} GPS position", format_position(lat, lon),
                                    Category.LOCATION))
        for tag, value in gps.items():
            if tag in (0, 1, 2, 3, 4):
                continue  # version, and the position already shown above
            name = ExifTags.GPSTAGS.get(tag, f"GPSTag0x{tag:04X}")
            cat = Category.TIME if name in ("GPSTimeStamp", "GPSDateStamp") else Category.LOCATION
            findings.append(Finding(f"{where} {name}", readable(value), cat))
        if lat is None or lon is None:
            findings.append(Finding(f"{where} GPS", "(location fields present)", Category.LOCATION))
    if thumb:
        findings.append(Finding(f"{where} thumbnail",
                                "a small copy of the picture, possibly before cropping",
                                Category.HIDDEN_CONTENT))
    if technical:
        findings.append(Finding(f"{where} other fields",
                                f"{technical} technical camera settings", Category.OTHER))
    if not findings and body != minimal_exif(exif_orientation(body)):
        # Something else in there we did not list (e.g. an empty IFD we cannot
        # explain): still a container present.
        findings.append(Finding(f"{where} block", "(present)", Category.OTHER))
    return findings


# --- XMP ---

_XMP_ATTR = re.compile(rb"\b([A-Za-z][\w.-]*):([A-Za-z][\w.-]*)=\"([^\"]{1,300})\"")
_XMP_ELEM = re.compile(rb"<([A-Za-z][\w.-]*):([A-Za-z][\w.-]*)(?:\s[^>]*)?>([^<]{1,300})</")
_XMP_LIST = re.compile(
    rb"<([A-Za-z][\w.-]*):([A-Za-z][\w.-]*)>\s*<rdf:(?:Seq|Bag|Alt)>\s*<rdf:li[^>]*>([^<]{1,300})</"
)
_XMP_SKIP_NS = frozenset({b"xmlns", b"rdf", b"x", b"xml", b"stEvt", b"stRef"})


def xmp_findings(packet: bytes, where: str = "XMP") -> list[Finding]:
    """Readable fields from an XMP packet (regex skim, no XML parser on
    hostile input); the packet itself always counts as a finding."""
    findings: list[Finding] = []
    seen: set[tuple[bytes, bytes]] = set()
    for rx in (_XMP_LIST, _XMP_ATTR, _XMP_ELEM):
        for m in rx.finditer(packet[:1_000_000]):
            ns, name, value = m.group(1), m.group(2), m.group(3).strip()
            if ns in _XMP_SKIP_NS or not value or (ns, name) in seen:
                continue
            seen.add((ns, name))
            text = name.decode("ascii", "replace")
            cat = category_for(text) or Category.OTHER
            findings.append(Finding(f"{where} {ns.decode('ascii', 'replace')}:{text}",
                                    value.decode("utf-8", "replace")[:200], cat))
            if len(findings) >= 60:
                break
    findings.append(Finding(f"{where} packet", f"({len(packet)} bytes of editing history and "
                            "descriptive data)", Category.HIDDEN_CONTENT))
    return findings


# --- IPTC (IIM records, inside Photoshop resources) ---

_IPTC_NAMES = {
    5: "ObjectName", 25: "Keywords", 55: "DateCreated", 60: "TimeCreated",
    62: "DigitalCreationDate",
    65: "OriginatingProgram", 80: "By-line", 85: "By-lineTitle", 90: "City", 92: "Sub-location",
    95: "Province-State", 101: "Country", 110: "Credit", 115: "Source", 116: "CopyrightNotice",
    120: "Caption-Abstract", 122: "Writer-Editor",
}


def iptc_findings(data: bytes, where: str = "IPTC") -> list[Finding]:
    findings: list[Finding] = []
    pos = data.find(b"\x1c\x02")
    while pos >= 0 and pos + 5 <= len(data) and data[pos] == 0x1C and len(findings) < 60:
        dataset = data[pos + 2]
        (length,) = struct.unpack(">H", data[pos + 3 : pos + 5])
        if length & 0x8000:
            break  # extended length: stop skimming, the block still counts
        value = data[pos + 5 : pos + 5 + length]
        name = _IPTC_NAMES.get(dataset)
        if name is not None:
            cat = category_for(name) or Category.OTHER
            if name == "OriginatingProgram":
                cat = Category.SOFTWARE
            findings.append(Finding(f"{where} {name}", readable(value), cat))
        pos += 5 + length
    findings.append(Finding(f"{where} block", f"({len(data)} bytes of captions, names or places)",
                            Category.HIDDEN_CONTENT))
    return findings


# --- compressed text (PNG zTXt/iTXt) ---

def inflate_bounded(data: bytes, limit: int = 1 << 20) -> bytes | None:
    """Decompress at most ``limit`` bytes; None when broken or larger."""
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, limit)
    except zlib.error:
        return None
    if d.unconsumed_tail:
        return None
    return out


def text_findings(key: str, value: str, where: str) -> list[Finding]:
    """A keyed text field (PNG tEXt, GIF comment...)."""
    if key.startswith("XML:com.adobe.xmp"):
        return xmp_findings(value.encode("utf-8", "replace"), f"{where} XMP")
    if key.lower().startswith("raw profile type"):
        return [Finding(f"{where} {key}", "(embedded metadata profile)", Category.HIDDEN_CONTENT)]
    cat = category_for(key.replace(" ", "")) or Category.HIDDEN_CONTENT
    return [Finding(f"{where} {key}", value[:200], cat)]


# --- Pillow guard ---

# Pillow's own bomb check defaults to ~89 million pixels (warning) and twice
# that (error), which would refuse 108 and 200 megapixel phone photos. Our
# check_pixels() applies Limits.max_pixels before anything is decoded, so
# Pillow's check is raised (never lowered) to stay a backstop behind ours.
_PILLOW_BACKSTOP = Limits().max_pixels
if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < _PILLOW_BACKSTOP:
    Image.MAX_IMAGE_PIXELS = _PILLOW_BACKSTOP

_PILLOW_CORRUPT: tuple[type[BaseException], ...] = (
    UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error, EOFError,
    IndexError, KeyError, ZeroDivisionError, TypeError, AttributeError, zlib.error,
    RuntimeError,  # pillow-heif reports libheif failures this way
)


@contextlib.contextmanager
def pillow_guard() -> Iterator[None]:
    """Pillow's exceptions become refusals; nothing else leaves this block."""
    try:
        with warnings.catch_warnings():
            # Pillow's metadata warnings would print file content to stderr.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise LimitRefused("image dimensions") from exc
    except MemoryError as exc:
        raise LimitRefused("out of memory") from exc
    except RecursionError as exc:
        raise LimitRefused("nesting too deep") from exc
    except _PILLOW_CORRUPT as exc:
        raise CorruptRefused(f"image decoder: {type(exc).__name__}") from exc


def check_pixels(width: int, height: int, limits: Limits, frames: int = 1) -> None:
    if width <= 0 or height <= 0:
        raise CorruptRefused("zero image size")
    if width * height > limits.max_pixels or width * height * frames > 4 * limits.max_pixels:
        raise LimitRefused(f"{width}x{height}x{frames} pixels")


def load_all_frames(im: Image.Image, limits: Limits, max_frames: int = 10_000) -> None:
    """Decode every frame (inside pillow_guard); refuses beyond the limits.

    Proves the compressed data is complete and sound; the routes that call
    this copy that data unchanged, so the pixels need no comparison.
    """
    n = int(getattr(im, "n_frames", 1))
    if n > max_frames:
        raise LimitRefused(f"{n} frames")
    check_pixels(im.width, im.height, limits, n)
    for i in range(n):
        im.seek(i)
        im.load()
    if n > 1:
        im.seek(0)


def decode_check(cleaned: bytes, fmt: str, limits: Limits, frames: int,
                 every_frame: bool = True) -> None:
    """Open the cleaned bytes as ``fmt`` and decode them (every frame unless told
    otherwise), so output no viewer could read is refused rather than sent."""
    with pillow_guard():
        im = Image.open(io.BytesIO(cleaned), formats=[fmt])
        check_pixels(im.width, im.height, limits, frames)
        if every_frame:
            load_all_frames(im, limits)


# --- cleaners that keep the picture's bytes ---

class _Parsed(Protocol):
    @property
    def findings(self) -> list[Finding]: ...


_P = TypeVar("_P", bound=_Parsed)


class KeptPictureCleaner(Generic[_P]):
    """GIF, JPEG, PNG, WebP: the compressed picture is copied byte for byte
    and only the wrapping around it is rebuilt, so the result is lossless.

    A subclass says how to parse a whole file (held in memory) and how to
    rebuild and check the cleaned one; inspecting, reporting and the plan are
    the same for all four.
    """

    name: ClassVar[str]
    kinds: ClassVar[frozenset[FileKind]]

    def parse(self, data: bytes, limits: Limits) -> _P:
        raise NotImplementedError

    def rebuild(self, parsed: _P, limits: Limits) -> tuple[bytes, list[str]]:
        """The cleaned file, already decoded once, and the notes for the report."""
        raise NotImplementedError

    def inspect(self, src: Source, kind: FileKind, limits: Limits) -> Inspection:
        parsed = self.parse(src.read_all(limits.max_in_memory_bytes), limits)
        return Inspection(kind.value, tuple(parsed.findings), (IMAGE_WARNING,))

    def prepare(self, src: Source, kind: FileKind, limits: Limits) -> BytesPlan:
        parsed = self.parse(src.read_all(limits.max_in_memory_bytes), limits)
        cleaned, notes = self.rebuild(parsed, limits)
        report = CleanReport(kind=kind.value, removed=list(parsed.findings), notes=notes,
                             warnings=[IMAGE_WARNING], lossless=True)
        return BytesPlan(cleaned, report)
