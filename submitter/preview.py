"""A first look at what a file shows: the picture, a video's first frame, a PDF's first page.

Cleaning removes the hidden details of a file, never what its pixels show:
faces, reflections, name badges, a camera's burned-in date and place. The
Files step shows this small picture so the source can see, before sending,
what stays.

Everything happens in memory. The decoders (Pillow, PyAV's FFmpeg,
pypdfium2's PDFium) read the original file and hand back plain RGB bytes;
nothing is written anywhere: no temporary file, no thumbnail, no cache.
The original is never changed.

The input is hostile until proven otherwise, so every step is bounded:

- the dimensions a header claims are checked before anything is decoded
  (``PreviewLimits.max_source_pixels``; JPEG is decoded at reduced size,
  everything else whole, up to ``max_decoded_pixels``);
- a video is read through a guard that stops after ``max_read_bytes`` or
  the time budget, refuses to open any other file the container names,
  and gives up after ``max_packets`` packets without a picture;
- a PDF page is rendered progressively, so the time budget and the cancel
  event are checked while PDFium draws;
- every failure, whatever the library raised, becomes a ``PreviewError``
  leaf with a fixed, plain message. A preview that cannot be made never
  stops a file from being sent: it only means there is nothing to look at.

Pillow's and PDFium's own steps (one image decode, one PDF drawing step)
cannot be interrupted; the budget is checked between them.
"""

from __future__ import annotations

import enum
import math
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from submitter.errors import SubmitterError
from submitter.metadata.kinds import FileKind

if TYPE_CHECKING:
    from PIL import Image


# --- results and refusals ---


class PreviewShows(enum.StrEnum):
    PICTURE = "picture"
    FIRST_FRAME = "first frame"
    FIRST_PAGE = "first page"


@dataclass(frozen=True, slots=True)
class Preview:
    """``width`` x ``height`` pixels, 3 bytes each (R, G, B), row by row, no padding."""

    width: int
    height: int
    rgb: bytes
    shows: PreviewShows

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0 or len(self.rgb) != self.width * self.height * 3:
            raise ValueError("preview size does not match its pixels")

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        at = (y * self.width + x) * 3
        return self.rgb[at], self.rgb[at + 1], self.rgb[at + 2]


class PreviewError(SubmitterError):
    """No preview; the file itself is not affected."""

    message = "No preview can be shown for this file."


class PreviewUnavailable(PreviewError):
    message = "There is no preview for this type of file."


class PreviewNoPicture(PreviewError):
    message = "This file has no picture to show (it may hold sound only)."


class PreviewTooLarge(PreviewError):
    message = "The picture in this file is too large to preview safely."


class PreviewDamaged(PreviewError):
    message = (
        "The preview could not be made: the file may be damaged or in an unusual form."
    )


class PreviewTooSlow(PreviewError):
    message = "Making the preview took too long, so it was stopped."


class PreviewCancelled(PreviewError):
    message = "Cancelled."


@dataclass(frozen=True, slots=True)
class PreviewLimits:
    max_side: int = 640  # longest side of the picture handed back
    max_source_pixels: int = 200_000_000  # what a header may claim (JPEG is reduced on decode)
    max_decoded_pixels: int = 64_000_000  # what may be decoded at full size
    max_read_bytes: int = 256 * 1024 * 1024  # of a video, before a picture is found
    max_packets: int = 2_000  # video packets demuxed without a picture
    time_budget_s: float = 20.0


DEFAULT_LIMITS = PreviewLimits()

_IMAGE_FORMATS: dict[FileKind, str] = {
    FileKind.JPEG: "JPEG",
    FileKind.PNG: "PNG",
    FileKind.GIF: "GIF",
    FileKind.TIFF: "TIFF",
    FileKind.WEBP: "WEBP",
    FileKind.HEIC: "HEIF",
    FileKind.AVIF: "AVIF",
}
# The FFmpeg demuxer for each video kind: forced, never guessed from the content.
_DEMUXERS: dict[FileKind, str] = {
    FileKind.MP4: "mov",
    FileKind.MOV: "mov",
    FileKind.MKV: "matroska",
    FileKind.WEBM: "matroska",
    FileKind.AVI: "avi",
}
# Containers whose EXIF orientation a viewer applies (HEIF/AVIF carry their own, applied
# by the decoder).
_EXIF_ORIENTED = frozenset({FileKind.JPEG, FileKind.PNG, FileKind.WEBP, FileKind.TIFF})


def previewable(kind: str) -> bool:
    """Whether ``kind`` (a FileKind value, detected from content) has a picture to show."""
    try:
        known = FileKind(kind)
    except ValueError:
        return False
    return known in _IMAGE_FORMATS or known in _DEMUXERS or known is FileKind.PDF


