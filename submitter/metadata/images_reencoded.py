"""TIFF, HEIC and AVIF: decode the picture and write a fresh file around it.

TIFF keeps metadata in the same directories as the picture's own layout, so
it is rebuilt from decoded pixels (deflate-compressed, which is lossless); the
pixels are compared after the round trip and anything that does not come back
identical is refused. Pillow holds at most 8 bits per colour (16 for grey),
so a 16-bit colour scan, premultiplied transparency, a finer palette or an
unnamed extra channel cannot come back exactly: such a rewrite is reported as
not lossless, with a note saying why. Samples whose meaning Pillow would
change (signed bytes read as unsigned, 12-bit grey stored as 16-bit,
unsigned 32-bit values read as signed) are refused. Multi-page TIFFs (often a
hidden preview page) are refused rather than guessed at.

HEIC and AVIF have no lossless route we can verify here: the picture is
re-encoded at high quality with no EXIF, XMP or colour profile and the report
says so (``lossless = False``); a picture of more than 8 bits per colour
(phones' HDR photos) is saved with 8, and the report says that too.
Thumbnails, depth maps and other auxiliary pictures are dropped. Files
holding several top-level pictures (bursts) are refused.

In all three the orientation is applied to the pixels, so the output is
upright without any metadata.
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

from PIL import ExifTags, Image, TiffTags

from submitter.metadata.cleaner import register
from submitter.metadata.images_common import (
    ICC_NOTE,
    IMAGE_WARNING,
    LOSSY_NOTE,
    category_for,
    check_pixels,
    exif_findings,
    iptc_findings,
    pillow_guard,
    readable,
    xmp_findings,
)
from submitter.metadata.kinds import FileKind
from submitter.metadata.model import (
    BytesPlan,
    Category,
    CleanReport,
    Finding,
    Inspection,
    Limits,
    UnsupportedContentRefused,
    VerificationRefused,
)
from submitter.metadata.source import Source

_TRANSPOSE: dict[int, tuple[Image.Transpose, ...]] = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}

# TIFF tags that only describe how the pixels are laid out.
_TIFF_STRUCTURAL = frozenset({
    254, 255, 256, 257, 258, 259, 262, 263, 266, 273, 274, 277, 278, 279, 280, 281, 282, 283,
    284, 290, 291, 296, 317, 318, 319, 320, 322, 323, 324, 325, 338, 339, 340, 341, 347, 529,
    530, 531, 532,
})
_TIFF_CONTAINERS = {
    34665: "EXIF directory", 34853: "GPS directory", 700: "XMP", 33723: "IPTC",
    34377: "Photoshop resources", 34675: "ICC colour profile", 330: "sub-pictures",
}
_LOSSLESS_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I", "F"})
# Bits per sample each of those modes holds.
_MODE_BITS = {"1": 1, "L": 8, "LA": 8, "P": 8, "RGB": 8, "RGBA": 8, "CMYK": 8,
              "I;16": 16, "I": 32, "F": 32}
_UNSIGNED, _SIGNED, _FLOAT = 1, 2, 3  # TIFF SampleFormat
PRECISION_NOTE = (
    "This picture had more colour detail than can be kept while cleaning it "
    "(for example 16 instead of 8 bits per colour). It was saved with less: it "
    "looks the same on screen but is not identical to the original."
)
_HEIF_READY = False


def _heif() -> None:
    global _HEIF_READY
    if not _HEIF_READY:
        import pillow_heif

        # Default options: they are global to pillow-heif, and the inspection
        # needs thumbnails, depth and auxiliary pictures listed to report them.
        pillow_heif.register_heif_opener()
        _HEIF_READY = True


def _open(data: bytes, kind: FileKind, limits: Limits) -> Image.Image:
    formats = {FileKind.TIFF: ["TIFF"], FileKind.HEIC: ["HEIF"], FileKind.AVIF: ["AVIF"]}[kind]
    if kind is FileKind.HEIC:
        _heif()
    im = Image.open(io.BytesIO(data), formats=formats)
    check_pixels(im.width, im.height, limits)
    return im


def _info_findings(im: Image.Image, where: str) -> list[Finding]:
    out: list[Finding] = []
    exif = im.info.get("exif")
    if isinstance(exif, bytes) and exif:
        out.extend(exif_findings(exif, f"{where} EXIF"))
    xmp = im.info.get("xmp")
    if isinstance(xmp, bytes | str) and xmp:
        out.extend(xmp_findings(xmp if isinstance(xmp, bytes) else xmp.encode(), f"{where} XMP"))
    if im.info.get("icc_profile"):
        out.append(Finding(f"{where} colour profile", "(ICC profile)", Category.OTHER))
    return out


def _tiff_findings(im: Image.Image) -> list[Finding]:
    out: list[Finding] = []
    tags: Any = getattr(im, "tag_v2", {})
    for tag, value in tags.items():
        if tag in _TIFF_STRUCTURAL:
            continue
        if tag in _TIFF_CONTAINERS:
            if tag == 700 and isinstance(value, bytes):
                out.extend(xmp_findings(value, "TIFF XMP"))
            elif tag == 33723 and isinstance(value, bytes):
                out.extend(iptc_findings(value, "TIFF IPTC"))
            elif tag in (34665, 34853):
                continue  # read below through Pillow's EXIF view
            else:
                out.append(Finding(f"TIFF {_TIFF_CONTAINERS[tag]}", "(present)", Category.OTHER))
            continue
        name = TiffTags.lookup(tag).name
        if name == "unknown":
            name = ExifTags.TAGS.get(tag, f"Tag{tag}")
        cat = category_for(name) or Category.OTHER
        out.append(Finding(f"TIFF {name}", readable(value), cat))
    exif = im.getexif()
    for ifd_id in (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo):
        if ifd_id in exif:
            out.extend(_sub_ifd_findings(exif, ifd_id))
    return out


def _sub_ifd_findings(exif: Image.Exif, ifd_id: int) -> list[Finding]:
    try:
        ifd = exif.get_ifd(ifd_id)
    except Exception:
        ifd = {}
    if ifd_id == ExifTags.IFD.GPSInfo:
        # Reuse the EXIF reader's GPS formatting by building a small body.
        body = Image.Exif()
        body[ExifTags.IFD.GPSInfo] = ifd
        found = exif_findings(body.tobytes(), "TIFF")
        return found or [Finding("TIFF GPS", "(location fields present)", Category.LOCATION)]
    out: list[Finding] = []
    technical = 0
    for tag, value in ifd.items():
        name = ExifTags.TAGS.get(tag, f"Tag0x{tag:04X}")
        cat = category_for(name)
        if cat is None:
            technical += 1
        else:
            out.append(Finding(f"TIFF EXIF {name}", readable(value), cat))
    out.append(Finding("TIFF EXIF directory", f"({technical} technical fields)", Category.OTHER))
    return out


def _frames(im: Image.Image) -> int:
    return int(getattr(im, "n_frames", 1))


def _inspect(data: bytes, kind: FileKind, limits: Limits) -> tuple[list[Finding], Image.Image]:
    with pillow_guard():
        im = _open(data, kind, limits)
        if kind is FileKind.TIFF:
            found = _tiff_findings(im)
            if _frames(im) > 1:
                found.append(Finding("TIFF extra pages", f"({_frames(im) - 1} more pictures)",
                                     Category.HIDDEN_CONTENT))
        else:
            found = _info_findings(im, kind.value.upper())
            if _frames(im) > 1:
                found.append(Finding(f"{kind.value.upper()} extra pictures",
                                     f"({_frames(im) - 1})", Category.HIDDEN_CONTENT))
            if kind is FileKind.HEIC:
                found.extend(_heif_extras(data))
    return found, im


def _heif_extras(data: bytes) -> list[Finding]:
    import pillow_heif

    heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=False)
    out: list[Finding] = []
    for i, img in enumerate(heif):
        info: dict[str, Any] = dict(img.info)
        if info.get("thumbnails"):
            out.append(Finding(f"HEIC picture {i} thumbnails", "a small copy of the picture",
                               Category.HIDDEN_CONTENT))
        if info.get("depth_images"):
            out.append(Finding(f"HEIC picture {i} depth map", "the scene's depth, from the camera",
                               Category.HIDDEN_CONTENT))
        if info.get("aux"):
            out.append(Finding(f"HEIC picture {i} auxiliary pictures", "(present)",
                               Category.HIDDEN_CONTENT))
        for meta in info.get("metadata", []) or []:
            out.append(Finding(f"HEIC picture {i} metadata block",
                               readable(meta.get("type", "")), Category.OTHER))
    # pillow-heif's options are process-wide; should someone turn thumbnail
    # listing off, the item reference box still names them ("thmb").
    if b"thmb" in data[:1 << 20] and not any("thumbnail" in f.field for f in out):
        out.append(Finding("HEIC thumbnails", "a small copy of the picture",
                           Category.HIDDEN_CONTENT))
    return out


def _ints(value: object, default: int) -> tuple[int, ...]:
    """A TIFF tag's integers (one or several); an absent tag gives its default."""
    if value is None:
        return (default,)
    items = tuple(value) if isinstance(value, tuple | list) else (value,)
    if not items:
        return (default,)
    if not all(isinstance(v, int) for v in items):
        raise UnsupportedContentRefused("TIFF layout tag is not a whole number")
    return tuple(int(v) for v in items)


