"""Find every concrete CleanerContract subclass under tests/metadata.

Test modules are imported by scanning the folder (this is test discovery, not
the app's registry, which stays explicit). A subclass counts when it sets a
non-empty ``kinds_covered``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from tests.metadata.contract import CleanerContract

HERE = Path(__file__).resolve().parent


def _import_test_modules() -> None:
    for path in sorted(HERE.glob("test_*.py")):
        importlib.import_module(f"tests.metadata.{path.stem}")


def contract_classes() -> list[type[CleanerContract]]:
    _import_test_modules()
    found: list[type[CleanerContract]] = []
    todo = list(CleanerContract.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.kinds_covered and cls.__name__.startswith("Test"):
            found.append(cls)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))
