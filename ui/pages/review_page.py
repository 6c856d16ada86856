"""Step 4 for the source: what will be sent, then seal it into the outbox.

The summary (file count, sizes, sizes after padding, number of parts, the
organisation) is computed by the core in a worker; sealing runs in a worker
too, reporting its stage and file number, and can be cancelled at any point
with nothing left behind. File names appear on this screen only, never in
anything stored.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crypto.card import Card
from submitter.app_state import AppState
from submitter.bundle.format import DEFAULT_PART_SIZE
from submitter.bundle.pipeline import (
    FilesRefused,
    Stage,
    SubmitCancelled,
    SubmitProgress,
    SubmitResult,
)
from submitter.sanitize import sanitize
from submitter.session import SealEstimate, estimate, seal
from ui.messages import user_message
from ui.models.file_list_model import Status, human_size
from ui.pages.files_page import FilesPage
from ui.pages.message_page import MessagePage
from ui.pages.recipient_page import RecipientPage
from ui.tasks import Task, TaskRunner

ERROR_STYLE = "QLabel#reviewProblem { color: #7a0014; font-weight: bold; }"


@dataclass(frozen=True, slots=True)
class LoopLag:
    """How long the Qt event loop was kept from running while a seal ran."""

    max_block_ms: float
    ticks: int


class LoopLagProbe(QObject):
    """A fast timer on the GUI thread; a late tick means the event loop was blocked.

    Runs during every seal so the benchmark (and anyone curious) can read the
    longest stall; it only measures, it never changes what the page does.
    """

    INTERVAL_MS = 10

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self._max_gap = 0.0
        self._ticks = 0

    def start(self) -> None:
        self._last = time.monotonic()
        self._max_gap = 0.0
        self._ticks = 0
        self._timer.start()

    def stop(self) -> LoopLag:
        self._tick()
        self._timer.stop()
        return self.result()

    def result(self) -> LoopLag:
        block = max(0.0, self._max_gap * 1000.0 - self.INTERVAL_MS)
        return LoopLag(block, self._ticks)

    def _tick(self) -> None:
        now = time.monotonic()
        self._max_gap = max(self._max_gap, now - self._last)
        self._last = now
        self._ticks += 1


@dataclass(frozen=True, slots=True)
class _Selection:
    card: Card | None
    paths: tuple[Path, ...]  # ready to send, in the files page's order
    sizes: tuple[int, ...]
    refused: tuple[tuple[Path, str], ...]  # (path, plain reason)
    checking: int
    message: str
    keep_names: bool


def _estimate_work(sizes: Sequence[int], message: str, part_size: int
                   ) -> Callable[[Callable[[object], None], threading.Event], object]:
    def work(_progress: Callable[[object], None], _cancel: threading.Event) -> SealEstimate:
        return estimate(sizes, message=message, part_size=part_size)

    return work


def _seal_work(state: AppState, card: Card, paths: Sequence[Path], message: str,
               keep_names: bool, part_size: int
               ) -> Callable[[Callable[[object], None], threading.Event], object]:
    def work(progress: Callable[[object], None], cancel: threading.Event) -> SubmitResult:
        return seal(state.outbox(), card, paths, message=message, keep_names=keep_names,
                    part_size=part_size, progress=progress, cancel=cancel)

    return work


class ReviewPage(QWidget):
    sealed = Signal(object)  # the SubmitResult, once its parts are queued in the outbox
    seal_failed = Signal(object)  # the exception (SubmitCancelled, FilesRefused, ...)
    summary_updated = Signal()  # after every new estimate
    progressed = Signal(object)  # each SubmitProgress, after the page showed it
    outbox_requested = Signal()  # "Go to step 5"

    def __init__(self, tasks: TaskRunner, state: AppState, recipient: RecipientPage,
                 files: FilesPage, message: MessagePage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPage")
        self._tasks = tasks
        self._state = state
        self._recipient = recipient
        self._files = files
        self._message = message
        self.part_size = DEFAULT_PART_SIZE
        self._selection: _Selection | None = None
        self._estimate: SealEstimate | None = None
        self._estimate_gen = 0
        self._seal_task: Task | None = None
        self._sealing_paths: tuple[Path, ...] = ()
        self._last_progress: SubmitProgress | None = None
        # Outcome text, re-evaluated on a language change.
        self._outcome: Callable[[], str] | None = None
        self._outcome_is_error = False
        self._outcome_points_on = False
        self._probe = LoopLagProbe(self)
        self._lag = LoopLag(0.0, 0)

        self._intro = QLabel(self)
        self._intro.setWordWrap(True)

        self._summary = QGroupBox(self)
        self._org_caption = QLabel(self._summary)
        self._org = QLabel(self._summary)
        self._org.setObjectName("reviewOrganisation")
        self._count_caption = QLabel(self._summary)
        self._count = QLabel(self._summary)
        self._count.setObjectName("reviewFileCount")
        self._size_caption = QLabel(self._summary)
        self._size = QLabel(self._summary)
        self._size.setObjectName("reviewTotalSize")
        self._padded_caption = QLabel(self._summary)
        self._padded = QLabel(self._summary)
        self._padded.setObjectName("reviewPaddedSize")
        self._parts_caption = QLabel(self._summary)
        self._parts = QLabel(self._summary)
        self._parts.setObjectName("reviewPartCount")
        for label in (self._org, self._count, self._size, self._padded, self._parts):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout(self._summary)
        form.addRow(self._org_caption, self._org)
        form.addRow(self._count_caption, self._count)
        form.addRow(self._size_caption, self._size)
        form.addRow(self._padded_caption, self._padded)
        form.addRow(self._parts_caption, self._parts)

        self._problem = QLabel(self)
        self._problem.setObjectName("reviewProblem")
        self._problem.setStyleSheet(ERROR_STYLE)
        self._problem.setWordWrap(True)
        self._problem.setTextFormat(Qt.TextFormat.PlainText)
        self._problem.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._problem.setVisible(False)

        self._seal = QPushButton(self)
        self._seal.setObjectName("sealButton")
        self._cancel = QPushButton(self)
        self._cancel.setObjectName("cancelSeal")
        self._cancel.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self._seal)
        buttons.addWidget(self._cancel)
        buttons.addStretch(1)

        self._progress = QProgressBar(self)
        self._progress.setObjectName("sealProgress")
        self._progress.setRange(0, 1000)
        self._progress.setValue(0)
        self._progress.setTextVisible(False)
        self._stage = QLabel(self)
        self._stage.setObjectName("sealStage")
        self._stage.setWordWrap(True)
        self._stage.setTextFormat(Qt.TextFormat.PlainText)

        self._outcome_label = QLabel(self)
        self._outcome_label.setObjectName("sealOutcome")
        self._outcome_label.setWordWrap(True)
        self._outcome_label.setTextFormat(Qt.TextFormat.PlainText)
        self._outcome_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._outcome_label.setVisible(False)
        self._to_outbox = QPushButton(self)
        self._to_outbox.setObjectName("goToOutbox")
        self._to_outbox.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addWidget(self._summary)
        layout.addWidget(self._problem)
        layout.addLayout(buttons)
        layout.addWidget(self._progress)
        layout.addWidget(self._stage)
        layout.addWidget(self._outcome_label)
        layout.addWidget(self._to_outbox, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.setTabOrder(self._seal, self._cancel)
        self.setTabOrder(self._cancel, self._to_outbox)

        self._seal.clicked.connect(self.seal)
        self._cancel.clicked.connect(self.cancel)
        self._to_outbox.clicked.connect(self.outbox_requested.emit)
        # Changes elsewhere come in bursts (one per checked file): recompute once after.
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(50)
        self._soon.timeout.connect(self.refresh)
        recipient.card_chosen.connect(lambda _card: self._soon.start())
        files.selection_changed.connect(self._soon.start)
        model = files.model
        model.dataChanged.connect(lambda *_: self._soon.start())
        model.rowsRemoved.connect(lambda *_: self._soon.start())
        model.modelReset.connect(self._soon.start)
        self.retranslate()

    # --- public ---

    def page_title(self) -> str:
        return self.tr("4. Review and seal")

    def set_part_size(self, part_size: int) -> None:
        """Size of each part (the pipeline's limits apply); the summary follows."""
        self.part_size = part_size
        self.refresh()

    def is_sealing(self) -> bool:
        return self._seal_task is not None

    def can_seal(self) -> bool:
        return self._seal.isEnabled()

    def summary(self) -> SealEstimate | None:
        return self._estimate

    def problem_text(self) -> str:
        return self._problem.text() if not self._problem.isHidden() else ""

    def outcome_text(self) -> str:
        return self._outcome_label.text() if not self._outcome_label.isHidden() else ""

    def stage_text(self) -> str:
        return self._stage.text()

    def loop_lag(self) -> LoopLag:
        """The longest event-loop stall during the last seal (for the benchmark)."""
        return self._lag

    def refresh(self) -> None:
        """Read the other steps again and recompute the summary (in a worker)."""
        self._soon.stop()
        selection = self._read_selection()
        self._selection = selection
        self._estimate_gen += 1
        generation = self._estimate_gen
        self._render_selection()
        self._tasks.start(
            _estimate_work(selection.sizes, selection.message, self.part_size),
            finished=lambda result, g=generation: self._estimated(g, result),
            failed=lambda exc, g=generation: self._estimate_failed(g, exc),
        )

    def seal(self) -> None:
        if self._seal_task is not None:
            return
        selection = self._read_selection()
        self._selection = selection
        self._render_selection()
        if selection.card is None or not self._seal.isEnabled():
            return
        self._sealing_paths = selection.paths
        self._last_progress = None
        self._set_outcome(None)
        self._progress.setValue(0)
        self._stage.setText(self.tr("Starting…"))
        self._probe.start()
        self._seal_task = self._tasks.start(
            _seal_work(self._state, selection.card, selection.paths, selection.message,
                       selection.keep_names, self.part_size),
            progress=self._on_progress,
            finished=self._on_sealed,
            failed=self._on_failed,
            done=self._on_done,
        )
        self._update_buttons()

    def clear(self) -> None:
        """Cancel any seal and forget what is shown (quick delete)."""
        self.cancel()
        self._set_outcome(None)
        self._progress.setValue(0)
        self._stage.clear()
        self._last_progress = None
        self.refresh()

    def cancel(self) -> None:
        if self._seal_task is not None:
            self._seal_task.cancel()
            self._cancel.setEnabled(False)
            self._stage.setText(self.tr("Cancelling…"))

    # --- reading the other steps ---

    def _read_selection(self) -> _Selection:
        paths: list[Path] = []
        sizes: list[int] = []
        refused: list[tuple[Path, str]] = []
        checking = 0
        for entry in self._files.model.entries():
            if entry.status is Status.READY:
                paths.append(entry.path)
                sizes.append(entry.size)
            elif entry.status is Status.REFUSED:
                refused.append((entry.path, entry.refusal))
            else:
                checking += 1
        return _Selection(self._recipient.chosen_card(), tuple(paths), tuple(sizes),
                          tuple(refused), checking, self._message.message(),
                          self._files.keep_names())

    # --- slots ---

    def _estimated(self, generation: int, result: object) -> None:
        if generation != self._estimate_gen or not isinstance(result, SealEstimate):
            return
        self._estimate = result
        self._render_estimate()
        self.summary_updated.emit()

    def _estimate_failed(self, generation: int, exc: object) -> None:
        if generation != self._estimate_gen:
            return
        self._estimate = None
        self._render_estimate()
        if isinstance(exc, BaseException):
            self._padded.setText(user_message(exc))
        self.summary_updated.emit()

    def _on_progress(self, event: object) -> None:
        if not isinstance(event, SubmitProgress):
            return
        self._last_progress = event
        if event.bytes_total:
            self._progress.setValue(int(1000 * event.bytes_done / event.bytes_total))
        self._stage.setText(self._stage_line(event))
        self.progressed.emit(event)

    def _on_sealed(self, result: object) -> None:
        assert isinstance(result, SubmitResult)
        count = len(result.parts)
        self._progress.setValue(1000)
        self._stage.setText(self._stage_name(Stage.DONE))
        self._set_outcome(lambda: self.tr(
            "Sealed. Parts locked in the outbox: %n. Only the organisation can open "
            "them. Go to step 5 to deliver them.", "", count), points_on=True)
        self.sealed.emit(result)

    def _on_failed(self, exc: object) -> None:
        self._progress.setValue(0)
        self._stage.clear()
        if isinstance(exc, FilesRefused):
            paths = self._sealing_paths
            refusals = [(paths[r.index] if r.index < len(paths) else None, r.reason)
                        for r in exc.refusals]
            self._set_outcome(lambda: self._refusal_text(exc, refusals), error=True)
        elif isinstance(exc, SubmitCancelled):
            self._set_outcome(lambda: user_message(exc))
        elif isinstance(exc, BaseException):
            self._set_outcome(lambda: user_message(exc), error=True)
        self.seal_failed.emit(exc)

    def _on_done(self) -> None:
        self._lag = self._probe.stop()
        self._seal_task = None
        self._update_buttons()

    # --- display ---

    def _render_selection(self) -> None:
        selection = self._selection
        if selection is None:
            return
        card = selection.card
        self._org.setText(sanitize(card.name, max_len=100) if card is not None
                          else self.tr("None chosen yet (step 1)"))
        self._count.setText(str(len(selection.paths)))
        self._size.setText(human_size(sum(selection.sizes)))
        problems: list[str] = []
        if card is None:
            problems.append(self.tr("Choose the organisation first (step 1)."))
        if selection.refused:
            problems.append(self.tr(
                "Files that cannot be sent safely: %n. Nothing can be sealed until you "
                "remove them (step 2):", "", len(selection.refused)))
            problems += [f"  {sanitize(path.name, max_len=120)}: {reason}"
                         for path, reason in selection.refused]
        if selection.checking:
            problems.append(self.tr("Files still being checked: %n. Please wait.", "",
                                    selection.checking))
        if not selection.paths and not selection.refused and not selection.checking:
            problems.append(self.tr("Add the files to send (step 2)."))
        self._problem.setText("\n".join(problems))
        self._problem.setVisible(bool(problems))
        self._update_buttons()

    def _render_estimate(self) -> None:
        est = self._estimate
        if est is None or est.file_count == 0:
            self._padded.setText("—")
            self._parts.setText("—")
            return
        total = self.tr("about %1").replace("%1", human_size(est.padded_total))
        if est.part_count > 1:
            sizes = ", ".join(human_size(s) for s in est.padded_sizes[:6])
            if len(est.padded_sizes) > 6:
                sizes += ", …"
            total = self.tr("about %1 in all (parts of %2)").replace(
                "%1", human_size(est.padded_total)).replace("%2", sizes)
        self._padded.setText(total)
        self._parts.setText(str(est.part_count))

    def _update_buttons(self) -> None:
        sealing = self._seal_task is not None
        selection = self._selection
        ready = (selection is not None and selection.card is not None and bool(selection.paths)
                 and not selection.refused and not selection.checking)
        self._seal.setEnabled(ready and not sealing)
        self._cancel.setEnabled(sealing and not (self._seal_task and
                                                 self._seal_task.cancel_event.is_set()))

    def _set_outcome(self, text: Callable[[], str] | None, *, error: bool = False,
                     points_on: bool = False) -> None:
        self._outcome = text
        self._outcome_is_error = error
        self._outcome_points_on = points_on
        self._to_outbox.setVisible(points_on)
        if text is None:
            self._outcome_label.clear()
            self._outcome_label.setVisible(False)
            return
        message = text()
        self._outcome_label.setText(message)
        self._outcome_label.setStyleSheet("color: #7a0014; font-weight: bold;" if error else "")
        self._outcome_label.setAccessibleDescription(message)
        self._outcome_label.setVisible(True)

    def _refusal_text(self, exc: FilesRefused, refusals: list[tuple[Path | None, str]]) -> str:
        lines = [user_message(exc)]
        for path, reason in refusals:
            name = sanitize(path.name, max_len=120) if path is not None else "?"
            lines.append(f"  {name}: "
                         + QCoreApplication.translate("CoreMessages", reason))
        return "\n".join(lines)

    def _stage_name(self, stage: Stage) -> str:
        names = {
            Stage.CHECKING: self.tr("Checking and cleaning"),
            Stage.ENCRYPTING: self.tr("Locking (encrypting) for the organisation"),
            Stage.FINISHING: self.tr("Putting the parts in the outbox"),
            Stage.DONE: self.tr("Done"),
        }
        return names[stage]

    def _stage_line(self, event: SubmitProgress) -> str:
        line = self._stage_name(event.stage)
        if event.file_index is not None and event.stage in (Stage.CHECKING, Stage.ENCRYPTING):
            number = event.file_index + 1
            line += " — " + self.tr("file %1 of %2").replace("%1", str(number)).replace(
                "%2", str(event.files_total))
            paths = self._sealing_paths
            if event.file_index < len(paths):
                # On screen only; never stored or logged.
                line += ": " + sanitize(paths[event.file_index].name, max_len=80)
        return line

    # --- lifecycle and language ---

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        super().showEvent(event)

    def retranslate(self) -> None:
        self._intro.setText(self.tr(
            "Check what will be sent, then seal it. Sealing cleans every file again, packs "
            "them with your message, pads the size so it says little, and locks everything "
            "so that only the organisation can open it. Nothing leaves this computer yet."))
        self._summary.setTitle(self.tr("What will be sent"))
        self._org_caption.setText(self.tr("To:"))
        self._count_caption.setText(self.tr("Files:"))
        self._size_caption.setText(self.tr("Size now:"))
        self._padded_caption.setText(self.tr("Size after padding:"))
        self._parts_caption.setText(self.tr("Parts:"))
        self._org.setAccessibleName(self.tr("Organisation"))
        self._count.setAccessibleName(self.tr("Number of files"))
        self._size.setAccessibleName(self.tr("Size of the files"))
        self._padded.setAccessibleName(self.tr("Size after padding"))
        self._parts.setAccessibleName(self.tr("Number of parts"))
        self._problem.setAccessibleName(self.tr("Why sealing is not possible yet"))
        self._seal.setText(self.tr("&Seal"))
        self._seal.setAccessibleName(self.tr("Seal the files into the outbox"))
        self._cancel.setText(self.tr("&Cancel"))
        self._cancel.setAccessibleName(self.tr("Cancel sealing"))
        self._progress.setAccessibleName(self.tr("Sealing progress"))
        self._stage.setAccessibleName(self.tr("Current step of sealing"))
        self._outcome_label.setAccessibleName(self.tr("Result"))
        self._to_outbox.setText(self.tr("Go to step 5: deliver"))
        self._render_selection()
        self._render_estimate()
        if self._last_progress is not None and self._seal_task is not None:
            self._stage.setText(self._stage_line(self._last_progress))
        if self._outcome is not None:
            self._set_outcome(self._outcome, error=self._outcome_is_error,
                              points_on=self._outcome_points_on)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
