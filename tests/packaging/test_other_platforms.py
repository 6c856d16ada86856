"""The Windows and macOS build scripts cannot run here (no cross-compiling);
what can be checked is that they parse and build from the one shared spec."""

from __future__ import annotations

import subprocess

from tests.peers import REPO

SPEC = "packaging/pyinstaller/submitter.spec"


def test_macos_script_parses_and_uses_the_shared_spec() -> None:
    script = REPO / "packaging" / "macos" / "build.sh"
    subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)
    text = script.read_text()
    assert SPEC in text and "SOURCE_DATE_EPOCH" in text and ".sha256" in text


def test_windows_script_uses_the_shared_spec() -> None:
    text = (REPO / "packaging" / "windows" / "build.ps1").read_text()
    assert SPEC.replace("/", "\\") in text and ".sha256" in text
    assert '$ErrorActionPreference = "Stop"' in text  # a failed step stops the build