def render_preview(
    path: Path,
    kind: str,
    limits: PreviewLimits = DEFAULT_LIMITS,
    cancel: threading.Event | None = None,
) -> Preview:
    """The picture, first frame or first page of ``path``, at most ``limits.max_side`` wide.

    ``kind`` is what detection found in the content. Raises a ``PreviewError``
    leaf and nothing else.
    """
    clock = _Clock(time.monotonic() + limits.time_budget_s, cancel)
    try:
        known = FileKind(kind)
    except ValueError:
        raise PreviewUnavailable(f"kind {kind!r}") from None
    try:
        clock.check()
        if known in _IMAGE_FORMATS:
            return _picture(path, known, limits, clock)
        if known in _DEMUXERS:
            return _first_frame(path, _DEMUXERS[known], limits, clock)
        if known is FileKind.PDF:
            return _first_page(path, limits, clock)
    except PreviewError:
        raise
    except MemoryError:
        raise PreviewTooLarge("out of memory") from None
    except RecursionError:
        raise PreviewDamaged("nesting too deep") from None
    except Exception as exc:  # whatever a decoder raises: it never crosses this line
        raise PreviewDamaged(type(exc).__name__) from None
    raise PreviewUnavailable(f"kind {kind!r}")


# --- shared ---


@dataclass(slots=True)
class _Clock:
    deadline: float
    cancel: threading.Event | None

    def check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise PreviewCancelled()
        if time.monotonic() > self.deadline:
            raise PreviewTooSlow()


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The size that keeps the shape and fits ``max_side`` (never larger than the source)."""
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _check_dimensions(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise PreviewDamaged("no picture size")
    if width * height > max_pixels:
        raise PreviewTooLarge(f"{width}x{height}")


def _as_preview(im: Image.Image, shows: PreviewShows, max_side: int) -> Preview:
    """Any Pillow picture as flat RGB, transparency shown over white, fitted to ``max_side``."""
    from PIL import Image

    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        white.alpha_composite(rgba)
        im = white
    elif im.mode.startswith("I;16") or im.mode in ("I", "F"):
        # Deep greys: scale to 8 bits instead of clipping everything to white.
        im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    rgb = im.convert("RGB")
    if max(rgb.size) > max_side:
        rgb = rgb.resize(_fit(rgb.width, rgb.height, max_side), Image.Resampling.BILINEAR)
    return Preview(rgb.width, rgb.height, rgb.tobytes(), shows)


@contextmanager
def _quiet_pillow() -> Iterator[None]:
    from PIL import Image

    with warnings.catch_warnings():
        # Pillow's warnings can quote file content; a bomb warning is a refusal.
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PreviewTooLarge("decompression bomb") from None


# --- pictures ---


def _picture(path: Path, kind: FileKind, limits: PreviewLimits, clock: _Clock) -> Preview:
    from PIL import Image

    if kind is FileKind.HEIC:
        import pillow_heif

        # No options passed: pillow-heif's global options stay as the cleaners set them.
        pillow_heif.register_heif_opener()
    with _quiet_pillow(), Image.open(path, formats=[_IMAGE_FORMATS[kind]]) as im:
        _check_dimensions(im.width, im.height, limits.max_source_pixels)
        # JPEG decodes straight to a fraction of its size; the others ignore this.
        im.draft("RGB", (limits.max_side, limits.max_side))
        _check_dimensions(im.width, im.height, limits.max_decoded_pixels)
        clock.check()
        im.load()
        clock.check()
        # Read after loading: Pillow turns some formats (TIFF) itself, then drops the tag.
        orientation = _orientation(im) if kind in _EXIF_ORIENTED else 1
        # The cleaner's own table: the preview shows the picture as it will be sent.
        from submitter.metadata.images_reencoded import turn_upright

        picture = turn_upright(im, orientation)
        return _as_preview(picture, PreviewShows.PICTURE, limits.max_side)


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
    except Exception:  # an unreadable EXIF block: show the picture as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


# --- video ---


class _GuardedReader:
    """The file as PyAV reads it: bounded in bytes and time, cancellable.

    Past a bound it answers end-of-file and remembers why (an exception
    raised inside PyAV's read callback would be printed, not passed on);
    ``_first_frame`` then raises that reason.
    """

    def __init__(self, fh: BinaryIO, limits: PreviewLimits, clock: _Clock) -> None:
        self._fh = fh
        self._left = limits.max_read_bytes
        self._clock = clock
        self.stopped: PreviewError | None = None

    def read(self, n: int = -1) -> bytes:
        if self.stopped is None:
            try:
                self._clock.check()
            except PreviewError as exc:
                self.stopped = exc
            else:
                if self._left <= 0:
                    self.stopped = PreviewTooLarge("read budget spent")
        if self.stopped is not None:
            return b""
        want = self._left if n is None or n < 0 else min(n, self._left)
        data = self._fh.read(want)
        self._left -= len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        return self._fh.tell()

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True


def _refuse_other_files(url: str, flags: int, options: dict[str, str]) -> Any:
    # A container may name other files (MP4 data references, playlists): never opened.
    raise PermissionError("a preview reads only the chosen file")


def _first_frame(path: Path, demuxer: str, limits: PreviewLimits, clock: _Clock) -> Preview:
    with open(path, "rb") as fh:
        reader = _GuardedReader(fh, limits, clock)
        try:
            return _decode_first(reader, demuxer, limits, clock)
        except Exception:
            if reader.stopped is not None:  # the real reason the decoder gave up
                raise reader.stopped from None
            raise


_TURNS = {90: "ROTATE_90", -90: "ROTATE_270", 270: "ROTATE_270", 180: "ROTATE_180",
          -180: "ROTATE_180"}


def _decode_first(reader: _GuardedReader, demuxer: str, limits: PreviewLimits,
                  clock: _Clock) -> Preview:
    import av
    from PIL import Image

    # "enable_drefs" off: an MP4 may point at other files; they are never followed.
    options = {"enable_drefs": "0"} if demuxer == "mov" else {}
    container = av.open(reader, mode="r", format=demuxer, options=options,
                        io_open=_refuse_other_files)
    try:
        streams = [
            s for s in container.streams.video
            if not s.disposition & av.stream.Disposition.attached_pic  # cover art
        ]
        if not streams:
            raise PreviewNoPicture("no video stream")
        stream = streams[0]
        context = stream.codec_context
        _check_dimensions(context.width, context.height, limits.max_decoded_pixels)
        context.thread_count = 1  # the first picture comes out first
        packets = 0
        for packet in container.demux(stream):
            clock.check()
            packets += 1
            if packets > limits.max_packets:
                raise PreviewNoPicture("no picture in the first packets")
            for frame in packet.decode():
                if not isinstance(frame, av.VideoFrame):
                    continue
                _check_dimensions(frame.width, frame.height, limits.max_decoded_pixels)
                width, height = _fit(frame.width, frame.height, limits.max_side)
                image = frame.to_image(  # type: ignore[no-untyped-call]
                    width=width, height=height
                )
                turn = _TURNS.get(round(frame.rotation))
                if turn is not None:  # upright, as players show it
                    image = image.transpose(Image.Transpose[turn])
                return _as_preview(image, PreviewShows.FIRST_FRAME, limits.max_side)
        raise PreviewNoPicture("the video ended without a picture")
    finally:
        container.close()


# --- PDF ---

# PDFium must not be entered from two threads at once, and previews run on
# worker threads; nothing else in the app uses PDFium.
_PDFIUM = threading.Lock()


def _first_page(path: Path, limits: PreviewLimits, clock: _Clock) -> Preview:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c
    from PIL import Image

    with _PDFIUM:
        clock.check()
        pdf = pdfium.PdfDocument(Path(path))
        try:
            if len(pdf) < 1:
                raise PreviewDamaged("no pages")
            page = pdf[0]
            try:
                points_w, points_h = page.get_size()
                if not (math.isfinite(points_w) and math.isfinite(points_h)):
                    raise PreviewDamaged("page size")
                if points_w < 1 or points_h < 1:
                    raise PreviewDamaged("page size")
                scale = min(4.0, limits.max_side / max(points_w, points_h))
                width = max(1, min(limits.max_side, math.ceil(points_w * scale)))
                height = max(1, min(limits.max_side, math.ceil(points_h * scale)))
                rgb = _render_progressively(pdfium, pdfium_c, page, width, height, clock)
            finally:
                page.close()
        finally:
            pdf.close()
    image = Image.frombytes("RGB", (width, height), rgb)
    return _as_preview(image, PreviewShows.FIRST_PAGE, limits.max_side)


def _render_progressively(pdfium: Any, pdfium_c: Any, page: Any, width: int, height: int,
                          clock: _Clock) -> bytes:
    """Draw ``page`` into ``width`` x ``height`` RGB, checking the clock between steps."""
    bitmap = pdfium.PdfBitmap.new_native(width, height, pdfium_c.FPDFBitmap_BGR,
                                         rev_byteorder=True)
    try:
        bitmap.fill_rect((255, 255, 255, 255), 0, 0, width, height)
        pause = pdfium_c.IFSDK_PAUSE(version=1)
        # Pause after every step PDFium offers, so the loop below can stop it.
        need_pause: Callable[[Any], bool] = lambda _pause: True  # noqa: E731
        callback = type(pause.NeedToPauseNow)(need_pause)
        pause.NeedToPauseNow = callback
        flags = pdfium_c.FPDF_ANNOT | pdfium_c.FPDF_REVERSE_BYTE_ORDER
        status = pdfium_c.FPDF_RenderPageBitmap_Start(
            bitmap, page, 0, 0, width, height, 0, flags, pause
        )
        try:
            while status == pdfium_c.FPDF_RENDER_TOBECONTINUED:
                clock.check()
                status = pdfium_c.FPDF_RenderPage_Continue(page, pause)
        finally:
            pdfium_c.FPDF_RenderPage_Close(page)
        if status != pdfium_c.FPDF_RENDER_DONE:
            raise PreviewDamaged("page could not be drawn")
        stride = int(bitmap.stride)
        raw = bytes(bitmap.buffer)
        row = width * 3
        if stride == row:
            return raw[: row * height]
        return b"".join(raw[y * stride : y * stride + row] for y in range(height))
    finally:
        bitmap.close()
