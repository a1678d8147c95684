"""The desktop app (PySide6). Qt lives only here; it drives reviewer.core."""

from .none_guard import guard_none

guard_none()  # before any Qt call: see none_guard.py
