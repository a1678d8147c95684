"""Help › Keyboard shortcuts: a table of the bindings that reviewer.gui.shortcuts read from the
window's menus and actions, grouped by menu, with a filter box."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from ..shortcuts import Binding

COLUMNS = ("Command", "Keys")
# what Qt's own widgets do with keys (no action of ours binds these)
NAVIGATION = (
    "In a list or table, the arrow keys move and Enter opens; Tab and Shift+Tab go to the next or "
    "previous pane; Alt with an underlined letter opens a menu or presses a button."
)


class ShortcutsDialog(QDialog):
    def __init__(self, bindings: list[Binding], parent=None):
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.bindings = bindings
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter: a command or a key")
        self.filter_edit.setAccessibleName("Filter the shortcuts")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("shortcutsTable")
        self.tree.setAccessibleName("Keyboard shortcuts")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        groups: dict[str, QTreeWidgetItem] = {}
        for binding in bindings:
            group = groups.get(binding.group)
            if group is None:
                group = groups[binding.group] = QTreeWidgetItem(self.tree, [binding.group])
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFirstColumnSpanned(True)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            name = f"{binding.name} ({binding.where})" if binding.where else binding.name
            QTreeWidgetItem(group, [name, binding.keys_text])
        self.tree.expandAll()
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        note = QLabel(NAVIGATION, self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(560, 640)
        self.filter_edit.setFocus()

    def rows(self, visible_only: bool = False) -> list[tuple[str, str, str]]:
        """(group, command, keys) of each row, as shown."""
        found = []
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            for c in range(group.childCount()):
                item = group.child(c)
                if not (visible_only and item.isHidden()):
                    found.append((group.text(0), item.text(0), item.text(1)))
        return found

    def _filter(self, text: str) -> None:
        words = text.casefold().split()
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            shown = 0
            for c in range(group.childCount()):
                item = group.child(c)
                haystack = f"{group.text(0)} {item.text(0)} {item.text(1)}".casefold()
                hidden = not all(word in haystack for word in words)
                item.setHidden(hidden)
                shown += not hidden
            group.setHidden(shown == 0)
