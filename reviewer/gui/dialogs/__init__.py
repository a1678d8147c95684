"""Dialogs: note editor, import progress and errors, error report, about, preferences."""
