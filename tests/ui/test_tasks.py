"""The task runner: work runs off the GUI thread and nothing starts after exit."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QCoreApplication

from ui.tasks import TaskRunner


def test_work_runs_and_reports(qtbot: Any) -> None:
    runner = TaskRunner()
    threads: list[threading.Thread] = []
    results: list[object] = []

    def work(_progress: object, _cancel: threading.Event) -> int:
        threads.append(threading.current_thread())
        return 42

    try:
        runner.start(work, finished=results.append)
        qtbot.waitUntil(lambda: results == [42], timeout=10_000)
        assert threads and threads[0] is not threading.main_thread()
    finally:
        runner.shutdown()


def test_nothing_starts_after_shutdown(qtbot: Any) -> None:
    # A page timer can fire while the app exits; its work must not run, and
    # no answer may come back to widgets that are being destroyed.
    runner = TaskRunner()
    runner.shutdown()
    ran = threading.Event()
    answers: list[object] = []
    runner.start(lambda _progress, _cancel: ran.set(), finished=answers.append,
                 failed=answers.append)
    # No thread was started, so there is nothing to wait for.
    assert not runner.is_busy()
    QCoreApplication.processEvents()
    assert not ran.is_set() and answers == []