def _tiff_samples_exact(im: Image.Image) -> bool:
    """Whether Pillow's decoded pixels hold the file's samples exactly.

    False when precision is lost (16-bit colour kept as 8, premultiplied
    alpha undone, an unnamed extra channel dropped, a 16-bit palette kept as
    8); refused when the decoded numbers would mean something else.
    """
    tags: Any = getattr(im, "tag_v2", {})
    top = max(_ints(tags.get(258), 1))  # BitsPerSample, 1 by default
    formats = set(_ints(tags.get(339), _UNSIGNED))  # SampleFormat
    if im.mode == "F":
        same_meaning = formats == {_FLOAT} and top == 32
    elif im.mode == "I":
        # Unsigned 32-bit samples are read as signed: exact only below 2**31.
        same_meaning = formats <= {_UNSIGNED, _SIGNED} and top <= 32 and (
            formats == {_SIGNED} or top < 32 or _min_value(im) >= 0)
    elif im.mode == "I;16":
        same_meaning = formats == {_UNSIGNED} and top == 16  # 12-bit would turn dark
    else:
        same_meaning = formats == {_UNSIGNED}
    if not same_meaning:
        raise UnsupportedContentRefused(f"TIFF samples {top} bits, format {sorted(formats)}")
    if top > _MODE_BITS[im.mode]:
        return False
    samples = _ints(tags.get(277), 1)[0]  # SamplesPerPixel
    if samples != len(im.getbands()):
        return False  # an extra channel Pillow does not keep
    if 1 in _ints(tags.get(338), 0):  # ExtraSamples: premultiplied alpha, undone on reading
        return False
    if im.mode == "P":
        # TIFF palettes have 16 bits per colour; Pillow keeps the high byte
        # and writes it back times 256, so only such entries return as they were.
        return all(v % 256 == 0 for v in _ints(tags.get(320), 0))
    return True


