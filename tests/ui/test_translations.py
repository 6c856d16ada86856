"""English and Russian: every string reaches the .ts, every entry is translated,
and the real window switches language at run time and back.

The extraction is the real ``pyside6-lupdate`` (through ui/translations/update.py,
the same code that refreshes the committed file), checked a second time by an
independent scan of the source for tr()/translate() calls, because lupdate's
Python parser silently skips some call shapes.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTranslator
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QStackedWidget,
    QTableView,
    QTreeView,
    QWidget,
)

import crypto
import submitter
from crypto.errors import CryptoError, NoIdentityMatchError
from submitter.app_state import AppState
from submitter.errors import SubmitterError
from tests.ui.conftest import running_app
from ui.app import AppParts
from ui.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
UPDATE_SCRIPT = ROOT / "ui" / "translations" / "update.py"


def _load_update() -> ModuleType:
    spec = importlib.util.spec_from_file_location("translations_update", UPDATE_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


update = _load_update()


@pytest.fixture(scope="module")
def committed() -> list[Any]:
    assert update.TS_PATH.exists(), f"{update.TS_PATH} is missing"
    entries: list[Any] = update.read_ts(update.TS_PATH)
    return entries


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """What lupdate extracts from ui/ right now, into a throw-away .ts."""
    entries: list[Any] = update.extract_to(tmp_path_factory.mktemp("lupdate") / "fresh_ru.ts")
    return entries


# --- (1) the committed .ts holds exactly the strings of the code --------------


def test_lupdate_finds_exactly_the_committed_strings(
    committed: list[Any], fresh: list[Any]
) -> None:
    def keys(entries: list[Any]) -> set[tuple[str, str, bool]]:
        return {(e.context, e.source, e.numerus) for e in entries}

    missing = sorted(keys(fresh) - keys(committed))
    stale = sorted(keys(committed) - keys(fresh))
    assert not missing, (
        "strings in the code but not in submitter_ru.ts (run ui/translations/update.py "
        "and translate them):\n" + "\n".join(f"  [{c}] {s!r}" for c, s, _ in missing)
    )
    assert not stale, (
        "entries in submitter_ru.ts that the code no longer has (run "
        "ui/translations/update.py):\n" + "\n".join(f"  [{c}] {s!r}" for c, s, _ in stale)
    )
    assert len(fresh) > 300  # the extraction really ran over the whole of ui/


class _Calls(ast.NodeVisitor):
    """tr()/translate()/QT_TRANSLATE_NOOP calls, read independently of lupdate."""

    def __init__(self, path: Path, tree: ast.Module) -> None:
        self.path = path
        self.classes: list[str] = []
        self.found: list[tuple[str, str, bool, str]] = []  # context, text, plural, where
        self.opaque: list[str] = []  # calls whose text is not written out
        # Module-level one-liners ``def _tr(text): return X.translate("Ctx", text)``.
        self.wrappers: dict[str, str] = {}
        for node in tree.body:
            if (
                isinstance(node, ast.FunctionDef)
                and len(node.body) == 1
                and isinstance(node.body[0], ast.Return)
                and isinstance(call := node.body[0].value, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "translate"
                and len(call.args) == 2
                and isinstance(call.args[0], ast.Constant)
            ):
                self.wrappers[node.name] = str(call.args[0].value)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name not in self.wrappers:  # the wrapper's own body passes a variable
            self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def visit_Call(self, node: ast.Call) -> None:
        where = f"{self.path.relative_to(ROOT)}:{node.lineno}"
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        args = node.args
        if name == "tr" and isinstance(func, ast.Attribute) and self.classes and args:
            self._record(self.classes[-1], args[0], len(args) >= 3, where)
        elif name in ("translate", "QT_TRANSLATE_NOOP") and len(args) >= 2:
            if isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                self._record(args[0].value, args[1], len(args) >= 4, where)
        elif isinstance(func, ast.Name) and name in self.wrappers and args:
            self._record(self.wrappers[name], args[0], False, where)
        self.generic_visit(node)

    def _record(self, context: str, text: ast.expr, plural: bool, where: str) -> None:
        if isinstance(text, ast.Constant) and isinstance(text.value, str):
            self.found.append((context, text.value, plural, where))
        elif context != update.CORE_CONTEXT:
            # Core messages are translated from a variable on purpose (the
            # list in ui/core_messages.py backs them); anything else is a
            # string no translator will ever see.
            self.opaque.append(f"{where} [{context}] {ast.unparse(text)}")


def test_every_written_out_string_is_in_the_ts(committed: list[Any]) -> None:
    have = {(e.context, e.source): e.numerus for e in committed}
    missing: list[str] = []
    opaque: list[str] = []
    seen = 0
    for path in update.source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = _Calls(path, tree)
        calls.visit(tree)
        opaque += calls.opaque
        seen += len(calls.found)
        for context, text, plural, where in calls.found:
            if (context, text) not in have:
                missing.append(f"{where} [{context}] {text!r}")
            elif plural and not have[(context, text)]:
                missing.append(f"{where} [{context}] {text!r} has a count but no plural forms")
    assert seen > 300
    assert not missing, "strings missing from the .ts:\n" + "\n".join(missing)
    assert not opaque, "translated text that is not a literal:\n" + "\n".join(opaque)


# --- (2) nothing unfinished ----------------------------------------------------


def test_no_entry_is_unfinished_or_empty(committed: list[Any]) -> None:
    todo = [f"[{e.context}] {e.source!r} ({e.kind or 'empty'})"
            for e in committed if not e.done]
    assert not todo, "untranslated entries in submitter_ru.ts:\n" + "\n".join(todo)


def test_plural_entries_have_the_three_russian_forms(committed: list[Any]) -> None:
    plurals = [e for e in committed if e.numerus]
    assert plurals, "no plural (%n) entries found: the numerus check would be vacuous"
    for entry in plurals:
        assert len(entry.forms) == 3, (entry.source, entry.forms)


# --- (3) every core error message is listed for translation -------------------


def _core_error_classes() -> Iterator[type[BaseException]]:
    for package in (crypto, submitter):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    pending: list[type[BaseException]] = [CryptoError, SubmitterError]
    seen: set[type[BaseException]] = set()
    while pending:
        cls = pending.pop()
        if cls not in seen:
            seen.add(cls)
            pending.extend(cls.__subclasses__())
            yield cls


def test_every_core_error_message_is_listed() -> None:
    listed = set(update.committed_core_messages())
    classes = list(_core_error_classes())
    leaves = [c for c in classes if not c.__subclasses__()]
    assert len(leaves) > 50  # the walk really imported the whole core
    missing = []
    for cls in classes:
        if cls.__module__.startswith(update.TERMINAL_ONLY_PACKAGES):
            continue  # the command line's own errors reach a terminal only
        message = cls.message  # type: ignore[attr-defined]
        assert isinstance(message, str) and message, cls
        if message not in listed:
            missing.append(f"{cls.__module__}.{cls.__qualname__}: {message!r}")
    assert not missing, (
        "core error messages missing from ui/core_messages.py (run "
        "ui/translations/update.py):\n" + "\n".join(missing)
    )


def test_core_messages_module_lists_real_messages_only() -> None:
    import ui.core_messages

    known = {c.message for c in _core_error_classes()}  # type: ignore[attr-defined]
    assert set(ui.core_messages.CORE_MESSAGES) <= known
    assert set(ui.core_messages.CORE_MESSAGES) == set(update.committed_core_messages())


# --- (4) placeholders and markup survive translation --------------------------

PLACEHOLDER = re.compile(r"%(?:L?\d+|n)")
MNEMONIC = re.compile(r"&(?=[^&\s])")


def test_placeholders_are_preserved(committed: list[Any]) -> None:
    bad = []
    for entry in committed:
        wanted = sorted(PLACEHOLDER.findall(entry.source))
        for form in entry.forms:
            if sorted(PLACEHOLDER.findall(form)) != wanted:
                bad.append(f"[{entry.context}] {entry.source!r} -> {form!r}")
    assert not bad, "placeholders changed in translation:\n" + "\n".join(bad)


def test_shortcut_letters_and_endings_are_kept(committed: list[Any]) -> None:
    bad = []
    for entry in committed:
        for form in entry.forms:
            if bool(MNEMONIC.search(entry.source)) != bool(MNEMONIC.search(form)):
                bad.append(f"keyboard shortcut letter: {entry.source!r} -> {form!r}")
            for ending in (":", "…"):
                if entry.source.endswith(ending) != form.endswith(ending):
                    bad.append(f"ending {ending!r}: {entry.source!r} -> {form!r}")
    assert not bad, "\n".join(bad)


def test_translations_are_russian(committed: list[Any]) -> None:
    latin_only = [
        e for e in committed
        if e.source not in ALLOWED_SAME and re.search("[A-Za-z]", e.source)
        and not any(re.search("[А-Яа-яЁё]", f) for f in e.forms)
    ]
    assert not latin_only, "entries with no Russian in them:\n" + "\n".join(
        f"[{e.context}] {e.source!r} -> {e.forms!r}" for e in latin_only
    )


# --- (5) the real window switches language and back ---------------------------

# Proper names and technical names that stay as they are in Russian.
ALLOWED_SAME = {"Submitter", "age", "Tor", "OnionShare", "QR", "SHA-256", "%1 (%2)",
                *LANGUAGES.values()}


def _allowed_same(text: str) -> bool:
    return (
        text in ALLOWED_SAME
        or not re.search("[A-Za-z]", text)  # numbers, punctuation, already Cyrillic
        or re.fullmatch(r"\w+://\S+", text) is not None
        or re.fullmatch(r"-----BEGIN [A-Z ]+-----", text) is not None  # a file format's marker
    )


def _texts(root: QWidget) -> dict[str, str]:
    """Every user-visible string of a widget tree, keyed by where it is shown."""
    out: dict[str, str] = {}

    def put(key: str, text: str) -> None:
        if text.strip():
            out[key] = text

    widgets = [root, *root.findChildren(QWidget)]
    for index, widget in enumerate(widgets):
        key = f"{index}:{type(widget).__name__}:{widget.objectName()}"
        if isinstance(widget, (QLabel, QAbstractButton)):
            put(key + ".text", widget.text())
        elif isinstance(widget, QGroupBox):
            put(key + ".title", widget.title())
        elif isinstance(widget, (QLineEdit, QPlainTextEdit)):
            put(key + ".placeholder", widget.placeholderText())
        if isinstance(widget, QListWidget):
            for row in range(widget.count()):
                put(f"{key}.item{row}", widget.item(row).text())
        header = (widget.horizontalHeader() if isinstance(widget, QTableView)
                  else widget.header() if isinstance(widget, QTreeView) else None)
        if header is not None and header.model() is not None:
            for column in range(header.count()):
                label = header.model().headerData(column, Qt.Orientation.Horizontal)
                put(f"{key}.header{column}", str(label or ""))
        put(key + ".accessibleName", widget.accessibleName())
        put(key + ".toolTip", widget.toolTip())
        for number, action in enumerate(widget.actions()):
            put(f"{key}.action{number}", action.text())
            put(f"{key}.action{number}.toolTip", action.toolTip())
    for number, action in enumerate(root.findChildren(QAction)):
        put(f"QAction{number}:{action.objectName()}", action.text())
    return out


@pytest.fixture
def app_parts(qapp: QApplication, qtbot: Any, tmp_path: Path) -> Iterator[AppParts]:
    with running_app(qapp, AppState(tmp_path / "data", None)) as built:
        yield built


def _pages(parts: AppParts) -> list[QWidget]:
    stack = parts.window.findChild(QStackedWidget)
    assert stack is not None
    pages = [stack.widget(i) for i in range(stack.count())]
    return [page for page in pages if page is not None]


def test_runtime_switch_translates_every_page_and_back(
    app_parts: AppParts, qtbot: Any
) -> None:
    window = app_parts.window
    pages = _pages(app_parts)
    assert len(pages) >= 6  # every step for the source, and the staff pages
    english = _texts(window)
    english_titles = [p.page_title() for p in pages]  # type: ignore[attr-defined]
    assert len(english) > 150

    app_parts.languages.set_language("ru")
    _deliver_language_change()
    russian = _texts(window)
    assert russian.keys() == english.keys(), "widgets appeared or vanished on switching"
    unchanged = sorted(
        f"{key}: {text!r}" for key, text in english.items()
        if russian[key] == text and not _allowed_same(text)
    )
    assert not unchanged, "still English after switching to Russian:\n" + "\n".join(unchanged)
    ru_titles = [p.page_title() for p in pages]  # type: ignore[attr-defined]
    assert all(r != e for r, e in zip(ru_titles, english_titles, strict=True))

    app_parts.languages.set_language("en")
    _deliver_language_change()
    back = _texts(window)
    differ = sorted(f"{k}: {english[k]!r} -> {back.get(k)!r}" for k in english
                    if back.get(k) != english[k])
    assert not differ, "not back to English:\n" + "\n".join(differ)
    assert [p.page_title() for p in pages] == english_titles  # type: ignore[attr-defined]


def _deliver_language_change() -> None:
    # Installing a translator posts LanguageChange to every widget; deliver
    # them now rather than waiting an arbitrary time.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
    QCoreApplication.processEvents()


def test_core_error_is_shown_in_russian(app_parts: AppParts, qtbot: Any) -> None:
    from ui.messages import user_message

    error = NoIdentityMatchError("detail for developers")
    assert user_message(error) == NoIdentityMatchError.message
    app_parts.languages.set_language("ru")
    shown = user_message(error)
    assert shown != NoIdentityMatchError.message and re.search("[А-Яа-я]", shown)
    assert "detail" not in shown
    app_parts.languages.set_language("en")
    assert user_message(error) == NoIdentityMatchError.message


# --- (6) the compiled .qm ------------------------------------------------------


def test_compiled_qm_loads_translates_and_is_current(
    committed: list[Any], tmp_path: Path
) -> None:
    qm = tmp_path / "submitter_ru.qm"
    update.run_lrelease(update.TS_PATH, qm)
    translator = QTranslator()
    assert translator.load(str(qm))
    assert translator.language().startswith("ru")
    plain = next(e for e in committed if not e.numerus and e.context == update.CORE_CONTEXT)
    assert translator.translate(plain.context, plain.source) == plain.forms[0]
    plural = next(e for e in committed if e.numerus)
    # Russian plural rules: 1 -> first form, 3 -> second, 5 and 11 -> third.
    for count, form in ((1, 0), (21, 0), (3, 1), (5, 2), (11, 2)):
        assert translator.translate(plural.context, plural.source, "", count) == \
            plural.forms[form], count
    QCoreApplication.installTranslator(translator)
    try:
        text = QCoreApplication.translate(plural.context, plural.source, "", 5)
        assert "%n" not in text and "5" in text
    finally:
        QCoreApplication.removeTranslator(translator)

    installed = update.QM_PATH
    assert installed.exists(), f"{installed} is missing: `make setup` builds it from the .ts"
    assert installed.read_bytes() == qm.read_bytes(), (
        f"{installed} is older than the .ts: `make setup` rebuilds it"
    )


def test_update_script_check_mode_agrees() -> None:
    result = subprocess.run(
        [sys.executable, str(UPDATE_SCRIPT), "--check"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 to do" in result.stdout


# --- the committed screenshots cover every page, in both languages -----------


def test_screenshots_cover_every_page_in_both_languages(app_parts: AppParts) -> None:
    from PIL import Image

    shots = ROOT / "docs" / "screenshots"
    missing = []
    for page in _pages(app_parts):
        name = page.objectName().removesuffix("Page")
        for language in LANGUAGES:
            path = shots / f"{name}-{language}.png"
            if not path.exists():
                missing.append(path.name)
                continue
            with Image.open(path) as image:
                # 1000x700, or wider where a language needs the room.
                width, height = image.size
                assert 1000 <= width <= 1300 and height == 700, (path.name, image.size)
    assert not missing, "run `make screenshots`; missing: " + ", ".join(missing)
    readme = (shots / "README.md").read_text(encoding="utf-8")
    assert all(p.name in readme for p in shots.glob("*.png")), "docs/screenshots/README.md"
