"""Run core work off the GUI thread and turn its callbacks into Qt signals.

The core reports progress through a plain callback and honours a
``threading.Event`` for cancellation; this adapter is the only place that
knows about both worlds. Threads are owned by one ``TaskRunner`` created at
the composition root and joined in ``shutdown()`` (at exit, for good) or in
``stop_all()`` (quick delete: everything stops, then work may start again).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEvent, QObject, QThread, Signal

# A unit of core work: receives (progress callback, cancel event), returns a result.
Work = Callable[[Callable[[object], None], threading.Event], object]


class Task(QObject):
    """One running piece of work. Signals arrive on the GUI thread."""

    progress = Signal(object)  # the core's progress event dataclass
    finished = Signal(object)  # the result
    failed = Signal(object)  # the exception (a SubmitterError/CryptoError leaf)
    done = Signal()  # always last, after finished or failed

    def __init__(self, work: Work) -> None:
        super().__init__()
        self._work: Work | None = work
        self.cancel_event = threading.Event()

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self) -> None:  # on the worker thread
        work, self._work = self._work, None  # drop the closure: it may hold a passphrase
        try:
            if work is None:
                raise RuntimeError("task already ran")
            result = work(self.progress.emit, self.cancel_event)
        except BaseException as exc:  # everything must reach the GUI as a signal
            self.failed.emit(exc)
        else:
            self.finished.emit(result)
        finally:
            del work
            self.done.emit()


class _Thread(QThread):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task

    def run(self) -> None:
        self.task.run()


class TaskRunner(QObject):
    """Starts tasks on their own QThreads and joins them all on shutdown."""

    busy_changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self._threads: list[_Thread] = []
        self._shut_down = False
        self._stopping = 0  # > 0 while stop_all() runs

    def start(self, work: Work, **slots: Callable[..., Any]) -> Task:
        """Start ``work``; ``slots`` may connect progress/finished/failed/done."""
        task = Task(work)
        if self._shut_down:
            # A timer that fires during exit must not start work whose answer
            # would reach widgets that are already gone: the task never runs.
            task.cancel()
            return task
        for name, slot in slots.items():
            getattr(task, name).connect(slot)
        if self._stopping:
            # Follow-up work a page starts while stop_all() delivers the last
            # answers: it runs already cancelled, so it reports like any
            # cancelled task (the page's own bookkeeping ends as usual) and
            # stop_all() joins it in its next round.
            task.cancel()
        thread = _Thread(task)
        thread.finished.connect(lambda t=thread: self._reap(t))
        self._threads.append(thread)
        thread.start()
        self.busy_changed.emit(True)
        return task

    def _reap(self, thread: _Thread) -> None:
        if thread in self._threads:
            self._threads.remove(thread)
            thread.deleteLater()
        if not self._threads:
            self.busy_changed.emit(False)

    def is_busy(self) -> bool:
        return bool(self._threads)

    def cancel_all(self) -> None:
        for thread in list(self._threads):
            thread.task.cancel()

    def stop_all(self, timeout_ms: int = 30_000, *, rounds: int = 20) -> bool:
        """Cancel every task, join its thread and deliver its last signals.

        For quick delete: when this returns, no worker is running and every
        answer of the stopped tasks has reached its slots, so nothing arrives
        after the caller has erased and cleared. Unlike ``shutdown()`` the
        runner accepts new work afterwards. Returns False if a thread did not
        end within ``timeout_ms`` (all rounds together).
        """
        deadline = QDeadlineTimer(timeout_ms)
        self._stopping += 1
        try:
            for _ in range(rounds):
                if not self._threads:
                    return True
                self.cancel_all()
                for thread in list(self._threads):
                    if not thread.wait(deadline):
                        return False
                # The tasks' finished/failed/done and each thread's finished
                # were queued to this (the GUI) thread: deliver them now,
                # without running the rest of the event loop (no input, no timers).
                QCoreApplication.sendPostedEvents(None, QEvent.Type.MetaCall)
            return not self._threads
        finally:
            self._stopping -= 1

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Cancel everything and join every thread (called once, at exit)."""
        self._shut_down = True
        self.cancel_all()
        for thread in list(self._threads):
            thread.wait(timeout_ms)
