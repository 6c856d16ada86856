"""The main window: navigation between pages, quick delete, language, help.

Pages are built at the composition root and handed in; the window only
arranges them. Its title never names a file or an organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import LANGUAGES, LanguageManager
from ui.threat_model_dialog import ThreatModelDialog

QUICK_DELETE_SHORTCUT = "Ctrl+Shift+Del"


class Page(Protocol):
    """What the window needs of a page widget."""

    def page_title(self) -> str: ...


class MainWindow(QMainWindow):
    quick_delete_requested = Signal()

    def __init__(
        self,
        languages: LanguageManager,
        source_pages: Sequence[QWidget],
        staff_pages: Sequence[QWidget],
        *,
        demo: bool = False,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self._languages = languages
        self._demo = demo
        self._nav = QListWidget(self)
        self._nav.setObjectName("navigation")
        self._nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._stack = QStackedWidget(self)
        self._sections: list[tuple[QListWidgetItem, str]] = []
        self._page_items: list[tuple[QListWidgetItem, QWidget]] = []
        self._add_section("source", source_pages)
        self._add_section("staff", staff_pages)
        self._nav.currentRowChanged.connect(self._on_nav)

        self._demo_banner = QLabel(self)
        self._demo_banner.setObjectName("demoBanner")
        self._demo_banner.setVisible(demo)
        self._demo_banner.setStyleSheet(
            "background:#7a4b00;color:white;padding:6px;font-weight:bold;"
        )
        self._demo_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)

        body = QWidget(self)
        row = QHBoxLayout()
        row.addWidget(self._nav)
        row.addWidget(self._stack, 1)
        column = QVBoxLayout(body)
        column.addWidget(self._demo_banner)
        column.addLayout(row, 1)
        self.setCentralWidget(body)

        self._build_actions()
        self.setTabOrder(self._nav, self._stack)
        self._select_first_page()
        self.retranslate()
        self.resize(1000, 700)

    # --- construction ---

    def _add_section(self, key: str, pages: Sequence[QWidget]) -> None:
        if not pages:
            return
        header = QListWidgetItem()
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        font = header.font()
        font.setBold(True)
        header.setFont(font)
        self._nav.addItem(header)
        self._sections.append((header, key))
        for page in pages:
            item = QListWidgetItem()
            self._nav.addItem(item)
            self._stack.addWidget(page)
            self._page_items.append((item, page))

    def _build_actions(self) -> None:
        bar = QToolBar(self)
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        self.addToolBar(bar)

        self.quick_delete_action = QAction(self)
        self.quick_delete_action.setObjectName("quickDeleteAction")
        self.quick_delete_action.setShortcut(QKeySequence(QUICK_DELETE_SHORTCUT))
        # Window-wide: reachable from every page, whatever has focus inside it.
        self.quick_delete_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.quick_delete_action.triggered.connect(self.quick_delete_requested.emit)
        bar.addAction(self.quick_delete_action)
        self.addAction(self.quick_delete_action)

        self.help_action = QAction(self)
        self.help_action.setObjectName("threatModelAction")
        self.help_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.help_action.triggered.connect(self.show_threat_model)
        bar.addAction(self.help_action)

        self._language_menu = self.menuBar().addMenu("")
        self._language_group = QActionGroup(self)
        self._language_group.setExclusive(True)
        self._language_actions: dict[str, QAction] = {}
        for code, name in LANGUAGES.items():
            action = QAction(name, self)
            action.setCheckable(True)
            action.setObjectName(f"language_{code}")
            action.setChecked(code == self._languages.current)
            action.triggered.connect(lambda _=False, c=code: self._languages.set_language(c))
            self._language_group.addAction(action)
            self._language_menu.addAction(action)
            self._language_actions[code] = action
        self._languages.changed.connect(self._on_language)

    # --- behaviour ---

    def _select_first_page(self) -> None:
        if self._page_items:
            self._nav.setCurrentItem(self._page_items[0][0])

    def _on_nav(self, row: int) -> None:
        item = self._nav.item(row)
        for page_item, page in self._page_items:
            if page_item is item:
                self._stack.setCurrentWidget(page)
                return

    def show_page(self, page: QWidget) -> None:
        for item, candidate in self._page_items:
            if candidate is page:
                self._nav.setCurrentItem(item)

    def pages(self) -> list[QWidget]:
        """Every page, in the order of the navigation."""
        return [page for _item, page in self._page_items]

    def current_page(self) -> QWidget | None:
        return self._stack.currentWidget()

    def show_threat_model(self) -> None:
        dialog = ThreatModelDialog(self, self._languages.current)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._languages.changed.connect(dialog.show_language)
        dialog.open()

    def _on_language(self, code: str) -> None:
        self._language_actions[code].setChecked(True)

    def retranslate(self) -> None:
        # Never a file or organisation name in the title: screens get recorded.
        self.setWindowTitle(self.tr("Submitter"))
        titles = {
            "source": self.tr("Send material"),
            "staff": self.tr("For organisation staff"),
        }
        for header, key in self._sections:
            header.setText(titles[key])
        for item, page in self._page_items:
            title = page.page_title() if hasattr(page, "page_title") else ""
            item.setText(title)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, title)
        self._nav.setAccessibleName(self.tr("Steps"))
        self.quick_delete_action.setText(self.tr("Quick delete"))
        self.quick_delete_action.setToolTip(
            self.tr("Erase the outbox, trusted organisations and keys (%1)").replace(
                "%1", QUICK_DELETE_SHORTCUT
            )
        )
        self.help_action.setText(self.tr("What is not protected"))
        self._language_menu.setTitle(self.tr("Language"))
        self._demo_banner.setText(
            self.tr("DEMO MODE: for trying the app only. Do not use real material.")
        )
        # Fit the longest step name in the current language (Russian runs long).
        widest = 0
        for row in range(self._nav.count()):
            item = self._nav.item(row)
            metrics = QFontMetrics(item.font())
            widest = max(widest, metrics.horizontalAdvance(item.text()))
        self._nav.setFixedWidth(max(160, min(360, widest + 2 * self._nav.frameWidth() + 24)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
