"""Turn any unexpected failure inside a cleaner into a plain refusal.

Third-party parsers (pikepdf, lxml, zipfile, tarfile) raise their own types
on hostile input; those must not cross the package boundary, and the message
may quote file content, so only the exception type is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from submitter.metadata.model import CleanRefused, CorruptRefused, LimitRefused


@contextmanager
def only_refusals() -> Iterator[None]:
    try:
        yield
    except CleanRefused:
        raise
    except MemoryError as exc:
        raise LimitRefused("out of memory") from exc
    except RecursionError as exc:
        raise LimitRefused("nesting too deep") from exc
    except Exception as exc:
        raise CorruptRefused(type(exc).__name__) from exc
