"""Dependencies point down only: ui -> submitter -> crypto."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.peers import REPO


def _imports(package: str) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    for path in sorted((REPO / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.extend((path, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("crypto", ("PySide6", "shiboken6", "submitter", "ui")),
        ("submitter", ("PySide6", "shiboken6", "ui")),
    ],
)
def test_package_does_not_import_upward(package: str, forbidden: tuple[str, ...]) -> None:
    bad = [
        f"{path.relative_to(REPO)}: {name}"
        for path, name in _imports(package)
        if name.split(".")[0] in forbidden
    ]
    assert not bad, "layering violated:\n" + "\n".join(bad)


def test_crypto_has_no_network() -> None:
    net = ("socket", "http", "urllib", "httpx", "requests", "ssl")
    bad = [f"{p.relative_to(REPO)}: {n}" for p, n in _imports("crypto") if n.split(".")[0] in net]
    assert not bad, bad


def test_layering_check_sees_imports(tmp_path: Path) -> None:
    # The checker itself must notice a violation, or the tests above prove nothing.
    tree = ast.parse("from PySide6.QtWidgets import QWidget\nimport submitter.cli\n")
    names = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert {"PySide6.QtWidgets", "submitter.cli"} <= set(names)
