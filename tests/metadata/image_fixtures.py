"""Generate small real image files full of identifying metadata.

Pixels come from Pillow (a deterministic pattern with texture, so lossy
comparisons mean something); metadata is written by exiftool itself, the
same way cameras and editors lay it out.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from PIL import Image, ImageCms

from tests.peers import tool

W, H = 64, 48

# Tags exiftool writes into every format that has EXIF.
EXIF_ARGS = (
    "-GPSLatitude=51.53", "-GPSLatitudeRef=N", "-GPSLongitude=46.03", "-GPSLongitudeRef=E",
    "-GPSAltitude=120", "-Make=Canon", "-Model=Canon EOS 5D", "-SerialNumber=SN-4242",
    "-LensSerialNumber=LS-77", "-Artist=Jane Doe", "-Copyright=Jane Doe 2024",
    "-XPAuthor=Jane Doe", "-OwnerName=Jane Doe", "-DateTimeOriginal=2024:01:02 03:04:05",
    "-CreateDate=2024:01:02 03:04:05", "-ModifyDate=2024:01:03 10:00:00", "-Software=PhotoApp 9",
    "-ImageUniqueID=0123456789abcdef0123456789abcdef", "-UserComment=taken at the gate",
)
XMP_ARGS = ("-XMP-dc:Creator=Jane Doe", "-XMP-xmp:CreatorTool=Editor Pro",
            "-XMP-xmpMM:DocumentID=xmp.did:1234", "-XMP-photoshop:City=Saratov")
IPTC_ARGS = ("-IPTC:By-line=Jane Doe", "-IPTC:City=Saratov")


def pattern(mode: str = "RGB", size: tuple[int, int] = (W, H)) -> Image.Image:
    """A smooth gradient with a little texture: compressible, not flat."""
    w, h = size
    base = Image.new("RGB", size)
    base.putdata([((x * 4) % 256, (y * 5) % 256, ((x * y) // 3 + (x ^ y) * 7) % 256)
                  for y in range(h) for x in range(w)])
    if mode == "RGBA":
        alpha = Image.linear_gradient("L").resize(size)
        base.putalpha(alpha)
        return base
    return base.convert(mode)


def srgb_icc() -> bytes:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return bytes(profile.tobytes())


def exiftool_write(path: Path, *args: str) -> None:
    proc = subprocess.run(
        [tool("exiftool"), "-q", "-q", "-overwrite_original", "-n", *args, "--", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr


def thumbnail_jpeg() -> bytes:
    buf = io.BytesIO()
    pattern(size=(16, 12)).save(buf, "JPEG", quality=70)
    return buf.getvalue()


def dirty_jpeg(tmp_path: Path, orientation: int = 6) -> Path:
    path = tmp_path / "photo.jpg"
    pattern().save(path, "JPEG", quality=90, icc_profile=srgb_icc())
    thumb = tmp_path / "thumb.jpg"
    thumb.write_bytes(thumbnail_jpeg())
    exiftool_write(path, *EXIF_ARGS, *XMP_ARGS, *IPTC_ARGS, f"-Orientation={orientation}",
                   "-Comment=secret comment", f"-ThumbnailImage<={thumb}")
    thumb.unlink()
    return path


def dirty_png(tmp_path: Path) -> Path:
    from PIL import PngImagePlugin

    path = tmp_path / "screen.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Doe")
    info.add_text("Comment", "long hidden comment " * 10, zip=True)
    info.add_itxt("Description", "Écrit par Jane", lang="fr", tkey="Beschreibung")
    pattern("RGBA").save(path, "PNG", pnginfo=info, icc_profile=srgb_icc())
    exiftool_write(path, *EXIF_ARGS, *XMP_ARGS, "-Orientation=3",
                   "-PNG:CreationTime=2024:01:02 03:04:05")
    return path


def dirty_webp(tmp_path: Path) -> Path:
    path = tmp_path / "pic.webp"
    pattern("RGBA").save(path, "WEBP", lossless=True, icc_profile=srgb_icc())
    exiftool_write(path, *EXIF_ARGS, *XMP_ARGS, "-Orientation=8")
    return path


def dirty_gif(tmp_path: Path) -> Path:
    path = tmp_path / "anim.gif"
    frames = [pattern("P"), pattern("P").transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:], loop=0,
                   duration=100, comment=b"made by Jane Doe")
    exiftool_write(path, *XMP_ARGS, "-Comment=secret comment")
    return path


def dirty_tiff(tmp_path: Path) -> Path:
    path = tmp_path / "scan.tif"
    pattern().save(path, "TIFF", compression="tiff_lzw", icc_profile=srgb_icc())
    exiftool_write(path, *EXIF_ARGS, *XMP_ARGS, *IPTC_ARGS, "-Orientation=6")
    return path


def dirty_heic(tmp_path: Path) -> Path:
    import pillow_heif

    pillow_heif.register_heif_opener()
    path = tmp_path / "phone.heic"
    pattern().save(path, "HEIF", quality=95)
    exiftool_write(path, *EXIF_ARGS, *XMP_ARGS)
    return path


def dirty_avif(tmp_path: Path) -> Path:
    path = tmp_path / "phone.avif"
    pattern().save(path, "AVIF", quality=95)
    exiftool_write(path, *EXIF_ARGS, *XMP_ARGS)
    return path


def raw_tiff(
    width: int,
    height: int,
    bits: int,
    samples: int,
    photometric: int,
    data: bytes,
    *,
    sample_format: int | None = None,
    extra_samples: tuple[int, ...] = (),
) -> bytes:
    """A one-strip uncompressed little-endian TIFF with any sample layout.

    Pillow only writes the layouts it can hold in memory; this writes the
    ones it cannot (16 bits per colour, signed bytes, 12-bit grey, extra
    channels) so the cleaner's handling of them can be checked.
    """
    import struct

    arrays: list[tuple[int, tuple[int, ...]]] = [
        (256, (width,)), (257, (height,)), (258, (bits,) * samples), (259, (1,)),
        (262, (photometric,)), (273, (0,)), (277, (samples,)), (278, (height,)),
        (279, (len(data),)),
    ]
    if extra_samples:
        arrays.append((338, extra_samples))
    if sample_format is not None:
        arrays.append((339, (sample_format,) * samples))
    arrays.sort()
    ifd_len = 2 + 12 * len(arrays) + 4
    blobs = bytearray()
    blob_at = 8 + ifd_len
    data_at = blob_at + sum(2 * len(v) for _, v in arrays if len(v) > 2)
    entries = bytearray(struct.pack("<H", len(arrays)))
    for tag, values in arrays:
        if tag in (273, 279):  # LONG offsets and counts
            value = data_at if tag == 273 else values[0]
            entries += struct.pack("<HHII", tag, 4, 1, value)
        elif len(values) <= 2:
            entries += struct.pack("<HHI", tag, 3, len(values))
            entries += struct.pack(f"<{len(values)}H", *values).ljust(4, b"\x00")
        else:
            entries += struct.pack("<HHII", tag, 3, len(values), blob_at + len(blobs))
            blobs += struct.pack(f"<{len(values)}H", *values)
    entries += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 8) + bytes(entries) + bytes(blobs) + data
