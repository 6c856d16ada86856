"""exiftool, the independent judge: read every tag and say which ones identify.

``read_tags(path)`` runs ``exiftool -j -G1 -a -u -n`` and returns every
(group, name, value) it prints, duplicates included. ``identifying(path)``
keeps the tags that RULES classify as identifying; with ``embedded=True``
(``-ee``, what the cleaner contract uses) exiftool also reads timed metadata
in tracks (GoPro 'gpmd', Google 'camm', Apple 'mebx' GPS, subtitles) and
embedded documents, which it otherwise skips.

RULES is a data table, evaluated top to bottom; the first rule whose group and
tag globs (fnmatch, case-sensitive) both match decides. A rule with category
``None`` marks a tag as harmless. A tag no rule matches is harmless. Keep
harmless rules for whole groups that describe the file on disk (System,
ExifTool) at the top; add format-specific rules for your family anywhere
before the catch-alls (the document and media cleaners extend this table).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from tests.peers import tool


@dataclass(frozen=True, slots=True)
class Rule:
    group: str  # -G1 group glob, e.g. "GPS", "XMP-*", "*"
    tag: str  # tag name glob, e.g. "GPS*", "*SerialNumber*"
    category: str | None  # why it identifies ("location", "device", ...); None = harmless


@dataclass(frozen=True, slots=True)
class Tag:
    group: str
    name: str
    value: object
    category: str | None

    def __str__(self) -> str:
        return f"{self.group}:{self.name}={self.value!r} ({self.category})"


RULES: tuple[Rule, ...] = (
    # --- the file on disk, and exiftool itself: never about the content ---
    Rule("System", "*", None),
    Rule("ExifTool", "*", None),
    Rule("File", "Comment", "hidden content"),  # JPEG COM segments show up here
    Rule("File", "*", None),
    # Orientation is kept on purpose (pictures must stay upright).
    Rule("*", "Orientation", None),
    # Colour/geometry bookkeeping that every image carries.
    Rule("Composite", "ImageSize", None),
    Rule("Composite", "Megapixels", None),
    # --- whole metadata containers: anything inside them counts ---
    Rule("XMP*", "*", "xmp"),
    Rule("IPTC*", "*", "iptc"),
    Rule("Photoshop", "*", "photoshop resources"),
    Rule("MakerNotes", "*", "device"),
    Rule("MakerNotes*", "*", "device"),
    Rule("Apple", "*", "device"),
    Rule("Canon*", "*", "device"),
    Rule("Nikon*", "*", "device"),
    Rule("Sony*", "*", "device"),
    Rule("Samsung*", "*", "device"),
    Rule("FlashPix", "*", "hidden content"),
    Rule("GPS", "*", "location"),
    Rule("ICC-header", "*", "colour profile"),
    Rule("ICC_Profile", "*", "colour profile"),
    Rule("ICC-*", "*", "colour profile"),
    Rule("IFD1", "*", "thumbnail"),  # the EXIF thumbnail's own directory
    # --- tag names, in any group ---
    Rule("*", "GPS*", "location"),
    Rule("*", "*Latitude*", "location"),
    Rule("*", "*Longitude*", "location"),
    Rule("*", "*Altitude*", "location"),
    Rule("*", "*Location*", "location"),
    Rule("*", "City", "location"),
    Rule("*", "Country*", "location"),
    Rule("*", "Sub-location", "location"),
    Rule("*", "Province-State", "location"),
    Rule("*", "Make", "device"),
    Rule("*", "Model", "device"),
    Rule("*", "LensMake", "device"),
    Rule("*", "LensModel", "device"),
    Rule("*", "LensInfo", "device"),
    Rule("*", "UniqueCameraModel", "device"),
    Rule("*", "LocalizedCameraModel", "device"),
    Rule("*", "DeviceManufacturer", "device"),
    Rule("*", "DeviceModel*", "device"),
    Rule("*", "*Serial*", "identifier"),
    Rule("*", "MakerNote*", "device"),
    Rule("*", "OwnerName", "person"),
    Rule("*", "CameraOwnerName", "person"),
    Rule("*", "Artist", "person"),
    Rule("*", "Author", "person"),
    Rule("*", "XPAuthor", "person"),
    Rule("*", "Creator", "person"),
    Rule("*", "*Creator*", "person"),
    Rule("*", "By-line*", "person"),
    Rule("*", "Copyright*", "person"),
    Rule("*", "Rights", "person"),
    Rule("*", "LastModifiedBy", "person"),
    Rule("*", "Company", "person"),
    Rule("*", "Manager", "person"),
    Rule("*", "HostComputer", "device"),
    Rule("*", "Software", "software"),
    Rule("*", "*Software*", "software"),
    Rule("*", "CreatorTool", "software"),
    Rule("*", "Producer", "software"),
    Rule("*", "Encoder", "software"),
    Rule("*", "EncodedBy", "software"),
    Rule("*", "Application", "software"),
    Rule("*", "AppVersion", "software"),
    Rule("*", "ImageUniqueID", "identifier"),
    Rule("*", "*DocumentID", "identifier"),
    Rule("*", "InstanceID", "identifier"),
    Rule("*", "*UUID*", "identifier"),
    Rule("*", "*UniqueID*", "identifier"),
    Rule("*", "*Date*", "time"),
    Rule("*", "SubSecTime*", "time"),
    Rule("*", "OffsetTime*", "time"),
    Rule("*", "TimeCreated", "time"),
    Rule("*", "*TimeStamp*", "time"),
    # --- audio/video containers (QuickTime, Matroska, RIFF, ID3, Vorbis) ---
    Rule("*", "CompressorName", "software"),
    Rule("*", "HandlerDescription", "software"),
    Rule("*", "HandlerVendorID", "software"),
    Rule("*", "VendorID", "software"),
    Rule("*", "MuxingApp", "software"),
    Rule("*", "WritingApp", "software"),
    Rule("*", "Encoder*", "software"),
    Rule("*", "Vendor", "software"),
    Rule("*", "TrackName", "hidden content"),
    Rule("*", "StreamName", "hidden content"),
    Rule("*", "ChapterName", "hidden content"),
    Rule("*", "ChapterString*", "hidden content"),
    Rule("*", "ChapterTitle*", "hidden content"),
    Rule("*", "AttachedFile*", "embedded file"),
    Rule("*", "SegmentUID", "identifier"),
    Rule("*", "Originator*", "person"),
    Rule("*", "Picture*", "thumbnail"),
    Rule("*", "CoverArt*", "thumbnail"),
    Rule("*", "Album*", "hidden content"),
    Rule("*", "Genre", "hidden content"),
    Rule("*", "Composer", "person"),
    Rule("*", "Performer", "person"),
    Rule("*", "Band", "person"),
    Rule("*", "Lyrics*", "hidden content"),
    Rule("*", "*Comment*", "hidden content"),
    Rule("*", "ImageDescription", "hidden content"),
    Rule("*", "Description", "hidden content"),
    Rule("*", "Title", "hidden content"),
    Rule("*", "XP*", "hidden content"),
    Rule("*", "Keywords", "hidden content"),
    Rule("*", "*Thumbnail*", "thumbnail"),
    Rule("*", "*Preview*", "thumbnail"),
    Rule("*", "JpgFromRaw", "thumbnail"),
    Rule("*", "OtherImage*", "thumbnail"),
)


# In a track's own user data (trak/udta) exiftool prefixes tag names with the
# track: a ©xyz there prints as "Track3GPSCoordinates", which no rule names.
# Such names are judged without the prefix as well.
_TRACK_PREFIX = re.compile(r"^Track\d+(?=[A-Z])")


def classify(group: str, name: str, rules: tuple[Rule, ...] = RULES) -> str | None:
    for candidate in dict.fromkeys((name, _TRACK_PREFIX.sub("", name))):
        for rule in rules:
            if fnmatchcase(group, rule.group) and fnmatchcase(candidate, rule.tag):
                if rule.category is not None:
                    return rule.category
                break
    return None


def read_tags(
    path: Path, rules: tuple[Rule, ...] = RULES, *, embedded: bool = False
) -> list[Tag]:
    """Every tag exiftool prints for ``path`` (duplicates kept).

    ``embedded=True`` adds ``-ee``: exiftool then also reads embedded
    documents and timed metadata (second JPEGs after the first, GPS tracks in
    video streams).
    """
    extra = ["-ee"] if embedded else []
    # "--" and an absolute path: a file named "-rf" is never an option.
    proc = subprocess.run(
        [tool("exiftool"), "-j", "-G1", "-a", "-u", "-n", *extra, "--",
         str(Path(path).resolve())],
        capture_output=True,
        timeout=120,
        check=False,
    )
    if not proc.stdout.strip():
        raise AssertionError(f"exiftool printed nothing: {proc.stderr.decode(errors='replace')}")
    records = json.loads(proc.stdout, object_pairs_hook=lambda pairs: pairs)
    tags: list[Tag] = []
    for key, value in records[0]:
        if key == "SourceFile":
            continue
        group, _, name = key.rpartition(":")
        category = classify(group, name, rules)
        if category is not None and _blank(value):
            category = None  # an empty string or an all-zero date says nothing
        tags.append(Tag(group, name, value, category))
    return tags


def _blank(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value == 0  # a zeroed time or duration says nothing
    if not isinstance(value, str):
        return False
    return value.strip(" :0-T+Z\x00") == ""


def identifying(
    path: Path, rules: tuple[Rule, ...] = RULES, *, embedded: bool = False
) -> list[Tag]:
    return [t for t in read_tags(path, rules, embedded=embedded) if t.category is not None]


def errors(path: Path) -> list[str]:
    """exiftool's own complaints about the file (ExifTool:Error/Warning)."""
    return [
        f"{t.name}: {t.value}"
        for t in read_tags(path)
        if t.group == "ExifTool" and t.name in ("Error", "Warning")
    ]


def file_type(path: Path) -> str:
    for t in read_tags(path):
        if t.group == "File" and t.name == "FileType":
            return str(t.value)
    raise AssertionError("exiftool did not recognise the file type")
