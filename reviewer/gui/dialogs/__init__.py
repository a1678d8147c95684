"""Dialogs: note editor, import progress and errors, error report, about, preferences, author,
keyboard shortcuts, and the question asked before losing work (question.py)."""
