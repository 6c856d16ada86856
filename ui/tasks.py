"""Run core work off the GUI thread and turn its callbacks into Qt signals.

The core reports progress through a plain callback and honours a
``threading.Event`` for cancellation; this adapter is the only place that
knows about both worlds. Threads are owned by one ``TaskRunner`` created at
the composition root and joined in ``shutdown()``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

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

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Cancel everything and join every thread (called once, at exit)."""
        self._shut_down = True
        self.cancel_all()
        for thread in list(self._threads):
            thread.wait(timeout_ms)
