"""The explicit list of cleaner modules. Importing one registers its cleaners.

A frozen build sees exactly these; add a module here when adding a family.
"""

from __future__ import annotations

from submitter.metadata import (
    archives,  # noqa: F401  (ZIP/TAR)
    audio,  # noqa: F401  (MP3/FLAC/OGG/WAV)
    avi,  # noqa: F401  (AVI)
    images_gif,  # noqa: F401  (GIF)
    images_jpeg,  # noqa: F401  (JPEG)
    images_png,  # noqa: F401  (PNG)
    images_reencoded,  # noqa: F401  (TIFF, HEIC, AVIF)
    images_webp,  # noqa: F401  (WebP)
    isobmff,  # noqa: F401  (MP4/MOV/M4A)
    matroska,  # noqa: F401  (MKV/WebM)
    odf,  # noqa: F401  (ODT/ODS/ODP/ODG)
    ooxml,  # noqa: F401  (DOCX/XLSX/PPTX)
    pdf,  # noqa: F401  (PDF)
    text,  # noqa: F401  (TEXT/CSV)
)