def _min_value(im: Image.Image) -> float:
    low = im.getextrema()[0]  # one band: (lowest, highest)
    if not isinstance(low, int | float):
        raise UnsupportedContentRefused("TIFF pixel range unreadable")
    return float(low)


def turn_upright(im: Image.Image, orientation: int) -> Image.Image:
    """``im`` turned as its EXIF orientation (1-8) says; other values leave it as stored."""
    for op in _TRANSPOSE.get(orientation, ()):
        im = im.transpose(op)
    return im


def _upright_pixels(im: Image.Image) -> Image.Image:
    im.load()
    orientation = 1
    try:
        orientation = int(im.getexif().get(0x0112, 1))
    except (TypeError, ValueError):
        orientation = 1
    out = turn_upright(im, orientation)
    # A fresh image: no info, no tags, nothing carried over from the file.
    fresh = Image.frombytes(out.mode, out.size, out.tobytes())
    if out.mode == "P":
        palette = out.getpalette()
        if palette is not None:
            fresh.putpalette(palette)
    fresh.info = {}
    return fresh


def _encode(fresh: Image.Image, kind: FileKind) -> bytes:
    buf = io.BytesIO()
    if kind is FileKind.TIFF:
        fresh.save(buf, "TIFF", compression="tiff_adobe_deflate")
    elif kind is FileKind.HEIC:
        _heif()
        fresh.save(buf, "HEIF", quality=92)
    else:
        fresh.save(buf, "AVIF", quality=92)
    return buf.getvalue()


