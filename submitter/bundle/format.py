"""Fixed constants of the bundle format (see docs/bundle-format.md).

Everything here is versioned by ``SCHEMA_VERSION``; the age recipient type is
the only agility point, and it lives in the age header, not here.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
FORMAT_NAME = "submitter-bundle"

MANIFEST_NAME = "manifest.json"
MESSAGE_NAME = "message.txt"  # written by the opener beside the files, never in the tar

BLOCK = 512  # tar block
FILE_MODE = 0o644  # the only mode given to members (0755 is reserved, never emitted)

MiB = 1024 * 1024
GiB = 1024 * MiB

# Plaintext size of every non-final part (the final part is PADMÉ-padded and
# at most this). 512 MiB: large enough that hours of video need few parts,
# small enough that a Tor upload (often 0.5–2 MiB/s) of one part finishes in
# minutes and a lost circuit costs little.
DEFAULT_PART_SIZE = 512 * MiB
MIN_PART_SIZE = 1 * MiB
MAX_PART_SIZE = 4 * GiB  # keeps the padding header (<= 64 MiB) small for tar

# No part is smaller than this, so a one-line tip and a photo look alike.
MIN_PADDED_SIZE = 1 * MiB

MAX_MANIFEST_BYTES = 16 * MiB
MAX_MESSAGE_CHARS = 1_000_000
MAX_NAME_BYTES = 200

# Segment names: "<name>.seg0001"; the zero padding keeps `cat name.seg*`
# in order for people joining by hand.
SEGMENT_SUFFIX_WIDTH = 4

PART_SUFFIX = ".age"
PART_NAME_HEX = 32  # random hex characters of a part's file name
