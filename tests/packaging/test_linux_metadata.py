"""The Linux desktop entry and AppStream metadata pass their validators."""

from __future__ import annotations

import subprocess

from tests.peers import REPO, tool

LINUX = REPO / "packaging" / "linux"


def test_desktop_entry_validates() -> None:
    entry = LINUX / "io.github.submitter_project.Submitter.desktop"
    result = subprocess.run(
        [tool("desktop-file-validate"), str(entry)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


def test_desktop_validator_rejects_a_broken_entry(tmp_path) -> None:
    # The validator must be able to fail, or the test above proves nothing.
    broken = tmp_path / "broken.desktop"
    broken.write_text("[Desktop Entry]\nType=Application\nExec=submitter\n")
    result = subprocess.run([tool("desktop-file-validate"), str(broken)], capture_output=True)
    assert result.returncode != 0


def test_metainfo_validates() -> None:
    metainfo = LINUX / "io.github.submitter_project.Submitter.metainfo.xml"
    result = subprocess.run(
        [tool("appstreamcli"), "validate", "--no-net", str(metainfo)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ids_agree() -> None:
    from ui.app import APP_ID

    assert (LINUX / f"{APP_ID}.desktop").exists()
    assert (LINUX / f"{APP_ID}.metainfo.xml").exists()
    assert (LINUX / "icons" / f"{APP_ID}.svg").exists()
    text = (LINUX / f"{APP_ID}.metainfo.xml").read_text()
    assert f"<id>{APP_ID}</id>" in text
    assert f"{APP_ID}.desktop" in text