def _check_output(cleaned: bytes, fresh: Image.Image, kind: FileKind, limits: Limits) -> None:
    back = _open(cleaned, kind, limits)
    back.load()
    if back.size != fresh.size:
        raise VerificationRefused("size changed")
    if kind is FileKind.TIFF and (back.mode != fresh.mode or back.tobytes() != fresh.tobytes()):
        raise VerificationRefused("pixels changed in a lossless rewrite")


class _Reencoder:
    name: ClassVar[str]
    kinds: ClassVar[frozenset[FileKind]]

    def inspect(self, src: Source, kind: FileKind, limits: Limits) -> Inspection:
        data = src.read_all(limits.max_in_memory_bytes)
        found, _ = _inspect(data, kind, limits)
        return Inspection(kind.value, tuple(found), (IMAGE_WARNING,))

    def prepare(self, src: Source, kind: FileKind, limits: Limits) -> BytesPlan:
        data = src.read_all(limits.max_in_memory_bytes)
        found, im = _inspect(data, kind, limits)
        with pillow_guard():
            if _frames(im) > 1:
                raise UnsupportedContentRefused("several pictures in one file")
            if kind is FileKind.TIFF and im.mode not in _LOSSLESS_MODES:
                raise UnsupportedContentRefused(f"TIFF pixel mode {im.mode}")
            lossless = kind is FileKind.TIFF and _tiff_samples_exact(im)
            depth = im.info.get("bit_depth")  # HEIF: an HDR picture is saved as 8-bit
            reduced = isinstance(depth, int) and depth > 8
            fresh = _upright_pixels(im)
            cleaned = _encode(fresh, kind)
            _check_output(cleaned, fresh, kind, limits)
        if lossless:
            notes = ["The picture was rewritten without its hidden details; pixels are unchanged."]
        elif kind is FileKind.TIFF:
            notes = [PRECISION_NOTE]  # deflate itself is lossless: only the depth went
        else:
            notes = [LOSSY_NOTE, PRECISION_NOTE] if reduced else [LOSSY_NOTE]
        if any("colour profile" in f.field for f in found):
            notes.append(ICC_NOTE)
        if not found:
            # Nothing identifying was present, but the file was still rebuilt.
            notes.append("No hidden details were found; the file was rebuilt anyway.")
        report = CleanReport(kind=kind.value, removed=found, notes=notes,
                             warnings=[IMAGE_WARNING], lossless=lossless)
        return BytesPlan(cleaned, report)


@register
class TiffCleaner(_Reencoder):
    name: ClassVar[str] = "tiff"
    kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.TIFF})


@register
class HeifCleaner(_Reencoder):
    name: ClassVar[str] = "heif"
    kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.HEIC, FileKind.AVIF})
