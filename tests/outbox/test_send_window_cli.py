"""`submitter outbox deliver --within`: random sending moments from the command line.

Everything runs for real: the outbox on disk, `run_cli`, the folder transport
into a real folder. Moments are checked in the queue, never by timing the run.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pytest

from submitter.cli import run_cli
from submitter.cli.outbox_cmds import describe_window, parse_window
from submitter.outbox import Destination
from submitter.outbox.queue import SCHEDULED_REASON, PartId
from tests.transports.netpeers import add_part, make_outbox

HOURS_6 = 6 * 3600


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("SUBMITTER_DATA_DIR", str(folder))
    monkeypatch.setenv("SUBMITTER_STATE_PASSPHRASE", "test passphrase")
    return folder


def _queue_parts(data_dir: Path, usb: Path, count: int) -> dict[PartId, bytes]:
    ob = make_outbox(data_dir)
    parts = dict(add_part(ob, os.urandom(3000 + i), Destination("folder", str(usb)))
                 for i in range(count))
    ob.close()
    return parts


def _moments(data_dir: Path) -> dict[PartId, float]:
    ob = make_outbox(data_dir)
    try:
        return {p.id: p.next_try for p in ob.parts() if p.state == "queued"}
    finally:
        ob.close()


def test_within_gives_each_part_a_hidden_moment_and_deliver_sends_only_due_ones(
        data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    parts = _queue_parts(data_dir, usb, 3)

    before = time.time()
    assert run_cli(["outbox", "deliver", "--within", "6h", "--wait", "0"]) == 3
    after = time.time()
    out = capsys.readouterr().out
    assert "3 part(s) will be sent at random moments within the next 6 hours." in out
    assert "3 part(s) wait for their random moment" in out
    assert list(usb.iterdir()) == []  # nothing was due yet

    ob = make_outbox(data_dir)
    infos = ob.parts()
    ob.close()
    assert {p.id for p in infos} == set(parts)
    for p in infos:
        # Queued, never tried, marked as given its moment (not a failure), and the
        # moment inside the window.
        assert (p.state, p.attempts, p.reason) == ("queued", 0, SCHEDULED_REASON)
        assert before <= p.next_try <= after + HOURS_6
    moments = {p.id: p.next_try for p in infos}
    assert len(set(moments.values())) == 3  # each part its own moment

    # The list says a moment is set, never when.
    assert run_cli(["outbox", "list"]) == 0
    listed = capsys.readouterr().out
    assert listed.count("waiting for its random moment") == 3
    assert "next try in" not in listed

    # Asking again, or delivering without --within, moves no moment and sends nothing.
    assert run_cli(["outbox", "deliver", "--within", "6h", "--wait", "0"]) == 3
    again = capsys.readouterr().out
    assert "will be sent at random moments" not in again
    assert run_cli(["outbox", "deliver"]) == 3
    capsys.readouterr()
    assert _moments(data_dir) == moments and list(usb.iterdir()) == []

    # One part's moment comes (as if it were a second ago): only that one is sent.
    first = next(iter(parts))
    ob = make_outbox(data_dir)
    ob.mark_retry(first, SCHEDULED_REASON, -1.0)
    ob.close()
    assert run_cli(["outbox", "deliver"]) == 3  # the other two still wait
    out = capsys.readouterr().out
    assert f"{first}: delivered" in out
    assert "2 part(s) wait for their random moment" in out
    assert [p.read_bytes() for p in usb.iterdir()] == [parts[first]]
    rest = {pid: m for pid, m in moments.items() if pid != first}
    assert _moments(data_dir) == rest


def test_within_keeps_running_until_every_part_is_sent(
        data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    parts = _queue_parts(data_dir, usb, 2)
    assert run_cli(["outbox", "deliver", "--within", "2s"]) == 0
    out = capsys.readouterr().out
    assert "2 part(s) will be sent at random moments within the next 2 seconds." in out
    assert "wait for their random moment" not in out
    assert sorted(p.read_bytes() for p in usb.iterdir()) == sorted(parts.values())
    ob = make_outbox(data_dir)
    assert [p.state for p in ob.parts()] == ["delivered", "delivered"]
    assert list(ob.parts_dir.iterdir()) == []
    ob.close()


def test_parts_waiting_after_a_failed_try_keep_their_retry_time(
        data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parts = _queue_parts(data_dir, tmp_path / "unplugged", 1)
    assert run_cli(["outbox", "deliver"]) == 3  # the stick is not there: a retry wait
    capsys.readouterr()
    retry_at = _moments(data_dir)
    assert run_cli(["outbox", "deliver", "--within", "6h", "--wait", "0"]) == 3
    out = capsys.readouterr().out
    assert "will be sent at random moments" not in out
    assert _moments(data_dir) == retry_at
    assert run_cli(["outbox", "list"]) == 0
    listed = capsys.readouterr().out
    [pid] = parts
    assert f"{pid}  queued" in listed and "next try in" in listed
    assert "The folder or USB stick is not available" in listed


def test_window_durations() -> None:
    assert parse_window("6h") == HOURS_6
    assert parse_window("6") == HOURS_6  # hours, like the window's choices
    assert parse_window("90m") == 5400 and parse_window("1d") == 86400
    assert parse_window(" 30 S ") == 30
    for bad in ("0h", "8d", "-1h", "6 hours", "", "1w"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_window(bad)
    assert describe_window(HOURS_6) == "6 hours" and describe_window(3600) == "1 hour"
    assert describe_window(5400) == "90 minutes" and describe_window(86400) == "1 day"
    assert describe_window(1.5) == "1.5 seconds"


def test_a_bad_window_is_refused_before_anything_happens(
        data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _queue_parts(data_dir, tmp_path, 1)
    with pytest.raises(SystemExit) as exited:
        run_cli(["outbox", "deliver", "--within", "soon"])
    assert exited.value.code == 2
    assert "a duration like 6h, 90m or 1d" in capsys.readouterr().err
    [(_, moment)] = _moments(data_dir).items()
    assert moment <= time.time()  # still due now, not given a moment
