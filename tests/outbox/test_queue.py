"""The durable queue: entering, states, sealing, crash leftovers, backoff, window, wipe."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from crypto.errors import CryptoError
from submitter.outbox import Backoff, Courier, Destination, SendWindow
from submitter.outbox.errors import OutboxBusyError, OutboxCorruptError, PartNotReadyError
from submitter.outbox.queue import Outbox, staging_path
from tests.transports.netpeers import add_part, fast_key_store, make_outbox

SECRET_URL = "http://secretrightswatch7xyz.onion/files/"
SECRET_ORG = "Secret Rights Watch"


def _all_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_enqueue_list_and_destination_round_trip(tmp_path: Path) -> None:
    ob = make_outbox(tmp_path)
    dest = Destination("tus", SECRET_URL, SECRET_ORG)
    pid, data = add_part(ob, os.urandom(1000), dest)
    [info] = ob.parts()
    assert (info.id, info.state, info.size, info.sent, info.attempts) == (pid, "queued", 1000, 0, 0)
    assert ob.destination(pid) == dest
    assert ob.due() == [pid]
    assert ob.part_path(pid).read_bytes() == data
    # The file name is random hex, saying nothing.
    assert len(info.file_name) == 32 and int(info.file_name, 16) >= 0
    ob.close()


def test_only_complete_parts_inside_the_outbox_enter(tmp_path: Path) -> None:
    ob = make_outbox(tmp_path)
    final = ob.new_part_path()
    staging = staging_path(final)
    staging.write_bytes(b"x" * 10)
    with pytest.raises(PartNotReadyError):
        ob.enqueue(staging, None)  # still being written
    with pytest.raises(PartNotReadyError):
        ob.enqueue(final, None)  # not renamed into place yet
    outside = tmp_path / "elsewhere"
    outside.write_bytes(b"y")
    with pytest.raises(PartNotReadyError):
        ob.enqueue(outside, None)
    empty = ob.new_part_path()
    empty.write_bytes(b"")
    with pytest.raises(PartNotReadyError):
        ob.enqueue(empty, None)
    os.replace(staging, final)
    ob.enqueue(final, None)
    with pytest.raises(PartNotReadyError):
        ob.enqueue(final, None)  # never twice
    assert len(ob.parts()) == 1
    ob.close()


def test_a_submission_is_queued_whole_or_not_at_all(tmp_path: Path) -> None:
    ob = make_outbox(tmp_path)
    good = []
    for n in range(3):
        p = ob.new_part_path()
        p.write_bytes(os.urandom(100 + n))
        good.append(p)
    late = ob.new_part_path()  # the last part never made it into place
    with pytest.raises(PartNotReadyError):
        ob.enqueue_all([*good, late], Destination("folder", str(tmp_path / "usb")))
    assert ob.parts() == []  # the three complete parts were not queued either
    ids = ob.enqueue_all(good, Destination("folder", str(tmp_path / "usb")))
    assert sorted(ids) == sorted(p.id for p in ob.parts()) and len(set(ids)) == 3
    assert {ob.part_path(i).name for i in ids} == {p.name for p in good}
    ob.close()


def test_crash_leftovers_are_swept_only_when_no_other_outbox_is_open(tmp_path: Path) -> None:
    window = make_outbox(tmp_path)  # the app's window, open the whole time
    pid, data = add_part(window, os.urandom(100), None)
    staging = staging_path(window.new_part_path())
    staging.write_bytes(b"half a part")  # a seal killed while writing
    orphan = window.new_part_path()
    orphan.write_bytes(b"complete part")  # a seal killed between rename and enqueue
    assert window.orphans() == [orphan]
    assert window.leftovers() == sorted([staging, orphan])
    # Opened while the window is open: the window's own seal could be writing these.
    other = make_outbox(tmp_path)
    assert other.removed_leftovers == 0
    assert staging.exists() and orphan.exists()
    other.close()
    window.close()
    # Nobody else has the outbox open: nothing can still be writing or enqueueing them.
    alone = make_outbox(tmp_path)
    assert alone.removed_leftovers == 2
    assert not staging.exists() and not orphan.exists()
    assert alone.leftovers() == [] and alone.orphans() == []
    assert alone.part_path(pid).read_bytes() == data  # a queued part is never a leftover
    # An orphan found while another outbox is open can still be queued instead.
    late = alone.new_part_path()
    late.write_bytes(b"complete part")
    assert alone.orphans() == [late]
    alone.enqueue(late, None)
    assert alone.orphans() == [] and len(alone.parts()) == 2
    alone.close()


def test_stale_sending_rows_resume_after_a_crash(tmp_path: Path) -> None:
    ob = make_outbox(tmp_path)
    pid, _ = add_part(ob, os.urandom(100), Destination("folder", str(tmp_path)))
    ob.mark_sending(pid)
    ob.record_offset(pid, 40)
    # A second process opens the same outbox while the first one is "dead".
    other = make_outbox(tmp_path)
    [info] = other.parts()
    assert (info.state, info.sent, info.attempts) == ("sending", 40, 1)
    assert other.due() == [pid]
    ob.close()
    other.close()


def test_nothing_at_rest_names_the_destination_or_org(tmp_path: Path) -> None:
    ob = make_outbox(tmp_path)
    pid, _ = add_part(ob, os.urandom(500), Destination("tus", SECRET_URL, SECRET_ORG))
    pid2, _ = add_part(ob, os.urandom(500), Destination("onionshare", SECRET_URL, SECRET_ORG))
    ob.mark_sending(pid)
    ob.save_resume(pid, SECRET_URL + "0123456789abcdef")
    ob.mark_retry(pid, "The destination could not be reached.", 10.0)
    assert ob.resume(pid) == SECRET_URL + "0123456789abcdef"
    blob = _all_bytes(tmp_path)  # the DB with its WAL and SHM, parts, salt
    ob.close()
    blob += _all_bytes(tmp_path)
    for needle in (b"secretrightswatch", b"Secret Rights", b".onion", b"onion", b"/files/",
                   SECRET_ORG.encode("utf-16-le")):
        assert needle not in blob, needle
    assert pid2


def test_sealed_records_do_not_open_under_another_key(tmp_path: Path) -> None:
    ob = make_outbox(tmp_path)
    pid, _ = add_part(ob, os.urandom(10), Destination("tus", SECRET_URL))
    ob.close()
    (tmp_path / "state.salt").unlink()  # the key is gone; a new one will be made
    ob = make_outbox(tmp_path)
    with pytest.raises(OutboxCorruptError):
        ob.destination(pid)
    ob.close()


def test_backoff_grows_with_jitter_and_caps() -> None:
    b = Backoff(base=10, factor=2, cap=100, storage_full=500)
    for attempts, ceiling in ((1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (30, 100)):
        samples = [b.delay(attempts) for _ in range(200)]
        assert all(ceiling / 2 <= s <= ceiling for s in samples)
        assert len(set(samples)) > 100  # jittered, not fixed
    assert all(250 <= b.delay(1, storage_full=True) <= 500 for _ in range(50))


def test_delayed_sending_within_the_chosen_window(tmp_path: Path) -> None:
    now = time.time()
    window = SendWindow(now + 3600, now + 7200)
    picks = [window.pick() for _ in range(200)]
    assert all(now + 3600 <= p <= now + 7200 for p in picks)
    assert max(picks) - min(picks) > 1000
    ob = make_outbox(tmp_path)
    final = ob.new_part_path()
    final.write_bytes(b"z" * 10)
    pid = ob.enqueue(final, Destination("folder", str(tmp_path)), window=window)
    assert ob.due() == []
    assert ob.due(now + 7201) == [pid]
    when = ob.get(pid).next_try
    assert now + 3600 <= when <= now + 7200
    ob.close()


def test_schedule_unsent_gives_new_parts_a_moment_once(tmp_path: Path) -> None:
    ob = make_outbox(tmp_path)
    fresh, _ = add_part(ob, os.urandom(10), None)
    fresh2, _ = add_part(ob, os.urandom(10), None)
    retrying, _ = add_part(ob, os.urandom(10), None)
    ob.mark_sending(retrying)
    ob.mark_retry(retrying, "The destination could not be reached.", 60.0)
    retry_at = ob.get(retrying).next_try
    now = time.time()
    assert ob.schedule_unsent(SendWindow(now, now + 6 * 3600), now) == [fresh, fresh2]
    moments = {pid: ob.get(pid).next_try for pid in (fresh, fresh2)}
    assert all(now <= m <= now + 6 * 3600 for m in moments.values())
    assert moments[fresh] != moments[fresh2]  # each its own moment
    assert all(ob.get(pid).waits_for_its_moment(now) for pid in (fresh, fresh2))
    # A retry wait is not a moment, and keeps its time.
    assert not ob.get(retrying).waits_for_its_moment(now)
    assert ob.get(retrying).next_try == retry_at
    # Asking again does not push the moments back.
    assert ob.schedule_unsent(SendWindow(now, now + 6 * 3600), now) == []
    assert {pid: ob.get(pid).next_try for pid in (fresh, fresh2)} == moments
    ob.close()


def test_folder_delivery_deletes_the_local_part(tmp_path: Path) -> None:
    target = tmp_path / "usb"
    target.mkdir()
    ob = make_outbox(tmp_path / "data")
    pid, data = add_part(ob, os.urandom(2000), Destination("folder", str(target)))
    part_file = ob.part_path(pid)
    report = Courier(ob, route="direct").deliver_due(threading.Event())
    assert report.delivered == [pid] and report.safe_to_unplug
    assert not part_file.exists()
    assert (target / part_file.name).read_bytes() == data
    info = ob.get(pid)
    assert (info.state, info.sent, info.has_destination) == ("delivered", 2000, False)
    ob.close()


def test_permanent_failure_stops_with_reason_and_retry_requeues(tmp_path: Path) -> None:
    ob = make_outbox(tmp_path)
    pid, _ = add_part(ob, os.urandom(10), Destination("carrier-pigeon", "x"))
    report = Courier(ob, route="direct").deliver_due(threading.Event())
    assert pid in report.failed
    info = ob.get(pid)
    assert info.state == "failed" and info.reason == "This way of sending is not known."
    assert ob.due() == []
    assert ob.part_path(pid).exists()  # nothing lost
    ob.retry(pid)
    assert ob.get(pid).state == "queued" and ob.due() == [pid]
    ob.close()


def test_part_without_destination_uses_via_or_fails_plainly(tmp_path: Path) -> None:
    ob = make_outbox(tmp_path / "data")
    pid, data = add_part(ob, os.urandom(10), None)
    report = Courier(ob, route="direct").deliver_due(threading.Event())
    assert ob.get(pid).state == "failed" and pid in report.failed
    ob.retry(pid)
    usb = tmp_path / "usb"
    usb.mkdir()
    report = Courier(ob, route="direct", via=Destination("folder", str(usb))).deliver_due(
        threading.Event())
    assert report.delivered == [pid]
    assert [p.read_bytes() for p in usb.iterdir()] == [data]
    ob.close()


def test_only_one_courier_at_a_time(tmp_path: Path) -> None:
    ob = make_outbox(tmp_path)
    add_part(ob, os.urandom(10), Destination("folder", str(tmp_path)))
    entered = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def blocking_progress(_event: object) -> None:
        entered.set()
        release.wait(10)

    first = Courier(ob, route="direct", progress=blocking_progress)
    t = threading.Thread(target=lambda: first.deliver_due(threading.Event()))
    t.start()
    assert entered.wait(10)
    try:
        with pytest.raises(OutboxBusyError):
            Courier(make_outbox(tmp_path), route="direct").deliver_due(threading.Event())
    except BaseException as exc:  # keep the thread from hanging on failure
        errors.append(exc)
    release.set()
    t.join(10)
    assert not errors
    ob.close()


def test_cancel_pauses_without_counting_an_attempt(tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    ob = make_outbox(tmp_path / "data")
    pid, _ = add_part(ob, os.urandom(9 * 1024 * 1024), Destination("folder", str(usb)))
    cancel = threading.Event()
    Courier(ob, route="direct", progress=lambda _e: cancel.set()).deliver_due(cancel)
    info = ob.get(pid)
    assert (info.state, info.attempts) == ("queued", 0)
    assert list(usb.iterdir()) == []  # no half copy left behind
    ob.close()


def test_wipe_erases_parts_queue_and_key(tmp_path: Path) -> None:
    ob = make_outbox(tmp_path)
    pid, _ = add_part(ob, os.urandom(100), Destination("tus", SECRET_URL))
    # Crash leftovers (not swept: this outbox was already open) go too.
    staging_path(ob.new_part_path()).write_bytes(b"half a part")
    ob.new_part_path().write_bytes(b"complete part")
    assert len(ob.leftovers()) == 2
    [(sealed,)] = ob._db.execute("SELECT sealed_destination FROM parts").fetchall()
    extra = tmp_path / "pinned-cards"
    extra.mkdir()
    (extra / "card").write_bytes(b"card")
    assert (tmp_path / "state.salt").exists()
    ob.wipe(extra_paths=[extra])
    assert not (tmp_path / "state.salt").exists()  # the key is destroyed
    assert not extra.exists()
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert leftovers == []
    # Whatever flash storage kept of the old records, the same passphrase now gives
    # a fresh key that opens none of it.
    fresh = fast_key_store(tmp_path).load_or_create()
    with pytest.raises(CryptoError):
        fresh.open(sealed, aad=b"dest:" + pid.encode())
    assert Outbox(fast_key_store(tmp_path), tmp_path).parts() == []
